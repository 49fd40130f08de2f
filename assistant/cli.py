"""`license-assistant`: build the index, search clauses, ask questions, identify a license file, audit the models a
project uses, serve the tools over MCP."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from assistant.config import Settings


def _settings(args: argparse.Namespace) -> Settings:
    s = Settings()
    if getattr(args, "home", None):
        s = replace(s, home=Path(args.home).expanduser())
    if getattr(args, "all", False):
        s = replace(s, scope="all")
    if getattr(args, "model", None):
        s = replace(s, embedding_model=args.model)
    if getattr(args, "chroma_host", None):
        s = replace(s, chroma_host=args.chroma_host)
    if getattr(args, "chroma_port", None):
        s = replace(s, chroma_port=args.chroma_port)
    return s


def cmd_index(args: argparse.Namespace) -> int:
    from assistant.index import open_index

    t0 = time.perf_counter()
    idx = open_index(_settings(args), progress=not args.quiet, rebuild=args.rebuild)
    m = idx.manifest
    print(
        f"Index ready in {time.perf_counter() - t0:.1f} s: {m.n_chunks} clauses from {m.n_documents} documents "
        f"({m.scope} scope, {m.licensedb}, model {m.model}) at {idx.folder}"
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.search import Searcher, clean_query

    query = clean_query(args.query)  # a bad query is refused before any index is opened or built
    hits = Searcher(_settings(args)).search(query, licenses=args.license or None, k=args.k, mode=args.mode)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("No matching clause.")
    for i, h in enumerate(hits, 1):
        inferred = " (numbering inferred)" if h.chunk.inferred else ""
        print(f"{i}. {h.doc_name} [{h.doc_key}] §{h.section_id}{inferred} {h.heading}".rstrip())
        print(f"   chars {h.start}-{h.end}, score {h.score:.4f}")
        print("   " + h.text.strip().replace("\n", "\n   "))
        print()
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.assistant import Assistant

    text = None
    if args.license_file is not None:
        from assistant.user_text import read_license_file

        text = read_license_file(args.license_file)  # a bad file is refused before anything is loaded
    bot = Assistant(settings=_settings(args), llm=args.llm)
    if text is None:
        answer = bot.ask(args.question, licenses=args.license or None)
    else:
        from assistant.user_text import load_supplied

        source = "standard input" if args.license_file == "-" else args.license_file
        answer = bot.ask(args.question, license_text=load_supplied(text, source, catalog=bot.catalog))
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else answer.to_markdown())
    return 0


def cmd_identify(args: argparse.Namespace) -> int:
    from assistant.identify import identify

    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8", errors="replace")
    result = identify(text)
    print(json.dumps(result.to_dict(), indent=2) if args.json else result.summary())
    return 0


def _scan_error(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 2


def cmd_scan(args: argparse.Namespace) -> int:
    from assistant.policy import PolicyError, audit, load_policy, make_profile
    from assistant.scan import default_hf_cache, render_markdown, render_table, scan

    if args.path is None and args.hf_cache is None:
        return _scan_error("give a PATH to scan, or --hf-cache")
    root = Path(args.path) if args.path is not None else None
    if root is not None and not root.is_dir():
        return _scan_error(f"no such folder: {root}")
    cache = None
    if args.hf_cache is not None:
        cache = default_hf_cache() if args.hf_cache == "" else Path(args.hf_cache)
        if args.hf_cache and not cache.is_dir():
            return _scan_error(f"no such Hugging Face cache folder: {cache}")
    options = {
        "use": args.use,
        "mau": args.mau,
        "revenue": args.revenue,
        "region": args.region,
        "distribute": ",".join(args.distribute) if args.distribute else None,
        "fine_tune": True if args.fine_tune else None,
        "train_on_outputs": True if args.train_on_outputs else None,
        "fail_on": args.fail_on,
    }
    try:
        profile = load_policy(args.policy, options) if args.policy else make_profile(options)
    except PolicyError as exc:
        return _scan_error(str(exc))
    models = scan(root, hf_cache=cache)
    assistant = None
    if any(m.licenses for m in models):
        from assistant.assistant import Assistant

        assistant = Assistant(settings=_settings(args), progress=False)
    rows = audit(models, assistant, profile)
    if args.format == "json":
        out = json.dumps(rows, ensure_ascii=False, indent=2)
    elif args.format == "markdown":
        out = render_markdown(rows, profile.summary())
    elif args.format == "cyclonedx":
        from assistant.bom import bom_json

        out = bom_json(rows, profile.summary())
    else:
        out = render_table(rows, profile.summary())
    if args.output:
        Path(args.output).write_text(out + ("" if out.endswith("\n") else "\n"), encoding="utf-8")
    else:
        print(out)
    return 1 if any(r["status"] == "fail" for r in rows) else 0


def cmd_mcp(args: argparse.Namespace) -> int:
    from assistant.mcp_server import serve

    serve(_settings(args))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="license-assistant", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", help="cache directory for the index (env LICENSE_ASSISTANT_HOME)")
    common.add_argument("--model", help="embedding model name or path (env LICENSE_ASSISTANT_EMBEDDING_MODEL)")
    common.add_argument("--chroma-host", help="use a Chroma server at this host (env CHROMA_HOST)")
    common.add_argument("--chroma-port", type=int, help="the Chroma server's port (env CHROMA_PORT)")
    common.add_argument("--all", action="store_true", help="index every license in the LicenseDB, not the default set")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("index", parents=[common], help="build the index, or reuse it when unchanged")
    s.add_argument("--rebuild", action="store_true", help="rebuild even if an unchanged index exists")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_index)

    s = sub.add_parser("search", parents=[common], help="find the clauses that match a query")
    s.add_argument("query")
    s.add_argument("--license", action="append", metavar="KEY", help="only this LicenseDB key (repeatable)")
    s.add_argument("-k", type=int, default=5, help="how many clauses (default 5)")
    s.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("ask", parents=[common], help="ask a question; get a verdict and the deciding clauses")
    s.add_argument("question")
    about = s.add_mutually_exclusive_group()
    about.add_argument("--license", action="append", metavar="KEY", help="the license(s) the question is about")
    about.add_argument("--license-file", metavar="PATH",
                       help="a license text you have (or - for standard input): answered from it, quoted from it")
    s.add_argument("--llm", help="optional chat model, e.g. ollama:llama3.1 or openai:gpt-4o-mini")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("identify", parents=[common], help="name the license of a LICENSE file or model card")
    s.add_argument("file", help="path to the file, or - for standard input")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_identify)

    s = sub.add_parser("scan", parents=[common], help="find the models a project uses and judge them for a use")
    s.add_argument("path", nargs="?", help="the project folder to scan")
    s.add_argument("--hf-cache", nargs="?", const="", metavar="DIR",
                   help="also scan a Hugging Face cache (no value: the default cache)")
    s.add_argument("--policy", metavar="FILE", help="a policy file (YAML) with the use profile and fail_on")
    s.add_argument("--use", choices=["commercial", "internal", "research", "personal"], help="default commercial")
    s.add_argument("--mau", help="monthly active users, e.g. 2M")
    s.add_argument("--revenue", help="annual revenue in US dollars, e.g. 5M")
    s.add_argument("--region", help="where it is used or offered, e.g. EU")
    s.add_argument("--distribute", action="append", metavar="WHAT",
                   help="weights, service, product or outputs (repeatable or comma-separated)")
    s.add_argument("--fine-tune", action="store_true", help="the project fine-tunes the models")
    s.add_argument("--train-on-outputs", action="store_true", help="outputs are used to train another model")
    s.add_argument("--fail-on", metavar="VERDICTS",
                   help="verdicts that fail the policy (default no,unknown; also conditional, not_addressed)")
    s.add_argument("--format", choices=["table", "json", "markdown", "cyclonedx"], default="table")
    s.add_argument("-o", "--output", metavar="FILE", help="write the report here instead of standard output")
    s.set_defaults(func=cmd_scan)

    s = sub.add_parser("mcp", parents=[common], help="serve ask, compare, identify and scan over MCP (stdio)")
    s.set_defaults(func=cmd_mcp)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # every error a user can cause has a message made for them: show it, not a traceback
        from assistant.errors import user_message

        msg = user_message(exc)
        if msg is None:
            raise
        print(f"error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
