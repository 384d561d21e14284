"""The end-of-turn judgement (voice/loop/turn_end.py): words, the question asked, and pitch."""
from __future__ import annotations

import numpy as np
import pytest

from attune.voice.loop.turn_end import PitchTracker, answers_expectation, judge_turn_end, sounds_unfinished

RATE = 16000


def _voice(f0_start: float, f0_end: float, seconds: float) -> np.ndarray:
    """A glide with harmonics, like a voiced vowel whose pitch moves from ``f0_start`` to ``f0_end``."""
    n = int(seconds * RATE)
    f0 = np.linspace(f0_start, f0_end, n)
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    x = sum(np.sin(k * phase) / k for k in (1, 2, 3))
    return (6000 * x).astype(np.int16)


def _ratio(pcm: np.ndarray) -> float | None:
    p = PitchTracker()
    for i in range(0, len(pcm) - 319, 320):
        p.push(pcm[i:i + 320])
    return p.final_ratio()


@pytest.mark.parametrize("text", ["I went to the shop and", "It was because,", "My mother is um", "I think that",
                                  "and then", "it's sort of", "I don't know, I mean"])
def test_words_that_go_on(text: str) -> None:
    assert sounds_unfinished(text)
    assert judge_turn_end(text, pitch_ratio=0.6).level == "unfinished"  # a falling pitch does not end "and"


@pytest.mark.parametrize("text", ["I went to the shop.", "Not much.", "I don't know why.", "I want more.",
                                  "It has never been surpassed."])
def test_words_that_end(text: str) -> None:
    assert not sounds_unfinished(text)


@pytest.mark.parametrize("text,expects", [("Seven.", "mood"), ("about a six out of ten", "mood"),
                                          ("eighty percent", "rating"), ("Yeah, kind of.", "yesno"),
                                          ("No.", "yesno"), ("I'm not sure.", "yesno"), ("Priya.", "name")])
def test_a_whole_answer_to_the_question_asked_is_short(text: str, expects: str) -> None:
    assert answers_expectation(text, expects)
    assert judge_turn_end(text, expects, pitch_ratio=1.3).level == "short"


@pytest.mark.parametrize("text,expects", [("Seven.", "situation"), ("my boss yelled at me", "mood"),
                                          ("yes and", "yesno"), ("Priya and", "name")])
def test_not_an_answer_to_what_was_asked(text: str, expects: str) -> None:
    assert not answers_expectation(text, expects)


def test_held_pitch_makes_a_finished_sentence_unsure() -> None:
    text = "I told my sister about the wedding plans."
    assert judge_turn_end(text, pitch_ratio=1.3).level == "unsure"
    assert judge_turn_end(text, pitch_ratio=0.7).level == "finished"
    assert judge_turn_end(text, pitch_ratio=None).level == "finished"
    assert judge_turn_end("Am I talking to a bot?", pitch_ratio=1.4).level == "finished"  # a question rises


def test_pitch_tracker_hears_a_fall_and_a_rise() -> None:
    level = _voice(140, 140, 1.2)
    fall = np.concatenate([level, _voice(140, 90, 0.3)])
    rise = np.concatenate([level, _voice(140, 200, 0.3)])
    r_fall, r_rise, r_level = _ratio(fall), _ratio(rise), _ratio(level)
    assert r_fall is not None and r_fall < 0.82
    assert r_rise is not None and r_rise > 1.12
    assert r_level is not None and 0.95 < r_level < 1.05


def test_pitch_tracker_says_nothing_about_silence_or_noise() -> None:
    rng = np.random.default_rng(1)
    assert _ratio(np.zeros(RATE, np.int16)) is None
    assert _ratio(rng.normal(0, 3000, RATE).astype(np.int16)) is None
