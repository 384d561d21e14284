"""Fixed phrases pre-rendered in the active voice, and Attune's non-speech sounds.

The phrase texts come from a YAML manifest (``audio_assets/phrases.yaml`` by default: a list of
``{id, text}``). ``PhraseCache.prerender(tts)`` synthesises each once per process and voice/speed;
afterwards any reply sentence equal to a phrase (case, spacing and punctuation ignored) is played
from memory with no synthesis delay. The cache also keeps a few recently prepared sentences
(speculative first sentences of a reply, see ``TherapistAgent.prepare``).
"""
from __future__ import annotations

import asyncio
import collections
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from attune import audio_assets

from attune.dialogue.types import split_sentences
from attune.voice.audio import read_wav

ASSETS = Path(audio_assets.__file__).resolve().parent
DEFAULT_MANIFEST = ASSETS / "phrases.yaml"
SOUNDS = {"chime_start": "chime_start.wav", "chime_end": "chime_end.wav", "breath_pacer": "breath_pacer.wav"}

PACE_SPEED = {"normal": 1.0, "slow": 0.78}  # Piper length_scale; 0.78 ≈ 15-20 % slower

_WORD = re.compile(r"[a-z0-9']+")


def norm_text(text: str) -> str:
    """Key for matching spoken text: lower case words only."""
    return " ".join(_WORD.findall(text.lower().replace("’", "'")))


_CLAUSE = re.compile(r"(?<=[,;:—–])\s+")


def speech_pieces(sentence: str, *, first: bool, max_head_words: int | None = None) -> list[str]:
    """The one place reply text is cut for speech (sentences come from
    ``dialogue.types.split_sentences``): the pieces Piper renders one at a time.

    Piper renders a whole piece at once (~1/6 of its duration on a busy 2-core machine), so a
    25-word first sentence would cost ~1 s of silence. A long sentence is cut at clause commas,
    where a reader pauses anyway; a reply's first piece is kept to ~3 words. When synthesis is
    slow, ``max_head_words`` also cuts a comma-less first piece, preferably before a linking word."""
    parts = _clauses(sentence, first=first)
    if first and max_head_words is not None:
        parts = _cut_head(parts[0], max(3, max_head_words)) + parts[1:]
    return parts


def _clauses(sentence: str, *, first: bool) -> list[str]:
    words = sentence.split()
    limit = 3 if first else 14
    if len(words) <= limit:
        return [sentence]
    parts = [p for p in _CLAUSE.split(sentence) if p.strip()]
    out: list[str] = []
    cur = ""
    for p in parts:
        cand = f"{cur} {p}".strip()
        head = first and not out
        if cur and len(cand.split()) > (limit if head else 14) and len(cur.split()) >= (1 if head else 2):
            out.append(cur)
            cur = p
        else:
            cur = cand
    if cur:
        if out and len(cur.split()) < 3:
            out[-1] = f"{out[-1]} {cur}"
        else:
            out.append(cur)
    return out


_BOUNDARY = {"and", "but", "or", "so", "because", "if", "when", "while", "that", "which", "who", "where",
             "from", "to", "for", "with", "about", "at", "in", "on", "of", "before", "after", "as", "than"}


def _cut_head(piece: str, max_words: int) -> list[str]:
    """At most ``max_words`` words, cut before a linking word where one is; >= 3 words left."""
    words = piece.split()
    if max_words < 2 or len(words) <= max_words + 2:
        return [piece]
    cut = max_words
    for i in range(max_words, 1, -1):
        if words[i].lower().strip(",.;:!?") in _BOUNDARY:
            cut = i
            break
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def load_manifest(path: Path | None = None) -> dict[str, str]:
    """``{id: text}`` from a phrase manifest (a YAML list of ``{id, text}``)."""
    p = Path(path) if path else DEFAULT_MANIFEST
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise ValueError(f"{p}: expected a YAML list of {{id, text}}")
    out: dict[str, str] = {}
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not item.get("id") or not item.get("text"):
            raise ValueError(f"{p}: item {i} needs 'id' and 'text'")
        out[str(item["id"])] = str(item["text"]).strip()
    return out


def load_sound(name: str) -> tuple[np.ndarray, int]:
    """One of Attune's sounds (``chime_start``, ``chime_end``, ``breath_pacer``) as int16 mono."""
    x, rate = read_wav(ASSETS / SOUNDS.get(name, name))
    return (x * 32768).clip(-32768, 32767).astype(np.int16), rate


class _Gate:
    """At most ``n`` syntheses at once in the process, urgent ones (a reply's first words) first.

    Piper runs in the event loop's default thread pool, which the VAD's Silero check and the
    brain's ``asyncio.to_thread`` calls share: with several sessions, unbounded background
    renders filled it and delayed speech detection (barge-in) by up to a second. Two at a time
    also keeps the two cores from thrashing."""

    def __init__(self, n: int = 2) -> None:
        self.n = n
        self.busy = 0
        self.waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self.seq = 0

    async def __aenter__(self) -> None:
        await self.acquire(1)

    async def acquire(self, priority: int) -> None:
        if self.busy < self.n and not self.waiters:
            self.busy += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.seq += 1
        self.waiters.append((priority, self.seq, fut))
        self.waiters.sort(key=lambda w: (w[0], w[1]))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # it was handed over as we were cancelled
            else:
                self.waiters = [w for w in self.waiters if w[2] is not fut]
            raise

    def release(self) -> None:
        while self.waiters:
            _, _, fut = self.waiters.pop(0)
            if not fut.done():
                fut.set_result(None)  # the slot passes straight to the next waiter
                return
        self.busy -= 1


_gates: dict[int, _Gate] = {}


def _gate() -> _Gate:
    loop = asyncio.get_running_loop()
    g = _gates.get(id(loop))
    if g is None:
        _gates.clear()  # one loop at a time in practice (asyncio.run per command)
        g = _gates[id(loop)] = _Gate(2)
    return g


async def synthesize(tts: Any, text: str, *, speed: float = 1.0, urgent: bool = False) -> np.ndarray:
    """Whole ``text`` as int16 mono at ``tts.sample_rate`` through any livekit ``TTS``
    (``speed`` is passed to TTS plugins that accept it, e.g. ``PiperTTS``). ``urgent``: a
    reply's first words, rendered before any other waiting synthesis."""
    gate = _gate()
    await gate.acquire(0 if urgent else 1)
    try:
        try:
            stream = tts.synthesize(text, speed=speed)
        except TypeError:
            stream = tts.synthesize(text)
        parts: list[np.ndarray] = []
        async with stream:
            async for ev in stream:
                parts.append(np.frombuffer(ev.frame.data, dtype=np.int16))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
    finally:
        gate.release()


def tts_voice_key(tts: Any) -> str:
    models = getattr(tts, "models", None)
    return f"{type(tts).__name__}:{getattr(models, 'piper_path', getattr(tts, 'model', '?'))}:{tts.sample_rate}"


class PhraseCache:
    """Pre-rendered phrases for one voice (shared by every session of the process)."""

    def __init__(self, voice_key: str, sample_rate: int, manifest: dict[str, str] | None = None,
                 dynamic_max: int = 160) -> None:
        self.voice_key = voice_key
        self.sample_rate = sample_rate
        self.phrases = dict(manifest if manifest is not None else load_manifest())
        self._fixed: dict[tuple[str, str], np.ndarray] = {}
        self._dynamic: collections.OrderedDict[tuple[str, str], np.ndarray] = collections.OrderedDict()
        self._dynamic_max = dynamic_max
        self._lock = asyncio.Lock()
        self._tlock = threading.Lock()
        self.rendered_s = 0.0

    def text(self, phrase_id: str) -> str:
        return self.phrases[phrase_id]

    async def prerender(self, tts: Any, paces: tuple[str, ...] = ("normal",)) -> None:
        """Synthesise every manifest phrase once (idempotent, concurrency-safe)."""
        async with self._lock:
            for pace in paces:
                for text in self.phrases.values():
                    # in the pieces replies are spoken in (see TherapistAgent.tts_node)
                    for i, sentence in enumerate(split_sentences(text) or [text]):
                        pieces = set(speech_pieces(sentence, first=True)) | set(speech_pieces(sentence, first=False))
                        for piece in sorted(pieces):
                            key = (norm_text(piece), pace)
                            if key in self._fixed:
                                continue
                            self._fixed[key] = await synthesize(tts, piece, speed=PACE_SPEED.get(pace, 1.0))
                            self.rendered_s += len(self._fixed[key]) / self.sample_rate

    def get(self, text: str, pace: str = "normal") -> np.ndarray | None:
        key = (norm_text(text), pace)
        with self._tlock:
            pcm = self._fixed.get(key)
            if pcm is None:
                pcm = self._dynamic.get(key)
                if pcm is not None:
                    self._dynamic.move_to_end(key)
            return pcm

    def put(self, text: str, pace: str, pcm: np.ndarray) -> None:
        key = (norm_text(text), pace)
        with self._tlock:
            if key in self._fixed:
                return
            self._dynamic[key] = pcm
            self._dynamic.move_to_end(key)
            while len(self._dynamic) > self._dynamic_max:
                self._dynamic.popitem(last=False)


_caches: dict[tuple[str, str], PhraseCache] = {}
_caches_lock = threading.Lock()


def shared_phrase_cache(tts: Any, manifest_path: Path | None = None) -> PhraseCache:
    """The process-wide cache for this TTS voice and manifest."""
    key = (tts_voice_key(tts), str(manifest_path or DEFAULT_MANIFEST))
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = PhraseCache(key[0], tts.sample_rate, load_manifest(manifest_path))
        return cache
