"""``WhisperSTT``: streaming livekit-agents STT on faster-whisper (CTranslate2, int8, CPU).

How it stays fast on two cores:

* **Short encoder window.** faster-whisper always encodes a 30 s window (~0.5-0.7 s here, whatever
  the audio length). CTranslate2 accepts a shorter mel input, so :func:`decode_audio` encodes
  ``max(min_window_s, audio + 1 s)`` (10 s by default, zero-padded like faster-whisper pads): about
  0.15 s to encode, 0.2 s for a 2 s utterance and 0.3 s for 6 s all told. Windows shorter than
  ~10 s make tiny.en loop ("A. A. A. ..."); 10 s measured WER 7.1 % on the LJSpeech+LibriVox
  sample vs 7.4 % for faster-whisper's own 30 s ``transcribe``. Audio over 28 s falls back to
  ``WhisperModel.transcribe``.
* **Speculative final.** The stream runs its own webrtcvad over the 16 kHz audio. When the person
  has been silent for a moment, it decodes the segment at once; when the session's ``flush()``
  arrives (VAD end of speech, ``endpoint_silence_s`` later) and no speech came in between, that
  result is the final - usually ready already. The moment is ``speculative_silence_s`` (0.2 s),
  brought forward (down to 0.1 s) when the decode is predicted to outlast the rest of
  ``endpoint_silence_s`` (long utterances, a busy CPU: the stream learns its decode times).
  Otherwise the final is decoded at the flush, ahead of every other session's interims (see
  ``voice.speech.models.DecodeQueue``).
* **Budgeted interims.** While speech goes on, an interim re-decode runs at most every
  ``interim_interval_s`` of new audio (and never more than ~40 % of the time), only when no decode
  is queued anywhere in the process.

Capabilities: ``streaming=True, interim_results=True, manual_flush=True`` - under VAD turn
detection AgentSession tells the stream about end of speech only through ``flush()``. Every flush
yields exactly one ``FINAL_TRANSCRIPT`` (empty text when nothing was said), which is what the
session waits for before committing a turn.

Hallucination guards: Whisper's own rule (no_speech_prob > 0.6 and avg_logprob < -1) drops the
"." / "You" / "Thank you." it invents on silence and noise; segments with less than
``min_voiced_s`` of webrtcvad-voiced audio are not decoded at all; looping output is collapsed.
"""
from __future__ import annotations

import asyncio
import collections
import logging
import math
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import webrtcvad
from livekit import rtc
from livekit.agents import stt, utils
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, APIConnectOptions, NotGivenOr
from livekit.agents.utils import AudioBuffer, is_given

from attune.voice.speech.models import PRIORITY_FINAL, PRIORITY_INTERIM, PRIORITY_SPECULATIVE, Models, get_models
from attune.voice.speech.vad import MonoResampler

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
_FRAME = 320  # 20 ms at 16 kHz, for the stream's own webrtcvad
_FALLBACK_S = 28.0
# what tiny/base models say over silence, music and noise
_HALLUCINATIONS = {
    "", "you", "thank you", "thanks", "thank you very much", "thanks for watching",
    "thank you for watching", "thank you so much for watching", "please subscribe", "bye", "bye bye",
    "so", "the", "i", "oh", "uh", "um", "hmm", "okay", "ok",
}


@dataclass
class Transcript:
    """One Whisper decode."""

    text: str
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    tokens: int = 0
    audio_s: float = 0.0
    decode_s: float = 0.0  # wall time of the decode itself
    cpu_s: float = 0.0  # process CPU time during the decode (approximate under concurrency)
    dropped: str | None = None  # why a guard emptied the text
    raw_text: str = ""
    truncated: bool = False  # hit the token budget: the decoder was looping

    @property
    def confidence(self) -> float:
        return float(min(1.0, max(0.0, math.exp(self.avg_logprob)))) if self.text else 0.0


def _norm_words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z' ]+", " ", text.lower()).split())


def collapse_repeats(text: str, min_repeats: int = 3, min_n: int = 1) -> str:
    """Cut Whisper's decoding loops: a run of >= ``min_repeats`` copies of the same word n-gram
    (n = ``min_n``..12) keeps one copy."""
    words = text.split()
    if len(words) < min_repeats:
        return text
    keys = [re.sub(r"[^\w']", "", w.lower()) for w in words]
    i = 0
    out: list[str] = []
    while i < len(words):
        cut = False
        for n in range(min_n, 13):
            if i + n * min_repeats > len(words):
                break
            gram = keys[i : i + n]
            if not any(gram):
                continue
            reps = 1
            while keys[i + reps * n : i + (reps + 1) * n] == gram:
                reps += 1
            if reps >= min_repeats:
                out.extend(words[i : i + n])
                i += reps * n
                cut = True
                break
        if not cut:
            out.append(words[i])
            i += 1
    return " ".join(out)


def judge(t: Transcript, *, voiced_s: float | None = None, no_speech_threshold: float = 0.6,
          logprob_threshold: float = -1.0) -> Transcript:
    """Apply the hallucination guards; returns ``t`` with ``text`` emptied and ``dropped`` set."""
    text = " ".join(t.raw_text.split())
    # A decode that ran out of tokens, or that has more words than anyone says in that time
    # (> 4.5 words/s), was looping: collapse any triple. Otherwise only long loops of phrases, so
    # that a person's own "no, no, no" or "I don't know. I don't know." stays.
    looping = t.truncated or (t.audio_s > 0 and len(text.split()) > 4.5 * t.audio_s + 2)
    text = collapse_repeats(text, 3, 1) if looping else collapse_repeats(text, 5, 2)
    words = _norm_words(text)
    reason = None
    if not words:
        reason = "empty"
    elif t.no_speech_prob > no_speech_threshold and t.avg_logprob < logprob_threshold:
        reason = "no_speech"
    elif words in _HALLUCINATIONS and (
        t.no_speech_prob > 0.3 or t.avg_logprob < -0.8 or (voiced_s is not None and voiced_s < 0.25)
    ):
        reason = "hallucination"
    t.text = "" if reason else text
    t.dropped = reason
    return t


def decode_audio(
    models: Models,
    audio: np.ndarray,
    *,
    min_window_s: float = 10.0,
    pad_s: float = 1.0,
    beam_size: int = 1,
    max_tokens_per_s: float = 8.0,
) -> Transcript:
    """Transcribe 16 kHz mono float32 ``audio`` (blocking; call from a worker thread)."""
    import ctranslate2

    t0 = time.perf_counter()
    c0 = time.process_time()
    model = models.whisper
    dur = len(audio) / SAMPLE_RATE
    if dur > _FALLBACK_S:
        segments, _ = model.transcribe(
            audio, language="en", beam_size=beam_size, without_timestamps=True,
            condition_on_previous_text=False, vad_filter=False,
        )
        segs = list(segments)
        text = " ".join(s.text.strip() for s in segs)
        nsp = min((s.no_speech_prob for s in segs), default=1.0)
        lp = float(np.mean([s.avg_logprob for s in segs])) if segs else -10.0
        return Transcript(text=text, raw_text=text, no_speech_prob=nsp, avg_logprob=lp,
                          tokens=sum(len(s.tokens) for s in segs), audio_s=dur,
                          decode_s=time.perf_counter() - t0, cpu_s=time.process_time() - c0)
    tok = models.whisper_tokenizer
    feats = model.feature_extractor(audio)
    frames = int(min(3000, max(round(min_window_s * 100), math.ceil(dur + pad_s) * 100)))
    if feats.shape[1] < frames:
        feats = np.pad(feats, ((0, 0), (0, frames - feats.shape[1])))
    feats = np.ascontiguousarray(feats[None, :, :frames], dtype=np.float32)
    encoded = model.model.encode(ctranslate2.StorageView.from_array(feats), to_cpu=False)
    prompt = list(tok.sot_sequence) + [tok.no_timestamps]
    max_length = int(min(440, dur * max_tokens_per_s + 16))
    from faster_whisper.transcribe import get_suppressed_tokens

    res = model.model.generate(
        encoded,
        [prompt],
        beam_size=beam_size,
        max_length=max_length,
        return_scores=True,
        return_no_speech_prob=True,
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tok, [-1]),
    )[0]
    ids = [t for t in res.sequences_ids[0] if t < tok.eot]
    seq_len = len(res.sequences_ids[0])
    truncated = seq_len >= max_length - len(prompt) - 1
    avg_logprob = (res.scores[0] * seq_len) / (seq_len + 1) if res.scores else -10.0
    text = tok.decode(ids).strip()
    return Transcript(
        text=text, raw_text=text, no_speech_prob=float(res.no_speech_prob), avg_logprob=float(avg_logprob),
        tokens=len(ids), audio_s=dur, decode_s=time.perf_counter() - t0, cpu_s=time.process_time() - c0,
        truncated=truncated,
    )


def voiced_seconds(pcm16: np.ndarray, aggressiveness: int = 2) -> float:
    v = webrtcvad.Vad(aggressiveness)
    n = len(pcm16) // _FRAME
    return sum(v.is_speech(pcm16[i * _FRAME : (i + 1) * _FRAME].tobytes(), SAMPLE_RATE) for i in range(n)) * 0.02


def frames_to_pcm16(buffer: AudioBuffer) -> np.ndarray:
    frames = buffer if isinstance(buffer, list) else [buffer]
    conv = MonoResampler(SAMPLE_RATE)
    parts = [conv.push(f) for f in frames] + [conv.flush()]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


@dataclass
class _STTOptions:
    language: str
    interim_interval_s: float
    speculative_silence_s: float
    endpoint_silence_s: float
    min_window_s: float
    vad_aggressiveness: int
    preroll_s: float
    min_voiced_s: float
    max_segment_s: float
    no_speech_threshold: float
    logprob_threshold: float
    beam_size: int


class WhisperSTT(stt.STT):
    """faster-whisper as a streaming livekit-agents ``STT``.

    Args:
        models: shared ``voice.speech.models.Models`` (default: the process-wide ones).
        The three knobs that are ``Settings`` fields have no defaults here: use
        :meth:`from_settings` (``stt_interim_interval_s``, ``stt_flush_budget_s``, ``vad_aggressiveness``).
        interim_interval_s: new audio between interim re-decodes; 0 disables interims.
        speculative_silence_s: silence after which the final is decoded ahead of ``flush()``
            (earliest 0.1 s when the decode would otherwise finish after the flush).
        endpoint_silence_s: the silence the stream may count on before ``flush()`` comes.
        min_window_s: shortest encoder window (see module doc; < 10 s makes tiny.en loop).
        vad_aggressiveness: the stream's own webrtcvad (segment trimming, speculation).
        preroll_s: audio kept before the first voiced frame of a segment.
        min_voiced_s: segments with less voiced audio are not decoded (final = "").
        max_segment_s: a segment this long without a flush is finalised on its own.
    """

    @classmethod
    def from_settings(cls, settings: Any, *, models: Models | None = None, **overrides: Any) -> "WhisperSTT":
        kw = dict(interim_interval_s=settings.stt_interim_interval_s, endpoint_silence_s=settings.stt_flush_budget_s,
                  vad_aggressiveness=settings.vad_aggressiveness,
                  speculative_silence_s=settings.stt_speculative_silence_s)
        return cls(models=models, **{**kw, **overrides})

    def __init__(
        self,
        *,
        models: Models | None = None,
        interim_interval_s: float,
        endpoint_silence_s: float,
        vad_aggressiveness: int,
        language: str = "en",
        speculative_silence_s: float = 0.2,
        min_window_s: float = 10.0,
        preroll_s: float = 0.5,
        min_voiced_s: float = 0.1,
        max_segment_s: float = 25.0,
        no_speech_threshold: float = 0.6,
        logprob_threshold: float = -1.0,
        beam_size: int = 1,
    ) -> None:
        super().__init__(
            capabilities=stt.STTCapabilities(
                streaming=True,
                interim_results=interim_interval_s > 0,
                manual_flush=True,
                offline_recognize=True,
            )
        )
        self._models = models or get_models()
        self._opts = _STTOptions(
            language=language,
            interim_interval_s=interim_interval_s,
            speculative_silence_s=speculative_silence_s,
            endpoint_silence_s=endpoint_silence_s,
            min_window_s=min_window_s,
            vad_aggressiveness=vad_aggressiveness,
            preroll_s=preroll_s,
            min_voiced_s=min_voiced_s,
            max_segment_s=min(max_segment_s, _FALLBACK_S - 1),
            no_speech_threshold=no_speech_threshold,
            logprob_threshold=logprob_threshold,
            beam_size=beam_size,
        )

    @property
    def model(self) -> str:
        return self._models.whisper_path.name

    @property
    def provider(self) -> str:
        return "faster-whisper"

    @property
    def models(self) -> Models:
        return self._models

    def update_options(self, **kw: Any) -> None:
        """Change options for streams created afterwards."""
        for k, v in kw.items():
            if not hasattr(self._opts, k):
                raise TypeError(f"unknown STT option {k!r}")
            setattr(self._opts, k, v)

    async def decode(self, pcm16: np.ndarray, priority: int = PRIORITY_FINAL) -> Transcript:
        """Decode 16 kHz mono int16 audio off the event loop, with the hallucination guards."""
        o = self._opts
        audio = pcm16.astype(np.float32) / 32768.0
        fut = self._models.decoder.submit(
            lambda: decode_audio(self._models, audio, min_window_s=o.min_window_s, beam_size=o.beam_size),
            priority,
        )
        t = await asyncio.wrap_future(fut)
        return judge(t, voiced_s=voiced_seconds(pcm16, o.vad_aggressiveness),
                     no_speech_threshold=o.no_speech_threshold, logprob_threshold=o.logprob_threshold)

    async def _recognize_impl(
        self,
        buffer: AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        pcm = frames_to_pcm16(buffer)
        t = await self.decode(pcm) if len(pcm) else Transcript(text="")
        lang = language if is_given(language) else self._opts.language
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=utils.shortuuid(),
            alternatives=[stt.SpeechData(language=lang, text=t.text, start_time=0.0,
                                         end_time=len(pcm) / SAMPLE_RATE, confidence=t.confidence)],
        )

    def stream(
        self,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
    ) -> WhisperRecognizeStream:
        opts = replace(self._opts)
        if is_given(language):
            opts.language = language
        return WhisperRecognizeStream(stt=self, conn_options=conn_options, opts=opts)


@dataclass
class _Decode:
    kind: str  # "interim" | "speculative" | "final"
    upto: int  # samples of the segment decoded
    task: asyncio.Task
    fut: Any = None  # concurrent future in the DecodeQueue (cancellable until it starts)
    submitted: float = 0.0
    elapsed: float = 0.0  # submit -> result, queueing included


@dataclass
class _Segment:
    seq: int
    start: int  # stream sample index of the segment's first sample
    chunks: list[np.ndarray] = field(default_factory=list)
    n: int = 0  # samples in chunks
    voiced: int = 0  # voiced frames
    last_voiced_end: int = -1  # segment sample index after the last confirmed voiced frame
    last_interim_at: int = 0
    spec: _Decode | None = None

    def pcm(self, upto: int | None = None) -> np.ndarray:
        a = np.concatenate(self.chunks) if self.chunks else np.zeros(0, dtype=np.int16)
        if len(self.chunks) > 1:
            self.chunks = [a]
        return a[:upto] if upto is not None else a


class WhisperRecognizeStream(stt.RecognizeStream):
    def __init__(self, *, stt: WhisperSTT, conn_options: APIConnectOptions, opts: _STTOptions) -> None:
        super().__init__(stt=stt, conn_options=conn_options)
        self._wstt = stt
        self._opts = opts
        self._conv = MonoResampler(SAMPLE_RATE)
        self._vad = webrtcvad.Vad(opts.vad_aggressiveness)
        self._seq = 0
        self._samples = 0  # stream samples processed
        self._pending = np.zeros(0, dtype=np.int16)
        self._pre: list[np.ndarray] = []  # pre-roll frames before a segment starts
        self._seg: _Segment | None = None
        self._run_prev_voiced = False
        self._inflight: _Decode | None = None
        self.finals: list[Transcript] = []  # decode records, for benchmarks and tests
        self.interims: list[Transcript] = []
        self.final_latencies: list[float] = []  # flush() -> FINAL_TRANSCRIPT sent
        self._flush_times: collections.deque[float] = collections.deque()
        self._load = 1.0  # measured / predicted decode time (EMA)
        self._last_interim_s = 0.0

    # audio arrives at any rate/layout: mix to mono 16 kHz here (the base class resampler is mono-only)
    def push_frame(self, frame: rtc.AudioFrame) -> None:
        self._check_input_not_ended()
        self._check_not_closed()
        pcm = self._conv.push(frame)
        if len(pcm):
            self._input_ch.send_nowait(
                rtc.AudioFrame(data=pcm.tobytes(), sample_rate=SAMPLE_RATE, num_channels=1, samples_per_channel=len(pcm))
            )

    def flush(self) -> None:
        self._check_input_not_ended()
        self._check_not_closed()
        self._flush_times.append(time.perf_counter())
        self._input_ch.send_nowait(self._FlushSentinel())

    # -- main loop -------------------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            async for item in self._input_ch:
                if isinstance(item, self._FlushSentinel):
                    flushed_at = self._flush_times.popleft() if self._flush_times else time.perf_counter()
                    await self._finalize(flushed_at)
                    continue
                pcm = np.frombuffer(item.data, dtype=np.int16)
                if len(self._pending):
                    pcm = np.concatenate([self._pending, pcm])
                full = len(pcm) // _FRAME * _FRAME
                self._pending = pcm[full:].copy()
                for i in range(0, full, _FRAME):
                    await self._on_frame(pcm[i : i + _FRAME])
            if self._seg is not None:
                await self._finalize(time.perf_counter())
        finally:
            if self._inflight is not None and self._inflight.fut is not None:
                self._inflight.fut.cancel()

    async def _on_frame(self, frame: np.ndarray) -> None:
        o = self._opts
        voiced = self._vad.is_speech(frame.tobytes(), SAMPLE_RATE)
        confirmed = voiced and self._run_prev_voiced  # two voiced frames in a row
        self._run_prev_voiced = voiced
        self._samples += len(frame)
        seg = self._seg
        if seg is None:
            self._pre.append(frame)
            max_pre = max(2, int(o.preroll_s * SAMPLE_RATE / _FRAME))
            if len(self._pre) > max_pre:
                del self._pre[: len(self._pre) - max_pre]
            if not confirmed:
                return
            self._seq += 1
            n = sum(len(f) for f in self._pre)
            seg = self._seg = _Segment(seq=self._seq, start=self._samples - n, chunks=list(self._pre), n=n)
            self._pre = []
            seg.voiced = 2
            seg.last_voiced_end = seg.n
            return
        seg.chunks.append(frame)
        seg.n += len(frame)
        if voiced:
            seg.voiced += 1
        if confirmed:
            seg.last_voiced_end = seg.n
            if seg.spec is not None and seg.spec.upto < seg.n:
                # speech resumed: the speculative final is stale (still useful as an interim if it runs)
                seg.spec = None
        silence = (seg.n - seg.last_voiced_end) / SAMPLE_RATE
        # speculative final once a short silence begins
        if (
            silence >= self._speculate_after(seg)
            and seg.spec is None
            and self._enough_voice(seg)
            and (self._inflight is None or self._inflight.kind == "interim")
        ):
            self._start_decode(seg, "speculative")
        # interim while speech goes on
        elif (
            o.interim_interval_s > 0
            and silence < 0.1
            and self._inflight is None
            and seg.n - seg.last_interim_at >= max(o.interim_interval_s, 2.5 * self._last_interim_s) * SAMPLE_RATE
            and self._wstt.models.decoder.pending == 0
            and self._enough_voice(seg)
        ):
            seg.last_interim_at = seg.n
            self._start_decode(seg, "interim")
        if seg.n >= o.max_segment_s * SAMPLE_RATE:
            await self._finalize(time.perf_counter())

    def predicted_decode_s(self, audio_s: float) -> float:
        """Expected submit-to-result time of a decode (tiny.en, 2 cores: 0.2 s for 2 s, 0.33 s for 6 s)."""
        return (0.13 + 0.035 * audio_s) * self._load

    def _speculate_after(self, seg: _Segment) -> float:
        o = self._opts
        budget = o.endpoint_silence_s - self.predicted_decode_s(seg.n / SAMPLE_RATE) - 0.05
        return min(o.speculative_silence_s, max(0.1, budget))

    def _enough_voice(self, seg: _Segment) -> bool:
        return seg.voiced * _FRAME >= self._opts.min_voiced_s * SAMPLE_RATE

    def _start_decode(self, seg: _Segment, kind: str) -> _Decode:
        upto = seg.n
        pcm = seg.pcm(upto)
        priority = {"interim": PRIORITY_INTERIM, "speculative": PRIORITY_SPECULATIVE}.get(kind, PRIORITY_FINAL)
        o = self._opts
        models = self._wstt.models
        audio = pcm.astype(np.float32) / 32768.0
        fut = models.decoder.submit(
            lambda: decode_audio(models, audio, min_window_s=o.min_window_s, beam_size=o.beam_size), priority
        )

        async def run() -> Transcript:
            t = await asyncio.wrap_future(fut)
            return judge(t, voiced_s=seg.voiced * 0.02, no_speech_threshold=o.no_speech_threshold,
                         logprob_threshold=o.logprob_threshold)

        d = _Decode(kind=kind, upto=upto, task=asyncio.create_task(run()), fut=fut, submitted=time.perf_counter())
        if kind == "speculative":
            seg.spec = d
        self._inflight = d
        d.task.add_done_callback(lambda _t, d=d, seg=seg: self._on_decoded(d, seg))
        return d

    def _on_decoded(self, d: _Decode, seg: _Segment) -> None:
        if self._inflight is d:
            self._inflight = None
        if d.task.cancelled() or d.task.exception() is not None:
            if not d.task.cancelled():
                log.warning("whisper decode failed: %r", d.task.exception())
            return
        d.elapsed = time.perf_counter() - d.submitted
        ratio = d.elapsed / self.predicted_decode_s(d.upto / SAMPLE_RATE) * self._load
        self._load = min(4.0, max(0.5, 0.7 * self._load + 0.3 * ratio))
        if d.kind == "interim":
            self._last_interim_s = d.elapsed
        if d.kind == "final" or self._seg is not seg:
            return  # superseded by a final
        t = d.task.result()
        self.interims.append(t)
        if not t.text:
            return
        self._event_ch.send_nowait(self._event(stt.SpeechEventType.INTERIM_TRANSCRIPT, seg, t, d.upto, d.kind))

    def _event(self, kind: stt.SpeechEventType, seg: _Segment, t: Transcript, upto: int,
               source: str = "final") -> stt.SpeechEvent:
        start = self.start_time_offset + seg.start / SAMPLE_RATE
        # metadata["source"]: "interim" (mid-speech re-decode), "speculative" (decoded on a short
        # silence: the final unless speech resumes) or "final"
        meta = {"source": source, "segment": seg.seq, "audio_s": round(upto / SAMPLE_RATE, 3),
                "decode_s": round(t.decode_s, 3), "dropped": t.dropped}
        return stt.SpeechEvent(
            type=kind,
            request_id=f"seg{seg.seq}",
            alternatives=[
                stt.SpeechData(language=self._opts.language, text=t.text, start_time=start,
                               end_time=start + upto / SAMPLE_RATE, confidence=t.confidence, metadata=meta)
            ],
        )

    async def _finalize(self, flushed_at: float) -> None:
        seg, self._seg = self._seg, None
        self._pre = []
        if seg is None or not self._enough_voice(seg):
            t = Transcript(text="", dropped="no_voice")
            upto = seg.n if seg else 0
            seg = seg or _Segment(seq=0, start=self._samples)
        else:
            # the speculative decode is still valid (it is dropped when speech resumes); an interim
            # that happens to cover the whole utterance plus a little silence will do as well
            reuse = seg.spec
            d = self._inflight
            if reuse is None and d is not None and d.upto >= seg.last_voiced_end + int(0.1 * SAMPLE_RATE):
                reuse = d
            if reuse is not None and reuse.task.cancelled():
                reuse = None
            if reuse is None and self._inflight is not None:
                # an interim in the queue is no use now; one already running must finish first
                if self._inflight.fut is not None:
                    self._inflight.fut.cancel()
                try:
                    await self._inflight.task
                except (asyncio.CancelledError, Exception):  # noqa: BLE001
                    pass
            if reuse is not None:
                try:
                    t = await reuse.task
                    upto = reuse.upto
                except (asyncio.CancelledError, Exception):  # noqa: BLE001
                    reuse = None
            if reuse is None:
                d = self._start_decode(seg, "final")
                t = await d.task
                upto = d.upto
        self.finals.append(t)
        self.final_latencies.append(time.perf_counter() - flushed_at)
        self._event_ch.send_nowait(self._event(stt.SpeechEventType.FINAL_TRANSCRIPT, seg, t, upto))
        if upto:
            self._event_ch.send_nowait(
                stt.SpeechEvent(
                    type=stt.SpeechEventType.RECOGNITION_USAGE,
                    request_id=f"seg{seg.seq}",
                    recognition_usage=stt.RecognitionUsage(audio_duration=upto / SAMPLE_RATE),
                )
            )
