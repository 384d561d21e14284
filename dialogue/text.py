"""Reading the person's words: cleaning, reflecting, numbers, yes/no, names, feelings.

Plain-text helpers with no clinical wording; what the assistant says lives in protocols/.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_WORKING_CHARS = 4000  # slots and reflections use at most this much of one message
TOO_LONG_CHARS = 20000  # beyond this, ask for the most important part

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"\s+")
_FILLERS = re.compile(
    r"\b(?:um+|uh+|erm+|hmm+|mm+|ah+|like,|you know,?|i mean,?|kind of|sort of|basically|honestly,?)\s*",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:(?:well|so|and|but|yeah|yes|okay|ok|oh|right|i guess|i think)\b[,.]?\s*)+", re.IGNORECASE)
_WORD = re.compile(r"[a-zA-Z']+")


def clean(text: str) -> str:
    """Normalise unicode, drop control and zero-width characters and emoji, collapse spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Cs", "Co", "Cn"))
    return _SPACES.sub(" ", text).strip()


_ENGLISH = frozenset(
    """i me my you your we our it is am are was were be been have has had do does did not no yes
    the a an and or but so if then that this there what when where why how who which to of in on at
    for with about from by as just really very feel feeling felt think thought want know like get got
    go going can could would should will dont im ive its cant wont okay ok yeah well he she they them
    his her their all some any more much too also because been being now today work life people""".split()
)


def looks_english(text: str) -> bool:
    """True unless the words are clearly not English (we only understand English for now)."""
    words = [w.lower().replace("'", "") for w in _WORD.findall(text)]
    letters = sum(ch.isalpha() for ch in text)
    ascii_letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    if letters and ascii_letters / letters < 0.6:
        return False
    if len(words) < 4:
        return True
    return sum(w in _ENGLISH for w in words) / len(words) >= 0.12


def words_of(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


_SWAP = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself",
    "am": "are", "i'm": "you're", "im": "you're", "i've": "you've", "ive": "you've", "i'll": "you'll",
    "i'd": "you'd", "we": "you", "us": "you", "our": "your", "ours": "yours", "ourselves": "yourselves",
    "you": "I", "your": "my", "yours": "mine", "yourself": "myself", "you're": "I'm", "you've": "I've",
}
_WAS_AFTER_I = re.compile(r"\byou was\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z']+|[^A-Za-z']+")


def first_clause(text: str, max_words: int = 22) -> str:
    """The person's first sentence, trimmed to a speakable length."""
    text = _FILLERS.sub("", text)
    text = _LEADING.sub("", text.strip())
    sentence = re.split(r"(?<=[.!?])\s+", text, maxsplit=1)[0]
    words = sentence.split()
    if len(words) > max_words:
        cut = " ".join(words[:max_words])
        # prefer ending at a comma or conjunction inside the limit
        m = re.search(r"^(.{20,}?)(?:,|\s(?:and|but|because|so)\s)[^,]*$", cut)
        sentence = m.group(1) if m else cut
    return sentence.strip().rstrip(".!?,;:").strip()


def reflect(text: str, max_words: int = 22) -> str:
    """Their words turned to second person: "I feel like I failed" -> "you feel like you failed"."""
    clause = first_clause(text, max_words)
    out = []
    for tok in _TOKEN.findall(clause):
        low = tok.lower()
        out.append(_SWAP.get(low, tok if tok == "I" or not tok[:1].isupper() else tok))
    result = "".join(out)
    result = _WAS_AFTER_I.sub("you were", result)
    result = re.sub(r"\byou are not\b", "you're not", result)
    if result[:1].isupper() and not result.startswith("I ") and result.split(" ")[0] not in ("I", "I'm", "I've"):
        first = result.split(" ", 1)[0]
        if not first.isupper() or len(first) == 1:
            result = result[0].lower() + result[1:]
    return result


def own_words(text: str, max_words: int = 40) -> str:
    """A slot value in the person's own words (fillers out, one or two sentences)."""
    text = _FILLERS.sub("", text[:MAX_WORKING_CHARS])
    text = _LEADING.sub("", text.strip()).strip()
    words = text.split()
    if len(words) > max_words:
        text = " ".join(words[:max_words])
    return text.rstrip(" ,;:").rstrip(".!?").strip()


_NUMBER_WORDS = {
    "zero": 0, "none": 0, "nothing": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "half": 50,
}
_DIGITS = re.compile(r"(?<![\w.])(\d{1,3})(?:\s*(?:%|percent|out of \d+|/\d+))?")
_TENS_UNITS = re.compile(
    r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]+(one|two|three|four|five|six|seven|eight|nine)\b"
)


def parse_number(text: str, lo: int, hi: int) -> int | None:
    """First number in range said as digits or words ("about seventy-five", "a 6", "8/10")."""
    low = text.lower()
    for m in _DIGITS.finditer(low):
        n = int(m.group(1))
        if lo <= n <= hi:
            return n
    m = _TENS_UNITS.search(low)
    if m:
        n = _NUMBER_WORDS[m.group(1)] + _NUMBER_WORDS[m.group(2)]
        if lo <= n <= hi:
            return n
    for w in words_of(low):
        if w in _NUMBER_WORDS and lo <= _NUMBER_WORDS[w] <= hi:
            if w in ("none", "nothing", "half") and hi <= 10:
                continue
            return _NUMBER_WORDS[w]
    return None


_YES = re.compile(
    r"\b(yes|yeah|yep|yup|sure|i do|i am|i have|i did|i guess so|i think so|kind of|sort of|maybe|sometimes|"
    r"that fits|it fits|that's right|that is right|right|correct|exactly|true|definitely|absolutely|probably|a bit|a little)\b"
)
_NO = re.compile(
    r"\b(no|nope|nah|not really|not at all|never|i don't|i do not|i haven't|i have not|i'm not|i am not|"
    r"doesn't fit|does not fit|not quite|don't think so|wrong|not true|none)\b"
)


_PLAIN_YES = re.compile(
    r"^\W*(?:(?:um+|uh+|well|honestly|i mean|i guess)\W+)*"
    r"(yes|yeah|yep|yup|i do|i am|i have|i think so|sometimes|kind of|sort of|maybe|a bit|a little)\b"
)


def plain_yes(text: str) -> bool:
    """A yes that opens the answer to a direct question ("yeah, sometimes"), not one buried later."""
    return bool(_PLAIN_YES.search(text.lower().replace("’", "'")))


def yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when it is not clear. A 'no' wins over a hedged 'yes'."""
    low = text.lower().replace("’", "'")
    no, yes = _NO.search(low), _YES.search(low)
    if no and (not yes or no.start() <= yes.start()):
        return False
    if yes:
        return True
    return None


_NAME_PATTERNS = [
    re.compile(r"\b(?:call me|my name is|my name's|name is|i am|i'm|im|it's|its|this is)\s+([a-z][a-z'\-]{1,29})\b", re.I),
    re.compile(r"^\s*([a-z][a-z'\-]{1,29})\s*[.!]?\s*$", re.I),
    re.compile(r"^\s*([a-z][a-z'\-]{1,29})\s*(?:is fine|please|thanks|thank you)\b", re.I),
]
_NOT_NAMES = frozenset(
    """fine okay ok good great tired sad not no yes yeah nothing sure hi hello hey well so just here
    anxious angry stressed alright bad happy depressed down nobody anonymous skip pass rather none
    really feeling doing sorry going trying scared worried lonely exhausted done ready""".split()
)


def extract_name(text: str) -> str | None:
    """The name someone asked to be called, or None ("I'd rather not say" -> None)."""
    if re.search(r"\b(rather not|don't want to|do not want to|prefer not|no name|skip|anonymous)\b", text, re.I):
        return None
    for pat in _NAME_PATTERNS:
        m = pat.search(text.strip())
        if m:
            name = m.group(1).strip("'-")
            if name.lower() not in _NOT_NAMES and len(name) >= 2:
                return name[:1].upper() + name[1:].lower() if name.islower() or name.isupper() else name
    return None


_FEELINGS = (
    "anxious", "worried", "scared", "afraid", "terrified", "nervous", "panicky", "sad",
    "depressed", "hopeless", "empty", "numb", "lonely", "alone", "angry", "furious", "mad", "irritated",
    "frustrated", "annoyed", "resentful", "ashamed", "embarrassed", "guilty", "humiliated", "hurt",
    "rejected", "abandoned", "jealous", "betrayed", "overwhelmed", "stressed", "exhausted", "tired",
    "drained", "burnt out", "burned out", "stuck", "confused", "worthless", "useless", "tense",
    "heartbroken", "disappointed", "insecure", "upset", "miserable", "restless", "on edge",
)
_FEELING_RE = re.compile(r"\b(" + "|".join(re.escape(f) for f in _FEELINGS) + r")\b")
_FEEL_PLUS = re.compile(r"\bfeel(?:s|ing)?\s+(?:so\s+|really\s+|a bit\s+)?(down|low|lost|alone)\b")


def feeling_word(text: str) -> str | None:
    """An emotion word in their words ("down" counts only as "feeling down", not "slow down")."""
    low = text.lower()
    m = _FEELING_RE.search(low) or _FEEL_PLUS.search(low)
    return m.group(1) if m else None


@lru_cache(maxsize=512)
def compile_any(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def matches_any(patterns: list[str] | tuple[str, ...], text: str) -> bool:
    rx = compile_any(tuple(patterns))
    return bool(rx and rx.search(text.lower().replace("’", "'")))
