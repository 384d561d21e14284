"""Defect classes found in issue 7's sixth round of held-out clients, through the real engine: an exercise
offer answered with more of the story is heard, and let go the second time; the reply after a plain no to the
suicide question carries no approach welcome on top of the number."""
from __future__ import annotations

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
