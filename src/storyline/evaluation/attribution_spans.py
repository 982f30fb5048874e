"""Attribution measured on public data: who said what, as spans of the text. PolNeAR's
development split (Newell, Margolin and Ruths 2018; ``attribution/polnear-dev.docs.jsonl.gz``
in the shared data): political news with every attribution's source, cue and content
annotated as character spans of the document.

Storyline runs its attribution stage (``enrich/attribution.py`` ``find_attributions``, on the
pipeline's spaCy parse and entity mentions) over each whole document. Each attribution it finds
gives a source span (where the source is named; none for a source it resolved from an earlier
sentence without naming it here) and content spans (``statement_spans``: the sentence less the
source and the cue).

Scoring (``score_document``): each predicted attribution is paired with the gold one whose
content overlaps it most (each gold one paired at most once, the largest overlaps first).
A pair's content matches *exactly* when the two span sets cover the same characters, leading
and trailing spaces and punctuation aside, and *by overlap* when they share a character; its
source likewise, and two missing sources match. Precision is matching pairs over predicted
attributions, recall over gold ones. The combined figure counts a pair when both its content
and its source overlap.

The baseline is the usual cue rule: in each sentence with "said", "says", "told" or
"according to", the source is the words next to the cue (up to four before it, back to a
comma; after it in ", said X" and "according to X") and the content the rest of the sentence
(after the cue, or before the source when nothing follows the cue).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storyline.errors import InputError
from storyline.evaluation.jsonl import read_records

__all__ = [
    "Document",
    "Scores",
    "SpanAttribution",
    "baseline_attributions",
    "load_documents",
    "rows",
    "score",
    "score_document",
    "storyline_attributions",
]

DATA_FILE = Path("attribution") / "polnear-dev.docs.jsonl.gz"

Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class SpanAttribution:
    """One attribution as character spans of its document (``source`` empty when unnamed)."""

    content: Spans
    source: Spans = ()


@dataclass(frozen=True, slots=True)
class Document:
    """A PolNeAR document: its text and gold attributions."""

    doc_id: str
    text: str
    gold: tuple[SpanAttribution, ...]


@dataclass(slots=True)
class Counts:
    """Pairs matching each way, and how many predicted and gold attributions there were."""

    predicted: int = 0
    gold: int = 0
    matches: dict[str, int] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        self.predicted += other.predicted
        self.gold += other.gold
        for key, value in other.matches.items():
            self.matches[key] = self.matches.get(key, 0) + value


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and F1 of one way of matching."""

    precision: float
    recall: float
    f1: float


#: The ways a pair can match, as ``score`` names them.
MEASURES = (
    "content_exact", "content_overlap", "source_exact", "source_overlap", "both_overlap",
)  # fmt: skip
_EDGE = " \t\n,.;:—–-"


def _chars(text: str, spans: Spans) -> frozenset[int]:
    """The characters the spans cover, less spaces and punctuation at each span's edges."""
    out: set[int] = set()
    for start, end in spans:
        while start < end and text[start] in _EDGE:
            start += 1
        while end > start and text[end - 1] in _EDGE:
            end -= 1
        out.update(range(start, end))
    return frozenset(out)


def _pair(
    predicted: Sequence[frozenset[int]], gold: Sequence[frozenset[int]]
) -> list[tuple[int, int]]:
    """Pairs (predicted index, gold index) by content overlap, largest first, one-to-one."""
    candidates = sorted(
        ((len(p & g), i, j) for i, p in enumerate(predicted) for j, g in enumerate(gold) if p & g),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def score_document(
    text: str, predicted: Sequence[SpanAttribution], gold: Sequence[SpanAttribution]
) -> Counts:
    """Pair one document's predicted attributions with its gold ones and count the matches
    (see the module docstring)."""
    p_content = [_chars(text, a.content) for a in predicted]
    g_content = [_chars(text, a.content) for a in gold]
    counts = Counts(len(predicted), len(gold), dict.fromkeys(MEASURES, 0))
    for i, j in _pair(p_content, g_content):
        p_source, g_source = _chars(text, predicted[i].source), _chars(text, gold[j].source)
        neither = not p_source and not g_source
        hit = {
            "content_exact": p_content[i] == g_content[j],
            "content_overlap": True,
            "source_exact": p_source == g_source,
            "source_overlap": neither or bool(p_source & g_source),
        }
        hit["both_overlap"] = hit["source_overlap"]
        for key, value in hit.items():
            counts.matches[key] += int(value)
    return counts


def score(counts: Counts) -> dict[str, Scores]:
    """Precision, recall and F1 of each measure in ``MEASURES`` from summed counts."""
    out = {}
    for key in MEASURES:
        tp = counts.matches.get(key, 0)
        p = tp / counts.predicted if counts.predicted else 0.0
        r = tp / counts.gold if counts.gold else 0.0
        out[key] = Scores(p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return out


def load_documents(path: Path, limit: int | None = None) -> list[Document]:
    """The documents of a PolNeAR docs file (gzip or plain); ``limit``: the first N."""
    docs: list[Document] = []
    for number, rec in read_records(path, what="PolNeAR documents", limit=limit):
        try:
            text = rec["text"]
            gold = tuple(
                SpanAttribution(_spans(a["content_spans"], len(text)),
                                _spans(a.get("source_spans") or [], len(text)))
                for a in rec["attributions"]
            )  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path} line {number}: not a PolNeAR document ({exc})") from exc
        docs.append(Document(str(rec.get("doc_id", number)), text, gold))
    return docs


def _spans(raw: Iterable[Sequence[int]], size: int) -> Spans:
    out = []
    for pair in raw:
        start, end = int(pair[0]), int(pair[1])
        if not 0 <= start <= end <= size:
            raise ValueError(f"span {start}..{end} outside a text of {size} characters")
        out.append((start, end))
    return tuple(out)


def storyline_attributions(texts: Sequence[str]) -> list[list[SpanAttribution]]:
    """Storyline's attributions of each text, as spans (see the module docstring)."""
    from storyline.enrich.attribution import EntitySpan, find_attributions, statement_spans
    from storyline.enrich.entities import find_mentions, parse_texts

    out = []
    for doc in parse_texts(list(texts), batch_size=16):
        mentions = [EntitySpan(m.start_char, m.end_char, m.name, m.type)
                    for m in find_mentions(doc)]  # fmt: skip
        found = []
        for a in find_attributions(doc, mentions).attributions:
            content = tuple(statement_spans(a, doc.text))
            if not content:
                continue
            source = ((a.source_start, a.source_end),) if a.source_end > a.source_start else ()
            found.append(SpanAttribution(content, source))
        out.append(found)
    return out


_SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’]?|$)")
_CUE_RE = re.compile(r"\b(?:said|says|told|according to)\b")
_NAME_BEFORE_RE = re.compile(r"((?:[\w’'.-]+\s+){0,3}[\w’'.-]+)\s*$")
_NAME_AFTER_RE = re.compile(r"^\s*([^,.;:“”\"]{1,60})")


def baseline_attributions(text: str) -> list[SpanAttribution]:
    """The cue-rule baseline (module docstring) over one document."""
    out = []
    for sent in _SENTENCE_RE.finditer(text):
        m = _CUE_RE.search(sent.group())
        if m is None:
            continue
        s0, cue_start, cue_end, s1 = sent.start(), sent.start() + m.start(), \
            sent.start() + m.end(), sent.end()  # fmt: skip
        before = text[s0:cue_start]
        if m.group() == "according to" or before.rstrip().endswith((",", "”", '"')):
            # "according to X, ..." / "..., said X."
            after = _NAME_AFTER_RE.match(text, cue_end, s1)
            if after is None:
                continue
            source = (after.start(1), after.end(1))
            content: Spans
            if m.group() == "according to":
                content = ((s0, cue_start), (after.end(1), s1))
            else:
                content = ((s0, cue_start),)
        else:
            name = _NAME_BEFORE_RE.search(before.split(",")[-1])
            if name is None:
                continue
            offset = cue_start - len(before.split(",")[-1])
            source = (offset + name.start(1), offset + name.end(1))
            # "X said that ..." has its content after the cue; "..., X said." before X.
            after_cue = len(text[cue_end:s1].split()) >= 2
            content = ((cue_end, s1),) if after_cue else ((s0, source[0]),)
        content = tuple((a, b) for a, b in content if text[a:b].strip(_EDGE))
        if content:
            out.append(SpanAttribution(content, (source,)))
    return out


def _row(measure: str, ours: float, base: float, target: str = "") -> dict[str, object]:
    return {"measure": measure, "storyline": round(ours, 4), "baseline": round(base, 4),
            "target": target}  # fmt: skip


def rows(data_dir: Path, limit: int | None = None) -> list[dict[str, object]]:
    """The attribution figures on PolNeAR dev (``limit``: the first N documents), each beside
    the cue baseline: content and source P/R/F1 (exact and overlap) and the combined F1."""
    docs = load_documents(Path(data_dir) / DATA_FILE, limit)
    ours, base = Counts(), Counts()
    for doc, predicted in zip(docs, storyline_attributions([d.text for d in docs]), strict=True):
        ours.add(score_document(doc.text, predicted, doc.gold))
        base.add(score_document(doc.text, baseline_attributions(doc.text), doc.gold))
    s_ours, s_base = score(ours), score(base)
    out = []
    for key in MEASURES[:-1]:
        what = key.replace("_", " ")
        for part in ("precision", "recall", "f1"):
            name = f"PolNeAR dev {what} {'F1' if part == 'f1' else part}"
            out.append(_row(name, getattr(s_ours[key], part), getattr(s_base[key], part)))
    out[0]["measure"] = f"{out[0]['measure']} ({ours.gold} gold attributions, {len(docs)} docs)"
    out.append(_row("PolNeAR dev content+source overlap F1", s_ours["both_overlap"].f1,
                    s_base["both_overlap"].f1, ">= 0.60"))  # fmt: skip
    return out
