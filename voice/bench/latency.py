"""Latency and load benchmarks of the voice loop, on real recordings, in real time.

``attune bench latency --data TSV [--json]`` builds person turns from the TSV's clips (columns
``path`` relative to the TSV's folder, and ``text``): single clips, pairs of clips joined by a
natural 300-500 ms pause (a person thinking mid-turn), and barge-in turns that start while the
assistant is talking — the first one over the greeting, the very first reply of the session. The
turns are played into the loop in real time by a driver that reacts like a person: it waits for
the assistant to finish (plus a short gap) before the next turn, except for barge-ins.

Measured at the door (the moment each assistant frame is handed over to be played):

* latency: true end of the person's speech (from the recording's own energy, not the VAD)
  → first reply sample; p50 / p95;
* cut-ins: replies that start while the person is still inside their turn (in a mid-turn pause);
* split turns: person turns answered by more than one reply;
* WER of the final transcripts against the TSV text, next to the offline WER of the same model
  on the same clips (faster-whisper ``transcribe``, one pass per clip, not streaming);
* barge-in stop time: the person starts speaking over a reply → the reply's audio stops.

``attune bench load --sessions N`` runs N such loops at once in one process (models shared) and
reports latency, CPU and RSS per session.

Doors: ``DOOR_RUNNERS`` maps a door name to an async runner; ``"wav"`` is built in, other doors
(e.g. ``"browser"``) register theirs with :func:`register_door`.
"""
from __future__ import annotations

import asyncio
import bisect
import csv
import json
import math
import os
import random
import re
import resource
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from attune.voice.loop.audio_io import PacedAudioOutput, QueueAudioInput
from attune.voice.audio import read_wav, resample
from attune.voice.doors.wav import LOOP_RATE, OUT_RATE, Timeline

FRAME_S = 0.02
STEP = int(LOOP_RATE * FRAME_S)


# ------------------------------------------------------------------ data
@dataclass
class Clip:
    id: str
    text: str
    audio: np.ndarray            # float32 mono 16 kHz, trimmed to speech + margin
    speech_start: float          # within ``audio``
    speech_end: float

    @property
    def duration(self) -> float:
        return len(self.audio) / LOOP_RATE


def speech_bounds(x: np.ndarray, rate: int = LOOP_RATE) -> tuple[float, float]:
    """First and last 20 ms frame with speech energy (peak-relative threshold)."""
    n = int(rate * 0.02)
    frames = len(x) // n
    if frames == 0:
        return 0.0, len(x) / rate
    rms = np.sqrt(np.mean(x[: frames * n].reshape(frames, n) ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms)
    thr = max(-50.0, db.max() - 35.0)
    idx = np.flatnonzero(db > thr)
    if not len(idx):
        return 0.0, len(x) / rate
    return idx[0] * 0.02, (idx[-1] + 1) * 0.02


def load_tsv(path: Path) -> list[tuple[Path, str]]:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"data not found: {path}")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if not rows or "path" not in rows[0] or "text" not in rows[0]:
        raise ValueError(f"{path}: needs tab-separated columns 'path' and 'text'")
    return [(path.parent / r["path"], r["text"]) for r in rows]


def load_clips(items: list[tuple[Path, str]], margin: float = 0.05) -> list[Clip]:
    clips = []
    for p, text in items:
        x, rate = read_wav(p)
        x = resample(x, rate, LOOP_RATE)
        a, b = speech_bounds(x)
        i0 = max(0, int((a - margin) * LOOP_RATE))
        i1 = min(len(x), int((b + margin) * LOOP_RATE))
        clips.append(Clip(p.stem, text, x[i0:i1].astype(np.float32), a - i0 / LOOP_RATE, b - i0 / LOOP_RATE))
    return clips


# ------------------------------------------------------------------ plan
@dataclass
class Turn:
    kind: str                    # "single" | "joined" | "hesitation" | "barge"
    clips: list[Clip]
    pauses: list[float]          # silence inserted between clips
    barge_after: float = 1.0     # barge: seconds into the reply the person starts
    # filled while playing (IN seconds)
    t_audio: float | None = None
    speech_start: float | None = None
    speech_end: float | None = None
    gaps: list[tuple[float, float]] = field(default_factory=list)  # mid-turn pauses

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.clips)

    def audio(self) -> np.ndarray:
        parts = []
        for i, c in enumerate(self.clips):
            parts.append(c.audio)
            if i < len(self.pauses):
                parts.append(np.zeros(int(self.pauses[i] * LOOP_RATE), np.float32))
        return np.concatenate(parts)

    def place(self, t_audio: float) -> None:
        self.t_audio = t_audio
        t = t_audio
        self.gaps = []
        for i, c in enumerate(self.clips):
            if i == 0:
                self.speech_start = t + c.speech_start
            else:
                self.gaps.append((prev_end, t + c.speech_start))
            prev_end = t + c.speech_end
            t += c.duration + (self.pauses[i] if i < len(self.pauses) else 0.0)
        self.speech_end = prev_end


HESITATION_WORDS = ("and", "because", "but", "so", "or")


def _quietest(x: np.ndarray, lo: float, hi: float) -> float:
    """The 10 ms step of least energy between ``lo`` and ``hi`` seconds (word timestamps are approximate)."""
    n = int(0.01 * LOOP_RATE)
    best, best_e = hi, math.inf
    for k in range(int((hi - lo) / 0.01) + 1):
        t = lo + k * 0.01
        i = int(t * LOOP_RATE)
        if i - n < 0 or i + n > len(x):
            continue
        e = float(np.mean(x[i - n:i + n] ** 2))
        if e < best_e:
            best, best_e = t, e
    return best


def _bare(word: str) -> str:
    """A word as compared across Whisper's words and the TSV text: lower case letters only."""
    return re.sub(r"[^a-z]", "", word.lower())


def hesitation_pairs(models: Any, clips: list[Clip], *, min_side_s: float = 0.6) -> list[tuple[Clip, Clip]]:
    """Clips that can be cut right after a mid-sentence "and", "because", "but", "so" or "or": (the part up
    to and including that word, the rest). Word times come from Whisper's word timestamps on the clip, the
    cut from the quietest 10 ms between the word's middle and the next word's start; a cut is kept only if
    Whisper hears the head end with that word or the one before it (tiny.en often drops a trailing "and",
    as it will in the loop), never with a piece of the next word."""
    out = []
    for c in clips:
        ref = c.text.split()
        if not any(_bare(r) in HESITATION_WORDS for r in ref[1:-1]):
            continue
        segs, _ = models.whisper.transcribe(c.audio, language="en", beam_size=1, word_timestamps=True,
                                            condition_on_previous_text=False, vad_filter=False)
        words = [w for s in segs for w in (s.words or [])]
        for k, w in enumerate(words[1:-1], 1):
            word = _bare(w.word)
            if word not in HESITATION_WORDS:
                continue
            nxt = float(words[k + 1].start)
            cut = _quietest(c.audio, (float(w.start) + float(w.end)) / 2, max(float(w.end), nxt) + 0.02)
            if cut - c.speech_start < min_side_s or c.speech_end - cut < min_side_s:
                continue
            nth = sum(1 for v in words[:k] if _bare(v.word) == word)
            hits = [i for i, r in enumerate(ref) if _bare(r) == word]
            if nth >= len(hits):
                continue
            at = hits[nth] + 1
            i = int(cut * LOOP_RATE)
            heard, _ = models.whisper.transcribe(c.audio[:i], language="en", beam_size=1, without_timestamps=True,
                                                 condition_on_previous_text=False, vad_filter=False)
            last = re.sub(r"[^a-z ]", "", " ".join(x.text for x in heard).lower()).split()[-1:]
            before = _bare(ref[at - 2]) if at >= 2 else ""
            if last not in ([word], [before]):  # the cut is inside the next word (Whisper may drop the "and")
                continue
            head = Clip(f"{c.id}:a", " ".join(ref[:at]), c.audio[:i], c.speech_start, cut)
            tail = Clip(f"{c.id}:b", " ".join(ref[at:]), c.audio[i:], max(0.0, nxt - cut), c.speech_end - cut)
            out.append((head, tail))
            break
    return out


def build_plan(clips: list[Clip], *, n_single: int = 7, n_joined: int = 4, n_barge: int = 2,
               n_hesitation: int = 0, hesitations: list[tuple[Clip, Clip]] | None = None,
               seed: int = 7, max_clip_s: float = 6.5) -> list[Turn]:
    """Turns from the shortest clips: a barge-in over the greeting first, then singles, joined pairs
    (two finished clauses, pauses cycling 300/400/500 ms plus jitter) and hesitations (a clause cut after
    "and"/"because"..., then 600-900 ms of silence, then the rest: must never be cut in on), another
    barge-in in the middle."""
    rng = random.Random(seed)
    pool = sorted((c for c in clips if c.duration <= max_clip_s), key=lambda c: c.duration) or sorted(
        clips, key=lambda c: c.duration)
    need = n_single + 2 * n_joined + n_barge
    chosen = (pool * (need // len(pool) + 1))[:need]
    rng.shuffle(chosen)
    it = iter(chosen)
    turns: list[Turn] = []
    if n_barge:
        turns.append(Turn("barge", [next(it)], [], barge_after=1.2))
    body: list[Turn] = []
    for i in range(n_joined):
        base = (0.3, 0.4, 0.5)[i % 3]
        pause = min(0.5, max(0.3, base + rng.uniform(-0.02, 0.02)))
        body.append(Turn("joined", [next(it), next(it)], [pause]))
    body += [Turn("single", [next(it)], []) for _ in range(n_single)]
    pairs = list(hesitations or [])
    rng.shuffle(pairs)
    for i in range(min(n_hesitation, len(pairs)) if pairs else 0):
        body.append(Turn("hesitation", list(pairs[i]), [round(0.6 + 0.3 * (i % 4) / 3 + rng.uniform(0, 0.02), 3)]))
    rng.shuffle(body)
    for i in range(n_barge - 1):
        body.insert(min(len(body), (i + 1) * len(body) // n_barge), Turn("barge", [next(it)], [], barge_after=1.0))
    return turns + body


# ------------------------------------------------------------------ driver (the simulated person)
@dataclass
class Run:
    """Everything one conversation produced."""

    turns: list[Turn]
    events: list[dict] = field(default_factory=list)
    timeline: Timeline = field(default_factory=Timeline)
    wall_s: float = 0.0
    error: str | None = None


class PersonDriver:
    """Feeds a plan into a ``QueueAudioInput`` in real time, reacting to the loop."""

    def __init__(self, turns: list[Turn], *, gap_s: float = 0.8, max_wait_s: float = 25.0,
                 last_frame_t: Callable[[], float | None] | None = None) -> None:
        self.turns = turns
        self.last_frame_t = last_frame_t or (lambda: None)
        self.gap_s = gap_s
        self.max_wait_s = max_wait_s
        self.events: list[dict] = []

    async def run(self, vl: Any, inp: QueueAudioInput) -> None:
        silence = np.zeros(STEP, np.float32)
        k = 0  # 20 ms chunks pushed

        async def push(chunk: np.ndarray) -> None:
            nonlocal k
            k += 1
            due = vl.t0 + k * FRAME_S  # a chunk is available once it has been "recorded"
            d = due - time.monotonic()
            if d > 0:
                await asyncio.sleep(d)
            inp.push_pcm(chunk)

        for turn in self.turns:
            waited = 0.0
            if turn.kind == "barge":
                # wait for a reply to be playing, then start talking over it
                while not vl.audible and waited < self.max_wait_s:
                    await push(silence)
                    waited += FRAME_S
                starts = [e["t"] for e in self.events if e["type"] == "reply_audio_start"]
                target = (starts[-1] if starts else vl.t()) + turn.barge_after

                def sounding() -> bool:  # audio is really coming out (not between two chunks)
                    lf = self.last_frame_t()
                    return lf is None or vl.t() - lf < 0.06

                while (vl.t() < target or not sounding()) and vl.audible and waited < self.max_wait_s:
                    await push(silence)
                    waited += FRAME_S
            else:
                quiet = 0.0
                while quiet < self.gap_s and waited < self.max_wait_s:
                    await push(silence)
                    waited += FRAME_S
                    quiet = quiet + FRAME_S if vl.idle() else 0.0
            audio = turn.audio()
            turn.place(k * FRAME_S)
            for i in range(0, len(audio), STEP):
                c = audio[i:i + STEP]
                if len(c) < STEP:
                    c = np.pad(c, (0, STEP - len(c)))
                await push(c)
        # let the last reply play out
        waited = 0.0
        quiet = 0.0
        while quiet < self.gap_s and waited < self.max_wait_s:
            await push(silence)
            waited += FRAME_S
            quiet = quiet + FRAME_S if vl.idle() else 0.0


DoorRunner = Callable[..., Awaitable[Run]]
DOOR_RUNNERS: dict[str, DoorRunner] = {}


def place_person_audio(run: "Run", sent_at: Callable[[float | None], float | None]) -> None:
    """For doors with a remote caller: the person's speech is dated by when the caller sent it."""
    for turn in run.turns:
        if turn.speech_start is None:
            continue
        turn.speech_start = sent_at(turn.speech_start)
        turn.speech_end = sent_at(turn.speech_end)
        turn.gaps = [(sent_at(a), sent_at(b)) for a, b in turn.gaps]
        if turn.t_audio is not None:
            turn.t_audio = sent_at(turn.t_audio)


def place_caller_audio(run: "Run", audible_times: list[float], frame_samples: int) -> list[float]:
    """For doors heard by a remote caller (browser, phone): the reply timeline is what the caller
    heard, and each ``reply_audio_start`` is moved to the first audible packet after it (the loop's
    own time is kept as ``t_loop``). Returns the loop → caller delays, sorted."""
    frame = np.zeros(frame_samples, np.int16)  # only the frames' times matter to the scoring
    prev = None
    for a in audible_times:
        if prev is not None and a - prev > 0.1:
            run.timeline.gap()
        run.timeline.add(a, frame)
        prev = a
    delays = []
    for ev in run.events:
        if ev.get("type") == "reply_audio_start":
            i = bisect.bisect_left(audible_times, ev["t"])
            ev["t_loop"] = ev["t"]
            if i < len(audible_times) and audible_times[i] - ev["t"] < 2.0:
                ev["t"] = round(audible_times[i], 3)
                delays.append(ev["t"] - ev["t_loop"])
    return sorted(delays)


def register_door(name: str, runner: DoorRunner) -> None:
    """Make ``bench --door NAME`` available. ``runner(settings, turns, *, engine, user_id, models)``
    must play ``turns`` (a list of :class:`Turn`) through that door in real time — e.g. with a
    :class:`PersonDriver` — and return a :class:`Run` with the loop's events and a ``Timeline``
    of the assistant's audio as the door delivered it."""
    DOOR_RUNNERS[name] = runner


async def run_wav(settings: Any, turns: list[Turn], *, engine: Any, user_id: str, models: Any = None,
                  turn_options: Any = None) -> Run:
    """The ``wav`` door runner: the loop on in-memory audio, paced in real time."""
    from attune.voice.loop.voice_loop import build_voice_loop

    run = Run(turns=turns)
    driver = PersonDriver(turns, last_frame_t=lambda: run.timeline.frames[-1][0] if run.timeline.frames else None)
    ref: dict[str, Any] = {}

    def sink(ev: dict) -> None:
        run.events.append(ev)
        driver.events.append(ev)

    def on_frame(frame: Any) -> None:
        vl = ref.get("vl")
        if vl is not None and vl.t0 is not None:
            run.timeline.add(time.monotonic() - vl.t0, np.frombuffer(frame.data, np.int16))

    inp = QueueAudioInput(sample_rate=LOOP_RATE)
    out = PacedAudioOutput(sample_rate=OUT_RATE, on_frame=on_frame, on_clear=run.timeline.gap)
    vl = build_voice_loop(settings, engine, user_id=user_id, audio_input=inp, audio_output=out,
                          on_event=sink, echo_cancelled=True, models=models, turn_options=turn_options)
    ref["vl"] = vl
    t = time.monotonic()
    try:
        await vl.prepare()
        vl.t0 = time.monotonic()
        task = asyncio.create_task(driver.run(vl, inp))
        await vl.start()
        await task
    except Exception as e:  # report, do not hide
        run.error = f"{type(e).__name__}: {e}"
        raise
    finally:
        inp.close()
        await vl.aclose()
        await out.aclose()
        run.wall_s = time.monotonic() - t
    return run


register_door("wav", run_wav)


# ------------------------------------------------------------------ scoring
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _number_words(n: int) -> list[str]:
    """0-9999 as words ("1485" → "one thousand four hundred eighty five"), so "six" and "6" score alike."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        return [_ONES[n // 100], "hundred"] + (_number_words(n % 100) if n % 100 else [])
    if 1100 <= n <= 1999 and n % 100 >= 10:  # a year, as it is said: "fourteen eighty five"
        return _number_words(n // 100) + _number_words(n % 100)
    return _number_words(n // 1000) + ["thousand"] + (_number_words(n % 1000) if n % 1000 else [])


def _norm_words(text: str) -> list[str]:
    """Lower case, no punctuation, digits spelled out: WER measures recognition, not formatting."""
    t = text.lower().replace("-", " ").replace("’", "'")
    words = []
    for w in re.sub(r"[^a-z0-9' ]+", " ", t.replace(",", "")).split():
        words += _number_words(int(w)) if w.isdigit() and len(w) <= 4 else [w]
    return words


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
            prev, d[j] = d[j], cur
    return d[len(hyp)]


def wer(pairs: list[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs, normalised (lower case, no punctuation)."""
    edits = sum(edit_distance(_norm_words(r), _norm_words(h)) for r, h in pairs)
    words = sum(len(_norm_words(r)) for r, _ in pairs)
    return edits / max(1, words)


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


@dataclass
class TurnScore:
    kind: str
    text: str
    heard: str
    latency_ms: float | None
    cut_in: bool
    replies: int
    barge_in_ms: float | None = None
    interrupted_event: bool = False
    first_reply: bool = False
    final_after_end_ms: float | None = None   # STT final ready, after the end of speech
    committed_after_end_ms: float | None = None  # turn committed, after the end of speech
    after_session_end: bool = False  # spoken after the brain closed the session: nothing to answer
    commits: list[str] = field(default_factory=list)  # each turn_end in the turn: "level(why): last words"


def score_run(run: Run) -> list[TurnScore]:
    ev = run.events
    starts = [e["t"] for e in ev if e["type"] == "reply_audio_start"]
    frames = run.timeline.frames
    out: list[TurnScore] = []
    for i, turn in enumerate(run.turns):
        if turn.speech_start is None:
            continue
        nxt = run.turns[i + 1].speech_start if i + 1 < len(run.turns) and run.turns[i + 1].speech_start else 1e9
        lo = turn.speech_start
        finals = [e["text"] for e in ev if e["type"] == "transcript_final" and lo - 0.2 <= e["t"] < nxt - 0.05]
        after = [t for t in starts if turn.speech_end <= t < nxt]
        inside = [t for t in starts if lo < t < turn.speech_end]
        lat = (after[0] - turn.speech_end) * 1000 if after else None
        sc = TurnScore(turn.kind, turn.text, " ".join(finals), None if lat is None else round(float(lat), 1),
                       bool(inside), len(after) + len(inside))
        sc.after_session_end = lat is None and (any(
            e["type"] == "turn_ignored" and e.get("why") == "session ended" and turn.speech_end <= e["t"] < nxt for e in ev)
            or any(e["type"] == "session_end" and e["t"] <= turn.speech_end for e in ev))  # a door may hang up then
        sc.commits = [f"{e.get('end_level')}({e.get('end_why')}, pitch {e.get('pitch_ratio')}): {e['text'][-40:]}"
                      for e in ev if e["type"] == "turn_end" and lo <= e["t"] < nxt]
        te = next((e for e in ev if e["type"] == "turn_end" and turn.speech_end <= e["t"] < nxt), None)
        if te is not None:
            sc.committed_after_end_ms = round((te["t"] - turn.speech_end) * 1000, 1)
            fin = [e["t"] for e in ev if e["type"] == "transcript_final" and lo <= e["t"] <= te["t"]]
            if fin:
                sc.final_after_end_ms = round((fin[-1] - turn.speech_end) * 1000, 1)
        if turn.kind == "barge":
            # the moment the door stopped handing out the reply after the person started
            paused = [e["t"] for e in ev if e["type"] == "barge_in" and lo <= e["t"] <= lo + 3]
            fr = sorted(t for t, _ in frames if lo - 0.5 <= t <= turn.speech_end)
            stop = None
            prev = None
            for t in fr:
                if prev is not None and t - prev > 0.3:
                    break
                prev = t
            if prev is not None and prev >= lo:
                stop = prev + FRAME_S
            elif prev is not None:
                stop = lo  # nothing was playing any more when the person started
            if paused and (stop is None or paused[0] > stop):
                stop = paused[0]
            sc.barge_in_ms = round(float((stop - lo) * 1000), 1) if stop is not None else None
            sc.interrupted_event = any(e["type"] == "interrupted" and lo <= e["t"] <= turn.speech_end + 3
                                       for e in ev)
            sc.first_reply = i == 0
            sc.cut_in = False
            sc.replies = len(after)
        out.append(sc)
    return out


def offline_wer(models: Any, clips: list[Clip]) -> float:
    """The same Whisper model on each whole clip, not streaming (faster-whisper ``transcribe``)."""
    pairs = []
    for c in clips:
        segs, _ = models.whisper.transcribe(c.audio, language="en", beam_size=1, without_timestamps=True,
                                            condition_on_previous_text=False, vad_filter=False)
        pairs.append((c.text, " ".join(s.text.strip() for s in segs)))
    return wer(pairs)


def summarise(runs: list[Run], scores: list[list[TurnScore]]) -> dict[str, Any]:
    flat = [s for ss in scores for s in ss]
    lats = [s.latency_ms for s in flat if s.latency_ms is not None and s.kind != "barge"]
    lats_all = [s.latency_ms for s in flat if s.latency_ms is not None]
    barge = [s for s in flat if s.kind == "barge"]
    return {
        "turns": len(flat),
        "p50_ms": round(pct(lats_all, 50), 1) if lats_all else None,
        "p95_ms": round(pct(lats_all, 95), 1) if lats_all else None,
        "max_ms": round(max(lats_all), 1) if lats_all else None,
        "p50_ms_no_barge": round(pct(lats, 50), 1) if lats else None,
        "unanswered": sum(1 for s in flat if s.latency_ms is None and s.kind != "barge" and not s.after_session_end),
        "after_session_end": sum(1 for s in flat if s.after_session_end),
        "cut_ins": sum(1 for s in flat if s.cut_in),
        "cut_ins_finished": sum(1 for s in flat if s.cut_in and s.kind == "joined"),
        "cut_ins_unfinished": sum(1 for s in flat if s.cut_in and s.kind == "hesitation"),
        "hesitation_turns": sum(1 for s in flat if s.kind == "hesitation"),
        "split_turns": sum(1 for s in flat if s.replies > 1),
        "held_or_cancelled_replies": sum(1 for r in runs for e in r.events
                                         if e["type"] in ("reply_cancelled", "reply_dropped")),
        "joined_turns": sum(1 for s in flat if s.kind == "joined"),
        "wer": round(wer([(s.text, s.heard) for s in flat if not s.after_session_end]), 4),
        "barge_in_ms": round(max(s.barge_in_ms for s in barge if s.barge_in_ms is not None), 1)
        if any(s.barge_in_ms is not None for s in barge) else None,
        "barge_in_each_ms": [None if s.barge_in_ms is None else round(s.barge_in_ms, 1) for s in barge],
        "barge_in_first_reply_ms": next((round(s.barge_in_ms, 1) for s in barge if s.first_reply
                                         and s.barge_in_ms is not None), None),
        "barge_in_interrupted_events": sum(1 for s in barge if s.interrupted_event),
        "errors": [r.error for r in runs if r.error],
    }


async def _warm(settings: Any, engine: Any, models: Any) -> None:
    from attune.voice.loop.speech_text import shared_phrase_cache
    from attune.voice.speech.tts import PiperTTS

    tts = PiperTTS(models=models)
    await shared_phrase_cache(tts, settings.phrases_manifest).prerender(tts)
    await engine.open("bench-warmup")
    await engine.propose("bench-warmup", "Hello.")
    await engine.hang_up("bench-warmup")


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _run_sessions(settings: Any, engine: Any, plans: list[list[Turn]], door: str, models: Any,
                        stagger_s: float = 0.0) -> list[Run]:
    runner = DOOR_RUNNERS[door]

    async def one(i: int, plan: list[Turn]) -> Run:
        await asyncio.sleep(i * stagger_s)
        return await runner(settings, plan, engine=engine, user_id=f"bench-{uuid.uuid4().hex[:6]}-{i}",
                            models=models)

    return list(await asyncio.gather(*(one(i, p) for i, p in enumerate(plans))))


def _print(result: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        print(json.dumps(result))
        return
    print(title)
    for k, v in result.items():
        if k in ("per_turn",):
            continue
        print(f"  {k:28s} {v}")
    for t in result.get("per_turn", []):
        lat = "-" if t["latency_ms"] is None else f"{t['latency_ms']:.0f} ms"
        fin = "" if t.get("final_after_end_ms") is None else f"final +{t['final_after_end_ms']:.0f}"
        extra = f" barge-in stop {t['barge_in_ms']:.0f} ms" if t.get("barge_in_ms") is not None else ""
        print(f"    {t['kind']:7s} {lat:>8s} {fin:>11s}{' CUT-IN' if t['cut_in'] else ''}{extra}  | {t['heard'][:60]}")


_DOOR_MODULES = {"browser": "attune.voice.bench.browser", "sip": "attune.voice.bench.sip"}  # doors whose runner lives in its own bench module


def _door_or_error(door: str) -> int | None:
    if door not in DOOR_RUNNERS and door in _DOOR_MODULES:
        import importlib

        importlib.import_module(_DOOR_MODULES[door])  # registers its runner
    if door not in DOOR_RUNNERS:
        print(f"attune bench: door {door!r} has no benchmark runner (have: {', '.join(sorted(DOOR_RUNNERS))})",
              file=sys.stderr)
        return 2
    return None


def bench_latency(settings: Any, engine: Any, models: Any, data: Path, door: str = "wav", as_json: bool = False, *,
                  plan: dict[str, int] | None = None) -> int:
    """``attune bench latency``: prints figures (one JSON object with ``as_json``); exit code.
    ``plan`` overrides the turn counts (``n_single``, ``n_joined``, ``n_barge``)."""
    if (rc := _door_or_error(door)) is not None:
        return rc
    try:
        clips = load_clips(load_tsv(Path(data)))
    except Exception as e:
        print(f"attune bench: {e}", file=sys.stderr)
        return 2
    turns = build_plan(clips, hesitations=hesitation_pairs(models, clips), **(plan or _plan_kw(settings)))
    used = {c.id: c for t in turns for c in t.clips}
    w_off = offline_wer(models, list(used.values()))
    t = time.monotonic()
    runs = asyncio.run(_run_sessions(settings, engine, [turns], door, models))
    scores = [score_run(r) for r in runs]
    res = summarise(runs, scores)
    res.update({"wer_offline": round(w_off, 4), "door": door, "clips": len(used),
                "wall_s": round(time.monotonic() - t, 1), "cpus": os.cpu_count(),
                "load_avg_1m": round(os.getloadavg()[0], 2)})
    res["wer_ratio"] = round(res["wer"] / w_off, 3) if w_off else None
    res["per_turn"] = [asdict(s) for s in scores[0]]
    _print(res, as_json, f"voice loop latency ({door} door, {data})")
    return 0 if not res["errors"] else 1


def _plan_kw(settings: Any, load: bool = False) -> dict[str, Any]:
    if load:
        return {"n_single": 3, "n_joined": 2, "n_barge": 1, "n_hesitation": 1}
    return {"n_hesitation": 4}


def bench_load(settings: Any, engine: Any, models: Any, sessions: int, data: Path, door: str = "wav",
               as_json: bool = False, *, plan: dict[str, int] | None = None) -> int:
    """``attune bench load --sessions N``: N loops at once in this process, sharing the models."""
    if (rc := _door_or_error(door)) is not None:
        return rc
    if sessions < 1:
        print("attune bench: --sessions must be >= 1", file=sys.stderr)
        return 2
    try:
        clips = load_clips(load_tsv(Path(data)))
    except Exception as e:
        print(f"attune bench: {e}", file=sys.stderr)
        return 2
    pairs = hesitation_pairs(models, clips)
    plans = [build_plan(clips, seed=100 + i, hesitations=pairs, **(plan or _plan_kw(settings, load=True)))
             for i in range(sessions)]
    asyncio.run(_warm(settings, engine, models))  # one-time costs (phrase renders, brain set-up) not per session
    rss0 = _rss_mb()
    peak = [rss0]

    async def sampled() -> list[Run]:
        async def sample() -> None:
            while True:
                peak[0] = max(peak[0], _rss_mb())
                await asyncio.sleep(0.5)

        s_task = asyncio.create_task(sample())
        try:
            return await _run_sessions(settings, engine, plans, door, models, stagger_s=0.37)
        finally:
            s_task.cancel()

    c0 = time.process_time()
    t0 = time.monotonic()
    runs = asyncio.run(sampled())
    wall = time.monotonic() - t0
    cpu = time.process_time() - c0
    rss1 = max(peak[0], _rss_mb())
    scores = [score_run(r) for r in runs]
    s = summarise(runs, scores)
    res = {
        "sessions": sessions,
        "p50_ms": s["p50_ms"],
        "p95_ms": s["p95_ms"],
        "max_ms": s["max_ms"],
        "turns": s["turns"],
        "unanswered": s["unanswered"],
        "cut_ins": s["cut_ins"],
        "cut_ins_finished": s["cut_ins_finished"],
        "cut_ins_unfinished": s["cut_ins_unfinished"],
        "split_turns": s["split_turns"],
        "wer": s["wer"],
        "barge_in_ms": s["barge_in_ms"],
        "cpu_per_session": round(cpu / wall / sessions, 3),
        "cpu_total": round(cpu / wall, 3),
        "rss_mb_per_session": round((rss1 - rss0) / sessions, 1),
        "rss_mb_total": round(rss1, 1),
        "rss_mb_shared": round(rss0, 1),  # models, phrase cache, brain: loaded once per process
        "wall_s": round(wall, 1),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "errors": s["errors"],
        "door": door,
    }
    _print(res, as_json, f"voice loop load: {sessions} sessions ({door} door)")
    return 0 if not res["errors"] else 1
