"""The browser door's media side: aiortc tracks in and out, and the JSON event channel.

Only media lives here; signalling, identity and the HTTP API live in ``web/``.

* :class:`InboundAudio` drains the browser's microphone track (Opus decoded by aiortc to 48 kHz
  s16 stereo-interleaved), resamples it with PyAV's ``AudioResampler`` to mono at the rate the
  voice loop wants and hands each chunk to a sink.  It keeps reading even when nobody wants the
  audio, because an undrained aiortc track fills its queue without bound.
* :class:`OutboundAudioTrack` is the assistant's voice: a ``MediaStreamTrack`` that the RTP sender
  pulls every 20 ms.  The voice loop's paced output writes PCM into it; it answers with the next
  20 ms of that audio or with silence, and :meth:`OutboundAudioTrack.clear` drops what is queued
  (barge-in).
* :class:`EventChannel` turns the voice loop's events into the small JSON protocol the page
  understands and sends them over the WebRTC data channel (buffered until the channel opens).
"""
from __future__ import annotations

import asyncio
import collections
import fractions
import json
import logging
import math
import time
from typing import Any, Callable

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

log = logging.getLogger("attune.browser")

OUT_RATE = 48_000
FRAME_MS = 20
OUT_SAMPLES = OUT_RATE * FRAME_MS // 1000  # 960
_TIME_BASE = fractions.Fraction(1, OUT_RATE)

PcmSink = Callable[[np.ndarray, int], None]
"""``sink(pcm, sample_rate)``: ``pcm`` is mono int16."""


def _mono_frame(pcm: np.ndarray, sample_rate: int) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm, dtype=np.int16).reshape(1, -1),
                                       format="s16", layout="mono")
    frame.sample_rate = sample_rate
    return frame


class Resampler:
    """PyAV resampler to mono s16 at ``rate``; returns int16 numpy arrays."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._r = av.AudioResampler(format="s16", layout="mono", rate=rate)

    def __call__(self, frame: av.AudioFrame) -> np.ndarray:
        if frame.sample_rate == self.rate and frame.layout.name == "mono" and frame.format.name == "s16":
            return frame.to_ndarray().reshape(-1).astype(np.int16, copy=False)
        out = [f.to_ndarray().reshape(-1) for f in self._r.resample(frame)]
        if not out:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(out).astype(np.int16, copy=False)


def roomy_default_executor(calls: int) -> None:
    """Give the event loop a default thread pool big enough for ``calls`` WebRTC calls.

    aiortc encodes every outgoing 20 ms Opus frame in the loop's default executor, and long jobs
    share that pool (Piper synthesises whole replies there; ``asyncio.to_thread`` store calls).
    Python's default (cpu + 4 = 6 threads here) lets a few replies being synthesised hold up every
    call's audio — under load the calls stutter and their microphones fall seconds behind.
    Threads that wait cost nothing, so size the pool for the worst case."""
    import concurrent.futures

    loop = asyncio.get_running_loop()
    workers = max(32, 4 * calls + 8)
    current = getattr(loop, "_default_executor", None)
    if current is not None and getattr(current, "_max_workers", 0) >= workers:
        return
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=workers,
                                                                    thread_name_prefix="attune-pool"))


def _audio_level_dbov(frame) -> int:
    """aiortc's RFC 6465 audio level (``aiortc.rtp.compute_audio_level_dbov``), same result, with
    numpy instead of a Python loop over every sample (that loop cost ~0.3 ms per 20 ms frame, about
    1.5 % of a core per call, on this machine)."""
    x = np.frombuffer(bytes(frame.planes[0]), dtype=np.int16).astype(np.float64)
    rms = math.sqrt(float(np.dot(x, x)) / (frame.samples * 32767.0 * 32767.0)) if frame.samples else 0.0
    if rms > 0:
        return round(min(0.0, max(-127.0, 20 * math.log10(rms))))
    return -127


def speed_up_aiortc() -> None:
    """Swap aiortc's per-sample Python audio-level loop for :func:`_audio_level_dbov` (idempotent)."""
    import aiortc.rtp

    if aiortc.rtp.compute_audio_level_dbov is not _audio_level_dbov:
        _ORIGINAL["compute_audio_level_dbov"] = aiortc.rtp.compute_audio_level_dbov
        aiortc.rtp.compute_audio_level_dbov = _audio_level_dbov


_ORIGINAL: dict[str, Any] = {}  # what speed_up_aiortc replaced (tests compare against it)


def low_latency_receiver(receiver, prefetch: int = 1) -> bool:
    """Give an aiortc audio receiver a 1-packet jitter buffer instead of aiortc's 4 (80 ms).

    The server's inbound audio feeds the VAD and Whisper, not a loudspeaker: it needs packets in
    order, not a smooth playout, so every prefetched packet is pure added latency. (aiortc 1.16
    keeps the buffer private; if that ever changes this does nothing and returns False.)"""
    try:
        from aiortc.jitterbuffer import JitterBuffer

        name = "_RTCRtpReceiver__jitter_buffer"
        old = getattr(receiver, name, None)
        if old is None or getattr(receiver, "_RTCRtpReceiver__kind", "audio") != "audio":
            return False
        setattr(receiver, name, JitterBuffer(capacity=old.capacity, prefetch=prefetch))
        return True
    except Exception:
        return False


class InboundAudio:
    """Reads a remote aiortc audio track until it ends; resamples and hands PCM to ``sink``."""

    def __init__(self, track: MediaStreamTrack, sink: PcmSink | None, *, rate: int = 48_000,
                 on_ended: Callable[[], None] | None = None) -> None:
        self.track = track
        self.sink = sink
        self.rate = rate
        self.on_ended = on_ended
        self.frames = 0
        self.last_frame_at: float | None = None
        self._resample = Resampler(rate)
        self._task: asyncio.Task | None = None

    def start(self) -> "InboundAudio":
        self._task = asyncio.create_task(self._run(), name="attune-browser-inbound")
        return self

    async def _run(self) -> None:
        try:
            while True:
                try:
                    frame = await self.track.recv()
                except MediaStreamError:
                    break
                self.frames += 1
                self.last_frame_at = time.monotonic()
                sink = self.sink
                if sink is None:
                    continue  # drain anyway
                try:
                    pcm = self._resample(frame)
                    if pcm.size:
                        sink(pcm, self.rate)
                except Exception:  # a bad frame must not stop the drain
                    log.exception("inbound audio frame dropped")
        except asyncio.CancelledError:
            raise
        finally:
            if self.on_ended is not None:
                try:
                    self.on_ended()
                except Exception:
                    log.exception("on_ended failed")

    async def aclose(self) -> None:
        self.sink = None
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass


class OutboundAudioTrack(MediaStreamTrack):
    """The assistant's voice towards the browser: 20 ms frames of 48 kHz mono s16, paced by the clock.

    ``write(pcm, sample_rate)`` appends audio (any rate, any chunk size); ``clear()`` drops it all.
    When nothing is queued the track sends silence, so the RTP stream never stalls.
    """

    kind = "audio"

    def __init__(self, *, prebuffer_ms: int = 0,
                 on_audio_start: Callable[[float], None] | None = None) -> None:
        super().__init__()
        self._chunks: collections.deque[np.ndarray] = collections.deque()
        self._queued = 0
        self._resamplers: dict[int, Resampler] = {}
        self._start: float | None = None
        self._pts = 0
        self._prebuffer = OUT_RATE * prebuffer_ms // 1000
        self._playing = False
        self._first_queued_at = 0.0
        self.on_audio_start = on_audio_start
        self._empty_frames = 0
        self.frames_sent = 0
        self.audio_frames_sent = 0
        self.short_frames = 0

    # -- producer side -------------------------------------------------------------------------
    @property
    def queued_seconds(self) -> float:
        return self._queued / OUT_RATE

    def write(self, pcm: np.ndarray | bytes, sample_rate: int) -> None:
        if isinstance(pcm, (bytes, bytearray, memoryview)):
            pcm = np.frombuffer(pcm, dtype=np.int16)
        pcm = np.asarray(pcm)
        if pcm.dtype != np.int16:
            pcm = np.clip(pcm, -32768, 32767).astype(np.int16)
        pcm = pcm.reshape(-1)
        if not pcm.size or self.readyState != "live":
            return
        if sample_rate != OUT_RATE:
            r = self._resamplers.get(sample_rate)
            if r is None:
                r = self._resamplers[sample_rate] = _RateConverter(sample_rate, OUT_RATE)
            pcm = r(pcm)
            if not pcm.size:
                return
        if not self._queued:
            self._first_queued_at = time.monotonic()
        self._chunks.append(pcm)
        self._queued += pcm.size

    def clear(self) -> None:
        """Barge-in: forget everything not yet sent."""
        self._chunks.clear()
        self._queued = 0
        self._resamplers.clear()
        self._playing = False

    # -- consumer side (aiortc's RTP sender) ---------------------------------------------------
    def _take(self, n: int) -> tuple[np.ndarray, int]:
        out = np.zeros(n, dtype=np.int16)
        filled = 0
        while filled < n and self._chunks:
            c = self._chunks[0]
            k = min(n - filled, c.size)
            out[filled:filled + k] = c[:k]
            filled += k
            if k == c.size:
                self._chunks.popleft()
            else:
                self._chunks[0] = c[k:]
        self._queued -= filled
        return out, filled

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
        else:
            self._pts += OUT_SAMPLES
            wait = self._start + self._pts / OUT_RATE - now
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -0.1:  # the loop stalled: jump the clock instead of bursting
                self._start = now - self._pts / OUT_RATE
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if not self._playing and self._queued and (
                self._queued >= self._prebuffer or now - self._first_queued_at >= self._prebuffer / OUT_RATE):
            self._playing = True
            self._empty_frames = 0
            if self.on_audio_start is not None:
                try:
                    self.on_audio_start(time.monotonic())
                except Exception:
                    log.exception("on_audio_start failed")
        filled = 0
        if self._playing:
            samples, filled = self._take(OUT_SAMPLES)
            if filled < OUT_SAMPLES:
                self.short_frames += 1  # end of a segment, or the producer was late (an underrun)
            self._empty_frames = self._empty_frames + 1 if filled == 0 else 0
            if self._empty_frames >= 3:  # 60 ms of nothing: the segment is over
                self._playing = False
        else:
            samples = np.zeros(OUT_SAMPLES, np.int16)
        self.frames_sent += 1
        if filled:
            self.audio_frames_sent += 1
        frame = _mono_frame(samples, OUT_RATE)
        frame.pts = self._pts
        frame.time_base = _TIME_BASE
        return frame


class _RateConverter:
    """Streaming mono int16 rate conversion with PyAV (keeps filter state between chunks)."""

    def __init__(self, src: int, dst: int) -> None:
        self.src, self.dst = src, dst
        self._r = av.AudioResampler(format="s16", layout="mono", rate=dst)
        self._pts = 0

    def __call__(self, pcm: np.ndarray) -> np.ndarray:
        frame = _mono_frame(pcm, self.src)
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, self.src)
        self._pts += pcm.size
        out = [f.to_ndarray().reshape(-1) for f in self._r.resample(frame)]
        return np.concatenate(out).astype(np.int16, copy=False) if out else np.zeros(0, np.int16)


# -- events ------------------------------------------------------------------------------------

def page_events(ev: dict[str, Any]) -> list[dict[str, Any]]:
    """Map one voice-loop event to the page's wire events (each has ``type``).

    Wire protocol (server → page):
      ``{"type": "caption", "role": "user"|"assistant", "text": str, "final": bool}``
      ``{"type": "phase", "phase": str}``   ``{"type": "modality", "modality": str|None}``
      ``{"type": "crisis", "resources": [{name, number, text}], ...}``
      ``{"type": "coping_card", "card": ..., "text": str}``
      ``{"type": "state", "state": "listening"|"speaking"}``   ``{"type": "ended", "reason": str}``
    Anything else passes through unchanged, so new brain events reach the page without a code change.
    """
    t = ev.get("type")
    base = {k: v for k, v in ev.items() if k != "type"}
    if t in ("transcript", "user_transcript", "user_input_transcribed", "stt"):
        final = bool(ev.get("final", ev.get("is_final", False)))
        text = ev.get("text", ev.get("transcript", "")) or ""
        return [{"type": "caption", "role": "user", "text": text, "final": final, "t": ev.get("t")}]
    if t in ("partial", "transcript_partial"):
        return [{"type": "caption", "role": "user", "text": ev.get("text", ""), "final": False, "t": ev.get("t")}]
    if t in ("final", "transcript_final"):
        return [{"type": "caption", "role": "user", "text": ev.get("text", ""), "final": True, "t": ev.get("t")}]
    if t in ("reply_text", "reply", "assistant", "agent_transcript"):
        out: list[dict[str, Any]] = [{"type": "caption", "role": "assistant", "text": ev.get("text", ""),
                                      "final": True, "t": ev.get("t")}]
        for key in ("phase", "modality"):
            if key in ev:
                out.append({"type": key, key: ev[key], "t": ev.get("t")})
        return out
    if t in ("reply_audio_start", "speaking"):
        return [{**base, "type": "state", "state": "speaking"}]
    if t in ("reply_audio_end", "playback_finished", "listening"):
        return [{**base, "type": "state", "state": "listening"}]
    if t == "coping_card":
        card = ev.get("card", {k: v for k, v in base.items() if k != "t"})
        text = ev.get("text") or card_text(card)
        return [{"type": "coping_card", "card": card, "text": text, "t": ev.get("t")}]
    return [dict(ev)]


_CARD_SKIP = {"t", "type", "title", "modality", "id"}


def card_text(card: Any) -> str:
    """A coping card as plain text: its title, then one labelled line (or list) per field."""
    if isinstance(card, str):
        return card
    if isinstance(card, dict):
        lines = [str(card["title"])] if card.get("title") else []
        for k, v in card.items():
            if k in _CARD_SKIP or v in (None, "", []):
                continue
            label = k.replace("_", " ").capitalize()
            if isinstance(v, list):
                lines.append(f"{label}:")
                lines.extend(f"  - {x}" for x in v)
            else:
                lines.append(f"{label}: {v}")
        return "\n".join(lines)
    return str(card)


class EventChannel:
    """Send the page's JSON events over an RTCDataChannel; buffered until the channel opens."""

    def __init__(self, max_buffer: int = 500) -> None:
        self._channel = None
        self._pending: collections.deque[str] = collections.deque(maxlen=max_buffer)
        self.sent: list[dict[str, Any]] = []  # kept for tests and the bench (bounded)
        self._max_keep = 2000

    def attach(self, channel) -> None:
        self._channel = channel
        if channel.readyState == "open":
            self._flush()
        else:
            channel.on("open", self._flush)

    def _flush(self) -> None:
        ch = self._channel
        while self._pending and ch is not None and ch.readyState == "open":
            ch.send(self._pending.popleft())

    def send(self, msg: dict[str, Any]) -> None:
        if len(self.sent) < self._max_keep:
            self.sent.append(msg)
        data = json.dumps(msg, default=str, ensure_ascii=False)
        ch = self._channel
        if ch is not None and ch.readyState == "open":
            self._flush()
            try:
                ch.send(data)
            except Exception:
                log.debug("data channel send failed", exc_info=True)
        else:
            self._pending.append(data)

    def loop_event(self, ev: dict[str, Any]) -> None:
        """``on_event`` for the voice loop."""
        for msg in page_events(ev):
            self.send(msg)


# -- the voice loop on this door ---------------------------------------------------------------

BROWSER_INPUT_RATE = 16_000   # what InboundAudio hands the loop (mono s16): the VAD's and Whisper's rate,
                              # so the loop's own resamplers (and their delay) are bypassed
BROWSER_OUTPUT_RATE = 48_000  # what the loop's sink is asked to produce (the framework resamples TTS)


class BrowserLoop:
    """One call's voice loop with its door IO: ``start()`` / ``aclose()`` (idempotent).

    ``aclose`` lets the loop commit what was heard and call ``engine.hang_up`` (``hangs_up``)."""

    hangs_up = True

    def __init__(self, loop, audio_input, audio_output) -> None:
        self.loop = loop
        self.audio_input = audio_input
        self.audio_output = audio_output
        self._closed = False

    async def start(self) -> None:
        await self.loop.start()

    def idle(self) -> bool:
        """Nobody speaking and nothing left to play (e.g. the goodbye has been heard)."""
        fn = getattr(self.loop, "idle", None)
        return bool(fn()) if callable(fn) else True

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.audio_input.close()
        except Exception:
            log.exception("closing the loop input failed")
        try:
            await self.loop.aclose()
        finally:
            close = getattr(self.audio_output, "aclose", None)
            if close is not None:
                try:
                    await close()
                except Exception:
                    log.exception("closing the loop output failed")


def build_browser_loop(settings, engine, call, *, on_event=None, **loop_kw) -> BrowserLoop:
    """Wire ``voice.session.build_voice_loop`` to a browser call (``web.calls.Call``).

    The microphone (already resampled by :class:`InboundAudio` to ``call.input_rate``) feeds a
    ``QueueAudioInput``; the loop's ``PacedAudioOutput`` hands each due 20 ms frame to the call's
    :class:`OutboundAudioTrack` and clears it on barge-in; events go to ``on_event`` (default: the
    call's data channel). ``loop_kw`` goes to ``build_voice_loop`` (e.g. ``models``).
    """
    from voice.audio_io import PacedAudioOutput, QueueAudioInput
    from voice.session import build_voice_loop

    track: OutboundAudioTrack = call.track
    audio_input = QueueAudioInput(sample_rate=call.input_rate, num_channels=1, label="BrowserInput")

    def on_frame(frame) -> None:
        track.write(np.frombuffer(frame.data, dtype=np.int16), frame.sample_rate)

    audio_output = PacedAudioOutput(sample_rate=BROWSER_OUTPUT_RATE, num_channels=1,
                                    on_frame=on_frame, on_clear=track.clear, label="BrowserOutput")
    loop = build_voice_loop(settings, engine, user_id=call.user_id, audio_input=audio_input,
                            audio_output=audio_output, on_event=on_event or call.emit, echo_cancelled=True,
                            **loop_kw)
    call.input_sink = lambda pcm, rate: audio_input.push_pcm(pcm)
    return BrowserLoop(loop, audio_input, audio_output)
