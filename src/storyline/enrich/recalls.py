"""Sentences that recall an earlier, different incident.

Local news ties each incident to the last one like it: "It is the second child pulled from a
backyard pool in eight days, after a girl was found in a pool at Kallangur on November 12";
"The attack comes days after an apprentice died after being punched in the same mall"; "It is
the same stretch of motorway where a truck and three cars collided two weeks ago". Such a
sentence names the *other* incident's suburb, victim, date and numbers. Read as evidence, it
makes the new incident look like a development of the old one, and its date ("two weeks ago")
becomes the new incident's date.

``recall_spans`` finds them with cue patterns, no parser, so that the same spans serve the
event evidence (``stories/evidence.py``, which runs with enrichment off too) and the dated
developments. A cue either recalls the whole sentence ("the second ... in", "comes days
after", "a separate incident", "the same stretch where") or, for a bare "days after the
death of ..." inside a sentence about the new incident, only the clause from the cue to the
sentence's end. Sentences that recall the article's *own* event ("Darcy was punched on
November 3") carry no such cue and stay.

With the article's resolved dates (``dates``, when enrichment has them), a background
paragraph that walks through earlier incidents by their dates is a recall too: a sentence that
opens on a day ("On April 6, a man was shot...", "Just before midnight on April 24, ...") at
least two days before the earliest day the article's first sentences name (its own event: the
night of the killing, the day of the robbery it charges), with the rest of its paragraph until
a sentence names that day again ("... whether they are related to Thursday's killing").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from storyline.enrich.tense import sentence_starts

if TYPE_CHECKING:
    from storyline.models import TimeSpan

__all__ = ["recall_spans", "without_recalls"]

_ORDINAL = r"(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|latest|another)"
_GAP = (r"(?:(?:just|only|barely|less\s+than|more\s+than|about|nearly|almost)\s+)?"
        r"(?:(?:a|an|one|two|three|four|five|six|several|a\s+few|\d+)\s+)?"
        r"(?:hours?|days?|weeks?|months?|fortnight)")

#: Cues that make the whole sentence a recall of another incident.
_SENTENCE_CUES = re.compile(
    "|".join((
        # "It is the second fatal crash on the road this year", "marks the third ..."
        rf"\b(?:is|was|marks?|marked|becomes?|became|it['’]s)\s+(?:now\s+)?(?:the\s+)?{_ORDINAL}"
        r"\s+(?:[\w-]+\s+){0,7}?(?:in|on|at|this|since|within|after|to|of)\b",
        # "The attack comes days after ...", "follows a similar crash", "came a week after"
        rf"\b(?:comes?|came|follows?|followed)\s+{_GAP}\s+(?:after|since)\b",
        r"\b(?:comes?|came)\s+(?:just\s+)?after\s+(?:a|an|another)\b",
        r"\bfollows?\s+(?:a|an|another|the)\s+(?:\w+\s+){0,2}?"
        r"(?:similar|earlier|separate|unrelated|previous|recent)\b",
        # "In a separate incident", "an unrelated crash", "a similar attack last month"
        r"\b(?:in\s+)?(?:a|an)\s+(?:separate|unrelated|earlier|similar|previous)\s+"
        r"(?:\w+\s+){0,2}?(?:incident|crash|collision|fire|blaze|attack|assault|robbery|"
        r"stabbing|shooting|case|rollover|break-in|burglary|drowning|death|event)s?\b",
        # "the same stretch of motorway where ...", "the same intersection where"
        r"\bsame\s+(?:\w+\s+){0,3}?(?:where|in\s+which|at\s+which)\b",
        # "the latest in a string of incidents"
        r"\b(?:latest|newest|another)\s+in\s+a\s+(?:string|spate|series|run|wave)\s+of\b",
    )),
    re.IGNORECASE,
)
#: Cues that recall another incident from the cue to the end of the sentence, when the
#: sentence also says the other incident is another one ("same", "earlier", "previous"...).
_CLAUSE_CUE = re.compile(rf"\b{_GAP}\s+after\b", re.IGNORECASE)
_OTHER = re.compile(r"\b(?:same|earlier|previous|another|similar|separate)\b", re.IGNORECASE)

def _sentences(text: str) -> list[tuple[int, int]]:
    starts = sentence_starts(text)
    bounds = zip(starts, [*starts[1:], len(text)], strict=True)
    return [(a, b) for a, b in ((a, len(text[:b].rstrip())) for a, b in bounds) if b > a]


def recall_spans(text: str, dates: Sequence[TimeSpan] = ()) -> list[tuple[int, int]]:
    """Character spans of ``text`` that recall an earlier, different incident (whole
    sentences, or a sentence's tail from a "days after" cue), in order; with ``dates`` (the
    resolved dates of ``text``) the sentences that walk through earlier incidents by date
    too."""
    out: list[tuple[int, int]] = []
    sentences = _sentences(text)
    for start, end in sentences:
        sentence = text[start:end]
        if _SENTENCE_CUES.search(sentence):
            out.append((start, end))
            continue
        if _OTHER.search(sentence):
            clause = _CLAUSE_CUE.search(sentence)
            if clause is not None and _OTHER.search(sentence, clause.end()):
                out.append((start + clause.start(), end))
    if dates:
        dated = _dated_recalls(text, sentences, dates)
        covered = [s for s in out if not any(a <= s[0] < b for a, b in dated)]
        out = sorted({*covered, *dated})
    return out


#: Sentences at the top of an article whose days say when its own event was.
OWN_SENTENCES = 3
#: What may come before the day that opens a recalled incident: "On", "Just before midnight
#: on", "Before dawn on", "Early on", "At about 2 a.m. on".
_OPENING = re.compile(
    r"(?:(?:just\s+|shortly\s+|not\s+long\s+)?(?:before|after)\s+(?:dawn|midnight|noon|sunrise"
    r"|sunset|daybreak)\s+|(?:early|late)\s+|(?:at\s+)?(?:about|around|approximately)\s+"
    r"[\d:.]+\s*[ap]\.?m\.?\s+)?(?:on|in)?\s*",
    re.IGNORECASE,
)
_DAY_GRAINS = frozenset({"day", "days"})
#: Days between a recalled incident and the article's own before it counts as another.
RECALL_MIN_DAYS = 2


def _dated_recalls(text: str, sentences: Sequence[tuple[int, int]],
                   dates: Sequence[TimeSpan]) -> list[tuple[int, int]]:
    """Sentences opening on a day ``RECALL_MIN_DAYS`` or more before the article's own
    (``recall_spans``), each with the rest of its paragraph up to a sentence naming a later
    day."""
    days = [t for t in dates if t.granularity in _DAY_GRAINS]
    if not days or len(sentences) <= OWN_SENTENCES:
        return []
    top_end = sentences[OWN_SENTENCES - 1][1]
    own = [date.fromisoformat(t.start).toordinal() for t in days if t.start_char < top_end]
    if not own:
        return []
    first_own = min(own)

    def first_day(start: int, end: int) -> TimeSpan | None:
        return next((t for t in days if start <= t.start_char < end), None)

    out: list[tuple[int, int]] = []
    recalling = False
    for index, (start, end) in enumerate(sentences):
        new_paragraph = index == 0 or "\n" in text[sentences[index - 1][1]:start]
        if new_paragraph:
            recalling = False
        if index < OWN_SENTENCES:
            continue
        span = first_day(start, end)
        opens = span is not None and _OPENING.fullmatch(text, start, span.start_char)
        earlier = span is not None and (
            first_own - date.fromisoformat(span.end).toordinal() >= RECALL_MIN_DAYS)
        if opens and earlier:
            recalling = True
        elif span is not None and not earlier:
            recalling = False  # "... related to Thursday's killing": the article's own again
        if recalling:
            out.append((start, end))
    return out


def without_recalls(text: str, spans: list[tuple[int, int]] | None = None) -> str:
    """``text`` with its recall spans (``recall_spans``) cut out."""
    spans = recall_spans(text) if spans is None else spans
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return " ".join(p.strip() for p in parts if p.strip())
