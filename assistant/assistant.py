"""`ask()`: understand -> retrieve -> reason -> compose -> Answer. The public entry point for programs."""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from assistant import compose
from assistant.answer import Answer, Citation
from assistant.citations import cite_chunk, cite_criterion, cite_section, verified
from assistant.config import Settings
from assistant.facts import facts_for
from assistant.licensedb import licensedb_version, load_license

if TYPE_CHECKING:
    from assistant.user_text import SuppliedText

#: Longer questions get a message instead of an answer (the UI caps input at 2,000 characters).
MAX_QUESTION_CHARS = 8000
MAX_LICENSES = 8  # more subjects than this in one question is a list, not a question

#: Words added to the retrieval query per facet, so the clause that decides it ranks high.
FACET_HINTS = {
    "commercial_use": "commercial use",
    "user_threshold": "monthly active users threshold",
    "revenue_threshold": "annual revenue exceeds",
    "output_use": "outputs results generated train improve other models",
    "derivatives": "derivative works modifications fine-tune",
    "redistribution": "distribute copies redistribution",
    "attribution": "attribution notice copy of this agreement",
    "naming": "name trademark Built with",
    "acceptable_use": "acceptable use policy prohibited use restrictions",
    "field_of_use": "non-commercial research purposes only",
    "territory": "territory jurisdiction European Union",
    "termination": "terminate termination breach",
    "patent": "patent license litigation",
    "warranty": "warranty AS IS liability",
}
INJECTION_NOTE = (
    "The question asked to change how it is answered; that was ignored. Verdicts come only from the license text "
    "and the curated facts."
)


def _corpus_version() -> str:
    from assistant.config import CORPUS_DIR

    h = hashlib.sha256()
    for p in sorted(CORPUS_DIR.rglob("*.yaml")):
        h.update(p.read_bytes())
    return h.hexdigest()[:10]


class Assistant:
    """Holds the loaded index, embedding model and catalog, so repeated questions are fast.

    Construction returns within seconds: the searcher serves BM25 at once and loads dense search (building the
    index when there is none) in a background thread."""

    def __init__(self, settings: Settings | None = None, llm: Any = None, searcher=None, progress: bool = True):
        from assistant.catalog import load_catalog
        from assistant.search import Searcher

        self.settings = settings or Settings()
        self.catalog = load_catalog(self.settings.corpus_dir)
        self.searcher = searcher or Searcher(self.settings, progress=progress)
        self.corpus_version = _corpus_version()
        self.llm = None
        if llm is not None:
            from assistant.llm import load_chat_model

            self.llm = load_chat_model(llm)

    # -- helpers -------------------------------------------------------------------------------------------
    def _as_of(self, keys: Sequence[str]) -> str:
        from assistant.facts import facts_for

        parts = []
        for k in keys:
            f = facts_for(k)
            entry = self.catalog.license(k)
            date = (f.as_of if f else None) or (entry.released if entry else None)
            parts.append(f"{compose.license_label(k)}" + (f" (version of {date})" if date else ""))
        parts.append(f"LicenseDB from {licensedb_version()}")
        parts.append(f"corpus {self.corpus_version}")
        return "; ".join(parts)

    def _retrieve(self, question: str, keys: Sequence[str] | None, facets: Sequence[str], k: int = 5):
        hint = " ".join(FACET_HINTS.get(f, "") for f in facets[:2])
        return self.searcher.search(f"{question} {hint}".strip(), licenses=list(keys) if keys else None, k=k)

    def _section_citations(self, key: str, refs: Sequence[str], hint: str, limit: int = 2) -> list[Citation]:
        from assistant.facts import split_ref

        out = []
        for ref in refs:
            doc, sec = split_ref(ref, key)
            c = cite_section(doc, sec, hint=hint)
            if c:
                out.append(c)
            if len(out) >= limit:
                break
        return out

    def ask(
        self,
        question: str,
        history: Sequence[Any] | None = None,
        licenses: Sequence[str] | None = None,
        context: Any = None,
        license_text: str | bytes | SuppliedText | None = None,
    ) -> Answer:
        """Answer one question. `history`: earlier user turns (strings or {"role","content"} dicts);
        `licenses`: LicenseDB keys the conversation is scoped to; `context`: an `Identification` of a pasted file;
        `license_text`: the text of a license the user has, which the question is then about: it is identified and
        every clause is quoted from it (assistant/text_answer.py); LicenseTextError (a ValueError) when it is
        empty, binary or too large."""
        if license_text is not None:
            from assistant.text_answer import answer_supplied

            return answer_supplied(self, question, license_text, history=history)
        t0 = time.perf_counter()
        # Retrieval does not wait for the embedding model: until dense search has joined it runs on BM25 alone,
        # and the Answer says so (the verdict and the cited sections come from the facts either way).
        answering = getattr(self.searcher, "answering", None)
        with answering() if answering else contextlib.nullcontext() as retrieval:
            answer = self._ask(question, history, licenses, context)
        answer.dense_search = getattr(retrieval, "dense", True)
        answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
        return answer

    def _message(self, question: str, text: str, notes: Sequence[str] = ()) -> Answer:
        return Answer(question=question, verdict=None, text=text, notes=list(notes), as_of=self._as_of([]))

    def _ask(self, question, history, licenses, context) -> Answer:
        from assistant.understand import understand

        if not isinstance(question, str):
            return self._message(str(question)[:200], "The question must be text.")
        # NULs and lone surrogates (undecodable bytes) would break the tokenizer and any UTF-8 output
        question = question.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
        if not question.strip():
            return self._message(
                question,
                "Please type a question about a model license, e.g. “Can I use Llama 3.1 "
                "commercially with 900M monthly users?”",
            )
        if len(question) > MAX_QUESTION_CHARS:
            return self._message(
                question[:200] + "…",
                f"The question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
                "Ask about the part of the license you need.",
            )
        if isinstance(licenses, str):
            licenses = [licenses]  # one key, not its characters
        try:
            scoped = [k for k in (licenses or []) if isinstance(k, str)]
        except TypeError:  # not a list of keys: answer as if none were given
            scoped = []
        if context is not None and not scoped:
            scoped = list(getattr(context, "license_keys", []) or [])
        bad = []
        for k in list(scoped):
            try:
                load_license(k)
            except KeyError as exc:
                bad.append(str(exc))
                scoped.remove(k)
        q = understand(question, history=history, licenses=scoped or None, catalog=self.catalog)
        notes = list(q.notes) + bad
        if q.injection:
            notes.append(INJECTION_NOTE)
        if not q.language_ok:
            notes.append("Only English questions are understood well; the answer below may miss your point.")
        keys = list(dict.fromkeys(q.licenses))[:MAX_LICENSES]
        if len(q.licenses) > MAX_LICENSES:
            notes.append(f"The question names {len(q.licenses)} licenses; only the first {MAX_LICENSES} are answered.")
        base = dict(
            question=question,
            licenses=keys,
            models=list(q.models),
            facets=list(q.facets),
            figures=[asdict(f) for f in q.figures],
            as_of=self._as_of(keys),
        )

        if q.openness and keys:
            return self._finish(self._openness(q, keys, base, notes), q)
        if q.openness and not q.models:
            return self._finish(self._definition(q, base, notes), q)
        if q.models and q.facets and q.facets[0] == "data_availability" and not q.situation.has("train_on_outputs"):
            return self._finish(self._release(q, keys, base, notes), q)
        if not keys and q.models:
            return self._finish(self._unlicensed_models(q, base, notes), q)
        if not keys:
            if q.unknown:
                hits = []
                text = compose.unknown_text(q.unknown, q.suggestions)
                return self._finish(Answer(verdict="not_addressed", text=text, notes=notes, **base), q, hits)
            hits = self._retrieve(question, None, q.facets)
            return self._finish(
                Answer(
                    verdict=None,
                    text=compose.no_subject_text(),
                    notes=notes,
                    citations=[cite_chunk(h.chunk) for h in hits[:2]],
                    **base,
                ),
                q,
                hits,
            )
        if q.situation.kind == "identity" and (q.models or q.external):
            return self._finish(self._identity(q, keys, base, notes), q)
        if q.comparison and len(keys) >= 2:
            return self._finish(self._comparison(q, keys, base, notes), q)
        return self._finish(self._decide(q, keys, base, notes), q)

    def _judge_all(self, q, keys: Sequence[str], facet: str):
        from assistant.judge import judge

        return [judge(k, q.situation, facet, asks_license=q.situation.asks_license) for k in keys]

    def _decide(self, q, keys: list[str], base: dict, notes: list[str]) -> Answer:
        from assistant.judge import overall

        facets = list(q.facets) or ["other"]
        judgements = self._judge_all(q, keys, facets[0])
        hits = self._retrieve(q.question, keys, facets)
        hint = q.question + " " + FACET_HINTS.get(facets[0], "")
        citations: list[Citation] = []
        curated = [j for j in judgements if j.curated]
        for j in curated:
            citations += self._section_citations(j.license_key, j.sections, hint, limit=3)
            # then the clauses the license's reviewed entry for this topic rests on
            own = facts_for(j.license_key)
            topic = own.facet(facets[0]) if own else None
            if topic:
                extra = [x for x in [*topic.sections, *topic.aup_sections] if x not in j.sections]
                citations += self._section_citations(j.license_key, extra, hint, limit=2)
            notes += [n for n in j.notes if n not in notes]
            if j.unverified:
                notes.append(f"Part of this rests on a fact not yet verified against the source "
                             f"({compose.license_label(j.license_key)}); check the text.")
            for doc in j.policy_documents():
                citations += self._policy_citations(doc, q.question)
                if doc not in base["licenses"]:
                    base["licenses"].append(doc)  # the answer rests on the policy text as well
        verdict = overall(curated) if curated else None
        parts = [compose.subject_sentence(q.models, keys, q.chains)]
        if curated:
            parts.append(compose.decisions_text(curated))
        for key in dict.fromkeys(j.license_key for j in judgements if not j.curated):
            parts.append(compose.uncurated_text(key, load_license(key).category))
            citations += [cite_chunk(h.chunk) for h in hits if h.doc_key == key][:3]
        if curated and all(j.verdict == "not_addressed" for j in curated):
            citations += [cite_chunk(h.chunk) for h in hits[:2]]
            parts.append("The closest clauses are quoted below for reference.")
        if not citations:
            citations = [cite_chunk(h.chunk) for h in hits[:2]]
        checklist = [item.to_dict() for j in curated for item in j.checklist]
        answer = Answer(verdict=verdict, text="\n\n".join(p for p in parts if p), citations=citations, notes=notes,
                        checklist=checklist, situation=q.situation.to_dict(), **base)
        return self._llm_words(answer, curated, hits)

    def _policy_citations(self, doc: str, question: str) -> list[Citation]:
        """The item of a use-policy text (its own LicenseDB document) that best matches the question."""
        return [cite_chunk(h.chunk) for h in self.searcher.search(question, licenses=[doc], k=1)]

    def _identity(self, q, keys: list[str], base: dict, notes: list[str]) -> Answer:
        """"What license is X under?" / "Is X MIT?": the license the catalog records for the model, with its source.
        A license the question names only to ask about it ("is it MIT too?") is not the model's license."""
        keys, external, direct = self._asked_subject(q, keys)
        named = set(q.named_licenses) | direct
        own = [k for k in keys if k not in named]
        if not own and not q.external:
            own = list(keys)  # "Is Phi-4 MIT?": the model's own license is the one named
        asked = named | {k for k in own if self._names_license(q.question, k)}
        lines = []
        if own:
            lines.append(compose.subject_sentence(q.models, own, q.chains))
        for ext_id in external:
            record = self.catalog.external_license(ext_id)
            if record is not None:
                lines.append(f"{', '.join(q.models)}: governed by the **{record.name}** ({record.url}), whose text "
                             "is not in ScanCode's LicenseDB.")
        for name in q.models:
            entry, _ = self.catalog.resolve_model(name)
            if entry is not None and entry.url:
                lines.append(f"Source of the license fact for {name}: {entry.url}")
        verdict = None
        if asked:
            # "Is X MIT?" is yes only when MIT is all of X's license: a model also under another license is not
            kind_of = {k: getattr(self.catalog.license(k), "kind", "") for k in own}
            extra = {k for k in own if k not in asked and kind_of[k] != "aup"}
            # a base model's open-source license beside it does not change the answer, unless "only" is asked
            only = re.search(r"\b(?:just|only|purely|solely|simply)\b", q.question, re.I)
            covered = not extra or (not only and all(kind_of[k] == "open-source" for k in extra))
            verdict = "yes" if asked & set(own) and covered else "no"
            asked_names = ", ".join(compose.license_label(k) for k in sorted(asked))
            lines.append(("Yes" if verdict == "yes" else "No") + f": the question asks about {asked_names}.")
        citations = []
        for k in own:
            f = facts_for(k)
            grant = next((t for t in f.terms if t.type == "grant"), None) if f else None
            if grant:
                citations += self._section_citations(k, grant.sections, q.question, limit=1)
        base["licenses"] = list(own)
        hits = self._retrieve(q.question, own, q.facets) if own else []
        return Answer(verdict=verdict, text="\n\n".join(x for x in lines if x), citations=citations, notes=notes,
                      situation=q.situation.to_dict(), external_licenses=list(q.external), **base), hits

    def _asked_subject(self, q, keys: list[str]) -> tuple[list[str], list[str], set[str]]:
        """The licenses of the model the asking sentence is about: in "DeepSeek-R1 is MIT. Is V3 MIT too?" or
        "X is built on Y, which is Apache, so X must be Apache too?" the other model is only a premise."""
        from assistant.resolve import resolve
        from assistant.situation import question_sentence

        asked = question_sentence(q.question)
        asked = re.split(r"\b(?:like|unlike|as\s+with|than|same\s+as)\b", asked, maxsplit=1)[0]
        if asked.strip() == q.question.strip():
            return keys, list(q.external), set()
        focus = resolve(asked, self.catalog)
        if not focus.models:
            return keys, list(q.external), set()
        direct = set(focus.direct_licenses)  # named to ask about ("... must be Apache too?"), not the model's
        mine = [k for k in keys if (k in focus.licenses and k not in direct) or k in q.named_licenses or k in direct]
        return (mine or keys), [x for x in q.external if x in focus.external] or list(focus.external), direct

    def _names_license(self, question: str, key: str) -> bool:
        """Whether the question names this license itself ("Is Phi-4 MIT?"), not only a model under it."""
        entry = self.catalog.license(key)
        names = {key, *(entry.aliases if entry else [])}
        text = question.lower()
        return any(re.search(rf"(?<![\w-]){re.escape(n.lower())}(?![\w-])", text) for n in names if len(n) >= 2)

    def _comparison(self, q, keys: list[str], base: dict, notes: list[str]) -> Answer:
        from assistant.judge import judge, overall

        facets = list(q.facets) if q.facets and q.facets != ["other"] else ["commercial_use"]
        cells = {(f, k): judge(k, q.situation, f, asks_license=q.situation.asks_license) for f in facets for k in keys}
        citations = []
        for (f, k), d in cells.items():
            if d.curated:
                citations += self._section_citations(k, d.sections, q.question + " " + FACET_HINTS.get(f, ""), 1)
        curated = [d for d in cells.values() if d.curated]
        verdict = overall(curated) if curated else None
        text = compose.comparison_text(facets, keys, verdict)
        text += "\n\n" + compose.decisions_text(curated)
        table = compose.comparison_rows(cells, facets, keys)
        hits = self._retrieve(q.question, keys, facets)
        checklist = [item.to_dict() for j in curated for item in j.checklist]
        return Answer(verdict=verdict, text=text, citations=citations, table=table, notes=notes, checklist=checklist,
                      situation=q.situation.to_dict(), **base), hits

    def _openness(self, q, keys: list[str], base: dict, notes: list[str]):
        from assistant.openness import assess

        model = q.models[0] if q.models else None
        if model is None and q.openness == "mof":
            # MOF classes are for released models; about a license alone, the reviewed FAQ (which licenses MOF
            # accepts) is the better answer when one matches.
            from assistant.definition_faq import match_faq

            faq = match_faq(q.question, "mof")
            if faq:
                citations = [c for c in (cite_criterion(a) for a in faq.anchors) if c]
                hits = self._retrieve(q.question, keys + ["def:mof"], q.facets)
                return Answer(verdict=faq.verdict, text=faq.answer.strip(), citations=citations, notes=notes,
                              **base), hits
        a = assess(q.openness, keys, model=model)
        citations: list[Citation] = []
        for check in a.checks:
            c = cite_criterion(check.anchor)
            if c:
                citations.append(c)
            if check.license_key and check.sections:
                citations += self._section_citations(check.license_key, check.sections, q.question, limit=1)
        notes += [n for n in a.notes if n not in notes]
        parts = (compose.subject_sentence(q.models, keys, q.chains), compose.openness_text(a))
        text = "\n\n".join(p for p in parts if p)
        hits = self._retrieve(q.question, keys + [f"def:{q.openness}"], q.facets)
        return Answer(verdict=a.verdict, text=text, citations=citations, notes=notes, **base), hits

    def _definition(self, q, base: dict, notes: list[str]):
        """A question about a definition itself: a reviewed FAQ answer when one matches, else the card's summary."""
        from assistant.definition_faq import match_faq

        card = self.catalog.definition(q.openness)
        hits = self._retrieve(q.question, [f"def:{q.openness}"], q.facets)
        faq = match_faq(q.question, q.openness)
        if faq:
            citations = [c for c in (cite_criterion(a) for a in faq.anchors) if c]
            return Answer(verdict=faq.verdict, text=faq.answer.strip(), citations=citations, notes=notes, **base), hits
        citations = [cite_chunk(h.chunk) for h in hits[:3]]
        text = f"**{card.name}** ({card.publisher}, {card.version}): {card.summary.strip()}" if card else ""
        return Answer(verdict=None, text=text, citations=citations, notes=notes, **base), hits

    def _unlicensed_models(self, q, base: dict, notes: list[str]) -> Answer:
        """Models whose license text the LicenseDB lacks: the verdict from the terms the project recorded in its
        own words (corpus/external), said plainly, with no quote; without a record, say so and guess nothing."""
        from assistant.judge import judge, overall

        lines = []
        judgements = []
        for ext_id in q.external:
            record = self.catalog.external_license(ext_id)
            if record is None:
                continue
            facet = (q.facets or ["other"])[0]
            j = judge(ext_id, q.situation, facet, asks_license=q.situation.asks_license)
            if q.openness in ("osd", "osaid", "open-weights", "fsd", None) and facet == "openness_definition":
                j = _openness_of_recorded_terms(j, record)
            judgements.append(j)
            models = ", ".join(q.models)
            lines.append(f"{models}: governed by the **{record.name}** (not in ScanCode's LicenseDB).\n\n{j.summary}")
            notes.append(f"The text of the {record.name} is not in ScanCode's LicenseDB, so no clause can be quoted; "
                         f"this answer rests on its terms as recorded here (read at {record.source}, checked "
                         f"{record.checked}). The license is published at {record.url}.")
            if record.unverified:
                notes.append(f"Not every recorded term of the {record.name} was verified against its full text "
                             f"({', '.join(record.unverified)}); check the text before relying on it.")
        if not judgements:
            for name in q.models:
                entry, _ = self.catalog.resolve_model(name)
                why = f" {entry.notes.strip()}" if entry and entry.notes else ""
                lines.append(f"{name}: its license text is not in ScanCode's LicenseDB and no terms are recorded "
                             f"for it, so I can't quote or check it.{why}")
            lines.append("Read the model's own license file; I won't guess its terms.")
            return Answer(verdict="not_addressed", text="\n\n".join(x for x in lines if x), notes=notes, **base)
        checklist = [item.to_dict() for j in judgements for item in j.checklist]
        return Answer(verdict=overall(judgements), text="\n\n".join(x for x in lines if x), notes=notes,
                      checklist=checklist, situation=q.situation.to_dict(), external_licenses=list(q.external), **base)

    def _release(self, q, keys: list[str], base: dict, notes: list[str]):
        """"Was the training data released?": answered from the model catalog's record of what was published."""
        from assistant.openness import describe_release

        model = q.models[0]
        entry, _ = self.catalog.resolve_model(model)
        status = (entry.released.get("training_data") if entry else None) or "unknown"
        verdict = {"yes": "yes", "no": "no", "partial": "conditional"}.get(status, "not_addressed")
        text = "\n\n".join(p for p in (compose.subject_sentence(q.models, keys, q.chains),
                                         f"What {model} released: {describe_release(model)}.") if p)
        if entry and "released.training_data" in entry.unverified:
            notes.append("The record of the training data release is not verified against the source.")
        hits = self._retrieve(q.question, keys, q.facets)
        return Answer(verdict=verdict, text=text, notes=notes, **base), hits

    def _llm_words(self, answer: Answer, decisions, hits):
        if self.llm is None:
            return answer, hits
        from assistant.llm import llm_compose

        return llm_compose(self.llm, answer, decisions, hits), hits

    def _finish(self, result, q, hits=None) -> Answer:
        if isinstance(result, tuple):
            result, hits = result
        result.citations = verified(result.citations)  # a quote that is not verbatim never reaches the user
        result.retrieved = [h.to_dict() for h in (hits or [])]
        return result


#: Terms that single out fields of use or persons: a license with any of them fails the Open Source Definition
#: (criteria 5 and 6), so a model under it is not open source whatever else it releases.
RESTRICTING_TERMS = ("use_policy", "noncommercial", "purpose_limit", "user_threshold", "revenue_threshold",
                     "prohibition", "territory")


def _openness_of_recorded_terms(j, record):
    """ "Is X open source?" for a license the LicenseDB lacks: the recorded terms against OSD criteria 5 and 6."""
    failing = [t for t in record.terms if t.type in RESTRICTING_TERMS]
    if failing:
        j.verdict = "no"
        j.reasons = ["Not open source: the license restricts fields of use or who may use it, which the Open Source "
                     "Definition forbids (criteria 5 and 6)."] + [t.summary for t in failing[:3]]
        j.sections = [x for t in failing for x in t.sections]
    return j


_default: Assistant | None = None
_lock = threading.Lock()


def default_assistant() -> Assistant:
    global _default
    with _lock:
        if _default is None:
            _default = Assistant()
        return _default


def ask(
    question: str, history: Sequence[Any] | None = None, licenses: Sequence[str] | None = None, context: Any = None,
    license_text: str | bytes | None = None,
) -> Answer:
    """Answer a question about AI model licenses with a verdict and the deciding clauses quoted verbatim;
    with `license_text`, about that license text, quoted from it."""
    return default_assistant().ask(question, history=history, licenses=licenses, context=context,
                                   license_text=license_text)
