"""Article body extraction against the article-extraction-benchmark (Scrapinghub/Zyte).

The metric is the benchmark's own (its ``evaluate.py``): tokens are runs of word characters
(``\\w+``); the true and the extracted body become multisets of word 4-grams ("shingles"; a text
of fewer than four tokens is one shingle of all of them); true positives are the shared shingles
counting multiplicity, false positives the extra extracted ones, false negatives the missed true
ones. The three counts of a page are divided by their sum so that every page weighs the same.
Precision and recall are computed per page and averaged over pages, and F1 is the harmonic mean
of the two averages.

Per-page edge cases, as in ``evaluate.py``: a page whose extraction is empty (and whose truth is
not) has no precision and is left out of the precision average, while its recall is 0; a page
whose truth is empty has no recall. One deviation, following the data README: a page with
nothing on either side scores 1 for both (``evaluate.py`` leaves it out of both averages); the
181 benchmark pages all have a non-empty truth, so the published figures are unaffected.

Each run scores Storyline's body extraction (``storyline.extract.html.extract_text``) and, on
the same pages in the same run, a baseline: trafilatura with its defaults,
``trafilatura.extract(html)``.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura

from storyline.errors import ExtractionError, InputError
from storyline.extract.html import HtmlOptions, extract_text

__all__ = [
    "ExtractionReport",
    "PageScore",
    "SystemScore",
    "evaluate_extraction",
    "format_report",
    "match_counts",
    "page_scores",
    "report_to_json",
    "score_pages",
    "shingles",
]

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"\w+")

#: System names in reports.
STORYLINE = "storyline"
BASELINE = "trafilatura-default"


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's scores; ``None`` where undefined (see the module docstring)."""

    page_id: str
    precision: float | None
    recall: float | None

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class SystemScore:
    """One extractor's averages over the benchmark pages, its speed and its per-page scores.

    ``failures`` counts pages where the extractor returned nothing or raised.
    """

    name: str
    precision: float
    recall: float
    f1: float
    seconds: float
    pages_per_second: float
    failures: int
    pages: tuple[PageScore, ...]


@dataclass(frozen=True, slots=True)
class ExtractionReport:
    """Storyline and the baseline scored on the same pages of one benchmark run."""

    bench_dir: str
    page_count: int
    systems: tuple[SystemScore, ...]

    def system(self, name: str) -> SystemScore:
        """The scores of the system called ``name`` (``"storyline"``, ``"trafilatura-default"``)."""
        for score in self.systems:
            if score.name == name:
                return score
        raise KeyError(name)


# --------------------------------------------------------------------------------------------
# The metric


def shingles(text: str | None, n: int = 4) -> Counter[tuple[str, ...]]:
    """The multiset of word ``n``-grams of ``text``; a shorter text is one shingle of all its
    tokens, an empty one has none."""
    tokens = _TOKEN.findall(text or "")
    grams = (tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(g for g in grams if g)


def match_counts(true: str | None, pred: str | None, n: int = 4) -> tuple[float, float, float]:
    """(true positives, false positives, false negatives) over shingles, divided by their sum;
    (0, 0, 0) when both texts are empty."""
    t, p = shingles(true, n), shingles(pred, n)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    if not total:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def page_scores(true: str | None, pred: str | None) -> tuple[float | None, float | None]:
    """(precision, recall) of one page; ``None`` where undefined, 1 for two empty texts."""
    tp, fp, fn = match_counts(true, pred)
    if tp == fp == fn == 0:
        return 1.0, 1.0
    precision = None if tp + fp == 0 else (1.0 if fp == fn == 0 else tp / (tp + fp))
    recall = None if tp + fn == 0 else (1.0 if fp == fn == 0 else tp / (tp + fn))
    return precision, recall


def score_pages(scores: Sequence[PageScore]) -> tuple[float, float, float]:
    """(precision, recall, F1): per-page precision and recall averaged over the pages where
    they are defined, F1 the harmonic mean of the two averages."""
    precisions = [s.precision for s in scores if s.precision is not None]
    recalls = [s.recall for s in scores if s.recall is not None]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# --------------------------------------------------------------------------------------------
# The benchmark run


def evaluate_extraction(
    bench_dir: Path, *, limit: int | None = None, options: HtmlOptions | None = None
) -> ExtractionReport:
    """Score Storyline's body extraction and trafilatura's defaults on the benchmark in
    ``bench_dir`` (``ground-truth.json`` and ``html/<id>.html.gz``).

    ``limit`` takes the first pages in id order; ``options`` changes Storyline's extraction
    (to measure one lever at a time). Raises ``InputError`` when the benchmark cannot be read.
    """
    bench_dir = Path(bench_dir)
    pages = _load_benchmark(bench_dir, limit)
    systems = (
        _run_system(STORYLINE, pages, lambda html: extract_text(html, options=options)),
        _run_system(BASELINE, pages, _baseline),
    )
    return ExtractionReport(bench_dir=str(bench_dir), page_count=len(pages), systems=systems)


def format_report(report: ExtractionReport) -> str:
    """A small plain-text table: precision, recall, F1 and speed per system."""
    lines = [
        f"Article extraction benchmark: {report.page_count} pages ({report.bench_dir})",
        f"{'system':<22}{'precision':>10}{'recall':>8}{'F1':>8}{'pages/s':>9}{'failed':>8}",
    ]
    for s in report.systems:
        lines.append(
            f"{s.name:<22}{s.precision:>10.4f}{s.recall:>8.4f}{s.f1:>8.4f}"
            f"{s.pages_per_second:>9.1f}{s.failures:>8d}"
        )
    return "\n".join(lines)


def report_to_json(report: ExtractionReport) -> dict[str, Any]:
    """The report as JSON-ready data, per-page scores included."""
    return {
        "benchmark": "article-extraction-benchmark",
        "bench_dir": report.bench_dir,
        "pages": report.page_count,
        "systems": {
            s.name: {
                "precision": s.precision,
                "recall": s.recall,
                "f1": s.f1,
                "seconds": s.seconds,
                "pages_per_second": s.pages_per_second,
                "failures": s.failures,
                "per_page": {
                    p.page_id: {"precision": p.precision, "recall": p.recall, "f1": p.f1}
                    for p in s.pages
                },
            }
            for s in report.systems
        },
    }


@dataclass(frozen=True, slots=True)
class _Page:
    page_id: str
    html: str
    truth: str


def _load_benchmark(bench_dir: Path, limit: int | None) -> list[_Page]:
    truth_path = bench_dir / "ground-truth.json"
    try:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        ids = sorted(truth)[:limit] if limit is not None else sorted(truth)
        return [
            _Page(
                page_id,
                _read_gzip(bench_dir / "html" / f"{page_id}.html.gz"),
                truth[page_id].get("articleBody") or "",
            )
            for page_id in ids
        ]
    except (OSError, ValueError, AttributeError) as exc:
        raise InputError(f"cannot read the extraction benchmark in {bench_dir}: {exc}") from exc


def _read_gzip(path: Path) -> str:
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        return f.read()


def _baseline(html: str) -> str:
    return trafilatura.extract(html) or ""


def _run_system(name: str, pages: Iterable[_Page], extract: Callable[[str], str]) -> SystemScore:
    outputs: list[tuple[_Page, str]] = []
    failures = 0
    start = time.perf_counter()
    for page in pages:
        try:
            text = extract(page.html)
        except ExtractionError as exc:
            logger.info("%s: %s: %s", name, page.page_id, exc)
            text = ""
        failures += not text
        outputs.append((page, text))
    seconds = time.perf_counter() - start
    scores = tuple(
        PageScore(page.page_id, *page_scores(page.truth, text)) for page, text in outputs
    )
    precision, recall, f1 = score_pages(scores)
    logger.info("%s: F1 %.4f on %d pages in %.1f s", name, f1, len(scores), seconds)
    return SystemScore(
        name=name,
        precision=precision,
        recall=recall,
        f1=f1,
        seconds=seconds,
        pages_per_second=len(scores) / seconds if seconds else 0.0,
        failures=failures,
        pages=scores,
    )
