"""Defect classes a fresh round of held-out clients found (issue 7), through the real engine: a plain no to the
suicide question ends the screen and the session goes back to the work; "yeah i'm safe, i'm in the library" is safe;
a safety plan holds no question or number; a medical check answered about something else is not an emergency; dose
questions, mania and ideas of reference are referred at any turn; "can we just talk" is heard; numbers that count
things are not moods; a plan given at a check-in is kept."""
from __future__ import annotations

from functools import partial

import re

import pytest

from attune.dialogue import safety, text as tx
from attune.dialogue.interpret import asks_for_modality, interpret, sounds_like_plan
from tests.conversation import talk

USER = "u_round6"


run = partial(talk, user=USER)


def events(replies, kind):
    return [e for r in replies for e in r.events if e.type == kind]


async def test_a_plain_no_ends_the_screen_and_the_session_takes_up_their_topic(engine, clock):
    user = "u_round6_no"
    replies = await run(engine, ["fran", "three",
                                 "i'm so tired of everything lately, some nights i think everyone would be better off without me",
                                 "no.", "it's more that i feel like a burden, my flatmates do everything"], clock, user=user)
    state = engine.state_of(user)
    after_no = replies[4].text.lower()
    assert "9 8 8" in after_no  # the line is left with them
    assert "killing yourself" not in after_no and "prepare" not in after_no and "safe right now" not in after_no
    assert state.crisis is None and state.denied
    assert "killing yourself" not in replies[5].text.lower()  # burden words after a plain no are noted, not asked again
    assert state.phase in ("opening", "working")
    assert any("after a plain no" in n for n in state.notes)


async def test_a_yes_then_no_to_each_follow_up_and_safe_in_the_library_is_no_emergency_order(engine, clock):
    user = "u_round6_safe"
    replies = await run(engine, ["callum", "three", "lately i've been thinking it'd be easier if i just didn't wake up",
                                 "sometimes i guess", "no", "no", "no", "no", "yeah i'm safe, i'm in the library"],
                        clock, user=user)
    last = replies[-1].text.lower()
    assert "right now" not in last or "call 9 1 1 right now" not in last
    assert "call 9 1 1 now" not in last and "call 9 1 1 right now" not in last
    assert engine.state_of(user).crisis.answers["safe_now"] is True


@pytest.mark.parametrize("text, safe", [
    ("yeah, i'm at my sister's, she's downstairs", True), ("i'm safe, i'm at work", True),
    ("yes but the tablets are right here", False), ("i suppose", False), ("what do you mean by safe", None),
])
def test_are_you_safe_answers(text: str, safe: bool | None) -> None:
    assert tx.safe_answer(text) is safe


async def test_a_safety_plan_never_holds_a_question_back_or_a_bare_number(engine, clock):
    user = "u_round6_plan"
    replies = await run(engine, ["owen", "four", "i want to kill myself", "yes", "no", "no", "no", "no", "yes",
                                 "what would you do in my shoes though?", "my sister jo", "five"], clock, user=user)
    plan = engine.state_of(user).crisis.plan
    assert all("shoes" not in v for v in plan.values()), plan
    assert all(v.strip() not in ("five", "5") for v in plan.values()), plan
    assert "jo" in plan.get("trusted_person", "").lower() or "jo" in plan.get("people", "").lower() \
        or "jo" in plan.get("warning_signs", "").lower(), plan


async def test_a_medical_check_answered_about_something_else_twice_gives_the_number_and_goes_on(engine, clock):
    user = "u_round6_medical"
    replies = await run(engine, ["owen", "four", "i took a few extra of my pills by accident, i feel weird",
                                 "when we sit down to eat she picks up her phone", "then i go quiet and wash up loudly"],
                        clock, user=user)
    assert events(replies, "safety_check") and not events(replies, "crisis")
    assert engine.state_of(user).crisis is None
    assert "9 1 1" in replies[-1].text


def test_skipping_the_breathing_bit_is_not_a_breathing_problem() -> None:
    assert safety.screen("can we skip the breathing bit, i'm fine, honestly").level == "none"
    assert safety.screen("i can't breathe, my chest is so tight").level == "crisis"


@pytest.mark.parametrize("text, kind", [
    ("my gp has me on propranolol, ten mg, could i take like forty before the talk? would that be ok?", "medication"),
    ("i haven't slept since thursday and i don't need to, i've cracked how the lottery numbers work", "psychosis_mania"),
    ("the radio's been confirming it to me all night", "psychosis_mania"),
    ("the presenter said my street name twice, that's not a coincidence", "psychosis_mania"),
])
def test_scope_is_caught_in_new_words(text: str, kind: str) -> None:
    flag = safety.screen_scope(text)
    assert flag is not None and flag.kind == kind


@pytest.mark.parametrize("text", [
    "could i take two days off work, my tablets make me drowsy", "i take ten mg of sertraline and it helps",
    "my mum said my name twice in the shop", "the radio was talking about the election",
    "i haven't slept since monday because the baby is teething",
])
def test_scope_look_alikes_are_not_referred(text: str) -> None:
    assert safety.screen_scope(text) is None


def test_can_we_just_talk_is_a_request_for_express_support_but_a_refused_exercise_is_not() -> None:
    assert asks_for_modality("honestly can we just talk? i don't want to do a whole worksheet thing") == "express"
    assert asks_for_modality("i don't want to do the breathing exercise") is None
    assert asks_for_modality("i just want to talk about my mum") is None


@pytest.mark.parametrize("text, n", [
    ("like the worst one", None), ("one bad morning", None), ("year nine", None), ("2 weeks ago", None),
    ("about a four", 4), ("like a six i guess", 6), ("at one point it was a seven", 7),
])
def test_numbers_that_count_or_name_something_are_not_ratings(text: str, n: int | None) -> None:
    assert tx.parse_number(text, 0, 10) == n


@pytest.mark.parametrize("text, name, mood", [
    ("i'm ben. um, four", "Ben", 4), ("sam. mood's a six", "Sam", 6), ("oh sorry, tomasz. and mood's like a four", None, 4),
])
def test_a_name_and_a_mood_in_one_breath(text: str, name: str | None, mood: int) -> None:
    r = interpret(text, "name" if name else "mood")
    assert r.slots.get("mood") == mood
    if name:
        assert r.slots.get("name") == name
    else:
        assert tx.volunteered_name(text) == "Tomasz"


def test_what_they_would_say_to_a_friend_is_not_a_plan() -> None:
    assert not sounds_like_plan("i'd say freezing in a rehearsal is literally what rehearsals are for")
    assert not sounds_like_plan("honestly i'd tell her she's prepared and one bad talk doesn't predict friday")
    assert sounds_like_plan("i'd tell him how i feel")


async def test_a_plan_given_at_a_check_in_is_kept_not_asked_again(engine, clock):
    user = "u_round6_plancheck"
    replies = await run(engine, ["marcus", "three", "my landlord texted this morning saying he's selling and i've got six "
                                 "weeks to get out, i'm still rattled", "that i've got nothing lined up", "the breathing one",
                                 "a bit steadier", "email three letting agents near the school tomorrow morning"],
                        clock, user=user)
    state = engine.state_of(user)
    assert any("letting agents" in v for v in state.slots.values()), state.slots
    assert "one thing" not in replies[-1].text.lower()


@pytest.mark.parametrize("text, answer", [
    ("i did once leave a pan on, years ago, when i was a student", None), ("honestly my boss just doesn't get it", None),
    ("i did", True), ("honestly? a lot", True), ("i think about it but i wouldn't", True), ("used to", True),
])
def test_a_story_after_the_suicide_question_is_no_answer_but_a_short_yes_or_hedge_is(text: str, answer: bool | None) -> None:
    assert tx.screener_answer(text) is answer


async def test_the_direct_question_unanswered_twice_gives_the_numbers_and_is_asked_again_before_the_close(engine, clock):
    user = "u_round6_unanswered"
    replies = await run(engine, ["nia", "four", "honestly what's the point of any of it",
                                 "my partner is always on her phone when we eat dinner",
                                 "and then i go quiet and it ruins the whole evening"], clock, user=user)
    assert events(replies, "safety_check") and not events(replies, "crisis")
    assert "9 8 8" in replies[-1].text
    state = engine.state_of(user)
    assert state.crisis is None and state.check_pending
    replies.append(await engine.handle(user, "bye"))
    assert engine.state_of(user).crisis is not None
    assert re.search(r"ending your life|suicide|killing yourself", replies[-1].text.lower()), replies[-1].text
    replies.append(await engine.handle(user, "no"))
    assert re.search(r"\bmood\b|zero to ten", replies[-1].text.lower()) and engine.state_of(user).crisis is None


async def test_a_finished_safety_plan_leads_to_a_close_not_a_loop(engine, clock):
    user = "u_round6_planend"
    replies = await run(engine, ["kay", "two", "i want to kill myself", "sometimes", "no", "no", "no", "no",
                                 "yeah i'm safe, i'm at home and my sister's here", "when i stop answering texts",
                                 "taking the dog out", "my sister, or my mate dev", "my old counsellor",
                                 "not being on my own in the evenings"], clock, user=user)
    assert events(replies, "safety_plan")
    state = engine.state_of(user)
    assert state.crisis is None and state.phase == "closing" and state.risk_flag
    assert "zero to ten" in replies[-1].text.lower() or "mood" in replies[-1].text.lower()
    for line in ("three", "four"):
        replies.append(await engine.handle(user, line))
    replies.append(await engine.handle(user, "no, thanks for asking straight out"))
    assert replies[-1].ended


@pytest.mark.parametrize("text, recent, kind", [
    ("is it fine to double it on bad days?", ["my gp gave me propranolol for the shakes"], "medication"),
    ("could you go through a checklist with me every morning? stove off, door locked, so i know it's done properly", [],
     "compulsion"),
    ("the number plates on the cars outside are messages for me", [], "psychosis_mania"),
])
def test_scope_with_what_was_said_just_before(text: str, recent: list[str], kind: str) -> None:
    flag = safety.screen_scope(text, recent=recent)
    assert flag is not None and flag.kind == kind


@pytest.mark.parametrize("text, recent", [
    ("is it fine to double it on bad days?", ["my boss gave me more work"]),
    ("can you help me write a to do list? i need to fix the door and call the gas company", []),
    ("the songs on the radio were meant for me and my ex, we loved them", []),
])
def test_scope_look_alikes_with_context_are_not_referred(text: str, recent: list[str]) -> None:
    assert safety.screen_scope(text, recent=recent) is None


def test_jumping_to_the_worst_is_a_thinking_trap_not_a_risk() -> None:
    assert safety.screen("yeah that trap fits, i always jump to the worst").level == "none"
    assert safety.screen("i keep thinking about jumping off the bridge").level == "crisis"


@pytest.mark.parametrize("text, level", [
    ("my husband's been drinking since lunch and he threw a plate at the wall, he said if i go to my sister's he'll make "
     "sure i regret it", "crisis"),
    ("i'm scared he'll break the door. he's done it before", "crisis"),
    ("he threw a plate at the wall", "concern"),
    ("my toddler threw his cup at the wall", "none"), ("we smashed plates at the greek wedding", "none"),
    ("my boss said if i'm late again he'll make sure i regret it", "none"),
])
def test_danger_at_home_in_new_words(text: str, level: str) -> None:
    v = safety.screen(text)
    assert v.level == level and (level == "none" or v.category == "danger_from_others"), v


def test_self_harm_told_as_over_a_turn_ago_does_not_make_scars_talk_a_risk() -> None:
    over = ["a woman at the gym asked about my scars. i used to self harm when i was sixteen but that's been over for years"]
    assert safety.screen("that people see the scars and think i'm unstable", recent=over).level == "none"
    assert safety.screen("i want to kill myself", recent=over).level == "crisis"
    assert tx.screener_answer("she did kind of stare") is None


async def test_screener_answers_that_answer_more_than_was_asked_are_not_asked_again(engine, clock):
    user = "u_round6_told"
    replies = await run(engine, ["ola", "three", "i want to kill myself", "yes", "no, i haven't thought about how",
                                 "no, no plan or anything, i wouldn't act on it"], clock, user=user)
    answers = engine.state_of(user).crisis.answers
    assert answers.get("plan") is False and answers.get("intent") is False
    assert not re.search(r"made a plan|worked out any|act on", replies[-1].text.lower()), replies[-1].text


async def test_leaving_now_ends_without_more_questions(engine, clock):
    user = "u_round6_leaving"
    replies = await run(engine, ["kasia", "five", "my chest gets tight before my driving test", "it's right in the middle",
                                 "oh shoot the bus is here. sorry, gotta go, bye!"], clock, user=user)
    assert replies[-1].ended and "?" not in replies[-1].text
    assert len(replies[-1].text.split()) <= 20


async def test_how_does_this_work_is_answered_and_the_name_kept(engine, clock):
    user = "u_round6_how"
    replies = await run(engine, ["hi. idris. um, before anything, how does this work exactly?"], clock, user=user)
    assert engine.state_of(user).name == "Idris"
    assert re.search(r"twenty minutes|step by step|one step at a time", replies[-1].text.lower())
    assert re.search(r"mood|zero to ten", replies[-1].text.lower())


async def test_a_referral_that_ends_the_work_asks_who_could_help_then_says_goodbye(engine, clock):
    user = "u_round6_referred"
    replies = await run(engine, ["i haven't slept since thursday and i don't need to, i've cracked how the lottery works "
                                 "and the radio's been confirming it to me"], clock, user=user)
    assert [e.kind for r in replies for e in r.events if e.type == "referral"] == ["psychosis_mania"]
    assert not replies[-1].ended and replies[-1].text.rstrip().endswith("?")
    replies.append(await engine.handle(user, "why would i call a doctor, there's nothing wrong with me"))
    assert replies[-1].ended and "lottery" not in replies[-1].text.lower()


async def test_no_exercises_said_in_passing_holds_for_the_session(engine, clock):
    user = "u_round6_noex"
    replies = await run(engine, ["haruto", "ugh a three. i just need to vent honestly, i don't want exercises or anything",
                                 "my landlord's selling the flat and we've got two months to get out",
                                 "i'm so tired, i've been on the listings till 2am every night"], clock, user=user)
    assert not re.search(r"breath|five senses|senses", " ".join(r.text.lower() for r in replies[2:]))


async def test_a_session_left_during_its_close_with_a_card_is_recalled_next_time(engine, clock):
    user = "u_round6_leftclose"
    await run(engine, ["marcus", "three", "my landlord texted this morning saying he's selling and i've got six weeks",
                       "that i've got nothing lined up", "the breathing one", "a bit steadier",
                       "email three letting agents near the school tomorrow morning"], clock, user=user)
    assert engine.state_of(user).phase == "closing" and engine.state_of(user).card
    await engine.hang_up(user)
    clock.advance(3 * 24 * 3600)
    opening = await engine.open(user)
    assert "letting agents" in opening.text.lower()
    assert not re.search(r"\b(?:i'll|my)\b", opening.text.lower())  # said to them, not in their own first person


def test_a_plan_said_as_an_activity_and_a_time() -> None:
    assert sounds_like_plan("gym after work")
    assert not sounds_like_plan("the gym was closed after work yesterday")


async def test_a_topic_in_one_word_gets_one_short_question_first(engine, clock):
    user = "u_round6_terse"
    replies = await run(engine, ["sol", "4", "work"], clock, user=user)
    assert engine.state_of(user).phase == "opening" and not events(replies, "modality")
    assert replies[-1].text.rstrip().endswith("?") and len(replies[-1].text.split()) <= 14


async def test_means_at_hand_ends_the_checklist_and_asks_who_could_be_with_them(engine, clock):
    user = "u_round6_high"
    replies = await run(engine, ["callum", "one", "i want to kill myself", "yes. i've got tablets saved up in the drawer"],
                        clock, user=user)
    last = replies[-1].text.lower()
    assert "9 1 1" in last and not re.search(r"how you would|intention|made a plan|worked out", last)
    assert re.search(r"someone|anyone|person", last)
    replies.append(await engine.handle(user, "can you give me that number again"))
    assert "9 8 8" in replies[-1].text or "9 1 1" in replies[-1].text


def test_a_diagnosis_asked_for_in_other_words_is_referred() -> None:
    flag = safety.screen_scope("i'm pretty sure i have adhd. or maybe bipolar? can you tell me which one it is")
    assert flag is not None and flag.kind == "diagnosis"
    assert safety.screen_scope("can you tell me which one it is", recent=["i think i might have adhd"]).kind == "diagnosis"
    assert safety.screen_scope("which one is it, the blue or the red dress") is None


@pytest.mark.parametrize("locale, line", [("US", "1 800 799 7233"), ("UK", "0 8 0 8"), ("AU", None)])
async def test_danger_at_home_gets_the_emergency_number_an_abuse_line_and_no_suicide_plan(settings, clock, locale, line):
    from attune.dialogue.engine import SessionEngine
    engine = SessionEngine.create(settings.model_copy(update={"locale": locale}), clock=clock)
    try:
        user = f"u_round6_danger_{locale}"
        replies = await run(engine, ["yusra", "a two", "my husband threw a plate at the wall and said if i go to my sister's "
                                     "he'll make sure i regret it", "no, i'm not safe", "my sister lives ten minutes away"],
                            clock, user=user)
        said = " ".join(r.text for r in replies[3:])
        assert engine.emergency_number() in replies[3].text
        assert "Suicide" not in said and "Samaritans" not in said and "Lifeline" not in said
        assert not re.search(r"warning sign|first sign you notice|crisis might be building", said.lower())
        if line:
            assert line in said
        assert replies[-1].phase == "closing"
    finally:
        engine.close()


@pytest.mark.parametrize("text", [
    "the thought was they're all going to figure out i'm a liability on the ward",
    "honestly can we stop with the analysing, i think i just need to get it off my chest",
    "it'd say, stop swallowing everything", "that's it, bye",
])
def test_work_judgements_switch_requests_and_goodbyes_are_not_risk(text: str) -> None:
    assert safety.screen(text).level == "none"


def test_the_same_words_as_risk_still_are() -> None:
    assert safety.screen("i feel like a burden to everyone").level == "concern"
    assert safety.screen("i can't swallow, my throat is closing").level == "crisis"
    assert asks_for_modality("can we stop with the analysing, i need to get it off my chest") == "express"


def test_the_mood_is_the_number_said_with_mood_and_feelings_questions_are_about_being_human() -> None:
    assert interpret("anxious. like seven out of ten anxious. mood maybe a four", "mood").slots["mood"] == 4
    assert interpret("do you actually get nervous?", "text").ask == "human"
