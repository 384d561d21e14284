"""The web server's safety: identity, isolation, headers, limits and error paths (no browser needed).

Calls here use a tiny echo loop instead of the speech models, so they are fast; the real loop is
exercised by tests/integration/test_browser_clients.py and tests/e2e/test_browser_e2e.py.
"""
from __future__ import annotations

import asyncio
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from tests.web_fakes import FakeEngine
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from attune.web.app import CALLS_KEY, STATIC, create_app
from attune.web.calls import CallTimeouts
from attune.voice.bench.caller import BrowserClient, OfferRefused
from attune.web.security import ID_COOKIE, ServerLimits, user_id_for

# Calls here run on loopback: the echo client's ICE candidates are loopback/private addresses.
LOOPBACK_LIMITS = dict(allow_private_candidates=True)


class EchoLoop:
    """Stands in for the voice loop: greets, then plays the caller's audio straight back."""

    def __init__(self, call) -> None:
        self.call = call

    async def start(self) -> None:
        call = self.call
        call.input_sink = lambda pcm, rate: call.track.write(pcm, rate)
        call.emit({"type": "reply_text", "text": "Hello from the echo loop.", "phase": "opening"})

    async def aclose(self) -> None:
        self.call.input_sink = None


@pytest.fixture
def store(settings):
    from attune.dialogue.memory import open_store

    s = open_store(settings)
    yield s
    s.close()


@pytest.fixture
def app_factory(settings, store):
    def make(**kw):
        settings.max_calls = kw.pop("max_calls", settings.max_calls)
        engine = kw.pop("engine", None) or FakeEngine()
        engine.store, engine.settings = store, settings
        limits = kw.pop("limits", None) or ServerLimits(**LOOPBACK_LIMITS)
        return create_app(settings, engine=engine, loop_factory=kw.pop("loop_factory", EchoLoop),
                          timeouts=kw.pop("timeouts", None), limits=limits)
    return make


@pytest.fixture
async def client(app_factory):
    c = TestClient(TestServer(app_factory()))
    await c.start_server()
    yield c
    await c.close()


async def _identity(c: TestClient) -> str:
    r = await c.get("/")
    assert r.status == 200
    token = c.session.cookie_jar.filter_cookies(c.make_url("/"))[ID_COOKIE].value
    return user_id_for(token)


async def _consent(c: TestClient) -> None:
    await _identity(c)
    r = await c.post("/api/consent", json={})
    assert r.status == 200


def _assert_json_error(r, body, status):
    assert r.status == status, body
    assert r.content_type == "application/json"
    assert isinstance(body.get("error"), str) and body["error"]


# ------------------------------------------------------------------------------ pages & headers

class _PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.refs: list[str] = []
        self.testids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not a.get("src"):
            self.problems.append("inline <script>")
        for name, _ in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
        for key in ("src", "href"):
            v = a.get(key)
            if v and not v.startswith(("#", "tel:", "mailto:")):
                self.refs.append(v)
        if "data-testid" in a:
            self.testids.add(a["data-testid"])

    def handle_data(self, data):
        if self.get_starttag_text() and self.get_starttag_text().startswith("<script") and data.strip():
            self.problems.append("inline script text")


@pytest.mark.parametrize("path", ["/", "/history", "/privacy"])
async def test_pages_are_self_contained_and_sent_with_security_headers(client, path):
    r = await client.get(path)
    assert r.status == 200
    h = r.headers
    csp = h["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert h["Referrer-Policy"] == "no-referrer"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    audit = _PageAudit()
    audit.feed(await r.text())
    assert audit.problems == []
    for ref in audit.refs:
        assert not re.match(r"^(https?:)?//", ref), f"external reference {ref}"
        rr = await client.get(ref)
        assert rr.status == 200, ref
    if path == "/":
        assert {"call", "hangup", "mute", "caption-user", "caption-assistant", "phase", "modality", "timer",
                "crisis", "coping-card", "consent"} <= audit.testids


def test_static_assets_reach_nothing_outside_this_server():
    for f in STATIC.iterdir():
        if f.suffix in (".js", ".css", ".html"):
            text = f.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
            assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), f"{f.name} references another host"
            if f.suffix == ".js":
                assert "innerHTML" not in text and "eval(" not in text, f.name


async def test_unknown_api_path_is_a_json_404_and_pages_are_html(client):
    r = await client.get("/api/nope")
    _assert_json_error(r, await r.json(), 404)
    r = await client.get("/nope")
    assert r.status == 404 and r.content_type == "text/html"
    assert r.headers["Content-Security-Policy"]


async def test_healthz_reveals_no_personal_data(client):
    r = await client.get("/healthz")
    body = await r.json()
    assert set(body) == {"ok", "calls", "max_calls"}


# ------------------------------------------------------------------------------ identity

async def test_identity_cookie_is_random_httponly_and_strict(app_factory):
    app = app_factory()
    tokens = []
    for _ in range(2):
        async with TestClient(TestServer(app if not tokens else app_factory())) as c:
            r = await c.get("/")
            raw = r.headers.getall("Set-Cookie")
            ident = [x for x in raw if x.startswith(ID_COOKIE + "=")]
            assert ident, raw
            attrs = ident[0].lower()
            assert "httponly" in attrs and "samesite=strict" in attrs and "path=/" in attrs
            tokens.append(ident[0].split(";")[0].split("=", 1)[1])
            # the cookie is kept: no new one on the next request
            r2 = await c.get("/api/me")
            assert not [x for x in r2.headers.getall("Set-Cookie", []) if x.startswith(ID_COOKIE + "=")]
    assert tokens[0] != tokens[1] and len(tokens[0]) >= 43


async def test_a_forged_cookie_gets_a_fresh_identity(client):
    client.session.cookie_jar.update_cookies({ID_COOKIE: "admin"})
    r = await client.get("/api/me")
    ident = [x for x in r.headers.getall("Set-Cookie", []) if x.startswith(ID_COOKIE + "=")]
    assert ident and "admin" not in ident[0]


async def test_sessions_export_and_delete_reach_only_the_callers_own_data(app_factory, store):
    app = app_factory()
    async with TestClient(TestServer(app)) as alice, TestClient(TestServer(app_factory())) as bob:
        a_id = await _identity(alice)
        b_id = await _identity(bob)
        assert a_id != b_id
        store.ensure_user(a_id)
        store.start_session(a_id, "s-alice-1", time.time() - 600)
        store.append_turn("s-alice-1", "user", "my secret worry about the exam")
        store.update_session("s-alice-1", summary="Talked about the exam.", mood_open=3, mood_close=6,
                             card={"thought": "I will fail", "balanced": "I prepared well"})

        r = await alice.get("/api/sessions")
        sessions = (await r.json())["sessions"]
        assert [s["id"] for s in sessions] == ["s-alice-1"]
        assert sessions[0]["summary"] == "Talked about the exam." and "prepared well" in sessions[0]["card_text"]

        r = await bob.get("/api/sessions")
        assert (await r.json())["sessions"] == []
        r = await bob.get("/api/export")
        assert r.status == 200
        assert "attachment" in r.headers["Content-Disposition"]
        text = await r.text()
        assert "exam" not in text and a_id not in text

        r = await alice.get("/api/export")
        assert "attachment" in r.headers["Content-Disposition"]
        data = json.loads(await r.text())
        assert data["user"]["id"] == a_id and "my secret worry" in json.dumps(data)

        # Bob deleting "his" data leaves Alice's untouched
        r = await bob.post("/api/delete", json={"confirm": "delete"})
        assert r.status == 200 and (await r.json())["deleted"] is False
        assert store.get_user(a_id) is not None


async def test_delete_needs_confirmation_then_erases_and_rotates_identity(client, store):
    uid = await _identity(client)
    await _consent(client)
    store.ensure_user(uid)
    store.start_session(uid, "s1", time.time())
    r = await client.post("/api/delete", json={})
    _assert_json_error(r, await r.json(), 400)
    r = await client.post("/api/delete", data=b"not json", headers={"Content-Type": "application/json"})
    _assert_json_error(r, await r.json(), 400)
    r = await client.post("/api/delete", data=b"not json")  # not sent as JSON at all
    _assert_json_error(r, await r.json(), 415)
    assert store.get_user(uid) is not None

    r = await client.post("/api/delete", json={"confirm": "delete"})
    assert r.status == 200 and (await r.json())["deleted"] is True
    assert store.get_user(uid) is None and store.list_sessions(uid) == []
    cookies = r.headers.getall("Set-Cookie")
    assert any(c.startswith(ID_COOKIE + "=") for c in cookies)
    me = await (await client.get("/api/me")).json()
    assert me["consented"] is False  # a new person sees the notice again
    assert await _identity(client) != uid


async def test_cross_origin_posts_are_refused(client):
    await _consent(client)
    for path, body in (("/api/delete", {"confirm": "delete"}), ("/offer", {"type": "offer", "sdp": "v=0"}),
                       ("/api/consent", {})):
        r = await client.post(path, json=body, headers={"Origin": "http://evil.example"})
        _assert_json_error(r, await r.json(), 403)
        r = await client.post(path, json=body, headers={"Sec-Fetch-Site": "cross-site"})
        _assert_json_error(r, await r.json(), 403)


async def test_a_loopback_server_refuses_other_host_names(client):
    """DNS rebinding: a page on evil.example re-pointed at 127.0.0.1 must not drive a local Attune."""
    r = await client.get("/api/me", headers={"Host": "evil.example:8080"})
    _assert_json_error(r, await r.json(), 421)
    for host in ("localhost:8080", "127.0.0.1:8080", "[::1]:8080"):
        r = await client.get("/api/me", headers={"Host": host})
        assert r.status == 200, host


# ------------------------------------------------------------------------------ /offer errors

async def test_offer_requires_the_notice_to_be_accepted(client):
    await _identity(client)
    r = await client.post("/offer", json={"type": "offer", "sdp": "v=0\r\n"})
    body = await r.json()
    _assert_json_error(r, body, 403)
    assert body["consent_required"] is True


@pytest.mark.parametrize("payload", [
    b"", b"{not json", b"[1, 2]", b'"offer"', json.dumps({"type": "offer"}).encode(),
    json.dumps({"type": "answer", "sdp": "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"}).encode(),
    json.dumps({"type": "offer", "sdp": 42}).encode(),
    json.dumps({"type": "offer", "sdp": "hello"}).encode(),
    json.dumps({"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"}).encode(),  # no audio
    json.dumps({"type": "offer", "sdp": "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nthis is not sdp\r\n"}).encode(),
    b"\xff\xfe\x00garbage",
])
async def test_malformed_offers_get_400_with_a_json_error(client, payload):
    await _consent(client)
    r = await client.post("/offer", data=payload, headers={"Content-Type": "application/json"})
    _assert_json_error(r, await r.json(), 400)
    assert not client.server.app[CALLS_KEY].calls


async def test_oversize_bodies_get_413_with_a_json_error(client):
    await _consent(client)
    big_sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + "a=x-pad:" + "x" * 70_000 + "\r\n"
    r = await client.post("/offer", json={"type": "offer", "sdp": big_sdp})
    _assert_json_error(r, await r.json(), 413)
    r = await client.post("/offer", data=b"{" + b" " * 300_000 + b"}", headers={"Content-Type": "application/json"})
    _assert_json_error(r, await r.json(), 413)
    r = await client.post("/api/delete", data=b"[" + b"0," * 100_000 + b"0]")
    _assert_json_error(r, await r.json(), 413)


# ------------------------------------------------------------------------------ real calls (echo loop)

async def test_call_echo_roundtrip_limit_503_and_hangup_saves(app_factory):
    engine = FakeEngine()
    app = app_factory(max_calls=1, engine=engine)
    server = TestServer(app)
    await server.start_server()
    url = str(server.make_url("/"))
    try:
        async with BrowserClient(url) as a, BrowserClient(url) as b:
            await a.connect()
            greeting = await a.wait_event(lambda e: e.get("type") == "caption" and e.get("role") == "assistant")
            assert "echo loop" in greeting["text"]
            tone = (np.sin(np.arange(24_000) * 2 * np.pi * 440 / 48_000) * 8000).astype(np.int16)
            end = await a.say(tone)
            await asyncio.sleep(0.4)
            assert a.heard.first_voice_after(end - 0.5) is not None, "the echo did not come back"

            with pytest.raises(OfferRefused) as refused:
                await b.connect()
            assert refused.value.status == 503
            assert int(refused.value.headers["Retry-After"]) > 0
            assert "error" in refused.value.body

            # B cannot end A's call
            async with b.http.post(url + "api/hangup", json={"call_id": a.call_id}) as r:
                assert (await r.json())["ended"] is False
            assert len(app[CALLS_KEY].calls) == 1

            assert (await a.hangup())["ended"] is True
            assert engine.hung_up == [a_uid(a)]
            assert not app[CALLS_KEY].calls
            await b.connect()  # the line is free again
            await b.hangup()
    finally:
        await server.close()


def a_uid(c: BrowserClient) -> str:
    token = c.http.cookie_jar.filter_cookies(URL(c.base_url + "/"))[ID_COOKIE].value
    return user_id_for(token)


async def test_a_browser_that_vanishes_frees_its_line_and_is_saved(app_factory):
    engine = FakeEngine()
    app = app_factory(max_calls=1, engine=engine, timeouts=CallTimeouts(media_timeout_s=2.0))
    server = TestServer(app)
    await server.start_server()
    url = str(server.make_url("/"))
    try:
        async with BrowserClient(url) as a:
            await a.connect()
            await a.wait_event(lambda e: e.get("type") == "caption")
            uid = a_uid(a)
            await a.vanish()
            deadline = time.monotonic() + 10
            while app[CALLS_KEY].calls and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            assert not app[CALLS_KEY].calls, "the vanished call still holds a line"
            assert engine.hung_up == [uid]
    finally:
        await server.close()


async def test_a_second_call_from_the_same_browser_replaces_the_first(app_factory):
    engine = FakeEngine()
    app = app_factory(max_calls=1, engine=engine)
    server = TestServer(app)
    await server.start_server()
    url = str(server.make_url("/"))
    try:
        async with BrowserClient(url) as a:
            await a.connect()
            first = a.call_id
            a.pc = None  # the page reloaded: the old peer connection is simply gone
            a.mic = type(a.mic)()
            await a.connect()
            assert a.call_id != first and len(app[CALLS_KEY].calls) == 1
            assert engine.hung_up == [a_uid(a)]  # the first call was saved when it was replaced
            await a.hangup()
    finally:
        await server.close()


def test_static_dir_is_the_one_served():
    assert (STATIC / "index.html").exists() and Path(STATIC / "call.js").exists()


class GoodbyeLoop(EchoLoop):
    """Says goodbye (one second of tone) and ends the session, as the brain does at the end."""

    async def start(self) -> None:
        self.call.emit({"type": "reply_text", "text": "Take care. Goodbye.", "phase": "ended"})
        self.call.track.write((np.sin(np.arange(48_000) * 0.05) * 6000).astype(np.int16), 48_000)
        self.call.emit({"type": "session_end"})


async def test_the_call_ends_by_itself_after_the_goodbye_is_heard(app_factory):
    engine = FakeEngine()
    app = app_factory(engine=engine, loop_factory=GoodbyeLoop)
    server = TestServer(app)
    await server.start_server()
    try:
        async with BrowserClient(str(server.make_url("/"))) as c:
            t0 = time.monotonic()
            await c.connect()
            ended = await c.wait_event(lambda e: e.get("type") == "ended", timeout=15)
            assert ended["reason"] == "session complete"
            heard = c.heard.last_voice()
            assert heard is not None and heard - t0 >= 0.9, "the call ended before the goodbye was heard"
            deadline = time.monotonic() + 10
            while app[CALLS_KEY].calls and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert engine.hung_up and not app[CALLS_KEY].calls
    finally:
        await server.close()


# ------------------------------------------------------------------------------ media pieces (web/media.py, web/page.py)

async def test_outbound_track_paces_20ms_frames_and_drops_everything_on_barge_in():
    import av

    from attune.web.media import OUT_SAMPLES, OutboundAudioTrack

    track = OutboundAudioTrack(prebuffer_ms=40)
    tone = (np.sin(np.arange(22_050) * 2 * np.pi * 300 / 22_050) * 8000).astype(np.int16)  # 1 s at Piper's rate
    track.write(tone[:11_025], 22_050)
    t0 = time.monotonic()
    frames = [await track.recv() for _ in range(11)]
    elapsed = time.monotonic() - t0
    assert 0.17 <= elapsed <= 0.6, elapsed  # 10 intervals of 20 ms after the first frame
    assert all(isinstance(f, av.AudioFrame) and f.samples == OUT_SAMPLES and f.sample_rate == 48_000 for f in frames)
    assert [f.pts for f in frames] == [i * OUT_SAMPLES for i in range(11)]
    levels = [np.abs(f.to_ndarray()).max() for f in frames]
    assert max(levels) > 4000
    track.clear()  # barge-in
    assert track.queued_seconds == 0
    after = [np.abs((await track.recv()).to_ndarray()).max() for _ in range(3)]
    assert after == [0, 0, 0]
    track.stop()


async def test_inbound_audio_resamples_to_16k_mono_and_reports_the_end():
    import av
    from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

    from attune.web.media import InboundAudio

    class FakeRemote(MediaStreamTrack):
        kind = "audio"

        def __init__(self, n: int) -> None:
            super().__init__()
            self.n, self.i = n, 0

        async def recv(self):
            if self.i >= self.n:
                raise MediaStreamError
            x = (np.sin((np.arange(960) + self.i * 960) * 2 * np.pi * 440 / 48_000) * 9000).astype(np.int16)
            f = av.AudioFrame.from_ndarray(np.repeat(x, 2).reshape(1, -1), format="s16", layout="stereo")
            f.sample_rate, f.pts, self.i = 48_000, self.i * 960, self.i + 1
            return f

    got, ended = [], asyncio.Event()
    inbound = InboundAudio(FakeRemote(50), lambda pcm, rate: got.append((pcm, rate)), rate=16_000,
                           on_ended=ended.set).start()
    await asyncio.wait_for(ended.wait(), 5)
    pcm = np.concatenate([p for p, _ in got])
    assert {r for _, r in got} == {16_000} and pcm.dtype == np.int16
    assert abs(pcm.size - 16_000) < 400 and np.abs(pcm).max() > 6000  # 1 s of the tone, mono, 16 kHz
    assert inbound.frames == 50
    await inbound.aclose()


def test_loop_events_become_the_pages_protocol():
    from attune.voice.loop.events import make_event
    from attune.web.page import page_events

    assert page_events({"t": 1.0, "type": "transcript_partial", "text": "I feel"}) == [
        {"type": "caption", "role": "user", "text": "I feel", "final": False, "t": 1.0}]
    assert page_events({"t": 2.0, "type": "transcript_final", "text": "I feel tired."})[0]["final"] is True
    reply = page_events({"t": 3.0, "type": "reply_text", "text": "That sounds hard.", "phase": "working",
                         "modality": "cbt"})
    assert [e["type"] for e in reply] == ["caption", "phase", "modality"]
    assert reply[0]["role"] == "assistant" and reply[2]["modality"] == "cbt"
    card = page_events({"t": 4.0, "type": "coping_card", "title": "My thought record", "modality": "cbt",
                        "situation": "the exam", "balanced_thought": "I prepared well"})[0]
    assert card["type"] == "coping_card" and card["text"].splitlines()[0] == "My thought record"
    assert "Balanced thought: I prepared well" in card["text"] and "cbt" not in card["text"]
    crisis = {"t": 5.0, "type": "crisis", "resources": [{"name": "Lifeline", "number": "988", "text": "call"}]}
    assert page_events(crisis) == [crisis]
    # the page's states are fed: thinking after a turn, speaking, listening again
    states = [page_events(make_event(t, 6.0)) for t in ("turn_end", "reply_audio_start", "reply_audio_end")]
    assert [e[-1]["state"] for e in states] == ["thinking", "speaking", "listening"]
    cut = page_events(make_event("interrupted", 7.0, heard="That", position=0.4, text="That sounds hard."))
    assert [e["type"] for e in cut] == ["interrupted", "state"] and cut[1]["state"] == "listening"
    # speech over the reply silences the page's buffered audio at once; "mm-hmm" lets it play again
    assert [e["type"] for e in page_events(make_event("barge_in", 7.5, speech_t=7.3, stop_t=7.5))] == ["hold"]
    assert [e["type"] for e in page_events(make_event("backchannel", 7.9, text="mm-hmm"))] == ["resume"]
    # other turn-taking internals stay on the server; raw error text never reaches the page
    assert page_events(make_event("speech_start", 8.0)) == [] and page_events(make_event("reply_cancelled", 8.1)) == []
    err = page_events(make_event("error", 9.0, where="engine.commit", message="Traceback: secret path"))
    assert err[0]["type"] == "error" and "secret" not in err[0]["message"]
    with pytest.raises(ValueError):
        make_event("transcript", 10.0)  # the old alias is not part of the vocabulary


def test_the_faster_audio_level_matches_aiortcs():
    import aiortc.rtp
    import av

    from attune.web.media import _ORIGINAL, _audio_level_dbov, speed_up_aiortc

    speed_up_aiortc()
    compute_audio_level_dbov = _ORIGINAL["compute_audio_level_dbov"]
    assert compute_audio_level_dbov is not _audio_level_dbov and aiortc.rtp.compute_audio_level_dbov is _audio_level_dbov

    for amp in (0, 1, 50, 3000, 32_000):
        for layout, n in (("mono", 960), ("stereo", 1920)):
            x = (np.sin(np.arange(n) * 0.01) * amp).astype(np.int16).reshape(1, -1)
            f = av.AudioFrame.from_ndarray(x, format="s16", layout=layout)
            f.sample_rate = 48_000
            assert _audio_level_dbov(f) == compute_audio_level_dbov(f)
