"""Temporal expressions measured on public data: TempEval-3's training documents (TimeBank and
AQUAINT, ``timex/`` in the shared data), scored as the task scored them (Task A).

Storyline's date resolver (``enrich/dates.py``) runs over each whole document against its
creation time (DCT); each span it returns becomes a TIMEX3 value (``timex_value``): a day
``1998-01-08``, a month ``1998-01``, an ISO week ``1998-W02``, a weekend ``1998-W02-WE``, a
quarter ``1998-Q1``, a year ``1998``, a decade ``199``, a part of a day ``1998-01-08TMO``,
a reference to the present ``PRESENT_REF`` and a duration ``P3Y``. The baseline is
dateparser's ``search_dates`` with the DCT as its relative base, each hit written at the
precision dateparser gives it (day, week, month or year).

Scoring (``score``): a system expression matches a gold one *strictly* when their character
spans are identical and *relaxed* when they overlap; precision is the share of system
expressions with a match, recall the share of gold expressions with one. *Value accuracy* is
the share of relaxed-matched gold expressions whose value equals the value of the system
expression overlapping them most, and **value F1 = relaxed F1 x value accuracy**, the task's
ranking figure (HeidelTime 77.6 on the task's test set, which is not in the shared data).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from storyline.enrich.dates import resolve_dates
from storyline.enrich.durations import find_time_amounts
from storyline.errors import InputError
from storyline.evaluation.jsonl import read_records
from storyline.models import TimeSpan

__all__ = [
    "CORPORA",
    "Document",
    "TimexScores",
    "Timex",
    "baseline_timexes",
    "evaluate",
    "load_documents",
    "rows",
    "score",
    "storyline_timexes",
    "timex_value",
]

#: Corpus name → file of whole documents under ``<data>/timex/``.
CORPORA = {
    "TimeBank": "te3-tbaq-timebank.docs.jsonl.gz",
    "AQUAINT": "te3-tbaq-aquaint.docs.jsonl.gz",
}
#: Where Issue 12 puts the bar (HeidelTime scored 0.776 on the task's test set).
TARGET_VALUE_F1 = 0.80


@dataclass(frozen=True, slots=True)
class Timex:
    """A temporal expression: ``text[start:end]`` of its document, and its TIMEX3 value."""

    start: int
    end: int
    value: str


@dataclass(frozen=True, slots=True)
class Document:
    """One annotated document: its id, creation date, full text and gold expressions."""

    doc_id: str
    dct: date
    text: str
    gold: tuple[Timex, ...]


@dataclass(frozen=True, slots=True)
class TimexScores:
    """TempEval-3 Task A figures over a set of documents."""

    strict_precision: float
    strict_recall: float
    strict_f1: float
    relaxed_precision: float
    relaxed_recall: float
    relaxed_f1: float
    value_accuracy: float
    value_f1: float
    gold: int
    system: int


# --------------------------------------------------------------------------- scoring


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _overlap(a: Timex, b: Timex) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def score(documents: Iterable[tuple[Sequence[Timex], Sequence[Timex]]]) -> TimexScores:
    """Score ``(gold, system)`` expression lists, one pair per document (see the module
    docstring for the definitions)."""
    n_gold = n_system = strict_gold = strict_system = relaxed_gold = relaxed_system = 0
    correct = 0
    for gold, system in documents:
        n_gold += len(gold)
        n_system += len(system)
        gold_spans = {(g.start, g.end) for g in gold}
        system_spans = {(s.start, s.end) for s in system}
        strict_gold += sum((g.start, g.end) in system_spans for g in gold)
        strict_system += sum((s.start, s.end) in gold_spans for s in system)
        relaxed_system += sum(any(_overlap(s, g) > 0 for g in gold) for s in system)
        for g in gold:
            hits = [s for s in system if _overlap(s, g) > 0]
            if hits:
                relaxed_gold += 1
                best = max(hits, key=lambda s: (_overlap(s, g), -s.start))
                correct += best.value == g.value
    sp, sr = _ratio(strict_system, n_system), _ratio(strict_gold, n_gold)
    rp, rr = _ratio(relaxed_system, n_system), _ratio(relaxed_gold, n_gold)
    accuracy = _ratio(correct, relaxed_gold)
    return TimexScores(
        strict_precision=sp, strict_recall=sr, strict_f1=_f1(sp, sr),
        relaxed_precision=rp, relaxed_recall=rr, relaxed_f1=_f1(rp, rr),
        value_accuracy=accuracy, value_f1=_f1(rp, rr) * accuracy,
        gold=n_gold, system=n_system,
    )  # fmt: skip


# --------------------------------------------------------------------------- systems

_PART_OF_YEAR_RE = re.compile(r"\b(?:end|beginning|start)\s+of\s+(?:the\s+year|\d{4})", re.I)
_CLOCK_RE = re.compile(
    r"\b(?:(?P<h>\d{1,2})(?::(?P<min>\d\d))?\s*(?P<half>[ap])\.?m\b|(?P<word>noon|midnight))"
)
_PART_OF_DAY = (("morning", "MO"), ("afternoon", "AF"), ("evening", "EV"), ("night", "NI"))


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def timex_value(span: TimeSpan) -> str:
    """The TIMEX3 value of a resolved span: its interval at its granularity, with the part of
    the day the words name ("this morning" → ``1998-01-08TMO``)."""
    first = date.fromisoformat(span.start)
    last = date.fromisoformat(span.end)
    granularity = span.granularity
    if granularity == "month" and _PART_OF_YEAR_RE.search(span.text):
        return span.start[:4]  # "the end of 1990" is 1990 with mod="END" in TimeML
    if granularity in ("month", "part-of-month"):
        return span.start[:7]  # "early May" is May with mod="START" in TimeML
    if granularity == "year":
        return span.start[:4]
    if granularity == "decade":
        return span.start[:3]
    if granularity == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    if granularity == "week":
        return _iso_week(first)
    if granularity == "days":
        if first.weekday() == 5 and (last - first).days == 1:
            return f"{_iso_week(first)}-WE"
        if "week" in span.text.lower():  # "earlier this week": the rest of a week
            return _iso_week(first)
    words = span.text.lower()
    clock = _CLOCK_RE.search(words)
    if clock:  # "at 10 p.m. Wednesday": the day, then the time the words give
        if clock["word"]:
            return f"{span.start}T{'12:00' if clock['word'] == 'noon' else '24:00'}"
        hour = int(clock["h"]) % 12 + (12 if clock["half"] == "p" else 0)
        return f"{span.start}T{hour:02d}:{clock['min'] or '00'}"
    for word, code in _PART_OF_DAY:
        if word in words:
            return f"{span.start}T{code}"
    return span.start


def storyline_timexes(text: str, dct: date) -> list[Timex]:
    """Storyline's date resolver over ``text`` written on ``dct``, as TIMEX3 expressions, with
    the durations, frequencies and vague references ``find_time_amounts`` finds outside them."""
    found = [Timex(s.start_char, s.end_char, timex_value(s)) for s in resolve_dates(text, dct)]
    taken = bytearray(len(text))
    for t in found:
        taken[t.start : t.end] = b"\x01" * (t.end - t.start)
    for a in find_time_amounts(text):
        if 1 not in taken[a.start_char : a.end_char]:
            found.append(Timex(a.start_char, a.end_char, a.value))
    found.sort(key=lambda t: t.start)
    return found


_PERIODS: dict[str, Callable[[datetime], str]] = {
    "day": lambda d: d.date().isoformat(),
    "time": lambda d: d.date().isoformat(),
    "week": lambda d: _iso_week(d.date()),
    "month": lambda d: d.strftime("%Y-%m"),
    "year": lambda d: d.strftime("%Y"),
}


def baseline_timexes(text: str, dct: date) -> list[Timex]:
    """dateparser's ``search_dates`` over ``text`` with ``dct`` as its relative base; each hit
    is written at the period dateparser gives it (``get_date_data``)."""
    from dateparser.date import DateDataParser
    from dateparser.search import search_dates

    base = datetime(dct.year, dct.month, dct.day)
    settings = {"RELATIVE_BASE": base}
    parser = DateDataParser(languages=["en"], settings=settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hits = search_dates(text, languages=["en"], settings=settings) or []
        found: list[Timex] = []
        pos = 0
        for hit, when in hits:
            start = text.find(hit, pos)
            if start < 0:
                continue
            pos = start + len(hit)
            period = parser.get_date_data(hit).period or "day"
            found.append(Timex(start, pos, _PERIODS.get(period, _PERIODS["day"])(when)))
    return found


# --------------------------------------------------------------------------- data


def load_documents(path: Path, limit: int | None = None) -> list[Document]:
    """The documents of one ``*.docs.jsonl.gz`` file (the first ``limit`` of them)."""
    documents: list[Document] = []
    for number, record in read_records(path, what="TempEval-3 documents", limit=limit):
        try:
            documents.append(
                Document(
                    doc_id=record["doc_id"],
                    dct=date.fromisoformat(record["dct"]),
                    text=record["text"],
                    gold=tuple(
                        Timex(t["doc_start"], t["doc_end"], t["value"]) for t in record["timexes"]
                    ),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path} line {number}: not a TempEval-3 document ({exc})") from exc
    return documents


System = Callable[[str, date], list[Timex]]


def evaluate(
    data_dir: Path, limit: int | None = None, *, system: System = storyline_timexes
) -> dict[str, TimexScores]:
    """``system``'s scores per corpus and over both (``"both"``), on the first ``limit``
    documents of each corpus."""
    folder = data_dir / "timex"
    if not folder.is_dir():
        raise InputError(f"{folder}: no TempEval-3 data (expected {', '.join(CORPORA.values())})")
    pairs_by_corpus = {}
    for corpus, name in CORPORA.items():
        documents = load_documents(folder / name, limit)
        pairs_by_corpus[corpus] = [(d.gold, system(d.text, d.dct)) for d in documents]
    results = {corpus: score(pairs) for corpus, pairs in pairs_by_corpus.items()}
    results["both"] = score(p for pairs in pairs_by_corpus.values() for p in pairs)
    return results


_MEASURES = (
    ("value F1", "value_f1"),
    ("relaxed F1", "relaxed_f1"),
    ("strict F1", "strict_f1"),
    ("value accuracy", "value_accuracy"),
    ("relaxed precision", "relaxed_precision"),
    ("relaxed recall", "relaxed_recall"),
)


def rows(data_dir: Path, limit: int | None = None) -> list[dict[str, object]]:
    """The figures as table rows: ``measure``, ``storyline``, ``baseline``, ``target``."""
    ours = evaluate(data_dir, limit)
    theirs = evaluate(data_dir, limit, system=baseline_timexes)
    table: list[dict[str, object]] = []
    for corpus in ("both", *CORPORA):
        for label, field in _MEASURES:
            is_target = corpus == "both" and field == "value_f1"
            table.append({
                "measure": f"timex {label} ({'TimeBank+AQUAINT' if corpus == 'both' else corpus})",
                "storyline": round(getattr(ours[corpus], field), 4),
                "baseline": round(getattr(theirs[corpus], field), 4),
                "target": f">= {TARGET_VALUE_F1:.2f}" if is_target else "",
            })  # fmt: skip
    return table
