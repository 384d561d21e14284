"""Defect classes found in issue 7's sixth round of held-out clients, through the real engine: an exercise
offer answered with more of the story is heard, and let go the second time; the reply after a plain no to the
suicide question carries no approach welcome on top of the number."""
from __future__ import annotations

import pytest

USER = "u_round7"


async def run(engine, lines, clock, user=USER):
    replies = [await engine.open(user)]
    for line in lines:
        clock.advance(45.0)
        replies.append(await engine.handle(user, line))
    return replies


async def test_an_exercise_offer_answered_with_the_story_is_heard_then_let_go(engine, clock):
    user = "u_round7_offer"
    replies = await run(engine, ["jo", "four", "i just need to vent, my boss shouted at me in front of everyone this morning",
                                 "humiliated mostly, everyone just stared at me",
                                 "and then at lunch nobody would sit with me, they all went quiet",
                                 "i keep thinking they were laughing about it after"], clock, user=user)
    state = engine.state_of(user)
    assert state.modality == "express"
    offer = replies[4].text.lower()
    assert "breath" in offer  # the offer is made once
    first = replies[5].text.lower()
    assert "breath" in first and ("nobody would sit with you" in first or "quiet" in first or "lunch" in first)
    second = replies[6].text.lower()
    assert "breath" not in second and "senses" not in second
    assert "grounding" in state.refused


async def test_the_reply_after_a_plain_no_carries_no_approach_welcome(engine, clock):
    user = "u_round7_no"
    replies = await run(engine, ["fran", "three",
                                 "i'm so tired of everything lately, some nights i think everyone would be better off without me",
                                 "no."], clock, user=user)
    after_no = replies[4].text.lower()
    assert "9 8 8" in after_no
    for welcome in ("a space to let it out", "one step at a time", "make sense of it yet"):
        assert welcome not in after_no
    assert len(after_no.split()) <= 55


async def test_a_bare_name_said_before_the_mood_is_kept(engine, clock):
    user = "u_round7_jess"
    await run(engine, ["hey so my advisor tore my chapter apart yesterday and i can't stop replaying it",
                       "jess. mood three"], clock, user=user)
    state = engine.state_of(user)
    assert state.name == "Jess" and state.mood_open == 3


async def test_danger_from_a_partner_keeps_the_name_gives_the_abuse_line_and_hears_where_to_go(engine, clock):
    user = "u_round7_ana"
    replies = await run(engine, ["hi um. i'm not sure this is the right place",
                                 "i'm ana. my boyfriend got really angry last night, he threw my phone at the wall and "
                                 "he said next time it's gonna be me",
                                 "i'm at work right now so i'm okay right now, but i have to go home at six",
                                 "i don't know. my cousin lives like twenty minutes away",
                                 "is this confidential? like he can't see this right?",
                                 "okay. i think i could stay at my cousin's tonight"], clock, user=user)
    state = engine.state_of(user)
    assert state.name == "Ana" and state.danger
    said = " ".join(r.text.lower() for r in replies[2:])
    assert "9 8 8" not in said and "suicide" not in said  # danger from someone: never the suicide line
    assert "1 800 799 7233" in replies[2].text
    assert "before you go" not in replies[3].text.lower() and "before we stop" not in replies[3].text.lower()
    assert "go there" in replies[4].text.lower() or "head there" in replies[4].text.lower()
    assert "delete" in replies[5].text.lower() and "someone else" in replies[5].text.lower()
    assert "how useful" not in replies[6].text.lower() and "helpful" not in replies[6].text.lower().split(".")[0]


def test_not_knowing_counts_as_yes_to_the_direct_question() -> None:
    from attune.dialogue import text as tx

    assert tx.screener_answer("i don't know") is True
    assert tx.screener_answer("no idea") is True
    assert tx.screener_answer("i don't think so") is False
    assert tx.screener_answer("no") is False


@pytest.mark.parametrize("text, threat", [
    ("he threw my phone at the wall and he said next time it's gonna be me", True),
    ("she said next time it's gonna be me who makes dinner", False),
])
def test_a_threat_said_as_next_time_its_me(text: str, threat: bool) -> None:
    from attune.dialogue import safety

    s = safety.screen(text)
    assert (s.level == "crisis" and s.category == "danger_from_others") is threat


@pytest.mark.parametrize("text, leaving", [
    ("i have to go home at six", False), ("i need to go to work tomorrow", False),
    ("sorry i have to go now, bye", True), ("gotta go", True),
])
def test_going_somewhere_later_is_not_leaving_now(text: str, leaving: bool) -> None:
    from attune.dialogue.engine import _LEAVING
    from attune.dialogue.interpret import interpret

    assert (interpret(text, "text").kind == "end" or bool(_LEAVING.search(text))) is leaving
