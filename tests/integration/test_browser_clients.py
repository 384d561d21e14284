"""Several WebRTC callers at once (aiortc clients, the real voice loop and engine in ``attune serve``'s app).

Each caller accepts the notice, talks over the greeting with its own recording (in real time) and
must get back its own words as captions and a spoken reply; a caller beyond ``max_calls`` gets
503 + Retry-After; every hang-up saves that person's session, and nobody sees another's captions.
"""
from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from yarl import URL

from attune.web.app import CALLS_KEY, STORE_KEY, create_app, warm_up
from attune.voice.bench.caller import BrowserClient, OfferRefused, read_wav_mono
from attune.web.security import ID_COOKIE, user_id_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLIPS = {
    "LJ001-0004.wav": "produced the block books, which were the immediate predecessors of the true printed book",
    "LJ001-0013.wav": "than in the same operations with ugly ones",
}


def words(text: str) -> set[str]:
    return set(re.sub(r"[^a-z' ]", " ", text.lower()).split())


async def _one_call(url: str, clip: str, text: str) -> dict:
    pcm = read_wav_mono(FIXTURES / clip)
    async with BrowserClient(url) as c:
        await c.connect()
        await c.wait_event(lambda e: e.get("type") == "caption" and e.get("role") == "assistant", timeout=30)
        await asyncio.sleep(1.0)  # like a person who starts talking over the (long) greeting
        end = await c.say(pcm)
        final = await c.wait_event(lambda e: e.get("type") == "caption" and e.get("role") == "user" and e.get("final"),
                                   since=end - len(pcm) / 48_000, timeout=40)
        final_at = next(at for at, e in c.events if e is final)
        reply = await c.wait_event(lambda e: e.get("type") == "caption" and e.get("role") == "assistant",
                                   since=final_at, timeout=40)
        assert await c.wait_quiet(0.8, timeout=40, after=end), "the reply was never heard"
        first = c.heard.first_voice_after(end)
        uid = user_id_for(c.http.cookie_jar.filter_cookies(URL(url))[ID_COOKIE].value)
        await c.hangup()
        return {"uid": uid, "said": " ".join(c.captions("user")), "reply": reply["text"],
                "latency": first - end if first else None, "expected": text}


async def test_several_calls_at_once_each_hear_their_own_person(settings, engine):
    from attune.dialogue.settings import ServerLimits
    from attune.voice.speech.models import get_models

    settings.max_calls = 2
    await warm_up(settings, lambda: get_models(settings))
    limits = ServerLimits.from_settings(settings, allow_private_candidates=True, max_pending_offers_per_ip=4)
    app = create_app(settings, engine=engine, limits=limits)
    server = TestServer(app)
    await server.start_server()
    url = str(server.make_url("/"))
    try:
        calls = [asyncio.ensure_future(_one_call(url, clip, text)) for clip, text in CLIPS.items()]
        # while both lines are busy, a third caller is told to come back later
        deadline = time.monotonic() + 20
        while len(app[CALLS_KEY].calls) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        async with BrowserClient(url) as third:
            with pytest.raises(OfferRefused) as refused:
                await third.connect()
        assert refused.value.status == 503 and int(refused.value.headers["Retry-After"]) > 0

        results = await asyncio.gather(*calls)
        for r in results:
            expected = words(r["expected"])
            assert len(expected & words(r["said"])) / len(expected) >= 0.7, r
            assert r["reply"], r
            assert r["latency"] is not None and r["latency"] < 5.0, r
        # nobody's words leak into another call
        a, b = results
        assert not ({"block", "books"} & words(b["said"])) and not ({"ugly"} & words(a["said"]))
        assert not app[CALLS_KEY].calls, "lines still held after hang-up"

        store = app[STORE_KEY]
        for r in results:
            assert store.list_sessions(r["uid"]), f"hang-up saved no session for {r['uid']}"
        print("browser door latencies:", [round(r["latency"], 3) for r in results])
    finally:
        await server.close()
