"""``WebRtcVAD``: livekit-agents VAD on webrtcvad, with Silero as a second opinion on speech start.

Input frames may come at any rate and channel count (48 kHz stereo from WebRTC, 22.05 kHz, 8 kHz
phone audio...): they are mixed to mono and resampled to 16 kHz, then cut into exact 10/20/30 ms
frames for webrtcvad. Every frame produces an ``INFERENCE_DONE`` event; ``START_OF_SPEECH`` fires
once ``min_speech_duration`` of (almost) continuous voiced frames is seen - and, with
``silero_confirm``, only when faster-whisper's bundled Silero ONNX model agrees that the audio is
speech (webrtcvad alone fires on knocks, clicks and bursts of noise). ``END_OF_SPEECH`` fires after
``min_silence_duration`` without speech. The ``frames`` of START/END events hold the speech (with
``prefix_padding_duration`` of audio before it) as 16 kHz mono.
"""
from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import webrtcvad
from livekit import rtc
from livekit.agents import vad

from attune.voice.audio import Resampler, mono

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
_SILERO_WINDOW = 512  # samples at 16 kHz
# Silero checks (1-3 ms each) get their own thread so they never queue behind TTS work
_silero_executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="silero")


class MonoResampler:
    """livekit frames of any layout and rate → mono int16 at ``rate`` (through :class:`voice.audio.Resampler`)."""

    def __init__(self, rate: int = SAMPLE_RATE) -> None:
        self.rate = rate
        self._r = Resampler(rate)

    def push(self, frame: rtc.AudioFrame) -> np.ndarray:
        data = mono(np.frombuffer(frame.data, dtype=np.int16), frame.num_channels)
        return self._r.pcm(data, frame.sample_rate)

    def flush(self) -> np.ndarray:
        """Samples still inside the filter (call at the end of the audio)."""
        return self._r.flush()


def silero_speech_probability(silero: Any, audio16k: np.ndarray) -> float:
    """Highest Silero speech probability over ``audio16k`` (int16 or float, 16 kHz mono)."""
    a = audio16k.astype(np.float32)
    if audio16k.dtype == np.int16:
        a /= 32768.0
    n = len(a) // _SILERO_WINDOW * _SILERO_WINDOW
    if n == 0:
        return 0.0
    probs = np.asarray(silero(np.ascontiguousarray(a[-n:]))).ravel()
    # the first window runs with an empty LSTM state and is unreliable either way
    return float(probs[1:].max() if len(probs) > 1 else probs.max())


@dataclass
class _VADOptions:
    aggressiveness: int
    frame_ms: int
    min_speech_duration: float
    min_silence_duration: float
    prefix_padding_duration: float
    silero_confirm: bool
    silero_threshold: float
    silero_recheck_s: float
    resume_frames: int
    max_buffered_speech: float


class WebRtcVAD(vad.VAD):
    """webrtcvad + optional Silero confirmation, as a livekit-agents ``VAD``.

    Args:
        aggressiveness: webrtcvad mode 0-3 (3 = most eager to call audio non-speech).
        min_speech_duration: voiced time (s) before START_OF_SPEECH (0.1-0.2 is sensible).
        min_silence_duration: unvoiced time (s) before END_OF_SPEECH (``settings.endpoint_silence_s``).
        prefix_padding_duration: audio kept before the speech start in START/END ``frames``.
        frame_ms: webrtcvad frame, 10, 20 or 30 ms (also the INFERENCE_DONE cadence).
        silero_confirm: ask Silero to confirm each speech start; a rejected candidate is re-checked
            every ``silero_recheck_s`` while webrtcvad keeps hearing voice.
        silero_threshold: Silero probability that counts as speech.
        resume_frames: consecutive voiced frames that end a silence run while speaking (a lone voiced
            frame in a pause does not restart the endpointing clock).
        silero: a Silero model object (default: the process-wide one from ``voice.speech.models``).
    """

    def __init__(
        self,
        *,
        aggressiveness: int = 2,
        min_speech_duration: float = 0.15,
        min_silence_duration: float = 0.45,
        prefix_padding_duration: float = 0.3,
        frame_ms: int = 20,
        silero_confirm: bool = True,
        silero_threshold: float = 0.5,
        silero_recheck_s: float = 0.1,
        resume_frames: int = 2,
        max_buffered_speech: float = 60.0,
        silero: Any = None,
    ) -> None:
        if frame_ms not in (10, 20, 30):
            raise ValueError("frame_ms must be 10, 20 or 30")
        if not 0 <= aggressiveness <= 3:
            raise ValueError("aggressiveness must be 0..3")
        super().__init__(capabilities=vad.VADCapabilities(update_interval=frame_ms / 1000))
        self._opts = _VADOptions(
            aggressiveness=aggressiveness,
            frame_ms=frame_ms,
            min_speech_duration=min_speech_duration,
            min_silence_duration=min_silence_duration,
            prefix_padding_duration=prefix_padding_duration,
            silero_confirm=silero_confirm,
            silero_threshold=silero_threshold,
            silero_recheck_s=silero_recheck_s,
            resume_frames=max(1, resume_frames),
            max_buffered_speech=max_buffered_speech,
        )
        self._silero = silero
        if silero_confirm and silero is None:
            from attune.voice.speech.models import shared_silero

            self._silero = shared_silero()

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> WebRtcVAD:
        kw: dict[str, Any] = dict(
            aggressiveness=settings.vad_aggressiveness,
            min_silence_duration=settings.endpoint_silence_s,
            min_speech_duration=settings.vad_min_speech_s,
            silero_confirm=settings.vad_silero_confirm,
        )
        kw.update(overrides)
        return cls(**kw)

    @property
    def model(self) -> str:
        return "webrtcvad+silero" if self._opts.silero_confirm else "webrtcvad"

    @property
    def provider(self) -> str:
        return "attune"

    @property
    def min_silence_duration(self) -> float:
        return self._opts.min_silence_duration

    @property
    def options(self) -> _VADOptions:
        return replace(self._opts)

    def update_options(self, **kw: Any) -> None:
        """Change options (e.g. ``min_silence_duration``) for streams created afterwards."""
        for k, v in kw.items():
            if not hasattr(self._opts, k):
                raise TypeError(f"unknown VAD option {k!r}")
            setattr(self._opts, k, v)
        if self._opts.silero_confirm and self._silero is None:
            from attune.voice.speech.models import shared_silero

            self._silero = shared_silero()

    def stream(self) -> WebRtcVADStream:
        return WebRtcVADStream(self, replace(self._opts), self._silero)


class WebRtcVADStream(vad.VADStream):
    def __init__(self, vad_: WebRtcVAD, opts: _VADOptions, silero: Any) -> None:
        self._opts = opts
        self._silero = silero
        self._webrtc = webrtcvad.Vad(opts.aggressiveness)
        self._fs = SAMPLE_RATE * opts.frame_ms // 1000  # samples per webrtcvad frame
        self._fd = opts.frame_ms / 1000
        self.silero_checks = 0
        self.silero_rejections = 0
        self.silero_time = 0.0
        self._reset()
        super().__init__(vad_)

    # -- state ---------------------------------------------------------------------------------
    def _reset(self) -> None:
        o = self._opts
        self._speaking = False
        self._speech_dur = 0.0  # public speech duration of the current segment
        self._silence_dur = 0.0  # public silence duration since the last END (or stream start)
        self._raw_speech = 0.0  # consecutive voiced time
        self._raw_silence = 0.0  # consecutive unvoiced time (resume rule applied while speaking)
        self._voiced_run = 0
        self._need = max(1, round(o.min_speech_duration / self._fd))
        self._window: collections.deque[bool] = collections.deque(maxlen=self._need + 2)
        prefix_frames = max(1, round(o.prefix_padding_duration / self._fd))
        # audio before a (candidate) start: prefix padding plus the candidate's frames
        self._pre: collections.deque[np.ndarray] = collections.deque(maxlen=prefix_frames + self._need + 2)
        # audio for Silero: the last second
        self._recent: collections.deque[np.ndarray] = collections.deque(maxlen=max(1, round(1.0 / self._fd)))
        self._speech_frames: list[np.ndarray] = []
        self._max_frames = int(o.max_buffered_speech / self._fd)
        self._rejected = False
        self._next_check_at = 0  # sample index at which a rejected candidate is checked again
        self._samples = 0
        self._leftover = np.zeros(0, dtype=np.int16)
        self._conv = MonoResampler(SAMPLE_RATE)

    @staticmethod
    def _frame(data: np.ndarray) -> rtc.AudioFrame:
        return rtc.AudioFrame(data=data.tobytes(), sample_rate=SAMPLE_RATE, num_channels=1, samples_per_channel=len(data))

    def _speech_frame(self) -> rtc.AudioFrame:
        data = np.concatenate(self._speech_frames) if self._speech_frames else np.zeros(0, dtype=np.int16)
        return self._frame(data)

    # -- main loop -----------------------------------------------------------------------------
    async def _main_task(self) -> None:
        async for item in self._input_ch:
            if isinstance(item, self._FlushSentinel):
                self._reset()
                continue
            if not isinstance(item, rtc.AudioFrame):
                continue
            pcm = self._conv.push(item)
            if len(self._leftover):
                pcm = np.concatenate([self._leftover, pcm])
            n = self._fs
            full = len(pcm) // n * n
            self._leftover = pcm[full:].copy()
            for i in range(0, full, n):
                await self._process(pcm[i : i + n])

    async def _process(self, frame: np.ndarray) -> None:
        o = self._opts
        fd = self._fd
        t0 = time.perf_counter()
        voiced = self._webrtc.is_speech(frame.tobytes(), SAMPLE_RATE)
        self._samples += len(frame)
        self._recent.append(frame)
        self._window.append(voiced)
        self._voiced_run = self._voiced_run + 1 if voiced else 0
        start = end = False

        if not self._speaking:
            self._pre.append(frame)
            self._silence_dur += fd
            if voiced:
                self._raw_speech += fd
                self._raw_silence = 0.0
            else:
                self._raw_speech = 0.0
                self._raw_silence += fd
                if self._voiced_run == 0 and sum(self._window) == 0:
                    self._rejected = False  # a fresh candidate gets a fresh Silero check
            if voiced and sum(self._window) >= self._need:
                if not o.silero_confirm or self._silero is None:
                    start = True
                elif not self._rejected or self._samples >= self._next_check_at:
                    start = await self._silero_says_speech()
                    if not start:
                        self._rejected = True
                        self._next_check_at = self._samples + int(o.silero_recheck_s * SAMPLE_RATE)
            if start:
                self._speaking = True
                self._rejected = False
                self._speech_dur = max(sum(self._window) * fd, self._raw_speech)
                self._silence_dur = 0.0
                self._speech_frames = list(self._pre)
                self._pre.clear()
        else:
            if len(self._speech_frames) < self._max_frames:
                self._speech_frames.append(frame)
            self._speech_dur += fd
            if voiced and self._voiced_run >= o.resume_frames:
                self._raw_silence = 0.0
                self._raw_speech += fd
            else:
                self._raw_silence += fd
                if not voiced:
                    self._raw_speech = 0.0
            if self._raw_silence >= o.min_silence_duration:
                end = True

        probability = sum(self._window) / max(1, len(self._window))
        raw_speech = 0.0 if self._rejected else self._raw_speech
        inference_duration = time.perf_counter() - t0
        end_speech_dur = max(0.0, self._speech_dur - self._raw_silence)
        self._event_ch.send_nowait(
            vad.VADEvent(
                type=vad.VADEventType.INFERENCE_DONE,
                samples_index=self._samples,
                timestamp=self._samples / SAMPLE_RATE,
                speech_duration=end_speech_dur if end else self._speech_dur,
                silence_duration=self._raw_silence if end else self._silence_dur,
                frames=[self._frame(frame)],
                probability=probability,
                inference_duration=inference_duration,
                speaking=self._speaking and not end,
                raw_accumulated_silence=self._raw_silence,
                raw_accumulated_speech=raw_speech,
            )
        )
        if start:
            self._event_ch.send_nowait(
                vad.VADEvent(
                    type=vad.VADEventType.START_OF_SPEECH,
                    samples_index=self._samples,
                    timestamp=self._samples / SAMPLE_RATE,
                    speech_duration=self._speech_dur,
                    silence_duration=0.0,
                    frames=[self._speech_frame()],
                    probability=probability,
                    inference_duration=inference_duration,
                    speaking=True,
                    raw_accumulated_silence=0.0,
                    raw_accumulated_speech=self._raw_speech,
                )
            )
        if end:
            self._speaking = False
            self._event_ch.send_nowait(
                vad.VADEvent(
                    type=vad.VADEventType.END_OF_SPEECH,
                    samples_index=self._samples,
                    timestamp=self._samples / SAMPLE_RATE,
                    speech_duration=end_speech_dur,
                    silence_duration=self._raw_silence,
                    frames=[self._speech_frame()],
                    probability=probability,
                    inference_duration=inference_duration,
                    speaking=False,
                    raw_accumulated_silence=self._raw_silence,
                    raw_accumulated_speech=0.0,
                )
            )
            self._silence_dur = self._raw_silence
            self._speech_dur = 0.0
            self._speech_frames = []
            # the tail of this segment is the prefix padding of the next one
            self._pre.clear()
            for f in list(self._recent)[-self._pre.maxlen :]:
                self._pre.append(f)

    async def _silero_says_speech(self) -> bool:
        # the candidate's voiced frames plus up to 0.2 s before them, at most one second
        frames = max(len(self._window), round(self._raw_speech / self._fd)) + round(0.2 / self._fd)
        audio = np.concatenate(list(self._recent)[-frames:])
        t0 = time.perf_counter()
        p = await asyncio.get_running_loop().run_in_executor(
            _silero_executor, silero_speech_probability, self._silero, audio
        )
        self.silero_time += time.perf_counter() - t0
        self.silero_checks += 1
        ok = p >= self._opts.silero_threshold
        if not ok:
            self.silero_rejections += 1
        log.debug("silero second opinion p=%.2f over %.2fs -> %s", p, len(audio) / SAMPLE_RATE, ok)
        return ok
