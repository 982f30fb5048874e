"""Tense: which way a date expression without a year or week points from the publication
day, read from the words of its sentence.

"on Friday" in "the vote will be held on Friday" is the coming Friday; in "the vote was held
on Friday" the last one. ``DateContext.direction`` finds the last tense cue before the
expression in its sentence (modals, plan words, present-tense scheduling verbs, past-tense
verbs), else "until"/"till" right before it, else the first cue after it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from storyline.enrich.lexicon import word_set

#: The direction an expression without a year or week points to, relative to publication.
Direction = Literal["past", "future"]


# Words that point a sentence to the future: modals and plan words, and present-tense
# scheduling verbs ("polls close on Sunday", "the visit begins on May 16").
_FUTURE_WORDS = word_set(
    "will won't would shall expects expect expecting plan plans planned planning scheduled"
    " schedule schedules upcoming forthcoming coming intend intends intended forecast forecasts"
    " forecasted predict predicts predicted projected likely poised slated could might should"
    " preparing ahead soon later tomorrow begin begins start starts open opens close closes"
    " ends runs expire expires resume resumes meet meets returns arrives hosts holds visits"
    " travels"
)
# Future only before one of these words: "set to", "is to", "takes effect", "kicks off".
_FUTURE_BEFORE = {
    "set": {"to", "for"}, "going": {"to"}, "is": {"to"}, "are": {"to"}, "aim": {"to"},
    "aims": {"to"}, "hope": {"to"}, "hopes": {"to"}, "prepare": {"to"}, "prepares": {"to"},
    "take": {"place", "effect"}, "takes": {"place", "effect"}, "kick": {"off"},
    "kicks": {"off"},
}  # fmt: skip
_PAST_WORDS = word_set(
    "said told met held was were had did didn't took made rose fell began won lost came went"
    " saw became gave got left struck hit ran fled led sent spent sold bought brought thought"
    " caught fought kept built broke chose drew drove flew froze grew knew spoke stole threw"
    " woke wore wrote sank shot stood withdrew paid laid meant felt heard found sat swept sought"
    " taught tore shut cut spread quit lit slid swung upheld underwent overtook agreed freed"
    " decreed guaranteed ago earlier previously already recently yesterday since"
)
# A past form right after these is an infinitive, a passive participle or an adjective
# ("to cut", "will be held", "the proposed summit", "will remain closed"), not a past tense.
_NOT_PAST_AFTER = word_set(
    "to will would can could may might must shall should not never do does be been being is"
    " are am get gets getting the a an its their his her our my your remain remains stay stays"
    " seem seems become becomes"
)
# "has been", "have been", "had been": what follows is done.
_PERFECT = word_set("has have had 've 'd")
# Words ending in -ed that are not verbs in the past tense.
_NOT_PAST_WORDS = word_set(
    "hundred united limited based related alleged armed advanced detailed concerned"
    " interested sacred naked wicked beloved"
)
# "due to the storm" is a cause, "due to vote" a plan.
_DUE_CAUSE = word_set("the a an its their his her this that these those")
# Future cue words that are nouns after a determiner ("the close", "a start", "its holds").
_NOUN_AFTER_DETERMINER = word_set("close start open runs holds returns")
_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")

# Sentence ends: . ! ? followed by space and a capital or quote, or a line break.
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[A-Z0-9])|\n\s*")
_ABBREVIATION_RE = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Prof|Jan|Feb|Mar|Apr"
    r"|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Co|Ltd|vs|approx))\.$"
)
#: "No." abbreviates "number" only before one ("Platform No. 4", "No. 10 Downing Street");
#: before anything else it is the word ("Asked if he would resign, he said No.").
_NUMBER_SIGN_RE = re.compile(r"\bNo\.$")
#: A blank line ends a paragraph, and with it a sentence, whatever word comes before it.
_PARAGRAPH_BREAK_RE = re.compile(r"\n[^\S\n]*\n")
# "at 4 a.m. EDT Thursday", "9 a.m. Tuesday": the clock time goes on, no sentence ends.
_CLOCK_GOES_ON_RE = re.compile(
    r"[ap]\.m\.\s+(?:[ECMP][SD]T|GMT|UTC|BST|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b"
)


def _cue(words: list[str], lowered: list[str], i: int) -> Direction | None:
    """The tense the i-th word of a sentence signals, if any."""
    w = lowered[i]
    nxt = lowered[i + 1] if i + 1 < len(lowered) else ""
    prev = lowered[i - 1] if i else ""
    if w in _FUTURE_WORDS:
        if (w in ("start", "starts") and nxt == "of") or (w in ("close", "closes") and nxt == "to"):
            return None  # "the start of", "close to"
        if prev in _DUE_CAUSE and w in _NOUN_AFTER_DETERMINER:
            return None  # "at the close of business Thursday", "its open": nouns
        return "future"
    if w == "expected":
        return None if prev == "than" else "future"
    if nxt in _FUTURE_BEFORE.get(w, ()):
        return "future"
    if w == "due":
        after = lowered[i + 2] if i + 2 < len(lowered) else ""
        cause = nxt == "to" and (after in _DUE_CAUSE or after.endswith("s"))
        return None if cause else "future"
    if words[i] == "may" or w.endswith("'ll"):
        return "future"  # lower-case "may" only: "May" may be the month
    if w in _PAST_WORDS or (
        words[i].islower() and len(w) > 4 and w.endswith("ed") and not w.endswith("eed")
    ):
        if w in _NOT_PAST_WORDS:
            return None
        if prev in _NOT_PAST_AFTER and not (
                prev == "been" and i > 1 and lowered[i - 2] in _PERFECT):
            return None  # not "has been lodged", "had been told": a perfect is past
        return "past"
    return None


_UNTIL_RE = re.compile(r"\b(?:until|till)\s+$", re.IGNORECASE)


def sentence_starts(text: str) -> list[int]:
    """Where the sentences of ``text`` start (0 first), without a parser: after . ! ? and a
    space before a capital, or a line break; not after an abbreviation ("Sgt.", "Jan.", "No."
    before a number) nor inside a clock time that goes on ("9 a.m. Tuesday"), unless a blank
    line follows."""
    starts = [0]
    for m in _SENTENCE_END_RE.finditer(text):
        if _PARAGRAPH_BREAK_RE.search(m.group()) or not _goes_on(text, m):
            starts.append(m.end())
    return starts


def _goes_on(text: str, end: re.Match[str]) -> bool:
    """Whether the sentence goes on past ``end`` (a match of ``_SENTENCE_END_RE`` with its
    mark at ``end.start()``): the mark ends an abbreviation or a clock time, not a sentence."""
    window = (max(0, end.start() - 8), end.start() + 1)
    if _ABBREVIATION_RE.search(text, *window) \
            or _CLOCK_GOES_ON_RE.match(text, max(0, end.start() - 3)):
        return True
    return bool(_NUMBER_SIGN_RE.search(text, *window)) and text[end.end() : end.end() + 1].isdigit()


@dataclass(slots=True)
class DateContext:
    """One text being resolved: publication day, fallback direction, lazily split sentences."""

    text: str
    pub: date
    hint: Direction | None
    _starts: list[int] | None = None
    _cues: dict[int, list[tuple[int, int, Direction]]] | None = None

    def _sentence(self, pos: int) -> tuple[int, int]:
        if self._starts is None:
            self._starts = sentence_starts(self.text)
        i = bisect.bisect_right(self._starts, pos) - 1
        end = self._starts[i + 1] if i + 1 < len(self._starts) else len(self.text)
        return self._starts[i], end

    def _sentence_cues(self, start: int, end: int) -> list[tuple[int, int, Direction]]:
        if self._cues is None:
            self._cues = {}
        cues = self._cues.get(start)
        if cues is None:
            matches = list(_WORD_RE.finditer(self.text, start, end))
            words = [m.group().replace("’", "'") for m in matches]
            lowered = [w.lower() for w in words]
            cues = []
            for i, m in enumerate(matches):
                kind = _cue(words, lowered, i)
                if kind:
                    cues.append((m.start(), m.end(), kind))
            self._cues[start] = cues
        return cues

    def direction(self, start: int, end: int) -> Direction | None:
        """The tense of the sentence around text[start:end], else the caller's hint.

        The last tense cue before the expression decides, else "until"/"till" right before it
        (a limit still ahead: "the ban lasts until March 14, officials said"), else the first
        cue after it."""
        s_start, s_end = self._sentence(start)
        before: Direction | None = None
        for c_start, c_end, kind in self._sentence_cues(s_start, s_end):
            if c_end <= start:
                before = kind
            elif c_start >= end:
                if before is None and _UNTIL_RE.search(self.text, max(s_start, start - 12), start):
                    return "future"
                return before or kind
        return before or self.hint
