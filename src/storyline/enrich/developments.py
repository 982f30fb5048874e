"""Developments: the events an article reports, and the enrichment stage that finds them.

Needs: ``Article`` (title, text, published, outlet). Fills: ``ArticleEnrichment`` per article —
its entities (entities.py), resolved dates (dates.py), attributed statements (attribution.py)
and developments. ``enrich_articles`` is the batch-in/batch-out stage the pipeline runs.

A development is an *action* from a small lexicon of event words (``ACTIONS``: verbs and
nouns by lemma — visit, meeting, signing, attack, vote, strike, verdict, recall, acquisition,
earthquake, flood, transfer, ...) found in a body sentence, with:

* participants — the people and organisations in the sentence, less the statement's source;
* places — the places in the sentence;
* when — the resolved date span nearest the action word in the sentence (a date that dates
  the *report*, "said on Tuesday", is skipped), else one from the next or previous sentence;
* modality — ``rumoured``, ``expected``, ``planned``, ``announced``, ``happened``, ``denied``,
  ``cancelled`` or ``postponed``, from cue words in the clause before the action word, the
  tense of the action verb (or of the verb governing an action noun: "opened an
  investigation") and the kind of source (anonymous sources make a forecast a rumour);
* attribution — the source of the sentence (attribution.py).

Mentions of the same event within an article (same action, no conflicting participants,
overlapping times, both forecasts or both past) are merged; the merged development keeps the
first mention's modality, the first named source and the narrowest time. Developments are
ranked by salience (in the title, in the lede, mentioned again); the top ``max_main`` are the
article's *main* developments, the ones a timeline shows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from storyline.enrich.attribution import (
    REPORTING_VERBS,
    Attribution,
    EntitySpan,
    SourceMap,
    find_attributions,
    is_media_name,
)
from storyline.enrich.dates import resolve_dates
from storyline.enrich.entities import (
    ArticleEntity,
    EntityLookup,
    EntityResolver,
    Mention,
    article_entities,
    find_mentions,
    name_key,
    parse_texts,
    propagate_mentions,
)
from storyline.models import Article, TimeSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string (lexicons read better that way)."""
    return frozenset(text.split())


__all__ = [
    "ACTIONS",
    "ENRICHMENT_VERSION",
    "MODALITIES",
    "ArticleEnrichment",
    "Development",
    "EnrichOptions",
    "enrich_articles",
    "find_developments",
]

log = logging.getLogger(__name__)

#: Bumped when the shape or meaning of stored enrichment changes.
ENRICHMENT_VERSION = 1

MODALITIES = (
    "rumoured", "expected", "planned", "announced", "happened", "denied", "cancelled", "postponed",
)  # fmt: skip
#: Salience a development needs to be one of an article's main ones (besides the top one).
MIN_MAIN = 1.0
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
        "attack bomb shell invade raid",
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
    _action("explosion", "explode", "explosion blast"),
    _action("crash", "crash derail collide", "crash collision derailment"),
    _action("evacuation", "evacuate", "evacuation"),
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
    _action("appointment", "appoint nominate", "appointment nomination"),
    _action("protest", "protest demonstrate", "protest demonstration"),
    _action("ceasefire", "", "ceasefire truce armistice"),
    _action("sanctions", "sanction", "sanction sanctions embargo"),
    _action("launch", "launch unveil", "launch"),
)
_VERB_ACTIONS = {lemma: a.name for a in ACTIONS for lemma in a.verbs}
_NOUN_ACTIONS = {lemma: a.name for a in ACTIONS for lemma in a.nouns}

# Verbs that count only with a place after them ("flew to Seoul", "landed in Seoul").
_MOTION_VERBS = _words("travel fly arrive land")
# Verbs that count only with a party after them ("met Xi", "met with", not "met the target").
_PARTY_VERBS = frozenset({"meet", "buy", "acquire"})
# Verbs that carry an event noun and add only tense ("launched an invasion", "opened an
# inquiry", "underwent a medical", "returned verdicts"); never events themselves.
_SUPPORT_VERBS = _words(
    """
    launch open begin start hold stage conduct undergo complete make give return order
    announce confirm face win lose call carry seal agree schedule plan set
    """
)
_LABOUR_WORDS = _words(
    "union unions workers staff pay wage wages walkout picket employees nurses drivers doctors"
    " teachers pilots"
)
_MILITARY_WORDS = _words(
    "missile missiles drone drones air military troops rocket rockets army bomb bombs forces"
    " artillery"
)
_DECLARE_OBJECTS = _words(
    "emergency zone state disaster catastrophe war bankruptcy independence martial"
)

# --------------------------------------------------------------------------- modality cues

_CANCEL = _words("cancel scrap abandon axe scrub")
_POSTPONE = _words("postpone delay defer reschedule")
_DENY = _words("deny dismiss refute")
_DENIAL_RE = re.compile(
    r"\bno (?:date|decision|agreement|deal|plans?)\b[^.]{0,30}"
    r"\b(?:has|had|have|was|were)\b[^.]{0,12}\b(?:been )?(?:set|fixed|made|reached|agreed|taken)"
    r"|\bnot for sale\b|\bspeculat(?:ion|ive)\b"
    r"|\bno (?:formal )?(?:offer|bid)\b[^.]{0,20}\breceived|\bruled? out\b|\bno plans? to\b",
    re.IGNORECASE,
)
_RUMOUR = _words(
    "reportedly rumoured rumored rumour rumor speculation eyeing considering weighing mulling"
    " exploring"
)
_RUMOUR_RE = re.compile(
    r"\b(?:lining up|line up|lines up|in talks|understood to|linked with|interested in"
    r"|preparing (?:an? )?(?:\w+ )?(?:bid|move|offer)|clos(?:e|es|ed|ing) in on)\b",
    re.IGNORECASE,
)
_EXPECT = _words(
    "expected expect expects likely unlikely poised possible possibly potential probably"
    " anticipated could might may"
)
_PLAN = _words(
    "will shall 'll would scheduled due upcoming forthcoming plan plans planned planning"
    " intend intends intended set"
)
_PREPARING_RE = re.compile(r"\b(?:being prepared|in preparation|preparing for)\b", re.I)
_ANNOUNCE = _words("announce confirm unveil agree")
_ANNOUNCE_RE = re.compile(r"\b(?:announced|confirmed|unveiled|in a (?:joint )?statement)\b", re.I)
_PAST_AUX = _words("has have had was were been")
# Acts that exist by being announced: an organisation that "has extended its recall" announces.
_OFFICIAL_ACTS = _words(
    "recall acquisition appointment sanctions closure reopening investigation decision funding"
    " declaration sentencing verdict evacuation restart launch resignation arrest"
)
# Verbs that make the following infinitive an effect, not a plan ("prompting authorities to
# evacuate", "forcing the club to close").
_CAUSATIVES = _words("prompt force cause lead push spur allow help trigger")
_PRESENT_AUX = _words("is are has have")


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True, slots=True)
class Development:
    """One event as one article reports it (see the module docstring for each field).

    ``start_char``/``end_char`` locate the first sentence reporting it in the article body;
    ``mentions`` counts the sentences merged into it; ``main`` marks the article's top
    developments by ``salience``.
    """

    action: str
    trigger: str
    sentence: str
    start_char: int
    end_char: int
    participants: tuple[str, ...]
    places: tuple[str, ...]
    when: TimeSpan | None
    modality: str
    attribution: Attribution
    agent: str | None = None
    mentions: int = 1
    salience: float = 0.0
    main: bool = False


@dataclass(slots=True)
class ArticleEnrichment:
    """Everything the enrichment stage derived from one article."""

    article_id: str
    entities: list[ArticleEntity] = field(default_factory=list)
    dates: list[TimeSpan] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    developments: list[Development] = field(default_factory=list)
    version: int = ENRICHMENT_VERSION
    error: str | None = None


@dataclass(frozen=True, slots=True)
class EnrichOptions:
    """Settings of the enrichment stage."""

    #: Documents per ``nlp.pipe`` batch.
    batch_size: int = 32
    #: Processes for ``nlp.pipe`` (2 gains ~20% on two free cores; 1 avoids forking).
    n_process: int = 1
    #: Longest body analysed, in characters (longer texts are cut; news rarely is).
    max_chars: int = 30_000
    #: Developments per article marked ``main``.
    max_main: int = 3


# --------------------------------------------------------------------------- detection


@dataclass(slots=True)
class _Trigger:
    token: Token
    action: str
    is_verb: bool
    governor: Token | None  # the verb whose tense a noun trigger takes


def _in_action(token: Token) -> tuple[str, bool] | None:
    """The action a token reports and whether it is a verb trigger, or None."""
    lemma = token.lemma_.lower()
    lower = token.lower_
    tag = token.tag_
    if tag.startswith("VB"):
        action = _VERB_ACTIONS.get(lemma)
        return (action, True) if action else None
    if tag in ("NN", "NNS"):
        action = _NOUN_ACTIONS.get(lemma) or _NOUN_ACTIONS.get(lower)
        if action is None and lemma == "talk" and tag == "NNS":
            action = "meeting"
        return (action, False) if action else None
    return None


class _Sentence:
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


_CLAUSE_OPENERS = _words(
    "that which who whom whose after before while because if when where as since until though"
    " although whereas but"
)


def _governor(s: _Sentence, noun: Token) -> Token | None:
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
        if (tok.is_punct and tok.text not in ("-", "–")) or tok.lower_ in _CLAUSE_OPENERS:
            return None
        if tok.tag_.startswith("VB") and tok.lemma_.lower() in REPORTING_VERBS - _ANNOUNCE:
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
_NOT_EVENTS = frozenset({("heart", "attack"), ("panic", "attack"), ("asthma", "attack")})
# Nouns that are inherently plural or name one event in the plural ("talks", "repairs").
_PLURAL_EVENTS = _words("talks negotiations sanctions repairs floods elections")
# Prepositions that make an event noun the setting or purpose of an earlier event in the
# sentence ("visit China for talks", "vote at a general meeting", "during the trip").
_SETTING_PREPS = _words("for at during after before following ahead")
# Determiners and the like that make a plural noun a specific event ("several visits").
_SPECIFIERS = _words("DT CD PRP$ POS JJ JJR JJS")
# Nouns for players, so that a bid for one is a transfer ("offer for the striker").
_PLAYER_WORDS = _words(
    "striker forward midfielder defender goalkeeper winger player playmaker captain"
)
# Offers whose object decides the action: a person → transfer, an organisation → acquisition.
_OFFER_NOUNS = _words("bid offer approach fee")


def _triggers(
    s: _Sentence, entity_types: dict[int, str], exclude: tuple[int, int] = (0, 0)
) -> list[_Trigger]:
    """The action words of a sentence (``exclude``: the character range naming its source,
    so that "people familiar with the talks" reports no talks)."""
    found: list[_Trigger] = []
    disaster = any(_NOUN_ACTIONS.get(w) in ("earthquake", "storm", "flood") for w in s.lemmas)
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
        after = s.next_tokens(token, 4)
        prev = s.prev_tokens(token, 2)
        if is_verb:
            if not _verb_counts(token, lemma, after, entity_types):
                continue
        else:
            nxt = after[0] if after else None
            # A modifier, not the event: "evacuation routes", "quake-hit towns".
            if (
                nxt is not None
                and (nxt.tag_ in ("NN", "NNS") or nxt.text in ("-", "–"))
                and not (token.lower_ == "talks" or nxt.lower_ in ("of", "on"))
            ):
                continue
            if prev and (prev[-1].lower_, token.lower_) in _NOT_EVENTS:
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
                if not (earlier.is_verb and earlier.token.lemma_.lower() in _MOTION_VERBS):
                    continue
            if action == "signing" and nxt is not None and nxt.lower_ == "of" and (
                any(entity_types.get(t.i) == "person" or t.lower_ in _PLAYER_WORDS
                    for t in s.next_tokens(token, 5))
            ):  # fmt: skip
                action = "transfer"
        governor = None if is_verb else _governor(s, token)
        found.append(_Trigger(token, action, is_verb, governor))
    # A support verb right before an event noun adds only tense: keep the noun.
    nouns = [t for t in found if not t.is_verb]
    kept = []
    for trig in found:
        if (
            trig.is_verb
            and trig.token.lemma_.lower() in _SUPPORT_VERBS
            and any(0 < n.token.i - trig.token.i <= 6 for n in nouns)
        ):
            continue
        kept.append(trig)
    # A meeting beside another event is its setting ("will hold talks, after which the two
    # sides will sign"; "vote at a general meeting"), not news of its own.
    if any(t.action not in _WEAK_ACTIONS for t in kept):
        kept = [t for t in kept if t.action not in _WEAK_ACTIONS]
    return kept


def _verb_counts(
    token: Token, lemma: str, after: list[Token], entity_types: dict[int, str]
) -> bool:
    """Whether a lexicon verb reports the event here (not "met the target", "recalled that")."""
    if lemma in _MOTION_VERBS:
        return any(entity_types.get(t.i) == "place" for t in after)
    if lemma in _PARTY_VERBS:
        return any(
            entity_types.get(t.i) in ("person", "org", "place") or t.lower_ == "with" for t in after
        )
    first = after[0].lower_ if after else ""
    if lemma == "recall" and first in ("that", "how", "when", "the", "his", "her"):
        return any(t.tag_ == "CD" for t in after)
    if lemma in ("close", "shut"):
        return first not in ("in", "to", "at", "up", "down", "out")
    return lemma != "rule"


def _special(
    s: _Sentence, token: Token, lemma: str, disaster: bool, entity_types: dict[int, str]
) -> tuple[str, bool] | None:
    """Event words that need context: strike, find guilty, declare an emergency, give
    evidence, tell a jury, a class action, step down, take over, a medical, emergency funds,
    and offers (a bid for a player is a transfer, for a company an acquisition)."""
    tag = token.tag_
    nxt = s.next_tokens(token, 3)
    nxt_words = [t.lower_ for t in nxt]
    prev = s.prev_tokens(token, 1)
    prev_word = prev[0].lower_ if prev else ""
    verb = tag.startswith("VB")
    if lemma == "strike" and not disaster:
        if s.words & _LABOUR_WORDS:
            return "strike", verb
        if s.words & _MILITARY_WORDS:
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
        and {t.lower_ for t in s.next_tokens(token, 4)} & _DECLARE_OBJECTS
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
        return "acquisition", True
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


def _clause_window(s: _Sentence, trig: _Trigger) -> list[Token]:
    """Tokens of the trigger's clause: from the last clause opener before it to the first
    clause break after it (at most eight tokens on)."""
    anchor = trig.token
    start = s.sent.start
    for tok in reversed(s.prev_tokens(anchor, 40)):
        if tok.text in (";", ":", "—") or (tok.lower_ in _CLAUSE_OPENERS and tok.i > start):
            start = tok.i + 1
            break
    end = anchor.i + 1
    for tok in s.next_tokens(anchor, 10):
        if tok.text in (",", ";", ":", "—", ".") or tok.lower_ in _CLAUSE_OPENERS:
            break
        end = tok.i + 1
    return [s.doc[i] for i in range(start, end)]


def _is_past(tok: Token, s: _Sentence) -> bool:
    """A past-tense verb, or a past participle after has/had/was/were/been (not "will be")."""
    if tok.tag_ == "VBD":
        return True
    if tok.tag_ == "VBN":
        before = [t.lower_ for t in s.prev_tokens(tok, 3)]
        if any(w in _PAST_AUX for w in before) and not any(
            w in ("will", "would", "to", "could", "may", "might", "should", "be") for w in before
        ):
            return True
    return False


def _is_present_action(tok: Token, s: _Sentence) -> bool:
    """Present progressive or perfect, or a present-tense verb ("is recalling", "has agreed")."""
    if tok.tag_ in ("VBZ", "VBP"):
        return True
    before = [t.lower_ for t in s.prev_tokens(tok, 2)]
    return tok.tag_ in ("VBG", "VBN") and any(w in _PRESENT_AUX for w in before)


def _modality(
    s: _Sentence,
    trig: _Trigger,
    source: Attribution,
    when: TimeSpan | None,
    published: date,
    entity_types: dict[int, str],
    *,
    headline: bool = False,
) -> str:
    """The modality of one mention (see the module docstring); ``headline`` marks the first
    event of the lede, which is the announcement when an official states a plan."""
    window = _clause_window(s, trig)
    lemma_set = {t.lemma_.lower() for t in window}
    word_set = {t.lower_ for t in window}
    text = " ".join(t.text for t in window)
    sent_text = s.sent.text
    # Cancelling, postponing and denying verbs reach across the sentence ("The summit,
    # planned for next week, was cancelled"; "denied reports that the minister would visit").
    verbs = {t.lemma_.lower() for t in s.sent if t.tag_.startswith("VB")} | lemma_set
    if (
        verbs & _CANCEL and not re.search(r"\bcancel(?:s|led|ed|ling)? out\b", sent_text, re.I)
    ) or (re.search(r"\bcall(?:ed|s)? off\b", sent_text, re.I)):
        return "cancelled"
    if verbs & _POSTPONE or re.search(r"\b(?:put|push(?:ed)?) (?:off|back)\b", sent_text, re.I):
        return "postponed"
    if (verbs & _DENY and not {"charge", "charges", "allegation", "allegations"} & s.words) or (
        _DENIAL_RE.search(sent_text)
    ):
        return "denied"
    verb = _tense_verb(s, trig, window)
    future_cue = bool(word_set & _PLAN) or bool(re.search(r"\b(?:is|are) (?:to|due|set)\b", text))
    expect_cue = bool(word_set & _EXPECT) or bool(_PREPARING_RE.search(text))
    rumour_cue = bool(word_set & _RUMOUR) or bool(_RUMOUR_RE.search(text))
    future_when = when is not None and when.start > published.isoformat()
    announce_verb = bool(lemma_set & _ANNOUNCE) or (
        trig.governor is not None and trig.governor.lemma_.lower() in _ANNOUNCE
    )
    announce = (
        announce_verb
        or bool(_ANNOUNCE_RE.search(sent_text))
        or (source.cue.lower() in ("announced", "confirmed", "announces", "confirms"))
    )
    # An official act: a named source, or an organisation doing it ("Halvard Home has
    # extended its recall"); present and perfect tenses then announce rather than narrate.
    official = source.kind in ("institution", "person") or (
        verb is not None and _subject_type(s, verb, entity_types) == "org"
    )
    if trig.governor is not None and trig.governor.lemma_.lower() in _ANNOUNCE and official:
        return "announced"  # "as it announced a recall", "announced the expansion"
    if (
        verb is not None
        and verb.tag_ != "MD"
        and _is_past(verb, s)
        and not (expect_cue or rumour_cue or (future_cue and verb.tag_ == "VBN") or future_when)
    ):
        perfect = verb.tag_ == "VBN" and any(
            t.lower_ in ("has", "have") for t in s.prev_tokens(verb, 2)
        )
        if perfect and official and trig.action in _OFFICIAL_ACTS:
            return "announced"
        return "happened"
    anonymous = source.kind == "anonymous" or (
        source.citing is not None and source.kind == "agency"
    )
    if rumour_cue:
        return "rumoured"
    if expect_cue:
        return "expected"
    if anonymous:
        return "expected" if future_cue or future_when else "rumoured"
    infinitive = (
        verb is not None
        and verb.tag_ == "VB"
        and any(t.lower_ == "to" for t in s.prev_tokens(verb, 1))
    )
    if future_cue or future_when or infinitive or (verb is not None and verb.tag_ == "MD"):
        if (official and (announce or headline)) or (announce and trig.action in _OFFICIAL_ACTS):
            return "announced"
        return "planned"
    if verb is not None and _is_present_action(verb, s) and official:
        return "announced"
    if announce and trig.action in _OFFICIAL_ACTS and (official or announce_verb):
        return "announced"
    return "happened"


def _tense_verb(s: _Sentence, trig: _Trigger, window: Sequence[Token]) -> Token | None:
    """The verb whose tense the mention takes: the trigger itself, the verb governing a
    noun trigger, else the clause's (or sentence's) first finite verb."""
    verb = trig.token if trig.is_verb else trig.governor
    if verb is not None and verb.tag_ == "VBG" and not _is_present_action(verb, s):
        verb = None  # "Following the talks": a participle carries no tense
    if verb is not None and verb.tag_ == "VB" and trig.is_verb:
        # "prompting authorities to evacuate": the effect takes the sentence's tense.
        before = s.prev_tokens(verb, 4)
        if any(t.lemma_.lower() in _CAUSATIVES for t in before):
            verb = None
    if verb is not None:
        return verb
    finite = ("VBD", "VBZ", "VBP", "MD")

    def usable(t: Token) -> bool:
        adjectival = t.i > s.sent.start and s.doc[t.i - 1].tag_ in ("DT", "POS", "PRP$")
        return t.tag_ in finite and not adjectival

    return next((t for t in window if usable(t)), None) or next(
        (t for t in s.sent if usable(t) and t.lemma_.lower() not in REPORTING_VERBS), None
    )


def _subject_type(s: _Sentence, verb: Token, entity_types: dict[int, str]) -> str | None:
    """The type of the name right before a verb (its likely subject), if any."""
    for tok in reversed(s.prev_tokens(verb, 4)):
        kind = entity_types.get(tok.i)
        if kind is not None:
            return kind
        if tok.is_punct:
            return None
    return None


def _report_date(s: _Sentence, span_start: int) -> bool:
    """Whether a date right after a reporting verb dates the report ("said on Tuesday")."""
    tokens = [t for t in s.sent if t.idx < span_start][-6:]
    for back, tok in enumerate(reversed(tokens)):
        if tok.tag_.startswith("VB") and tok.lemma_.lower() in REPORTING_VERBS:
            between = tokens[len(tokens) - back :]
            return all(
                t.lower_ in ("on", "in", "a", "an", "its", "the", "statement", "filing", "late",
                             "early", "joint", ",", "publicly", "also")
                for t in between
            )  # fmt: skip
    return False


def _choose_when(
    s: _Sentence,
    trig: _Trigger,
    spans: Sequence[TimeSpan],
    *,
    report: bool = False,
    others: Sequence[_Trigger] = (),
) -> TimeSpan | None:
    """The date nearest the action word (after it, within a clause, preferred); dates of the
    report itself ("said on Tuesday") only with ``report``; a date nearer another event word
    of the sentence is that event's ("declared ... on Wednesday, a day after an earthquake")."""
    pos = trig.token.idx

    def clause(t: _Trigger) -> tuple[int, int]:
        window = _clause_window(s, t)
        return window[0].idx, window[-1].idx + len(window[-1])

    own = clause(trig)
    theirs = [clause(o) for o in others if o is not trig]

    def inside(span: TimeSpan, rng: tuple[int, int]) -> bool:
        return rng[0] <= span.start_char < rng[1]

    pool = [t for t in spans if _report_date(s, t.start_char) == report]
    candidates = [t for t in pool if inside(t, own)] or [
        t for t in pool if not any(inside(t, rng) for rng in theirs)
    ]
    if not candidates:
        return None

    def distance(span: TimeSpan) -> tuple[int, int]:
        after = span.start_char >= pos
        gap = span.start_char - pos if after else pos - span.end_char
        return (0 if after and gap < 120 else 1, gap)

    return min(candidates, key=distance)


def _find_in_sentence(
    index: int,
    s: _Sentence,
    triggers: Sequence[_Trigger],
    *,
    entities: Sequence[EntitySpan],
    entity_types: dict[int, str],
    spans: Sequence[TimeSpan],
    neighbour_spans: dict[str, list[TimeSpan]],
    sources: SourceMap,
    published: date,
    lede: bool = False,
) -> list[Development]:
    sent = s.sent
    source = sources.for_sentence(index)
    source_text = f"{source.name or ''} {source.citing or ''}" if source.kind != "outlet" else ""
    lo, hi = source.source_start, source.source_end
    if source.sentence != index:
        lo = hi = 0
    actors = [
        e for e in entities
        if sent.start_char <= e.start_char < sent.end_char and not e.adjectival
        and e.name not in source_text and not (e.type == "org" and is_media_name(e.name))
        and not (lo <= e.start_char < hi)
    ]  # fmt: skip
    # Several words for the same action in one sentence are one development, unless they have
    # different agents ("Putin's trip will precede Xi's planned visit").
    chosen: list[tuple[_Trigger, str | None]] = []
    for trig in triggers:
        agent = _agent(s, trig, actors)
        same = [c for c in chosen if c[0].action == trig.action]
        if same and (agent is None or any(a == agent for _, a in same)):
            continue
        chosen.append((trig, agent))
    out: list[Development] = []
    lede_announced = False
    for number, (trig, agent) in enumerate(chosen):
        mine = _segment(trig, [c[0] for c in chosen], actors, sent.end_char)
        participants = _unique(e.name for e in mine if e.type in ("person", "org"))
        places = _unique(e.name for e in mine if e.type == "place")
        others = [c[0] for c in chosen]
        when = _choose_when(s, trig, spans, others=others)
        if when is None and agent is None:
            when = next(iter(neighbour_spans.get(trig.action, ())), None)
        own = source
        if source.sentence == index and source.cue and trig.token.text == source.cue:
            # The reporting verb is the event ("told the jury"): the speaker acts, the outlet
            # reports.
            own = Attribution("outlet", sources.outlet, sentence=index)
        elif source.kind == "outlet" and trig.action in _OFFICIAL_ACTS:
            own = sources.actor(index) or source
        # The lede's first event, and the events beside an announced one, are the news.
        headline = lede and (number == 0 or lede_announced)
        modality = _modality(s, trig, own, when, published, entity_types, headline=headline)
        if when is None and (
            modality == "happened" or (modality == "announced" and trig.action in _OFFICIAL_ACTS)
        ):
            # "Halvard Home said on Wednesday it is recalling": the announcement dates it.
            when = _choose_when(s, trig, spans, report=True, others=others)
            if when is not None and when.start > published.isoformat():
                when = None
        lede_announced = lede_announced or (lede and number == 0 and modality == "announced")
        if when is not None and modality == "happened" and when.start > published.isoformat():
            when = None  # a date still to come cannot date what already happened
        out.append(
            Development(
                action=trig.action, trigger=trig.token.text, sentence=_trim(sent.text),
                start_char=sent.start_char, end_char=sent.end_char,
                participants=participants, places=places, when=when, modality=modality,
                attribution=own, agent=agent,
            )
        )  # fmt: skip
    return out


def _segment(
    trig: _Trigger, chosen: Sequence[_Trigger], actors: Sequence[EntitySpan], end: int
) -> list[EntitySpan]:
    """The sentence's names that belong to ``trig``: all of them, unless another trigger of
    the same action shares the sentence; then those nearer to this trigger than to it."""
    rivals = [t for t in chosen if t.action == trig.action and t is not trig]
    if not rivals:
        return list(actors)
    pos = trig.token.idx

    def nearest(e: EntitySpan) -> bool:
        mine = abs(e.start_char - pos)
        return all(mine <= abs(e.start_char - r.token.idx) for r in rivals)

    return [e for e in actors if nearest(e)]


def _agent(s: _Sentence, trig: _Trigger, actors: Sequence[EntitySpan]) -> str | None:
    """Who does it: the possessor of a noun ("Xi's visit") or the nearest name before a verb."""
    pos = trig.token.idx
    before = [e for e in actors if e.end_char <= pos and e.type in ("person", "org")]
    if not before:
        return None
    last = before[-1]
    gap = s.doc.text[last.end_char : pos]
    if not trig.is_verb:
        return last.name if re.match(r"^\s*['’]s?\s+(?:[\w-]+\s+){0,2}$", gap) else None
    return last.name if len(gap.split()) <= 4 and "," not in gap else None


def _unique(items: object) -> tuple[str, ...]:
    out: list[str] = []
    for item in items:  # type: ignore[attr-defined]
        if item not in out:
            out.append(item)
    return tuple(out)


def _trim(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- merging, salience


def _overlaps(a: TimeSpan | None, b: TimeSpan | None) -> bool:
    return a is None or b is None or (a.start <= b.end and b.start <= a.end)


def _width(span: TimeSpan) -> int:
    return (date.fromisoformat(span.end) - date.fromisoformat(span.start)).days


def _compatible(a: Development, b: Development, *, strict: bool = True) -> bool:
    """Whether two mentions in one article can be the same event; ``strict`` also asks both
    to be forecasts or both past (an undated later mention may cross that line)."""
    if a.action != b.action:
        return False
    if strict and (a.modality == "happened") != (b.modality == "happened"):
        return False
    if a.agent and b.agent and a.agent != b.agent:
        return False
    if a.participants and b.participants and not set(a.participants) & set(b.participants):
        return False
    return _overlaps(a.when, b.when)


def _merge(devs: Sequence[Development]) -> list[Development]:
    merged: list[Development] = []
    for dev in devs:
        target = next((i for i, m in enumerate(merged) if _compatible(m, dev)), None)
        if target is None and dev.when is None:
            target = next(
                (i for i, m in enumerate(merged) if _compatible(m, dev, strict=False)), None
            )
        if target is None:
            merged.append(dev)
            continue
        base = merged[target]
        when = base.when
        if dev.when is not None and (when is None or _width(dev.when) < _width(when)):
            when = dev.when
        source, modality = base.attribution, base.modality
        if source.kind == "outlet" and dev.attribution.kind != "outlet":
            # A named source's account outweighs the outlet's own framing.
            source = dev.attribution
            if (base.modality == "happened") == (dev.modality == "happened"):
                modality = dev.modality
        merged[target] = replace(
            base,
            participants=_unique([*base.participants, *dev.participants]),
            places=_unique([*base.places, *dev.places]),
            when=when, attribution=source, modality=modality, agent=base.agent or dev.agent,
            mentions=base.mentions + 1,
        )  # fmt: skip
    return merged


def _rank(
    devs: list[Development], title_actions: set[str], lede_end: int, max_main: int
) -> list[Development]:
    """Score salience and mark the top ``max_main`` developments (at least ``MIN_MAIN``) main.

    In the title +3 (once per action), in the lede +2, earlier +1/(1+rank), each further
    mention +0.5 (up to 3), a date +0.6, names or places +0.2; a second development of an
    action already seen −1 (a background mention of the same kind of event).
    """
    scored = []
    boosted: set[str] = set()
    for order, dev in enumerate(devs):
        score = 3.0 if dev.action in title_actions and dev.action not in boosted else 0.0
        score -= 1.0 if dev.action in boosted else 0.0
        boosted.add(dev.action)
        score += 2.0 if dev.start_char < lede_end else 0.0
        score += 1.0 / (1 + order) + 0.5 * min(dev.mentions - 1, 3)
        score += 0.6 if dev.when is not None else 0.0
        score += 0.2 if dev.participants or dev.places else 0.0
        scored.append(replace(dev, salience=round(score, 3)))
    ranked = sorted(range(len(scored)), key=lambda i: -scored[i].salience)
    top = {i for n, i in enumerate(ranked[:max_main]) if n == 0 or scored[i].salience >= MIN_MAIN}
    return [replace(d, main=i in top) for i, d in enumerate(scored)]


def find_developments(
    doc: Doc,
    *,
    body_start: int,
    entities: Sequence[EntitySpan],
    spans: Sequence[TimeSpan],
    sources: SourceMap,
    published: date,
    max_main: int = 3,
) -> list[Development]:
    """The developments reported in ``doc``'s body (from ``body_start``), merged and ranked.

    ``spans`` are the resolved dates in ``doc`` coordinates; ``sources`` the article's
    attributions. Sentences before ``body_start`` (the title) only raise the salience of the
    actions they mention. Offsets in the result are relative to the body.
    """
    token_types: dict[int, str] = {}
    for e in entities:
        span = doc.char_span(e.start_char, e.end_char, alignment_mode="expand")
        if span is not None:
            for tok in span:
                token_types[tok.i] = e.type
    sents = list(doc.sents)
    by_sentence: list[list[TimeSpan]] = [[] for _ in sents]
    for t in spans:
        for i, sent in enumerate(sents):
            if sent.start_char <= t.start_char < sent.end_char:
                by_sentence[i].append(t)
                break
    views = [_Sentence(sent) for sent in sents]
    triggers = []
    for index, view in enumerate(views):
        own = sources.by_sentence.get(index)
        exclude = (own.source_start, own.source_end) if own is not None else (0, 0)
        triggers.append(_triggers(view, token_types, exclude))
    actions = [{t.action for t in found} for found in triggers]
    title_actions: set[str] = set()
    found: list[Development] = []
    lede_end = None
    for index, sent in enumerate(sents):
        if sent.end_char <= body_start:
            title_actions.update(actions[index])
            continue
        is_lede = False
        if lede_end is None and sent.text.strip():
            lede_end = sent.end_char - body_start
            is_lede = True
        if not triggers[index]:
            continue
        # A neighbouring sentence lends its date only to a mention of an action it reports.
        neighbours: dict[str, list[TimeSpan]] = {}
        for near in (index + 1, index - 1):
            if 0 <= near < len(sents) and sents[near].start_char >= body_start:
                for action in actions[near] & actions[index]:
                    neighbours.setdefault(action, []).extend(
                        t for t in by_sentence[near] if not _report_date(views[near], t.start_char)
                    )
        found.extend(
            _find_in_sentence(
                index,
                views[index],
                triggers[index],
                entities=entities,
                entity_types=token_types,
                spans=by_sentence[index],
                neighbour_spans=neighbours,
                sources=sources,
                published=published,
                lede=is_lede,
            )  # fmt: skip
        )
    body = [
        replace(d, start_char=d.start_char - body_start, end_char=d.end_char - body_start,
                when=_shift(d.when, -body_start),
                attribution=_shift_source(d.attribution, -body_start))
        for d in _merge(found)
    ]  # fmt: skip
    return _rank(body, title_actions, lede_end or 0, max_main)


def _shift_source(source: Attribution, by: int) -> Attribution:
    if source.end_char <= 0:
        return source
    return replace(source, start_char=source.start_char + by, end_char=source.end_char + by)


def _shift(span: TimeSpan | None, by: int) -> TimeSpan | None:
    if span is None:
        return None
    return replace(span, start_char=span.start_char + by, end_char=span.end_char + by)


# --------------------------------------------------------------------------- the stage

_BYLINE_RE = re.compile(
    r"^\s*(?:by\s+\S|posted\b|published\b|updated\b|words:)|\bmin read\b", re.IGNORECASE
)


def _byline_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of byline-like lines near the top of a body."""
    ranges, pos = [], 0
    for number, line in enumerate(text.split("\n")):
        if number < 6 and _BYLINE_RE.search(line):
            ranges.append((pos, pos + len(line)))
        pos += len(line) + 1
    return ranges


def article_dates(article: Article) -> list[TimeSpan]:
    """``resolve_dates`` over the article body, without date expressions in a byline."""
    spans = resolve_dates(article.text, article.published)
    skip = _byline_ranges(article.text)
    return [t for t in spans if not any(a <= t.start_char < b for a, b in skip)]


def enrich_articles(
    articles: Sequence[Article],
    *,
    lookup: EntityLookup | None = None,
    options: EnrichOptions | None = None,
) -> list[ArticleEnrichment]:
    """Enrich a batch of articles: entities with identity, dates, attributions, developments.

    ``lookup`` finds entities already stored (``Store.match_entities``) so that names in this
    batch join them. One result per article, in order; an article whose analysis fails gets
    an empty result with ``error`` set (logged), and the batch goes on.
    """
    opts = options or EnrichOptions()
    if not articles:
        return []
    heads = [f"{a.title.strip()}\n\n" if a.title.strip() else "" for a in articles]
    texts = [h + a.text[: opts.max_chars] for h, a in zip(heads, articles, strict=True)]
    docs = parse_texts(texts, batch_size=opts.batch_size, n_process=opts.n_process)
    mentions = propagate_mentions(texts, [find_mentions(doc) for doc in docs])
    locals_ = [article_entities(m) for m in mentions]
    resolved = EntityResolver(lookup).resolve([ents for ents, _ in locals_])
    results: list[ArticleEnrichment] = []
    for article, head, doc, found, (_, local_map), (entities, final) in zip(
        articles, heads, docs, mentions, locals_, resolved, strict=True
    ):
        try:
            results.append(
                _enrich_one(article, len(head), doc, found, local_map, entities, final, opts)
            )
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
            log.warning("enrichment failed for %s: %s", article.id, exc, exc_info=True)
            results.append(ArticleEnrichment(article.id, entities=entities, error=str(exc)))
    return results


def _enrich_one(
    article: Article,
    body_start: int,
    doc: Doc,
    mentions: Sequence[Mention],
    local_map: dict[str, str],
    entities: list[ArticleEntity],
    final: dict[str, ArticleEntity],
    opts: EnrichOptions,
) -> ArticleEnrichment:
    spans_body = article_dates(article)
    spans_doc = [_shift(t, body_start) for t in spans_body]
    entity_spans = []
    for m in mentions:
        key = local_map.get(name_key(m.name))
        ent = final.get(key) if key is not None else None
        if ent is not None:
            entity_spans.append(
                EntitySpan(m.start_char, m.end_char, ent.name, ent.type, m.alias != m.name)
            )
    sources = find_attributions(doc, entity_spans, outlet=article.outlet, start_char=body_start)
    developments = find_developments(
        doc, body_start=body_start, entities=entity_spans,
        spans=[t for t in spans_doc if t is not None], sources=sources,
        published=article.published.date(), max_main=opts.max_main,
    )  # fmt: skip
    attributions = [_shift_source(a, -body_start) for a in sources.attributions]
    return ArticleEnrichment(
        article.id, entities=entities, dates=spans_body, attributions=attributions,
        developments=developments,
    )  # fmt: skip
