"""Event evidence for story assignment: the dated events an article is about.

Needs: the article's developments (``enrich/developments.py``). Fills: ``Article.events``.

Publication dates say when articles were written, not when their events happen. A feature
published ten days after a rumour, about the signing the rumour expects "next month", reports
the same event as the rumour; an earthquake report published twenty days after another, about
a quake "on Monday", reports a different one. So the time signal of the pair score
(``scoring.gap_penalty``) uses the smaller of two gaps: between publication dates, and between
the dates of the events both articles are about — the same action (``signing``,
``earthquake``) at dates that overlap or lie close.

Only an article's *main* developments count (``Development.main``): background sentences
("the region was hit by a quake on February 4") name older events the article is not about,
and let a new quake's reports match the old quake's. Only dates resolved to a month or less
count: "in 2026" overlaps too much to say two events are one. And only events that end no more
than a month before the article was published: an older one is history the article recalls
(a war's start two years ago), which many unrelated reports share.

Dates also count *against* a join: an action that happens once (``ONE_OFF_ACTIONS``: a quake,
a fire, a shooting) reported by both articles on dates days apart is two events
(``one_off_conflict``), however alike the reports read — and so are two articles whose
one-off events all lie days apart whatever they are (a man shot on I-240 on Wednesday, a
motorcyclist killed in a crash there on Saturday); and *for* one when both report the same
action on the same day, recently (``one_off_match``), however differently they read (not two
different actions on one day: a city has a shooting and a crash most nights).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import numpy as np

from storyline.models import EventMark

if TYPE_CHECKING:
    from storyline.models import Development

#: Widest event date kept, in days: a month (a quarter or a year says too little).
MAX_EVENT_DAYS = 31
#: Oldest event kept, in days between the event's end and the publication date.
MAX_PAST_DAYS = 31

#: Actions that happen once: two reports of one of them on dates days apart are two events (a
#: second quake, another fire), unlike a trial's testimony or talks that run for weeks. An
#: ``attack`` (an assault, a raid, an airstrike) is dated to its day; a campaign of weeks is
#: no mark (``MAX_EVENT_DAYS``) or one wide span, which a dated attack inside it overlaps.
ONE_OFF_ACTIONS = frozenset({
    "earthquake", "fire", "wildfire", "explosion", "crash", "shooting", "stabbing", "robbery",
    "killing", "attack",
})
#: Days between two marks of a one-off action from which they are two events, not one.
ONE_OFF_MIN_GAP = 2
#: Dates count *for* a join too: both report a one-off action on the same day or two
#: (marks at most ``MATCH_MAX_SPAN`` days wide that overlap), and the later report is at most
#: ``MATCH_RECENT_DAYS`` after it (``one_off_match``). A family mourning "Uncle Len" the day
#: after "a man died in a house fire on Worthington Avenue" shares few words with the first
#: report; a vague "a shooting earlier this month" at a town hall two weeks on matches nothing.
MATCH_MAX_SPAN = 1
MATCH_RECENT_DAYS = 7
#: Two articles' marks of one event date stand in for their publication gap only when one of
#: them was published at most this many days after that date (``event_gap``): two reports
#: that both recall a fire of three weeks ago ("in stark contrast to a fire in Henderson 10
#: days ago") are no closer for it, while a tribute a month on still meets the first report.
GAP_RECENT_DAYS = MATCH_RECENT_DAYS

#: Action names → small integer codes, so that member marks compare as arrays.
_ACTION_CODES: dict[str, int] = {}


def event_marks(developments: Iterable[Development], published: date, *,
                max_days: int = MAX_EVENT_DAYS, max_past_days: int = MAX_PAST_DAYS,
                title: str = "") -> tuple[EventMark, ...]:
    """The article's main developments that carry a date at most ``max_days`` wide, ending at
    most ``max_past_days`` before ``published`` (the article's publication day); and the
    one-off events its ``title`` dates to a past year (``title_marks``)."""
    marks: dict[EventMark, None] = dict.fromkeys(title_marks(title, published))
    oldest = published.toordinal() - max_past_days
    for dev in developments:
        if not dev.main or dev.when is None:
            continue
        if dev.action in ONE_OFF_ACTIONS and dev.modality != "happened":
            continue  # "the men they want to identify in the assault": no dated assault
        first = date.fromisoformat(dev.when.start).toordinal()
        last = date.fromisoformat(dev.when.end).toordinal()
        if last - first + 1 <= max_days and last >= oldest:
            marks[EventMark(dev.action, first, last)] = None
    return tuple(marks)


def _one_off_nouns() -> str:
    from storyline.enrich.lexicon import NOUN_ACTIONS

    nouns = sorted(n for n, action in NOUN_ACTIONS.items() if action in ONE_OFF_ACTIONS)
    return "|".join(re.escape(n) for n in nouns)


#: A past year in a headline and, within four words, the one-off event it dates: "40 years
#: in 2023 Binghampton killing", "2022 Nob Hill bar shooting trial", "2024 Coors crash".
_TITLE_YEAR = re.compile(
    rf"\b((?:19|20)\d\d)\b(?:\s+[\w'’.-]+){{0,4}}?\s+({_one_off_nouns()})s?\b", re.IGNORECASE)


def title_marks(title: str, published: date) -> tuple[EventMark, ...]:
    """Year-wide marks of the one-off events a headline dates to a year before publication: a
    sentencing "in 2023 Binghampton killing" is about a 2023 killing, not about last week's
    (``one_off_conflict`` tells them apart; too wide to count for a join)."""
    out = []
    for year, noun in _TITLE_YEAR.findall(title):
        if int(year) < published.year:
            action = _ONE_OFF_WORDS[noun.lower()]
            out.append(EventMark(action, date(int(year), 1, 1).toordinal(),
                                 date(int(year), 12, 31).toordinal()))
    if not out:
        out.extend(_dated_in_title(title, published))
    return tuple(out)


def _dated_in_title(title: str, published: date) -> list[EventMark]:
    """The one-off event of a headline that names a past season, month or year ("for robbing
    Owasso store at gunpoint last summer", "jailed over March 2024 stabbing"): the nearest
    one-off word, dated to that span."""
    from storyline.enrich.dates import resolve_dates

    words = [(m.start(), m.end(), action) for m in re.finditer(r"[A-Za-z]+", title)
             if (action := _ONE_OFF_WORDS.get(m.group().lower()))]
    if not words:
        return []
    out = []
    oldest = published.toordinal() - MAX_PAST_DAYS
    for span in resolve_dates(title, published):
        first, last = (date.fromisoformat(span.start).toordinal(),
                       date.fromisoformat(span.end).toordinal())
        if last >= oldest or last - first > 366:
            continue
        # The event word next to the date, within three words and no comma ("robbed last
        # year", "stabbing in March 2024"; not "In 2023, the city promised a fire station").
        near = [action for at, end, action in words
                if _near(title[span.end_char:at] if at >= span.end_char
                         else title[end:span.start_char])]
        if near:
            out.append(EventMark(near[0], first, last))
    return out


def _near(between: str) -> bool:
    return not re.search(r"[,;:]", between) and len(between.split()) <= 3


def _word_forms() -> dict[str, str]:
    """The words of the one-off actions, nouns and verb forms ("robbing", "robbed", "shot")."""
    from storyline.enrich.lexicon import NOUN_ACTIONS, VERB_ACTIONS

    forms = {n: a for n, a in NOUN_ACTIONS.items() if a in ONE_OFF_ACTIONS}
    forms.update({f"{n}s": a for n, a in list(forms.items())})
    for lemma, action in VERB_ACTIONS.items():
        if action not in ONE_OFF_ACTIONS:
            continue
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        double = lemma + lemma[-1] if re.search(r"[^aeiou][aeiou][bdgmnpt]$", lemma) else lemma
        for form in (lemma, f"{lemma}s", f"{stem}ed", f"{stem}ing", f"{double}ed",
                     f"{double}ing"):
            forms.setdefault(form, action)
    forms.update({"shot": "shooting", "stabbed": "stabbing", "burnt": "fire"})
    return forms


_ONE_OFF_WORDS = _word_forms()


def mark_gap(x: EventMark, y: EventMark) -> int:
    """Days between the dates of two marks (0 when they overlap), whatever their actions."""
    return max(0, max(x.first_day, y.first_day) - min(x.last_day, y.last_day))


def event_gap(a: Sequence[EventMark], b: Sequence[EventMark], days: tuple[int, int] | None = None
              ) -> float | None:
    """Days between the nearest events of the same action in ``a`` and ``b`` (0 when their
    dates overlap); None when the two articles share no action. With ``days`` (the two
    articles' publication days, as ordinals) a pair of marks counts only when one article was
    published at most ``GAP_RECENT_DAYS`` after its mark ended."""
    best: float | None = None
    for x in a:
        for y in b:
            if x.action == y.action and (days is None or days[0] - x.last_day <= GAP_RECENT_DAYS
                                         or days[1] - y.last_day <= GAP_RECENT_DAYS):
                gap = float(mark_gap(x, y))
                best = gap if best is None else min(best, gap)
    return best


def one_off_conflict(a: Sequence[EventMark], b: Sequence[EventMark]) -> bool:
    """Whether the two articles report different one-off events (``ONE_OFF_ACTIONS``): the
    same action at dates at least ``ONE_OFF_MIN_GAP`` days apart, or one-off actions of any
    kind none of which lie within that gap of the other's (a shooting on the 5th, a crash
    on the 8th)."""
    actions = {m.action for m in a if m.action in ONE_OFF_ACTIONS} & {m.action for m in b}
    for action in actions:
        gap = event_gap([m for m in a if m.action == action], [m for m in b if m.action == action])
        if gap is not None and gap >= ONE_OFF_MIN_GAP:
            return True
    mine = [m for m in a if m.action in ONE_OFF_ACTIONS]
    theirs = [m for m in b if m.action in ONE_OFF_ACTIONS]
    return bool(mine and theirs) and min(
        mark_gap(x, y) for x in mine for y in theirs) >= ONE_OFF_MIN_GAP


def day_of(ts: float) -> int:
    """The UTC day of a timestamp (seconds), as an ordinal; a day off either way is within
    ``MATCH_RECENT_DAYS``'s slack."""
    return datetime.fromtimestamp(ts, tz=UTC).date().toordinal()


_EPOCH_DAY = date(1970, 1, 1).toordinal()


def days_of(ts: np.ndarray) -> np.ndarray:
    """``day_of`` of an array of timestamps."""
    return np.floor_divide(ts, 86400.0).astype(np.int64) + _EPOCH_DAY


def _matchable(marks: Sequence[EventMark], published_day: int) -> list[EventMark]:
    return [m for m in marks if m.action in ONE_OFF_ACTIONS
            and m.last_day - m.first_day <= MATCH_MAX_SPAN
            and published_day - m.last_day <= MATCH_RECENT_DAYS]


def one_off_match(a: Sequence[EventMark], b: Sequence[EventMark], published_day: int) -> bool:
    """Whether both articles report a one-off action on overlapping dates at most
    ``MATCH_MAX_SPAN`` days wide, at most ``MATCH_RECENT_DAYS`` before ``published_day`` (the
    later article's publication day, as an ordinal): the same fire on the same night."""
    narrow_b = [m for m in b if m.last_day - m.first_day <= MATCH_MAX_SPAN]
    return any(x.action == y.action and mark_gap(x, y) == 0
               for x in _matchable(a, published_day) for y in narrow_b)


@dataclass(frozen=True, slots=True)
class MarkArrays:
    """The event marks of a list of story members, flattened: mark ``i`` belongs to member
    ``member[i]``."""

    member: np.ndarray
    action: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray

    def __len__(self) -> int:
        return len(self.member)


def stack_marks(per_member: Sequence[Sequence[EventMark]]) -> MarkArrays:
    """``MarkArrays`` of members' marks, in member order."""
    rows = [(i, _code(m.action), m.first_day, m.last_day)
            for i, marks in enumerate(per_member) for m in marks]
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return MarkArrays(empty, empty, empty, empty)
    member, action, first, last = (np.asarray(c, dtype=np.int64) for c in zip(*rows, strict=True))
    return MarkArrays(member, action, first, last)


def concat_marks(parts: Sequence[MarkArrays], sizes: Sequence[int]) -> MarkArrays:
    """One ``MarkArrays`` for several stacks of members laid end to end (``sizes`` members
    each)."""
    offsets = np.cumsum([0, *sizes[:-1]])
    return MarkArrays(
        np.concatenate([p.member + off for p, off in zip(parts, offsets, strict=True)]),
        np.concatenate([p.action for p in parts]),
        np.concatenate([p.first_day for p in parts]),
        np.concatenate([p.last_day for p in parts]),
    )


def member_event_gaps(marks: Sequence[EventMark], members: MarkArrays, n_members: int,
                      days: tuple[int, np.ndarray] | None = None) -> np.ndarray:
    """``event_gap`` of an article's ``marks`` with each of ``n_members`` members at once
    (``inf`` where they share no action); ``days``: the article's publication day and each
    member's (ordinals), as ``event_gap`` takes them."""
    gaps = np.full(n_members, np.inf)
    if not marks or not len(members):
        return gaps
    for mark in marks:
        same = members.action == _ACTION_CODES.get(mark.action, -1)
        if days is not None and days[0] - mark.last_day > GAP_RECENT_DAYS:
            same &= days[1][members.member] - members.last_day <= GAP_RECENT_DAYS
        _narrow_gaps(gaps, mark, members, same)
    return gaps


def _narrow_gaps(gaps: np.ndarray, mark: EventMark, members: MarkArrays, rows: np.ndarray
                 ) -> None:
    """Lower each member's entry of ``gaps`` to the days between ``mark`` and that member's
    marks selected by ``rows`` (a boolean mask over ``members``)."""
    if not rows.any():
        return
    first = np.maximum(members.first_day[rows], mark.first_day)
    last = np.minimum(members.last_day[rows], mark.last_day)
    np.minimum.at(gaps, members.member[rows], np.maximum(first - last, 0).astype(float))


def member_one_off_conflicts(marks: Sequence[EventMark], members: MarkArrays, n_members: int
                             ) -> np.ndarray:
    """``one_off_conflict`` of an article's ``marks`` with each of ``n_members`` members at
    once (1.0 where they conflict)."""
    out = np.zeros(n_members)
    if not marks or not len(members):
        return out
    for action in {m.action for m in marks if m.action in ONE_OFF_ACTIONS}:
        mine = [m for m in marks if m.action == action]
        gaps = member_event_gaps(mine, members, n_members)
        out = np.maximum(out, (np.isfinite(gaps) & (gaps >= ONE_OFF_MIN_GAP)).astype(float))
    # One-off events of any kind, all days apart.
    mine = [m for m in marks if m.action in ONE_OFF_ACTIONS]
    theirs = np.isin(members.action, _one_off_codes())
    if mine and theirs.any():
        gaps = np.full(n_members, np.inf)
        for mark in mine:
            _narrow_gaps(gaps, mark, members, theirs)
        out = np.maximum(out, (np.isfinite(gaps) & (gaps >= ONE_OFF_MIN_GAP)).astype(float))
    return out


def _one_off_codes() -> np.ndarray:
    return np.asarray(sorted(_code(action) for action in ONE_OFF_ACTIONS), dtype=np.int64)


def member_one_off_matches(marks: Sequence[EventMark], members: MarkArrays, n_members: int,
                           published_day: int) -> np.ndarray:
    """``one_off_match`` of an article's ``marks`` (published on ``published_day``) with each
    of ``n_members`` members at once (1.0 where they match)."""
    out = np.zeros(n_members)
    mine = _matchable(marks, published_day)
    narrow = members.last_day - members.first_day <= MATCH_MAX_SPAN
    if not mine or not narrow.any():
        return out
    members = MarkArrays(members.member[narrow], members.action[narrow],
                         members.first_day[narrow], members.last_day[narrow])
    return (member_event_gaps(mine, members, n_members) == 0).astype(float)


def _code(action: str) -> int:
    return _ACTION_CODES.setdefault(action, len(_ACTION_CODES))
