"""Event evidence per article, and how two articles' evidence agrees or conflicts.

Needs: ``Article.title``, ``text``, ``language`` and, when enrichment ran, its entities.
Fills: ``Article.evidence``.

A story is one real-world event, not a topic. Sentence embeddings measure topic: two factory
fires a week apart read alike. What tells two look-alike events apart are their specifics, so
an article's evidence holds:

- ``terms``: its words weighted by how rare they are in the language (``wordfreq``'s Zipf
  scale, so no corpus statistics are needed and a name like "Fresno" outweighs "fire"), an
  L2-normalised sparse vector of the heaviest ``MAX_TERMS``;
- ``people``, ``orgs``: canonical names from enrichment (capitalised keywords when it is off);
- ``places``: gazetteer paths with containment (``stories/places.py``);
- ``numbers`` (counts, amounts, magnitudes; not years or 1–3) and ``years``.

``compare`` turns two articles' evidence into the event features of the pair score
(``EVENT_FEATURES``): agreement (shared rare words, names, numbers) and conflict — both name
specific places and none is compatible, both give several numbers and share none, both name
years and share none, both name several entities and share none. Conflict is evidence
*against* a join, not merely missing evidence for it. On ECB+ topics 1–35 (look-alike events),
within-topic ROC AUC of the rare-word cosine is 0.905 against 0.857 for the body embedding
cosine (benchmarks/QUALITY.md §5).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from storyline.enrich.recalls import recall_spans, without_recalls
from storyline.enrich.tense import sentence_starts
from storyline.models import Article, ArticleEnrichment, Evidence
from storyline.stories import places as _places
from storyline.stories.features import jaccard
from storyline.stories.headlines import (
    HEADLINE_ITEM,
    RECURRING_STORIES,
    headline_key,
    same_headline,
)

__all__ = [
    "EVENT_FEATURES", "Background", "Comparison", "Evidence", "add_evidence", "compare",
    "english_only", "evidence_for", "evidence_from_dict", "evidence_to_dict", "story_items",
]

#: Words kept in an article's term vector (the rarest-weighted).
MAX_TERMS = 64
#: Zipf frequency above which a word carries no weight ("the" is 7.7, "fire" 5.3, "Dayton" 3.5).
ZIPF_CEILING = 7.0
#: Both articles must give at least this many numbers for "none shared" to count against.
MIN_NUMBERS = 2
#: ... and at least this many entities.
MIN_ENTITIES = 3

#: Order of the event features in ``Comparison.vector`` (and of their fitted weights).
EVENT_FEATURES = (
    "terms", "entities", "entity_conflict", "people", "place_agree", "place_conflict",
    "numbers", "number_conflict", "years", "year_conflict", "short",
)
#: Bodies of at most this many words are headline-like (titles, feed summaries).
SHORT_WORDS = 40
#: An item (word, name, place) named by at least this share of the recent stories, and by at
#: least ``COMMON_MIN_STORIES`` of them, is *common*: it says nothing about which event. A fifth
#: rather than 5%: streaming all ECB+ topics 1–35 at the shipped threshold, BCubed F1 0.912
#: against 0.896 (no background 0.918; it loses the years and names that many of the
#: corpus's stories share); the local dev set (``demo/local``) 1.000 against 0.987 (none 0.985).
COMMON_SHARE = 0.2
COMMON_MIN_STORIES = 3
#: Heaviest words of each article that count towards a story's items (names always count).
STORY_TERMS = 24
#: Items kept per story, and stories kept (the most recently touched) by a ``Background``.
STORY_ITEMS_MAX = 256
BACKGROUND_STORIES = 1000

#: Ranks and roles of people who speak for police, fire and press offices, forecast the
#: weather or sit in court for many cases: named before the name ("Sgt. Derek Whitcomb",
#: "meteorologist Jason Pruitt", "Judge Loretta Bingham").
_RANKS = frozenset({
    "sgt", "sergeant", "lt", "lieutenant", "capt", "captain", "officer", "det", "detective",
    "deputy", "cpl", "corporal", "spokesman", "spokeswoman", "spokesperson",
    "meteorologist", "forecaster", "judge", "prosecutor",
    # Commonwealth police ranks ("Det Insp Lana Whitiora", "Supt Karen Hale", "Const Lee")
    "inspector", "insp", "superintendent", "supt", "constable", "const", "commissioner",
    "commander",
})
#: Fire-service ranks of two words ("Shift Manager Brent Sorensen", "Station Officer ...").
_FIRE_RANKS = ("district chief", "battalion chief", "fire chief", "police chief",
               "shift manager", "station officer", "station manager", "watch manager",
               "crew manager", "group manager", "incident controller")
_RANK_PATTERN = "|".join([*sorted(_RANKS - {"spokesman", "spokeswoman", "spokesperson"}),
                          *_FIRE_RANKS])
#: ... and after it ("Whitcomb, a police spokesman", "Pruitt, a meteorologist with ...").
_ROLE_PATTERN = "|".join(["spokesman", "spokeswoman", "spokesperson",
                          "public information officer", *_FIRE_RANKS,
                          "meteorologist", "forecaster", "judge", "prosecutor"])

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w])")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_POSSESSIVE = re.compile(r"['’]s$")
_TRIVIAL_NUMBERS = frozenset({"0", "1", "2", "3"})
#: Clock times ("at 7:40 p.m.", "5.40pm", "vers 9h30", "19:40"): one item each ("@19:40"),
#: not two numbers, or the minutes of two releases' times would match by chance ("40"). Two
#: reports of one crash may give the same time; two reports' different times (one says
#: "about 7:30", the other "shortly before 8") are no conflict.
_CLOCK = re.compile(
    r"\b(\d{1,2})(?:[:h.](\d{2}))?\s*(a\.?\s?m\b\.?|p\.?\s?m\b\.?|o['’]clock|h\b)"
    r"|\b(\d{1,2})[:h](\d{2})\b",
    re.IGNORECASE,
)
_CLOCK_MARK = "@"


@dataclass(frozen=True, slots=True)
class Comparison:
    """How two articles' evidence meets: the shared and the conflicting specifics."""

    terms: float
    shared_terms: tuple[str, ...]
    shared_people: frozenset[str]
    shared_orgs: frozenset[str]
    shared_places: frozenset[str]
    place_conflict: tuple[frozenset[str], frozenset[str]] | None
    shared_numbers: frozenset[str]
    number_conflict: bool
    shared_years: frozenset[str]
    year_conflict: bool
    entity_jaccard: float
    entity_conflict: bool
    people_jaccard: float
    number_jaccard: float
    year_jaccard: float
    #: Both bodies are headline-like (``SHORT_WORDS``): their cosines and shared words run
    #: lower for the same event, and the fitted model corrects for it — unless they share
    #: their headline (``shared_headline``), which makes them read alike whatever the event.
    short: bool = False
    #: Both carry the same headline word for word ("Police log"; ``stories/headlines.py``).
    shared_headline: bool = False
    #: Both bodies are headline-like but the offset was withheld (a shared headline, or one
    #: that already heads ``RECURRING_STORIES`` stories): the headline key, for ``why``.
    template_headline: str = ""
    #: Their names conflict yet share a rare word ("montgomery" of "Montgomery" and
    #: "Montgomery Blvd NE"): one name written two ways (False when the names do not conflict).
    name_words_shared: bool = False

    @property
    def named_apart(self) -> bool:
        """Their places conflict, or their names do (none shared, not even a rare word of
        one): two different incidents, whatever their dates (``events.one_off_match`` does
        not apply)."""
        return self.place_conflict is not None or (
            self.entity_conflict and not self.name_words_shared)

    def vector(self) -> list[float]:
        """The event features in ``EVENT_FEATURES`` order."""
        return [
            self.terms, self.entity_jaccard, float(self.entity_conflict), self.people_jaccard,
            float(bool(self.shared_places)), float(self.place_conflict is not None),
            self.number_jaccard, float(self.number_conflict), self.year_jaccard,
            float(self.year_conflict), float(self.short),
        ]


def story_items(evidence: Evidence | None) -> set[str]:
    """The items of an article that a ``Background`` counts: its heaviest words (bare), its
    names, numbers and years (``person:``, ``org:``, ``place:``, ``number:``, ``year:``)."""
    if evidence is None:
        return set()
    top = sorted(evidence.terms.items(), key=lambda kv: -kv[1])[:STORY_TERMS]
    items = {word for word, _ in top}
    items.update(f"person:{p}" for p in evidence.people)
    items.update(f"org:{o}" for o in evidence.orgs)
    items.update(f"place:{p}" for p in evidence.places)
    items.update(f"number:{n}" for n in evidence.numbers)
    items.update(f"year:{y}" for y in evidence.years)
    if evidence.headline:
        items.add(HEADLINE_ITEM + evidence.headline)
    return items


class Background:
    """What the recent stories of the stream have in common: the items (words, names,
    places) that many different stories name.

    Wordfreq's rarity is the language's: in a local paper, the city, the police spokesman, the
    hospital and the station's sign-off are rare English words yet name every story, so two
    shootings in one city a day apart would share them and look like one event. Items named
    by at least ``COMMON_SHARE`` of the last ``BACKGROUND_STORIES`` stories (and by at least
    ``COMMON_MIN_STORIES``) are *common*, and ``compare`` leaves them out of what two articles
    share. Counts are per story, not per article, so a big story never makes its own names
    common.
    """

    def __init__(self, *, capacity: int = BACKGROUND_STORIES) -> None:
        self.capacity = capacity
        self._items: dict[str, set[str]] = {}  # story → its items, least recent first
        self._counts: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, story_id: str, items: Iterable[str]) -> None:
        """Count ``items`` as named by ``story_id`` (a new or a growing story)."""
        held = self._items.pop(story_id, None)
        if held is None:
            held = set()
            while len(self._items) >= self.capacity:
                oldest = next(iter(self._items))
                self._counts.subtract(self._items.pop(oldest))
        room = STORY_ITEMS_MAX - len(held)
        fresh = [i for i in items if i not in held][:max(room, 0)]
        held.update(fresh)
        self._counts.update(fresh)
        self._items[story_id] = held  # most recently touched last

    def stories_naming(self, item: str) -> int:
        """How many of the counted stories name ``item``."""
        return self._counts.get(item, 0)

    def is_common(self, item: str) -> bool:
        """Whether ``item`` is named by too many stories to tell events apart."""
        n = self._counts.get(item, 0)
        return n >= COMMON_MIN_STORIES and n >= COMMON_SHARE * len(self._items)

    def add_members(self, story_id: str, evidences: Iterable[Evidence | None]) -> None:
        """Count what the members of ``story_id`` (their evidence) name."""
        items: set[str] = set()
        for evidence in evidences:
            items |= story_items(evidence)
        self.add(story_id, items)


@lru_cache(maxsize=262144)
def _rarity(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    try:
        zipf = zipf_frequency(word, lang)
    except (LookupError, ValueError):  # a language wordfreq does not know
        zipf = zipf_frequency(word, "en")
    return max(0.0, ZIPF_CEILING - zipf)


def term_vector(text: str, language: str | None = None, *,
                skip: frozenset[str] = frozenset()) -> dict[str, float]:
    """Rarity-weighted, sublinear term frequencies of ``text``, L2-normalised (top
    ``MAX_TERMS``), the words in ``skip`` left out."""
    lang = (language or "en")[:2].lower()
    counts = Counter(_POSSESSIVE.sub("", w.lower()).strip("'’-") for w in _WORD.findall(text))
    weights = {}
    for word, n in counts.items():
        if len(word) < 2 or word in skip:
            continue
        rarity = _rarity(word, lang)
        if rarity > 0:
            weights[word] = (1.0 + math.log(n)) * rarity
    top = sorted(weights.items(), key=lambda kv: -kv[1])[:MAX_TERMS]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {word: round(w / norm, 4) for word, w in top}


def _clock_times(text: str) -> set[str]:
    """The clock times ``text`` gives, as 24-hour ``@HH:MM`` items."""
    times: set[str] = set()
    for m in _CLOCK.finditer(text):
        hour, minute, suffix = (int(m[1]), int(m[2] or 0), m[3].lower()) if m[1] else (
            int(m[4]), int(m[5]), "")
        if suffix.startswith("p") and hour < 12:
            hour += 12
        elif suffix.startswith("a") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            times.add(f"{_CLOCK_MARK}{hour:02d}:{minute:02d}")
    return times


def _numbers(text: str) -> tuple[frozenset[str], frozenset[str]]:
    years = frozenset(_YEAR.findall(text))
    numbers = frozenset(
        n.replace(",", "") for n in _NUMBER.findall(_CLOCK.sub(" ", text))
        if not _YEAR.fullmatch(n) and n not in _TRIVIAL_NUMBERS
    ) | _clock_times(text)
    return numbers, years


def evidence_for(title: str, text: str, *, language: str | None = None,
                 entities: Iterable[Any] | None = None,
                 keywords: Sequence[str] = (),
                 recalls: list[tuple[int, int]] | None = None,
                 published_year: int | None = None,
                 outlet: str | None = None,
                 authors: Sequence[str] = ()) -> Evidence:
    """An article's evidence. ``entities`` are ``ArticleEntity`` values from enrichment (with
    ``name`` and ``type``); without them the capitalised ``keywords`` stand in as untyped
    names. ``recalls``: ``text``'s ``recall_spans`` when enrichment found them already.
    ``published_year``: the year the article is known to be published in, which says nothing
    of its event ("On Monday, October 20, 2025, officers responded..." in every release).
    ``outlet``: the publisher, whose own name ("(RGP)" in every dateline) is no evidence;
    nor are ``authors``, the article's bylines: a reporter covers many events."""
    # What the article recalls of an earlier, different incident is that incident's evidence.
    recalled = recall_spans(text) if recalls is None else recalls
    full = f"{title}\n{without_recalls(text, recalled)}"
    numbers, years = _numbers(full)
    if published_year is not None:
        years = years - {str(published_year)}
    people: set[str] = set()
    orgs: set[str] = set()
    place_names: list[str] = []
    if entities is not None:
        kept = full.lower()
        for entity in entities:
            name = str(entity.name)
            if recalled and not _named_in(kept, entity):
                continue  # named only where the article recalls another incident
            if entity.type == "person":
                people.add(name.lower())
            elif entity.type == "org":
                orgs.add(name.lower())
            elif entity.type == "place":
                # "Fresno County" may carry the alias "Fresno": both name the place.
                place_names.extend([name, *getattr(entity, "aliases", ())])
    else:
        orgs.update(k.lower() for k in keywords)
    people -= _officials(people, full)
    orgs -= _outlet_names(outlet, orgs)
    bylines = {a.lower() for a in authors}
    people -= bylines
    # A street a tagger took for a person or an organisation ("Saffron Lane", "Troon Way")
    # is a place: the streets below find it in the text.
    people = {p for p in people if not _places.STREET_NAME.search(p)}
    orgs = {o for o in orgs if not _places.STREET_NAME.search(o)}
    places = _places.resolve_places(place_names)
    if (language or "en")[:2].lower() == "en":
        places = _places.with_streets(places, _places.streets(full),
                                      _places.streets(_lede(title, text)))
    return Evidence(
        terms=term_vector(full, language,
                          skip=frozenset(w for a in bylines for w in _WORD.findall(a))),
        people=frozenset(people), orgs=frozenset(orgs),
        places=places, numbers=numbers, years=years,
        words=len(text.split()), headline=headline_key(title),
        language=language.lower() if language else None,
    )


def _lede(title: str, text: str) -> str:
    """The title and the body's first sentence (at most 400 characters)."""
    body = text.lstrip()
    end = next((start for start in sentence_starts(body) if start > 20), len(body))
    return f"{title}\n{body[: min(end, 400)].rstrip()}"


def _number_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both give at least ``MIN_NUMBERS`` numbers (clock times aside) and share none."""
    counts_a = {n for n in a if not n.startswith(_CLOCK_MARK)}
    counts_b = {n for n in b if not n.startswith(_CLOCK_MARK)}
    return min(len(counts_a), len(counts_b)) >= MIN_NUMBERS and not a & b


def _named_in(lowered: str, entity: Any) -> bool:
    """Whether ``lowered`` (a lower-cased text) names ``entity``: its name, an alias, or a
    person's surname."""
    names = [str(entity.name), *getattr(entity, "aliases", ())]
    if entity.type == "person":
        names.append(str(entity.name).split()[-1])
    return any(re.search(rf"\b{re.escape(n.lower())}\b", lowered) for n in names if n)


def _officials(people: Iterable[str], text: str) -> set[str]:
    """The people ``text`` names by a police, fire or press-office rank ("Sgt. Derek
    Whitcomb", "Whitcomb, a police spokesman"), and bare ranks taken for names ("sgt"): they
    speak for an institution about many events, so sharing them says little about which."""
    out = set()
    lowered = text.lower()
    for person in people:
        if person.rstrip(".") in _RANKS:
            out.add(person)
            continue
        last = re.escape(person.split()[-1])
        if re.search(rf"\b(?:{_RANK_PATTERN})\.?\s+(?:[a-z.'’-]+\s+){{0,2}}{last}\b", lowered) \
                or re.search(rf"\b{last},\s+(?:a|an|the)\s+(?:[a-z-]+\s+){{0,4}}"
                             rf"(?:{_ROLE_PATTERN})\b", lowered):
            out.add(person)
    return out


def _outlet_names(outlet: str | None, names: Iterable[str]) -> set[str]:
    """The ``names`` (lower-cased) that are the outlet's own: its name, the start of it
    ("kqbx" of "KQBX News 7") or its initials ("rgp" of "Rio Grande Press")."""
    if not outlet:
        return set()
    full = " ".join(outlet.lower().split())
    words = re.findall(r"[^\W_]+", full)
    initials = "".join(w[0] for w in words if not w.isdigit())
    return {n for n in names
            if n == full or (len(n) >= 3 and (full.startswith(n + " ") or n == initials))}


def add_evidence(articles: Sequence[Article],
                 enrichments: Sequence[ArticleEnrichment] | None = None) -> list[Article]:
    """Fill ``evidence`` for each article, from its enrichment's entities when given (one per
    article, in order), else from its keywords."""
    for i, article in enumerate(articles):
        entities = enrichments[i].entities if enrichments is not None else None
        recalls = enrichments[i].recalls if enrichments is not None else None
        known = article.published is not None and not article.date_inferred
        article.evidence = evidence_for(article.title, article.text, language=article.language,
                                        entities=entities, keywords=article.keywords,
                                        recalls=recalls,
                                        published_year=article.published.year if known else None,
                                        outlet=article.outlet, authors=article.authors)
    return list(articles)


def _cosine(a: dict[str, float], b: dict[str, float], background: Background | None = None
            ) -> tuple[float, tuple[str, ...]]:
    if len(a) > len(b):
        a, b = b, a
    shared = [(w, x * b[w]) for w, x in a.items()
              if w in b and (background is None or not background.is_common(w))]
    shared.sort(key=lambda kv: -kv[1])
    return sum(v for _, v in shared), tuple(w for w, _ in shared[:8])


def _place_relation(a: frozenset[str], b: frozenset[str]
                    ) -> tuple[frozenset[str], tuple[frozenset[str], frozenset[str]] | None]:
    """(shared places, conflict): shared are the places of ``a`` compatible with a specific
    place of ``b`` (or the same unresolved name); the conflict names both sides' specific
    places when both have some and no pair of them is compatible."""
    shared = frozenset(
        p for p in a for q in b
        if _places.agree(p, q) and (_places.is_specific(p) or _places.is_specific(q)
                                         or p == q)
    )
    spec_a, spec_b = _places.leaves(a), _places.leaves(b)
    if spec_a and spec_b and not any(_places.compatible(p, q) for p in spec_a for q in spec_b):
        return shared, (spec_a, spec_b)
    return shared, None


def _uncommon(names: frozenset[str], kind: str, background: Background | None
              ) -> frozenset[str]:
    if background is None:
        return names
    return frozenset(n for n in names if not background.is_common(f"{kind}:{n}"))


def compare(a: Evidence, b: Evidence, background: Background | None = None) -> Comparison:
    """How the evidence of two articles agrees and conflicts; with a ``background``, what
    many recent stories name (``Background.is_common``) no longer counts as shared (conflicts
    still compare everything)."""
    terms, shared_terms = _cosine(a.terms, b.terms, background)
    # One headline over two short bodies ("Police log", "Weather update"), or a headline that
    # already heads several stories: only the bodies tell which event, so the headline-like
    # offset does not apply (``stories/headlines.py``).
    shared_headline = same_headline(a.headline, b.headline)
    templated = [h for h in dict.fromkeys((a.headline, b.headline)) if h and background
                 is not None and background.stories_naming(HEADLINE_ITEM + h)
                 >= RECURRING_STORIES]
    people_a, people_b = (_uncommon(e.people, "person", background) for e in (a, b))
    orgs_a, orgs_b = (_uncommon(e.orgs, "org", background) for e in (a, b))
    places_a, places_b = (_uncommon(e.places, "place", background) for e in (a, b))
    # A shared common place does not count for a join; a conflict counts with every place.
    shared_places, place_conflict = _place_relation(a.places, b.places)
    if background is not None:
        shared_places = _place_relation(places_a, places_b)[0]
    names_a, names_b = people_a | orgs_a | places_a, people_b | orgs_b | places_b
    shared_names = names_a & names_b
    # Conflicts of numbers and years count with all of them, agreement only uncommon ones.
    numbers_a, numbers_b = (_uncommon(e.numbers, "number", background) for e in (a, b))
    years_a, years_b = (_uncommon(e.years, "year", background) for e in (a, b))
    entity_conflict = min(len(names_a), len(names_b)) >= MIN_ENTITIES and not shared_names
    return Comparison(
        terms=terms, shared_terms=shared_terms,
        shared_people=people_a & people_b, shared_orgs=orgs_a & orgs_b,
        shared_places=shared_places, place_conflict=place_conflict,
        shared_numbers=numbers_a & numbers_b,
        number_conflict=_number_conflict(a.numbers, b.numbers),
        shared_years=years_a & years_b,
        year_conflict=bool(a.years and b.years and not a.years & b.years),
        entity_jaccard=jaccard(names_a, names_b),
        entity_conflict=entity_conflict,
        people_jaccard=jaccard(people_a, people_b),
        number_jaccard=jaccard(numbers_a, numbers_b),
        year_jaccard=jaccard(years_a, years_b),
        short=(a.words is not None and b.words is not None
               and max(a.words, b.words) <= SHORT_WORDS and not shared_headline
               and not templated),
        shared_headline=shared_headline,
        template_headline=_withheld(a, b, shared_headline, templated),
        # Asked only when the names conflict (``Comparison.named_apart``): compare runs per pair.
        name_words_shared=entity_conflict and bool(_name_words(names_a) & _name_words(names_b)),
    )


#: Least rarity (``_rarity``) of a word that ties two names ("montgomery" 3.1; "hospital"
#: 1.9, "street" 1.7 and "council" 1.9 tie nothing).
NAME_WORD_RARITY = 2.5


def _name_words(names: Iterable[str]) -> set[str]:
    """The rare words of ``names`` (of a place path, its last part)."""
    return {w.lower() for name in names for w in _WORD.findall(name.rsplit("/", 1)[-1])
            if _rarity(w.lower(), "en") >= NAME_WORD_RARITY}


def _withheld(a: Evidence, b: Evidence, shared: bool, templated: list[str]) -> str:
    """The headline key that kept two headline-like articles from the short-text offset
    ("" when it applied, or when they are not both short)."""
    if a.words is None or b.words is None or max(a.words, b.words) > SHORT_WORDS:
        return ""
    if shared:
        return a.headline
    return templated[0] if templated else ""


def english_only(a: Evidence | None, b: Evidence | None) -> bool:
    """Whether the English-only model's cosine may compare the two articles: neither is
    known to be in another language."""
    return all(e is None or not e.language or e.language.startswith("en") for e in (a, b))


def evidence_to_dict(e: Evidence) -> dict[str, Any]:
    """JSON-ready form (stored with the article)."""
    return {"terms": e.terms, "people": sorted(e.people), "orgs": sorted(e.orgs),
            "places": sorted(e.places), "numbers": sorted(e.numbers), "years": sorted(e.years),
            "words": e.words, "headline": e.headline, "language": e.language}


def evidence_from_dict(data: dict[str, Any] | None) -> Evidence:
    """Inverse of ``evidence_to_dict`` (an empty ``Evidence`` for None or {})."""
    if not data:
        return Evidence()
    return Evidence(
        terms={str(k): float(v) for k, v in data.get("terms", {}).items()},
        people=frozenset(data.get("people", ())), orgs=frozenset(data.get("orgs", ())),
        places=frozenset(data.get("places", ())), numbers=frozenset(data.get("numbers", ())),
        years=frozenset(data.get("years", ())), words=data.get("words"),
        headline=str(data.get("headline") or ""),
        language=data.get("language"),
    )
