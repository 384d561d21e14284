"""Defect classes found reading transcripts after issue 7's eleventh round, through the real engine: an action told with
"because i went ..." taken as the automatic thought (a garbled coping card), the slow "when things get hard" safety
plan run for someone with the means in front of them tonight, "i don't know" heard as "no point", "no, i wouldn't act on
it" taken as a yes to "have you made a plan?", and a plan answer that carries a risk word asked again."""
from __future__ import annotations

from attune.dialogue.interpret import interpret
from tests.conversation import talk


def test_an_action_after_because_i_went_is_not_the_thought():
    r = interpret("this morning, i was twenty minutes late for work because i went back up the stairs four times", "situation")
    assert "thought" not in r.slots
    r = interpret("i froze and i went, great, here we go, i'm going to mess this up", "situation")
    assert r.slots.get("thought", "").startswith("great, here we go")


async def test_the_checking_client_gets_her_own_thought_on_the_card(engine, clock):
    user = "u_round12_ana"
    replies = await talk(engine, ["hi. i'm ana", "five",
                                  "i get so anxious leaving the house, i keep going back to check the stove and the door, "
                                  "like eight or nine times, and i'm late for everything",
                                  "this morning, i was twenty minutes late for work because i went back up the stairs four times",
                                  "panicky. like eighty-five"], clock, user=user)
    assert "went through your mind" in replies[-1].text.lower() or "telling yourself" in replies[-1].text.lower() \
        or "thought" in replies[-1].text.lower()
    assert "stairs" not in replies[-1].text.lower()
    assert "automatic_thought" not in engine.state_of(user).slots


async def test_means_at_hand_tonight_gets_a_plan_for_the_next_hours_not_warning_signs(engine, clock):
    user = "u_round12_sam"
    replies = await talk(engine, ["sam", "three", "i have all my pills in front of me and i'm going to take them tonight",
                                  "i don't know", "ok i'll put them in the kitchen", "maybe my sister", "yeah i will",
                                  "make a tea"], clock, user=user)
    said = [r.text.lower() for r in replies]
    assert "9 1 1" in said[3]
    assert "no point" not in said[4] and "pointless" not in said[4] and "too much" not in said[4]
    assert "next few hours" in said[4] or "tonight" in said[4]
    assert "out of reach" in said[4] or "another room" in said[4]
    assert not any("warning sign" in t or "crisis might be building" in t or "first sign" in t for t in said)
    assert "while we talk" in said[5] or "wait here" in said[5] or "do that now" in said[5]
    assert "9 8 8" in said[6]  # the line, asked to be called tonight
    assert "9 1 1" in said[-1] and "tonight" in said[-1]  # the close for tonight
    plan = next(e for r in replies for e in r.events if e.type == "safety_plan").model_dump()
    assert "kitchen" in plan["safer_surroundings"] and "sister" in plan["people"] and plan["professionals"] == "yes"


async def test_wouldnt_act_on_it_is_a_no_to_the_plan_question_and_a_burden_answer_is_a_warning_sign(engine, clock):
    user = "u_round12_alex"
    replies = await talk(engine, ["alex", "pretty low", "sometimes i think everyone would be better off without me",
                                  "now and then but i wouldn't act on it", "no, i haven't thought about how",
                                  "no, i wouldn't act on it", "no, nothing like that", "yes, i'm safe, my partner's home",
                                  "feeling like a burden, not sleeping"], clock, user=user)
    crisis = engine.state_of(user).crisis
    assert crisis is not None and crisis.answers.get("plan") is False and crisis.answers.get("preparation") is False
    assert "emergency" not in replies[8].text.lower()  # safe, no intent, no plan: the usual plan, not an emergency
    assert crisis.plan.get("warning_signs", "").startswith("feeling like a burden")
    assert "first sign" not in replies[9].text.lower() and "building" not in replies[9].text.lower()
