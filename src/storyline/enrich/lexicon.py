"""The developments lexicon: the actions (event types) Storyline recognises, the verbs and
nouns that report each, and the cue words that say how sure a report is.

Used by ``triggers.py`` (which tokens report an action), ``modality.py`` (rumoured, expected,
planned, announced, happened, denied, cancelled, postponed) and ``developments.py``. Extending
Storyline to a new kind of event starts here: add an ``Action`` to ``ACTIONS``. ``word_set``
writes every word list of the enrichment stage (dates and tense cues too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one string (lexicons read better that way)."""
    return frozenset(text.split())


MODALITIES = (
    "rumoured", "expected", "planned", "announced", "happened", "denied", "cancelled", "postponed",
)  # fmt: skip
#: Modalities that speak of an event still to come.
FORECASTS = frozenset({"rumoured", "expected", "planned", "announced", "postponed"})


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True, slots=True)
class Action:
    """An event type: the lemmas of the verbs and nouns that report it."""

    name: str
    verbs: frozenset[str] = frozenset()
    nouns: frozenset[str] = frozenset()


def _action(name: str, verbs: str = "", nouns: str = "") -> Action:
    return Action(name, frozenset(verbs.split()), frozenset(nouns.split()))


ACTIONS: tuple[Action, ...] = (
    _action("visit", "visit travel tour fly arrive land", "visit trip tour arrival journey"),
    _action("meeting", "meet negotiate", "meeting talks summit negotiation negotiations"),
    _action("signing", "sign ink seal", "signing"),
    _action("transfer", "transfer", "transfer move"),
    _action(
        "attack",
        "attack bomb shell invade raid assault",
        "attack airstrike bombing assault invasion raid offensive shelling",
    ),
    _action("strike", "", "strike walkout stoppage"),
    _action("vote", "vote elect", "vote election referendum ballot"),
    _action("trial", "", "trial retrial"),
    _action("testimony", "testify", "testimony"),
    _action("hearing", "", "hearing"),
    _action("verdict", "convict acquit", "verdict conviction acquittal"),
    _action("sentencing", "sentence jail imprison", "sentencing"),
    _action("lawsuit", "sue", "lawsuit"),
    _action("recall", "recall", "recall"),
    _action("acquisition", "acquire merge buy", "takeover acquisition merger buyout"),
    _action("investigation", "investigate probe", "investigation inquiry probe"),
    _action("decision", "decide", "decision ruling"),
    _action("earthquake", "", "earthquake quake tremor temblor"),
    _action("flood", "flood", "flood flooding floodwater"),
    _action("storm", "", "storm hurricane typhoon cyclone tornado"),
    _action("wildfire", "", "wildfire bushfire"),
    _action("fire", "burn", "fire blaze inferno"),
    _action("shooting", "shoot", "shooting gunfire gunshot gunshots"),
    _action("stabbing", "stab knife", "stabbing"),
    _action("robbery", "rob carjack burgle burglarize", "robbery heist burglary holdup carjacking"),
    _action("killing", "murder", "killing murder homicide slaying"),
    _action("explosion", "explode", "explosion blast"),
    _action("crash", "crash derail collide overturn",
            "crash collision derailment wreck pileup rollover"),
    _action("evacuation", "evacuate", "evacuation"),
    _action("lifting", "lift", "lifting"),
    _action("inspection", "inspect", "inspection"),
    _action("closure", "close shut", "closure shutdown"),
    _action("reopening", "reopen", "reopening"),
    _action("restart", "restart resume", "restart resumption"),
    _action("repair", "repair", "repair repairs"),
    _action("construction", "build construct", "construction"),
    _action("delivery", "deliver", "delivery"),
    _action("funding", "fund", "funding bailout grant"),
    _action("declaration", "", "declaration"),
    _action("debut", "debut", "debut"),
    _action("medical", "", "medical"),
    _action("resignation", "resign", "resignation"),
    _action("arrest", "arrest detain", "arrest detention"),
    _action("charge", "charge", ""),
    _action("appointment", "appoint nominate", "appointment nomination"),
    _action("protest", "protest demonstrate", "protest demonstration"),
    _action("ceasefire", "", "ceasefire truce armistice"),
    _action("sanctions", "sanction", "sanction sanctions embargo"),
    _action("launch", "launch unveil", "launch"),
    _action("cut", "cut slash", "cut"),
)
VERB_ACTIONS = {lemma: a.name for a in ACTIONS for lemma in a.verbs}
NOUN_ACTIONS = {lemma: a.name for a in ACTIONS for lemma in a.nouns}

# Verbs that count only with a place after them ("flew to Seoul", "landed in Seoul").
MOTION_VERBS = word_set("travel fly arrive land")
# Verbs that count only with a party after them ("met Xi", "met with", not "met the target").
PARTY_VERBS = frozenset({"meet", "buy", "acquire"})
# Verbs that carry an event noun and add only tense ("launched an invasion", "opened an
# inquiry", "underwent a medical", "returned verdicts"); never events themselves.
SUPPORT_VERBS = word_set(
    """
    launch open begin start hold stage conduct undergo complete make give return order
    announce confirm face win lose call carry seal agree schedule plan set
    """
)
LABOUR_WORDS = word_set(
    "union unions workers staff pay wage wages walkout picket employees nurses drivers doctors"
    " teachers pilots"
)
MILITARY_WORDS = word_set(
    "missile missiles drone drones air military troops rocket rockets army bomb bombs forces"
    " artillery"
)
DECLARE_OBJECTS = word_set(
    "emergency zone state disaster catastrophe war bankruptcy independence martial"
)

# --------------------------------------------------------------------------- modality cues

CANCEL = word_set("cancel scrap abandon axe scrub")
POSTPONE = word_set("postpone delay defer reschedule")
DENY = word_set("deny dismiss refute")
DENIAL_RE = re.compile(
    r"\bno (?:date|decision|agreement|deal|plans?)\b[^.]{0,30}"
    r"\b(?:has|had|have|was|were)\b[^.]{0,12}\b(?:been )?(?:set|fixed|made|reached|agreed|taken)"
    r"|\bnot for sale\b|\bspeculat(?:ion|ive)\b"
    r"|\bno (?:formal )?(?:offer|bid)\b[^.]{0,20}\breceived|\bruled? out\b|\bno plans? to\b",
    re.IGNORECASE,
)
RUMOUR = word_set(
    "reportedly rumoured rumored rumour rumor speculation eyeing considering weighing mulling"
    " exploring"
)
RUMOUR_RE = re.compile(
    r"\b(?:lining up|line up|lines up|in talks|understood to|linked with|interested in"
    r"|preparing (?:an? )?(?:\w+ )?(?:bid|move|offer)|clos(?:e|es|ed|ing) in on)\b",
    re.IGNORECASE,
)
EXPECT = word_set(
    "expected expect expects likely unlikely poised possible possibly potential probably"
    " anticipated could might may"
)
PLAN = word_set(
    "will shall 'll would scheduled due upcoming forthcoming plan plans planned planning"
    " intend intends intended set"
)
PREPARING_RE = re.compile(r"\b(?:being prepared|in preparation|preparing for)\b", re.I)
ANNOUNCE = word_set("announce confirm unveil agree")
ANNOUNCE_RE = re.compile(r"\b(?:announced|confirmed|unveiled|in a (?:joint )?statement)\b", re.I)
PAST_AUX = word_set("has have had was were been")
# Acts that exist by being announced: an organisation that "has extended its recall" announces.
OFFICIAL_ACTS = word_set(
    "recall acquisition appointment sanctions closure reopening investigation decision funding"
    " declaration sentencing verdict evacuation restart launch resignation arrest"
)
# Verbs that make the following infinitive an effect, not a plan ("prompting authorities to
# evacuate", "forcing the club to close").
CAUSATIVES = word_set("prompt force cause lead push spur allow help trigger")
PRESENT_AUX = word_set("is are has have")
# Verbs whose infinitive takes their own tense: "continues to receive", "managed to escape".
IMPLICATIVES = word_set("continue begin start manage keep resume")
# Modals of ability and obligation: "the council must close the pool" has not happened.
OBLIGATION_MODALS = word_set("can should must ought")
# Verbs whose object is wanted, not done: "demanded his return", "proposed a merger".
INTENT_VERBS = word_set(
    "want wish hope seek propose demand urge request intend desire need await"
)
# Verbs whose infinitive is wished for or tried, not decided: "hopes to sign", "tried to".
HOPE_VERBS = word_set("want wish hope seek try attempt aim strive like love struggle")
# Words opening a clause whose event is a condition or a question, not a fact.
CONDITIONALS = word_set("if unless whether")
