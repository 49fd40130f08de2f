"""The assistant as an MCP server (stdio): tools ask, compare, identify and scan, each returning structured results
(verdict, checklist or obligations, citations with verbatim quotes and section ids).

    license-assistant mcp            # what an MCP client starts
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from assistant.config import Settings

INSTRUCTIONS = (
    "Answers questions about AI model licenses with a verdict (yes / no / conditional / not_addressed) and the "
    "deciding clauses quoted verbatim from ScanCode's LicenseDB, each with its license key and section id. "
    "Use `ask` for one question, `compare` for 2-4 licenses or models, `identify` for a LICENSE file or model card, "
    "`scan` to audit the models a project folder uses for a stated use. Give `ask` a `license_text` to answer from "
    "a license text the user has, quoted from it. Not legal advice."
)


def _citation(c: Any) -> dict[str, Any]:
    return {
        "license": c.license_key,
        "license_name": c.license_name,
        "section": c.section_id,
        "heading": c.heading,
        "quote": c.quote,
        "source_url": c.source_url,
        "kind": c.kind,  # "supplied": quoted from the license_text given, at offsets start-end
        "start": c.start,
        "end": c.end,
    }


def answer_result(answer: Any) -> dict[str, Any]:
    """The structured part of an Answer that an agent needs."""
    checklist = getattr(answer, "checklist", None)
    out: dict[str, Any] = {
        "verdict": answer.verdict,
        "text": answer.text,
        "licenses": list(answer.licenses),
        "models": list(answer.models),
        "citations": [_citation(c) for c in answer.citations],
        "notes": list(answer.notes),
        "as_of": answer.as_of,
        "disclaimer": answer.disclaimer,
    }
    if checklist:
        out["checklist"] = [c if isinstance(c, dict) else getattr(c, "__dict__", str(c)) for c in checklist]
    if answer.table:
        out["table"] = answer.table
    if getattr(answer, "supplied_text", None):
        out["license_text"] = {k: answer.supplied_text[k] for k in ("kind", "key", "name", "modified", "differences",
                                                                    "changed_sections", "how", "sha256")}
    return out


class Tools:
    """The tool functions, sharing one Assistant loaded on first use."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self._assistant = None
        self._lock = threading.Lock()

    @property
    def assistant(self):
        with self._lock:
            if self._assistant is None:
                from assistant.assistant import Assistant

                self._assistant = Assistant(settings=self.settings, progress=False)
            return self._assistant

    def ask(self, question: str, licenses: list[str] | None = None, license_text: str | None = None) -> dict[str, Any]:
        if license_text is not None:
            from assistant.user_text import check_text, load_supplied

            text = check_text(license_text)  # an empty or oversized text is refused before the assistant loads
            supplied = load_supplied(text, catalog=self.assistant.catalog)
            return answer_result(self.assistant.ask(question, license_text=supplied))
        return answer_result(self.assistant.ask(question, licenses=licenses or None))

    def compare(self, subjects: list[str], aspect: str = "commercial use") -> dict[str, Any]:
        subjects = [s.strip() for s in subjects if s and s.strip()]
        if not 2 <= len(subjects) <= 4:
            raise ValueError("compare needs 2 to 4 licenses or models")
        question = f"Compare {', '.join(subjects[:-1])} and {subjects[-1]} on {aspect.strip() or 'commercial use'}."
        result = answer_result(self.assistant.ask(question))
        result["question"] = question
        return result

    def identify(self, text: str) -> dict[str, Any]:
        from assistant.identify import identify

        return identify(text).to_dict()

    def scan(
        self,
        path: str,
        use: str = "commercial",
        mau: str | None = None,
        revenue: str | None = None,
        region: str | None = None,
        distribute: list[str] | None = None,
        fine_tune: bool = False,
        train_on_outputs: bool = False,
        fail_on: list[str] | None = None,
    ) -> dict[str, Any]:
        from assistant.policy import audit, make_profile
        from assistant.scan import scan

        root = Path(path).expanduser()
        if not root.is_dir():
            raise ValueError(f"no such folder: {root}")
        profile = make_profile(
            {
                "use": use, "mau": mau, "revenue": revenue, "region": region, "distribute": distribute,
                "fine_tune": fine_tune, "train_on_outputs": train_on_outputs, "fail_on": fail_on,
            }
        )  # fmt: skip
        models = scan(root)
        rows = audit(models, self.assistant if any(m.licenses for m in models) else None, profile)
        return {
            "profile": profile.summary(),
            "fail_on": list(profile.fail_on),
            "passed": not any(r["status"] == "fail" for r in rows),
            "models": rows,
        }


def _guard(fn, *args) -> dict[str, Any]:
    """Run a tool; a mistake in its input (a ValueError: bad path, bad profile, text too large) becomes a ToolError,
    whose message the client reads, rather than an opaque crash."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        return fn(*args)
    except ValueError as exc:
        raise ToolError(str(exc)) from None


def build_server(settings: Settings | None = None):
    from mcp.server.mcpserver import MCPServer

    tools = Tools(settings)
    app = MCPServer("license-assistant", instructions=INSTRUCTIONS)

    @app.tool()
    def ask(question: str, licenses: list[str] | None = None, license_text: str | None = None) -> dict[str, Any]:
        """Ask a question about AI model licenses ("Can we use Llama 3.1 commercially with 900M monthly users?").
        `licenses`: optional LicenseDB keys to scope it. `license_text`: optional full text of a license the user
        has (at most 200 KB); the question is then about it, and every clause is quoted from it (citations of kind
        "supplied", with offsets into that text; `license_text` in the result says what it was identified as).
        Returns the verdict, the explanation and the deciding clauses quoted verbatim with license key and section
        id."""
        return _guard(tools.ask, question, licenses, license_text)

    @app.tool()
    def compare(subjects: list[str], aspect: str = "commercial use") -> dict[str, Any]:
        """Compare 2 to 4 licenses or models (names, Hugging Face ids or LicenseDB keys) on one aspect, e.g.
        "commercial use", "using outputs to train other models", "redistribution". Returns the verdict, a table
        with a cited clause per cell, and the citations."""
        return _guard(tools.compare, subjects, aspect)

    @app.tool()
    def identify(text: str) -> dict[str, Any]:
        """Name the license of a LICENSE file's text, a model card (README.md with front matter) or a model id.
        Returns the LicenseDB keys found, how each was found, and notes (modified texts, base models)."""
        return _guard(tools.identify, text)

    @app.tool()
    def scan(
        path: str,
        use: str = "commercial",
        mau: str | None = None,
        revenue: str | None = None,
        region: str | None = None,
        distribute: list[str] | None = None,
        fine_tune: bool = False,
        train_on_outputs: bool = False,
        fail_on: list[str] | None = None,
    ) -> dict[str, Any]:
        """Find every model a project folder uses (code, configs, Ollama files, model folders) and judge each for
        the stated use: use (commercial|internal|research|personal), mau ("2M"), revenue, region ("EU"),
        distribute (weights|service|product|outputs), fine_tune, train_on_outputs; fail_on (default no,unknown).
        Returns one entry per model with its licenses, where it was found, the verdict and its obligations."""
        return _guard(tools.scan, path, use, mau, revenue, region, distribute, fine_tune, train_on_outputs, fail_on)

    return app


def serve(settings: Settings | None = None) -> None:
    build_server(settings).run()
