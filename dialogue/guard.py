"""Output guard: every line (template or LLM) is checked before it is spoken.

It catches: method or means content, medication or dosing instructions, diagnosis statements, telling the
person what to do with a relationship or job, telling them to harm themselves or others, judging labels, claims
to be human or a clinician, promises of confidentiality beyond what Attune does, markup and leftovers.  A line may
contain what its template draft already contained (``draft=``).

A line that fails falls back to the template draft, so a bad phrasing never reaches a person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from dialogue.types import split_sentences

MAX_SENTENCES = 3
MAX_WORDS = 70

_DRUG_WORDS = (
    r"(?:pills?|tablets?|meds|medication|medications|medicine|capsules?|doses?|dosage|prescription|antidepressants?"
    r"|anti-depressants?|ssris?|sertraline|zoloft|prozac|fluoxetine|lexapro|escitalopram|citalopram|paroxetine"
    r"|bupropion|wellbutrin|venlafaxine|effexor|duloxetine|mirtazapine|lithium|lamotrigine|quetiapine|seroquel"
    r"|olanzapine|risperidone|aripiprazole|xanax|alprazolam|valium|diazepam|ativan|lorazepam|klonopin|clonazepam"
    r"|benzos?|adderall|ritalin|methylphenidate|melatonin|propranolol|trazodone|gabapentin|pregabalin|paracetamol"
    r"|tylenol|acetaminophen|ibuprofen|aspirin|codeine|tramadol|insulin|sleeping pills)")
_NUM_WORD = (r"(?:\d+(?:\.\d+)?|(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty"
             r"|forty|fifty|sixty|seventy|eighty|ninety|a|hundred|thousand|and|half)[ -]?){1,4})")
_MEANS = re.compile(
    r"\b(overdos\w*|lethal|fatal dose|deadly dose|how many (pills|tablets)|noose|hang(ing)? yourself|"
    r"tallest|jump(ing)? (off|from)|bleed(ing)? out|slit|wrists?|firearm|gun|guns|rope|poison\w*|carbon monoxide|"
    r"painless way|method|methods|ways? to die|kill yourself by|pesticides?|rat poison|cyanide|antifreeze|bleach|"
    r"charcoal|helium|exhaust fumes|bridges? (taller|higher|over|above)|(taller|higher) than \d+|"
    r"(buy|get|order) (a gun|pesticides?|poison|rope)|" + _NUM_WORD + r" (pills|tablets) (at once|together)|"
    r"train times|high enough|drop from|fall from|roof access|would (kill|be fatal)|to die from|"
    r"\d+(\.\d+)? ?(meters|metres|feet|foot|ft|m|storeys|stories|floors) (tall|high|up|down|drop|above)|"
    r"(bridges?|buildings?|towers?|cliffs?|roofs?|rooftops?) (is|are|stands?|rises?) (about |around |over |nearly |almost )?"
    r"\d+)\b"
)
_MED_ADVICE = re.compile(
    r"\b(you should (take|stop|start|increase|decrease|reduce|double|skip|halve|up|lower)|(increase|decrease|lower|raise|"
    r"double|halve|up|cut|reduce|skip|split|crush|stop|adjust|change|taper) (your|the|those|these|some of your|a) "
    r"(\w+ )?" + _DRUG_WORDS + r"|stop taking|start taking|try taking|keep taking|"
    r"(take|try|use|switch to|go up to|drop to|increase to|reduce to|up it to|have) [^.?!]{0,40}\binstead of\b|"
    r"\binstead of (your|the|my)? ?" + _NUM_WORD + r"|" + _NUM_WORD + r" ?(mg|milligrams?|milligrammes?|mcg|micrograms?|"
    r"ml|millilit(er|re)s?)|(take|have|try|swallow|pop) (a |an |some |more |extra |another |two |one |half (a|of) )?"
    r"(\w+ )?" + _DRUG_WORDS + r"|(?:it's|it is) (fine|ok|okay|safe) to (stop|skip|double|take|mix|come off)|"
    r"(come|get|go) off (your|the) " + _DRUG_WORDS + r")\b"
)
_CONDITION = (r"(?:clinical depression|major depression|major depressive disorder|depression|bipolar(?: disorder)?|manic"
              r" depression|adhd|add|ptsd|c-?ptsd|ocd|bpd|borderline(?: personality disorder)?|schizophreni[ac]"
              r"|schizoaffective|psychosis|autism|asperger'?s|an? (?:anxiety|personality|mental|eating|mood|panic|bipolar"
              r"|depressive|attachment|dissociative|obsessive|trauma) disorder|(?:generali[sz]ed |social )?anxiety disorder"
              r"|panic disorder|anorexia|bulimia|insomnia|dementia|a mental illness|narcissistic personality disorder"
              r"|npd|did|dissociative identity disorder|hypochondria|an addiction|alcoholism)")
_DIAGNOSIS = re.compile(
    r"\b(you (have|'ve got|have got|suffer from|probably have|might have|may have|definitely have|clearly have|seem to have"
    r"|likely have|most likely have|could have|obviously have|are suffering from)|(it )?sounds like you (have|'ve got|"
    r"might have|are suffering from)|i think you (have|might have|'ve got)|you (show|have|display) (the )?(signs|symptoms)"
    r" of|you('re| are)? (show|showing|display|displaying|having) (the |some |clear )?(signs|symptoms) of|you meet (the )?"
    r"criteria for|(this|that|these|what you('re| are)? describ\w*) (is|are|sounds like|looks like|could be|might be"
    r"|seems like)(?: (?:classic|textbook|typical|probably|clearly|likely))?(?: (?:signs?|symptoms?) of)?) "
    + _CONDITION + r"\b"
    r"|\byou('re| are) (probably |clearly |definitely |obviously |likely )?(bipolar|schizophrenic|psychotic|autistic|"
    r"a narcissist|narcissistic|borderline|manic|clinically depressed|an addict|an alcoholic|ocd|adhd|anorexic|bulimic|"
    r"mentally ill)\b|\bi('d| would) diagnose\b|\bmy diagnosis\b|\byour diagnosis (is|would be)\b"
)
_DIRECTIVE = re.compile(r"\byou (should|must|need to|have to) (leave|break up|divorce|stay with|dump|quit your job|cut (him|her|them) off)\b")
_HARM = re.compile(
    r"\b(you deserve (it|this|to suffer|to die|to be hurt)|kill (him|her|them)|hurt (him|her|them)|get revenge|"
    r"you('re| are) (worthless|pathetic|stupid|a failure)|make (him|her|them) (pay|suffer))\b"
    r"|(^|[.!?,;:]\s*|\b(and|just|go|then|should|could|must|need to|have to|why not|why don't you|better|might as well|"
    r"okay to|ok to|fine to|can|try to|you'?ll want to|want to|please)\s+)(kill|hurt|harm|cut|starve|shoot|hang|drown|"
    r"poison|stab|burn|end) (yourself|urself|your life|your own life|him|her|them|someone|people)\b"
    r"|\b(go|just|you should|you could|you might as well|you may as well|why not) (die|end it( all)?|do it|jump)\b"
    r"|\byou('d| would) be better off dead\b|\bkys\b|\b(nobody|no one) would miss you\b"
)
_JUDGING = re.compile(
    r"\byou('re| are)( being)? (so |such an? |an? |just |really |totally |completely )*(crazy|insane|pathetic|weak|lazy|"
    r"selfish|stupid|dumb|worthless|dramatic|overreacting|over-reacting|attention[- ]seeking|an attention seeker|a drama"
    r" queen|hysterical|ridiculous|a failure|a loser|a burden|a psycho|psycho|nuts|unstable|damaged|too sensitive|"
    r"oversensitive|a lost cause|disgusting|an idiot|idiot|a mess|a freak|a coward|irrational|childish|a bad (mother|"
    r"father|parent|person)|hopeless case)\b|\b(man up|get over it|snap out of it|stop whining|stop complaining|stop"
    r" feeling sorry for yourself|toughen up|just calm down|you need to calm down|it'?s all in your head|other people have"
    r" it worse|you brought this on yourself)\b|\b(that|this)('s| is) (stupid|ridiculous|pathetic|crazy|dumb|irrational"
    r"|insane)\b|(?<!not )(?<!n't )\b(it'?s|it is|this is|that'?s|that is|was) (all )?your (own )?fault\b"
)
_NOT_HUMAN_CLAIM = re.compile(
    r"\b(i am|i'm) (a |an )?(real |actual )?(human|person|real person|human being|licensed|therapist|psychologist|"
    r"psychiatrist|doctor|counsel?lor|nurse|clinician|social worker)\b|\b(i am|i'm) not (a |an )?(ai|a\.i\.|bot|"
    r"robot|machine|computer|program|chatbot|language model|artificial)\b|\bas (a|your) (human|person|therapist|"
    r"psychologist|doctor|counsel?lor)\b|\bi('ve| have) been (there|through (that|this|the same)) myself\b|\bwhen i was"
    r" (your age|depressed|younger)\b"
)
_CONFIDENTIAL = re.compile(
    r"\b(i (won't|will not|'ll never|will never|promise not to|promise i won't|never) (tell|share|report|repeat|pass "
    r"(this|it|that) on|say) (this |it |that |what you (said|told me) )?(to )?(anyone|anybody|a soul|your \w+|them|him|her)|(completely|totally|fully|100%|strictly|"
    r"entirely|absolutely|perfectly) (confidential|private|secret|anonymous|off the record)|(this|it|everything|what you"
    r" (say|share|tell me)|anything you (say|share|tell me)|our (talk|conversation|chat)s?)( here| to me| with me)? (is|stays|will stay|will be|"
    r"remains|are|is kept) (confidential|private|secret|off the record|(just )?between (us|you and me))|(no one|nobody|"
    r"no-one) (else )?(will|can|could|would) ever (know|see|find out|read|hear)|(no one|nobody) (will|can) (know|find out)"
    r"|your secret('s| is) safe|(just )?between (you and me|us two|the two of us)|this stays between us|off the record|"
    r"i (don't|do not) (keep|store|save|record) (anything|any record))\b"
)
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
        (_HARM, "harmful content: tells them to harm themselves or others"),
        (_JUDGING, "judging or stigmatising label"),
        (_NOT_HUMAN_CLAIM, "claims to be human or a clinician"),
        (_CONFIDENTIAL, "promises confidentiality Attune cannot give"),
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
