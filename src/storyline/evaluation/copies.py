"""Copy detection (``stories/copies.py``) measured on syndicated variants of real articles.

``syndicate`` makes what a wire story looks like on other sites: each article re-posted
``times`` times under another outlet's URL, a few hours later, with one added line (a
syndication note, a local sentence) and, in the harder ``"changed"`` kind, one of its
sentences replaced and a new headline as well. ``evaluate_copies`` runs the copy stage
alone over originals plus variants, in the pipeline's batches, and counts what it found:
recall over the variants, false copies among the originals, time per article.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from storyline.models import Article

#: Outlets that run the copies (invented, like the demo's).
MIRROR_OUTLETS = (
    "Coastline Courier", "Valley Gazette", "Metro Syndicate", "Riverside Star", "Summit Times",
    "Prairie Chronicle", "Lakeshore Record", "Highland Observer",
)  # fmt: skip
#: Lines an outlet adds to a wire text it runs.
ADDED_LINES = (
    "This article was republished under a content-sharing agreement.",
    "Our regional desk will follow the story as it develops this week.",
    "Readers can send tips and questions to our newsroom by email.",
    "Additional reporting was provided by our local correspondent.",
    "The report first appeared on the agency's wire service earlier in the day.",
)
#: What replaces one sentence in a ``"changed"`` variant.
CHANGED_LINES = (
    "Officials declined to give further details when contacted on Tuesday.",
    "The figures could not be independently verified by the newspaper.",
    "Local residents told reporters they were waiting for more information.",
)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class Variant:
    """A copy made of ``original``: a JSONL-shaped ``record`` (its own url and outlet)."""

    record: dict[str, Any]
    original: Article


def syndicate(
    articles: Sequence[Article], *, times: int = 5, kind: str = "added", seed: int = 0
) -> list[Variant]:
    """``times`` variants of each article under other outlets' URLs, 1..``times`` hours after
    it: ``kind="added"`` adds one line at the end; ``"changed"`` also replaces one sentence in
    the middle and gives the copy a new headline."""
    if kind not in ("added", "changed"):
        raise ValueError(f"kind: expected 'added' or 'changed', got {kind!r}")
    rng = random.Random(seed)
    out = []
    for n, article in enumerate(articles):
        for copy in range(times):
            outlet = MIRROR_OUTLETS[copy % len(MIRROR_OUTLETS)]
            text, title = article.text, article.title
            if kind == "changed":
                paragraphs = text.split("\n\n")
                middle = len(paragraphs) // 2
                sentences = _SENTENCE_RE.split(paragraphs[middle])
                sentences[rng.randrange(len(sentences))] = rng.choice(CHANGED_LINES)
                paragraphs[middle] = " ".join(sentences)
                text = "\n\n".join(paragraphs)
                title = f"{outlet} — {rng.choice(('Update', 'Report', 'Latest'))}: {title}"
            text = f"{text}\n\n{rng.choice(ADDED_LINES)}"
            slug = outlet.lower().replace(" ", "")
            record = {
                "url": f"https://{slug}.example/wire/{n}-{copy}",
                "title": title,
                "text": text,
                "published": (article.published + timedelta(hours=copy + 1)).isoformat(),
                "outlet": outlet,
                "authors": list(article.authors),
                "language": article.language,
            }
            out.append(Variant(record, article))
    return out


@dataclass(frozen=True, slots=True)
class CopyEval:
    """What the copy stage found among originals plus variants."""

    originals: int
    variants: int
    #: Variants marked a copy of their own original (or of the original it copies).
    found: int
    #: Originals marked as copies of something they do not copy (false copies).
    false_originals: int
    #: Variants marked as copies of another article than their original.
    wrong_original: int
    find_ms: float
    add_ms: float

    @property
    def recall(self) -> float:
        """Share of the variants marked a copy of their original."""
        return self.found / self.variants if self.variants else 1.0

    @property
    def precision(self) -> float:
        """Share of the marks (beyond the known copies) that are right."""
        marked = self.found + self.false_originals + self.wrong_original
        return self.found / marked if marked else 1.0


def evaluate_copies(
    originals: Sequence[Article], variants: Sequence[Article], expected: dict[str, str],
    *, batch_size: int = 64, known: dict[str, str] | None = None,
) -> CopyEval:
    """Run the copy stage over ``originals`` and ``variants`` (extracted ``Article`` values)
    in publication order, ``batch_size`` at a time, with one index as the pipeline keeps it.
    ``expected`` maps each variant's id to its original's id; ``known`` maps the originals
    that are themselves copies (a corpus's own) to theirs: they count neither way."""
    from storyline.store.sqlite import SQLiteStore
    from storyline.stories.copies import CopyIndex

    known = known or {}
    everything = sorted([*originals, *variants], key=lambda a: (a.published, a.id))
    store = SQLiteStore(":memory:")
    index = CopyIndex(store)
    find_s = add_s = 0.0
    try:
        for start in range(0, len(everything), batch_size):
            batch = everything[start : start + batch_size]
            t0 = time.perf_counter()
            index.find(batch)
            t1 = time.perf_counter()
            index.add(batch)
            find_s += t1 - t0
            add_s += time.perf_counter() - t1
    finally:
        store.close()
    root = {a.id: known.get(a.id, a.id) for a in originals}
    found = sum(1 for v in variants if v.copy_of == root.get(expected[v.id], expected[v.id]))
    wrong = sum(1 for v in variants if v.copy_of is not None
                and v.copy_of != root.get(expected[v.id], expected[v.id]))
    false = sum(1 for a in originals if a.copy_of is not None and a.id not in known)
    count = max(len(everything), 1)
    return CopyEval(
        originals=len(originals), variants=len(variants), found=found, false_originals=false,
        wrong_original=wrong, find_ms=1000 * find_s / count, add_ms=1000 * add_s / count,
    )
