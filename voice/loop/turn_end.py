"""Is the person's turn over? A completeness judgement from what was said and how it was said.

People pause inside a turn (to think, after "and", before a list's next item) for as long as they
pause between turns, so silence alone cannot end a turn quickly *and* safely. Three cheap cues,
each measured here on real recordings, decide how much silence the turn-taker waits for:

* **Words.** A trailing conjunction, preposition, filler or comma ("...and", "because", "um",
  "I think") means the sentence goes on; Whisper ends almost everything with a full stop, so the
  last word matters more than the punctuation.
* **What was asked.** A bare number after a 0-10 question, "yes"/"no" after a yes/no question, a
  name after "what should I call you?" is a whole answer.
* **Pitch.** Statements end with a pitch fall; a held or rising pitch means "more to come". On the
  LJ Speech and LibriVox clips a final-to-median F0 ratio under 0.8 marked 14 of 17 sentence ends,
  and over 1.1 only clause ends (commas, mid-sentence cuts). Between the two it says nothing.

``judge_turn_end`` turns these into a :class:`TurnEnd` (a level and the reason); the turn-taker maps
the level to its patience. livekit's audio end-of-turn model (``livekit-local-inference``) was
measured too: 42 ms per call here and no separation of sentence ends from clause ends on these
clips (0.2-0.7 either way), and its model licence allows use only inside LiveKit Agents, which a
GPL program cannot promise for its users; it is not used.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np

from attune.voice.loop.speech_text import norm_text

RATE = 16000
Level = Literal["short", "finished", "unsure", "unfinished"]

CONTINUATION_WORDS = {
    "and", "but", "or", "so", "because", "cause", "the", "a", "an", "to", "of", "in", "on", "at", "for",
    "with", "from", "by", "about", "like", "um", "uh", "er", "erm", "if", "when", "that", "which", "who",
    "my", "your", "his", "her", "their", "our", "its", "is", "are", "was", "were", "am", "than", "then",
    "as", "just", "very", "not", "into", "onto", "until", "while", "where", "whether", "although",
    "though", "since", "unless", "i", "we", "they", "he", "she", "you", "it's", "i'm", "there's",
    "think", "guess", "feel", "mean", "suppose", "wonder", "want", "need", "wish", "hope", "believe",
    "really", "maybe", "probably", "kind", "sort", "well", "actually", "basically", "also", "even",
    "don't", "can't", "didn't", "won't", "wasn't", "isn't", "i've", "i'd", "i'll", "we're", "they're",
    "every", "firstly", "secondly", "plus",
}
_CONTINUATION_ENDINGS = ("and then", "you know and", "sort of", "kind of", "as well as", "such as", "i mean")
_NUMBER = re.compile(
    r"^(?:(?:it'?s|i'?d say|about|maybe|like|around|probably|um|uh|a|an)\s+)*(?:\d{1,3}|zero|one|two|three|four|"
    r"five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred)(?:\s+(?:out of (?:ten|10|a hundred|100)|percent|or so|i guess|i think|maybe))?$")
_YES_NO = re.compile(
    r"^(?:(?:um|uh|well|oh|yeah|no)\s+)*(?:yes|yeah|yep|yup|no|nope|nah|sure|okay|ok|maybe|i do|i don't|"
    r"i am|i'm not|i have|i haven't|not really|kind of|sort of|a bit|a little|definitely|of course|"
    r"i'm not sure|not sure|i guess|i think so|i don't think so|sometimes|never|always)(?:\s+(?:i do|i guess|"
    r"really|thanks|thank you|please))?$")


def sounds_unfinished(text: str) -> bool:
    """Does the transcript stop mid-sentence? (Whisper puts a full stop after almost anything, so the
    last words matter more than the punctuation.)"""
    t = text.strip()
    if not t:
        return True
    if t[-1] in ",;:-–—" or t.endswith("...") or t.endswith("…"):
        return True
    n = norm_text(t)
    words = n.split()
    return bool(words) and (words[-1] in CONTINUATION_WORDS or n.endswith(_CONTINUATION_ENDINGS))


def answers_expectation(text: str, expects: str) -> bool:
    """Is ``text`` a whole, short answer to what Attune just asked (a number, yes/no, a name)?"""
    n = norm_text(text)
    if not n or len(n.split()) > 6:
        return False
    if expects in ("mood", "rating", "feeling"):
        return bool(_NUMBER.match(n))
    if expects == "yesno":
        return bool(_YES_NO.match(n))
    if expects == "name":
        words = n.split()
        return len(words) <= 4 and words[-1] not in CONTINUATION_WORDS
    return False


@dataclass(frozen=True)
class TurnEnd:
    level: Level
    why: str
    pitch_ratio: float | None = None


def judge_turn_end(text: str, expects: str = "text", pitch_ratio: float | None = None) -> TurnEnd:
    """How sure is it that the turn is over? ``short`` (a whole answer to the question asked), ``finished``
    (the words end a sentence and the pitch falls, or the words end it and there is no pitch reading),
    ``unsure`` (finished words, held or rising pitch) or ``unfinished`` (the words go on)."""
    if answers_expectation(text, expects):  # before the words: "kind of" answers "have you...?"
        return TurnEnd("short", f"answers {expects}", pitch_ratio)
    if sounds_unfinished(text):
        return TurnEnd("unfinished", "words", pitch_ratio)
    if pitch_ratio is not None and pitch_ratio > 1.12 and not text.rstrip().endswith("?"):  # questions rise
        return TurnEnd("unsure", "pitch held", pitch_ratio)
    if len(norm_text(text).split()) <= 3:
        return TurnEnd("short", "short", pitch_ratio)
    return TurnEnd("finished", "pitch falls" if pitch_ratio is not None and pitch_ratio < 0.82 else "words",
                   pitch_ratio)


def _f0(frame: np.ndarray) -> float | None:
    """F0 of one 40 ms frame by normalised autocorrelation (70-350 Hz), or None when unvoiced."""
    x = frame.astype(np.float32)
    x = x - x.mean()
    energy = float(np.dot(x, x))
    if energy < len(x) * 300.0 ** 2:  # quieter than ~-40 dBFS: no reliable period
        return None
    spec = np.fft.rfft(x, 2 * len(x))
    ac = np.fft.irfft(spec * np.conj(spec))[: len(x)]
    lo, hi = RATE // 350, RATE // 70
    k = lo + int(np.argmax(ac[lo:hi]))
    return RATE / k if ac[k] / ac[0] > 0.45 else None


class PitchTracker:
    """F0 of the person's current turn, from the VAD's 16 kHz frames: the median over the turn and over
    its last voiced 80 ms. Costs ~0.1 ms per 20 ms frame."""

    WINDOW = int(0.04 * RATE)

    def __init__(self) -> None:
        self._tail = np.zeros(0, np.int16)
        self._f0: deque[float] = deque(maxlen=600)  # 12 s of voiced 20 ms steps

    def reset(self) -> None:
        self._tail = np.zeros(0, np.int16)
        self._f0.clear()

    def push(self, pcm: np.ndarray) -> None:
        buf = np.concatenate([self._tail, pcm])
        if len(buf) >= self.WINDOW:
            f = _f0(buf[-self.WINDOW:])
            if f is not None:
                self._f0.append(f)
        self._tail = buf[-self.WINDOW:]

    def final_ratio(self) -> float | None:
        """Final F0 over the turn's median F0; None with too little voicing or an octave jump."""
        if len(self._f0) < 15:
            return None
        f = np.asarray(self._f0)
        ratio = float(np.median(f[-4:]) / np.median(f))
        return ratio if 0.45 <= ratio <= 1.8 else None
