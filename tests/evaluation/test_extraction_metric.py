"""The article-extraction-benchmark metric on hand-made cases, and a run on the real benchmark."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storyline.errors import InputError
from storyline.evaluation.extraction import (
    BASELINE,
    STORYLINE,
    PageScore,
    evaluate_extraction,
    format_report,
    match_counts,
    page_scores,
    report_to_json,
    score_pages,
    shingles,
)

BENCH = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "article-extraction-benchmark"
)


def test_shingles_are_word_4grams_with_multiplicity() -> None:
    assert shingles("A b, c-d e!") == {("A", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2
    assert shingles("two words") == {("two", "words"): 1}  # shorter than n: one shingle
    assert shingles("") == {}
    assert shingles("  ... ") == {}


def test_metric_identical_texts_score_one() -> None:
    text = "The quick brown fox jumps over the lazy dog."
    assert page_scores(text, text) == (1.0, 1.0)
    assert page_scores("Short text", "Short text") == (1.0, 1.0)


def test_metric_disjoint_texts_score_zero() -> None:
    assert page_scores("one two three four five", "six seven eight nine ten") == (0.0, 0.0)


def test_metric_partial_overlap_hand_computed() -> None:
    # true shingles {abcd, bcde}; predicted {abcd, bcdx}: tp = fp = fn = 1/3
    assert match_counts("a b c d e", "a b c d x") == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert page_scores("a b c d e", "a b c d x") == pytest.approx((0.5, 0.5))
    # prediction misses the last shingle of three: precision 1, recall 2/3
    assert page_scores("a b c d e f", "a b c d e") == pytest.approx((1.0, 2 / 3))
    # multiplicity counts: truth has abcd twice plus three more shingles, prediction one abcd
    assert page_scores("a b c d a b c d", "a b c d") == pytest.approx((1.0, 0.2))


def test_metric_empty_sides() -> None:
    assert page_scores("", "") == (1.0, 1.0)
    assert page_scores("a b c d e", "") == (None, 0.0)  # no precision for an empty extraction
    assert page_scores("", "a b c d e") == (0.0, None)


def test_score_pages_averages_defined_values_then_f1() -> None:
    scores = [
        PageScore("a", 1.0, 1.0),
        PageScore("b", None, 0.0),
        PageScore("c", 0.5, 0.5),
    ]
    precision, recall, f1 = score_pages(scores)
    assert precision == pytest.approx(0.75)
    assert recall == pytest.approx(0.5)
    assert f1 == pytest.approx(2 * 0.75 * 0.5 / 1.25)
    assert scores[1].f1 == 0.0


ARTICLE = (
    "<html><head><title>{title}</title></head><body><nav>Home | World | Sport</nav><article>"
    "<h1>{title}</h1>{body}</article><footer>About us | Contact</footer></body></html>"
)


def _write_bench(root: Path, pages: dict[str, tuple[str, str]]) -> Path:
    (root / "html").mkdir(parents=True)
    truth = {}
    for page_id, (title, body) in pages.items():
        paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        html = ARTICLE.format(title=title, body=paragraphs)
        with gzip.open(root / "html" / f"{page_id}.html.gz", "wt", encoding="utf-8") as f:
            f.write(html)
        truth[page_id] = {"articleBody": body, "url": f"https://example.org/{page_id}"}
    (root / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return root


BODY = (
    "Rescue teams reached the village after a night of heavy rain had cut the only road, "
    "local officials said on Sunday morning.\n\n"
    "About two hundred people spent the night in the school gym, which stands on higher "
    "ground, and volunteers brought blankets and hot food from the neighbouring town.\n\n"
    "Engineers expect the road to reopen within a week once the water has gone down and the "
    "damaged bridge has been inspected."
)


def test_evaluate_extraction_on_a_tiny_benchmark(tmp_path: Path) -> None:
    bench = _write_bench(
        tmp_path / "bench",
        {"p1": ("Flood cuts off village", BODY), "p2": ("Second flood story", BODY)},
    )
    report = evaluate_extraction(bench, limit=1)
    assert report.page_count == 1
    assert [s.name for s in report.systems] == [STORYLINE, BASELINE]
    ours = report.system(STORYLINE)
    assert ours.f1 == pytest.approx(1.0)
    assert [p.page_id for p in ours.pages] == ["p1"]
    assert ours.pages_per_second > 0
    table = format_report(report)
    assert STORYLINE in table and BASELINE in table and "F1" in table
    data = report_to_json(report)
    assert data["pages"] == 1
    assert data["systems"][STORYLINE]["per_page"]["p1"]["f1"] == pytest.approx(1.0)
    json.dumps(data)  # JSON-ready


def test_evaluate_extraction_missing_benchmark_raises(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        evaluate_extraction(tmp_path / "absent")


@pytest.mark.slow
def test_storyline_at_least_matches_trafilatura_on_the_benchmark() -> None:
    if not (BENCH / "ground-truth.json").is_file():
        pytest.skip(f"{BENCH} is not available")
    report = evaluate_extraction(BENCH, limit=60)
    ours, baseline = report.system(STORYLINE), report.system(BASELINE)
    assert report.page_count == 60
    assert ours.failures == 0
    assert ours.f1 >= baseline.f1 - 0.005, format_report(report)
