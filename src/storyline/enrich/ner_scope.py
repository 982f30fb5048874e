"""NER over the sentences that may name something new; the article's found names elsewhere.

Needs: ``Doc`` values tagged and split into sentences by the shared pipeline, with its ``ner``
not run. Fills: ``doc.ents``, as if the ``ner`` component had run over the whole text.

Issue 10: spaCy's NER was ~46 ms of the ~72 ms of CPU the pipeline spends on an ECB+ article
(it runs its own token-to-vector network), while a news article names most of its people,
bodies and places in its first sentences and then repeats them. So the recogniser reads only:

* the first ``lede`` sentences (the title and the lede);
* every later sentence holding a *new* capitalised word: one not seen in a sentence already
  read (a word at the start of a sentence counts when tagged a proper noun, "Okafor said").

The rest of the text gets its entities from the names the recogniser found in the same
article: each name (and a person's last name, "Okafor" for "Simon Okafor"; a name without
its leading "the") is matched as a whole token sequence in the sentences not read, and takes
the label the recogniser gave it most often. A second round reads the sentences not read
where a name-like word is still left without an entity (seen before where the recogniser did
not take it for a name: "Sabathia" in a headline, "Boston" inside "Boston Red Sox"). Across
articles, ``entities.propagate_mentions`` still adds the batch's names of two words or more.

The chosen sentences are copied into one smaller ``Doc`` per article (words, spaces, token
norms and sentence starts: everything the model's features read) and the ``ner`` component
runs over those in batches; entity offsets are mapped back to the article's tokens. With every
sentence chosen this gives exactly the full-text entities (``tests/enrich/test_ner_scope.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from storyline.enrich.mentions import _words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["NAME_LABELS", "NER_SCOPES", "chosen_sentences", "recognise"]

#: Ways to run the recogniser: over every sentence, or over the lede and the sentences with
#: a new capitalised word (the default).
NER_SCOPES = ("full", "sentences")
#: Labels of the names filled in from the article's own found names (those the enrichment
#: reads: people, organisations, places, demonyms, buildings).
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
#: Capitalised words that are never news (read or not, they decide nothing).
_NOT_NEW = _words(
    """
    I Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
    May June July August September October November December Jan Feb Mar Apr Jun Jul Aug Sep
    Sept Oct Nov Dec AM PM Mr Mrs Ms Dr
    """
)


def _name_like(token: Any, first: bool) -> bool:
    text = token.text
    if not text[:1].isupper() or not any(c.isalpha() for c in text) or text in _NOT_NEW:
        return False
    return not first or token.tag_ in ("NNP", "NNPS")


def chosen_sentences(doc: Doc, *, lede: int = 3) -> list[tuple[int, int]]:
    """(start, end) token ranges of the sentences of ``doc`` the recogniser reads: the first
    ``lede`` sentences with words, and each later one with a capitalised word not seen in a
    sentence chosen before it."""
    seen: set[str] = set()
    out: list[tuple[int, int]] = []
    read = 0
    if not len(doc):
        return out
    for sent in doc.sents:
        words = [t for t in sent if not t.is_space]
        if not words:
            continue
        read += 1
        # The first word that is not punctuation starts the sentence ("“We", "- Police").
        first = next((t for t in words if not t.is_punct), words[0])
        if read > lede and all(t.text in seen or not _name_like(t, t.i == first.i) for t in words):
            continue
        seen.update(t.text for t in words if t.text[:1].isupper())
        out.append((sent.start, sent.end))
    return out


def recognise(
    ner: Any, docs: Sequence[Doc], *, scope: str = "sentences", lede: int = 3,
    batch_size: int = 32,
) -> list[Doc]:  # fmt: skip
    """Set ``doc.ents`` of each of ``docs`` with the pipeline's ``ner`` component, over the
    scope given (``NER_SCOPES``); the docs are changed in place and returned."""
    if scope not in NER_SCOPES:
        raise ValueError(f"unknown NER scope {scope!r} (one of {', '.join(NER_SCOPES)})")
    if scope == "full":
        return list(ner.pipe(docs, batch_size=batch_size))
    plans = [chosen_sentences(doc, lede=lede) for doc in docs]
    found = _run(ner, docs, plans, batch_size)
    # Second round: the sentences not read where a name-like word is left without an entity
    # (seen before, but where the recogniser did not take it for a name: "Sabathia" in a
    # title, "Boston" inside "Boston Red Sox").
    more = [
        _unexplained(doc, plan, [*ents, *_filled(doc, plan, ents)])
        for doc, plan, ents in zip(docs, plans, found, strict=True)
    ]
    extra = _run(ner, docs, more, batch_size)
    for doc, plan, ents, plan2, ents2 in zip(docs, plans, found, more, extra, strict=True):
        read = sorted([*plan, *plan2])
        names = [*ents, *ents2]
        names.extend(_filled(doc, read, names))
        doc.set_ents(sorted(names, key=lambda e: e.start), default="outside")
    return list(docs)


def _run(
    ner: Any, docs: Sequence[Doc], plans: Sequence[Sequence[tuple[int, int]]], batch_size: int
) -> list[list[Span]]:
    """The entities ``ner`` finds in the planned sentences of each of ``docs``."""
    parts = [_part(doc, plan) for doc, plan in zip(docs, plans, strict=True)]
    found = ner.pipe((sub for sub, _ in parts), batch_size=batch_size)
    return [
        _mapped(doc, sub, index) if plan else []
        for doc, plan, (_, index), sub in zip(docs, plans, parts, found, strict=True)
    ]


def _unexplained(
    doc: Doc, plan: Sequence[tuple[int, int]], ents: Sequence[Span]
) -> list[tuple[int, int]]:
    """The sentences of ``doc`` outside ``plan`` with a name-like word no entity covers."""
    covered = {i for e in ents for i in range(e.start, e.end)}
    read = {start for start, _ in plan}
    out = []
    for sent in doc.sents if len(doc) else ():
        words = [t for t in sent if not t.is_space]
        if sent.start in read or not words:
            continue
        first = next((t for t in words if not t.is_punct), words[0])
        if any(_name_like(t, t.i == first.i) and t.i not in covered for t in words):
            out.append((sent.start, sent.end))
    return out


def _part(doc: Doc, plan: Sequence[tuple[int, int]]) -> tuple[Doc, list[int]]:
    """A ``Doc`` of the planned sentences of ``doc`` (what the model reads of each token: its
    text, norm and trailing space, and the sentence starts), with each token's index in
    ``doc``."""
    from spacy.tokens import Doc as _Doc

    index = [i for start, end in plan for i in range(start, end)]
    tokens = [doc[i] for i in index]
    starts = {start for start, _ in plan}
    sub = _Doc(
        doc.vocab,
        words=[t.text for t in tokens],
        spaces=[bool(t.whitespace_) for t in tokens],
        sent_starts=[i in starts or bool(doc[i].is_sent_start) for i in index],
    )
    for mine, theirs in zip(sub, tokens, strict=True):
        if theirs.norm != mine.norm:  # set by a tokenizer exception ("’s", "gonna")
            mine.norm_ = theirs.norm_
    return sub, index


def _mapped(doc: Doc, sub: Doc, index: Sequence[int]) -> list[Span]:
    from spacy.tokens import Span as _Span

    out = []
    for ent in sub.ents:
        start, last = index[ent.start], index[ent.end - 1]
        if last - start == ent.end - 1 - ent.start:  # never across two sentences not adjacent
            out.append(_Span(doc, start, last + 1, label=ent.label))
    return out


def _filled(doc: Doc, plan: Sequence[tuple[int, int]], ents: Sequence[Span]) -> list[Span]:
    """Entities of the sentences not read: the article's found names, matched as whole
    token sequences, with their commonest label."""
    from spacy.tokens import Span as _Span

    labels: dict[tuple[str, ...], Counter[str]] = {}

    def add(words: Iterable[str], label: str, weight: int = 2) -> None:
        key = tuple(words)
        if key and key[0][:1].isupper():
            labels.setdefault(key, Counter())[label] += weight

    for ent in ents:
        if ent.label_ not in NAME_LABELS:
            continue
        words = [t.text for t in ent if not t.is_space]
        add(words, ent.label_)
        if len(words) > 1 and words[0].lower() == "the":
            add(words[1:], ent.label_)
        if ent.label_ == "PERSON" and len(words) > 1 and words[-1][:1].isupper():
            add(words[-1:], "PERSON", 1)  # the full name's own label wins over a surname's
    if not labels:
        return []
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for key, counts in labels.items():
        label = max(counts, key=lambda lab: (counts[lab], lab))
        by_first.setdefault(key[0], []).append((key, label))
    for options in by_first.values():
        options.sort(key=lambda kl: -len(kl[0]))
    out: list[Span] = []
    for start, end in _gaps(plan, len(doc)):
        i = start
        while i < end:
            for key, label in by_first.get(doc[i].text, ()):
                n = len(key)
                if (
                    i + n <= end
                    and all(doc[i + k].text == key[k] for k in range(1, n))
                    and (i == 0 or not _continues(doc[i - 1], doc[i]))
                    and (i + n >= len(doc) or not _continues(doc[i + n - 1], doc[i + n]))
                ):
                    out.append(_Span(doc, i, i + n, label=label))
                    i += n
                    break
            else:
                i += 1
    return out


def _continues(left: Any, right: Any) -> bool:
    """Whether two adjacent tokens are one word or name ("Smith-Jones", "O'Brien"), so that
    a name matched up to or from between them is not a whole name ("Smith's" is)."""
    if left.whitespace_:
        return False
    end, start = left.text[-1:], right.text[:1]
    return (end.isalnum() or end == "-") and (start.isalnum() or start == "-")


def _gaps(plan: Sequence[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """The token ranges of ``doc`` outside the planned sentences."""
    out = []
    at = 0
    for start, end in plan:
        if start > at:
            out.append((at, start))
        at = end
    if at < size:
        out.append((at, size))
    return out
