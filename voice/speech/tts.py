"""``PiperTTS``: livekit-agents TTS on Piper (piper-tts 1.8, ONNX, CPU).

Non-streaming (``TTSCapabilities(streaming=False)``): AgentSession wraps it in its
``StreamAdapter``, which splits the reply into sentences and calls ``synthesize()`` per sentence,
so the first sentence is heard while the rest is still being written or synthesised. Within one
``synthesize()`` call Piper also works sentence by sentence and each sentence is pushed as soon
as it is ready (first audio of a short sentence in ~0.1 s). Synthesis runs in a worker thread;
a cancelled stream stops after the sentence in progress.

Piper renders a sentence in one go (~0.1 s per second of speech), so the voice loop hands it
short pieces (``voice.loop.speech_text.speech_pieces``, the one place text is cut for speech).

``speed`` (>1 faster, <1 slower) scales Piper's length_scale: gestalt body prompts use a slower
instance, e.g. ``PiperTTS(speed=0.85)`` - instances are cheap, the voice is shared.
"""
from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from livekit.agents import tts, utils
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, APIConnectOptions

from attune.voice.speech.models import Models, get_models

_MAX_WAV_VALUE = 32767.0


@dataclass
class _TTSOptions:
    speed: float
    noise_scale: float | None
    noise_w: float | None
    volume: float
    sentence_silence_s: float
    normalize: bool


class PiperTTS(tts.TTS):
    """Piper voice as a livekit-agents ``TTS``.

    Args:
        models: shared ``voice.speech.models.Models`` (default: the process-wide ones).
        speed: speaking rate multiplier; ``length_scale = voice_length_scale / speed``.
        noise_scale, noise_w: Piper's generator / phoneme-width noise (default: the voice's).
        volume: output gain (after peak normalisation when ``normalize``).
        sentence_silence_s: silence appended after each sentence (0 = none).
        normalize: scale each sentence to full range (Piper's default behaviour).
    """

    def __init__(
        self,
        *,
        models: Models | None = None,
        speed: float = 1.0,
        noise_scale: float | None = None,
        noise_w: float | None = None,
        volume: float = 1.0,
        sentence_silence_s: float = 0.0,
        normalize: bool = True,
    ) -> None:
        self._models = models or get_models()
        voice = self._models.piper
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=int(voice.config.sample_rate),
            num_channels=1,
        )
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self._opts = _TTSOptions(speed, noise_scale, noise_w, volume, sentence_silence_s, normalize)

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

    def synthesize(
        self,
        text: str,
        *,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        speed: float | None = None,
    ) -> PiperChunkedStream:
        """Audio for ``text``, pushed sentence by sentence (``speed`` overrides the instance's)."""
        opts = replace(self._opts)
        if speed is not None:
            opts.speed = speed
        return PiperChunkedStream(tts=self, input_text=text, conn_options=conn_options, opts=opts)


def _syn_config(voice: Any, opts: _TTSOptions) -> Any:
    from piper.config import SynthesisConfig

    return SynthesisConfig(
        length_scale=float(voice.config.length_scale) / opts.speed,
        noise_scale=opts.noise_scale,
        noise_w_scale=opts.noise_w,
        normalize_audio=False,  # done below, per sentence
        volume=1.0,
    )


def _sentences_pcm(models: Models, text: str, opts: _TTSOptions, stop: threading.Event):
    """Yield int16 PCM per sentence (runs in a worker thread)."""
    voice = models.piper
    sentences = []
    with models.phonemize_lock:
        sentences.extend(voice.phonemize(text))
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
