"""The ``storyline`` command: a thin front end over the library (parse, call, print).

Exit codes: 0 all good, 1 some inputs rejected (the others were stored), 2 usage error
(bad arguments, unknown story id, bad configuration, no store at --db for a read command),
3 failure (the store could not be used, or an unexpected error: a bug), 128 + N an ingest
stopped by signal N (130 Ctrl-C, 143 SIGTERM), after it says what it stored.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from storyline import serialize
from storyline.config import SETTINGS, Settings, load_settings
from storyline.errors import ConfigError, InputError, NotFoundError, StorylineError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3
#: Stopped by a signal: 128 + its number, as shells report it.
EXIT_SIGNAL_BASE = 128


class _Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def store(self, *, create: bool = False) -> Any:
        """The store at ``--db``; only ``create`` (ingest) may create a missing one: a read
        command pointed at a wrong path must say so, not show an empty new store."""
        from storyline.embedding import DEFAULT_MODEL
        from storyline.store import open_store

        if not create:
            _require_store(self.settings.db)
        return open_store(self.settings.db, model_name=DEFAULT_MODEL)


def _require_store(location: str) -> None:
    path = str(location).removeprefix("sqlite:///")
    if path == ":memory:" or path.startswith(("postgresql://", "postgres://")):
        return
    if not Path(path).is_file():
        _fail(f"no store at {path}: ingest articles first (storyline ingest), or point --db"
              " (or STORYLINE_DB) at an existing store", EXIT_USAGE)


class _Interrupted(BaseException):
    """Raised from a signal handler (SIGTERM, Ctrl-C) so that an ingest unwinds: the batch
    being written rolls back and the batches before it stay stored."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="STORYLINE_DB", help="Store location (default ./storyline.db).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="TOML settings file (default ./storyline.toml if present).")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.pass_context
def main(ctx: click.Context, db: str | None, config_file: str | None, verbose: int) -> None:
    """Storyline: turn raw news articles into stories and timelines."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(config_file=config_file).with_overrides(db=db)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    ctx.obj = _Context(settings)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--no-progress", is_flag=True, help="Do not show a progress bar.")
@click.pass_obj
def ingest(obj: _Context, paths: tuple[str, ...], no_progress: bool) -> None:
    """Read articles from files, directories and http(s) URLs (a feed or an article page,
    fetched politely and safely), and group them into stories."""
    from tqdm import tqdm

    from storyline.pipeline import Pipeline

    with obj.store(create=True) as store:
        before = store.counts()
        bar = tqdm(unit="article", disable=no_progress or None, file=sys.stderr, leave=False,
                   desc="reading")  # fmt: skip

        started = [False]

        def total(n: int) -> None:  # items read ahead: the bar gets a total and an ETA
            if bar.disable:
                return
            bar.total = (bar.total or 0) + n
            if not started[0]:
                bar.set_description("loading models")
            bar.refresh()

        def done(n: int) -> None:
            if not started[0]:
                started[0] = True
                bar.set_description("ingesting")
            bar.update(n)

        try:
            with _interruptible():
                pipeline = Pipeline(store, settings=obj.settings)
                if any(_is_url(p) for p in paths):  # http(s) URLs are fetched (storyline.feeds)
                    report = pipeline.ingest_records(_inputs(paths, obj.settings),
                                                     progress=done, total=total)  # fmt: skip
                else:
                    report = pipeline.ingest_paths(list(paths), progress=done, total=total)
        except _Interrupted as stop:
            bar.close()
            _report_interrupted(store, before, stop.signum)
        except StorylineError as exc:
            bar.close()
            _fail(str(exc), EXIT_FAILURE)
        bar.close()
    _finish_deliveries(obj.settings)
    _echo_report(report)
    sys.exit(EXIT_REJECTED if report.rejected else EXIT_OK)


def _echo_report(report: Any) -> None:
    """An ingest's (or a backfill's) rejections, then its ``added N, ...`` line."""
    for rejection in report.rejections:
        click.echo(f"rejected: {rejection}", err=True)
    if report.rejections_omitted:
        click.echo(f"… and {report.rejections_omitted} more rejections (each is in the log)",
                   err=True)  # fmt: skip
    copies = f", {report.copies} {'copy' if report.copies == 1 else 'copies'}" if report.copies \
        else ""
    click.echo(
        f"added {report.added}, duplicates {report.duplicates}, rejected {report.rejected}"
        f" ({report.stories_created} new {'story' if report.stories_created == 1 else 'stories'}"
        f"{copies})"
    )


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where the per-article stages run: processes here, or Ray (RAY_ADDRESS, else"
                   " a local cluster).")  # fmt: skip
@click.option("--workers", type=int, default=None,
              help="Worker processes or Ray actors per stage (default: the workers setting).")
@click.option("--spool", "spool_dir", type=click.Path(file_okay=False), default=None,
              help="Directory for the time-sorted spool (default: the system's temp directory).")
@click.option("--object-store-mb", type=click.IntRange(min=80), default=512, show_default=True,
              help="Object store of a local Ray cluster, in MiB.")
@click.option("--no-progress", is_flag=True, help="Do not show a progress bar.")
@click.pass_obj
def backfill(obj: _Context, paths: tuple[str, ...], engine: str, workers: int | None,
             spool_dir: str | None, object_store_mb: int, no_progress: bool) -> None:  # fmt: skip
    """Backfill an archive (files and directories: WARC, JSONL, feeds, pages, dumps): read,
    extract, embed and enrich on an engine, then assign stories in publication order."""
    from storyline.backfill import BackfillOptions
    from storyline.backfill import backfill as run_backfill
    from storyline.backfill.progress import BarProgress

    options = BackfillOptions(engine=engine, workers=workers, object_store_mb=object_store_mb,
                              spool_dir=Path(spool_dir) if spool_dir else None)  # fmt: skip
    with obj.store(create=True) as store:
        before = store.counts()
        progress = BarProgress(disable=no_progress)

        try:
            with _interruptible():
                done = run_backfill(list(paths), store, settings=obj.settings,
                                    options=options, progress=progress)  # fmt: skip
        except _Interrupted as stop:
            progress.close()
            _report_interrupted(store, before, stop.signum)
        except ConfigError as exc:
            progress.close()
            _fail(str(exc), EXIT_USAGE)
        except StorylineError as exc:
            progress.close()
            _fail(str(exc), EXIT_FAILURE)
        progress.close()
    _finish_deliveries(obj.settings)
    _echo_report(done.report)
    sys.exit(EXIT_REJECTED if done.report.rejected else EXIT_OK)


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """SIGTERM and SIGINT raise ``_Interrupted`` inside the block (a second signal acts as
    usual); the previous handlers are back after it."""
    def interrupt(signum: int, frame: Any) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        raise _Interrupted(signum)

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _finish_deliveries(settings: Settings) -> None:
    """Give the alerts' webhook deliveries this ingest started a moment to finish (what is
    left stays pending: the next ingest sends it)."""
    from storyline.alerts.webhook import wait_for_deliveries

    if settings.webhook_url and not wait_for_deliveries(settings.webhook_timeout):
        click.echo("some alerts are still being sent to the webhook; the next ingest retries"
                   " what is not delivered", err=True)


def _report_interrupted(store: Any, before: dict[str, int], signum: int) -> None:
    """What an ingest stopped by a signal had stored (every batch before the one it was
    writing); ingesting the same inputs again adds the rest, as duplicates are skipped."""
    after = store.counts()
    added = after["articles"] - before["articles"]
    stories = after["stories"] - before["stories"]
    name = signal.Signals(signum).name
    click.echo(f"interrupted by {name}: added {added} ({stories} new"
               f" {'story' if stories == 1 else 'stories'}); ingest the same paths again to"
               " add the rest")
    sys.exit(EXIT_SIGNAL_BASE + signum)


def _parse_date(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        _fail(f"{name}: expected a date like 2024-05-14, got {value!r}", EXIT_USAGE)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@main.command()
@click.option("--since", help="Only stories active on or after this date (YYYY-MM-DD).")
@click.option("--limit", default=100, show_default=True, help="How many stories.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_obj
def stories(obj: _Context, since: str | None, limit: int, as_json: bool) -> None:
    """List stories, most recent activity first."""
    from storyline.store import StoryFilter

    with obj.store() as store:
        found = store.list_stories(StoryFilter(since=_parse_date(since, "--since"), limit=limit))
    if as_json:
        click.echo(json.dumps([serialize.story_summary(s) for s in found], indent=2))
        return
    for s in found:
        span = f"{s.first_published:%Y-%m-%d}..{s.last_published:%Y-%m-%d}"
        copies = f" (+{s.copy_count} copies)" if s.copy_count else ""
        click.echo(f"{s.id}  {span}  {s.article_count:3d} articles{copies}  {s.title}")
        click.echo(f"{'':14}outlets: {', '.join(s.outlets)}")


@main.command()
@click.argument("story")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.pass_obj
def show(obj: _Context, story: str, as_json: bool) -> None:
    """Show one story: its articles, then its timeline of developments, events, entities and
    coverage (--json adds the keys timeline, events, entities, coverage)."""
    from storyline.report import render_text
    from storyline.timeline import build_story_view

    with obj.store() as store:
        try:
            view = build_story_view(store, story)
        except NotFoundError as exc:
            _fail(str(exc), EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(serialize.story_view(view), indent=2, ensure_ascii=False))
        return
    click.echo(render_text(view))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one object per input.")
def extract(files: tuple[str, ...], as_json: bool) -> None:
    """Show what extraction makes of files, without storing anything."""
    from storyline.extract.build import ExtractOptions, extract_records
    from storyline.ingest.readers import read_paths
    from storyline.models import Rejection

    rejected = 0
    for item in read_paths(files):
        results = [item] if isinstance(item, Rejection) else extract_records(
            [item], options=ExtractOptions()
        )
        for result in results:
            if isinstance(result, Rejection):
                rejected += 1
                click.echo(f"rejected: {result}", err=True)
                continue
            data = serialize.article_full(result, path=item.source)
            if as_json:
                click.echo(json.dumps(data, ensure_ascii=False))
            else:
                click.echo(f"== {item.source}")
                for key in ("title", "published", "authors", "outlet", "url", "language"):
                    click.echo(f"{key:>10}: {data[key]}")
                click.echo(data["text"])
    sys.exit(EXIT_REJECTED if rejected else EXIT_OK)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON Lines, one object per article, offsets into its 'text'.")
@click.pass_obj
def annotate(obj: _Context, files: tuple[str, ...], as_json: bool) -> None:
    """Show every fact enrichment finds in each article of FILES, located in its clean text:
    entities, dates, developments and attributions; stores nothing. With --db (or
    STORYLINE_DB), entities are resolved against that existing store, which is only read."""
    from storyline.annotate import AnnotateOptions, annotate_paths, annotation_json, render_summary

    options = AnnotateOptions(min_words=obj.settings.min_words, max_bytes=obj.settings.max_bytes)
    given_db = click.get_current_context().find_root().params.get("db")
    with contextlib.ExitStack() as stack:
        lookup = None
        if given_db:  # resolve against an existing store (read: Store.match_entities)
            lookup = stack.enter_context(obj.store()).match_entities
        try:
            result = annotate_paths(list(files), options=options, lookup=lookup)
        except StorylineError as exc:
            _fail(str(exc), EXIT_FAILURE)
    for rejection in result.rejections:
        click.echo(f"rejected: {rejection}", err=True)
    for source, first in result.duplicates:
        click.echo(f"duplicate: {source} is the same article as {first} (annotated once)",
                   err=True)  # fmt: skip
    for annotation in result.annotations:
        if as_json:
            click.echo(json.dumps(annotation_json(annotation), ensure_ascii=False))
        else:
            click.echo(render_summary(annotation))
    sys.exit(EXIT_REJECTED if result.rejections else EXIT_OK)


def _open_lines(path: str) -> Iterator[str]:
    import gzip

    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            yield from fh
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {path}: {exc}", EXIT_USAGE)


@main.command()
@click.argument("infile", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.File("w"), default="-", help="Output file.")
@click.pass_obj
def cluster(obj: _Context, infile: str, output: Any) -> None:
    """Cluster a JSONL file of articles; print {"id", "story"} per article (temporary store)."""
    from storyline.ingest.readers import read_paths
    from storyline.research import cluster_records

    settings = obj.settings.with_overrides(min_words=1)
    records = list(read_paths([infile]))
    by_source, rejections, _ = cluster_records(records, settings=settings)
    for lineno, line in enumerate(_open_lines(infile), start=1):
        source = f"{infile}:{lineno}"
        if source not in by_source:
            continue
        try:
            given = json.loads(line).get("id")
        except (json.JSONDecodeError, AttributeError):
            given = None
        output.write(json.dumps({"id": given if given is not None else lineno,
                                 "story": by_source[source]}) + "\n")
    for rejection in rejections:
        click.echo(f"rejected: {rejection}", err=True)
    sys.exit(EXIT_REJECTED if rejections else EXIT_OK)


@main.command("score-pairs")
@click.argument("infile", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.File("w"), default="-", help="Output file.")
def score_pairs(infile: str, output: Any) -> None:
    """Score article pairs: {"pair_id", "a", "b"} lines in, {"pair_id", "score"} lines out."""
    from storyline.models import Rejection
    from storyline.research import PairInput, article_from_dict, read_pairs, score_articles

    rejected = 0
    pairs, ids = [], []
    for item in read_pairs(_open_lines(infile), source=infile):
        if isinstance(item, Rejection):
            rejected += 1
            click.echo(f"rejected: {item}", err=True)
            continue
        assert isinstance(item, PairInput)
        try:
            pair = (article_from_dict(item.a, source=f"{item.pair_id}/a"),
                    article_from_dict(item.b, source=f"{item.pair_id}/b"))
        except InputError as exc:
            rejected += 1
            click.echo(f"rejected: {exc}", err=True)
            continue
        pairs.append(pair)
        ids.append(item.pair_id)
    for pair_id, score in zip(ids, score_articles(pairs), strict=True):
        output.write(json.dumps({"pair_id": pair_id, "score": round(score, 6)}) + "\n")
    sys.exit(EXIT_REJECTED if rejected else EXIT_OK)


@main.command("settings")
@click.pass_obj
def show_settings(obj: _Context) -> None:
    """Print every setting with its current value and help."""
    for setting in SETTINGS:
        value = getattr(obj.settings, setting.name)
        click.echo(f"{setting.name} = {value!r}\n    {setting.help}")


@main.command("migrate-store")
@click.argument("source")
@click.argument("target")
def migrate_store(source: str, target: str) -> None:
    """Copy the store SOURCE into TARGET (SQLite paths or postgresql:// URLs), verified by
    row counts and a checksum per table; run it again to finish an interrupted copy."""
    from storyline.store import open_store
    from storyline.store.sql import SQLStore
    from storyline.store.transfer import copy_store

    _require_store(source)
    with open_store(source) as src, open_store(target) as dst:
        if not isinstance(src, SQLStore) or not isinstance(dst, SQLStore):
            _fail("migrate-store copies between SQLite and PostgreSQL stores", EXIT_USAGE)
            return
        for check in copy_store(src, dst):
            click.echo(f"{check.table}: {check.target_rows} rows ({check.copied} copied,"
                       f" {check.skipped} already there), sha256 {check.target_sha256[:12]} ok")


@main.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.pass_obj
def entity(obj: _Context, name: str, as_json: bool) -> None:
    """List the stories an entity (canonical name or alias) appears in, in time order."""
    from storyline.report import render_entity

    with obj.store() as store:
        try:
            found = store.find_entities(name)
            appearances = store.entity_stories(name)
        except NotFoundError as exc:
            _fail(str(exc), EXIT_USAGE)
    if as_json:
        data = serialize.entity_stories(found[0], appearances)
        data["matches"] = [serialize.entity_record(e) for e in found]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(render_entity(found, appearances))


@main.command()
@click.argument("story")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write the Markdown here (default: standard output).")
@click.pass_obj
def report(obj: _Context, story: str, output: Any) -> None:
    """Write a Markdown report of one story: timeline, events, entities, coverage."""
    from storyline.report import render_markdown
    from storyline.timeline import build_story_view

    with obj.store() as store:
        try:
            view = build_story_view(store, story)
        except NotFoundError as exc:
            _fail(str(exc), EXIT_USAGE)
    output.write(render_markdown(view))


@main.command()
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.pass_obj
def why(obj: _Context, article: str, as_json: bool) -> None:
    """Explain why an article (its id, or a unique prefix of it) is in its story: the score
    and threshold, what it shares with the best-matching member, and the runner-up story."""
    from storyline.stories.explain import explain, find_article_id, render_text
    from storyline.stories.scoring import weights_with_threshold

    with obj.store() as store:
        try:
            found = explain(store, find_article_id(store, article),
                            weights=weights_with_threshold(obj.settings.cluster_threshold))
        except (NotFoundError, InputError) as exc:
            _fail(str(exc), EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(serialize.explanation(found), indent=2, ensure_ascii=False))
        return
    click.echo(render_text(found), nl=False)


# --- follows and alerts (storyline.alerts) ------------------------------------------------
@main.group("follow")
def follow_group() -> None:
    """Follow a story, an entity or a query; alerts are recorded as ingests bring news of it
    (see `storyline alerts`, and the Atom feeds `storyline serve` serves)."""


def _add_follow(obj: _Context, kind: str, target: str) -> None:
    from storyline.alerts import follow

    with obj.store() as store:
        try:
            item = follow(store, kind, target)
        except (NotFoundError, InputError) as exc:
            _fail(str(exc), EXIT_USAGE)
    click.echo(f"following {item.kind} {item.label!r}  [{item.id}]")
    click.echo(f"  alerts: storyline alerts --follow {item.id}; Atom feed at"
               f" /follows/{item.id}/feed.atom under storyline serve")


@follow_group.command("story")
@click.argument("story")
@click.pass_obj
def follow_story(obj: _Context, story: str) -> None:
    """Follow a story (its id or a unique prefix): an alert for each report that brings it a
    new development or an update of one."""
    _add_follow(obj, "story", story)


@follow_group.command("entity")
@click.argument("name")
@click.pass_obj
def follow_entity(obj: _Context, name: str) -> None:
    """Follow an entity (canonical name or alias, as `storyline entity` finds it): an alert
    for each story it newly appears in."""
    _add_follow(obj, "entity", name)


@follow_group.command("query")
@click.argument("words", nargs=-1, required=True)
@click.pass_obj
def follow_query(obj: _Context, words: tuple[str, ...]) -> None:
    """Follow a full-text query (every word must match): an alert for each story that new
    articles matching it appear in."""
    _add_follow(obj, "query", " ".join(words))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_obj
def follows(obj: _Context, as_json: bool) -> None:
    """List what is followed, with each follow's id and number of alerts."""
    from storyline.alerts import serialize as shapes

    with obj.store() as store:
        found = [(f, store.count_alerts(follow_id=f.id)) for f in store.follows()]
    if as_json:
        click.echo(json.dumps([{**shapes.follow(f), "alerts": n} for f, n in found], indent=2,
                              ensure_ascii=False))
        return
    if not found:
        click.echo("nothing followed: storyline follow story|entity|query ...")
    for item, count in found:
        target = f"  [{item.target}]" if item.kind == "story" else ""
        click.echo(f"{item.id}  {item.kind:6}  {item.label}{target}  ({count} alert"
                   f"{'' if count == 1 else 's'})")


@main.command()
@click.argument("follow_id")
@click.pass_obj
def unfollow(obj: _Context, follow_id: str) -> None:
    """Stop following (a follow id, or a unique prefix of it); its alerts are deleted."""
    from storyline.alerts import unfollow as remove

    with obj.store() as store:
        try:
            item = remove(store, follow_id)
        except (NotFoundError, InputError) as exc:
            _fail(str(exc), EXIT_USAGE)
    click.echo(f"no longer following {item.kind} {item.label!r}  [{item.id}]")


@main.command()
@click.option("--follow", "follow_ref", help="Only this follow's alerts (id or prefix).")
@click.option("--limit", default=20, show_default=True, help="How many alerts.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_obj
def alerts(obj: _Context, follow_ref: str | None, limit: int, as_json: bool) -> None:
    """List recent alerts, newest first: what was new, in which story and article."""
    from storyline.alerts import find_follow_id
    from storyline.alerts import serialize as shapes

    with obj.store() as store:
        try:
            fid = None if follow_ref is None else find_follow_id(store, follow_ref)
        except (NotFoundError, InputError) as exc:
            _fail(str(exc), EXIT_USAGE)
        found = store.list_alerts(follow_id=fid, limit=limit)
        states = store.deliveries(a.id for a in found)
        labels = {f.id: f"{f.kind} {f.label}" for f in store.follows()}
    if as_json:
        click.echo(json.dumps([shapes.alert(a, states.get(a.id)) for a in found], indent=2,
                              ensure_ascii=False))
        return
    for item in found:
        click.echo(f"{item.created_at:%Y-%m-%d %H:%M}  {labels.get(item.follow_id, '?')}"
                   f"  [{item.follow_id}]")
        click.echo(f"  story {item.story_id}: {item.story_title}")
        click.echo(f"  {item.published:%Y-%m-%d}  {item.outlet or 'Unknown outlet'} — "
                   f"{item.article_title}  [{item.article_id}]")
        for dev in item.developments:
            when = f"; event date {dev.when.label}" if dev.when is not None else ""
            click.echo(f"    {dev.novelty.upper():8} {dev.label} — {dev.modality}{when}")
        state = states.get(item.id)
        if state is not None and state.status != "delivered":
            click.echo(f"  webhook: {state.status}, {state.attempts} attempts"
                       + (f", last error {state.last_error}" if state.last_error else ""))


# --- feeds and watch (storyline.feeds) ------------------------------------------------------
def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _inputs(paths: tuple[str, ...], settings: Settings) -> Iterator[Any]:
    """The records of local paths (the readers), then those of URLs (fetched)."""
    from storyline.feeds.remote import read_urls
    from storyline.ingest.readers import ReaderOptions, read_paths

    local = [p for p in paths if not _is_url(p)]
    yield from read_paths(local, options=ReaderOptions(max_bytes=settings.max_bytes))
    yield from read_urls([p for p in paths if _is_url(p)], settings=settings)


@main.group("feeds")
def feeds_group() -> None:
    """Follow RSS/Atom feeds: add, list (with their health), remove, import and export (OPML).
    `storyline watch` polls them."""


@feeds_group.command("add")
@click.argument("urls", nargs=-1, required=True)
@click.option("--no-discover", is_flag=True,
              help="Follow each URL as given, without fetching it to find its feed.")
@click.pass_obj
def feeds_add(obj: _Context, urls: tuple[str, ...], no_discover: bool) -> None:
    """Follow feeds: each URL is a feed, or a site whose page announces one (discovered)."""
    from storyline.feeds.sources import add_feeds

    with obj.store(create=True) as store:
        results = add_feeds(store, list(urls), settings=obj.settings, discover=not no_discover)
    failed = 0
    for added in results:
        if added.feed is None:
            failed += 1
            click.echo(f"not added: {added.given}: {added.error}", err=True)
            continue
        found = "" if added.feed.url == added.given else f" (found at {added.given})"
        verb = "following" if added.new else "already following"
        click.echo(f"{verb} {added.feed.url}{found}")
    sys.exit(EXIT_REJECTED if failed else EXIT_OK)


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "-"
    seconds = (now - when).total_seconds()
    sign, seconds = ("in ", -seconds) if seconds < 0 else ("", seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            text = f"{seconds / size:.0f}{unit}"
            break
    else:
        text = f"{seconds:.0f}s"
    return f"{sign}{text}" if sign else f"{text} ago"


@feeds_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of feed health.")
@click.pass_obj
def feeds_list(obj: _Context, as_json: bool) -> None:
    """List followed feeds with their health: state, last fetch, last new entry, errors (and
    the last one), next check."""
    from storyline.feeds.sources import health

    with obj.store() as store:
        feeds = store.list_feeds()
    now = datetime.now(UTC)
    if as_json:
        click.echo(json.dumps([health(f, now=now) for f in feeds], indent=2, ensure_ascii=False))
        return
    if not feeds:
        click.echo("no feeds followed (storyline feeds add URL)")
        return
    click.echo(f"{'state':8} {'last fetch':>10} {'new entry':>10} {'errors':>6} {'next':>9}"
               f" {'seen':>5}  feed")
    for feed in feeds:
        info = health(feed, now=now)
        click.echo(f"{info['state']:8} {_ago(feed.last_fetch, now):>10}"
                   f" {_ago(feed.last_new_entry, now):>10} {feed.consecutive_errors:>6}"
                   f" {'due' if info['overdue'] else _ago(feed.next_check, now):>9}"
                   f" {feed.entries_seen:>5}  {feed.url}"
                   + (f"  {feed.title}" if feed.title else ""))
        if feed.last_error and feed.consecutive_errors:
            click.echo(f"{'':8} last error {_ago(feed.last_error_at, now)}: {feed.last_error}")


@feeds_group.command("remove")
@click.argument("urls", nargs=-1, required=True)
@click.pass_obj
def feeds_remove(obj: _Context, urls: tuple[str, ...]) -> None:
    """Stop following feeds (their articles stay in the store)."""
    from storyline.feeds.sources import unfollow

    with obj.store() as store:
        for url in urls:
            try:
                unfollow(store, url)
            except NotFoundError as exc:
                _fail(str(exc), EXIT_USAGE)
            click.echo(f"removed {url}")


@feeds_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def feeds_import(obj: _Context, file: str) -> None:
    """Follow every feed of an OPML file (as feed readers export them)."""
    from storyline.feeds.opml import import_opml
    from storyline.feeds.sources import Schedule

    path = Path(file)
    if path.stat().st_size > obj.settings.max_bytes:
        _fail(f"{file} is over the max_bytes limit ({obj.settings.max_bytes} bytes)", EXIT_USAGE)
    with obj.store(create=True) as store:
        try:
            done = import_opml(store, path.read_bytes(), source=file,
                               schedule=Schedule.from_settings(obj.settings))
        except InputError as exc:
            _fail(str(exc), EXIT_USAGE)
    for url, reason in done.refused:
        click.echo(f"refused: {url or '(no URL)'}: {reason}", err=True)
    click.echo(f"added {len(done.added)}, already followed {len(done.existing)},"
               f" refused {len(done.refused)}")
    sys.exit(EXIT_REJECTED if done.refused else EXIT_OK)


@feeds_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.pass_obj
def feeds_export(obj: _Context, file: str) -> None:
    """Write the followed feeds as an OPML 2.0 file (`-` for standard output)."""
    from storyline.feeds.opml import export_opml

    with obj.store() as store:
        data = export_opml(store)
    if file == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
    else:
        Path(file).write_bytes(data)


@main.command()
@click.option("--once", is_flag=True, help="Poll the feeds due now once, ingest, and exit.")
@click.pass_obj
def watch(obj: _Context, once: bool) -> None:
    """Poll the followed feeds as they come due and ingest their new entries, until Ctrl-C or
    SIGTERM (exit 0). It can run beside `storyline serve`; a restart resumes where it stopped."""
    from storyline.feeds.watch import RoundReport, Watcher

    rounds: list[RoundReport] = []

    def show(report: RoundReport) -> None:
        rounds.append(report)
        click.echo(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} polled {report.polled} feeds"
                   f" ({report.not_modified} unchanged, {report.failed} failed):"
                   f" {report.new_entries} new entries; added {report.added}, duplicates"
                   f" {report.duplicates}, rejected {report.rejected}")
        for url, reason in report.failures:
            click.echo(f"  feed failed: {url}: {reason}", err=True)
        for rejection in report.rejections:
            click.echo(f"  rejected: {rejection}", err=True)

    stopped: list[int] = []
    with obj.store(create=True) as store:
        if not store.list_feeds():
            click.echo("no feeds followed yet (storyline feeds add URL); waiting for some",
                       err=True)
        watcher = Watcher(store, settings=obj.settings)

        def interrupt(signum: int, frame: Any) -> None:
            for sig, handler in previous.items():  # a second signal acts as usual
                signal.signal(sig, handler)
            stopped.append(signum)
            watcher.stop()
            if watcher.ingesting:  # unwind the ingest: the batch in flight rolls back
                raise _Interrupted(signum)

        previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            watcher.run(once=once, on_round=show)
        except _Interrupted:
            pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    if stopped:
        click.echo(f"stopped by {signal.Signals(stopped[0]).name}; the next watch resumes"
                   " where this one stopped")
    elif once and not rounds:
        click.echo("no feed is due now (storyline feeds list shows the next checks)")
    sys.exit(EXIT_OK)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.pass_obj
def serve(obj: _Context, host: str, port: int) -> None:
    """Serve the web UI and the REST API (/api/v1, OpenAPI at /docs) over the store."""
    _require_store(obj.settings.db)
    try:
        from storyline.web.server import run_server
    except ImportError as exc:
        _fail(f"the web extra is not installed ({exc}); pip install 'storyline[web]'", EXIT_USAGE)
    run_server(obj.settings, host=host, port=port)


@main.group("eval")
def evaluate() -> None:
    """Reproducible benchmarks; each prints a table beside its baseline and writes JSON."""


def _eval_options(func: Any) -> Any:
    func = click.option("--out", type=click.Path(dir_okay=False),
                        help="Write the full results as JSON here.")(func)
    func = click.option("--data", type=click.Path(exists=True),
                        help="Benchmark data (default: the copy under ../shared/data).")(func)
    func = click.option("--limit", type=int, help="Use only the first N items (quick runs).")(func)
    return func


def _emit(table: str, results: dict[str, Any], out: str | None) -> None:
    click.echo(table)
    if out:
        Path(out).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
        click.echo(f"results written to {out}")


@evaluate.command("pairs")
@_eval_options
def eval_pairs(data: str | None, out: str | None, limit: int | None) -> None:
    """SemEval-2022 Task 8 pairs: Pearson and ROC AUC of the pair score vs TF-IDF."""
    from storyline.evaluation.runs import run_pairs

    _emit(*run_pairs(data=data, limit=limit), out)


@evaluate.command("stream")
@_eval_options
@click.option("--dataset",
              type=click.Choice(["uci", "demo", "ecbplus", "local", "local2", "local3",
                                 "local4", "local5", "local6", "local7", "local8", "local9",
                                 "all"]),
              default="all", show_default=True,
              help="Which labelled stream (local: demo/local, look-alike local incidents in"
                   " Dayton; local2: demo/local2, the same in Leicester; local3: demo/local3,"
                   " Brisbane, most events reported once; local4: demo/local4, Winnipeg;"
                   " local5: demo/local5, Spokane, recurring templated headlines; local6:"
                   " demo/local6, Memphis, police releases that never name the city; local7:"
                   " demo/local7, Albuquerque, English and Spanish outlets; local8: demo/local8,"
                   " Auckland, long articles, police and fire releases; local9: demo/local9,"
                   " Tulsa, background paragraphs that walk through earlier incidents).")
def eval_stream(data: str | None, out: str | None, limit: int | None, dataset: str) -> None:
    """Online clustering of labelled streams: BCubed, ARI, AMI vs TF-IDF single-pass."""
    from storyline.evaluation.runs import run_stream

    _emit(*run_stream(data=data, limit=limit, dataset=dataset), out)


@evaluate.command("extract")
@_eval_options
def eval_extract(data: str | None, out: str | None, limit: int | None) -> None:
    """Article-extraction benchmark: shingle F1 vs trafilatura's defaults."""
    from storyline.evaluation.runs import run_extract

    _emit(*run_extract(data=data, limit=limit), out)


def run() -> None:
    """Entry point that turns library errors into exit codes: a bad id or configuration is a
    usage error (2); any other failure, a bug included, is 3, never the 1 of rejected inputs."""
    try:
        main(standalone_mode=True)
    except (NotFoundError, ConfigError) as exc:
        _fail(str(exc), EXIT_USAGE)
    except StorylineError as exc:
        _fail(str(exc), EXIT_FAILURE)
    except Exception as exc:  # a bug: say so, with the traceback to report it
        traceback.print_exc()
        _fail(f"unexpected {type(exc).__name__}: {exc} (a bug; please report it with the"
              " traceback above)", EXIT_FAILURE)


if __name__ == "__main__":
    run()
