"""Turn interpretation: what the person did with this turn, read against what was asked.

Every turn is classified before the engine acts on it (DESIGN.md, "Interpret before acting"):
an answer (possibly to several slots at once), partial, decline, don't know, a question back,
a correction, a request (switch approach, slow down, end), a new topic, or unclear. Rules decide
what they can read with certainty; a small classifier over the MiniLM sentence embeddings that
the safety screen already computes (``dialogue/turn_model.py``) settles the rest. The rule layer
alone is a complete interpreter: the model only overrides a weak rule answer when it is sure.
No clinical wording lives here.
"""
from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from attune.dialogue import text as tx
from attune.dialogue.types import KINDS, Kind

Expect = Literal["name", "mood", "rating", "yesno", "feeling", "situation", "thought", "evidence", "action",
                 "topic", "text", "choice", "body", "none"]
Ask = Literal["advice", "human", "repeat", "time", "privacy", "how", "normal", "fault", "why", "permission", "other"]
MODEL_OVERRIDES_BELOW = 0.85  # the turn model may override only rule readings less sure than this
MODEL_MIN_P = 0.5  # ...and only with at least this probability (both chosen on a split of the train file)


class Reading(BaseModel):
    """One turn, understood."""

    kind: Kind
    ask: Ask | None = None  # for a question back
    modality: str | None = None  # for a switch
    slots: dict[str, Any] = Field(default_factory=dict)  # name, mood, mood_words, emotion, intensity, situation, thought, yes
    rest: str = ""  # a correction's new content, or the answer part of a mixed turn
    source: Literal["rules", "model"] = "rules"
    confidence: float = 1.0


def _n(text: str) -> str:
    return " " + re.sub(r"\s+", " ", text.lower().replace("’", "'").replace("‘", "'")).strip() + " "


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts))


_FILL = r"(?:(?:um+|uh+|erm|hmm+|oh|well|so|okay|ok|look|listen|honestly|sorry|actually|just|like|yeah|no|please)[ ,.!]*)*"

END = _rx(
    r"^ ?" + _FILL + r"(?:bye|goodbye|bye bye|byebye|see you|see ya|cya|good night|goodnight|later|take care|ciao|cheers)"
                     r"(?: now| then| for now| for today| attune)?[ .!]*(?:thanks?(?: you)?|thank you)?[ .!]*$",
    r"\bi (?:have|need|gotta|got|must) (?:to )?(?:go|leave|run|head off|get going|hang up)\b(?! (?:to|and|back|through|into|out|with|over|home|in|on|at|for|there|somewhere|tomorrow|later|tonight|after|before|when|every)\b)",
    r"\bi(?:'m| am) (?:going to|gonna) (?:have to )?(?:go|head off|hang up|log off|stop)(?: now| here| soon)? ?[.!]* ?$",
    r"\b(?:can|could|shall|should) we (?:stop|end|finish|wrap up|wrap it up|call it a day|leave it)(?: (?:here|now|there|it here|for (?:today|now|tonight)|the session|this))*\b(?! (?:talking about|thinking|doing|worrying))",
    r"\blet(?:'s| us) (?:end|finish|wrap up|wrap it up|stop|call it a day|leave it)(?: (?:here|now|there|it here|for (?:today|now|tonight)|the session|this))*[ .!?]*$",
    r"\bi (?:want|would like|'d like|wanna) to (?:stop|end|finish|quit|leave)(?: (?:here|now|for (?:today|now)|the session|this|talking))*[ .!?]*$",
    r"\b(?:stop|end|finish) (?:the|this) (?:session|conversation|call|chat)\b",
    r"\bthat(?:'s| is| will be|'ll be) (?:enough|all|it) for (?:today|now|tonight)\b",
    r"^ ?" + _FILL + r"(?:i(?:'m| am) )?(?:done|finished)(?: now| here| for (?:today|now|tonight))?(?: thanks?(?: you)?)?[ .!]*$",
    r"\bi(?:'m| am) (?:done|finished) (?:for (?:today|now|tonight)|talking)\b",
    r"^ ?" + _FILL + r"(?:gotta|got to|have to|need to) (?:go|run)(?: now)?[ .!]*(?:bye|sorry|thanks)?[ .!]*$",
    r"\b(?:hang|hanging) up now\b|\bi(?:'ll| will) (?:talk to you|speak to you|come back) (?:later|another time|tomorrow)\b",
    r"\bi (?:need|have|want) to stop (?:now|here|there|for (?:today|now))\b|\bi(?:'ll| will) stop (?:here|there|now)\b",
    r"\b(?:i'?ve )?had enough for (?:today|now|tonight)\b|^ ?" + _FILL + r"(?:that'?s )?enough(?: for (?:today|now|tonight))?[ ,.!]*(?:thanks?(?: you)?)?[ ,.!]*(?:bye)?[ .!]*$",
    r"\b(?:gonna|going to|got to|gotta|have to|need to|i'?ll) (?:head off|head out|log off|jump off|get off|sign off|shoot off)\b",
    r"\bthat'?s (?:all|it|everything) (?:i'?ve got|i have|from me)(?: for)?(?: today| now| tonight)?\b|^ ?" + _FILL + r"(?:cool|alright|right|ok|okay)?[ ,.]*that'?s it[ ,.!]*(?:i'?m done|see ya|bye|thanks)",
    r"\b(?:bye|goodbye|see ya|see you|cheers)(?: for now| then| now)?[ .!]*$|\btalk (?:to you )?(?:next time|later|soon|tomorrow)\b|\bcatch you later\b",
    r"^ ?" + _FILL + r"(?:i'?m |i am )?(?:done|finished)[ ,.!]+(?:that'?s all|bye|thanks|for today)",
)

SLOW = _rx(
    r"\bslow(?:er)? down\b|\b(?:go|talk|speak) (?:a bit |a little )?(?:slower|more slowly)\b|\bslower please\b",
    r"\btoo (?:fast|quick|quickly|much at once)\b|\b(?:that's|it's|this is) (?:a lot|too much)(?: (?:at once|to take in|right now))?[ ,.!]*(?:can we|could we|please|slow|wait|$)",
    r"^ ?" + _FILL + r"(?:wait|hold on|hang on|one (?:sec|second|moment|minute)|give me (?:a |one )?(?:sec|second|moment|minute|min)|just a (?:sec|second|moment|minute))\b",
    r"\b(?:give me|i need) (?:a |one )?(?:sec|second|moment|minute|min)(?: to think)?\b|\blet me think\b|\bcan we (?:take|go) (?:it|this|things) (?:slow|slower|more slowly|easy)\b",
)

_YOU_Q = r"(?:you|ya|u)"
QUESTION_ADVICE = _rx(
    r"\bwhat (?:would|should|do|could|can|d) (?:you|u|ya) (?:do|suggest|recommend|advise|say i should)\b",
    r"\bwhat (?:should|do|can|could) i (?:do|say)\b(?! (?:when|if|about (?:it|this|that) when))(?:[^.]{0,40})\?",
    r"\bwhat (?:should|do|can|could) i (?:do|say)(?: now| about (?:it|this|that|him|her|them)| then)? ?\??[ .!]*$",
    r"\b(?:in my (?:place|shoes|position)|if you were me)\b",
    r"\b(?:any|got any|give me (?:some|any)?) ?(?:advice|tips|suggestions)\b",
    r"\b(?:tell me|just tell me) what (?:to do|i should do)\b|\bwhat do you (?:think|reckon) i should\b",
    r"\bshould i (?:leave|quit|stay|break up|divorce|tell|confront|call|text|go|move|forgive|report|just)\b[^.]*\?",
    r"\bdo you think i should\b|\bis it (?:wrong|bad|okay|ok|normal) (?:to|that|if) i\b[^.]*\?|\bwhat do you think\b[^.]*\?",
    r"\b(?:should i|shall i|do i|would it be better (?:to|if i))\b (?!be (?:over|able)|have (?:known|done|said))[^.]{0,60}\b(?:or not|though|or)\b|^ ?" + _FILL + r"(?:so )?(?:should|shall) i\b",
    r"\bwhat (?:would|should|do|did) (?:you|u) (?:tell|say|think)\b|\bwhat do (?:people|others|most people) (?:usually |normally )?(?:do|say)\b|\bwhat'?s the best (?:thing|way) to\b",
    r"\bwhat (?:should|can|could) i (?:actually |really |even )?do (?:about (?:it|this|that)|to (?:feel|get|make))\b|\bis there anything i (?:can|could) do\b",
)
QUESTION_HUMAN = _rx(
    r"\bare (?:you|u) (?:a |an |even |actually |really )*(?:real|human|person|bot|robot|ai|a i|machine|computer|program|chat ?bot|recording|alive|automated|therapist|real person)\b",
    r"\bam i (?:talking|speaking|chatting) (?:to|with) (?:a |an )?(?:real |actual )?(?:human|person|bot|robot|ai|a i|machine|computer|therapist|program|chatbot|someone|recording)\b",
    r"\bis (?:this|that|it) (?:a |an |the )?(?:bot|robot|ai|a i|machine|real person|human|recording|automated|computer|chatbot|program)\b",
    r"^ ?" + _FILL + r"(?:(?:hey+|hi+|hello+|yo)\W+)*(?:who'?s|who is) this\b(?! (?:for|about|from|meant))",
    r"\b(?:who|what) (?:am i|are you) (?:talking|speaking) (?:to|with)\b|\bwhat are you exactly\b|\bwhat exactly are you\b|^ ?what are you ?\?? ?$",
    r"\byou'?re (?:not|just) (?:a )?(?:real|human|person|bot|robot|ai|machine|computer|program)\b|\byou'?re not (?:a )?real (?:therapist|person|human)\b",
    r"\bis there (?:a |an )?(?:real |actual )?(?:human|person|someone real|therapist) (?:i can|i could|behind|there|on)\b|\bare (?:you|u) (?:like )?(?:chat ?gpt|siri|alexa|a computer|an app)\b",
    r"\bdo (?:you|u) (?:even |actually |ever )?(?:get|feel) (?:nervous|anxious|sad|scared|lonely|tired|stressed|emotions"
    r"|feelings|happy|angry)\b|\bdo (?:you|u) (?:even |actually )?have (?:feelings|a body|a name|emotions)\b|\bis (?:someone|anyone|somebody) (?:actually |really )?(?:listening|there|reading|on the other end)\b",
)
QUESTION_REPEAT = _rx(
    r"\b(?:can|could|would) (?:you|u) (?:please )?(?:repeat|say (?:that|it|this) (?:again|once more)|ask (?:that|it|me) again|rephrase)\b",
    r"\b(?:say|ask) (?:that|it) again\b|\bcome again\b|\bpardon\b|\bwhat was (?:the|that|your) question\b",
    r"\bwhat did (?:you|u) (?:say|ask|just say)\b|\bi didn'?t (?:catch|hear|get) (?:that|it|what you said|the question)\b|\bsorry,? what\b\??|^ ?" + _FILL + r"what\? ?$|\brepeat (?:that|the question|please)\b",
    r"\bwhat do you mean\b|\bi don'?t (?:understand|get) (?:the|your|that|what you)(?: question| mean| said)?\b",
    r"^ ?" + _FILL + r"(?:huh|eh(?= ?(?:\?|$| what| sorry| come again| say that))|what was that|sorry,? (?:i|you) (?:missed|cut out|broke up)(?: that)?)\b|\byou cut out\b|\b(?:say|ask|repeat) the question again\b",
    r"^ ?" + _FILL + r"(?:sorry,? )?\w+ what ?\? ?$|\bwhat (?:scale|number|was the scale) (?:was that|again)\b",
)
QUESTION_PRIVACY = _rx(
    r"\bare (?:you|u) (?:recording|saving|storing|keeping|logging|taping|writing (?:this|it|that) down)\b",
    r"\b(?:is|are|will) (?:this|it|these|that|our (?:talks?|chats?|conversations?|sessions?)|my (?:words|data|answers|stuff))"
    r"(?: (?:being|going to be|gonna be|be))? (?:recorded|saved|stored|private|confidential|shared|kept|anonymous|listened to)\b",
    r"\bwho (?:else )?(?:can|could|will|gets to|is going to) (?:see|read|hear|listen to|access)\b|\bwho (?:else )?(?:sees|reads|hears|gets)"
    r" (?:this|these|it|that|what i (?:say|write|type))\b|\bcan (?:my )?(?:work|boss|employer|company|manager|parents|mum|mom|dad"
    r"|partner|husband|wife|school|uni|insurance|doctor|gp) (?:see|read|find out|access)\b|\bdo (?:you|u) (?:record|save|store|keep|share|sell)\b",
    r"\bwhere (?:does|do|will) (?:this|it|my \w+|what i say) (?:go|end up|get stored)\b|\b(?:what|how) do (?:you|u) do with (?:this|it|my)\b",
    r"\bwith my (?:data|information|details|recordings?|voice)\b|\bwhat happens to (?:my (?:data|information|details)|what i say)\b",
    # round 13: "is this going to get sent to someone? will someone ring me?", "is this going on some record?"
    r"\b(?:is|will) (?:this|it|that) (?:going to |gonna )?(?:get |be )?(?:sent|passed on|reported|forwarded) (?:to|on)\b"
    r"|\bwill (?:someone|anyone|somebody|they|the police|you) (?:ring|call|phone|contact|come for|come round to|visit) me\b"
    r"|\bcall (?:the )?(?:cops|police|ambulance) on me\b|\b(?:will|are|is|gonna|going to) (?:you |someone |anyone |somebody )?"
    r"(?:going to |gonna )?(?:call|ring|tell|report (?:me|this|it) to|send) (?:the )?(?:cops|police)\b|\b(?:will|are) you (?:going to |gonna )?"
    r"report (?:me|this)\b|\b(?:section|sectioned|committed|locked up|put away)\b(?=[^.]{0,20}\?)"
    r"|\b(?:going|go) on (?:a|some|my|any) (?:record|file)\b|\bon (?:my|a) (?:record|file)\b"
    r"|\b(?:my )?(?:parents|mum|mom|dad|family|boss|work|school|uni|doctor|gp) (?:won'?t|will not|wouldn'?t|can'?t) (?:see|find out|know|hear)\b",
    # round 16: "will you remember this next time? or is it gone when i hang up?"
    r"\b(?:will|do|would) (?:you|u) remember (?:this|me|that|what i (?:said|say|told you)|any of this)\b"
    r"|\bis (?:it|this|that) (?:all )?(?:gone|deleted|wiped) (?:when|after|once) i (?:hang up|leave|close|go)\b",
)
QUESTION_TIME = _rx(
    r"\bhow (?:long|much (?:time|longer)|many (?:minutes|more minutes|more questions))\b(?: (?:do we|have we|is|are|will|does|left|until|till|more|is this|'s))",
    r"\b(?:time|minutes) (?:left|remaining)\b|\bhow (?:long|much time)(?:'s| is|s) (?:left|remaining)\b|\bhow long (?:is|does) (?:this|the session|it) (?:take|last|go on)\b|\bare we (?:almost|nearly) (?:done|finished|there)\b",
    r"\bwhen (?:does|will) (?:this|the session|it) (?:end|finish)\b",
    r"\bdo we (?:have|still have) (?:time|enough time)\b|\bwhat time is it\b|\bare we (?:over|out of time|done yet)\b|\bwe'?ve got (?:like |about )?\w+ minutes\b",
)
QUESTION_NORMAL = _rx(  # "is this normal?": asked for reassurance that it is human, not for a verdict
    r"\bis (?:this|that|it|what i'?m (?:feeling|doing)|this feeling|feeling (?:like )?this) (?:even )?(?:normal|common|usual|a normal thing)\b",
    r"\bam i (?:normal|weird|the only one|abnormal)\b|\bare we (?:just )?(?:broken|normal|weird|abnormal)\b",
    # round 13: "is that crazy? am i overreacting?", "is it weird that i feel this way?", "am i being dramatic?"
    r"\bam i (?:just )?(?:being )?(?:overreacting|over reacting|dramatic|too sensitive|oversensitive|crazy|mad|silly|stupid|petty"
    r"|unreasonable)\b|\bis (?:it|that|this) (?:weird|crazy|mad|silly|stupid|strange|odd|petty)(?: that| to| of me|\W*$)",
    # round 16: "do you reckon it's silly at my age, though?"
    r"\b(?:do you (?:reckon|think)|would you say) (?:it'?s|it is|that'?s|that is|i'?m|i am) (?:a bit |too |really |just )?(?:silly"
    r"|stupid|weird|daft|mad|crazy|pathetic|needy|normal|too old|dramatic)\b",
    # round 17: "sad. and angry with him a bit, for going first. isn't that awful", "is that terrible of me?"
    r"\b(?:isn'?t|is not|is) (?:that|it|this) (?:awful|terrible|horrible|bad|wrong|evil|shameful|disgusting|messed up|twisted)"
    r"(?: of me| to (?:say|feel|think))?(?:\W*$|\?)",
    # round 15: "is that needy? be honest", "is it selfish of me?"
    r"\bis (?:it|that|this) (?:a bit |too |really |so )?(?:needy|clingy|selfish|pathetic|childish|over the top|irrational|too much"
    r"|bad of me|wrong of me)\b",
    r"\bdo (?:other|most|a lot of|lots of) (?:people|couples|parents|mums|moms|dads|men|women|guys|students|teachers) (?:do|feel|go through|have|get)"
    r" (?:this|that|the same)\b|\bdoes (?:everyone|anyone else|everybody) (?:do|feel|go through|get) (?:this|that)\b",
)
QUESTION_FAULT = _rx(  # "is it my fault?": guilt asked aloud, met with care, never with a verdict
    r"\b(?:is|was) (?:it|this|that|all this|any of this) (?:all |really )?my fault\b|\bam i to blame\b|\bdid i (?:cause|do) (?:this|it|that)\b",
    r"\bcould i have (?:stopped|prevented|done something about) (?:it|this|that)\b|\bis it because of me\b",
)
QUESTION_HOW = _rx(  # how the session itself works
    r"\bhow (?:does|do|will|is) (?:this|it|the session|this session|this whole thing|this thing|attune) (?:work|go|going to work)\b",
    r"\bwhat (?:happens|do we do|are we doing|is this|will we do) (?:now|here|next|in this|today)?\b ?\?? ?$|\bwhat do i (?:do|say)"
    r" (?:now|here|first)\b|\bhow do we (?:do|start) this\b|\bwhat(?:'s| is) the (?:process|plan|format)\b",
)
QUESTION_WHY = _rx(  # "why are you asking me that?": the reason for the step's question, and that it can be skipped
    r"^ ?" + _FILL + r"(?:sorry,? )?why (?:are|do|did|would) (?:you|u) (?:ask|asking|need|want|wanna) (?:me )?(?:that|this|to know|about"
    r" (?:that|this|it))\b",
    r"\bwhat(?:'s| has| does) (?:that|this|it) (?:got )?(?:to do with|matter to)\b|\bwhy does (?:that|this|it) matter\b",
)
QUESTION_PERMISSION = _rx(  # "can i keep my eyes open?" in an exercise: yes, whatever is comfortable
    r"\b(?:can|could|may) i (?:keep|leave|have) my eyes (?:open|shut|closed)\b|\bdo i (?:have|need) to (?:close|shut|keep) my eyes\b",
    r"\b(?:ok|okay|alright|all right|fine) (?:if|to) (?:i )?(?:keep my eyes|open my eyes|stand(?: up)?|sit(?: down| up)?|lie down"
    r"|walk around|move around|do it (?:standing|sitting|lying))\b",
    r"\b(?:can|could|may) i (?:stand(?: up)?|sit(?: down| up)?|lie down|walk around|move around|do it (?:standing|sitting|lying))\b[^.]*\?",
)
QUESTION_THERAPIST = _rx(r"\bwhat would (?:a|an|my|your|the|any) (?:real |actual |proper )?(?:therapist|counsell?or|psychologist"
                         r"|shrink|professional|expert) (?:actually |really )?(?:say|tell me|do|think)\b")
_WH = r"(?:what|why|how|who|where|when|which|is|are|do|does|did|can|could|would|will|should|have|has)"
QUESTION_OTHER = _rx(
    r"^ ?" + _FILL + r"why (?:do|are|did|would) (?:you|u) (?:ask|want|need|say)\b",
    r"\bwhat (?:does|is|'s|do) (?:that|this|it|\w+ \w+|\w+) (?:mean|called)\b|\bwhat (?:is|'s) (?:a |an )?(?:thinking trap|distortion|mind reading|catastroph\w+|cbt|gestalt|efit|sfbt|miracle question)\b",
    r"\b(?:do|can|could|would|will|have|did) (?:you|u) (?:ever |even |actually |really )*(?:feel|understand|remember|know|care|think|have|like|get|judge|store|save|share|record|tell)\b[^.]*\?",
    r"\bhow (?:does|do) (?:this|that|it|you) work\b|\bwhy (?:does|is) (?:this|that|it) (?:matter|important|work|help)\b",
    r"\bis (?:zero|0|ten|10|one|a hundred|100) (?:the )?(?:worst|best|highest|lowest|good|bad)\b|\bout of what\b|\bwhat'?s the difference between\b|\bwhat kind of (?:\w+ )?do you mean\b",
    r"\bis (?:it|this) (?:normal|common|weird|bad|okay|ok) (?:to|that|for)\b|\bwhat (?:kind|sort) of (?:things|stuff) do (?:people|others)\b|\bis (?:someone|anyone|somebody) (?:actually |really )?(?:listening|reading|there)\b",
    r"^ ?" + _FILL + r"what'?s (?:a |an )?(?:[a-z]+ ){0,3}(?:thinking|reading|telling|trap|distortion|filter|reasoning|statement|labell?ing)\W*\??$|\bdoes what fit\b",
    r"\bdoes it have to be\b|\bis (?:that|this|it) the same (?:as|thing)\b|\bis (?:\w+ ){0,2}(?:bad|normal|a lot|high|low)\?|\bwhy does (?:it|that|this) matter\b",
    r"\bwhat (?:can|do) you (?:actually |even )?(?:help with|do)\b|\bdo i have to (?:give|say|tell|answer|use)\b",
)

CORRECTION = _rx(
    r"^ ?" + _FILL + r"(?:no|nope|nah|not quite|not exactly|that's not right|wait)(?:[ ,.!]+(?:wait|hang on|hold on|sorry))?[ ,.!]+(?:that'?s not (?:what i (?:meant|said|mean)|right|it|quite it|true)|i (?:didn'?t|did not) (?:say|mean)|i (?:meant|said|mean)|it was(?:n'?t)?|it'?s not|not (?:my|the|that|him|her|what)|you (?:misunderstood|misheard|got (?:that|it) wrong|mixed)|actually|i was(?:n'?t)?|what i (?:meant|said))",
    r"\bthat'?s not (?:what i (?:meant|said|mean)|quite what i (?:meant|said))\b|\byou (?:misunderstood|misheard|got (?:that|it|me) wrong|got the wrong)\b",
    r"^ ?" + _FILL + r"(?:i meant|what i meant was|i mean,? i said|sorry,? i meant|correction)\b",
    r"\bthat'?s wrong\b|\bno,? i said\b|\bi never said\b|\bi said [^,.]{1,30},? not\b|\byou(?:'ve)? (?:got it|have it) backwards\b|\byou heard (?:me|that) wrong\b|\bthat'?s not right\b",
    r"^ ?" + _FILL + r"(?:no[ ,]+)*not (?:\w+|a \w+|the \w+), (?:more like|i said|it was|it'?s|just|rather)\b|^ ?" + _FILL + r"(?:no[ ,]+)+not \w+,? (?:i said )?(?:a |an )?\w+\W*$",
    r"^ ?" + _FILL + r"(?:no[ ,]+)+(?:a |an |the )?\w+(?: \w+)?,? not (?:a |an |the )?\w+(?: \w+)?\W*$",  # "no, thursday, not tuesday"
    r"^ ?" + _FILL + r"(?:no[ ,]+)+(?:he|she|they|it|we) (?:didn'?t|wasn'?t|weren'?t|don'?t|doesn'?t)\b(?! (?:want|wanna|feel like))[^.]*\b(?:just|only)\b|^ ?" + _FILL + r"(?:it'?s|it was|i said|i meant) [^,]{1,30}, not [^,]{1,30}[ .!]*$",
)

STRONG_CORRECTION = re.compile(r"\bthat'?s not what i (?:meant|said|mean)\b|\byou (?:misunderstood|misheard|got (?:that|it|me) wrong)\b|\bi said\b|\bi meant\b")
DECLINE = _rx(
    r"\b(?:i'?d|i would) (?:rather|prefer) not\b|\b(?:can|could) we (?:skip|not do|pass on|leave)\b(?! (?:the |it )?(?:here|now|for today))",
    r"^ ?" + _FILL + r"(?:pass|skip|skip it|skip that|skip this|next|next one|next question|no comment|no thanks|no thank you|nah i'?m good|i'?m good thanks)[ .!]*$",
    r"\b(?:let'?s|please|i'?ll|i will|i want to|can i) skip\b|\bskip (?:this|that|it|the \w+)(?: one| part| bit| exercise)?\b|\bpass on (?:this|that|it)\b",
    r"\bi (?:do not|don'?t|dont|really don'?t) (?:want|wanna|feel like|need) (?:to )?(?:do|try|talk about|answer|say|go into|get into|go there|share|do any|breathe|breath|think about)\b",
    r"\b(?:not|never) (?:doing|gonna do|going to do|into) (?:that|this|breathing|any|the)\b|\bi (?:won'?t|will not|refuse to) (?:do|try|answer|say)\b",
    r"\b(?:no|not) (?:more )?(?:breathing|exercises?|grounding|meditation)(?: stuff| thing| things| exercises?)?(?:,? please| for me| thanks)?\b|\bbreathing (?:stuff |exercises? )?(?:doesn'?t|don'?t|never) (?:work|help)\b",
    r"\bi (?:do not|don'?t|really don'?t) (?:want|wanna|like) to (?:close|shut) (?:my|the) eyes\b|\bnot (?:closing|shutting) (?:my|the) eyes\b",
    r"\b(?:hate|can'?t stand|not a fan of) (?:breathing|these|those|this|that) ?(?:exercises?|stuff|things)?\b|\bnot comfortable (?:with|doing|answering|sharing|talking|saying)\b|\bthat'?s private\b|\bnone of your business\b",
    r"\bi (?:do not|don'?t|really don'?t) (?:want|wanna) to (?:go (?:back )?(?:into|there|over)|relive|argue|promise|commit|get into|dig|name|look at|think about|say)\b",
    r"\bi'?m not (?:going to|gonna|ready to|up for|willing to) (?:say|commit|name|do|go|talk|share|answer|promise|try)\b|\bi'?m not (?:saying|doing|sharing|answering|naming|trying) (?:that|this|it|any)\b|\bnot going there\b|\bi'?d rather (?:keep|not|leave|skip)\b",
    r"^ ?" + _FILL + r"no[ ,.!]+(?:no )?(?:not (?:today|now|that|this|really into)|no (?:steps|thanks|way)|i (?:can'?t|won'?t|don'?t want))\b|\bleave (?:it|that) (?:for now|there|alone)\b",
)
DONT_KNOW_LEAD = re.compile(r"^ ?" + _FILL + r"(?:i )?(?:really |honestly |just )?(?:don'?t know|do not know|dunno|no idea|not sure|i'?m not (?:really |so )?sure|can'?t (?:really )?(?:think of|remember|tell|say|put my finger)|have no idea|no clue|nothing comes to mind|i don'?t remember|i can'?t remember)\b")
DONT_KNOW = _rx(
    r"^ ?" + _FILL + r"(?:i )?(?:really |just |honestly )?(?:do not|don'?t|dont|dunno|do ?n'?t) (?:really |even )?know(?: really| honestly| to be honest| what to say| tbh| man)?[ .!?]*$",
    r"^ ?" + _FILL + r"(?:no idea|not sure|i'?m not (?:really |so |too )?sure|dunno|no clue|beats me|hard to say|who knows|i can'?t (?:think|say)|can'?t think of (?:anything|any)|nothing comes to mind|not really sure|i have no idea|i'?m blanking|my mind'?s blank|i can'?t remember)(?: really| honestly| to be honest| tbh| right now| sorry)?[ .!?]*$",
    r"^ ?" + _FILL + r"(?:i )?(?:don'?t|do not) know,? (?:honestly|really|sorry|i guess|man)[ .!]*$",
)

_MODALITY_WORDS: dict[str, str] = {
    "cbt": r"c ?b ?t|cognitive|thought (?:work|record|stuff|thing|exercise)s?|(?:the )?thoughts? (?:thing|stuff|one|part|bit|side|exercise|work)|thinking (?:stuff|thing|side|part|bit|traps?|work|patterns?)|(?:my|the|negative) thoughts|challeng\w* (?:my|the) thoughts?|(?:look|work)(?:ing)? (?:at|on) (?:my |the )?thoughts?",
    "gestalt": r"gestalt|here and now(?: stuff| thing| one)?|(?:the )?body (?:feelings? )?(?:thing|stuff|awareness|work|exercise|scan|one)|(?:what|how) i feel in my body|(?:in|with|on|through) (?:my|the) body|body[- ]based|body[- ]focused|feelings? in my body|sensations?",
    "express": r"vent(?:ing)?|let (?:it|off) (?:out|steam)|(?:blow|let) off (?:some )?steam|rant(?:ing)?|unload|get (?:it|this) off my chest|rant|just (?:talk|be heard)|(?:quick|express) support|just listen",
    "efit": r"efit|emotion[- ]focused|emotions in relationships|(?:the )?one about (?:my |the )?(?:relationships?|partners?|attachment|marriage)|attachment|(?:my|the) (?:relationship|marriage|partner|boyfriend|girlfriend|husband|wife|ex|family)(?: stuff| thing| issues?| work)?|relationship (?:work|stuff|thing|one)",
    "sfbt": r"sfbt|solution[- ]focused|practical steps?(?: thing| stuff| one)?|(?:the )?one about (?:being )?stuck(?: at work)?|(?:the )?solutions? (?:thing|stuff|one|work)|small steps?(?: stuff| thing)?|(?:my )?burn ?out|miracle question|(?:the )?next steps? (?:thing|stuff)|(?:my )?procrastinat\w*|(?:my )?career|something practical|practical (?:side|part|bit|one|stuff|thing)",
}
_SWITCH_VERB = (r"(?:(?:can|could) we (?:kind of |sort of |maybe |just |please )?(?:pick|unpick|untangle|get into|look at)|switch|change|instead|try|rather|let'?s do|lets do|can we (?:do|try|go|switch|talk|focus|work|move|look|dig)|could we (?:do|try|go|talk|focus|work|move|look|dig)|"
                r"i (?:want|wanna|would like|'d like) to (?:do|try|talk|focus|work|go back|vent)|(?:want|wanna|need) to (?:sort|sort out|figure out|look at|understand)|like look at|i (?:would|'d) (?:like|prefer|rather have) something|(?:can|could) we (?:just )?do something|i (?:want|need|wanna) something|prefer|go (?:back )?(?:to|with)|do the|back to|again|"
                r"can i (?:just )?(?:vent|rant|talk|unload)|i (?:just )?(?:want to|need to|wanna|have to) (?:vent|rant|let off|blow off|unload|talk about)|focus on|work on|talk about|let me (?:just )?(?:vent|rant|unload))")
SWITCH_VERB = re.compile(r"\b" + _SWITCH_VERB + r"\b")
_MODALITY_RX = {m: re.compile(r"\b(?:" + p + r")\b") for m, p in _MODALITY_WORDS.items()}

_TIME_PHRASE = re.compile(
    r"\b(?:yesterday|today|tonight|last (?:night|week|weekend|month|year|time|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|this (?:morning|afternoon|evening|week|weekend)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
    r"|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: morning| afternoon| evening| night)?"
    r"|(?:a|two|three|few|couple of) (?:days|weeks|hours) ago|the other (?:day|night)|earlier(?: today)?|every (?:morning|night|day|time)"
    r"|at (?:work|home|school|uni|college|the office|dinner|lunch|breakfast|night|the party|church|the gym)"
    r"|in (?:the|a|my|our) (?:meeting|office|car|kitchen|bedroom|class|lecture|interview|shop|store|team meeting|standup|call|bed|bathroom)"
    r"|when (?:i|my|we|he|she|they|the))\b")
BODY_PART = re.compile(
    r"\b(?:my |the |in my |in the )?(jaw|chest|stomach|tummy|belly|gut|throat|neck|shoulders?|back|head|forehead|temples?|face|eyes|"
    r"hands?|arms?|legs?|feet|knees|heart|ribs|breastbone|sternum|lungs|hips?|whole body|teeth|mouth|fists?|solar plexus|"
    r"pit of my stomach|middle of my \w+|centre of my \w+|center of my \w+)\b"
    r"|\b(?:right |just )?(?:in )?the (middle|centre|center)\b")
_THOUGHT_INTRO = re.compile(
    r"\b(?:i (?:just |kept |keep |was |still |then |kind of |sort of |literally )*(?:thought|think|thinking|told myself|tell myself|telling myself)|my (?:mind|head|brain) (?:said|says|went|was going|was like)"
    r"|all i could think (?:was|of)|the thought (?:was|is|i had|i get|i keep having)|my thought (?:was|is)|i was like|i felt like"
    r"|i went(?=\s*[,:\"']|\s+(?:like|oh|ugh|great|here we go|typical|of course)\b))"
    r"\b[ ,:]*(?:that )?(.+)$", re.I)
_RATING_WORDS = re.compile(
    r"\b(really|very|super|so|pretty|quite|extremely|insanely|kind of|a bit|a little|fairly|not that|not very|mildly)?\s*"
    r"(strong|intense|bad|high|huge|massive|overwhelming|mild|weak|low|light|small|big|minor)\b")
_MOOD_WORDS = re.compile(
    r"\b(?:(?:pretty|really|very|quite|so|kind of|kinda|a bit|a little|fairly|not|not too|not so|super|totally|bit)\s+)*"
    r"(low|down|bad|awful|terrible|horrible|rough|crap|crappy|shit|shitty|rubbish|meh|so so|okay|ok|alright|all right|fine|good|great|"
    r"decent|fantastic|amazing|wonderful|excellent|miserable|depressed|flat|grim|dire|rock bottom|the worst|not great|not good|not bad|"
    r"average|middling|mediocre|up and down|blah|lousy|sad|happy|tired|exhausted|anxious|stressed|numb)\b")
# A mood in words is mapped to a number only where the word is clear on its own.
_MOOD_NUMBER = {"rock bottom": 1, "the worst": 1, "awful": 2, "terrible": 2, "horrible": 2, "miserable": 2,
                "fantastic": 9, "amazing": 9, "wonderful": 9, "excellent": 9}
REPORTED = re.compile(r"\b(?:would|might|could|it'?d|it|he|she|they|mum|mom|dad|boss)\s+(?:say|said|says|tell|tells|told|go|goes)\b|\bsaying\b")
NEW_TOPIC = _rx(
    r"\b(?:can|could|may) (?:i|we) (?:talk about|bring up|switch to|change to|mention) (?:something|someone|a different|another)\b",
    r"\b(?:the )?(?:bigger|real|actual|main) (?:thing|problem|issue) is\b|\bforget (?:that|this|it)[ ,]|\bdifferent (?:thing|topic|subject)\b",
    r"\bsomething else (?:is|has been) (?:bugging|bothering|getting to|on my mind)\b|\bthere'?s something else\b|\bcan i (?:talk about|bring up) (?:my|something|someone)\b",
    r"\b(?:actually|honestly)[ ,]+(?:i (?:want|need) to talk about|the thing that'?s really|what'?s really (?:bothering|getting to|bugging))\b|\bthis is (?:gonna|going to) sound random\b",
    r"\bsomething happened (?:this morning|today|earlier|last night) (?:that )?i (?:need|want) to talk about\b|\b(?:instead|rather),? (?:can i|i want to) talk about\b",
)
_QMARK_START = re.compile(r"^ ?" + _FILL + _WH + r" (?:you|u|i|we|this|that|it|there)\b")
_CONTENT = re.compile(r"[a-z]{3,}")
_FILLER_ONLY = re.compile(r"^ ?(?:(?:um+|uh+|erm+|hmm+|mm+|ah+|oh|well|so|like|yeah|yes|no|ok|okay|right|the|a|and|but|i|hm)[ ,.!?]*)+$")
_YES_ONLY = re.compile(r"^ ?" + _FILL + r"(?:yes|yeah|yep|yup|ya|sure|okay|ok|alright|all right|right|mhm|mm hm|uh huh|definitely|absolutely|of course|i guess|i think so|sounds good|fine)[ .!]*$")


def _kind_of_question(n: str) -> Ask | None:
    if QUESTION_PRIVACY.search(n):
        return "privacy"
    if QUESTION_HUMAN.search(n):
        return "human"
    if QUESTION_TIME.search(n):
        return "time"
    if QUESTION_REPEAT.search(n):
        return "repeat"
    if QUESTION_PERMISSION.search(n):
        return "permission"
    if QUESTION_ADVICE.search(n) or QUESTION_THERAPIST.search(n):
        return "advice"
    if QUESTION_WHY.search(n):
        return "why"
    if QUESTION_FAULT.search(n):
        return "fault"
    if QUESTION_NORMAL.search(n):
        return "normal"
    if QUESTION_HOW.search(n):
        return "how"
    if QUESTION_OTHER.search(n):
        return "other"
    return None


# "can we just talk? i don't want to do a whole worksheet thing": no structure, just to be heard (express support).
_JUST_TALK = re.compile(
    r"\b(?:can|could) (?:we|i) just (?:talk|chat|vent|rant|get (?:it|this) out|let (?:it|this) out)\b"
    r"|\bi (?:just )?(?:want|wanna|need|would like|'d like) to (?:just )?(?:talk|chat|get (?:it|this|stuff) out|let (?:it|this) out)"
    r"(?: (?:about it|for a (?:bit|minute|while)|to someone))? ?(?:,|and|rather|instead|not|without|please|really|i think|for now|$)"
    # "just talk i think", "honestly just talking would be good": the whole answer is the wish to talk
    r"|^\W*(?:(?:um+|uh+|honestly|maybe|i think|yeah|yes|no|nah|well|so|i'?d rather|rather|i'?d prefer to|prefer to)\W+)*just "
    r"(?:talk|talking|chat|chatting|vent|venting)(?: (?:it (?:through|out)|about it|to you|to someone|for (?:now|a bit|a while)))?"
    r"(?:\W+(?:would (?:be (?:good|nice|enough|fine|great)|help)|is (?:fine|good|enough)|i think|i guess|please|really|maybe|for now"
    r"|if that'?s (?:ok|okay|alright)|thanks))*\W*$"
    r"|\b(?:don'?t|do not|dont) (?:want|wanna|feel like) (?:to do |doing )?(?:a |the |any |this |another )?(?:whole )?"
    r"(?:worksheet|exercises?|thought records?|structured? (?:thing|stuff)|homework|steps? thing)\b"
    r"|\bno more (?:worksheets?|exercises?|steps|homework)\b"
    r"|\b(?:stop|enough) (?:with )?(?:the |all the |this )?analys\w+|\bget (?:it|this|things|stuff) off my chest\b")


def without_talk_request(text: str) -> str:
    """The turn less its "can we just talk" (for when they are in express support already)."""
    rest = re.sub(r"\s{2,}", " ", _JUST_TALK.sub(" ", _n(text))).strip(" ,.?!")
    return rest if re.search(r"[a-z]{2,}", rest) else ""


_PUT_RIGHT = re.compile(r"\b(?:no wait|wait no|actually|i mean|make that|more like|or rather|less than that|more than that"
                        r"|scratch that|no sorry|sorry no|if i'?m honest|to be honest|let'?s say|call it)\b|[.,;!]\s*no\b(?=,? (?:a |an |like |maybe |more )?\w+)")
def _put_right(n: str, hi: int) -> int | None:
    """The number said after they put themselves right ("a three. no, a four"), or None."""
    fixed = _PUT_RIGHT.search(n)
    return tx.parse_number(n[fixed.end():], 0, hi) if fixed else None


_APPROACH_NAMED = re.compile(r"\bthe (?:thinking|thought|thoughts|body|practical) (?:side|part|bit|one|stuff|thing|approach|work"
                             r"|exercise)s?\b|\b(?:want|need|wanna|like) something practical\b")
_UNWANTED_NAMED = re.compile(r"\b(?:not|don'?t|no|never|without|hate|skip|rather not)\b")
_NAMED_LEAD = re.compile(r"^\W*(?:(?:yeah|yes|sure|ok|okay|um+|uh+|so|just|maybe|honestly|well|oh|erm)\W+)*(?:the|that) (?:\w+ ){1,2}"
                         r"(?:thing|stuff|one|approach|way)\b")


# a name said as unwanted: the words just before it refuse it ("i don't really want to pick apart my thoughts")
REFUSED_BEFORE = re.compile(r"(?:n't|\b(?:dont|cant|wont|not|never|no more|rather than|instead of|without))(?: [\w']+){0,5} $")


# ... or the words just after it complain about it ("the thinking stuff makes my head spin")
_REFUSED_AFTER = re.compile(r"^\W*(?:(?:just|really|honestly|always|kind of|kinda|only)\W+)?(?:makes? (?:my|me)|does ?n'?t|do ?n'?t|did ?n'?t|never"
                            r"|(?:is|was)(?:n'?t| not| too| a lot| so much| exhausting| overwhelming)|stresses|overwhelms|drives me|gives me)\b")


def refused_at(n: str, start: int, end: int) -> bool:
    """The approach named at n[start:end] is said as unwanted, not wished for."""
    return bool(REFUSED_BEFORE.search(n[max(0, start - 50):start]) or _REFUSED_AFTER.match(n[end:end + 40]))


def _only_refused(modality: str, n: str, aliases: dict[str, list[str]] | None) -> bool:
    """Every mention of this approach comes with a refusal ("i don't want to argue with my thoughts")."""
    pats = [_MODALITY_RX[modality]] if modality in _MODALITY_RX else []
    pats += [re.compile(p) for p in (aliases or {}).get(modality, [])]
    spans = [m.span() for rx in pats for m in rx.finditer(n)]
    return bool(spans) and all(refused_at(n, a, b) for a, b in spans)


def asks_for_modality(text: str, aliases: dict[str, list[str]] | None = None) -> str | None:
    """A request to switch approach ("can we do the thoughts thing again?"), else None.

    A switch needs a switch verb and a named approach; a bare mention ("my relationship is hard")
    is content, not a request. ``aliases`` adds the protocol files' own names for each modality.
    """
    n = _n(text)
    if _JUST_TALK.search(n):
        return "express"
    if (named := _APPROACH_NAMED.search(n)) and not _UNWANTED_NAMED.search(n[:named.start()][-40:]):
        # "the thinking side i reckon", "talk about the thinking side of it": an approach named as such, at any length
        found = [m for m, rx in _MODALITY_RX.items() if rx.search(named.group(0))]
        if len(found) == 1 and not _only_refused(found[0], n, aliases):
            return found[0]
    named_thing = (re.search(r"\b(?:thing|stuff|one|exercise|approach|work|method|please)\b", n) and len(n.split()) <= 8) \
        or _NAMED_LEAD.match(n)  # "just the quick thing, i don't have time for a whole session"
    if not SWITCH_VERB.search(n) and not named_thing:
        return None
    verb = SWITCH_VERB.search(n)
    if verb and verb.group(0) in ("instead", "rather", "prefer") and not named_thing \
            and not re.search(r"\b(?:can we|could we|let'?s|lets|i'?d (?:rather|prefer|like)|i want|i wanna|do the|try the)\b", n):
        return None  # "i'd have a coffee with my husband instead of crashing": a plan, not a request for relationship work
    hits = [m for m, rx in _MODALITY_RX.items() if rx.search(n)]
    for m, pats in (aliases or {}).items():
        if m not in hits and any(re.search(p, n) for p in pats):
            hits.append(m)
    contrast = False
    if len(hits) > 1:  # "i don't want to argue with my thoughts... can we do the body thing instead": the one wished for
        wished = [m for m in hits if not _only_refused(m, n, aliases)]
        contrast, hits = len(wished) < len(hits), wished
    if len(hits) != 1:
        return None
    words = len(n.split())
    if words > 16 and not contrast and not re.search(r"\b(?:switch|instead|rather|again|change|back to|do the|try the|do something"
                                                     r"|look at the)\b", n):
        return None  # a long turn that mentions a topic is content, not a request
    return hits[0]


def split_clauses(text: str) -> list[str]:
    parts = re.split(r"\s*(?:[,;.!?]+|\s-\s|\band then\b|\band (?=i\b)|\bbut (?=i\b)|\bso (?=i\b))\s*", text.strip(), flags=re.I)
    return [p.strip() for p in parts if p and p.strip()]


# A number said as a sentence of its own at the end of the turn: "i'm ben. um, four", "sam, six i guess".
_LONE_NUMBER = re.compile(r"(?:^|[.,;!?]\s*)(?:(?:um+|uh+|so|and|oh|well|like|maybe|probably|erm)\W+)*(?:\d{1,2}|zero|one|two"
                          r"|three|four|five|six|seven|eight|nine|ten)(?:[- ]?ish)?\W*(?:i guess|probably|maybe|i think)?\W*$")


_LEAD_FILLER = re.compile(r"(?:fine|ok|okay|anyway|anyways|so|well|right|um+|uh+|yeah|yes|sure|alright|the \w+ (?:thing|stuff)"
                          r"|(?:back to |about )?the \w+ (?:thing|stuff|one))")


def extract(text: str, expects: str) -> dict[str, Any]:
    """Every slot value this turn carries, whatever was asked (several answers in one turn)."""
    n = _n(text)
    out: dict[str, Any] = {}
    feeling = tx.own_feeling(text)
    label = tx.self_label(text) if feeling else None
    if feeling and label and feeling in label.group(0):
        feeling = None  # "I'm worthless" is a label they put on themselves, not the feeling they name
    if feeling:
        out["emotion"] = feeling
    number_hi = 10 if expects == "mood" else 100
    num = tx.parse_number(text, 0, number_hi)
    if num is not None and expects in ("mood", "rating", "feeling", "situation", "name"):
        if expects == "name":
            num10 = tx.parse_number(text, 0, 10)
            # "felt humiliated, maybe an eight" rates that feeling, not today's mood
            rates_feeling = feeling and not re.search(r"\bmood\b", n)
            if num10 is not None and not rates_feeling and (
                    re.search(r"\b(?:mood|at|about|around|like|a|maybe|feel(?:ing)?|i'?d say|out of (?:10|ten))\b", n)
                    or _LONE_NUMBER.search(text.lower())):  # "i'm ben. um, four"
                out["mood"] = num10
            elif rates_feeling:
                out["intensity"] = num
        elif expects == "mood":
            said = re.search(r"\bmood(?:'s| is)?\b(.*)", n)  # "anxious, like seven out of ten. mood maybe a four": the 4
            out["mood"] = (tx.parse_number(said.group(1), 0, 10) if said else None) or num
            if (later := _put_right(n, 10)) is not None:
                out["mood"] = later  # "four. no wait, less than that. like a three": the 3
        elif expects in ("rating", "feeling") or feeling:
            out["intensity"] = num
            if num is not None and (later := _put_right(n, 100)) is not None:
                out["intensity"] = later  # "about a three. no, a four, because of tuesday": the 4
    if expects in ("situation", "feeling") or (expects in ("rating", "thought") and _TIME_PHRASE.search(n)):
        clauses = split_clauses(text)
        rest = [c for c in clauses if not tx.own_feeling(c) and tx.parse_number(c, 0, 100) is None
                and not _THOUGHT_INTRO.search(c) and _substance(_n(c)) >= 1]
        while rest and _LEAD_FILLER.fullmatch(rest[0].lower().strip(" .,!?")):
            rest = rest[1:]  # "fine. anyway. the work thing. friday my manager cancelled...": from friday on
        sit = rest if any(_TIME_PHRASE.search(_n(c)) for c in rest) else []
        if sit:
            out["situation"] = ", ".join(sit)
        elif expects == "situation" and clauses:
            first = clauses[0]
            if not (tx.feeling_word(first) and len(first.split()) <= 4) and tx.parse_number(first, 0, 100) is None:
                out["situation"] = first
    m = _THOUGHT_INTRO.search(re.sub(r"\s+", " ", text.replace("’", "'")).strip())
    if m and expects in ("situation", "feeling", "rating", "thought") and len(m.group(1).split()) >= 3:
        thought = m.group(1).strip(" .,!")
        sentences = re.split(r"(?<=[.!?;])\s+", thought)
        for k, part in enumerate(sentences[1:], start=1):  # "... i'm just in the way. felt sad, about seventy": the thought ends
            if tx.own_feeling(part) or tx.feeling_word(part) or tx.parse_number(part, 0, 100) is not None:
                thought = " ".join(sentences[:k]).strip(" .,!")
                break
        if not tx.feeling_word(thought) or len(thought.split()) > 4:
            out["thought"] = thought
    if out.get("thought") and out.get("situation"):  # the thought is not part of what happened
        kept = [c for c in out["situation"].split(", ") if c.lower().strip(" .") not in out["thought"].lower()
                and not _THOUGHT_INTRO.search(c)]
        if kept:
            out["situation"] = ", ".join(kept)
        else:  # "the thought is if the buzzer goes, it's him": only a thought, no moment
            del out["situation"]
    if expects in ("text", "body"):
        body = BODY_PART.search(n)
        if body:
            out["location"] = body.group(1) or f"the {body.group(2)}"
    if expects in ("rating", "feeling", "situation"):
        numbers = tx.all_numbers(text, 0, 100)
        if len(numbers) >= 2:
            out["numbers"] = numbers
    if expects == "mood" and "mood" not in out:
        w = _MOOD_WORDS.search(n)
        if w and w.group(0).strip() in ("ok", "okay") and tx.extract_name(text):
            w = None  # "haha ok. im tyler": the ok is for the question, the answer is the name
        if w:
            out["mood_words"] = w.group(0).strip()
            if w.group(1) in _MOOD_NUMBER and not re.search(r"\bnot\b", w.group(0)):
                out["mood"] = _MOOD_NUMBER[w.group(1)]
    if expects == "name":
        name = tx.extract_name(text)
        out["name"] = name
    if expects == "yesno":
        yn = tx.yes_no(text)
        if yn is not None:
            out["yes"] = yn
    return out


def _without_name_and_mood(text: str) -> str:
    rest = re.sub(r"\b(?:call me|my name is|my name's|name's|i'?m|i am|it'?s|this is|hey|hi|hello)\s+[A-Za-z'\-]+\b[,.]?", " ", text, flags=re.I)
    rest = re.sub(r"\b(?:my )?mood(?:'s| is)?\b|\b(?:about|around|like|maybe|at|a|i'?d say|probably|honestly|pretty|low|good|okay|sorry|"
                  r"today|right now|now|really|quite|bad|rough|not great|decent|fine|meh|ish)\b", " ", rest, flags=re.I)
    return re.sub(r"\b(?:\d{1,3}|zero|one|two|three|four|five|six|seven|eight|nine|ten)\b", " ", rest, flags=re.I)


def _substance(n: str) -> int:
    """Content words in a turn (fillers and function words don't count)."""
    return sum(1 for w in _CONTENT.findall(n) if w not in tx.FUNCTION_WORDS)


def interpret(text: str, expects: str = "text", *, aliases: dict[str, list[str]] | None = None,
              end_patterns: list[str] | None = None, decline_patterns: list[str] | None = None) -> Reading:
    """Classify one turn against what was asked. Rules only; see ``interpret_turn`` for the model blend."""
    n = _n(text)
    stripped = n.strip()
    if not stripped or not re.search(r"[a-z0-9]", stripped):
        return Reading(kind="unclear", confidence=0.9)
    words = len(stripped.split())
    slots = extract(text, expects)
    if END.search(n) or (end_patterns and tx.matches_any(end_patterns, text)):
        if words <= 14 or re.search(r"\b(?:bye|goodbye|have to go|gotta go|need to go|that'?s all for)\b", n):
            return Reading(kind="end")
    switch = asks_for_modality(text, aliases)
    if switch:
        return Reading(kind="switch", modality=switch)
    ask = _kind_of_question(n)
    if ask in ("human", "privacy"):
        return Reading(kind="question", ask=ask)
    if DECLINE.search(n) and not STRONG_CORRECTION.search(n):
        if not (expects == "yesno" and "yes" in slots and words <= 3):
            return Reading(kind="decline", slots=slots)
    if CORRECTION.search(n) and expects not in ("yesno",) or (expects == "yesno" and re.search(r"\bthat'?s not what i (?:meant|said)\b|\byou (?:misunderstood|misheard)\b", n)):
        rest = re.sub(r"^\W*(?:(?:no|nope|nah|wait|not quite|not exactly|actually|sorry)\W+)*(?:that'?s not (?:what i (?:meant|said|mean)|right|it|true)\W*|you (?:misunderstood|misheard|got (?:that|it|me) wrong)\W*|i (?:meant|said|mean)\W+(?:that\W+)?|what i meant (?:was|is)\W+)*",
                      "", text.strip(), flags=re.I).strip(" ,.")
        return Reading(kind="correction", rest=rest if _substance(_n(rest)) else "")
    if ask is not None and ("?" in text or words <= 12 or ask in ("advice", "time", "normal")):
        if not (ask == "other" and expects in ("thought", "evidence") and "?" not in text):
            return Reading(kind="question", ask=ask)
    if SLOW.search(n) and words <= 14 and not REPORTED.search(n):
        return Reading(kind="slow_down")
    if NEW_TOPIC.search(n) and expects not in ("name", "topic"):
        return Reading(kind="new_topic", slots={**slots, "topic": True})
    if "?" in text and expects not in ("thought",) and _QMARK_START.search(n) and not re.search(r"\bwhat if\b|\bwhy (?:am|can'?t|do) i\b", n):
        return Reading(kind="question", ask="other", confidence=0.6)
    if DONT_KNOW_LEAD.search(n) and words <= 12 and expects not in ("name",) and not slots.get("mood") and "intensity" not in slots:
        return Reading(kind="dont_know", slots=slots, confidence=0.7)
    if DONT_KNOW.search(n) and not slots.get("name") and "intensity" not in slots and "mood" not in slots:
        return Reading(kind="dont_know", slots=slots)
    if DECLINE.search(n) or (decline_patterns and tx.matches_any(decline_patterns, text) and words <= 10):
        if not (expects == "yesno" and "yes" in slots and words <= 3):
            return Reading(kind="decline", slots=slots)
    return _answer(text, n, expects, slots, words)


def _answer(text: str, n: str, expects: str, slots: dict[str, Any], words: int) -> Reading:
    content = _substance(n)
    filler_only = bool(_FILLER_ONLY.match(n))
    if expects == "name":
        if slots.get("name"):
            rest = re.sub(r"\b" + re.escape(str(slots["name"]).lower()) + r"\b", " ", _n(_without_name_and_mood(text)))
            slots["topic"] = _substance(rest) >= 3
            return Reading(kind="answer", slots=slots)
        if re.search(r"\b(?:rather not|don'?t want to (?:say|give|tell)|prefer not|no names?|skip|anonymous|doesn'?t matter|whatever you like|not important)\b", n):
            return Reading(kind="decline", slots={"name": None})
        if content >= 2 or tx.feeling_word(text):
            return Reading(kind="new_topic", slots={"name": None, "topic": True, **{k: v for k, v in slots.items() if k != "name"}})
        return Reading(kind="unclear", slots={"name": None}, confidence=0.6)
    if expects == "mood":
        topic = _substance(_n(_without_name_and_mood(text))) >= 3
        if slots.get("mood") is not None:
            slots["topic"] = topic
            return Reading(kind="answer", slots=slots)
        if slots.get("mood_words"):
            slots["topic"] = topic
            return Reading(kind="answer", slots=slots, confidence=0.9 if words <= 4 else 0.8)  # "meh" is a mood
        if content >= 3:
            return Reading(kind="new_topic", slots={**slots, "topic": True}, confidence=0.6)
        return Reading(kind="unclear" if filler_only or content == 0 else "partial", slots=slots, confidence=0.5)
    if expects == "rating":
        if "intensity" in slots:
            return Reading(kind="answer", slots=slots)
        if _RATING_WORDS.search(n) or tx.feeling_word(text):
            return Reading(kind="partial", slots=slots, confidence=0.7)
        return Reading(kind="unclear" if content == 0 else "partial", slots=slots, confidence=0.5)
    if expects == "yesno":
        if "yes" in slots:
            return Reading(kind="answer", slots=slots)
        if content >= 3:
            return Reading(kind="answer", slots=slots, confidence=0.5)
        return Reading(kind="unclear", slots=slots, confidence=0.5)
    if expects in ("choice", "none"):
        return Reading(kind="answer", slots=slots, confidence=0.6)
    if filler_only or content == 0:
        return Reading(kind="partial" if re.search(r"\b(?:it was|i was|i felt|like|um)\W*$", n) and words > 1 else "unclear",
                       slots=slots, confidence=0.6)
    if re.search(r"(?:\b(?:and|but|because|so|like|the|a|my|to|of|with|at|um|uh)|,)\s*$", n) and words <= 6:
        return Reading(kind="partial", slots=slots, confidence=0.6)
    if expects == "feeling" and not slots.get("emotion") and words > 8:
        return Reading(kind="answer", slots=slots, confidence=0.6)
    return Reading(kind="answer", slots=slots, confidence=0.8 if content >= 2 else 0.6)


def interpret_turn(text: str, expects: str = "text", **kw: Any) -> Reading:
    """The interpreter the engine uses: the rules, and the turn model where the rules are unsure."""
    reading = interpret(text, expects, **kw)
    if reading.confidence >= MODEL_OVERRIDES_BELOW:
        return reading
    try:
        from attune.dialogue import turn_model
        guess = turn_model.load().classify(text, expects)
    except turn_model.Unavailable:
        return reading
    if guess is None or guess.kind == reading.kind or guess.p < MODEL_MIN_P:
        return reading
    if guess.kind == "switch" and guess.modality and _only_refused(guess.modality, _n(text), kw.get("aliases")):
        return reading  # "not so much talking about the thoughts": never a switch to the approach refused
    return Reading(kind=guess.kind, ask=guess.ask, modality=guess.modality, slots=reading.slots,
                   source="model", confidence=guess.p)



# ---------------------------------------------------------------------------- plans
# A next step, small step or action slot holds an intention or an action ("I'll call my sister",
# "maybe just sleep on it", "going for a walk", "text him tomorrow", "rest without guilt"), never a
# fact or a judgement about what happened ("I forgot his birthday, that's pretty bad").
_PLAN_LEAD = re.compile(
    r"^(?:(?:um+|uh+|erm|hmm+|well|so|ok|okay|yeah|yes|honestly|i think|i guess|i suppose|probably|maybe|perhaps|just|"
    r"like|actually|definitely|tomorrow|tonight|today|this week|this weekend|first|then|and|i mean|hm+|right|sure|"
    r"something like|the plan is|my plan is|plan is|the step is|my step is|to|i'?d say|i reckon|prob|possibly|"
    r"at least|at some point|one thing is|one thing|next|next step is|step one|maybe i(?:'ll| will| could| can| should)?)\W+)+", re.I)
_PLAN_INTENT = re.compile(
    r"\b(?:i(?:'ll| will|'m going to| am going to|'m gonna| am gonna|m gonna| could| can| might| want to| wanna| plan to| need to|"
    r"'d like to| would like to| should| must| have to|'ve got to| aim to| intend to| hope to| mean to| try to| may)|"
    r"(?:going|gonna|planning|plan|trying|want|wanna|hoping|aim|intend|need|like|decided|deciding) to|"
    r"(?:let me|let myself|allow myself|give myself)|could (?:try|start|maybe)|try(?:ing)? (?:to|and)|"
    r"(?:my|the|one) (?:next |small |first )?step (?:is|would be|could be)|"
    r"(?:i'?d|i would) (?:try|start|call|text|ask|write|go|talk|rest|sleep|take|say|tell|send|apologi[sz]e|do|book|make|spend|stop|leave|wait))\b",
    re.I)
_PLAN_NOT = re.compile(
    r"\b(?:i (?:should|could|would|might|must)(?:'ve| have| of)|i (?:should|could)n'?t have|i can'?t|i could never|i won'?t be able|"
    r"i wish i had|i (?:need|have) to stop being|i'?ll (?:end up|never|always)|i (?:don'?t|do not) (?:want|wanna|feel like) to|"
    r"i (?:always |often |usually |just )?do (?:that|this|it) (?:a lot|all the time|constantly|every time|always|too)|"
    r"(?:that'?s|it'?s) (?:kind of |sort of |just |always been )?my thing|"
    r"(?:not knowing|no idea|don'?t know|wondering|worried about|scared of|afraid of) (?:where|what|if|whether|how) i'?(?:ll| will| would|'d)|"
    # what they would say to a friend is a view, not a step: "i'd say freezing in a rehearsal is what rehearsals are for"
    r"i'?d (?:say|tell (?:them|him|her|you|myself|my \w+|a friend|a mate|someone|people)) (?:that )?(?:[a-z']+ ){0,7}?(?:is|was|are|were|isn'?t|wasn'?t|aren'?t|"
    r"doesn'?t|don'?t|didn'?t|makes?|means?|can'?t|won'?t|it'?s|they'?re|you'?re|that'?s|she'?s|he'?s|i'?m|we'?re|"
    r"there'?s|should|shouldn'?t|has|have|had))\b",
    re.I)
_ACTION_VERBS = frozenset(
    """call ring phone text message email write send reply answer ask tell say talk speak apologise apologize explain
    go walk run swim cycle stretch exercise move visit meet see invite hug sit stay leave head
    sleep rest nap lie relax breathe slow pause wait hold sit eat cook drink shower bathe bath read listen watch play
    take make book buy get bring pick put set turn switch log close open start begin finish stop quit skip drop cancel
    plan schedule list note journal jot prepare practise practice review check look find sort tidy clean organise organize
    pay apply sign join try keep share spend give let allow forgive remind treat accept reach be do have focus work
    block mute unfollow delete ignore step leave talk ring catch sleep celebrate thank admit own fix return""".split())
_GERUND = re.compile(r"^([a-z]{3,}ing)\b", re.I)
_NOT_GERUND = frozenset({"nothing", "something", "anything", "everything", "thing", "king", "morning", "evening", "feeling",
                         "being", "thinking", "during", "bring", "spring", "ring", "sing", "string", "ceiling"})


_RUMINATING = re.compile(r"(?:keep|kept|keeps)\s+(?:on\s+)?(?:thinking|wondering|worrying|going (?:over|back|round)|replaying|"
                         r"feeling|crying|waking|remembering|imagining|picturing|hearing|seeing|dreaming|beating myself)\b")


# when a step is to happen ("tomorrow", "on friday", "after work", "first thing"): with an action, a plan
WHEN = re.compile(r"\b(?:tomorrow|tonight|today|this (?:week|weekend|evening|afternoon|morning)|next (?:week|time|\w+day)"
                  r"|(?:on )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|before|after|later|first thing|in the morning|soon"
                  r"|at lunch|every day|daily)\b")


def sounds_like_plan(text: str) -> bool:
    """The turn states an intention or an action: what to do, not what happened. Used for steps that
    expect an action, so a fact, a regret or a judgement is never saved as the plan."""
    low = text.lower().replace("\u2019", "'").strip()
    if not re.search(r"[a-z]", low) or _PLAN_NOT.search(low) and not _PLAN_INTENT.search(_PLAN_NOT.sub(" ", low)):
        return False
    if _PLAN_INTENT.search(low):
        return True
    for clause in split_clauses(low):
        clause = _PLAN_LEAD.sub("", clause.strip()).strip()
        clause = re.sub(r"^(?:i|we)\s+(?=(?:just|probably|maybe|really|definitely)?\s*[a-z]+)", "", clause)  # "i just rest": rare
        clause = re.sub(r"^(?:just|probably|maybe|really|definitely|also)\s+", "", clause)
        first = clause.split(" ", 1)[0] if clause else ""
        if first in _ACTION_VERBS and not re.match(r"^(?:be|have|do|go|look|get|keep)\b\s*$", clause) \
                and not _RUMINATING.match(clause) \
                and not re.match(r"^\S+\s+(?:is|was|are|were|has|had|been|'s|seems|feels|keeps|got)\b", clause):
            return True
        g = _GERUND.match(clause)
        if g and g.group(1) not in _NOT_GERUND:
            base = g.group(1)[:-3]
            if base in _ACTION_VERBS or base + "e" in _ACTION_VERBS or base[:-1] in _ACTION_VERBS:
                return True
    if re.search(r"\b(?:doing less|less (?:work|screen|scrolling)|more (?:sleep|rest)|an early night|a (?:walk|nap|break|bath|day off|rest))\b", low):
        return True
    if len(low.split()) <= 8 and not re.search(r"\b(?:was|were|had|did|got|yesterday|last|ago)\b", low) and re.search(r"\b(?:gym|walk|run|swim|yoga|bath|shower|nap|early night|lie in|day off|coffee|lunch"
                                            r"|dinner|chat|call|phone call|email|appointment|class|swimming|cycle|bike ride)\b", low) \
            and WHEN.search(low):
        return True  # "gym after work": a plan said as a noun and a time
    return False
