"""Library calls behind the research commands: score article pairs, cluster a JSONL file.

Both take articles in the JSONL input shape (``url``, ``title``, ``text``, ``published``,
``outlet``, ``authors``, ``language``) and run the same stages as an ingest, so what they
measure is what users get.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyline.config import Settings
from storyline.embedding import Encoder, MiniLMEncoder, embed_articles
from storyline.errors import ExtractionError, InputError
from storyline.extract.build import ExtractOptions, extract_record
from storyline.ingest.readers import json_objects
from storyline.models import Article, RawRecord, Rejection
from storyline.stories.features import add_keywords
from storyline.stories.scoring import ScoreWeights, features, score_features


@dataclass(frozen=True, slots=True)
class PairInput:
    """One pair to score."""

    pair_id: str
    a: dict[str, Any]
    b: dict[str, Any]


def article_from_dict(data: dict[str, Any], *, source: str) -> Article:
    """Build an article from a JSONL-shaped dict (no minimum length: pairs may be short)."""
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{source}: missing or empty 'text'")
    record = RawRecord(source=source, kind="jsonl", content=json.dumps(data), fields=data)
    try:
        return extract_record(record, options=ExtractOptions(min_words=1))
    except ExtractionError as exc:
        raise InputError(f"{source}: {exc}") from exc


def prepare_articles(articles: Sequence[Article], encoder: Encoder) -> list[Article]:
    """Run the stages story assignment needs, as an ingest does, without a store: keywords,
    vectors, enrichment (for event marks and typed names) and event evidence."""
    from storyline.pipeline import enrich_for_assignment

    articles = list(articles)
    add_keywords(articles)
    embed_articles(articles, encoder)
    enrich_for_assignment(articles)
    return articles


def score_articles(
    pairs: Sequence[tuple[Article, Article]],
    *,
    encoder: Encoder | None = None,
    weights: ScoreWeights | None = None,
    dated: bool = True,
) -> list[float]:
    """Same-event probability of each pair, through the ingest stages (``prepare_articles``).
    ``dated=False`` ignores publication dates (for inputs whose dates are missing and were
    filled with the ingest time)."""
    unique = {id(a): a for pair in pairs for a in pair}
    prepare_articles(list(unique.values()), encoder or MiniLMEncoder())
    scores = []
    for a, b in pairs:
        use_dates = dated and not (a.date_inferred or b.date_inferred)
        assert a.head_vector is not None and a.body_vector is not None
        assert b.head_vector is not None and b.body_vector is not None
        f = features(
            a.head_vector, a.body_vector, a.keywords,
            a.published.timestamp() if use_dates else None,
            b.head_vector, b.body_vector, b.keywords,
            b.published.timestamp() if use_dates else None,
            events_a=a.events if use_dates else (), events_b=b.events if use_dates else (),
            evidence_a=a.evidence, evidence_b=b.evidence,
        )
        scores.append(score_features(f, weights))
    return scores


def read_pairs(lines: Iterable[str], *, source: str) -> Iterator[PairInput | Rejection]:
    """Parse ``{"pair_id", "a", "b"}`` lines; bad lines become rejections."""
    for item in json_objects(lines, source=source):
        if isinstance(item, Rejection):
            yield item
            continue
        where, _, obj = item
        if not all(k in obj for k in ("pair_id", "a", "b")):
            yield Rejection(where, "read", "expected an object with 'pair_id', 'a' and 'b'")
            continue
        if not isinstance(obj["a"], dict) or not isinstance(obj["b"], dict):
            yield Rejection(where, "read", "'a' and 'b' must be article objects")
            continue
        yield PairInput(str(obj["pair_id"]), obj["a"], obj["b"])


def cluster_records(
    records: Iterable[RawRecord | Rejection],
    *,
    settings: Settings | None = None,
    encoder: Encoder | None = None,
    weights: ScoreWeights | None = None,
) -> tuple[dict[str, str], list[Rejection], dict[str, str]]:
    """Cluster records through a temporary store (``weights`` replace the shipped pair-score
    weights). Returns (source → story id), the rejections, and (source → article id)."""
    from storyline.pipeline import Pipeline
    from storyline.store.sqlite import SQLiteStore

    base = settings or Settings()
    items = list(records)
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "cluster.db", model_name=(encoder or MiniLMEncoder()).name)
        try:
            pipeline = Pipeline(store, settings=base, encoder=encoder, weights=weights)
            pipeline.keep_rejections = None  # every rejected source is reported by name
            report = pipeline.ingest_records(items)
            by_source: dict[str, str] = {}
            ids: dict[str, str] = {}
            story_of: dict[str, str] = {}
            for article in store.iter_articles():
                by_source[article.source] = article.story_id or ""
                ids[article.source] = article.id
                story_of[article.id] = article.story_id or ""
            # Duplicates were not stored under their own source: map them to their twin's story.
            rejected = {r.source for r in report.rejections}
            options = ExtractOptions(min_words=base.min_words)
            for item in items:
                if isinstance(item, RawRecord) and item.source not in by_source \
                        and item.source not in rejected:
                    twin = extract_record(item, options=options).id
                    by_source[item.source] = story_of.get(twin, "")
                    ids[item.source] = twin
        finally:
            store.close()
    return by_source, list(report.rejections), ids
