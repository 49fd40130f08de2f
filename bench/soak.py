"""Soak the assistant with concurrent questions, through the app's HTTP API and through the Python API.

    python bench/soak.py                         # starts app.py on a free 127.0.0.1 port, then both phases
    python bench/soak.py --url http://127.0.0.1:7860/ --app-pid PID   # an app that is already running
    python bench/soak.py --clients 8 --questions 50 --max-seconds 900 --home DIR --json out.json

Loopback only, bounded in count (clients x questions per phase) and in time (--max-seconds per phase). Reports
errors, p50/p95 latency, peak RSS of the process that answers, and its memory growth from the first hundred answers
to the last hundred (target below 10%).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

QUESTIONS = [
    "Can we use Llama 3.1 commercially with 900M monthly users?",
    "Can we use Llama 3.1 commercially with 650M monthly users?",
    "Can I use Gemma outputs to train another model?",
    "Can I fine-tune Qwen2.5 and sell access to it?",
    "Is Mistral 7B open source under the OSI definition?",
    "What attribution does Apache-2.0 require?",
    "Can I use a model under CC-BY-NC-4.0 commercially?",
    "Does the MIT license grant a patent license?",
    "Compare Llama 3.1 and Gemma 2 on commercial use",
    "Can I use Stable Diffusion 3.5 with $800k annual revenue?",
    "Is Falcon-180B allowed for hosting as a service?",
    "What does the OSAID require for training data?",
    "Can I redistribute the weights of BLOOM?",
    "Is DeepSeek-R1 under the MIT license?",
    "and Gemma 2?",
    "Can I use FooBarLM-9000 commercially?",
]
FRIENDLY_ERROR = "something went wrong"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process (psutil when installed, else /proc), in MB; 0 when unknown."""
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 1e6
    except ImportError:
        pass
    except Exception:
        return 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return 0.0


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_at: list[tuple[int, float]] = field(default_factory=list)  # (answers done, RSS MB) after each answer
    peak_rss_mb: float = 0.0
    seconds: float = 0.0
    stopped_early: bool = False

    def summary(self) -> dict:
        lat = sorted(self.latencies)
        pct = (lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000)) if lat else (lambda p: None)
        first = [r for n, r in self.rss_at if n <= 100]
        last = [r for n, r in self.rss_at if n > len(self.rss_at) - 100]
        growth = None
        if len(self.rss_at) >= 200 and first and last:
            growth = round(100 * (statistics.mean(last) - statistics.mean(first)) / statistics.mean(first), 1)
        return {
            "phase": self.name,
            "answers": len(self.latencies),
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "max_ms": round(lat[-1] * 1000) if lat else None,
            "throughput_per_s": round(len(lat) / self.seconds, 2) if self.seconds else None,
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "rss_first_100_mb": round(statistics.mean(first), 1) if first else None,
            "rss_last_100_mb": round(statistics.mean(last), 1) if last else None,
            "growth_pct": growth,
            "seconds": round(self.seconds, 1),
            "stopped_early": self.stopped_early,
        }


def run_phase(phase: Phase, workers: int, per_worker: int, max_seconds: float, pid: int, make_asker) -> Phase:
    """`workers` threads, each asking `per_worker` questions with its own asker; stops issuing at the deadline."""
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds
    stop_sampling = threading.Event()

    def sample() -> None:  # the peak between answers, not only at answer boundaries
        while not stop_sampling.wait(0.25):
            phase.peak_rss_mb = max(phase.peak_rss_mb, rss_mb(pid))

    def worker(w: int) -> None:
        try:
            ask = make_asker()
        except Exception as exc:
            with lock:
                phase.errors.append(f"worker {w} could not start: {type(exc).__name__}: {exc}")
            return
        for i in range(per_worker):
            if time.monotonic() > deadline:
                phase.stopped_early = True
                return
            q = QUESTIONS[(w * 7 + i) % len(QUESTIONS)]
            t0 = time.perf_counter()
            try:
                problem = ask(q)
            except Exception as exc:
                problem = f"{type(exc).__name__}: {str(exc)[:200]}"
            took = time.perf_counter() - t0
            with lock:
                phase.latencies.append(took)
                if problem:
                    phase.errors.append(f"{q!r}: {problem}")
                phase.rss_at.append((len(phase.latencies), rss_mb(pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, deadline - time.monotonic() + 120))  # a stuck request gets two minutes past the deadline
    phase.seconds = time.monotonic() - t0
    stop_sampling.set()
    phase.peak_rss_mb = max([phase.peak_rss_mb] + [r for _, r in phase.rss_at])
    return phase


# -- the app over HTTP ---------------------------------------------------------------------------------------------
class App:
    """`python app.py` on a free loopback port (nothing else is ever contacted)."""

    def __init__(self, home: str | None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
        if home:
            env["LICENSE_ASSISTANT_HOME"] = home
        env.pop("LICENSE_ASSISTANT_HOST", None)
        self.log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"soak-app-{self.port}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "app.py"), "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.pid = self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def wait_ready(url: str, timeout: float = 900) -> None:
    from gradio_client import Client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            c = Client(url, verbose=False, download_files=False)
            while time.monotonic() < deadline:
                if c.predict(api_name="/status")["ready"]:
                    return
                time.sleep(1)
        except Exception:
            time.sleep(1)
    raise SystemExit(f"the app at {url} did not become ready within {timeout:.0f} s")


def http_asker(url: str):
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False)

    def ask(question: str) -> str | None:
        chat, _, _ = client.predict(question, [], "", api_name="/ask")
        content = chat[-1]["content"] if chat else ""
        text = content if isinstance(content, str) else json.dumps(content)
        if FRIENDLY_ERROR in text or "still loading" in text:
            return text[:200]
        return None if "not legal advice" in text else "no complete answer: " + text[:120]

    return ask


# -- the Python API --------------------------------------------------------------------------------------------------
def python_asker_factory(home: str | None):
    from assistant.assistant import Assistant
    from assistant.citations import is_verbatim
    from assistant.config import Settings

    settings = Settings(home=Path(home)) if home else Settings()
    bot = Assistant(settings=settings, progress=False)  # one shared Assistant, as an app process holds one
    bot.ask(QUESTIONS[0])  # load the embedding model outside the timings

    def make():
        def ask(question: str) -> str | None:
            a = bot.ask(question)
            if not a.text:
                return "empty answer"
            if not all(is_verbatim(c) for c in a.citations):
                return "a citation is not verbatim"
            return None

        return ask

    return make


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="an already running app (loopback); default: start app.py on a free port")
    p.add_argument("--app-pid", type=int, help="the running app's process id, for its memory figures")
    p.add_argument("--home", help="cache directory (LICENSE_ASSISTANT_HOME) for the started app and the Python API")
    p.add_argument("--clients", type=int, default=8, help="concurrent clients / threads per phase (default 8)")
    p.add_argument("--questions", type=int, default=50, help="questions per client (default 50)")
    p.add_argument("--max-seconds", type=float, default=900, help="stop issuing questions after this, per phase")
    p.add_argument("--phases", default="http,python", help="which phases: http, python, or both (default)")
    p.add_argument("--json", help="also write the report here")
    args = p.parse_args()
    if args.url and not args.url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        raise SystemExit("--url must be a loopback address: this script only loads a local app")

    results = []
    phases = set(args.phases.split(","))
    if "http" in phases:
        app = None
        url, pid = args.url, args.app_pid or 0
        if not url:
            app = App(args.home)
            url, pid = app.url, app.pid
        try:
            t0 = time.monotonic()
            wait_ready(url)
            print(f"app ready at {url} after {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
            phase = run_phase(
                Phase("http (gradio_client)"), args.clients, args.questions, args.max_seconds, pid,
                lambda: http_asker(url),
            )
            results.append(phase.summary())
        finally:
            if app:
                app.stop()
    if "python" in phases:
        make = python_asker_factory(args.home)
        phase = run_phase(Phase("python (threads)"), args.clients, args.questions, args.max_seconds, os.getpid(), make)
        results.append(phase.summary())

    report = {"clients": args.clients, "questions_per_client": args.questions, "cpus": os.cpu_count(),
              "phases": results}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    for r in results:
        print(f"\n{r['phase']}")
        for k, v in r.items():
            if k != "phase":
                print(f"  {k:<18} {v}")
    ok = all(r["errors"] == 0 and (r["growth_pct"] is None or r["growth_pct"] < 10) for r in results)
    print("\nresult:", "OK" if ok else "ATTENTION (errors or memory growth >= 10%)")


if __name__ == "__main__":
    main()
