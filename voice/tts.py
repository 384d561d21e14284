"""``PiperTTS``: livekit-agents TTS on Piper (piper-tts 1.8, ONNX, CPU).

Non-streaming (``TTSCapabilities(streaming=False)``): AgentSession wraps it in its
``StreamAdapter``, which splits the reply into sentences and calls ``synthesize()`` per sentence,
so the first sentence is heard while the rest is still being written or synthesised. Within one
``synthesize()`` call Piper also works sentence by sentence and each sentence is pushed as soon
as it is ready (first audio of a short sentence in ~0.1 s). Synthesis runs in a worker thread;
a cancelled stream stops after the sentence in progress.

A long first sentence is the one thing that delays the first sample (Piper renders a sentence in
one go, ~0.1 s per second of speech): when it exceeds ``first_clause_chars`` it is split at its
first clause boundary (comma, semicolon, colon, dash), so that "Let's slow down for a moment," is
heard while the rest is rendered.

``speed`` (>1 faster, <1 slower) scales Piper's length_scale: gestalt body prompts use a slower
instance, e.g. ``PiperTTS(speed=0.85)`` - instances are cheap, the voice is shared.
"""
from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from livekit.agents import tts, utils
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, APIConnectOptions

from .models import Models, get_models

_MAX_WAV_VALUE = 32767.0


@dataclass
class _TTSOptions:
    speed: float
    noise_scale: float | None
    noise_w: float | None
    volume: float
    sentence_silence_s: float
    normalize: bool
    first_clause_chars: int


class PiperTTS(tts.TTS):
    """Piper voice as a livekit-agents ``TTS``.

    Args:
        models: shared ``voice.models.Models`` (default: ``get_models(settings)``).
        settings: used only when ``models`` is not given (``settings.tts_voice`` picks the voice).
        speed: speaking rate multiplier; ``length_scale = voice_length_scale / speed``.
        noise_scale, noise_w: Piper's generator / phoneme-width noise (default: the voice's).
        volume: output gain (after peak normalisation when ``normalize``).
        sentence_silence_s: silence appended after each sentence (0 = none).
        normalize: scale each sentence to full range (Piper's default behaviour).
        first_clause_chars: a first sentence longer than this is split at its first clause
            boundary (within 1.5 x this many characters) to get the first audio out sooner; 0 = never.
    """

    def __init__(
        self,
        *,
        models: Models | None = None,
        settings: Any = None,
        speed: float = 1.0,
        noise_scale: float | None = None,
        noise_w: float | None = None,
        volume: float = 1.0,
        sentence_silence_s: float = 0.0,
        normalize: bool = True,
        first_clause_chars: int = 60,
    ) -> None:
        self._models = models or get_models(settings)
        voice = self._models.piper
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=int(voice.config.sample_rate),
            num_channels=1,
        )
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self._opts = _TTSOptions(speed, noise_scale, noise_w, volume, sentence_silence_s, normalize,
                                 first_clause_chars)

    @property
    def model(self) -> str:
        return self._models.piper_path.stem

    @property
    def provider(self) -> str:
        return "piper"

    @property
    def models(self) -> Models:
        return self._models

    @property
    def speed(self) -> float:
        return self._opts.speed

    def update_options(
        self,
        *,
        speed: float | None = None,
        noise_scale: float | None = None,
        noise_w: float | None = None,
        volume: float | None = None,
        sentence_silence_s: float | None = None,
    ) -> None:
        """Change options for syntheses started afterwards."""
        if speed is not None:
            if speed <= 0:
                raise ValueError("speed must be > 0")
            self._opts.speed = speed
        if noise_scale is not None:
            self._opts.noise_scale = noise_scale
        if noise_w is not None:
            self._opts.noise_w = noise_w
        if volume is not None:
            self._opts.volume = volume
        if sentence_silence_s is not None:
            self._opts.sentence_silence_s = sentence_silence_s

    def with_speed(self, speed: float) -> PiperTTS:
        """A new instance sharing the voice, at another speed."""
        o = self._opts
        return PiperTTS(
            models=self._models, speed=speed, noise_scale=o.noise_scale, noise_w=o.noise_w,
            volume=o.volume, sentence_silence_s=o.sentence_silence_s, normalize=o.normalize,
            first_clause_chars=o.first_clause_chars,
        )

    def synthesize(
        self,
        text: str,
        *,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        speed: float | None = None,
        first_clause_chars: int | None = None,
    ) -> PiperChunkedStream:
        """Audio for ``text``, pushed sentence by sentence (``speed`` / ``first_clause_chars``
        override the instance options for this call)."""
        opts = replace(self._opts)
        if speed is not None:
            opts.speed = speed
        if first_clause_chars is not None:
            opts.first_clause_chars = first_clause_chars
        return PiperChunkedStream(tts=self, input_text=text, conn_options=conn_options, opts=opts)

    def synthesize_pcm(self, text: str, *, speed: float | None = None) -> np.ndarray:
        """Blocking helper: the whole text as int16 mono at ``sample_rate`` (for pre-rendering)."""
        opts = replace(self._opts)
        if speed is not None:
            opts.speed = speed
        parts = list(_sentences_pcm(self._models, text, opts, threading.Event()))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


def _syn_config(voice: Any, opts: _TTSOptions) -> Any:
    from piper.config import SynthesisConfig

    return SynthesisConfig(
        length_scale=float(voice.config.length_scale) / opts.speed,
        noise_scale=opts.noise_scale,
        noise_w_scale=opts.noise_w,
        normalize_audio=False,  # done below, per sentence
        volume=1.0,
    )


_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(\s|$)")
_CLAUSE_END = re.compile(r"(,|;|:|\s[-\u2013\u2014]+)\s")


def split_first_clause(text: str, max_chars: int) -> list[str]:
    """``[head, rest]`` when the first sentence of ``text`` is longer than ``max_chars`` and has a
    clause boundary within 1.5 x ``max_chars`` leaving >= 3 words on each side; else ``[text]``."""
    text = text.strip()
    if max_chars <= 0 or len(text) <= max_chars:
        return [text]
    m = _SENTENCE_END.search(text)
    first_end = m.end() if m else len(text)
    if first_end <= max_chars:
        return [text]
    for c in _CLAUSE_END.finditer(text, 0, min(first_end, int(max_chars * 1.5) + 1)):
        head, rest = text[: c.end()].strip(), text[c.end() :].strip()
        if len(head.split()) >= 3 and len(text[c.end() : first_end].split()) >= 3:
            return [head, rest]
    return [text]


def _sentences_pcm(models: Models, text: str, opts: _TTSOptions, stop: threading.Event):
    """Yield int16 PCM per sentence (runs in a worker thread)."""
    voice = models.piper
    sentences = []
    with models.phonemize_lock:
        for piece in split_first_clause(text, opts.first_clause_chars):
            sentences.extend(voice.phonemize(piece))
    syn = _syn_config(voice, opts)
    silence = np.zeros(int(opts.sentence_silence_s * voice.config.sample_rate), dtype=np.int16)
    for phonemes in sentences:
        if stop.is_set():
            return
        if not phonemes:
            continue
        audio = np.asarray(voice.phoneme_ids_to_audio(voice.phonemes_to_ids(phonemes), syn)).ravel()
        if opts.normalize:
            peak = float(np.max(np.abs(audio))) if audio.size else 0.0
            audio = audio / peak if peak > 1e-8 else np.zeros_like(audio)
        audio = audio * opts.volume
        pcm = np.clip(audio * _MAX_WAV_VALUE, -_MAX_WAV_VALUE, _MAX_WAV_VALUE).astype(np.int16)
        yield np.concatenate([pcm, silence]) if len(silence) else pcm


class PiperChunkedStream(tts.ChunkedStream):
    def __init__(self, *, tts: PiperTTS, input_text: str, conn_options: APIConnectOptions, opts: _TTSOptions) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._piper_tts = tts
        self._opts = opts

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        models = self._piper_tts.models
        output_emitter.initialize(
            request_id=utils.shortuuid(),
            sample_rate=self._piper_tts.sample_rate,
            num_channels=1,
            mime_type="audio/pcm",
            frame_size_ms=100,
        )
        loop = asyncio.get_running_loop()
        q: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue()
        stop = threading.Event()

        def put(item: bytes | BaseException | None) -> None:
            try:
                loop.call_soon_threadsafe(q.put_nowait, item)
            except RuntimeError:  # the loop is gone: nobody is listening any more
                stop.set()

        def work() -> None:
            try:
                for pcm in _sentences_pcm(models, self._input_text, self._opts, stop):
                    put(pcm.tobytes())
                put(None)
            except BaseException as e:  # noqa: BLE001 - re-raised on the loop
                put(e)

        fut = loop.run_in_executor(None, work)
        try:
            while True:
                item = await q.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                output_emitter.push(item)
                output_emitter.flush()
            output_emitter.flush()
        finally:
            stop.set()
            if not fut.done():
                # let the worker finish its current sentence in the background
                fut.add_done_callback(lambda f: f.exception())
