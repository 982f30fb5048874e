"""The progress bar ``storyline backfill`` draws (a front end's helper: the backfill itself
only calls ``run.Progress``'s two methods)."""

from __future__ import annotations

import sys

from tqdm import tqdm


class BarProgress:
    """A tqdm bar on standard error, one per phase (``reading``, ``ingesting``)."""

    def __init__(self, *, disable: bool = False) -> None:
        self.disable = disable
        self._bar: tqdm[None] | None = None

    def phase(self, name: str, total: int | None) -> None:
        """Close the current bar and start one for the phase ``name``."""
        self.close()
        self._bar = tqdm(total=total, unit="article", desc=name, file=sys.stderr, leave=False,
                         disable=self.disable or None)  # fmt: skip

    def advance(self, n: int) -> None:
        """``n`` more items done."""
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
