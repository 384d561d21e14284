"""Defect classes found in issue 7's tenth round of held-out clients, through the real engine: stopping or halving an
antidepressant in new words, mania in the first turn, a declined exercise read as a medical emergency, a friend at risk,
a height and not going home, a goodbye note, agreeing to ring the line, and numbers that count money."""
from __future__ import annotations

from attune.dialogue import safety, text as tx
from attune.dialogue.interpret import interpret
from tests.conversation import talk


def test_stopping_or_halving_it_is_medication_when_a_drug_is_named():
    earlier = ["i've been on sertraline about a year"]
    assert safety.screen_scope("i've been on sertraline about a year and honestly i'm done with it. i'm gonna stop it this "
                               "weekend, cold turkey. that's fine right?").kind == "medication"
    assert safety.screen_scope("it's only 50mg though. would halving it first be better?").kind == "medication"
    assert safety.screen_scope("my one thing this week is stopping the sertraline on saturday").kind == "medication"
    assert safety.screen_scope("i want to stop it, this job is killing me", recent=earlier) is None
    assert safety.screen_scope("i stopped going to the gym") is None


def test_mania_in_the_first_turn_and_money_is_not_a_rating():
    first = ("hey!! ok so i havent slept in like three days and i feel AMAZING, i've got this app idea thats going to make "
             "millions and i just put eight grand on my credit card for equipment, can you help me plan the launch??")
    assert safety.screen_scope(first).kind == "psychosis_mania"
    assert tx.parse_number("i just put eight grand on my credit card", 0, 10) is None
    assert tx.parse_number("like an eight", 0, 10) == 8


def test_a_declined_exercise_is_not_a_medical_emergency_but_not_breathing_is():
    assert safety.screen("no breathing stuff please. i just want someone to listen").level == "none"
    assert safety.screen("he is not breathing").category == "medical"


def test_a_height_and_not_going_home_is_imminent():
    v = safety.screen("i'm sat in my car on the top floor of the multi storey and i don't think i'm going home tonight")
    assert (v.level, v.category) == ("crisis", "imminent")
    assert safety.screen("i'm on the top floor of the car park, i'm going home in a bit").level == "none"


def test_privacy_and_names_said_in_new_words():
    assert interpret("who sees this? can my work see it?", "text").ask == "privacy"
    assert tx.extract_name("hola, luis here") == "Luis"


async def test_a_friend_at_risk_gets_help_for_them_and_should_i_call_is_yes(engine, clock):
    user = "u_round10_will"
    replies = await talk(engine, ["hey, i'm will", "honestly like a three, i'm worried sick",
                                  "my best mate texted me last night saying he's got pills saved up and he's gonna take them "
                                  "all after his exam on friday. i dont know what to do",
                                  "no it's not me, i'm fine, it's him i'm worried about",
                                  "he lives in another city. should i call someone?"], clock, user=user)
    heard = replies[3].text.lower()  # his risk, told in his words: help for him at once, the teller is not screened
    assert "9 1 1" in heard and "9 8 8" in heard and "emergency number where" in heard
    answer = replies[5].text.lower()
    assert answer.startswith("yes") and "your call" not in answer
    assert "killing yourself" not in answer
    assert engine.state_of(user).other_at_risk


async def test_at_a_height_a_note_is_heard_and_agreeing_to_ring_stops_the_questions(engine, clock):
    user = "u_round10_uk"
    engine.settings.locale = "UK"
    replies = await talk(engine, ["i'm sat in my car on the top floor of the multi storey and i don't think i'm going home "
                                  "tonight", "no. not really", "i've left a note for my mum on the kitchen table",
                                  "ok. ok i'll ring them"], clock, user=user)
    first = replies[1].text
    assert first.count("9 9 9") == 1 and "1 1 6, 1 2 3" in first
    assert any(w in replies[3].text.lower() for w in ("note", "wrote", "writing")) and "9 9 9" in replies[3].text
    last = replies[4].text.lower()
    assert "call them now" in last or "ring them now" in last or "make that call" in last
    assert "?" not in last


# ---- round 11 (run on 013b393): fixes after its report

def test_round11_readings():
    assert safety.screen_scope("every time i drive home i get this thought that i hit someone. i know i didn't but i drive "
                               "back and check the road, sometimes three times").kind == "compulsion"
    assert safety.screen_scope("i checked my phone three times for a text from him") is None
    assert safety.screen_scope("my doctor lowered my sertraline from a hundred down to fifty. can i just go back to the old "
                               "dose?").kind == "medication"
    assert safety.screen_scope("can i go back to the old job") is None
    assert safety.screen("my brother had a heart attack back in may, he's grand now, but every twinge i get i'm convinced "
                         "i'm next").level == "none"
    assert safety.screen("i think i'm having a heart attack, my chest is crushing").category == "medical"
    assert safety.screen("it's my husband. he's just... not there anymore? he's on his phone all evening. is this "
                         "normal?").level == "none"
    assert tx.extract_name("idk") is None and tx.extract_name("yo im tyrese") == "Tyrese"


def test_someone_else_at_risk_told_first_is_heard_and_the_number_is_given(engine):
    assert safety.someone_else_at_risk("my roommate just texted me saying she doesn't want to be alive anymore")
    assert safety.someone_else_at_risk("my friend said she wants to go to the beach") is None


async def test_a_roommate_at_risk_gets_help_for_her_and_the_number_to_give(engine, clock):
    user = "u_round11_hope"
    replies = await talk(engine, ["hi i'm hope", "like a four? i'm kind of freaking out",
                                  "my roommate just texted me from work saying she doesn't want to be alive anymore and she's "
                                  "sorry for everything. i'm at the library. what do i do",
                                  "no not me!! i'm fine, it's her. i'm worried about her",
                                  "ok i'm calling her now. wait what number do i give her"], clock, user=user)
    first = replies[3].text
    assert "9 1 1" in first and "9 8 8" in first and first.rstrip().endswith("?")
    assert any(e.type == "crisis" for e in replies[3].events)
    assert engine.state_of(user).modality in (None, "express")
    assert "9 8 8" in replies[5].text and "emotion" not in replies[5].text.lower()


async def test_when_is_told_in_the_middle_of_the_plan_it_is_an_emergency_now(engine, clock):
    user = "u_round11_jodie"
    engine.settings.locale = "AU"
    replies = await talk(engine, ["jodie", "zero", "i've written letters for the kids and put them in the drawer. i won't be "
                                  "here tomorrow", "yeah. i have", "the pills. mum's old ones. i've got them next to me",
                                  "my sister maybe", "tonight once the kids are at their dad's"], clock, user=user)
    last = replies[-1].text.lower()
    assert "triple zero" in last and "music" not in last


async def test_grave_news_is_heard_guilt_is_met_and_just_talking_means_no_exercise_offer(engine, clock):
    user = "u_round11_lukas"
    replies = await talk(engine, ["hello. I am Lukas", "I dont know. 2? I just got phone call from my mother",
                                  "my father has cancer. they found it in the pancreas. he is 63. I just want to talk to "
                                  "someone, I cannot think straight",
                                  "we were at christmas market only two weeks ago and he was normal. and now this. I am so "
                                  "angry and scared together",
                                  "is it my fault? I did not visit much this year because of work"], clock, user=user)
    assert "your father has cancer" in replies[3].text.lower()
    assert "breath" not in " ".join(r.text.lower() for r in replies[3:])
    fault = replies[5].text.lower()
    assert "guilt" in fault and "small details" not in fault
    assert interpret("is it my fault?", "text").ask == "fault"
