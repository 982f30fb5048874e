"""Near-duplicate and syndicated copies: the same text under another URL, outlet or headline.

Needs: ``Article.text``, ``published``, ``id``. Fills: ``Article.minhash`` (the signature the
store keeps) and, for a copy, ``Article.copy_of`` (always an original, never another copy);
``copy_assignments`` then puts each copy in its original's story.

An article is a copy when the word 5-shingles of its body (title left out, so a new headline
still matches; case, accents and punctuation normalised away) have a Jaccard similarity of at
least ``CopyOptions.threshold`` (0.6) with those of an article published earlier — within the
same ``find`` call, an earlier one of the run, or already stored — no more than
``window_days`` apart.
Candidates come from a MinHash LSH index (datasketch) of every article stored within the
window of the chunk; each candidate is then verified by its exact Jaccard, so that the index's
estimates never decide alone. The pipeline finds a chunk's copies before it cuts the chunk
into batches, and writes each copy in its original's batch.

The earliest-published article of a group is the original, the later ones are copies of it (a
copy of a copy points to the original). An article already stored is never re-marked: when an
earlier-published article arrives after its near-duplicate was stored, it becomes the copy.

Why 0.6 (``BENCHMARKS.md``, "Copies"; ``python benchmarks/copies_eval.py``): on the 49 demo
articles (125–279 words), one added line leaves a Jaccard of 0.87–0.97 with the unedited text,
one sentence replaced 0.58–0.95 (≥ 0.6 in 99.6% of 1,377 cases, ≥ 0.7 in 97.9%). Different
articles stay far below: at most 0.042 between two demo articles, at most 0.031 between ECB+
reports of look-alike events; among ECB+'s same-event reports by different outlets only one
agency text run by several sites reaches 0.6, while rewrites that share some paragraphs sit at
0.3–0.6. A later article that keeps all of an original is a copy while its new text is under
about two thirds of the original's length (Jaccard 0.67 when it adds half, 0.5 when it
doubles it): a copy is hidden from the timeline, so a lower threshold would hide real
developments. Bodies under ``min_words`` words (headlines only) are never compared: a few
shingles are too little evidence.

Copies are assigned to their original's story without joining it as a member: they are
never scored against other articles, so a copy cannot carry two stories together.

A filled-in template is no copy. Police, fire and court releases reuse one text for each event
("Police are investigating a ram raid on a commercial premises in Ōtāhuhu overnight.
Emergency services were called to a Great South Road business about 3.40am ... The vehicle
used to gain entry, a Mazda Demio, was left at the scene"): two raids' releases share 0.6–0.72
of their shingles and differ in a handful of slots — the suburb, the street, the time, the car.
A copy differs from its original in whole passages (a line added, a sentence replaced, a
paragraph cut), so when a body of the same outlet differs inside the text in at least
``CopyOptions.template_slots`` short places (runs of changed shingles standing for at most
``SLOT_WORDS`` new words, between shared text), it is a different report in the same words,
and goes through scoring like any other article. Between outlets the same differences are a
syndicated text edited in a few places (ECB+'s agency copies: "jewellery" for "jewelry", a
time updated) and it stays a copy.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from storyline.errors import NotFoundError
from storyline.models import Article, Assignment, Signature
from storyline.store.base import SignatureRow, Store
from storyline.stories.features import jaccard

__all__ = [
    "CopyIndex", "CopyMatch", "CopyOptions", "copy_assignments", "jaccard", "shingles",
    "signature", "words",
]

log = logging.getLogger(__name__)

#: datasketch's hashing scheme, fixed so that stored signatures stay comparable when the
#: library's default changes (it did in 2.0).
_SCHEME = "affine32"
_WORD_RE = re.compile(r"\w+")
#: Combining accents left by NFKD ("é" → "e" + U+0301).
_ACCENT_RE = re.compile("[\u0300-\u036f]")


@dataclass(frozen=True, slots=True)
class CopyOptions:
    """Settings of copy detection (see the module docstring for the measured choices)."""

    #: Words per shingle. 5: one changed word touches at most five shingles, and two
    #: independent texts rarely share a five-word run (demo maximum Jaccard 0.04).
    shingle_words: int = 5
    #: Least exact Jaccard of two bodies' shingles for the later one to be a copy.
    threshold: float = 0.6
    #: The LSH index's own threshold, below ``threshold`` so that it misses few real copies:
    #: with 128 permutations it uses 30 bands of 4 rows, which finds a pair at Jaccard 0.6
    #: with probability 0.98 and at 0.7 with 0.9995.
    lsh_threshold: float = 0.5
    #: Short changes inside the text from which a near-duplicate is a filled-in template, not
    #: a copy (module docstring). The demo's variants have at most one.
    template_slots: int = 3
    #: MinHash permutations (signature length: 512 bytes stored per article).
    num_perm: int = 128
    seed: int = 1
    #: Shortest body, in words, that is compared at all.
    min_words: int = 25
    #: Days between an original and its copy at most; also how far around a batch's dates
    #: the stored signatures are loaded. The pipeline passes the story window.
    window_days: float = 75.0

    @property
    def scheme(self) -> str:
        """What a stored signature was made with; a signature of another scheme is ignored."""
        return f"{_SCHEME}/{self.num_perm}/{self.seed}/w{self.shingle_words}"


@dataclass(frozen=True, slots=True)
class CopyMatch:
    """A copy found: the copy, its original, and their exact shingle Jaccard."""

    article_id: str
    original_id: str
    similarity: float


def words(text: str) -> list[str]:
    """The text's words, case-folded and without accents or punctuation."""
    return _WORD_RE.findall(_ACCENT_RE.sub("", unicodedata.normalize("NFKD", text.casefold())))


def shingles(text: str, size: int = 5) -> frozenset[str]:
    """The set of ``size``-word runs of ``text`` (the whole text when it is shorter)."""
    return _shingles(words(text), size)


def _shingles(tokens: Sequence[str], size: int) -> frozenset[str]:
    if len(tokens) <= size:
        return frozenset([" ".join(tokens)]) if tokens else frozenset()
    return frozenset(" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


#: The most words a template's slot holds ("Great South Road", "3.40am" = "3 40am").
SLOT_WORDS = 3


def slot_changes(tokens: Sequence[str], other: frozenset[str], size: int = 5) -> int:
    """How many short places inside ``tokens`` (a body's ``words``) differ from a text with
    the shingles ``other``: runs of ``size``-word shingles not in ``other``, standing for at
    most ``SLOT_WORDS`` new words, with shared shingles on both sides (an added first or last
    line is no slot)."""
    changes = run = 0
    seen_shared = False
    for i in range(len(tokens) - size + 1):
        if " ".join(tokens[i : i + size]) in other:
            if seen_shared and 0 < run <= size - 1 + SLOT_WORDS:
                changes += 1
            seen_shared, run = True, 0
        else:
            run += 1
    return changes


def signature(shingle_set: Iterable[str], options: CopyOptions | None = None) -> np.ndarray:
    """The MinHash signature (``num_perm`` uint32 values) of a set of shingles."""
    opts = options or CopyOptions()
    minhash = MinHash(num_perm=opts.num_perm, seed=opts.seed, scheme=_SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingle_set])
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


@dataclass(slots=True)
class _Entry:
    """An indexed article: when it was published, the original it copies (None when it is
    one), and its shingles once they were needed."""

    published_ts: float
    copy_of: str | None
    shingles: frozenset[str] | None = None
    outlet: str | None = None


@dataclass(slots=True)
class CopyIndex:
    """The signatures of the articles stored around the batches seen so far, in a MinHash LSH
    index. The pipeline keeps one per run (like the assigner's open stories): ``find`` marks
    a batch's copies, ``add`` indexes the batch once it is stored, and the index is dropped
    when the store changed under it."""

    store: Store
    options: CopyOptions = field(default_factory=CopyOptions)
    _lsh: MinHashLSH = field(init=False)
    _entries: dict[str, _Entry] = field(default_factory=dict)
    _loaded: tuple[float, float] | None = None
    #: Shingles of the last batch ``find`` saw, for ``add``.
    _pending: dict[str, _Entry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Weighted against false negatives: every candidate is verified exactly anyway.
        self._lsh = MinHashLSH(threshold=self.options.lsh_threshold,
                               num_perm=self.options.num_perm, weights=(0.2, 0.8))

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, articles: Sequence[Article]) -> list[CopyMatch]:
        """Fill each article's signature and mark the copies among ``articles`` — copies of
        each other (the earliest-published is the original), of earlier batches or of the
        store; return the copies found. Nothing is indexed until ``add``."""
        if not articles:
            return []
        self._load_around(articles)
        opts = self.options
        batch_lsh, batch = self._new_lsh(), dict[str, _Entry]()
        matches: list[CopyMatch] = []
        for article in sorted(articles, key=lambda a: (a.published, a.id)):
            if article.id in self._entries or article.id in batch:  # stored, or twice here
                continue
            tokens = words(article.text)
            if len(tokens) < opts.min_words:
                article.minhash = None
                continue
            mine = _shingles(tokens, opts.shingle_words)
            article.minhash = Signature(opts.scheme, signature(mine, opts))
            lean = self._lean(article.minhash.values)
            ts = article.published.timestamp()
            best = self._best_match(lean, mine, ts, [(self._lsh, self._entries),
                                                     (batch_lsh, batch)],
                                    tokens, article.outlet)
            if best is not None:
                original, similarity = best
                article.copy_of = original
                matches.append(CopyMatch(article.id, original, similarity))
            batch[article.id] = _Entry(ts, article.copy_of, mine, article.outlet)
            batch_lsh.insert(article.id, lean, check_duplication=False)
        self._pending = batch
        return matches

    def add(self, articles: Iterable[Article]) -> None:
        """Index articles that were stored (with the signatures ``find`` gave them)."""
        for article in articles:
            sig = article.minhash
            if sig is None or sig.scheme != self.options.scheme or article.id in self._entries:
                continue
            entry = self._pending.pop(article.id, None) or _Entry(
                article.published.timestamp(), article.copy_of, outlet=article.outlet)
            entry.copy_of = article.copy_of
            self._insert(article.id, sig.values, entry)

    # --- internals ----------------------------------------------------------------------
    def _new_lsh(self) -> MinHashLSH:
        """An empty index with the same bands as the main one (choosing them takes 30 ms)."""
        return MinHashLSH(num_perm=self.options.num_perm, params=(self._lsh.b, self._lsh.r))

    def _best_match(
        self, lean: LeanMinHash, mine: frozenset[str], ts: float,
        indexes: Sequence[tuple[MinHashLSH, dict[str, _Entry]]], tokens: Sequence[str] = (),
        outlet: str | None = None,
    ) -> tuple[str, float] | None:
        """The original of the most similar indexed article that passes verification (most
        similar first, then the earliest): a Jaccard at least the threshold, and ``tokens``
        (the article's words, of ``outlet``) no filled-in template of one of the outlet's."""
        window = self.options.window_days * 86400.0
        found: list[tuple[float, float, str, str]] = []
        for lsh, entries in indexes:
            for key in lsh.query(lean):
                entry = entries[key]
                if abs(entry.published_ts - ts) > window:
                    continue
                theirs = self._shingles_of(str(key), entry)
                similarity = jaccard(mine, theirs)
                if similarity >= self.options.threshold and not (
                        outlet and entry.outlet == outlet and slot_changes(
                            tokens, theirs, self.options.shingle_words)
                        >= self.options.template_slots):
                    found.append((-similarity, entry.published_ts, str(key),
                                  entry.copy_of or str(key)))
        if not found:
            return None
        neg_similarity, _, _, original = min(found)
        return original, -neg_similarity

    def _shingles_of(self, key: str, entry: _Entry) -> frozenset[str]:
        if entry.shingles is None:
            try:
                text = self.store.get_article(key).text
            except NotFoundError:  # gone from the store: matches nothing
                text = ""
            entry.shingles = shingles(text, self.options.shingle_words)
        return entry.shingles

    def _lean(self, values: np.ndarray) -> LeanMinHash:
        return LeanMinHash(seed=self.options.seed, hashvalues=values, scheme=_SCHEME)

    def _insert(self, key: str, values: np.ndarray, entry: _Entry) -> None:
        self._lsh.insert(key, self._lean(values), check_duplication=False)
        self._entries[key] = entry

    def _load_around(self, articles: Sequence[Article]) -> None:
        """Index the stored articles published within the window of ``articles``' dates
        that are not indexed yet."""
        window = self.options.window_days * 86400.0
        lo = min(a.published.timestamp() for a in articles) - window
        hi = max(a.published.timestamp() for a in articles) + window
        if self._loaded is not None and lo >= self._loaded[0] and hi <= self._loaded[1]:
            return
        for row in self.store.copy_signatures(lo, hi, scheme=self.options.scheme):
            if row.article_id not in self._entries:
                self._index_row(row)
        if self._loaded is not None:
            lo, hi = min(lo, self._loaded[0]), max(hi, self._loaded[1])
        self._loaded = (lo, hi)
        log.debug("copy index: %d articles", len(self._entries))

    def _index_row(self, row: SignatureRow) -> None:
        if row.story_id is None:  # written without a story: nobody's original
            return
        values = row.signature
        entry = _Entry(row.published_ts, row.copy_of, outlet=row.outlet)
        if values is None:  # stored before signatures were kept: compute from the text
            tokens = words(row.text or "")
            if len(tokens) < self.options.min_words:
                return
            entry.shingles = _shingles(tokens, self.options.shingle_words)
            values = signature(entry.shingles, self.options)
        self._insert(row.article_id, values, entry)


def copy_assignments(
    matches: Sequence[CopyMatch], assignments: Sequence[Assignment], store: Store
) -> list[Assignment]:
    """Each copy's assignment: its original's story (from ``assignments`` when the original
    came in the same batch, else from the store), flagged with ``copy_of`` and scored by the
    similarity. (The index holds only originals that are in a story, or that are assigned
    in the same batch, so every copy finds one.)"""
    story_of = {a.article_id: a.story_id for a in assignments}
    out: list[Assignment] = []
    for match in matches:
        story = story_of.get(match.original_id)
        if story is None:
            try:
                story = store.get_article(match.original_id).story_id
            except NotFoundError:
                story = None
        if story is None:  # removed from the store since it was indexed
            log.warning("copy %s: its original %s has no story", match.article_id,
                        match.original_id)
            continue
        story_of[match.article_id] = story
        out.append(Assignment(match.article_id, story, round(match.similarity, 6),
                              new_story=False, copy_of=match.original_id))
    return out
