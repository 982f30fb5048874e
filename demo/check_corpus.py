#!/usr/bin/env python3
"""Validate the Storyline demo corpus against its gold manifest.

Standard library only. Run from anywhere:

    python3 demo/check_corpus.py

Exits 0 when the corpus and ``gold.json`` agree, 1 (listing every problem) otherwise.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
GOLD = HERE / "gold.json"

FORMATS = ("text", "html", "jsonl")
MODALITIES = {
    "rumoured",
    "expected",
    "planned",
    "announced",
    "happened",
    "denied",
    "cancelled",
    "postponed",
}
ATTRIBUTION_KINDS = {"person", "institution", "agency", "anonymous", "outlet"}
JSONL_KEYS = {"url", "title", "text", "published", "outlet", "authors", "language"}
ARTICLE_KEYS = {
    "source",
    "title",
    "url",
    "published",
    "outlet",
    "story",
    "authors",
    "developments",
    "dates",
}
DEVELOPMENT_KEYS = {"event", "action", "participants", "place", "when", "modality", "attribution"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

TAG_RE = re.compile(r"<[^>]+>")
SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
WS_RE = re.compile(r"\s+")

errors: list[str] = []


def err(msg: str) -> None:
    errors.append(msg)


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def visible(raw: str) -> str:
    """Tag-stripped, entity-decoded, whitespace-collapsed text (for substring checks)."""
    return WS_RE.sub(" ", html.unescape(TAG_RE.sub(" ", SCRIPT_RE.sub(" ", raw)))).strip()


def parse_day(value: object, where: str) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        err(f"{where}: {value!r} is not a YYYY-MM-DD date")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err(f"{where}: {value!r} is not a valid date")
        return None


def check_span(span: object, where: str, body: str | None) -> None:
    if not isinstance(span, dict) or set(span) != {"text", "start", "end"}:
        err(f"{where}: a date must be an object with exactly text, start, end: {span!r}")
        return
    text = span["text"]
    if not isinstance(text, str) or not text.strip():
        err(f"{where}: empty date text")
        return
    start = parse_day(span["start"], f"{where} start")
    end = parse_day(span["end"], f"{where} end")
    if start and end and start > end:
        err(f"{where}: start {start} after end {end}")
    if body is not None and WS_RE.sub(" ", text) not in body:
        err(f"{where}: date text {text!r} not found in the article")
    if start and end:
        named_days = [i for i, d in enumerate(WEEKDAYS) if d in text]
        is_range = bool(re.search(r" to | and |–|-| through ", text))
        if len(named_days) == 1 and not is_range:
            if start != end:
                err(f"{where}: {text!r} names one day but resolves to {start}..{end}")
            elif start.weekday() != named_days[0]:
                err(f"{where}: {text!r} resolved to {start}, a {WEEKDAYS[start.weekday()]}")
        named_months = [i + 1 for i, m in enumerate(MONTHS) if m in text]
        if len(named_months) == 1 and not (
            start.month == named_months[0] or end.month == named_months[0]
        ):
            err(
                f"{where}: {text!r} resolved to {start}..{end}, "
                f"outside {MONTHS[named_months[0] - 1]}"
            )


def published_forms(day: date) -> list[str]:
    month, abbr = MONTHS[day.month - 1], MONTHS[day.month - 1][:3]
    return [
        f"{month} {day.day}, {day.year}",
        f"{abbr} {day.day}, {day.year}",
        f"{day.day} {month} {day.year}",
        f"{day.day} {abbr} {day.year}",
        day.isoformat(),
    ]


def main() -> int:
    if not GOLD.is_file():
        print(f"missing {GOLD}")
        return 1
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    stories = gold.get("stories")
    articles = gold.get("articles")
    if not isinstance(stories, dict) or not isinstance(articles, list):
        print("gold.json must have a 'stories' object and an 'articles' list")
        return 1

    # ---- stories
    if not 6 <= len(stories) <= 10:
        err(f"expected 6-10 stories, found {len(stories)}")
    for sid, story in stories.items():
        if not isinstance(story, dict) or not story.get("title") or not story.get("summary"):
            err(f"story {sid!r} needs a title and a summary")

    # ---- corpus inventory
    files = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file())
    jsonl_lines: dict[str, list[str]] = {}
    for rel in files:
        if ".jsonl" in rel:
            text = decode(read_bytes(CORPUS / rel))
            jsonl_lines[rel] = [ln for ln in text.split("\n")]
            if jsonl_lines[rel] and jsonl_lines[rel][-1] == "":
                jsonl_lines[rel].pop()
    expected_sources = {rel for rel in files if ".jsonl" not in rel}
    for rel, lines in jsonl_lines.items():
        expected_sources |= {f"{rel}:{i}" for i in range(1, len(lines) + 1)}

    # ---- articles
    seen_sources: Counter[str] = Counter()
    titles: Counter[str] = Counter()
    urls: Counter[str] = Counter()
    formats: Counter[str] = Counter()
    outlets: set[str] = set()
    per_story: Counter[str] = Counter()
    url_less_text = 0
    bodies: dict[str, str] = {}  # source -> visible text, for the copy_of checks
    originals: dict[str, list[str]] = {}  # JSONL source -> its body paragraphs

    for n, art in enumerate(articles, 1):
        where = f"article #{n} ({art.get('source', '?')})"
        missing = ARTICLE_KEYS - set(art)
        if missing:
            err(f"{where}: missing keys {sorted(missing)}")
            continue
        source, title, url = art["source"], art["title"], art["url"]
        seen_sources[source] += 1
        if "copy_of" not in art:  # a copy may keep its original's headline (see below)
            titles[title.casefold()] += 1
        if url is not None:
            urls[url] += 1
        outlets.add(art["outlet"])
        if art["story"] not in stories:
            err(f"{where}: unknown story {art['story']!r}")
        per_story[art["story"]] += 1
        pub = parse_day(art["published"], f"{where} published")
        if not isinstance(art["authors"], list):
            err(f"{where}: authors must be a list")

        fmt = source.split("/", 1)[0]
        if fmt not in FORMATS:
            err(f"{where}: source must start with text/, html/ or jsonl/")
            continue
        if art.get("format", fmt) != fmt:
            err(f"{where}: format {art.get('format')!r} does not match the source folder")
        formats[fmt] += 1

        body: str | None = None
        if fmt == "jsonl":
            m = re.fullmatch(r"(jsonl/[^:]+):(\d+)", source)
            if not m:
                err(f"{where}: a JSONL source must be 'jsonl/FILE:LINE'")
                continue
            rel, line_no = m.group(1), int(m.group(2))
            if rel not in jsonl_lines:
                err(f"{where}: {rel} does not exist")
                continue
            if not 1 <= line_no <= len(jsonl_lines[rel]):
                err(f"{where}: {rel} has no line {line_no}")
                continue
            try:
                rec = json.loads(jsonl_lines[rel][line_no - 1])
            except json.JSONDecodeError as exc:
                err(f"{where}: invalid JSON ({exc})")
                continue
            if set(rec) != JSONL_KEYS:
                err(f"{where}: JSONL keys {sorted(rec)} != {sorted(JSONL_KEYS)}")
            for key in ("title", "url", "outlet", "authors"):
                if rec.get(key) != art[key]:
                    err(f"{where}: JSONL {key} {rec.get(key)!r} != gold {art[key]!r}")
            if pub and not str(rec.get("published", "")).startswith(pub.isoformat()):
                err(f"{where}: JSONL published {rec.get('published')!r} != gold {pub}")
            if not re.search(
                r"T\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)$", str(rec.get("published", ""))
            ):
                err(f"{where}: JSONL published must be ISO 8601 with a timezone offset")
            if rec.get("language") != "en":
                err(f"{where}: JSONL language must be 'en'")
            body = visible(str(rec.get("text", "")))
            originals[source] = [
                WS_RE.sub(" ", p).strip() for p in str(rec.get("text", "")).split("\n\n")
            ]
        else:
            path = CORPUS / source
            if not path.is_file():
                err(f"{where}: {source} does not exist")
                continue
            raw = decode(read_bytes(path))
            body = visible(raw)
            if WS_RE.sub(" ", html.unescape(title)) not in body:
                err(f"{where}: title not found in the file")
            if fmt == "html":
                og = re.search(r'<meta property="og:title" content="([^"]*)"', raw)
                if not og or html.unescape(og.group(1)) != title:
                    err(f"{where}: og:title does not match the gold title")
                pt = re.search(r'<meta property="article:published_time" content="([^"]*)"', raw)
                if not pt or (pub and not pt.group(1).startswith(pub.isoformat())):
                    err(f"{where}: article:published_time does not match {pub}")
                canon = re.search(r'<link rel="canonical" href="([^"]*)"', raw)
                if not canon or html.unescape(canon.group(1)) != url:
                    err(f"{where}: canonical link does not match the gold url")
                for needle in (
                    "<title>",
                    'property="og:site_name"',
                    'name="author"',
                    "<nav",
                    "<article",
                    "<h1",
                    "©",
                ):
                    if needle not in raw:
                        err(f"{where}: page lacks {needle}")
            else:
                if url is None:
                    url_less_text += 1
                    if re.search(r"https?://", raw):
                        err(f"{where}: gold url is null but the dump contains a URL")
                elif url not in raw:
                    err(f"{where}: url not found in the dump")
                if pub and not any(form in raw for form in published_forms(pub)):
                    err(f"{where}: publication date {pub} not visible in the dump")

        if body is not None:
            bodies[source] = body

        devs = art["developments"]
        if not isinstance(devs, list) or not 1 <= len(devs) <= 3:
            err(f"{where}: expected 1-3 developments")
            devs = devs if isinstance(devs, list) else []
        for i, dev in enumerate(devs, 1):
            dw = f"{where} development {i}"
            if not isinstance(dev, dict) or set(dev) != DEVELOPMENT_KEYS:
                err(f"{dw}: keys must be {sorted(DEVELOPMENT_KEYS)}")
                continue
            if dev["modality"] not in MODALITIES:
                err(f"{dw}: bad modality {dev['modality']!r}")
            att = dev["attribution"]
            if (
                not isinstance(att, dict)
                or att.get("kind") not in ATTRIBUTION_KINDS
                or not att.get("name")
            ):
                err(f"{dw}: bad attribution {att!r}")
            if not isinstance(dev["participants"], list) or not isinstance(dev["place"], list):
                err(f"{dw}: participants and place must be lists")
            if not dev["event"] or not dev["action"]:
                err(f"{dw}: event and action are required")
            if dev["when"] is not None:
                check_span(dev["when"], f"{dw} when", None)

        spans = art["dates"]
        if not isinstance(spans, list):
            err(f"{where}: dates must be a list")
            spans = []
        keyed = Counter(json.dumps(s, sort_keys=True) for s in spans)
        for dup, count in keyed.items():
            if count > 1:
                err(f"{where}: duplicate date entry {dup}")
        for i, span in enumerate(spans, 1):
            check_span(span, f"{where} date {i}", body)

    # ---- copies: copy_of names the original's source, in the same story, published no later
    by_source = {a.get("source"): a for a in articles}
    for art in articles:
        if "copy_of" not in art:
            continue
        where = f"copy {art.get('source')}"
        orig = by_source.get(art["copy_of"])
        if orig is None or orig is art:
            err(f"{where}: copy_of {art['copy_of']!r} is not another article in gold.json")
            continue
        if "copy_of" in orig:
            err(f"{where}: copy_of must name the original, not another copy")
        if str(art.get("title")).casefold() != str(orig.get("title")).casefold():
            titles[str(art.get("title")).casefold()] += 1  # a new headline must be unique
        if orig.get("story") != art.get("story"):
            err(f"{where}: story {art.get('story')!r} != its original's {orig.get('story')!r}")
        if str(orig.get("published")) > str(art.get("published")):
            err(f"{where}: published {art.get('published')} before its original")
        if orig.get("url") is not None and orig.get("url") == art.get("url"):
            err(f"{where}: a copy needs its own URL")
        paragraphs = [p for p in originals.get(art["copy_of"], []) if len(p) >= 60]
        body = bodies.get(art["source"])
        if paragraphs and body is not None:
            kept = sum(p in body for p in paragraphs)
            if kept < len(paragraphs) - 1:
                err(f"{where}: only {kept} of the original's {len(paragraphs)} paragraphs kept")

    # ---- corpus-wide
    for source, count in seen_sources.items():
        if count > 1:
            err(f"source listed {count} times: {source}")
    for source in sorted(expected_sources - set(seen_sources)):
        err(f"not listed in gold.json: {source}")
    for t, count in titles.items():
        if count > 1:
            err(f"title used {count} times: {t!r}")
    for u, count in urls.items():
        if count > 1:
            err(f"url used {count} times: {u}")
    if len(outlets) < 4:
        err(f"expected at least 4 outlets, found {len(outlets)}")
    for fmt in FORMATS:
        if not formats[fmt]:
            err(f"no {fmt} articles")
    for sid in stories:
        if not per_story[sid]:
            err(f"story {sid!r} has no articles")
    if url_less_text < 2:
        err(f"expected at least 2 text dumps without a URL, found {url_less_text}")

    print(f"{len(articles)} articles, {len(stories)} stories, {len(outlets)} outlets")
    print("formats: " + ", ".join(f"{fmt}={formats[fmt]}" for fmt in FORMATS))
    for sid in stories:
        print(f"  {sid}: {per_story[sid]}")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  - " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
