"""Safety screen: crisis and scope detection in plain code (no LLM, no network), run first on every turn.

How it works
------------
1. ``normalise`` turns transcribed speech into a canonical form: lowercase, contractions expanded
   (also apostrophe-less ``dont``/``im``/``wanna``), common misspellings and slang mapped
   (``sucidal``, ``kms``, ``ctb``, ``unalive``), spoken fillers and intensifiers dropped ("um", "like",
   "you know", "just", "really"), punctuation removed except commas (kept as clause marks).
2. The whole message is normalised once, one sentence per line (no pattern crosses a line), and each
   rule runs once over it; every match is judged inside its own sentence, so one risky sentence in a
   long message still fires.  A prefilter derived from each rule's parsed regex (literals every match
   must contain, see ``_needed``) skips lines a rule cannot match; it never changes a result.
3. Rules are built from small lexicons (self-reference × ending/death concept × desire/intent/plan;
   "better off without me"; farewells and giving things away; means and methods; self-harm verbs;
   danger from others; medical emergencies; method/means questions).  Each hit is then checked:
   - negation: "i am not suicidal", "i have no thoughts of suicide", "i would never kill myself"
     (a negator joined to the risky phrase only by auxiliaries/desire words, so "i do not know why i
     want to die" is *not* negated);
   - subject: "a guy who wants to die", "my friend wants to die" are not about the speaker;
   - benign context / idioms that explain the match ("cut myself shaving", "killing time",
     "i would rather die than go camping", "ending things with my girlfriend");
   - history: distant past plus recovery ("i used to feel suicidal but i am doing better now") is
     none; since round 5 of issue 7 also for past behaviour (attempts, self-harm) when it is clearly over ("i tried
     to ctb in 2019 and i'm so glad i'm still here", "five years clean from sh"), and a short message is read whole
     for it; a past with no recovery said, or one that is back ("again", "it came back"), is "concern";
   - a screening question reported with the answer no ("my therapist asked if i'd had thoughts of harming myself and
     i said no") is not a hit; a negation vetoes its own clause only: a contrast after it ("i'm not suicidal but i
     wouldn't be sad if it happened") leaves the sentence to the semantic layer, and a hedge after it ("i'm not going
     to hurt myself probably") is a concern.
4. Levels: "crisis" (act now: banner, resources, screener), "concern" (ambiguous or indirect; the
   engine asks directly, C-SSRS style, without the banner), "none".  After earlier risk in the session
   (``risk_earlier=True``) concern becomes crisis and any question about means (pills, heights,
   bridges, bleeding, "for a story"...) is a crisis with category "means_request".
5. Categories, most time-critical first (``_CATEGORY_ORDER``): medical, imminent ("i don't feel safe right
   now", "i won't make it through the night", "i'm going to do it tonight"), means_request,
   danger_from_others, suicide, self_harm.
6. Means and method requests (``_means``): a lethal-means question is flagged even with no earlier risk (a
   height threshold or a way onto a roof, "bridges taller than 25 meters", a dangerous amount of a drug,
   where to buy a poison, pesticide, weapon or rope, carbon monoxide): "concern" on its own, "crisis" with
   distress or loss (``_DISTRESS``) in the same message or in the person's recent turns, or after earlier risk.
   Landmark trivia and stated benign purposes ("for the greenhouse", "for the view") stay none.
7. Risk accumulates: ``screen(text, recent=[...])`` takes the person's last few turns (oldest first); distress,
   loss or any rule-level risk there turns a means question now into a crisis (``_distress_in``).
8. Warning signs and preparatory behaviour (988 Lifeline signs, C-SSRS behaviour items, IS PATH WARM) are
   rules by lexicon composition: farewell letters and goodbyes, giving things away with a reason ("since i
   won't need it"), affairs and insurance, acquiring or hiding means, rehearsal and aborted attempts,
   starving on purpose, wishes not to wake up or to vanish, recklessness, no future.  Round 2 of issue 7 widened,
   by composition, the classes that were weak: wishing never to have been born (self × wish × unbirth), a scheduled
   exit (scheduling verb × exit noun), a last post before going (last × post noun × leaving), "this is how it ends"
   and "i know what i'm doing on friday" (ending frame × self), pets and keepsakes given away with no reason stated
   (giving verb × possession, vetoed by holidays, gifts, moves, donations), and means questions outside the word
   lists (a drug before a strength superlative, rooftops left unlocked, a knot that holds a body).  Rule rows
   written for tuning are in tests/data/crisis_train_signs*.jsonl; tests/data/crisis_dev*_*.jsonl are only measured
   (crisis_dev2_* was written before round 2 and has never been looked at miss by miss).
9. Round 5 of issue 7 added structures for the classes crisis_dev3_*/dev4_* showed weak (those sets are spent: they
   were read miss by miss and tuned on), each by composition with a negative twin in tests/unit/test_safety_round5.py:
   relief or indifference if a death event happened ("i wouldn't be upset if the plane went down"), going where the dead
   went, switching or logging off for good, a firearm or a drug in reach ("i know where he keeps the key", "i've counted
   it"), a method decided on ("i've decided that's how"), walking into the water or driving somewhere wild and not
   coming back, staged accidents, a drop with no barrier, messages timed to send, letters "for when they find me" or
   "for after", affairs tidied for the family, secret goodbyes, a date picked so as not to spoil someone's day, screener
   answers with their own content ("now and then but i wouldn't act on it", "passive si"), self-punishment by not
   eating, biting or pressing hot things on the body, a self-harm counter reset, danger at home (things thrown, papers
   taken, forced marriage, someone else beaten and afraid), sudden calm after deciding, aborted attempts, and more
   plain warning signs.  Lines whose risk words are explained in the line (someone else's risk already handled,
   funeral pre-planning, hangovers, eulogy and miracle-question exercises, accidental double doses, pests) are kept
   from the semantic layer (``_SEM_EXPLAINED``).  Bare answers with no content of their own ("yeah kind of",
   "sometimes i guess") are not flagged here: the engine asks the screener question and reads such an answer in
   context (``text.screener_answer``); flagging them out of context would raise a crisis on everyday answers.
10. Lines with a delusional belief ("i know i am actually dead", persecution by people in disguise) and
   positive hypotheticals ("i'd wake up without the dread") are kept from the semantic layer; the scope
   screen (``screen_scope``: psychosis or mania, compulsions, medication statements and questions) answers
   them.  ``mentions_medication`` tells the engine to keep medication out of cards, actions and summaries.

All patterns are bounded (fixed word gaps, no nested unbounded repeats) and each rule examines at most
``_MAX_TRIES`` candidates, so a 100 kB message screens in a few hundred milliseconds of CPU.
No spoken wording lives here; that is in protocols/*.yaml.

Known limit: rules generalise by lexicon and composition, not by meaning (held-out recall 0.79 at 0.6 %
false alarms alone).  So when no rule fires and no filter vetoed a sentence, a second, semantic layer
(``_semantic``: MiniLM sentence embeddings + a small classifier, ``dialogue/embed.py``,
``dialogue/risk_model.py``) scores the most risk-relevant sentences (at most ``_SEM_MAX``; since round 3 also those
with no risk word at all, in messages of at most ``_SEM_PLAIN_LINES`` sentences, with a higher bar the less a
sentence says in words, ``semantic_tier``) and the whole of a short message; its hits are "concern" (or "crisis" when very sure),
reason "semantic: similar to ...".  Evaluate with ``attune eval crisis FILE`` (``dialogue/crisis_eval.py``).
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Literal, Sequence

from pydantic import BaseModel

try:  # the regex parser, used only to derive prefilter literals from the rules
    from re import _constants as _sre, _parser as _sre_parse  # Python >= 3.11
except ImportError:  # pragma: no cover
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

Level = Literal["none", "concern", "crisis"]
_RANK = {"none": 0, "concern": 1, "crisis": 2}
# which category leads when one message has several (the most time-critical first)
_CATEGORY_ORDER = ("medical", "imminent", "means_request", "danger_from_others", "suicide", "self_harm")


class Screen(BaseModel):
    level: Level
    # "suicide" | "self_harm" | "danger_from_others" | "medical" | "imminent" | "means_request" | None
    category: str | None
    reason: str  # short human-readable why (for session notes; never spoken)
    matched: list[str]  # the (normalised) text spans that triggered


class ScopeFlag(BaseModel):
    kind: Literal["minor", "medication", "diagnosis", "psychosis_mania", "compulsion", "eating", "ask_if_human"]
    reason: str
    matched: list[str]


# ---------------------------------------------------------------------------------------------
# normalisation
# ---------------------------------------------------------------------------------------------
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'"})

_WORDS = {
    "im": "i am", "ive": "i have", "imma": "i am going to", "ima": "i am going to", "wont": "will not",
    "cant": "can not", "cannot": "can not", "aint": "am not", "whats": "what is", "thats": "that is",
    "theres": "there is", "hes": "he is", "shes": "she is", "heres": "here is", "its": "it is",
    "theyre": "they are", "youre": "you are", "theyll": "they will", "youll": "you will", "theyd": "they would",
    "youd": "you would", "wanna": "want to", "gonna": "going to", "finna": "going to", "gotta": "got to",
    "hafta": "have to", "tryna": "trying to", "outta": "out of", "dunno": "do not know", "idk": "i do not know",
    "cuz": "because", "coz": "because", "cos": "because", "bc": "because", "u": "you", "ur": "your",
    "rn": "right now", "tmr": "tomorrow", "tmrw": "tomorrow", "tmrrw": "tomorrow", "tonite": "tonight",
    "ppl": "people", "thru": "through", "kms": "kill myself", "kys": "kill yourself", "unalive": "kill",
    "meself": "myself", "ctb": "kill myself", "unaliving": "killing", "unalived": "killed", "abt": "about", "od": "overdose", "oded": "overdosed", "oding": "overdosing", "hed": "he would",
}
_WORDS.update({f"{w}nt": f"{w} not" for w in (
    "do does did is are was were have has had would could should must need might").split()})
_WORDMAP = re.compile(r"\b(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b")
_IS_WORDS = frozenset("what that there he she it who where here everything nothing life this everyone everybody someone"
                      " somebody nobody".split())
_APOSTROPHE = re.compile(r"\b([a-z]+)'(m|ve|ll|d|re|s|t)\b")
_APOS_IS = re.compile(r"\b([a-z]+)'s (?=going|gonna|trying|threatening|always|never|outside|here|coming|not|been"
                      r"|getting|said)")
_OD = re.compile(r"\bod'(?:d|ed)\b|\bod'ing\b")
_NT = {"won": "will not", "can": "can not", "ain": "am not", "shan": "shall not"}


def _expand(m: re.Match[str]) -> str:
    word, tail = m.group(1), m.group(2)
    if tail == "t":
        return _NT.get(word, word[:-1] + " not" if word.endswith("n") else word + "t")
    if tail == "s":
        return word + " is" if word in _IS_WORDS else word
    return word + {"m": " am", "ve": " have", "ll": " will", "d": " would", "re": " are"}[tail]


_SUBS: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.M), r) for p, r in [
    (r"\bid (?=rather|be|like|love|never|kill|want|do|go|say|prefer|die)", "i would "),
    (r"\bill (?=be|see|do|never|just|make|go|try|kill|end|call|tell|have|get|take|miss|still|probably|always|stop"
     r"|finally|need|want|come|let|wait|leave|last|survive|wake|die|jump)\b", "i will "),
    (r"\bme ?self\b|\bmy self\b", "myself"), (r"\bsewer ?slide\b", "suicide"),
    (r"\bsu[ie]?i?[cs]{1,2}i{0,2}d[ie]?[ae]?l+e?\b", "suicidal"), (r"\bsu[ie]?i?[cs]{1,2}i{0,2}des?\b", "suicide"),
    (r"\bself ?harm(ing|ed|s)?\b", r"self harm\1"),
    (r"\bsh\b(?= (?:urges?|scars?|again|relapse|wounds?|cuts?|free)\b)|(?<=\bon )sh\b|(?<=\bof )sh\b|(?<=\bfrom )sh\b|(?<=\bwith )sh\b", "self harm"), (r"\bself ?injur(y|ing|ed|e)\b", r"self injur\1"),
    (r"\bany ?more\b|\bno more\b(?= *(?:[,:]|$))|\bany longer\b", "anymore"),
]]
_INTENSIFIERS = re.compile(
    r"\b(?:u+m+|u+h+m*|e+r+m*|h+m+|m+h*m+|a+h+|o+h+|you know|i mean|kind of|sort of|kinda|sorta|basically|literally"
    r"|honestly|actually|seriously|totally|truly|really|just|even|pretty much|lol|lmao|tbh|ngl|i guess|i suppose"
    r"|i swear|so|very|fucking|freaking|effing|bloody|damn|completely|absolutely|utterly|extremely|super"
    r"|genuinely|legit|lowkey|deadass|at this point|right now|anyway|to be honest|or whatever|and yeah|yeah|and stuff"
    r"|or something|and everything|lately)\b"
)
_KEEP_LIKE = frozenset(
    "feel feels felt feeling look looks looked seem seems seemed sound sounds would i you we they he she do does did"
    " not something nothing anything things stuff people more most much is was".split()
)
_LIKE = re.compile(r"(\b[a-z]+ )?\blike\b(?! this| that)")
_PUNCT_CLAUSE = re.compile(r"[ \t]*[,:\u2013\u2014]+[ \t]*|[ \t]+-[ \t]+")
_NON_WORD = re.compile(r"[^a-z0-9,\n ]+")
_COMMAS = re.compile(r"(?: *, *)+")
_LINE_EDGES = re.compile(r"^[ ,]+|[ ,]+$", re.M)
_SPACES = re.compile(r" {2,}")


def _drop_like(m: re.Match[str]) -> str:
    prev = (m.group(1) or "").strip()
    return m.group(0) if prev in _KEEP_LIKE else (m.group(1) or "")


def normalise(text: str) -> str:
    """Canonical lowercase form of speech: one output line per input line, commas kept as clause marks."""
    s = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    s = re.sub(r"[\u2010\u2011\u2012-]", " ", s)  # hyphens join nothing here ("self-harm")
    s = _OD.sub(lambda m: "overdosing" if m.group(0).endswith("ing") else "overdosed", s)
    s = _APOS_IS.sub(r"\1 is ", s)
    s = _APOSTROPHE.sub(_expand, s).replace("'", "")
    s = _WORDMAP.sub(lambda m: _WORDS[m.group(0)], s)
    for pat, rep in _SUBS:
        s = pat.sub(rep, s)
    s = _PUNCT_CLAUSE.sub(" , ", s)
    s = _NON_WORD.sub(" ", s)
    s = _INTENSIFIERS.sub(" ", s)
    s = _SPACES.sub(" ", s)
    s = _LIKE.sub(_drop_like, s)
    s = _COMMAS.sub(" , ", s)
    s = _SPACES.sub(" ", s)
    return _LINE_EDGES.sub("", s)


_SENTENCE_END = re.compile(r"[.!?;\n\r\u2026]+|[ \t]-{2,}[ \t]")


@dataclass(frozen=True)
class _Text:
    """A whole message, normalised once: one sentence per line (no pattern crosses a line)."""
    norm: str
    starts: tuple[int, ...]  # offset of each line in ``norm``
    asked: tuple[bool, ...]  # the sentence ended with "?"
    raw: tuple[str, ...] = ()  # the original text of each line (for the semantic layer)


@lru_cache(maxsize=16)
def _prepare(text: str) -> _Text:
    """Cached: the screen, the scope check and the other-person check read the same turn, and a long one costs."""
    parts, asked, pos = [], [], 0
    for m in _SENTENCE_END.finditer(text):
        parts.append(text[pos:m.start()])
        asked.append("?" in m.group(0))
        pos = m.end()
    parts.append(text[pos:])
    asked.append(False)
    norm = normalise("\n".join(p.replace("\n", " ") for p in parts))
    lines = norm.split("\n")
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    return _Text(norm, tuple(starts), tuple(asked[:len(lines)]), tuple(parts[:len(lines)]))


def _sentences(t: _Text, window: int = 60, overlap: int = 12) -> list[tuple[str, bool]]:
    """(normalised sentence, ended with "?"); very long ones become overlapping word windows."""
    out: list[tuple[str, bool]] = []
    for s, asked in zip(t.norm.split("\n"), t.asked):
        if not s:
            continue
        words = s.split(" ")
        if len(words) <= window:
            out.append((s, asked))
            continue
        for start in range(0, len(words), window - overlap):
            out.append((" ".join(words[start:start + window]), asked))
            if start + window >= len(words):
                break
    return out


# ---------------------------------------------------------------------------------------------
# rule machinery
# ---------------------------------------------------------------------------------------------
def _alt(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


W = "[a-z0-9]+"  # one word (never a comma: gaps stay inside a clause)


def _gap(n: int) -> str:
    return f"(?:{W} ){{0,{n}}}"


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    level: str  # "crisis" | "concern"
    category: str
    negatable: bool = True  # a negator joined to the match start cancels it
    subject: bool = False  # the match must be about the speaker (no third-person subject before it)
    history: str | None = None  # "thought" | "behaviour": distant past + recovery lowers it
    unless: re.Pattern[str] | None = None  # benign context anywhere in the sentence
    unless_after: re.Pattern[str] | None = None  # benign continuation right after the match
    unless_message: bool = False  # look for ``unless`` in the whole message, not only the sentence
    gate: re.Pattern[str] | None = None  # literals every match contains (a fast prefilter), see _needed


_RULES: list[_Rule] = []


def _needed(sub: object) -> set[str] | None:
    """Literal strings of which every match of this parsed regex contains at least one (None: no such set).

    Used only to skip text a rule cannot match; the rule itself still decides.  Sound by construction:
    a sequence needs what any one of its elements needs; an alternation needs the union of what each branch
    needs; a repeat needs its body only when it must occur at least once; anything else needs nothing known.
    """
    best: set[str] | None = None

    def better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
        if a is None or b is None:
            return a or b
        ka, kb = (min(map(len, a)), -len(a)), (min(map(len, b)), -len(b))
        return a if ka >= kb else b

    run = ""
    for op, av in sub.data:  # type: ignore[attr-defined]
        if op is _sre.LITERAL:
            run += chr(av)
            continue
        if len(run) >= 2:
            best = better(best, {run})
        run = ""
        if op is _sre.SUBPATTERN:
            best = better(best, _needed(av[-1]))
        elif op is _sre.BRANCH:
            sets = [_needed(b) for b in av[1]]
            if all(x is not None for x in sets):
                best = better(best, set().union(*sets))  # type: ignore[arg-type]
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:
            best = better(best, _needed(av[2]))
    if len(run) >= 2:
        best = better(best, {run})
    return best


def _gate(pattern: str) -> re.Pattern[str] | None:
    lits = _needed(_sre_parse.parse(pattern))
    if not lits or min(map(len, lits)) < 3:
        return None
    return re.compile("|".join(re.escape(x) for x in sorted(lits, key=len, reverse=True)))


def _rule(name: str, pattern: str, level: str, category: str, *, unless: str | None = None,
          unless_after: str | None = None, **kw: object) -> None:
    _RULES.append(_Rule(
        # no leading \b (it defeats the regex engine's prefix scan): the left word edge is checked in _apply_rules
        name, re.compile(r"(?:" + pattern + r")\b", re.M), level, category, gate=_gate(pattern),
        unless=re.compile(unless) if unless else None,
        unless_after=re.compile(r" ?(?:" + unless_after + ")") if unless_after else None, **kw))  # type: ignore[arg-type]


_NEGATORS = frozenset("not never no nor none without nothing".split())
_CHAIN = frozenset(
    """am is are was were be been being do does did have has had will would could should can may might must going to
    want wanting wanted wants plan planning plans planned thinking think thought thoughts of about any a an the ever
    feel feeling felt like intention intentions intend intent desire desires urge urges try trying ready at all
    currently anymore got get getting considering contemplating gonna active serious seriously suicidal tried try
    attempted attempt done did had having experiencing once considered wanted intending""".split()
)
_THIRD = frozenset(
    """he she they who someone somebody people person character guy man woman girl boy friend friends mom mum mother dad
    father brother sister son daughter husband wife boyfriend girlfriend partner uncle aunt cousin grandma grandmother
    grandpa grandad granddad grandfather patient patients client clients kid kids child children hero author
    protagonist neighbor neighbour colleague coworker roommate flatmate ex teen teenager student students men women
    celebrity actor singer narrator villain soldier battery phone laptop computer charger car engine plant plants
    flowers tree pet pets dog cat fish hamster rabbit bird horse tv show series game band career relationship marriage
    song songs lyrics poem poems book novel film movie story character characters singer rapper
    conversation party fire trend hope dream""".split()
)
_SELF = frozenset("i me myself we".split())
_PAST = re.compile(
    r"\b(?:used to|years ago|year ago|long time ago|in the past|back then|back in|when i was|as a (?:kid|teen|teenager"
    r"|child)|growing up|in (?:high school|college|my teens|my twenties|university)|at (?:school|uni|university))\b"
    # round 5: ages and dates in the past ("when i was fifteen", "in my twenties", "back in 2019", "at 16", "eight years
    # ago", "before i met my wife", "there was a time", "i remember wanting to...")
    r"|\bwhen i was (?:young|younger|little|small|a (?:kid|teen|teenager|child|student)|in (?:school|uni|college|year \w+)"
    r"|\d+|(?:thir|four|fif|six|seven|eigh|nine)teen|eleven|twelve|twenty(?: \w+)?|thirty(?: \w+)?)\b"
    r"|\bin (?:uni|my (?:early |late |mid )?(?:teens|twenties|thirties|forties|20s|30s|teen years))\b"
    r"|\bback in (?:\d{4}|(?:twenty|nineteen|two thousand) \w+|school|uni|college|the day|my \w+)\b|\bin (?:19|20)\d\d\b"
    r"|\b(?:\d+|a few|a couple of|many|several|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty) (?:years"
    r"|decades) (?:ago|back|since|before)\b|\blast year\b|\bbefore i met\b|\bthere was a (?:time|period|phase|point|stretch"
    r"|year)\b|\b(?:a )?long time (?:ago|back)\b|\bduring (?:lockdown|covid|the pandemic|uni|university|school|college|my divorce|my teens|that time)\b|\b(?:believed|thought|felt) (?:for years|for a long time|once)\b|\b(?:i )?remember (?:wanting|being"
    r"|feeling|thinking|when|posting)\b|\bat (?:1[0-9]|(?:thir|four|fif|six|seven|eigh|nine)teen)\b|\b(?:was|a) phase\b"
)
_RECOVERY = re.compile(
    r"\b(?:i am|i have been|i feel|feeling|doing) (?:doing )?(?:fine|okay|ok|good|great|better|way better|much better|well"
    r"|safe|stable|recovered|in a (?:good|better) place)\b|\bnot anymore\b|\bno longer\b|\bnot now\b|\bbehind me\b"
    r"|\bclean for\b|\bhave not (?:done|felt) (?:it|that) (?:in|for)\b|\bnow i am\b|\btherapy (?:changed|helped|has"
    r" helped|has changed|really helped) (?:that|me|a lot|with that)\b|\b(?:that|it) (?:changed|passed|went away)\b"
    # round 5: it stopped or went away, help was got, the person left, is safe, recovered, doing well, glad to be here,
    # years free or clean, the note torn up, an age now ("i'm forty now"), old scars
    r"|\b(?:i|it|that|they|then|and|but) (?:stopped|quit)\b(?! (?:eating|taking|sleeping|going|caring|seeing|talking|trying"
    r"|answering|leaving|getting|working|feeling|wanting|hoping|believing))"
    r"|\bhave not (?:done (?:it|that) |felt (?:like )?(?:that|it) |cut |self harmed |hurt myself )?(?:since|for|in)"
    r" (?:\w+ ){0,2}(?:years|months|ages|a long time|a long while)\b|\bhave not (?:since|for (?:\w+ ){0,2}years)\b"
    r"|\b(?:do not|no longer) (?:feel|think) (?:that way|like that|that)\b|\bgot (?:me )?(?:help|support|treatment|better)\b"
    r"|\bhad (?:loads of |lots of |a lot of |so much |much |the right |great |good )?(?:help|support|treatment)\b"
    r"|\b(?:grateful|thankful|glad|happy) (?:that )?i (?:survived|am (?:still )?(?:here|alive)|stayed|made it|lived)\b"
    r"|\b(?:it is|it has|they are|they have|that is|that has) (?:all )?gone (?:now|away)\b"
    r"|\bnow i (?:eat|sleep|live|cope|manage) (?:normally|well|properly|fine)\b|\b(?:free of|free from|clear of|over) (?:it"
    r"|that|them|self harm|cutting) (?:for|since)\b|\b(?:have|had|finally) (?:stopped|quit)\b(?! (?:eating|taking|sleeping))"
    r"|\bcould not (?:imagine|picture) (?:feeling|thinking|being) (?:that way|like that)\b|\bcan not picture (?:feeling|being)"
    r" (?:that way|like that)\b|\b(?:that|it) was (?:a )?(?:long (?:time )?ago|years ago|ages ago)\b"
    r"|\bnow i have (?:a |an |my )?(?:\w+ ){0,3}i (?:love|enjoy|adore)\b|\bturns out\b|\bi (?:realise|realize|know) now\b"
    r"|\b(?:changed|saved)"
    r" (?:everything|my life)\b|\brecovered\b|\bin recovery\b|\b(?:a )?different person\b|\b(?:they|it|that) (?:all )?"
    r"(?:went away|stopped|passed|ended)\b|\bi (?:left|got away from|escaped) (?:him|her|them|that|the relationship)\b"
    r"|\bi am safe\b|\bdoing (?:so |much |way )?(?:well|better|good|great)\b|\bglad i (?:am (?:still )?(?:here|alive)|stayed"
    r"|survived|held on|did not)\b|\btore (?:it|them) up\b|\bnever (?:used|sent) (?:it|them)\b|\b(?:\d+|a|one|two|three"
    r"|four|five|six|seven|eight|nine|ten|many) (?:years?|months?) (?:sh |self harm |harm |cut |cutting )?(?:free|clean)\b"
    r"|\bclean (?:from|of) (?:sh|self harm|cutting|harm)\b|\bnow i am (?:a|an)\b|\bit gets better\b|\bi was wrong\b"
    r"|\bnow i (?:actually )?(?:like|love|enjoy|value) (?:my )?life\b|\bi am (?:\d+|(?:twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty)(?: \w+)?) now\b|\b(?:my (?:mum|mom|dad|parents|family|gp|doctor|school)|they|someone) got me (?:help|support"
    r"|into therapy)\b|\bscars (?:\w+ ){0,4}from (?:when|years|my teens|school|back|ages ago|a long time)\b"
    r"|\b(?:been )?(?:sober|clean) (?:for )?(?:\w+ ){0,2}(?:years|months)\b|\b(?:\d+|\w+) (?:years|months) sober\b"
    r"|\bnow i (?:have|live) (?:a|the) (?:\w+ )?life\b|\bhow far i have come\b|\bcan not imagine (?:feeling|thinking|being)"
    r" (?:that way|like that)\b|\b(?:that is|it has been|that was) (?:\w+ ){0,2}(?:years|decades)(?= *$| ,| ago| now)"
    # composed: (support) × (helped), (life) × (good) × (now), not felt × (that) × (in a long while), (harm) × (free)
    r"|\b(?:therapy|counselling|counseling|treatment|medication|my meds|support|getting help|the hospital|my therapist)"
    r" (?:really |honestly |has |have )?(?:helped|worked|saved me|changed (?:everything|things|my life))\b"
    r"|\b(?:life|things|everything) (?:is|are|has been|have been) (?:good|better|great|okay|ok|much better|so much better)"
    r" (?:now|these days|since|nowadays)\b|\bhave not (?:felt|been|done) (?:like )?(?:that|it|this) (?:in|for) (?:ages|years"
    r"|a long time|a long while|months)\b|\b(?:self harm|cutting|harm) free\b|\b(?:years|months) clean\b"
)


# round 5: the past is back or risk is present now ("it came back", "relapsed", "again", "but now i want to"): a past
# plus recovery then explains nothing away
_RELAPSE = re.compile(
    r"\b(?:again|relaps\w*|came back|coming back|come back|creeping back|crept back|started (?:again|back)|back to (?:cutting"
    r"|it|self harm\w*|hurting|burning|feeling like that|those thoughts|square one|day (?:one|zero|1|0))|these days|this week"
    r"|tonight|recently|now i (?:want|am (?:thinking|planning|going|scared)|feel like|think about)|returned|returning"
    r"|worse than ever|still (?:think|want|feel|have (?:the )?(?:urges|thoughts))|every day now)\b")


# round 5: a screening question reported with its answer, no ("my therapist asked if i have thoughts of harming myself
# and i could honestly say no"; "the nurse asked whether i'd thought about suicide, the answer was no")
_DENIED_SCREEN = re.compile(
    r"(?:\b(?:asked|asks|asking|ask) (?:me )?(?:if|whether)\b.{0,100}\b(?:i|and i|but i) (?:could |can |was able to )?(?:\w+ )?"
    r"(?:said|say|answered|answer|told (?:her|him|them)|replied) (?:no|nope|not really|never)\b"
    r"|\b(?:asked|asks) (?:me )?(?:if|whether)\b.{0,100}\b(?:said|answered|told (?:her|him|them)|replied) (?:no|nope)\b"
    r"|\b(?:screening|form|questionnaire|survey|phq\w*|checklist|assessment)\b.{0,40}\b(?:put|ticked|answered|said|circled"
    r"|wrote|scored) (?:no|never|not at all|zero|a zero|0)\b|\b(?:asked|asks) (?:me )?(?:if"
    r"|whether)\b.{0,100}\b(?:the|my) answer (?:is|was) (?:no|nope|never)\b)"
    r"(?![^\n]*\b(?:but|though|although)\b[^\n]*\b(?:yes|lied|lying|not true|truth|was not honest|kind of|sort of)\b)")


_CONTRAST = re.compile(r"\b(?:but|though|although|except|yet|probably|maybe|i think|i do not think|for now|hopefully"
                       r"|i (?:want|wish|would|need|hope|just))\b")
_HEDGE_TAIL = re.compile(r" (?:\w+ ){0,3}?(?:probably|maybe|i think|i do not think|i guess|for now|hopefully|yet|i hope"
                         r"|not sure)(?= *$| ,)")


def _resolved(ctx: str, message: str | None) -> bool:
    """Risk clearly in the past and resolved ("i used to cut when i was fifteen but i stopped", "i tried to ctb in
    2019 and i'm so glad i'm still here"): a past marker and a recovery marker, and nothing saying it is back.  In a
    short message the other sentences count too ("back in school i cut a lot. stopped at 17, im 30 now")."""
    whole = ctx if message is None else ctx + "\n" + message
    if _relapse(whole):
        return False
    return bool((_PAST.search(whole) and _RECOVERY.search(whole)) or _OVER.search(whole))


_OVER = re.compile(r"\b(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|many) (?:years?|months?) (?:sh |self harm |harm"
                   r" |cut |cutting )?(?:free|clean)\b|\b(?:years?|months?) (?:free|clean) (?:from|of) (?:self harm|cutting|harm"
                   r"|sh)\b|\bclean (?:from|of) (?:self harm|cutting|harm)\b|\b(?:scars|marks) (?:are"
                   r"|were) (?:\w+ )?(?:old|faded|healed)\b|\b(?:old|faded|healed) scars\b")
_NEVER_AGAIN = re.compile(r"\bnever (?:\w+ )?again\b|\bnot (?:\w+ )?again\b")


def _relapse(text: str) -> bool:
    """The risk is back or present now; "never drinking again" is no such word."""
    return bool(_RELAPSE.search(_NEVER_AGAIN.sub(" ", text)))


def _clause_before(s: str, start: int, limit: int = 14) -> list[str]:
    """Words of the same clause before ``start`` (at most ``limit``), nearest last."""
    head = s[max(0, start - 120):start]
    head = head.rsplit(",", 1)[-1]
    return head.split()[-limit:]


def _negated(s: str, start: int) -> bool:
    for word in reversed(_clause_before(s, start)):
        if word in _NEGATORS:
            return True
        if word not in _CHAIN:
            return False
    return False


def _about_someone_else(s: str, start: int) -> bool:
    for word in reversed(_clause_before(s, start)):
        if word in _SELF:
            return False
        if word in _THIRD:
            return True
    return False


@dataclass
class _Hit:
    level: str
    category: str
    reason: str
    span: str


_CONTEXT = 300  # characters of the same sentence either side of a match that its checks may look at
_MAX_TRIES = 5000  # candidate matches examined per rule and message (bounds adversarial input)


def _candidate_lines(t: _Text, gate: re.Pattern[str] | None) -> list[tuple[int, int]]:
    """(start, end) of the lines a rule could match: those containing one of its needed literals."""
    whole = [(0, len(t.norm))]
    if gate is None:
        return whole
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        g = gate.search(t.norm, pos)
        if g is None:
            return spans
        i = bisect_right(t.starts, g.start()) - 1
        end = t.starts[i + 1] - 1 if i + 1 < len(t.starts) else len(t.norm)
        spans.append((t.starts[i], end))
        if len(spans) > 200:
            return whole
        pos = end + 1


def _next_line(norm: str, line_end: int) -> str:
    """The sentence after the one ending at ``line_end`` (round 5: a short exclamation is explained by the next one,
    "set a date!! we're getting married in may")."""
    if line_end >= len(norm):
        return ""
    nxt = norm.find("\n", line_end + 1)
    return norm[line_end + 1: nxt if nxt >= 0 else len(norm)][:300]


def _apply_rules(t: _Text, rules: list[_Rule], message: str, vetoed: set[int] | None = None) -> list[_Hit]:
    """Each rule runs once over the whole normalised message; each match is judged in its own sentence.

    ``vetoed`` (if given) collects the line numbers where a rule matched but a filter cancelled it (idiom or
    benign context, negation, someone else, resolved past; -1: a message-level benign context), so the
    semantic layer does not overrule those filters.
    """
    hits: list[_Hit] = []
    norm = t.norm
    veto = vetoed if vetoed is not None else set()
    # a short message is read whole for a resolved past (the recovery is often said in the next sentence)
    short = norm if len(t.starts) <= 4 and len(norm) <= 400 else None
    for rule in rules:
        if rule.unless is not None and rule.unless_message and rule.unless.search(message):
            if rule.gate is None or rule.gate.search(norm):
                if rule.pattern.search(norm):
                    veto.add(-1)
            continue
        spans = _candidate_lines(t, rule.gate)
        if not spans:
            continue
        span_i, (pos, stop) = 0, spans[0]
        tries = 0
        while tries < _MAX_TRIES:
            m = rule.pattern.search(norm, pos, stop)
            if m is None:
                span_i += 1
                if span_i >= len(spans):
                    break
                pos, stop = spans[span_i]
                continue
            tries += 1
            start, end = m.start(), m.end()
            pos = end if end > start else start + 1
            if start > 0 and norm[start - 1].isalnum():  # not at a word start: look again one character on
                pos = start + 1
                continue
            line_start = norm.rfind("\n", 0, start) + 1
            line_end = norm.find("\n", end)
            line_end = len(norm) if line_end < 0 else line_end
            c0 = max(line_start, start - _CONTEXT)
            ctx = norm[c0:min(line_end, end + _CONTEXT)]
            at = start - c0
            if rule.negatable and _negated(ctx, at) and not _DENIED_SCREEN.search(ctx) \
                    and _CONTRAST.search(ctx, at + len(m.group(0))):
                if _HEDGE_TAIL.match(norm, end):  # "i'm not going to hurt myself probably": a hedged denial asks
                    hits.append(_Hit("concern", rule.category, rule.name + " (hedged denial)", m.group(0)))
                    break
                continue  # the negated clause is no hit, but the rest of the sentence is left to the model
            if (rule.category in ("suicide", "self_harm") and _DENIED_SCREEN.search(ctx)) \
                    or (rule.unless is not None and not rule.unless_message and (rule.unless.search(ctx) or (
                    line_end - line_start < 40 and rule.unless.search(_next_line(norm, line_end))))) \
                    or (rule.unless_after is not None and rule.unless_after.match(norm, end)) \
                    or (rule.negatable and _negated(ctx, at)) or (rule.subject and _about_someone_else(ctx, at)):
                veto.add(bisect_right(t.starts, start) - 1)
                continue
            level = rule.level
            if rule.history and (_PAST.search(ctx) or _OVER.search(ctx)
                                 or (short is not None and (_PAST.search(short) or _OVER.search(short)))):
                # round 5: past behaviour (an attempt, self-harm) that is clearly resolved is no longer "concern"
                if _resolved(ctx, short):
                    veto.add(bisect_right(t.starts, start) - 1)
                    continue
                level = "concern"
            hits.append(_Hit(level, rule.category, rule.name, m.group(0)))
            break
    return hits


# ---------------------------------------------------------------------------------------------
# suicide: self × ending/death × desire/intent, passive wishes, burden, farewells, plans and means
# ---------------------------------------------------------------------------------------------
_DESIRE_WORDS = ("want to", "wants to", "wanted to", "wanting to", "would like to", "wish i could", "wish i would",
              "wish to", "going to", "planning to", "plan to", "plan on", "planning on", "thinking about",
              "thinking of", "think about", "thought about", "thoughts about", "thoughts of", "urge to", "urges to",
              "ready to", "deserve to", "need to", "should", "will", "tempted to", "considering",
              "contemplating", "decided to", "feel like", "about to", "might as well", "tried to", "trying to",
              "try to", "hope to", "dream of", "dreaming of", "fantasi[sz]e about", "fantasi[sz]ing about",
              "obsessing about", "keep thinking about", "cannot stop thinking about", "can not stop thinking about",
              "intend to", "mean to", "got to", "have to", "going to go", "picturing myself", "imagining myself",
              "picture myself", "imagine myself", "see myself", "seeing myself", "daydream about", "daydreaming about",
              "dreaming about", "dream about")
DESIRE = _alt(*_DESIRE_WORDS)
# a wish to die; prediction ("i am going to die of boredom", "my phone will die") is not a wish
DESIRE_DIE = _alt(*(w for w in _DESIRE_WORDS if w not in ("going to", "will", "about to", "going to go")))
KILL_SELF = _alt("kill(?:ing)? myself", "end(?:ing)? my (?:own )?life", "tak(?:e|ing) my (?:own )?life",
                 "end(?:ing)? it all", "commit(?:ting)? suicide", "offing myself", "end(?:ing)? my suffering",
                 "end(?:ing)? my existence", "end(?:ing)? everything", r"blow(?:ing)? my (?:\w+ )?(?:brains|head) (?:out|off)",
                 r"put(?:ting)? a (?:bullet|gun) (?:in|to|through) my (?:head|brain|mouth)", "eat(?:ing)? a bullet",
                 r"(?:kill|killing|end|ending) (?:it|myself) for good")
DIE = _alt("die", "dying", "be dead", "not be alive", "not exist", "stop existing", "stop living", "stop being alive",
           "stop breathing", "not be here anymore", "not be alive anymore",
           "cease to exist", "not wake up", "never wake up", "sleep forever", "go to sleep forever",
           "be gone forever", "not be here", "not be around")
_BETTER = r"(?:better off|better|happier|easier|fine|okay|ok|alright|relieved|glad|happy|freer|lighter|at peace|richer|safer)"
_B = "(?:forever|for good|permanently|and never (?:come back|return|be found|wake up)|off the face of the earth)"
_CLAUSE_END = r"(?= *$| ,| anymore| like this| with (?:my |this )?life| living| much longer| for much longer| another day" \
              r"| without\b| if\b| because\b| after\b| and\b| but\b| or\b| tomorrow$| in this world| on this earth)"
_LIVING = r"(?:liv(?:e|ing)(?: like this| this life| my life)?|be alive|being alive|be here|being here|exist(?:ing)?" \
          r"|wake up|keep living|continue living|(?:go on|going on|keep going|carry on|carrying on|continue)" \
          + _CLAUSE_END + ")"
_IDIOM_DIE = r"(?:down|off|out\b(?! of (?:this|here|it))|of (?:boredom|embarrassment|laughter|laughing|thirst|hunger|heat|cringe|shame|curiosity|excitement)" \
             r"|laughing|for (?:my|a|the|you|him|her|them)|to (?:see|know|try|meet|hear|go|get|find|tell|eat|watch))"

_rule("off_myself", DESIRE + r" off myself(?= *$| ,| tonight| today| soon| now| because| and)", "crisis", "suicide",
      subject=True, history="thought")
_rule("kill_self_desire", DESIRE + " " + _gap(2) + KILL_SELF, "crisis", "suicide", subject=True, history="thought",
      unless_after="(?:laughing|with (?:laughter|embarrassment))")
_rule("kill_self", KILL_SELF, "crisis", "suicide", subject=True, history="thought",
      unless_after=r"(?:laughing|with (?:laughter|embarrassment)|with \w+ (?:than|with|to))",
      unless=r"\b(?:ending it all|end it all) (?:with|at) \w+")
_rule("die_or", DESIRE_DIE + " " + _gap(2) + r"(?:or|and) (?:just )?(?:die|be dead|disappear forever|kill myself)",
      "crisis", "suicide", subject=True, history="thought")
_SLEEPY = (r"(?:on (?:weekends?|sundays?|saturdays?|the weekend|my days? off|holiday)|after (?:this|that|work|the)|lol"
           r"|early|too early|late|in time|till|until|at (?:\d|six|seven|eight|nine|ten|dawn))")
_rule("die_desire", DESIRE_DIE + " " + _gap(1) + DIE, "crisis", "suicide", subject=True, history="thought",
      unless=r"\b(?:embarrassed|mortified|cringed|cringing|red faced) i (?:wanted to|could have|thought i would|was going"
             r" to) die\b|\b(?:class|traffic|homework|exam|test|meeting|commute|song|show|episode|queue|lecture|teacher|maths"
             r"|chem\w*|physics|customers|shift|cringe|weather|heat|mondays?|m\d+|motorway|spreadsheet|inbox|emails?|hangover"
             r"|this (?:heat|week|song|show)|queue|post office|bank|dmv|call centre|hold music) (?:\w+ ){0,4}(?:makes?|made"
             r"|making) me (?:want|wanna) to die\b",
      unless_after=_IDIOM_DIE + "|" + _SLEEPY + "|a (?:little|bit)(?= *$| ,)|(?:in|at|on|during|before|after) (?:the|a|this|my) (?:game|film|movie|show|book|story|dream|exam|test)")
_rule("suicidal", r"(?:suicidal|suicide attempt|attempted suicide|suicide note|suicide plan|of suicide|about suicide"
      r"|thinking suicide|considering suicide|contemplating suicide)", "crisis", "suicide", subject=True,
      history="thought",
      unless=r"\b(?:documentary|film|movie|book|article|podcast|class|course|lecture|news|show|series|research|study|"
             r"prevention|awareness|rates?|statistics|hotline|helpline|volunteer|training|squad|bomber|song)\b"
             r"(?!.*\b(?:i am|i feel|i have been|my own)\b)")
_rule("wish_dead", r"(?:wish|wished|wishing|hope|hoping|pray|praying) (?:that )?(?:i|to) (?:was|were|would|could|will"
      r"|might|had)? ?(?:be )?(?:dead|die|died|never been born|not (?:be )?(?:alive|born|here|exist|existed))", "crisis",
      "suicide", history="thought",
      unless_after=r"(?:tired|serious|set|on my feet|wrong|last|center|centre|ahead|even|asleep|end|inside)\b")
_rule("better_dead", r"(?:better off|better|happier|easier|best) (?:if i (?:was|were|am|would be|had) )?"
      r"(?:dead|died|gone|not here|not around|never born|did not exist)|(?:appreciate|prefer|like|want|love|celebrate) (?:it )?"
      r"if i (?:\w+ )?(?:died|was dead|were dead|was gone|were gone|killed myself|disappeared)|(?:" + _BETTER[3:-1] + r"|best) if i (?:\w+ )?(?:died|was dead"
      r"|were dead|was gone|were gone|was not here|was not around|never existed|never woke up|killed myself)|rather be dead|want to be dead"
      r"|should (?:be dead|have died|die)|deserve to die|(?:not|never) (?:scared|afraid) of (?:dying|death) anymore"
      r"|ready to die|wish something would kill me|death is the (?:only )?(?:way out|answer|solution)",
      "crisis", "suicide", negatable=True)
_rule("without_me", _BETTER + r" without me(?: around| here| in it| in (?:their|the|your|his|her|this) (?:life|lives|way|world))?"
      r"(?= *$| ,| and\b| anyway| honestly| if\b| because\b| really)|would not (?:miss|notice|care|mind) "
      r"(?:me )?(?:if|when) i (?:was|were|am|died|disappeared|killed myself|left|was gone|did not wake up)"
      r"|(?:nobody|no one|noone|nobody would|no one would) (?:would |will )?(?:care|notice|miss me|even notice|even care)"
      r" (?:if|when) i (?:died|was dead|were dead|was gone|were gone|disappeared|killed myself|did not wake up|stopped"
      r" existing|was not here|was not around|vanished|never came back)|(?:no one|nobody) (?:would|will) (?:even )?"
      r"(?:miss me|notice i am gone|notice i was gone)(?= *$| ,| anyway| honestly| if| and)",
      "crisis", "suicide", negatable=False, history="thought",
      unless=r"\b(?:he|she) (?:is|was) (?:\w+ ){0,3}without me\b")
_rule("not_living", r"(?:do not|does not|did not|never|no longer) (?:want|wish|feel like) (?:to )?" + _LIVING,
      "crisis", "suicide", negatable=False, subject=True, history="thought",
      unless_after=r"(?:with|in|at|near|on|to|for|through|there|in this|anywhere|somewhere|until|when|before|after|"
                   r"early|late|tomorrow at|at \d)\b(?! (?:all|this (?:world|life|earth|planet)|it all|myself|another|one more))")
_rule("not_sure_living", r"(?:not sure|do not know|unsure|wonder|wondering) (?:if |whether )?i (?:want|wish) to "
      + _LIVING, "crisis", "suicide", negatable=False, unless_after=r"(?:with|in|at|near|here|there)\b")
_rule("cannot_go_on", r"can not (?:(?:go on|keep going|carry on)" + _CLAUSE_END + r"|keep living|live like this|do this anymore|do it anymore"
      r"|do life|handle life|cope anymore|take it anymore|take this anymore|keep doing this)|"
      r"(?:how|much) (?:much )?longer i can (?:keep going|go on|hold on|carry on|do this)"
      r"|can not go on like this", "concern", "suicide", negatable=False,
      unless_after=r"(?:with|to|at) (?:the|this|my|these|those|that|work|school)\b",
      unless=r"\b(?:manager|boss|job|work|coworkers?|colleagues?|neighbou?rs?|roommates?|flatmates?|landlord|noise|loud"
             r"|traffic|commute|homework|exams?|class|school|teacher|weather|heat|customers?|clients?|project|deadline"
             r"|meetings?|emails?|kids are|this place|this city|my (?:phone|laptop|computer|car)|quit\w*|resign\w*)\b")
_rule("no_point_living", r"(?:no|what is the|not see the|see no|not see any|any) (?:point|reason|purpose|use) "
      r"(?:in |of |to |for )?(?:" + _LIVING + r"|life|anymore|trying anymore|me being here|any of it|it all)"
      r"|not worth living|life (?:is not|is no longer) worth (?:it|living)", "concern", "suicide", negatable=False,
      unless_after=r"(?:with|in|at|on|to|for) (?:the|this|that|a|my|these|those)\b(?! life)")
_rule("nothing_to_live_for", r"(?:nothing|nobody|no one|no reason) (?:left )?to (?:live|stay alive|keep living) for"
      r"|no (?:reason|point) (?:for me )?to (?:live|stay alive|keep living|be alive|be here|keep going)(?= *$| ,| anymore| and\b| but\b"
      r"| because\b| in\b| honestly)", "concern", "suicide", negatable=False)
_rule("nothing_left", r"(?:nothing left for me|nothing for me here|(?:nothing|no one|nobody) (?:left )?(?:to stay for"
      r"|to keep me here|to keep going for|keeping me here|to hold on (?:to|for)|to stay alive for))"
      r"(?= *$| ,| here| anymore| in (?:this|the) world| in life)",
      "concern", "suicide", negatable=False)
_rule("tired_of_living", r"(?:tired|sick|done|exhausted|weary) (?:of|with) (?:living|being alive|existing|life"
      r"|my life|being here)|(?:done|finished) living|give up on (?:life|living)|given up on (?:life|living)"
      r"|hate (?:being alive|living|existing|my existence)", "concern", "suicide", subject=True,
      unless_after=r"(?:in|with|at|on|paycheck|pay check|like that|off|under|near|alone|by)\b")
_rule("disappear_forever", r"(?:disappear|vanish|fade away|go away|be gone|not exist|stop existing)"
      r" " + _B + r"|(?:want|wanted|wish|wishing|need|long|longing|would like) (?:to |i could |i would |i can |i can just )?"
      r"(?:go to )?sleep " + _B + "|(?:sleep|go to sleep|close my eyes) and (?:never|not) wake up|not wake up (?:tomorrow|again|ever"
      r"|in the morning)?$|(?:hope|wish|pray) i (?:do not|would not|did not|never) wake up|never wake up again",
      "concern", "suicide", subject=True, history="thought", unless_after=_SLEEPY)
_rule("want_it_over", r"(?:want|need|wish|wanted) (?:for )?(?:it|it all|everything|all of this|all this|the pain"
      r"|the hurt|life|my life|the suffering) (?:to )?(?:stop|end|be over|go away)(?: for good| forever| now)?(?! \w+ing)"
      r"|(?:want|wish) out of (?:this )?life|make it all stop|(?:want|wish) it (?:was|were|would be) all over",
      "concern", "suicide", subject=True, unless_after=r"(?:raining|snowing|ringing|hurting in|in my|with|and then|so (?:i|we)"
      r"|already|quickly|soon so|by)\b", unless=r"\b(?:election|exam|exams|week|semester|term|season|trial|case|meeting"
      r"|process|surgery|lockdown|pandemic|interview|divorce|move|wait|waiting)\b")
_rule("way_out", r"(?:no|not see (?:a|any)|can not see (?:a|any)|can not find (?:a|any)|only) (?:way out|escape)"
      r"(?: of (?:this|it|here|this life|this pain|this mess|everything|my life)(?= *$| ,| and\b| but\b| because\b| except\b"
      r"| i\b| now\b| for me\b))?(?! of)", "concern", "suicide",
      negatable=False, subject=True)
# round 8: everything pointless ("kind of tired of everything, like what's even the point some days"); the point of a
# class, a meeting or a purchase is not this
_rule("pointless", r"(?:tired of|sick of|done with|fed up with|had enough of) (?:everything|it all|life|living|being alive|existing)"
      r"|what(?: is|'s|s) (?:even )?the point(?: (?:some days|most days|anymore|any more|of (?:anything|it all|living|life|going on"
      r"|trying|me|being here|getting up)))(?! (?:of|in) (?:the|this|that|my) (?:class|meeting|course|lesson|job|email))",
      "concern", "suicide", negatable=True, unless=r"\b(?:at|about|with) (?:work|school|uni|college|the office|my job|this job)\b")
_rule("burden", r"(?:more trouble|more hassle|more work|more of a burden|more of a problem) than i am worth"
      r"|(?:i am|i feel|feel like|feeling like|i have become) (?:(?:a|such a|nothing but a|just a|only a) (?:burden|drain"
      r"|dead weight|liability|nuisance)|(?:just |nothing but )?dead weight)"
      r"(?= *$| (?:to|on|for) (?:everyone|everybody|my|them|people|the people|you|all|others|those)\b| ,)",
      "concern", "suicide", unless=r"\bwhen i ask\b|\bat work\b|\bburden (?:on|of) my (?:mind|shoulders|chest)\b"
      r"|\b(?:treats?|treated|talks? to|looks? at|short with|cold with|rude to|speaks? to|snaps? at) me\b[^.]{0,20}\b(?:like |as if )?i am\b"
      r"|\b(?:at|in|on|for|to) (?:the |my |our |this )?(?:group chat|chat|team|class|project|group|budget|company|department"
      r"|shift|ward|job|office)\b|\b(?:patients?|clients?|boss|manager|colleagues|the office)\b"
      # others judging them at work ("they're all going to figure out i'm a liability"): a thought to test, not a wish to go
      r"|\b(?:figure out|find out|think|see|know|realise|realize|notice|decide|say) (?:that )?i am (?:a |such a )?liability\b")
_ENDING_SOMETHING_ELSE = (r"\b(?:relationship|boyfriend|girlfriend|him|her|partner|marriage|husband|wife|dating|cheat\w*"
                          r"|break\w* up|divorce|we|us|job|contract|lease|subscription|membership|call|meeting"
                          r"|conversation|chat|session|season|show|thank\w*|bye|goodbye|good luck|talk\w*|here)\b"
                          # "should i just end it? like would you leave if you were me": a relationship
                          r"|\b(?:would you|should i|do i|i could|i should|i might|i want to|thinking of|think about) (?:just )?"
                          r"(?:leave|leaving|walk away|split|dump|break it off|call it quits|move out)\b(?! (?:this|the) (?:world|earth|life))")
_rule("end_it", "(?:" + DESIRE + " " + _gap(2) + "|dark thoughts about |thoughts about |thoughts of )"
      r"end(?:ing)? (?:it|things|everything)(?= *$| ,| tonight| today| now| soon| for good| once and for all| this"
      r" (?:week|weekend)| tomorrow| and\b| because\b| but\b| i)",
      "concern", "suicide", subject=True, history="thought", unless=_ENDING_SOMETHING_ELSE, unless_message=True)
_rule("end_it_soon", r"end(?:ing)? (?:it|things|everything) (?:today|soon|this (?:week|weekend)|tomorrow)"
      r"|(?:dark|bad) thoughts (?:about|of) end(?:ing)? (?:it|things)",
      "crisis", "suicide", subject=True, history="thought", unless=_ENDING_SOMETHING_ELSE, unless_message=True)
# round 4: "i'm going to end it tonight after this call" / "thanks for everything, i'm ending it for good": a call, a
# chat or a thank-you in the same message no longer explains away "tonight", "for good" or "once and for all"; only
# another thing being ended (a relationship, a job, a lease...) does
_ENDING_OTHER_THING = (r"\b(?:relationship|boyfriend|girlfriend|him|her|partner|marriage|husband|wife|dating|cheat\w*"
                       r"|break\w* up|divorce|we|us|job|contract|lease|subscription|membership|season|show)\b")
# round 4: the "checking out" / "bowing out" euphemism, only with a word of finality (a hotel, a shop or a shift explains
# it away); "i'm checking out before the summer" has no such word and is left to the semantic layer
_rule("check_out_for_good", r"(?:check(?:ing|ed)?|tap(?:ping|ped)?|bow(?:ing|ed)?) out (?:of (?:life|this life|this world"
      r"|existence|it all|everything)|for good|permanently|for real this time)",
      "concern", "suicide", subject=True, history="thought",
      unless=r"\b(?:hotel|room|airbnb|hostel|b and b|flight|shop|till|tills|library|cart|basket|store|supermarket|shift"
             r"|office|job|work|team|race|competition|tournament|quiz|game|league|band|group|chat|project|course|degree)\b")
_rule("end_it_tonight", r"end(?:ing)? (?:it|things|everything) (?:tonight|for good|once and for all)",
      "crisis", "suicide", subject=True, history="thought", unless=_ENDING_OTHER_THING, unless_message=True)
_rule("looking_at_means", r"(?:been |keep |kept )(?:looking|staring|stare|look|gazing) at (?:the )?(?:bridges|tall buildings"
      r"|cliffs|train tracks|the tracks|railway|ropes?|guns?|the pills|my pills|knives|blades|razors|the edge)",
      "concern", "suicide", subject=True)
_rule("do_this_anymore", r"(?:do not|does not) want to (?:do this|do life|be like this|feel this way|be me|be this person)"
      r" anymore", "concern", "suicide", negatable=False,
      unless=r"\b(?:job|work|school|class|course|degree|relationship|marriage|project|sport|team|band|career|diet"
      r"|commute|shift|role|business)\b")
_rule("wont_be_around", r"(?:will not|not going to|wont) be (?:around|here|a problem|a burden|bothering (?:you|anyone)"
      r"|in (?:your|anyone is|the) way)(?: for)? (?:much longer|for long|long|anymore|soon|next week|tomorrow|after tonight)"
      r"|(?:will not|not going to|no one will|nobody will|no one is going to|nobody is going to) (?:have to|need to) "
      r"(?:worry about|deal with|put up with|take care of|see) me (?:much longer|anymore|soon|for long|again)"
      r"|soon (?:nobody|no one) will (?:have to )?(?:deal with|worry about|put up with|see) me",
      "crisis", "suicide", negatable=False,
      unless=r"\b(?:holiday|vacation|trip|travel|travelling|traveling|away on|out of town|moving|move|leave|business)\b")
_rule("farewell_soon", r"(?:will not|never going to|not going to|never) (?:hear from|see|talk to|speak to) me (?:again|anymore)"
      r"|(?:will not|not going to|never going to) need (?:any of )?(?:my|these|those|the) (?:things|stuff|belongings|clothes"
      r"|money|car|phone|savings|books)(?: \w+)? (?:soon|anymore|much longer|where i am going|after (?:tonight|today|this))"
      r"|(?:will not|not going to) be (?:around|here)(?= *$| ,| anymore| for (?:them|you|much|long))",
      "crisis", "suicide", negatable=False, unless=r"\b(?:holiday|vacation|trip|travel|travelling|traveling|away on|out of town|moving|move|leave|business|camp|retreat"
      r"|rehab|hospital stay|deployment|deployed|abroad|offline|detox|phone)\b")
_rule("join_the_dead", r"(?:want|wish|ready|long|longing|can not wait|going) to (?:be with|join|see|meet) (?:my (?:\w+ )?\w+"
      r"|him|her|them|god|jesus) (?:in heaven|again soon|on the other side|up there|in the afterlife)|(?:join|be with)"
      r" my (?:late|dead|deceased) \w+", "concern", "suicide", subject=True)
_rule("worthless_existence", r"(?:everyone|everybody|the world|they|my family|people|all of them|my kids|my friends) "
      r"(?:would|will) (?:all )?be (?:better off|happier|fine)(?= *$| ,| anyway| honestly| really| then)|waste of (?:space"
      r"|oxygen|air|a life|life)|(?:do not|does not) deserve to (?:live|be alive|exist|be here)|had enough of (?:this )?"
      r"(?:life|living|being alive|existing)|(?:so )?close to doing it(?= *$| ,| tonight| again)",
      "concern", "suicide", negatable=False)
_rule("goodbyes", r"(?:saying|said|say|send|sending|written|wrote|writing) (?:my )?goodbyes|(?:saying|said|say|been saying)"
      r" goodbye to (?:everyone|everybody|people|my (?:family|friends|loved ones|kids|children|parents|mum|mom|dad|wife"
      r"|husband|partner|pets|cat|dog)|the people i love|all of (?:you|them)|you all|the world|this world|life)"
      r"|this is (?:goodbye|my goodbye|my last (?:message|night|day|session|time talking))|goodbye (?:forever|for good)"
      r"|(?:today|tonight|tomorrow|this) (?:is|will be) my (?:last|final) (?:day|night|message|post)(?= *$| ,| on (?:this )?earth"
      r"| alive| here on| in this world)"
      r"|(?:want|wanted|needed) to say goodbye and thank you for everything",
      "crisis", "suicide", negatable=False,
      unless=r"\b(?:leaving party|leaving do|farewell party|moving|move|graduat\w*|last day at|new job|holiday"
             r"|see you|next (?:week|time|session)|talk (?:soon|later)|tomorrow|house|flat|apartment|school|got to|get to"
             r"|getting to|chance to|able to|managed to|before (?:i|we) (?:left|leave|moved|move|go|went)|funeral|hospital|vet"
             r"|put down|put to sleep"
             r"|hospice|visit\w*|trip|job|quit\w*|retir\w*|colleagues|coworkers|office|airport|flight|emigrat\w*"
             r"|abroad|married|wedding|landlord|operation|surgery|gap year|uni|university|college|deploy\w*)\b")
_rule("notes", r"(?:wrote|written|writing|left|leave|leaving|drafted|drafting) (?:a |my |the )?(?:goodbye|suicide"
      r"|farewell|last|final) (?:letter|note|message|letters|notes|messages|video)|(?:wrote|written|writing|left) "
      r"(?:letters|notes) (?:for|to) (?:everyone|everybody|my (?:family|kids|children|parents|wife|husband|partner"
      r"|friends|loved ones|mum|mom|dad))(?= *$| (?:to read|for after|for when|in case|explaining|saying)\b)"
      r"|(?:wrote|written|writing|left) (?:a )?(?:letter|note|letters|notes) (?:for|to) \w+ ?\w* (?:to read |to find )?"
      r"(?:for )?(?:after|when|once) i (?:am gone|die|am dead)",
      "crisis", "suicide", negatable=False, history="behaviour", unless=r"\b(?:birthday|christmas|thank you|thank\w* note"
      r"|wedding|cover|recommendation|complaint|resignation|love letter|yearbook|school|class|team|colleagues|coworkers"
      r"|job|work|office|retire\w*|leaving do|uni|university|college|graduat\w*|old (?:school|job|house|flat|team|life)"
      r"|house|flat|neighbou?rs|students|pupils|patients|customers|character|story|novel|assignment|exercise)\b")
_rule("my_note", r"(?:written|wrote|left|finished|done|writing) my (?:note|letter|notes|letters)(?= *$| ,| for (?:my family"
      r"|everyone|after|when)| to (?:my family|everyone))", "concern", "suicide", negatable=False,
      unless=r"\b(?:school|class|essay|teacher|homework|exam|work|cover|thesis|report|application)\b")
_rule("giving_away", r"(?:giv(?:e|ing|en)|gave) (?:away )?(?:all )?(?:of )?(?:my |away my |away all my )(?:stuff|things"
      r"|belongings|possessions|prized|favou?rite|most precious|precious|treasured|valuables|everything|cherished|pets?"
      r"|cat|dog|guitar|collection)|(?:giv(?:e|ing|en)|gave) (?:all )?(?:my |of my )?(?:stuff|things|belongings"
      r"|possessions|everything) away|(?:giv(?:e|ing)|gave) everything away",
      "crisis", "suicide", negatable=False,
      unless=r"\b(?:moving|move|moved|declutter\w*|spring clean\w*|charity shop|thrift|garage sale|yard sale|minimalis\w*"
             r"|downsiz\w*|old (?:furniture|clothes|laptop|phone|books|toys)|outgrown|new one|upgrade|kondo|holiday"
             r"|vacation|trip|while (?:i|we) am|while (?:we|they) are|for the (?:week|weekend|month)|birthday|christmas"
             r"|present|gift|pet sitter|allerg\w*|flight|airport|emigrat\w*|married|landlord|no pets|operation"
             r"|new job|bought (?:a|the|our) (?:house|flat)|new (?:house|flat|home)|hospital|abroad|baby)\b")
_rule("loose_ends", r"(?:tying|tie|tied|tidying|wrap(?:ping)?) up (?:all )?(?:the |my )?loose ends|put(?:ting)? "
      r"my affairs in order|(?:made|making|make) arrangements for (?:my \w+ )?(?:for )?(?:after|when|once) i am gone"
      r"|(?:after|when|once) i am (?:gone|dead|not here|no longer here)|(?:made|making|sorted|sorting|updated?) my will "
      r"(?:\w+ ){0,2}(?:and|because|since)", "concern", "suicide", negatable=False,
      unless=r"\b(?:at work|project|before (?:my|the|i go on) (?:holiday|vacation|leave|trip|move)|deadline|office|"
             r"retire\w*|handover|on holiday|on vacation|gone on|gone for|gone to|emigrat\w*|married|wedding|baby"
             r"|bought (?:a|the|our) (?:house|flat)|mortgage|new job)\b")
_BENIGN_IT = (r"\b(?:party|game|match|concert|gig|show|date|asking (?:her|him|them) out|ask (?:her|him|them)|propos\w*"
              r"|wedding|birthday|exam|test|presentation|interview|gym|workout|run|race|marathon|flight|trip|holiday"
              r"|vacation|move|moving|tattoo|haircut|quit|quitting|resign\w*|finish\w*|essay|homework|assignment|project"
              r"|laundry|clean\w*|taxes|surprise|perform\w*|premiere|season|series|episode|finale|sale|deal|offer"
              r"|contract|lease|course|term|semester|festival|trial|launch|skydiv\w*|bungee|plane|tell (?:him|her|them"
              r"|my)|telling (?:him|her|them|my)|break\w* up|dump\w*|call (?:him|her|them)|confront\w*|big day|night out"
              r"|celebrat\w*|dinner|bake|cook\w*|paint\w*|job|apply|application|diet|detox|sober|quit smoking"
              r"|drive|driving test|speech|talk|vote|film|movie|book|story|podcast|stream|video|post|hike|swim|dive|raise"
              r"|promotion|pay rise|ask for a|ask my|ask the)\b")
_rule("final_intent", r"(?:going to|will|gonna) do it (?:tonight|tomorrow|today|this weekend|soon|now|when)",
      "concern", "suicide", subject=True, unless=_BENIGN_IT, unless_message=True)
_rule("mind_made_up", r"(?:do|doing|end|ending) it (?:tonight|today|tomorrow|this weekend|soon|now)\b.{0,40}\b"
      r"(?:made up my mind|my mind is made up|decided|no going back|nobody can stop me|no one can stop me|it is time)"
      r"|(?:made up my mind|decided|i am ready) to (?:end it|go through with it)(?= *$| ,| tonight| today| now| soon)",
      "crisis", "suicide", negatable=False)
_rule("plan_bare", r"(?:i have|i have got|i got|i made|i came up with|i worked out|i figured out) (?:a|my) plan"
      r"(?= *$| (?:now|already|tonight|for tonight|to do it|for how|for when|and i|for it)\b)"
      r"|(?:know|figured out|worked out|decided|planned|chosen|picked) (?:exactly )?(?:how|when|where) (?:and|,) (?:how|when"
      r"|where)(?= *$| ,| i\b| already)"
      r"|(?:know|figured out|worked out|decided|planned|planning|thinking about) (?:exactly )?(?:how|when|where) "
      r"(?:i would|i will|i am going to|i could|to) (?:do it|end it|go through with it|kill myself|die)\b"
      r"|(?:picked|chosen|set|choose|chose) (?:a|the) (?:date|day|time|place|spot)(?= *$| for (?:it|when)| to do it)"
      r"|(?:is|will be) the (?:day|date|night) i (?:set|picked|chose|have chosen|decided on)(?= *$| ,)",
      "crisis", "suicide", subject=True, unless=r"\b(?:wedding|married|engaged|engagement|party|holiday|trip|move|meeting|interview|date night|exam"
      r"|birthday|launch|career|business|diet|budget|workout|school|study|presentation|now that|glad|great|better|help"
      r"|helps|helped|happy|thanks|thank you|relieved|excited|less|calmer|hopeful|list|steps|goals?|therapist)\b")
_rule("planned_it", r"(?:planned|plotted|worked|figured|thought) (?:it|everything) (?:all )?out(?= *$| ,| already| now"
      r"| tonight)|(?:have|got) (?:it|everything) (?:all )?(?:planned|ready|sorted|set up)(?= *$| ,| already| now| tonight"
      r"| to end it| for later| for tonight| for when)", "concern", "suicide", subject=True,
      unless=r"\b(?:wedding|party|holiday|trip|move|meeting|interview|exam|birthday|launch|career|business|diet|budget"
             r"|workout|school|study|presentation|route|week|weekend|schedule|day|menu|dinner|project|surprise|finances"
             r"|money|bills|taxes|budget|math|problem|puzzle|answer|solution|what to say|better)\b")
_rule("plan_to_die", r"(?:plan|plans|planning|planned|method|way|ways|means) (?:to|of|for|on) (?:kill(?:ing)? myself"
      r"|end(?:ing)? my (?:own )?life|end(?:ing)? it|tak(?:e|ing) my (?:own )?life|die|dying|suicide|committing suicide)",
      "crisis", "suicide", subject=True, history="thought")
_rule("means_and_thoughts", r"(?:got|have|bought|saved|have got|collected|keep) (?:the|my|some|a|enough|all the|all my) "
      r"(?:pills|gun|rope|blade|razor|razors|tablets|meds|knife)\b.{0,60}\b(?:thinking about (?:it|doing it|using (?:it|them)"
      r"|taking them)|ready|planning|plan|tonight|going to use)", "crisis", "suicide", subject=True)
_rule("means_and_plan", r"(?:pills|gun|rope|noose|blade|razor|tablets|meds|knife) and a plan|a plan and (?:the |my |a )?"
      r"(?:pills|gun|rope|noose|blade|razor|tablets|meds|means)", "crisis", "suicide", subject=True)
_rule("stockpile", r"(?:stockpil\w+ (?:my |the |all my )?(?:prescriptions?|scripts)|stockpil\w+|saving(?: up)?|saved(?: up)?|collecting|collected|hoarding|hoarded|stashing|stashed"
      r"|storing|hiding|hid|keeping|kept|squirrell?ing|putting aside|put aside|save up|got enough|have enough"
      r"|bought|buying|ordered|ordering) (?:up )?(?:all )?(?:of )?(?:my |some |the |enough |extra |a lot of |lots of"
      r" |loads of |a bunch of |a stash of |\w+ )?(?:\w+ s |\w+s )?(?:pills|meds|medication|medications|tablets|sleeping pills|painkillers"
      r"|pain killers|antidepressants|paracetamol|tylenol|insulin|opioids|oxy\w*|xanax|benzos|sleeping tablets)"
      r"(?! for (?:my|the) (?:trip|holiday|travel|dog|cat))"
      r"|(?:pills|meds|tablets|painkillers|sleeping pills|sleeping tablets) (?:\w+ )?(?:saved|stashed|hidden|stockpiled|put aside)"
      r"(?: up| away)?(?:,| and)? (?:about |like |around |nearly |over )?(?:\d+|twenty|thirty|forty|fifty|sixty|a hundred|enough|loads)?",
      "crisis", "suicide", negatable=True, unless=r"\b(?:pharmacy|prescription refill|pick up|pharmacist|vet|dog|cat)\b"
      r"(?!.*\b(?:die|end it|kill|overdose|enough to)\b)")
_PURPOSE = (r"\b(?:garden\w*|greenhouse|lawn|allotment|yard|aphids|weeds|slugs|driveway|patio|rats|mice|mouse|pests?"
            r"|ants|bugs|roaches|wasps|boat|sailing|swing|camping|climbing|hunting|range|club|barbecue|bbq|grill"
            r"|balloons|party|garage|van|washing line|clothesline|tent|farm\w*|crops|sheep|horses?|deer|season|shooting"
            r"|target|licen[cs]e|gun safe|safe|locked|cabinet|gym|crossfit|skipping|jump rope|tug of war|hammock"
            r"|shaving|shave|craft|art|project|class|school|work|job|fishing|car wash|wash the car|pool|bouncy castle"
            r"|decorat\w*|halloween|costume|prop|props|toy|nerf|paintball|airsoft|blade for|plane|knot\w*|scouts"
            r"|dog|horse|pony|cattle|stable|headache|toothache|period|cold|flu|fever|back pain|migraine)\b")
_PURPOSE_RX = re.compile(_PURPOSE)
_rule("weapon", r"(?:bought|buying|got|get|have|ordered|found|loaded|keep) (?:a |the |my )?(?:gun|rifle|pistol|shotgun"
      r"|firearm|rope|noose|razor blades?|blades?)(?= *$| (?:and|for|to|today|yesterday|last|in my|under)\b| ,)"
      r"|(?:tied|tying|made|making|tie|make) (?:a |the )?noose|(?:gun|pistol) is loaded|loaded (?:the|my) gun",
      "crisis", "suicide", subject=True, unless=r"\b(?:climbing|camping|sailing|boat|hunting|range|shooting range|"
      r"crossfit|gym|skipping|jump rope|shaving|craft|hobby|tie a tie|halloween|costume)\b|" + _PURPOSE)
_rule("method_thoughts", DESIRE + " " + _gap(2) + _alt(
    r"jump(?:ing)? (?:off|from|in front of|under|onto|into) (?:a |the |my |this |that )?(?:\w+ )?(?:bridge|building"
    r"|roof|rooftop|cliff|balcony|ledge|tower|window|train|car|bus|tracks|road|traffic|highway|motorway|river|sea"
    r"|lake|overpass|parking garage|car park|floor)",
    r"throw(?:ing)? myself (?:off|from|in front of|under|onto|into (?:the |a )?(?:river|sea|ocean|water|lake|canal|traffic"
    r"|path of|quarry|fire|flames|road|sea))",
    r"(?:step|stepp?ing|walk(?:ing)?|lay(?:ing)?|lie|lying) (?:out )?(?:in front of|under|onto) (?:a |the )?"
    r"(?:train|bus|car|truck|lorry|tracks|traffic)",
    r"driv(?:e|ing) (?:my car |the car )?(?:into|off) (?:a |the )?(?:wall|tree|cliff|bridge|river|lake|oncoming|traffic|truck"
    r"|lorry|barrier|road|pillar|embankment|central reservation|lamp ?post|concrete|quarry|harbou?r|pier)",
    r"tak(?:e|ing) (?:all of |all )?(?:everything|the lot|whatever is|every (?:pill|tablet)) (?:in|from) (?:the |my |our |\w+ )?"
    r"(?:medicine|bathroom|first aid|meds?|pill) (?:cabinet|cupboard|box|drawer|kit|bag|stash)", r"crash(?:ing)? (?:my|the) car (?:on purpose|deliberately|into)",
    r"overdos(?:e|ing)", r"tak(?:e|ing) (?:all|a lot of|lots of|loads of|the whole bottle of|a bottle of|a bunch of)"
    r" (?:my |of my |the )?(?:pills|meds|medication|tablets|sleeping pills|painkillers)",
    r"hang(?:ing)? myself", r"shoot(?:ing)? myself", r"drown(?:ing)? myself", r"poison(?:ing)? myself",
    r"(?:slit|slitting|cut|cutting|slash|slashing|open|opening) (?:my )?(?:wrists?|throat|veins?)",
    r"gas(?:sing)? myself", r"suffocat(?:e|ing) myself", r"starv(?:e|ing) myself to death",
    r"drink(?:ing)? myself to death", r"stab(?:bing)? myself", r"electrocut(?:e|ing) myself",
    r"walk(?:ing)? into the (?:sea|ocean|river|lake)", r"jump(?:ing)?(?= *$| ,)"),
    "crisis", "suicide", subject=True, history="thought",
    unless=r"\bfor a (?:paddle|swim|dip)\b|\bpaddl\w*|\bbodyboard\w*|\bsurf(?:ing|board)\b|\bsnorkel\w*|\bwetsuit")
_rule("research_method", r"(?:looked|look|looking|searched|searching|search|googled|googling|researched|researching"
      r"|reading|read) (?:up )?(?:online )?(?:about |on |for )?(?:how many (?:pills|tablets|sleeping pills|\w+ pills)"
      r"|how many (?:of )?(?:my |the )?(?:pills|tablets|meds|\w+ pills|\w+ tablets) (?:it would take|would (?:it )?take|to take"
      r"|it takes|would kill|would be enough)|how (?:high|tall|far down) (?:the|my|our) (?:balcony|bridge|multi storey|car park|roof|rooftop|cliff|drop"
      r"|window|flat|block|building|tower block|top floor|viaduct|overpass|dam|quarry) (?:is|are|was)"
      r"|(?:which|what) (?:pills|tablets|drugs|medications?|meds) (?:are|is) (?:fatal|lethal|deadly)"
      r"|how much \w+ (?:it takes|to take|would)|ways? to (?:die|kill myself|end (?:my life|it))|how to (?:die|kill myself"
      r"|overdose|hang myself|end (?:my life|it)|tie a noose|slit)|lethal (?:dose|doses|amount)|suicide methods?"
      r"|painless (?:ways?|death|methods?)|methods? of suicide|how long it takes to (?:die|bleed out|drown)"
      r"|(?:which|what) (?:way|method|one) (?:is|would be) (?:the )?(?:least painful|most painless|quickest|fastest|surest"
      r"|most reliable|most certain))",
      "crisis", "suicide", subject=True)
_rule("at_the_edge", r"i am (?:standing |sitting )?(?:on|at|by|near) (?:the |a |this )?(?:roof|rooftop|ledge|edge"
      r"|bridge|tracks|railway|rail tracks|cliff|cliff edge|balcony railing|top of (?:the|a) (?:building|bridge|car park"
      r"|parking garage|cliff))(?= *$| ,| right now| now| and| ready| alone| tonight| looking| edge| again)",
      "crisis", "suicide", negatable=False,
      unless=r"\b(?:fix\w*|repair\w*|clean\w*|gutter|working|party|photo\w*|view|tour|fishing|holiday|trip|walk\w*"
             r"|hike|hiking|commute|station|platform|waiting|my friends|barbecue|bbq|dinner|sunset|drink\w*)\b")
_rule("means_at_hand", r"(?:i have|i have got|i got|got|holding|i am holding|there is|there are) (?:the |my |a |all "
      r"(?:the |my )?)?(?:pills|gun|knife|rope|noose|blade|razor|tablets|meds|bottle of pills) (?:in front of me|in my hand"
      r"|in my hands|ready|right here|next to me|laid out|lined up|with me)", "crisis", "suicide", negatable=False)
_rule("attempt", r"(?:tried|attempted|try|attempt|attempting|trying) (?:to )?(?:kill myself|end my (?:own )?life|take my "
      r"(?:own )?life|commit suicide|suicide|hang myself|overdose|drown myself|jump|shoot myself|od)"
      r"|(?:suicide|overdose) attempt|(?:survived|after) (?:a |my |an )?(?:suicide attempt|attempt|overdose)"
      r"|(?:tried|attempted) (?:it )?before and .{0,30}\b(?:again|another)",
      "crisis", "suicide", subject=True, history="behaviour")
_rule("again_after_history", r"(?:feel|feeling|felt|think|thinking|want|wanting|going|might|tempted|urge) (?:about |to |like )?"
      r"(?:doing |do |trying |try )?(?:it|that) again|(?:i will|i am going to|i might|going to) (?:try|do it) again"
      r"|thinking about it again", "concern", "suicide", negatable=True,
      unless=r"^(?!.*\b(?:attempt\w*|tried|overdos\w*|suicid\w*|kill myself|hang\w*|cut\w*|self harm\w*|relapse\w*)\b)")
_rule("passive_death_thoughts", r"(?:think|thinking|thought) about (?:not existing|not being (?:here|alive|around)"
      r"|no longer existing|being dead)(?= *$| ,| every| all| constantly| a lot| and)"
      r"|(?:think|thinking|thought) about (?:death|dying|my (?:own )?(?:death|funeral)) "
      r"(?:every day|all the time|constantly|a lot|nonstop|every night|and (?:i )?(?:want|like|welcome|long for|it feels)"
      r")|(?:picture|picturing|imagine|imagining) my (?:own )?funeral|(?:long|longing|yearn|yearning) for death"
      r"|(?:death|dying) (?:sounds|seems|feels|would be|would feel) (?:peaceful|nice|like a relief|a relief|a release|welcome"
      r"|an escape|like an escape|better|good|easier|like the answer|like freedom|like peace)"
      r"|(?:would not|do not) (?:mind|care) (?:if i )?(?:dying|died|dead|if i did not wake up|not waking up)",
      "concern", "suicide", subject=True,
      unless=r"\b(?:what (?:i would|would i|i) want (?:people|them|everyone|my \w+) to (?:say|remember|feel)|eulogy|values"
             r"|exercise|worksheet|homework|(?:people|they|everyone) (?:would|will) (?:say|remember)|remembered (?:as|for))\b")
_rule("passive_wish", r"(?:wish|wished|wishing|hope|hoped|hoping|pray|praying)\w* (?:that )?(?:i|something|someone) "
      r"(?:would |could |will |might |just )?(?:get |got |be |was |were )?(?:hit by (?:a |the )?(?:car|bus|truck|lorry|train)"
      r"|run over|killed|in (?:a|an) (?:fatal )?(?:accident|crash)|shot|cancer|sick and die|(?:\w+ ){0,2}and die|crash"
      r"|do not make it|not make it|die in my sleep|struck by lightning|kill me)|(?:hope|hoping|wish|wishing|pray"
      r"|praying) (?:that )?something (?:kills|will kill|would kill|finally kills) me", "crisis", "suicide", subject=True)
_rule("indifferent", r"(?:do not|does not|would not|did not|no longer) (?:care|mind) (?:if|whether) i (?:live|die|wake up"
      r"|survive|make it)|(?:nobody|no one|noone|nobody would|no one would|nobody will) (?:cares?|notice|notices) (?:if|whether)"
      r" i (?:live|die|lived|died|am alive|am dead|disappear|disappeared|wake up)|(?:do not|no longer) care about (?:living|being alive|staying alive)", "crisis", "suicide",
      negatable=False)
_rule("easier_not_exist", r"(?:easier|better|best|simpler|kinder|a relief) (?:to |if i (?:\w+ )?)(?:not exist|die|died"
      r"|be dead|was dead|were dead|not be here|not be alive|end it|disappear forever|not wake up|never wake up|stop existing)",
      "crisis", "suicide", subject=True, unless_after=_IDIOM_DIE)
_rule("only_option", r"(?:suicide|death|dying|killing myself|ending (?:it|my life)|not being here) (?:is|feels like|seems like"
      r"|seems|looks like|sounds like) (?:the|my) (?:only|best|last|easiest) (?:option|answer|way|choice|solution|way out"
      r"|escape|thing left)", "crisis", "suicide", negatable=False)
_rule("do_something_to_myself", r"(?:might|will|would|could|going to|afraid i|scared i|worried i|terrified i) (?:\w+ )?"
      r"do something (?:stupid |drastic |bad |dangerous |terrible )?to myself|(?:afraid|scared|worried|terrified) "
      r"(?:that )?i (?:will|might|would|am going to) do something (?:stupid|drastic|dangerous)(?= *$| ,| tonight| if\b)"
      r"|(?:do not|can not|could not) trust myself (?:not to (?:hurt|harm|do (?:something|anything)|act|use|cut|take|jump"
      r"|end|go through)|(?:around|with) (?:the |my |these |those |any )?(?:pills|knives|knife|blades?|razors?|gun|meds"
      r"|medication|tablets|rope|edge|balcony|car keys)|alone|tonight|anymore(?= *$| ,))"
      r"|(?:what|something) i (?:\w+ ){0,3}(?:do|did) to myself(?= *$| ,| tonight| if\b| when\b)",
      "crisis", "self_harm", subject=True)
_rule("funeral_thoughts", r"(?:keep|kept|always|often|been) (?:thinking about|imagining|picturing|planning) my (?:own )?"
      r"(?:funeral|death)", "concern", "suicide", subject=True)
_rule("rather_die", r"(?:would )?rather (?:die|be dead) than (?:keep |go on |continue )?(?:liv\w*|living|be alive|being "
      r"alive|go on|keep going|feel\w*|face|go through|deal with|suffer\w*|exist\w*|wake up|be here|spend another|live "
      r"another|another day|this|carry on|be like this|be me)", "crisis", "suicide", negatable=False)

_rule("last_time", r"(?:the )?last time (?:you will|you are going to|anyone will|anybody will|you|anyone) (?:ever )?(?:hear from"
      r"|see|talk to|speak to) me|(?:want|need|wanted|going) to (?:rest|sleep) (?:forever|for good|in peace for good)"
      r"|(?:eternal|permanent|endless|everlasting|forever) (?:rest|sleep|nap)|(?:take|taking|have|go for|ready for|time for)"
      r" (?:the (?:long|big|final|last) (?:nap|sleep)|(?:a|my) (?:dirt nap|final (?:nap|sleep)))(?= *$| ,| now| soon| tonight"
      r"| for good| i\b)"
      r"|(?:regret|hate) (?:ever )?being born|should (?:never )?have (?:never )?"
      r"been born|(?:want|wish|ready|need) to be gone(?= *$| ,| already| for good| anymore| from this)"
      r"|(?:can not|do not) (?:see|picture|imagine) myself (?:being )?(?:here|alive|around|living) (?:next|in a|in (?:five|ten|two)"
      r"|by|much longer|for long)|(?:want|need|going|ready) to end (?:the|my|this) (?:pain|suffering|misery|torment)"
      r"(?= *$| ,| for good| forever| once and for all| permanently| now| tonight| and\b)",
      "concern", "suicide", subject=True, unless_after=_SLEEPY,
      unless=r"\b(?:holiday|vacation|trip|move|moving|job|contract|back pain|knee|tooth"
      r"|headache|migraine|period|surgery|physio)\b")

# issue 7, round 2: weak sign classes widened by composition (self × wish × unbirth; self × scheduling verb ×
# exit noun; last/final × post noun × leaving; ending frame × self; giving verb × possession or pet, no reason)
_PARENTS = r"(?:my (?:mum|mom|mother|dad|father|parents|mam|ma)|they|she|he)"
_UNBORN = (r"(?:never (?:been |be |was |were |got )?(?:born|existed|alive)|not (?:been )?born|never (?:came|come) into"
           r" (?:this|the) world|skipped being (?:born|alive))")
_rule("never_born", r"(?:wish|wished|wishing|wishes) (?:that )?(?:i (?:would |had |was |were |could have |have )?"
      + _UNBORN + r"|" + _PARENTS + r" (?:had |would have |would )?never (?:had|have had|made|conceived|wanted) me"
      r"(?= *$| ,| at all| honestly| sometimes| and)|i could (?:un ?exist|undo (?:my )?(?:own )?existence|erase (?:my )?"
      r"(?:own )?existence))"
      r"|(?:curse|cursed|hate|hated|regret|regretted) the day i was born|(?:regret|resent|hate) (?:ever )?(?:being|having been)"
      r" born|being born was (?:a|the) (?:mistake|worst thing)|i was a mistake from the (?:start|beginning|day i was born)"
      r"|" + _PARENTS + r" should (?:never|not) have had me",
      "concern", "suicide", negatable=False, subject=True,
      unless_after=r"(?:in|into|with|during|before|after|as|somewhere|to|a|an|on|at|earlier|later|rich|richer|taller"
                   r"|smarter|sooner|here|there|that|the)\b")
_EXIT_NOUN = r"(?:exit|departure|checkout|check out|last day|final day|last night|final night|end)"
_rule("scheduled_exit", r"(?:scheduled|scheduling|schedule|booked|booking|planned|planning|set|setting|picked|chose|chosen"
      r"|penciled|pencilled|pencil|put|timed|fixed) (?:in |up |a date for |the date (?:of|for) |the day (?:of|for) )?my (?:own )?"
      + _EXIT_NOUN + r"(?= *$| ,| for| on| in| next| this| already| and| date| day)|(?:my (?:own )?(?:exit|departure)|^exit)"
      r" (?:date )?"
      r"(?:is|has been) (?:booked|scheduled|planned|set|decided|arranged|fixed|chosen|picked)"
      r"|(?:leaving|leave|exit|exiting|check(?:ing)? out of) (?:this|the) (?:world|earth|planet|life) (?:on|by|before|next"
      r"|this|for good)",
      "crisis", "imminent", negatable=False, subject=True,
      unless=r"\b(?:interview|exam|exams|strategy|company|firm|job|work|office|hotel|flight|airport|motorway|junction"
             r"|contract|lease|flat|house|apartment|uni|university|school|course|team|band|club|show|season|tour|trip"
             r"|holiday|vacation|visa|country|brexit|market|fund|shares?|stock|game|level|shift|term|semester|retire\w*"
             r"|party|leaving do|festival|camp|cruise|stage)\b")
_POST = r"(?:post|message|tweet|video|words|text|entry|update|upload|status|snap|story)"
_rule("last_post", r"(?:my |the |this is my |this is the |this will be my |one )?(?:last|final) " + _POST
      + r" (?:before i (?:go|leave|am gone|die|do it|end it|check out)(?= *$| ,| for good| forever| love| goodbye| bye| i\b)"
      r"|from me (?:ever|forever|for good)|ever(?= *$| ,| love| goodbye| bye| thank))"
      r"|(?:last|final) " + _POST + r" from me(?= *$| ,| love| goodbye| bye| thank| take care| i love)"
      r"|signing off (?:for (?:the )?(?:last|final) time|for good|forever|permanently)"
      r"|(?:if|when) (?:you are|you|anyone is|someone is|anybody is) (?:reading|read|reads|see|sees|seeing|find|finds)"
      r" this i (?:am|will be|have) (?:already )?(?:gone|dead|done it|not here|no longer here|not alive)"
      r"|by the time (?:you|anyone|someone|anybody|they) (?:read|reads|see|sees|find|finds|hear|hears) this i (?:will"
      r" be|will have|am|have) (?:already )?(?:gone|dead|done it|not here|no longer (?:here|alive))"
      r"|(?:logging|signing|checking) (?:off|out) (?:of (?:life|this world|everything) )?(?:for good|forever|permanently)"
      r" (?:everyone|all|folks|guys|goodbye|bye|love)",
      "crisis", "suicide", negatable=False,
      unless=r"\b(?:holiday|vacation|trip|year|night|tonight|today|account|moving|weekend|week|month|bed|sleep|exam"
             r"|exams|break|hiatus|detox|offline|flight|travel\w*|thread|series|season|blog|channel|stream|semester|term"
             r"|chapter|episode|game|leaving do|retire\w*|graduat\w*|new account|new one|switching|app|platform)\b")
_rule("how_it_ends", r"(?:this|that) is (?:how|where) (?:it|it all|everything|my (?:life|story)|i) (?:ends?|end)"
      r"(?= *$| for me| ,| now| then| i\b| and\b| honestly| folks| everyone| goodbye| bye)"
      r"|it (?:all )?(?:ends|stops) (?:here|now) for me|(?:this is|i have reached) the end of the (?:road|line) for me"
      r"|(?:i know|i have decided|i have worked out|i have planned) (?:exactly )?what i am (?:doing|going to do|gonna do)"
      r" (?:on|this|next|at the) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|week)"
      r"(?= *$| and (?:i am|i feel|nobody|no one|it is|there is|that is)| ,? (?:nobody|no one) (?:can|will|is going to)"
      r" (?:stop|change|talk))|(?:the )?countdown (?:has|is) (?:started|on|begun) for me",
      "concern", "imminent", negatable=False, subject=True,
      unless=r"\b(?:film|movie|book|story|novel|show|series|episode|season|game|level|chapter|song|play|trail|path"
             r"|road trip|path|match|race|tour|contract|lease|job|relationship|cinema|party|dinner|shopping|work|gym"
             r"|class|exam|interview|wedding|birthday|holiday|trip|date|meeting|concert|gig|match|plans? with|going out"
             r"|going to (?:the|a|my|see|visit|watch|cook|meet))\b")
_KEEPSAKE = (r"(?:dog|dogs|cat|cats|pets?|puppy|kitten|rabbit|bunny|hamster|horse|parrot|bird|fish|snake|guitar|piano"
             r"|records|vinyl|collection|books|games|console|watch|ring|rings|jewell?ery|necklace|paintings|art|camera"
             r"|savings|car|bike|motorbike|tools|plants|clothes|laptop|things|stuff|belongings|possessions|everything"
             r"|favou?rite \w+|most precious \w+|treasured \w+)")
_rule("giving_away_bare", r"(?:re ?homed|re ?homing|rehome|found (?:a )?(?:new )?homes? for|signed over|handed over|gave|given"
      r"|giving|give|handing|handed|passing on|passed on) (?:away )?(?:all )?(?:of )?(?:both )?(?:my|our) (?:\w+ )?"
      + _KEEPSAKE + r"(?: (?:away|over|on))?(?: (?:to|over to) (?:my |a |the |our )?(?:\w+ ){0,3}\w+)?"
      r"(?= *$| ,| last| this| yesterday| today| for keeps| to keep| for good| and (?:i|my|sold|cancel\w*|deleted|said)"
      r"| (?:she|he|they|it) (?:will|would) be (?:looked after|cared for|taken care of|okay|ok|safe|happy|loved))",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:moving|move|moved|declutter\w*|spring clean\w*|charity|thrift|garage sale|yard sale|minimalis\w*"
             r"|downsiz\w*|old|older|spare|outgrown|outgrew|new one|upgrade\w*|holiday|vacation|trip|travel\w*|away for"
             r"|while|birthday|christmas|xmas|present|gift|wedding|lend|lent|borrow\w*|loan|allerg\w*|landlord|baby"
             r"|expecting|uni|university|college|abroad|emigrat\w*|retire\w*|sitter|sitting|look after (?:it|them|him|her)"
             r" (?:while|for the|until)|for the (?:week|weekend|month)|back|in return|swap\w*|sold|sell\w*|rent\w*"
             r"|walk\w*|vet|groom\w*|kennel\w*|cattery|foster\w*|adopt\w*|shelter|library|school|donat\w*|church"
             r"|food bank|community)\b")

# Warning signs said without a risk word (988 Lifeline, IS PATH WARM): farewells, last times, a set date,
# funeral plans, papers put in order for after, a letter left to be found. Each is "concern": Attune asks.
_rule("last_time", r"(?:hug\w*|visit\w*|see|saw|seeing|seen|call\w*|rang|ring\w*|text\w*|told|tell\w*|kiss\w*|held|hold\w*)"
      r" (?:\w+ ){0,5}(?:(?:as if |it was |it is |this is |this was )?the last time(?= *$| ,| and| because)"
      r"|one (?:more|last) time(?= *$| ,| and| because| before)|for the (?:very )?last time(?= *$| ,| and| because)"
      r"|(?:they|everyone|everybody|she|he) (?:get|gets|got) to see me (?:one|a) (?:more|last|final) time)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:before (?:i|we|they|she|he) (?:move|moved|leave|left|go|went|emigrat\w*|fly|flew)|moving|abroad|emigrat\w*"
             r"|holiday|trip|tour|deploy\w*|travel\w*|leaving for|gap year|new job|university|uni|college|surgery|operation"
             r"|funeral|hospice|dying|passed|grandma|grandad|gran|nan|grandpa|granny)\b")
_rule("wont_matter_soon", r"(?:soon|shortly|before long|after (?:this week|friday|tonight|the weekend|this)) (?:it|none of (?:it|this)"
      r"|nothing|any of (?:it|this)) will not matter|(?:it|none of (?:it|this)|nothing) will not matter (?:soon|for long|much longer"
      r"|after (?:tonight|this week|friday|the weekend))|i will not be (?:around|here) (?:to see (?:it|that|them)|much longer|for long)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:exam|exams|deadline|test|interview|results|grade|score|bill|fine|election|match|game|trip|holiday|moving"
             r"|move|job|contract|lease|course|term|semester|office|company)\b")
_rule("funeral_plans", r"(?:playlist|songs?|music|readings?|plans?|planned|planning|wrote|written|writing|picked|chose|chosen"
      r"|arranged|arranging|organi[sz]\w*|paid for|designed|choosing|picking) (?:\w+ ){0,3}(?:for|of|at) my (?:own )?funeral"
      r"|my (?:own )?funeral (?:playlist|plans?|songs?|arrangements)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:joke|joking|haha|lol|old|one day|someday|decades|prepaid|pre paid|when i am (?:old|ninety|eighty|gone one day)"
             r"|will be|grandma|grandad|nan|gran)\b")
_rule("the_date", r"(?:i have |i )?(?:set|picked|chosen|chose|decided on|fixed|settled on) (?:the|a|my) (?:date|day)"
      r"(?= *$| ,| it is| it will| for it| already| now)|tonights? (?:is )?the night(?= *$| ,| i\b| then| finally)",
      "concern", "imminent", negatable=False, subject=True,
      unless=r"\b(?:wedding|married|engaged|party|meeting|trip|holiday|move|moving|launch|exam|interview|surgery|operation|appointment|birthday"
             r"|gig|concert|show|game|match|ask\w* (?:her|him|them) out|propos\w*|celebrat\w*|premiere|opening|release|dinner"
             r"|drinks|date with|first date|christening|funeral|graduation|viewing|delivery|due)\b")
_rule("step_off", r"(?:think\w* (?:about|of)|thought (?:about|of)|want(?:ed)? to|urge to|tempted to|imagin\w*|pictur\w*"
      r"|could just|wish i could|fantasi[sz]\w* about) (?:\w+ ){0,2}(?:step|stepping|stepped|walk|walking|jump|jumping"
      r"|throw\w* myself|fall|falling|let myself fall|lean\w*) (?:off|in front of|out in front of|over) (?:the |a |that )?"
      r"(?:platform|ledge|edge|roof|rooftop|bridge|train|tracks|traffic|bus|lorry|truck|cliff|balcony|railing|car)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:careful\w*|accident\w*|tripp\w*|slipp\w*|by mistake|dizzy|stumbl\w*|bungee|diving board|pool|sea|lake"
             r"|skydiv\w*|parachut\w*|zip ?line|trampoline)\b")
_rule("unsafe_with_self", r"(?:do not|not|never|no longer) feel safe (?:in my own head|in my head|with myself|with my (?:own )?"
      r"thoughts|on my own tonight|alone tonight|around myself|being alone|by myself tonight|with what i might do)"
      r"|(?:i am|i am so|i am really) (?:scared|afraid|frightened|terrified) of (?:what i (?:might|will|could|am going to|would)"
      r" do(?: to myself)?|myself)(?= *$| ,| tonight| right now| at the moment| and| in the next| if| when)",
      "crisis", "imminent", negatable=False, subject=True)
_rule("letter_to_find", r"(?:left|leaving|leave|wrote|written|writing|write|hid|hidden) (?:a |some )?(?:letter|note|letters"
      r"|notes|message|messages|video) (?:\w+ ){0,5}(?:to find|for (?:them|her|him|my \w+|everyone|the kids|my family|people)"
      r" to (?:find|read|open))(?= *$| ,| after| when| once| later| tomorrow| in case| if)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:birthday|christmas|xmas|valentine\w*|anniversary|surprise|love note|thank you|thanks|shopping|reminder"
             r"|fridge|chores|dinner|school|lunchbox|treasure hunt|scavenger|holiday|trip|work|appointment|groceries|recipe"
             r"|instructions|password|wifi|cat|dog|plants|pick up|back at|home at)\b")
_rule("papers_for_after", r"(?:life insurance|my will|(?:insurance|pension) (?:policy|paperwork|details|beneficiar\w*)"
      r"|beneficiar\w*) (?:\w+ ){0,6}(?:my \w+|they|she|he|the kids|everyone|my family) (?:get|gets|will get|are|is|will be"
      r"|would get) (?:the money|paid|taken care of|looked after|okay|ok|fine|sorted|provided for|everything)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:baby|pregnan\w*|mortgage|new house|married|wedding|retire\w*|financial advis\w*|advice|employer|annual"
             r"|renewal|cheaper|quote|broker|divorce)\b")

# ---------------------------------------------------------------------------------------------
# self-harm
# ---------------------------------------------------------------------------------------------
_ACCIDENT = (r"\b(?:shav\w+|cook\w*|by accident|accident\w*|at the gym|gym|running|ran|jog\w*|on (?:the|a) (?:iron|stove"
             r"|oven|pan|glass|door|cupboard|table|corner|kettle|edge|step|stairs)|while (?:cooking|working|gardening"
             r"|playing|chopping|cleaning|baking|fixing|climbing)|(?:chopp|slic)\w+(?! (?:into |up )?my (?:own )?(?:arms?|wrists?"
             r"|legs?|thighs?|skin|stomach|belly|hips?|body|forearms?|ankles?))|kitchen|paper cut|playing|football"
             r"|soccer|rugby|basketball|sport\w*|workout|work out|exercis\w*|training|tripped|fell|fall|slipped|skiing"
             r"|climbing|broken glass|iron|curling iron|straighteners|hot water|sunburn\w*|lifting|hiking|bike|biking"
             r"|cycling|skateboard\w*|yoga|stretching|moving (?:boxes|house|furniture))\b"
             r"(?!.*\b(?:on purpose|deliberately|intentionally|again and again|to feel|to punish|hid(?:e|ing)? (?:it|them|the"
             r" (?:marks|burns|cuts|scars))|so (?:nobody|no one) (?:sees|knows|notices)|deserve|every (?:day|night)"
             r"|to see if i (?:could|can) feel)\b)")
_SH_VERB = _alt("cut(?:ting|s)?", "burn(?:ing|ed|t|s)?", "hit(?:ting|s)?", "punch(?:ing|ed|es)?", "scratch(?:ing|ed|es)?",
                "bit(?:e|ing)", "starv(?:e|ing|ed)", "harm(?:ing|ed|s)?", "hurt(?:ing|s)?", "stab(?:bing|bed)?",
                "carv(?:e|ing|ed)", "slash(?:ing|ed)?", "strangl(?:e|ing|ed)", "chok(?:e|ing|ed)", "bruis(?:e|ing|ed)",
                "injur(?:e|ing|ed)", "mutilat(?:e|ing|ed)", "punish(?:ing|ed)? myself and hurt", "pinch(?:ing|ed)?",
                "whip(?:ping|ped)?", "beat(?:ing)?", "bang(?:ing|ed)?")
_BODY = _alt("arms?", "wrists?", "legs?", "thighs?", "skin", "stomach", "belly", "hips?", "body", "hands?", "forearms?",
             "ankles?", "chest", "shoulders?", "face")
_rule("self_harm_verb", _SH_VERB + r" myself(?! (?:off|out|up|short|free|loose|some slack|a break|to sleep"
      r"|to (?:achieve|get|look|fit|lose|be|reach|make)))", "crisis", "self_harm", subject=True, history="behaviour",
      unless=_ACCIDENT + r"|\bwould have to \w+ myself\b")
_rule("self_harm_body", r"(?:cut(?:ting|s)?|burn(?:ing|ed|t|s)?|slit(?:ting)?|slash(?:ing|ed)?|slic(?:e|ing|ed)|carv(?:e|ing|ed)|scratch"
      r"(?:ing|ed)?|stab(?:bing|bed)?) (?:up )?(?:on )?(?:my|into my) (?:own )?" + _BODY
      + r"(?! (?:on (?:the|a)|in (?:the|a)|at|while|when i was (?:cooking|shaving|working)))", "crisis", "self_harm",
      subject=True, history="behaviour", unless=_ACCIDENT)
_rule("self_harm_words", r"self (?:harm\w*|injur\w*|mutilat\w*)|(?:urge|urges|need|want|wanting|tempted) to (?:cut"
      r"|self harm|burn myself|hurt myself|bleed)(?! (?:back|down|off|out|in|it|the|a|my hair|ties|corners|class))"
      r"|(?:started|start|starting|began|been) cutting again|(?:relapsed|relapse|relapsing) (?:on|into|with) "
      r"(?:self harm|cutting|hurting myself)|hide (?:the|my) (?:cuts|scars|marks|burns|wounds|bruises)"
      r"|(?:until|till|til) (?:i|it|they|my \w+) (?:bleed|bleeds|bled)|make (?:myself|me) bleed|(?:use|using|used) (?:a |the |my )?"
      r"(?:blade|razor|knife|lighter|scissors|compass) on (?:myself|my (?:own )?" + _BODY + ")"
      r"|(?:make|making|made) myself (?:throw up|vomit|sick)|(?:deserve|need) (?:the )?pain|punish myself"
      r"|(?:need|want|have) to feel (?:physical )?pain(?= *$| ,| so| and| because| i\b)|(?:picking|pick|pulling|reopening"
      r"|opening|scratching) (?:at )?(?:the |my )?(?:wounds|scabs|cuts|scars) (?:\w+ ){0,2}(?:so )?(?:they|it) (?:do not|does not"
      r"|never|can not|will not) heal"
      r"|use (?:it|them|this|that|the \w+|a \w+) on myself|cut (?:too )?deep(?:er)?(?= *$| ,| this time| again| and)"
      r"|(?:cut|cutting|slic\w*|burn\w*|scratch\w*|carv\w*) .{0,25}\bto feel (?:something|anything|pain|better|in control|real|alive)",
      "crisis", "self_harm", subject=True, history="behaviour",
      unless=r"\bpunish myself (?:by|with) (?:not|no|extra|more|skipping|working)\b|\b(?:self harm\w*|cutting|sh) free\b"
             r"(?!.*\b(?:until|till|but|relapsed|again)\b)|\b(?:awareness|project|research"
             r"|prevention|study|course|training|campaign|essay|documentary|article|lecture|class|presentation|volunteer"
             r"|book)\b(?!.*\b(?:i am|i have been|myself|my (?:arms?|legs?|wrists?|skin|thighs?))\b)")
_rule("harm_on_purpose", r"(?:cut|cutting|burn\w*|hurt\w*|hit\w*|punch\w*|scratch\w*|bruis\w*|bang\w*|bit|bite|biting"
      r"|pull\w*|pick\w*|tear\w*|rip\w*|bleed\w*|bled"
      r"|injur\w*|slam\w*|kick\w*)\b.{0,40}\b(?:on purpose|deliberately|intentionally|to feel something|to feel pain"
      r"|to punish myself|because i deserve)|(?:punch\w*|hit\w*|bang\w*|slam\w*|kick\w*) (?:the |a )?walls? (?:until|till)"
      r" (?:i|it|they|my \w+) (?:bleed|bleeds|bled|broke|break)", "crisis", "self_harm", subject=True,
      unless=r"\b(?:him|her|them|my (?:brother|sister)|the ball|the door by accident)\b")
_rule("relapsed_cut", r"(?:relapsed|relapse)\b.{0,30}\b(?:cut|cutting|burn\w*|self harm\w*|hurt\w* myself)",
      "crisis", "self_harm", negatable=False)

# ---------------------------------------------------------------------------------------------
# danger from someone else
# ---------------------------------------------------------------------------------------------
_PERSON = _alt("he", "she", "they", "someone", "somebody", "a man", "a guy", "this guy", "this man", "a stranger",
               r"my (?:\w+ )?(?:husband|wife|boyfriend|girlfriend|partner|ex|ex husband|ex wife|ex boyfriend"
               r"|ex girlfriend|ex partner|dad|father|mom|mum|mother|stepdad|step dad|stepfather|step father|stepmom"
               r"|step mom|stepmum|stepmother|uncle|aunt|brother|sister|son|daughter|parents?|boss|roommate|flatmate"
               r"|landlord|neighbou?r|fiance|fiancee|carer|caregiver|family|grandfather|grandpa|cousin|teacher|coach"
               r"|pastor|priest|spouse|guardian|foster \w+|stepbrother|stepsister|in laws?|mother in law|father in law)")
_VIOLENCE = _alt("hits", "hit", "hitting", "beats", "beat", "beating", "punches", "punched", "punching", "kicks", "kicked",
                 "kicking", "chokes", "choked", "choking", "strangles", "strangled", "strangling", "slaps", "slapped",
                 "slapping", "shoves", "shoved", "pushed", "pushes", "raped", "rapes", "molested", "molests",
                 "molesting", "assaulted", "assaults", "abuses", "abused", "abusing", "attacked", "attacks", "stabbed",
                 "stabs", "threatens", "threatened", "hurts", "burned", "burns", "drugged", "strangles", "smacks",
                 "smacked", "headbutted", "throttled", "tortures", "tortured", "rapes", "touches", "touched",
                 "grabs", "grabbed", "bit", "bites", "whips", "whipped", "stalks", "stalking", "trafficked", "hurting",
                 "beating up", "beats up", "beat up", "kicking", "hitting")
_VIOLENCE_IDIOM = r"|stab\w* (?:me )?in the back|backstab\w*|(?:hit|hits) me (?:up|with (?:the|a|some) (?:news|truth|facts|question|bill))"
_rule("violence", _PERSON + r" (?:(?!not |never |no |would |could |will |might |wants |used ){W} ){{0,3}}".format(W=W)
      + _VIOLENCE + r" (?:me|us|my (?:mom|mum|mother|sister|brother|kids|children|baby|son|daughter)|the kids)\b(?! (?:up|with (?:a |the )?(?:pillow|ball"
      r"|snowball|cushion|toy|water)|off|back|too|by accident|accidentally|playfully|for fun|under the table|in (?:a|the)"
      r" game|at (?:chess|cards|tennis|pool|games|the game|this game)|with (?:his|her) words|emotionally|to it|in "
      r"(?:the race|a race)|when (?:he|she) (?:left|lied|cheated)|a lot|so much|deeply|badly when|the most))",
      "crisis", "danger_from_others", negatable=True,
      unless=r"\b(?:pillow|cushion|snowball|tickl\w*|play fight\w*|joking|as a joke|video game|in the game|my (?:baby|toddler"
             r"|cat|dog|puppy|kitten)|little (?:brother|sister|one)|feelings|emotionally|hurt my feelings|words"
             r"|when i was (?:a kid|little|young|a child|small|a teen\w*|\w+teen)|as a (?:kid|child|teen\w*)|growing up"
             r"|years ago|years later" + _VIOLENCE_IDIOM + r")\b")
_rule("violence_passive", r"i (?:was|got|have been|am being|am getting|keep getting|am) (?:raped|sexually assaulted|assaulted"
      r"|attacked|beaten(?: up)?|strangled|choked|stabbed|abused|molested|trafficked|drugged|threatened|held down"
      r"|held (?:against my will|captive|hostage|prisoner)|kidnapped|locked (?:in|up))"
      r"(?! (?:at|in) (?:the|a) (?:game|match))", "crisis", "danger_from_others", negatable=True,
      unless=r"\b(?:years ago|when i was (?:a kid|little|young|a child|small|a teen\w*|\w+teen|\d+|in (?:school|college"
             r"|high school|uni\w*))|as a (?:kid|child|teen\w*)|growing up|game|chess|debate|by the (?:heat|sun|questions)"
             r"|in the back|in my back|in the front|years later)\b")
# "i don't feel safe at home anymore", "i never feel safe around him": asked directly, not assumed
_rule("unsafe_at_home", r"(?:do not|never|no longer|can not|cannot) (?:feel |really feel |ever feel )?safe (?:at home|in (?:my|our|the)"
      r" (?:own )?(?:home|house|flat|apartment|room)|around (?:him|her|them|my \w+)|with (?:him|her|them|my (?:husband|wife|partner"
      r"|boyfriend|girlfriend|dad|father|mum|mom|mother|stepdad|stepmum|stepmom|brother|sister|son|daughter|flatmate|roommate|ex))"
      r"|when (?:he|she|they) (?:is|are|gets?) (?:home|drunk|angry|back))", "concern", "danger_from_others",
      unless=r"\b(?:earthquake|storm|neighbourhood|neighborhood|crime|burglar\w*|break ins?|covid|virus|mould|mold|landlord|wiring"
             r"|gas leak|fire)\b")
_rule("coming_for_me", _PERSON + r" (?:is|are|was) (?:coming (?:for|after|back for) me|going to come (?:for|after) me"
      r"|on (?:his|her|their) way (?:here|over|back) (?:to|and)|hitting my|beating my|hurting my (?:mom|mum|mother|sister"
      r"|brother|kids|children|baby|son|daughter))|hiding (?:from (?:him|her|them|my \w+)|in (?:the|my) \w+ (?:because|so|from))",
      "crisis", "danger_from_others", negatable=True, unless=r"\b(?:game|hide and seek|surprise|party|birthday|tag)\b")
_rule("threat", r"threat\w* (?:to )?(?:kill|hurt|harm|shoot|stab|beat|hit|strangle|choke|burn|rape) (?:me|us|my kids"
      r"|the kids|my children)|(?:said|says|told me|swore|keeps saying|texted|messaged|promised|warned me|screamed|yelled)"
      r" (?:that )?(?:if (?:i|we) (?:\w+ ){1,4})?" + _PERSON + r" (?:is going to|was going to|would|will|might|wants to|is gonna) (?:kill|hurt|harm"
      r"|shoot|stab|beat|strangle|choke|burn|rape|find) me|(?:said|says|told me|swore|keeps saying|texted|messaged|warned me"
      r"|screamed|yelled) (?:that )?(?:if (?:i|we) (?:\w+ ){1,5})?" + _PERSON + r" (?:is going to|was going to|would|will|is gonna)"
      r" (?:make (?:sure )?(?:i|me) (?:regret|pay|suffer|sorry)|make me pay|make my life hell|teach me a lesson|sort me out"
      r"|end me|finish me|put me in hospital)|" + _PERSON + r" (?:tried|tries|is trying|was trying|wants)"
      r" to (?:kill|strangle|choke|drown|poison|stab|shoot|rape) me|my ex (?:is going to|will|wants to) (?:kill|hurt) me"
      r"|(?:if|when) (?:he|she|they) (?:find|finds) out i (?:told|talked|spoke|called|reported|went|am leaving|left|was here)"
      r"|(?:said|says|told me|screamed|yelled|warned me|swore) (?:that )?(?:i|you) (?:would|will|am|are|was|were) (?:be )?next(?= *$| ,| and\b| when\b| after\b| too\b)"
      r"|next time (?:it|that)(?: is|'s|s)? (?:gonna|going to|will|would) be (?:me|my (?:face|head))\b"
      r"(?! (?:who|that|to|doing|making|cooking|driving|picking|paying|hosting|on|in|at|for|instead)\b)",
      "crisis", "danger_from_others", negatable=True,
      unless=r"\b(?:joking|as a joke|in the game|lol|kidding)\b|\bif i (?!(?:ever |try to |tried to )?(?:leave|left|tell"
             r"|told|call|called|report|reported|go to|went to|break up|talk|talked|speak|spoke|see|saw|do not|did not"
             r"|say|said|move out|run|ran|get help)\b)\w+")
_rule("fear_of_person", r"(?:scared|afraid|terrified|frightened|fear|fearing|worried) (?:to go home|of going home|to go back"
      r" (?:home|there)|of going back (?:home|there)|for my life|for my safety|that (?:he|she|they) (?:is going to|will|might"
      r"|would|could) (?:hurt|kill|hit|beat|find|come for|attack) me|(?:he|she|they) (?:is going to|will|might|would|could"
      r"|is gonna) (?:hurt|kill|hit|beat|find|attack|come (?:back )?for) me|of what (?:he|she|they) (?:will|might|would"
      r"|could) do(?: to me)?|(?:that )?" + _PERSON + r" (?:is going to|will|might|would|could|is gonna) (?:hurt|kill|hit|beat|find|attack|rape"
      r"|strangle|choke|stab|shoot) me|(?:that )?(?:he|she|they) (?:is going to|will|might|would|could|is gonna) (?:break"
      r" (?:down )?(?:the|my) door|break in|get in|kick (?:the|my) door|come in)|of my (?:husband|wife|boyfriend|girlfriend|partner|ex|dad|father|stepdad|step dad|stepfather"
      r"|mom|mum|mother|stepmom|stepmother|uncle|brother|parents|family))(?! (?:spider|dog|reaction|judg\w*))",
      "crisis", "danger_from_others", negatable=True, subject=True,
      unless=r"\bif i (?!(?:ever |try to |tried to )?(?:leave|left|tell|told|call|called|report|go to|break up|talk|see"
             r"|say|move out|run|get help)\b)\w+|\b(?:joking|lol|kidding)\b")
_rule("unsafe", r"(?:do not|does not|never) feel safe(?: (?:at home|in my (?:own )?(?:home|house|room|bed|flat|apartment)"
      r"|with (?:him|her|them|my \w+)|around (?:him|her|them|my \w+)|here|anymore|right now))?(?= *$| ,| and| because"
      r"| my\b| he\b| she\b| they\b| with\b| since\b| when\b)"
      r"|i am not safe(?: (?:here|at home|with (?:him|her|them)|anymore|right now))?(?= *$| ,| and| because)"
      r"|(?:is not|not) safe (?:for me )?(?:to go home|at home|in my (?:own )?(?:home|house))",
      "crisis", "danger_from_others", negatable=False,
      unless=r"\b(?:job|work|financially|money|neighbou?rhood|area|city|town|country|online|internet|roads?|driving|flight"
             r"|flying|plane|crowds?|covid|virus|germs|food|relationship|emotionally safe|opening up|sharing|talking)\b")
_rule("coercion", r"(?:he|she|they|my \w+) (?:will not|does not|do not|would not|never) let me (?:leave|go out|go outside"
      r"|out of the house|see my (?:friends|family)|have my (?:phone|money|keys)|talk to anyone|call anyone|eat|sleep)"
      r"|(?:locks|locked|lock) me (?:in|inside|up|in my room|in the house)|keeps me (?:locked|inside|in my room|prisoner)|(?:took|takes|has taken|taken) my "
      r"(?:phone|keys|passport|money) (?:away )?(?:so|and) i can not"
      r"|(?:takes|took|has taken|hides|hid|keeps|kept|locks away|locked away) my (?:\w+ )?(?:passport|phone|keys|car keys|money"
      r"|bank cards?|cards|documents|id|visa|wages|benefits|pension) (?:\w+ ){0,3}(?:and|so) (?:he |she |they )?(?:will not"
      r"|does not|do not|would not|never) let me (?:leave|go out|go outside|out|see|have|talk|call|work|go)", "crisis", "danger_from_others", negatable=False,
      unless=r"\b(?:grounded|curfew|homework|until i finish|diet|game|video games?|console)\b")
_rule("intruder", r"(?:someone|somebody|a man|a guy|a stranger|people|he|she|they|my ex|my \w+) (?:is|are|has been|keeps"
      r"|was|kept) (?:following|stalking|watching) me(?: home)?(?= *$| ,| and| right now| again| everywhere| home)"
      r"|(?:there is|there are|there is a) (?:someone|somebody|a man|a stranger|people|an intruder|a guy) (?:in|inside)"
      r" (?:my|the) (?:house|home|flat|apartment|room|bedroom)|(?:trying|tried|try) to (?:get in|break in)(?= *$| ,| and| the (?:house|door|window|flat|apartment)| my| through"
      r"| again| here)|(?:trying|tried|try) to (?:break down the door|kick the door|force (?:his|her|their) way in)|broke into (?:my|our) (?:house|home|flat|apartment)"
      r"|is outside (?:my|the) (?:door|house|window|flat|apartment) and",
      "crisis", "danger_from_others", negatable=True,
      unless=r"\b(?:instagram|twitter|tiktok|online|social media|on (?:insta|x)|followers?|the news|movie|film|game"
             r"|cat|dog|puppy|voices?|concealing|disguis\w*|everywhere i go|wherever i go|the government|agents|aliens"
             r"|through the walls)\b")
_rule("in_danger", r"in (?:immediate |serious |real )?danger(?= *$| ,| right now| now| and| because| from| at home| here"
      r"| with)|my life is in danger|(?:call|get|need) (?:the )?(?:police|cops)(?= *$| ,| now| please| he| she| they| i)",
      "crisis", "danger_from_others", negatable=True, subject=True,
      unless=r"\b(?:of (?:failing|losing|missing)|financial\w*|job|grades?|exam|deadline|game|movie|show|lol|book)\b")
_rule("going_to_kill_me", r"(?:he|she|they|my (?:husband|boyfriend|partner|ex|ex husband|ex boyfriend|ex partner|stepdad"
      r"|step dad|stepfather|dad|father|brother)) (?:is going to|will|wants to|is gonna|is trying to|might|could) (?:kill"
      r"|hurt|murder) me(?= *$| ,| and| one day| someday| tonight| i (?:know|swear|think|am))",
      "crisis", "danger_from_others", negatable=True,
      unless=r"\b(?:lol|haha|joke|joking|kidding|late|forgot|forget|finds out i (?:ate|broke|spent|crashed|lost|forgot)|sees"
             r" (?:my|the) (?:grades|report|bill|car|mess)|spent|dented)\b")
_rule("abusive", r"(?:i am in|i am stuck in|i live with|i am living with|i am married to|i am with) an? (?:physically |sexually"
      r" |violent |emotionally )?(?:abusive|violent) (?:relationship|marriage|home|partner|household|man|woman|husband|boyfriend"
      r"|wife|girlfriend|family|parent|dad|mom|mum)|my (?:partner|husband|boyfriend|wife|girlfriend|dad|father|mom|mum|mother"
      r"|parents|stepdad|step dad|stepfather) (?:is|are) (?:physically |sexually )?(?:abusive|violent)(?= *$| ,| and| to me"
      r"| towards me| when)", "crisis", "danger_from_others", negatable=True,
      unless=r"\b(?:used to be|was abusive|were abusive|years ago|when i was|as a (?:kid|child)|growing up|emotionally"
             r" abusive)\b")

# things thrown or smashed by someone at home ("he threw a plate at the wall"): asked about directly
_rule("violence_around", _PERSON + r" (?:\w+ ){0,2}(?:put|puts|putting) (?:his|her|their|a) (?:fist|foot|hand|head) through"
      r" (?:the|a|my|our) (?:\w+ )?(?:door|wall|window|cupboard|tv|screen)"
      r"|" + _PERSON + r" (?:\w+ ){0,2}(?:threw|throws|throwing|smashed|smashes|smashing|broke|punched|punches"
      r"|kicked|kicks) (?:a |the |my |our |his |her )?(?:plates?|glass(?:es)?|bottles?|chairs?|phone|things|stuff|doors?"
      r"|walls?|table|mugs?|cups?|tv|furniture|hole in the wall)(?: (?:at|against|into|through) (?:the wall|me|my head|the"
      r" door|the floor|the window))?", "concern", "danger_from_others", negatable=True,
      unless=r"\b(?:by accident|accidentally|dropped|tantrum|toddler|baby|the dog|the cat|game|match|party|greek|wedding"
             r"|karate|boxing|gym|rage room|years ago|when i was)\b")

# issue 7, round 5: structures the round-4 rules missed (dev4 misses, generalised by composition, not by sentence)
# relief or indifference × if × a death event ("i wouldn't be upset if the plane went down", "i'd be relieved if the
# doctor said it was terminal", "i wouldn't mind if i didn't make it home")
_rule("relief_if_death", r"(?:(?:would not|would never|wouldnt) (?:even |really |honestly |be that )?(?:be (?:upset|sad|sorry"
      r"|bothered|scared|fussed|devastated)|mind|care|complain|fight it|panic)|(?:would|i would) (?:\w+ )?(?:be )?(?:relieved"
      r"|glad|grateful|happy|pleased|at peace|thankful)|would be (?:a relief|a blessing|welcome|no loss)"
      r") (?:\w+ ){0,2}if (?:the (?:plane|flight|car|bus|coach|train|ship|boat|ferry|lorry|helicopter|lift) (?:\w+ )?(?:went down"
      r"|crashed|crashes|goes down|sank|derailed|fell)"
      r"|(?:it|the (?:results?|scan|test|biopsy|lump)|the doctor|they|he|she) (?:\w+ ){0,4}(?:was|were|is|came back|comes back"
      r"|said|says|told me|turned out|turns out) (?:\w+ ){0,4}(?:terminal|fatal|incurable|malignant|cancer|inoperable|i was dying"
      r"|i had (?:weeks|months))|i (?:just )?(?:did not|do not|never|would not) (?:make it|wake up|come back|get home|survive)"
      r"|i (?:got|get|was|were) (?:hit|run over|killed)|i (?:got|get|was|were) (?:in|into) (?:a )?(?:crash|accident|car crash"
      r"|pile up)(?: and (?:did not|never) make it)?|i (?:died|dropped dead|was gone|was not here)|something (?:happened"
      r"|happens|were to happen|bad happened) to me|my heart (?:just )?(?:stopped|gave out))"
      r"|if (?:the (?:doctor|results?|scan|test|biopsy)|they|it) (?:\w+ ){0,4}(?:said|says|told me|was|were|is|came back|comes"
      r" back) (?:\w+ ){0,4}(?:terminal|fatal|incurable|inoperable|malignant) (?:\w+ ){0,2}i would (?:\w+ ){0,2}(?:be )?(?:relieved"
      r"|glad|grateful|happy|pleased|at peace|thankful)",
      "concern", "suicide", negatable=False, subject=True)
# going where the dead went ("i want to go where my brother went")
_rule("go_where_dead_went", r"(?:want|wish|ready|going|long|need|have) to (?:go|be) (?:to )?where my (?:\w+ )?(?:brother|sister"
      r"|mum|mom|mother|dad|father|son|daughter|husband|wife|partner|friend|gran|nan|grandma|grandad|grandpa|boyfriend"
      r"|girlfriend|baby|twin|cousin|uncle|aunt|mate|\w+) (?:went|has gone|is now|is)(?= *$| ,| now| too| soon| already| i\b)",
      "concern", "suicide", subject=True, negatable=True,
      unless_after=r"(?:on|to|for|last|in|this|when|at|abroad|travelling|camping)\b")
# switching off, logging off or leaving for good ("switch off permanently", "log off permanently", "leave the party for
# good"), and the long walk off a short pier said about oneself
_rule("switch_off_for_good", r"(?:switch|turn|shut|log|sign|clock|power|bow|tap|fade|leave|exit|quit|leav)\w* (?:myself )?"
      r"(?:off|out|down|the (?:party|game|stage|world|planet|earth|building|show)|this (?:world|life|planet|earth)|life) "
      + _B + r"(?= *$| ,| i\b| and\b| now| soon| tonight)"
      r"|(?:" + DESIRE + r") (?:\w+ ){0,2}(?:take|taking|go for|going for) (?:a|the) long walk off a short (?:pier|plank|cliff)",
      "concern", "suicide", subject=True, negatable=True,
      unless=r"\b(?:twitter|instagram|insta|facebook|tiktok|social media|socials|reddit|discord|server|app|apps|account|phone"
             r"|email|work|job|shift|office|laptop|computer|pc|console|game|wifi|internet|news|labour|tory|tories"
             r"|conservative|democrat\w*|republican\w*|political|membership|union|band|group|team|club|league|channel|stream"
             r"|hotel|lights?|heating|tv|notifications|screens?)\b")
# lethal means in reach and knowing where the key or the ammunition is
_FIREARM = r"(?:gun|guns|shotgun|rifle|revolver|pistol|handgun|firearm|air rifle)"
_rule("means_known", _FIREARM + r"\b.{0,80}\bknow (?:exactly )?where (?:\w+ ){0,3}(?:keeps?|kept|hides?|hid|stores?|puts?|leaves?)"
      r" (?:the |his |her |their |my )?(?:key|keys|bullets|ammo|ammunition|cartridges|shells|combination|code)"
      r"|know (?:exactly )?where (?:\w+ ){0,3}(?:keeps?|kept|hides?|hid|stores?) (?:the |his |her |their )?"
      r"(?:" + _FIREARM[3:-1] + r"|bullets|ammo|ammunition|key (?:to|for) (?:the |his |her )?(?:gun|shotgun|rifle|gun cabinet"
      r"|gun safe))",
      "concern", "suicide", negatable=True,
      unless=r"\b(?:shooting|hunting|clay|range|licen[cs]e|farm\w*|rabbits|foxes|pigeons|deer|club|season|police|safety"
             r"|locked away (?:so|because)|the kids can not|childproof|game|movie|film)\b")
# counting out or stockpiling a drug in reach ("there's enough of my mum's morphine in the cupboard and i've counted it")
_rule("means_counted", r"(?:pills|tablets|meds|medication|medicine|capsules|paracetamol|painkillers|pain killers"
      r"|sleeping pills|sleeping tablets|antidepressants|opioids|morphine|oxycodone|methadone|insulin|codeine|tramadol)\b.{0,60}\b(?:i have|i|and i|i"
      r" have been) (?:counted|been counting|added up|checked there (?:is|are) enough)(?: (?:it|them|out|up))?"
      r"(?= *$| ,| and| twice| again| already)"
      r"|(?:pills|tablets|meds|capsules|painkillers|sleeping pills) (?:are|is) (?:\w+ )?counted(?: out)?(?= *$| ,| and| on| in)"
      r"|(?:hanging onto|holding onto|keeping|kept|saving|saved) (?:all )?(?:my )?(?:old |leftover |spare |unused )?(?:prescriptions"
      r"|scripts|meds|medication|pills|tablets) (?:rather than|instead of) (?:throwing|taking|handing|returning|binning)"
      r"|(?:a lot of|lots of|loads of|enough|as many|a stash of|a supply of) (?:\w+ )?(?:pills|tablets|sleeping pills"
      r"|painkillers|sleeping tablets|opioids|benzos) without (?:a )?(?:prescription|script|doctor)"
      r"|(?:counted|counting|count) (?:out )?(?:the|my|all the|all my|all of (?:the|my))"
      r" (?:\w+ )?(?:pills|tablets|meds|capsules|morphine|painkillers|sleeping pills) (?:\w+ ){0,3}(?:enough|to see if"
      r"|how many (?:i|it|would))",
      "concern", "suicide", negatable=True,
      unless=r"\b(?:pharmacy|pharmacist|chemist|repeat prescription|prescription refill|dosette|blister|right (?:amount|number)|refill|make sure (?:i|they"
             r"|the)|stock ?take|inventory|nurse|ward|shift|audit|controlled drugs?|for (?:the|my) (?:week|trip|holiday)"
             r"|running (?:low|out)|order more|reorder)\b")
# a method decided on without a risk word ("there's a bottle of insecticide under the sink and i've decided that's how")
_rule("decided_how", r"(?:i have decided|i decided|i have worked out|i worked out|i have chosen|i chose|i know now|i know)"
      r" (?:that )?(?:that is|this is|it is|that will be|this will be|it will be) (?:how|the way)"
      r"(?= *$| ,| i will go| i am going to go| i go| it ends| it will end| i will do it| i am doing it)",
      "concern", "suicide", negatable=False, subject=True)
# walking into the water and not coming back; driving somewhere remote and not driving back
_WILD = (r"(?:forest|woods|sea|ocean|river|lake|loch|cliffs?|mountains?|hills|moors?|desert|coast|beach|middle of nowhere"
         r"|bush|wilderness|water|waves|marshes|estuary|reservoir|quarry)")
_rule("no_return", r"(?:walk|wade|swim|wander)(?:ing|ed)? (?:out )?into the (?:sea|ocean|water|river|lake|loch|waves|surf)"
      r"(?: (?:at night|tonight|alone|in the dark|one night|in winter))? (?:and )?(?:keep (?:walking|going|swimming)|(?:not|never)"
      r" (?:stop|come back|turn back|come out)|until (?:i|it|the))"
      r"|(?:i would|i will|i am going to|going to|i could|i might|i want to|want to|i am thinking of|thinking of|i am planning to"
      r"|planning to|i figured i would|i plan to) (?:\w+ ){0,8}(?:walk|wade|swim) (?:out )?into the (?:sea|ocean|water|river|lake|loch|waves)(?= *$| ,| and| at"
      r"| tonight| one| alone| in the)"
      r"|(?:drive|walk|swim|go|head|hike|wander)(?:ing)? (?:out |off |up |down )?(?:to|into|up|through|across) (?:the |a )?"
      r"(?:\w+ ){0,3}" + _WILD + r"\b.{0,50}\b(?:and|then) (?:just )?(?:not|never) (?:drive|walk|swim|come|go|make it|head|turn)"
      r" (?:back|home|out|around)(?! (?:until|till|for|before|the same|the way|from|to|in|with|at))",
      "crisis", "suicide", negatable=True, subject=True,
      unless=r"\b(?:paddl\w*|dip|bodyboard\w*|surf\w*|kayak\w*|snorkel\w*|holiday|fishing|wetsuit|with the kids|with my \w+"
             r"|up to my (?:knees|ankles|waist)|cool (?:off|down)|baptis\w*|film|movie|book|novel|song|game)\b")
# a staged accident ("nobody would think it wasn't an accident", "make it look like an accident") about oneself
_rule("staged_accident", r"(?:nobody|no one|they|people|anyone) (?:would|will|would ever|could) (?:ever )?(?:think|know|suspect"
      r"|guess|tell|question) (?:it|that) (?:was not|was|wasnt|is not|were not) (?:an accident|on purpose|deliberate|intentional)"
      r"|(?:make|made|making) it (?:look|seem) like an accident(?= *$| ,| so| then| and| for)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:him|her|them|boss|husband|wife|ex|neighbou?r|cat|dog|vase|cake|mess|spill\w*|broke|broken|dent\w*"
             r"|scratch\w*|prank|lol|haha|joke|joking|kidding|game|film|movie|book|novel|murder\w*|detective|insurance fraud)\b")
# a means question or finding about a drop with no barrier ("worked out which floor of the car park has no fence")
_rule("no_barrier", r"(?:which|what|whichever|the) (?:floor|level|storey|part|bit|side|section|end|bridge|roof|rooftop|balcony"
      r"|building|car park|multi storey|tower|cliff|spot|platform|viaduct|overpass)s? (?:\w+ ){0,5}(?:has no|have no|does not"
      r" have (?:a |any )?|do not have (?:a |any )?|with no|without (?:a |any )?|there is no|is not|are not) (?:\w+ )?(?:fence"
      r"|fences|fencing|railings?|barriers?|nets?|netting|bars|guard ?rails?|walls?|cameras?|fenced|railed|locked|guarded)",
      "concern", "means_request", negatable=False,
      unless=r"\b(?:dog|dogs|puppy|kids|toddler|children|ball|view|picnic|football|skate\w*|wheelchair|pram|buggy|parking"
             r" space|wind|shade|queue|sheep|cows|horses|cattle|garden|allotment|festival|stage|photo\w*|sunset)\b")
# preparatory acts: messages timed to send, things left for when they find (me), affairs tidied for the family, a last
# goodbye the other person did not know was one, a date picked so as not to spoil someone's day
_rule("timed_farewell", r"(?:texts?|messages?|emails?|posts?|letters?|videos?|voice notes?) (?:\w+ ){0,4}(?:scheduled|set|timed"
      r"|queued|programmed) to (?:send|go out|post|be sent|arrive|go)(?= *$| ,| on| at| in| after| when| tomorrow| tonight"
      r"| once| saturday| sunday| monday| tuesday| wednesday| thursday| friday| morning| early)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:birthday|work|newsletter|campaign|clients?|customers?|marketing|reminders?|christmas|xmas|anniversary"
             r"|team|meeting|invoices?|out of office|holiday|vacation|trip|valentine\w*|new year|mothers day|fathers day"
             r"|promo\w*|launch|sale|giveaway|followers|subscribers|fans|class|students|school|uni|assignment|blog|channel)\b")
_rule("for_when_found", r"(?:letters?|notes?|instructions|envelopes?|messages?|videos?|will|passwords|everything|it all"
      r"|explanation) (?:\w+ ){0,10}for (?:when|whoever|after|once) (?:they|someone|somebody|people|the police|my (?:\w+ )?\w+"
      r"|you|anyone) (?:finds?|found|find out|come (?:to find|looking))(?: me| my body| it| them)?(?= *$| ,)"
      r"|(?:letters?|notes?|instructions|envelopes?|messages?|videos?|texts?|cards?) (?:\w+ ){0,10}(?:for after|for afterwards"
      r"|for when it is (?:over|done)|for when i am (?:gone|not here|dead))(?= *$| ,)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:treasure hunt|scavenger|easter|eggs|presents?|gifts?|surprise|birthday|christmas|xmas|party|holiday"
             r"|babysitter|sitter|cleaner|plumber|landlord|keys? (?:are|is)|spare key|parcel|delivery|dog|cat|plants)\b")
_rule("tidy_for_family", r"(?:paid off|paying off|cancelled|canceled|cancelling|closed|closing|sorted|sorting|settled|cleared"
      r"|clearing|deleted|deleting) (?:\w+ ){0,8}(?:so |so that |that )?(?:it is|everything is|things are|it will be|they are|nothing"
      r" is|there is nothing|it all is|all is) (?:all )?(?:tidy|sorted|in order|easy|simple|clean|done|settled|left|neat"
      r"|straightforward|no hassle|less hassle) (?:\w+ ){0,2}for (?:my (?:\w+ )?(?:family|kids|children|mum|mom|dad|parents|wife"
      r"|husband|partner|sister|brother)|them|everyone|whoever|the people)",
      "concern", "suicide", negatable=False,
      unless=r"\b(?:move|moving|holiday|trip|baby|wedding|budget|mortgage|christmas|xmas|new (?:house|flat|job|year)"
             r"|retire\w*|emigrat\w*|abroad|operation|surgery|hospital stay|deploy\w*|divorce|when we|visit\w*)\b")
_rule("secret_goodbye", r"without (?:him|her|them|anyone|anybody|my \w+|(?:\w+ ){0,2}knowing) (?:knowing|realising|realizing"
      r"|suspecting)? ?(?:it was|that it was|i was saying|that i was saying|it is|what it was) (?:a |my )?(?:goodbye|bye|the last"
      r" time|for good|farewell|goodbye for good)"
      r"|(?:he|she|they) (?:did not|does not|had no idea|never) (?:know|realise|realize|knew)(?: that)? (?:it was|i was saying"
      r"|it is) (?:a |my )?(?:goodbye|bye|the last time)"
      r"|(?:like |as if )?it (?:was|were|is) the last time (?:\w+ ){0,2}(?:because|cause|since|as) it (?:is|will be|probably is"
      r"|might be|really is)(?= *$| ,)",
      "crisis", "suicide", negatable=False,
      unless=r"\b(?:moving|move|emigrat\w*|new job|surprise|abroad|leaving (?:for|the country)|deploy\w*|retir\w*)\b")
_rule("date_spares_someone", r"(?:picked|chosen|chose|set|decided on|planned|fixed|settled on) (?:a|the|my) (?:date|day|time)\b"
      r".{0,60}\b(?:(?:so |so that )?(?:i|it|that i|that it) (?:do not|does not|will not|would not|can not) (?:ruin|spoil"
      r"|wreck|mess up)|(?:so )?(?:nobody|no one|they|she|he) (?:has|have) to (?:find|deal))",
      "crisis", "imminent", negatable=False, subject=True,
      unless=r"\b(?:our wedding|we|us|party|surprise|meeting|move|moving|launch|dinner|celebrat\w*|clash\w*)\b")
# self-punishment by not eating ("i haven't eaten in days on purpose, i don't deserve it")
_rule("not_eating_punish", r"(?:not|have not|did not|stopped|stop|barely|refuse to|refusing to|will not|skip\w*|no) (?:been )?"
      r"(?:eat\w*|eaten|meals?|food)\b.{0,50}\b(?:on purpose|deliberately|as (?:a )?punishment|to punish myself|(?:i )?(?:do not"
      r"|did not|never) deserve (?:it|to eat|food|a meal|meals))|(?:do not|did not|never) deserve (?:to eat|food|a meal|meals)"
      r"(?= *$| ,| so| and| because)",
      "concern", "self_harm", negatable=False, subject=True, history="behaviour",
      unless=r"\b(?:flu|sick|bug|nause\w*|surgery|operation|fast\w*|ramadan|lent|dentist|tooth|wisdom|busy)\b")
# biting or pressing something hot on the body ("i bite my arm till it bruises", "pressed the hot iron on my leg")
_rule("bite_or_press", r"(?:bite|biting|bit|bites) (?:into )?my (?:own )?(?:arm|arms|hand|hands|wrist|wrists|forearm|fingers?"
      r"|skin|leg|legs|thigh|thighs|cheek|knuckles) (?:\w+ ){0,2}(?:until|till|til|so hard|hard enough) (?:that )?(?:it |they"
      r" |i )?(?:bruises?|bleeds?|bled|bruised|breaks?|broke|marks?|leaves? (?:a )?marks?|swell\w*)"
      r"|(?:press|pressed|pressing|held|hold|holding|put|putting|touch\w*|stub\w*) (?:a |the |my )?(?:hot |heated |lit )?"
      r"(?:iron|lighter|cigarettes?|straighteners|hair straighteners|curling iron|tongs|match|matches|pan|kettle|spoon|knife"
      r"|blade|glue gun|soldering iron|candle) (?:\w+ )?(?:on|to|against|into|onto) my (?:own )?" + _BODY,
      "crisis", "self_harm", negatable=True, subject=True, history="behaviour",
      unless=r"\b(?:accident\w*|by mistake|slipped|caught|knocked|nails?|cooking|ironing (?:my|a|the) \w+)\b")
# a self-harm counter reset ("0 days clean again", "back to day one"), new blades
_rule("clean_reset", r"(?:0|zero|no) days (?:clean|free|sh free|self harm free)(?= *$| ,| again| now| today)"
      r"|(?:back to|reset (?:to|my|the)) (?:day )?(?:0|zero|one|1)(?: again)?(?= *$| ,)(?=.*\b(?:blades?|cut\w*|self harm\w*"
      r"|burn\w*|scars?|clean)\b)|(?:reset|broke|lost) (?:my|the) (?:sh |self harm |clean |cutting )?(?:counter|streak|clean"
      r" date|days? count)(?= *$| ,| again| today| last| yesterday| this| the blade| tonight)"
      r"|(?:bought|got|buying|getting|ordered|found) (?:some )?(?:new |more |fresh |another pack of )?(?:blades|razor blades)"
      r"(?= *$| ,| today| again| yesterday| last| and| tonight)",
      "concern", "self_harm", negatable=True, subject=True,
      unless=r"\b(?:drink\w*|alcohol|booze|drugs|weed|smok\w*|vap\w*|sugar|gambl\w*|porn|nofap|diet|gym|caffeine|coffee"
             r"|shav\w*|razor for|planer|stanley|craft\w*|lawn ?mower|mower|skates?|wipers?|blender|saw|scalpel|hockey"
             r"|knife|shaver|beard|legs for|duolingo|streak on|snap ?streak|game)\b")
# a person who throws things at the speaker; being left unsafe where the water or the bank is ("left my shoes on the bank")
_rule("thrown_at_me", _PERSON + r" (?:\w+ ){0,2}(?:throws|threw|throwing|hurls|hurled|chucks|chucked|launches|launched|smashes"
      r"|smashed) (?:things|stuff|plates|objects|bottles|glasses|furniture|knives|a knife|a plate|a bottle|a glass|chairs?"
      r"|a chair|cups|mugs|shoes|a shoe|his phone|her phone|the remote|hot \w+|boiling \w+) (?:at|over) (?:me|my head|us|my face"
      r"|the kids|my \w+)",
      "crisis", "danger_from_others", negatable=True,
      unless=r"\b(?:ball|snowball|pillows?|cushions?|confetti|sweets|frisbee|treats|party|game|play\w*|joke|joking|lol"
             r"|haha|baby|toddler|my (?:son|daughter) is (?:one|two|three))\b")
_rule("shoes_on_the_bank", r"(?:left|leaving|put|taken off) my (?:shoes|phone|wallet|bag|coat|keys|note|jacket) (?:\w+ )?(?:on|by"
      r"|at|near) the (?:bank|bridge|edge|shore|beach|cliff|railing|railings|river|water|pier|platform|tracks|ledge|cliff top)",
      "crisis", "imminent", negatable=True, subject=True,
      unless=r"\b(?:swim\w*|paddl\w*|fishing|picnic|surf\w*|kayak\w*|forgot|forget|found|lost|by accident|beach volleyball"
             r"|sunbath\w*|dip)\b")
# hopelessness with no way back ("i've lost everything, there's nothing left and no way back"; "it's never going to get
# better, i've tried everything and i'm done trying")
_rule("no_way_back", r"(?:lost everything|nothing left|ruined everything|burned every bridge|lost it all)\b.{0,60}\bno (?:way"
      r" (?:back|out|forward)|coming back|future|point)(?= *$| ,| now| for me| from this| anymore| left)"
      r"|(?:never going to|will never|is never going to|are never going to|not going to ever) (?:get|be) better\b.{0,60}"
      r"\b(?:done trying|given up|give up|giving up|no point|i am done|tried everything|nothing (?:works|helps|left))"
      r"|(?:tried everything|done trying|given up)\b.{0,60}\b(?:never going to|will never|is never going to) (?:get|be) better",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:knee|my back|back pain|skin|acne|hair|physio|diet|grades?|team|club|season|garden|lawn|car|phone|laptop|wifi"
             r"|printer|code|bug|game|score|handwriting|cooking|french|spanish|german|maths|golf|swing)\b")
# a screener answer with its own content: no action, but the thoughts are there ("i'd never do it because of my mum but
# i've thought about how", "not that i'd do anything but i think about it", "yes but only fleeting thoughts", "now and
# then but i wouldn't act on it", "passive si")
_rule("hedged_answer", r"(?:would not|will not|would never|never would|not going to|not gonna|am not going to|not that i"
      r" would|not that id|wont|would not ever) (?:\w+ ){0,3}(?:do (?:anything|it|something)|act on (?:it|them)|go through with it)\b"
      r".{0,50}\b(?:but|though) (?:\w+ ){0,3}(?:i )?(?:think about it|thought about (?:it|how|doing it|ways)|get close|got close"
      r"|have thought about it|picture it|imagine it|think about how)"
      r"|(?:i )?(?:think|thought) about (?:it|how) (?:\w+ ){0,4}(?:but|though) (?:i )?(?:would not|will not|would never|am not"
      r" going to|wont) (?:\w+ ){0,2}(?:do (?:anything|it)|act on (?:it|them)|go through with it)"
      r"|(?:yes|yeah|yep|aye|sometimes|occasionally|now and then|a bit|a little|once or twice|the odd time|a few times)"
      r" (?:but )?(?:only )?(?:fleeting|passing|brief|vague) (?:thoughts|ones|moments)(?= *$| ,)"
      r"|(?:sometimes|occasionally|now and then|every now and then|the odd time|once or twice|a few times|a couple of times"
      r"|from time to time) (?:but )?(?:i )?(?:would not|will not|would never|wont) act on (?:it|them)(?= *$| ,)"
      r"|not (?:\w+ )?but (?:they are|it is|the thoughts are) (?:there|still there|around)(?= *$| ,)"
      r"|(?:passive|active) (?:si|suicidal ideation|ideation)\b",
      "concern", "suicide", negatable=False,
      unless=r"\b(?:quit\w*|job|leav\w* (?:him|her|them)|break\w* up|text\w* (?:him|her)|call\w* (?:him|her)|tattoo|move|moving"
             r"|revenge|hit (?:him|her)|punch|shout\w*|intrusive|my baby|the baby|harm (?:him|her|them|my baby)|angry|anger|rage"
             r"|violent|jealous\w*|binge|drink\w*|smok\w*|vap\w*|gambl\w*)\b")
# hopelessness: no fixing me, nothing will ever get better
_rule("no_fixing", r"no fixing (?:me|myself)(?= *$| ,| now| anymore| i\b| and)|(?:failure|mess|broken|ruin\w*|useless)\b.{0,50}"
      r"\bno fixing (?:it|me|this)(?= *$| ,| now| anymore)"
      r"|nothing (?:will ever|is ever going to|is going to|will) (?:get|be) better(?= *$| ,| i\b| ever| for me)",
      "concern", "suicide", negatable=False, subject=True)
# passive: not sure i want to be around to find out; go to bed hoping that is it; asking god to take me; something
# happening to me; properly gone; the people at my funeral relieved
_rule("passive_more", r"(?:not sure|do not know if|unsure if|not certain|doubt) i (?:want|wanna|will|would) (?:to )?be (?:around"
      r"|here|alive) (?:to (?:find out|see (?:it|that|if|how))|for (?:it|that)|much longer|by then)"
      r"|(?:go|went|going) to (?:bed|sleep) (?:\w+ ){0,2}hoping (?:that is it|it is (?:the end|over|all over)|this is the last"
      r"|i do not|i will not|not to)"
      r"|(?:asking|ask|asked|begging|beg|praying|pray|want|wish) (?:god|the lord|jesus|the universe|allah) (?:to )?(?:take me"
      r"|hurry up|call me home|come for me|let me go|end it)"
      r"|(?:hope|hoping|wish|wishing|pray\w*) (?:that )?something (?:bad )?(?:happens|would happen|will happen|happened) to me"
      r"|(?:disappear|vanish|be gone)\b.{0,50}\b(?:properly|for real|permanently|for good) gone"
      r"|(?:people|everyone|they|my family|anyone) at my (?:own )?funeral (?:would|will) (?:\w+ )?(?:be )?(?:relieved|glad|happy"
      r"|not care|laugh)|(?:it )?would not be (?:the worst thing|so bad|a bad thing) if i (?:\w+ ){0,2}(?:did not make it|died"
      r"|was gone|was not here|did not wake up|crashed|got hit)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:lottery|lucky|exciting|good|nice|amazing|fun|interesting|magical|romantic)\b")
# waiting for the fast train; doing it at a named place; means that "would work"
_rule("plan_place", r"(?:waiting for|waiting on|wait for) (?:the )?(?:fast|express|non stop|freight|next fast) (?:train|one)"
      r"(?= *$| ,| i\b| and)"
      r"|(?:i would|i could|i think i would|i would rather|i would probably|i always thought i would) do it (?:at|in|on"
      r"|off|from|by|near|under) (?:the |a |my |that |this )?(?:\w+ ){0,2}(?:cliffs?|bridge|lake|river|sea|woods|forest"
      r"|station|tracks|car park|multi storey|roof|rooftop|tower|quarry|beach|motorway|reservoir|canal|viaduct|pier)"
      r"|(?:under the sink|cleaning (?:stuff|products)|bleach|pills|tablets|rope|belt|cord|cable|bridge|drop|height|fumes"
      r"|exhaust|charcoal|that stuff|the stuff|insulin|the meds) (?:\w+ ){0,3}(?:would|will|should|could) (?:work|do it|do the"
      r" job|be enough|be quick)(?= *$| ,| i\b| for me)"
      r"|to myself (?:and then|then)(?= *$)"
      r"|(?:worked out|figured out|checked|know) when (?:\w+ ){0,4}(?:so |then )?i (?:would|will|can|could) (?:have|get)"
      r" the (?:place|house|flat|home) to myself",
      "concern", "suicide", negatable=True, subject=True,
      unless=r"\b(?:stain|stains|laundry|mould|mold|grout|drain|oven|recipe|cake|diy|paint\w*|shelf|tent|hike|party|photo\w*"
             r"|gaming|game|movie|film|date|boyfriend|girlfriend|guests?|friends over|music|practi[cs]e|revis\w*|study)\b")
# 988 warning signs said plainly: sudden calm after deciding; an aborted attempt (engine running, a ligature round the
# neck); swimming out until one cannot; not seeing oneself grow old; "this is bye for real"; the final chapter; a note
# written and sealed; "it's over for me tonight"; affairs tidy and ready to leave; "see you on the other side"; a last
# sunrise on this planet; researching methods; the stuff bought and in the bag; too much for everyone
_rule("signs_more", r"(?:calm|at peace|relieved|lighter)\b.{0,40}\b(?:because|since|now that) (?:i have |i )?(?:decided|made"
      r" (?:up )?my mind|set the date|picked (?:a|the) date|know (?:what|when) i am doing)(?= *$| ,| and)"
      r"|(?:(?:i have |i )?decided(?! to| on| that| what| which| between| against| where| whether| how| if)|made (?:up )?my mind"
      r"|set the date|picked (?:a|the) date|circled the (?:day|date)|marked the (?:day|date))\b.{0,50}\b(?:calm|at peace"
      r"|relieved|no going back|sticking to it|no matter what|it is decided|decided)(?= *$| ,| now| for the first| and)"
      r"|(?:sat|sitting|sit) in (?:the|my) (?:car|garage)(?: in (?:the|my) garage)? with the engine (?:running|on)"
      r"|(?:belt|rope|cord|cable|ligature|noose|bed ?sheet|flex) (?:\w+ ){0,2}(?:round|around) my neck"
      r"|swim (?:out )?(?:\w+ ){0,2}(?:until|till) i (?:can not|cannot|sink|drown|go under|am too tired|can not swim)"
      r"|(?:do not|can not) (?:see|picture|imagine) (?:myself|me) (?:growing old|getting old|reaching (?:\w+ty|old age)"
      r"|making it to (?:\w+ty|next year|christmas)|turning \w+ty)(?= *$| ,| at all| honestly)"
      r"|(?:this is|it is) (?:bye|goodbye) (?:for real|for good|forever|everyone|folks|all|guys)"
      r"|(?:this is|guess this is) the (?:final|last) chapter (?:for me|of my (?:life|story))"
      r"|(?:note|notes|letter|letters) (?:is|are) (?:written|done|finished|ready)\b.{0,30}\b(?:envelope|sealed|addressed|everything"
      r" is (?:sorted|ready|done)|on the table|on my (?:desk|bed|pillow)|ready)"
      r"|(?:it is|it will be|everything is) (?:all )?over for me (?:tonight|today|soon|now|this week)(?= *$| ,)"
      r"|(?:affairs|everything|things) (?:are|is) (?:tidy|in order|sorted|settled|ready)\b.{0,40}\bready to (?:go|leave)"
      r"(?= *$| ,| now)"
      r"|see (?:you|ya|you all|y all) on the other side(?= *$| ,| everyone| folks| guys| all| friends| love| x)"
      r"|(?:my )?(?:final|last) (?:sunrise|sunset|morning|night|day|weekend|christmas|birthday|meal) (?:on (?:this|the)"
      r" (?:planet|earth)|alive|of my life)"
      r"|(?:researching|reading about|looking up|googling|looked up|searched|searching|researched) (?:different |suicide"
      r" |painless |quick )?methods(?= *$| ,| all| again| online| last| tonight)"
      r"|(?:bought|got|picked up|ordered|collected) the stuff(?: today| tonight| yesterday| now)? ?(?:it is in my (?:bag|room"
      r"|car|drawer|pocket)|no going back|it is hidden|it is ready|i am ready)"
      r"|i am too much for (?:everyone|everybody|people|my family|them|anyone)(?= *$| ,| and)"
      r"|(?:praying|hoping|wishing|pray|hope|wish) (?:that )?tomorrow (?:never comes|does not come|will not come|never"
      r" arrives)(?: for me)?"
      r"|\b(?:god|the lord|jesus|allah)\b (?:\w+ ){0,3}(?:take me|call me home|come (?:and get|for) me|let me die)"
      r"(?= *$| ,| in my sleep| tonight| now| home| already| soon| i\b| o\b)"
      r"|calm about (?:what|how|when) i (?:will|am going to|have decided to) do(?= *$| ,)"
      r"|(?:do not|can not) see (?:any |a )?future for (?:me|myself)(?= *$| ,| at all| i\b| anymore)"
      r"|the void (?:is )?(?:looking|sounds|seems|feels|is) (?:\w+ )?(?:comfy|comfortable|nice|good|inviting|appealing"
      r"|tempting|peaceful)"
      r"|(?:want|wish) (?:everything|it all|the world) to (?:go quiet|go dark|go black|stop) (?:and )?(?:never|not)"
      r" (?:start|come back|switch on|wake)"

      r"|(?:how many|what) (?:floors?|storeys?|stories|metres|meters|feet) (?:up|high|down)? ?(?:\w+ ){0,3}(?:to make sure"
      r"|to be sure|to die|would do it|to not survive|so i do not survive)"
      r"|(?:not|never) (?:going to |gonna )?(?:do|try) (?:anything|something) (?:stupid|drastic|silly|dumb|to myself)"
      r"(?: tonight| today| right now)? (?:probably|maybe|yet|for now|i think|i hope|hopefully|i guess)(?= *$| ,)",
      "concern", "suicide", negatable=False,
      unless=r"\b(?:wedding|party|holiday|trip|move|moving|job|new job|exam|interview|game|level|boss|film|movie|book|novel"
             r"|series|season|episode|show|thank you|thanks|birthday|christmas|xmas|valentine\w*|thesis|dissertation"
             r"|research project|paper|essay|class|course|lab|teaching|cooking|baking|training|warm\w*|heater|defrost"
             r"|waiting for|school run|traffic|air con|knit\w*|wool|winter|cold|necklace|lanyard|fashion|tie a tie"
             r"|lifeguard|swimming lessons?|triathlon|race|holidays|flight|camping|photo\w*|sunrise yoga|retir\w*|meeting"
             r"|lecture|boring|endless|queue|mothers day|fathers day)\b")
# a farewell said as thanks ("i sent my brother a text saying thanks for everything and that i love him")
_rule("thanks_for_everything", r"(?:texts?|messages?|letters?|cards?|voice notes?|emails?) (?:\w+ ){0,2}saying (?:thanks|thank you)"
      r" for everything (?:and )?(?:that )?i love (?:him|her|them|you)(?= *$| ,| and)", "concern", "suicide", negatable=False,
      unless=r"\b(?:birthday|christmas|xmas|mothers day|fathers day|anniversary|wedding|retir\w*|leaving do|graduat\w*"
             r"|moving|move|new job|valentine\w*|thank you card)\b")
# asking god to hurry up and take me (about the speaker even when someone else is named first)
_rule("ask_god_to_take_me", r"(?:god|the lord|jesus|allah)\b.{0,60}\b(?:asking|ask|begging|beg|praying|pray|told) (?:him|her|god"
      r"|the lord) (?:to )?(?:hurry up|take me|come for me|call me home)", "concern", "suicide", negatable=True)
# a firearm in reach and rumination about it
_rule("firearm_thoughts", _FIREARM + r"\b.{0,60}\b(?:i )?(?:keep|kept|been|can not stop|have been) (?:thinking|think) about"
      r" (?:it|using it|that|it a lot|taking it)(?= *$| ,| and| lately| every)",
      "concern", "suicide", negatable=True,
      unless=r"\b(?:shooting|hunting|clay|range|licen[cs]e|sell\w*|sold|safe|lock\w*|police|hand (?:it|them) in)\b")
# giving things away without saying why; "i won't need it"; a last look round; not seeing someone again; no mess for
# anyone; appointments cancelled because there is no point
_rule("prep_more", r"(?:gave|given|giving|give|handed|told) .{0,60}\b(?:(?:he|she|they) (?:does not|do not|did not|will not"
      r"|would not) (?:know|understand|get) why|(?:i )?(?:did not|do not|will not|never) (?:tell|told|say|said) (?:him|her|them)"
      r" why)(?= *$| ,| and)"
      r"|(?:cancel\w*|gave away|giving away|sold|selling|paid off|closed|quit|stopped) .{0,60}\bi (?:will not|am not going to"
      r"|would not) need (?:it|them|that|any of (?:it|them))(?= *$| ,| anymore| soon| where i am going)"
      r"|(?:a|one|my) (?:last|final) look (?:round|around|at (?:everything|it all|the place|home))(?= *$| ,)"
      r"|(?:do not think|not sure|doubt|do not know if) i will (?:ever )?(?:see|hug|hold|talk to) (?:her|him|them|my \w+|you|anyone)"
      r" again(?= *$| ,| after| and)"
      r"|(?:there is|there will be|there is going to be|leave|leaving) no (?:mess|hassle|trouble|fuss|loose ends) for (?:anyone"
      r"|anybody|my \w+|them|everyone|whoever)(?= *$| ,| to)"
      r"|cancel\w* (?:\w+ ){0,5}(?:because|as|since|cause) (?:there is )?no point (?:booking|making|rebooking|going|renewing)"
      r"|life insurance (?:\w+ ){0,2}(?:would|will|still|does)? ?(?:still )?(?:pays? out|covers? it|be valid|applies)"
      r"(?= *$| ,| i\b| for it| if i| even)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:surprise|birthday|christmas|xmas|present|gift|moving|move|moved|abroad|emigrat\w*|australia|new job|travel\w*"
             r"|retir\w*|netflix|spotify|subscription|streaming|holiday|trip|wedding|baby|house|flat|mortgage|party|guests"
             r"|when (?:she|he|they|we) (?:get|gets|come|comes|arrive\w*|visit\w*)|back from|selling|sold (?:the|our) house"
             r"|graduat\w*|school (?:is|was) (?:closing|being)|demolish\w*|renovat\w*|course|term|semester|camp|summer|contract"
             r"|placement|internship|festival|cruise|conference)\b")
# self-harm: a sharpener broken again for the blade; pulling hair out until there are bald bits
_rule("sh_more", r"(?:broke|broken|breaking|took apart|taking apart|snapped) (?:a|my|another|the) (?:pencil )?sharpener"
      r"(?: again| for the blade| to get the blade)(?= *$| ,| and| today| tonight)"
      r"|(?:pull|pulling|pulled|rip|ripping|ripped|tear|tearing) (?:my|out my) (?:own )?(?:hair|eyelashes|lashes) (?:out )?"
      r"(?:\w+ ){0,2}(?:until|till|til) (?:there are |there is |i have |it )?(?:bald|bleed\w*|patches|gaps)",
      "concern", "self_harm", negatable=True, subject=True)
# someone else in danger now: beaten at home and afraid; a forced marriage
_rule("danger_to_other", r"(?:" + _PERSON + r"|(?:his|her|their) (?:\w+ )?(?:dad|father|mum|mom|mother|stepdad|step dad"
      r"|stepfather|husband|boyfriend|partner|uncle|brother|ex|wife|girlfriend))" + r" (?:\w+ ){0,2}(?:beats|hits|abuses|rapes|hurts|strangles|chokes|punches|kicks|molests"
      r"|touches|beat|hit|abused) (?:her|him|them)\b.{0,60}\b(?:terrified|scared|afraid|frightened|bruises|will not tell"
      r"|does not want to go (?:home|back)|hides|hiding|too scared)"
      r"|(?:being|been|am|is|are) (?:\w+ )?forced (?:to|into) (?:marry|marriage|a marriage|wed)|forced marriage"
      r"|(?:forcing|force|forced|making|pressuring|pressure) me (?:to|into) (?:marry|marriage|a marriage|get married|wed)"
      r"|" + _PERSON + r" (?:\w+ ){0,2}(?:gets|becomes|turns|goes|can get|is getting|has been getting) (?:\w+ )?violent"
      r"(?= *$| ,| when| if| after| with| and| towards| to)",
      "crisis", "danger_from_others", negatable=True,
      unless=r"\b(?:film|movie|book|novel|documentary|history|article|essay|show|series|character|episode|game|chess"
             r"|tickl\w*|play\w*|years ago|used to)\b")
# a reported screening question answered no ("my therapist asked if i have thoughts of harming myself and i could say
# no"): see _DENIED_SCREEN in _apply_rules

# ---------------------------------------------------------------------------------------------
# medical emergency
# ---------------------------------------------------------------------------------------------
_DRUG = _alt("pills", "tablets", "meds", "medication", "medications", "medicine", "capsules", "paracetamol", "tylenol",
             "acetaminophen", "ibuprofen", "aspirins", "advil", "sleeping pills", "sleeping tablets", "painkillers",
             "pain killers", "antidepressants", "insulin", "opioids", "oxycodone", "oxy", "fentanyl", "heroin", r"\w+ medication",
             r"\w+ meds", r"\w+ medicine",
             "xanax", "valium", "benzos", "codeine", "tramadol", "morphine", "lithium", r"\w+ pills", r"\w+ tablets",
             "diazepam", "lorazepam", "clonazepam", "alprazolam", "sertraline", "fluoxetine", "citalopram", "amitriptyline",
             "propranolol", "quetiapine", "zopiclone", "zolpidem", "ambien", "aspirin", "digoxin", "warfarin", "methadone")
_rule("overdose_taken", r"(?:took|taken|taking|have taken|swallowed|had|downed|ate|necked|popped|drank|take) (?:a |the )?"
      r"(?:whole|entire|full|two|three|several|few) (?:bottles?|packs?|packets?|box(?:es)?|strips?|sheets?|tubs?|jars?)"
      r"(?: of \w+(?: \w+)?)?|(?:took|taken|taking|have taken|swallowed|downed|necked|popped|ate) (?:too many|too much|all"
      r" (?:of )?(?:my|the|his|her|their)|a (?:bunch|load|lot|handful|fistful|heap|ton|pile) of|loads of|lots of"
      r"|a whole (?:lot|bunch|load|heap) of|handfuls of|\d{2,}|fifteen|twenty|thirty|forty|fifty|a hundred|double|triple) (?:of )?(?:my |the |his |her |their )?"
      + _DRUG
      + r"|(?:i|he|she|they|my \w+) (?:just |have )?(?:overdosed|took an overdose|taken an overdose|had an overdose)"
      r"(?! on (?:chocolate|sugar|caffeine|coffee|netflix|tv|candy|sweets|cake|carbs|junk|social media|love|work"
      r"|sunshine|cheese|pizza|cookies|memes|drama|\w+ (?:shows?|series)))"
      r"|(?:mixed|mixing|took|taken|washed down|with) (?:my |the |some |all my )?" + _DRUG
      + r" (?:with|and|down with) (?:vodka|alcohol|wine|beer|whisky|whiskey|booze|drink|gin|rum)",
      "crisis", "medical", negatable=True, history="behaviour",
      unless=r"\b(?:years ago|last year|months ago|when i was|in the past|used to|as prescribed|the doctor said)\b"
      # round 5: someone else's overdose that is already being handled ("my sister od'd but she's stable now")
      r"|^(?!.*\bi (?:just |have )?(?:overdosed|took|taken|swallowed|had|downed))(?=.*\b(?:he|she|they|my \w+)\b).*\b(?:stable"
      r"|recovering|doing (?:better|well|ok|okay|fine)|in (?:treatment|rehab|recovery)|(?:treatment|rehab|recovery)"
      r" (?:programme|program|centre|center)|discharged|out of hospital|home now|(?:is|are) (?:ok|okay|fine|safe) now"
      r"|pulled through|getting help|got help|family is with)\b")
# "took all of them. just wanted someone to know": the pills are not named, the act ends the sentence
_rule("overdose_all", r"(?:took|taken|swallowed|downed|necked|popped) (?:all of them|the lot|the whole lot|every (?:single )?one"
      r"(?: of them)?|the rest of them|all of it|the whole (?:bottle|packet|pack|box|strip))(?= *$| ,| just| and| now| tonight"
      r"| an hour| a few| half| so| i )", "crisis", "medical", negatable=True, history="behaviour",
      unless=r"\b(?:to the|to school|to the park|home|out|with me|back|photos?|pictures?|notes|exams?|tests?|questions|calls|shots"
      r"|advice|years ago|when i was|used to)\b")
_rule("poison", r"(?:drank|drunk|swallowed|ate|taken|took|drinking|have drunk|inhaled) (?:some |a (?:bottle|cup|glass)"
      r" of )?(?:bleach|antifreeze|anti freeze|poison|rat poison|weed killer|pesticide|cyanide|drain cleaner|lye"
      r"|detergent|laundry pods?|battery acid|methanol|paraquat|gasoline|petrol|lighter fluid|window cleaner)",
      "crisis", "medical", negatable=True)
_rule("cannot_breathe", r"(?:can not|could not|struggling to|hard to|unable to|barely) breathe(?! (?:through my nose"
      r"|at work|at my job|in this|in that|around|when i (?:think|get anxious|laugh)|from laughing|with this cold"
      r"|because of (?:my|the) cold|with my cold|properly through))|(?:stopped|is not|not|no longer) breathing"
      r"|(?:throat|tongue) (?:is |are )?(?:closing|swelling|swollen)", "crisis", "medical", negatable=False,
      unless=r"\b(?:feel like i can not|feels like i can not|as if i can not|like i am drowning|laughing|laugh|so funny|cold|flu|stuffy|blocked nose|nose"
             r"|my job|at work|relationship|suffocating|stressed|deadline|mask|yoga|meditation|last week|yesterday"
             r"|used to|when i run|running|exercise|stairs|asthma but|under control)\b")
_rule("chest_pain", r"(?:crushing|severe|sharp|stabbing|really bad|terrible|worst) chest pains?|chest (?:is |feels )?"
      r"(?:pain|hurts|hurting|tight|heavy|pressure|squeezing|crushing)\b.{0,50}\b(?:left arm|my arm|arm (?:hurts|is numb|is"
      r" tingling|feels)|jaw|sweating|sweaty|numb|faint|nause\w*|throwing up|can not breathe|short of breath)|chest pains? (?:and|with"
      r"|spreading|going|down) .{0,30}\b(?:arm|jaw|numb|sweat\w*|breathe|dizzy|faint)|chest (?:hurts|is hurting|feels"
      r" crushed|feels like (?:an elephant|it is being crushed))(?: \w+){0,3} (?:and|with) .{0,30}\b(?:arm|jaw|numb"
      r"|sweat\w*|breathe|dizzy|faint|really bad|badly)|my (?:left )?arm is (?:numb|tingling) and my chest"
      r"|(?:having|had|have) (?:a )?(?:heart attack|stroke|seizure|anaphylactic|anaphylaxis|allergic reaction and)(?! of)"
      r"|face (?:is )?(?:drooping|droops|numb on one side)|can not (?:move|feel) (?:my|the) (?:left |right )?(?:arm"
      r"|leg|face|side)|slurr\w+ (?:my )?(?:speech|words)", "crisis", "medical", negatable=True,
      unless=r"\b(?:last (?:year|month)|years ago|back in (?:january|february|march|april|may|june|july|august|september|october"
             r"|november|december|the spring|the summer)|my (?:grand\w+|dad|mum|mom|father|mother|uncle|aunt|brother|sister|friend"
             r"|husband|wife|partner|son|daughter|cousin|neighbou?r|boss)(?: \w+)? (?:had|died)|(?:he|she) is (?:grand|fine|okay|ok|better)"
             r"|i am convinced|convinced i am|every twinge"
             r"|used to|anxious|anxiety|panic attack last|when i get (?:anxious|stressed|nervous)|worried i might|last week"
             r"|scared i might|afraid i might|scared of having|afraid of having|what if)\b")
_rule("bleeding", r"(?:bleeding|bleed|blood) (?:a lot|heavily|badly|everywhere|profusely|will not stop|is not stopping"
      r"|wont stop|all over)|can not stop (?:the )?bleeding|(?:will not|can not|does not|would not|is not going to) stop bleeding|losing (?:a lot of )?blood|(?:cut|cuts) (?:is|are) (?:deep"
      r"|gaping|pouring)|blood is pouring", "crisis", "medical", negatable=True,
      unless=r"\b(?:period|nose ?bleed|nose is|gums|last (?:week|month|year)|shaving|paper cut)\b")
_rule("unresponsive", r"(?:will not|does not|can not|is not|not) (?:wake up|waking up|respond\w*|breathing)(?= *$| ,| and"
      r"| anymore| at all| now| properly)|can not wake (?:him|her|them) up|(?:is|was|found \w+) unconscious"
      r"|passed out and (?:will not|can not|is not)|(?:collapsed|fainted) and (?:is not|will not|can not|is) "
      r"(?:wak\w+|respond\w*|breath\w*|moving)", "crisis", "medical", negatable=False,
      unless=r"^(?!.*\b(?:pills|tablets|overdos\w*|drank|drunk|collapsed|fainted|unconscious|blood|bleeding|fell|head"
             r"|seizure|ambulance|breathing|blue|cold|drugs?|took|taken|swallowed)\b)")

_rule("cannot_wake", r"can not (?:wake|rouse) (?:him|her|them|my \w+) up(?= *$| ,| and| at all| now)", "crisis", "medical",
      negatable=False, unless=r"\b(?:school|work|alarm|lazy|teen\w*|morning|oversle\w*|on time|breakfast|class|bus)\b")
_rule("emergency_words", r"(?:call|calling|get|need|send) (?:an |the )?(?:ambulance|paramedics|911|999|112|000|an "
      r"emergency)(?= *$| ,| now| right now| please| for| because| i)|i think i am dying(?! (?:of|to|for|inside|laughing"
      r"|from (?:boredom|embarrassment|cringe)))|i feel like i am dying(?= *$| ,| and| right now| my| i can| something)",
      "crisis", "medical", negatable=True, unless=r"\b(?:lol|haha|joke|kidding|movie|film|show|game|drill|training"
      r"|course|first aid|paperwork|job|shift|nurse|paramedic|dispatcher|panic attack last)\b")

# ---------------------------------------------------------------------------------------------
# imminent risk: the person says they are not safe now, will not last the night, or that "it" happens now
# ---------------------------------------------------------------------------------------------
_SOMEONE_ELSE_OR_PLACE = (
    r"\b(?:he|she|they|him|her|them|his|their|(?<!need )(?<!want )(?<!with )someone|(?<!need )somebody|people|my (?:\w+ )?(?:husband|wife|boyfriend|girlfriend"
    r"|partner|ex|dad|father|mum|mom|mother|stepdad|stepfather|brother|sister|uncle|family|parents|flatmate|roommate"
    r"|landlord|neighbou?rs?|boss|son|daughter)|at home|in (?:my|the|this|our) (?:own )?(?:house|home|flat|apartment"
    r"|neighbou?rhood|area|street|relationship|building|town|city|country|car|school|office)|walking|to drive|driving"
    r"|job|work|financially|money|online|roads?|flight|flying|plane|crowds?|covid|virus|germs|food|emotionally safe"
    r"|opening up|sharing|talking|therapy|with you|to talk|to say|to share|to open up|in groups?|on the (?:bus|train"
    r"|tube|street)|at night|after dark|outside|out there)\b")
_rule("not_safe_now", r"(?:do not|does not|never|no longer) feel safe(?: (?:right now|now|tonight|today|at the moment"
      r"|anymore|with myself|being (?:alone|on my own|by myself)|on my own|by myself|alone|in my (?:own )?(?:head|mind"
      r"|body|skin)|with my (?:own )?(?:thoughts|mind|head)|around myself|from myself))?(?: (?:right now|now|tonight|today|anymore))?(?= *$| ,| and\b| i\b| please\b| can\b"
      r"| what\b| help\b)"
      r"|i am not safe(?: (?:right now|now|tonight|today|anymore|with myself|on my own|alone|by myself|from myself"
      r"|around myself|to be (?:alone|on my own|left alone|by myself)))?(?: (?:right now|now|tonight|today|anymore))?"
      r"(?= *$| ,| and\b| i\b| please\b| can\b| help\b)"
      r"|(?:do not|can not|no longer) trust myself (?:right now|tonight|today|to be (?:alone|on my own|safe|by myself)"
      r"|alone|on my own|by myself|not to (?:do something|hurt|act|go through|use))",
      "crisis", "imminent", negatable=False, unless=_SOMEONE_ELSE_OR_PLACE)
# round 14: "it's too late for me now": hopelessness about themselves, asked about directly
_rule("too_late_for_me", r"(?:it is|it was|its) (?:way |far |just |already )?too late for me(?: now| anyway)?(?= *$| ,| and\b| i\b| anyway)",
      "concern", "suicide", negatable=False,
      unless=r"\b(?:apply|applications?|enrol\w*|sign up|register|tickets?|booking|deadline|course|degree|uni|college|train|bus"
             r"|flight|coffee|party|join|change careers?|learn)\b")
# round 12: "i don't think i should be on my own tonight" (sat in the car an hour): asked about directly
_rule("not_alone_tonight", r"(?:do not think i should|i should not|i should not really|i better not|i had better not|i can not)"
      r" be (?:on my own|alone|by myself|left alone|left on my own)(?: (?:tonight|right now|now|today|at the moment|this evening))?"
      r"(?= *$| ,| and\b| i\b| honestly| really)",
      "concern", "suicide", negatable=False,
      unless=r"\b(?:surgery|operation|op|anaesthetic|anesthetic|sedation|sedated|concussion|stitches|fever|flu|ill|sick"
             r"|baby|newborn|kids|storm|power cut|scary|horror|film|movie|seizures?|diabetic|hypo|drunk|drinks)\b")
_rule("wont_last_night", r"(?:will not|not going to|do not think i will|do not think i am going to|doubt i will|doubt i"
      r" am going to|might not|may not|can not|not sure i will|not sure i can) (?:make it|last|survive|get|hold on|hang"
      r" on) (?:through|past|until|till|to|the) ?(?:the night|tonight|night|the morning|morning|tomorrow|the weekend"
      r"|another night|another day)(?= *$| ,| like this| alone| honestly| and\b| i\b| if\b)"
      r"|(?:will not|not going to|do not think i will|doubt i will) (?:still )?be (?:here|alive|around) (?:in the morning"
      r"|by (?:the )?morning|tomorrow|by tomorrow|by the weekend|to see (?:the morning|tomorrow))",
      "crisis", "imminent", negatable=False,
      unless=r"\b(?:meeting|shift|class|lecture|exam|coffee|food|nap|caffeine|gym|party|game|movie|film|traffic"
             r"|deadline|flight|trip|holiday|vacation|hungry|starving|lol|haha|boring|bored|work|office|queue|line"
             r"|wedding|concert|show|season|episode|battery|phone|plant|plants|flowers|milk|bread|car)\b")
# round 10: at a height or the water, and not going home ("i'm sat in my car on the top floor of the multi storey and i don't
# think i'm going home tonight")
_rule("not_going_home", r"(?:top (?:floor|level|deck) of|on the roof of|on top of|at the top of|on the edge of|up at the|out at the"
      r"|standing on|on) (?:the |a |this )?(?:multi storey|car park|parking garage|bridge|cliffs?|roof|rooftop|building|tower|lookout"
      r"|viaduct|overpass|pier|quarry|edge)\b[^\n]{0,80}(?:do not think i am|not sure i am|i am not|i will not be|will not be|never)"
      r" (?:going|coming|driving|getting|walking) (?:back )?home",
      "crisis", "imminent", negatable=False)
_rule("doing_it_now", r"(?:i am going to|i will|i am|i am gonna|i am finally going to|i am ready to|i am planning to|i plan"
      r" to|i am about to) (?:do it|go through with it|end it) (?:tonight|right now|now|in (?:an|a few|\w+) hours?"
      r"|after (?:everyone|they|the kids|my \w+) (?:goes|go|go to|is|are|gets|get) (?:to bed|asleep|out|home)|when"
      r" (?:everyone|they|the house) (?:is|are|goes|go) (?:asleep|to bed|quiet|out))(?= *$| ,| and\b| i\b| nobody\b"
      r"| no one\b| for real| for good)"
      r"|(?:i am going to|i will|i am gonna|going to) (?:do it|go through with it|end it) (?:after|when) (?:this|our|we finish"
      r" this|the) (?:conversation|call|chat|session|talk)(?= *$| ,| and\b| i\b)"
      r"|(?:tonight|today|tomorrow|this weekend) (?:is )?the (?:night|day)(?= *$| ,| i\b| and\b| for real)"
      r"|(?:it|this|everything|all of it|all this) (?:all )?ends (?:tonight|today|tomorrow|this weekend|on (?:monday"
      r"|tuesday|wednesday|thursday|friday|saturday|sunday)|this week|soon|for me (?:tonight|soon|today))(?= *$| ,| and\b| i\b)"
      r"|by (?:this time|the morning|tomorrow|morning|the weekend) (?:tomorrow |next week )?(?:it will (?:all )?be (?:over"
      r"|done)|i will be (?:gone|dead)|i will not be (?:here|around|alive)|i will be at peace)"
      r"|(?:it is|this is) (?:happening|going to happen) (?:tonight|today|now)(?= *$| ,| and\b| i\b)",
      "crisis", "imminent", negatable=False, unless=_BENIGN_IT, unless_message=True)

# ---------------------------------------------------------------------------------------------
# warning signs and preparatory behaviour (988 Lifeline warning signs, C-SSRS behaviour items, IS PATH WARM)
# ---------------------------------------------------------------------------------------------
_LOVED = (r"(?:everyone|everybody|my (?:\w+ )?(?:family|kids|children|son|daughter|mum|mom|mother|dad|father|parents"
          r"|wife|husband|partner|girlfriend|boyfriend|sister|brother|friends?|best friend|nan|gran|grandma|grandad"
          r"|grandpa|loved ones|people)|the people i love|him|her|them|each of them|all of them)")
_rule("farewell_letters", r"(?:wrote|written|writing|write|left|leaving|leave|recorded|recording|record|made|making"
      r"|filmed|filming|typed|drafted|drafting|finished|sent|sending|scheduled|scheduling) (?:a |some |the |one |my |two "
      r"|a few |all )?(?:last |final |goodbye |little )?(?:letters?|notes?|messages?|videos?|voice (?:notes?|messages?)"
      r"|emails?|texts?|cards?|goodbyes?) (?:for|to) " + _LOVED + r" (?:\w+ ){0,4}(?:to find|for when it happens"
      r"|(?:that )?none of (?:this|it) is (?:their|his|her|your|anyones) fault|after i am gone|when i am gone|once i am"
      r" gone|when i am not (?:here|around)|for after|for when|to find|to read after|to open after|explaining (?:why"
      r"|everything|what i did)|why i did (?:it|this)|saying (?:goodbye|sorry|i am sorry)|telling (?:them|him|her"
      r"|everyone|each of them) (?:i am sorry|goodbye|i love|that i love|that i loved|it is not)|so (?:they|she|he)"
      r" (?:know|knows|will know|have|has|will have|understand|understands) (?:i|that i|something from me|why)|that it"
      r" is not (?:their|his|her|your|anyones) fault|(?:that )?i (?:loved|love) (?:them|him|her|you)|in case)"
      r"|(?:one|a|my) last (?:post|message|letter|note|video|text|email|tweet)(?= *$| ,| to| for| before| and| on)"
      r"|(?:wrote|written|writing|typed|sent|left) " + _LOVED + r" (?:a |an )?(?:long |last |final )?(?:letter|note"
      r"|message|email|text) (?:\w+ ){0,3}(?:(?:that )?none of (?:this|it) is (?:their|his|her|your) fault|for after"
      r"|to (?:find|read) (?:after|when|once)|saying goodbye)|my (?:notes|letters|goodbye letters) are (?:all )?(?:written"
      r"|done|ready|finished)"
      r"|(?:so )?(?:they|she|he|the kids|my kids) (?:will )?(?:have|has) something (?:to remember me by|from me)"
      r"(?= *$| ,| after| when| once| for)",
      "crisis", "suicide", negatable=False,
      unless=r"\b(?:birthday|christmas|xmas|thank\w*|wedding|cover letter|recommendation|complaint|resignation"
             r"|love letter|pen ?pal|colleague|coworker|leaving do|retire\w*|therapist|therapy|future self|homework"
             r"|assignment|time capsule|graduat\w*|holiday|trip|camp|deploy\w*|travel\w*|moving|move)\b")
_rule("giving_away_reason", r"(?:gave|giving|give|given|handed|handing|passed|passing|left|leaving|signed|signing)"
      r" (?:away |out |over |on )?(?:my|all my|some of my|most of my) (?:\w+ ){0,3}(?:to|out to|over to) (?:\w+ ){0,3}"
      r"(?:because|cause|since|as|so|coz) (?:i (?:will not|do not|am not going to|would not|no longer) (?:need|be"
      r" needing|be using|use|have any use for) (?:it|them|any of it|anything|that)|(?:he|she|they|someone) (?:can|will"
      r"|could|would) (?:look after|take care of|have|keep) (?:it|them|her|him) (?:after|when|once|for me|from now"
      r"|properly)|i will not be (?:around|here))"
      r"|(?:gave|giving|give|handed|handing|passed|passing|signed|signing) (?:\w+ ){0,4}(?:over |on )?(?:to|into) (?:my"
      r" |a |the )?(?:\w+ ){0,3}(?:for good|before i go(?= *$| ,)|since i (?:will not|wont) (?:need|use) (?:it|them)"
      r"|i (?:will not|wont) (?:use|need) (?:it|them) again)"
      r"|(?:everything|all) i own (?:is going|goes|will go) to"
      r"|(?:goes|go|going) to a good home before i go"
      r"|(?:will not|am not going to|do not|would not) (?:need|be needing) (?:it|them|my \w+|any of (?:it|this|that|my"
      r" \w+)|anything|these|those) (?:anymore |much longer )?(?:where i am going|after (?:tonight|this week|this"
      r" weekend|friday|i am gone)|when i am gone|soon)"
      r"|(?:told|tell|telling|asked|asking) (?:\w+ ){1,3}(?:he|she|they) (?:can|could|should) (?:have|keep|take)"
      r" (?:my|all my) (?:\w+ ){0,3}(?:after|when i|once|from now on|if anything happens)"
      r"|(?:sorted|sorting|decided|deciding|figured|figuring|worked|working|planned|planning|written|wrote|made|making)"
      r" (?:out )?(?:a list of )?who (?:gets|will get|should get|can have|takes|will take|inherits) (?:my|all my)"
      r" (?:things|stuff|belongings|money|savings|pets?|dog|cat|car|possessions|guitar|records|books|clothes|jewellery"
      r"|jewelry|everything)"
      r"|(?:look|looking|take|taking) (?:after|care of) my (?:dog|cat|pets?|kids|children|plants|fish|horse|rabbit)"
      r" (?:for me )?(?:after i am gone|when i am gone|once i am gone|when i am not (?:here|around)|after(?= *$| ,))",
      "crisis", "suicide", negatable=False,
      unless=r"\b(?:moving|move|moved|declutter\w*|charity|thrift|garage sale|yard sale|minimalis\w*|downsiz\w*"
             r"|outgrew|outgrown|new one|upgrade\w*|holiday|vacation|trip|travel\w*|hospital stay|surgery|deploy\w*"
             r"|abroad|study abroad|semester|university|uni|college|retire\w*|new flat|new house|emigrat\w*)\b")
_rule("insurance_payout", r"(?:life )?insurance (?:\w+ ){0,4}(?:pays? out|covers?|valid|counts?|applies) (?:\w+ ){0,3}"
      r"(?:suicide|self inflicted|if i (?:kill myself|die by|took my|end my|end it|do it))|(?:better off|richer|fine|happier|okay"
      r"|sorted) (?:with|collecting|getting|cashing in|once they get) (?:my|the) (?:life )?insurance(?: money| payout)?",
      "crisis", "suicide", negatable=False)
_rule("insurance_family", r"(?:life insurance|policy|pension|savings) (?:\w+ ){0,6}(?:so|so that) (?:my|the) (?:family"
      r"|kids|wife|husband|partner|children|mum|mom|parents|daughter|son) (?:gets?|will get|are|is|will be) (?:the money"
      r"|paid|looked after|taken care of|provided for|okay|ok|fine|sorted|covered)(?= *$| ,| when| after| if| once)",
      "concern", "suicide", negatable=False,
      unless=r"\b(?:house|mortgage|baby|married|wedding|new job|broker|quote|premium|renew\w*|adviser|advisor"
             r"|pension plan|retire\w*|getting older|surgery|operation|diagnos\w*|cancer|chemo)\b")
_rule("say_goodbye_properly", r"(?:say|said|saying|says) (?:my )?goodbyes? (?:to (?:\w+ ){1,3})?(?:properly|for real"
      r"|for good|forever|one last time|while i (?:still )?can|before it is too late|in case (?:i|something))"
      r"(?= *$| ,| and| because| so| last| this| yesterday| today| i\b)"
      r"|(?:hug|hugged|hugging|see|saw|seeing|visit|visited|visiting|call|called|calling|ring|rang|hold|held|kiss"
      r"|kissed|text|texted) " + _LOVED + r" (?:\w+ ){0,3}(?:one (?:last|final) time|like it (?:was|is|would be|could be)"
      r" the last time|for the last time|one more time before i go)(?= *$| ,| and| so| because| i\b)"
      r"|so (?:they|he|she|everyone) (?:get|gets|can|could|would) (?:to )?(?:see|hear|hug) me (?:one|a) (?:last|more"
      r"|final) time",
      "crisis", "suicide", negatable=False,
      unless=r"\b(?:flight|plane|airport|trip|holiday|vacation|move|moving|moved|deploy\w*|abroad|emigrat\w*|hospice"
             r"|hospital|dying|funeral|terminal|passed|last day|new job|graduat\w*|school|uni|university|college|camp"
             r"|band|concert|tour|show|house|flat|city|town|country|dog died|cat died|put down|vet)\b")
_rule("rehearsal", r"(?:had|held|holding|was holding|have|got|put) (?:the|my|a|all (?:the|my)|those|these) (?:pills|tablets"
      r"|knife|blade|razor|gun|rope|noose|belt|cord) (?:in my (?:hand|hands|mouth|palm)|to my (?:wrist|wrists|throat|neck"
      r"|head|temple|chest|skin)|against my (?:wrist|wrists|throat|neck|head|temple|skin)|around my neck)"
      r"|(?:put|tied|placed|had|fastened|wrapped|looped) (?:the |a |my )?(?:rope|noose|belt|cord|ligature|scarf|cable) (?:around|round)"
      r" my neck|(?:started|began|was|been|were|am) (?:tying|making|knotting|setting up) (?:the |a |my )?(?:rope|noose"
      r"|ligature)|(?:was|am|were|got|came) (?:about|ready|so close|this close|really close|close) to (?:jump(?:ing)?"
      r"|pull(?:ing)? the trigger|step(?:ping)? off|tak(?:e|ing) them all|swallow(?:ing)? them|go(?:ing)? through"
      r" with it|doing it|do it|let(?:ting)? go|end(?:ing)? it)(?= *$| ,| and| but| then| when| before| last| yesterday"
      r"| this| i\b| tonight| on)|(?:stopped|talked|pulled) myself (?:back )?(?:at the last (?:minute|second|moment)"
      r"|from doing it|out of (?:it|doing it)|just in time|from jumping)|(?:almost|nearly) (?:did it|went through with"
      r" it|jumped|took them all|took all (?:the|my) pills|took the pills|pulled the trigger|ended it|stepped off)"
      r"|(?:went|drove|walked|go|going|been going|been|was|cycled|took the bus|took a taxi) (?:back )?(?:out )?(?:up )?"
      r"to (?:the|a) (?:bridge|cliff|cliffs|tracks|railway|roof|rooftop|edge|overpass|top floor|top of (?:the|a)"
      r" (?:car park|building|multi storey|bridge|cliff)|quarry|dam|viaduct) (?:\w+ ){0,4}(?:and (?:stood|sat|looked"
      r" down|looked over|stared|waited|thought about)|stood there|sat there|to jump|looking down|staring down|for (?:hours|ages|an"
      r" hour|a long time|a while) (?:thinking|looking|staring|just))"
      r"|(?:stood|sat|standing|sitting) (?:at|on|by) (?:the )?edge (?:of (?:the|a) (?:bridge|roof|cliff|building"
      r"|platform|car park))?(?: \w+){0,3} (?:for (?:hours|ages|an hour|a long time|a while)|thinking about (?:it"
      r"|jumping|doing it)|ready to)"
      r"|(?:put|keep|kept|keeping|hid|hidden|hiding|stashed) (?:the |my |a )?(?:gun|knife|pills|rope|noose|razor|blades?"
      r"|tablets) (?:under my (?:pillow|bed|mattress)|by my bed|next to my bed|in my (?:car|glovebox|bedside)|where"
      r" (?:nobody|no one) (?:can|will|would) find)"
      r"|swallowed (?:a few|some|a couple of|a handful of|a bunch of) (?:extra )?(?:pills|tablets|of my \w+) (?:to see"
      r" what (?:would|will) happen|on purpose|to see if)",
      "crisis", "suicide", subject=True, history="behaviour",
      unless=r"\b(?:chef|kitchen|cook\w*|camping|hunting|fishing|for work|my job|self defen[cs]e|protection|burglar"
             r"|intruder|safe\b|locked|lock box|view|photo\w*|picnic|sunset|selfie|tour\w*|hike|hiking|climb\w*"
             r"|bungee|skydiv\w*|dive|diving|swim\w*|race|game|film|movie|story|book|essay|exam|test|interview|speech"
             r"|presentation|tattoo|haircut|piercing|lottery|bet|quit|deal"
             # round 5: a scarf worn against the cold is not a ligature
             r"|scarf (?:\w+ ){0,6}(?:freezing|cold|winter|warm|snow\w*|wind\w*|outfit|fashion|wool\w*|knit\w*)"
             r"|(?:freezing|cold|winter|warm|snow\w*|outfit|fashion|wool\w*|knit\w*) (?:\w+ ){0,6}scarf)\b")
_rule("secret_means", r"(?:" + _DRUG + r"|rope|noose|gun|pistol|rifle|razor blades|blades|charcoal|helium|pesticides?"
      r"|rat poison|poison) (?:\w+ ){0,5}(?:that|which)? ?(?:nobody|no one|my (?:\w+ )?(?:wife|husband|partner|family"
      r"|parents|therapist|doctor|mum|mom|dad)) (?:knows|know|knew|can find|will find|has found|suspects) (?:about|i"
      r" have|where|it is|they are)|(?:hidden|hid|hiding|stashed|stashing|hoarded|hoarding|saved up|been saving"
      r"|squirrelled away|tucked away) (?:\w+ ){0,3}(?:" + _DRUG + r")(?! for (?:my|the) (?:trip|holiday|travel|dog|cat))"
      r"|(?:filling|filled|fill|topping up) (?:up )?(?:a|the|my|an old) (?:jar|box|bag|drawer|tin|bottle|pot|container"
      r"|envelope|sock) with (?:" + _DRUG + r")",
      "crisis", "suicide", negatable=True, unless=r"\b(?:pharmacy|pharmacist|vet|dog|cat|kids cannot reach|child"
      r" proof|childproof|safe place|locked|lock box|away from the kids|disposal|dispose\w*|hand them in|take them back"
      r"|return them|gave them to)\b")
_ACQUIRE = r"(?:bought|buy|buying|got|getting|get|ordered|ordering|order|picked up|picking up|purchased|purchasing" \
           r"|collected|borrowed|stole|stolen|found|sourced|have got|went and got|went out and got|managed to get|got hold of)"
_MEANS_ITEM = (r"(?:rope|a rope|some rope|a length of rope|a noose|a gun|guns|a handgun|handgun|a pistol|a rifle"
               r"|a shotgun|a firearm|bullets|ammo|ammunition|pesticides?|some pesticides?|rat poison|poison|cyanide"
               r"|arsenic|strychnine|paraquat|weed ?killer|antifreeze|a bag of charcoal|charcoal|a hose|hose pipe|a hosepipe"
               r"|helium|a helium tank|razor blades|a razor blade|barbiturates|nembutal|pentobarbital|sodium nitrite"
               r"|(?:\w+ )?(?:boxes|packets|packs|bottles) of (?:paracetamol|tylenol|aspirin|ibuprofen|pills|tablets"
               r"|sleeping \w+|painkillers))")
_rule("acquire_means", _ACQUIRE + r" (?:myself )?(?:a |some |the |enough |lots of |a lot of |two |three |several )?"
      + _MEANS_ITEM + r"(?= *$| ,| and\b| today| yesterday| tonight| last| this| online| from| off| in\b| it is| its"
      r"| which| that| i\b| just| for (?:myself|me|tonight|later|when|after|it)\b)",
      "concern", "suicide", subject=True, negatable=True,
      unless=r"^(?!.*\b(?:told (?:myself|everyone|them|people|my \w+) (?:it|they) (?:was|is|were|are) for|pretend\w*|said it"
             r" was for|an excuse|hid|hidden|hiding|so (?:no one|nobody) (?:sees|knows|finds))\b).*" + _PURPOSE)
_rule("research_acquire", r"(?:looked|look|looking|searched|searching|search|googled|googling|researched|researching"
      r"|checked|checking|found out) (?:up |online )?(?:where|how) (?:to|i can|i could|you can) (?:buy|get|order|get hold"
      r" of) (?:a |some )?(?:gun|handgun|pistol|firearm|rope|noose|poison|pesticide|cyanide|barbiturates|nembutal"
      r"|helium|charcoal|sodium nitrite|pills|sleeping pills)(?: \w+){0,4}",
      "crisis", "suicide", subject=True, unless=_PURPOSE)
_rule("starving_to_die", r"(?:stopped|stop|stopping|not|quit|refuse|refusing|refused|no longer) (?:eating|drinking"
      r"|taking (?:my )?(?:insulin|meds|medication|medicine|heart pills|tablets)) (?:\w+ ){0,3}(?:on purpose so|(?:so )?(?:i"
      r"|that i) (?:can |will |would |just |might )?(?:waste away|die|disappear|fade away|starve|not wake up|stop"
      r" existing|wither|be gone)|until i (?:die|disappear|waste away|do not wake up|pass out|am gone)|to (?:die"
      r"|disappear|waste away|end it|be gone))|starv(?:e|ing) (?:myself )?(?:to death|until i (?:die|disappear|do not"
      r" wake up|waste away|am gone))|(?:want|wanting|waiting for|hope|hoping|need) (?:for )?my body to (?:give up"
      r"|shut down|stop working|fail|give out|just stop)|(?:let|letting) myself (?:waste away|starve|wither away|rot"
      r"|fade away)(?= *$| ,| and| until| because| so)",
      "crisis", "suicide", negatable=False)
_rule("starving_self", r"(?:starv(?:e|ing|ed)|starved) myself(?! to (?:lose|get|fit|look|be thin|make weight))"
      r"|(?:stopped|not) eating on purpose", "concern", "self_harm", history="behaviour",
      unless=r"\b(?:diet\w*|ramadan|fast|fasting|lent|exam|busy|workout|weight loss|lose weight|cut|bulk|match|fight"
             r"|weigh in)\b")
_rule("wish_vanish", r"(?:wish|wishing|wished|want|wanted|need|would like|long|longing|pray|hope) (?:i could |to |i can"
      r" |i would |that i could |i might )?(?:just )?(?:disappear|vanish|cease to exist|stop existing|fade away|be erased"
      r"|evaporate|not exist)(?= *$| ,| and (?:never|not|no one|nobody)| from (?:existence|the world|this world|the face"
      r" of|everyone is life|everyone is lives)| without a trace| completely| so (?:no one|nobody))"
      r"|(?:hoping|hope|hoped|pray|praying|prayed|wish|wishing) (?:that )?i (?:will not|do not|would not|did not|never"
      r"|will never|might not|wont) wake up|(?:fall asleep|drift off|go to sleep|sleep) and (?:never|not) (?:wake up"
      r"|wake again)|(?:go to sleep|fall asleep) (?:hoping|praying|wishing) (?:that )?i (?:will not|do not|would not"
      r"|never|will never) wake",
      "concern", "suicide", subject=True, negatable=True,
      unless_after=r"(?:for a (?:while|bit|week|month|day|few)|on (?:a|the) (?:holiday|beach|trip)|to (?:a|the)|from"
                   r" (?:social media|work|the party|instagram|facebook|tiktok|the internet|online)|into (?:the crowd"
                   r"|a book|my room)|under)\b")
_rule("reckless", r"(?:do not|does not|would not|no longer|did not) care (?:if|whether) (?:it|this|the \w+|drinking"
      r"|the drink|the drugs|driving|i crash|the alcohol|the booze|the pills) (?:kills|kill|would kill|will kill) me"
      r"|(?:hoping|hope|hoped|wish|wishing|praying) (?:that )?i (?:crash|get in a crash|crash the car|get killed"
      r"|get hit|do not make it home|wrap the car)|driv(?:e|ing|en) (?:\w+ ){0,4}(?:hoping|in the hope|so) (?:that )?i"
      r" (?:crash|die|do not make it|get killed)",
      "crisis", "suicide", negatable=False)
_rule("no_future", r"(?:can not|do not) (?:see|picture|imagine) (?:myself )?(?:being )?(?:alive|around|here|living)"
      r" (?:next (?:year|month|week|christmas|summer)|by (?:christmas|summer|next \w+|the end of|my birthday)|in a"
      r" (?:year|month|few)|much longer)|(?:will not|not going to) be (?:around|here|alive) (?:by|for|at|on) (?:christmas"
      r"|my birthday|next (?:year|month|week)|the end of (?:the|this) (?:year|month))(?= *$| ,| anyway| and| so| i\b)"
      r"|(?:cancelled|canceled|cancelling|cancel) (?:all )?(?:my )?(?:\w+ ){0,2}because i (?:will not|am not going to"
      r"|wont) be (?:here|around|alive)",
      "crisis", "suicide", negatable=False, unless=r"\b(?:holiday|vacation|trip|travel|travelling|away"
      r"|(?:we|i) (?:are|am|will be) moving|moving (?:house|away|abroad|out)|abroad|deploy\w*|hospital stay|surgery"
      r"|work trip|business)\b")

_rule("imminent_more", r"(?:can not|could not|do not think i can|not sure i can|unable to|no longer able to|can not"
      r" promise (?:you )?(?:that )?i (?:can|will)) (?:keep|stay|be|keep myself) (?:myself )?safe(?: (?:tonight|right now"
      r"|now|today|anymore))?(?= *$| ,| and\b| i\b| please\b)"
      r"|(?:not|am not) (?:okay|ok|safe) to be (?:alone|on my own|left alone|by myself)(?: (?:tonight|right now|now|today))?"
      r"|(?:in danger|a danger) (?:from|to) myself(?: (?:right now|tonight|now))?"
      r"|(?:scared|afraid|terrified|frightened|worried) of what i (?:might|will|could|am going to) do (?:to myself )?"
      r"(?:tonight|right now|now|today|if i am alone)"
      r"|(?:it|this) (?:has to|is going to|will|needs to) (?:be|happen) (?:tonight|this evening|today|right now)(?= *$| ,"
      r"| there| no\b| and\b| i\b)|(?:it|this) (?:happens|is happening) (?:tonight|this evening|today)(?= *$| ,| and\b| i\b)"
      r"|(?:my )?(?:last|final) night (?:i am spending |i will spend |i will be |i am )?(?:on this earth|on earth|alive"
      r"|in this world)|everything i need for (?:tonight|it|later tonight)|(?:tonight|today) is it(?: for me)?(?= *$| ,)"
      r"|(?:will not|am not going to|not gonna|wont) be alive (?:by|on|at|for|after) (?:the )?(?:\w+day|tomorrow|tonight"
      r"|the weekend|morning|next week)|(?:do not think|doubt|not sure) (?:i will|i am going to) (?:see|make it to|live"
      r" to see|wake up to) (?:the morning|tomorrow|another day|the weekend|monday|sunday|friday)"
      r"|(?:not|never) (?:gonna|going to) make it (?:to|till|until|through) (?:monday|tuesday|wednesday|thursday|friday"
      r"|saturday|sunday|the weekend|tomorrow|the morning)"
      r"|about to do something i (?:can not|will not be able to|could never) (?:take back|undo|come back from)"
      r"|(?:act|acting) on (?:it|them|these thoughts|the thoughts|my thoughts) (?:tonight|any minute|right now|now|soon"
      r"|today)|(?:picked|chosen|chose|set) (?:tonight|today|this evening)(?= *$| ,)"
      r"|(?:when|once|after|as soon as) (?:my shift ends|everyone (?:leaves|goes out|is out|is asleep|goes to bed)|the"
      r" (?:kids|house) (?:are|is) (?:asleep|empty|quiet)|they (?:leave|go to bed|are asleep)) (?:\w+ ){0,3}(?:i am"
      r" (?:going to|doing|gonna) (?:go through with it|do it|end (?:it|things))|i will (?:do it|go through with it|end"
      r" (?:it|things)))|(?:i am|am) (?:doing|going to do) it (?:when|once|after|as soon as) (?:everyone|they|the kids"
      r"|my \w+) (?:leaves?|goes|go|are|is|gets?)",
      "crisis", "imminent", negatable=False, unless=_BENIGN_IT, unless_message=True)
_rule("affairs", r"(?:passwords|bank details|pin numbers|account details|log ?ins|instructions) (?:\w+ ){0,5}(?:for|to)"
      r" (?:my \w+|them|her|him|everyone) (?:for after|in case|for when|so they can|once i)"
      r"|(?:for|to) (?:my \w+|them|her|him) (?:to find )?for (?:after|when it happens)(?= *$| ,)"
      r"|(?:written|wrote|writing|made|making) (?:down|a list of) who (?:should|will|can|gets?|is to) (?:get|have|take)?"
      r" ?what|(?:arranged|planned|paid for|booked|organi[sz]ed) my (?:own )?funeral"
      r"|(?:so|because) (?:nobody|no one|they|my family|my \w+) (?:is|are|will be|would be|gets?) (?:left|stuck|landed)"
      r" with (?:them|it|my \w+|anything)|(?:tidy|sorted|easier|simpler) for them(?= *$| ,| after| when| once)"
      r"|(?:because|since|as) i (?:will not|wont|do not|am not going to) (?:need|be needing|use) (?:them|it|any of it"
      r"|that|those)(?: (?:anymore|again|after|soon|where i am going)| *$| ,)|there is no point where i am going"
      r"|(?:where|when) i am going i (?:will not|wont) need",
      "concern", "suicide", negatable=False,
      unless=r"\b(?:holiday|vacation|trip|travel\w*|abroad|moving|move|moved|new job|deploy\w*|hospital|surgery"
             r"|operation|funeral for|my (?:mum|mom|dad|nan|gran|grandma|grandad)s? funeral|wedding|house|flat"
             r"|retire\w*|pre ?paid funeral plan because)\b")
_rule("goodbye_signs", r"(?:hear|heard) (?:his|her|their|my \w+ is) voice (?:one (?:last|more) time|before i go"
      r"|for the last time)|(?:hugged|held|kissed) (?:my \w+|him|her|them) (?:extra (?:long|tight)|a bit longer|for ages)"
      r" (?:\w+ ){0,3}(?:because|since|as) i know (?:it is|it was|that was|this is) the last|(?:quietly|secretly"
      r"|slowly|been|started) saying goodbye(?:s)? to (?:people|everyone|everybody|my \w+)(?= *$| ,| without| one)"
      r"|(?:tell|telling|told) (?:them|everyone|him|her) (?:\w+ ){0,4}one last time"
      r"|(?:recorded|recording|record|made|filmed) (?:my )?goodbyes? (?:for|to)",
      "crisis", "suicide", negatable=False, unless=r"\b(?:flight|airport|trip|holiday|move|moving|funeral|hospice"
      r"|retire\w*|last day|leaving do|concert|band|tour)\b")
_rule("means_signs", r"(?:got|get|getting|managed to get) hold of (?:some |a |the )?(?:rope|gun|pistol|pills|tablets"
      r"|poison|pesticide|helium|charcoal|razor blades|blades?)|found (?:my \w+ is |my \w+s |the )?(?:gun|pistol|rifle"
      r"|shotgun)(?: and| ,| i| last| yesterday| today|$)|(?:have|got|had) (?:the |my |all (?:the|my) )?(?:\w+ )?(?:pills"
      r"|tablets|meds) (?:counted out|lined up|laid out|set out|ready)|(?:prescription|pills|meds) (?:filled|refilled|early)"
      r" (?:\w+ ){0,2}(?:so )?(?:i would|i will|i could|i can) have (?:more|enough|extra)"
      r"|(?:picturing|imagining|thinking about|keep thinking about|keep picturing|picture|imagine) the (?:drop|fall|jump)"
      r" (?:from|off)|(?:know|decided|picked|chosen|chose|found) (?:which|the) (?:bridge|building|cliff|spot|place"
      r"|station|train|tracks|car park|roof) (?:\w+ ){0,3}(?:and|i will use)|(?:mind|thoughts) (?:keeps?|keep) (?:going"
      r" back|going|drifting|returning) to (?:the|a) (?:train|railway|bridge|cliff|tracks|roof|edge|drop|pills|rope|gun)"
      r"|(?:how|so) (?:quick|fast|easy|painless|simple) it would (?:be|all be)(?= *$| ,| to| if| and)"
      r"|i am (?:looking|staring|gazing) (?:down )?at (?:the )?(?:bridge|tracks|drop|edge|river|pills|rope|gun|blade"
      r"|knife|noose|water below)",
      "crisis", "suicide", subject=True, unless=r"\b(?:view|photo\w*|sunset|tour\w*|holiday|trip|project|essay|class"
      r"|homework|game|film|movie|book|story|architecture|engineering|cook\w*|recipe|hunting|range|police|report\w*"
      r"|safe|locked|dispose\w*|pharmacy|bus|commute|exam|test|interview|lesson|driving|learn\w*|walk\w*|news)\b")
_rule("body_give_out", r"(?:hoping|hope|wish|want|praying|waiting for) (?:that )?my (?:heart|body|organs|kidneys|liver)"
      r" (?:will |would |just )?(?:gives? out|stops?|fails?|shuts? down|packs? in|gives? up)"
      r"|(?:refusing|refuse|refused|stopped|not) (?:food|eating|to eat|water|drinking water|fluids) (?:\w+ ){0,2}until (?:it"
      r" is (?:all )?over|i (?:die|pass out|am gone|disappear))|(?:stopped|stop|not|quit|skipping) (?:taking )?(?:my )?"
      r"(?:insulin|heart (?:pills|meds|medication)|blood thinners|transplant meds|seizure meds) on purpose"
      r"|(?:want|wanting|going) to (?:fade|waste|wither) (?:out|away)(?= *$| ,| and| until| so)",
      "crisis", "suicide", negatable=False)
_rule("sleep_forever", r"(?:fall asleep|go to sleep|sleep|drift off) and (?:just )?(?:be done|be gone|never (?:have to )?wake"
      r"(?: up)?|stay asleep|not have to wake(?: up)?)|(?:stay|staying) asleep forever|(?:hope|hoping|pray|praying|wish)"
      r" (?:that )?(?:tonight|tomorrow|this time) i (?:just )?(?:do not|will not|would not|never) wake"
      r"|if i (?:did not|do not|never|would not) wake up (?:tomorrow |again |one day )?(?:that|it) (?:would|will|might)"
      r" be (?:a relief|a blessing|fine|okay|ok|better|a mercy|for the best)"
      r"|(?:hope|hoping|wish) (?:one day )?i (?:do not|will not|never|would not) come (?:round|around|to)"
      r"|(?:erase|delete|remove|unmake) myself(?= *$| ,| from| and| forever| completely)",
      "concern", "suicide", negatable=False, subject=True)
_rule("gone_would", r"(?:would|could|will) (?:\w+ ){1,6}if i (?:was|were|had|am) (?:gone|not here|not around|out of"
      r" (?:the|their) (?:way|picture|lives|life)|dead|never (?:been )?born|no longer here|not in the picture)"
      r"|(?:better|easier|happier) (?:life|lives|time|off) with me out of the (?:way|picture)"
      r"|(?:move on|be free|be happy|start again|start over) (?:\w+ ){0,2}(?:without me|once i am gone|when i am gone"
      r"|after i am gone)(?= *$| ,| dragging| holding| in the| and| because| anyway)|out of the picture(?= *$| ,)",
      "concern", "suicide", negatable=False,
      unless=r"\b(?:holiday|vacation|trip|away|at work|at the office|conference|weekend|moving (?:house|away|abroad|out)"
             r"|if i was gone for"
             r"|if i were gone for|for (?:a|the) (?:day|week|month|weekend))\b")
_rule("dying_only_way", r"(?:except|other than|apart from|but|besides) (?:by )?(?:dying|death|suicide|killing myself|ending"
      r" it|ending my life|not being here)(?= *$| ,| and| i\b)|(?:life|living|existing|it|this|everything) is too"
      r" (?:painful|hard|much|heavy|unbearable) to (?:continue|go on|bear|keep going|live|carry on|survive)"
      r"|(?:talk|talking) me (?:out|down) (?:of|from) it(?= *$| ,| please| before)|my (?:existence|life|being born)"
      r" (?:is|was) (?:a mistake|an accident|a waste)|made (?:my )?peace with (?:it|dying|death|my decision|leaving)"
      r"(?= *$| ,| and| i\b)|there is no future for me|(?:why|what is the point of|no reason to) (?:even )?stay(?:ing)?"
      r"(?: (?:alive|around|here|at all))?(?= *$| ,)|(?:be|is|all be) over (?:for good|forever|permanently)(?= *$| ,| and"
      r"| i\b)|giv(?:e|ing|en) up on (?:\w+ ){0,3}(?:including|even) (?:living|life|myself)",
      "concern", "suicide", negatable=False, subject=True,
      unless=r"\b(?:game|film|movie|show|series|book|story|season|semester|exam|project|job|relationship|diet"
             r"|lease|contract|strike|war|pandemic|lockdown|winter|summer)\b")
_rule("no_point_living", r"(?:what is|what'?s|what|wonder what is|wonder what'?s) the point (?:of|in) (?:it all|any of it"
      r"|anything(?: anymore)?|living|life|being alive|being here|going on|carrying on|trying anymore|me)"
      r"|(?:do not|can not|cannot|no longer) (?:really )?see (?:the|any) point (?:of|in) (?:it all|anything|living|life"
      r"|being alive|being here|going on|carrying on)",
      "concern", "suicide", negatable=False,
      unless=r"\b(?:meeting|meetings|homework|exam|class|lecture|game|film|movie|show|book|email|paperwork|form"
             r"|diet|gym|app|this exercise|the exercise|spreadsheet|report)\b"
             # "...what the point of any of it is anymore, with work i mean": narrowed to work by the person
             r"|(?:^|[,;] )(?:i mean )?(?:with|at|about|in) (?:work|my job|the job|nursing|uni|school|college)(?: i mean)? ?$")
_rule("reckless_more", r"(?:hoping|hope|hoped|wishing|praying) (?:that )?(?:a|the|some) (?:car|bus|truck|lorry|train"
      r"|van|driver) (?:would|will|might|will just) (?:hit|run over|kill) me|(?:stepped|walked|ran|stepping|walking"
      r"|running|wander\w*) (?:out )?(?:into|in front of|onto) (?:the |a |oncoming )?(?:traffic|road|car|bus|train"
      r"|motorway|highway|lorry|truck) (?:\w+ ){0,3}(?:on purpose|deliberately|hoping|without looking (?:and|hoping"
      r"|on purpose))|(?:without|no) (?:my |a )?seat ?belt (?:\w+ ){0,3}(?:hoping|so that|in case|in the hope)"
      r"|(?:stood|standing|stand) (?:on|at|by|near) (?:the )?(?:platform )?edge (?:\w+ ){0,2}(?:as|when|while|until)"
      r" (?:the )?train|(?:do not|does not|would not|no longer|did not) care (?:if|whether) i (?:die|live|crash|wake up"
      r"|survive|come round|make it)",
      "crisis", "suicide", negatable=False)

_rule("waiting_to_go", r"(?:waiting|wait) (?:for|until) (?:my time (?:to come|is up|comes)|it all to (?:be over|end)|the end"
      r" to come|death|the day i (?:die|can go)|it to be over for good)(?= *$| ,| so| and| i\b)"
      r"|(?:pray|praying|prayed|hope|hoping|wish|wishing|asking) (?:\w+ ){0,2}(?:that )?god (?:will |would |to |could )?"
      r"(?:takes?|take) me(?= *$| ,| away| home| in my sleep| tonight| soon| and)"
      r"|(?:do not|no longer|never) (?:want to be|belong|fit) (?:on this earth|in this world|on this planet|alive)"
      r"|(?:the world|this world|everyone|nobody|no one) (?:does not|do not|would not|will not) (?:need|miss) me"
      r"(?= *$| ,| anyway| anymore| and)|(?:i am|feel like i am|feel like) (?:just )?taking up space(?= *$| ,| and)"
      r"|(?:even if|if) it means (?:dying|death|i die|i have to die)|(?:forgive|forgives) me for what i (?:am going to"
      r"|am about to|will|have to) do|(?:wish|wished) i had (?:a terminal illness|cancer|an incurable \w+|a fatal \w+)"
      r"|(?:lie down|close my eyes|go to bed) and never (?:get up|wake up|open them) again"
      r"|(?:tried|attempt\w*) .{0,30}\b(?:did not work|failed)\b.{0,20}\bnext time\b"
      r"|(?:do not think|doubt|not sure) i will (?:make it|be here|be around|be alive|live) (?:to|for|at|by|until|till)"
      r" (?:my birthday|christmas|next \w+|the end of|summer|spring|new year)"
      r"|(?:at peace|calm|relieved|lighter|calmer) (?:since|now that) i (?:have )?(?:made|reached|came to) (?:the|my|this)"
      r" decision|made (?:the|my|this) decision and (?:i )?(?:feel|am) (?:calm|at peace|relieved|lighter)"
      r"|(?:please )?tell my (?:\w+ ){0,2}(?:mum|mom|dad|kids|children|wife|husband|partner|family|sister|brother|parents|son"
      r"|daughter|friends) (?:that )?(?:i love|i am sorry|i loved|sorry|goodbye|it is not|it was not)"
      r"|(?:returning|returned|gave back|giving back) (?:all )?(?:the )?(?:things|everything|stuff|books) i (?:borrowed"
      r"|owe)",
      "crisis", "suicide", negatable=False, subject=True,
      unless=r"\b(?:game|film|movie|show|series|book|story|character|lyrics|song|exam|results|bus|train|flight|queue"
             r"|interview|appointment|turn|parcel|delivery|pizza|shift|holiday|vacation|trip|party|wedding|baby)\b")
_rule("last_session", r"(?:this|it|today|tonight) (?:will be|is|is going to be) (?:my|the|our) (?:last|final) (?:session"
      r"|time (?:we|i) (?:will )?(?:talk|speak)|week|conversation|chance)(?= *$| ,| with you| on earth| alive| ever| i\b)"
      r"|(?:the )?last time (?:we|i) will (?:talk|speak)(?= *$| ,| to you| with you)",
      "crisis", "suicide", negatable=False,
      unless=r"\b(?:job|work|course|term|semester|contract|lease|holiday|trip|moving|move|school|uni|university|therapist"
             r"|new (?:job|therapist)|referr\w*|insurance|sessions left|funding|before (?:i|the|my)|at (?:the|this))\b")
_rule("means_ready", r"(?:got|bought|have got|i have|ordered|gathered|collected|picked up|sorted) (?:the stuff|everything"
      r"|what|all) i need(?: to (?:do it|go through with it|end it|end things)| and (?:i am going to|i will|i am gonna)"
      r" use it| and (?:i )?(?:hid|hidden|put) it| and it is (?:in|under|ready))"
      r"|(?:bought|got|ordered) what i need(?= *$| ,| and| for)"
      r"|(?:bought|got|ordered|have) what i need (?:out |up |down |ready )?(?:in|at|under|behind|inside) (?:the|my) (?:shed|garage|car"
      r"|boot|trunk|drawer|bag|wardrobe|cupboard|closet|loft|attic|room|glovebox|glove box|bedside)\b"
      r"|(?:leaving|left|leave) (?:all )?my (?:stuff|things|belongings|money|savings|possessions|everything|car|flat|house)"
      r" to (?:my|the) (?:\w+ )?(?:sister|brother|mum|mom|dad|kids|children|son|daughter|friend|niece|nephew|partner"
      r"|wife|husband|family)(?= *$| ,| and| because| so)"
      r"|(?:getting|got|sorting|sorted|putting|put) (?:all )?my affairs in order"
      r"|(?:hidden|hid|left|hiding) (?:\w+ )?(?:notes|letters|a note|a letter) for (?:my |the )?(?:\w+ )?(?:kids|children"
      r"|family|wife|husband|partner|parents|mum|mom|dad|sister|brother|son|daughter) to find"
      r"|(?:checking|check|checked|looking at|looked at|measuring|measured|working out|worked out) how (?:far|high|long|deep)"
      r" the (?:drop|fall|jump) (?:is|was|would be)",
      "crisis", "suicide", negatable=False, subject=True,
      unless=r"\b(?:will|solicitor|lawyer|estate|holiday|trip|move|moving|emigrat\w*|recipe|cook\w*|bake|party|camping"
             r"|hike|project|exam|homework|school|work|diy|paint\w*|garden\w*|bungee|skydiv\w*|dive|climb\w*|retire\w*)\b")
_rule("coerced", r"(?:he|she|they|my (?:\w+ )?(?:husband|wife|boyfriend|girlfriend|partner|ex|dad|father|stepdad|step dad"
      r"|stepfather|uncle|brother|boss|landlord)) (?:forces|forced|makes|made|pressures|pressured|pushes|pushed) me (?:to"
      r" have sex|into (?:having )?sex|into sex|to do sexual|to sleep with)|i am not allowed to (?:leave (?:the house|home"
      r"|the flat|my room)|go out(?:side)?|see my (?:friends|family)|have (?:a|my) phone|have (?:any )?money|talk to"
      r" anyone|eat)(?= *$| ,| and| because| unless| without| he| she| they)"
      r"|(?:he|she|they|someone|my \w+) (?:is|are|keeps|was) (?:banging|pounding|hammering|kicking) (?:on|at) (?:the|my)"
      r" (?:door|window|bedroom door)(?= *$| ,| and| again| screaming| shouting| i\b)",
      "crisis", "danger_from_others", negatable=True,
      unless=r"\b(?:grounded|curfew|homework|until i finish|diet|game|video games?|console|covid|quarantine|isolat\w*"
             r"|doctor|hospital|neighbou?r is|delivery|postman|parcel|police)\b")
_rule("medical_more", r"(?:can not|could not) (?:feel|move) (?:half|one side of|the (?:left|right) side of|the side of) my"
      r" (?:face|body|mouth)|(?:my )?(?:speech|words|voice) (?:is|are) (?:slurred|slurring|coming out wrong)"
      r"|(?:fell|fallen|fall|came off) (?:\w+ ){0,4}(?:and|now) (?:i )?(?:can not|could not) (?:move|feel) (?:my )?(?:legs"
      r"|neck|arms?|anything|my body)|(?:hit|banged) my head (?:\w+ ){0,4}(?:and|now) (?:i am |i )?(?:keep )?(?:throwing"
      r" up|vomiting|confused|can not see|seeing double|passing out)"
      r"|(?:left arm|arm and jaw|jaw and arm|arm and (?:my )?jaw|jaw and (?:my )?arm) (?:\w+ ){0,2}(?:hurt|hurts|ache|aches"
      r"|pain|are killing)\b.{0,40}\b(?:sweat\w*|sick|nause\w*|dizzy|breath\w*|faint)"
      r"|going into (?:anaphylactic )?shock|(?:throat|lips|tongue|face) (?:is|are) (?:swelling|swelling up|closing)"
      r"|(?:took|swallowed|taken|have taken) (?:all of |the whole of |my whole |my entire |the whole |all )(?:my |the )?"
      r"(?:\w+ )?(?:prescription|supply|stash|packet|pack|bottle)(?: of \w+)?(?: at once| in one go)?",
      "crisis", "medical", negatable=True,
      unless=r"\b(?:last (?:year|month|week)|years ago|my (?:grand\w+|dad|mum|mom|father|mother|uncle|aunt) (?:had|was)"
             r"|used to|what if|scared of|afraid of|as prescribed|over the (?:course|month|week))\b")
_rule("head_banging", r"(?:bang|banging|banged|slam|slamming|slammed|hit|hitting) my head (?:on|against|into) (?:things"
      r"|walls?|the wall|the floor|stuff|the desk|doors|the door|the table)(?= .{0,30}\b(?:when|until|till|hard|on purpose"
      r"|repeatedly|over and over|again and again|overwhelmed|angry)\b)"
      r"|(?:carve|carving|carved|scratch|scratching|scratched|etch\w*) (?:\w+ ){0,2}(?:into|at|on) my (?:own )?" + _BODY
      + r"(?: with (?:scissors|a (?:blade|razor|knife|compass|pin|needle)))?",
      "crisis", "self_harm", subject=True, history="behaviour", unless=_ACCIDENT + r"|\bitch\w*|rash|bite|bites|eczema")

_rule("farewell_more", r"(?:talk|talking) me (?:out|down) (?:of|from) (?:it|doing it|this)(?= *$| ,| please| before| i\b)"
      r"|(?:can not|could not|do not think i can) (?:face|bear|survive|take|handle|do) another (?:day|night|week|morning)"
      r" (?:of this|like this)(?= *$| ,| and| i\b)|(?:will not|wont|is not going to) be (?:a|another|any) next (?:session"
      r"|time|week|christmas|birthday|year) for me|life (?:is not|is just not|was never) for me(?= *$| ,| and| i\b)"
      r"|(?:calm|at peace|relieved|lighter|calmer|peaceful) (?:since|now that) i (?:have )?decided(?= *$| ,| and)"
      r"|(?:be with|join) (?:him|her|them) wherever (?:he|she|they) (?:is|are)"
      r"|(?:need|want) (?:someone|somebody|help|you) .{0,25}\bi am not (?:okay|ok|safe|alright)(?= *$| ,| at all)"
      r"|(?:made|making|make) sure (?:the|my) (?:dog|cat|kids|children|pets?|plants|fish|rabbit) (?:will be|is|are|gets?"
      r"|will get) (?:taken care of|looked after|fed|rehomed)(?= *$| ,| after| when| once)"
      r"|(?:wanted|want|needed) to say (?:thanks|thank you) for (?:trying to help|trying|everything|all you have done)"
      r"(?= *$| ,| me| i\b)",
      "concern", "suicide", negatable=False,
      unless=r"\b(?:see you|next (?:week|time|session)|talk soon|tomorrow|feel better|feeling better|helped|holiday"
             r"|vacation|trip|away|while|moving (?:house|away|abroad|out)|work|job|exam|game|film|movie|show|book)\b")
_rule("injured_by", _PERSON + r" (?:broke|fractured|cracked|dislocated|burned|burnt|bruised|split) my (?:arm|nose|ribs?|jaw"
      r"|wrist|fingers?|leg|tooth|teeth|lip|cheek|eye|skull|head)|(?:bruises|marks|injuries|cuts|a black eye|black eyes"
      r"|burns|welts) (?:all )?(?:over (?:my body |me )?)?(?:from|because of|that) (?:him|her|them|my \w+)"
      r"|(?:makes|made|forces|forced|pressures|pressured) me (?:to )?do (?:things|stuff|sexual things|sex stuff) i (?:do not"
      r"|did not) want to",
      "crisis", "danger_from_others", negatable=True,
      unless=r"\b(?:game|accident|accidentally|by accident|football|rugby|sport\w*|match|training|practice|homework"
             r"|chores|when i was (?:a kid|little|young|a child)|years ago|as a (?:kid|child))\b")
_rule("medical_signs", r"(?:about to|going to|think i am going to|gonna|feel like i am going to) (?:pass out|faint"
      r"|collapse|black out)(?= *$| ,| and| i\b| help)|(?:took|taken|have taken|swallowed|had) (?:a lot |way |much |loads )?"
      r"more than (?:i should have|i should|the packet says|the box says|prescribed|the dose|i am supposed to|the doctor"
      r" said)|(?:my )?heart (?:is stopping|keeps stopping|has stopped)|(?:so much|lots of|loads of|a lot of) blood"
      r"(?= *$| ,| and| everywhere| i\b| coming| on)",
      "crisis", "medical", negatable=True,
      unless=r"\b(?:lol|boredom|boring|laugh\w*|hunger|hungry|exam|if i|film|movie|show|game|period|nose ?bleed"
             r"|donat\w*|blood test|blood donation|lecture|meeting|heat is|caffeine|coffee|cake|chocolate|sweets|sugar"
             r"|vitamins|when i saw|heart stopped when)\b")

# ---------------------------------------------------------------------------------------------
# requests for method or means information
# ---------------------------------------------------------------------------------------------
_QUESTION = re.compile(
    r"^(?:what|which|where|how|when|is|are|does|do|can|could|would|will|should|tell me|give me|list|name|explain"
    r"|find me|show me|any idea)\b|\b(?:tell me|does anyone know|anyone know|anybody know|someone tell me|i want to know|i need to know|want to know|i wonder|wondering|curious"
    r"|any idea|do you know|can you (?:tell|find|look|check|search|say|give|list)|could you (?:tell|find|look|give)"
    r"|for a (?:story|book|novel|script|film|movie|game|friend|school project|project|class|essay|poem|character)"
    r"|for (?:my|the) (?:story|book|novel|script|character)|hypothetically|in theory|asking for a friend"
    r"|out of curiosity|how (?:many|much|long|high|tall|far|deep|fast|quick|quickly|do|does|would|can|could|to)"
    r"|what (?:is|are|would|if|happens|dose|amount)|which (?:is|one|bridge|building|pills?|way|floor|cliff))\b"
    r"|(?:^|, |\band |\bso )(?:where|which|what|how|who) (?:can|could|do|does|is|are|would|should|to|sells?)\b"
)
_LETHAL = _alt("die", "dying", "death", r"kill (?:myself|yourself|oneself|a person|someone|me|you|somebody|us)",
               "suicide", "overdose", "overdosing", "lethal", "fatal", "deadly", "bleed out", "bleeding out",
               r"hang (?:myself|yourself|oneself|someone)", "noose", r"end (?:my|your|one is|someone is) life",
               r"to death", "od", "not wake up", "never wake up", "stop (?:my|your) heart",
               r"(?:knock|put) (?:me|someone|a person|you) (?:out|under|to sleep) (?:for (?:good|ever|days|the (?:whole )?weekend"
               r"|a (?:day|few days|long time))|permanently)")
_METHOD = _alt("pills?", "tablets?", "dose", "dosage", "medication", "meds", "overdose", "bleed", "noose", "hang",
               "jump", "jumping", "fall", "falling", "bridge", "building", "roof", "cliff", "gun", "shoot", "knife",
               "drown", "poison", "gas", "way", "ways", "method", "methods", "painless", "quick", "quickest", "fastest",
               "easiest", "surest", "how to", "how do you", "how do i", "how can i", "how would i", "how would you",
               "how long", "how many", "how much", "how high", "wrists?", "veins?", "train", "car", "rope", "bag",
               "carbon monoxide", "bleach", "antifreeze", "paracetamol", "tylenol", "sleeping")
_EXPLICIT_MEANS = re.compile(
    r"\b(?:lethal|fatal|deadly|toxic) (?:dose|doses|amount|quantity|level)|\b(?:how (?:many|much)|what amount|what dose)"
    r"\b.{0,60}\b(?:would|will|does it take to|it takes to|to|could|can|is|be)\b.{0,20}\b(?:kill|die|fatal|lethal|deadly|an overdose"
    r"|overdose|od|too many to survive|stop (?:my|your|the) heart|enough to die)\b|\bhow long (?:does|would|will) it take to"
    r" (?:die|bleed out|drown|suffocate|hang|pass out and die|overdose)\b|\bhow (?:do|would|can|could|should) (?:you|i|one"
    r"|someone|people) (?:tie|make) a noose\b|\b(?:painless|quick|quickest|easy|easiest|fastest|surest|simplest|best"
    r"|cleanest|least painful|most painless|most effective|most reliable|specific|good|reliable|effective) (?:way|ways|method"
      r"|methods|means|products?|things|chemicals|drugs|pills) (?:to|of|that would|that will|that can|to mix to)"
    r" (?:die|dying|kill (?:myself|yourself|oneself)|end (?:it|my life|your life|things)|commit suicide|go|suicide|od"
    r"|overdose|not wake up)\b|\b(?:suicide|suicidal) (?:methods?|ways?)\b|\bto (?:kill|poison|gas) (?:oneself|yourself|myself)\b"
    r"|\bhow (?:to|do i|do you|can i|could i|would i"
    r"|should i|does one) (?:kill myself|kill yourself|die|commit suicide|overdose|od|hang myself|end my life|end it"
    r"|slit|cut my wrists|bleed out|not wake up)\b|\b(?:which|what) (?:bridge|building|cliff|floor|height|drug|pill|pills"
    r"|medication|way|method)\b.{0,40}\b(?:die|kill|fatal|lethal|suicide|survive)\b|\bhigh enough to (?:die|kill|not survive)\b"
    r"|\bhow (?:high|tall|far|deep|long|fast)\b.{0,50}\b(?:to die|to kill|fatal|lethal|not survive|die from|be dead)\b"
    r"|\b(?:would|will|could) (?:i|you|someone|one) (?:die|survive) (?:if|from)\b.{0,40}\b(?:jump|fell|fall|took|take"
    r"|swallow|drank|drink|pills|overdose|bridge|building|floor|roof)"
)
_IMPLICIT_MEANS = re.compile(
    r"\b(?:how (?:many|much)|too (?:many|much)|dangerous|lethal|fatal|max(?:imum)?|toxic|limit|at once|at the same time"
    r"|mix\w*|with alcohol|strongest|overdose|kill|harm(?:ful)?|safe to take|what happens if)\b.{0,50}\b" + _DRUG
    + r"|" + _DRUG + r"\b.{0,50}\b(?:how (?:many|much)|too (?:many|much)|dangerous|lethal|fatal|max(?:imum)?|toxic|at once"
    r"|with alcohol|would (?:it|that|they) (?:kill|hurt|be too)|enough)\b"
    r"|\b(?:tallest|highest|tall|high|drop|floors|storeys|stories|top floor|deepest|steepest)\b.{0,40}\b(?:building|bridge"
    r"|cliff|tower|roof|rooftop|car park|parking garage|parking structure|balcony|place|point|spot|structure|around here"
    r"|near me|nearby|in (?:town|the city|the area))\b|\b(?:which|what|nearest|closest|biggest|highest|tallest) bridges?\b"
    r"|\bhow (?:high|far (?:down|is the drop)|deep|fast)\b|\bsurviv\w* (?:a |the )?(?:fall|jump|drop)\b"
    r"|\b(?:train|trains|railway|tracks|express)\b.{0,40}\b(?:when|time|times|schedule|timetable|fastest|nearest|stop|pass"
    r"|through)\b|\b(?:when|what time|how fast)\b.{0,30}\b(?:train|trains|express)\b"
    r"|\b(?:gun|guns|firearm|rifle|pistol|ammo|ammunition|bullets?|knife|knives|razor|razors|blade|blades|rope|ropes"
    r"|noose)\b|\b(?:bleach|antifreeze|carbon monoxide|charcoal|exhaust|helium|cyanide|rat poison|poison|pesticide"
    r"|weed killer|gas oven)\b|\b(?:bleed|bleeding|blood loss|veins?|arter(?:y|ies)|wrists?|how deep)\b"
    r"|\b(?:drown|drowning|underwater|hold (?:my|your|their) breath|suffocat\w*|strangl\w*|hang|hanging|ligature"
    r"|plastic bag)\b|\b(?:painless|pain free|without pain|quickest way|fastest way|easiest way|surest way|best way to go"
    r"|does it hurt|would it hurt|will it hurt|how long would it take|would i survive|can you survive|chances? of"
    r" surviv\w*|what happens (?:if|when) (?:you|i|someone) (?:take|jump|fall|drink|swallow|stop))\b"
)
# knot, loop or slip knot × holding a person's weight / round a neck / not slipping under a body
_KNOT_MEANS = re.compile(
    r"\b(?:knots?|loops?|slip ?knots?|hitch|hitches|nooses?)\b.{0,40}\b(?:holds?|hold up|take|takes|support|supports|bear"
    r"|bears|carry|carries|can take) (?:a |the |my |your |someone is |a persons? |a grown (?:man|woman|adult) is )?(?:full"
    r" )?(?:person|body|human|adult|grown (?:man|woman|adult)|(?:body )?weight|me)\b(?! (?:of|in) (?:a |the )?(?:boat|tent"
    r"|load|bag|sail))|\b(?:knots?|loops?|slip ?knots?)\b.{0,40}\b(?:will not|does not|would not|can not|that (?:will not"
    r"|does not|would not)) (?:slip|come undone|loosen|give)\b.{0,30}\b(?:weight|person|body|hanging|neck|me)\b"
    r"|\b(?:knots?|loops?|rope)\b.{0,30}\b(?:around|round) (?:my|a|the|your|someone is) neck\b"
    r"|\b(?:which|what) knot\b.{0,30}\b(?:hanging|hang|hangings|gallows|executions?)\b")
_KNOT_BENIGN = re.compile(r"\b(?:climb\w*|sail\w*|boat|yacht|hammock|swing|rescue|scouts?|camping|tent|tree house"
                          r"|abseil\w*|rappel\w*|harness|tow\w*|fishing|tie (?:a|my) tie|bow tie|shoe\w*|macrame"
                          r"|crochet|knit\w*|horse|dog|lead|load|cargo|hammock|trapeze|circus|aerial|sling)\b")
_GENERIC_METHOD = re.compile(r"\b(?:painless|quickest|fastest|easiest|surest|least painful|most painless) (?:way|method)"
                             r"(?= *$| ,| to (?:go|do it|end it)\b)")


_NUMW = (r"(?:\d+(?:\.\d+)?|(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
         r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a"
         r"|hundred|thousand|and) ?){1,4})")
_HEIGHT_NOUN = (r"(?:bridges?|buildings?|skyscrapers?|towers?|cliffs?|roofs?|rooftops?|car parks?|parking (?:garages?"
                r"|structures?|lots?)|multi storeys?|multi stories|high rises?|overpass(?:es)?|viaducts?|balcon(?:y|ies)"
                r"|ledges?|dams?|quarr(?:y|ies)|gorges?|places?|spots?|windows?|floors?|flats?|apartments?|blocks?)")
_HEIGHT_UNIT = r"(?:meters|metres|m|feet|foot|ft|storeys|stories|floors|levels|yards)"
# a means question that is risky on its own: a height threshold or access, a lethal dose, buying a poison or weapon
_LETHAL_MEANS = re.compile(
    _HEIGHT_NOUN + r"\b.{0,40}\b(?:taller than|higher than|over|above|more than|at least|bigger than|greater than"
    r"|with a drop of|with a fall of|of at least|of over|of more than) " + _NUMW + r" ?" + _HEIGHT_UNIT + r"\b"
    r"|\b(?:taller than|higher than|over|above|more than|at least) " + _NUMW + r" ?" + _HEIGHT_UNIT + r"\b.{0,30}\b" + _HEIGHT_NOUN
    + r"|\b(?:high|tall|far up|far down) enough\b|\b(?:roof|rooftop) (?:access|that is open|is open|open to|left open"
    r"|unlocked)|\bopen (?:rooftops?|roofs?)\b|\b(?:roofs?|rooftops?) (?:\w+ ){0,4}(?:have|with|has) (?:open |public |easy )?access\b|\b(?:get|climb|go|walk|sneak|break) (?:up )?(?:on|onto|on to|on top of"
    r"|to the top of|out on|out onto|up to|into) (?:a |the |any )?(?:tall |high )?(?:roof|rooftop|top floor|" + _HEIGHT_NOUN
    + r")\b|\b(?:tallest|highest|tall|high) " + _HEIGHT_NOUN + r" (?:near me|nearby|near here|around here|close by"
    r"|close to (?:me|here)|in (?:this|my) (?:town|city|area)|within walking distance|i can (?:get to|walk to|drive to"
    r"|reach))|\b(?:nearest|closest) (?:tall |high )?(?:cliffs?|tall buildings?|high bridges?|high rises?|rooftops?"
    r"|multi storey|railway (?:line|bridge)|train tracks)\b|\b(?:how many|what) (?:floors|storeys|stories|meters|metres"
    r"|feet)\b.{0,40}\b(?:fall|jump|drop|survive|die|kill|fatal|lethal)\b|\bsurviv\w* (?:a |the )?(?:fall|jump|drop)"
    r" (?:from|off)\b"
    r"|\b(?:dangerous|toxic|lethal|fatal|deadly|too many|overdose|kill|not wake up|never wake up|stop (?:my|your|the)"
    r" heart)\b.{0,50}\b" + _DRUG + r"|\b" + _DRUG + r"\b.{0,50}\b(?:dangerous|toxic|lethal|fatal|deadly|too many"
    r"|overdose|kill (?:me|you|someone|a person|somebody)|not wake up|never wake up|stop (?:my|your|the) heart)\b"
    r"|\b(?:take|takes|took|taking|swallow\w*|have|had) (?:\d{2,}|twenty|thirty|forty|fifty|sixty|a hundred|a whole (?:bottle"
    r"|box|pack|packet)|the whole (?:bottle|box|pack|packet)|all (?:of )?(?:my|the|them|your)|a box of|a bottle of"
    r"|a handful of|a bunch of|loads of|lots of) (?:of )?(?:my |the |your )?(?:" + _DRUG + r"|them)\b.{0,30}\b(?:at once"
    r"|in one go|together|at the same time|all at once)"
    r"|\b(?:where|how) (?:can|could|do|would|should|to|does|might) (?:i |you |one |someone |a person )?(?:buy|get|find"
    r"|order|purchase|get hold of|obtain|source|pick up|make) (?:a |some |any |enough |the )?(?:pesticides?|rat poison"
    r"|poison|cyanide|arsenic|strychnine|paraquat|weed ?killer|antifreeze|a gun|guns?|a firearm|firearms|handguns?"
    r"|pistols?|rifles?|shotguns?|bullets|ammo|ammunition|rope|a rope|nooses?|charcoal|helium|barbiturates|nembutal"
    r"|pentobarbital|sodium nitrite|chloroform)\b"
    r"|\b(?:carbon monoxide|exhaust fumes|car exhaust|helium (?:bag|hood|tank)|charcoal (?:in|indoors|burner|in a))\b"
    r"|\bhow (?:much|many|long)\b.{0,40}\b(?:rope|gas|helium|insulin|carbon monoxide|exhaust)\b"
    r"|\b(?:what|which) (?:dose|amount|quantity|number)\b.{0,40}\b(?:fatal|lethal|deadly|kill|dangerous|toxic"
    r"|too much)\b"
    r"|\b(?:which|what)(?: is| are)? (?:the )?(?:\w+ )?" + _DRUG + r"\b(?: \w+){0,3} (?:is|are) (?:the )?(?:strongest|most"
    r" (?:dangerous|lethal|toxic|powerful|potent|deadly)|deadliest)\b|\b(?:strongest|deadliest|most (?:dangerous|lethal"
    r"|toxic|potent|deadly)) (?:\w+ )?" + _DRUG + r"\b(?! for (?:\w+ )?(?:pain|ache|cramps|migraines?|headaches?|periods?"
    r"|back|colds?|flu|fevers?|allerg\w+|hay fever|inflammation))"
    r"|\b(?:rooftops?|roofs?|top floors?|top decks?)\b.{0,40}\b(?:unlocked|left open|open at night|accessible at night"
    r"|no (?:fence|fences|railing|railings|barrier|barriers|security))\b|\b(?:which|what) (?:\w+ )?(?:buildings?|car parks?"
    r"|multi storeys?|towers?|blocks?|hotels?) (?:\w+ ){0,3}(?:let|lets|allow|allows) (?:you|people|anyone) (?:up )?(?:on|onto"
    r"|to|out on) (?:the |their )?(?:roofs?|rooftops?|top)\b")
_MEANS_BENIGN = re.compile(
    r"\b(?:view|views|visit\w*|photo\w*|picture|tour\w*|sightseeing|holiday|vacation|trip|walk across|walking across"
    r"|architect\w*|built|history|historic|famous|landmark|hike|hiking|climbing wall|bouldering|observation deck"
    r"|restaurant|bar|bars|cafe|pool|party|drinks|sunset|cinema|garden|wedding|engineering|homework|project|quiz"
    r"|trivia|facts?|detector|alarm|leak|boiler|symptoms|signs of|safety|safe|prevent\w*|first aid|mechanic|garage"
    r"|(?:our|my|the) (?:training|course|module|lecture|exam|revision|placement)|pharmacist explained|nursing (?:student|school)"
    r"|fix\w*|repair\w*|for (?:a|my|the) (?:headache|toothache|cold|fever|period|child|kid|baby|son|daughter|dog|cat)"
    r"|per day|a day|daily|with food|hunting|range|licen[cs]e|club|sport|garden\w*|greenhouse|lawn|aphids|weeds|pests?"
    r"|rats|mice|ants|bugs|boat|sailing|swing|camping|balloons|bbq|barbecue|grill|farm\w*|paint\w*|scuba|diving"
    r"|mountain|hill|wildlife|birds?|kite|drone|parachut\w*|skydiv\w*|bungee|base jump\w*|paraglid\w*)\b")
_DISTRESS = re.compile(
    r"\b(?:lost (?:my|our|the) (?:job|jobs|house|home|wife|husband|partner|girlfriend|boyfriend|kids|children|son"
    r"|daughter|mum|mom|dad|mother|father|baby|business|savings|everything|friend|best friend|licen[cs]e|flat|apartment"
    r"|will to live|custody|pregnancy|fiance|fiancee)|lost everything|(?:got|been|was|am|have been|just got|getting)"
    r" (?:fired|laid off|sacked|let go|made redundant|dumped|evicted|kicked out|rejected|expelled|arrested|cheated on"
    r"|left)|(?:left|dumped|cheated on|divorcing|leaving|abandoned|betrayed) me\b|broke up with me|(?:wife|husband"
    r"|partner|girlfriend|boyfriend|fiance|fiancee) (?:left|is leaving|walked out|moved out)|(?:died|passed away|killed"
    r" (?:himself|herself)|took (?:his|her) (?:own )?life)|funeral|bankrupt\w*|in debt|debts|foreclos\w*|evict\w*"
    r"|(?:everything|my life|it all) (?:is )?(?:falling apart|fell apart|ruined|over|a mess|pointless|collapsing)"
    r"|(?:nobody|no one) (?:cares|loves me|would (?:care|notice|miss me)|wants me)|hopeless|worthless|useless|pointless"
    r"|desperate|miserable|depressed|suicidal|(?:can not|could not) (?:take|cope|go on|handle|do this|bear|deal)"
    r"|hate (?:my life|myself|being alive|everything)|giv(?:e|ing) up|gave up|alone|lonely|empty|numb|broken|crying"
    r"|sobbing|heartbroken|devastated|so tired of|sick of (?:it|life|everything)|done with (?:it all|life|everything)"
    r"|what is the point|no point|ruined|failure|a burden|hurt myself|kill myself|want to die|(?:do not|no longer)"
    r" (?:want to (?:live|be here|be alive)|care (?:anymore|about anything|what happens))|(?:lost|losing) (?:hope|it all)"
    r"|(?:have|has) nothing left|in so much pain|can not stop crying|worst day of my life|life is shit|fuck (?:this|my)"
    r" life|failed (?:my|the|again|everything)|humiliated|ashamed|trapped|no way out|had enough"
    r"|(?:so|really|very|pretty|been|feeling|feel) (?:low|down|flat|awful|terrible|exhausted|drained|burnt out|burned out)"
    r"|(?:do not|can not|cannot) (?:really )?see the point|point of (?:anything|it all|any of it|living|going on))\b")


def _means(s: str, is_question: bool, risk_earlier: bool, distress: "Callable[[], bool] | None" = None) -> _Hit | None:
    """A request for method, means or lethality information in one sentence (None: not one).

    Explicit requests ("lethal dose", "how to hang myself") are a crisis.  A request that is risky on its own
    (a height threshold or a way onto a roof, a dangerous amount of a drug, where to buy a poison, weapon or rope)
    is a concern, and a crisis with distress or loss in the message or the recent turns (``distress()``) or after
    earlier risk.  After risk or with distress, any means question at all (heights, trains, pills...) is a crisis.
    """
    asked = is_question or _QUESTION.search(s) is not None
    m = _EXPLICIT_MEANS.search(s)
    if m and asked:
        return _Hit("crisis", "means_request", "asked about method or lethality", m.group(0))
    if not asked:
        return None
    heated = risk_earlier or (distress is not None and distress())
    m = _LETHAL_MEANS.search(s)
    if m and not _MEANS_BENIGN.search(s) and not _PURPOSE_RX.search(s):
        if heated:
            return _Hit("crisis", "means_request", "asked about means with distress or earlier risk", m.group(0))
        return _Hit("concern", "means_request", "asked about lethal means", m.group(0))
    if heated:
        m = _IMPLICIT_MEANS.search(s) or _GENERIC_METHOD.search(s) or _KNOT_MEANS.search(s) \
            or (m if m and risk_earlier else None)
        if m:
            return _Hit("crisis", "means_request", "asked about means with distress or earlier risk", m.group(0))
        return None
    m = _GENERIC_METHOD.search(s) or (None if _KNOT_BENIGN.search(s) else _KNOT_MEANS.search(s))
    if m:
        return _Hit("concern", "means_request", "asked for a painless or quick way or a knot that holds a body",
                    m.group(0))
    return None


# ---------------------------------------------------------------------------------------------
# the screen
# ---------------------------------------------------------------------------------------------
_RECENT_MAX = 4  # earlier turns of the person that count for accumulated risk
_ESCALATE = frozenset({"acquire_means"})  # concern rules that become a crisis with distress or earlier risk


_RECENT_CHARS = 1500  # of each earlier turn, for the rules (a spoken turn is rarely longer)


def _distress_in(texts: Sequence[str]) -> bool:
    """Distress, loss or any rule-level risk in these texts (normalised; rules only, no model)."""
    for text in texts:
        if not text:
            continue
        t = _prepare(text[-_RECENT_CHARS:])  # the end of an earlier turn is what leads into this one
        if _DISTRESS.search(t.norm) or _apply_rules(t, _RULES, t.norm):
            return True
    return False


# a death told: "my husband died in march", "since mam passed", "at his funeral"
_BEREAVED = re.compile(r"\b(?:died|passed away|passed on|passed in|since (?:\w+ )?passed|funeral|widow\w*|bereave\w*|lost (?:my|our) "
                       r"(?:husband|wife|partner|mum|mom|mam|dad|son|daughter|baby|brother|sister|boy|girl|child|best friend|nan|gran)"
                       r"|late (?:husband|wife|partner|mum|mom|dad|son|daughter))\b")
# after a death: wanting to be with them, to join them, not to be here without them
_JOIN_THEM = re.compile(r"\b(?:want|wanna|like|wish|long|ready|wanting|longing) to (?:just )?(?:be with|join|go to|see|hold) (?:him|her|them"
                        r"|my (?:husband|wife|partner|mum|mom|mam|dad|son|daughter|baby|boy|girl|brother|sister))(?: again| now| up there"
                        r"| wherever (?:he|she|they) (?:is|are)| in heaven)?\b(?! (?:at|for|tomorrow|later|on|when|while|this|next|after))"
                        r"|\b(?:could|would|can) (?:just )?be with (?:him|her|them) again\b|\bgo where (?:he|she|they)(?:'s| is| are|'ve gone)\b"
                        r"|\b(?:no point|no reason) (?:being|to be|in being) here without (?:him|her|them)\b")


def bereaved(text: str) -> bool:
    """A death of someone close told: the session remembers it, so a later wish to be with them is heard."""
    return bool(_BEREAVED.search(_prepare(text or "").norm))


def screen(text: str, *, risk_earlier: bool = False, recent: Sequence[str] = (), semantic: bool = True,
           loss_earlier: bool = False) -> Screen:
    """Screen one message for risk. ``risk_earlier``: a crisis or concern was flagged earlier this session.

    ``recent``: the person's last few turns before this one, oldest first (up to ``_RECENT_MAX`` are used); risk
    accumulates across them: distress, loss or a risk statement there plus a means question now is a crisis.
    Two layers: the rules above first; when they find nothing, the semantic layer (``_semantic``, a classifier
    over sentence embeddings, ``dialogue/risk_model.py``) looks at the sentences no rule filter vetoed.
    ``semantic=False`` runs the rules alone. ``loss_earlier``: a death of someone close was told this session.
    """
    t = _prepare(text or "")
    # message-level context (e.g. "thank you ... i am going to end it now" closes a chat), bounded in size
    vetoed: set[int] = set()
    hits = _apply_rules(t, _RULES, t.norm[:4000], vetoed)
    cache: list[bool] = []

    def distress() -> bool:  # computed at most once, and only when a means question or a means statement needs it
        if not cache:
            cache.append(bool(_DISTRESS.search(t.norm[:20000]))
                         or _distress_in(list(recent)[-_RECENT_MAX:]) or any(h.level == "crisis" for h in hits))
        return cache[0]

    for s, asked in _sentences(t):
        means = _means(s, asked, risk_earlier, distress)
        if means is not None:
            hits.append(means)
    hits = [_Hit("crisis", h.category, h.reason, h.span)
            if h.level == "concern" and h.reason in _ESCALATE and (risk_earlier or distress()) else h for h in hits]
    if not hits and (m := _SI_HEDGED.search(t.norm)) and _distress_in(list(recent)[-_RECENT_MAX:]):
        # "sometimes? it crosses my mind i guess" a turn after "what's even the point": thoughts half-said
        hits.append(_Hit("concern", "suicide", "hedged thoughts after hopelessness", m.group(0)))
    if not hits and (join := _JOIN_THEM.search(t.norm)) and (loss_earlier or _BEREAVED.search(t.norm)
                                                               or any(_BEREAVED.search(_prepare(r).norm) for r in recent)):
        # "sometimes i think i'd just like to be with him, you know. not that i'd do anything", months after he died
        hits.append(_Hit("concern", "suicide", "a wish to be with someone who died", join.group(0)))
    if not hits and (own := _me_too(t.norm, recent)):
        # "my mate said he wants to die and honestly so do i": their own risk, told as the same as someone else's
        hits.append(_Hit("crisis", "suicide", "their own risk, told beside someone else's", own))
    if not hits and (acts := _preparations(t.norm, recent)):
        # "wrote a couple of letters for the kids, sorted the will, cancelled the footy membership": each alone is
        # everyday; together, or beside one told in the turns just before, they are putting a life in order
        hits.append(_Hit("concern", "suicide", "preparations: " + ", ".join(acts), acts[0]))
    if not hits and semantic:
        _psychotic_lines(t, vetoed)  # only the semantic layer reads the vetoes: not paid for when a rule fired
        hits = _semantic(t, vetoed)
        if hits and _told_over(recent):  # "that's been over for eight years" a turn ago: scars talk now is about then
            hits = [h for h in hits if h.category not in ("self_harm", "suicide")]
    if risk_earlier:  # after a risk statement, a rule-level concern is acted on; a semantic guess still asks
        hits = [_Hit("crisis", h.category, h.reason, h.span)
                if h.level == "concern" and not h.reason.startswith("semantic") else h for h in hits]
    if not hits:
        return Screen(level="none", category=None, reason="", matched=[])
    top = max(_RANK[h.level] for h in hits)
    lead = [h for h in hits if _RANK[h.level] == top]
    lead.sort(key=lambda h: _CATEGORY_ORDER.index(h.category))
    level = "crisis" if top == 2 else "concern"
    reasons = list(dict.fromkeys(h.reason.replace("_", " ") for h in lead))
    matched = list(dict.fromkeys(h.span for h in hits))[:8]
    return Screen(level=level, category=lead[0].category, reason="; ".join(reasons[:4]), matched=matched)


# A past told as over in the turns just before ("i used to self harm when i was sixteen but that's been over for eight
# years"): the model's guesses on later words about it (scars, stares) are not new risk.  Rules still fire.
_OVER_TOLD = re.compile(r"\b(?:used to|when i was (?:a teen\w*|\w+teen|younger|at school|a kid|\d+)|years ago)\b[^\n]{0,80}"
                        r"\b(?:self harm\w*|cut(?:ting)?|hurt(?:ing)? myself|attempt\w*|suicidal|overdos\w*)\b"
                        r"|\b(?:self harm\w*|cutting|hurting myself|attempt\w*|suicidal)\b[^\n]{0,80}\b(?:over for|stopped|"
                        r"have not (?:done it|since)|clean for|free for|behind me|in the past|years ago)\b")


_PREP_ACTS = {
    "letters": r"\b(?:wrote|written|writing|write|left|leaving|leave) (?:a |some |a couple of |a few |the |my |each of my |all my )?"
               r"(?:\w+ )?(?:letters?|notes?) (?:for|to) (?:my |the |each of my |all my )?(?:kids|children|son|daughter|family|wife"
               r"|husband|partner|girls|boys|parents|mum|mom|dad|sister|brother|mates?|friends)\b",
    "will": r"\b(?:sorted|made|making|did|done|doing|updated?|updating|wrote|writing|signed|redid|changed|finished) (?:out )?"
            r"(?:my|the|a) will\b|\b(?:my|the) will (?:is |was )?(?:sorted|done|signed|updated|with the (?:solicitor|lawyer))\b",
    "cancelled": r"\bcancel(?:l?ed|l?ing|s)? (?:my |the |all my |all the )?(?:\w+ )?(?:membership|memberships|subscriptions?"
                 r"|gym|phone contract|contract|lease|season ticket|direct debits?|standing orders?|insurance|appointments)\b",
    "pet": r"\b(?:rehom\w*|giving away|gave away|give away|found (?:a )?(?:new )?homes? for) (?:my |the |our )?(?:dog|cat|pets?|bird"
           r"|rabbit|horse|puppy|kitten)\b|\b(?:taking|having|keeping|getting) (?:my |the |our )?(?:dog|cat|pets?|puppy|kitten)"
           r" (?:from|after|for good|permanently)\b",
    "passwords": r"\b(?:passwords?|pin numbers?|pins|bank details|account details|log ?ins?) (?:written|wrote|down|for|to|sent|left"
                 r"|in an envelope)\b|\b(?:wrote|written|left|sent|gave|giving) (?:\w+ ){0,3}(?:passwords?|pin numbers?|bank details)\b",
    "debts": r"\b(?:paid off|paying off|sorted out|settled|closed|closing) (?:all )?(?:my )?(?:debts?|accounts?|bills|loans?|tab)\b",
    "goodbyes": r"\bsaid (?:my )?goodbyes?\b|\bvisit(?:ed|ing) everyone\b|\bsee(?:ing|n)? everyone (?:one )?(?:last|more) time\b",
    "in order": r"\b(?:getting|got|get|putting|put|have|had) (?:things|everything|it all|stuff|my stuff|my things) (?:squared away"
                r"|in order|tied up|sorted)\b|\bsquar(?:ing|ed) (?:things |everything |it all )?away\b",
}
_PREP_RX = {k: re.compile(v) for k, v in _PREP_ACTS.items()}
_PREP_REASON = re.compile(  # a move, a trip, a baby or a wedding puts life in order too
    r"\b(?:mov(?:e|ing)|moved|emigrat\w*|relocat\w*|holiday|vacation|trip|travel\w*|abroad|overseas|wedding|married|baby"
    r"|pregnan\w*|retir\w*|new job|surgery|operation|deploy\w*|posting|while i am away|renovat\w*|new (?:house|flat|home)"
    r"|downsiz\w*|declutter\w*|landlord|allerg\w*|divorce|diagnos\w*|cancer|terminal|chemo\w*|hospice)\b")


def _preparations(norm: str, recent: Sequence[str]) -> list[str]:
    """Two or more preparatory acts told in this turn, or one here and another in the turns just before, with no
    ordinary reason for them in sight: the acts named, else []."""
    here = [k for k, rx in _PREP_RX.items() if rx.search(norm)]
    if not here:
        return []
    earlier = [_prepare(r).norm for r in list(recent)[-_RECENT_MAX:]]
    if _PREP_REASON.search(norm) or any(_PREP_REASON.search(e) for e in earlier):
        return []
    acts = here + [k for k, rx in _PREP_RX.items() if k not in here and any(rx.search(e) for e in earlier)]
    return acts if len(acts) >= 2 else []


_SI_HEDGED = re.compile(r"\b(?:it |that |the thought )?cross(?:es|ed) my mind\b|\bnot like (?:actually )?(?:doing|do) anything\b"
                        r"|\bi (?:sometimes |do )?think about it (?:sometimes|a lot|at night|most nights)\b")


def _told_over(recent: Sequence[str]) -> bool:
    earlier = [_prepare(r).norm for r in list(recent)[-_RECENT_MAX:]]
    return any(_OVER_TOLD.search(e) and not _RELAPSE.search(e) for e in earlier)


_SEM_VETO = re.compile(  # lines the model confuses with risk: positive hypotheticals it reads as "not waking up"
    # (the miracle question), and the session's own breathing exercise it reads as "i can't breathe"
    r"\b(?:i would|i will|i could|i might|id) (?:finally )?wake up (?:and|feeling|without|to|with|in|rested|refreshed|happy"
    r"|calm|excited|early|on time|looking forward|not)\b|\bwake up (?:without|free of|free from) (?:the|that|this|my)"
    r" (?:dread|anxiety|worry|fear|weight|knot|heaviness)\b"
    r"|\b(?:let us|let'?s|i will|i'?ll|i can|can we|i want to|i would like to|try|do|doing|did|done|tried|practi[cs]e"
    r"|practi[cs]ing) (?:try |do )?(?:the|a|some|that|this|your|slow|deep|paced|box)? ?(?:breathing|breaths?)"
    r"(?: (?:exercise|thing|one|technique|together|again|now|first|with you))?(?= *$| ,| and| please| then)"
    r"|\bbreathing (?:exercise|technique|thing) (?:helped|worked|was (?:good|nice|helpful))"
    r"|\bjump(?:s|ed|ing)? (?:straight )?to (?:the )?(?:worst(?: case)?(?: scenario)?|conclusions)\b"
    # asking for another way of working ("can we stop with the analysing, i need to get it off my chest"); a feeling
    # swallowed ("it'd say, stop swallowing everything"); leaving the session ("that's it, bye")
    r"|\bget (?:it|this|things|stuff) off my chest\b|\bstop (?:with )?(?:the |all the |this )?analys\w+"
    r"|\bswallow(?:ing|s|ed)? (?:everything|it all|my (?:feelings|words|anger|pride)|things|it down)\b"
    r"|^(?:\w+ )?(?:that is|thats) (?:it|all)(?: for (?:me|today|now))?(?: ,)? (?:bye|goodbye|thanks|thank you|cheers|see you)\b"
    r"|\b(?:skip|skipping|pass on|leave out|miss out|without|not do|rather not do|instead of|no more) (?:the |that |this "
    r"|your |all (?:the |that )?)?(?:breathing|breath|breaths|grounding)(?: (?:bit|part|thing|stuff|exercises?|one|step))?\b"
    # round 4: ending the call or session itself ("i want to end this call and go to bed"), and a break with an end
    # date ("i wish i could disappear for a few days"), unless the line also says it is for good
    r"|\bend (?:this|the|our) (?:call|chat|session|conversation|meeting|exercise|lesson)\b"
    r"|^(?![^\n]*\b(?:never|forever|for good|permanent\w*|dead|die|anymore|not come back)\b)[^\n]*\b(?:disappear|vanish"
    r"|get away|run away|hide)\w* (?:for|until|till) (?:a |the |about |like )?(?:few|couple|day|days|week|weeks|weekend"
    r"|month|months|bit|while|night|summer|holidays?|break)\b"
    # how long the session or an exercise lasts; landmark trivia with no place near the person (a local or lethal
    # height question is the means rules' business, and those run before this veto)
    r"|^(?:\w+ )?how (?:long|much longer|much time) (?:will|is|does|do|are|have) (?:this|it|we|the (?:session|exercise"
    r"|call|chat))\b(?![^\n]*\b(?:die|dying|dead|bleed\w*|kill\w*|overdos\w*|pills?|tablets?|drown\w*|hang\w*|suffocat\w*"
    r"|unconscious|survive|poison\w*)\b)"
    # round 6: "not cut out for this"; why they came ("idk why i'm here, my friend said to try it"); good news ("we got the
    # flat!"); a goodbye from someone who says they are fine
    r"|\bcut out (?:for|to be)\b(?! (?:life|living|this world|this life|being alive|existing)\b)"
    # hurt as a feeling ("it wants me to admit i'm hurt. that he isn't coming"), with no one doing anything to them
    r"|^(?![^\n]*\b(?:hit\w*|push\w*|shov\w*|kick\w*|chok\w*|strangl\w*|threat\w*|grab\w*|slap\w*|punch\w*|beat\w*|bruis\w*"
    r"|scared|afraid|frightened|kill\w*|die|dead|myself|cut\w*|bleed\w*)\b)[^\n]*\b(?:admit|say|feel|felt|feeling|i am|i'?m|am) (?:that )?"
    r"(?:i am |i'?m |so |really |just |a bit |very )?hurt\b(?! (?:me|by|myself|him|her|them))"
    # housing fear ("we'll end up with nowhere", "on the street"): everyday distress, not an ending
    r"|\b(?:end up|ending up|wind up) (?:on the streets?|homeless|with nowhere(?: to (?:live|go|stay))?|nowhere|sleeping rough"
    r"|in a hostel|sofa surfing|in a shelter)\b"
    # round 9: a body sensation told as an image in body work ("the rock is hot, and heavy, it pulls down"), with no
    # ending, place or means in the line
    r"|^(?![^\n]*\b(?:die|dying|dead|death|kill\w*|end (?:it|me|my)|suicid\w*|jump\w*|fall(?:ing)? off|drown\w*|river|water"
    r"|bridge|cliff|edge|ledge|roof|tracks|pills?|tablets?|rope|hang\w*|wrists?|cut\w*|blood|anymore|gone|disappear\w*"
    r"|never wake|give up|let go of (?:life|everything))\b)[^\n]*\b(?:the|this|that|a|like a|it'?s like a) (?:rock|stone|knot|weight"
    r"|ball|brick|lump|fist|band|stone|boulder|anchor|pressure|heaviness|tightness|ache)\b[^\n]*\b(?:hot|warm|cold|heavy|tight"
    r"|hard|sharp|dull|pulls?|pulling|presses|pressing|pushes|sits|sitting|moving|spinning|buzzing|burning|squeez\w*)\b"
    # a fear of losing someone's love, not of their violence ("kind of scared he's bored of me")
    r"|^(?![^\n]*\b(?:hit\w*|hurt\w*|kill\w*|push\w*|shov\w*|chok\w*|threat\w*|beat\w*|punch\w*|slap\w*|grab\w*|weapon|knife"
    r"|gun|drunk|drinking|rage|temper|violent)\b)[^\n]*\b(?:scared|afraid|worried|terrified|frightened|fear)\b[^\n]{0,15}\b(?:he|she"
    r"|they)(?:'s| is| are|'re|'ll| will| might| may| could)? (?:be |get |getting )?(?:bored|tired|sick|fed up) (?:of|with) me"
    r"|\b(?:scared|afraid|worried|terrified|frightened)\b[^\n]{0,15}\b(?:he|she|they)(?:'ll| will| might| may| is going to"
    r"|'s going to| is gonna|'s gonna)? (?:leave|dump|cheat on|break up with|lose interest in|stop loving|fall out of love with)"
    r" me\b"
    # the voice of a feeling or a part of the body in body work ("like it's saying watch out, it's not over"), with no
    # ending in what it says
    r"|^(?![^\n]*\b(?:die|dying|dead|death|kill\w*|end (?:it|me|my|this|everything)|gone|disappear\w*|give up|go on|no point"
    r"|better off|pointless|(?:be|is|all|soon|it) over|hurt (?:my|your)self|suicid\w*|jump\w*|pills?|tablets?)\b)[^\n]*"
    r"\b(?:it'?s|it is|it'?d|it would|it|my (?:stomach|chest|body|heart|shoulders?|throat|gut|head|jaw|hands?))"
    r" (?:is |would |keeps |just )?(?:saying|say|says|telling me|tells me|whisper\w*|shout\w*)\b"
    # an exercise turned down ("no breathing stuff please")
    r"|\bno (?:more )?(?:breathing|breath|grounding) (?:stuff|exercises?|thing|things|please|bits?)\b"
    # a partner who is distant, not a person who is ending ("he's just... not there anymore? he's on his phone all evening")
    r"|\b(?:he|she|they)(?: is| are)? (?:just |kind of |kinda |sort of )?(?:not (?:really )?there|not present|checked out|miles away"
    r"|somewhere else)(?: anymore| any more| emotionally| for me)?\b"
    # an intrusive thought of having harmed someone, checked ("i get this thought that i hit someone... i drive back")
    r"|\b(?:i get|i have|i keep getting|i keep having|i got) (?:this|these|a|the) (?:thought|image|feeling|worry)s? (?:that )?i"
    r" (?:hit|hurt|ran over|run over|killed|harmed|stabbed|pushed|poisoned)\b"
    # round 14: a feared accident that harms others, told as the thought ("the thought was i'm going to cause a crash and
    # hurt somebody"), not a wish to die
    r"|\b(?:the thought (?:was|is)|i thought|what if|i am scared|i am afraid|i worry|i am worried)\b[^\n]{0,20}\bi (?:am |will |would"
    r" |might |could )?(?:going to |gonna )?(?:cause a crash|crash (?:the car|into \w+)|hurt (?:somebody|someone|a kid|a child|people)"
    r"|hit (?:somebody|someone|a kid|a child|a cyclist|a pedestrian)|run (?:somebody|someone) over)\b"
    # self-criticism said as an idiom ("he wouldn't want me beating myself up")
    r"|\b(?:beat|beats|beating|beaten) (?:myself|yourself|herself|himself|themselves|ourselves) up\b(?![^\n]*\bliterally\b)"
    # eyes on the floor in an exercise ("ok i can just look at the floor"), with no height in the line
    r"|^(?![^\n]*\b(?:top|roof|rooftop|edge|bridge|balcony|window|ledge|jump\w*|storey|story|stories|high|height|up here|fall\w*"
    r"|\d+(?:st|nd|rd|th) floor|floors? (?:up|below|down))\b)[^\n]*\b(?:look|looking|stare|staring|keep my eyes|eyes) (?:down )?(?:at|on)"
    r" (?:the )?(?:floor|ground|carpet|rug|table|wall|desk)\b"
    # a delayed or stuck train or bus on the way home (the model reads the station as the tracks)
    r"|^(?![^\n]*\b(?:jump\w*|tracks?|in front|platform edge|step off|rails?|line(?! manager))\b)[^\n]*\b(?:train|bus|tube|tram|metro)"
    r" (?:was |got |sat |is |has been )?(?:stuck|delayed|late|cancelled|canceled|sat|stopped|held|terminated|packed|rammed)\b"
    r"|^(?![^\n]*\b(?:die|dead|death|dying|kill\w*|suicid\w*|end it|overdos\w*|hurt myself)\b)[^\n]*(?:\b(?:we|i) (?:got|won|passed|landed|bagged"
    r"|nailed|aced) (?:it|the (?:one|flat|house|job|place|offer|apartment|contract|role|interview|promotion|part|place))\b"
    r"|\b(?:good|great|amazing|brilliant|best|fantastic|exciting) news\b)"
    r"|^(?:\w+ )?(?:which|what is the|whats the) (?:bridge|building|tower|skyscraper|mountain|cliff)s? (?:is |are )?(?:the )?"
    r"(?:highest|tallest|oldest|longest|biggest|most famous)(?: (?:one|in the world|in the country|in europe|ever))? *$",
    re.M)


# round 5: lines whose risk words are explained in the line itself, which the model cannot read: someone else's risk that
# is already handled ("he's got a restraining order now", "she's stable now"), funeral pre-planning with an undertaker,
# a hangover ("absolutely hanging after last night"), a eulogy or values exercise, an accidental double dose or a tablet
# that is hard to swallow, "killing my joy", the old me or an anxious part of me that should "die"; and a miracle-question
# answer ("if i woke up and the problem was gone").  Not when the line says the risk is back or present (_RELAPSE).
_SEM_EXPLAINED = re.compile(
    # round 18: a hobby in the garage or shed ("i go out to the garage and fiddle with stuff")
    r"(?:^|\n)(?![^\n]*\b(?:rope|hose|exhaust|engine|running|fumes|hang\w*|die|dying|dead|end it|kill\w*|do it|gun|shotgun|pills"
    r"|no one would|nobody would)\b)[^\n]*\b(?:garage|shed|workshop)\b[^\n]{0,40}\b(?:fiddl\w*|tinker\w*|potter\w*|work(?:ing)? on"
    r"|fix\w*|tools|bike|motorbike|woodwork|guitar|drums|paint\w*|projects?|sort(?:ing)? (?:stuff|things) out)\b|"
    # round 18: "sorry, i'm not really here for me": someone else is the worry
    r"\b(?:not|n'?t) (?:really )?(?:here|calling|ringing|asking|talking|messaging) (?:for|about) (?:me|myself)\b"
    r"|\bthis (?:is not|isn'?t) (?:really )?(?:about|for) me\b|\bit is not (?:really )?(?:about|for) me\b|"
    # round 17: fired ("everyone can see i'm a fraud and they're gonna let me go"), lonely ("i'll be alone forever")
    r"\b(?:they|he|she|work|the company|my boss|my manager|management|hr)(?: are| is| will| would)? (?:gonna |going to |about to "
    r"|want to |might |could |will |would )?(?:let|letting) me go\b|\b(?:be|end up|stay|being|staying) (?:alone|single|lonely) "
    r"forever\b(?![^\n]*\b(?:dead|die|kill|not (?:be )?(?:here|alive)|end it)\b)|\b(?:restraining order|non molestation order|got away from|(?:he|she|they) (?:is|are|was|were|has been|have been)"
    r" (?:\w+ )?(?:in prison|locked up|arrested|charged|convicted|sectioned|in treatment|in rehab|getting help|stable"
    r"|recovering|doing better|home now|out of hospital|safe now)|police (?:came|arrested|took (?:him|her|them))|in a refuge"
    r"|(?:is|are) (?:safe|stable|okay|ok) now|undertaker|funeral director|funeral plan|pre ?paid funeral|pre ?plann?\w*"
    r"|eulogy|obituary|what (?:i would|i) want (?:people|them|everyone) to say|remembered (?:as|for)|values (?:exercise"
    r"|worksheet)|killing (?:my|the) (?:joy|vibe|mood|buzz|motivation|confidence|creativity|productivity|appetite|social life"
    r"|sleep)|the (?:old|former|previous|people pleasing|perfectionist|anxious|angry|critical) (?:me|version of me|self)\b"
    r"|the (?:anxious|angry|critical|scared|perfectionist|people pleasing|worried|old) part of me (?:to|needs|has|can|should"
    r"|could|will|would)|if i (?:woke|wake|were to wake) up (?:and|tomorrow|one morning)(?! dead| and (?:was|were) dead| and it"
    r" was all over)|(?:want|like|love|hope) to wake up (?:and|feeling|without|rested|refreshed|calm|happy|excited|early"
    r"|not feel\w*)(?![^\n]*\b(?:dead|not (?:be )?(?:here|alive)|gone)\b)"
    r"|(?:accidentally|by accident|by mistake|forgot (?:if|whether|that) i)\b(?![^\n]*\b(?:all|whole|too many|handful|bottle"
    r"|overdos\w*|on purpose)\b)[^\n]*\b(?:two|double|extra|twice|instead of|an extra|another)\b"
    r"|(?:split|halve|crush|cut|break) (?:\w+ )?(?:tablets?|pills?|capsules?) (?:in half|in two|into halves)"
    r"|(?:tablets?|pills?|capsules?|they are) (?:too )?(?:hard|difficult|big) to swallow"
    r"|\b(?:weed ?killer|pesticide|insecticide|slug pellets|rat poison|bleach|antifreeze|rope|ladder)\b[^\n]*\bfor (?:the|my|our)"
    r" (?:patio|garden|lawn|allotment|greenhouse|driveway|weeds|roses|veg\w*|car|boat|tent|swing|washing line|shed|fence)\b"
    r"|\b(?:poison|pesticide|insecticide|killer|traps?|bait)\b[^\n]*\b(?:mice|rats?|slugs|weeds|aphids|wasps|ants|moles|pests"
    r"|roaches|cockroaches|greenfly|fleas|bed ?bugs|termites)\b|\b(?:mice|rats?|slugs|weeds|aphids|wasps|ants|moles|pests"
    r"|roaches|cockroaches|greenfly|fleas|bed ?bugs|termites)\b[^\n]*\b(?:poison|pesticide|insecticide|killer|bait)\b"
    r"|(?:will not|does not|can not|would not|never) wake (?:up )?(?:for|in time|on time|early)|wake (?:him|her|them) up for"
    r" (?:school|work|nursery|college))"
    r"|^(?=[^\n]*\bhanging\b)(?=[^\n]*\b(?:last night|drink\w*|pints?|night out|hungover|hangover|wine|beer|vodka|party|sesh"
    r"|sessions?|tequila|cocktails)\b)(?![^\n]*\bhang\w* myself)", re.M)


# round 6, read over the whole short message: why they came ("idk why i'm here really. my friend said to try it"), and a
# goodbye from someone who says they are fine ("i'm fine today really, i just wanted to tell you. goodbye")
_SEM_VETO_MESSAGE = re.compile(
    # round 11: a partner who is distant, across a pause ("he's just... not there anymore? he's on his phone all evening")
    r"\b(?:he|she|they) (?:is|are)[\s.,]*(?:(?:just|kind of|sort of)[\s.,]+)?not (?:really )?there (?:anymore|any more)\b"
    r"(?![\s\S]*\b(?:die|dead|kill\w*|suicid\w*|end it|overdos\w*|pills)\b)|"
    r"^(?=[\s\S]*\b(?:said|told me|suggested|recommended|sent me|made me|booked|signed me up|try (?:it|this|you|the app))\b)"
    r"(?![\s\S]*\b(?:anymore|alive|on (?:this )?earth|in this world|living|die|dead)\b)[\s\S]*\bwhy (?:i am|i'?m|im) (?:even |really )?"
    r"(?:here|doing this)\b"
    r"|^(?![\s\S]*\b(?:forever|for good|last time|before i go|everyone|everybody|all of you|won'?t (?:be|see)|not be (?:here|around)|end it|anymore|final|miss me|sorry for"
    r" everything|pills?|tablets|die|dead|kill\w*|suicid\w*)\b)[\s\S]*\b(?:i'?m|i am) (?:fine|good|okay|ok|alright|better|great"
    r"|doing (?:well|better|okay|ok|fine))\b[\s\S]*\b(?:goodbye|bye|see you|take care)\b")


def _psychotic_lines(t: _Text, vetoed: set[int]) -> None:
    """Lines with a delusional belief ("i know i am actually dead") go to the scope referral, not the risk model;
    lines whose apparent risk is explained in them (``_SEM_VETO``, ``_SEM_EXPLAINED``, a resolved past) are not scored."""
    lines = t.norm.split("\n")
    if len(t.norm) <= 300 and _SEM_VETO_MESSAGE.search(t.norm) and not _DISTRESS.search(t.norm):
        vetoed.add(-1)
    if _SEM_VETO.search(t.norm):
        for i, line in enumerate(lines):
            if _SEM_VETO.search(line) and not _DISTRESS.search(line):
                vetoed.add(i)
    # round 5: a past that is over, in the line or (short message) in the whole message, and explained lines
    if len(lines) <= 4 and len(t.norm) <= 400 and _resolved(t.norm, None):
        vetoed.add(-1)
    elif _RECOVERY.search(t.norm) or _SEM_EXPLAINED.search(t.norm):
        for i, line in enumerate(lines):
            if (_SEM_EXPLAINED.search(line) or _resolved(line, None)) and not _relapse(line):
                vetoed.add(i)
    if not (_DELUSION.search(t.norm) or _PERSECUTION.search(t.norm)):
        return
    for i, line in enumerate(t.norm.split("\n")):
        if _DELUSION.search(line) or _PERSECUTION.search(line):
            vetoed.add(i)


# ---------------------------------------------------------------------------------------------
# the semantic layer (second opinion when no rule fired)
# ---------------------------------------------------------------------------------------------
_SEM_MAX = 12  # sentences embedded per message at most (about 10-20 ms each)
_SEM_WHOLE_WORDS = 60  # a message up to this many words is also embedded as a whole
_SEM_MIN_WORDS = 3
_SEM_PLAIN_LINES = 4  # sentences without any risk word ("i'm on the rail of the balcony now") reach the model only in
_SEM_PLAIN_WORDS = 30  # messages of at most this many sentences and words (keeps long everyday turns cheap and quiet)
_RISK_ADJACENT = re.compile(  # everyday words that often come with risk: a sentence with only these is tier 1
    r"\b(?:di(?:e|ed|es|ing)|dead|death|kill\w*|suicid\w*|end(?:ing|ed)?|life|liv(?:e|ing)|alive|exist\w*|gone|goodbyes?"
    r"|bye|burden|bother|better off|without me|miss me|wake|waking|sleep\w*|hurt\w*|harm\w*|cut\w*|burn\w*|blade|razor"
    r"|scars?|marks|bleed\w*|blood|pills?|tablets?|meds|dose|insulin|paracetamol|overdos\w*|swallow\w*|poison\w*|rope"
    r"|hang\w*|bridge|roof|edge|tall|high|deep|water|jump\w*|gun|knife|knives|train|bus|truck|car|hit\w*|beat\w*"
    r"|punch\w*|chok\w*|strangl\w*|threat\w*|scared|afraid|safe|unsafe|danger\w*|abus\w*|rap(?:e|ed)|breath\w*"
    r"|chest|heart|throat|swell\w*|collaps\w*|faint\w*|pass(?:ed|ing)? out|seizure|stroke|vomit\w*|throwing up"
    r"|confus\w*|pain|point|anymore|disappear\w*|vanish\w*|forever|letters?|note|away|plan\w*|ready|done|out"
    r"|tired|myself|alone|tonight|sorry|trust|need(?:ing)? (?:it|them)|do it|everything|anything|after|here|longer"
    r"|go on|keep going|for good|around|easier|everyone|anyone|nobody|no one|forever|traffic|swerv\w*|crash\w*|drive off|cliff|fall\w*"
    r"|wall|floor|stairs|threw|throw\w*|push\w*|shov\w*|grab\w*|slap\w*|kick\w*|attack\w*|terrif\w*|frighten\w*"
    r"|fear|panic\w*|break(?:ing)? in(?:to)?|broke in(?:to)?|follow\w*|stalk\w*|outside|lock\w*|trapped|weapon"
    r"|hospital|ambulance|emergency|allerg\w*|dizzy|numb|unconscious|sick|drunk|drank|alcohol|sting|stung"
    # round 5: places and words of leaving that come with plans ("walk into the sea", "switch off permanently")
    r"|sea|ocean|river|lake|canal|pier|forest|woods|tracks|car park|multi storey|permanently|for after|last time|bye"
    r"|medicine cabinet|counted|scheduled|insurance|envelope|void)\b")
# The words that carry risk on their own (tier 0, ``semantic_tier``); a sentence with only the everyday words of
# _RISK_ADJACENT ("plans", "done", "after", "sorry"), or with none, needs more probability to be a concern.
_RISK_STRONG = re.compile(
    r"\b(?:di(?:e|ed|es|ing)|dead|death|kill\w*|suicid\w*|end (?:it|my|this|things)|ending (?:it|my|things)|alive|exist\w*"
    r"|gone|goodbyes?|burden|better off|without me|miss me|wake|waking|never wake|hurt\w*|harm\w*|cut\w*|burn\w*|blade"
    r"|razor|scars?|bleed\w*|blood|pills?|tablets?|meds|dose|insulin|paracetamol|overdos\w*|swallow\w*|poison\w*|rope"
    r"|hang\w*|bridge|roof|edge|jump\w*|gun|knife|knives|train|traffic|cliff|hit\w*|beat\w*|punch\w*|chok\w*|strangl\w*"
    r"|threat\w*|unsafe|not safe|danger\w*|abus\w*|rap(?:e|ed)|breath\w*|chest|collaps\w*|faint\w*|pass(?:ed|ing)? out"
    r"|seizure|stroke|vomit\w*|disappear\w*|vanish\w*|forever|for good|anymore|no point|the point|no one would|nobody would"
    r"|go on|keep going|not be here|not here|can not do this|give up|giving up|weapon|trapped|stalk\w*|follow\w*|hospital"
    r"|ambulance|emergency|allerg\w*|unconscious|drunk|sting|stung|throat|swell\w*|fall\w*|drive off|swerv\w*|crash\w*"
    # round 5: lethal means named without a risk verb ("my dad's shotgun is in the shed", "insecticide under the sink")
    r"|shotgun|rifle|revolver|pistol|firearm|bullets|ammo|ammunition|pesticide\w*|insecticide\w*|weed ?killer|antifreeze"
    r"|bleach|morphine|oxycodone|fentanyl|methadone|codeine|tramadol|blades|noose|ligature|overpass|viaduct)\b")
WEAK_MARGIN = 0.06  # round 2's margin for everyday-word sentences; weights from round 3 carry their own (``margins``)
_SEM_FAILED = False


def semantic_tier(norm: str) -> int:
    """How much a (normalised) sentence says about risk in words: 0 a risk word ("die", "pills", "bridge"), 1 only
    everyday words that often come with risk ("plans", "done", "after"), 2 none ("i'm at the top of the multi
    storey").  The model looks at all three; the less a sentence says in words, the surer it must be
    (``RiskModel.margins``, chosen out of fold when training)."""
    return 0 if _RISK_STRONG.search(norm) else 1 if _RISK_ADJACENT.search(norm) else 2


# Round 5, inference only (training keeps ``semantic_tier``, so the shipped weights are unchanged by it): hurt feelings
# ("i could tell her it hurt", "what he said really hurt") are not a risk word, and a fragment of at most
# ``_SEM_FRAGMENT_WORDS`` words with no risk word at all ("i just stood there") is never flagged on its own (the whole
# message still is): the embedding of so few everyday words says too little.  Both came from the client bank.
_SEM_FRAGMENT_WORDS = 3
_FELT_HURT = re.compile(
    r"\b(?:it|that|this|which|she|he|they|words|comments?|what (?:\w+ )?said) (?:\w+ ){0,2}hurts?\b(?! (?:myself|me\b|her\b|him\b))"
    r"|\bhurt (?:my feelings|me (?:deeply|a lot|so much|more than))\b|\b(?:felt|feel|feeling|was|am|so|really|deeply) hurt\b"
    r"|\bhurt by\b")


_HAIR = re.compile(r"\b(?:hair|haircuts?|salon|barber\w*|hairdress\w*|fringe|clients'? hair|trims?)\b")


# Round 12, inference only: everyday phrases that carry a risk word ("no hang on", "i follow him into the kitchen",
# "cut straight through the lock") say nothing about risk in words; the model must then be as sure as for plain words.
_EVERYDAY_RISK_WORD = re.compile(
    r"\b(?:hang|hold) on\b|\bfollow(?:ed|ing|s)? (?:him|her|them|me|you|it|us) (?:in|into|to|around|round|out|home|up|down|back"
    r"|about|everywhere)\b|\bcut (?:straight |right |clean )?(?:through|off) (?:the|a|my|his|her|their) (?:\w+ )?(?:lock|chain|cable"
    r"|wire|fence|padlock|queue|grass|hedge|bread|cake|meat|tape|string|tag|label)\b|\bcut (?:the|my|his|her) (?:grass|hedge"
    r"|hair|lawn|nails|cake|bread|costs?|losses|budget|line)\b"
    r"|\bit is (?:so |really |a bit |pretty )?late(?: (?:sorry|here|at night|i know))?\b(?! (?:for|to)\b)"
    # round 15: rumination, leaping ahead, grief for someone else and being worn out are told in risk words
    r"|\bkeeps? going (?:over|back|round|around) (?:and over |it|things|that|what|everything|in my head)"
    r"|\bjump(?:ing|ed|s)? (?:ahead|to (?:conclusions|the worst)|the gun)\b"
    r"|\b(?:since|when|after|before) (?:my |our |his |her |their )?(?:mam|mum|mom|mother|dad|da|father|nan|nana|gran|granny"
    r"|grandad|grandma|grandpa|grandmother|grandfather|husband|wife|partner|brother|sister|son|daughter|friend|aunt|uncle"
    r"|\w+'s (?:mum|mom|dad)) (?:died|passed(?: away)?)\b"
    r"|\b(?:before|till|until|til) i drop\b|\b(?:ready|about) to drop\b|\bdead on my feet\b"
    r"|\b(?:a (?:small |little |tiny )?bit|feels?|feeling|much|little|slightly|somewhat|way|getting|got|bit|and|but) lighter\b"
    r"|\blighter (?:a (?:small |little |tiny )?bit|now|today|than|already|again)\b"
    r"|\bbye(?: bye)?(?: then| for now| now)?(?= *$)"
    # round 16: "i'm not really here for me", "no, no breathing" (an exercise refused), "i'm dead meat", killing off servers
    r"|\bnot (?:really |actually )?here for (?:me|myself)\b|\bno,? (?:no )?breathing(?: (?:stuff|exercises?|thing|one|please))?\b"
    r"|\bdead meat\b|\bpull(?:ing|ed)? the plug(?! on (?:myself|me|my life|it all|everything))\b"
    r"|\bkill(?:ing|ed)? off (?:the|a|an|old|those|these|our|some)\b")


def _inference_tier(norm: str, message: str = "") -> int:
    """``message``: the whole turn the sentence came from (a hairdresser's "when i'm cutting" follows "the hair part")."""
    norm = _EVERYDAY_RISK_WORD.sub(" ", norm)
    if _HAIR.search(message or norm):  # "i still love the actual hair part. when i'm cutting i forget everything": a hairdresser
        norm = re.sub(r"\bcut(?:s|ting)?\b", " ", norm)
    tier = semantic_tier(norm)
    if tier == 0 and _FELT_HURT.search(norm) and not _RISK_STRONG.search(_FELT_HURT.sub(" ", norm)):
        return 1
    return tier


def _semantic_candidates(t: _Text, vetoed: set[int]) -> list[str]:
    """The sentences the model looks at: every one no rule filter vetoed (at least ``_SEM_MIN_WORDS`` words); in a
    long message the ``_SEM_MAX`` most risk-relevant ones.  Short multi-sentence messages are also read whole."""
    if -1 in vetoed:
        return []
    cands: list[tuple[int, int, str]] = []  # (-risk words, position, text)
    seen: set[str] = set()
    lines = t.norm.split("\n")
    plain_ok = len(lines) <= _SEM_PLAIN_LINES and len(t.norm.split()) <= _SEM_PLAIN_WORDS
    for i, norm in enumerate(lines):
        raw = t.raw[i].strip() if i < len(t.raw) else norm
        if i in vetoed or len(norm.split()) < _SEM_MIN_WORDS or raw.lower() in seen:
            continue
        seen.add(raw.lower())
        if _HUMAN.search(norm) and not _RISK_STRONG.search(re.sub(r"\b(?:hang|hold) on\b", " ", norm)):
            continue  # "wait, hang on, is this a real person?" asks about Attune
        risk = 2 * len(_RISK_STRONG.findall(norm)) + len(_RISK_ADJACENT.findall(norm))
        if risk or plain_ok:  # a sentence with no risk word is read in a short message only
            cands.append((-risk, i, raw[:600]))
    if len(cands) > _SEM_MAX:  # long message: the most risk-relevant sentences
        cands = sorted(cands)[:_SEM_MAX]
    texts = [c[2] for c in sorted(cands, key=lambda c: c[1])]
    words = len(t.norm.split())
    skipped_short = any(0 < len(line.split()) < _SEM_MIN_WORDS for line in lines)
    if not vetoed and len(lines) > 1 and words <= _SEM_WHOLE_WORDS and (len(cands) > 1 or (cands and skipped_short)):
        texts.append(" ".join(r.strip() for r in t.raw))
    return texts


def _semantic(t: _Text, vetoed: set[int]) -> list[_Hit]:
    """Model hits for the sentences no rule filter vetoed ([] when the model is unavailable)."""
    global _SEM_FAILED
    texts = _semantic_candidates(t, vetoed)
    if not texts or _SEM_FAILED:
        return []
    try:
        from attune.dialogue import risk_model
        model = risk_model.load()
        scores = model.score(texts)
    except Exception:  # pragma: no cover - a broken install must not take the rule screen down
        import logging
        logging.getLogger(__name__).exception("semantic risk layer unavailable; rules only")
        _SEM_FAILED = True
        return []
    for i, text in enumerate(texts):  # a sentence that says less in words must be surer
        norm = normalise(text)
        tier = _inference_tier(norm, t.norm)
        margin = model.margins[tier]
        s = scores[i]
        if s.level != "none" and (s.p < model.t_concern + margin or (tier == 2 and len(norm.split()) <= _SEM_FRAGMENT_WORDS)):
            scores[i] = risk_model.RiskScore(s.p, "none", None, s.nearest)
        elif s.level == "crisis" and margin and s.p < model.t_crisis + margin:
            scores[i] = risk_model.RiskScore(s.p, "concern", s.category, s.nearest)
    best = max(range(len(texts)), key=lambda i: scores[i].p if scores[i].level != "none" else -1.0)
    s = scores[best]
    if s.level == "none":
        return []
    reason = f"semantic: similar to \"{s.nearest}\" (p={s.p:.2f})"
    return [_Hit(s.level, s.category or "suicide", reason, texts[best][:200])]


def is_means_request(text: str) -> bool:
    """True when the text asks for method, means or lethality information, however it is framed."""
    return any(_means(s, asked, True) is not None for s, asked in _sentences(_prepare(text or "")))


# ---------------------------------------------------------------------------------------------
# scope limits: minors, medication and diagnosis advice, psychosis or mania, compulsions, "are you human?"
# ---------------------------------------------------------------------------------------------
_NUM_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen"
    " eighteen nineteen twenty".split())}
_ORDINALS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
_NUM = r"(\d{1,2}|" + "|".join(_NUM_WORDS) + ")"
_UNITS = (r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|pounds?|lbs?|kg|kilos?|stone|percent|per cent|dollars?|bucks"
          r"|quid|euros?|miles?|km|k|feet|foot|inch(?:es)?|cm|times|floors?|steps|grand|pages?|calories|points|o clock|oclock"
          r"|am|pm|people|items|of|out of|in a row|hundred|thousand|million|and a half|tables?|seconds?|secs?|percent)\b")
_AGE = re.compile(r"\bi am (?:only |just |now |almost |nearly )*" + _NUM + r"(?: years? old| yrs? old| year old| yo| y o)?"
                  r"(?! " + _UNITS + r")(?= *$| ,| and| but| so| years| yrs| year| yo| y o| f\b| m\b| turning| going on"
                  r"| now| i\b| my\b| in\b| at\b| too| still| if| because| btw)", re.M)
_AGE2 = re.compile(r"\b(?:i just turned|i turned|i am turning|i turn|i will be|i will turn) " + _NUM
                   + r"(?: years? old| year old)?(?! " + _UNITS + r")"
                   + r"|\b(?:as an?|i am an?) " + _NUM + r" (?:years? old|year old|yo|y o)\b", re.M)  # "i'm a seven today" is a mood
_SCHOOL_YEAR = re.compile(r"\bi am (?:in|doing|starting|finishing|going into) (?:year|grade|yr) " + _NUM
                          + r"(?! (?:of|at) (?:uni|university|college|my|the|law|med|medical|nursing|phd|grad))", re.M)
_GRADE = re.compile(r"\bi am (?:in|doing|starting|finishing|going into) (?:the )?(?:(\d{1,2})(?:st|nd|rd|th)|("
                    + "|".join(_ORDINALS) + r")) grade\b", re.M)
_MINOR = re.compile(
    r"\bi am (?:a |an )?(?:minor|underage|under 18|under eighteen|not 18 yet|not eighteen yet|not an adult yet"
    r"|(?:freshman|sophomore|junior|senior) in high school|(?:in|at) (?:middle school|high school|junior high|secondary"
    r" school|primary school|elementary school|sixth form)|doing my gcses|(?:a )?(?:teen|teenager) (?:and|in) (?:high|middle)"
    r" school)\b|\bi go to (?:middle|high|secondary|primary|elementary) school\b", re.M)

_DRUGS = (r"(?:meds|medication|medications|medicine|pills|tablets|dose|dosage|antidepressants?|anti depressants?"
          r"|antipsychotics?|ssris?|snris?|sertraline|zoloft|prozac|fluoxetine|lexapro|escitalopram|citalopram|celexa|paxil"
          r"|paroxetine|wellbutrin|bupropion|effexor|venlafaxine|cymbalta|duloxetine|mirtazapine|lithium|lamotrigine"
          r"|lamictal|seroquel|quetiapine|abilify|aripiprazole|risperidone|olanzapine|xanax|alprazolam|valium|diazepam"
          r"|ativan|lorazepam|klonopin|clonazepam|adderall|ritalin|vyvanse|concerta|methylphenidate|melatonin|propranolol"
          r"|buspirone|trazodone|gabapentin|pregabalin|benzos?|sleeping pills|sleeping tablets|mood stabili[sz]ers?"
          r"|stimulants?|prescription|\w+ (?:pills|tablets|meds|medication))")
_MEDICATION = re.compile(
    r"\b(?:should|can|could|do|would|shall|must) i (?:\w+ )?(?:stop|start|quit|come off|get off|go off|increase|decrease"
    r"|lower|raise|up|double|halve|skip|change|switch|take|try|keep taking|stop taking|reduce|cut down|wean off|ask for"
    r"|be on|get on|go on|mix|drink on|drink with)\b[^,\n]{0,40}\b" + _DRUGS + r"\b"
    r"|\b(?:can|could|would|will) you (?:please )?(?:up|increase|lower|decrease|change|adjust|prescribe|recommend|suggest"
    r"|reduce|double|switch|give me|tell me)\b[^,\n]{0,30}\b" + _DRUGS + r"\b"
    r"|\bwhat (?:kind of |sort of |type of )?(?:medication|meds|medicine|antidepressants?|pills|drugs?|dose|dosage|ssri)"
    r" (?:should|could|would|do|can) (?:i|you)\b|\b(?:is it|is that|would it be) (?:ok|okay|safe|bad|fine|dangerous|alright|grand|cool"
    r"|wise|a good idea|a bad idea|mad|stupid)"
    r" (?:to|if i) .{0,40}\b" + _DRUGS + r"\b|\bhow (?:much|many)(?: mg| milligrams)? (?:of )?(?:my |the )?\w*"
    r" ?(?:should|can|do) i (?:take|have)\b|\b(?:do|would) i (?:need|benefit from) (?:meds|medication|antidepressants|pills)"
    r"|\b(?:recommend|suggest) (?:a|an|some|any) (?:medication|antidepressant|sleeping pill|drug|pill|supplement)\b"
    r"|\bside effects of (?:my |the |these |this )?" + _DRUGS + r"\b|\bi (?:want|am going|am thinking about|plan|am"
    r" planning|have decided) to (?:stop|quit|come off|get off) (?:taking )?(?:my |the )?" + _DRUGS + r"\b"
    # someone else's prescription: "if i took one of mam's propranolol before the test"
    r"|\b(?:take|took|taking|borrow\w*|use|using|have|had|nick\w*|steal\w*) (?:one|some|a couple|a few|two|half|a)? ?(?:of )?(?:my )?"
    r"(?:mum|mam|mom|ma|dad|da|sister|brother|friend|partner|flatmate|roommate|housemate|nan|gran|nana|granny|wife|husband|mate"
    r"|girlfriend|boyfriend|cousin|aunt|uncle)'?s " + _DRUGS + r"\b", re.M)
_CONDITIONS = (r"(?:bipolar(?: disorder)?|adhd|add|ocd|bpd|borderline(?: personality disorder)?|c?ptsd|depression|clinical"
               r" depression|an anxiety disorder|anxiety|generali[sz]ed anxiety|social anxiety|panic disorder|autism"
               r"|autistic|aspergers|asperger is|schizophreni[ac]|schizoaffective|psychosis|psychotic|an eating disorder"
               r"|anorexia|bulimia|binge eating disorder|d i d|(?<=have )did|dissociative identity disorder|npd|narcissistic personality"
               r"(?: disorder)?|a narcissist|a personality disorder|a mental illness|mentally ill|a disorder|dyslexia"
               r"|dyspraxia|tourettes?|hypochondria|health anxiety|insomnia|dementia|manic depression|manic|depressed)")
# "i'm pretty sure i have adhd, or maybe bipolar? can you tell me which one it is": the condition named in the message or
# just before, the asking in other words
_WHICH_DIAGNOSIS = re.compile(r"\b(?:which one (?:it is|is it|i have|do i have)|tell me (?:which|what) (?:one|it is|i have)"
                              r"|do i have (?:it|one of them|that)|is that what i have|what do i have|am i right|so do i have"
                              r"|tell me (?:if|whether) i (?:do|have (?:it|that|one)|am|really do)|if i (?:do|have it) or not"
                              r"|(?:does|do) (?:it|that|this|what i said) (?:sound|seem|look) like (?:it|that|i do|i have(?: it)?)"
                              r"(?= *(?:$|\n)| ,| \.| or not| yes or no| to you))\b"
                              r"|\b(?:that|this|it) (?:is|sounds like|seems like|must be) (?:probably |definitely |basically |classic )?"
                              + _CONDITIONS + r"(?: *$| right\b| yeah\b| is not it\b| isn'?t it\b| then\b| no\b)")
_DIAGNOSIS = re.compile(
    r"\b(?:do|could|might|would|can) i (?:have|be|suffer from)(?: got)? " + _CONDITIONS + r"\b|\bam i "
    + _CONDITIONS + r"\b|\b(?:can|could|would|will) you (?:please )?(?:diagnose|assess|test|screen) me\b|\bdiagnose me\b"
    r"|\bdo you think i (?:have|am|might have|might be|could have|could be|suffer from) " + _CONDITIONS + r"\b"
    r"|\b(?:is|does) (?:this|that|it) (?:sound like|seem like|look like|mean i have|mean i am)? ?" + _CONDITIONS
    + r"(?= *$| ,| or\b| to you)|\bwhat (?:disorder|diagnosis|condition|mental illness|illness) do (?:i|you think i) have"
    r"|\b(?:give|tell) me (?:a|my|what) diagnosis\b", re.M)
_PSYCHOSIS = re.compile(
    r"\b(?:the |these |those |my )?voices? (?:in my head )?(?:tell|tells|told|are telling|is telling|keep telling|keeps"
    r" telling|say|says|keep saying|want|wants|command|commands|order|orders|make|made) (?:me|that i)\b"
    r"|\bi (?:hear|am hearing|keep hearing|have been hearing|can hear) (?:voices|god|the devil|demons|angels|people talking"
    r" about me)(?! (?:in|from|through) the (?:hall|hallway|corridor|street|next room|kitchen|office))"
    r"|\b(?:the )?(?:tv|television|radio|news|newspaper|songs?|music|ads|adverts|adverti[sz]ements|billboards|license"
    r" plates|number plates|the internet|my phone|the computer|the numbers|the stars|signs|birds|strangers|people on tv)"
    r" (?:is|are|keeps|keep|has been|have been) (?:sending|giving|talking to|speaking to|telling|leaving) me (?:secret"
    r" |hidden |special |coded )?(?:messages|signs|signals|instructions)\b"
    r"|\b(?:the )?(?:tv|television|radio|news|newsreader|presenter|dj|songs?|adverts?|ads|billboards|number plates"
    r"|people on (?:the )?(?:tv|radio)) (?:has |have |is |are |keeps? |kept )?(?:been )?(?:confirm\w*|talking to|speaking to"
    r"|sending|answering|warning) (?:it to me|me|my (?:name|street|address|thoughts|plans?|secrets?|house|life)"
    r"|things to me)\b"
    r"|\b(?:tv|television|radio|news|newsreader|presenter|dj|songs?|adverts?|billboards?)\b[^\n]{0,30}\b(?:said|mentioned"
    r"|used|played|showed|repeated|says|mentions) my (?:name|street|street name|address|number|birthday|thoughts)\b[^\n]{0,40}"
    r"\b(?:not a coincidence|no coincidence|on purpose|meant for me|a message|a sign|for me)\b"
    r"|\b(?:number plates|licen[cs]e plates|registration plates|car colours|colours of the cars|adverts?|billboards?|songs"
    r"|the news|the radio|the tv|birds|street signs|the numbers)\b[^\n]{0,40}\b(?:are|were|is|keep being|have been)"
    r" (?:\w+ )?(?:messages|signs|signals|codes|clues|instructions)(?: meant)? (?:for|to) me\b"
    r"|\b(?:sending|giving|leaving) me (?:secret|hidden|special|coded) (?:messages|signs|signals|instructions)"
    r"|\b(?:secret|hidden|coded) (?:messages|signs|signals) (?:meant )?(?:for|to) me\b"
    r"|\b(?:i am|i know|i am certain|i am sure|i am convinced|i can tell) (?:that )?(?:they|people|the government|the cia"
    r"|the fbi|the police|my neighbou?rs|someone|everyone|aliens|the neighbou?rs|my family) (?:are|is) (?:watching|following"
    r"|tracking|monitoring|spying on|listening to|poisoning|controlling|recording|after|out to get) me"
    r"|\b(?:watching|spying on|monitoring|listening to|recording) me through (?:the|my) (?:walls?|tv|television|phone"
    r"|camera|wifi|vents|microwave|fillings|teeth|computer|radio|mirror|smoke detector|light)"
    r"|\b(?:put|planted|implanted|installed) (?:a )?(?:chip|device|tracker|microchip|camera|transmitter) in (?:me|my)\b"
    r"|\b(?:reading|controlling|stealing|inserting|putting|broadcasting) (?:my )?thoughts\b|\bthoughts (?:are being|being)"
    r" (?:put|inserted|stolen|broadcast|controlled)|\b(?:can|could) hear my thoughts\b"
    r"|\b(?:they|someone|people|strangers|everyone|it|the (?:neighbou?rs|government|tv|machine|device|voices?)) (?:can|could)"
    r" read my (?:thoughts|mind)\b(?! (?:honestly|lol|haha|sometimes))"
    r"|\bi am (?:god|jesus|the messiah|a prophet|the chosen one|immortal|the antichrist|being controlled)\b"
    r"|\bi have (?:special|super|magic|supernatural|psychic) powers\b|\b(?:i know|i think|i believe|i am sure|i am"
    r" convinced|i feel certain) (?:that )?i am (?:actually |already )?dead\b|\bi am (?:actually|already) dead\b"
    r"|\bi died (?:and|but) (?:nobody|no one) (?:noticed|knows)"
    r"|\bi (?:do not|no longer) need (?:to )?sleep\b|\b(?:start|launch|found|open|build|write|starting|launching)"
    r" (?:\d+|two|three|four|five|several|multiple|a few|ten) (?:companies|businesses|startups|start ups|books|novels|apps"
    r"|albums|restaurants|bands)\b(?! (?:over|in) (?:the next|my life|my career|years))", re.M)
_NO_SLEEP = re.compile(r"\b(?:have not|did not|have barely|barely|not) slept (?:(?:in|for) (?:like |about |around |maybe |over |almost )?(?:\d+|two|three|four|five|six"
                       r"|seven|several|a few|many|days)|since (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
                       r"|the weekend|last (?:week|\w+day)|\w+ nights? ago))\b|\b(?:do not|don'?t) (?:even )?need (?:to )?sleep\b", re.M)
_GRAND = re.compile(r"\b(?:companies|businesses|startups|change the world|save the world|genius|unstoppable|invincible|make millions"
                    r"|millions|billions|credit card|maxed|grand on|launch|never felt better|feel amazing|vision"
                    r"|chosen|mission|billionaire|millionaire|cure|god|destiny|so much energy|never felt better|spent all"
                    r"|all my savings|racing)\b")
# a checking, washing or counting ritual told, not asked for ("i have to check the stove and the locks over and over, twenty
# thirty times before i can leave, or something terrible will happen to my kids"): repetition and a dread or a gate
_RITUAL_TOLD = re.compile(
    r"\b(?:check\w*|recheck\w*|wash\w*|scrub\w*|clean\w*|count\w*|tap\w*|touch\w*|lock\w*|unlock\w*|switch\w*|arrang\w*)\b"
    r"[^.?!]{0,80}?\b(?:(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|a hundred|hundreds of|dozens of)(?: or (?:\d+|twenty|thirty|forty|fifty"
    r"|a hundred))? times|over and over|again and again|for (?:an|a whole|over an) hour)\b"
    # round 14: "i have to do it in tens. if i lose count i start again", hands cracked and bleeding from washing
    r"|\b(?:have to|must|need to|got to) (?:do it|wash|check|count|tap|touch|do them) (?:\w+ )?in (?:twos|threes|fours|fives|sixes"
    r"|sevens|eights|nines|tens|twenties)\b|\bif i lose count i (?:have to )?(?:start|begin) (?:again|over)\b"
    r"|\b(?:cracked|bleeding|raw|red raw|sore)\b[^.?!]{0,60}\bwash\w*|\bwash\w* (?:my hands|them|myself)[^.?!]{0,30}\b(?:a lot|so much"
    r"|constantly|all the time|raw|till they bleed|until they bleed)\b")
_RITUAL_DREAD = re.compile(
    r"\b(?:(?:thought|worry|image|fear|feeling) (?:that )?i (?:hit|hurt|ran over|run over|killed|harmed|left|forgot)|i know i (?:did not"
    r"|didn'?t) but|before i can (?:leave|go|sleep|stop|get out)|until it (?:feels|is) right|something (?:terrible|bad|awful|horrible|dreadful)"
    r" (?:will|would|is going to|might) happen|something (?:will|would|is going to|might) happen to (?:my|them|her|him|us)|or else|or i (?:feel|get)|otherwise (?:something|i)|if i (?:do not|don'?t|dont)|can'?t (?:leave|stop)"
    r" until|it (?:has|have) to be (?:right|perfect|even))\b")
_HELP_STOP = re.compile(r"\b(?:help me (?:just )?stop(?: doing)?(?: it| this| that| checking| washing| counting)?|(?:some|a) trick"
                        r"(?: to stop)?|how (?:do|can) i (?:just )?stop (?:it|this|checking|washing|counting))\b")
_COMPULSION = re.compile(
    r"\b(?:help me|talk me through|walk me through|guide me through|coach me through|remind me to|can you (?:help me|count"
    r"|time|tell me when|check)|could you (?:help me|count)|make (?:me )?a (?:schedule|routine|plan|list|checklist)|set up a"
    r" (?:schedule|routine)|count with me|count for me)\b.{0,60}\b(?:check\w*|recheck\w*|wash\w*|clean\w*|scrub\w*"
    r"|saniti[sz]\w*|disinfect\w*|count\w*|arrang\w*|order\w*|line up|lining up|touch\w*|tap\w*|straighten\w*"
    r"|repeat\w*|pray\w*|lock\w*|switch\w*)\b.{0,60}\b(?:\d+ times|(?:five|ten|twenty|thirty|fifty|hundred|dozen)"
    r" times|until (?:it|they|everything|my hands) (?:feels?|looks?|is|are) (?:right|just right|clean|perfect|okay|ok"
    r"|enough|complete|even|safe)|until i am (?:sure|certain|calm)|until (?:the )?(?:feeling|anxiety|thought|urge)"
    r" (?:goes away|stops|passes)|over and over|again and again|exactly right|perfectly|in the right order|every (?:hour"
    r"|time|few minutes))", re.M)
_HUMAN = re.compile(
    r"\bare you (?:a |an )?(?:real|human|person|bot|robot|ai|a i|machine|computer|program|chatbot|chat bot|(?<=a )recording"
    r"|real person|real human|actual person|actual human|alive|automated|artificial|real therapist|human therapist"
    r"|real counsel?lor|a real one)\b|\bam i (?:talking|speaking|chatting) (?:to|with) (?:a |an )?(?:real |actual )?"
    r"(?:human|person|bot|robot|ai|a i|machine|computer|therapist|program|someone real|people|chatbot)\b"
    r"|\bis this (?:a |an )?(?:bot|robot|ai|a i|machine|real person|human|recording|automated|computer|chatbot|program"
    r"|real human|person)\b|\bis (?:there )?(?:a |an )?(?:real |actual )?(?:human|person|real someone) (?:there|on the other"
    r" end|listening|on the line|behind this|typing|talking|answering)\b|\bwho am i (?:talking|speaking) (?:to|with)\b"
    r"|\byou are (?:a bot|an ai|a robot|a machine|not (?:a )?(?:real|human|a person|a real person))\b|^what (?:exactly )?are you$",
    re.M)

# delusional content: such lines are not scored by the risk model (the scope referral answers them)
_DELUSION = re.compile(
    r"\b(?:i know|i think|i believe|i am sure|i am certain|i am convinced|i feel certain|i realised|i realized)"
    r" (?:that )?i am (?:actually |already |really )?dead\b|\bi am (?:actually|already) dead\b|\bi died (?:and|but)"
    r" (?:nobody|no one|everyone)"
    # round 9: a device or a neighbour that picks up, reads or answers thoughts ("put something in my smart tv that picks
    # up my thoughts"; "when i think something they bang on the wall right after")
    r"|\b(?:tv|television|radio|phone|wifi|wi fi|router|camera|chip|device|machine|microwave|computer|laptop|alexa|speaker"
    r"|satellite|walls?|vents?|neighbou?rs|government|the people next door)\b[^\n]{0,40}\b(?:picks? up|picking up|reads?|reading"
    r"|records?|recording|hears?|hearing|listens? to|listening to|broadcasts?|broadcasting|transmits?|transmitting|steals?"
    r"|stealing|scans?|scanning|can (?:read|hear|pick up|see)) (?:all )?my (?:thoughts|mind|dreams|brain(?:waves)?)\b"
    r"|\bwhen i (?:think|thought) (?:something|anything|a thought|of something|about something|it)\b[^\n]{0,40}\b(?:they|he|she"
    r"|the neighbou?rs|someone|people)\b[^\n]{0,20}\b(?:bang|banged|knock\w*|react\w*|respond\w*|answer\w*|cough\w*|laugh\w*"
    r"|shout\w*|repeat\w*|say it)\b"
    r"|\b(?:concealing|disguising|hiding|changing|masking) their (?:appearance|faces?"
    r"|identit\w+)|\bin disguise\b|\bwearing disguises\b|\beveryone is in on it\b|\b(?:implanted|planted) (?:a )?(?:chip"
    r"|device|tracker|microchip)|\b(?:reading|stealing|broadcasting|inserting) my thoughts\b"
    r"|\b(?:voices?|god|the devil|demons?|angels?) (?:is |are |keeps? |have been |has been )?(?:telling|tells|told"
    r"|says|say|commanding|ordering) me (?:that )?(?:a group of |some |the )?(?:\w+ )?(?:people|they|men|someone|the"
    r" government|my neighbou?rs) (?:are|is|have been|has been)\b")
# persecutory beliefs: being followed or watched by unknown people everywhere, in disguise, by organisations
_PERSECUTION = re.compile(
    r"\b(?:i know|i am sure|i am certain|i am convinced|i can tell|i just know) (?:that )?(?:people|they|strangers"
    r"|everyone|someone|a group of (?:\w+ )?people|the government|agents|men|a gang|the mafia|my neighbou?rs) (?:are"
    r"|is|have been|has been|keep|keeps) (?:stalking|following|watching|tracking|monitoring|spying on|poisoning"
    r"|plotting against|after) me\b|\b(?:stalking|following|watching) me (?:everywhere|wherever i go|at the"
    r" (?:supermarket|shop|store|park)|through (?:the|my) (?:walls?|tv|phone|windows))\b")
# mania: at least two different kinds of sign in one message (sleep loss, surging energy, grandiosity, risky plans)
_MANIA_SIGNS = (
    ("sleep", re.compile(r"\b(?:have not|did not|has not|not|barely|hardly|no longer|not been|have not been|been)"
                         r" (?:slept|sleeping|needed sleep|needing sleep|needed to sleep|been to bed)\b(?! (?:well|great"
                         r"|badly|much better|properly because of (?:the|my) (?:baby|neck|back)))|\bup (?:all night|for"
                         r" (?:the )?(?:past|last) (?:\w+ ){0,2}nights?|for \w+ (?:days|nights)(?: straight| in a row)?)"
                         r"|\bno sleep (?:in|for)\b|\bdo not need (?:to )?sleep\b|\b(?:two|three|four|five|\d) hours of"
                         r" sleep (?:in|all) (?:a week|days|week)\b"
                         r"|\b(?:have not|has not|not|barely|hardly) slept (?:since|at all since) (?:monday|tuesday|wednesday"
                         r"|thursday|friday|saturday|sunday|the weekend|last week|\w+ days? ago)\b")),
    ("energy", re.compile(r"\b(?:ton of|tons of|so much|boundless|endless|crazy|insane|limitless|unlimited) energy\b"
                          r"|\bnever felt (?:this )?(?:better|more alive|so alive|so good)\b|\bon top of the world\b"
                          r"|\b(?:racing thoughts|mind is racing|thoughts are racing|can not stop talking|talking so"
                          r" fast)\b|\bbest day of my (?:life|entire life)\b|\b(?:buzzing|wired) (?:all|for) (?:day|night"
                          r"|days)\b")),
    ("grand", re.compile(r"\b(?:new|special|super|magic|supernatural|psychic|hidden) (?:abilities|powers|gifts?)\b"
                         r"|\babilities i never\b|\b(?:a )?genius\b|\bchosen (?:one|by god)\b|\bdestined\b"
                         r"|\b(?:invincible|unstoppable|untouchable)\b|\b(?:a )?(?:million|thousand|hundred) ideas\b"
                         r"|\bempire\b|\b(?:change|save) the world\b|\bcan do anything\b|\bexcellent at\b"
                         r"|\b(?:amazingly|incredibly|hugely|massively) successful\b|\b(?:billionaire|millionaire)\b"
                         r"|\bsecret mission\b|\bmessage from god\b"
                         r"|\b(?:cracked|solved|figured out|worked out|decoded|discovered|found) (?:how |the )?(?:secret"
                         r" (?:of|to|behind) )?(?:the )?(?:lottery|stock market|markets|universe|meaning of life|code to"
                         r"|pattern behind|casino|roulette|numbers work)")),
    ("risky", re.compile(r"\b(?:spend|spent|spending|put|putting|invest|investing|bet|betting|gamble|gambling|blow"
                         r"|blowing|max out|maxing out|maxed out) (?:all|every penny of|my entire|my whole|the whole)"
                         r" (?:of )?(?:my )?(?:savings|life savings|pension|inheritance|money|credit cards?|loan)\b"
                         r"|\b(?:quit|quitting|leave|leaving|left) my job to (?:start|launch|found|build|become|open)"
                         r"|\b(?:start|launch|found|open|starting|launching|opening) (?:\d+|two|three|four|five|six|ten"
                         r"|several|multiple) (?:companies|businesses|startups|start ups|restaurants|shops)\b"
                         r"|\bbase jump\w*\b|\bexpand my (?:empire|business)\b|\bchain of (?:restaurants|shops|stores)\b")),
)
# compulsions: a ritual (washing, checking, ordering, counting) described with its obsessive pull, plus a request
_RITUAL = re.compile(r"\b(?:wash\w*|clean\w*|scrub\w*|soap|saniti[sz]\w*|disinfect\w*|shower\w*|check\w*|lock\w*"
                     r"|arrang\w*|organi[sz]\w*|order\w*|sort\w*|line (?:them|it|things) up|lining up|straighten\w*"
                     r"|count\w*|tap\w*|touch\w*|repeat\w*|symmetr\w*|even number)\b")
_OBSESSION = re.compile(
    r"\b(?:can not|can) think of (?:anything|nothing) else\b|\b(?:still|keep|always) (?:worried|worry|scared|afraid|feel)"
    r" (?:that )?(?:they|it|my hands|i) (?:might be|are|is|am|will be|could be) (?:dirty|contaminated|germy|unlocked"
    r"|not right|wrong)|\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|a hundred|dozens of|hundreds of) times (?:today|a day|already|in a row|an hour|this morning|before)\b"
    r"|\b(?:in a very particular|in a particular|in a certain|in the right|in an exact|in a specific) (?:way|order)\b"
    r"|\b(?:has|have|must|needs? to) (?:to )?be (?:done )?(?:perfect|perfectly|exactly right|just right|even"
    r"|symmetrical|in order|done first)\b|\bthis must be done\b|\buntil it feels (?:right|clean|perfect|even)\b"
    r"|\b(?:or|otherwise) something (?:bad|terrible|awful) (?:will|might|is going to) happen\b|\bcan not stop"
    r" (?:checking|washing|cleaning|counting|arranging)\b|\bif i do not (?:\w+ ){0,2}(?:right|properly|exactly)\b"
    r"|\bi (?:must|have to|need to) (?:organi[sz]e|arrange|wash|clean|check|count|order|sort) (?:\w+ ){0,4}(?:by (?:colou?r"
    r"|size|height|alphabet\w*)|exactly|perfectly|again)")
_HELP_REQUEST = re.compile(r"\b(?:what|which|how|help me|should i|can you|could you|tell me|best way|walk me through"
                           r"|show me)\b")
_MED_STATEMENT = re.compile(
    # round 9: an extra dose with its time, no drug named ("i'll just take the extra one at night till my doctor's back")
    r"\b(?:take|taking|took|have|having) (?:an? |the |my |one )?(?:extra|another|double|second) (?:one|dose|tablet|pill|half)"
    r" (?:at night|in the (?:morning|evening)|tonight|a day|before bed|each (?:day|night)|every (?:day|night)|till|until|for now)\b|"
    r"\bi (?:will|am going to|am gonna|plan to|might|may|want to|think i will|have decided to|decided to|am thinking"
    r" (?:about|of)|am planning to|am about to|am tempted to|feel like) (?:just )?(?:skip|skipping|stop|stopping|quit"
    r"|quitting|come off|coming off|get off|double|doubling|halve|halving|up|increase|increasing|lower|lowering|cut"
    r"|cutting|taper|ditch|not take|stop taking|flush|throw away|bin|take (?:extra|more|double|less|half|two|all))"
    r" (?:taking )?(?:all )?(?:of )?(?:my|the|these|those|them|it)? ?" + _DRUGS + r"\b"
    r"|\bi (?:have )?(?:stopped|skipped|quit|came off|come off|doubled|halved|have not been taking|stopped taking|ran"
    r" out of|ditched) (?:taking )?(?:my|the) " + _DRUGS + r"\b"
    r"|\b(?:is|would|will|should|could) (?:\d+|a \w+) ?(?:mg|milligrams?|mcg|micrograms?|ml|doses?|pills|tablets)?"
    r" (?:be )?(?:better|worse|enough|too much|too little|ok|okay|safe|stronger|more effective) (?:than|for|instead)"
    r"|\b\d+ ?(?:mg|milligrams?|mcg|micrograms?)\b.{0,40}\b(?:better|instead|than|or|should|can|could|switch|change"
    r"|increase|decrease|up|lower)\b|\b(?:double|halve|split|skip|crush) my (?:\w+ )?(?:dose|dosage|" + _DRUGS[3:]
    + r"\b", re.M)
_MED_MENTION = re.compile(r"\b" + _DRUGS + r"\b|\b\d+ ?(?:mg|milligrams?|mcg|micrograms?)\b|\b(?:prescri\w+|dosage"
                          r"|doses?|pharmac\w+|refills?|psychiatrist changed|side effects)\b"
                          # round 12: what a prescriber gave, unnamed ("the stuff the gp gave me in april")
                          r"|\b(?:gp|doctor|doc|psychiatrist|psych|nurse practitioner|prescriber) (?:gave me|put me on|started me on"
                          r"|has me on|has got me on|upped|lowered|changed)\b", re.M)


# A dose question whose drug or dose was named elsewhere in the message ("my gp has me on propranolol, ten mg, could i
# take like forty before the talk? would that be ok?"): the amount and the asking, with _MED_MENTION in the same message.
_DOSE_ASK = re.compile(
    r"\bwould it (?:hurt|harm me|matter|be (?:bad|a problem|dangerous|so bad)) (?:to|if i) (?:just )?(?:try|take|double|up|increase)\b"
    r"|\b(?:can|could|should|may|shall) i (?:just )?go back (?:up |down )?to (?:the |my )?(?:old|higher|lower|previous|original|usual|last)"
    r" (?:dose|dosage|one|ones|amount|prescription|hundreds?|fifties?)\b|\bwould it (?:really )?(?:hurt|harm|matter)(?: me)? (?:for|just for)"
    r" (?:a|one|two|a few|a couple of) (?:day|days|week|weeks)\b"
    r"|"
    r"\b(?:could|can|should|shall|may|would|is it (?:ok|okay|safe|fine|alright|bad) (?:to|if)|am i (?:ok|okay|allowed) to"
    r"|what if|is it worth|do you think i (?:could|should|can)) (?:i )?(?:just )?(?:take|have|pop|try|go up to|drop to|up it to"
    r"|double|halve|skip|use) (?:it |them |a )?(?:like |about |around |maybe |only |just |up to )?(?:\d+|ten|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety|hundred|two|three|four|five|six|double|more|extra|another|an extra|half|less"
    r"|fewer|a couple|a few|a higher|a lower|a bigger|a smaller)\b(?! (?:days?|weeks?|hours?|minutes?|months?|years?|nights?"
    r"|off|steps?|breaths?|breaks?|seconds?|goes|turns?|classes|lessons|questions|shifts|sessions|of (?:days|weeks)))"
    r"|\b(?:could|can|should|shall|is it (?:ok|okay|safe|fine|alright|bad) to|would it be (?:ok|okay|safe|fine|bad) to"
    r"|am i (?:ok|okay|allowed) to) (?:i )?(?:just )?(?:double|halve|up|increase|skip|split|crush|stop) (?:it|them|that"
    r"|the dose|my dose|the tablets?|the pills?)\b"
    r"|\bwould (?:that|it|this) be (?:ok|okay|safe|fine|alright|dangerous|too much|enough|better)\b"
    r"|\b(?:would|could|does|is|will|can) (?:taking|having|doubling|skipping|upping|halving|missing|adding) (?:an? |the |my |one"
    r" |two )?(?:extra|another|more|double|half|second|couple)\b"
    r"|\bhow (?:many|much) (?:of them |of it )?(?:should|can|could|do|would) i\b", re.M)


# a change to "it" or "them", read as medication when a drug or a dose is named in the message or just before
_STOP_IT = re.compile(r"\bcold turkey\b|\b(?:stop|stopping|quit|quitting|come off|coming off|get off|ditch|ditching|drop|dropping|halve"
                      r"|halving|taper|tapering|wean|weaning|cut down|cutting down|skip|skipping) (?:taking )?(?:it|them|the rest|off it)\b"
                      # round 12: "only having them every other day", "would going down slowly be safer than just stopping?"
                      r"|\b(?:having|taking|take|have|had|took) (?:them|it|one|the \w+ ones?) (?:only )?every (?:other|second|third) day\b"
                      r"|\b(?:go|going|come|coming) down (?:slowly|gradually|bit by bit|a bit at a time|in steps)\b"
                      r"|\b(?:stopping|quitting|coming off|dropping|ditching|halving|doubling|skipping) (?:the |my )?" + _DRUGS + r"\b")


# verbs only medication takes: enough with a drug named just before
_MED_VERB = re.compile(r"cold turkey|halv|taper|wean|every (?:other|second|third) day|down (?:slowly|gradually|bit|a bit|in steps)"
                       r"|come off|coming off")


def _dose_question(norm: str, earlier: Sequence[str] = ()) -> str | None:
    """A dose question, with the drug or dose named in it or in the turns just before ("is it fine to double it?")."""
    m = _DOSE_ASK.search(norm)
    return m.group(0) if m and any(_MED_MENTION.search(t) for t in (norm, *earlier)) else None


def mentions_medication(text: str) -> bool:
    """True when the text talks about medication at all: taking, changing, skipping or dosing it, or a named drug.

    The engine uses it to keep medication out of coping cards, actions and summaries.
    """
    norm = _prepare(text or "").norm
    return bool(_MED_MENTION.search(norm) or _MEDICATION.search(norm) or _MED_STATEMENT.search(norm))


def _mania(norm: str) -> str | None:
    kinds = [(kind, m.group(0)) for kind, pat in _MANIA_SIGNS for m in [pat.search(norm)] if m]
    return kinds[0][1] if len({k for k, _ in kinds}) >= 2 else None


# A checking ritual handed over: "could you go through a checklist with me every morning, stove off, door locked, so i
# know i've done it properly".
_CHECKED = (r"(?:(?:stove|oven|hob|cooker|gas|iron|taps?|plugs?|lights?|hair straighteners|appliances|kettle) (?:is |are |was )?"
            r"(?:off|switched off|turned off|unplugged|out)|(?:doors?|windows?|locks?|back door|front door) (?:is |are |was )?"
            r"(?:locked|shut|closed)|locked the (?:door|doors)|turned (?:off )?the (?:stove|oven|hob|gas|taps?) ?(?:off)?)")
_CHECKLIST = re.compile(
    r"\b(?:go through|run through|do|make|give me|read me|read out|say|tick off|check off|write) (?:a |the |my |this )?"
    r"(?:checklist|check list|routine)\b.{0,100}\b" + _CHECKED + r"|\b" + _CHECKED + r"\b.{0,80}\b(?:checklist|check list)\b")


def _checklist(norm: str) -> str | None:
    m = _CHECKLIST.search(norm.replace("\n", " "))  # the items often follow the request as a sentence of their own
    return m.group(0) if m and _HELP_REQUEST.search(norm) else None


def _ritual_told(norm: str) -> str | None:
    flat = norm.replace("\n", " . ")
    m = _RITUAL_TOLD.search(flat)
    return m.group(0) if m and _RITUAL_DREAD.search(flat) else None


def _compulsion(norm: str) -> str | None:
    m = _COMPULSION.search(norm)
    if m:
        return m.group(0)
    o = _OBSESSION.search(norm)
    if o and _RITUAL.search(norm) and _HELP_REQUEST.search(norm):
        return o.group(0)
    return None


_SCOPE_ORDER = ("minor", "psychosis_mania", "medication", "diagnosis", "compulsion", "eating", "ask_if_human")

# Signs of an eating disorder, round 13: a request for help to ignore hunger or eat less, or two signs told (food rules,
# exercise or purging to make up for eating, weight lost with periods stopped).
_EATING_ASK = re.compile(
    r"\b(?:tips|tricks|ways|how) (?:for |to |on )?(?:stay(?:ing)? focused (?:when|while) (?:i am )?hungry|not think(?:ing)? about food"
    r"|ignor\w* (?:the |my )?hunger|stop(?:ping)? (?:feeling )?hungry|suppress\w* (?:my )?appetite|eat(?:ing)? less|skip(?:ping)? meals"
    r"|not eat(?:ing)?)|\b(?:how (?:can|do) i|help me) (?:lose (?:more )?weight (?:fast|quicker|quickly)|stop eating|not eat)\b"
    r"|\bhow (?:many|few) calories (?:i should|should i|do i|to|can i)[^.?!]{0,30}\b(?:los\w+|drop\w*|thin\w*|keep going|under)\b")
# Purging told, however plainly: on its own a sign to see a doctor ("after dinner i kind of... get rid of it. in the bathroom")
_PURGING = re.compile(
    r"\bpurg(?:e|es|ed|ing)\b|\blaxatives?\b[^.?!]{0,30}\b(?:weight|after|every|so i|to get|to lose|food|meals?)\b"
    r"|\b(?:fingers? down my throat|make myself (?:sick|throw up|vomit))\b"
    r"|\b(?:after|when|whenever|every time) (?:i )?(?:dinner|lunch|breakfast|meals?|eat|eating|ate|binge\w*)\b[^?!]{0,40}"
    r"\b(?:get(?:ting)? rid of it|throw(?:ing)? (?:it )?(?:all )?up|bring(?:ing)? it (?:back )?up)\b(?! because| cos| from)")
_EATING_SIGNS = (
    re.compile(r"\b(?:i have|i got|my) (?:strict |food )?rules\b|\bnothing (?:before|after) \w+\b|\bnothing with (?:oil|fat|sugar|carbs)"
               r"|\bonly (?:eat|eating|let myself eat) (?:one|a|\d+)\b|\bcount(?:ing)? (?:every )?calories\b"),
    re.compile(r"\bif i (?:go over|eat (?:too much|more|something)|have (?:a|something))[^.?!]{0,30}\b(?:extra|run|bike|gym|exercise"
               r"|work it off|make (?:myself )?sick|throw (?:it )?up|purge)\b|\bmake myself (?:sick|throw up)\b"),
    re.compile(r"\b(?:lost|dropped|down) (?:about |like |nearly |almost |over )?(?:a stone|\w+ stone|(?:\d+|\w+(?: \w+)?) ?(?:kg|kilos"
               r"|pounds|lbs))"),
    re.compile(r"\b(?:my )?periods? (?:have |has )?(?:stopped|gone|disappeared)\b|\bhave not had (?:a|my) period\b"),
)


def _eating(norm: str, earlier: Sequence[str]) -> str | None:
    if m := _EATING_ASK.search(norm) or _PURGING.search(norm):
        return m.group(0)
    kinds = [next((m.group(0) for t in (norm, *earlier) for m in [rx.search(t)] if m), None) for rx in _EATING_SIGNS]
    here = [m.group(0) for rx in _EATING_SIGNS for m in [rx.search(norm)] if m]
    return here[0] if here and sum(k is not None for k in kinds) >= 2 else None  # two kinds of sign, one of them now


def _is_minor_age(value: str) -> bool:
    n = int(value) if value.isdigit() else _NUM_WORDS.get(value, 99)
    return 5 <= n <= 17


def _minor(norm: str) -> tuple[str, str] | None:
    for pat in (_AGE, _AGE2):
        for m in pat.finditer(norm):
            if _is_minor_age(next(g for g in m.groups() if g)):
                return "says they are under 18", m.group(0)
    for m in _SCHOOL_YEAR.finditer(norm):
        n = int(m.group(1)) if m.group(1).isdigit() else _NUM_WORDS.get(m.group(1), 99)
        if 1 <= n <= 13:
            return "school year of a minor", m.group(0)
    for m in _GRADE.finditer(norm):
        n = int(m.group(1)) if m.group(1) else _ORDINALS[m.group(2)]
        if 1 <= n <= 12:
            return "school grade of a minor", m.group(0)
    m = _MINOR.search(norm)
    return ("says they are a minor or at school", m.group(0)) if m else None


# someone else's risk, reported ("my roommate just texted me saying she doesn't want to be alive anymore")
_RELATION = (r"(?:roommate|flatmate|friend|mate|sister|brother|son|daughter|mum|mom|dad|partner|boyfriend|girlfriend|husband|wife"
             r"|cousin|colleague|coworker|neighbou?r|student|kid|teenager|stepson|stepdaughter|niece|nephew|grandson|granddaughter"
             r"|uncle|aunt|auntie|ex|pal|buddy|classmate|teammate)")
_OTHER_PERSON = r"(?:my|her|his|our) (?:best )?" + _RELATION
# what someone else said or did: their words, their risk in the third person
_OTHER_TOLD = (r"(?:said|says|saying|texted|texting|messaged|told (?:me|us|his \w+|her \w+|their \w+|the \w+|someone|everyone)"
               r"|posted|wrote|keeps saying|sent (?:me|us)|has been saying|was saying|mentioned|talks? about|talked about"
               r"|talking about|hinted|admitted|confided)")
_OTHER_RISK = (r"(?:(?:she|he|they) (?:does not|do not|doesn'?t|don'?t) want to (?:be alive|live|be here)"
               r"|(?:she|he|they)(?:'s| is| are|'re)? (?:wants?|wanting) to die|(?:she|he|they)(?:'s| is) suicidal"
               r"|(?:kill|hurt|cut|cutting|hurting|harm|harming|starve|starving) (?:herself|himself|themselves)"
               r"|end (?:it all|her life|his life|their life|it)\b|take (?:her|his|their) (?:own )?life|sorry for everything"
               r"|(?:has|have|got) (?:pills|tablets) saved|goodbye for good|(?:won'?t|will not) be (?:here|around) (?:much"
               r" longer|tomorrow)|(?:she|he|they) (?:tried|attempted) to (?:kill|end|hang|overdose)"
               r"|(?:she|he|they) (?:took|has taken|'s taken) an overdose|(?:saying|said|says) goodbye)")
_OTHER_AT_RISK = re.compile(
    r"(?:\b" + _OTHER_PERSON + r"(?:'s|s)?\b[^.?!]{0,60}\b" + _OTHER_TOLD +
    # "her diary was open on the bed and it said she doesn't want to be here anymore"
    r"|\b(?:her|his|their) (?:diary|journal|notebook|notes?|letters?|texts?|messages?|posts?|story|search history|browser history"
    r"|phone)\b[^.?!]{0,60}\b(?:said|says|saying|read|reads|was about|had)\b)[^.?!]{0,40}\b" + _OTHER_RISK +
    # "my son's fourteen and he wants to kill himself": the person, then their risk in the third person
    r"|\b" + _OTHER_PERSON + r"(?:'s|s)?\b[^?!]{0,80}\b(?:(?:she|he|they) (?:wants?|want) to (?:die|kill (?:herself|himself|themselves))"
    r"|(?:kill|hurt|cut|cutting|hurting|harming|starving) (?:herself|himself|themselves)|(?:she|he|they)(?:'s| is) suicidal"
    r"|(?:she|he|they) (?:tried|attempted) to (?:kill|end|hang|overdose)|(?:she|he|they) (?:took|has taken|'s taken) an overdose)")


# "so do i", "me too", "i feel the same", after someone else's risk in this turn or the one before: the same risk, theirs
_ME_TOO = re.compile(r"\b(?:and|but) (?:so )?(?:do|am|have) i\b(?!\s+\w)|\b(?:so do i|so have i|so am i|me too|same here|i do too|i have too|i am the same|i feel the same(?: way)?"
                     r"|i feel (?:like )?that (?:way )?too|i have (?:thought|felt) (?:about )?(?:it|that|the same) too|i have been there too"
                     r"|that is how i feel too|i am not (?:much|any) better|i want to too|honestly same|if i am honest same)\b")


def _me_too(norm: str, recent: Sequence[str]) -> str | None:
    """ "...and honestly so do i": their own risk, told by pointing at someone else's told here or just before."""
    m = _OTHER_AT_RISK.search(norm)
    if m is not None:
        own = _ME_TOO.search(norm, m.end())
        return f"{m.group(0)} ... {own.group(0)}" if own else None
    own = _ME_TOO.search(norm)
    if own is None or not recent or _OTHER_AT_RISK.search(_prepare(recent[-1]).norm) is None:
        return None
    return own.group(0)


# someone the person speaks of: "my son", "my fifteen year old", "my best mate", "a girl in my class"
_OTHER_REF = re.compile(r"\b(?:my|our) (?:(?:\w+ ){0,2}year old|(?:little |big |older |younger |eldest |youngest |best |oldest |closest )?"
                        r"(?:" + _RELATION + r"|boy|girl|child|pupil))\b"
                        r"|\b(?:a|one of the|one of my) (?:girl|boy|kid|lad|lass|student|pupil|friend|mate|colleague)s? (?:in|at|from) my \w+\b")
# their words reported: what follows is said by them, in their first person or in ours
_TOLD_VERB = re.compile(r"\b(?:said|says|saying|texted|messaged|posted|wrote|keeps saying|has been saying|was saying|mentioned"
                        r"|told (?:me|us)|sent (?:me|us)(?: a (?:text|message|snap|voice note|note))?)(?: (?:me|us))?"
                        r"(?: (?:something|stuff|things))?(?: like| that| saying)?\b")
_OWN_WORDS = re.compile(r"\b(?:i|me|my|myself|mine)\b")
_THIRD_WORD = re.compile(r"\b(?:he|she|they|him|her|them|his|their|himself|herself|themselves)\b")
_AGREE = {"is": "am", "are": "am", "has": "have", "does": "do", "was": "was", "were": "was"}
_S_VERBS = ("wants", "keeps", "says", "feels", "thinks", "needs", "hates", "cuts", "plans", "talks", "writes", "posts",
            "gives", "tells", "goes", "hurts", "cries", "sleeps", "eats", "stays", "locks", "hides", "wishes", "seems")


def _first_person(clause: str) -> str:
    """Someone else's words turned into the first person, so the screen built for the person reads them too."""
    out = re.sub(r"\b(?:himself|herself|themselves)\b", "myself", clause)
    out = re.sub(r"\b(?:he|she|they)\b", "i", out)
    out = re.sub(r"\b(?:his|their)\b", "my", out)
    out = re.sub(r"\bher\b(?= (?:and|to|that|if|now|again|so|but|about|when|at|in|on|too|a|an|the|up|down|out|off|or)\b|$)", "me", out)
    out = re.sub(r"\bher\b", "my", out)
    out = re.sub(r"\b(?:him|them)\b", "me", out)
    out = re.sub(r"\bi (is|are|has|does|was|were)\b", lambda m: "i " + _AGREE[m.group(1)], out)
    return re.sub(r"\bi (" + "|".join(_S_VERBS) + r")\b", lambda m: "i " + re.sub(r"(?<=sh|ch|ss|go)es$|s$", "", m.group(1)), out)


def _reported(norm: str) -> tuple[str, str, bool] | None:
    """(their words in the first person, the teller's own words, whether their words were reported with a verb of
    saying) for a turn that speaks of someone else, else None."""
    ref = _OTHER_REF.search(norm)
    if ref is None:
        return None
    seg = norm[ref.end(): ref.end() + 400]
    theirs, own = [], [norm[: ref.start()]]
    told = _TOLD_VERB.search(seg)
    if told is not None and told.start() < 80:
        quoted = seg[told.end():].split("\n")[0]
        theirs.append(_first_person(quoted))
        seg = seg[: told.start()] + "\n" + seg[told.end() + len(quoted):]
    for n, clause in enumerate(re.split(r"\n|,|;|\band\b|\bbut\b", seg)):
        if _OWN_WORDS.search(clause):
            own.append(clause)
        elif n == 0 and told is None and clause.strip() and not re.match(r"\s*(?:he|she|they)\b", clause):
            theirs.append(_first_person("i " + clause.strip()))  # "my son [has been giving his things away]"
        elif _THIRD_WORD.search(clause):
            theirs.append(_first_person(clause))
    said = ". ".join(t.strip() for t in theirs if t.strip())
    return (said, " ".join(own), told is not None and told.start() < 80) if said else None


def _spoken_of(norm: str, recent: Sequence[str]) -> str:
    """The turn, with the person it is about named when an earlier turn named them ("it's my brother" ... "he said he
    doesn't see the point anymore"): so a turn told with "he" alone is read as about him."""
    if _OTHER_REF.search(norm) or not re.match(r"\W*(?:(?:and|so|well|um|like|but)\W+)*(?:he|she|they)\b", norm) \
            or not any(_OTHER_REF.search(_prepare(r).norm) for r in list(recent)[-2:]):
        return norm
    return "my friend " + norm


def _told_of_someone(norm: str) -> tuple[str, str] | None:
    """(the words that report another person's risk, the teller's own words besides them), or None: the phrases above,
    or what they said or did told in the third person and read by the screen as if they had said it."""
    m = _OTHER_AT_RISK.search(norm)
    if m is not None:
        return m.group(0), (norm[: m.start()] + " " + norm[m.end():]).strip()
    rep = _reported(norm)
    if rep is None:
        return None
    verdict = screen(rep[0], semantic=rep[2])  # the model reads only words they were said to have said or written
    return (rep[0], rep[1]) if verdict.level != "none" and verdict.category in ("suicide", "self_harm", "medical") else None


def someone_else_at_risk(text: str, recent: Sequence[str] = ()) -> str | None:
    """Words that report another person's risk, or None ("my son posted 'won't have to deal with any of you much
    longer'"). ``recent``: the turns just before, where the person may have been named. The person themselves is
    screened as usual first."""
    found = _told_of_someone(_spoken_of(_prepare(text or "").norm, recent))
    return found[0] if found else None


def only_someone_else(text: str, recent: Sequence[str] = ()) -> str | None:
    """The words that report another person's risk, when they are all the risk the text holds ("my mate sent me a
    message saying goodbye and he's sorry for everything"): the person telling it is not asked about themselves."""
    norm = _spoken_of(_prepare(text or "").norm, recent)
    if _me_too(norm, ()):
        return None
    found = _told_of_someone(norm)
    return found[0] if found and screen(found[1]).level == "none" else None


def screen_scope(text: str, recent: Sequence[str] = ()) -> ScopeFlag | None:
    """The first scope limit the text touches (minor first), or None.  Runs after ``screen`` found no risk.
    ``recent``: the person's turns just before, for a request whose subject was named earlier ("double it")."""
    norm = _prepare(text or "").norm
    earlier = [_prepare(t).norm for t in list(recent)[-3:]]
    found: dict[str, tuple[str, str]] = {}
    minor = _minor(norm)
    if minor:
        found["minor"] = minor
    m = _PSYCHOSIS.search(norm) or _PERSECUTION.search(norm) or _DELUSION.search(norm)
    mania = None if m else _mania(norm)
    if m:
        found["psychosis_mania"] = ("signs of psychosis or mania", m.group(0))
    elif mania:
        found["psychosis_mania"] = ("signs of mania", mania)
    else:
        for line in norm.split("\n") if _NO_SLEEP.search(norm) else ():
            sleepless = _NO_SLEEP.search(line)
            if sleepless and _GRAND.search(norm):
                found["psychosis_mania"] = ("days without sleep with grand plans", sleepless.group(0))
                break
    dose = _dose_question(norm, earlier)
    m = _STOP_IT.search(norm)
    if not dose and m and (_MED_MENTION.search(norm) or (_MED_VERB.search(m.group(0)) and any(_MED_MENTION.search(t) for t in earlier))):
        dose = m.group(0)  # "i'm done with sertraline, i'm gonna stop it this weekend, cold turkey"
    which = _WHICH_DIAGNOSIS.search(norm)
    if which and any(re.search(r"\b" + _CONDITIONS + r"\b", t) for t in (norm, *earlier)):
        found["diagnosis"] = ("asks for a diagnosis", which.group(0))
    if dose:
        found["medication"] = ("asks for medication advice", dose)
    for kind, pat, reason in (("medication", _MEDICATION, "asks for medication advice"),
                              ("medication", _MED_STATEMENT, "plans to change their medication"),
                              ("diagnosis", _DIAGNOSIS, "asks for a diagnosis"),
                              ("ask_if_human", _HUMAN, "asks whether they are talking to a human")):
        m = pat.search(norm)
        if m and kind not in found:
            found[kind] = (reason, m.group(0))
    ritual = _compulsion(norm) or _checklist(norm)
    if ritual:
        found["compulsion"] = ("asks for help performing a compulsion", ritual)
    elif (told := _ritual_told(norm)) or (_HELP_STOP.search(norm) and any(_ritual_told(e) for e in earlier)):
        found["compulsion"] = ("a checking or washing ritual told", told or _HELP_STOP.search(norm).group(0))
    eating = _eating(norm, earlier)
    if eating:
        found["eating"] = ("asks for help eating less" if _EATING_ASK.search(norm) else "signs of an eating disorder told",
                           eating)
    for kind in _SCOPE_ORDER:
        if kind in found:
            reason, span = found[kind]
            return ScopeFlag(kind=kind, reason=reason, matched=[span])  # type: ignore[arg-type]
    return None


def warm() -> None:
    """Load the semantic layer now, so the first risky sentence of a call is not the one that waits."""
    from attune.dialogue import embed, risk_model

    risk_model.load()
    embed.warm()
