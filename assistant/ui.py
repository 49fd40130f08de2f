"""The browser chat (Gradio Blocks): verdicts with their deciding clauses, a scope picker, Compare, Identify,
Sources.

The page is served at once; the Assistant loads in a background thread and answers as soon as keyword (BM25)
search is there (seconds, even with no index yet); dense search joins when the embedding model has loaded and the
index is built, and the page's status line follows it. Everything that comes from a user or from a license text
is HTML-escaped before it is shown.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings, default_home

# Gradio fixes its temp dir, matplotlib (which Gradio imports) and torch their cache dirs, when imported: all go
# under the cache directory, so the app writes nowhere else (not in $HOME, not in the system's temp dir).
os.environ.setdefault("GRADIO_TEMP_DIR", str(default_home() / "gradio"))
os.environ.setdefault("MPLCONFIGDIR", str(default_home() / "matplotlib"))
os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(default_home() / "torchinductor"))  # torch makes it on import

import gradio as gr  # noqa: E402

from assistant.answer import NOT_LEGAL_ADVICE, VERDICT_LABELS, Answer, Citation  # noqa: E402
from assistant.render import FACET_LABELS, checklist_lines  # noqa: E402

MAX_INPUT_CHARS = 2000
MAX_UPLOAD_BYTES = 200_000
EXPORT_MAX_AGE_S = 24 * 3600  # exported answers and Gradio's copies of files are deleted after a day
MAX_COMPARE = 4
#: The scope value of "the text pasted in the Identify tab": answers quote that copy.
PASTED_SCOPE = "pasted:"
_PASTED_KEPT = 8  # parsed pasted texts kept per process (a text is parsed once, however many questions follow)

EXAMPLES = [
    "Can we use Llama 3.1 commercially with 900M monthly users?",
    "Can I use Gemma outputs to train another model?",
    "Can I fine-tune Qwen2.5 and sell access to it?",
    "Is Mistral 7B open source under the OSI definition?",
    "What attribution does Apache-2.0 require?",
]

#: The question asked for one cell of the Compare table (scoped to that column's licenses).
FACET_QUESTIONS = {
    "commercial_use": "Can I use this model commercially?",
    "user_threshold": "Is there a monthly active user limit?",
    "revenue_threshold": "Is there an annual revenue limit?",
    "output_use": "Can I use the outputs to train another model?",
    "derivatives": "Can I fine-tune it and distribute the derivative model?",
    "redistribution": "Can I redistribute the weights?",
    "attribution": "What attribution or notice is required when I distribute it?",
    "naming": "Must a derivative model's name include the original name?",
    "acceptable_use": "Is use restricted by an acceptable use policy?",
    "field_of_use": "Is use limited to research or non-commercial purposes?",
    "territory": "Is use restricted in some territories or regions?",
    "termination": "When do my rights under the license terminate?",
    "patent": "Does the license grant a patent license?",
    "warranty": "Does it come with any warranty?",
}
DEFAULT_FACETS = ["commercial_use", "user_threshold", "derivatives"]

VERDICT_COLORS = {
    "yes": "#15803d",
    "no": "#b91c1c",
    "conditional": "#b45309",
    "not_addressed": "#4b5563",
}

CSS = """
.verdict-badge { display:inline-block; padding:2px 12px; border-radius:999px; color:#fff; font-weight:700;
  letter-spacing:.02em; }
details.clause { border:1px solid var(--border-color-primary); border-radius:8px; padding:4px 10px;
  margin:6px 0; }
details.clause > summary { cursor:pointer; font-weight:600; }
details.clause blockquote { white-space:pre-wrap; margin:8px 0; padding-left:10px;
  border-left:3px solid var(--border-color-accent); }
.clause-meta { font-size:.85em; opacity:.85; display:flex; gap:12px; align-items:center; flex-wrap:wrap; }
button.copy-quote { border:1px solid var(--border-color-primary); border-radius:6px; padding:0 8px;
  cursor:pointer; font-size:.85rem; font-weight:400; line-height:1.6; }
.answer-foot { font-size:.85em; opacity:.8; }
table.compare { border-collapse:collapse; width:100%; }
#compare-table { table-layout:fixed; }
#compare-table tr > :first-child { width:14%; }
table.compare th, table.compare td { border:1px solid var(--border-color-primary); padding:6px;
  vertical-align:top; }
table.compare details blockquote { font-size:.9em; margin:6px 0; padding-left:8px;
  border-left:3px solid var(--border-color-accent); }
#status { font-size:.95em; }
#chatbot .message-wrap .prose.chatbot.md { opacity:1; }
"""

#: Copy buttons inside answers: one delegated listener, since the chat's HTML cannot carry inline handlers.
HEAD = """
<script>
document.addEventListener('click', function (ev) {
  var btn = ev.target.closest && ev.target.closest('button.copy-quote');
  if (!btn) return;
  var box = btn.closest('details');
  var q = box && box.querySelector('blockquote');
  if (!q) return;
  var text = q.innerText;
  function done() {
    btn.textContent = 'Copied';
    setTimeout(function () { btn.textContent = 'Copy quote'; }, 1500);
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () {});
  } else {
    var t = document.createElement('textarea'); t.value = text; document.body.appendChild(t); t.select();
    try { document.execCommand('copy'); done(); } finally { document.body.removeChild(t); }
  }
});
</script>
"""


# ------------------------------------------------------------------------------------------------ rendering
def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def verdict_badge(verdict: str | None) -> str:
    if verdict not in VERDICT_LABELS:
        return ""
    color = VERDICT_COLORS[verdict]
    return (
        f'<span class="verdict-badge verdict-{verdict}" style="background:{color};color:#fff">'
        f"{esc(VERDICT_LABELS[verdict])}</span>"
    )


def _section_label(c: Citation) -> str:
    if c.kind == "definition":
        return c.section_id
    sec = c.section_id if c.section_id.startswith("¶") else f"§{c.section_id}"
    return sec + (" (numbering inferred)" if c.inferred_section else "")


def source_link(url: str) -> str:
    if not url:
        return ""
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">source</a>'


def citation_html(c: Citation, open_: bool = False) -> str:
    """One cited clause as a collapsible block, on one line so the chat's Markdown keeps it one HTML block."""
    heading = f" — {esc(c.heading)}" if c.heading else ""
    if c.kind == "definition":
        said = "summary" in c.license_name.lower()  # the card's name may already say so
        kind = "" if said else " <em>(the project's summary, not the definition's text)</em>"
        where = ""
    else:
        kind = ""
        where = f"<span>chars {c.start}–{c.end}</span>"
    quote = esc(c.quote.strip()).replace("\r\n", "\n").replace("\n", "<br>")
    link = source_link(c.source_url)
    return (
        f'<details class="clause clause-{esc(c.kind)}"{" open" if open_ else ""}>'
        f"<summary>{esc(c.license_name)}, {esc(_section_label(c))}{heading}{kind}</summary>"
        f'<blockquote class="quote">{quote}</blockquote>'
        f'<div class="clause-meta">{link}{where}'
        f'<button class="copy-quote" type="button">Copy quote</button></div></details>'
    )


def table_html(rows: Sequence[dict]) -> str:
    if not rows:
        return ""
    cols = [k for k in rows[0] if k not in ("facet", "cells")]
    head = "".join(f"<th>{esc(c)}</th>" for c in cols)
    body = "".join(
        f"<tr><td>{esc(FACET_LABELS.get(r.get('facet', ''), r.get('facet', '')))}</td>"
        + "".join(f"<td>{esc(r.get(c, ''))}</td>" for c in cols)
        + "</tr>"
        for r in rows
    )
    return f'<table class="compare"><tr><th>Facet</th>{head}</tr>{body}</table>'


def answer_parts(a: Answer) -> list[str]:
    """The answer in the order it is streamed: verdict, explanation, clauses, notes and footer."""
    parts = []
    if a.verdict:
        parts.append(f"**Verdict:** {verdict_badge(a.verdict)}")
    if a.checklist:
        lines = "\n".join(html.escape(line, quote=False) for line in checklist_lines(a))
        parts.append("**What you must do**\n\n" + lines)
    # The text is the composer's Markdown, but it can echo the user's words: escape HTML, keep Markdown.
    text = html.escape(a.text.strip(), quote=False)
    if text:
        parts.append(text)
    if a.table:
        parts.append(table_html(a.table))
    license_cites = [c for c in a.citations if c.kind != "definition"]
    definition_cites = [c for c in a.citations if c.kind == "definition"]
    if license_cites:
        blocks = "".join(citation_html(c, open_=(i == 0)) for i, c in enumerate(license_cites))
        parts.append("**Deciding clauses**\n\n" + blocks)
    if definition_cites:
        blocks = "".join(citation_html(c) for c in definition_cites)
        parts.append("**Definition criteria** (the project's summaries of the definitions)\n\n" + blocks)
    if a.notes:
        parts.append("**Notes**\n\n" + "\n".join(f"- {html.escape(n, quote=False)}" for n in a.notes))
    as_of = f"As of: {a.as_of}." if a.as_of else ""
    foot = " ".join(p for p in (as_of, a.disclaimer or NOT_LEGAL_ADVICE) if p)
    parts.append(f'<div class="answer-foot">{esc(foot)}</div>')
    return parts


def message_text(msg: dict) -> str:
    """The text of a chat message, whether its content is a string or a list of parts (normalised form)."""
    content = msg.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and "text" in p)
    return ""


def plain_history(chat: Sequence[dict] | None) -> list[dict]:
    return [{"role": m.get("role", "assistant"), "content": message_text(m)} for m in (chat or [])]


def user_turns(chat: Sequence[dict]) -> list[str]:
    """Earlier questions, as typed (the chat shows them HTML-escaped)."""
    return [html.unescape(m["content"]) for m in chat if m.get("role") == "user" and m.get("content")]


# ------------------------------------------------------------------------------------------------ backend
@dataclass
class Scope:
    label: str
    licenses: list[str]
    model: str | None = None
    text: str | None = None  # a pasted license text the answers are about and quote from


class Backend:
    """Loads the Assistant in a background thread, reports its status, and answers once it is ready."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.assistant = None
        self.error: str | None = None
        self.state = "starting"
        self.message = "Starting…"
        self.started = time.time()
        self.ready_at: float | None = None  # dense search joined
        self.answering_at: float | None = None  # questions answered (keyword search until dense joins)
        self.manifest = None
        self.dense = None
        self._identify_ready = False
        self._supplied: dict[str, Any] = {}  # sha256 of a pasted text -> its SuppliedText
        self._supplied_lock = threading.Lock()

    # -- loading
    def start(self) -> None:
        threading.Thread(target=self._load, name="assistant-loader", daemon=True).start()

    def _index_present(self) -> bool:
        try:
            from assistant.index import fingerprint, index_root

            return (index_root(self.settings) / fingerprint(self.settings)[:16] / "manifest.json").is_file()
        except Exception:
            return False

    def _load(self) -> None:
        try:
            if self._index_present():
                self.state, self.message = "loading", "Loading the clause index…"
            else:
                self.state = "building"
                self.message = "Reading the license clauses… (first start only: the dense index is built next)"
            from assistant.assistant import Assistant

            # Returns once keyword (BM25) search is there; dense search joins in the background.
            assistant = Assistant(settings=self.settings, progress=True)
            self.assistant = assistant
            self.answering_at = time.time()
            self.state = "answering"
            print(f"Answering after {self.answering_at - self.started:.1f} s (keyword search; dense search loading)",
                  file=sys.stderr, flush=True)
            self._refresh()
        except Exception as exc:  # shown in the page; the terminal keeps the details
            self.error = f"{type(exc).__name__}: {exc}"
            self.state = "failed"
            self.message = f"The assistant could not start: {exc}"
            import traceback

            traceback.print_exc()

    def _refresh(self) -> None:
        """Follow dense search joining in the background: "answering" until it has, then "ready"."""
        searcher = getattr(self.assistant, "searcher", None)
        dense = getattr(searcher, "dense_status", None)
        if self.state != "answering" or dense is None:
            return
        index = searcher.index
        if dense.ready:
            self.manifest = index.manifest
            self.ready_at = time.time()
            m = self.manifest
            self.message = f"Ready: {m.n_chunks:,} clauses from {m.n_documents:,} documents."
            self.state = "ready"
            took = self.ready_at - self.started
            print(f"Assistant ready in {took:.1f} s ({self.message})", file=sys.stderr, flush=True)
        elif dense.state == "failed":
            self.state = "degraded"
            self.message = (
                f"Answering with keyword search only: {dense.describe()}. Verdicts and cited sections are "
                "unaffected; see the terminal."
            )
        else:
            self.message = f"Answering (keyword search for now); {dense.describe()}…"
        self.dense = dense

    @property
    def ready(self) -> bool:
        """Whether questions are answered (with dense search or, while it loads, with keyword search)."""
        return self.state in ("ready", "answering", "degraded")

    @property
    def loading(self) -> bool:
        """Whether the status still changes (the page keeps polling it)."""
        self._refresh()
        return self.state not in ("ready", "failed", "degraded")

    def status(self) -> dict:
        self._refresh()
        dense = getattr(self, "dense", None)
        return {
            "state": self.state,
            "message": self.message,
            "ready": self.ready,
            "dense": self.state == "ready",
            "dense_done": dense.done if dense else 0,
            "dense_total": dense.total if dense else 0,
        }

    def status_markdown(self) -> str:
        self._refresh()
        color = {"ready": "#15803d", "failed": "#b91c1c"}.get(self.state, "#b45309")
        text = f'<span style="color:{color}">●</span> {esc(self.message)}'
        dense = getattr(self, "dense", None)
        if self.state == "answering" and dense is not None and dense.state == "building" and dense.total:
            text += f' <progress id="dense-progress" max="{dense.total}" value="{dense.done}"></progress>'
        return text

    def not_ready_message(self) -> str:
        if self.state == "failed":
            return f"Sorry, the assistant could not start ({esc(self.message)}); see the terminal."
        return f"The assistant is still loading ({esc(self.message)}). Please ask again in a few seconds."

    # -- catalog
    def catalog(self):
        from assistant.catalog import load_catalog

        return load_catalog(self.settings.corpus_dir)

    def scope_choices(self) -> list[tuple[str, str]]:
        cat = self.catalog()
        models = sorted(_entries(cat.models), key=lambda m: m.name.lower())
        licenses = sorted(_entries(cat.licenses), key=lambda e: e.name.lower())
        return [(f"Model: {m.name}", f"model:{m.name}") for m in models] + [
            (f"License: {e.name}", f"license:{e.key}") for e in licenses
        ]

    def scope(self, value: str | None, pasted: str | None = None) -> Scope | None:
        if value == PASTED_SCOPE:
            return self.pasted_scope(pasted) if pasted else None
        if not value or ":" not in value:
            return None
        kind, name = value.split(":", 1)
        cat = self.catalog()
        if kind == "model":
            m = cat.model(name)
            if m is None:
                return None
            return Scope(m.name, list(cat.model_licenses(m.name)), model=m.name)
        entry = cat.license(name)
        return Scope(entry.name if entry else _license_name(name), [name])

    def pasted_scope(self, text: str) -> Scope:
        s = self.supplied(text)
        ident = s.identity
        what = f"{ident.name} ({ident.key})" if ident.kind == "licensedb" else (
            ident.name if ident.kind == "external" else "not recognised")
        return Scope(f"Your pasted text: {what}", [ident.key] if ident.kind == "licensedb" else [], text=text)

    def supplied(self, text: str, identification: Any = None):
        """The pasted text parsed, indexed and identified, once per text."""
        import hashlib

        from assistant.user_text import load_supplied

        key = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
        with self._supplied_lock:  # the page serves several people at once
            if key not in self._supplied:
                self.warm_identify()
                while len(self._supplied) >= _PASTED_KEPT:
                    self._supplied.pop(next(iter(self._supplied)))
                self._supplied[key] = load_supplied(text, catalog=self.catalog(), identification=identification)
            return self._supplied[key]

    # -- answering
    def ask(self, question: str, history: Sequence[str] = (), scope: Scope | None = None) -> Answer:
        hist = list(history)
        if scope and scope.text is not None:
            return self.assistant.ask(question, history=hist or None, license_text=self.supplied(scope.text))
        if scope and scope.model:
            hist.insert(0, f"About {scope.model}.")  # so "this model" resolves to the picked one
        licenses = scope.licenses if scope and scope.licenses else None
        return self.assistant.ask(question, history=hist or None, licenses=licenses)

    # -- identify
    def identify_ready(self) -> bool:
        return self._identify_ready

    def identify_cached(self) -> bool:
        try:
            from assistant.identify import index_is_cached

            return index_is_cached(self.settings)
        except Exception:
            return False

    def warm_identify(self) -> None:
        from assistant.identify import warm_up

        warm_up(lambda msg: print(msg, file=sys.stderr, flush=True), settings=self.settings)
        self._identify_ready = True


def _entries(collection: Any) -> list:
    """Catalog collections as a list, whether the catalog keeps them as a list or a key -> entry mapping."""
    return list(collection.values()) if isinstance(collection, dict) else list(collection or [])


def _license_name(key: str) -> str:
    """The catalog's name for a license, else the LicenseDB's, else the key."""
    try:
        from assistant.compose import license_label

        return license_label(key)
    except Exception:
        return key


# ------------------------------------------------------------------------------------------------ handlers
FRIENDLY_ERROR = "Sorry, something went wrong while answering. Please rephrase the question or try again."


def _log_exception(where: str) -> None:
    import traceback

    print(f"[{where}] unexpected error:", file=sys.stderr)
    traceback.print_exc()


def operational_message(exc: BaseException) -> str | None:
    """For a vector store that went away or an index that cannot be opened, the message that says which server
    or directory and what to do (escaped); None for anything else, which stays a generic apology."""
    from assistant.index import IndexBuildError
    from assistant.store import StoreError

    if isinstance(exc, (StoreError, IndexBuildError)):
        return f"Sorry, the clause index is not available right now: {esc(exc)}"
    return None


def export_markdown(answer_md: str) -> str:
    from gradio.utils import get_upload_folder

    # in Gradio's own temp dir (under the cache directory, see launch()), not in the system's temp dir
    upload_dir = Path(get_upload_folder())
    upload_dir.mkdir(parents=True, exist_ok=True)
    for old in upload_dir.glob("license-answer-*"):  # one folder per answer: keep a day's worth, not all
        try:
            if time.time() - old.stat().st_mtime > EXPORT_MAX_AGE_S:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    folder = Path(tempfile.mkdtemp(prefix="license-answer-", dir=upload_dir))
    path = folder / "license-answer.md"
    path.write_text(answer_md, encoding="utf-8")
    return str(path)


def make_respond(backend: Backend):
    def respond(message: str, chat: list | None, scope_value: str | None, pasted: str | None = None) -> Iterator[tuple]:
        chat = plain_history(chat)
        message = message if isinstance(message, str) else ""
        # lone surrogates (undecodable input) cannot be written as UTF-8 (export, page): replace them
        message = message.encode("utf-8", "replace").decode("utf-8")
        no_export = gr.update()
        if not message.strip():
            yield chat, "", no_export
            return
        previous = user_turns(chat)
        shown = message
        if len(message) > MAX_INPUT_CHARS:  # echo the start only: the message is not answered
            shown = message[:300] + f"… ({len(message):,} characters)"
        chat.append({"role": "user", "content": esc(shown)})

        def reply(text: str) -> tuple:
            return chat + [{"role": "assistant", "content": text}], "", no_export

        if len(message) > MAX_INPUT_CHARS:
            yield reply(
                f"Your message is {len(message):,} characters long; the limit is {MAX_INPUT_CHARS:,}. "
                "Ask a shorter question, or paste a whole license text in the **Identify** tab."
            )
            return
        if not backend.ready:
            yield reply(backend.not_ready_message())
            return
        if scope_value == PASTED_SCOPE and not pasted:
            yield reply("The pasted text is no longer here (the page was reloaded?): paste it again in the "
                        "**Identify** tab, or pick another scope.")
            return
        yield reply("_Reading the license clauses…_")
        try:
            scope = backend.scope(scope_value, pasted)
            answer = backend.ask(message, previous, scope)
            parts = answer_parts(answer)
            if scope and scope.text is not None:
                parts.insert(1 if answer.verdict else 0, f"*Scope: **{esc(scope.label)}**; the clauses are quoted "
                             "from your pasted copy*")
            elif scope:
                names = ", ".join(_license_name(k) for k in scope.licenses) or "no LicenseDB text"
                parts.insert(1 if answer.verdict else 0, f"*Scope: **{esc(scope.label)}** ({esc(names)})*")
            path = export_markdown(f"**Question:** {message}\n\n{answer.to_markdown()}\n")
        except Exception as exc:
            _log_exception("chat")
            yield reply(operational_message(exc) or FRIENDLY_ERROR)
            return
        for i in range(1, len(parts)):
            yield reply("\n\n".join(parts[:i]))
        final = reply("\n\n".join(parts))
        yield final[0], "", gr.update(value=path, interactive=True)

    return respond


def make_compare(backend: Backend):
    def compare(subjects: list[str] | None, facets: list[str] | None) -> Iterator[str]:
        subjects = list(subjects or [])
        facets = [f for f in (facets or []) if f in FACET_QUESTIONS] or DEFAULT_FACETS
        if not 2 <= len(subjects) <= MAX_COMPARE:
            yield f"<p>Pick 2 to {MAX_COMPARE} licenses or models to compare.</p>"
            return
        if not backend.ready:
            yield f"<p>{backend.not_ready_message()}</p>"
            return
        scopes = [backend.scope(s) for s in subjects]
        if any(s is None for s in scopes):
            yield "<p>One of the picked items is not in the catalog.</p>"
            return
        cells: dict[tuple[str, int], str] = {}

        def render() -> str:
            head = "".join(f"<th>{esc(s.label)}</th>" for s in scopes)
            rows = []
            for f in facets:
                tds = "".join(f"<td>{cells.get((f, i), '…')}</td>" for i in range(len(scopes)))
                rows.append(f"<tr><th scope='row'>{esc(FACET_LABELS.get(f, f))}</th>{tds}</tr>")
            foot = f'<p class="answer-foot">{esc(NOT_LEGAL_ADVICE)}</p>'
            table = f'<table class="compare" id="compare-table"><tr><th>Facet</th>{head}</tr>{"".join(rows)}'
            return f"{table}</table>{foot}"

        yield render()
        for f in facets:
            for i, s in enumerate(scopes):
                try:
                    if not s.licenses:
                        cells[(f, i)] = "<em>No license text in the LicenseDB for this model.</em>"
                    else:
                        cells[(f, i)] = cell_html(backend.ask(FACET_QUESTIONS[f], (), s))
                except Exception:
                    _log_exception("compare")
                    cells[(f, i)] = "<em>Could not answer this cell.</em>"
                yield render()

    return compare


def cell_html(a: Answer) -> str:
    cites = [c for c in a.citations if c.kind == "license"] or list(a.citations)
    badge = verdict_badge(a.verdict) or "<em>no verdict</em>"
    if a.verdict == "not_addressed" or not cites:
        return badge  # a nearest clause would look like a deciding one; there is none
    c = cites[0]
    quote = esc(" ".join(c.quote.split()))  # reflowed to fit a table cell (the chat keeps the line breaks)
    link = " " + source_link(c.source_url)
    return (
        f"{badge} <span class='cell-section'>{esc(_section_label(c))}</span>"
        f"<details class='clause'><summary>{esc(c.license_name)}, {esc(_section_label(c))}</summary>"
        f"<blockquote>{quote}</blockquote><div class='clause-meta'>{link}"
        f"<button class='copy-quote' type='button'>Copy quote</button></div></details>"
    )


def read_upload(path: str | None) -> str:
    """The text of an uploaded file, or ValueError with a message for the user."""
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise ValueError(f"The file is {size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,} bytes (200 KB).")
    raw = p.read_bytes()
    if b"\x00" in raw[:8000]:
        raise ValueError("That looks like a binary file. Upload a text file (LICENSE, README.md).")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("The file is not UTF-8 text. Upload a text file (LICENSE, README.md).") from None


def identification_html(ident) -> str:
    if not ident.findings:
        body = "<p>No known license was found in this text.</p>"
    else:
        rows = []
        for f in ident.findings:
            ev = "".join(f"<li>{esc(e)}</li>" for e in f.evidence)
            diffs = "".join(f"<li>{esc(d)}</li>" for d in f.differences)
            mod = ""
            if f.modified:
                mod = f"<p><strong>Modified:</strong> differs from the original</p><ul>{diffs}</ul>"
            rows.append(
                f"<tr><td><strong>{esc(f.license_name)}</strong><br><code>{esc(f.license_key)}</code></td>"
                f"<td>{esc(f.source.replace('_', ' '))}</td><td>{esc(f.confidence)} ({f.score:.0f})</td>"
                f"<td><ul>{ev}</ul>{mod}</td></tr>"
            )
        body = (
            '<table class="compare" id="identify-table"><tr><th>License</th><th>Found by</th>'
            "<th>Confidence</th>"
            f"<th>Evidence</th></tr>{''.join(rows)}</table>"
        )
    notes = "".join(f"<li>{esc(n)}</li>" for n in getattr(ident, "notes", []) or [])
    return f"<p>{esc(ident.summary())}</p>{body}" + (f"<ul>{notes}</ul>" if notes else "")


def make_identify(backend: Backend):
    """The Identify button: the licenses found, and the text itself, which questions can then be asked about."""

    def run(text: str | None, upload: str | None) -> Iterator[tuple]:
        none = gr.update(choices=[], value=None)
        off = gr.update(interactive=False)
        try:
            if upload:
                text = read_upload(upload)
        except (OSError, ValueError) as exc:
            yield f"<p>{esc(exc)}</p>", none, off, None
            return
        if not text or not text.strip():
            yield "<p>Paste a license text or model card, or upload a file.</p>", none, off, None
            return
        if len(text.encode("utf-8", errors="replace")) > MAX_UPLOAD_BYTES:
            yield (
                f"<p>The text is over {MAX_UPLOAD_BYTES:,} bytes (200 KB); paste only the LICENSE file or "
                "the model card.</p>",
                none,
                off,
                None,
            )
            return
        if not backend.identify_ready():
            what = (
                "Loading ScanCode's license detection index…"
                if backend.identify_cached()
                else "Building ScanCode's license detection index (first use only; this takes a few minutes)…"
            )
            yield f"<p><em>{esc(what)}</em></p>", none, off, None
        try:
            backend.warm_identify()
            from assistant.identify import identify

            ident = identify(text, max_bytes=MAX_UPLOAD_BYTES)
            backend.supplied(text, identification=ident)  # parsed now, so the first question is answered at once
        except ValueError as exc:
            yield f"<p>{esc(exc)}</p>", none, off, None
            return
        except Exception:
            _log_exception("identify")
            yield f"<p>{esc(FRIENDLY_ERROR)}</p>", none, off, None
            return
        choices = [(f"{_license_name(k)} ({k})", k) for k in ident.license_keys]
        yield (
            identification_html(ident),
            gr.update(choices=choices, value=choices[0][1] if choices else None),
            gr.update(interactive=True),  # any text can be asked about, a recognised one or not
            text,
        )

    return run


def sources_markdown(backend: Backend) -> str:
    try:
        cat = backend.catalog()
    except Exception as exc:  # a broken corpus file: say which, the rest of the page still works
        return f"The catalog could not be loaded: {esc(exc)}"
    try:
        from assistant.licensedb import licensedb_version

        ldb = licensedb_version()
    except Exception:
        ldb = "unknown"
    m = backend.manifest
    searcher = getattr(backend.assistant, "searcher", None)
    if m:
        index = f"{m.n_chunks:,} clauses from {m.n_documents:,} documents (embedding model `{m.model}`)"
    elif searcher is not None and getattr(searcher, "index", None) is not None:
        n = len(searcher.index.chunks)
        index = f"{n:,} clauses, keyword search for now ({esc(searcher.dense_status.describe())})"
    else:
        index = "not loaded yet"
    defs = (
        "\n".join(
            f"- [{esc(d.name)}]({d.url}) — {esc(d.publisher)}{', ' + esc(d.version) if d.version else ''}"
            f" ({len(d.criteria)} criteria)"
            for d in _entries(cat.definitions)
        )
        or "- (none loaded)"
    )
    return (
        "### Sources\n\n"
        f"- **Licenses in the catalog:** {len(_entries(cat.licenses))} "
        f"(texts from ScanCode's LicenseDB, version {esc(ldb)})\n"
        f"- **Models in the catalog:** {len(_entries(cat.models))}\n"
        f"- **Clause index:** {index}\n\n"
        "### Openness definitions covered\n\n"
        f"{defs}\n\n"
        "Definition criteria are the project's own summaries, linked to the published definitions; "
        "license clauses are quoted verbatim from the LicenseDB texts.\n\n"
        f"*{esc(NOT_LEGAL_ADVICE)}*"
    )


# ------------------------------------------------------------------------------------------------ page
def build_ui(backend: Backend) -> gr.Blocks:
    """The Blocks app over `backend`; `launch()` starts the backend loading and serves the page."""
    facet_choices = [(FACET_LABELS.get(f, f), f) for f in FACET_QUESTIONS]
    try:
        scope_choices = backend.scope_choices()
    except Exception:
        _log_exception("catalog")
        scope_choices = []

    with gr.Blocks(
        title="AI model license assistant", analytics_enabled=False, delete_cache=(3600, EXPORT_MAX_AGE_S)
    ) as demo:
        gr.Markdown(
            "## AI model license assistant\n"
            "Ask about AI model licenses: a verdict first, then the clauses that decide it, quoted verbatim "
            "with section and source. *" + NOT_LEGAL_ADVICE + "*"
        )
        status = gr.Markdown(backend.status_markdown(), elem_id="status")
        timer = gr.Timer(1.0)
        identified = gr.State(None)  # the text the Identify tab last identified
        pasted = gr.State(None)  # the text the chat's "pasted" scope is about
        with gr.Tabs(selected="chat") as tabs:
            with gr.Tab("Chat", id="chat"):
                scope = gr.Dropdown(
                    [("Any (the question names it)", "")] + scope_choices,
                    value="",
                    label="Scope the conversation to a license or model",
                    info="“this model” / “this license” then means the one picked here.",
                    elem_id="scope",
                )
                chatbot = gr.Chatbot(
                    label="Conversation",
                    elem_id="chatbot",
                    height=600,
                    latex_delimiters=[],
                    buttons=[],  # a message's raw form holds HTML; quotes have their own copy buttons
                    feedback_options=None,
                    placeholder="Ask a question about a model license, or click an example below.",
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="e.g. Can we use Llama 3.1 commercially with 900M monthly users?",
                        label="Question",
                        show_label=False,
                        lines=1,
                        max_lines=6,
                        scale=8,
                        elem_id="question",
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                examples = gr.Dataset(
                    components=[gr.Textbox(visible=False)],
                    samples=[[q] for q in EXAMPLES],
                    label="Example questions (click to ask)",
                    elem_id="examples",
                )
                with gr.Row():
                    clear = gr.Button("Clear conversation", elem_id="clear")
                    export = gr.DownloadButton(
                        "Export last answer (Markdown)", value=None, interactive=False, elem_id="export"
                    )
            with gr.Tab("Compare", id="compare"):
                gr.Markdown(
                    "Pick 2 to 4 licenses or models and the facets to compare. Each cell shows the "
                    "verdict, the deciding section and its clause."
                )
                subjects = gr.Dropdown(
                    scope_choices,
                    multiselect=True,
                    max_choices=MAX_COMPARE,
                    label="Licenses or models",
                    elem_id="compare-subjects",
                )
                facets = gr.Dropdown(
                    facet_choices,
                    value=DEFAULT_FACETS,
                    multiselect=True,
                    label="Facets",
                    elem_id="compare-facets",
                )
                compare_btn = gr.Button("Compare", variant="primary", elem_id="compare-button")
                compare_out = gr.HTML(label="Comparison", elem_id="compare-out")
            with gr.Tab("Identify", id="identify"):
                gr.Markdown(
                    "Paste a LICENSE file or a model card, or upload one (text, at most 200 KB), to find "
                    "which license it is. The first use loads ScanCode's license detection index."
                )
                with gr.Row():
                    paste = gr.Textbox(
                        lines=10,
                        max_lines=20,
                        label="License text or model card",
                        elem_id="identify-text",
                        scale=3,
                    )
                    # No file_types filter: a LICENSE file has no extension. The content is checked instead.
                    upload = gr.File(
                        label="…or upload a text file (≤ 200 KB)",
                        type="filepath",
                        height=240,
                        scale=2,
                        elem_id="identify-file",
                    )
                identify_btn = gr.Button("Identify", variant="primary", elem_id="identify-button")
                identify_out = gr.HTML(label="Licenses found", elem_id="identify-out")
                with gr.Row():
                    found = gr.Dropdown([], label="License found", interactive=True, elem_id="identify-found")
                    ask_about = gr.Button("Ask about this text", interactive=False, elem_id="ask-about")
                gr.Markdown("Answers about the text quote your copy of it, whatever it is.")
            with gr.Tab("Sources", id="sources"):
                sources = gr.Markdown(elem_id="sources")

        respond = make_respond(backend)
        chat_io = dict(inputs=[box, chatbot, scope, pasted], outputs=[chatbot, box, export])
        send.click(respond, api_name="ask", **chat_io)
        box.submit(respond, api_visibility="private", **chat_io)
        examples.click(lambda s: s[0], examples, box, api_visibility="private", queue=False).then(
            respond, api_visibility="private", **chat_io
        )
        clear.click(
            lambda: ([], "", gr.update(value=None, interactive=False)),
            None,
            [chatbot, box, export],
            api_visibility="private",
            queue=False,
        )
        # A new scope starts a new conversation: earlier turns may be about something else.
        scope.change(lambda: [], None, chatbot, api_visibility="private", queue=False)

        def tick():
            return backend.status_markdown(), sources_markdown(backend), gr.Timer(active=backend.loading)

        ticked = [status, sources, timer]
        timer.tick(tick, None, ticked, api_visibility="private", queue=False, show_progress="hidden")
        demo.load(tick, None, ticked, api_visibility="private", queue=False)

        compare_btn.click(make_compare(backend), [subjects, facets], compare_out, api_name="compare")
        identify_btn.click(
            make_identify(backend), [paste, upload], [identify_out, found, ask_about, identified],
            api_name="identify",
        )

        def scope_to(text: str | None):
            """The chat scoped to the identified text: its answers quote that copy."""
            if not text:
                return gr.update(), gr.update(), gr.update(), None
            try:
                label = backend.pasted_scope(text).label
            except ValueError as exc:  # a text identify took but that cannot be answered from (only control bytes)
                return gr.update(), gr.update(), f"{exc}", None
            choices = [("Any (the question names it)", ""), (label, PASTED_SCOPE)] + list(scope_choices)
            return (
                gr.update(choices=choices, value=PASTED_SCOPE),
                gr.Tabs(selected="chat"),
                "Can I use this commercially?",
                text,
            )

        ask_about.click(scope_to, identified, [scope, tabs, box, pasted], api_visibility="private")

        def status() -> dict:
            """The loading state: {"state", "message", "ready" (questions are answered), "dense" (dense search has
            joined), "dense_done", "dense_total" (clauses embedded while the dense index is built)}."""
            return backend.status()

        gr.api(status, api_name="status")
    return demo


def theme() -> gr.themes.Base:
    """The default look with system fonts: the page makes no request to a font server (it may run offline)."""
    return gr.themes.Default(
        font=["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )


def launch(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None) -> None:
    """Serve the page at once, then load the Assistant in the background."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    backend = Backend(settings)
    backend.start()  # loads while the page is built and served
    demo = build_ui(backend)
    demo.queue(default_concurrency_limit=4, max_size=64)
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        show_error=False,
        max_file_size="1mb",
        css=CSS,
        head=HEAD,
        theme=theme(),
        footer_links=["api"],
    )
