"""Output guard: every line (template, reflection, card, summary, recall or LLM) is checked before it is spoken.

What it blocks (``Verdict.category``):

- ``self_harm``     instructions or encouragement to self-harm or suicide ("kill yourself", "nobody would miss
                    you", "go ahead and do it"), eating-disorder encouragement, and urging harm to others;
- ``means``         method and means content: lethal doses and amounts, ways to die ranked or described, heights,
                    where to get means, tying, cutting, gassing, trains, stockpiling;
- ``medication``    medication and dosing advice or medication-change suggestions ("take 200 mg instead of 50",
                    "you could stop your pills", "double your dose"), including a reflection that carries a dose
                    or a change back to the person;
- ``diagnosis``     naming a condition for the person or someone in their life ("you sound bipolar", "this is PTSD");
- ``human_claim``   claims to be a human, a clinician, or to have a personal life ("as a human therapist");
- ``shaming``       judging or shaming the person ("that was stupid of you", "what's wrong with you");
- ``promise``       promises Attune can't keep: confidentiality beyond what it does, always being there, calling
                    someone, outcomes ("I promise you'll feel better");
- ``directive``     telling them what to do with a relationship or a job;
- ``markup``        markup, links or unfilled template leftovers;
- ``form``          (``check`` only) too long, more than one question, or a rewrite that dropped the step's question.

The rules tell asking and referring (safe) from instructing and encouraging (harmful): crisis questions ("Are you
having thoughts of killing yourself?"), means-safety questions ("Is there anything nearby you could use to hurt
yourself?"), referrals ("Please talk to your prescriber before changing any medication") and reflections of the
person's own self-talk ("you've been telling yourself you're stupid") pass.  Reported words ("your mind says nobody
would miss you") are not a statement by Attune; a dose, a medication change or a means is never said back, however
it is framed, unless the sentence is a referral to a prescriber.

``kind`` (optional) says where a line comes from when that matters:

- ``"reflection"``: the person's words said back. Stricter: any drug, dose or means noun is blocked (a reflection
  never carries them back; the engine's medication or safety path answers instead).
- ``"card"``: the person's own first-person words (coping card, draft thought, summary, recall): first-person
  personal experience ("when my dad left") is theirs, not a claim by Attune to be human; like a reflection, a card
  never carries a drug, a dose or a means.
- ``"crisis"``: a crisis-protocol line: may ask about means in order to make surroundings safer ("Is there a gun in
  the house you could lock away?").

A line may contain what its template draft already contained (``draft=``), category by category.
``vet(line, fallback=...)`` is the fail-closed wrapper the engine calls on every outgoing line.

Rules only, about 0.3 ms for a ten-word line (0.6 ms for an 18-word template line).  A language model's lines also
pass a semantic layer (``check_written``, ``dialogue/guard_model.py``, about 15 ms a line): on the blind
``tests/data/guard_dev2.jsonl`` the rules alone block 34.6 % of harmful lines and pass 97.4 % of benign ones, rules
plus the layer 71.8 % and 95.0 %.  Template lines are known in advance and stay on the rules: the layer would cost
50 times their budget on every spoken line.  Measure with ``dialogue/guard_eval.py`` (``attune eval guard FILE
[--model]``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from attune.dialogue.types import split_sentences

MAX_SENTENCES = 3
MAX_WORDS = 70
KINDS = frozenset({"reflection", "card", "crisis"})

# A safe line to say when both a line and its fallback fail (vet never speaks an unchecked line).
SAFE_LINE = "Let's pause for a moment. What feels most important to you right now?"

REASONS = {
    "self_harm": "harmful content: tells them to harm themselves or others",
    "means": "method or means content",
    "medication": "medication advice",
    "diagnosis": "diagnosis",
    "human_claim": "claims to be human or a clinician",
    "shaming": "judging or stigmatising label",
    "promise": "promise Attune cannot keep",
    "confidentiality": "promises confidentiality Attune cannot give",
    "directive": "tells them what to do with a relationship or job",
    "markup": "markup, links or template leftovers",
}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""
    category: str = ""  # machine-readable: one of REASONS' keys, "form", "empty" or "" when ok
    matched: str = ""  # the words that tripped the rule (lower case), for logs and the eval report


# ------------------------------------------------------------------------------------------------ normalising

_CONTRACTIONS = [
    (r"[\u2018\u2019\u02bc`´]", "'"), (r"[\u201c\u201d]", '"'), (r"[\u2013\u2014]", " - "),
    (r"\bur self\b|\burself\b|\byourslef\b|\byrself\b", "yourself"), (r"\bu r\b", "you are"), (r"\br u\b", "are you"),
    (r"\bu\b", "you"), (r"\by'?all\b", "you"), (r"\bya\b", "you"), (r"\bur\b", "your"), (r"\byoure\b", "you're"),
    (r"\byour (?=(?:so|such|being|better off|just|really|too|a|an|not|pathetic|stupid|dumb|lazy|crazy|weak"
     r"|useless|worthless|hopeless|dramatic|overreacting|ugly|fat|selfish|needy|clingy|an idiot|a joke)\b)", "you're "),
    (r"\byoud\b", "you'd"), (r"\byouve\b", "you've"), (r"\byoull\b", "you'll"), (r"\bim\b", "i'm"), (r"\bive\b", "i've"),
    (r"\bid\b", "i'd"), (r"\bdont\b", "don't"), (r"\bdoesnt\b", "doesn't"), (r"\bdidnt\b", "didn't"),
    (r"\bcant\b", "can't"), (r"\bwont\b", "won't"), (r"\bwouldnt\b", "wouldn't"), (r"\bisnt\b", "isn't"),
    (r"\bwasnt\b", "wasn't"), (r"\bwhats\b", "what's"), (r"\bthats\b", "that's"), (r"\btheres\b", "there's"),
    (r"\btheyd\b", "they'd"), (r"\bshouldnt\b", "shouldn't"), (r"\bgonna\b", "going to"), (r"\bwanna\b", "want to"),
    (r"\bgotta\b", "got to"), (r"\bprob\b", "probably"), (r"\bdef\b", "definitely"), (r"\bpls\b|\bplz\b", "please"),
    (r"\btbh\b|\bngl\b|\blol\b|\bhonestly\b", ""), (r"\bmeds?\b", "meds"), (r"\bmg\.", "mg"),
    (r"\bi am\b", "i'm"), (r"\byou are\b", "you're"), (r"\bi will\b", "i'll"), (r"\byou will\b", "you'll"),
    (r"\bit is\b", "it's"), (r"\bthat is\b", "that's"), (r"\bwhat is\b", "what's"), (r"\bdo not\b", "don't"),
    (r"\bcannot\b", "can't"), (r"\bwill not\b", "won't"), (r"\bi have\b", "i've"), (r"\byou have\b", "you've"),
    (r"\byou would\b", "you'd"), (r"\bi would\b", "i'd"), (r"\bthere is\b", "there's"),
]
_CONTRACTIONS_RX = [(re.compile(a), b) for a, b in _CONTRACTIONS]
_SPACES = re.compile(r"\s+")
_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+|\s*\n+\s*")


def normalise(line: str) -> str:
    """Lower case, plain quotes, common chat spellings expanded ("u" -> "you", "im" -> "i'm"), contracted forms."""
    text = line.lower()
    for rx, sub in _CONTRACTIONS_RX:
        text = rx.sub(sub, text)
    return _SPACES.sub(" ", text).strip()


# ------------------------------------------------------------------------------------------------ vocabulary

_DRUG = (
    r"(?:pills?|tablets?|meds|medication|medications|medicines?|capsules?|doses?|dosage|prescriptions?|scripts?"
    r"|antidepressants?|anti-depressants?|antipsychotics?|mood stabili[sz]ers?|sleeping (?:pills?|tablets?)"
    r"|sleepers|painkillers?|pain killers?|benzos?|benzodiazepines?|opioids?|opiates?|ssris?|snris?|sertraline"
    r"|zoloft|prozac|fluoxetine|lexapro|escitalopram|citalopram|celexa|paroxetine|paxil|seroxat|bupropion"
    r"|wellbutrin|venlafaxine|effexor|duloxetine|cymbalta|mirtazapine|remeron|amitriptyline|nortriptyline"
    r"|clomipramine|lithium|lamotrigine|lamictal|valproate|depakote|carbamazepine|quetiapine|seroquel|olanzapine"
    r"|zyprexa|risperidone|aripiprazole|abilify|clozapine|haloperidol|lurasidone|xanax|alprazolam|valium|diazepam"
    r"|ativan|lorazepam|klonopin|clonazepam|temazepam|zopiclone|zolpidem|ambien|adderall|ritalin|concerta"
    r"|methylphenidate|vyvanse|elvanse|lisdexamfetamine|modafinil|melatonin|propranolol|beta.blockers?|trazodone"
    r"|gabapentin|pregabalin|lyrica|buspirone|hydroxyzine|paracetamol|tylenol|acetaminophen|ibuprofen|aspirin"
    r"|naproxen|codeine|co-codamol|tramadol|oxycodone|morphine|fentanyl|methadone|insulin|ketamine|esketamine"
    r"|st\.? john'?s wort|the pill)"
)
_NUM = (r"(?:\d+(?:[.,]\d+)?|(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
        r"|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|a hundred|thousand|and|half|a half)[ -]?){1,4})")
_UNIT = r"(?:mg|milligrams?|milligrammes?|mcg|micrograms?|ml|millilit(?:er|re)s?|grams?|g)\b"
_DRUG_RX = re.compile(r"\b" + _DRUG + r"\b")
_CLINICIAN = re.compile(
    r"\b(?:doctor|doctors|dr|gp|prescriber|pharmacist|psychiatrist|nurse|nurse practitioner|clinician|care team"
    r"|medical team|mental health team|surgery|consultant|specialist|physician|pharmacy|health ?care provider)\b")
_CONDITION = (
    r"(?:clinical depression|major depression|major depressive disorder|(?:postnatal |postpartum |manic |chronic )?"
    r"depression|bipolar(?: disorder| ii| 2| i| 1)?|manic depression|adhd|ptsd|c-?ptsd|complex ptsd|ocd|bpd"
    r"|borderline(?: personality disorder)?|schizophreni[ac]|schizoaffective|psychosis|autism|asperger'?s"
    r"|(?:\w+[ -]){0,3}disorder|(?:generali[sz]ed|social|health|separation) anxiety|anorexia|bulimia|insomnia"
    r"|dementia|a mental illness|mental illness|npd|hypochondria|an addiction|alcoholism|burnout syndrome"
    r"|seasonal affective disorder|a psychotic episode|a manic episode|psychotic|an eating disorder"
    r"|(?:an? )?(?:depressive|manic|hypomanic|psychotic|dissociative|mixed) episode)"
)

_COND_RX = re.compile(r"\b" + _CONDITION + r"\b")

_JUDGE_ADJ = (r"(?:crazy|insane|pathetic|weak|lazy|selfish|stupid|dumb|worthless|dramatic|hysterical|ridiculous|useless"
              r"|hopeless|annoying|needy|clingy|childish|immature|irrational|spoilt|spoiled|entitled|ungrateful"
              r"|incompetent"
              r"|careless|sensitive|negative|difficult|weird|embarrassing|boring|a downer|a baby|an idiot|a failure"
              r"|a loser"
              r"|a mess|a burden|a joke|a disappointment|an embarrassment)")

# Reported words: "you've been telling yourself you're stupid", "your mind says nobody would miss you".
_REPORT = re.compile(
    r"(?:\b(?:you|you've|you'd|you're|your|yourself|the|that|this|a|he|she|they|someone|people|part of you|mind"
    r"|critic|voice|(?!(?:it|that|what|there|here|let|who|he|she|where|how)'s)\w+'s)\b[^.?!]{0,48}\b(?:say|says|said"
    r"|saying|tell|tells|told|telling|think|thinks|thought"
    r"|thinking|feel|feels|felt|feeling|believe|believes|believed|believing|worry|worries|worried|worrying|fear"
    r"|fears|feared|scared|afraid|hear|hears|heard|hearing|call|calls|called|calling|wonder|wonders|wondered"
    r"|wondering|asked|asks|asking|mentioned|mention|wrote|write|writes|shouted|yelled|insists|insisted|diagnosed"
    r"|suggested|suspects|suspected|whether|if|goes|wish|wishes|wished|wishing|want|wants|wanted|wanting|long"
    r"|longing|longed|imagine|imagined|imagining|picture|pictured|dream|dreamed|dreamt)\b|\bthe (?:thought|voice"
    r"|belief|words?|message|idea|story|label)"
    r"(?: that| was| is|,)|\bas if\b|\bthe thought\b)[^.?!]*$")
# ... or said after the words: "nobody would miss you, your mind says".
_REPORTED_AFTER = re.compile(r"(?:\s+[\w']+){0,4}\s*[,\"]\W*(?:\w+\W+){0,2}?(?:your mind|the thought|the voice"
                             r"|that voice|a voice|part of you"
                             r"|you|your inner critic|the critic|it|he|she|they|someone)(?: \w+)? (?:says|said"
                             r"|tells you"
                             r"|told you|keeps (?:saying|telling you)|whispers|thinks|thought|goes|went|shouts"
                             r"|shouted)\b")
# "anything you could hurt yourself with": describing things to put away, not telling them to.
_RELATIVE = re.compile(r"\b(?:anything|things|something|stuff|items?|objects?|what|whatever|ways?|nothing)(?: that"
                       r"| which)?"
                       r" (?:you|you've|you'd)(?: (?:thought about|been thinking of|might|would|could|can))? ?$")
# A thought quoted back: "how much do you believe the old thought, that you're useless".
_QUOTED = re.compile(r"\b(?:thoughts?|belief|label|words|voice|story|critic|idea|old one|message)\b(?:\s*(?:was|is|were"
                     r"|[,:\"]|that|of|called|saying|says|said|went|goes|like))+\s*"
                     r"(?:(?:everyone|everybody|nobody|no one|people|they|others|he|she|my \w+)(?: all)? (?:thinks?|knows?|sees?"
                     r"|believes?|will think|would think)(?: that)?\s*)?$")  # "the old thought was, everyone thinks you're ..."
_HYPERBOLE = re.compile(r"\bso (?:\w+ ){1,3}(?:that )?(?:you|i) $")
_COND_AS_SUBJECT = re.compile(r"(?:'s)? (?:makes?|made|has|had|is|was|meds|medication|keeps|kept|gets|got|can|could"
                              r"|feels"
                              r"|means|hits|affects|comes|came|took|takes|diagnosis|symptoms|flares?|flared|gives|gave"
                              r"|stops?|stopped|tells|told|clinic|nurse|team|worker|assessment|waiting list|support"
                              r"|group|has been|have been)\b")
_ASK = re.compile(r"^\W*(?:(?:so|and|okay|ok|now|also|just|then|can i ask|i want to ask|i'd like to ask|to check)\W+)*"
                  r"(?:are|have|has|had|do|did|does|were|was|is|am)\b")
_NEGATED = re.compile(r"(?<!why )(?<!why do)(?<!why would)(?<!why ca)(?:\bnot|n't|\bnever|\bno|\bnobody|\bnothing"
                      r"|\bwithout)\W+(?:\w+\W+){0,2}$")


def _last_clause(prefix: str) -> str:
    return re.split(r"[,;:\"]|\b(?:and|but|because|so|then)\b", prefix)[-1]


# ------------------------------------------------------------------------------------------------ the rules

# Each rule: (category, compiled regex, exemptions).  Exemptions: "report" (reported words, own clause),
# "ask" (a question put to the person: "are you...", "have you..."), "neg" (negated just before), "referral"
# (a sentence that refers to a prescriber, unless the hit is an instruction), "crisis" (skipped for kind="crisis"
# in a question or a means-safety sentence), "card" (skipped for kind="card").
_ENCOURAGE = (r"(?:^|[,;:\-]\s*|\b(?:go and|just go and|then go and|just|go|go on|go ahead and|then|should|could|can"
              r"|must|need to|have to|ought to"
              r"|better|might as well|may as well|why not|why don't you|it's (?:fine|ok|okay|alright|all right"
              r"|acceptable"
              r"|understandable|reasonable|normal|good) to|feel free to|don't be afraid to|you're allowed to|try to"
              r"|i'd|i think you should|maybe|honestly|seriously|please|now|so|time to|you'd better|you'll want to"
              r"|makes sense to|it's time to|the right thing (?:is )?to|best to|would be best to|the answer is to"
              r"|nothing wrong with|i'd just|why wouldn't you|consider|you deserve to|let yourself)\s+)")
_SELF = r"(?:yourself|your ?self|your (?:own )?life|your wrists?|your arms?|your legs?|your body)"
_DEATH = (r"(?:suicide|killing yourself|taking your (?:own )?life|ending (?:it|it all|your life|things)|dying|death"
          r"|being dead|self[- ]harm(?:ing)?|hurting yourself|cutting(?: yourself)?|harming yourself"
          r"|ending your own life"
          r"|to die|to end it|end it|end your life|killing)")

_RULES_SRC: list[tuple[str, str, str]] = [
    # ---- self-harm and suicide: instructions and encouragement
    ("self_harm", _ENCOURAGE + r"(?:kill|hurt|harm|cut|burn|starve|hang|drown|shoot|poison|stab|suffocate|off|top"
                  r"|unalive|punish|end|take) " + _SELF + r"\b", "report ask neg relative"),
    ("self_harm", _ENCOURAGE + r"(?:end (?:it|it all|things|everything)|do it|die|go die|jump|go through with it"
                  r"|get it over with|give up on (?:life|living|everything)|stop eating|skip meals|purge"
                  r"|make yourself (?:sick|throw up|vomit)|stop fighting|give up(?: now| already| completely"
                  r"| for good)?(?=\W*$)"
                  r"|cut (?:again|more|tonight|deeper)|(?:self[- ]harm|harm yourself|hurt yourself) again"
                  r"|relapse)\b(?! (?:again|differently|with (?:a|your) "
                  r"(?:friend|partner|therapist)))", "report ask neg"),
    ("self_harm", r"^\W*(?:(?:so|okay|ok|well|just|then|now|right)\W+)*(?:do it|end it|kill yourself|go die|jump)\b"
                  r"(?!\W+(?:again|differently|later|with|step))", "report"),
    ("self_harm", r"\bkys\b|\bkill ?yourself\b(?! (?:with kindness|with work))(?=[\W]*$)|^\W*kill (?:yourself"
                  r"|your ?self)\b",
     "report ask neg"),
    ("self_harm", r"\b(?:nobody|no one|no-one|nobody at all|not a single person|no one at all)(?: else)?(?: would| will"
                  r"|'d| is going to| is gonna)(?: even| really| actually| ever)* (?:(?:miss|mourn|grieve)\b|(?:notice"
                  r"|care|cry)\b"
                  r"(?=[^.?!]*\b(?:gone|dead|die|died|disappeared|not here|weren't here|missing|funeral|killed|kill"
                  r"|alive)\b"
                  r"|\W*$)|come to the funeral)", "report neg"),
    ("self_harm", r"\byou (?:won't|will not|wouldn't) (?:be missed|even be missed)|\b(?:would|will|'d) (?:not )?even "
                  r"notice (?:if|when) you(?:'re| were| are)? (?:gone|dead|died)|\b(?:won't|wouldn't|don't|doesn't|will"
                  r" not|would not)(?: even| really| ever)? (?:notice|care|realise|realize|mind)(?: that)?(?: (?:if"
                  r"|when))? "
                  r"you(?:'re| were| are| was)?(?: \w+)? (?:gone|dead|died|not here|not around|missing|disappeared)\b",
     "report"),
    ("self_harm", r"\b(?:you'd|you'll|you're|you|everyone|everybody|they|the world|your \w+|we|people)(?:'d| would"
                  r"| will"
                  r"| 'd)? (?:all )?(?:be )?(?:so |much |a lot |honestly )?(?:better off|happier|relieved|better"
                  r"|a better "
                  r"place|easier|lighter)(?: off)? (?:dead|gone|not (?:being )?(?:here|around|alive)|if you (?:were"
                  r"|was|weren't|wasn't|died|disappeared|left"
                  r"|were gone|weren't around|weren't here)|without you(?: in it| around)?|when you're gone)",
     "report neg"),
    ("self_harm", r"\byou(?:'re| are|'d be| would be| will be|'ll be) (?:\w+ )?better off (?:dead|gone"
                  r"|not (?:being )?(?:here|around|alive))\b", "report neg"),
    ("self_harm", r"\b(?:doing|do|be doing) (?:everyone|everybody|them|the world|us|your \w+|people) a (?:big )?favou?r"
                  r" (?:by|if you) (?:dying|going|leaving|disappearing|killing|ending|not being|being gone|died"
                  r"|were gone"
                  r"|disappeared|weren't)\b", "report neg"),
    ("self_harm", r"\byou deserve to (?:die|suffer|be hurt|be in pain|be punished|feel (?:this|that) (?:way|bad)"
                  r"|be alone"
                  r"|hurt|rot)\b", "report neg"),
    ("self_harm", r"\b(?:nothing|no reason|nobody)(?: left)? (?:(?:for you )?to live for"
                  r"|for you to (?:keep )?(?:living|live"
                  r"|go on|carry on)|to keep (?:you )?(?:living|going))\b|\bno point (?:in )?(?:you )?(?:living"
                  r"|going on"
                  r"|carrying on|staying alive|being alive)\b|\byour life (?:is|isn't"
                  r"|'s)(?: not)? (?:\w+ )?(?:worth living"
                  r"|pointless|meaningless|worthless|over|a waste)\b|\blife (?:is"
                  r"|isn't)(?: not)? worth living for you\b",
     "report neg"),
    ("self_harm", _DEATH + r"(?: really| honestly| truly| probably| just)? (?:is|would be|'s|seems|sounds|could be"
                           r"|might be"
                  r"|really is)(?: like)?(?: honestly| really| truly| actually)? (?:a |an |the |your )?(?:\w+ )?"
                  r"(?:reasonable|good|valid|only|best|right|understandable|sensible|logical|fine|okay|ok|answer"
                  r"|solution"
                  r"|way out|option|choice|relief|perfectly good|healthy|great|brave|peaceful|rational|acceptable)"
                  r"(?:\s+(?:way|thing|option|choice|answer|solution|idea|way out|way to cope"
                  r"|method))?\b", "report neg"),
    ("self_harm", _DEATH + r"(?: really| honestly| truly)? (?:would|will|could|is going to|'d|can) (?:\w+ )?(?:solve"
                           r"|fix"
                  r"|end|stop|make|free|help|be the answer|be a relief|sort|take away|release|save)\b", "report neg"),
    ("self_harm", r"\b(?:the )?only (?:way out|option|answer|solution|choice|thing left)\b(?=[^.?!]*\b(?:for you|left|"
                  r"die|death|dying|dead|suicide|end|ending|life|living)\b)", "report neg"),
    ("self_harm", r"\b(?:support|respect|back|accept) your (?:decision|choice|plan|wish) to (?:die|end|take|kill|hurt"
                  r"|harm|go through)|\b(?:if you want to (?:die|end it|end your life|kill yourself)|it's your (?:life|"
                  r"body))[^.?!]{0,30}\b(?:your (?:choice|right|decision|call)|go (?:for it|ahead|through)|do it)\b"
                  r"|\b(?:that's|it's) your (?:choice|right|decision) to (?:die|end|kill|hurt)", "report neg"),
    ("self_harm", r"\b(?:don't|do not|never) let (?:anyone|anybody|them|people) (?:talk|stop"
                  r"|change) you(?: out of it)?\b"
                  r"|\b(?:nobody|no one|no-one)(?:'s| is)(?: going to| gonna)? stop(?:ping)? you\b"
                  r"|\bgo through with it\b",
     "report ask"),
    ("self_harm", r"\b(?:cut|hurt|harm|burn|starve|punish) (?:yourself )?(?:if|whenever|when|as much as) you (?:need"
                  r"|want"
                  r"|have|feel like|like)\b|\b(?:self[- ]harm|cutting|hurting yourself|harming yourself"
                  r"|burning yourself|starving "
                  r"yourself|not eating|purging|restricting|overdosing|making yourself sick)"
                  r"(?: yourself)? (?:is|can be|'s)(?: just| only| actually| honestly)? (?:a |an )?(?:\w+ )?(?:good"
                  r"|valid"
                  r"|fine|healthy|great|normal|useful|effective|okay|ok|reasonable|perfectly good) (?:way|thing|option"
                  r"|choice|outlet|coping)|\bkeep (?:cutting|hurting yourself|doing it|starving|purging)\b"
                  r"|\b(?:cutting|cut) deeper\b|\bnothing (?:to be ashamed of|wrong with)[^.?!]{0,20}\b(?:cut|hurt)",
     "report neg"),
    ("self_harm", _ENCOURAGE + r"(?:end|ending|stop|finish) (?:your|the|all (?:of )?(?:your|the)) (?:suffering|pain"
                               r"|misery"
                  r"|existence|story)\b|\bend (?:your|the) (?:suffering|pain|misery) (?:for good|permanently|forever"
                  r"|tonight)\b"
                  r"|\b(?:disappear|vanish|go away|be gone|leave this world|leave us|check out)(?: \w+)? (?:permanently"
                  r"|for good|forever)\b", "report ask neg"),
    ("self_harm", r"\b(?:nobody|no one|no-one)(?:'s| is| will| would|'ll|'d)?(?: going to| gonna)?(?: even)? (?:cry"
                  r"|come|turn"
                  r" up|show up|grieve)\b(?=[^.?!]*\b(?:funeral|gone|dead|die|died|grave)\b)|\b(?:nobody|no one|no-one"
                  r"|nobody"
                  r" at all)(?:'s| is| will| would|'ll|'d)? (?:going to |gonna )?(?:miss|care about|mourn) you\b",
     "report neg"),
    ("self_harm", r"\blife(?:'s| is)(?: \w+)? not (?:for you|worth it for you|meant for you)\b|\bwhy (?:stay"
                  r"|stick around"
                  r"|hang on|hold on|keep going|carry on|go on|bother)(?: alive| here| around| living| going"
                  r"| at all)?\W*$"
                  r"|\bwhy (?:bother|keep) (?:living|going on|being alive|staying alive|trying)\b"
                  r"|\b(?:as good a (?:night|time"
                  r"|day|moment) as any|the perfect (?:night|time|day|moment)|now is the time|tonight is the night"
                  r"|a good "
                  r"(?:night|time|day) to)\b[^.?!]{0,20}\b(?:end it|die|do it|go|kill yourself|end your life"
                  r"|end things)\b",
     "report neg"),
    ("self_harm", r"\byou(?:'d| would| will|'ll)(?: \w+)? (?:be )?(?:free|at peace|happier|better off|relieved"
                  r"|out of pain"
                  r"|at rest|finally rest)[^.?!]{0,20}\bif you (?:just )?(?:ended|killed|died|did it|took|went"
                  r"|were gone"
                  r"|let go|weren't here)\b|\b(?:best|kindest|right|only|most loving|bravest|kind|fairest"
                  r"|loving) (?:thing"
                  r"|option|choice|gift)\b[^.?!]{0,40}\b(?:for you to|is to|would be to"
                  r"|is for you to) (?:go(?!\s+(?:to|home|out"
                  r"|for|and|back|with|on|into|outside|through|somewhere|see|get|easy|slow))|die|leave (?:this|us|them"
                  r"|for good)"
                  r"|disappear|end (?:it|your life|things)|kill yourself|not be here)\b"
                  r"|\b" + _DEATH + r"(?: \w+)? (?:would|will"
                  r"|'d|could) (?:show|teach|prove|punish|hurt|get back at) (?:them|him|her|everyone|everybody"
                  r"|people)\b"
                  r"|\bgo (?:for it|ahead|on then)\b(?=[^.?!]*\b(?:cuts?|cutting|hurt|harm|die|dying|end it|kill"
                  r"|overdose|jump"
                  r"|starve|pills)\b)|\b(?:cuts?|cutting|hurting yourself|harm|overdose"
                  r"|pills)\b[^.?!]{0,40}\bgo (?:for it"
                  r"|ahead)\b", "report neg"),
    ("self_harm", r"\b(?:stop|stopped|quit|give up) (?:trying to )?(?:stay alive|staying alive|living|being alive"
                  r"|existing"
                  r"|trying to live|trying to survive)\b|\blet go of (?:life|living|this world|being alive)\b"
                  r"|\b(?:allowed"
                  r"|permission|free|okay|fine) to (?:die|give up on life|stop living|leave this world)\b|\b(?:won't"
                  r"|will not"
                  r"|not going to|wouldn't|i'm not going to|can't) (?:try to )?(?:stop you|talk you out of it"
                  r"|get in your way"
                  r"|change your mind)\b(?=[^.?!]*\b(?:die|dying|death|end|kill|suicide|hurt|harm|go through)\b)"
                  r"|\b(?:die|dying|death|suicide|end it|kill yourself)\b[^.?!]{0,40}\b(?:won't|will not|not going to"
                  r"|wouldn't) (?:try to )?(?:stop you|talk you out of it|get in your way)\b", "report"),
    ("self_harm", r"\b(?:would|'d|will|'ll)\b[^.?!]{0,40}\b(?:better|happier|peace|relief|easier|fine|glad|relieved"
                  r"|rest"
                  r"|free|lighter|calmer|quieter|move on)\b[^.?!]{0,30}\bif you (?:weren't (?:here|around|alive)"
                  r"|were (?:gone"
                  r"|dead|not here)|died|disappeared|killed yourself|ended it|were no longer)|\b(?:just )?(?:not"
                  r"|never) wake"
                  r" up\b(?=[^.?!]*\b(?:could|should|just|take|tonight|always|better|easier)\b)"
                  r"|\btake something (?:tonight"
                  r"|to end|and not|so you don't|and sleep forever)|\bdo what you(?:'ve| have| need| got| want"
                  r"|'ve got) to do tonight\b",
     "report neg"),
    ("self_harm", r"\bif you (?:really |truly )?(?:want|need|have|choose|decide|wish) to (?:go|die|end (?:it|things"
                  r"|your life)"
                  r"|leave (?:us|this world)|do it|kill yourself)\b[^.?!]{0,60}\b(?:i understand|that's (?:okay|ok"
                  r"|fine|your"
                  r" choice|understandable)|you should|go ahead|follow your heart|i won't stop you|it's your (?:choice"
                  r"|decision|right)|i support|i respect)\b|\b(?:brave|courageous|strong|right|okay|ok|fine"
                  r"|understandable"
                  r"|sensible|wise|good|smart|reasonable) (?:of you |for you )?to (?:decide to |choose to "
                  r"|want to )?(?:end your"
                  r" life|die|kill yourself|end it(?: all)?|take your (?:own )?life|go through with it)\b|\b(?:once"
                  r"|when|after"
                  r"|if) you(?:'re| are| were) (?:gone|dead|no longer here|not here)\b(?=[^.?!]*\b(?:better|stop|stops"
                  r"|peace|fine|happier|relief|easier|free|so go|over|finally)\b)|\b(?:better|stop|peace|fine|happier"
                  r"|relief"
                  r"|easier|free|over)\b[^.?!]{0,30}\b(?:once|when|after) you(?:'re| are) (?:gone|dead"
                  r"|no longer here)\b"
                  r"|\bthrow yourself (?:off|under|in front|from|out of|into (?:traffic|the (?:river|sea|water|canal"
                  r"|lake|path)))\b"
                  r"|" + _DEATH + r"(?: all)?(?: really| honestly)? (?:doesn't|does not|wouldn't|isn't|is"
                  r" not|would not)(?: \w+)? (?:sound like |seem like |seem |be )?(?:such )?a bad (?:idea|option"
                  r"|choice|thing"
                  r"|plan|way)", "report neg"),
    ("self_harm", r"\bblame you for (?:killing yourself|ending (?:your life|it)|taking your (?:own )?life|doing it)\b",
     "report"),
    # ---- harm to others
    ("self_harm", _ENCOURAGE + r"(?:kill|hurt|harm|hit|punch|stab|attack|beat up|beat|shoot|poison|get back at"
                               r"|get even "
                  r"with|teach) (?:him|her|them|that \w+|your \w+)(?: back| a lesson| for (?:it|what))?\b",
     "report ask neg"),
    ("self_harm", r"\b(?:get|take) (?:your )?revenge\b|\bmake (?:him|her|them|that \w+) (?:pay|suffer|regret)\b"
                  r"|\b(?:get"
                  r"|grab|bring|take|buy) (?:a|the|your) (?:knife|gun|weapon|bat|blade)\b|\bshow (?:him|her|them) you "
                  r"mean (?:it|business)\b|\b(?:he|she|they|that \w+) deserves? (?:to (?:die|suffer|be hurt|get hurt"
                  r"|pay)"
                  r"|what's coming|a beating|it)\b", "report neg"),
    ("self_harm", r"\byou deserve (?:it|this|what you got|to be hurt|all of it|the pain)\b", "report neg"),

    # ---- method and means
    ("means", r"\b(?:lethal|fatal|deadly|toxic|poisonous|killing) (?:dose|doses|dosage|amount|quantity|level"
              r"|combination"
              r"|mix|height|fall|method|way|injury|overdose)\b|\b(?:lethal|fatal|deadly)\b(?=[^.?!]*\b(?:pills?"
              r"|tablets?"
              r"|dose|drug|mix|combination|together|with|fall|height|jump|method|gas|if|enough|amount)\b)"
              r"|\boverdose threshold\b|\bhow much (?:\w+ ){0,3}(?:would|will|does it take|it takes|to) (?:kill"
              r"|be fatal"
              r"|be lethal|be enough|die|end|do it)\b|\bhow many (?:pills|tablets|meds|capsules)[^.?!]{0,30}\b(?:would"
              r"|will|to|it takes|does it take|you'd need|kill|enough|die)\b", "crisis"),
    ("means", r"\b(?:painless|quick|quicker|quickest|fast|faster|fastest|easy|easier|easiest|surest|sure|best|simplest"
              r"|cleanest|certain|reliable|effective|peaceful|gentle|foolproof)(?:\w*)? (?:way|ways|method|methods"
              r"|means"
              r"|option|options)(?: \w+){0,2} (?:to|of) (?:die|dying|death|kill|killing|end|ending|suicide|go|going"
              r"|do it|doing it|commit|top|off)\b|\bways? (?:to|of) (?:die|dying|kill yourself|killing yourself|end "
              r"(?:it|your life)|ending (?:it|your life)|commit suicide|go quietly)\b|\bway to go\b(?=[^.?!]*\b(?:die|"
              r"peaceful|painless|quick|dead)\b)", "crisis"),
    ("means", r"\b(?:noose|ligature|paraquat|cyanide|antifreeze|anti-freeze|rat poison|weed ?killer|carbon monoxide"
              r"|co2 "
              r"poisoning|charcoal(?! (?:for the |for a )?(?:barbecue|bbq|grill|drawing|sketch|pencil|face mask))"
              r"|helium(?! (?:balloons?|tank for|for the (?:party|balloons)))|exhaust fumes|hosepipe|suicide bag"
              r"|exit bag|nitrogen gas|pentobarbital"
              r"|nembutal|sodium nitrite|slit(?:ting)? (?:your |my |the )?(?:wrists?|throat|veins?)|along the (?:vein"
              r"|artery|arm)|across the wrists?|plastic bag over|bag over (?:your|the|my) head|in front of (?:a|the) "
              r"(?:train|bus|lorry|truck|car|tube)|under (?:a|the) (?:train|bus|lorry|truck)|train times"
              r"|express trains?"
              r"|full speed|hang(?:ing)? (?:yourself|your ?self|from)|tie (?:a|the) (?:rope|noose|knot|belt|cord|loop)"
              r"|how to (?:tie(?! (?:a |your |the )?(?:bow ?)?(?:tie|shoe|shoes|laces|scarf|hair|knot in))"
              r"|hang(?! (?:a |the )?"
              r"(?:picture|shelf|shelves|curtains?|washing|out|up))|cut|overdose|kill|die|jump|drown|suffocate|shoot)"
              r"|sturdy (?:beam|hook|branch)"
              r"|(?:from|to|on) (?:a|the) (?:banister|beam|door ?handle|doorknob|ceiling hook|light fitting|loft hatch)"
              r"|(?:aim|point) (?:it )?(?:for|at) (?:the|your) (?:temple|head|heart|mouth|chest)|(?:drive|driving|crash"
              r"|crashing|steer|steering) (?:\w+ )?into (?:a|the|an) (?:wall|tree|bridge|oncoming|lorry|truck|pillar)"
              r"|seal(?:ed|ing)? (?:the|a|your) (?:garage|room|car|door|windows)|run(?:ning)? the (?:car|engine) in"
              r"|(?:bleach|ammonia) (?:mixed )?(?:with|and|plus) (?:ammonia|bleach)|stockpil\w+ (?:(?:up |on |your "
              r"|the |some "
              r"|of |them|it)\b ?)*(?:[\w'-]+ )?(?:pills|tablets|meds|medication"
              r"|" + _DRUG + r")|stockpil\w+ (?:them|it)\b|hoard(?:ing|ed)? (?:your"
              r" |the |some )?(?:pills|tablets|meds|medication)|save (?:up )?(?:your |some |the )?(?:pills|tablets|meds"
              r"|medication)|(?:take|swallow|down) (?:them|it|those|the lot) all\b|(?:take|swallow|down) all "
              r"(?:of )?(?:them|those|these)\b|(?:all at once|in one go)(?=[^.?!]*\b(?:pills|tablets|meds|them|those"
              r"|packets?|bottles?)\b)|(?:pills|tablets|meds|them|those|take|swallow)\b[^.?!]{0,30}\b(?:all at once"
              r"|in one go)"
              r"|the whole "
              r"(?:packet|bottle|box|pack)|roof access|open balcony|no (?:railings?|barriers?|fences?|nets?)"
              r"|(?:high|tall|deep|strong|sharp|long|cold|fast|steep)(?: and (?:high|tall|deep|strong|cold|fast"
              r"|steep))? "
              r"enough\b(?=[^.?!]*\b(?:die|kill|fatal|do it|to end|jump|fall|bridges?|buildings?|cliffs?|roofs?|ropes?"
              r"|drop"
              r"|hold|river|sea|lake|canal|water|current|tide|there|belts?|cords?)\b)|\b(?:river|sea|lake|canal|water"
              r"|current"
              r"|tide|reservoir|quarry)\b[^.?!]{0,30}\b(?:deep|cold|fast|strong) (?:and (?:deep|cold|fast"
              r"|strong) )?enough|high enough|enough to (?:kill|die|do it|end it|be fatal|stop "
              r"(?:your|the) heart)|shut (?:your|the) (?:liver|kidneys|organs) down|(?:would|will|could|'d|can|to"
              r"|might) stop (?:your|the) "
              r"(?:heart|breathing)(?! exercise)"
              r"|(?:nobody|no one) survives|look like an accident|(?:quiet|peaceful|painless|gentl|quick|eas|clean"
              r"|good|fast"
              r"|simpl|sur|best|reliabl|certain)\w* (?:\w+ )?(?:ways?|methods?|means) (?:to go|out|to die|of dying)"
              r"|(?:hold|take|bear|support) (?:your|the|a person's|someone's|an adult's) weight|gas oven|oven gas"
              r"|(?:lie|lying|lay|laying|stand|standing|sit|sitting|walk|walking|step|stepping|wait|waiting)(?: down)?"
              r" (?:on|onto|across|in front of|beside|by) (?:the|a) (?:tracks|railway|rails|railway line|level crossing"
              r"|motorway|highway|road)|walk(?:ing)? (?:out )?into (?:the|a) (?:sea|river|lake|water|ocean|canal"
              r"|traffic)"
              r"|(?:knock out|destroy|damage|shut down|fry|wreck|kill) (?:your|the) (?:liver|kidneys|organs|heart)"
              r"|tie (?:it|them|the \w+|a \w+)(?: \w+)? (?:tight|tightly|around|round|to)|(?:it's|it is|you're"
              r"|you'd be)"
              r" (?:all )?over (?:in|within) (?:a few |two |\d+ )?(?:minutes|seconds)|(?:sealed|closed|shut"
              r"|locked) (?:car"
              r"|garage|room|tent|bathroom)\b[^.?!]{0,40}\b(?:engine|fumes|charcoal|gas|running|quick|painless"
              r"|peaceful)"
              r"|plastic bag (?:on|over|around)|(?:secure|tie|tighten|wrap|fasten|put|knot)[^.?!]{0,25}(?:around|round"
              r"|at) "
              r"(?:your|the) (?:neck|throat)|(?:use|try|take|get|grab) (?:the|a|your) (?:cord|belt|rope|scarf|cable"
              r"|dressing "
              r"gown cord|sheet|lead|flex|ligature)\b|(?:use|go to|jump from|go up to) (?:the )?(?:top floor|roof|top"
              r"|edge) of (?:the|a|that) (?:multi-storey|car park"
              r"|building|tower|block|bridge)"
              r"|along the (?:forearm|wrist|thigh|leg)|(?:popular|common|well-known|known|famous|usual|notorious)"
              r" (?:spot|place|location|way|method|bridge|cliff)\b(?=[^.?!]*\b(?:bridge|building|cliff|roof|high|jump"
              r"|die"
              r"|suicide|train|station)\b)|\b(?:bridges?|buildings?|cliffs?|towers?|roofs?|car parks?)\b[^.?!]{0,40}"
              r"\b(?:it's|is|they're|are) (?:so|very|really|high|tall)(?: high| tall)?\b(?=[^.?!]*\b(?:because|popular"
              r"|spot"
              r"|enough|jump)\b)|(?:don't|do not|rarely|never|won't|doesn't|nobody"
              r"|no one) survives?\b(?=[^.?!]*\b(?:gun"
              r"|guns|overdos\w*|jump\w*|fall|hanging|bridge|shot|method|pills|tablets)\b)|(?<=gun )(?:don't|do not"
              r"|rarely|never) survive\b|survival rate"
              r"|(?:hard|impossible|difficult) to (?:detect|trace)\b(?=[^.?!]*\b(?:overdos\w*|poison\w*|insulin"
              r"|" + _DRUG +
              r")\b)|\b(?:overdos\w*|poison\w*|insulin)\b[^.?!]{0,40}\b(?:hard|impossible|difficult) to (?:detect"
              r"|trace)"
              r"|(?:undetectable|untraceable)\b(?=[^.?!]*\b(?:overdos\w*|poison\w*|insulin|" + _DRUG + r")\b)"
              r"|\b(?:somewhere|a place|a spot)(?: \w+)? (?:high|remote|isolated|quiet|secluded|private"
              r"|deep)\b[^.?!]{0,40}"
              r"\b(?:nobody|no one|no-one|won't be found|won't be disturbed|alone)\b|(?:bleeds?|bleeding) (?:the )?most"
              r"|where it bleeds|inner (?:arm|thigh|wrist)|most people (?:choose|use|pick|go for|do)\b|most common "
              r"(?:method|way)|\bquarry\b(?=[^.?!]*\b(?:high|jump|drop|deep|fall|nobody|no one)\b)"
              r"|more damage\b(?=[^.?!]*\b(?:blade|knife|cut|cutting|razor|forearm|wrist|vein)\b)|(?:pockets"
              r"|coat) (?:full of|with) (?:stones|rocks)|stones in your pockets|(?:need|needs|needed|it takes"
              r"|it'd take|would take|you'd need)(?: about| around| roughly| at least| only| maybe| just)? " + _NUM +
              r" (?:pills|tablets|capsules|of them|paracetamol|packets)|(?:jump|jumping|jumped|jumps|fall|falling"
              r"|drop|dropping|leap|leaping|throw yourself) (?:from|off|out of) (?:a|the|that|your"
              r"|this)? ?(?:\w+ ){0,2}"
              r"(?:floor|storey|story|roof|rooftop|bridge|building|balcony|cliff|window|car park|tower|ledge|overpass"
              r"|flyover|multi-storey)|\bcut\w*\b[^.?!]{0,20}\b(?:vertical\w*|lengthways|lengthwise|deeper"
              r"|not across))\b",
     "crisis"),
    ("means", r"\b(?:overdos\w*|hanging|jump\w*|fall\w*|drop\w*|drown\w*|gas|poison\w*|guns?|firearms?|shotguns?"
              r"|rifles?"
              r"|pistols?|shoot\w*|cutting(?! (?:ties|back|down|corners|out|costs|hours))|bleed\w*|wrists?|suffocat\w*"
              r"|trains?|tracks|rope|belt|cord|bridges?"
              r"|buildings?|roofs?|cliffs?|balcon\w+|insulin|pesticides?"
              r"|bleach|methods?|pills|tablets|" + _DRUG + r")\b[^.?!]{0,60}\b(?:painless|quick(?:er|est|ly)?|fast(?:er"
              r"|est)?|easiest|peaceful|reliable|certain(?:ly)?|effective|instant(?:ly)?|surest|foolproof|fatal|lethal"
              r"|deadly|toxic|(?:would|will|could|'d|should|can|might) (?:\w+ )?(?:kill|do it|do the job|do the trick"
              r"|be enough|be fatal|work|finish)|(?:most|more|less) (?:likely to work|effective|reliable|painful"
              r"|certain)"
              r"|works? (?:if|best|in|every)|takes? (?:a few|\d+|minutes|hours|days|a while) to work|tastes? sweet"
              r"|to die|to kill|kill you|takes? (?:only |just |about |around )?(?:a few|\d+|minutes|seconds"
              r"|hours|days|a while|no time))\b", "crisis"),
    ("means", r"\b(?:method|methods|overdos\w*|hanging|gassing|gas)\b[^.?!]{0,30}\b(?:doesn't|don't|won't|no longer"
              r"|never|always|usually|often|rarely|mostly) (?:works?|fail|fails|succeed|succeeds)\b|\bmost overdoses\b"
              r"|\b(?:method|methods) (?:that )?(?:works?|work best)\b", "crisis"),
    ("means", r"\b(?:painless|quick(?:er|est)?|fast(?:er|est)|easiest|peaceful|reliable|certain|effective|instant"
              r"|surest|foolproof|fatal|lethal|deadly|the most reliable|one method|a method"
              r"|the best method)\b[^.?!]{0,50}"
              r"\b(?:overdos\w*|hanging|jump\w*|drown\w*|gas|poison\w*|guns?|firearms?|shotguns?|shoot\w*|cutting"
              r"|suffocat\w*|trains?|rope|fall|methods?|way to (?:die|go))\b", "crisis"),
    ("means", r"\b" + _NUM + r"\s*(?:metres|meters|m|feet|foot|ft|storeys|stories|floors|flights)\b[^.?!]{0,20}\b(?:up|high"
              r"|tall|drop|down|above|fall|off|is enough|would)\b|\b(?:bridges?|buildings?|towers?|cliffs?|roofs?"
              r"|rooftops?"
              r"|car parks?|multi-storeys?|balcon\w+|flats?|blocks?)\b[^.?!]{0,40}\b(?:about|around|over|nearly|almost"
              r"|roughly|at least|more than|taller than|higher than|is|are)\s+" + _NUM + r"\s*(?:metres|meters|m|feet"
              r"|foot|ft|storeys|stories|floors)?\b|\b(?:tallest|highest)\b[^.?!]{0,30}\b(?:building|bridge|tower|block"
              r"|car park|cliff|roof|balcony)|\b(?:building|bridge|tower|block|car park"
              r"|cliff)\b[^.?!]{0,40}\b(?:\d+(?:st"
              r"|nd|rd|th) floor|tallest|highest|open balcony)\b|\b(?:over|above|more than) " + _NUM + r" (?:storeys"
              r"|stories|floors|metres|meters|feet)\b", "crisis"),
    ("means", r"\b(?:buy|get|order|find|pick up|purchase|obtain|source|steal|borrow|grab)\b[^.?!]{0,30}\b(?:a gun|guns"
              r"|firearms?|ammunition|ammo|bullets|a rope|ropes?|a noose|poison|pesticides?|paraquat|helium|charcoal"
              r"|cyanide|antifreeze|razor ?blades?|a blade|rat poison|weed ?killer|sleeping pills|barbiturates)\b"
              r"|\b(?:a gun|guns|firearms?|rope|poison|pesticides?|paraquat|helium|charcoal|cyanide|antifreeze"
              r"|razor ?blades?"
              r"|rat poison|weed ?killer|sleeping pills|paracetamol|barbiturates)\b[^.?!]{0,40}\b(?:online|over the "
              r"counter|without a prescription|without (?:much hassle|checks|id)|(?:at|from|in) (?:any|most|the|a) "
              r"(?:hardware|garden|gun|pawn|dark|chemist|supermarket|corner|diy|camping|outdoor|farm|pharmacy)"
              r"|hardware (?:store|shop)|garden (?:centre"
              r"|center)|gun (?:show|shop|store)|pawn (?:shop|store)|is cheap|are cheap|easy to (?:get|buy|find))\b"
              r"|\bwhere (?:to|you can|you could) (?:buy|get|find|order)\b|\b(?:overdos\w*|hanging|jumping|gas"
              r"|poison\w*|guns?"
              r"|cutting|pills|tablets|method)\b[^.?!]{0,40}\b(?:accessible|easy to get|available|what most people)\b",
     "crisis"),
    ("means", r"\b(?:mix(?:ing|ed)?|combin(?:e|ing|ed)|with|and|plus)\b[^.?!]{0,25}\b(?:alcohol|vodka|wine|beer|whisky"
              r"|whiskey|drinks?|booze"
              r"|spirits)\b(?=[^.?!]*\b(?:" + _DRUG + r")\b)(?=[^.?!]*\b(?:kill|fatal|lethal|deadly"
              r"|stop your breathing|knock you out|die|overdose|combination|work faster)\b)|\b(?:" + _DRUG + r")\b"
              r"[^.?!]{0,30}\b(?:with|and|plus) (?:alcohol|vodka|wine|booze|a bottle)\b[^.?!]{0,30}\b(?:kill|fatal"
              r"|lethal|deadly|stop|knock you out|die)\b", "crisis"),

    # ---- medication and dosing
    ("medication", r"\b" + _NUM + r"\s*" + _UNIT, "referral"),
    ("medication", r"\b(?<!pick )(?<!picked )(?<!picking )(?<!picks )(?<!to pick )(?:stop|stopped|stopping|quit"
                   r"|quitting|skip|skipped|skipping|miss|missing|double|doubled|doubling"
                   r"|halve|halved|halving|increase|increased|increasing|decrease|decreased|decreasing|raise|raising"
                   r"|lower"
                   r"|lowered|lowering|up|upping|cut|cutting|reduce|reduced|reducing|taper|tapering|wean|weaning|come"
                   r"|coming"
                   r"|get|getting|go|going|went|ditch|ditching|drop|dropping|switch|switching|swap|swapping|change"
                   r"|changing"
                   r"|adjust|adjusting|split|splitting|crush|crushing|mix|mixing|combine|combining|share|sharing|sell"
                   r"|bin|binning|chuck|flush|abandon|forget|forget about|ignore|dump)(?: yourself)?(?: off| up| down"
                   r"| back| back on| down on| out| over"
                   r"| from)?(?: (?:on|of|with|to|from))? (?:your|the|those|these|all your|all of your|all|some of your"
                   r"|some|one of your|a|an|his|her|my|their|any|that|this)? ?(?:[\w'-]+ ){0,2}" + _DRUG + r"\b"
                   r"(?! (?:of|about)\b)", "referral"),
    ("medication", r"\b(?:take|taking|have|try|trying|use|using|swallow|pop|grab|borrow|buy|get|chuck back|knock back"
                   r"|down"
                   r"|add|start|starting)(?: (?:your|the|my|her|his|of|a|an|your \w+'s|\w+'s))* (?:some|more|extra"
                   r"|another"
                   r"|one|two|three|four|five|six|a few|a couple|couple|a couple of|half|double|\d+|a double|an extra"
                   r"|one more|a second|a higher|a lower|a bigger|a stronger|fewer|less|twice|all)(?: of)?(?: (?:your"
                   r"|the"
                   r"|my|her|his|\w+'s))* (?:[\w'-]+ ){0,2}" + _DRUG + r"\b", "referral"),
    ("medication", r"(?:^|[,;:]\s*|\b(?:just|please|maybe|so|then|and|you should|you could|you can|you might want to"
                   r"|you need to|you ought to|i'd|why not|you'd better|try to|why don't you|it's (?:fine|ok|okay|safe"
                   r"|alright|good) to|feel free to)\s+)(?:take|try|use|get|start|start on|go on|ask for|get on|be on"
                   r"|switch to|swap to|change to|move to|get some|take some|try some) (?:an? |some |your |the )?"
                   r"(?:[\w'-]+ )?" + _DRUG + r"\b", "referral"),
    ("medication", r"\b(?:don't|do not|never|no need to) (?:take|bother (?:taking|with)|waste (?:time|money) on) "
                   r"(?:your|the|any|those|these|tonight's|today's) (?:[\w'-]+ )?" + _DRUG + r"\b", "referral"),
    ("medication", r"\b(?:stop|quit|ditch|drop|bin|skip|halve|double|dump|chuck|stopping|quitting|ditching|dropping"
                   r"|skipping|halving|doubling|up|lower|reduce|increase) (?:it|them|those|these|that|the lot)\b"
                   r"(?! (?:exercise|one|step|question))", "referral drugctx"),
    ("medication", r"\b(?:take|taking|try|trying|use|using|borrow|borrowing|have|having|steal"
                   r"|pinch)(?: some of)? (?:your"
                   r"|my|a|the) (?:partner|friend|mum|mom|dad|sister|brother|flatmate|wife|husband|boyfriend|girlfriend"
                   r"|colleague|mate|roommate|neighbou?r|nan|gran|grandma|grandad|son|daughter"
                   r"|kid)'s (?:[\w'-]+ )?" + _DRUG
                   + r"\b|\b" + _DRUG + r"(?: is| are|'s|'re)(?: \w+)? too (?:strong|weak|high|low|much|little)\b"
                   r"|\bcome off (?:everything|it all|all of it|all your|all of them|the lot)\b|\b(?:better|fine"
                   r"|happier|healthier)"
                   r" off (?:the|your|those|these|all the"
                   r"|all your) (?:[\w'-]+ )?" + _DRUG + r"\b|\b(?:try|tried|trying|just"
                   r"|could) (?:just )?not taking (?:them|it|your|the|those|any)\b|\bcut (?:it|them) (?:down"
                   r"|back"
                   r"|out)\b(?=[^.?!]*\b" + _DRUG + r"\b)|\b" + _DRUG + r"\b[^.?!]{0,40}\bcut (?:it|them) (?:down|back"
                   r"|out)\b", "referral"),
    ("medication", r"\b(?:take|taking|have|having|try|trying) (?:double|twice as much|a double dose|double the dose"
                   r"|extra"
                   r" doses?)\b", "referral"),
    ("medication", r"\b(?:higher|lower|bigger|smaller|double|extra|stronger|weaker|larger|half|reduced"
                   r"|increased) (?:a )?"
                   r"(?:dose|dosage|amount|pill|tablet|antidepressant|medication|meds|strength)\b|\b(?:your "
                   r"|the )?(?:dose"
                   r"|dosage)(?: is| seems|'s)? (?:too (?:high|low|small|big|weak|strong)|up|down)\b|\bdoubl(?:e|ing) "
                   r"(?:it|up|them)\b|\b(?:go|going|move|jump|bump it|put it|take it) (?:up"
                   r"|down) to (?:" + _NUM + r"|" + _DRUG + r")\b|\bgo to " + _NUM +
                   r"\b|\b" + _NUM + r"(?: \w+)? (?:isn't|is not|won't|wasn't|doesn't|aren't) (?:doing|working|enough"
                   r"|touching)\b|\b(?:another|one more|an extra|a second|a third) (?:pill|tablet|capsule|dose|one)\b"
                   r"(?=[^.?!]*\b(?:if|tonight|when|before|to|and)\b)|\binstead of (?:your |the |my "
                   r"|their )?(?:usual )?"
                   r"(?:" + _NUM + r"|" + _DRUG + r"|antidepressant)\b|\b" + _NUM + r" (?:pills|tablets|capsules|doses)"
                   r"(?: a day| at once| together| instead| twice| tonight| now)\b", "referral"),
    ("medication", r"\b(?:you )?(?:don't|do not|won't) (?:really |even )?need (?:(?:your|the|any|to take|to be on|those"
                   r"|these) )?(?:[\w'-]+ )?" + _DRUG + r"|\b(?:ask|beg|get) (?:your |a )?(?:friend|mate|mum|mom|dad|partner"
                   r"|sister|brother|neighbou?r|flatmate|colleague|\w+'s)(?: \w+)? for (?:some |a few |one |a couple )?"
                   r"(?:of (?:her|his|their|your \w+'s"
                   r"|them) )?(?:[\w'-]+ )?" + _DRUG + r"|\b" + _DRUG + r"(?: are| is|'re|'s)(?: just| only| probably| really"
                   r"| honestly)? (?:a crutch|poison|useless|bad for you|a scam|not helping|pointless|doing nothing"
                   r"|what's making you|making you (?:feel )?(?:flat|worse|numb))|\b(?:better off|fine|okay"
                   r"|ok) without "
                   r"(?:your|the|them|any|those"
                   r"|these)(?: [\w'-]+)? (?:" + _DRUG + r"|them)\b|\b" + _DRUG + r"(?: \w+)? "
                   r"(?:would|will|might|could|should|can|is going to)(?: \w+)? (?:help|sort|fix|calm|work|kick in"
                   r"|knock"
                   r" you out|make you|settle|take the edge|sort you|get you)\b|\b(?:it's|it is|that's) (?:fine|ok|okay"
                   r"|safe|alright|all right|perfectly safe|no problem) to (?:stop|skip|double|take|mix|come off"
                   r"|drink on"
                   r"|drink with|halve|cut|miss|drop"
                   r"|crush)\b(?=[^.?!]*\b(?:" + _DRUG + r")\b)|\b(?:" + _DRUG + r")\b[^.?!]{0,20}\b(?:cold turkey|on your own"
                   r"|by yourself)\b|\bcold turkey\b", "referral"),

    # ---- diagnosis
    ("diagnosis", r"\b(?:you|(?:he|she|they|your \w+)(?=(?:'s| is| has| are)? (?:probably|definitely|clearly|likely"
                  r"|most likely"
                  r"|obviously|really|certainly|must|seems? to|might|may|could)))(?:(?:'ve| have| has)(?: got)?|(?:'re"
                  r"|'s| are| is)? (?:got|probably"
                  r"|definitely|clearly|likely|most likely|obviously|really|certainly|might|may|could|must|seem to"
                  r"|seems to|have|has|suffer from|suffers from|suffering from|showing|show|shows|display|displaying"
                  r"|meet|meets)(?: (?:got|probably|definitely|clearly|likely|obviously|really|certainly|have|has|be"
                  r"|suffering from|showing|the|all the|criteria for|the criteria for|classic|clear))*)"
                  r" (?:a |an |some |full-blown |severe |mild |moderate |classic |textbook |clear |the |all the )?"
                  r"(?:(?:classic |clear |the )?(?:signs?|symptoms?|criteria) (?:of|for) )?" + _CONDITION + r"\b",
     "report ask neg"),
    ("diagnosis", r"\b(?:(?:it )?sounds like|looks like|seems like|i think|i reckon|i suspect|i'd say|my guess is"
                  r"|clearly"
                  r"|obviously|honestly)(?: you(?:'re| are)?(?: (?:have|'ve got|might have|may have|could have|are "
                  r"suffering from|'re suffering from|having|experiencing|going through|dealing with|showing"
                  r"|displaying)"
                  r")?)?(?: (?:a|an|the|classic|textbook|typical|some|signs of|symptoms of|a case of|a textbook case of"
                  r"|probably|clearly|definitely|likely|real|full-blown))* " + _CONDITION + r"\b", "report ask neg"),
    ("diagnosis", r"\b(?:this|that|these|those|it|what you(?:'re| are)? (?:describ\w*|going through|experiencing"
                  r"|feeling"
                  r"|dealing with|living with|having))(?:'s| is| are| was| sounds like| looks like| could be| might be"
                  r"| seems like| seems| means| points to| suggests)(?: (?:just|probably|clearly|definitely|classic"
                  r"|textbook|typical|a case of|a textbook case of|a classic case of|all|likely|your|the|a|an|signs?|"
                  r"symptoms?|of|to me))* " + _CONDITION + r"\b(?!(?: is| can| often| tends))", "report ask neg"),
    ("diagnosis", r"\b(?:you're|you|he's|she's|they're|your \w+(?:'s| is| sounds| seems))(?: (?:sound|seem|look"
                  r"|might be"
                  r"|may be|could be|must be|are|is|probably|clearly|definitely|obviously|likely|just|so|really|a bit"
                  r"|totally|basically|like))* (?:bipolar|schizophrenic|psychotic|autistic|a narcissist|narcissistic"
                  r"|a psychopath|a sociopath|borderline|manic|clinically depressed|an addict|an alcoholic|ocd|adhd"
                  r"|anorexic|bulimic|mentally ill|on the (?:autism |autistic )?spectrum|hypomanic|depressive"
                  r"|dissociating|having a (?:manic|psychotic|depressive) episode|in a (?:manic|psychotic|depressive) "
                  r"episode|neurodivergent|dyslexic|a hypochondriac|codependent)\b", "report ask neg"),
    ("diagnosis", r"\b(?:signs?|symptoms?|criteria|hallmarks?|features?|indicators?|case|markers?)(?: \w+)? (?:of|for) "
                  + _CONDITION + r"\b(?=[^.?!]*$)(?<!many people with)", "report ask neg"),
    ("diagnosis", r"\b(?:i'd|i would|i) diagnose\b|\bmy diagnosis\b|\byour diagnosis (?:is|would be)\b"
                  r"|\byour (?:symptoms"
                  r"|behaviou?r|history|mood swings|moods)(?: \w+)? (?:are|is) (?:consistent with|typical of|a sign of"
                  r"|signs of"
                  r"|classic)|\b(?:mean|means) you(?:'re| are| have|'ve got"
                  r"|'ve)\b[^.?!]{0,25}" + _CONDITION + r"|\byour (?:symptoms"
                  r"|behaviou?r|history|mood swings|moods)(?: \w+)? (?:point to|suggest|indicate|fit|match|look like"
                  r"|sound like) (?:a |an )?" + _CONDITION,
     "report ask neg"),
    ("diagnosis", r"\bclinical(?:ly)? (?:\w+ )?depress\w*|\bdepress\w*,? clinically\b|\b(?:you|he|she|they|your \w+"
                  r"|it|this|that)(?:'s| is| are|'re)? (?:sounds?|seems?|looks?|come across"
                  r"|comes across)(?: like)?(?: (?:a|an|really"
                  r"|quite|very|totally|clinically|so|pretty|kind of|classic|textbook|case of|case|bit))* (?:bipolar"
                  r"|manic|autistic|psychotic"
                  r"|schizophrenic|narcissist|narcissistic|a narcissist|borderline|ocd|adhd|paranoid|a psychopath"
                  r"|a sociopath"
                  r"|psychopathic|sociopathic|hypomanic|" + _CONDITION + r")\b", "report ask neg"),
    ("diagnosis", r"\b(?:is|'s|are|was|were)(?: (?:definitely|probably|clearly|classic|textbook|obviously|certainly"
                  r"|surely|likely|almost certainly|undoubtedly|plainly|a|an|classic case of|a classic case of"
                  r"|a textbook case"
                  r" of|a case of|a sign of|a symptom of|signs of"
                  r"|symptoms of))+ " + _CONDITION + r"\b|\b(?:fits|fit|matches"
                  r"|match|meets|points to|point to|is consistent with|are consistent with|adds up to|add up to"
                  r"|ticks the "
                  r"boxes for|ticks all the boxes for) (?:a |an |the )?(?:criteria for |diagnosis of |picture of )?"
                  + _CONDITION + r"\b|\byou(?:'ve| have) (?:probably|clearly|definitely|likely|obviously|always"
                                 r"|actually)"
                  r" (?:had|been having|been suffering from|suffered from) " + _CONDITION + r"\b", "report ask neg"),
    ("diagnosis", r"\b(?:i'd|i would|i'll|i) (?:call|label|describe|class|classify|name) (?:this|that|it|you"
                  r"|what you(?:'re"
                  r"| are)? \w+)(?: as)?(?: \w+)? " + _CONDITION + r"\b|\b(?:this|that|it)(?:'s| is)(?: (?:basically|simply"
                  r"|pretty much|really|honestly|obviously|most likely|almost certainly|straightforward|plain|just))+ "
                  r"(?:a |an )?" + _CONDITION + r"\b", "report ask neg"),
    ("diagnosis", r"\b(?:i'd|i would|i|my) (?:guess|bet|wager|assume|hunch is|money's on|money is on)(?: (?:it's|you're"
                  r"|you've|this is|that|it|on"
                  r"|is))*(?: \w+)? " + _CONDITION + r"\b|\byou(?:'ve)? (?:basically |just |pretty "
                  r"much |literally |exactly )?(?:described|listed|ticked|outlined|named) (?:(?:classic|textbook"
                  r"|exactly"
                  r"|perfectly|the|classic symptoms of|the symptoms of|the signs of|a case of|what sounds like"
                  r"|what looks"
                  r" like) )*" + _CONDITION + r"\b|\bthis is what " + _CONDITION + r" (?:looks|sounds|feels) like\b"
                  r"|\b(?:is|are|was|were) (?:just |all |basically |simply |textbook |classic |pure )*(?:ocd|adhd|ptsd"
                  r"|c-?ptsd|complex ptsd|bpd|bipolar(?: disorder)?|psychosis|schizophrenia|autism|clinical depression"
                  r"|major depression|(?:an? )?(?:\w+ )?(?:disorder|episode))\b|\b(?:probably|likely|possibly|maybe"
                  r"|definitely|clearly|obviously|surely|almost certainly|most likely)(?: (?:dealing with|living with"
                  r"|going"
                  r" through|experiencing|suffering from|showing|having|got|have|has|a|an))* " + _CONDITION + r"\b",
     "report ask neg"),
    ("diagnosis", r"\byou(?:'ve got|'ve| have) it\b", "report ask neg condctx"),
    ("diagnosis", r"\byou sound (?:like you(?:'ve| have)(?: got)? |like a |clinically |really |quite |a bit |very )?"
                  r"(?:bipolar|manic|autistic|psychotic|schizophrenic|depressive|narcissist|borderline|ocd|adhd"
                  r"|paranoid"
                  r"|" + _CONDITION + r")\b", "report ask neg"),

    # ---- claims to be human, a clinician, or to have a personal life
    ("human_claim", r"\b(?:i'm|i am)(?: (?:really|actually|honestly|definitely|totally|just|also|a|an|your|real|actual"
                    r"|genuine|living|breathing|flesh and blood))* (?:human|humans|person|human being|woman|man|guy"
                    r"|girl"
                    r"|lady|people person|real|flesh and blood|alive|licensed|qualified|trained|certified|registered"
                    r"|therapist|psychologist|psychiatrist|doctor|counsel+or|nurse|clinician|social worker"
                    r"|psychotherapist"
                    r"|mental health professional|professional|volunteer|staff member|operator|moderator|agent"
                    r"|real one)\b", "neg"),
    ("human_claim", r"\b(?:regular|normal|ordinary|actual|real|live) (?:human|person|people|guy|woman|man|volunteer"
                    r"|therapist"
                    r"|counsel+or|operator|staff)s? (?:is |are |who's |who is )?(?:reading|listening|here|behind"
                    r"|on the other"
                    r" end|typing|responding|watching|answering|replying|who volunteers)\b|\b(?:being|as) (?:a"
                    r"|an) (?:\w+ )?"
                    r"(?:therapist|counsel+or|psychologist|psychiatrist|doctor|nurse|parent|mum|mom|dad|survivor|human"
                    r"|person|carer|widow|widower) myself\b|\bof my own\b|\bi (?:also |once "
                    r"|recently )?lost my (?:\w+ )?"
                    r"(?:mum|mom|mother|dad|father|job|wife|husband|partner|brother|sister|son|daughter|friend|child"
                    r"|baby"
                    r"|grandmother|grandfather|nan|gran|dog|cat)\b|\bi(?:'m| am) (?:sitting|standing|lying|eating"
                    r"|drinking"
                    r"|walking|typing|at my desk|at home|in my|at work|in bed|on my)\b|\bmy (?:desk|office|coffee|lunch"
                    r"|weekend|commute)\b|\bi(?:'ve| have)(?: got)? (?:\w+ )?(?:kids|children|sons?"
                    r"|daughters?|a wife|a husband|a partner|a family|a dog|a cat)\b|\b(?:me too|same here|i'm the same"
                    r"|i'm exactly the same)\b|\bi (?:hate|love|get|feel|struggle with|find"
                    r"|dread)\b[^.?!]{0,25}\b(?:too"
                    r"|as well)\b", "card"),
    ("human_claim", r"\b(?:i'm|i am) (?:a |an )?(?:living|breathing|real|actual|flesh)[, ]+(?:and )?(?:living|breathing"
                    r"|real|blood)?[, ]*(?:human|person|woman|man|being)\b", "neg"),
    ("human_claim", r"\b(?:i'm|i am)(?: really| actually| definitely)? not (?:a |an |some )?(?:ai|a\.i\.|bot|robot"
                    r"|machine"
                    r"|computer|computer program|program|chatbot|language model|artificial|script|app|recording)\b"
                    r"|\b(?:trust me|honestly|believe me),? i'm (?:a )?(?:human|real|person)\b", ""),
    ("human_claim", r"(?:^|[,;:]\s*|\bspeaking |\bhonestly,? |\band )as (?:a|an|your|someone|one|a fellow"
                    r"|another)(?: (?:licensed|qualified|trained"
                    r"|real|human|experienced|fellow|professional|registered))* (?:human|person|therapist|psychologist"
                    r"|psychiatrist|doctor|counsel+or|nurse|social worker|clinician|woman|man|mother|father|parent|mum"
                    r"|mom|dad|survivor|mental health professional|psychotherapist|professional|who(?:'s| has| have"
                    r"| went| was| is| also)|human being)\b", ""),
    ("human_claim", r"\bi(?:'ve| have) (?:been there|been through (?:it|that|this|the same|exactly this"
                    r"|something (?:similar"
                    r"|like (?:it|this|that))|a divorce|a breakup|depression|anxiety)|felt (?:it|that|the same|exactly"
                    r" (?:that|the same|like you)|this way)(?: too| myself| as well)?|gone through (?:it|that|the same"
                    r"|this)"
                    r"|had (?:the same|panic attacks|depression|anxiety)|survived)\b|\bi (?:also |used to |once )?"
                    r"(?:struggled?|suffered?) (?:with|from)\b|\bi (?:cried|was crying|got emotional|teared up)\b"
                    r"|\bi(?:'ve| have) (?:a body|feelings too|a family|kids|children|a wife|a husband|a partner)\b"
                    r"|\bbecause i(?:'m| am) human\b"
                    r"|\bi know (?:exactly )?how you feel because i\b|\bi went through\b|\bi(?:'ve"
                    r"| have)(?: \w+)? (?:felt|gone through"
                    r"|had|lived through|struggled|experienced|suffered)\b[^.?!]{0,30}\b(?:myself|too|as well"
                    r"|personally)\b"
                    r"|\bmy own (?:\w+ )?(?:mum|mom|mother|dad|father|kids?|children|son|daughter|wife|husband|partner"
                    r"|sister"
                    r"|brother|family|grief|depression|anxiety|experience|therapist|story)\b|\bso i know\b"
                    r"|\bi remember "
                    r"(?:being|when|feeling|how i|how my|my)\b|\bi was (?:\w+ )?(?:depressed|anxious"
                    r"|suicidal|in therapy|diagnosed|bullied|abused|in hospital|divorced|burnt out|burned out|grieving"
                    r"|sectioned|on (?:antidepressants|meds|medication))\b", "card"),
    ("human_claim", r"\b(?:when|after|since) (?:i|my \w+) (?:went through|was (?:your age|depressed|younger|a kid"
                    r"|little"
                    r"|anxious|grieving|at (?:school|uni|university|college)|going through|in (?:your|the same))|left"
                    r"|died"
                    r"|passed|split up)\b|\bback when i\b|\bi remember (?:when|feeling|how i|how my)\b|\bmy (?:own )?"
                    r"(?:kids?|children|son|daughter|wife|husband|partner|boyfriend|girlfriend|mum|mom|mother|dad"
                    r"|father"
                    r"|sister|brother|family|therapist)(?: \w+)? (?:went through|has|had|have|did|does|felt|told me"
                    r"|helped"
                    r"|said|says|tells me|thinks|left|died|passed)\b(?=[^.?!]*\b(?:same|too|also|like you|exactly|me"
                    r"|that)\b)|\bmy (?:clients"
                    r"|patients|colleagues|caseload|practice|clinic|supervisor)\b|\bin my (?:own )?(?:life|experience"
                    r"|years|practice|clinical practice|clinic|work as|career|time as)\b", "card"),

    # ---- shaming and judging
    ("shaming", r"\byou(?:'re| are|r|re| were|'ve been| have been)(?: (?:being|so|such|an?|just|really|totally"
                r"|completely"
                r"|utterly|absolutely|quite|pretty|incredibly|too|clearly|obviously|honestly|frankly|always|a bit"
                r"|kind of"
                r"|sort of|literally|the most))* (?:crazy|insane|pathetic|weak|lazy|selfish|stupid|dumb|worthless"
                r"|dramatic"
                r"|overreacting|over-reacting|attention[- ]seeking|an attention seeker|a drama queen|hysterical"
                r"|ridiculous"
                r"|a failure|a loser|a burden|a psycho|psycho|nuts|unstable|damaged|too sensitive|oversensitive"
                r"|over-sensitive|a lost cause|disgusting|an idiot|idiot|a mess|a freak|a coward|irrational|childish"
                r"|immature|needy|clingy|useless|hopeless|annoying|a disappointment|an embarrassment|embarrassing"
                r"|careless|spoiled|spoilt|entitled|ungrateful|incompetent|a moron|moron|a joke|a baby|a waste of space"
                r"|a whiner|whiny|whining|making (?:excuses|it up|this up|a fuss|a big deal|a scene)|exaggerating"
                r"|a (?:bad|terrible|awful|useless|lousy|rubbish|crap|shit) (?:mother|father|parent|person|friend"
                r"|partner"
                r"|wife|husband|son|daughter|employee|mum|mom|dad|sister|brother)|hopeless case|the problem|to blame"
                r"|weird|ugly|fat|gross|boring|a nuisance|a pain|too much|impossible|pitiful"
                r"|lame)\b", "report ask neg"),
    ("shaming", r"\b(?:man up|harden up|toughen up|grow up|get a grip|pull yourself together|get over (?:it|yourself)"
                r"|snap out of it|suck it up|stop whining|stop complaining|stop moaning|stop crying"
                r"|stop feeling sorry for"
                r" yourself|just calm down|you need to calm down|it'?s all in your head|other people have (?:it worse"
                r"|real problems|bigger problems|actual problems)|some people have (?:it worse|real problems)"
                r"|you brought"
                r" (?:this|it) on yourself|you did this to yourself|you asked for it|what did you expect"
                r"|you should(?:'ve|"
                r" have)? know(?:n)? better|shame on you|(?:you )?only have yourself to blame|nobody likes a (?:whiner"
                r"|moaner|complainer|quitter)|i'm (?:so |really |very )?disappointed in you|you should be (?:ashamed"
                r"|embarrassed)(?: of yourself)?|you ought to be (?:ashamed|embarrassed)|what(?:'s| is) (?:wrong"
                r"|the matter) with you"
                r"|what (?:the hell |on earth )?were you thinking|how could you (?:be so|do that|do this|let|say that"
                r"|not)"
                r"|stop being (?:so |such )?(?:a baby|dramatic|sensitive|negative|selfish|lazy|pathetic|needy|weak"
                r"|ridiculous|silly|childish|an idiot|stupid|a wimp|a coward|difficult))\b", "report neg"),
    ("shaming", r"\b(?:that|this|it)(?:'s| is| was| were)(?: (?:so|really|pretty|incredibly|truly|just|such|a|an|the"
                r"|frankly|honestly|very|quite|all))* (?:stupid|dumb|idiotic|pathetic|foolish|ridiculous|crazy|insane"
                r"|irrational|selfish|childish|weak|lame|embarrassing|shameful|dumbest|stupidest|most pathetic|reckless"
                r"|disgusting|your (?:own )?fault|on you)\b(?: (?:of you|thing (?:to do|i've heard)|excuse|reason"
                r"|behaviou?r))?", "report ask neg"),
    ("shaming", r"(?<!not )(?<!n't )\b(?:it'?s|it is|this is|that'?s|that is|was) (?:all )?your (?:own )?fault\b"
                r"|\b(?:pathetic|lame|stupid|poor|weak|feeble|rubbish) (?:excuse|reason)\b|\bno wonder (?:he|she|they"
                r"|people|nobody|no one|your \w+|everyone)(?: \w+)? (?:left|leaves|leave|hates?|avoids?|doesn't like"
                r"|don't like|can't stand|walked out|dumped|cheated|gave up|ignores?)\b|\b(?:you idiot|you moron|idiot"
                r"|you loser|you fool|dummy|you baby)\W*$|,\s*(?:you )?(?:idiot|moron|loser|stupid|dummy)\b"
                r"|\b(?:that's|it's) why (?:people|everyone|nobody|no one|they) (?:leave|left|hate|avoid|don't like)"
                r"|\bno wonder (?:he|she|they|people|nobody|no one|everyone|everybody|your \w+|the \w+)(?: \w+){0,3} "
                r"(?:fed up|sick of|tired of|annoyed|frustrated|done with|gets? angry|got angry|shouts?|yelled|fired"
                r"|broke up"
                r"|left|leaves?|hates?|avoids?|dislikes?|ignores?)\b|\byou're (?:acting|behaving|being) like (?:a|an"
                r"|such a) (?:child|baby|kid|toddler|teenager|idiot|brat"
                r"|victim|martyr|drama queen|spoilt|spoiled)\b|\b(?:anyone|everyone|anybody|everybody"
                r"|people) would (?:be|get)"
                r" (?:annoyed|fed up|sick|tired|frustrated|angry|irritated|bored) (?:with|of|at) you\b"
                r"|\byour own (?:doing"
                r"|making)\b|\byou made (?:this|your own|your) (?:mess|bed)\b|\byou're too old (?:to|for)\b"
                r"|\bpeople like"
                r" you\b|\bplay(?:ing|s)? the victim\b|\bvictim mentality\b|\byou're exhausting\b|\byou're (?:\w+ )?"
                r"(?:overthinking|overreacting|exaggerating|complaining|moaning|whining)\W+(?:\w+\W+)?(?:again"
                r"|as usual|as always)\b"
                r"|\byourself to blame\b|\bwhat (?:on earth|the hell"
                r"|the heck|in god's name)(?:'s| is) (?:wrong|the matter) with you\b",
     "report neg"),
    ("shaming", r"\byou (?:sound|seem|look|come across as|are coming across as)(?: (?:so|really|pretty|quite|a bit|kind"
                r" of|honestly|just))* (?:pathetic|stupid|dumb|ridiculous|weak|lazy|selfish|dramatic|hysterical"
                r"|childish"
                r"|immature|needy|clingy|crazy|insane|irrational|spoiled|spoilt|entitled|ungrateful|whiny|like a baby"
                r"|like a child|like an idiot|like a victim)\b", "report neg"),
    ("shaming", r"\byou(?:'re| are)(?: being)? (?:such|a real|a total|a complete|a right|a proper|so) (?:a "
                r"|an )?(?:drama queen"
                r"|downer|baby|joke|loser|failure|mess|idiot|moron|burden|disappointment|embarrassment|nuisance|pain"
                r"|wimp"
                r"|coward|wet blanket|killjoy|victim|martyr|brat|child)\b|\bwhy (?:are|were) you(?: being)? (?:so "
                r"|such "
                r"|always |this "
                r"|that )+" + _JUDGE_ADJ + r"\b|\bquit (?:whining|complaining|moaning|crying|sulking|your whining"
                r"|being (?:so )?(?:dramatic|a baby|pathetic))\b|\bbrought (?:\w+ ){0,3}on yourself\b|\bno wonder (?:he"
                r"|she|they|people|nobody|no one|everyone|your \w+|the \w+)\b[^.?!]{0,30}\b(?:don't|doesn't|won't|can't"
                r"|never|stopped|avoid)\b", "report neg"),
    ("shaming", r"\bnobody (?:likes|wants|loves|cares about) you\b|\bno one (?:likes|wants|loves|cares about) you\b"
                r"|\byou(?:'ll| will) never (?:amount to|be good enough|change|get better"
                r"|find anyone)\b", "report neg"),

    # ---- promises Attune can't keep
    ("promise", r"\bi(?:'ll| shall|'m going to| am going to| can| promise to| promise i'll)(?: \w+)? (?:always|forever"
                r"|never stop|24/7) (?:be (?:here|there|around|available|with you|by your side)|remember|love"
                r"|look after"
                r"|protect|keep|answer)\b|\b(?:always|forever) be (?:here|there|around|available) (?:for you)?\b"
                r"|\bi(?:'ll"
                r"| will)(?: always)? be (?:here|there|around|available|with you)(?: for you)?,? (?:forever|always|24/7"
                r"|day (?:or|and) night|no matter what|any ?time you need|whenever you need(?: me)?|every day"
                r"|for as long"
                r"|round the clock|around the clock)|\bi(?:'ll| will)? (?:be here|be there)(?: for you)? (?:24/7"
                r"|forever)"
                r"|\bi(?:'ll| will) (?:be with you|stay with you) (?:forever|always|every step|the whole way)\b"
                r"|\bi(?:'ll| will) never (?:leave|forget|abandon|give up on|stop being there|go away|let you down)\b"
                r"|\bi(?:'ll| will) (?:always )?remember (?:this|you|it|everything)(?: \w+)? (?:forever|always)\b"
                r"|\bi(?:'ll| will) always remember\b|\b(?:i'm|i am) (?:always|24/7) (?:here|available|awake|there)\b",
     "report"),
    ("promise", r"\bby your side\b(?=[^.?!]*\b(?:every|always|forever|day|night|no matter)\b)|\b(?:always|forever|every"
                r" (?:single )?day)\b[^.?!]{0,20}\bby your side\b|\bi'm(?: \w+)? (?:calling|ringing|phoning|sending"
                r"|getting)"
                r" (?:for )?(?:help|an ambulance|someone|the police)\b", "neg"),
    ("promise", r"\bi'm(?: \w+)? (?:calling|ringing|phoning|texting|messaging|emailing|contacting|alerting|notifying"
                r"|sending|getting|booking|arranging|referring|dispatching|reaching out to) (?:someone|somebody|an?"
                r"|the|your|help|911|999|112"
                r"|988|emergency|police|them|you an?)\b", "neg"),
    ("promise", r"\bi(?:'ll| will|'m going to| am going to|'ve| have| can| could| just| now| will now"
                r"|'ll now)(?: (?:now"
                r"|just|go ahead and|personally|right now|quickly|also))* (?:call|called|ring|rang|phone|phoned|contact"
                r"|contacted|alert|alerted|notify|notified|text|texted|message|messaged|email|emailed|tell|told|send"
                r"|sent"
                r"|get|got|book|booked|arrange|arranged|refer|referred|schedule|scheduled|dispatch|dispatched|reach out"
                r" to|reached out to|inform|informed|let) (?:someone|somebody|an ambulance|the ambulance|the police"
                r"|police"
                r"|911|999|112|988|emergency services|the emergency services|the crisis team|a crisis team|your \w+"
                r"|a doctor"
                r"|a counsel+or|a therapist|help|you an? (?:appointment|ambulance|doctor|therapist|counsel+or"
                r"|psychiatrist"
                r"|referral|place|bed)|you in|you with|you to|for help|them know|the authorities|a nurse"
                r"|someone for you"
                r"|your (?:gp|doctor|family|partner|mum|mom|dad|sister|brother|friend|therapist|psychiatrist)|an? "
                r"(?:psychiatrist|appointment))\b", "neg"),
    ("promise", r"\bi(?:'ll| will|'m going to| am going to| can| could)(?: \w+)? (?:call|ring|phone|text|message|email"
                r"|check (?:in )?on|check in with|follow up with|reach out to|get back to|remind) you (?:tomorrow|later"
                r"|tonight|in the morning|every day|daily|next week|soon|this evening|at|on|first thing|each|again"
                r"|after)\b|\bi(?:'ll| will) (?:check in on|check on|follow up with|look in on) you\b", "neg"),
    ("promise", r"\b(?:help|someone|somebody|an ambulance|the police|they|the crisis team|a nurse|the paramedics)(?:'s|"
                r" is| are|'re) (?:on (?:their|its|the|his|her) way|coming (?:to you|now|for you)|being sent)\b", ""),
    ("promise", r"(?<!can't )(?<!cannot )(?<!won't )(?<!not )\bi (?:promise|swear|guarantee)\b|\bi can (?:promise"
                r"|guarantee)"
                r"\b|\bguaranteed?\b|\b(?:100|a hundred) ?(?:%|percent|per cent) (?:sure|certain|guaranteed|you'll|it"
                r"|this|that)|\bpromise (?:you|that) (?:you'll|it'll|things|everything|this|it)\b", "neg"),
    ("promise", r"\byou(?:'ll| will| are going to|'re going to)(?: (?:definitely|certainly|surely|absolutely|totally"
                r"|completely|soon|be sure to|100%|feel|be))* (?:(?:feel |be )?(?:completely |totally )?(?:fine|okay"
                r"|ok|alright|all right"
                r"|cured|healed|back to normal)(?= by| soon| tomorrow| in a| after| once| again| i promise)"
                r"|feel (?:better|fine|okay|ok|normal|great|completely "
                r"better|like yourself|happy)|be (?:fine|okay|ok|alright|all right|better|completely better|cured"
                r"|healed"
                r"|happy again|yourself again|over it|back to normal))\b(?=[^.?!]*(?:soon|tomorrow|by|after|in a|once"
                r"|promise|definitely|certainly|surely|completely|today|again|$))(?<!might feel better)",
     "neg"),
    ("promise", r"\byou(?:'ll| will| are going to|'re going to) (?:definitely |certainly |surely |absolutely |100% )?"
                r"(?:feel|be) (?:completely|totally|fully|100%|entirely) (?:better|fine|okay|ok|cured|healed|well"
                r"|yourself)"
                r"\b|\b(?:after|by|once|when|from) (?:this|today|tomorrow|next|the end|a few|we|our"
                r"|tonight)[^.?!]{0,40}"
                r"\byou(?:'ll| will| are going to|'re going to)(?: \w+)? (?:feel|be) (?:\w+ )?(?:better|fine|okay|ok"
                r"|cured"
                r"|healed|normal|happy)\b", "neg"),
    ("promise", r"\b(?:everything|it|things|all of this|all this|life|this)(?:'s| is)? (?:definitely |certainly "
                r"|surely )?"
                r"(?:going to|will|'ll|gonna) (?:definitely |certainly |surely )?(?:be|get|turn out|work out) (?:\w+ )?"
                r"(?:fine|okay|ok|alright|all right|better|great|good|perfect)\b", "neg"),
    ("promise", r"\b(?:this|it|that|the|these|those|my)(?: \w+){0,2} (?:will|is going to|'ll|is guaranteed to"
                r"|are going to"
                r"|can|always)(?: \w+)? (?:cure|fix|heal|get rid of|stop|solve|end|eliminate"
                r"|take away)(?: \w+)? (?:your"
                r"|the|all|it|them|this|that)(?: \w+){0,2}\b(?=[^.?!]*\b(?:anxiety|depression|panic|pain|problems?"
                r"|worry"
                r"|worries|fear|sadness|trauma|attacks|ocd|grief|stress|feelings?|for good|forever|completely|ever)\b)"
                r"|\byou(?:'ll| will) never (?:feel|be) (?:this|like this|that|so) (?:\w+ )?(?:way|again|sad|anxious"
                r"|low"
                r"|bad)\b|\byou(?:'ll| will) never (?:feel|be) (?:sad|anxious|low|alone|depressed) again\b", "neg"),
    ("promise", r"\bi(?: can|'ll| will)(?: \w+)? (?:keep you safe|make you safe|protect you|make sure (?:you(?:'re"
                r"| are| stay"
                r"| will)|nothing|no one|nobody|you get))|\bi(?:'ll| will) make sure\b(?=[^.?!]*\b(?:safe|nothing|ok"
                r"|okay"
                r"|fine|happens)\b)|\byou(?:'re| are) (?:completely |totally |always )?safe with me\b|\bnothing bad "
                r"(?:will|is going to|can|'ll) happen\b|\b(?:i'll|i will|i'm going to) make sure (?:your \w+|someone"
                r"|they|the \w+"
                r"|somebody|he|she) (?:hears?|knows?|gets|is told|finds out|sees|calls|checks)\b|\b(?:never|won't"
                r"|will not"
                r"|not going to) let (?:anything|anyone|something|anybody)(?: bad)? (?:happen to you"
                r"|hurt you)\b", "neg"),
    ("confidentiality",
     r"\b(?:i (?:won't|will not|'ll never|will never|promise not to|promise i won't|never|don't|do not) (?:tell|share"
     r"|report|repeat|pass (?:this|it|that) on|say|show|disclose)(?: (?:this|it|that|what you (?:said|told me|say)"
     r"|anything|a word))? (?:to )?(?:anyone|anybody|a soul|your \w+|them|him|her|a word|the police|people)"
     r"|(?:completely"
     r"|totally|fully|100%|strictly|entirely|absolutely|perfectly|always|truly) (?:confidential|private|secret"
     r"|anonymous|off the record|secure)|(?:this|it|everything|what you (?:say|share|tell me|write)|anything you "
     r"(?:say|share|tell me|write)|our (?:talk|conversation|chat|session)s?|your secrets?|what's said here|whatever"
     r" you say)(?: here| to me| with me| in here)? (?:is|stays|will stay|will be|'ll stay|'ll be|remains|are|is kept"
     r"|stay|'s|will remain|are kept)(?: \w+)? (?:confidential|private|secret|safe|off the record|(?:just )?between"
     r" (?:us|you and me|the two of us)|with me|here forever|here|hidden|anonymous)|(?:no one|nobody|no-one"
     r"|not even (?:the |my )?(?:developers|company|makers|staff|anyone|me))(?: but me| except me| other than me"
     r"| apart from me| else)?(?: will| can| could| would"
     r"|'ll)(?: ever)? (?:know|see|find out|read|hear|access|look at|get to see)|your secret(?:s)?(?:'s| is| are)"
     r" safe|(?:just )?between (?:you and me|us two|the two of us|ourselves)|(?:just|stays?|kept|keep (?:it|this)"
     r"|remains?"
     r"|is|it's) between us|(?:whatever|what|anything|everything)[^.?!]{0,25}\bstays (?:here|with me)"
     r"|this stays between us|stays (?:with me|here"
     r" forever|in this room)|off the record|i (?:don't|do not|won't|will not|never) (?:keep|store|save|record|log"
     r"|remember)(?: (?:anything|any record|a thing|any of (?:this|it)|this|it|what you say|your words))?|(?:nothing"
     r"|none of (?:this|it|what you say))(?: (?:you|say|tell|me|write|share|here|will|ever|is|be|gets|get|'s|can"
     r"|could|would|that|in|this|chat))* (?:recorded|saved|stored|kept|logged|leaves?|shared|seen|read|written down"
     r"|passed on)|(?:this|our"
     r"|the) (?:conversation|chat|talk|session|call)(?: is|'s)? (?:not|isn't|never) (?:being )?(?:recorded|saved|stored"
     r"|logged|kept)|(?:isn't|is not|not|aren't|are not) being (?:saved|recorded|stored|logged|kept)|(?:leaves|leave"
     r"|leaving) this (?:chat|room|conversation|app|call)|(?:information|data|messages|words|chats?|conversations?"
     r"|notes|details|what you (?:say|write|tell me))(?: \w+)? (?:is|are|gets|get)(?: \w+)? (?:never|not) (?:stored"
     r"|saved|kept|recorded|logged|shared|seen))\b", "neg"),

    # ---- directing their relationship or job
    ("directive", r"\byou (?:should|must|need to|have to|ought to)(?: just| really| definitely)? (?:leave (?:him|her"
                  r"|them"
                  r"|your \w+)|break up|divorce|stay with|dump|quit your job|cut (?:him|her|them) off|get a divorce"
                  r"|move out|resign|report (?:him|her|them))\b", "report ask"),
]


def _compile(src: list[tuple[str, str, str]]) -> list[tuple[str, re.Pattern[str], frozenset[str]]]:
    return [(cat, re.compile(rx), frozenset(ex.split())) for cat, rx, ex in src]


_RULES = _compile(_RULES_SRC)

# A reflection never carries a drug, a dose or a means back (kind="reflection").
_REFLECTION_STRICT = re.compile(
    r"\b(?:" + _DRUG + r"|" + _NUM + r"\s*" + _UNIT + r"|rope|noose|ligature|guns?|firearms?|rifles?|shotguns?|pistols?"
    r"|ammunition|ammo|bullets|razors?|razor ?blades?|blades?|knife|knives|pesticides?|poison\w*|bleach|overdos\w*"
    r"|lethal|ledge|tracks|stash\w*|stockpil\w*|hoard\w*|jump(?:ing)? (?:off|from))\b")
_MEANS_SAFETY = re.compile(r"\b(?:away|out of reach|lock|locked|give (?:it|them)|hand (?:it|them)|hold onto|keep (?:it"
                           r"|them)"
                           r"|remove|get rid of|safe place|safer|somewhere else|with someone)\b")
_LEFTOVER = re.compile(r"[{}<>\[\]#*_`]|https?://")


def _exempt(cat: str, exemptions: frozenset[str], sentence: str, m: re.Match[str], kind: str | None) -> bool:
    prefix = sentence[:m.start()]
    if "condctx" in exemptions and not _COND_RX.search(sentence):
        return True
    if "drugctx" in exemptions and not _DRUG_RX.search(sentence):
        return True
    if "card" in exemptions and kind == "card":
        return True
    if "crisis" in exemptions and kind == "crisis" and (sentence.rstrip().endswith("?") or _MEANS_SAFETY.search(sentence)):
        return True
    if "ask" in exemptions and sentence.rstrip().endswith("?") and _ASK.match(sentence):
        return True
    clause = _last_clause(prefix)
    if "neg" in exemptions and _NEGATED.search(clause):
        return True
    if cat == "self_harm" and (_HYPERBOLE.search(prefix) or (
            re.search(r"\bkill (?:him|her|them|your \w+|that \w+)$", m.group(0))
            and re.match(r" for (?:\w+ing|that|this|it|a |an |the |some)\b", sentence[m.end():]))):
        return True  # "so hungry you could die", "you could kill him for eating your leftovers"
    if cat == "diagnosis" and _COND_AS_SUBJECT.match(sentence, m.end()):
        return True  # "depression makes everything hard", "your adhd meds": their condition, named by them
    if "relative" in exemptions and _RELATIVE.search(prefix):
        return True
    if "report" in exemptions and (_REPORT.search(clause) or _QUOTED.search(prefix)
                                   or _REPORTED_AFTER.match(sentence, m.end())):
        return True
    if "referral" in exemptions and _CLINICIAN.search(sentence):
        # A referral ("talk to your prescriber before changing any medication") may name a change; an instruction
        # in the same sentence ("double your dose, then tell your GP") may not.
        hit = m.group(0)
        tail = prefix[-40:]
        if re.search(r"\b(?:whether|if|about|before|without|ask|asking|discuss|when|until|talk"
                     r"|speak)\b", _last_clause(prefix)):
            return True
        if re.match(r"\W*\w+ing\b", hit) and not prefix.strip():
            return True
        imperative = re.search(r"(?:^|[,;:]|\b(?:and|then|just|please|so|you should|you could|you can|you might want to"
                               r"|you need to|try|why not|i'd|it's (?:fine|ok|okay|safe|alright) to|feel free to)\s*)$",
                               tail) is not None
        if imperative and not re.match(r"\W*\d", hit):
            return False
        if re.search(r"\binstead of\b|\bcold turkey\b|\bgo to\b", hit):
            return False
        return True
    return False


def _sentences(norm: str) -> list[str]:
    return [s for s in _SENT_SPLIT.split(norm) if s.strip()]


def scan(line: str, *, kind: str | None = None) -> Verdict:
    """The content rules only (no length or question-count checks): ok, or the first category that fired."""
    norm = normalise(line)
    if not norm:
        return Verdict(False, "empty", "empty")
    for sentence in _sentences(norm):
        for cat, rx, exemptions in _RULES:
            for m in rx.finditer(sentence):
                if not _exempt(cat, exemptions, sentence, m, kind):
                    return Verdict(False, REASONS[cat], cat, m.group(0).strip())
        if kind in ("reflection", "card"):
            m = _REFLECTION_STRICT.search(sentence)
            if m and not _CLINICIAN.search(sentence):
                cat = "means" if not re.search(_DRUG + r"|\d", m.group(0)) else "medication"
                return Verdict(False, f"a reflection carries {'a means' if cat == 'means' else 'a drug or dose'} back",
                               cat, m.group(0))
    m = _LEFTOVER.search(line)
    if m:
        return Verdict(False, REASONS["markup"], "markup", m.group(0))
    return Verdict(True)


def check(line: str, *, draft: str | None = None, limit_sentences: int = MAX_SENTENCES,
          kind: str | None = None) -> Verdict:
    """Is this line safe and fit to speak? ``draft`` is the template line it must stay close to.

    Content first (``scan``), then form: at most ``limit_sentences`` sentences and ``MAX_WORDS`` words, at most one
    question, and a rewrite keeps the draft's question.  A category the draft itself trips is allowed.
    """
    text = line.strip()
    if not text:
        return Verdict(False, "empty", "empty")
    verdict = scan(text, kind=kind)
    if not verdict.ok and draft and verdict.category not in ("empty",):
        # The draft may already carry that category (a reworded means refusal says "methods" too): judge the line
        # again without the rules of the categories its draft trips.
        allowed = _categories(draft, kind)
        if verdict.category in allowed:
            verdict = _scan_except(text, kind, allowed)
    if not verdict.ok:
        return verdict
    sentences = split_sentences(text)
    if len(sentences) > limit_sentences or len(text.split()) > MAX_WORDS:
        return Verdict(False, "too long to speak", "form")
    if text.count("?") > 1:
        return Verdict(False, "more than one question", "form")
    if draft is not None and draft.rstrip().endswith("?") and "?" not in text:
        return Verdict(False, "dropped the step's question", "form")
    return Verdict(True)


def check_written(line: str, *, draft: str | None = None, limit_sentences: int = MAX_SENTENCES,
                  kind: str | None = None) -> Verdict:
    """``check`` for a line a language model wrote: the rules, then the semantic layer (``dialogue/guard_model.py``)
    if they pass it.  A model's words are not known in advance the way a template's are.  CPU-bound, about 15 ms a
    line: call it off the event loop."""
    verdict = check(line, draft=draft, limit_sentences=limit_sentences, kind=kind)
    return semantic(line) if verdict.ok else verdict


def semantic(line: str) -> Verdict:
    """The semantic layer alone, on the line whole as it was trained (``check_written`` puts the rules first)."""
    from attune.dialogue import guard_model

    second = guard_model.judge(line.strip())
    if second.ok:
        return Verdict(True)
    return Verdict(False, REASONS.get(second.category, second.category), second.category, f"model {second.p:.2f}")


def _categories(text: str, kind: str | None) -> set[str]:
    """Every category that fires anywhere in ``text``."""
    found: set[str] = set()
    norm = normalise(text)
    for sentence in _sentences(norm):
        for cat, rx, exemptions in _RULES:
            if cat in found:
                continue
            for m in rx.finditer(sentence):
                if not _exempt(cat, exemptions, sentence, m, kind):
                    found.add(cat)
                    break
    if _LEFTOVER.search(text):
        found.add("markup")
    return found


def _scan_except(line: str, kind: str | None, allowed: set[str]) -> Verdict:
    norm = normalise(line)
    for sentence in _sentences(norm):
        for cat, rx, exemptions in _RULES:
            if cat in allowed:
                continue
            for m in rx.finditer(sentence):
                if not _exempt(cat, exemptions, sentence, m, kind):
                    return Verdict(False, REASONS[cat], cat, m.group(0).strip())
    if "markup" not in allowed:
        m = _LEFTOVER.search(line)
        if m:
            return Verdict(False, REASONS["markup"], "markup", m.group(0))
    return Verdict(True)


def _trusted(fallback: str) -> bool:
    """A fallback may be used when the guard is broken only if it is empty or SAFE_LINE itself."""
    return not fallback.strip() or fallback == SAFE_LINE


def vet(line: str, *, fallback: str, kind: str | None = None) -> tuple[str, Verdict]:
    """The line if its content passes the guard, else ``fallback`` (fail closed): ``(line to speak, verdict)``.

    For every outgoing line (template, reflection, card, summary, recall, model).  Only content is judged here; the
    length and question-count rules are the phraser's (``check``).  An empty fallback means "drop the line": "" is
    returned.  A non-empty fallback is checked too: when it fails as well, ``SAFE_LINE`` is returned.  When the guard
    itself raises, nothing unchecked is returned either (the fallback, or ``SAFE_LINE``).  The verdict is the one on
    ``line``.
    """
    try:
        verdict = scan(line, kind=kind)
    except Exception as exc:  # a guard error never lets a line through
        verdict = Verdict(False, f"guard error: {type(exc).__name__}", "error")
        return (fallback if fallback.strip() else "") if _trusted(fallback) else SAFE_LINE, verdict
    if verdict.ok:
        return line, verdict
    if not fallback.strip():
        return "", verdict  # the caller drops the line (a reflection before a question that stands alone)
    try:
        fallback_ok = scan(fallback).ok
    except Exception:
        fallback_ok = False
    return (fallback if fallback_ok else SAFE_LINE), verdict
