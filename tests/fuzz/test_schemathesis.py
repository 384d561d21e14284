"""Issue 12, item 8: schemathesis against the JSON API, described in web/static/openapi.json.

A real server on loopback (``make_runner`` + ``TCPSite``, free port; the test app: ``FakeEngine``, a
real encrypted store in a temporary folder, no voice loop, generous ``ServerLimits``) serves the
description itself at ``/static/openapi.json``; the ``st`` CLI reads it from there and sends what a
same-origin browser would (its ``Origin``, ``Sec-Fetch-Site: same-origin``, a server-issued identity
cookie and the consent cookie). Checks: no 5xx, status codes, content types, headers and bodies as
described. Bounded: ``--max-examples`` per operation and ``--max-time`` for the run
(``ATTUNE_SCHEMATHESIS_MAX_TIME``, default 35 s; ``ATTUNE_SCHEMATHESIS_EXAMPLES``, default 25).

``CallManager.answer`` runs the offer checks (``check_offer``, aiortc's parse) and then answers
without a peer connection, so a generated offer's candidates never get STUN: all traffic stays on
127.0.0.1.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fakes import FakeEngine, fake_answer  # noqa: E402

ST = Path(sys.executable).with_name("st")
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance")


def test_openapi_description_is_valid_and_covers_every_api_route():
    from attune.web.app import STATIC

    doc = json.loads((STATIC / "openapi.json").read_text())
    assert doc["openapi"].startswith("3.")
    ops = {(p, m) for p, item in doc["paths"].items() for m in item}
    assert ops == {("/offer", "post"), ("/api/me", "get"), ("/api/consent", "post"), ("/api/sessions", "get"),
                   ("/api/export", "get"), ("/api/delete", "post"), ("/api/hangup", "post"), ("/healthz", "get")}


@pytest.mark.skipif(not ST.exists(), reason="schemathesis is not installed (uv sync --extra test)")
async def test_schemathesis_finds_no_server_error_and_no_schema_violation(settings, monkeypatch, tmp_path):
    from attune.dialogue.memory import open_store
    from attune.dialogue.settings import ServerLimits
    from attune.web.app import SIGNER_KEY, create_app, make_runner
    from attune.web.calls import CallManager, check_offer
    from attune.web.security import CONSENT_COOKIE, CONSENT_VERSION, ID_COOKIE

    monkeypatch.setattr(CallManager, "answer", fake_answer(check_offer))
    store = open_store(settings)
    limits = ServerLimits(offer_rate_per_min=1e6, offer_burst=100_000, api_rate_per_min=1e6, api_burst=100_000,
                          max_pending_offers_per_ip=1000)

    class NoLoop:
        def __init__(self, call) -> None: ...
        async def start(self) -> None: ...
        async def aclose(self) -> None: ...

    app = create_app(settings, engine=FakeEngine(store, settings), loop_factory=NoLoop, limits=limits)
    runner = make_runner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    token = app[SIGNER_KEY].new_token()
    try:
        async with aiohttp.ClientSession() as http:  # the description is served by the app itself
            async with http.get(base + "/static/openapi.json") as r:
                assert r.status == 200
                assert (await r.json(content_type=None))["openapi"].startswith("3.")
        max_time = os.environ.get("ATTUNE_SCHEMATHESIS_MAX_TIME", "35")
        examples = os.environ.get("ATTUNE_SCHEMATHESIS_EXAMPLES", "25")
        cmd = [str(ST), "run", base + "/static/openapi.json", "--url", base,
               "-H", f"Origin: {base}", "-H", "Sec-Fetch-Site: same-origin",
               "-H", f"Cookie: {ID_COOKIE}={token}; {CONSENT_COOKIE}={CONSENT_VERSION}",
               "--checks", CHECKS, "--max-examples", examples, "--max-time", max_time, "--seed", "12",
               "--workers", "1", "--phases", "examples,coverage,fuzzing", "--request-timeout", "15",
               "--report", "junit", "--report-junit-path", str(tmp_path / "schemathesis.xml")]
        env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}
        proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.STDOUT, cwd=str(tmp_path), env=env)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), float(max_time) + 60)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            pytest.fail("schemathesis did not stop within its budget")
        text = out.decode(errors="replace")
        print(text[-6000:])
        assert proc.returncode == 0, text[-12000:]
    finally:
        await runner.cleanup()
        store.close()
