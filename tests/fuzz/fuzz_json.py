"""atheris: JSON API bodies of ``attune serve`` (``web.app._json_body`` and the POST handlers).

``python tests/fuzz/fuzz_json.py [-max_total_time=N] [-runs=N] [CORPUS_DIR | FILE ...]``

The first byte of an input picks the endpoint (``/offer``, ``/api/consent``, ``/api/delete``,
``/api/hangup``), the rest is the request body. Each input goes two ways, in process, without a
socket:

1. ``_json_body(request)`` on a mocked request: it returns a JSON value or raises one of aiohttp's
   400 / 408 / 413 exceptions — nothing else;
2. the whole app (every middleware, the router and the handler: ``Application._handle``) as a
   same-origin browser would send it — a signed identity cookie, consent, ``Origin``,
   ``Content-Type: application/json`` — must answer below 500, with a JSON body on every error.

The app is built as the tests build it (``create_app`` with a fake engine and store, generous
``ServerLimits``), except that its ``CallManager.answer`` stops after the offer check
(``check_offer``): a fuzzed offer never reaches aiortc, so no STUN ever leaves this process.
HTTP-level fuzzing of the same API (headers, methods, the schema) is schemathesis's job
(tests/fuzz/test_schemathesis.py).
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _harness  # noqa: E402

atheris = _harness.atheris

import aiohttp  # noqa: E402,F401
import aiortc  # noqa: E402,F401
from aiohttp import web  # noqa: E402
from aiohttp.streams import StreamReader  # noqa: E402
from aiohttp.test_utils import make_mocked_request  # noqa: E402

with atheris.instrument_imports(include=["attune.web.app", "attune.web.security", "attune.web.calls"]):
    from attune.web import app as web_app  # noqa: E402
    from attune.web.calls import CallManager, check_offer  # noqa: E402
    from attune.web.security import CONSENT_COOKIE, CONSENT_VERSION, ID_COOKIE  # noqa: E402

from attune.dialogue.settings import ServerLimits, Settings  # noqa: E402
from fakes import FakeEngine, FakeStore, fake_answer  # noqa: E402

ENDPOINTS = ("/offer", "/api/consent", "/api/delete", "/api/hangup")
HOST = "127.0.0.1:8080"

_tmp = tempfile.TemporaryDirectory(prefix="attune-fuzz-json-")
settings = Settings(data_dir=os.path.join(_tmp.name, "data"), key=None)
limits = ServerLimits(offer_rate_per_min=1e9, offer_burst=10**9, api_rate_per_min=1e9, api_burst=10**9,
                      max_pending_offers_per_ip=10**6, client_error_log_interval_s=1e9)
CallManager.answer = fake_answer(check_offer)  # type: ignore[method-assign]
app = web_app.create_app(settings, engine=FakeEngine(FakeStore(), settings), limits=limits)
app.freeze()
token = app[web_app.SIGNER_KEY].new_token()
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)

HEADERS = {
    "Host": HOST, "Origin": f"http://{HOST}", "Sec-Fetch-Site": "same-origin",
    "Content-Type": "application/json", "Cookie": f"{ID_COOKIE}={token}; {CONSENT_COOKIE}={CONSENT_VERSION}",
}


class _Protocol:  # what StreamReader needs of a protocol
    _reading_paused = False

    def pause_reading(self, *a: Any, **k: Any) -> None: ...

    def resume_reading(self, *a: Any, **k: Any) -> None: ...


def _request(path: str, body: bytes) -> web.Request:
    payload = StreamReader(_Protocol(), 2 ** 16, loop=loop)  # type: ignore[arg-type]
    payload.feed_data(body)
    payload.feed_eof()
    headers = {**HEADERS, "Content-Length": str(len(body))}
    return make_mocked_request("POST", path, headers=headers, app=app, payload=payload,
                               client_max_size=web_app.MAX_BODY, loop=loop)


async def _one(path: str, body: bytes) -> None:
    try:
        value = await web_app._json_body(_request(path, body))
    except web.HTTPException as exc:
        assert exc.status in (400, 408, 413), f"_json_body raised {exc.status}"
    else:
        json.dumps(value)  # a plain JSON value (no NaN check: Python's json accepts NaN/Infinity)
    resp = await app._handle(_request(path, body))
    assert resp.status < 500, f"{path} answered {resp.status}: {getattr(resp, 'text', '')!r}"
    if resp.status >= 400:
        assert resp.content_type == "application/json", (resp.status, resp.content_type)
        json.loads(resp.body)  # type: ignore[arg-type]


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    loop.run_until_complete(_one(ENDPOINTS[data[0] % len(ENDPOINTS)], data[1:]))


if __name__ == "__main__":
    _harness.main(TestOneInput, "json")
