"""Split a license text into a tree of sections with the ids a lawyer would cite and exact offsets.

How it works, briefly:
- Outline markers ("1.", "a.", "(d)", "iv.", "3.2", "Section 3:", "Article IV", "Attachment A") are found at line
  starts and inline (many texts are flattened into long lines). A stack of open list levels accepts a marker only
  when it continues a list (the successor of an open item) or opens a new one (its first value), which rejects
  numbers inside sentences ("700 million", "Version 2.0", "see Section 1.1"). A number that continues both an
  item and a list nested in it ("5." after "4." and its sub-item "4.") closes the nested list when it is back at
  the outer margin, or is titled like the outer clauses while the nested items are not.
- Texts whose numbers were dropped but whose layout kept the structure (indentation, heading lines) get numbers
  inferred from the layout and from the license's own cross-references; those sections are marked inferred.
- Text before the first section, and texts without any outline, are cut into paragraphs "¶1", "¶2", ...
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

#: Part of the index fingerprint: bump when the parser's output changes.
PARSER_VERSION = "5"


@dataclass(frozen=True)
class Section:
    id: str  # "1.b.i", "2", "4(d)", "Attachment A, 3", "Section 5", "¶1"
    heading: str  # "" when the section has no heading
    start: int  # offsets into LicenseRecord.text: the whole section, subsections included
    end: int
    body_end: int  # end of the section's own text, before its first subsection (== end for a leaf)
    level: int  # 0 for top-level sections
    parent: str | None
    inferred: bool = False  # number inferred from layout or cross-references, not printed in the text


# ---------------------------------------------------------------------------------------------------------------
# Markers

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_ROMAN_RE = re.compile(r"^(?=[ivxlc])(c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ANNEX_WORDS = "Attachment|Exhibit|Appendix|Schedule|Annex|Addendum"

_MARKER_RE = re.compile(
    r"(?P<sec>(?:Section|SECTION|Article|ARTICLE|§)[ \t]*(?P<secnum>\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6})\b"
    r"(?P<secpunct>[.:)]?))"
    rf"|(?P<annex>(?:{_ANNEX_WORDS}|{_ANNEX_WORDS.upper()})(?:[ \t]+(?P<annexlabel>[A-Z]|\d{{1,2}}|[IVX]{{1,4}})\b)?)"
    # "5.2.“Data” means": a dotted number may be glued to a quoted term or a capitalised word after its dot
    r"|(?P<dotted>\d{1,3}(?:\.\d{1,3})+)(?:\.?(?=[ \t\n])|(?P<glued>\.)(?=[“\"‘]|[A-Z][A-Za-z]))"
    r"|\((?P<pnum>\d{1,3})\)(?=[ \t\n])"
    r"|\((?P<plow>[a-z]{1,5})\)(?=[ \t\n])"
    r"|\((?P<pup>[A-Z]{1,5})\)(?=[ \t\n])"
    r"|(?P<num>\d{1,3})(?:\\|\*\*)?[.)](?=[ \t\n*]|[A-Z][a-z]{2})"
    r"|(?P<bare>\d{1,2})[ \t]+(?=[A-Z][^\n.;:,]{2,60}\n)"
    r"|(?P<low>[a-z]{1,5})[.)](?=[ \t\n])"
    r"|(?P<up>[A-Z]{1,5})[.)](?=[ \t\n])"
)
# A marker candidate starts a line (after indentation) or follows whitespace.
_CAND_RE = re.compile(r"(?:(?<=\n)|^|(?<=[ \t\f*#]))(?:" + _MARKER_RE.pattern + ")")

# Words that end a line when the next line's leading number belongs to the sentence ("see Section\n2.").
_CUT_WORDS = {
    "section",
    "sections",
    "article",
    "articles",
    "clause",
    "clauses",
    "paragraph",
    "paragraphs",
    "version",
    "versions",
    "of",
    "and",
    "or",
    "to",
    "the",
    "under",
    "in",
    "see",
    "than",
    "with",
    "by",
    "at",
    "no",
    "no.",
    "subsection",
    "item",
    "items",
    "exhibit",
    "appendix",
    "schedule",
    "attachment",
    "annex",
    "chapter",
    "part",
    "page",
    "pages",
    "step",
    "rule",
    "gpl",
    "license",
    "licence",
    "v",
    "version:",
    "a",
    "an",
    "per",
    "from",
    "through",
    "plus",
    "minus",
    "about",
    "over",
    "approximately",
    "least",
}
_SMALL_WORDS = {
    "a",
    "an",
    "and",
    "or",
    "of",
    "the",
    "to",
    "in",
    "on",
    "for",
    "by",
    "with",
    "as",
    "at",
    "&",
    "-",
    "–",
    "not",
    "no",
    "its",
    "their",
    "your",
    "vs",
    "via",
    "into",
    "from",
    "upon",
    "under",
    "per",
}


def _roman(s: str) -> int | None:
    s = s.lower()
    if not s or not _ROMAN_RE.match(s):
        return None
    total = 0
    for i, ch in enumerate(s):
        v = _ROMAN[ch]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total or None


def _to_roman(n: int) -> str:
    out = []
    for v, s in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


@dataclass
class _Cand:
    pos: int  # where the marker starts
    mend: int  # where the marker ends
    kinds: list[tuple[str, object]]  # possible (kind, value) readings, most likely first
    label: str  # the marker as it should appear in an id
    paren: bool  # "(a)" style: appended to the parent id without a dot
    context: str  # "line" | "punct" | "other"
    indent: int
    bare: bool = False  # "3 Title": a number without a dot heading its own line
    loose: bool = False  # a bare number whose title is not title-cased ("3 Non-Commercial use")


@dataclass
class _Node:
    kind: str
    value: object
    id: str
    start: int
    mend: int
    heading: str = ""
    inferred: bool = False
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    indent: int = 0
    context: str = ""
    bare: bool = False
    prefix: str = ""  # id prefix for items inside an attachment ("Attachment A, ")


def _readings(m: re.Match) -> tuple[list[tuple[str, object]], str, bool] | None:
    g = m.groupdict()
    if g["sec"]:
        n = g["secnum"]
        if "." in n:
            return [(f"dot{n.count('.') + 1}", tuple(int(x) for x in n.split(".")))], n, False
        if n.isdigit():
            return [("sec", int(n))], n, False
        r = _roman(n)
        return ([("sec", r)], n, False) if r else None
    if g["annex"]:
        return [("annex", g["annexlabel"] or "")], "", False
    if g["dotted"]:
        n = g["dotted"]
        parts = tuple(int(x) for x in n.split("."))
        if len(parts) == 2 and parts[1] == 0:
            return [("num0", parts[0])], n, False  # "2.0 What this License covers" heads section 2
        return [(f"dot{len(parts)}", parts)], n, False
    for name, paren in (("pnum", True), ("num", False), ("bare", False)):
        if g[name]:
            return [("num" + ("()" if paren else ""), int(g[name]))], g[name], paren
    for name, paren, upper in (("plow", True, False), ("low", False, False), ("pup", True, True), ("up", False, True)):
        s = g[name]
        if not s:
            continue
        suffix = "()" if paren else ""
        alpha_kind, roman_kind = ("ALPHA" if upper else "alpha") + suffix, ("ROMAN" if upper else "roman") + suffix
        out: list[tuple[str, object]] = []
        r = _roman(s)
        if r:
            out.append((roman_kind, r))
        if len(s) == 1:
            out.append((alpha_kind, ord(s.lower()) - 96))
        return (out, s, paren) if out else None
    return None


def _is_start(kind: str, value: object, top: bool) -> bool:
    if kind.startswith("dot"):
        return value[-1] == 1  # type: ignore[index]
    if kind in ("num", "sec", "num0"):
        return value in (1, 0) if top else value == 1
    return value == 1


def _is_next(kind: str, prev: object, value: object) -> bool:
    if kind.startswith("dot"):
        p, v = prev, value
        return p[:-1] == v[:-1] and v[-1] == p[-1] + 1  # type: ignore[index]
    return value == prev + 1  # type: ignore[operator]


def _line_info(text: str, pos: int) -> tuple[int, str]:
    """Indentation of the line holding `pos`, and the text before `pos` on that line."""
    ls = text.rfind("\n", 0, pos) + 1
    before = text[ls:pos].replace("\f", "")  # a page break (texts converted from PDF) is not indentation
    return len(before) - len(before.lstrip(" \t")), before


def _prev_line_end(text: str, ls: int) -> str | None:
    """The previous line's text if it belongs to the same paragraph (no blank line between), else None."""
    if ls <= 0:
        return None
    pe = ls - 1
    ps = text.rfind("\n", 0, pe) + 1
    prev = text[ps:pe]
    return prev if prev.strip() else None


def _candidates(text: str, lo: int, hi: int) -> list[_Cand]:
    out: list[_Cand] = []
    for m in _CAND_RE.finditer(text, lo, hi):
        p = m.start()
        rd = _readings(m)
        if not rd:
            continue
        kinds, label, paren = rd
        indent, before = _line_info(text, p)
        loose = False
        if m.group("bare"):
            # "1 Definitions": a number without a dot only heads a short title line of its own
            title = text[m.end():text.find("\n", m.end())].split()
            if before.strip(" \t#>*") or len(title) > 8:
                continue
            # "3 Non-Commercial use": kept only where it continues a run of bare-number heads (see _scan)
            loose = not _title_like(title)
            if loose and len(title) > 5:
                continue
        if m.group("glued") and before.strip(" \t#>*"):
            continue  # a glued "5.2.“Data”" counts only at a line start
        if not before.strip(" \t#>*"):  # markdown heading / emphasis marks count as the line start
            context = "line"
            prev = _prev_line_end(text, text.rfind("\n", 0, p) + 1)
            if prev is not None:
                words = prev.rstrip().lower().split()
                listed = len(words) > 1 and words[-1] in ("and", "or") and words[-2][-1:] in ";,"
                if words and words[-1] in _CUT_WORDS and not listed:
                    continue
        else:
            b = before.rstrip()
            context = (
                "punct"
                if b[-1:] in (".", ":", ";") or b.endswith((" and", " or")) and b[:-4].rstrip()[-1:] in (";", ",")
                else "other"
            )
            word = b.split()[-1].lower() if b.split() else ""
            if word in _CUT_WORDS:
                continue
        out.append(_Cand(p, m.end(), kinds, label, paren, context, indent, bool(m.group("bare")), loose))
    return out


def _after(text: str, pos: int, hi: int) -> str:
    return text[pos : min(hi, pos + 200)]


def _heading_after(text: str, pos: int, hi: int) -> str:
    """The heading that follows a marker: a short title line, a title phrase ending in '.', or a CAPS run."""
    return _heading_raw(text, pos, hi).replace("**", "").replace("__", "").strip(" .:")


def _heading_raw(text: str, pos: int, hi: int) -> str:
    rest = _after(text, pos, hi).lstrip(" \t.:-–—)*_")
    line = rest.split("\n", 1)[0].strip()
    if not line:
        # "Attachment A" alone on its line: a short title line may follow
        nxt = rest.lstrip().split("\n", 1)[0].strip()
        if (
            0 < len(nxt) <= 60
            and len(nxt.split()) <= 8
            and nxt[:1].isupper()
            and not nxt.endswith((":", ","))
            and not _MARKER_RE.match(nxt)
        ):
            return nxt.rstrip(". ")
        return ""
    # a quoted defined term: '"Agreement" means ...'
    qm = _QUOTED_TERM.match(line)
    if qm:
        return qm.group(1).strip()
    # what follows the marker's line: a blank line (or the end) means the line stands alone as a title
    after_line = rest[len(rest.split("\n", 1)[0]) :]
    stands_alone = not after_line.strip() or bool(re.match(r"[ \t]*\n[ \t]*\n", after_line)) or bool(
        _MARKER_RE.match(after_line.lstrip())
    )
    phrase = re.split(r"(?<=[.:;])\s", line, maxsplit=1)[0]
    words = phrase.rstrip(".:;").split()
    if not words:
        return ""
    ended = phrase != line or line.endswith((".", ":"))  # the phrase ends with its own punctuation
    next_cap = after_line.lstrip()[:1].isupper()  # "Grant of Rights\nYou are granted ...": title, then body
    if (
        phrase == line
        and (stands_alone or next_cap and _title_like(words) and "," not in line
             and words[-1].lower() not in _CUT_WORDS | _SMALL_WORDS and not (line.isupper() and len(words) > 6))
        and len(words) <= 10
        and words[0][:1].isupper()
        and not line.endswith((";", ",", "; and", "; or"))
        and (len(words) <= 5 or _title_like(words))
    ):
        return phrase.rstrip(".:; ").strip()  # a whole short line after the marker is its title
    short = (
        len(words) <= 6
        and words[0][:1].isupper()
        and phrase[-1:] == "."
        and phrase != line
        and line[len(phrase) :].lstrip()[:1].isupper()
    )
    if ended and len(words) <= 12 and len(phrase) <= 100 and (short or _title_like(words)):
        return phrase.rstrip(".:; ").strip()
    # CAPS run ("PREAMBLE This License ...")
    caps = []
    for w in line.split():
        if w.isupper() and (len(w) > 1 or w in ("&", "A", "I")) or w in ("&", "-", "–", ","):
            caps.append(w)
        else:
            break
    run_ends = len(caps) < len(line.split()) or stands_alone  # "PREAMBLE This ...", not a wrapped CAPS sentence
    if 1 <= len(caps) <= 8 and len(" ".join(caps)) >= 4 and run_ends:
        return " ".join(caps).rstrip(",.:;")
    return ""


def _title_like(words: list[str]) -> bool:
    sig = [w for w in words if w.lower().strip("(),") not in _SMALL_WORDS]
    if not sig:
        return False
    caps = sum(1 for w in sig if w[:1].isupper() or w[:1] in '“"(' and w[1:2].isupper() or w[:1].isdigit())
    return caps / len(sig) >= 0.75 and words[0][:1].isupper()


def _first_word_ok(text: str, mend: int, hi: int) -> bool:
    """After a marker the item starts with a capital, a quote, a bracket or a digit (not a lowercase word)."""
    rest = text[mend : min(hi, mend + 12)].lstrip(" \t")
    return bool(rest) and (rest[0].isupper() or rest[0] in "“\"'‘([" or rest[0].isdigit())


def _scan(text: str, lo: int, hi: int, root: _Node) -> None:
    """Find the outline inside text[lo:hi] and attach it under `root` (a real or a virtual node)."""
    stack: list[_Node] = [root]
    last_seen: dict[str, object] = {}  # last value per kind: numbering that continues across "Section" parts
    last_accept_end = lo
    used: set[str] = set()
    for c in _candidates(text, lo, hi):
        if c.pos < last_accept_end:
            continue
        heading_gap = False
        if c.pos - last_accept_end <= 100 and last_accept_end > lo:  # slices only when short: no O(n^2)
            gap = text[last_accept_end : c.pos]
            gap_words = gap.replace("*", " ").split()
            heading_gap = (
                not re.search(r"[.;:!?]\s", gap)
                and "\n\n" not in gap
                and (not gap_words or _title_like(gap_words) or gap.strip().isupper())
            )
        chosen = None
        deepest = stack[-1]
        own_tail = text[max(deepest.mend, c.pos - 200) : c.pos].rstrip(" \t\n*")
        own = own_tail.strip() if c.pos - deepest.mend <= 200 else None
        nest_ok = deepest is not root and (
            c.context == "line"
            and deepest.context == "line"
            and c.indent > deepest.indent
            or own_tail.endswith(":")
            or own is not None
            and len(own) <= 80
            and "\n\n" not in own
            and not re.search(r"[.;]\s", own)
        )
        for kind, value in c.kinds:
            if kind == "annex":
                chosen = _accept_annex(text, c, hi, value, stack)
                if chosen:
                    break
                continue
            if kind == "sec" and c.context == "other":
                # "Section I: PREAMBLE" may follow a title on the same line
                if not re.match(
                    r"[ \t]*[:.\-–—][ \t]*[A-Z]", text[c.mend - 1 if text[c.mend - 1] in ":." else c.mend : c.mend + 4]
                ):
                    continue
            elif c.context == "other" and not heading_gap:
                # inside running text only a continuation of an open list counts
                if not _first_word_ok(text, c.mend, hi):
                    continue
                if not any(n.kind == kind and _is_next(kind, n.value, value) for n in stack[1:]):
                    continue
            if kind == "sec":
                after = text[c.mend : c.mend + 40]
                if (
                    not re.match(r"[ \t]*(?:$|\n|[:.\-–—][ \t]*|[ \t]+[A-Z\"“(])", after)
                    and not c.kinds[0][0] == "sec"
                    or re.match(
                        r"[ \t]+(?:of|to|and|or|in|above|below|shall|"
                        r"hereof|herein)\b",
                        after,
                    )
                ):
                    continue
            elif c.context != "line" and not heading_gap and not _first_word_ok(text, c.mend, hi):
                continue
            placed = _place(stack, kind, value, last_seen, nest_ok, partial(_closes_inner, text, hi, c))
            if placed is not None and c.loose:
                # a loosely titled bare head only continues bare-number heads ("2 License Grant" -> "3 ...")
                prev = stack[placed + 1] if placed + 1 < len(stack) else None
                if not (prev and prev.bare and prev.kind == kind and _is_next(kind, prev.value, value)):
                    placed = None
            if placed is not None:
                sibling = any(n.kind == kind for n in stack[placed + 1 :])
                if chosen is None or sibling and not chosen[3]:
                    chosen = (kind, value, placed, sibling)  # "(i)" after "(h)" is a letter, not a numeral
        if chosen and chosen != "annex":
            chosen = chosen[:3]
        if (
            not chosen
            and c.context == "line"
            and root.kind == "root"
            and root.children
            and all(_weak(n) for n in root.children)
        ):
            # "(1) assert copyright ..., and (2) offer you ..." in a preamble is not the outline: a real
            # top-level "0." / "1." / "Section 1" that cannot fit replaces it
            for kind, value in c.kinds:
                if (kind in ("num", "sec", "num0", "ROMAN") or kind.startswith("dot")) and _is_start(kind, value, True):
                    root.children = []
                    del stack[1:]
                    last_seen.clear()
                    chosen = (kind, value, 0)
                    break
        if not chosen:
            continue
        if chosen == "annex":
            last_accept_end = c.mend
            last_seen.clear()
            continue
        kind, value, depth = chosen
        parent = stack[depth]
        ident = _make_id(parent, kind, c)
        if ident in used:
            # a number printed twice (bilingual texts repeat each clause) continues the clause already open
            continue
        used.add(ident)
        del stack[depth + 1 :]
        node = _Node(
            kind,
            value,
            ident,
            c.pos,
            c.mend,
            heading=_heading_after(text, c.mend, hi),
            parent=parent,
            indent=c.indent,
            prefix=parent.prefix,
            context=c.context,
            bare=c.bare,
        )
        parent.children.append(node)
        stack.append(node)
        if parent.kind in ("root", "sec", "annex", "inf"):
            last_seen[kind] = value  # top-level numbering that may run on across "Section I/II" parts
        last_accept_end = c.mend


def _closes_inner(text: str, hi: int, c: _Cand, outer: _Node, inner: _Node) -> bool:
    """Whether `c`, which continues both an outer item and an item nested in it ("5." after "4." and "4.4"),
    belongs to the outer list, closing the nested one."""
    if c.context == "line" and inner.context == "line" and outer.context == "line":
        if c.indent <= outer.indent < inner.indent:
            return True  # back at the outer list's margin
        if c.indent > outer.indent:
            return False
    # a titled clause after a list of untitled items, where the outer clauses are titled too
    siblings = inner.parent.children if inner.parent else [inner]
    return bool(outer.heading) and not any(n.heading for n in siblings) and bool(_heading_after(text, c.mend, hi))


def _weak(n: _Node) -> bool:
    return n.kind.endswith("()") or n.kind in ("alpha", "roman", "ALPHA")


def _accept_annex(text: str, c: _Cand, hi: int, label: str, stack: list[_Node]):
    after = text[c.mend : c.mend + 120]
    if c.context == "other":
        return None
    # a heading, not a reference: the line ends, or a separator or a capitalised title follows
    if not re.match(r"[ \t]*(?:\n|$|[:.\-–—][ \t]*(?:\n|$|[A-Z])|[ \t]+[A-Z][A-Za-z]+(?:[ \t]+[A-Z(][\w)]*)*)", after):
        return None
    if re.match(r"[ \t]*[.,;][ \t]*(?:\d|[a-z])", after):
        return None
    root = stack[0]
    word = text[c.pos : c.mend].split()[0].capitalize()
    base = f"{word} {label}".strip()
    ident = base
    n = 2
    existing = {ch.id for ch in root.children}
    while ident in existing:
        ident = f"{base} ({n})"
        n += 1
    node = _Node(
        "annex",
        label,
        ident,
        c.pos,
        c.mend,
        heading=_heading_after(text, c.mend, hi),
        parent=root,
        indent=c.indent,
        prefix=f"{ident}, ",
    )
    root.children.append(node)
    del stack[1:]
    stack.append(node)
    return "annex"


def _place(
    stack: list[_Node],
    kind: str,
    value: object,
    last_seen: dict[str, object],
    nest_ok: bool = False,
    closes_inner: Callable[[_Node, _Node], bool] | None = None,
) -> int | None:
    """Index in `stack` of the parent for a new item (kind, value), or None if it does not fit the outline.

    `nest_ok`: the open item introduces a list ("...the following:", a bare heading, or deeper indentation),
    so a list of an already open kind may start inside it.
    `closes_inner(outer, inner)`: when the item continues two open lists of its kind (a "5." after "4." and its
    sub-item "4.4."), whether it belongs to the outer one; the innermost is taken otherwise.
    """
    same = False
    for i in range(len(stack) - 1, 0, -1):
        n = stack[i]
        if n.kind == kind:
            if _is_next(kind, n.value, value):
                if closes_inner is not None and not kind.startswith("dot"):
                    for j in range(i - 1, 0, -1):
                        o = stack[j]
                        if o.kind == kind and _is_next(kind, o.value, value) and closes_inner(o, n):
                            return j - 1
                return i - 1
            if kind.startswith("dot") and value[-1] == 1:  # type: ignore[index]
                break  # "2.1" after "1.3": look for its parent "2" below
            same = True
    if same:
        return len(stack) - 1 if nest_ok and _is_start(kind, value, False) else None
    if kind.startswith("dot"):
        pre = value[:-1]  # type: ignore[index]
        for i in range(len(stack) - 1, 0, -1):
            n = stack[i]
            nv = n.value if isinstance(n.value, tuple) else (n.value,)
            if n.kind in ("num", "sec", "num0") or n.kind.startswith("dot"):
                if tuple(nv) == tuple(pre):
                    return i
        if value[-1] != 1:  # type: ignore[index]
            return None
        # "1.1" with no printed "1": a sibling list of its own, under the innermost non-dotted level
        for i in range(len(stack) - 1, 0, -1):
            if stack[i].kind.startswith("dot") and len(stack[i].value) == len(value):  # type: ignore[arg-type]
                return i - 1
        return len(stack) - 1
    top = len(stack) == 1
    if _is_start(kind, value, top):
        return len(stack) - 1
    # numbering that runs on across "Section I/II" parts (RAIL licenses)
    # (a few numbers may be hidden in flattened sub-lists, hence a small gap is allowed)
    if kind == "num" and stack[-1].kind == "sec" and kind in last_seen and 1 <= value - last_seen[kind] <= 3:
        return len(stack) - 1
    if kind == "num" and len(stack) >= 2 and stack[1].kind == "sec" and kind in last_seen \
            and 1 <= value - last_seen[kind] <= 3:
        return 1
    return None


def _make_id(parent: _Node, kind: str, c: _Cand) -> str:
    if kind.startswith("dot"):
        return parent.prefix + c.label
    if kind == "sec":
        return parent.prefix + c.label
    label = f"({c.label})" if c.paren else c.label
    if parent.kind in ("root", "annex"):
        return parent.prefix + label
    if (
        parent.kind == "sec"
        and kind == "num"
        and not str(parent.value).isdigit()
        or parent.kind == "sec"
        and kind == "num"
        and re.fullmatch(r"[IVXLC]+", parent.id.split(", ")[-1])
    ):
        return parent.prefix + label  # clauses numbered through the whole text under "Section I" parts
    return parent.id + (label if c.paren else "." + label)


# ---------------------------------------------------------------------------------------------------------------
# Layout inference for texts whose numbers were dropped


_XREF_TOP_ROMAN = re.compile(r"\bSections?\s+(?:[IVX]+)\b(?:\([a-z]\))?")
_XREF_NUM = re.compile(r"\bSections?\s+(\d{1,2})(?:\.(\d{1,2}))?\b")
_XREF_PAREN = re.compile(r"\b(\d{1,2})\(([a-z])\)")


def _lines(text: str) -> list[tuple[int, int, int]]:
    """Non-blank lines as (start of content, end of content, indentation)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        s = line.lstrip(" \t")
        if s.strip():
            ind = len(line) - len(s)
            out.append((pos + ind, pos + len(line.rstrip()), ind))
        pos += len(line) + 1
    return out


def _heading_unit(text: str, s: int, e: int) -> str:
    """The heading a layout unit starts with ("Definitions.", "LIMITATION OF LIABILITY."), or ""."""
    line = text[s:e]
    if re.match(rf"(?:{_ANNEX_WORDS}|{_ANNEX_WORDS.upper()}|END OF)\b", line):
        return ""
    if len(line) <= 70 and not line.endswith((",", ";")):
        words = line.rstrip(".:").split()
        if words and len(words) <= 10 and (_title_like(words) or line.isupper()) and not re.search(r"\d{4}", line):
            return line.rstrip(".: ")
    m = re.match(r"([^.:;]{2,80})\.\s", line)
    if m:
        words = m.group(1).split()
        if len(words) <= 10 and (_title_like(words) or m.group(1).isupper()):
            return m.group(1).strip()
    return ""


def _infer(text: str) -> list[_Node] | None:
    """Top-level (and second-level) sections from layout, numbered as the text's cross-references imply."""
    roman_top = bool(_XREF_TOP_ROMAN.search(text))
    refs_num = _XREF_NUM.findall(text)
    refs_paren = _XREF_PAREN.findall(text)
    if not (roman_top or refs_num or refs_paren):
        return None
    lines = _lines(text)
    if len(lines) < 6:
        return None
    # top-level units: heading units at one indentation, starting at the first one that is followed by a
    # line indented differently (its body or its items)
    by_indent: dict[int, list[int]] = {}
    for i, (s, e, ind) in enumerate(lines):
        if i + 1 < len(lines) and lines[i + 1][2] != ind and _heading_unit(text, s, e):
            by_indent.setdefault(ind, []).append(i)
    if not by_indent:
        return None
    top_indent = max(by_indent, key=lambda k: (len(by_indent[k]), -k))
    first = by_indent[top_indent][0]
    tops = []
    region_end = len(lines)
    for i in range(first, len(lines)):
        s, e, ind = lines[i]
        if re.match(rf"(?:{_ANNEX_WORDS}|{_ANNEX_WORDS.upper()}|END OF)\b", text[s:e]):
            region_end = i
            break
        if ind == top_indent and _heading_unit(text, s, e):
            tops.append(i)
        elif ind < top_indent and i > first and lines[first + 1][2] > top_indent:
            region_end = i
            break  # back to the margin after an indented list: trailing text
    if len(tops) < 3:
        return None
    max_ref = max([int(a) for a, _ in refs_num] + [int(a) for a, _ in refs_paren] + [0])
    if max_ref > len(tops):
        return None
    child_paren = bool(refs_paren)
    nodes: list[_Node] = []
    for k, i in enumerate(tops):
        s, e, _ = lines[i]
        label = _to_roman(k + 1).upper() if roman_top else str(k + 1)
        node = _Node("inf", k + 1, label, s, s, heading=_heading_unit(text, s, e), inferred=True, indent=top_indent)
        nodes.append(node)
        stop = tops[k + 1] if k + 1 < len(tops) else region_end
        kids = [j for j in range(i + 1, stop) if lines[j][2] > top_indent]
        if not kids:
            continue
        kid_indent = min(lines[j][2] for j in kids)
        n = 0
        quoting = False
        prev_end = ""
        for j in kids:
            if lines[j][2] != kid_indent:
                continue
            unit = text[lines[j][0] : lines[j][1]]
            # a quoted notice after "...:" continues the item that introduces it
            cont = quoting or prev_end == ":" and unit[:1] in "“\"'‘"
            quoting = (quoting or cont) and not unit.rstrip(".").endswith(("”", '"', "’"))
            prev_end = unit[-1:]
            if cont:
                continue
            n += 1
            cid = f"{label}({chr(96 + n)})" if child_paren and n <= 26 else f"{label}.{n}"
            ks = lines[j][0]
            node.children.append(
                _Node(
                    "infkid",
                    n,
                    cid,
                    ks,
                    ks,
                    heading=_heading_unit(text, ks, lines[j][1]),
                    inferred=True,
                    parent=node,
                    indent=kid_indent,
                )
            )
    return nodes


# ---------------------------------------------------------------------------------------------------------------
# Assembly


_PARA_RE = re.compile(r"\n[ \t]*\n")


def _paragraphs(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Blank-line separated paragraphs of text[lo:hi], trimmed; a lone short heading line joins the next one."""
    spans = []
    pos = lo
    for m in _PARA_RE.finditer(text, lo, hi):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, hi))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        s, e = _trim(text, s, e)
        if s < e:
            out.append((s, e))
    merged: list[tuple[int, int]] = []
    carry: int | None = None
    for s, e in out:
        if carry is not None:
            s = carry
            carry = None
        seg = text[s:e]
        ends_sentence = seg.rstrip().endswith((".", ";", ",", "!", "?"))
        if "\n" not in seg and len(seg) <= 60 and not ends_sentence and (s, e) != out[-1]:
            carry = s
            continue
        merged.append((s, e))
    if carry is not None:
        merged.append((carry, out[-1][1]))
    return merged


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


_QUOTED_TERM = re.compile(r'^[“"]([^”"]{1,60})[”"]\s*(?:\(or [^)]*\)\s*)?(?:or [“"][^”"]*[”"]\s*)?(?:shall )?means?\b')


def _first_line_heading(text: str, s: int, e: int) -> str:
    para = text[s:e]
    line = para.split("\n", 1)[0].strip().lstrip("#").replace("**", "").strip()
    words = line.rstrip(":").split()
    alone = re.match(r"[^\n]*\n[ \t]*\n", para)
    if words and words[0][:1].isupper() and len(line) <= 60 and alone and not line.endswith((".", ",", ";", "!", "?")):
        return line.rstrip(":")  # a title line standing alone above its paragraph
    qm = _QUOTED_TERM.match(para.replace("**", ""))
    if qm:
        return qm.group(1).strip()
    if "\n" in text[s:e] and len(line) <= 60 and not line.endswith((".", ",", ";")) and words and _title_like(words):
        return line.rstrip(":")
    if len(line) <= 60 and line.isupper():
        return line
    # "Minimum age. You must be at least 13 ..." : a short lead-in phrase titles the paragraph
    m = re.match(r"([A-Z][^.:;\d]{1,50})\.[ \t]+[A-Z“\"]", line)
    if m and len(m.group(1).split()) <= 6:
        return m.group(1).strip()
    return ""


def parse_sections(text: str) -> list[Section]:
    """Sections of `text` in document order, ids unique within the text."""
    if not text.strip():
        return []
    root = _Node("root", 0, "", 0, 0)
    _scan(text, 0, len(text), root)
    structured = sum(1 for n in root.children if n.kind != "annex") >= 2 or any(n.children for n in root.children)
    # an outline of only letters at the top (inline "a. ... b. ...") may sit inside sections whose numbers were
    # dropped: the layout decides then
    strong = any(n.kind in ("num", "num()", "sec", "ROMAN") or n.kind.startswith("dot") for n in root.children)
    if not strong:
        inferred = _infer(text)
        if inferred:
            root.children = _with_annexes(root.children, inferred)
            for n in inferred:
                n.parent = root
            _scan_inside(text, root.children, len(text))
            structured = True
        elif not structured:
            root.children = [n for n in root.children if n.kind == "annex"]
    # layout: ends, then paragraphs before the first section / everywhere when there is no outline
    flat: list[Section] = []
    first = root.children[0].start if root.children else len(text)
    pre = _paragraphs(text, 0, first)
    pcount = 0
    for s, e in pre:
        pcount += 1
        flat.append(Section(f"¶{pcount}", _first_line_heading(text, s, e), s, e, e, 0, None))
    _unique(root.children, set())
    _emit(text, root.children, len(text), None, 0, flat)
    _split_trailing(text, flat, pcount)
    return flat


def _with_annexes(found: list[_Node], inferred: list[_Node]) -> list[_Node]:
    annexes = [n for n in found if n.kind == "annex" and n.start > inferred[-1].start]
    return inferred + annexes


def _scan_inside(text: str, nodes: list[_Node], limit: int) -> None:
    """Find printed sub-items (often inline "a. ... b. ...") inside inferred sections' own text."""
    for i, n in enumerate(nodes):
        if n.kind == "annex":
            continue
        end = nodes[i + 1].start if i + 1 < len(nodes) else limit
        if n.children:
            _scan_inside(text, n.children, end)
        else:
            _scan(text, n.start, end, n)
        for ch in n.children:
            ch.parent = n


def _emit(text: str, nodes: list[_Node], limit: int, parent: str | None, level: int, out: list[Section]) -> None:
    for i, n in enumerate(nodes):
        nxt = nodes[i + 1].start if i + 1 < len(nodes) else limit
        s, e = _trim(text, n.start, nxt)
        if n.children:
            _, body_end = _trim(text, s, n.children[0].start)
        else:
            body_end = e
        out.append(Section(n.id, n.heading, s, e, body_end, level, parent, n.inferred))
        if n.children:
            _emit(text, n.children, nxt, n.id, level + 1, out)


def _split_trailing(text: str, flat: list[Section], pcount: int) -> None:
    """ALL-CAPS paragraphs after the last top-level leaf (a BSD disclaimer after its list) stand on their own."""
    if not flat:
        return
    last = flat[-1]
    paras = _paragraphs(text, last.start, last.end)
    if len(paras) < 2:
        return
    k = len(paras)
    while k > 1 and _is_caps(text[paras[k - 1][0] : paras[k - 1][1]]):
        k -= 1
    if k == len(paras) or _is_caps(text[paras[0][0] : paras[0][1]]) or last.id.startswith("¶"):
        return
    new_end = paras[k - 1][1]
    flat[-1] = Section(
        last.id, last.heading, last.start, new_end, min(last.body_end, new_end), last.level, last.parent, last.inferred
    )
    # the ancestors of the last section end there too
    for idx in range(len(flat) - 2, -1, -1):
        s = flat[idx]
        if s.end == last.end:
            flat[idx] = Section(
                s.id, s.heading, s.start, new_end, min(s.body_end, new_end), s.level, s.parent, s.inferred
            )
    for s, e in paras[k:]:
        pcount += 1
        flat.append(Section(f"¶{pcount}", _first_line_heading(text, s, e), s, e, e, 0, None))


def _is_caps(seg: str) -> bool:
    letters = [c for c in seg if c.isalpha()]
    return len(letters) >= 10 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _unique(nodes: list[_Node], seen: set[str]) -> None:
    """Make ids unique in document order: a repeated id (a list that restarts) gets " (2)", " (3)" ..."""
    for n in nodes:
        if n.id in seen:
            k = 2
            while f"{n.id} ({k})" in seen:
                k += 1
            n.id = f"{n.id} ({k})"
        seen.add(n.id)
        _unique(n.children, seen)


# ---------------------------------------------------------------------------------------------------------------
# Lookup


def _norm_id(section_id: str) -> str:
    s = section_id.strip().lower()
    s = re.sub(r"^(?:§+|sections?\b\.?|sec\.|articles?\b\.?|art\.|clauses?\b|paragraph\b|para\.)\s*", "", s)
    s = s.replace("(", ".").replace(")", "").replace(",", ".")
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"\.+", ".", s).strip(".")
    return s


def find_section(sections: list[Section], section_id: str) -> Section | None:
    """The section with this id, matching loosely ("1(b)(i)", "1.b.i", "Section 1.b.i" are the same)."""
    for s in sections:
        if s.id == section_id:
            return s
    want = _norm_id(section_id)
    if not want:
        return None
    for s in sections:
        if _norm_id(s.id) == want:
            return s
    return None


def section_path(sections: list[Section], section_id: str) -> list[Section]:
    """The section and its ancestors, outermost first ([] when the id is unknown)."""
    by_id = {s.id: s for s in sections}
    sec = find_section(sections, section_id)
    path: list[Section] = []
    while sec is not None:
        path.append(sec)
        sec = by_id.get(sec.parent) if sec.parent else None
    return path[::-1]
