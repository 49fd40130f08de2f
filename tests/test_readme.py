"""README.md, run: every fenced block is executed or checked against the code it describes.

- the python block runs in a fresh interpreter, and a value shown in a comment (`a.verdict  # 'no'`) must be it;
- every shell line runs for real against the test index (servers are started, checked to answer, and stopped),
  with the README's placeholders replaced by the temporary files and ports mapped in PLACEHOLDERS;
- yaml and json blocks parse and are accepted by what reads them (the policy validation, the hook ids, the MCP
  server); the nginx block points at the ports the app lines use; the scan report is what the scan prints.

A block, a placeholder or a commented value without a check fails: the README cannot grow a snippet nobody ran.
The blocks are checked concurrently (three at a time) so the file stays quick; each test reports its own block.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import tokenize
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from assistant.config import ENV_HOME, REPO_ROOT
from tests.conftest import TEST_HOME, free_port, stop_process
from tests.scan_helpers import FIXTURE_REPO, make_hf_cache

pytestmark = pytest.mark.slow

README = REPO_ROOT / "README.md"
BIN = Path(sys.executable).parent
TIMEOUT = 300

#: The files of the fixture project that hold the models of the README's scan report: `.` for its scans.
SCANNED_FILES = ("app/generate.py", "app/images.py", "config/rerank.json", "ollama/Modelfile")

# --------------------------------------------------------------------------------------------------- the blocks


@dataclass(frozen=True)
class Block:
    lang: str  # "" for a plain ``` block
    text: str
    line: int  # line of the opening fence in README.md

    @property
    def key(self) -> str:
        """The block's name in CHECKS: its language and its first line."""
        return f"{self.lang or 'plain'}: {self.text.splitlines()[0].strip()}"


def readme_blocks(text: str) -> list[Block]:
    return [
        Block(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1)
        for m in re.finditer(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", text, re.M | re.S)
    ]


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


def block(key: str) -> Block:
    (found,) = [b for b in BLOCKS if b.key == key]
    return found


def logical_lines(text: str) -> list[str]:
    """Shell lines with backslash continuations joined, blank lines dropped."""
    return [ln for ln in re.sub(r"\\\n\s*", " ", text).splitlines() if ln.strip()]


def split_comment(line: str) -> tuple[str, str]:
    m = re.search(r"\s#\s(.*)$", line)
    return (line[: m.start()].strip(), m.group(1).strip()) if m else (line.strip(), "")


def shell_words(code: str) -> list[str]:
    lex = shlex.shlex(code, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    return list(lex)


# --------------------------------------------------------------------------------------------------- the state


class Once:
    """Run each keyed job once, whichever thread asks first; the others wait for its result (or its error)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[tuple, Future] = {}

    def __call__(self, key: tuple, job: Callable[[], object]) -> object:
        with self._lock:
            fut, owner = self._jobs.get(key), False
            if fut is None:
                fut, owner = Future(), True
                self._jobs[key] = fut
        if owner:
            try:
                fut.set_result(job())
            except BaseException as exc:
                fut.set_exception(exc)
        return fut.result()


@dataclass
class Readme:
    """What the checks share: a temporary folder, the ports handed out, the Chroma server, jobs run once."""

    tmp: Path
    hf_cache: Path
    index_folder: Path  # the test index's build, which the CLI must reuse rather than rebuild
    once: Once = field(default_factory=Once)
    ports: dict[str, int] = field(default_factory=dict)
    servers: list[subprocess.Popen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _n: int = 0
    # the environment as the fixture found it: the checks run in threads, and pytest rewrites os.environ
    # (PYTEST_CURRENT_TEST) while they read it, so they read this copy instead
    base_env: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    def fresh(self, name: str) -> Path:
        with self._lock:
            self._n += 1
            path = self.tmp / f"{name}-{self._n}"
        path.mkdir(parents=True)
        return path

    def port(self, readme_port: str) -> int:
        with self._lock:
            return self.ports.setdefault(readme_port, free_port())

    def env(self) -> dict[str, str]:
        env = {
            **self.base_env,
            "PYTHONPATH": str(REPO_ROOT),  # this checkout's code, whatever the venv was installed from
            ENV_HOME: str(TEST_HOME),
            "HF_HUB_OFFLINE": "1",
            "HF_HUB_CACHE": str(self.hf_cache),  # `--hf-cache` with no value reads the default cache: this one
            "GRADIO_ANALYTICS_ENABLED": "False",
            "ANONYMIZED_TELEMETRY": "False",
            "PYTHONUNBUFFERED": "1",
            "PATH": f"{BIN}{os.pathsep}{self.base_env.get('PATH', '')}",
        }
        for var in ("CHROMA_HOST", "CHROMA_PORT", "LICENSE_ASSISTANT_HOST", "LICENSE_ASSISTANT_PORT",
                    "GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT"):
            env.pop(var, None)
        return env

    def check_block(self, b: Block) -> None:
        self.once(("block", b.line), lambda: CHECKS[b.key](Ctx(self, b)))


@dataclass
class Ctx:
    """One block's check: its project folder (`.` for `license-assistant scan .`), written by its lines only."""

    r: Readme
    block: Block
    _project: Path | None = None

    @property
    def project(self) -> Path:
        if self._project is None:
            self._project = self.r.fresh("project")
            for rel in SCANNED_FILES:
                (self._project / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(FIXTURE_REPO / rel, self._project / rel)
        return self._project


@pytest.fixture(scope="module")
def readme(settings, tmp_path_factory) -> Iterator[Readme]:
    from assistant.index import open_index

    # the test index, complete before any line runs (open_index returns once the manifest is written)
    folder = open_index(settings, progress=False).folder
    tmp = tmp_path_factory.mktemp("readme")
    r = Readme(tmp, make_hf_cache(tmp / "hf"), folder)
    yield r
    for proc in r.servers:
        stop_group(proc)


@pytest.fixture(scope="module")
def outcomes(readme, request) -> Iterator[dict[int, Future]]:
    """Every selected block's check, started at once on three threads; each test waits for its own."""
    selected = [item.callspec.params["b"] for item in request.session.items
                if getattr(item, "module", None) is sys.modules[__name__]
                and getattr(item, "originalname", "") == "test_readme_block"]
    selected.sort(key=lambda b: SLOW_FIRST.get(b.key, 9))
    pool = ThreadPoolExecutor(3, thread_name_prefix="readme")
    yield {b.line: pool.submit(readme.check_block, b) for b in selected}
    pool.shutdown(wait=True)


# --------------------------------------------------------------------------------------------------- placeholders

#: Every placeholder the README's snippets use, and what the checks put in its place. Any other token that looks
#: like a placeholder (PLACEHOLDER_LIKE) fails test_every_placeholder_is_mapped.
PLACEHOLDERS: dict[str, Callable[[Ctx], list[str]]] = {
    "path/to/LICENSE": lambda c: [str(MIT_COPY)],  # an MIT text
    "my.jsonl": lambda c: [str(my_questions(c))],
    "out/": lambda c: [str(c.r.fresh("eval-out"))],
    "[--json]": lambda c: [],  # an optional flag: the line runs without it and with it (see variants)
    ".license-policy.yaml": lambda c: [policy_file(c)],
    "/srv/license-assistant/chroma": lambda c: [str(c.r.tmp / "srv" / "chroma")],
    "/srv/license-assistant/home": lambda c: [str(srv_home(c.r))],
    "/home/you/.cache/license-assistant": lambda c: [str(TEST_HOME)],
    "<you>": lambda c: ["example"],
    # fixed ports another process may hold: each gets a free one, the same one wherever it appears
    "8000": lambda c: [str(c.r.port("8000"))],
    "7861": lambda c: [str(c.r.port("7861"))],
    "7862": lambda c: [str(c.r.port("7862"))],
    "7863": lambda c: [str(c.r.port("7863"))],
}

PLACEHOLDER_LIKE = re.compile(
    r"<[a-z]+>|\[--[\w-]+\]|\bpath/to/[\w/.-]+|(?<![\w/])my\.\w+|/srv/[\w/-]+|/home/you[\w/.-]*"
)


def my_questions(c: Ctx) -> Path:
    """Your own labelled set: three questions in the schema of eval/questions.jsonl."""
    path = c.r.fresh("my") / "my.jsonl"
    lines = (REPO_ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def policy_file(c: Ctx) -> str:
    """The README's own .license-policy.yaml block, written into the project the scan runs in."""
    (c.project / ".license-policy.yaml").write_text(block("yaml: # .license-policy.yaml").text, encoding="utf-8")
    return ".license-policy.yaml"


def srv_home(r: Readme) -> Path:
    from tests.test_faults import seeded_home

    # a copy of a finished home's embedding cache, as the README suggests: the server's index embeds nothing
    return r.once(("srv-home",), lambda: seeded_home(r.tmp / "srv" / "home"))


def substitute(word: str, c: Ctx) -> list[str]:
    if word in PLACEHOLDERS:
        return PLACEHOLDERS[word](c)
    if "=" in word and word.split("=", 1)[1] in PLACEHOLDERS:  # VAR=/srv/... in an environment assignment
        name, value = word.split("=", 1)
        return [f"{name}={v}" for v in PLACEHOLDERS[value](c)]
    for ph, make in PLACEHOLDERS.items():
        if ph.startswith("<") and ph in word:
            word = word.replace(ph, make(c)[0])
    return [word]


def variants(words: list[str]) -> list[list[str]]:
    """`cmd [--json]` -> `cmd` and `cmd --json`."""
    opt = [w for w in words if re.fullmatch(r"\[--[\w-]+\]", w)]
    if not opt:
        return [words]
    plain = [w for w in words if w not in opt]
    return [plain, plain + [w.strip("[]") for w in opt]]


# --------------------------------------------------------------------------------------------------- processes


def executable(word: str) -> list[str]:
    if word in ("python", "python3"):
        return [sys.executable]
    found = shutil.which(word, path=str(BIN)) or shutil.which(word)
    assert found, f"{word} is not installed"
    return [found]


def run(argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def start(r: Readme, argv: list[str], *, cwd: Path, env: dict[str, str], log: str) -> subprocess.Popen:
    out = open(r.fresh("log") / f"{log}.log", "wb")
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    out.close()
    with r._lock:
        r.servers.append(proc)  # stopped at the end whatever happens
    return proc


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a server started in its own session, with what it started (make runs python app.py)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    stop_process(proc)


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{proc.args} exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing answered at {url} within {timeout} s")


# --------------------------------------------------------------------------------------------------- shell lines

#: The fixture project holds a non-commercial and an unlicensed model, so a scan of it exits with the documented
#: "1 when one fails".
SCAN_FAILS = 1
MCP_TOOLS = {"ask", "compare", "identify", "scan"}  # "serves four tools"


@dataclass
class Line:
    code: str
    comment: str
    env: dict[str, str]  # the block's environment so far (export), plus any VAR=value before the command
    words: list[str]
    background: bool = False


def parse_line(c: Ctx, raw: str, block_env: dict[str, str]) -> list[Line]:
    code, comment = split_comment(raw)
    words = [w for word in shell_words(code) for w in substitute(word, c)]
    background = bool(words) and words[-1] == "&"
    words = words[:-1] if background else words
    env = dict(block_env)
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    return [Line(code, comment, env, w, background) for w in variants(words)]


def check_shell(c: Ctx) -> None:
    env = c.r.env()
    apps: list[tuple[subprocess.Popen, str]] = []
    try:
        for raw in logical_lines(c.block.text):
            for ln in parse_line(c, raw, env):
                run_line(c, ln, env, apps)
        for proc, url in apps:  # the app lines that end with `&`: every one must serve the page
            wait_http(url, proc)
    finally:
        for proc, _ in apps:
            stop_group(proc)


def run_line(c: Ctx, ln: Line, block_env: dict[str, str], apps: list[tuple[subprocess.Popen, str]]) -> None:
    w = ln.words
    if "CHROMA_PORT" in ln.env and w[:2] != ["chroma", "run"]:
        c.r.check_block(block("bash: " + CHROMA_BLOCK))  # step 1 before steps 2 and 3
        if w[:2] == ["python", "app.py"]:
            c.r.check_block(block("bash: " + SERVER_INDEX_BLOCK))  # step 2 before step 3
    if w[0] == "export":
        block_env.update(dict(a.split("=", 1) for a in w[1:]))
    elif w[:3] == ["python3", "-m", "venv"]:
        check_venv(c, ln)
    elif w[0] == "make":
        check_make(c, ln)
    elif w[:2] == ["pip", "install"] and "&&" in w:  # the CI step: install, then build the index
        i = w.index("&&")
        check_pip(c, Line(ln.code, ln.comment, ln.env, w[:i]))
        run_line(c, Line(ln.code, ln.comment, ln.env, w[i + 1:]), block_env, apps)
    elif w[:2] == ["pip", "install"]:
        check_pip(c, ln)
    elif w[0] == "license-assistant":
        check_cli(c, ln)
    elif w[:3] == ["python", "-m", "eval"]:
        check_eval(c, ln)
    elif w[:2] == ["python", "app.py"]:
        proc, url = start_app(c, ln)
        apps.append((proc, url))
        if not ln.background:  # a foreground server: checked, then stopped before the next line
            wait_http(url, proc)
            stop_group(proc)
            apps.remove((proc, url))
    elif w[:2] == ["chroma", "run"]:
        check_chroma(c, ln)
    else:
        raise AssertionError(f"no check for the README line {ln.code!r}")


def check_make(c: Ctx, ln: Line) -> None:
    venv = Path(sys.prefix)
    target = ln.words[1]
    # what make would do from nothing (-B, dry run): the set-up the README's comment promises
    plan = run(["make", "-n", "-B", target, f"VENV={venv}"], cwd=REPO_ROOT, env=ln.env, timeout=60)
    assert plan.returncode == 0, plan.stderr
    assert f"-m venv {venv}" in plan.stdout, plan.stdout
    if target == "test":
        # a dry run only: `make test` runs this very suite
        assert "pip install -q -e '.[dev]'" in plan.stdout and "install-chromium.sh" in plan.stdout  # Chromium
        assert f"{venv}/bin/ruff check assistant eval tests app.py bench" in plan.stdout
        assert re.search(rf"^{re.escape(str(venv))}/bin/python -m pytest\b", plan.stdout, re.M), plan.stdout
        return
    assert target == "run" and "pip install -q -e .\n" in plan.stdout, ln.code
    assert f"{venv}/bin/python app.py" in plan.stdout
    # for real, in this environment; -o keeps make from installing into it again
    port = free_port()
    proc = start(c.r, ["make", "-o", f"{venv}/.installed", "run", f"VENV={venv}"], cwd=REPO_ROOT,
                 env={**ln.env, "LICENSE_ASSISTANT_PORT": str(port)}, log="make-run")
    try:
        wait_http(f"http://127.0.0.1:{port}/", proc)
    finally:
        stop_group(proc)


def check_venv(c: Ctx, ln: Line) -> None:
    """`python3 -m venv .venv && . .venv/bin/activate`, for real in an empty folder."""
    cwd = c.r.fresh("venv")
    out = run(["bash", "-c", ln.code + " && command -v python"], cwd=cwd, env=ln.env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(cwd / ".venv" / "bin" / "python")


def pip_dry_run(requirement: list[str], env: dict[str, str]) -> dict:
    """What pip would install, offline: the project's metadata is built, nothing is downloaded or installed."""
    out = run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index", "--no-build-isolation",
               "--quiet", "--report", "-", *requirement], cwd=REPO_ROOT, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def check_pip(c: Ctx, ln: Line) -> None:
    args = ln.words[2:]
    if args == ["-e", "."]:
        (item,) = pip_dry_run(["-e", str(REPO_ROOT)], c.r.base_env)["install"]
        meta = item["metadata"]
        assert meta["name"] == "license-assistant"
        extras = set(re.findall(r"'\.\[(\w+)\]'", ln.comment))  # add '.[dev]' ..., '.[llm]' ...
        assert extras and extras <= set(meta.get("provides_extra", [])), (extras, meta.get("provides_extra"))
        return
    from packaging.requirements import Requirement

    (req,) = args
    parsed = Requirement(req)
    hook = yaml.safe_load(block("yaml: # .pre-commit-config.yaml").text)["repos"][0]
    assert parsed.url == substitute(f"git+{hook['repo']}@{hook['rev']}", c)[0], "the release the hook pins"
    # the same requirement with this checkout in place of the repository: its name must be the project's
    (item,) = pip_dry_run([f"{parsed.name} @ {REPO_ROOT.as_uri()}"], c.r.base_env)["install"]
    assert item["metadata"]["name"] == parsed.name == "license-assistant"


def check_cli(c: Ctx, ln: Line) -> None:
    from assistant.cli import _settings, build_parser

    argv = ln.words[1:]
    args = build_parser().parse_args(argv)
    if args.command == "index" and args.all:
        # parsed only: the whole LicenseDB takes over an hour to embed; the parse gives the scope it would build
        assert _settings(args).scope == "all"
        return
    if args.command == "mcp":
        assert mcp_tools(c.r, executable("license-assistant") + argv, ln.env) >= MCP_TOOLS
        return
    out = run(executable("license-assistant") + argv, cwd=c.project if args.command == "scan" else REPO_ROOT,
              env=ln.env)
    assert out.returncode == (SCAN_FAILS if args.command == "scan" else 0), (ln.code, out.stderr[-2000:])
    CLI_CHECKS[args.command](c, ln, args, out)


def _index(c: Ctx, ln: Line, args, out) -> None:
    m = re.fullmatch(r"Index ready in [\d.]+ s: (\d+) clauses from \d+ documents \(default scope, .*\) at (\S+)\n",
                     out.stdout)
    assert m and int(m.group(1)) > 1000, out.stdout
    if ln.env[ENV_HOME] == str(TEST_HOME):  # "reused at once when nothing changed": the same build, not a new one
        assert Path(m.group(2)) == c.r.index_folder
    else:  # against the Chroma server, in the home it was given
        assert "CHROMA_HOST" in ln.env and Path(m.group(2)).is_relative_to(ln.env[ENV_HOME])
    if args.quiet:
        assert "%|" not in out.stderr  # no progress bar


def _search(c: Ctx, ln: Line, args, out) -> None:
    hits = re.findall(r"^(\d+)\. .* \[([\w.-]+)\] §", out.stdout, re.M)
    assert [int(n) for n, _ in hits] == list(range(1, args.k + 1)), out.stdout
    assert {key for _, key in hits} == set(args.license) and "700 million" in out.stdout


def _ask(c: Ctx, ln: Line, args, out) -> None:
    if getattr(args, "license_file", None):  # answered from the user's copy (the fixture's MIT text), quoted from it
        text = Path(args.license_file).read_text(encoding="utf-8")
        assert out.stdout.startswith("**Verdict: Yes**") and "(your copy)" in out.stdout, out.stdout
        quotes = [q[2:] for q in out.stdout.splitlines() if q.startswith("> ") and len(q) > 20]
        assert quotes and all(" ".join(q.split()) in " ".join(text.split()) for q in quotes), quotes
    elif args.json:
        answer = json.loads(out.stdout)
        assert answer["verdict"] and answer["citations"] and answer["models"], answer
    else:
        assert out.stdout.startswith("**Verdict: ") and "Gemma" in out.stdout, out.stdout


def _identify(c: Ctx, ln: Line, args, out) -> None:
    assert out.stdout.startswith("License identified: MIT License (mit)"), out.stdout


def _scan(c: Ctx, ln: Line, args, out) -> None:
    if args.format == "json":
        rows = {row["model"]: row for row in json.loads(out.stdout)}
        reranker = rows["acme-internal/secret-reranker-v2"]  # on the policy's allow list: reported, never failed
        assert reranker["verdict"] == "unknown" and reranker["allowed_by_policy"] and reranker["status"] == "pass"
        assert rows["black-forest-labs/FLUX.1-dev"]["status"] == "fail"
        from assistant.cli import build_parser

        scan_parser = build_parser()._subparsers._group_actions[0].choices["scan"]
        assert {"markdown", "cyclonedx"} <= set(scan_parser._option_string_actions["--format"].choices)  # "also:"
    elif args.format == "cyclonedx":
        bom = json.loads((c.project / args.output).read_text())
        assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6"  # "a CycloneDX 1.6 ML-BOM"
        names = {comp["name"] for comp in bom["components"]}
        assert {"acme/cached-classifier", "mistralai/Mistral-7B-v0.1"} <= names  # the HF cache and the project
    elif args.format == "markdown":
        text = (c.project / args.output).read_text()
        assert text.startswith("# Models found") and "black-forest-labs/FLUX.1-dev" in text
    else:
        assert "status  verdict" in out.stdout and "failing the policy" in out.stdout


CLI_CHECKS = {"index": _index, "search": _search, "ask": _ask, "identify": _identify, "scan": _scan}


def check_eval(c: Ctx, ln: Line) -> None:
    argv = ln.words[1:]
    if "--report" in argv:
        report = Path(argv[argv.index("--report") + 1])
    else:  # the default, eval/report/, is in the checkout: written elsewhere here
        from eval.__main__ import DEFAULT_REPORT

        assert DEFAULT_REPORT == REPO_ROOT / "eval" / "report"
        report = c.r.fresh("eval-report")
        argv += ["--report", str(report)]
    # three questions per set: the full sets are scored, and gated, by tests/test_eval_gate.py
    out = run([sys.executable, *argv, "--limit", "3", "--no-progress"], cwd=REPO_ROOT, env=ln.env)
    assert out.returncode == 0, out.stderr[-2000:]
    metrics = json.loads((report / "metrics.json").read_text())
    assert (report / "report.md").is_file()
    if "--questions" in argv:
        assert metrics["n_questions"] == 3
    else:  # the dev, held-out and invariance sets side by side
        assert set(metrics["splits"]) == {"dev", "heldout", "invariance"} and "heldout" in out.stdout


def start_app(c: Ctx, ln: Line) -> tuple[subprocess.Popen, str]:
    """`python app.py [--port N]`, from the checkout; without --port, on the documented variable's port."""
    env = dict(ln.env)
    if "--port" in ln.words:
        port = int(ln.words[ln.words.index("--port") + 1])
    else:
        port = free_port()
        env["LICENSE_ASSISTANT_PORT"] = str(port)  # in place of 7860, which another process may hold
    proc = start(c.r, executable("python") + ln.words[1:], cwd=REPO_ROOT, env=env, log="app")
    return proc, f"http://127.0.0.1:{port}/"


def check_chroma(c: Ctx, ln: Line) -> None:
    import chromadb

    port = int(ln.words[ln.words.index("--port") + 1])
    proc = start(c.r, executable("chroma") + ln.words[1:], cwd=c.r.tmp, env=ln.env, log="chroma")
    deadline = time.monotonic() + 60
    while True:  # left running for steps 2 and 3; stopped with the module
        assert proc.poll() is None, "chroma run exited"
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            return
        except Exception:
            assert time.monotonic() < deadline, "chroma run did not answer"
            time.sleep(0.3)


def mcp_tools(r: Readme, argv: list[str], env: dict[str, str]) -> set[str]:
    """Start the MCP server as a client does, initialize over stdio, list its tools, stop it (once per command)."""

    def session() -> set[str]:
        import anyio
        from mcp import ClientSession, StdioServerParameters
        from mcp.client.stdio import stdio_client

        async def tools() -> set[str]:
            params = StdioServerParameters(command=argv[0], args=argv[1:], env=env, cwd=str(r.tmp))
            with anyio.fail_after(TIMEOUT):
                async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
                    await s.initialize()
                    return {t.name for t in (await s.list_tools()).tools}

        return anyio.run(tools)

    return r.once(("mcp", tuple(argv), env.get(ENV_HOME)), session)


# --------------------------------------------------------------------------------------------------- python


HARNESS = r"""
import ast, contextlib, io, json, sys
source = open(sys.argv[1], encoding="utf-8").read()
probes = json.loads(sys.argv[2])
ns = {"__name__": "__main__"}

def plain(value):
    def default(o):
        if hasattr(o, "to_dict"):
            return o.to_dict()
        from dataclasses import asdict, is_dataclass
        return asdict(o) if is_dataclass(o) else repr(o)
    return json.loads(json.dumps(value, default=default))

def json_ready(value):
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False

results = []
for stmt in ast.parse(source).body:  # statement by statement, as typed at a prompt
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        if isinstance(stmt, ast.Expr):
            value = eval(compile(ast.Expression(stmt.value), "<readme>", "eval"), ns)
        else:
            exec(compile(ast.Module([stmt], []), "<readme>", "exec"), ns)
            value = None
    results.append({"line": stmt.end_lineno, "expr": isinstance(stmt, ast.Expr), "value": plain(value),
                    "json_ready": json_ready(value), "stdout": buf.getvalue()})
print(json.dumps({"results": results, "probes": {p: plain(eval(p, ns)) for p in probes}}))
"""

#: Values read after the block ran, for the checks of the comments that describe rather than show a value.
PROBES = ["a.citations[0].license_key", "a.citations[0].start", "a.citations[0].end", "a.verdict", "a.notes"]


def _quote(value, stdout, probes, ready) -> None:
    from assistant.licensedb import load_license

    text = load_license(probes["a.citations[0].license_key"]).text
    assert value and text[probes["a.citations[0].start"]:probes["a.citations[0].end"]] == value


def _checklist(value, stdout, probes, ready) -> None:
    assert value and all(set(item) == {"text", "license_key", "sections", "status"} for item in value), value


def _situation(value, stdout, probes, ready) -> None:
    # acts (none stated besides the use itself), context (commercial), figures (the 900M users), kind of question
    assert value["acts"] == [] and value["commercial"] is True and value["kind"] == "permission", value
    assert any(f["value"] == 900_000_000 for f in value["figures"]), value["figures"]


def _markdown(value, stdout, probes, ready) -> None:
    from assistant.answer import VERDICT_LABELS

    assert stdout.startswith(f"**Verdict: {VERDICT_LABELS[probes['a.verdict']]}**")  # the verdict
    why, clauses = stdout.split("**Deciding clauses**")
    assert "700 million" in why and "§2" in clauses  # why, then the deciding clauses
    assert ("**Notes**" in stdout) == bool(probes["a.notes"])  # the notes, when the answer has some
    assert re.search(r"^\*As of: .*\d{4}-\d{2}-\d{2}", stdout, re.M)  # the "as of" stamp: the license's date


def _json_ready(value, stdout, probes, ready) -> None:
    assert ready and value["verdict"] == probes["a.verdict"] and value["citations"]


MIT_COPY = FIXTURE_REPO / "models" / "local-classifier" / "LICENSE"


def _your_copy(value, stdout, probes, ready) -> None:
    text = " ".join(MIT_COPY.read_text(encoding="utf-8").split())
    quotes = [" ".join(c["quote"].split()) for c in value["citations"]]
    assert value["verdict"] == "yes" and quotes and all(q in text for q in quotes), value


DESCRIBED: dict[str, Callable] = {
    "your copy, quoted from it": _your_copy,
    "the clause, exactly as in the license text": _quote,
    "what you must do here: [{'text', 'license_key', 'sections', 'status'}, ...]": _checklist,
    "how the question was read: acts, context, figures, kind of question": _situation,
    'verdict, why, deciding clauses, notes, "as of" stamp': _markdown,
    "JSON-ready": _json_ready,
}


def line_comments(source: str) -> dict[int, str]:
    return {
        tok.start[0]: tok.string.lstrip("#").strip()
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    }


def check_python(c: Ctx) -> None:
    b = c.block
    path = c.r.fresh("python") / "readme.py"
    path.write_text(b.text, encoding="utf-8")
    # the block's placeholder path, relative to where it runs: the fixture's MIT license text
    copy = path.parent / "path" / "to" / "LICENSE"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(MIT_COPY.read_text(encoding="utf-8"), encoding="utf-8")
    out = run([sys.executable, "-c", HARNESS, str(path), json.dumps(PROBES)], cwd=path.parent, env=c.r.env())
    assert out.returncode == 0, out.stderr[-3000:]
    ran = json.loads(out.stdout.strip().splitlines()[-1])
    by_line = {res["line"]: res for res in ran["results"]}
    comments = line_comments(b.text)
    assert len(comments) >= 7, "the block shows its values in comments"
    for line, comment in comments.items():
        where = f"README line {b.line + line}"
        res = by_line.get(line)
        assert res and res["expr"], f"{where}: a comment on a statement that is not an expression"
        try:
            shown = ast.literal_eval(comment)
        except (ValueError, SyntaxError):
            assert comment in DESCRIBED, f"{where}: no check for the comment {comment!r}"
            DESCRIBED[comment](res["value"], res["stdout"], ran["probes"], res["json_ready"])
        else:
            assert res["value"] == shown, f"{where}: the value is {res['value']!r}, not {shown!r}"


# --------------------------------------------------------------------------------------------------- the rest


def check_policy_yaml(c: Ctx) -> None:
    from assistant.policy import PolicyError, load_policy

    assert isinstance(yaml.safe_load(c.block.text), dict)
    path = c.r.fresh("policy") / ".license-policy.yaml"
    path.write_text(c.block.text, encoding="utf-8")
    p = load_policy(path)
    assert (p.use, p.mau, p.revenue, p.region) == ("commercial", 2_000_000, 5_000_000, "EU")
    assert p.distribute == ["weights", "service"] and p.fine_tune and not p.train_on_outputs
    assert p.fail_on == ["no", "unknown"] and p.allow == ["acme-internal/secret-reranker-v2"]
    # the values the comments list are accepted, each one
    for key, listed in re.findall(r"^(\w+): .*# ((?:\w+ \| )+\w+)$", c.block.text, re.M):
        for v in listed.split(" | "):
            path.write_text(f"{key}: [{v}]\n" if key == "distribute" else f"{key}: {v}\n")
            assert v in str(getattr(load_policy(path), key))
    path.write_text("fail_on: [no, unknown, conditional, not_addressed]\n")  # "add conditional (or not_addressed)"
    assert load_policy(path).fail_on == ["no", "unknown", "conditional", "not_addressed"]
    for bad in ("use: commercial\nusers: 2M\n", "use: resale\n"):  # "an unknown key or value is refused"
        path.write_text(bad)
        with pytest.raises(PolicyError) as err:
            load_policy(path)
        assert "\n" not in str(err.value)


def check_precommit_yaml(c: Ctx) -> None:
    config = yaml.safe_load(c.block.text)
    hooks = {h["id"]: h for h in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())}
    (repo,) = config["repos"]
    assert re.fullmatch(r"https://github\.com/<you>/license-assistant", repo["repo"])
    version = re.search(r'^version = "(.+)"$', (REPO_ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert repo["rev"] == f"v{version}"
    runs = re.search(r"# runs: (.*)$", c.block.text, re.M).group(1).strip()
    for hook in repo["hooks"]:
        assert hook["id"] in hooks and hooks[hook["id"]]["entry"] == runs
    # what the hook runs starts a line of the scan block, which runs for real
    assert any(ln.startswith(runs + " ") for ln in logical_lines(block("bash: " + SCAN_BLOCK).text))


def check_ci_yaml(c: Ctx) -> None:
    steps = yaml.safe_load(c.block.text)
    assert isinstance(steps, list) and all("run" in s for s in steps)
    env = c.r.env()
    summary = c.r.fresh("ci") / "step-summary.md"
    env["GITHUB_STEP_SUMMARY"] = str(summary)
    for step in steps:  # one after the other in the job's checkout (c.project), as a runner does
        if step["run"].startswith("cat "):
            assert step.get("if") == "always()"  # the scan step fails the job when a model fails: still shown
            out = run(["bash", "-c", step["run"]], cwd=c.project, env=env, timeout=60)
            assert out.returncode == 0, out.stderr
            assert summary.read_text().startswith("# Models found")
            continue
        apps: list = []
        for ln in parse_line(c, step["run"], env):
            run_line(c, ln, env, apps)
        assert not apps


def check_json(c: Ctx) -> None:
    data = json.loads(c.block.text)
    if "mcpServers" in data:  # Claude Desktop
        server = data["mcpServers"]["license-assistant"]
        assert set(server["env"]) == {ENV_HOME}
        env = {**c.r.env(), **{k: substitute(v, c)[0] for k, v in server["env"].items()}}
    else:  # VS Code
        server = data["servers"]["license-assistant"]
        assert server["type"] == "stdio"
        env = c.r.env()
    assert mcp_tools(c.r, executable(server["command"]) + server["args"], env) >= MCP_TOOLS


def check_nginx(c: Ctx) -> None:
    text = c.block.text
    app_ports = re.findall(r"^python app\.py --port (\d+) &$", block("bash: " + APPS_BLOCK).text, re.M)
    upstream = re.findall(r"^\s*server 127\.0\.0\.1:(\d+);", text, re.M)
    assert upstream == app_ports and len(app_ports) == 3  # the proxy points at the app processes of step 3
    assert re.search(r"^\s*ip_hash;", text, re.M) and re.search(r"^\s*proxy_buffering off;", text, re.M)
    # "the app refuses uploads over 1 MB (and reads at most 200 KB)": the limits set in assistant/ui.py
    ui = ast.parse((REPO_ROOT / "assistant" / "ui.py").read_text())
    consts = {n.targets[0].id: n.value.value for n in ui.body if isinstance(n, ast.Assign)
              and isinstance(n.targets[0], ast.Name) and isinstance(n.value, ast.Constant)}
    launch = {k.arg: k.value.value for n in ast.walk(ui) if isinstance(n, ast.Call)
              and getattr(n.func, "attr", "") == "launch" for k in n.keywords if isinstance(k.value, ast.Constant)}
    assert consts["MAX_UPLOAD_BYTES"] == 200_000 and launch["max_file_size"] == "1mb"
    assert re.search(r"^\s*client_max_body_size 1m;", text, re.M)


def check_scan_report(c: Ctx) -> None:
    """The report's first lines, up to `...`: exactly what the scan block's first line prints on the project."""
    (ln,) = parse_line(c, logical_lines(block("bash: " + SCAN_BLOCK).text)[0], c.r.env())
    out = run(executable("license-assistant") + ln.words[1:], cwd=c.project, env=ln.env)
    assert out.returncode == SCAN_FAILS, out.stderr[-2000:]
    shown = c.block.text.splitlines()
    assert shown[-1] == "...", "the README shows the start of the report"
    assert out.stdout.splitlines()[: len(shown) - 1] == shown[:-1]
    assert len(re.findall(r"^(PASS|FAIL) ", c.block.text, re.M)) == SCAN_MODELS


SCAN_BLOCK = (
    "license-assistant scan . --use commercial --mau 2M --region EU --distribute weights,service --train-on-outputs"
)
SCAN_MODELS = 7  # every model of SCANNED_FILES is a row of the README's report
CHROMA_BLOCK = "chroma run --host 127.0.0.1 --port 8000 --path /srv/license-assistant/chroma"
SERVER_INDEX_BLOCK = "CHROMA_HOST=127.0.0.1 CHROMA_PORT=8000 LICENSE_ASSISTANT_HOME=/srv/license-assistant/home \\"
APPS_BLOCK = "export CHROMA_HOST=127.0.0.1 CHROMA_PORT=8000 LICENSE_ASSISTANT_HOME=/srv/license-assistant/home"

#: One check per fenced block, by the block's language and first line. A block that is not here fails.
CHECKS: dict[str, Callable[[Ctx], None]] = {
    "bash: make run     # sets up .venv, serves the chat on http://127.0.0.1:7860 (the index builds in the "
    "background if needed)": check_shell,
    "bash: python3 -m venv .venv && . .venv/bin/activate": check_shell,
    "python: from assistant import ask": check_python,
    "bash: license-assistant search \"monthly active users greater than 700 million\" --license "
    "llama-3.1-license-2024 -k 3": check_shell,
    "bash: python -m eval                                    # scores the dev, held-out and invariance sets, "
    "writes eval/report/": check_shell,
    "bash: " + SCAN_BLOCK: check_shell,
    "plain: Use profile: commercial, 2 million MAU, EU, distributes weights, distributes service, trains on outputs":
        check_scan_report,
    "yaml: # .license-policy.yaml": check_policy_yaml,
    "yaml: # .pre-commit-config.yaml": check_precommit_yaml,
    "yaml: - run: pip install \"license-assistant @ git+https://github.com/<you>/license-assistant@v0.1.0\" && "
    "license-assistant index --quiet": check_ci_yaml,
    "json: {": check_json,  # Claude Desktop's and VS Code's MCP configurations
    "bash: " + CHROMA_BLOCK: check_shell,
    "bash: " + SERVER_INDEX_BLOCK: check_shell,
    "bash: " + APPS_BLOCK: check_shell,
    "nginx: upstream license_assistant {": check_nginx,
}
#: How many blocks share a key, when more than one.
SAME_KEY = {"json: {": 2}
#: The longest checks start first, so the three threads finish together.
SLOW_FIRST = {"bash: " + APPS_BLOCK: 0, next(k for k in CHECKS if "-m eval" in k): 1,
              next(k for k in CHECKS if "search" in k): 2}


def test_every_fenced_block_has_exactly_one_check():
    keys = [b.key for b in BLOCKS]
    assert sorted(set(keys) - set(CHECKS)) == [], "README blocks without a check"
    assert sorted(set(CHECKS) - set(keys)) == [], "checks for blocks the README no longer has"
    assert {k: keys.count(k) for k in CHECKS} == {k: SAME_KEY.get(k, 1) for k in CHECKS}
    fences = [ln for ln in README.read_text().splitlines() if ln.startswith("```")]
    assert len(BLOCKS) == sum(SAME_KEY.get(k, 1) for k in CHECKS) == len(fences) // 2 and len(fences) % 2 == 0


def test_every_placeholder_is_mapped():
    used = {m.group(0) for b in BLOCKS for m in PLACEHOLDER_LIKE.finditer(b.text)}
    assert used, "the README's snippets use placeholders"
    assert sorted(used - set(PLACEHOLDERS)) == [], "placeholders without a mapping"


@pytest.mark.parametrize("b", BLOCKS, ids=[f"line{b.line}-{b.lang or 'plain'}" for b in BLOCKS])
def test_readme_block(outcomes, b):
    assert b.key in CHECKS, f"README line {b.line}: no check for the block {b.key!r}"
    outcomes[b.line].result()  # the block's own check, with its assertion message


def test_the_pipeline_map_names_real_modules():
    """The indented map under "How an answer is made": every module and corpus path it names exists."""
    section = README.read_text().split("## How an answer is made", 1)[1].split("\n## ", 1)[0]
    names = set(re.findall(r"\b([a-z_]+\.py)\b", section))
    assert len(names) > 10
    assert sorted(n for n in names if not (REPO_ROOT / "assistant" / n).is_file()) == []
    for path in re.findall(r"corpus/[\w/.<>-]+", section):
        assert (REPO_ROOT / path.split("<")[0]).exists(), path


def test_the_python_api_prose_matches_the_signatures():
    """`Assistant(settings=..., llm=...)`, `history=[...]`, `licenses=[...]`, `search(query, licenses=[...], k=5)`,
    `as_retriever`: the names and parameters the README gives."""
    import inspect

    from assistant import Assistant, as_retriever, ask, search

    assert {"settings", "llm"} <= set(inspect.signature(Assistant).parameters)
    assert {"history", "licenses"} <= set(inspect.signature(ask).parameters)
    params = inspect.signature(search).parameters
    assert list(params)[:3] == ["query", "licenses", "k"] and params["k"].default == 5
    assert callable(as_retriever)
