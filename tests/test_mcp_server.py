"""The MCP server over stdio, driven by the official SDK's client: list the tools and call each one."""

from __future__ import annotations

import json
import os
import sys

import anyio
import pytest

from assistant.config import REPO_ROOT
from tests.conftest import TEST_HOME
from tests.scan_helpers import FIXTURE_REPO
from tests.test_license_file import SYNTHETIC_MNPL

pytestmark = pytest.mark.slow

MIT_TEXT = (FIXTURE_REPO / "models" / "local-classifier" / "LICENSE").read_text()


def _data(result) -> dict:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        data = result.structured_content
        return data.get("result", data) if set(data) == {"result"} else data
    return json.loads(result.content[0].text)


async def _session_calls(settings) -> dict:
    from mcp import StdioServerParameters

    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1"}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "assistant.cli", "mcp", "--home", str(TEST_HOME)], env=env,
        cwd=str(REPO_ROOT),
    )
    out: dict = {}
    with anyio.fail_after(600):
        await _drive(params, out)
    return out


async def _drive(params, out: dict) -> None:
    from mcp import ClientSession
    from mcp.client.stdio import stdio_client

    async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
        await s.initialize()
        out["tools"] = {t.name: t for t in (await s.list_tools()).tools}
        out["ask"] = _data(await s.call_tool(
            "ask", {"question": "Can we use Llama 3.1 commercially with 900M monthly active users?"}))
        out["compare"] = _data(await s.call_tool("compare", {"subjects": ["Llama 3.1", "Apache 2.0"]}))
        out["identify"] = _data(await s.call_tool("identify", {"text": MIT_TEXT}))
        out["scan"] = _data(await s.call_tool("scan", {"path": str(FIXTURE_REPO), "use": "commercial",
                                                       "mau": "2M"}))
        out["bad_scan"] = await s.call_tool("scan", {"path": "/no/such/folder"})
        out["ask_text"] = _data(await s.call_tool(
            "ask", {"question": "Can I use this in a commercial product?", "license_text": SYNTHETIC_MNPL}))
        out["bad_text"] = await s.call_tool("ask", {"question": "Can I use it?", "license_text": "  "})


@pytest.fixture(scope="module")
def calls(settings, searcher):  # `searcher` makes sure the test index exists before the server opens it
    return anyio.run(_session_calls, settings)


def test_lists_the_four_tools_with_schemas(calls):
    tools = calls["tools"]
    assert set(tools) >= {"ask", "compare", "identify", "scan"}
    assert "question" in tools["ask"].input_schema["properties"]
    assert "path" in tools["scan"].input_schema["properties"]


def test_ask_returns_verdict_and_verbatim_citations(calls):
    from assistant.licensedb import load_license

    a = calls["ask"]
    assert a["verdict"] == "no" and a["licenses"] == ["llama-3.1-license-2024"]
    assert any(c["section"] == "2" for c in a["citations"])
    for c in a["citations"]:
        if not c["license"].startswith("def:"):
            assert c["quote"] in load_license(c["license"]).text


def test_compare_names_both(calls):
    c = calls["compare"]
    assert {"llama-3.1-license-2024", "apache-2.0"} <= set(c["licenses"])
    assert c["table"] and c["citations"]


def test_identify_finds_mit(calls):
    assert calls["identify"]["license_keys"] == ["mit"]


def test_scan_reports_each_model(calls):
    s = calls["scan"]
    rows = {r["model"]: r for r in s["models"]}
    assert s["passed"] is False
    assert rows["black-forest-labs/FLUX.1-dev"]["verdict"] == "no"
    assert rows["mistralai/Mistral-7B-v0.1"]["verdict"] == "yes"
    assert rows["acme-internal/secret-reranker-v2"]["verdict"] == "unknown"
    assert calls["bad_scan"].is_error and "no such folder" in calls["bad_scan"].content[0].text


def test_ask_about_a_supplied_license_text_quotes_it(calls):
    a = calls["ask_text"]
    assert a["verdict"] == "no" and a["license_text"]["key"] == "mistral-mnpl-0.1"
    assert any(c["section"] == "3.2" for c in a["citations"])
    for c in a["citations"]:
        assert c["kind"] == "supplied" and SYNTHETIC_MNPL[c["start"] : c["end"]] == c["quote"]
    assert calls["bad_text"].is_error and "empty" in calls["bad_text"].content[0].text
