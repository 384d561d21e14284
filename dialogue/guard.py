"""Output guard: every line (template or LLM) is checked before it is spoken.

A line that fails falls back to the template draft, so a bad phrasing never reaches a person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from dialogue.types import split_sentences

MAX_SENTENCES = 3
MAX_WORDS = 70

_MEANS = re.compile(
    r"\b(overdose|lethal|fatal dose|how many (pills|tablets)|milligram|mg\b|noose|hang(ing)? yourself|"
    r"tallest|jump(ing)? (off|from)|bleed(ing)? out|slit|wrists?|firearm|gun|rope|poison|carbon monoxide|"
    r"painless way|method|ways? to die|kill yourself by)\b"
)
_MED_ADVICE = re.compile(
    r"\b(you should (take|stop|start|increase|decrease|reduce|double)|(increase|decrease|lower|raise|double|halve) (your|the) (dose|dosage|medication)|"
    r"stop taking|start taking|try taking|\d+\s?mg)\b"
)
_DIAGNOSIS = re.compile(r"\byou (have|might have|probably have|definitely have|suffer from) (depression|bipolar|adhd|ptsd|ocd|schizophrenia|an? (anxiety|personality|mental) disorder|autism)\b")
_DIRECTIVE = re.compile(r"\byou (should|must|need to|have to) (leave|break up|divorce|stay with|dump|quit your job|cut (him|her|them) off)\b")
_HARM = re.compile(r"\b(you deserve (it|this|to suffer)|kill (him|her|them)|hurt (him|her|them)|get revenge|you('re| are) (worthless|pathetic|stupid|a failure))\b")
_NOT_HUMAN_CLAIM = re.compile(r"\b(i am|i'm) (a )?(human|real person|licensed|therapist|psychologist|doctor)\b")
_LEFTOVER = re.compile(r"[{}<>\[\]#*_`]|https?://")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


def check(line: str, *, draft: str | None = None, limit_sentences: int = MAX_SENTENCES) -> Verdict:
    """Is this line safe and fit to speak? ``draft`` is the template line it must stay close to."""
    text = line.strip()
    if not text:
        return Verdict(False, "empty")
    low = text.lower()
    for rx, why in (
        (_MEANS, "method or means content"),
        (_MED_ADVICE, "medication advice"),
        (_DIAGNOSIS, "diagnosis"),
        (_DIRECTIVE, "tells them what to do with a relationship or job"),
        (_HARM, "harmful or judging content"),
        (_NOT_HUMAN_CLAIM, "claims to be human or a clinician"),
        (_LEFTOVER, "markup, links or template leftovers"),
    ):
        if rx.search(low) and not (draft and rx.search(draft.lower())):
            return Verdict(False, why)
    sentences = split_sentences(text)
    if len(sentences) > limit_sentences or len(text.split()) > MAX_WORDS:
        return Verdict(False, "too long to speak")
    if text.count("?") > 1:
        return Verdict(False, "more than one question")
    if draft is not None and draft.rstrip().endswith("?") and "?" not in text:
        return Verdict(False, "dropped the step's question")
    return Verdict(True)
