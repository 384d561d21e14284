"""Issue 12, items 2–7 for ``attune serve``: every probe from the hardening pass, re-run against a
real server on loopback (``make_runner`` + ``TCPSite`` on a free port), and shown to hold.

No speech models: calls that must never connect use SDP offers made by a throw-away aiortc peer.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import socket
import ssl
import time
from typing import Any

import aiohttp
import pytest

from tests.web_fakes import FakeEngine
from aiortc import RTCPeerConnection

from attune.web.app import CALLS_KEY, create_app, make_runner
from attune.web.calls import BadOffer, IcePolicy, check_offer
from attune.web.security import (
    CONSENT_COOKIE,
    ID_COOKIE,
    SECURE_PREFIX,
    IdentitySigner,
    ServerLimits,
    user_id_for,
)

from aiohttp import web


class NoLoop:
    def __init__(self, call) -> None:
        self.call = call

    async def start(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


@pytest.fixture
def store(settings):
    from attune.dialogue.memory import open_store

    s = open_store(settings)
    yield s
    s.close()


class Served:
    def __init__(self, app: web.Application, runner, url: str) -> None:
        self.app, self.runner, self.url = app, runner, url

    @property
    def guard(self):
        return self.runner.guard


@contextlib.asynccontextmanager
async def served(settings, store, *, ssl_context: ssl.SSLContext | None = None, max_calls: int = 8,
                 timeouts=None, **limits: Any):
    settings.max_calls = max_calls
    app = create_app(settings, engine=FakeEngine(store, settings), loop_factory=NoLoop, timeouts=timeouts,
                     limits=ServerLimits(**limits))
    runner = make_runner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield Served(app, runner, f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


def session(source_ip: str = "127.0.0.1") -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source_ip, 0), ssl=False,
                                                                force_close=True),
                                 cookie_jar=aiohttp.CookieJar(unsafe=True))


async def consent(http: aiohttp.ClientSession, url: str) -> None:
    async with http.get(url + "/") as r:
        assert r.status == 200
    async with http.post(url + "/api/consent", json={}) as r:
        assert r.status == 200, await r.text()


_OFFER: str | None = None


async def offer_sdp() -> str:
    """A real browser-like offer (audio + data channel) without candidates: it can never connect."""
    global _OFFER
    if _OFFER is None:
        pc = RTCPeerConnection()
        pc.addTransceiver("audio", direction="sendrecv")
        pc.createDataChannel("events")
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
        await pc.close()
        _OFFER = "\r\n".join(x for x in sdp.split("\r\n")
                             if not x.startswith("a=candidate:") and x != "a=end-of-candidates")
    return _OFFER


def with_candidates(sdp: str, lines: list[str]) -> str:
    out, done = [], False
    for x in sdp.split("\r\n"):
        out.append(x)
        if not done and x.startswith("a=ice-pwd:"):
            out.extend(lines)
            done = True
    return "\r\n".join(out)


async def post_offer(http, url: str, sdp: str) -> tuple[int, dict, Any]:
    async with http.post(url + "/offer", json={"type": "offer", "sdp": sdp}) as r:
        return r.status, dict(r.headers), await r.json()


# ------------------------------------------------------------------------------ 2. no lockout

async def test_token_buckets_give_429_with_retry_after_per_ip_and_per_identity(settings, store):
    async with served(settings, store, api_rate_per_min=6, api_burst=5, trusted_proxies=["127.0.0.1"]) as s:
        # per IP: fresh identities (no cookies) from one address
        statuses = []
        async with session() as http:
            for _ in range(8):
                http.cookie_jar.clear()
                async with http.get(s.url + "/api/me") as r:
                    statuses.append(r.status)
                    if r.status == 429:
                        retry = int(r.headers["Retry-After"])
                        body = await r.json()
        assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}, statuses
        assert 1 <= retry <= 11 and body["retry_after"] == retry and body["error"]
        # per identity: one cookie, a new address for every request (via the trusted proxy)
        statuses = []
        async with session() as http:
            async with http.get(s.url + "/") as r:
                assert r.status == 200
            for i in range(8):
                async with http.get(s.url + "/api/me", headers={"X-Forwarded-For": f"203.0.113.{i + 1}"}) as r:
                    statuses.append(r.status)
        assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3, statuses
        # the page itself and /healthz are never rate limited
        async with session() as http:
            for _ in range(10):
                async with http.get(s.url + "/healthz") as r:
                    assert r.status == 200


async def test_offers_are_rate_limited(settings, store):
    sdp = await offer_sdp()
    async with served(settings, store, offer_burst=2, offer_rate_per_min=2, max_pending_offers_per_ip=8,
                      connect_deadline_s=30) as s:
        async with session() as http:
            await consent(http, s.url)
            got = [(await post_offer(http, s.url, sdp))[:2] for _ in range(3)]
        assert [st for st, _ in got] == [200, 200, 429]
        assert 1 <= int(got[2][1]["Retry-After"]) <= 30


async def test_one_address_cannot_hold_every_line_and_the_connect_deadline_frees_them(settings, store):
    """The probe: eight never-connecting offers from one IP used to keep all 8 lines busy."""
    sdp = await offer_sdp()
    async with served(settings, store, max_calls=8, max_pending_offers_per_ip=2, connect_deadline_s=1.5,
                      offer_burst=50) as s:
        calls = s.app[CALLS_KEY]
        statuses = []
        t0 = time.monotonic()
        for _ in range(8):  # eight people (identities) behind one address
            async with session() as http:
                await consent(http, s.url)
                status, headers, body = await post_offer(http, s.url, sdp)
                statuses.append(status)
                if status == 429:
                    assert int(headers["Retry-After"]) >= 1 and body["error"]
        assert statuses == [200, 200] + [429] * 6, statuses
        assert len(calls.calls) == 2
        async with session("127.0.0.2") as other:  # someone else still gets a line
            await consent(other, s.url)
            assert (await post_offer(other, s.url, sdp))[0] == 200
        deadline = time.monotonic() + 10
        while calls.calls and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        freed_after = time.monotonic() - t0
        assert not calls.calls, "unconnected offers still hold lines after the connect deadline"
        assert freed_after < 6, freed_after
        async with session() as http:
            await consent(http, s.url)
            assert (await post_offer(http, s.url, sdp))[0] == 200


@pytest.mark.parametrize("fingerprint", [None, "md5", "sha-1"])
async def test_offers_without_a_sha256_fingerprint_are_refused(settings, store, fingerprint):
    good = await offer_sdp()
    assert re.search(r"a=fingerprint:sha-256 ", good)
    lines = [x for x in good.split("\r\n") if not x.startswith("a=fingerprint:")]
    if fingerprint:
        size = {"md5": 16, "sha-1": 20}[fingerprint]
        lines.insert(lines.index(next(x for x in lines if x.startswith("a=ice-pwd:"))) + 1,
                     f"a=fingerprint:{fingerprint} " + ":".join(["AB"] * size))
    async with served(settings, store) as s:
        async with session() as http:
            await consent(http, s.url)
            status, _, body = await post_offer(http, s.url, "\r\n".join(lines))
            assert status == 400 and "sha-256" in body["error"], body
            assert not s.app[CALLS_KEY].calls
            assert (await post_offer(http, s.url, good))[0] == 200


def test_weak_fingerprints_are_dropped_when_a_strong_one_is_present():
    sdp = ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
           "a=fingerprint:sha-1 " + ":".join(["AB"] * 20) + "\r\n"
           "a=fingerprint:sha-256 " + ":".join(["CD"] * 32) + "\r\n")
    out = check_offer(sdp)
    assert "sha-1" not in out and "sha-256" in out
    with pytest.raises(BadOffer):
        check_offer(sdp.replace(":".join(["CD"] * 32), "CD:CD"))  # a truncated sha-256


# ------------------------------------------------------------------------------ 3. no exhaustion

async def _slow_sockets(url: str, n: int) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    port = int(url.rsplit(":", 1)[1])
    socks = []
    for i in range(n):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # headers never finish
        socks.append((reader, writer))
        if i % 25 == 24:
            await asyncio.sleep(0.01)
    return socks


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> float | None:
    t0 = time.monotonic()
    try:
        data = await asyncio.wait_for(reader.read(1024), within)
    except asyncio.TimeoutError:
        return None
    except ConnectionError:
        return time.monotonic() - t0
    return time.monotonic() - t0 if data == b"" or re.match(rb"HTTP/1\.[01] 4", data) else None


@pytest.mark.parametrize("per_ip,total", [(1000, 1000), (50, 1000), (1000, 30)])
async def test_slow_headers_are_cut_off_and_healthz_keeps_answering(settings, store, per_ip, total):
    """The probe: connections that never finish their headers stayed open for ever (400 of them
    exhausted the fds and /healthz stopped answering). 200 here, on loopback."""
    async with served(settings, store, header_timeout_s=1.5, max_connections_per_ip=per_ip,
                      max_connections=total) as s:
        t0 = time.monotonic()
        socks = await _slow_sockets(s.url, 200)
        try:
            await asyncio.sleep(0.2)
            held = len(s.guard.conns)
            assert held <= min(per_ip, total, 200)
            async with session() as http:
                h0 = time.monotonic()
                async with http.get(s.url + "/healthz", timeout=aiohttp.ClientTimeout(total=5)) as r:
                    assert r.status == 200 and (await r.json())["ok"] is True
                healthz_s = time.monotonic() - h0
            assert healthz_s < 2.0, healthz_s
            waits = await asyncio.gather(*(_closed_by_server(rd, 8.0 - (time.monotonic() - t0)) for rd, _ in socks))
            closed_at = time.monotonic() - t0
            assert all(w is not None for w in waits), f"{sum(w is None for w in waits)} slow connections still open"
            assert closed_at < 6.0, closed_at  # header timeout 1.5 s
            assert len(s.guard.conns) <= 1
            print(f"per_ip={per_ip} total={total}: held {held}, healthz {healthz_s * 1000:.0f} ms, "
                  f"all 200 closed after {closed_at:.2f} s (evicted {s.guard.evicted}, refused {s.guard.refused})")
        finally:
            for _, w in socks:
                w.close()


async def test_a_body_that_never_arrives_times_out(settings, store):
    async with served(settings, store, body_timeout_s=1.0) as s:
        port = int(s.url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            t0 = time.monotonic()
            writer.write(b"POST /api/delete HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{\"confirm\"")
            head = await asyncio.wait_for(reader.read(4096), 5)
            took = time.monotonic() - t0
        finally:
            # wait for the close to reach the server: otherwise runner.cleanup() waits out aiohttp's
            # 10 s lingering read of the body that never came (the test took 11 s instead of 1.5 s)
            writer.close()
            await writer.wait_closed()
        assert head.startswith(b"HTTP/1.1 408"), head[:80]
        assert 0.9 <= took < 4, took


# ------------------------------------------------------------------------------ 4. ICE

def _stun_listeners(n: int) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        u.setblocking(False)
        socks.append(u)
    return socks


def _ports_reached(socks: list[socket.socket]) -> tuple[int, int]:
    ports = packets = 0
    for u in socks:
        got = 0
        while True:
            try:
                u.recvfrom(2048)
                got += 1
            except BlockingIOError:
                break
        ports += got > 0
        packets += got
    return ports, packets


@pytest.mark.parametrize("allow_private,max_ports", [(False, 0), (True, 10)])
async def test_an_offer_with_200_candidates_reaches_at_most_the_cap(settings, store, allow_private, max_ports):
    """The probe: one offer with 200 loopback candidates made the server send STUN to 200 ports."""
    listeners = _stun_listeners(200)
    try:
        cands = [f"a=candidate:{i} 1 udp {2122260223 - i} 127.0.0.1 {u.getsockname()[1]} typ host"
                 for i, u in enumerate(listeners)]
        sdp = with_candidates(await offer_sdp(), cands)
        async with served(settings, store, allow_private_candidates=allow_private, connect_deadline_s=30) as s:
            async with session() as http:
                await consent(http, s.url)
                status, _, _ = await post_offer(http, s.url, sdp)
                assert status == 200
                await asyncio.sleep(3.0)
                ports, packets = _ports_reached(listeners)
        print(f"allow_private={allow_private}: STUN reached {ports} of 200 ports ({packets} packets in 3 s)")
        assert ports <= max_ports
        if allow_private:
            assert ports >= 1, "the server sent no checks at all: the probe would prove nothing"
    finally:
        for u in listeners:
            u.close()


def test_candidate_rules():
    base = ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
            "a=fingerprint:sha-256 " + ":".join(["CD"] * 32) + "\r\n")
    cands = {
        "8.8.8.8": True, "2001:4860:4860::8888": True,
        "127.0.0.1": False, "10.1.2.3": False, "192.168.1.2": False, "172.16.0.9": False,
        "169.254.1.1": False, "100.64.0.1": False, "fe80::1": False, "::1": False, "fd00::1": False,
        "0.0.0.0": False, "224.0.0.1": False, "abcd-1234.local": False, "internal.example": False,
    }
    sdp = base + "".join(f"a=candidate:1 1 udp 1 {a} 5000 typ host\r\n" for a in cands)
    sdp += "a=candidate:1 1 tcp 1 8.8.4.4 5000 typ host tcptype passive\r\n"
    kept = [x.split()[4] for x in check_offer(sdp).split("\r\n") if x.startswith("a=candidate:")]
    assert kept == [a for a, ok in cands.items() if ok]
    loose = [x.split()[4] for x in check_offer(sdp, IcePolicy(allow_private_candidates=True, max_remote_candidates=100))
             .split("\r\n") if x.startswith("a=candidate:")]
    assert "127.0.0.1" in loose and "abcd-1234.local" in loose and "0.0.0.0" not in loose
    assert "internal.example" not in loose and "8.8.4.4" not in loose
    many = base + "".join(f"a=candidate:{i} 1 udp 1 8.8.8.8 {5000 + i} typ host\r\n" for i in range(200))
    assert check_offer(many).count("a=candidate:") == 10


# ------------------------------------------------------------------------------ 5. deployment defaults

async def test_forwarded_headers_are_believed_only_from_trusted_proxies(settings, store):
    fwd = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    async with served(settings, store) as s:  # no trusted proxies
        async with session() as http:
            async with http.get(s.url + "/api/me", headers=fwd) as r:
                cookie = next(c for c in r.headers.getall("Set-Cookie") if ID_COOKIE in c)
                assert cookie.startswith(ID_COOKIE + "=") and "secure" not in cookie.lower()
                assert "Strict-Transport-Security" not in r.headers
    async with served(settings, store, trusted_proxies=["127.0.0.0/8"], api_burst=2) as s:
        async with session() as http:
            async with http.get(s.url + "/api/me", headers=fwd) as r:
                cookie = next(c for c in r.headers.getall("Set-Cookie") if ID_COOKIE in c)
                assert cookie.startswith(SECURE_PREFIX + ID_COOKIE + "=")
                assert "secure" in cookie.lower() and "samesite=strict" in cookie.lower()
                assert r.headers["Strict-Transport-Security"].startswith("max-age=")
            # the forwarded client address is the one rate limited
            for i, want in enumerate((200, 429)):
                http.cookie_jar.clear()
                async with http.get(s.url + "/api/me", headers=fwd) as r:
                    assert r.status == want, i
            http.cookie_jar.clear()
            async with http.get(s.url + "/api/me", headers={**fwd, "X-Forwarded-For": "198.51.100.8"}) as r:
                assert r.status == 200


def _self_signed(tmp_path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return ctx


async def test_in_process_tls_gives_host_prefixed_secure_cookies_and_hsts(settings, store, tmp_path):
    async with served(settings, store, ssl_context=_self_signed(tmp_path)) as s:
        async with session() as http:
            async with http.get(s.url + "/") as r:
                cookie = next(c for c in r.headers.getall("Set-Cookie") if ID_COOKIE in c)
                assert cookie.startswith(SECURE_PREFIX + ID_COOKIE + "=") and "Secure" in cookie
                assert "Domain" not in cookie and "Path=/" in cookie
                assert r.headers["Strict-Transport-Security"] == "max-age=31536000"
            async with http.post(s.url + "/api/consent", json={}) as r:
                assert any(c.startswith(SECURE_PREFIX + CONSENT_COOKIE + "=") for c in r.headers.getall("Set-Cookie"))
            async with http.get(s.url + "/api/me") as r:
                assert (await r.json())["consented"] is True
                assert not [c for c in r.headers.getall("Set-Cookie", []) if ID_COOKIE in c]  # kept


async def test_the_server_header_is_generic_everywhere(settings, store):
    async with served(settings, store) as s:
        async with session() as http:
            for path in ("/", "/healthz", "/static/app.css", "/nope", "/api/nope"):
                async with http.get(s.url + path) as r:
                    assert r.headers["Server"] == "attune", (path, r.headers.get("Server"))
        port = int(s.url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Line\r\n\r\n")
        head = (await asyncio.wait_for(reader.read(4096), 5)).decode("latin-1")
        writer.close()
        assert re.match(r"HTTP/1\.[01] 400 ", head), head[:60]
        server = re.search(r"(?im)^Server: (.*)$", head)
        assert server and server.group(1).strip() == "attune", head
        assert "aiohttp" not in head.lower() and "python" not in head.lower()


async def test_identity_tokens_are_server_issued(settings, store):
    async with served(settings, store) as s:
        async with session() as http:
            async with http.get(s.url + "/") as r:
                issued = r.cookies[ID_COOKIE].value
            assert IdentitySigner  # signed: 43 random characters, a dot, a 22-character tag
            assert re.fullmatch(r"[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}", issued)
        made_up = "A" * 43                                         # well-formed, never issued
        forged = issued[:-3] + ("xyz" if not issued.endswith("xyz") else "abc")
        other_server = IdentitySigner(b"k" * 32).new_token()
        legacy = "B" * 43                                          # from before signing, known to the store
        store.ensure_user(user_id_for(legacy))
        for token, kept in ((issued, True), (made_up, False), (forged, False), (other_server, False),
                            (legacy, True)):
            async with session() as http:
                async with http.get(s.url + "/api/me", headers={"Cookie": f"{ID_COOKIE}={token}"}) as r:
                    fresh = [c for c in r.headers.getall("Set-Cookie", []) if c.startswith(ID_COOKIE + "=")]
                    assert (not fresh) == kept, (token, fresh)
                    if fresh:
                        assert token not in fresh[0]


# ------------------------------------------------------------------------------ 6. clear errors

async def test_deep_json_is_a_400_and_json_apis_need_application_json(settings, store, caplog):
    caplog.set_level(logging.INFO)
    async with served(settings, store) as s:
        async with session() as http:
            await consent(http, s.url)
            deep = b"[" * 50_000
            for path in ("/api/delete", "/offer"):
                async with http.post(s.url + path, data=deep, headers={"Content-Type": "application/json"}) as r:
                    body = await r.json()
                    assert r.status == 400 and "nested" in body["error"], (path, r.status, body)
            for path in ("/api/delete", "/offer", "/api/consent", "/api/hangup"):
                for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
                    async with http.post(s.url + path, data=b'{"confirm": "delete"}', headers={"Content-Type": ctype}) as r:
                        assert r.status == 415, (path, ctype, r.status)
                        assert (await r.json())["error"]
    assert not [rec for rec in caplog.records if rec.exc_info or "RecursionError" in rec.getMessage()]


async def test_the_origin_check_includes_the_scheme(settings, store):
    async with served(settings, store) as s:
        host = s.url.split("://", 1)[1]
        async with session() as http:
            await consent(http, s.url)
            for origin, want in ((f"https://{host}", 403), (f"ftp://{host}", 403), (f"http://{host}", 200)):
                async with http.post(s.url + "/api/consent", json={}, headers={"Origin": origin}) as r:
                    assert r.status == want, origin


async def test_malformed_requests_are_logged_once_per_kind_without_a_traceback(settings, store, caplog):
    caplog.set_level(logging.DEBUG)
    async with served(settings, store) as s:
        port = int(s.url.rsplit(":", 1)[1])
        for _ in range(5):
            for raw in (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Line\r\n\r\n",
                        b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"):
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(raw)
                head = await asyncio.wait_for(reader.read(4096), 5)
                writer.close()
                assert re.match(rb"HTTP/1\.[01] 4\d\d ", head), head[:60]
        async with session() as http:
            await consent(http, s.url)
            for _ in range(5):
                async with http.post(s.url + "/api/delete", data=b"{nope", headers={"Content-Type": "application/json"}) as r:
                    assert r.status == 400
    client_errors = [r for r in caplog.records if "client error" in r.getMessage()]
    kinds = [re.search(r"client error \(([^)]*)\)", r.getMessage()).group(1) for r in client_errors]
    assert len(kinds) == len(set(kinds)) >= 3, kinds  # two parser kinds + bad JSON, once each
    assert not [r for r in caplog.records if r.exc_info and r.levelno >= logging.WARNING], \
        [r.getMessage() for r in caplog.records if r.exc_info]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# ------------------------------------------------------------------------------ limits from settings

def test_limits_are_settings_from_the_environment(monkeypatch, tmp_path):
    from attune.dialogue.settings import Settings

    monkeypatch.setenv("ATTUNE_ALLOW_PRIVATE_CANDIDATES", "1")
    monkeypatch.setenv("ATTUNE_MAX_REMOTE_CANDIDATES", "4")
    monkeypatch.setenv("ATTUNE_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
    monkeypatch.setenv("ATTUNE_ALLOWED_HOSTS", '["attune.example.org"]')
    limits = ServerLimits.from_settings(Settings(data_dir=tmp_path))
    assert limits.max_remote_candidates == 4 and limits.allow_private_candidates is True
    assert limits.trusted_proxies == ["10.0.0.1", "192.168.0.0/16"] and limits.allowed_hosts == ["attune.example.org"]
    for name in ("ATTUNE_ALLOW_PRIVATE_CANDIDATES", "ATTUNE_MAX_REMOTE_CANDIDATES", "ATTUNE_TRUSTED_PROXIES",
                 "ATTUNE_ALLOWED_HOSTS"):
        monkeypatch.delenv(name)
    assert ServerLimits.from_settings(Settings(data_dir=tmp_path)) == ServerLimits()
    with pytest.raises(ValueError):
        ServerLimits(trusted_proxies=["not-an-address"])


async def test_run_server_uses_the_hardened_runner(settings, store, capsys):
    """``attune serve`` itself (run_server on a free port): slow headers are cut off there too."""
    from attune.web.app import run_server

    settings.port = 0
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.ensure_future(run_server(settings, FakeEngine(store, settings), ready=ready, stop=stop,
                                            loop_factory=NoLoop, limits=ServerLimits(header_timeout_s=1.0)))
    try:
        await asyncio.wait_for(ready.wait(), 30)
        url = re.search(r"open (http://\S+?)/? in your browser", capsys.readouterr().out).group(1)
        socks = await _slow_sockets(url, 20)
        t0 = time.monotonic()
        async with session() as http:
            async with http.get(url + "/healthz") as r:
                assert r.status == 200 and r.headers["Server"] == "attune"
        waits = await asyncio.gather(*(_closed_by_server(rd, 4.0) for rd, _ in socks))
        assert all(w is not None for w in waits) and time.monotonic() - t0 < 3.0
        for _, w in socks:
            w.close()
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 30) == 0


async def test_a_broken_store_answers_503_without_a_path_or_traceback(settings, store, caplog):
    """A full disk or a corrupt database behind the JSON API: a plain 503, one log line."""
    from attune.dialogue.memory import DiskFullError

    def full(*a, **k):
        raise DiskFullError(f"the disk holding {settings.data_dir}/attune.db is full (database or disk is full)")

    async with served(settings, store) as srv:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(srv.url + "/api/me") as r:
                assert r.status == 200
            store.list_sessions = full  # the store breaks while the server runs
            store.get_user = lambda uid: object()
            async with http.get(srv.url + "/api/sessions") as r:
                body = await r.text()
                assert r.status == 503 and "nothing was lost" in body and str(settings.data_dir) not in body
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].exc_info is None
