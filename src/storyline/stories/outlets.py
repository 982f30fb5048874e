"""Outlet background for story assignment: how alike an outlet's own articles read.

Needs: articles' head vectors and outlets, in the order they are assigned. Used by:
``stories/assign.py`` (the pair score of two articles of one outlet).

A police department's releases ("On Sunday, October 26, 2025, at approximately 1:45 a.m.,
officers responded to..."), a wire's weather forecasts, a blotter's briefs share their
outlet's template, and the embedding cosine of two of them sits above the stream's whatever
their events: two shootings on different streets a week apart read as one. The excess of the
cosine of an article with its outlet's recent articles over its cosine with the stream's
recent articles (``OutletBackground.offsets``, per model) is the template's share, not the
event's, and the pair score takes it off the cosines of two articles of that outlet. An outlet
whose articles read like anyone's gets no offset; a new outlet none until it has
``MIN_ARTICLES`` articles.

Recent articles are summed up as running means of their unit vectors (the mean cosine with a
set of unit vectors is the cosine with their mean), over about the last ``WINDOW_STREAM``
articles of the stream and ``WINDOW_OUTLET`` of each outlet: one vector per outlet however
long the archive.

Measured (2026-12-01, head vectors of demo/local..local7, pairs at most 14 days apart):
different-event pairs above cosine 0.7 fell from 33 to 5 on local7 and 15 to 4 on local6,
same-event pairs above 0.7 from 43 to 43, 42 to 41 (local, local2); see BENCHMARKS.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from storyline.stories.scoring import PairFeatures, split_vector

__all__ = ["MIN_ARTICLES", "WINDOW_OUTLET", "WINDOW_STREAM", "OutletBackground", "less_template"]

#: Articles of an outlet seen before its offset counts.
MIN_ARTICLES = 4
#: How many recent articles the running means stand for (the stream's, each outlet's).
WINDOW_STREAM = 200
WINDOW_OUTLET = 50


@dataclass(slots=True)
class _Mean:
    """A running mean of unit vectors over about the last ``window`` added (per model)."""

    window: int
    count: int = 0
    mono: np.ndarray | None = None
    multi: np.ndarray | None = None

    def add(self, mono: np.ndarray, multi: np.ndarray | None) -> None:
        self.count += 1
        rate = 1.0 / min(self.count, self.window)
        self.mono = mono.astype(np.float64) if self.mono is None else (
            self.mono + rate * (mono - self.mono))
        if multi is not None:
            self.multi = multi.astype(np.float64) if self.multi is None else (
                self.multi + rate * (multi - self.multi))


@dataclass(slots=True)
class OutletBackground:
    """Running means of the stream's and each outlet's recent head vectors."""

    stream: _Mean = field(default_factory=lambda: _Mean(WINDOW_STREAM))
    outlets: dict[str, _Mean] = field(default_factory=dict)

    def add(self, outlet: str | None, head: np.ndarray) -> None:
        """Count an assigned article (its outlet and head vector)."""
        mono, multi = split_vector(head)
        self.stream.add(mono, multi)
        if outlet:
            self.outlets.setdefault(outlet, _Mean(WINDOW_OUTLET)).add(mono, multi)

    def offsets(self, outlet: str | None, head: np.ndarray) -> tuple[float, float]:
        """How much more an article of ``outlet`` with this head vector resembles its outlet's
        recent articles than the stream's, per model (monolingual, multilingual); never
        negative, 0 for an outlet with fewer than ``MIN_ARTICLES`` articles."""
        mine = self.outlets.get(outlet) if outlet else None
        if mine is None or mine.count < MIN_ARTICLES or self.stream.mono is None:
            return 0.0, 0.0
        mono, multi = split_vector(head)
        assert mine.mono is not None
        off_mono = max(0.0, float(mono @ mine.mono) - float(mono @ self.stream.mono))
        off_multi = 0.0
        if multi is not None and mine.multi is not None and self.stream.multi is not None:
            off_multi = max(0.0, float(multi @ mine.multi) - float(multi @ self.stream.multi))
        return off_mono, off_multi


def less_template(f: PairFeatures, offsets: tuple[float, float], *, foreign: bool
                  ) -> PairFeatures:
    """``f`` (a pair of one outlet's articles) with the outlet's template share
    (``OutletBackground.offsets``) taken off its cosines, as the assigner takes it: the
    monolingual share off the English model's cosines, the multilingual off the other's; a
    pair compared on the multilingual cosines alone (``foreign``) loses the latter."""
    off_mono, off_multi = offsets
    head_x = None if f.cos_head_x is None else f.cos_head_x - off_multi
    body_x = None if f.cos_body_x is None else f.cos_body_x - off_multi
    if foreign and head_x is not None and body_x is not None:
        return replace(f, cos_head=head_x, cos_body=body_x, cos_head_x=head_x,
                       cos_body_x=body_x)
    if head_x is None or body_x is None:  # one model: its cosines stand for both
        return replace(f, cos_head=f.cos_head - off_mono, cos_body=f.cos_body - off_mono)
    return replace(f, cos_head=f.cos_head - off_mono, cos_body=f.cos_body - off_mono,
                   cos_head_x=head_x, cos_body_x=body_x)
