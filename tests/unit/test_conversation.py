"""Turns a listener would notice, through the real engine: a name given when the mood was asked, what
happened not asked twice, harsh self-labels never said back as fact, the guard's log off the chat screen."""
from __future__ import annotations

from functools import partial

import logging
import re

from attune.dialogue import text as tx
from attune.dialogue.engine import key_phrase, spoken
from tests.conversation import talk

USER = "u_conversation01"


run = partial(talk, user=USER)


def mood_events(replies):
    return [e for r in replies for e in r.events if e.type == "mood"]


async def test_a_name_given_when_the_mood_was_asked_is_kept_and_the_mood_asked_again(engine, clock):
    for i, (said, name) in enumerate((("um I'm Priya", "Priya"), ("call me dev", "Dev"), ("oh sorry, i'm jo", "Jo"))):
        user = f"u_conversation_n{i}"
        replies = await run(engine, ["my sister and i had a huge fight last night and i can't stop replaying it", said], clock,
                            user=user)
        state = engine.state_of(user)
        assert state.name == name, replies[-1].text
        assert state.stage == "mood" and state.mood_open is None
        assert name in replies[-1].text and re.search(r"\bmood\b|zero to ten", replies[-1].text), replies[-1].text
        assert len(replies[-1].text.split()) <= 14  # re-asked briefly
        replies.append(await engine.handle(user, "maybe a four"))
        assert [e.value for e in mood_events(replies)] == [4]


async def test_a_number_for_a_feeling_in_the_first_turn_is_not_the_mood(engine, clock):
    replies = await run(engine, ["last friday at work my manager called me out in front of everyone, felt humiliated, maybe an eight"], clock)
    assert not mood_events(replies)
    assert re.search(r"\bmood\b", replies[-1].text)


async def test_express_does_not_ask_what_happened_after_they_said_it(engine, clock):
    replies = await run(engine, ["my flatmate screamed at me this morning over the dishes and i just need to vent"], clock)
    state = engine.state_of(USER)
    assert state.modality == "express"
    assert "flatmate" in state.slots.get("event", "")
    reply = replies[-1].text.lower()
    assert "what happened" not in reply and "tell me about it" not in reply
    assert "your flatmate screamed at you" in reply  # reflected briefly, in the second person
    assert reply.rstrip().endswith("?")  # and on to the next step


async def test_express_still_asks_what_happened_when_nothing_was_told(engine, clock):
    await run(engine, ["sam", "a four", "i just need to vent"], clock)
    state = engine.state_of(USER)
    assert state.modality == "express" and not state.slots.get("event")


async def test_a_plan_given_to_a_rating_fills_the_action(engine, clock):
    await run(engine, ["sam", "four", "i keep thinking i'm useless at work", "yesterday in the team meeting",
                       "embarrassed", "eighty", "that i'm useless", "yes", "i missed a deadline",
                       "my manager said my work is solid", "i'd say one deadline doesn't make you useless", "yes that helps"],
              clock)
    state = engine.state_of(USER)
    assert state.modality == "cbt"
    reply = await engine.handle(USER, "fine, i'll ask for a check-in on friday")
    assert "check-in on friday" in state_after(engine).slots.get("action", ""), reply.text


def state_after(engine):
    return engine.state_of(USER)


def test_self_labels_are_found_and_framed_as_their_voice():
    for said, framed in (("honestly i'm a terrible friend", "part of you says you're a terrible friend"),
                         ("i'm worthless", "part of you says you're worthless"),
                         ("im such a failure, everyone knows it", "part of you says you're such a failure"),
                         ("i always ruin everything", "part of you says you always ruin everything")):
        assert tx.own_voice(said) == framed, said
        assert key_phrase(said) == framed, said
        assert spoken(said, 10) == ""  # a slot is never said back holding a bare label
        assert spoken(said, 10, frame=True) == framed
    for not_a_label in ("i'm a teacher", "i'm a bit tired", "i'm a big fan of hers", "my boss said i'm useless",
                        "i keep thinking i'm a failure"):
        assert tx.own_voice(not_a_label) == "", not_a_label
    assert tx.own_voice("i hate myself for it") == ""  # never said back at all
    assert key_phrase("i hate myself for it") == ""


def test_second_person_keeps_were_ill_and_id():
    assert tx.second_person("the numbers were right") == "the numbers were right"
    assert tx.second_person("i was ill all week") == "you were ill all week"
    assert tx.second_person("my id card was lost") == "your id card was lost"
    assert tx.second_person("i'll text her") == "you'll text her"


def test_out_of_ten_on_a_hundred_scale():
    assert tx.all_numbers("maybe forty now, and the humiliation is like a four out of ten", 0, 100) == [40, 40]
    assert tx.parse_number("8/10", 0, 100) == 80 and tx.parse_number("8/10", 0, 10) == 8


async def test_self_label_reflection_in_a_session_is_never_plain(engine, clock):
    replies = await run(engine, ["dev", "three", "honestly i'm a terrible friend, i forgot my best mate's birthday",
                                 "sunday night at his party, i'm worthless"], clock)
    for r in replies[1:]:
        plain = re.search(r"(?<!says )\byou(?:'re| are) (?:a )?(?:terrible friend|worthless)", r.text.lower())
        assert not plain, r.text


async def test_guard_fallback_is_logged_at_info_not_warning(engine, clock, monkeypatch, caplog):
    from attune.dialogue import guard

    real = guard.vet

    def block_reflections(line, *, fallback, kind=None):
        if kind == "reflection":
            return fallback, guard.Verdict(ok=False, reason="test", category="test")
        return real(line, fallback=fallback, kind=kind)

    monkeypatch.setattr(guard, "vet", block_reflections)
    with caplog.at_level(logging.DEBUG, logger="attune.engine"):
        await run(engine, ["sam"], clock)
    guard_records = [r for r in caplog.records if "output guard" in r.getMessage()]
    assert guard_records and all(r.levelno < logging.WARNING for r in guard_records)


def test_chat_keeps_the_engine_log_off_the_screen_unless_verbose(capsys):
    from attune.voice.cli import _chat_logging

    log = logging.getLogger("attune.engine")
    _chat_logging(False)
    log.info("output guard replaced a cbt.situation line (test)")
    assert "output guard" not in capsys.readouterr().err
    _chat_logging(True)
    log.info("output guard replaced a cbt.situation line (test)")
    assert "output guard" in capsys.readouterr().err
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_attune_chat", False)]:
        root.removeHandler(h)
    root.setLevel(logging.WARNING)
    logging.getLogger("attune").setLevel(logging.NOTSET)


async def test_evidence_given_where_something_else_was_asked_is_kept_on_its_side(engine, clock):
    """At "does this thinking trap fit?" they argue the thought instead; asked for the other side, they give one
    more fact for it. Each fact lands on its own side, so the balanced thought is built from the right one."""
    await run(engine, ["sam", "four", "can we do the thought work", "last friday at work",
                       "humiliated", "eighty", "that everyone thinks i'm useless"], clock)
    reply = await engine.handle(USER, "well she did say the data section was weak, and nobody else got called out")
    state = engine.state_of(USER)
    assert "data section was weak" in state.slots.get("evidence_for", ""), reply.text
    steps = engine.lib.modalities["cbt"].steps
    assert steps[state.step].id == "evidence_against", reply.text  # "does it fit?" is not asked again
    reply = await engine.handle(USER, "and she ignored my email again this morning")
    state = engine.state_of(USER)
    assert not state.slots.get("evidence_against") and steps[state.step].id == "evidence_against", state.slots
    assert reply.text.rstrip().endswith("?")
    await engine.handle(USER, "but last month she said my presentation was great")
    state = engine.state_of(USER)
    assert "presentation was great" in state.slots.get("evidence_against", "")


async def test_a_question_back_during_the_safety_check_is_answered_not_taken_as_yes(engine, clock):
    replies = await run(engine, ["sam", "three", "i just want it all to end honestly",
                                 "wait is this a real person or what?"], clock)
    state = engine.state_of(USER)
    assert state.crisis is not None and state.crisis.stage == "check"
    assert re.search(r"\bAI\b", replies[-1].text) and re.search(r"suicide|ending your life|killing yourself", replies[-1].text)
    assert not [e for r in replies for e in r.events if e.type == "crisis"]
    reply = await engine.handle(USER, "no")
    assert engine.state_of(USER).crisis is None and not [e for e in reply.events if e.type == "crisis"], reply.text


async def test_sfbt_an_exception_told_early_is_not_asked_for_and_a_zero_gets_a_coping_question(engine, clock):
    user = "u_conversation_sfbt"
    await run(engine, ["wren", "three", "i'm completely burnt out from double shifts",
                       "i'd wake up and not feel dread straight away"], clock, user=user)
    state = engine.state_of(user)
    steps = engine.lib.modalities["sfbt"].steps
    assert state.modality == "sfbt" and state.slots.get("miracle"), state.slots  # best hopes said as the morning after
    reply = await engine.handle(user, "the one day last week i went for a swim after an early shift and that was nice")
    state = engine.state_of(user)
    assert "swim" in state.slots.get("exceptions", "") and steps[state.step].id == "scale", reply.text
    reply = await engine.handle(user, "zero")
    assert any(v in reply.text for v in steps[state.step + 1].at_bottom), reply.text


async def test_a_name_volunteered_with_an_answer_is_kept_and_the_answer_taken(engine, clock):
    user = "u_conversation_joel"
    await run(engine, ["i handed a chapter in late and i can't stop thinking my supervisor thinks i'm a waste of time",
                       "three", "monday afternoon when she emailed back just saying noted"], clock, user=user)
    reply = await engine.handle(user, "oh sorry, i'm joel by the way. um, ashamed mostly")
    state = engine.state_of(user)
    assert state.modality == "cbt" and state.name == "Joel" and state.slots.get("emotion") == "ashamed", (reply.text, state.slots)
    reply = await engine.handle(user, "a lot. like, as bad as it gets nearly")
    assert engine.state_of(user).slots.get("emotion_intensity") == "90", reply.text


async def test_the_thought_put_right_at_the_trap_question_replaces_it(engine, clock):
    user = "u_conversation_rethought"
    await run(engine, ["sam", "four", "can we do the thought work", "friday night, they all went for drinks without me",
                       "hurt", "eighty", "that i'm the friend people forget"], clock, user=user)
    reply = await engine.handle(user, "no wait, that's not it exactly. it's more that i'm only ever an afterthought to them")
    state = engine.state_of(user)
    assert "afterthought" in state.slots.get("automatic_thought", ""), (reply.text, state.slots)
    assert engine.lib.modalities["cbt"].steps[state.step].kind == "distortion" and reply.text.rstrip().endswith("?")


async def test_a_returning_persons_plan_is_recalled_in_grammatical_reported_speech(engine, clock):
    user = "u_conversation_kofi"
    await run(engine, ["kofi", "four", "i'm burnt out at work, i keep putting off my tax stuff and it's piling up",
                       "i'd open my laptop without that sick feeling", "friday afternoons are okay, nobody bothers me",
                       "three", "i still get my reports in on time, mostly",
                       "i'll spend twenty minutes on the tax forms on saturday morning with a coffee", "five", "four", "no"],
              clock, user=user)
    assert engine.state_of(user).phase == "ended"
    greeting = (await engine.open(user)).text
    assert "you said you'd spend twenty minutes on the tax forms" in greeting.lower(), greeting


async def test_a_new_topic_mid_session_turns_the_work_to_it(engine, clock):
    user = "u_conversation_newtopic"
    await run(engine, ["nadia", "five", "i keep thinking i'm useless at work", "yesterday afternoon in the standup", "anxious"],
              clock, user=user)
    reply = await engine.handle(user, "actually the bigger thing is my mum, she's been in hospital since sunday and i can't focus")
    state = engine.state_of(user)
    assert "hospital" in state.topic and not state.slots.get("emotion"), (reply.text, state.slots)
    assert reply.text.rstrip().endswith("?")


async def test_are_you_recording_gets_what_is_saved_not_the_ai_answer(engine, clock):
    user = "u_conversation_privacy"
    replies = await run(engine, ["sam", "five", "i keep thinking i'm useless at work", "is this being recorded?"], clock, user=user)
    assert re.search(r"encrypted", replies[-1].text) and re.search(r"delete", replies[-1].text), replies[-1].text


async def test_a_plan_given_instead_of_choosing_an_exercise_ends_the_work_without_asking_how_it_went(engine, clock):
    user = "u_conversation_choice_plan"
    replies = await run(engine, ["mira", "three", "my boss called my work sloppy in front of another manager and i just need to vent",
                                 "it's just so unfair, i stayed late all week and he only sees the one mistake"], clock, user=user)
    assert engine.state_of(user).modality == "express"
    reply = await engine.handle(user, "i guess i'll talk to my colleague tomorrow, she gets it")
    state = engine.state_of(user)
    assert "colleague" in state.slots.get("next_step", ""), (reply.text, state.slots)
    assert state.phase == "closing" and "after that" not in reply.text.lower(), reply.text
