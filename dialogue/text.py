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
_LEADING = re.compile(r"^(?:(?:well|so|and|but|yeah|yes|okay|ok|oh|right|i guess|i think|hmm+|mm+|hi|hello|hey|hiya|morning"
                      r"|evening|g'day|howdy)\b\s*[,.]*\s*"
                      r"|(?:i )?(?:dunno|don'?t know|do not know|not sure|suppose|guess)\s*[,.!]+\s*)+", re.IGNORECASE)
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


_FOREIGN = frozenset(
    """je tu il elle nous vous ils elles le la les des du une est sont pas que qui avec pour dans mais tres très suis
    el los las y es son por con para pero muy estoy yo una del ich du er sie wir ihr und ist nicht der die das ein eine
    mit auf für aber sehr bin het een niet ik jij wij zijn van voor maar heel eu você não uma com muito sou""".split())


def looks_english(text: str) -> bool:
    """True unless the words are clearly not English (we only understand English for now)."""
    words = [w.lower().replace("'", "") for w in _WORD.findall(text)]
    letters = sum(ch.isalpha() for ch in text)
    ascii_letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    if letters and ascii_letters / letters < 0.6:
        return False
    if len(words) < 4:
        return True
    english = sum(w in _ENGLISH or w in FUNCTION_WORDS for w in words)
    foreign = sum(w in _FOREIGN for w in words)
    return not (foreign >= 2 and foreign > english)


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


_TO_FIRST = [
    (r"\bthey'?re\b|\bhe'?s\b|\bshe'?s\b", "I'm"), (r"\bthey'?ve\b", "I've"), (r"\bthey'?ll\b|\bhe'?ll\b|\bshe'?ll\b", "I'll"),
    (r"\bthemselves\b|\bhimself\b|\bherself\b|\bthemself\b", "myself"), (r"\bthey\b|\bhe\b|\bshe\b", "I"),
    (r"\bthem\b|\bhim\b", "me"), (r"\btheir\b|\bhis\b", "my"), (r"\bher\b(?= [a-z]+(?:s|ed|ing)?\b(?! (?:a|the|to|that)\b))", "my"),
    (r"\bher\b", "me"),
]
_FIRST_AGREEMENT = [(r"\bI are\b", "I am"), (r"\bI is\b", "I am"), (r"\bI were\b", "I was"), (r"\bI has\b", "I have"),
                    (r"\bI does\b", "I do"), (r"\bI doesn't\b", "I don't"), (r"\bI isn't\b|\bI aren't\b", "I'm not"),
                    (r"\bI weren't\b", "I wasn't"), (r"\bI hasn't\b", "I haven't")]


_GROUP = re.compile(r"\b(?:everyone|everybody|people|nobody|no one|most people|others|anyone|other people|the others)\b", re.I)


def first_person(text: str) -> str:
    """What they would tell a friend, said about themselves: "they're doing their best" -> "I'm doing my best".
    When other people are the subject ("everyone's too busy with their own workout"), "their" stays theirs."""
    if _GROUP.search(text):
        return text
    for pat, repl in _TO_FIRST:
        text = re.sub(pat, repl, text, flags=re.I)
    for pat, repl in _FIRST_AGREEMENT:
        text = re.sub(pat, repl, text)
    return text


def own_words(text: str, max_words: int = 40) -> str:
    """A slot value in the person's own words (fillers out, one or two sentences)."""
    text = _FILLERS.sub("", text[:MAX_WORKING_CHARS])
    text = _LEADING.sub("", text.strip()).strip()
    text = _DISCLAIMER.sub("", text).strip() or text
    words = text.split()
    if len(words) > max_words:
        text = " ".join(words[:max_words])
    text = _LOWER_I.sub(lambda m: "I" + (m.group(1) or ""), text)  # typed in lower case, shown on a card
    return text.rstrip(" ,;:").rstrip(".!?").strip()


# "this is kinda dumb but", "i know it's gonna sound silly, but": said before the words that matter
_DISCLAIMER = re.compile(r"^(?:i know |ok |okay )?(?:this|it)(?:'s| is| might be| may be| is gonna| is going to| will| might| may)"
                         r" (?:\w+ )?(?:sound )?(?:kinda |kind of |a bit |really |so |pretty )?(?:dumb|stupid|silly|weird|random|petty"
                         r"|small|nothing|daft|minor)\W*(?:but\W*)?", re.I)
_LOWER_I = re.compile(r"\bi('m|'ve|'d|'ll)?\b(?!')")


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


_OUT_OF_TEN = re.compile(r"\s*(?:out of|/)\s*(?:10|ten)\b")


def _scaled(low: str, end: int, n: int, hi: int) -> int:
    """On a zero-to-a-hundred scale, "a four out of ten" means forty."""
    return n * 10 if hi >= 100 and n <= 10 and _OUT_OF_TEN.match(low, end) else n


def all_numbers(text: str, lo: int, hi: int) -> list[int]:
    """Every number in range, in order ("maybe forty, and the feeling is like thirty" -> [40, 30])."""
    found: list[tuple[int, int]] = []
    low = text.lower()
    for m in _DIGITS.finditer(low):
        if lo <= int(m.group(1)) <= hi:
            found.append((m.start(), _scaled(low, m.end(1), int(m.group(1)), hi)))
    taken: list[tuple[int, int]] = []
    for m in _TENS_UNITS.finditer(low):
        n = _NUMBER_WORDS[m.group(1)] + _NUMBER_WORDS[m.group(2)]
        if lo <= n <= hi:
            found.append((m.start(), n))
            taken.append((m.start(), m.end()))
    for m in re.finditer(r"[a-z]+", low):
        w = m.group(0)
        if w in _NUMBER_WORDS and w not in ("none", "nothing", "half", "one") and not any(a <= m.start() < b for a, b in taken):
            if lo <= _NUMBER_WORDS[w] <= hi and not (w == "ten" and re.search(r"(?:out of|/)\s*$", low[:m.start()])):
                found.append((m.start(), _scaled(low, m.end(), _NUMBER_WORDS[w], hi)))
    return [n for _, n in sorted(found)]


# A number that counts or names something is no rating: "year nine", "the worst one", "one bad morning", "2 weeks ago".
_NOT_RATING_BEFORE = re.compile(r"\b(?:year|years|grade|class|room|bus|page|step|level|chapter|season|the|that|this|which|every|any"
                                r"|another|worst|best|only|no|each|number|flat|floor|platform|gate|shift|week|day)\W*$"
                                # a time, not a rating: "take my break at four", "back in at five", "by six"
                                r"|\b(?:by|till|until|before|after)\W*$|\b(?:break|lunch|back|home|leave|meet|meeting|up|start|starts|finish"
                                r"|finishes|done|open|opens|close|closes|in|out|there|here|off|shift|bed|train|bus|appointment|call) at\W*$")
_NOT_RATING_AFTER = re.compile(r"^[ -]*(?:(?:[a-z']+ )?(?:grand|k|thousand|hundred|quid|dollars|pounds|euros|bucks|percent off"
                               r"|morning|night|evening|afternoon|day|days|week|weeks|month|months|year"
                               r"|years|hour|hours|minute|minutes|time|times|thing|things|person|people|kids?|child|children"
                               r"|more|of (?:them|those|these|my|the|us)|bad|good|big|small|little|last|other|am|pm|o'?clock"
                               r"|o clock|in the|at a time|by one|after another|another|too|way|sec|second|seconds|point|stage|bit))\b")


def _counts_something(low: str, start: int, end: int) -> bool:
    return bool(_NOT_RATING_BEFORE.search(low[:start]) or _NOT_RATING_AFTER.match(low[end:]))


_ONE_TO_ONE = re.compile(r"\b(?:one|1)[ -]?(?:to|on|2)[ -]?(?:one|1)s?\b")


def parse_number(text: str, lo: int, hi: int) -> int | None:
    """First number in range said as digits or words ("about seventy-five", "a 6", "8/10"), never one that counts
    or names something ("year nine", "one bad morning", "the worst one", "our one-to-one")."""
    low = _ONE_TO_ONE.sub(" ", text.lower())
    for m in _DIGITS.finditer(low):
        n = int(m.group(1))
        if lo <= n <= hi and not _counts_something(low, m.start(1), m.end(1)):
            return _scaled(low, m.end(1), n, hi)
    m = _TENS_UNITS.search(low)
    if m:
        n = _NUMBER_WORDS[m.group(1)] + _NUMBER_WORDS[m.group(2)]
        if lo <= n <= hi:
            return n
        low = low[:m.start()] + " " * (m.end() - m.start()) + low[m.end():]  # "seventy-one" is never a "one"
    for m in re.finditer(r"[a-z']+", low):
        w = m.group(0)
        if w in _NUMBER_WORDS and lo <= _NUMBER_WORDS[w] <= hi:
            if w in ("none", "nothing", "half") and hi <= 10 or _counts_something(low, m.start(), m.end()):
                continue
            return _scaled(low, m.end(), _NUMBER_WORDS[w], hi)
    return None


_YES = re.compile(
    r"\b(yes|yeah|yep|yup|sure|i do|i am|i have|i did|i guess so|i think so|kind of|sort of|maybe|sometimes|"
    r"that fits|it fits|that's right|that is right|right|correct|exactly|true|definitely|absolutely|probably|a bit|a little)\b"
)
_NO = re.compile(
    r"\b(no|nope|nah|not really|not at all|never|i don't|i do not|i haven't|i have not|i'm not|i am not|"
    r"doesn't fit|does not fit|not quite|don't think so|wrong|not true|none)\b"
)


_AGREES = re.compile(r"^\W*(?:yes|yeah|yep|yup)\W+(?:that'?s (?:it|right|exactly it|true|so true|spot on)|exactly|spot on)\b")
_YEAH_NAH = re.compile(r"^\W*(?:(?:um+|uh+|well|oh)\W+)*(?:(nah|no),? (?:yeah|yes)|(?:yeah|yes),? (?:nah|no)(?! (?:worries|problem|probs|dramas|biggie|stress|bother|doubt)))\b(?!\W*(?:yeah|yes|nah|no)\b)")


def yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when it is not clear. A 'no' wins over a hedged 'yes'."""
    low = text.lower().replace("’", "'")
    if _YEAH_NAH.match(low):  # Australian and New Zealand: "yeah nah" is no, "nah yeah" is yes
        return _YEAH_NAH.match(low).group(1) is not None
    no, yes = _NO.search(low), _YES.search(low)
    if no and (not yes or no.start() <= yes.start()):
        return False
    if yes:
        return True
    return None


_NAME_WORD = r"([A-Za-z][a-z'\-]{1,29}|[A-Z][A-Za-z'\-]{1,29})"
_NAME_ASKED = re.compile(r"\b(?:call me|my name is|my name's|name is|name's|you can call me|i go by|people call me|everyone calls me"
                         r"|(?<![a-z] )myself)\s+"
                         + _NAME_WORD + r"\b", re.I)
# "I'm Sam" names only when the word stands alone: "I'm Sam", "I'm Sam, and...", "I'm Sam by the way".
_NAME_IM = re.compile(r"(?:^|[.!?,]\s*|\b(?:hi|hello|hey|hiya|heya|hola|yo|yeah|yes|ok|okay|well|um|uh|so|oh|sorry|and|actually|btw|anyway)\W+)(?:i'?m|i am|im|it'?s|its|this is)\s+"
                      + _NAME_WORD + r"(?=\s*(?:$|[.!?,;]|\s(?:and|but|by the way|btw|here|by the by|thanks|thank you|please|i|from)\b))", re.I)
_NAME_ALONE = re.compile(r"^\W*(?:(?:um+|uh+|well|oh|ok|okay|yeah|hi|hello|hey|hiya|heya|hola|yo|sure)\W+)*" + _NAME_WORD
                         + r"(?:\s+(?:is fine|is good|works|please|thanks|thank you|here)|\s*[,.]?\s*(?:hi|hello|hey|hiya|heya)(?: there)?)?\s*[.!]?\s*$", re.I)
_NAME_THEN = re.compile(r"^\W*(?:(?:hi|hello|hey|hiya|heya|um+|uh+|oh|ok|okay|yeah|yes|g'?day)\W+)*" + _NAME_WORD + r"\s*[,.]\s+(?:(?:and|but|um|uh|so|honestly|well|look)\W+){0,3}(?:i|my|it|work|things|i'm|life|everything|lately|today|mood|mood's|feeling|sorry|(?:a |an )?[a-z]+,? if (?:that|it) (?:matters|helps))\b", re.I)
# A name said on its own after a greeting or an apology, then a stop: "oh sorry, tomasz. and mood's a four", "hey, jess."
_NAME_GREETED = re.compile(r"(?:^|[.!?]\s*)(?:(?:oh|um+|uh+|ok|okay|yeah|yes|hi|hey|hiya|heya|hello|sorry|right|well)\W+)+"
                           + _NAME_WORD + r"\s*(?:[.!?,;]|$)", re.I)
# the short form asked for: "hi, robert. actually, rob's fine, just rob", "robert, but rob is fine"
_NAME_PREFERRED = re.compile(r"(?:^|[.!?,]\s*|\b(?:actually|but|or|though)\W+)" + _NAME_WORD
                             + r"(?:'s| is) (?:fine|good|ok|okay|better|easier)\b|\bjust " + _NAME_WORD + r"\s*[.!]?\s*$", re.I)
# "hi, lucia here. mood's a four"
_NAME_HERE = re.compile(r"^\W*(?:(?:hi|hey|hiya|hello|heya|hola|yo|oh|um+|uh+|ok|okay|yeah|g'?day|howdy|morning|evening|afternoon)\W+)*"
                        + _NAME_WORD + r"\s+here\b", re.I)
_NOT_NAMES = frozenset(
    """fine okay ok good great tired sad not no yes yeah nothing sure hi hello hey well so just here idk idc dunno meh yo hiya hola
    whatever listen look anyway ugh nah nope dunno cool thanks cheers seriously basically yep yup
    anxious angry stressed alright bad happy depressed down nobody anonymous skip pass rather none
    really feeling doing sorry going trying scared worried lonely exhausted done ready um uh erm hmm
    the a an and but or if it this that what who why how when where which me you he she they we us
    in on at to of for from with about over under back home new old late early busy sick ill unwell
    lost confused stuck broke alone single married divorced glad afraid unsure certain actually kind
    sort like literally probably maybe also still always never struggling finding having getting being
    feeling thinking looking hoping wondering calling phoning writing reading working living waiting
    honestly basically okayish meh low rough awful terrible horrible fantastic amazing better worse
    worst best alive dead free calm nervous upset mad furious overwhelmed burnt burned burnout
    hard difficult complicated tough bored numb empty hurt ashamed guilty embarrassed frustrated
    annoyed jealous lonely heartbroken confused stupid useless worthless failure mess wreck disaster
    bit little lot pretty quite very too much more less over under out off up all any some every
    myself yourself nope nah yep yup mm mhm hm oh ah wow thanks thank please sorry hiya hullo
    here there now then today tonight tomorrow yesterday work school uni job boss mum mom dad wife husband
    partner girlfriend boyfriend friend family kids son daughter sister brother fine look listen anyway right
    mood moods feel feels four five six seven eight nine ten zero one two three life money everything""".split()
)
_NOT_NAME_ENDINGS = ("ing", "ed", "ly", "ful", "ous", "ive", "able", "less", "ness", "ish", "ment")


def _as_name(word: str, strict: bool) -> str | None:
    low = word.lower().strip("'-")
    if len(low) < 2 or low in _NOT_NAMES or low in _FEELINGS_SET:
        return None
    if strict and low.endswith(_NOT_NAME_ENDINGS) and not word[:1].isupper():
        return None
    name = word.strip("'-")
    return name[:1].upper() + name[1:].lower() if name.islower() or name.isupper() else name


# "it's, er, graham": a filler between the lead-in and the name
_NAME_LEAD_FILLER = re.compile(r"\b(it'?s|i'?m|i am|name'?s|my name is|this is|call me)\s*,?\s*(?:(?:um+|uh+|er+m?|ah+|ugh|like)\s*[,.]*\s*)+",
                               re.I)


def _unfilled(text: str) -> str:
    return _NAME_LEAD_FILLER.sub(r"\1 ", text.strip().replace("\u2019", "'"))


def extract_name(text: str) -> str | None:
    """The name someone asked to be called, or None. A verb, an adjective or a filler is never a name:
    "I'm finding this hard" names nobody; "call me Will" and "I'm Hope" do."""
    t = _unfilled(text)
    if re.search(r"\b(rather not|don't want to|do not want to|prefer not|no name|skip|anonymous)\b", t, re.I):
        return None
    m = _NAME_ASKED.search(t)
    if m:
        return _as_name(m.group(1), strict=False)
    m = _NAME_PREFERRED.search(t)
    if m and (name := _as_name(m.group(1) or m.group(2), strict=True)):
        return name
    for pat in (_NAME_IM, _NAME_ALONE, _NAME_THEN, _NAME_GREETED, _NAME_HERE):
        m = pat.search(t)
        if m:
            name = _as_name(m.group(1), strict=True)
            if name:
                return name
    return None


def volunteered_name(text: str) -> str | None:
    """A name offered later in the opening ("sorry, i'm dana"), read strictly: "I'm tired" names nobody."""
    t = _unfilled(text)
    m = _NAME_ASKED.search(t)
    if m:
        return _as_name(m.group(1), strict=False)
    for pat in (_NAME_IM, _NAME_GREETED, _NAME_HERE):
        m = pat.search(t)
        if m and (name := _as_name(m.group(1), strict=True)):
            return name
    return None


_FEELINGS = (
    "anxious", "worried", "scared", "afraid", "terrified", "frightened", "nervous", "panicky", "panicked", "sad",
    "depressed", "hopeless", "helpless", "empty", "numb", "lonely", "alone", "isolated", "angry", "furious", "mad",
    "irritated", "livid", "frustrated", "annoyed", "resentful", "bitter", "ashamed", "embarrassed", "guilty",
    "humiliated", "hurt", "rejected", "abandoned", "jealous", "envious", "betrayed", "overwhelmed", "stressed",
    "exhausted", "tired", "drained", "burnt out", "burned out", "stuck", "trapped", "powerless", "confused",
    "worthless", "useless", "inadequate", "defeated", "tense", "heartbroken", "devastated", "gutted", "crushed",
    "disappointed", "insecure", "upset", "miserable", "restless", "on edge", "shaken", "rattled", "shocked",
    "small", "invisible", "ignored", "unappreciated", "disrespected", "uneasy", "dread", "panic", "shame", "guilt",
    "fear", "grief", "anger", "sadness", "calm", "calmer", "relieved", "better", "hopeful", "happy", "lighter",
    "pissed off", "fed up", "wound up", "stupid", "pathetic", "exposed", "unloved", "unwanted", "mortified",
    "gutted", "distraught", "heartsick", "disgusted", "resentful", "bitter", "envious", "irritable", "agitated",
    "dreading", "apprehensive", "bereft",
)
_FEELINGS_SET = frozenset(_FEELINGS)
_FEELING_RE = re.compile(r"\b(" + "|".join(re.escape(f) for f in sorted(_FEELINGS, key=len, reverse=True)) + r")\b")
_FEEL_PLUS = re.compile(r"\bfe(?:el|lt)(?:s|ing)?\s+(?:so\s+|really\s+|a bit\s+|pretty\s+|quite\s+|very\s+)?(down|low|lost|alone|awful|terrible|bad|sick|off)\b")
_NOT_A_FEELING = re.compile(r"\b(?:small (?:thing|step|bit|things|steps)|better (?:than|off|at)|calm down|fed up with)\b")


_OTHERS_FEELING = re.compile(r"\b(?:you|you're|youre|he|she|they|him|her|them|boss|manager|partner|husband|wife|mum|mom|dad|friend|everyone|people|"
                             r"someone|nobody|looked|seemed|sounded|got|was he|was she|were they)\b(?:\W+\w+){0,2}\W*$")


def feeling_word(text: str) -> str | None:
    """An emotion word in their words ("down" counts only as "feeling down", not "slow down")."""
    low = text.lower().replace("\u2019", "'")
    low = _NOT_A_FEELING.sub(" ", low)
    m = _FEEL_PLUS.search(low) or _FEELING_RE.search(low)
    return m.group(1) if m else None


def feeling_words(text: str) -> list[str]:
    """Every emotion word in their words, in order, once each ("i'm tired. and sad, i think" -> ["tired", "sad"])."""
    low = _NOT_A_FEELING.sub(" ", text.lower().replace("\u2019", "'"))
    out: list[str] = []
    for m in _FEELING_RE.finditer(low):
        if m.group(1) not in out and not re.search(r"\b(?:not|n't|never)\s+(?:\w+\s+)?$", low[max(0, m.start() - 16):m.start()]):
            out.append(m.group(1))
    return out


def own_feeling(text: str) -> str | None:
    """A feeling the person names as their own: "my boss looked annoyed" is not theirs."""
    low = text.lower().replace("\u2019", "'")
    low = _NOT_A_FEELING.sub(" ", low)
    for m in list(_FEEL_PLUS.finditer(low)) + list(_FEELING_RE.finditer(low)):
        before = low[max(0, m.start() - 40): m.start()]
        if _OTHERS_FEELING.search(before) and not re.search(r"\b(?:i|me|i'm|im|felt|feel|feeling|made me)\b(?:\W+\w+){0,2}\W*$", before):
            continue
        if re.search(r"\b(?:without|not|no longer|stop|less|never|instead of)\b(?:\W+\w+){0,2}\W*$", before):
            continue  # "without feeling sick" names what they hope to be free of
        return m.group(1)
    return None


def clause_prefix(text: str, max_words: int, min_words: int = 2) -> str:
    """The longest run of whole clauses that fits in ``max_words`` ("" when even the first does not)."""
    text = text.strip().rstrip(".!?;: ")
    if len(text.split()) <= max_words:
        return text
    text = re.split(r"(?<=[.!?])\s+", text)[0].rstrip(".!? ") if len(text.split()) > max_words else text
    if len(text.split()) <= max_words:
        return text
    pieces = re.split(r"(,\s+|\s+(?=(?:and|but|because|so|which|while)\b))", text)
    out = ""
    for piece in pieces:
        cand = out + piece
        if len(cand.split()) > max_words:
            break
        out = cand
    out = re.sub(r"(?:,|\s(?:and|but|because|so|which|while))\s*$", "", out.strip()).strip(" ,")
    out = re.sub(r"(?:,\s*|\s)(?:not|no|never|just|only|even|also|then|like|or)$", "", out).strip(" ,")  # never "..., not."
    if len(out.split()) >= min_words:
        return out
    # one long clause: cut before a trailing phrase ("... on saturday morning | with a coffee"), never inside one
    words = text.split()
    for end in range(min(max_words, len(words) - 1), 4, -1):
        if words[end].lower() in _PHRASE_STARTS and len(words[:end]) >= min_words:
            return " ".join(words[:end]).rstrip(" ,")
    return ""


_PHRASE_STARTS = frozenset("with for after before at in by until while when without during".split())


FUNCTION_WORDS = frozenset(
    """the and but for nor yet you your yours are was were been being have has had does did doing not
    this that these those there here what when where which who whom why how all any both each few more most
    other some such only own same than too very can will just should now its it's i'm im ive i've i'll i'd
    don't dont didn't didnt isn't wasn't aren't weren't hasn't haven't hadn't won't wouldn't shan't shouldn't
    can't cant cannot couldn't mustn't let's that's who's what's here's there's when's where's why's how's
    with about against between into through during before after above below from off over under again further
    then once also well yeah yes yep okay ok um uh erm hmm like really kind sort guess mean know think
    just so oh ah mm mhm her him his she they them their our ours out get got would could must may might
    thing things stuff much many lot bit ugh ughh er eh argh oof phew gah welp hey hi hiya hello morning g'day howdy""".split()
)

# Person and verb turned together ("I was" -> "you were"); a clause we cannot turn cleanly is not reflected.
_PAIRS = [
    (r"\bi am\b", "you are"), (r"\bi'?m\b", "you're"), (r"\bim\b", "you're"), (r"\bi was\b", "you were"),
    (r"\bi wasn'?t\b", "you weren't"), (r"\bi'?ve\b", "you've"), (r"\bive\b", "you've"),
    # "ill" and "id" are the words ill and ID unless a verb follows; "were" is never "we're"
    (r"\bi'll\b|\bill\b(?= (?:be|do|go|try|have|get|make|just|never|always|see|call|text|ask|send|tell|probably|maybe|start|talk|write|take)\b)", "you'll"),
    (r"\bi'd\b|\bid\b(?= (?:say|tell|like|love|rather|be|have|do|go|never|probably|just|want|hate)\b)", "you'd"),
    (r"\bmyself\b", "yourself"), (r"\bmine\b", "yours"), (r"\bmy\b", "your"),
    (r"\bme\b", "you"), (r"\bi\b", "you"), (r"\bwe're\b", "you're"), (r"\bwe were\b", "you were"), (r"\bwe\b", "you"),
    (r"\bwith us\b", "with the two of you"), (r"\babout us\b", "about the two of you"),
    (r"\bbetween us\b", "between the two of you"), (r"\bus\b", "you"), (r"\bour\b", "your"), (r"\bours\b", "yours"), (r"\bourselves\b", "yourselves"), (r"\bam\b", "are"),
]
_PAIR_RX = re.compile("|".join(f"({p})" for p, _ in _PAIRS), re.I)
_BAD_AGREEMENT = re.compile(r"\byou (?:was|is|has|does|doesn't|wasn't|isn't|am|hasn't)\b|\byou'?re (?:was|were|been)\b", re.I)


def second_person(clause: str, max_words: int = 12) -> str | None:
    """Their words turned to the second person with the verb, or None when that can't be done cleanly.

    "I was humiliated in the meeting" -> "you were humiliated in the meeting". A clause that
    already says "you" (which would have to become "I", the assistant) is never reflected.
    """
    text = first_clause(clause, max_words)
    if not text or re.search(r"\b(?:you|your|yours|yourself|u|ur)\b", text, re.I):
        return None
    words = text.split()
    if len(words) > max_words or len(words) < 2:
        return None

    def swap(m: re.Match[str]) -> str:
        for i, (_, repl) in enumerate(_PAIRS, start=1):
            if m.group(i):
                return repl
        return m.group(0)

    out = _PAIR_RX.sub(swap, text)
    if _BAD_AGREEMENT.search(out) or re.search(r"\b(?:i|me|my|mine|myself)\b", out, re.I):
        return None
    first = out.split(" ", 1)[0]
    if first[:1].isupper() and not first.isupper() and first != "I" and first.lower() in _LOWER_OPENERS:
        out = out[:1].lower() + out[1:]
    return out.strip(" ,;:")


_LOWER_OPENERS = FUNCTION_WORDS | frozenset(
    """you your you're you've you'll you'd in on at last when yesterday today tonight this every after before during
    one a an the my it's there's nobody everyone everybody someone people work home maybe even he we it""".split())


_SCREEN_NO_LEAD = re.compile(
    r"^\W*(?:(?:um+|uh+|well|honestly|oh|god|gosh|i mean|sorry)\W+)*(?:no+(?! idea| clue)|nope|nah|never|not at all|no way|"
    r"definitely not|absolutely not|of course not|none|nothing like that|i (?:haven'?t|have not|am not|didn'?t|did not)|i(?:'?m| am) not (?:suicidal|at risk|in danger|like that|having (?:those|any|them)|thinking (?:about|of) (?:it|that|suicide"
    r"|killing|ending|doing))"
    r"|i (?:don'?t|do not)(?! (?:really )?(?:know|remember|understand)))\b")
# A hedge that opens a sentence of their own ("i guess i've been switched off since the layoff"), not an answer.
_HEDGED_CLAUSE = re.compile(r"^\W*(?:(?:i guess|i suppose|i think|maybe|probably|honestly)\W+)+(?=(?:i|i'?ve|i'?m|i'?d|i'?ll|it|it'?s"
                            r"|he|she|they|my|we|the|that'?s|there'?s|if)\b)")
_RISK_WORDS = re.compile(r"\b(?:die|dying|dead|death|kill\w*|suicid\w*|end (?:it|my life|things)|hurt\w*|harm\w*|not wake|wake up"
                         r"|not be here|not being here|not (?:be )?around|disappear\w*|gone|pills?|cut\w*|jump\w*|overdos\w*|plan\w*"
                         r"|thoughts?|thinking about it|think about it|cross\w* my mind|on my mind|occurred to me|in my head"
                         r"|do it|doing it|did it|act on|go through|try it|tried it|(?:the )?pain to stop|make it (?:all )?stop"
                         r"|no way out|give up|giving up|better off|can'?t go on|can'?t take (?:it|this|any more))\b")
_IN_MY_HEAD = re.compile(r"\b(?:in|round|around) my head\b")  # "i keep running the worst case in my head": rumination
_HOW_OFTEN = re.compile(r"\b(?:\w+ (?:or \w+ )?times? (?:a|an|per|every|this|last) \w+|every (?:day|night|week|morning)|most (?:days"
                        r"|nights|mornings)|daily|nightly|all the time|on and off|more and more|more often)\b")
_NOT_QUITE = re.compile(r"\W*not (?:like|really|exactly|quite|as such|in a|that)\b")  # "not like, actively?": a partial yes
_UNSURE_ALONE = re.compile(r"(?:(?:um+|uh+|erm|well|honestly|oh)\W+)*(?:i )?(?:dunno|don'?t know|do not know|not sure|no idea|i'?m not sure)")
_OPENING_FILL = re.compile(r"^\W*(?:(?:um+|uh+|erm|well|so|oh|ok|okay|honestly|i mean|like)\b\W*)*")
_SCREEN_YES = re.compile(
    r"\b(?:yes|yeah|yep|yup|ya|sure|i guess|i think so|maybe|sometimes|kind of|kinda|sort of|"
    r"a bit|a little|probably|possibly|not sure|unsure|don'?t know|dunno|no idea|no clue|i suppose|every now|now and then|"
    r"times? a (?:week|day|month)|(?:most|some|a few|many) (?:days|nights)|every (?:day|night|week)|"
    r"on and off|at times|occasionally|a few times|once or twice|it'?s complicated|hard to say|depends|i'?ve thought|crossed my mind|"
    r"thought about it|wouldn'?t act|won'?t act|not going to act|pretty much|more or less|all the time|constantly|every day"
    r"|most days|mhm|uh huh|not really)\b")
# Words that say yes only as an answer of their own ("i do.", "i have, yeah", "honestly? a lot"), not when a story
# follows them ("i did once leave a pan on", "honestly my boss just doesn't get it", "lately i've been so tired").
_SCREEN_YES_SHORT = re.compile(
    r"\b(?:i do|i am|i have|i did|true|right|correct|exactly|definitely|honestly|lately|recently|it does|they do|a lot|often"
    r"|i want to|i wish)\b(?=\W*$|\s*[,.;!?]|\s+(?:yes|yeah|sometimes|a bit|a little|too|though|but|now and then|lately"
    r"|recently|think about|thought|thinking|want to die|wish i was|a lot|often)\b)")
_SCREEN_HEDGE = re.compile(
    r"\b(?:yes|yeah|yep|yup|kind of|kinda|sort of|maybe|sometimes|now and then|on and off|every now|once or twice|a bit|a little|"
    r"not sure|unsure|don'?t know|dunno|i guess|i suppose|i think so|probably|possibly|at times|occasionally|lately|recently|"
    r"passing|fleeting|wouldn'?t act|won'?t act|not going to act|never act|i have|i do|i did|i am|i'?ve thought|crossed my mind|thought about it|"
    r"hard to say|depends|not exactly|a few times|more than (?=once|twice|a few|i'?d|i want|i should|i thought|i let|before|i admit"
    r"|you think|usual|ever|i can)|it'?s complicated|i mean|but|except|unless|though|although|"
    r"think about (?:it|that|dying|death|ending)|(?<![a-z] )used to|(?<=i )used to|not anymore|not now|not today|right now"
    r"|not really|wouldn'?t (?:mind|care)(?: (?:much|that much|if|really))?|would not mind|don'?t mind if"
    r"|wouldn'?t be (?:the end of the world|so bad|a tragedy))\b")


# Hedge words that also open a story ("i did once leave a pan on", "but my boss..."): a yes only in a short answer.
_STORY_WORDS = frozenset({"i have", "i do", "i did", "i am", "i mean", "but", "except", "unless", "though", "although",
                          "right now"})


# "i feel a little sad now, but also lighter": a degree of a feeling, not a hedged yes ("a little, yeah" still is)
_DEGREE_OF_FEELING = re.compile(r"(?:a bit|a little(?: bit)?)(?: (?:more|less|too))? (?!(?:bit|yeah|yes|maybe|i|sometimes|honestly|of|lately|recently"
                                r"|now and then|at times|tbh)\b)[a-z]{3,}")


# a that-clause or a plan: the answer to the question before, not to the screen
_ANSWERS_ELSE = re.compile(r"^\W*(?:(?:um+|uh+|well|so|i guess|i think)\W+)*(?:that (?!(?:is|was|'s|s) |would|does|did|happens|too\b)"
                           r"|(?:maybe|probably|possibly|perhaps) (?:i(?: could| should|'?ll| will| can| might) (?!do it|act|go through|end|kill|hurt|die|be\b|have\b)"
                           r"[a-z]+|tell|call|text|go|talk"
                           r"|ask|try|take|write|say|ring|book|get|make|just (?:tell|call|text|go|talk|ask|try))\b"
                           r"|(?:(?:yeah|yes|yep|ok|okay)\W+)?i(?: could| can| will|'?ll| might) (?:text|call|ring|message|phone|ask|go to"
                           r"|stay (?:with|at)|talk to|see) (?:her|him|them|my|a|the|someone|somebody|\w+'s)\b)")


def screener_answer(text: str) -> bool | None:
    """A C-SSRS screener answer. Any affirmative, hedged or ambiguous answer counts as yes; only a plain
    no is a no ("now and then, but I wouldn't act on it" is a yes). None for a non-answer."""
    low = text.lower().replace("\u2019", "'").strip()
    if not re.search(r"[a-z0-9]", low):
        return None
    if _YEAH_NAH.match(low) and not _RISK_WORDS.search(low):
        return yes_no(low)  # "yeah nah, i don't wanna leave her": a no, said the Australian way
    agrees = _AGREES.match(low)
    if agrees and len(low[agrees.end():].split()) >= 5 and not _RISK_WORDS.search(low[agrees.end():]):
        return None  # "yes, that's it exactly, i want dave to be on my team": agreeing with what was said before
    if re.match(r"^\W*(?:(?:well|um+|uh+|so|and|but|honestly)\W+)*(?:she|he|they|my (?:old |new |ex |former |best |little |big "
                r"|older |younger |line |last )?(?:mum|mom|dad|friend|boss|manager|partner|husband|wife|sister|brother|girlfriend"
                r"|boyfriend|son|daughter|teacher|colleague|flatmate|roommate|client)|the \w+)\b(?! (?:do|does|did|are|is)\W*$)",
                low) and not re.search(r"\b(?:crosses my mind|i think about|i have|i do|yes|yeah|sometimes i)\b", low):
        return None  # "she did kind of stare": a story about someone else, not an answer about themselves
    if parse_number(low, 0, 100) is not None and not re.search(r"\b(?:yes|yeah|yep|no|nope|nah|i have|i do|i am|thoughts?"
                                                                r"|kill\w*|die|dying|dead|end it|hurt\w*|suicid\w*|times?|a (?:week|day"
                                                                r"|month)|nights?|days?|weeks?|every|since)\b", low) \
            and len(low.split()) <= 12:
        return None  # "seventy maybe", "a four maybe, it was a seven": a rating for another question, not an answer
    lead = _SCREEN_NO_LEAD.match(low)
    if lead and not _SCREEN_HEDGE.search(low[lead.end():]):
        return False
    hedged = _HEDGED_CLAUSE.match(low)
    if hedged and not _RISK_WORDS.search(_IN_MY_HEAD.sub(" ", low)) and not _SCREEN_YES.search(low[hedged.end():]) \
            and not _SCREEN_HEDGE.search(low[hedged.end():]):
        return None  # "i guess i need to know i'm still her person": the hedge belongs to their own sentence
    unsure, _, rest = (re.split(r"([.!?;])\s*", low, maxsplit=1) + ["", ""])[:3]
    if _UNSURE_ALONE.fullmatch(unsure.strip(" ,")) and len(rest.split()) >= 4 and not _RISK_WORDS.search(rest) \
            and not _SCREEN_YES.search(" ".join(rest.split()[:3])):
        return None  # "i dunno. to not feel like i'm drowning by thursday": the unsure word opens an answer to something else
    if len(low.split()) >= 6 and not _RISK_WORDS.search(low):
        first = " ".join(low[_OPENING_FILL.match(low).end():].split()[:4])
        if not (_SCREEN_YES.search(first) or _SCREEN_HEDGE.search(first) or _SCREEN_NO_LEAD.match(first)
                or _NOT_QUITE.match(first) or _HOW_OFTEN.search(low)):
            return None  # "i need him to look up sometimes", "honestly? if i stopped doing the books": their own thread
    head = " ".join(re.split(r"[.!?;]", low, maxsplit=1)[0].split()[:8])  # an answer opens with it
    head = _DEGREE_OF_FEELING.sub("", head)
    if _ANSWERS_ELSE.match(head):
        return None  # "that i matter to him, i guess", "maybe tell him i'm scared": an answer to another question
    hedges = [m.group(0) for m in _SCREEN_HEDGE.finditer(head)]
    if lead or _SCREEN_YES.search(head) or _SCREEN_YES_SHORT.search(head) or any(
            h not in _STORY_WORDS for h in hedges) or (hedges and len(head.split()) <= 3):
        return True
    return None  # a non-answer: the engine asks once more, then counts it as yes


@lru_cache(maxsize=512)
def compile_any(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def matches_any(patterns: list[str] | tuple[str, ...], text: str) -> bool:
    rx = compile_any(tuple(patterns))
    return bool(rx and rx.search(text.lower().replace("’", "'")))


_SAFE_YES = re.compile(
    r"^\W*(?:(?:um+|uh+|well|honestly|yeah|yes|yep|ok|okay)\W+)*(?:yes|yeah|yep|yup|i am|i'?m safe|i'?m okay|i'?m ok|i'?m fine|"
    r"i'?m alright|safe|i think i'?m safe now|i'?m at home and safe)\b")
# Where they are and who with, said instead of yes ("i'm at my sister's, she's downstairs", "at work with my team").
_SAFE_PLACE = re.compile(
    r"^\W*(?:(?:um+|uh+|well|honestly|yeah|yes|yep|ok|okay)\W+)*(?:i'?m |i am )?(?:at|in|with|staying (?:at|with)|home)\b")
_NOT_SAFE = re.compile(
    r"\b(?:not|n't|no|nope|unsure|maybe|don'?t know|dunno|kind of|sort of|kinda|i guess|i think so|probably|hope so|"
    r"for now|idk|not sure|i suppose|suppose so|guess so|ish|scared|afraid|alone with|on my own with|hurt|bleeding|pills?|tablets|knife|blade|rope|gun|"
    r"bridge|roof|edge|ledge|tracks|cliff|drunk|overdos\w*|took|taken|swallowed|danger)\b")
# Negations that say safe: "i'm not going to do anything", "not alone", "nobody's here who'd hurt me".
_SAFE_NEGATION = re.compile(
    r"\b(?:(?:i'?m )?not (?:going to|gonna) (?:do|try) (?:anything|it)|(?:i )?(?:won'?t|wouldn'?t|will not|would not) "
    r"(?:do|try) (?:anything|it)|not alone|not on my own|(?:i'?m )?not in (?:any )?danger|no danger|nothing'?s going to happen)\b")


_SAYS_OK = re.compile(r"\bi'?m (?:ok|okay|safe|fine|alright)\b")


def says_ok(text: str) -> bool:
    """ "i'm ok", "i'm safe", said somewhere in the turn (on its own it may sit beside a no)."""
    return bool(_SAYS_OK.search(text.lower().replace("\u2019", "'")))


def safe_answer(text: str) -> bool | None:
    """"Are you safe right now?": a yes, or where they are and who with, is safe unless it carries a no, a hedge or
    a danger ("yeah i'm safe, i'm in the library" is safe; "i guess", "for now", "at home with the pills" are not).
    None for a non-answer (the engine asks once more)."""
    low = text.lower().replace("\u2019", "'").strip()
    if not re.search(r"[a-z0-9]", low):
        return None
    if re.match(r"^\W*(?:yes|yeah)\W+(?:i'?m|i am) (?:safe|okay|ok|fine)\W*$", low):
        return True
    cleared = _SAFE_NEGATION.sub(" ", low)
    unsafe = [m.group(0) for m in _NOT_SAFE.finditer(cleared)]
    if unsafe == ["no"] and re.match(r"^\W*no\b", cleared) and says_ok(cleared):
        return None  # "no. i'm not gonna do anything. i'm ok right now": both said; asked once more
    if unsafe:
        return False
    if cleared != low or _SAFE_YES.match(low) or _SAFE_PLACE.match(low):
        return True
    return None


# ---------------------------------------------------------------------------- self-criticism
# A harsh label the person puts on themselves ("I'm a terrible friend", "I'm worthless", "I ruin
# everything"). Said back plainly it would sound as if Attune agreed, so it is only ever reflected
# as their voice ("part of you says you're a terrible friend"), or not at all.
_LABEL_NOUNS = (
    r"failure|loser|burden|fraud|idiot|moron|joke|mess|disappointment|disgrace|embarrassment|waste of (?:space|time|air|oxygen)|"
    r"waste|nobody|nothing|freak|coward|monster|fake|impostor|imposter|let ?down|liability|screw ?up|f\w*k ?up|hypocrite|"
    r"weirdo|wreck|disaster|problem|bad person|horrible person|terrible person|awful person|bad \w+|terrible \w+|awful \w+|"
    r"horrible \w+|rubbish \w+|crap \w+|crappy \w+|shit \w+|shitty \w+|lousy \w+|useless \w+|hopeless \w+|pathetic \w+|"
    r"worthless \w+|failure (?:of|as) an? \w+|(?:sorry|poor) excuse (?:for|of) an? \w+|piece of (?:shit|crap|work)"
)
_LABEL_ADJS = (
    r"useless|worthless|stupid|dumb|pathetic|hopeless|unlovable|unloveable|disgusting|weak|selfish|lazy|ugly|broken|"
    r"incompetent|inadequate|pointless|unworthy|unlikeable|unlikable|annoying|boring|thick|rubbish|crap|trash|garbage|"
    r"(?:not|never) (?:good|smart|pretty|strong|clever|thin|brave|normal) enough|not enough|too much|the worst|to blame|"
    r"not worth (?:it|anything|loving|the (?:effort|trouble))|beyond help|unfixable|damaged|defective|a lost cause"
)
_INTENSIFIERS = (r"(?:(?:such|so|just|really|totally|completely|basically|always|literally|honestly|kind of|sort of|kinda|the|a|an|"
                r"nothing but|the biggest|total|complete|absolute|utter|massive|huge|fucking|bloody|genuinely|actually)\s+)*")
_SELF_LABEL = re.compile(
    r"\b(?:i'?m|i am|im|i was|i'?ve (?:always |just )?been|i'?ll (?:always|only ever) be|i'?ll never be anything (?:but|more than))\s+"
    + _INTENSIFIERS + r"(?:(?:a|an)\s+)?(?:(?:" + _LABEL_NOUNS + r")|(?:" + _LABEL_ADJS + r"))\b"
    r"|\bi (?:always |just |only |totally |completely )?(?:ruin|wreck|mess up|screw up|spoil|destroy|ruined|wrecked|messed up|screwed up|spoiled|destroyed|f\w*k up|f\w*ked up) (?:everything|every\w+|it all|all of it)\b"
    r"|\bi (?:can'?t|cannot|never) do anything right\b|\bi (?:hate|can'?t stand|despise|loathe) myself\b"
    r"|\bi don'?t deserve (?:to be|anything|anyone|good|love|help|happiness|it)\b"
    r"|\b(?:no ?one|nobody) (?:could|would|will|can|ever|is ever going to|is going to) (?:ever )?(?:love|like|want|care about) me\b",
    re.I,
)
# Already their voice: a thought, a feeling, something said to themselves or by someone else.
_ATTRIBUTED = re.compile(
    r"\b(?:think|thinks|thought|thinking|tell(?:s|ing)? myself|told myself|call(?:s|ing|ed)? myself|say(?:s|ing)? to myself|"
    r"said to myself|keep saying|kept saying|feel(?:s|ing)? like|felt like|feels as if|felt as if|like a|voice|part of me|"
    r"my (?:head|mind|brain|inner critic)|(?:he|she|they|boss|manager|mum|mom|dad|people|everyone) (?:said|says|thinks?|told me|called me|calls me)|"
    r"believe|believed|worried|worry|scared|afraid|convinced|wonder(?:ing)?|what if|as if|maybe|not that)\b[^.!?]*$",
    re.I,
)
_VOICE = "part of you says"  # the frame; the protocols' reflections read "So {key}." / "It sounds like {key}."


def self_label(text: str) -> re.Match[str] | None:
    """The first harsh label the person puts on themselves as a plain fact, or None.

    "I'm a terrible friend" and "honestly I'm worthless" are labels; "I keep thinking I'm a failure"
    and "my boss said I'm useless" are already framed as a thought or someone's words."""
    low = text.lower().replace("\u2019", "'")
    for m in _SELF_LABEL.finditer(low):
        if not _ATTRIBUTED.search(low[max(0, m.start() - 60): m.start()]):
            return m
    return None


def any_self_label(text: str) -> bool:
    """A harsh self-label, framed or not ("I keep thinking I'm a failure" counts)."""
    return bool(_SELF_LABEL.search(text.lower().replace("\u2019", "'")))


def own_voice(text: str, max_words: int = 10) -> str:
    """Their harsh self-label said back as their voice, never as fact: "honestly I'm a terrible friend"
    -> "part of you says you're a terrible friend". "" when there is none or it can't be said cleanly."""
    m = self_label(text)
    if not m or re.search(r"\b(?:hate|can'?t stand|despise|loathe) myself\b|\bdon'?t deserve\b", m.group(0)):
        return ""  # a feeling about themselves, not a label: never said back, never reframed
    low = text.replace("\u2019", "'")
    clause = low[m.start():]
    clause = re.split(r"[,.;!?]|\s(?:and|but|because|which|cause|cos|so (?=i\b))\s*", clause, maxsplit=1)[0]
    clause = re.sub(r"\b(?:just|honestly|basically|literally|really|kind of|sort of|kinda)\s+", "", clause, flags=re.I)
    said = second_person(clause.strip(), max_words)
    if not said:
        return ""
    return f"{_VOICE} {_inline_lower(said)}"


def _inline_lower(words: str) -> str:
    first = words.split(" ", 1)[0]
    return words if first == "I" or (first.isupper() and len(first) > 1) else words[:1].lower() + words[1:]


# ---------------------------------------------------------------------------- balanced-thought drafts
# The pieces of a CBT balanced thought, in the person's own voice: one or two clauses of their
# evidence against the thought, one clause of what they'd tell a friend (turned to "I"), and at most
# a short, non-harsh concession from the evidence for it. The templates that join them live in cbt.yaml.
_CLAUSE_SPLIT = re.compile(
    r"\s*[;:]\s*|(?<=[a-z0-9'])[.!?]+\s+|\s*,\s*(?:and|but|so|plus|also)?\s*|"
    r"\s+(?:and|but|plus|so|though|although|because|cos|cause)\s+(?=(?:i|i'm|i've|i'd|i'll|im|ive|my|he|she|they|it|it's|its|"
    r"we|you|you're|your|there|there's|people|everyone|nobody|no one|someone|the|that|this|one|most|lots|a lot)\b)", re.I)
_CLAUSE_LEAD = re.compile(
    r"^(?:(?:but|and|so|well|yeah|yes|no|not really|i mean|i guess|i suppose|i think|honestly|actually|also|plus|though|"
    r"like|um+|uh+|erm|hmm+|ok|okay|oh|then again|on the other hand|to be fair|in fairness|maybe|probably|still|"
    r"i dunno|i don'?t know|not sure|the fact that|the thing is|apart from that|other than that|except)\b[\s,]*)+", re.I)
_CLAUSE_TAIL = re.compile(r"(?:[\s,]+(?:i guess|i suppose|i think|though|honestly|really|you know|or something|anyway|"
                          r"as well|i mean|haha|lol|right|so yeah|yeah))+$", re.I)
_SUBJECT_VERB = re.compile(
    r"\b(?:i|i'm|i've|i'd|i'll|im|ive|he|she|they|it|it's|its|we|you|you're|there's|that's|nobody|no one|everyone|someone|"
    r"people|one|[a-z]+)\s+(?:(?:really|actually|still|also|just|even|never|always|often|usually|probably|did|didn't|don't|"
    r"doesn't|do|does)\s+)?(?:am|is|are|was|were|'m|have|has|had|do|does|did|don't|doesn't|didn't|can|can't|could|couldn't|will|"
    r"won't|would|wouldn't|should|shouldn't|might|must|know|knew|said|says|told|asked|gave|got|get|made|make|went|go|came|"
    r"come|finished|closed|helped|managed|passed|thinks?|thought|likes?|liked|loves?|loved|wants?|wanted|needs?|needed|"
    r"deserves?|tried|try|tries|works?|worked|handled|cancels?|means?|makes?|takes?|took|blanked|[a-z]{3,}ed|[a-z]{3,}s)\b"
    r"|^(?:i'm|i've|im|ive|it's|that's|there's|everyone's|nobody's|one)\b", re.I)
_HARSH_EVIDENCE = re.compile(
    r"\b(?:[a-z]+est|worst|always|never|everyone|everybody|nobody|no one|idiot|stupid|useless|failure|fraud|loser|pathetic|"
    r"worthless|hate|hates|terrible|awful|rubbish|incompetent|lazy|dumb|fault|mess|joke)\b", re.I)
_NOT_SUPERLATIVE = frozenset({"best", "honest", "interest", "rest", "test", "request", "west", "guest", "chest", "forest",
                              "modest", "suggest", "latest", "just", "must", "trust", "lest", "nest", "pest", "protest",
                              "harvest", "contest", "invest", "manifest", "earnest"})
_FRIEND_FRAME = re.compile(
    r"^(?:(?:i'?d|i would|i will|i'?ll|id|i might|i'?d probably|i would probably|probably|maybe|i guess|i think|honestly|well|"
    r"um+|uh+|oh|just|prob(?:ably)?)\s+)*(?:(?:say|tell|remind|reassure|answer|ask)\b(?:\s+(?:it\s+)?to)?\s*"
    r"(?:(?:them|him|her|my friend|a friend|my mate|a mate|the friend|my bestie|my best friend|you)\b)?\s*(?:that\s+)?,?\s*)?", re.I)
_IMPERATIVE = re.compile(
    r"^(?:to\s+)?(?:(?:don'?t|do not|never)\s+)?(?:go|be|take|give|stop|try|remember|relax|chill|forgive|look|let|cut|keep|"
    r"talk|ask|rest|breathe|focus|think|trust|believe|ease|treat|allow|accept|hold|slow|get|do|see|learn|move|stay|call)\b", re.I)
_YOU_BEFORE_VERB = re.compile(
    r"\byou(?= (?:really |still |just |do |did )?(?:care|cared|matter|mattered|are|were|can|could|will|would|should|did|do|have|"
    r"had|need|deserve|deserved|tried|try|know|knew|mean|meant|made|make|got|get|love|loved|want|wanted|feel|felt|work|worked|"
    r"belong|count|did|handled|managed|coped|survived|learned|learnt)\b)", re.I)
_YOU_SUBJECT = re.compile(r"(^|\b(?:that|and|but|so|because|if|when|cos|though)\s+|,\s*)you\b(?!')", re.I)
_TO_FIRST_YOU = [
    (r"\byou'?re\b", "I'm"), (r"\byou'?ve\b", "I've"), (r"\byou'?ll\b", "I'll"), (r"\byou'?d\b", "I'd"),
    (r"\byourself\b", "myself"), (r"\byours\b", "mine"), (r"\byour\b", "my"), (r"\byou\b", "me"),
]


_SPOKEN_FILLER = re.compile(r"\b(?:literally|totally|like(?=\s+(?:about\s+)?(?:\d+|a few|a couple|one|two|three|four|five|six|seven|eight|"
                            r"nine|ten|twenty|a hundred|loads|half|a million)\b))\s+", re.I)


def _clean_clause(clause: str) -> str:
    clause = _SPOKEN_FILLER.sub("", _FILLERS.sub("", clause)).strip(" ,.;:!?\"'")
    for _ in range(3):
        before = clause
        clause = _CLAUSE_LEAD.sub("", clause).strip(" ,")
        clause = _CLAUSE_TAIL.sub("", clause).strip(" ,")
        if clause == before:
            break
    clause = _LOWER_I.sub(lambda m: "I" + (m.group(1) or ""), clause)
    return re.sub(r"\bim\b", "I'm", re.sub(r"\bive\b", "I've", clause))


def _is_clause(clause: str) -> bool:
    words = clause.split()
    return 2 <= len(words) and bool(_SUBJECT_VERB.search(clause))


def is_clause(text: str) -> bool:
    """A whole clause with a subject and a verb ("your mum said it", not "your mum")."""
    return bool(text) and _is_clause(text)


def clauses_of(text: str, max_words: int = 14) -> list[str]:
    """The whole clauses of what they said, tidied ("but i closed more tickets, and my lead asked me to
    mentor" -> ["I closed more tickets", "my lead asked me to mentor"]). Clauses longer than ``max_words``
    are cut at a natural break, or left out."""
    out = []
    for piece in _CLAUSE_SPLIT.split(text[:MAX_WORKING_CHARS] or ""):
        piece = _clean_clause(piece or "")
        if not piece or not _is_clause(piece):
            continue
        if len(piece.split()) > max_words:
            piece = clause_prefix(piece, max_words, min_words=3)
            if not piece or not _is_clause(piece):
                continue
        out.append(piece)
    return out


_LABEL_WORDS = re.compile(r"\b(?:idiot|stupid|useless|failure|fraud|loser|pathetic|worthless|hate|hates|rubbish|incompetent|"
                          r"lazy|dumb|fault|joke)\b", re.I)


def harsh_evidence(clause: str, strict: bool = True) -> bool:
    """A clause that judges rather than reports: a label, and (``strict``) a superlative, an always or never."""
    if any_self_label(clause):
        return True
    for m in _LABEL_WORDS.finditer(clause):  # "I'm not a failure" is a balanced thought, not a label
        if not re.search(r"(?:\bnot|n't|\bno|\bnever)\s+(?:(?:a|an|so|that|really|actually|at|mean|means|make|makes|me|you|being"
                         r"|i'?m|you'?re|i am|you are|automatically)\s+)*$", clause[:m.start()], re.I):
            return True
    if not strict:
        return False
    for m in _HARSH_EVIDENCE.finditer(clause):
        w = m.group(0).lower()
        if w.endswith("est") and w in _NOT_SUPERLATIVE:
            continue
        return True
    return False


_TOLD_A_FRIEND = re.compile(r"\b(?:i'?d|i would|i'?ll|i will|id)\s+(?:probably\s+|just\s+)?(?:say|tell)\b", re.I)
_FIRST_WORDS = re.compile(r"\b(?:i|me|my|myself|i'm|i've|i'd|i'll|im|ive)\b", re.I)
_THIRD_WORDS = re.compile(r"\b(?:he|she|they|him|her|them|his|their|he's|she's|they're)\b", re.I)


def friend_to_first(text: str) -> list[str]:
    """What they'd tell a friend, said about themselves: "i'd tell them they did their best" -> ["I did my
    best"]; "you're allowed a bad day" -> ["I'm allowed a bad day"]; "go easy on yourself" -> ["I can go
    easy on myself"]; "don't be so hard on yourself" -> ["I don't have to be so hard on myself"]."""
    text = (text or "").replace("\u2019", "'")
    # "she criticised one section, it doesn't mean i'm useless": they speak of themselves, so "she" is someone
    # else and is never turned into "I"
    self_talk = bool(_FIRST_WORDS.search(_TOLD_A_FRIEND.sub(" ", text)))
    out = []
    for i, piece in enumerate(_CLAUSE_SPLIT.split(text[:MAX_WORKING_CHARS])):
        piece = _clean_clause(_FRIEND_FRAME.sub("", _clean_clause(piece or "")))
        piece = re.sub(r"^that\s+(?!')", "", piece, flags=re.I)
        if not piece or (self_talk and _THIRD_WORDS.search(piece)):
            continue
        if re.search(r"\b(?:i|me|my|myself|i'm|i've|i'd|i'll)\b", piece, re.I) and \
                re.search(r"\b(?:you|your|they|them|their|he|him|his|she|her)\b", piece, re.I):
            continue  # both the speaker and the friend in one clause: it can't be turned cleanly
        m = _IMPERATIVE.match(piece)
        if m:
            piece = re.sub(r"^to\s+", "", piece, flags=re.I)
            neg = re.match(r"^(?:don'?t|do not|never)\s+", piece, re.I)
            piece = ("I don't have to " + piece[neg.end():]) if neg else ("I can " + piece[:1].lower() + piece[1:])
        addressed = bool(re.search(r"\byou(?:'re|'ve|'ll|'d|r)?\b", piece, re.I))  # then "them" is other people
        piece = _YOU_SUBJECT.sub(lambda mm: mm.group(1) + "I", piece)
        piece = _YOU_BEFORE_VERB.sub("I", piece)  # "it just means you care" -> "it just means I care"
        for pat, repl in _TO_FIRST_YOU:
            piece = re.sub(pat, repl, piece, flags=re.I)
        if not addressed:
            piece = first_person(piece)
        piece = re.sub(r"\bI (are|were|is|was)\b", lambda mm: "I am" if mm.group(1) in ("are", "is") else "I was", piece)
        piece = re.sub(r"\bI am\b(?=\s+\w)", "I'm", piece)  # "who I am" keeps its verb
        piece = re.sub(r"\b(can|have to|to|don't|do|will|should|might|could|would|must)\s+I\b", r"\1 me", piece)
        if _is_clause(piece) and 3 <= len(piece.split()) <= 14 and not re.match(r"^(?:that'?s|it'?s) (?:fine|ok|okay|good|true|right)\b", piece, re.I):
            out.append(piece)
    return out




def balanced_parts(evidence_for: str, evidence_against: str, friend_advice: str) -> dict[str, str]:
    """The fields a balanced-thought draft is made of, each a clean first-person clause or "":
    ``evidence_against`` one clause (two, joined, when there is no friend's view), ``friend_advice`` one
    clause said about themselves, ``evidence_for`` one short concession only when it reports rather
    than judges ("I did blank", never "I'm the slowest on the team")."""
    told = _TOLD_A_FRIEND.search(evidence_against or "")
    if told:  # "I'd tell a friend one blank moment doesn't cancel a good sprint, they know their stuff"
        evidence_against = evidence_against[:told.start()] + ", " + ", ".join(friend_to_first(evidence_against[told.start():]))
    against = [c for c in clauses_of(evidence_against) if not harsh_evidence(c, strict=False)]
    friend = [c for c in friend_to_first(friend_advice) if not harsh_evidence(c, strict=False)]
    friend = [f for f in friend if not any(_overlap(f, a) for a in against)]
    for_ = [c for c in clauses_of(evidence_for, 8) if not harsh_evidence(c) and len(c.split()) <= 7]
    if friend:
        against_text = against[0] if against else ""
    else:
        against_text = ", and ".join(_lower_start(c) if i else c for i, c in enumerate(against[:2]))
        if len(against_text.split()) > 24:
            against_text = against[0]
    friend.sort(key=lambda f: -len([w for w in words_of(f) if w not in FUNCTION_WORDS]))  # the fullest thought, not "I'm tired"
    return {"evidence_against": against_text, "friend_advice": friend[0] if friend else "",
            "evidence_for": for_[0] if for_ else ""}


def _overlap(a: str, b: str) -> bool:
    wa = {w for w in words_of(a) if w not in FUNCTION_WORDS and len(w) > 2}
    wb = {w for w in words_of(b) if w not in FUNCTION_WORDS and len(w) > 2}
    return bool(wa) and len(wa & wb) >= 0.6 * min(len(wa), len(wb) or 1)


def _lower_start(words: str) -> str:
    return _inline_lower(words)


_TURN = re.compile(r"\b(?:but|though|although|however|yet|then again|to be fair|in fairness|on the other hand)\b", re.I)
_COUNTER = re.compile(
    r"\b(?:(?:that'?s |it'?s |which is )?not (?:true|fair|the whole story|always|all|everyone|everybody)|isn'?t (?:true|fair|always)|"
    r"doesn'?t (?:mean|make me|prove)|don'?t (?:think (?:she|he|they|it) (?:meant|means)|mean)|never (?:said|told|called)|"
    r"great|good|(?:went|did|done|doing|going|is|was|are|were|really|so|pretty) well|fine|nice|kind|proud|brilliant|amazing|positive|happy|helpful|best|glad|"
    r"praised|thanked|bonus|promot\w+|compliment\w*|congratulat\w+|passed|succeeded|managed|coped|helped|liked|loves?|loved|"
    r"appreciat\w+|trusts?|trusted|chose|picked me|asked me to (?:lead|mentor|help|present|cover|train|run)|"
    r"smiled|hugged|laughed with|thanks|invit\w+|visit\w*|reached out|check(?:ed|s)? (?:in|on me)|rang me|called me|"
    r"texted me|supports?|supported|stood up for|(?:nobody|no one) (?:watches|looks|notices|noticed|cares what|judges|pays attention"
    r"|saw|minded|even looked)|headphones)\b", re.I)
_SUPPORT = re.compile(
    r"\b(?:(?:it'?s|that'?s|that is|it is) true|true enough|because|the fact that|proof|weak|critici[sz]\w*|bad|badly|fail\w*|mistakes?|wrong|forget|forgotten|"
    r"(?:nobody|no one)(?! (?:watches|looks|notices|noticed|cares what|judges|pays attention|saw|minded|even looked))|ignored|ignores|shouted|yelled|angry|annoyed|worse|worst|missed|forgot|called (?:me )?out|rejected|"
    r"complain\w*|late|behind|sighed|rolled (?:her|his|their) eyes|laughed at|left out|excluded|embarrass\w*|"
    r"(?:didn'?t|doesn'?t|won'?t|never) (?:reply|answer|invite|call|text|message|listen|look)|again|always|every time)\b", re.I)
_NOT_BEFORE = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bnobody|\bno one|\bhardly)\s+(?:\w+\s+){0,2}$", re.I)
_SELF_NEGATED = ("not ", "isn", "doesn", "don", "never", "didn", "won", "true")


def _side_score(text: str) -> float:
    """Positive: the words tell against a harsh thought; negative: they back it. A negation in front turns a
    cue round ("not great" backs it, "didn't do anything wrong" tells against it)."""
    score = 0.0
    for rx, sign in ((_COUNTER, 1.0), (_SUPPORT, -1.0)):
        for m in rx.finditer(text):
            word = m.group(0).lower()
            flip = not word.startswith(_SELF_NEGATED) and bool(_NOT_BEFORE.search(text[max(0, m.start() - 24):m.start()]))
            score += -sign if flip else sign
    return score


def evidence_side(text: str) -> str | None:
    """Which side of the thought a piece of evidence is on: "for", "against", or None when it can't be told.

    The clause after the last "but" says where the person lands ("she's nice, but she shouted at me": for)."""
    low = " " + (text or "").lower().replace("’", "'") + " "
    if len(words_of(low)) < 4 or "?" in low:
        return None
    turns = list(_TURN.finditer(low))
    if turns:
        tail = _side_score(low[turns[-1].end():])
        if tail:
            return "against" if tail > 0 else "for"
    score = _side_score(low)
    if score >= 1:
        return "against"
    if score <= -1:
        return "for"
    return None


_STRENGTH = (  # a feeling's strength said in words, strongest first; mapped only where the words are clear
    (95, re.compile(r"\b(?:as (?:bad|strong|intense) as (?:it (?:gets|can get|could be)|ever)|the (?:worst|strongest) (?:it'?s|i'?ve|"
                    r"it has) (?:ever )?(?:been|felt|had)|unbearable|off the (?:charts|scale)|through the roof|maxed out|"
                    r"totally overwhelming|completely overwhelming)\b")),
    (80, re.compile(r"\b(?:(?:really|very|super|so|extremely|incredibly|hugely) (?:strong|intense|bad|high|big|overwhelming)|"
                    r"a lot|a huge amount|massive|huge|overwhelming|really really|very very|so so strong)\b")),
    (70, re.compile(r"\b(?:(?:pretty|quite|fairly|rather) (?:strong|intense|bad|high|big)|strong|intense)\b")),
    (50, re.compile(r"\b(?:medium|moderate|middling|in the middle|halfway|half and half|about half|so so)\b")),
    (25, re.compile(r"\b(?:(?:a bit|a little|kind of|kinda|mildly|slightly|not (?:that|very|too|so)) ?(?:strong|intense|bad|much)?|"
                    r"mild|low|weak|slight)\b")),
    (5, re.compile(r"\b(?:barely|hardly|not at all|none|nothing really)\b")),
)
_NEARLY = re.compile(r"\b(?:nearly|almost|close to|just about)\b")


def strength_in_words(text: str, hi: int = 100) -> int | None:
    """A 0-``hi`` strength from words ("a lot, as bad as it gets nearly" -> 90), or None when no clear words."""
    low = (text or "").lower().replace("’", "'")
    for value, rx in _STRENGTH:
        if rx.search(low):
            if value == 95 and _NEARLY.search(low):
                value = 90
            return round(value * hi / 100)
    return None


_LOWER = re.compile(r"\b(?:less|lower|smaller|weaker|down|eased|easier|calmer|quieter|better|not as (?:strong|bad|much|true)|"
                    r"faded|dropped|gone down|softer|lighter)\b")
_HIGHER = re.compile(r"\b(?:more|higher|stronger|worse|bigger|louder|gone up|went up)\b")
_SAME = re.compile(r"\b(?:same|no different|hasn'?t (?:changed|moved)|not (?:changed|moved|really changed)|still (?:there|the same|high)|"
                   r"unchanged)\b")


def rating_change(text: str) -> str | None:
    """A re-rating said as a change instead of a number: "lower" ("way less now"), "same", "higher", or None."""
    low = (text or "").lower().replace("’", "'")
    head = re.split(r"\b(?:but|though|although)\b", low)[0]  # "way less now, but the guilt is still there": less
    for rx, change in ((_LOWER, "lower"), (_HIGHER, "higher"), (_SAME, "same")):
        if rx.search(head):
            return change
    return None
