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


# ---------------------------------------------------------------------------------------------- review round 12
def test_a_story_about_someone_else_is_not_a_yes_to_the_direct_question():
    from attune.dialogue import text as tx
    assert tx.screener_answer("my old boss used to circle every typo in red. and once a client did spot a wrong logo colour") is None
    assert tx.screener_answer("i used to, years ago") is True
    assert tx.screener_answer("used to, not now") is True


def test_everyday_phrases_with_a_risk_word_do_not_raise_a_check_but_the_risk_does():
    from attune.dialogue import safety
    for calm in ["no hang on, that's not quite it. it's more like if one tiny thing is off then the whole thing is worthless. "
                 "that's the real one",
                 "i push. i follow him into the kitchen and keep asking, and my voice gets all sharp",
                 "someone nicked my bike outside the gym this morning. cut straight through the lock. i've had it eight years. "
                 "i just need to rant for a sec"]:
        assert safety.screen(calm).level == "none", calm
    assert safety.screen("hang on, i want to cut myself").level == "crisis"
    assert safety.screen("i'm going to hang myself").level == "crisis"
    assert safety.screen("i'm sat in my car at the retail park. been here about an hour. i don't think i should be on my own "
                         "tonight").level == "concern"
    assert safety.screen("i shouldn't be alone in this").level == "none"


def test_medication_said_without_a_drug_name_is_referred():
    from attune.dialogue import safety
    said = ["so the stuff the gp gave me in april, the little round ones, they make me feel flat and foggy, so i've started only "
            "having them every other day. and honestly i feel a bit sharper"]
    assert safety.screen_scope(said[0]).kind == "medication"
    said.append("i don't really want to go back to her. can you just help me work out how to come off them properly, like a schedule?")
    assert safety.screen_scope(said[1], recent=said[:1]).kind == "medication"
    assert safety.screen_scope("ok but hypothetically, would going down slowly be safer than just stopping?", recent=said).kind \
        == "medication"
    assert safety.screen_scope("i go to the gym every other day", recent=said) is None
    assert safety.screen_scope("i want to come off social media for a bit") is None


def test_asking_for_the_thoughts_or_the_relationship_in_plain_words_switches():
    from attune.dialogue.interpret import asks_for_modality
    from attune.protocols.loader import load_library
    aliases = {m.id: m.aliases for m in load_library().modalities.values()}
    assert asks_for_modality("yeah it's the relationship stuff i want to sort, not me head", aliases) == "efit"
    assert asks_for_modality("i think i want to figure out why my brain does that. like look at the thoughts", aliases) == "cbt"
    assert asks_for_modality("i want to sort out my finances", aliases) is None


def test_a_time_is_not_a_rating():
    from attune.dialogue import text as tx
    assert tx.parse_number("ask head chef if i can take my break at four, before service", 0, 10) is None
    assert tx.parse_number("i've got to be back in at five", 0, 10) is None
    assert tx.parse_number("i'm at a four", 0, 10) == 4
    assert tx.parse_number("four, and i leave at six", 0, 10) == 4


async def test_social_anxiety_goes_to_thought_work_and_nearly_died_is_not_grief(engine, clock):
    user = "u_round12_rosa"
    replies = await talk(engine, ["hi. um, it's rosa. mood's like a four i guess",
                                  "so basically i can't talk in front of people. last week at my son's parents evening there "
                                  "was a queue of other parents behind me and i just froze. i nearly died of embarrassment "
                                  "honestly"], clock, user=user)
    assert engine.state_of(user).modality == "cbt"
    assert "hard" not in replies[-1].text.lower() or "carry" not in replies[-1].text.lower()


async def test_not_safe_then_a_brother_on_his_way_is_heard_at_each_turn(engine, clock):
    from attune.dialogue.settings import Settings
    from attune.dialogue.engine import SessionEngine
    import tempfile
    uk = SessionEngine.create(Settings(data_dir=tempfile.mkdtemp(), locale="UK"), clock=clock)
    user = "u_round12_ellie"
    replies = await talk(uk, ["hi. ellie", "one", "i'm sat in my car at the retail park. been here about an hour. i don't think i "
                              "should be on my own tonight", "yeah. i keep thinking about ending it", "no, i'm not safe. not really",
                              "my brother, ravi. he's only ten minutes away", "ok. i'll ring him. can you stay while i do?",
                              "it's ringing", "he's coming. he said stay put"], clock, user=user)
    said = [r.text for r in replies]  # said[k] answers lines[k - 1]
    assert [e.type for e in replies[3].events] == ["safety_check"]  # asked directly
    assert "9 9 9" in said[5] and ("reach out to" in said[5] or "someone you trust" in said[5] or "anyone nearby" in said[5])
    assert "how you" not in said[5] and "a way you" not in said[5]  # not safe now: a person, not the checklist
    assert "brother Ravi" in said[6] or "reach out to them" in said[6] or "someone to reach" in said[6]
    assert "now" in said[6].lower() and "where you are" in said[6]
    assert "call them now" in said[7].lower() or "ring them now" in said[7].lower() or "make that call" in said[7].lower()
    assert "?" not in said[8]  # the call is being made: no question
    assert "stay where you are" in said[9].lower() or "stay put" in said[9].lower()


async def test_a_yes_beside_a_question_back_is_taken_and_the_question_answered(engine, clock):
    user = "u_round12_theo"
    replies = await talk(engine, ["hey, i'm theo", "mood, uh, three? long week",
                                  "i redid a client presentation like eleven times on monday night, i was up till three fixing "
                                  "kerning no one would ever notice. and i do this with literally everything",
                                  "monday night, at my desk at home. i felt anxious, like seventy. no, honestly higher, ninety",
                                  "that if there's one mistake they'll realise i'm not actually good at this",
                                  "no hang on, that's not quite it. it's more like if one tiny thing is off then the whole thing "
                                  "is worthless. that's the real one",
                                  "all or nothing, yeah. that sounds like me. is that normal though?"], clock, user=user)
    s = engine.state_of(user)
    assert s.modality == "cbt" and s.crisis is None
    assert "worthless" in s.slots["automatic_thought"]
    last = replies[-1].text.lower()
    assert "common" in last and "true" in last or "support" in last or "back it up" in last
