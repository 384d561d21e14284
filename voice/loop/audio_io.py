"""Door building blocks shared by every door (WAV file, microphone, browser, phone).

* :class:`QueueAudioInput` — an ``io.AudioInput`` a door feeds with PCM (from any thread).
* :class:`PacedAudioOutput` — an ``io.AudioOutput`` that plays the assistant's audio against
  the clock in 20 ms frames and hands each frame to the door when it is due.

Why the sink paces: livekit-agents pushes a whole reply into the sink within ~70 ms, so
stopping playback on barge-in is the sink's job. This sink holds the reply, releases it in
real time, drops whatever is left on ``clear_buffer()``, and calls ``on_playback_started`` /
``on_playback_finished`` exactly once per segment (also after a clear; a missing call hangs
the session).
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from livekit import rtc
from livekit.agents.utils.audio import AudioByteStream
from livekit.agents.voice import io

FRAME_MS = 20


def to_int16(samples: np.ndarray) -> np.ndarray:
    """float in [-1, 1] or any integer PCM → int16 (interleaved layout kept)."""
    a = np.asarray(samples)
    if a.dtype == np.int16:
        return a
    if np.issubdtype(a.dtype, np.floating):
        return (np.clip(a, -1.0, 1.0) * 32767.0).astype(np.int16)
    if a.dtype == np.int32:
        return (a >> 16).astype(np.int16)
    if a.dtype == np.uint8:
        return ((a.astype(np.int16) - 128) << 8).astype(np.int16)
    return a.astype(np.int16)


class QueueAudioInput(io.AudioInput):
    """Audio input fed by a door: ``push_pcm`` from the event loop, ``push_pcm_threadsafe``
    from a device callback thread. Frames are re-cut to exact 20 ms frames (the VAD needs
    10/20/30 ms frames). ``close()`` ends the stream."""

    def __init__(self, *, sample_rate: int, num_channels: int = 1, label: str = "QueueAudioInput",
                 loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(label=label)
        self.sample_rate = sample_rate
        self.num_channels = num_channels
        self._loop = loop
        self._q: asyncio.Queue[rtc.AudioFrame | None] = asyncio.Queue()
        self._bstream = AudioByteStream(sample_rate, num_channels,
                                        samples_per_channel=sample_rate * FRAME_MS // 1000)
        self._closed = False
        self.pushed_s = 0.0  # audio handed to the loop so far

    def push_frame(self, frame: rtc.AudioFrame) -> None:
        if frame.sample_rate != self.sample_rate or frame.num_channels != self.num_channels:
            raise ValueError("frame format differs from the input's declared format")
        self.push_pcm(np.frombuffer(frame.data, dtype=np.int16))

    def push_pcm(self, samples: np.ndarray | bytes) -> None:
        """Queue interleaved PCM (int16, or float in [-1, 1]) at ``sample_rate``."""
        if self._closed:
            return
        data = samples if isinstance(samples, bytes | bytearray) else to_int16(samples).tobytes()
        for f in self._bstream.push(data):
            self.pushed_s += f.duration
            self._q.put_nowait(f)

    def push_pcm_threadsafe(self, samples: np.ndarray | bytes) -> None:
        loop = self._loop
        if loop is None:
            raise RuntimeError("QueueAudioInput(loop=...) is required for push_pcm_threadsafe")
        data = samples if isinstance(samples, bytes | bytearray) else to_int16(samples).tobytes()
        loop.call_soon_threadsafe(self.push_pcm, data)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._q.put_nowait(None)

    @property
    def closed(self) -> bool:
        return self._closed

    async def __anext__(self) -> rtc.AudioFrame:
        f = await self._q.get()
        if f is None:
            self._q.put_nowait(None)  # stay ended for any later reader
            raise StopAsyncIteration
        return f


@dataclass
class _Seg:
    id: int
    played: float = 0.0          # seconds handed to the door
    flushed: bool = False        # no more frames will come for this segment
    started: bool = False        # playback_started emitted
    finished: bool = False       # playback_finished emitted
    queued: int = 0              # frames of this segment waiting in the queue


FrameCallback = Callable[[rtc.AudioFrame], None]


class PacedAudioOutput(io.AudioOutput):
    """Sink that paces 20 ms frames against the clock and hands each to ``on_frame``.

    ``on_frame(frame)`` is called on the event loop at the moment the frame is due to play
    (the door writes it to a file, a sound card or an RTP track). ``on_clear()`` (optional)
    tells the door that everything it was given may be dropped (barge-in).
    Supports ``pause()``/``resume()`` (a paused sink hands nothing and its position stands still).
    """

    def __init__(self, *, sample_rate: int, num_channels: int = 1,
                 on_frame: FrameCallback | None = None, on_clear: Callable[[], None] | None = None,
                 label: str = "PacedAudioOutput", clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(label=label, capabilities=io.AudioOutputCapabilities(pause=True),
                         next_in_chain=None, sample_rate=sample_rate)
        self.num_channels = num_channels
        self.frame_samples = sample_rate * FRAME_MS // 1000
        self.on_frame = on_frame
        self.on_clear = on_clear
        self._clock = clock
        self._bstream = AudioByteStream(sample_rate, num_channels, samples_per_channel=self.frame_samples)
        self._queue: collections.deque[tuple[_Seg, rtc.AudioFrame]] = collections.deque()
        self._segs: collections.deque[_Seg] = collections.deque()  # open segments, oldest first
        self._capturing: _Seg | None = None
        self._discard_until_flush = False
        self._next_id = 0
        self._paused = False
        self._held = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

        self.frames_out = 0

    # ---- state the doors and the loop read ----
    @property
    def playing(self) -> bool:
        """True while a segment is open and not paused (audio is being heard or about to be)."""
        return bool(self._segs) and not self._paused and not self._held

    @property
    def paused(self) -> bool:
        return self._paused or self._held

    def hold(self) -> None:
        """Stop handing out audio until ``release()`` — like ``pause()``, but livekit's own
        ``resume()`` (it resumes the sink whenever it starts forwarding a reply) does not undo it.
        The voice loop holds the sink while the person may be speaking. ``clear_buffer()`` ends it."""
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._wake.set()

    @property
    def position(self) -> float:
        """Seconds of the oldest open segment already handed to the door (0 if none)."""
        return self._segs[0].played if self._segs else 0.0

    @property
    def queued_s(self) -> float:
        return len(self._queue) * FRAME_MS / 1000.0

    # ---- io.AudioOutput ----
    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        await super().capture_frame(frame)
        if self._discard_until_flush:
            return  # rest of a segment already cleared
        if self._capturing is None:
            self._capturing = _Seg(self._next_id)
            self._next_id += 1
            self._segs.append(self._capturing)
        if frame.sample_rate != self.sample_rate:
            raise ValueError(f"PacedAudioOutput wants {self.sample_rate} Hz, got {frame.sample_rate}")
        for f in self._bstream.push(frame.data):
            self._queue.append((self._capturing, f))
            self._capturing.queued += 1
        self._ensure_task()
        self._wake.set()

    def flush(self) -> None:
        super().flush()
        if self._discard_until_flush:
            self._discard_until_flush = False
            self._bstream.clear()
            return
        seg = self._capturing
        self._capturing = None
        if seg is None:
            return
        tail = self._bstream.flush()
        for f in tail:
            pad = self.frame_samples * self.num_channels - len(np.frombuffer(f.data, np.int16))
            data = bytes(f.data) + b"\x00\x00" * max(0, pad)
            self._queue.append((seg, rtc.AudioFrame(data, self.sample_rate, self.num_channels,
                                                    self.frame_samples)))
            seg.queued += 1
        seg.flushed = True
        self._ensure_task()
        self._wake.set()

    def clear_buffer(self) -> None:
        self._queue.clear()
        self._bstream.clear()
        if self._capturing is not None:
            self._discard_until_flush = True  # frames of the cleared segment may still arrive
            self._capturing = None
        segs, self._segs = list(self._segs), collections.deque()
        self._paused = False
        self._held = False
        if segs and self.on_clear is not None:
            self.on_clear()
        for seg in segs:
            self._finish(seg, interrupted=True)
        self._wake.set()

    def pause(self) -> None:
        super().pause()
        self._paused = True

    def resume(self) -> None:
        super().resume()
        if self._paused:
            self._paused = False
            self._wake.set()

    async def aclose(self) -> None:
        self.clear_buffer()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # ---- internals ----
    def _finish(self, seg: _Seg, *, interrupted: bool) -> None:
        if seg.finished:
            return
        seg.finished = True
        self.on_playback_finished(playback_position=seg.played, interrupted=interrupted)

    def _ensure_task(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._player(), name="PacedAudioOutput")

    async def _player(self) -> None:
        frame_s = FRAME_MS / 1000.0
        next_t: float | None = None
        while True:
            # finish segments that are flushed and fully played
            while self._segs and self._segs[0].flushed and self._segs[0].queued == 0:
                seg = self._segs.popleft()
                if next_t is not None:  # let the last frame play out before saying so
                    delay = next_t - self._clock()
                    if delay > 0:
                        await asyncio.sleep(delay)
                if not seg.finished:
                    if not seg.started:  # a segment with no audio still starts and ends once
                        seg.started = True
                        self.on_playback_started(created_at=time.time())
                    self._finish(seg, interrupted=False)
            if not self._queue or self._paused or self._held:
                next_t = None
                self._wake.clear()
                await self._wake.wait()
                continue
            now = self._clock()
            if next_t is None or next_t < now - 2 * frame_s:
                next_t = now  # (re)start: play the first frame now
            delay = next_t - now
            if delay > 0:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
                if self._clock() < next_t - 0.001:
                    continue  # woken early (clear/pause/new audio): re-evaluate
            if not self._queue or self._paused or self._held:
                continue
            seg, frame = self._queue.popleft()
            seg.queued -= 1
            if seg.finished:
                continue
            if not seg.started:
                seg.started = True
                self.on_playback_started(created_at=time.time())
            if self.on_frame is not None:
                try:
                    self.on_frame(frame)
                except Exception:  # a door bug must not stall the conversation
                    import logging
                    logging.getLogger(__name__).exception("door on_frame callback failed")
            seg.played += frame.duration
            self.frames_out += 1
            next_t += frame_s
