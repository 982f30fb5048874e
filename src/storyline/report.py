"""Render a story view (timeline.py) as terminal text (``storyline show``) or Markdown
(``storyline report``). Rendering only: every fact comes from ``StoryView``."""

from __future__ import annotations

from collections.abc import Sequence

from storyline.models import ArticleSummary, Development, EntityAppearance, EntityRecord
from storyline.timeline import Event, StoryView, TimelineEntry

__all__ = ["render_entity", "render_markdown", "render_text"]

_NOVELTY = {"new": "NEW", "update": "UPDATE", "repeated": "again", "background": "PRIOR"}


def _what(dev: Development) -> str:
    who = ", ".join(dev.participants[:3])
    where = ", ".join(dev.places[:4])
    text = dev.action if dev.count is None else f"{dev.action} ({dev.count})"
    if who:
        text += f": {who}"
    if where:
        text += f" — {where}"
    return text


def _source(dev: Development) -> str:
    return dev.attribution.label if dev.attribution.kind != "outlet" else "the outlet itself"


def _when(entry: TimelineEntry) -> str:
    span = entry.development.when
    return f"{span.label} ({span.text})" if span else "no date given"


def _verdict(entry: TimelineEntry) -> str:
    """``forecast confirmed (expected for 2024-03-12 by Wire on 2024-03-01)``: the verdict and
    the earlier report it judges."""
    if entry.verdict is None:
        return ""
    state = entry.forecast_of
    if state is None:
        return f"forecast {entry.verdict}"
    when = f" for {state.when.label}" if state.when else ""
    return (f"forecast {entry.verdict} ({state.modality}{when} by {state.outlet or '?'}"
            f" on {state.published})")  # fmt: skip


def _event_line(event: Event) -> str:
    steps = " → ".join(
        f"{s.published} {s.modality}" + (f" {s.when.label}" if s.when else "") for s in event.states
    )
    forecast = f"; forecast {event.forecast}" if event.forecast else ""
    return f"{event.id} {event.label}: {steps}{forecast}"


def _entity_line(entity: EntityRecord) -> str:
    aliases = [a for a in entity.aliases if a != entity.name][:4]
    alias_text = f" (also {', '.join(aliases)})" if aliases else ""
    count = f"{entity.articles} article{'s' if entity.articles != 1 else ''}"
    return f"{entity.name} [{entity.type}]{alias_text} — {count}"


def _copies(view: StoryView) -> dict[str, list[ArticleSummary]]:
    """Original id → its copies in the story, in publication order."""
    out: dict[str, list[ArticleSummary]] = {}
    for a in view.story.articles:
        if a.copy_of is not None:
            out.setdefault(a.copy_of, []).append(a)
    return out


def _copies_line(copies: Sequence[ArticleSummary]) -> str:
    """``3 copies: Outlet A, Outlet B``."""
    outlets = ", ".join(dict.fromkeys(c.outlet or "?" for c in copies))
    return f"{len(copies)} cop{'y' if len(copies) == 1 else 'ies'}: {outlets}"


def _carried(view: StoryView) -> list[tuple[str, str]]:
    """(outlet, what it ran as copies) for the coverage section."""
    by_id = {a.id: a for a in view.story.articles}
    events: dict[str, list[str]] = {}
    for entry in view.timeline:
        events.setdefault(entry.article_id, [])
        if entry.event_id not in events[entry.article_id]:
            events[entry.article_id].append(entry.event_id)
    out = []
    for outlet, originals in view.coverage.carried.items():
        parts = []
        for oid in originals:
            orig = by_id.get(oid)
            label = f"{orig.outlet or '?'} {orig.published:%Y-%m-%d}" if orig else oid
            evs = ", ".join(events.get(oid, []))
            parts.append(f"{label}" + (f" ({evs})" if evs else ""))
        out.append((outlet, "copies of " + "; ".join(parts)))
    return out


def render_text(view: StoryView) -> str:
    """The story as ``storyline show`` prints it: articles (each original with its copies
    counted, "N copies: outlets"), then the timeline of developments (new / update / again),
    events, entities and coverage."""
    story = view.story
    copies = _copies(view)
    lines = [f"{story.summary.title}  [{story.summary.id}]"]
    for a in story.articles:
        if a.copy_of is not None:
            continue
        flag = "*" if a.date_inferred else " "
        lines.append(f"  {a.published:%Y-%m-%d}{flag} {a.outlet or '?':24} {a.title}")
        if a.url:
            lines.append(f"  {'':36}{a.url}")
        if a.id in copies:
            lines.append(f"  {'':36}{_copies_line(copies[a.id])}")
    lines.append("")
    lines.append("Timeline (report date, outlet; what is new in each article):")
    if not view.timeline:
        lines.append("  (no developments found)")
    current = None
    for entry in view.timeline:
        if entry.article_id != current:
            current = entry.article_id
            lines.append(f"  {entry.published}  {entry.outlet or '?'} — {entry.title}")
        dev = entry.development
        verdict = f"  {_verdict(entry)}" if entry.verdict else ""
        lines.append(
            f"    {_NOVELTY.get(entry.novelty, entry.novelty):6} [{entry.event_id}] {_what(dev)}"
        )
        lines.append(
            f"           {dev.modality}; event date {_when(entry)}; source: {_source(dev)}{verdict}"
        )
    if view.events:
        lines.append("")
        lines.append("Events:")
        lines.extend(f"  {_event_line(e)}" for e in view.events)
    if view.entities:
        lines.append("")
        lines.append("Entities:")
        lines.extend(f"  {_entity_line(e)}" for e in view.entities[:12])
    lines.append("")
    lines.append("Coverage:")
    for outlet, events in view.coverage.outlets.items():
        lines.append(f"  {outlet}: {', '.join(events) or '-'}")
    for outlet, carried in _carried(view):
        lines.append(f"  {outlet}: {carried}")
    for note in view.coverage.wording:
        terms = ", ".join(f"“{t}”" for t in note.terms)
        lines.append(f"  only {note.outlet} says {terms}: {note.context}")
    if view.unenriched:
        lines.append("")
        lines.append(f"({len(view.unenriched)} articles were ingested without enrichment.)")
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(view: StoryView) -> str:
    """The story as a Markdown report: summary, timeline table, events, entities, coverage."""
    story = view.story
    s = story.summary
    out = [
        f"# {_md(s.title)}",
        "",
        f"Story `{s.id}`: {s.article_count} articles"
        + (f" and {s.copy_count} cop{'y' if s.copy_count == 1 else 'ies'} of them"
           if s.copy_count else "")
        + f" from {s.first_published:%Y-%m-%d} to "
        f"{s.last_published:%Y-%m-%d}; outlets: {', '.join(s.outlets) or '-'}.",
        "",
        "## Timeline",
        "",
        "| Reported | Outlet | | Development | Modality | Event date | Source | Forecast |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for entry in view.timeline:
        dev = entry.development
        out.append(
            f"| {entry.published} | {_md(entry.outlet or '?')} | {entry.novelty} "
            f"| {_md(_what(dev))} | {dev.modality} | {_md(_when(entry))} "
            f"| {_md(_source(dev))} | {_md(_verdict(entry))} |"
        )
    if not view.timeline:
        out.append("| | | | *no developments found* | | | | |")
    out += ["", "## Events", ""]
    for event in view.events:
        out.append(f"- **{event.id}** {_md(event.label)} — now *{event.state}*"
                   + (f", forecast **{event.forecast}**" if event.forecast else ""))  # fmt: skip
        for st in event.states:
            when = f" for {st.when.label}" if st.when else ""
            out.append(f"  - {st.published} {_md(st.outlet or '?')}: {st.modality}{when}"
                       f" ({_md(st.attribution)})")  # fmt: skip
    out += ["", "## Entities", ""]
    out.extend(f"- {_md(_entity_line(e))}" for e in view.entities)
    out += ["", "## Coverage", "", "| Outlet | Events reported |", "|---|---|"]
    for outlet, events in view.coverage.outlets.items():
        out.append(f"| {_md(outlet)} | {', '.join(events) or '-'} |")
    for outlet, carried in _carried(view):
        out.append(f"| {_md(outlet)} | {_md(carried)} |")
    if view.coverage.wording:
        out += ["", "Evaluative wording used by one outlet only:", ""]
        for note in view.coverage.wording:
            terms = ", ".join(f"“{t}”" for t in note.terms)
            out.append(f"- **{_md(note.outlet)}**: {terms} — {_md(note.context)}")
    out += ["", "## Articles", ""]
    copies = _copies(view)
    for a in story.articles:
        if a.copy_of is not None:
            continue
        link = f"[{_md(a.title)}]({a.url})" if a.url else _md(a.title)
        more = f" — {_md(_copies_line(copies[a.id]))}" if a.id in copies else ""
        out.append(f"- {a.published:%Y-%m-%d} {_md(a.outlet or '?')}: {link}{more}")
    if view.unenriched:
        out += ["", f"*{len(view.unenriched)} articles were ingested without enrichment.*"]
    return "\n".join(out) + "\n"


def render_entity(entities: Sequence[EntityRecord], appearances: Sequence[EntityAppearance]) -> str:
    """``storyline entity NAME``: the entity (with aliases) and its stories in time order."""
    lines = [_entity_line(e) for e in entities]
    lines.append("")
    for app in appearances:
        st = app.story
        lines.append(
            f"{app.first_seen:%Y-%m-%d}..{app.last_seen:%Y-%m-%d}  {st.id}  "
            f"{app.articles}/{st.article_count} articles  {st.title}"
        )
    return "\n".join(lines)
