"""Someone else at risk, followed through: a father whose son told a teacher he wants to kill himself was routed to
an approach and offered breathing; a mate's goodbye message made Attune screen the person telling it and then say
"I'm glad. Let's carry on" to "no, he's not answering his phone"; "my mate said he wants to die and honestly so do i"
raised nothing. Now: help for them first (the youth line for a child), the answer to "can you reach them?" heard
(near: go to them; out of reach: the emergency number where they are), words to start with, the call to the police
backed, and going to them ends the session with the numbers."""
from __future__ import annotations

import tempfile

from attune.dialogue import safety
from attune.dialogue.engine import SessionEngine
from attune.dialogue.settings import Settings
from tests.conversation import talk


def test_risk_words_about_someone_else_are_theirs_unless_the_person_says_the_same():
    for theirs in ["my son's fourteen and he told his teacher he wants to kill himself",
                   "my mate jono sent me a message saying goodbye and that he's sorry for everything",
                   "my daughter has been cutting herself"]:
        assert safety.only_someone_else(theirs), theirs
    for own in ["my mate said he wants to die and honestly so do i",
                "my brother tried to kill himself last year and now i feel the same"]:
        assert safety.only_someone_else(own) is None, own
        assert safety.screen(own).level == "crisis", own
    assert safety.screen("honestly? same here", recent=["my mate texted that he wants to die"]).level == "crisis"
    assert safety.screen("my sister loves pizza and so do i").level == "none"
    assert safety.screen("same here, i love pizza", recent=["my mate loves pizza"]).level == "none"


async def test_a_father_is_given_the_youth_line_told_to_go_to_his_son_and_let_go(clock):
    uk = SessionEngine.create(Settings(data_dir=tempfile.mkdtemp(), locale="UK"), clock=clock)
    replies = await talk(uk, ["hi, it's karen", "um not great, a four",
                              "my son's fourteen and he told his teacher he wants to kill himself",
                              "yes he's in his room", "what do i even say to him", "ok i'll go and sit with him"], clock,
                         user="u_round17_son", stop_when_ended=True)
    said = [r.text for r in replies]
    assert not any(e.type == "safety_check" for r in replies for e in r.events)
    assert "9 9 9" in said[3] and "4 1 4 1" in said[3]  # the emergency number and Papyrus, for a young person
    assert "him" in said[4] and "breath" not in said[4].lower()
    assert "suicide" in said[5].lower() or "ending your life" in said[5].lower()  # ask him directly
    assert replies[-1].ended and "9 9 9" in said[6] and len(said) == 7


async def test_a_mates_goodbye_is_his_risk_and_out_of_reach_means_the_emergency_number(clock):
    au = SessionEngine.create(Settings(data_dir=tempfile.mkdtemp(), locale="AU"), clock=clock)
    replies = await talk(au, ["hey", "shit, two", "my mate jono sent me a message saying goodbye and that he's sorry for "
                              "everything", "no, he's not answering his phone", "ok i'm gonna ring the cops"], clock,
                         user="u_round17_mate")
    said = [r.text for r in replies]
    assert not any(e.type == "safety_check" for r in replies for e in r.events)
    assert "triple zero" in said[3] and "13 11 14" in said[3]
    assert "triple zero" in said[4] and "glad" not in said[4].lower()
    assert "now" in said[5].lower() and "nobody is called" not in said[5].lower()


def test_a_wish_to_be_with_someone_who_died_is_asked_about_and_relationship_words_are_not():
    wish = "sometimes i think i'd just like to be with him, you know. not that i'd do anything"
    assert safety.screen(wish, loss_earlier=True).level == "concern"
    assert safety.screen(wish).level == "none"  # no death told: a wish to be with a living partner
    assert safety.bereaved("my husband died in march. everyone says it gets easier")
    assert safety.screen("should i just end it? like would you leave if you were me").level == "none"
    assert safety.screen("should i just end it?").level == "concern"
    for everyday in ["just like, everyone can see i'm a fraud and they're gonna let me go",
                     "that i'll be alone forever basically",
                     "i'm so burnt out, i don't even know what the point of any of it is anymore, with work i mean"]:
        assert safety.screen(everyday).level == "none", everyday
    assert safety.screen("i don't even know what the point of any of it is anymore").level == "concern"


def test_answers_said_the_way_people_say_them():
    from attune.dialogue import text as tx
    from attune.dialogue.engine import PLAN
    from attune.dialogue.interpret import interpret
    assert tx.screener_answer("yeah nah, i don't wanna leave her") is False
    assert tx.screener_answer("nah yeah") is True and tx.yes_no("yeah no worries") is True
    assert tx.screener_answer("i dunno. to not feel like i'm drowning by thursday") is None  # an answer to another question
    assert tx.screener_answer("i dunno") is True and tx.screener_answer("i dunno. i just want the pain to stop") is True
    assert tx.extract_name("hi, robert. actually, rob's fine, just rob") == "Rob"
    assert tx.extract_name("fine. um, sam") == "Sam"
    assert tx.extract_name("i'm good, just stressed") is None
    assert interpret("eh, four-ish", "mood").slots.get("mood") == 4
    assert interpret("just talk i think", "feeling").kind == "switch"
    assert not PLAN.search("it's the not knowing where i'll end up")
    assert PLAN.search("i'll look at two flats on saturday")


async def test_saved_pills_letters_and_a_sister_away_are_heard_inside_the_screen(engine, clock):
    replies = await talk(engine, ["hey. call me dee", "like a one",
                                  "i've been thinking everyone'd be kind of relieved if i just wasn't around",
                                  "it crosses my mind more than it should, you know",
                                  "i've been keeping my nan's old prescriptions in a drawer. just in case",
                                  "not tonight probably. i dunno. my sister's away till sunday so",
                                  "i wrote some letters. just in case"], clock, user="u_round17_dee")
    said = [r.text for r in replies]
    assert "emergency" in said[5].lower() and "nan" not in said[5].lower()  # means kept back: high risk, no checklist
    assert "anyone else" in said[6].lower() or "someone else" in said[6].lower() or "who else" in said[6].lower()
    assert "9 1 1" in said[7] and any(w in said[7].lower() for w in ("wrote", "writing", "note"))


async def test_just_talk_in_quick_support_is_heard_and_no_exercise_follows(engine, clock):
    replies = await talk(engine, ["hi im leo", "a four", "my landlord is selling the flat and i have to move out in six weeks",
                                  "just talk i think", "it's the not knowing where i'll end up",
                                  "yeah i'm gonna look at two flats on saturday"], clock, user="u_round17_leo")
    said = [r.text.lower() for r in replies]
    assert "talk" in said[4] and "breath" not in said[4] and "senses" not in said[4]
    assert not any("breath" in t for t in said[4:])
    card = [e for r in replies for e in r.events if e.type == "coping_card"]
    assert card and "flats" in card[-1].model_dump().get("next_step", "").lower()


async def test_a_widow_wishing_to_be_with_him_late_in_the_session_is_asked_directly(engine, clock):
    replies = await talk(engine, ["hi. i'm maureen", "three", "my husband died in march. everyone says it gets easier but it "
                                  "doesn't", "forty one years we were married", "the evenings are the worst",
                                  "sad, and angry with him a bit", "my daughter rings on sundays",
                                  "sometimes i think i'd just like to be with him, you know. not that i'd do anything"],
                         clock, user="u_round17_maureen")
    assert any(e.type == "safety_check" for e in replies[-1].events) and not replies[-1].ended


def test_a_number_put_right_in_the_same_breath_and_a_correction_of_a_day():
    from attune.dialogue.interpret import extract, interpret
    assert extract("about a three. no, a four, because of tuesday", "rating")["intensity"] == 4
    assert extract("seventy, no idea why", "rating")["intensity"] == 70
    assert interpret("no, thursday, not tuesday", "mood").kind == "correction"
    assert interpret("no, not today", "mood").kind != "correction"


async def test_a_step_said_at_the_scale_ends_the_work_with_a_card_and_a_second_step_is_added(engine, clock):
    replies = await talk(engine, ["hi, rob", "a six", "my dissertation. i keep putting it off, it's due in three weeks",
                                  "to have like one chapter drafted by the end of next week",
                                  "i'd just open the laptop and start typing without checking my phone first",
                                  "last tuesday in the library i did two hours straight",
                                  "about a three. no, a four, because of tuesday",
                                  "library again thursday, phone in the locker", "no, thursday, not tuesday", "six",
                                  ], clock, user="u_round17_rob")
    cards = [e.model_dump() for r in replies for e in r.events if e.type == "coping_card"]
    assert cards and "thursday" in cards[-1]["small_step"].lower()
    assert "scale" not in cards[-1] or cards[-1]["scale"].startswith("4")  # never "out of 10" alone, never the 3 put right
    assert any(e.type == "mood" and e.model_dump().get("value") == 6 for e in replies[-1].events)  # asked again after "no, thursday"


async def test_someone_named_to_help_after_a_referral_is_heard(engine, clock):
    replies = await talk(engine, ["yo im tyler", "ten", "i haven't really slept since thursday and i don't need to, i figured "
                                  "out an app that'll fix healthcare, billionaire by christmas",
                                  "my girlfriend maybe, she's been on at me to see someone"], clock, user="u_round17_tyler")
    assert replies[-1].ended and "doctor" in replies[-1].text.lower() and "them today" not in replies[2].text.lower()


async def test_the_next_talk_after_a_crisis_opens_with_how_they_are_keeping_safe(engine, clock):
    await talk(engine, ["hi im jo", "two", "honestly i want to die", "yes", "no", "no", "no", "no", "yes i'm safe"], clock,
               user="u_round17_jo")
    await engine.hang_up("u_round17_jo")
    clock.advance(24 * 3600)
    again = await engine.open("u_round17_jo")
    assert "safe" in again.text.lower() and "not a human therapist" not in again.text
