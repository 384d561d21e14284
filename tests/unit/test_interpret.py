"""The turn interpreter: every turn read against what was asked, before the engine acts on it.

Sentences here are ours and unit-sized; the measured figures come from `attune eval turns` on
tests/data/turns_dev.jsonl, which was written before any tuning (test at the end: a floor, not a target).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from attune.dialogue import text as tx
from attune.dialogue.interpret import interpret, interpret_turn

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


@pytest.mark.parametrize("text, expects, kind", [
    ("bye", "feeling", "end"),
    ("ok i think that's it for me, bye", "text", "end"),
    ("i have to go now, sorry", "evidence", "end"),
    ("can we stop here for today", "action", "end"),
    ("I need to stop procrastinating", "topic", "answer"),
    ("can we do the thoughts thing again?", "text", "switch"),
    ("i'd rather talk about my relationship instead", "feeling", "switch"),
    ("so what would you do in my place?", "feeling", "question"),
    ("am I talking to a bot?", "situation", "question"),
    ("sorry, can you say that again?", "rating", "question"),
    ("how long have we got left?", "text", "question"),
    ("no, that's not what I meant", "situation", "correction"),
    ("no, I said my sister, not my mum", "text", "correction"),
    ("no, I don't want to do breathing", "choice", "decline"),
    ("I'd rather not say", "name", "decline"),
    ("i don't know", "evidence", "dont_know"),
    ("no idea honestly", "action", "dont_know"),
    ("slow down please, that's a lot", "text", "slow_down"),
    ("It would say slow down, I'm scared", "text", "answer"),
    ("last Friday at work, I felt humiliated, maybe eighty", "situation", "answer"),
    ("can I talk about something else, my landlord is threatening to evict us", "evidence", "new_topic"),
])
def test_turn_classes(text: str, expects: str, kind: str) -> None:
    assert interpret(text, expects).kind == kind, interpret(text, expects)


@pytest.mark.parametrize("text, ask", [
    ("what should I do about him though?", "advice"),
    ("are you a real person?", "human"),
    ("what was the question?", "repeat"),
    ("how much longer is this?", "time"),
    ("why do you ask?", "other"),
])
def test_question_kinds(text: str, ask: str) -> None:
    r = interpret(text, "text")
    assert (r.kind, r.ask) == ("question", ask)


@pytest.mark.parametrize("text, modality", [
    ("can we do the thoughts thing again?", "cbt"),
    ("can we focus on what I feel in my body", "gestalt"),
    ("I just need to vent", "express"),
    ("can we talk about my relationship instead", "efit"),
    ("can we work on my burnout instead", "sfbt"),
])
def test_switch_by_natural_name(text: str, modality: str) -> None:
    r = interpret(text, "text")
    assert (r.kind, r.modality) == ("switch", modality)


def test_one_turn_answers_several_slots() -> None:
    r = interpret("Last Friday at work, I felt humiliated, maybe eighty", "situation")
    assert r.slots["emotion"] == "humiliated"
    assert r.slots["intensity"] == 80
    assert r.slots["situation"] == "Last Friday at work"
    r = interpret("I just kept thinking everyone thinks I'm incompetent", "thought")
    assert r.slots["thought"] == "everyone thinks I'm incompetent"
    r = interpret("maybe forty, and the stupid feeling is like thirty now", "rating")
    assert r.slots["numbers"] == [40, 30]


@pytest.mark.parametrize("text, name", [
    ("I'm finding this hard", None), ("honestly i'm finding this really hard", None), ("I'm just tired", None),
    ("um", None), ("it's complicated", None), ("I'm good", None), ("I'd rather not say", None),
    ("call me Will", "Will"), ("I'm Hope", "Hope"), ("im sam", "Sam"), ("Grace please", "Grace"),
    ("my name's jo and honestly i'm at like a three today", "Jo"), ("i'm dan, work is crushing me", "Dan"),
])
def test_names_are_names_and_nothing_else(text: str, name: str | None) -> None:
    assert tx.extract_name(text) == name


def test_problem_first_opening_is_a_topic_not_a_name() -> None:
    r = interpret("honestly i'm finding this really hard", "name")
    assert r.kind == "new_topic" and r.slots["name"] is None and r.slots["topic"]
    r = interpret("hey, i'm marcus. mood's maybe a four honestly", "name")
    assert r.kind == "answer" and r.slots["name"] == "Marcus" and r.slots["mood"] == 4 and not r.slots["topic"]


def test_mood_in_words_is_accepted_and_only_clear_words_become_numbers() -> None:
    low = interpret("pretty low honestly", "mood")
    assert low.kind == "answer" and low.slots["mood_words"] == "pretty low" and "mood" not in low.slots
    assert interpret("awful, honestly", "mood").slots["mood"] == 2


@pytest.mark.parametrize("text, answer", [
    ("no", False), ("nope, never", False), ("no I haven't", False), ("no, nothing like that, I'm just worn out", False),
    ("yeah", True), ("yeah, kind of", True), ("now and then, but I wouldn't act on it", True), ("maybe", True),
    ("I'm not sure", True), ("not really", True), ("no, not really", True), ("no, but I think about it", True), ("sometimes", True),
    ("what do you mean", None), ("five", None),
])
def test_screener_answers_count_any_hedge_as_yes(text: str, answer: bool | None) -> None:
    assert tx.screener_answer(text) is answer


@pytest.mark.parametrize("text, safe", [
    ("yes", True), ("yeah I'm safe", True), ("I'm okay", True), ("yeah i'm safe, i'm in the library", True),
    ("yeah, i'm at my sister's, she's downstairs", True), ("i'm at home with my mum", True),
    ("yeah i'm not going to do anything", True), ("i'm not alone, my partner's here", True),
    ("I think so", False), ("not really", False), ("for now", False), ("no", False), ("I guess", False),
    ("at home, the pills are right here", False), ("yes but i'm on my own with the tablets", False),
    ("lonely. sad. like seventy", None), ("what do you mean", None),
])
def test_a_yes_or_a_safe_place_is_safe_and_any_hedge_or_danger_is_not(text: str, safe: bool | None) -> None:
    assert tx.safe_answer(text) is safe


@pytest.mark.parametrize("clause, said", [
    ("I was humiliated in the meeting", "you were humiliated in the meeting"),
    ("my boss yelled at me", "your boss yelled at you"),
    ("I wasn't ready", "you weren't ready"),
    ("you said I was lazy", None),  # "you" would have to become the assistant: not reflected
])
def test_person_and_verb_turn_together_or_not_at_all(clause: str, said: str | None) -> None:
    assert tx.second_person(clause) == said


def test_friend_advice_becomes_their_own_voice() -> None:
    assert tx.first_person("she is doing her best and she'll be fine") == "I am doing my best and I'll be fine"
    assert tx.first_person("one bad call doesn't make them useless") == "one bad call doesn't make me useless"


def test_clause_prefix_never_cuts_mid_phrase() -> None:
    text = "I'll ask my manager for five minutes of feedback on Friday and then plan the next sprint properly"
    cut = tx.clause_prefix(text, 12)
    assert cut == "I'll ask my manager for five minutes of feedback on Friday"
    assert tx.clause_prefix("He yelled at me in front of everyone about a deadline that wasn't mine", 8) == ""


def test_own_feeling_is_not_someone_elses() -> None:
    assert tx.own_feeling("My boss looked annoyed and nobody asked questions") is None
    assert tx.own_feeling("I felt humiliated") == "humiliated"


def test_the_model_only_settles_what_the_rules_are_unsure_of() -> None:
    sure = interpret_turn("bye", "text")
    assert sure.kind == "end" and sure.source == "rules"
    guess = interpret_turn("bananas are on sale", "evidence")
    assert guess.kind in ("unclear", "answer")


def test_eval_turns_on_the_dev_set_we_never_tuned_on() -> None:
    out = subprocess.run([sys.executable, "-m", "attune.voice.cli", "eval", "turns", str(DATA / "turns_dev.jsonl"), "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout)
    assert report["n"] >= 350
    assert set(report["per_class"]) >= {"answer", "decline", "question", "correction", "switch", "end", "unclear"}
    assert report["accuracy"] >= 0.75, report  # a floor on unseen sentences; the closing note has the figure
    assert report["per_class"]["end"]["precision"] >= 0.9  # ending a session by mistake is the costliest error


@pytest.mark.parametrize("text, side", [
    ("well she did say the data section was weak, and nobody else got called out", "for"),
    ("i mean, last month she said my presentation was great, and i got a bonus in march", "against"),
    ("she is nice but she shouted at me in front of everyone", "for"),
    ("i guess i lost my temper once but that doesn't make me him", "against"),
    ("i didn't do anything wrong though", "against"),
    ("it was not great to be honest", "for"),
    ("i did forget her birthday", "for"),
    ("i dunno really", None), ("what do you mean by evidence?", None),
])
def test_evidence_side_reads_the_clause_after_but_and_negation(text: str, side: str | None) -> None:
    assert tx.evidence_side(text) == side


def test_friend_advice_in_their_own_voice_never_turns_someone_else_into_i() -> None:
    assert tx.friend_to_first("i'd tell them they did their best") == ["I did my best"]
    assert tx.friend_to_first("i'd tell her she's not a failure, she was tired") == ["I'm not a failure", "I was tired"]
    assert tx.friend_to_first("that a shaky voice just means you care") == ["a shaky voice just means I care"]
    assert tx.friend_to_first("i'd say it shows you care about them") == ["it shows I care about them"]
    assert tx.friend_to_first("people like you for who you are") == ["people like me for who I am"]
    got = tx.friend_to_first("yeah that's close, she criticised one section, it doesn't mean i'm useless")
    assert not any("I criticised" in g for g in got), got


@pytest.mark.parametrize("text, value", [
    ("a lot. like, as bad as it gets nearly", 90), ("pretty strong", 70), ("a bit", 25), ("really intense", 80),
    ("medium i guess", 50), ("i dunno", None), ("at the kitchen table", None),
])
def test_a_strength_in_words_is_mapped_only_where_clear(text: str, value: int | None) -> None:
    assert tx.strength_in_words(text) == value


@pytest.mark.parametrize("text, change", [
    ("way less now. the guilt is still there but smaller", "lower"), ("about the same really", "same"),
    ("worse, honestly", "higher"), ("i'll take a walk", None),
])
def test_a_rerating_in_words_reads_the_direction(text: str, change: str | None) -> None:
    assert tx.rating_change(text) == change


def test_a_worry_about_the_future_is_not_a_plan() -> None:
    from attune.dialogue.interpret import sounds_like_plan
    assert not sounds_like_plan("i guess the worst bit is not knowing where i'll end up")
    assert not sounds_like_plan("i'll end up alone")
    assert sounds_like_plan("not knowing what i'll do, but i'll call my sister tonight")
