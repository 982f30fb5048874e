"""Action triggers: the tokens of a sentence that report an event from the lexicon.

A verb reports its action directly ("signed"); a noun needs a verb or preposition that makes
it an event of the sentence ("held talks", "after the earthquake"); a few patterns need the
entities around them (a person's "move" to a club is a transfer). Precision first: a word
in another sense is no event ("has taken over the investigation" is no acquisition, "struck a
deal" no strike, "the deal will close" no closure, "opened fire" a shooting, not a blaze, "cut
ties" no cut, "a storm of criticism" no storm). ``SentenceView`` wraps a spaCy sentence with
the helpers both this module and ``modality.py`` use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.enrich.attribution import REPORTING_VERBS
from storyline.enrich.lexicon import (
    ANNOUNCE,
    DECLARE_OBJECTS,
    LABOUR_WORDS,
    MILITARY_WORDS,
    MOTION_VERBS,
    NOUN_ACTIONS,
    PARTY_VERBS,
    SUPPORT_VERBS,
    VERB_ACTIONS,
    word_set,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


@dataclass(slots=True)
class Trigger:
    """A token that reports an action, in the sentence it was found in."""

    token: Token
    action: str
    is_verb: bool
    governor: Token | None  # the verb whose tense a noun trigger takes
    #: A crime named as what someone is charged with, arrested or tried for ("charged with
    #: murder", "arrested in Saturday's stabbing"): it happened before the sentence's news,
    #: and only a date written on it ("Saturday's") dates it.
    charged: bool = False


def _in_action(token: Token) -> tuple[str, bool] | None:
    """The action a token reports and whether it is a verb trigger, or None."""
    lemma = token.lemma_.lower()
    lower = token.lower_
    tag = token.tag_
    if tag.startswith("VB"):
        action = VERB_ACTIONS.get(lemma)
        return (action, True) if action else None
    if tag in ("NN", "NNS") or (tag == "NNP" and _capitalised_first(token)):
        action = NOUN_ACTIONS.get(lemma) or NOUN_ACTIONS.get(lower)
        if action is None and lemma == "talk" and tag == "NNS":
            action = "meeting"
        return (action, False) if action else None
    return None


#: Incidents a police release names through another noun: "responded to a shooting call",
#: "suffering from a gunshot wound", "the crash scene", "a stabbing victim".
_INCIDENTS = frozenset({"shooting", "stabbing", "robbery", "fire", "crash", "killing"})
_INCIDENT_HEADS = word_set("call calls incident incidents scene report wound wounds victim victims")

#: What may stand before a sentence's first word: a dateline's dash, an opening quote.
_LEADING = frozenset({"—", "–", "--", ":", '"', "“", "'", "‘"})


def _capitalised_first(token: Token) -> bool:
    """A common noun the tagger took for a name because it opens the sentence ("Fire
    destroyed a vacant house", "— Gunfire erupted"): first in its sentence or after a
    dateline's dash, no entity, and no name after it ("Fire Department")."""
    doc = token.doc
    if token.ent_type_ or not token.is_title:
        return False
    if token.i + 1 < len(doc) and doc[token.i + 1].tag_ in ("NNP", "NNPS"):
        return False
    return bool(token.is_sent_start) or (token.i > 0 and doc[token.i - 1].text in _LEADING)


class SentenceView:
    """A sentence under analysis, with helpers over its tokens."""

    def __init__(self, sent: Span) -> None:
        self.sent = sent
        self.doc = sent.doc
        self.lemmas = {t.lemma_.lower() for t in sent}
        self.words = {t.lower_ for t in sent}

    def next_tokens(self, token: Token, n: int) -> list[Token]:
        return [self.doc[i] for i in range(token.i + 1, min(token.i + 1 + n, self.sent.end))]

    def prev_tokens(self, token: Token, n: int) -> list[Token]:
        return [self.doc[i] for i in range(max(self.sent.start, token.i - n), token.i)]


CLAUSE_OPENERS = word_set(
    "that which who whom whose after before while because if when where as since until though"
    " although whereas but"
)


def _governor(s: SentenceView, noun: Token) -> Token | None:
    """The verb whose tense a noun trigger takes: the verb it is the subject of ("the trip
    will precede"), else the verb it is the object of ("opened a formal investigation")."""
    for tok in s.next_tokens(noun, 3):
        if tok.tag_ in ("RB", "RBR"):
            continue
        if tok.tag_ == "MD" or (tok.tag_ in ("VBD", "VBZ", "VBP") and tok.lemma_.lower() != "be"):
            return tok
        if tok.lemma_.lower() == "be" and tok.tag_ in ("VBD", "VBZ", "VBP"):
            following = s.next_tokens(tok, 2)
            verb = next((t for t in following if t.tag_ in ("VBN", "VBG")), None)
            return verb if verb is not None else tok
        break
    for tok in reversed(s.prev_tokens(noun, 6)):
        if (tok.is_punct and tok.text not in ("-", "–")) or tok.lower_ in CLAUSE_OPENERS:
            return None
        if tok.tag_.startswith("VB") and tok.lemma_.lower() in REPORTING_VERBS - ANNOUNCE:
            return None  # "said the trip ...": the noun is not what was said's object
        if tok.tag_ in ("VBN", "VBD") and tok.i > s.sent.start and s.doc[tok.i - 1].tag_ in (
            "DT", "POS", "PRP$",
        ):  # fmt: skip
            return None  # an adjective: "the planned visit", "Coldharbour's agreed takeover"
        if tok.tag_.startswith("VB") and tok.lemma_.lower() != "be":
            return tok
        if tok.tag_ == "MD":
            return tok
    return None


# Actions that are news only when nothing else happens in the sentence.
_WEAK_ACTIONS = frozenset({"meeting"})
# Compounds where an event noun means something else ("heart attack").
_NOT_EVENTS = frozenset({
    ("heart", "attack"), ("panic", "attack"), ("asthma", "attack"), ("cardiac", "arrest"),
    ("clinical", "trial"), ("drug", "trial"), ("vaccine", "trial"), ("field", "trial"),
})  # fmt: skip
# Event nouns used as figures of speech: "a storm of criticism", "a flood of complaints",
# "a blast of cold air", "an explosion of interest".
_FIGURATIVE = word_set(
    "criticism complaints complaint protest outrage anger anguish support interest tears calls"
    " letters emails applications questions cold hot warm air wind activity colour color"
    " light noise sound"
)
_FIGURATIVE_NOUNS = word_set("storm flood blast explosion fire wave")
# What can "crash" without a collision: markets, prices, computers.
_NOT_COLLIDING = word_set(
    "share stock price market index currency bitcoin website site server app system computer"
)
# Nouns that are inherently plural or name one event in the plural ("talks", "repairs").
_PLURAL_EVENTS = word_set("talks negotiations sanctions repairs floods elections")
# Prepositions that make an event noun the setting or purpose of an earlier event in the
# sentence ("visit China for talks", "vote at a general meeting", "during the trip").
_SETTING_PREPS = word_set("for at during after before following ahead")
# Determiners and the like that make a plural noun a specific event ("several visits").
_SPECIFIERS = word_set("DT CD PRP$ POS JJ JJR JJS")
# Nouns for players, so that a bid for one is a transfer ("offer for the striker").
_PLAYER_WORDS = word_set(
    "striker forward midfielder defender goalkeeper winger player playmaker captain"
)
# Offers whose object decides the action: a person → transfer, an organisation → acquisition.
_OFFER_NOUNS = word_set("bid offer approach fee")
# "cut" is news only about money, jobs or output ("cut interest rates", "a rate cut"), not
# "cut ties", "cut off", "a power cut"; a central bank's cut may leave "rates" unsaid.
CUT_VERBS = word_set("cut slash")
CUT_CONTEXT = word_set(
    "rate rates interest tax taxes job jobs price prices fare fares output production spending"
    " budget budgets staff workforce emissions wage wages salary salaries cost costs benefits"
    " borrowing point points percent % bank banks"
)
_NOT_CUTS = word_set("off through across short open ties ribbon corners loose")
_NOT_CUT_NOUNS = word_set("power electricity hair paper director final")
# Subjects whose "closing" is no closure: a deal completes, a market or poll ends its day.
_NOT_CLOSING = word_set(
    "deal transaction acquisition merger takeover sale offer market share stock index trading"
    " session poll window"
)
# What a company can be: the object that makes "take over" an acquisition.
_COMPANY_WORDS = word_set(
    "company firm business group rival chain carrier airline operator maker retailer lender"
    " bank brand stake owner producer supplier manufacturer startup"
)
# What is taken over without changing owner: a duty, a case, a team ("has taken over the
# investigation", "will take over as coach").
_NOT_TAKEOVERS = word_set(
    "investigation inquiry probe case role post job duties duty responsibility responsibilities"
    " control command team squad management running leadership as day shift coverage search"
)
# "struck a deal", "strike a balance": agreement, not a walkout or an attack.
_NOT_STRIKES = word_set("deal agreement accord compromise balance chord tone note bargain blow")
# "opened fire", "returned fire": shots, not a blaze; "under fire": criticism.
_SHOOTING_VERBS = word_set("open opened opening opens return returned returning exchanged")
_NOT_FIRE = word_set("under cease")
# Crimes that a sentence can name as the subject of a charge, an arrest or a court case
# ("charged with second-degree murder", "arrested in Saturday's stabbing", "pleaded guilty to
# robbery"): the crime happened before, and the sentence's date belongs to the charge or the
# hearing, not to it. Such a mention is no event of its sentence.
_CHARGEABLE = frozenset({"killing", "shooting", "stabbing", "robbery", "attack", "fire", "crash"})
_CHARGE_WORDS = word_set(
    "charge accuse convict acquit indict plead guilty sentence arraign arrest suspect count"
    " charges counts"
)


def find_triggers(
    s: SentenceView, entity_types: dict[int, str], exclude: tuple[int, int] = (0, 0)
) -> list[Trigger]:
    """The action words of a sentence (``exclude``: the character range naming its source,
    so that "people familiar with the talks" reports no talks)."""
    found: list[Trigger] = []
    disaster = any(NOUN_ACTIONS.get(w) in ("earthquake", "storm", "flood") for w in s.lemmas)
    for token in s.sent:
        if exclude[0] <= token.idx < exclude[1]:
            continue
        lemma = token.lemma_.lower()
        hit = _in_action(token)
        if hit is None:
            hit = _special(s, token, lemma, disaster, entity_types)
        if hit is None:
            continue
        action, is_verb = hit
        charged = action in _CHARGEABLE and _charged(s, token)
        after = s.next_tokens(token, 4)
        prev = s.prev_tokens(token, 2)
        if is_verb:
            if not _verb_counts(s, token, lemma, after, entity_types):
                continue
        else:
            nxt = after[0] if after else None
            # A modifier, not the event: "evacuation routes", "quake-hit towns" (but "a
            # shooting call", "a gunshot wound", "the crash scene" speak of the event).
            if (
                nxt is not None
                and (nxt.tag_ in ("NN", "NNS") or nxt.text in ("-", "–"))
                and not (token.lower_ == "talks" or nxt.lower_ in ("of", "on"))
                and not (action in _INCIDENTS and nxt.lower_ in _INCIDENT_HEADS)
            ):
                continue
            if prev and (prev[-1].lower_, token.lower_) in _NOT_EVENTS:
                continue
            if action == "fire" and prev and prev[-1].lower_ in _NOT_FIRE:
                continue
            if lemma in _FIGURATIVE_NOUNS and nxt is not None and nxt.lower_ == "of" and any(
                t.lower_ in _FIGURATIVE for t in s.next_tokens(token, 4)
            ):
                continue
            if action == "fire" and prev and prev[-1].lower_ in _SHOOTING_VERBS:
                action = "shooting"
            if action == "cut" and (
                not (s.words & CUT_CONTEXT) or (prev and prev[-1].lower_ in _NOT_CUT_NOUNS)
            ):
                continue
            if (
                token.tag_ == "NNS"
                and token.lower_ not in _PLURAL_EVENTS
                and (not prev or prev[-1].tag_ not in _SPECIFIERS)
            ):
                continue  # a bare plural is generic: "hunting for acquisitions"
            if (
                action == "transfer"
                and lemma == "move"
                and not any(t.lower_ in ("to", "for", "from") for t in after[:2])
            ):
                continue
            if (
                found
                and any(t.lower_ in _SETTING_PREPS for t in prev)
                and found[-1].action != action
            ):
                # The setting or purpose of the earlier event ("visit China for talks") —
                # unless that event is mere travel ("flew to England for a medical").
                earlier = found[-1]
                if not (earlier.is_verb and earlier.token.lemma_.lower() in MOTION_VERBS):
                    continue
            if action == "signing" and nxt is not None and nxt.lower_ == "of" and (
                any(entity_types.get(t.i) == "person" or t.lower_ in _PLAYER_WORDS
                    for t in s.next_tokens(token, 5))
            ):  # fmt: skip
                action = "transfer"
        governor = None if is_verb else _governor(s, token)
        found.append(Trigger(token, action, is_verb, governor, charged))
    # A support verb right before an event noun adds only tense: keep the noun.
    nouns = [t for t in found if not t.is_verb]
    kept = []
    for trig in found:
        if (
            trig.is_verb
            and trig.token.lemma_.lower() in SUPPORT_VERBS
            and any(0 < n.token.i - trig.token.i <= 6 for n in nouns)
        ):
            continue
        kept.append(trig)
    # A meeting beside another event is its setting ("will hold talks, after which the two
    # sides will sign"; "vote at a general meeting"), not news of its own.
    if any(t.action not in _WEAK_ACTIONS for t in kept):
        kept = [t for t in kept if t.action not in _WEAK_ACTIONS]
    return kept


def _charged(s: SentenceView, token: Token) -> bool:
    """Whether a crime word is what someone is charged with, arrested for or tried for: a
    charge word at most ten tokens before it in the same clause ("was charged Wednesday with
    first-degree assault in the shooting"; not "charged after his neighbour was shot")."""
    for tok in reversed(s.prev_tokens(token, 10)):
        if (tok.is_punct and tok.text not in ("-", "–")) or tok.lower_ in CLAUSE_OPENERS:
            return False
        if tok.lemma_.lower() in _CHARGE_WORDS or tok.lower_ in _CHARGE_WORDS:
            return True
    return False


def _clause_before(s: SentenceView, token: Token) -> set[str]:
    """The lemmas of the clause before ``token`` (its subject, mostly), at most 8 words."""
    out: set[str] = set()
    for tok in reversed(s.prev_tokens(token, 8)):
        if tok.is_punct or tok.lower_ in CLAUSE_OPENERS:
            break
        out.add(tok.lemma_.lower())
    return out


def _verb_counts(
    s: SentenceView, token: Token, lemma: str, after: list[Token], entity_types: dict[int, str]
) -> bool:
    """Whether a lexicon verb reports the event here (not "met the target", "recalled that",
    "the deal will close", "cut ties", "shares crashed")."""
    before = s.prev_tokens(token, 2)
    if len(before) == 2 and before[1].text in ("-", "–") and before[0].tag_ in ("NN", "NNS"):
        return False  # a compound modifier: "a bar-closing detail", "cost-cutting measures"
    if lemma in MOTION_VERBS:
        return any(entity_types.get(t.i) == "place" for t in after)
    if lemma in PARTY_VERBS:
        return any(
            entity_types.get(t.i) in ("person", "org", "place") or t.lower_ == "with" for t in after
        )
    first = after[0].lower_ if after else ""
    if lemma == "recall" and first in ("that", "how", "when", "the", "his", "her"):
        return any(t.tag_ == "CD" for t in after)
    if lemma in ("close", "shut"):
        if _clause_before(s, token) & _NOT_CLOSING:
            return False  # "the deal will close next month", "shares closed up 3%"
        return first not in ("in", "to", "at", "up", "down", "out")
    if lemma in CUT_VERBS:
        return first not in _NOT_CUTS and bool(s.words & CUT_CONTEXT)
    if lemma == "crash" and _clause_before(s, token) & _NOT_COLLIDING:
        return False  # "shares crashed", "the website crashed"
    if lemma == "shoot":
        return _shot_at_someone(s, token, after)
    if lemma == "burn":
        return _burned_building(s, token, after)
    if lemma == "charge":  # "was charged", "charged Wednesday with"; not "charged a fee"
        passive = token.tag_ == "VBN" and any(
            t.lemma_.lower() in ("be", "get") for t in s.prev_tokens(token, 3))
        return passive or any(t.lower_ in ("with", "in") for t in after)
    return lemma != "rule"


# Who can be shot: "shot a man", "shot two teenagers" (not "shot a film", "shot a 67").
_SHOT_OBJECTS = word_set(
    "man men woman women boy boys girl girls teen teens teenager teenagers child children"
    " person people officer officers victim victims driver student students suspect"
    " him her them himself herself"
)
_SHOT_AFTER = word_set("dead")
#: "A man shot and killed at a gas station ... was": the tagger reads a reduced relative
#: "shot" as a past tense with no object; "and" and a harm verb after it say a shooting.
_SHOT_AND = word_set("kill wound injure")
_SHOT_BEFORE = word_set("fatally critically seriously reportedly allegedly")


def _shot_at_someone(s: SentenceView, token: Token, after: list[Token]) -> bool:
    """Whether "shoot" reports a shooting: passive ("was shot", "were fatally shot"), "shot
    dead", "fatally shot", or a person shot ("shot a man", "shot two teenagers", "shot him")."""
    prev = s.prev_tokens(token, 3)
    if any(t.lower_ in _SHOT_BEFORE for t in prev[-2:]):
        return True
    if token.tag_ == "VBN" and any(t.lemma_.lower() in ("be", "get") for t in prev):
        return True
    if len(after) >= 2 and after[0].lower_ == "and" and after[1].lemma_.lower() in _SHOT_AND:
        return True
    if len(after) >= 2 and after[0].lower_ == "to" and after[1].lower_ == "death":
        return True
    for tok in after[:3]:
        if tok.lower_ in _SHOT_AFTER or tok.lower_ in _SHOT_OBJECTS:
            return True
        if tok.tag_ not in ("DT", "CD", "JJ", "PRP$"):
            break
    return False


#: What burns in a fire report: "a vacant house burning", "the barn burned to the ground".
_BURNABLE = word_set(
    "house houses home homes building buildings apartment apartments car cars vehicle truck"
    " barn garage shed store shop restaurant church school warehouse plant factory mill motel"
    " hotel bar duplex trailer structure complex block business cabin"
)


def _burned_building(s: SentenceView, token: Token, after: list[Token]) -> bool:
    """Whether "burn" reports a fire: a building or vehicle burning ("a vacant house burning",
    "the shed burned down"), or "burned to the ground" / "burned down"; not "burned through
    its cash", "burning questions"."""
    if after and after[0].lower_ in ("through", "out", "off", "up"):
        return False
    if after and after[0].lower_ == "down":
        return True
    if len(after) >= 3 and [t.lower_ for t in after[:3]] == ["to", "the", "ground"]:
        return True
    near = s.prev_tokens(token, 4) + after[:3]
    return any(t.lemma_.lower() in _BURNABLE or t.lower_ in _BURNABLE for t in near)


#: Verbs that report a crash when a vehicle is beside them: "a pedestrian hit by a car",
#: "struck by a pickup", "the SUV rolled", "a semi jackknifed", "car slams into tree".
_IMPACT_VERBS = word_set("hit strike slam roll flip jackknife smash plow plough rear-end")
_VEHICLES = word_set(
    "car cars vehicle vehicles truck trucks pickup suv van minivan bus semi tractor-trailer"
    " trailer 18-wheeler motorcycle motorbike scooter e-scooter train tram sedan ute hilux"
    " caravan campervan taxi jeep lorry coach"
)


def _vehicle_impact(s: SentenceView, token: Token) -> bool:
    """Whether a vehicle does the impact: right before the verb ("car hits pole", "the SUV
    rolled") or after "by" ("struck by a pickup"); not "bus driver hit with a bottle"."""
    def vehicle(t: Token) -> bool:
        return t.lower_ in _VEHICLES or t.lemma_.lower() in _VEHICLES

    before = s.prev_tokens(token, 1)
    if before and vehicle(before[0]):
        return True
    after = s.next_tokens(token, 4)
    return bool(after) and after[0].lower_ == "by" and any(vehicle(t) for t in after[1:])


# The lemmas and words ``_special``'s rules start from (keep in step with its branches).
_SPECIAL_LEMMAS = (
    word_set("strike speech argument be find declare evidence tell action step take fund funds")
    | _OFFER_NOUNS | _IMPACT_VERBS
)
_SPECIAL_WORDS = word_set("closed shut medical")


def _special(
    s: SentenceView, token: Token, lemma: str, disaster: bool, entity_types: dict[int, str]
) -> tuple[str, bool] | None:
    """Event words that need context: strike, find guilty, declare an emergency, give
    evidence, tell a jury, a class action, step down, take over, a medical, emergency funds,
    and offers (a bid for a player is a transfer, for a company an acquisition)."""
    if lemma not in _SPECIAL_LEMMAS and token.lower_ not in _SPECIAL_WORDS:
        return None  # most tokens: no rule below can match, so skip building the context
    tag = token.tag_
    nxt = s.next_tokens(token, 3)
    nxt_words = [t.lower_ for t in nxt]
    prev = s.prev_tokens(token, 1)
    prev_word = prev[0].lower_ if prev else ""
    verb = tag.startswith("VB")
    if verb and lemma in _IMPACT_VERBS and not disaster and _vehicle_impact(s, token):
        return "crash", True
    if lemma == "strike" and not disaster:
        if verb and set(nxt_words) & _NOT_STRIKES:
            return None
        if s.words & LABOUR_WORDS:
            return "strike", verb
        if s.words & MILITARY_WORDS:
            return "attack", verb
        return None
    if lemma in ("speech", "argument") and tag == "NNS" and prev_word == "closing":
        return "closing-speeches", False
    if token.lower_ in ("closed", "shut") and tag == "JJ" and prev_word in (
        "remain", "remains", "remained", "stay", "stays", "stayed", "be", "been", "are", "were",
    ):  # fmt: skip
        return "closure", True
    if (
        verb
        and lemma == "be"
        and nxt_words[:1] == ["in"]
        and len(nxt) > 1
        and (
            entity_types.get(nxt[1].i) == "place"
            and any(entity_types.get(t.i) == "person" for t in s.prev_tokens(token, 3))
        )
    ):
        return "visit", True  # "Putin will be in Beijing from Thursday to Friday"
    if verb and lemma == "find" and "guilty" in nxt_words:
        return "verdict", True
    if (
        verb
        and lemma == "declare"
        and {t.lower_ for t in s.next_tokens(token, 4)} & DECLARE_OBJECTS
    ):
        return "declaration", True
    if lemma == "evidence" and any(t.lemma_.lower() == "give" for t in s.prev_tokens(token, 3)):
        return "testimony", False
    if verb and lemma == "tell" and set(nxt_words) & {"jury", "court", "tribunal"}:
        return "testimony", True
    if lemma == "action" and prev_word == "class":
        return "lawsuit", False
    if verb and lemma == "step" and nxt_words[:1] == ["down"]:
        return "resignation", True
    if verb and lemma == "take" and nxt_words[:1] == ["over"]:
        return ("acquisition", True) if _takes_over_company(s, nxt[0], entity_types) else None
    if token.lower_ == "medical" and prev_word in ("a", "the", "his", "her", "their"):
        return "medical", False
    if lemma in ("fund", "funds") and tag == "NNS" and prev_word in (
        "emergency", "relief", "reconstruction", "public",
    ):  # fmt: skip
        return "funding", False
    if lemma in _OFFER_NOUNS and tag in ("NN", "NNS"):
        for t in s.next_tokens(token, 15):
            kind = entity_types.get(t.i)
            if kind == "person" or t.lower_ in _PLAYER_WORDS or re.match(r"\d+-year-old", t.text):
                return "transfer", False
            if kind == "org" and lemma != "fee":
                return "acquisition", False
    return None


def _takes_over_company(s: SentenceView, over: Token, entity_types: dict[int, str]) -> bool:
    """Whether "take over" (``over``: its particle) has a company for object ("took over
    Fenwick", "was taken over by a rival") rather than a duty or a team ("has taken over the
    investigation", "will take over as coach")."""
    for tok in s.next_tokens(over, 6):
        if tok.lower_ in _NOT_TAKEOVERS:
            return False
        if entity_types.get(tok.i) == "org" or tok.lower_ in _COMPANY_WORDS:
            return True
        if tok.is_punct or entity_types.get(tok.i) in ("person", "place"):
            return False
    return False
