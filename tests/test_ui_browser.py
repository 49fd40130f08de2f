"""The browser chat, driven in a real Chromium: verdict badges, quoted clauses, follow-ups, Compare, the scope
picker, escaping of HTML and the input limit. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT
from tests.conftest import free_port, stop_process

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
ANSWER_TIMEOUT_MS = 90_000


class AppProcess:
    """`python app.py` on a free loopback port, using the test index home."""

    def __init__(self, home: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"app-{self.port}.log"
        env = {
            **os.environ,
            "LICENSE_ASSISTANT_HOME": str(home),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "HF_HUB_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
        }
        for var in ("CHROMA_HOST", "CHROMA_PORT", "LICENSE_ASSISTANT_HOST", "GRADIO_SERVER_NAME"):
            env.pop(var, None)
        self.log = open(self.log_path, "wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "app.py"), "--port", str(self.port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_http(self, timeout: float = 60) -> float:
        """Seconds from start until the page is served."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - self.started
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the page was not served within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        stop_process(self.proc)
        self.log.close()


class RunningApp:
    """An app already running at LICENSE_ASSISTANT_TEST_URL, to rerun the browser tests quickly."""

    def __init__(self, url: str):
        self.url = url.rstrip("/") + "/"
        self.started = time.monotonic()
        self.page_seconds = 0.0


@pytest.fixture(scope="module")
def app(settings):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: run `bash scripts/install-chromium.sh`")
    pytest.importorskip("playwright")
    if os.environ.get("LICENSE_ASSISTANT_TEST_URL"):
        yield RunningApp(os.environ["LICENSE_ASSISTANT_TEST_URL"])
        return
    from assistant.index import open_index

    open_index(settings, progress=False)  # the app reuses the test index; a build here is outside the timings
    proc = AppProcess(settings.home)
    try:
        proc.page_seconds = proc.wait_http()
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def page(app):
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1200},
        )
        pg = ctx.new_page()
        pg.goto(app.url)
        pg.locator("#status").get_by_text("Ready:").wait_for(timeout=120_000)
        app.ready_seconds = time.monotonic() - app.started
        yield pg
        ctx.close()
    shutil.rmtree(profile, ignore_errors=True)


def shot(page, name: str) -> None:
    """A screenshot of the page, the chat scrolled to the last question (so its answer reads from the top).

    The viewport is tall enough for the whole page: a full-page capture resizes it, and the chat then scrolls
    itself back to the bottom."""
    page.wait_for_timeout(300)  # let the chat finish its own scrolling first
    page.evaluate(
        """() => {
          const log = document.querySelector('#chatbot [role=log]');
          const qs = document.querySelectorAll('#chatbot [data-testid=user]');
          if (log && qs.length) {
            const q = qs[qs.length - 1];
            log.scrollTop += q.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
          }
          window.scrollTo(0, 0);
        }"""
    )
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def bot_messages(page):
    return page.locator("#chatbot .message.bot, #chatbot [data-testid='bot']")


def ask(page, question: str, expect_answer: bool = True):
    """Type a question, press Ask, and wait until the streamed answer is complete (its footer appears)."""
    feet = page.locator("#chatbot .answer-foot")
    before = feet.count()
    bots_before = bot_messages(page).count()
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    if expect_answer:
        feet.nth(before).wait_for(timeout=ANSWER_TIMEOUT_MS)
    else:
        bot_messages(page).nth(bots_before).wait_for(timeout=ANSWER_TIMEOUT_MS)
    idle(page, "chatbot")
    return bot_messages(page).last


def idle(page, elem_id: str) -> None:
    """Wait until Gradio marks the component as done (its progress overlay is hidden again)."""
    page.wait_for_function(
        "id => { const t = document.querySelector(`#${id} [data-testid=status-tracker]`);"
        " return !t || t.classList.contains('hide'); }",
        arg=elem_id,
        timeout=ANSWER_TIMEOUT_MS,
    )


def pick(page, elem_id: str, text: str) -> None:
    """Choose an option in a Gradio dropdown by typing to filter it and clicking the match."""
    box = page.locator(f"#{elem_id} input").first
    box.click()
    box.fill("")
    box.press_sequentially(text[-12:])  # typing (not filling) is what makes the list filter
    page.get_by_role("option", name=text).first.click()
    box.blur()  # a multiselect keeps its list open; leaving the box closes it


def test_chat_in_a_browser(app, page):
    t0 = time.monotonic()
    msg = ask(page, "Can we use Llama 3.1 commercially with 900M monthly users?")
    first_answer = time.monotonic() - t0
    badge = msg.locator(".verdict-badge")
    assert badge.inner_text().strip() == "No"
    clause = msg.locator("details.clause", has_text="§2").first
    assert clause.is_visible()
    assert "700 million monthly active users" in clause.locator("blockquote").inner_text()
    assert clause.locator("a", has_text="source").get_attribute("href").startswith("https://")
    assert "not legal advice" in msg.inner_text()
    shot(page, "chat-llama-verdict")

    # "Copy quote" puts the verbatim clause on the clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app.url.rstrip("/"))
    clause.locator("button.copy-quote").click()
    clause.get_by_text("Copied").wait_for(timeout=5_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "700 million monthly active users" in copied
    assert copied == clause.locator("blockquote").inner_text()
    (ARTIFACTS / "ui-timings.json").write_text(
        json.dumps(
            {
                "page_served_s": round(app.page_seconds, 2),
                "ready_s": round(app.ready_seconds, 2),
                "first_answer_s": round(first_answer, 2),
            },
            indent=2,
        )
    )

    # A follow-up keeps the facet from the earlier turn and answers about the newly named model.
    msg = ask(page, "and Gemma?")
    assert msg.locator(".verdict-badge").count() == 1
    assert "Gemma" in msg.locator("details.clause > summary").first.inner_text()
    assert "Llama" not in msg.locator("details.clause > summary").first.inner_text()
    shot(page, "chat-follow-up-gemma")

    # The export button offers the last answer as Markdown.
    with page.expect_download() as dl:
        page.locator("#export").click()
    exported = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "Gemma" in exported and "Verdict" in exported

    # HTML typed by a user is shown as text, never run.
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ask(page, "<script>alert(1)</script>", expect_answer=False)
    page.wait_for_timeout(500)
    assert page.locator("#chatbot").get_by_text("<script>alert(1)</script>").count() >= 1
    assert page.locator("#chatbot script").count() == 0
    assert dialogs == []
    shot(page, "chat-html-shown-as-text")

    # Over-long input gets a message, not a crash.
    msg = ask(page, "x" * 3000, expect_answer=False)
    page.get_by_text("the limit is 2,000").wait_for(timeout=10_000)
    shot(page, "chat-input-limit")

    page.locator("#clear").click()
    page.wait_for_timeout(300)
    assert page.locator("#chatbot .answer-foot").count() == 0


def test_scope_picker_makes_this_model_the_picked_one(app, page):
    page.get_by_role("tab", name="Chat").click()
    pick(page, "scope", "Model: Gemma 2")
    msg = ask(page, "Can I use this model commercially?")
    text = msg.inner_text()
    assert msg.locator(".verdict-badge").count() == 1
    assert "Gemma" in text
    assert "Llama" not in text
    shot(page, "chat-scoped-to-model")
    pick(page, "scope", "Any (the question names it)")


def test_example_questions_can_be_clicked(app, page):
    page.get_by_role("tab", name="Chat").click()
    feet = page.locator("#chatbot .answer-foot").count()
    page.locator("#examples").get_by_text("What attribution does Apache-2.0 require?").click()
    page.locator("#chatbot .answer-foot").nth(feet).wait_for(timeout=ANSWER_TIMEOUT_MS)
    idle(page, "chatbot")
    assert "Apache" in bot_messages(page).last.inner_text()


def test_compare_view(app, page):
    page.get_by_role("tab", name="Compare").click()
    pick(page, "compare-subjects", "License: Llama 3.1")
    pick(page, "compare-subjects", "License: Apache")
    page.locator("#compare-button").click()
    table = page.locator("#compare-table")
    table.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => { const t = document.querySelector('#compare-table');"
        " return t && !t.innerText.includes('…'); }",
        timeout=ANSWER_TIMEOUT_MS,
    )
    idle(page, "compare-out")
    headers = table.locator("tr").first.inner_text()
    assert "Llama 3.1" in headers and "Apache" in headers
    assert table.locator(".verdict-badge").count() >= 4
    assert table.locator("details.clause blockquote").count() >= 2
    for summary in table.locator("tr").nth(1).locator("details.clause > summary").all():
        summary.click()  # open the first row's clauses for the screenshot
    assert "§" in table.locator("tr").nth(1).inner_text()
    shot(page, "compare")


def test_identify_a_pasted_license_then_ask_about_it(app, page):
    from assistant.licensedb import load_license

    page.get_by_role("tab", name="Identify").click()
    page.locator("#identify-text textarea").fill(load_license("apache-2.0").text)
    page.locator("#identify-button").click()
    table = page.locator("#identify-table")
    table.wait_for(timeout=180_000)  # the first use in a process loads ScanCode's detection index
    idle(page, "identify-out")
    assert "Apache License 2.0" in table.inner_text() and "apache-2.0" in table.inner_text()
    shot(page, "identify")
    page.locator("#ask-about").click()
    page.get_by_role("tab", name="Chat", selected=True).wait_for(timeout=10_000)
    assert "Apache License 2.0" in page.locator("#scope input").first.input_value()
    msg = ask(page, page.locator("#question textarea").input_value())
    assert "Apache" in msg.inner_text() and msg.locator("details.clause").count() >= 1
    assert "Apache License 2.0 (your copy)" in msg.locator("details.clause summary").first.inner_text()
    pick(page, "scope", "Any (the question names it)")

    # An upload over the cap is refused with the reason, before any detection runs.
    page.get_by_role("tab", name="Identify").click()
    big = ARTIFACTS / "too-big-LICENSE"
    big.write_text("Permission is hereby granted. " * 8000)
    page.locator("#identify-file input[type=file]").set_input_files(str(big))
    page.locator("#identify-file").get_by_text("too-big-LICENSE").wait_for(timeout=10_000)
    page.locator("#identify-button").click()
    page.locator("#identify-out").get_by_text("the limit is 200,000 bytes").wait_for(timeout=10_000)


def test_sources_panel(app, page):
    page.get_by_role("tab", name="Sources").click()
    text = page.locator("#sources").inner_text()
    assert "LicenseDB" in text and "not legal advice" in text
    shot(page, "sources")
