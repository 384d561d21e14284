"""A scriptable WebRTC caller for ``attune serve``: what a browser does, in Python (aiortc).

Used by the several-calls test and by ``attune bench … --door browser``. It keeps a cookie like a
browser, accepts the first-visit notice, sends an SDP offer with a microphone track and an
``events`` data channel, speaks PCM into the call in real time (silence otherwise, like a real
microphone), and records when the assistant's voice arrives.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import fractions
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import aiohttp
import av
import numpy as np
from attune.voice.audio import Resampler, read_wav, resample
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

RATE = 48_000
FRAME = 960  # 20 ms
_TB = fractions.Fraction(1, RATE)
VOICE_RMS = 300.0  # int16 RMS above which a received frame counts as voice (≈ -40 dBFS)


def read_wav_mono(path: Path | str, rate: int = RATE) -> np.ndarray:
    """A WAV file as mono int16 at ``rate``."""
    x, sr = read_wav(path)
    return (resample(x, sr, rate) * 32767).astype(np.int16)


class MicTrack(MediaStreamTrack):
    """A microphone: silence, or what was queued with :meth:`say` / :meth:`feed`, paced in real time.

    Like a real microphone it never lets silence pile up: silence fed while more than
    ``max_lag_s`` of audio is already waiting is dropped, so a producer that stalled and then
    caught up in a burst does not leave the microphone permanently behind. Speech is never dropped.
    """

    kind = "audio"

    def __init__(self, max_lag_s: float = 0.06) -> None:
        super().__init__()
        self._chunks: collections.deque[tuple[int, np.ndarray]] = collections.deque()  # (fed index, pcm)
        self._queued = 0
        self._start: float | None = None
        self._pts = 0
        self._done: asyncio.Future | None = None
        self.max_lag = int(max_lag_s * RATE)
        self.fed_total = 0                        # samples ever fed (dropped silence included)
        self.sent_upto = 0                        # fed index just past the last sample sent
        self.speech_end_at: float | None = None   # monotonic time the last queued sample was sent
        self.max_backlog = 0                      # most samples ever waiting to be sent
        self.log_index: list[int] | None = None   # with start_log(): sent_upto after each frame …
        self.log_time: list[float] | None = None  # … and the monotonic time that frame was sent

    def start_log(self) -> None:
        self.log_index, self.log_time = [], []

    def feed(self, pcm: np.ndarray) -> None:
        """Append audio (mono int16 48 kHz) to what the microphone will send."""
        if not pcm.size:
            return
        start = self.fed_total
        self.fed_total += pcm.size
        if self._queued > self.max_lag and not pcm.any():
            return  # silence while behind: a live microphone would not have it either
        self._chunks.append((start, pcm.astype(np.int16, copy=False)))
        self._queued += pcm.size
        self.max_backlog = max(self.max_backlog, self._queued)

    def say(self, pcm: np.ndarray) -> asyncio.Future:
        """Queue ``pcm`` (mono int16 48 kHz); the future resolves (with the end time) once sent."""
        self.feed(pcm)
        self.speech_end_at = None
        if self._done is not None and not self._done.done():
            self._done.cancel()
        self._done = asyncio.get_running_loop().create_future()
        return self._done

    @property
    def speaking(self) -> bool:
        return self._queued > 0

    def _take(self, n: int) -> np.ndarray:
        out = np.zeros(n, np.int16)
        filled = 0
        while filled < n and self._chunks:
            start, c = self._chunks[0]
            k = min(n - filled, c.size)
            out[filled:filled + k] = c[:k]
            filled += k
            self.sent_upto = start + k
            if k == c.size:
                self._chunks.popleft()
            else:
                self._chunks[0] = (start + k, c[k:])
        self._queued -= filled
        return out

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._pts += FRAME
            wait = self._start + self._pts / RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        had = self._queued > 0
        chunk = self._take(FRAME)
        now = time.monotonic()
        if had and self.log_index is not None:
            self.log_index.append(self.sent_upto)
            self.log_time.append(now)  # type: ignore[union-attr]
        if self._done is not None and not self._done.done() and self._queued == 0:
            self.speech_end_at = now
            self._done.set_result(now)
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._pts
        frame.time_base = _TB
        return frame


@dataclass
class Heard:
    """What came back: per-20 ms-frame arrival time and RMS, plus the raw audio (mono 48 kHz)."""

    times: list[float] = field(default_factory=list)
    rms: list[float] = field(default_factory=list)
    chunks: list[np.ndarray] = field(default_factory=list)
    bytes: int = 0

    def first_voice_after(self, t: float, threshold: float = VOICE_RMS) -> float | None:
        for at, level in zip(self.times, self.rms):
            if at >= t and level >= threshold:
                return at
        return None

    def last_voice(self, threshold: float = VOICE_RMS) -> float | None:
        for at, level in zip(reversed(self.times), reversed(self.rms)):
            if level >= threshold:
                return at
        return None

    def audio(self) -> np.ndarray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)


class OfferRefused(Exception):
    def __init__(self, status: int, body: Any, headers: Any) -> None:
        super().__init__(f"/offer answered {status}: {body}")
        self.status, self.body, self.headers = status, body, headers


class BrowserClient:
    """One caller. ``async with BrowserClient(url) as c: await c.connect(); await c.say(pcm) …``"""

    def __init__(self, base_url: str, *, keep_audio: bool = False) -> None:
        from attune.web.media import speed_up_aiortc

        speed_up_aiortc()
        self.base_url = base_url.rstrip("/")
        self.keep_audio = keep_audio
        self._to_rate = Resampler(RATE)
        self.http: aiohttp.ClientSession | None = None
        self.pc: RTCPeerConnection | None = None
        self.dc = None
        self.mic = MicTrack()
        self.heard = Heard()
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.call_id: str | None = None
        self._event_cond = asyncio.Condition()
        self._tasks: list[asyncio.Task] = []
        self.dc_open = asyncio.Event()

    async def __aenter__(self) -> "BrowserClient":
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with self.http.get(self.base_url + "/") as r:
            r.raise_for_status()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def accept_notice(self) -> None:
        async with self.http.post(self.base_url + "/api/consent", json={}) as r:  # type: ignore[union-attr]
            r.raise_for_status()

    async def connect(self, *, consent: bool = True, timeout: float = 20.0) -> None:
        if consent:
            await self.accept_notice()
        pc = self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.dc = pc.createDataChannel("events", ordered=True)
        self.dc.on("open", self.dc_open.set)
        self.dc.on("message", self._on_message)
        pc.addTrack(self.mic)
        connected = asyncio.Event()

        @pc.on("track")
        def _on_track(track) -> None:
            self._tasks.append(asyncio.ensure_future(self._listen(track)))

        @pc.on("connectionstatechange")
        def _on_state() -> None:
            if pc.connectionState == "connected":
                connected.set()

        await pc.setLocalDescription(await pc.createOffer())
        async with self.http.post(self.base_url + "/offer",  # type: ignore[union-attr]
                                  json={"sdp": pc.localDescription.sdp, "type": "offer"}) as r:
            body = await r.json(content_type=None)
            if r.status != 200:
                await pc.close()
                raise OfferRefused(r.status, body, r.headers)
        self.call_id = body["call_id"]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=body["sdp"], type=body["type"]))
        await asyncio.wait_for(connected.wait(), timeout)

    async def _listen(self, track) -> None:
        # aiortc decodes Opus to 48 kHz s16 interleaved stereo: measure it as is (cheap)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            now = time.monotonic()
            pcm = frame.to_ndarray().reshape(-1)
            self.heard.times.append(now)
            self.heard.rms.append(float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) if pcm.size else 0.0)
            self.heard.bytes += pcm.size * 2
            if self.keep_audio:
                self.heard.chunks.append(self._to_rate.frame(frame))

    def _on_message(self, message) -> None:
        try:
            ev = json.loads(message)
        except ValueError:
            return
        self.events.append((time.monotonic(), ev))

        async def notify() -> None:
            async with self._event_cond:
                self._event_cond.notify_all()
        self._tasks.append(asyncio.ensure_future(notify()))

    async def wait_event(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 20.0,
                         since: float = 0.0) -> dict[str, Any]:
        """The first event (received at or after ``since``, monotonic) for which ``pred`` holds."""
        async def find():
            async with self._event_cond:
                while True:
                    for at, ev in self.events:
                        if at >= since and pred(ev):
                            return ev
                    await self._event_cond.wait()
        return await asyncio.wait_for(find(), timeout)

    def captions(self, role: str, final: bool = True) -> list[str]:
        return [ev.get("text", "") for _, ev in self.events
                if ev.get("type") == "caption" and ev.get("role") == role and (ev.get("final") or not final)]

    async def say(self, pcm: np.ndarray) -> float:
        """Speak ``pcm`` (mono int16 48 kHz) in real time; returns the monotonic time speech ended."""
        return await self.mic.say(pcm)

    async def wait_quiet(self, quiet_s: float = 1.0, timeout: float = 30.0, *, after: float | None = None) -> bool:
        """Wait until the assistant has been silent for ``quiet_s`` (having spoken after ``after``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.heard.last_voice()
            now = time.monotonic()
            if last is not None and (after is None or last >= after) and now - last >= quiet_s:
                return True
            await asyncio.sleep(0.05)
        return False

    def send(self, msg: dict[str, Any]) -> None:
        if self.dc is not None and self.dc.readyState == "open":
            self.dc.send(json.dumps(msg))

    async def hangup(self) -> dict[str, Any]:
        self.send({"type": "hangup"})
        async with self.http.post(self.base_url + "/api/hangup",  # type: ignore[union-attr]
                                  json={"call_id": self.call_id}) as r:
            body = await r.json(content_type=None)
        await self._close_pc()
        return body

    async def vanish(self) -> None:
        """Leave without saying goodbye (tab killed, network gone): just stop the media."""
        self.mic.stop()
        if self.pc is not None:
            # stop our side without the DTLS/SCTP goodbye: close the ICE transport's sockets
            for t in self.pc.getTransceivers():
                with contextlib.suppress(Exception):
                    ice = t.sender.transport.transport
                    await ice._connection.close()  # aioice: sockets gone, no goodbye
            self.pc = None

    async def _close_pc(self) -> None:
        if self.pc is not None:
            with contextlib.suppress(Exception):
                await self.pc.close()
            self.pc = None

    async def close(self) -> None:
        await self._close_pc()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(BaseException):
                await t
        if self.http is not None:
            await self.http.close()
            self.http = None


# -- a process of callers (benchmarks): commands over a multiprocessing Connection ---------------

def caller_process_fd(fd: int) -> None:
    """Entry point of a callers' process joined to its parent by the socket ``fd``."""
    from multiprocessing.connection import Connection

    caller_process_main(Connection(fd))


def caller_process_main(conn) -> None:
    """A process of callers: one ``BrowserClient`` per call, driven over ``conn`` (used by
    ``voice.bench.browser``). Commands: ``("connect", key, url)``, ``("feed", key, pcm16k_bytes)``,
    ``("finish", key)``, ``("quit", None)``; replies ``("ok"|"error", key, value)``."""
    asyncio.run(_callers(conn))


async def _callers(conn) -> None:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue = asyncio.Queue()

    def reader() -> None:
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                msg = ("quit", None)
            loop.call_soon_threadsafe(inbox.put_nowait, msg)
            if msg[0] == "quit":
                return

    threading.Thread(target=reader, daemon=True).start()
    clients: dict[int, Any] = {}
    ups: dict[int, Any] = {}
    tasks: set[asyncio.Task] = set()

    async def connect(key: int, url: str) -> None:
        try:
            c = BrowserClient(url)
            await c.__aenter__()
            clients[key], ups[key] = c, Resampler(RATE)
            c.mic.start_log()
            await c.connect(timeout=60)
            conn.send(("ok", key, c.call_id))
        except Exception as e:
            conn.send(("error", key, f"{type(e).__name__}: {e}"))

    async def finish(key: int) -> None:
        c = clients.pop(key, None)
        ups.pop(key, None)
        if c is None:
            conn.send(("error", key, "unknown call"))
            return
        try:
            await c.hangup()
        except Exception:
            pass
        h = c.heard
        conn.send(("ok", key, {"log_index": c.mic.log_index, "log_time": c.mic.log_time,
                               "times": h.times, "rms": h.rms, "max_backlog": c.mic.max_backlog}))
        await c.close()

    while True:
        msg = await inbox.get()
        op, key = msg[0], msg[1]
        if op == "feed":
            c = clients.get(key)
            if c is not None:
                c.mic.feed(ups[key].pcm(np.frombuffer(msg[2], np.int16), 16_000))
        elif op in ("connect", "finish"):
            t = asyncio.ensure_future(connect(key, msg[2]) if op == "connect" else finish(key))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
        elif op == "quit":
            for c in clients.values():
                await c.close()
            return
