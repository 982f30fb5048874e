"""Casualty counts: how many people a reported event killed or injured.

"A fire tore through the plant, killing two workers and injuring five others" reports a fire
(``triggers.py``) and two more facts a reader wants on the timeline: two deaths and five
injuries. ``find_casualties`` finds them in one sentence's text as ``Casualty`` values (the
action, ``deaths`` or ``injuries``, the count and where the words are);
``toll_developments`` makes each a development with that ``count``, dated and placed as the
event its sentence reports.

Precision first: only a number written as digits or a number word counts ("two workers were
killed", "left 12 injured", "the death toll rose to 14"); "a man was killed", "dozens hurt"
and "could kill thousands" give nothing, since a count that is vague or still to come is not a
toll.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.models import Development

if TYPE_CHECKING:
    from spacy.tokens import Span

    from storyline.enrich.attribution import SourceMap

__all__ = ["CASUALTY_ACTIONS", "Casualty", "find_casualties", "parse_count", "toll_developments"]

#: The actions casualty developments carry.
CASUALTY_ACTIONS = frozenset({"deaths", "injuries"})

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "a dozen": 12,
}  # fmt: skip
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+|" + "|".join(
    sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True)
) + r")"
# "at least", "about": the count is still the reported toll.
_HEDGE = r"(?:(?:at\s+least|about|around|some|nearly|almost|more\s+than|over|up\s+to)\s+)?"
# Who was hit, between the number and the verb: "two workers", "five other people".
_WHO = r"(?:\s+(?!years?\b|months?\b|days?\b|hours?\b|weeks?\b|percent\b|per\b|%)[a-z-]+){0,3}?"
# A number that measures something else: "injured two years ago", "killed 40% of the herd".
_UNIT = r"(?!\s*(?:-|years?\b|months?\b|weeks?\b|days?\b|hours?\b|minutes?\b|times\b|percent\b|%))"
_DEATH = r"(?:killed|dead|died|perished)"
_HURT = r"(?:injured|hurt|wounded|hospitali[sz]ed)"

# The count: "at least 14", "two", "1,200" (not "two years", "40%").
_N = rf"{_HEDGE}(?P<n>{_NUMBER})\b{_UNIT}"
_BE = r"(?:(?:were|was|have\s+been|had\s+been)\s+)?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "killing two workers", "killed at least 14 people", "injuring five others"
    ("deaths", re.compile(rf"\b(?:killing|killed|kills)\s+{_N}", re.I)),
    ("injuries", re.compile(rf"\b(?:injuring|injured|injures|wounding|wounded|hurting)\s+{_N}",
                            re.I)),
    # "left three dead", "leaving 12 people injured"
    ("deaths", re.compile(rf"\b(?:leaving|left)\s+{_N}{_WHO}\s+dead\b", re.I)),
    ("injuries", re.compile(rf"\b(?:leaving|left)\s+{_N}{_WHO}\s+{_HURT}\b", re.I)),
    # "two workers were killed", "three people died", "14 dead"
    ("deaths", re.compile(rf"(?<![\w,.-]){_N}{_WHO}\s+{_BE}{_DEATH}\b", re.I)),
    ("injuries", re.compile(rf"(?<![\w,.-]){_N}{_WHO}\s+{_BE}{_HURT}\b", re.I)),
    # "the death toll rose to 14", "a death toll of 14"
    ("deaths", re.compile(
        r"\bdeath\s+toll\s+(?:ha[sd]\s+)?(?:rose|risen|climbed|reached|stood|stands|is|of|to)"
        rf"(?:\s+(?:to|at))?\s+{_N}", re.I)),
)
# Words that make a clause a forecast or a hypothesis: "could kill", "would have injured".
_NOT_YET = re.compile(r"\b(?:could|would|might|may|can|threaten(?:s|ed)?\s+to|risk)\s+\w*\s*$",
                      re.I)


@dataclass(frozen=True, slots=True)
class Casualty:
    """A toll found in a sentence: ``deaths`` or ``injuries``, how many, and where the words
    are (offsets into the text searched)."""

    action: str
    count: int
    start_char: int
    end_char: int
    text: str


def parse_count(text: str) -> int | None:
    """The number a count word or numeral stands for ("1,200" → 1200, "five" → 5)."""
    word = " ".join(text.lower().split())
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    digits = word.replace(",", "")
    return int(digits) if digits.isdigit() else None


def find_casualties(text: str) -> list[Casualty]:
    """Deaths and injuries reported in ``text`` (one sentence), each action once, at the
    highest count the sentence gives, in order of appearance."""
    found: dict[str, Casualty] = {}
    for action, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if _NOT_YET.search(text[max(0, m.start() - 30) : m.start()]):
                continue
            count = parse_count(m.group("n"))
            if not count:
                continue
            hit = Casualty(action, count, m.start(), m.end(), m.group(0).strip())
            known = found.get(action)
            if known is None or count > known.count:
                found[action] = hit
    return sorted(found.values(), key=lambda c: c.start_char)


def toll_developments(
    index: int,
    sent: Span,
    sentence_devs: Sequence[Development],
    sources: SourceMap,
    sentence: str,
) -> list[Development]:
    """The deaths and injuries ``sent`` reports, as developments with a ``count``: dated and
    placed as the sentence's first event, else undated (``sentence``: its text as
    developments show it)."""
    out = []
    event = next((d for d in sentence_devs if d.modality == "happened"), None)
    for toll in find_casualties(sent.text):
        start = sent.start_char + toll.start_char
        out.append(
            Development(
                action=toll.action, trigger=toll.text, sentence=sentence,
                start_char=sent.start_char, end_char=sent.end_char,
                trigger_start=start, trigger_end=sent.start_char + toll.end_char,
                participants=(), places=event.places if event else (),
                when=event.when if event else None, modality="happened",
                attribution=sources.for_sentence(index), count=toll.count,
            )
        )  # fmt: skip
    return out
