"""Backfilling an archive (``storyline backfill``): the per-article stages on an engine (a
local process pool, or Ray), story assignment online in publication order by one writer.

Modules: ``stages.py`` (read and extract, as a function over a batch of files), ``spool.py``
(the external sort by time), ``local.py`` and ``ray_engine.py`` (the engines), ``run.py``
(the orchestration). Ray is the optional extra ``storyline[ray]``; ``EngineError`` names it
when it is missing.
"""

from storyline.backfill.run import (
    ENGINES,
    BackfillOptions,
    BackfillReport,
    Progress,
    backfill,
)

__all__ = ["ENGINES", "BackfillOptions", "BackfillReport", "Progress", "backfill"]
