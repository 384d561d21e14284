"""The browser door's media: aiortc tracks in and out (signalling and HTTP live in ``app``/``calls``).

* :class:`InboundAudio` drains the browser's microphone track (Opus decoded by aiortc to 48 kHz
  s16 stereo-interleaved), resamples it to mono at the rate the voice loop wants and hands each
  chunk to a sink. It keeps reading even when nobody wants the audio, because an undrained aiortc
  track fills its queue without bound.
* :class:`OutboundAudioTrack` is the assistant's voice: a ``MediaStreamTrack`` that the RTP sender
  pulls every 20 ms. The voice loop's paced output writes PCM into it; it answers with the next
  20 ms of that audio or with silence, and :meth:`OutboundAudioTrack.clear` drops what is queued
  (barge-in).
"""
from __future__ import annotations

import asyncio
import collections
import fractions
import logging
import math
import time
from typing import Any, Callable

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from attune.voice import internals
from attune.voice.audio import Resampler

log = logging.getLogger("attune.browser")

OUT_RATE = 48_000
FRAME_MS = 20
OUT_SAMPLES = OUT_RATE * FRAME_MS // 1000  # 960
_TIME_BASE = fractions.Fraction(1, OUT_RATE)

BROWSER_INPUT_RATE = 16_000   # what InboundAudio hands the loop (mono s16): the VAD's and Whisper's rate,
                              # so the loop's own resamplers (and their delay) are bypassed

PcmSink = Callable[[np.ndarray, int], None]
"""``sink(pcm, sample_rate)``: ``pcm`` is mono int16."""


def _mono_frame(pcm: np.ndarray, sample_rate: int) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm, dtype=np.int16).reshape(1, -1),
                                       format="s16", layout="mono")
    frame.sample_rate = sample_rate
    return frame


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
    if internals.default_executor_workers(loop) >= workers:
        return
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=workers,
                                                                    thread_name_prefix="attune-pool"))


def _audio_level_dbov(frame) -> int:
    """aiortc's RFC 6465 audio level (its ``compute_audio_level_dbov``), same result, with
    numpy instead of a Python loop over every sample (that loop cost ~0.3 ms per 20 ms frame, about
    1.5 % of a core per call, on this machine)."""
    x = np.frombuffer(bytes(frame.planes[0]), dtype=np.int16).astype(np.float64)
    rms = math.sqrt(float(np.dot(x, x)) / (frame.samples * 32767.0 * 32767.0)) if frame.samples else 0.0
    if rms > 0:
        return round(min(0.0, max(-127.0, 20 * math.log10(rms))))
    return -127


def speed_up_aiortc() -> None:
    """Swap aiortc's per-sample Python audio-level loop for :func:`_audio_level_dbov` (idempotent)."""
    if "compute_audio_level_dbov" not in _ORIGINAL:
        _ORIGINAL["compute_audio_level_dbov"] = internals.audio_level_patch(_audio_level_dbov)


_ORIGINAL: dict[str, Any] = {}  # what speed_up_aiortc replaced (tests compare against it)


def low_latency_receiver(receiver, prefetch: int = 1) -> bool:
    """Give an aiortc audio receiver a 1-packet jitter buffer instead of aiortc's 4 (80 ms): the
    server's inbound audio feeds the VAD and Whisper, not a loudspeaker, so every prefetched packet
    is pure added latency."""
    return internals.set_jitter_prefetch(receiver, prefetch)


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
                    pcm = self._resample.frame(frame)
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
        self._resampler = Resampler(OUT_RATE)
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
            pcm = self._resampler.pcm(pcm, sample_rate)
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
        self._resampler = Resampler(OUT_RATE)
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
