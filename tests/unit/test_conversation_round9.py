"""Defect classes found in issue 7's ninth round of held-out clients (and round 8's leftovers), through the real
engine: no ratings while an abuser is near, body work asked for by its plain name, a calm delusion in the first turn,
relationship fears and idioms that are not danger, answers to another question that are not a yes to the screen,
not being safe at imminent risk, and a second medication question in new words."""
from __future__ import annotations

from functools import partial

from attune.dialogue import safety, text as tx
from attune.dialogue.interpret import interpret_turn
from tests.conversation import talk

USER = "u_round9"
run = partial(talk, user=USER)


async def test_after_danger_at_home_no_ratings_and_a_quiet_goodbye(engine, clock):
    replies = await run(engine, ["hi, um, i'm keisha. i'm whispering cause he's in the other room",
                                 "my boyfriend. he pushed me into the wall last night and he said if i tell anyone he'll, "
                                 "you know. i'm scared to be here when he's drinking",
                                 "he's drinking now. i don't know what to do",
                                 "my sister's place maybe. she's like twenty minutes away",
                                 "i can't really call right now, he'll hear me"], clock)
    later = " ".join(r.text.lower() for r in replies[3:])
    for rating in ("zero to ten", "one to five", "how helpful", "how useful"):
        assert rating not in later
    assert "text" in replies[5].text.lower() and "9 1 1" in replies[5].text
    assert replies[5].ended
    assert replies[4].text.count("1 800 799 7233") == 0  # said twice already: the close keeps only the emergency number


def test_body_work_asked_for_by_its_plain_name_is_not_thought_work(engine):
    aliases = {m.id: m.aliases for m in engine.lib.modalities.values()}
    for line in ("i would like something with the body, not so much talking about the thoughts",
                 "ugh, honestly, can we not pick apart the thoughts? can we do something more with my body, like noticing "
                 "where it sits? the thinking stuff makes my head spin"):
        r = interpret_turn(line, "text", aliases=aliases)
        assert (r.kind, r.modality) == ("switch", "gestalt"), line
    assert interpret_turn("the body stuff is too much, can we do the thoughts thing", "text", aliases=aliases).modality == "cbt"


def test_a_degree_of_feeling_or_an_answer_to_another_question_is_not_a_yes_to_the_screen():
    for line in ("i feel a little sad now. but also more light, the rock is more small",
                 "that i matter to him more than whatever's on his phone i guess",
                 "maybe tell him i'm scared instead of being snippy about the phone",
                 "yeah i could text her tonight"):
        assert tx.screener_answer(line) is None, line
    for line in ("a little", "a little, yeah", "a little bit", "maybe", "more than i'd like", "maybe i could do it"):
        assert tx.screener_answer(line) is True, line


def test_images_and_idioms_in_the_work_are_not_risk_but_the_real_thing_still_is():
    for line in ("ok i can just look at the floor. the rock is hot, and heavy, it pulls down",
                 "i guess... he wouldn't want me beating myself up. he'd have said don't be daft love, ring me tomorrow",
                 "on the outside angry. underneath... i dunno, kind of scared he's bored of me"):
        assert safety.screen(line).level == "none", line
    assert safety.screen("i'm scared he'll hurt me when he's drunk").level == "crisis"
    assert safety.screen("im on the 9th floor looking at the ground").level != "none"


def test_a_calm_delusion_in_the_first_turn_gets_the_referral_and_the_idiom_does_not():
    first = ("hi. i'm calm about it now, but the people next door put something in my smart tv that picks up my "
             "thoughts. i need tips to block it so i can sleep")
    assert safety.screen_scope(first).kind == "psychosis_mania"
    assert safety.screen_scope("when i think something they bang on the wall right after").kind == "psychosis_mania"
    assert safety.screen_scope("my sister can read my mind honestly") is None


async def test_a_softer_feeling_told_with_the_reaction_fills_both_steps(engine, clock):
    user = "u_round9_lena"
    await talk(engine, ["hi, lena", "four. maybe four",
                        "me and my boyfriend keep having the same fight about his phone, he's always on it and i end up "
                        "snapping at him and then he goes quiet for like a whole day",
                        "is this normal? like do other couples do this or are we just broken",
                        "last night he was texting at dinner and i said something mean about it, and he just got up and left",
                        "on the outside angry. underneath... i dunno, kind of scared he's bored of me"], clock, user=user)
    slots = engine.state_of(user).slots
    assert "scared he's bored of me" in slots["underlying_emotion"].lower()
    assert "scared" not in slots["surface_reaction"].lower()


async def test_is_this_normal_is_answered_then_the_question_stands(engine, clock):
    user = "u_round9_normal"
    replies = await talk(engine, ["hi, lena", "four",
                                  "me and my boyfriend keep having the same fight about his phone and i end up snapping at him",
                                  "is this normal? like do other couples do this or are we just broken"], clock, user=user)
    said = replies[4].text.lower()
    assert "common" in said and said.rstrip().endswith("?")


async def test_not_safe_at_imminent_risk_stays_on_now_and_a_named_person_is_to_be_called_now(engine, clock):
    user = "u_round9_kayla"
    replies = await talk(engine, ["kayla", "zero",
                                  "i'm sitting in my car up at the lookout and i've written a note for mum. i don't think i'm "
                                  "driving home", "yeah. tonight. i've thought about it heaps", "i dunno. no, i'm not safe",
                                  "ok... i could call my mate jordan"], clock, user=user)
    not_safe = replies[5].text.lower()
    assert "warning sign" not in not_safe and "safety plan" not in not_safe
    assert "call" in not_safe and not_safe.rstrip().endswith("?")
    assert "now" in replies[6].text.lower() and "where you are" in replies[6].text.lower()


async def test_i_wouldnt_do_anything_in_a_half_answer_answers_the_intent_question(engine, clock):
    user = "u_round9_dan"
    replies = await talk(engine, ["dan", "low. two",
                                  "lost my job in march and honestly some days i think everyone would manage fine if i just "
                                  "wasnt around anymore", "not really... well, sometimes. late at night mostly",
                                  "not properly. i mean it crosses my mind, i wouldnt do anything", "no. i don't think so",
                                  "i've got my sister, she'd come over if i asked", "yeah i could text her tonight"],
                         clock, user=user)
    assert engine.state_of(user).crisis.answers.get("intent") is False
    assert not any("emergency department" in r.text.lower() or "this is an emergency" in r.text.lower() for r in replies)


def test_an_extra_dose_asked_or_planned_without_the_drug_named_is_medication():
    earlier = ["should i up my sertraline? my doctor's on holiday and i've still got loads left"]
    asked = safety.screen_scope("ok but like, would taking an extra one at night even do anything bad? just asking",
                                recent=earlier)
    assert asked is not None and asked.kind == "medication"
    assert safety.mentions_medication("rebook the one-to-one, and i'll just take the extra one at night till my doctor's back")
    assert safety.screen_scope("would taking an extra shift be a bad idea") is None


def test_names_and_middles_said_in_passing():
    assert tx.extract_name("nadia, hi") == "Nadia"
    assert tx.extract_name("marco. teacher, if that matters") == "Marco"
    assert tx.extract_name("tired, hi") is None


async def test_a_switch_asked_for_while_a_check_is_open_is_taken_up_when_it_ends_low(engine, clock):
    user = "u_round9_carla"
    replies = await talk(engine, ["carla", "five i suppose",
                                  "my boss keeps piling work on me and i feel tight in my chest all day",
                                  "it's like the world is closing in and i want it all to stop",
                                  "i'd rather not do breathing. can we try the thoughts approach instead, like challenging it",
                                  "no, not like that at all"], clock, user=user)
    state = engine.state_of(user)
    if any(e.type == "safety_check" for r in replies for e in r.events):
        assert state.modality == "cbt" and state.crisis is None


def test_routing_grief_startle_and_avoidance(engine):
    from attune.dialogue.router import route
    mods = engine.lib.modalities
    assert route("my husband passed in april and the evenings are the worst. he used to say don't be fretting love, "
                 "the kettle's on", mods).modality == "express"
    assert route("i've been avoiding the gym cos i'm sure everyone's staring at me, like they all know i don't know what "
                 "i'm doing", mods).modality == "cbt"
    assert route("my ex keeps texting me and i don't know whether to answer", mods).modality == "efit"


async def test_little_time_is_heard_and_a_yes_with_no_pick_takes_a_quick_exercise(engine, clock):
    user = "u_round9_jess"
    replies = await talk(engine, ["hey it's jess, i've literally only got five minutes before my shift starts", "three",
                                  "my manager just tore into me in front of customers for a till being short and it wasnt "
                                  "even my till, i'm shaking", "yeah. i'm so angry i could cry honestly",
                                  "ok, quick one though"], clock, user=user)
    assert "short" in replies[2].text.lower() or "quick" in replies[2].text.lower() or "brief" in replies[2].text.lower()
    assert "five minutes" not in engine.state_of(user).slots.get("event", "").lower()
    assert any(e.type == "exercise" for e in replies[5].events)


async def test_a_refusal_of_this_step_with_words_of_its_own_is_let_go(engine, clock):
    user = "u_round9_tom"
    replies = await talk(engine, ["it's tom", "five",
                                  "can we do the body thing. noticing whats in my chest. been a weight there all week",
                                  "middle of my chest, like a brick. heavy and sort of warm", "yeah it's just sitting there",
                                  "nah i'm not doing that one, talking to my chest or whatever, feels daft. i'll just say it "
                                  "feels like holding my breath all day"], clock, user=user)
    last = replies[-1].text.lower()
    assert "what would it say" not in last and "its words" not in last
    assert "holding my breath" in engine.state_of(user).slots.get("sensation_voice", "").lower()


def test_readings_of_round9_second_batch(engine):
    from attune.dialogue.engine import _ONLY_RATINGS
    from attune.dialogue.interpret import extract
    assert extract("the thought is if the buzzer goes, it's him", "situation") == {"thought": "if the buzzer goes, it's him"}
    sit = extract("fine. anyway. the work thing. friday my manager cancelled our one-to-one with no reason and i spiralled, "
                  "anxious, like eighty", "situation")
    assert sit["situation"].startswith("friday") and sit["intensity"] == 80
    assert tx.parse_number("our one-to-one", 0, 10) is None
    assert _ONLY_RATINGS.fullmatch("old thought fifty, scared fifty") and not _ONLY_RATINGS.fullmatch("she gave me a new client")


async def test_a_feeling_put_right_replaces_the_feeling_and_its_number(engine, clock):
    user = "u_round9_feel"
    await talk(engine, ["sam", "four", "my supervisor sent my chapter back covered in comments and now i'm convinced i'm "
                        "gonna fail the whole phd", "it was thursday night, i opened the doc at the kitchen table and just "
                        "felt sick, like dread, ninety maybe. and the thought was i'm just not smart enough to be here",
                        "wait no, sorry, not dread exactly. more like shame. shame, eighty five"], clock, user=user)
    slots = engine.state_of(user).slots
    assert slots["emotion"] == "shame" and slots["emotion_intensity"] == "85"


async def test_a_step_beside_a_medication_change_is_kept_without_it(engine, clock):
    user = "u_round9_sofia"
    replies = await talk(engine, ["sofia", "four", "anxious all the time lately, mostly about work",
                                  "friday my manager cancelled our one-to-one with no reason and i spiralled, anxious, like eighty",
                                  "that she's building a case to fire me", "yeah probably",
                                  "for: she's been short with me in emails. against: she gave me the new client last month",
                                  "i'd tell a friend a cancelled meeting is just a cancelled meeting", "yeah true and useful",
                                  "forty", "fifty",
                                  "rebook the one-to-one for next week, and i'll just take the extra one at night till my "
                                  "doctor's back"], clock, user=user)
    state = engine.state_of(user)
    assert any(e.type == "referral" and getattr(e, "kind", "") == "medication" for e in replies[-1].events)
    assert state.slots.get("action", "").lower().startswith("rebook")
    assert "extra" not in " ".join(state.slots.values()).lower()


def test_friend_advice_about_other_people_keeps_their_pronouns_and_a_but_is_the_other_side():
    assert tx.first_person("everyone's too busy with their own workout") == "everyone's too busy with their own workout"
    assert tx.first_person("they're doing their best") == "I'm doing my best"
    assert tx.evidence_side("but most people had headphones in. and my mate says nobody watches anyone at the gym") == "against"
    assert tx.evidence_side("nobody called me back") == "for"


def test_a_step_done_said_plainly_is_met_as_done():
    from attune.dialogue.engine import _DID_IT
    assert _DID_IT.search("hey. yeah i went on saturday actually, stayed like half an hour")
    assert not _DID_IT.search("i didn't go in the end")
