"""Plain-text dumps of news pages → ``PageFields``.

A "dump" is what copying a news page as text gives: a tag line, the headline, a byline with the
date, image captions with photo credits, an "audio created with AI" notice, the body, then
trailers — a teaser for another article, "Authors: …", "Original url: …". The rules here are
general patterns of news boilerplate, not strings of any one outlet:

- the *header zone* runs from the top to the first body paragraph (a sentence-like line of
  12+ words that is not a caption); in it we look for the title, the byline, the date;
- *datelines* ("Posted 11/27/2005 7:21 AM", "16. Mai 2024", "APR 28"; ``datelines.py``, read
  in the body's detected language) are never the title; the first posted date among them is
  the publication date, before a byline's date, before an update; in the body only a dateline
  of its own or one opening the lede ("LONDON, May 2, 2013 (Reuters) —") counts;
- *boilerplate lines* anywhere (notices, "Related article:", share/subscribe prompts, credits);
- *captions*: lines carrying a photo credit (``(Name/Agency via Getty Images)``,
  ``Name, AGENCY / site.ru``, ``Photo: …``);
- the *trailer*: from the end, author and URL lines, "X contributed reporting", and a teaser
  block — a headline-like line followed by a blurb cut off with an ellipsis;
- leftover inline HTML tags are removed and entities unescaped.
"""

from __future__ import annotations

import html
import re
import warnings
from datetime import UTC, datetime

from dateutil import parser as dateparser

from storyline.enrich.lexicon import word_set
from storyline.extract.boilerplate import CREDIT_TAIL, DUMP_BOILERPLATE, SECTION_CUT
from storyline.extract.datelines import (
    Dateline,
    datelines_published,
    find_dateline,
    read_dateline,
)
from storyline.extract.language import detect_language
from storyline.models import PageFields

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_URL = re.compile(r"https?://[^\s<>\"]+")
_SENTENCE_END = re.compile(r"[.!?…\"”’')\]]\s*$")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}})"
    r"(?:[,\s]+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:UTC|GMT|[A-Z]{2,4}|[+-]\d{2}:?\d{2}))?)?"
)
_DESK_SUFFIX = re.compile(r"(?:\s+news)?\s+(?:desk|staff|newsroom|team|bureau)\b.*$", re.I)
_AUTHORS_LINE = re.compile(
    r"^(?:authors?|written by|reporting by|words|reporter|text|story by|by)\s*[:\s]\s*(.+)$", re.I
)
_PERSON_NAME = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,3}")
_MASTHEAD = re.compile(r"^([A-Z][A-Z'&.]+(?:\s+[A-Z][A-Z'&.]+){0,4})\s*(?:[|•·:]|$)")
_ORG_WORDS = re.compile(
    r"\b(?:desk|staff|newsroom|editors?|editorial|team|agency|agencies|service|bureau|wire|"
    r"correspondents?)\b",
    re.I,
)


def strip_tags(text: str) -> str:
    """Remove leftover inline HTML tags and unescape entities."""
    return html.unescape(_TAG.sub("", text))


def extract_text_dump(content: str) -> PageFields:
    """Extract title, clean body, date, authors, URL and outlet hints from a text dump."""
    lines = [_clean_line(line) for line in strip_tags(content).splitlines()]
    url = _find_url(lines)
    body_start = _body_start(lines)
    header = [line for line in lines[:body_start] if line]
    fields = PageFields(url=url)
    body_lines = _trim_trailer(lines[body_start:])
    paragraphs = [
        line for line in body_lines if line and not _is_boilerplate(line) and not _is_caption(line)
    ]
    fields.text = "\n\n".join(paragraphs)
    # The body's language decides how datelines are read ("16. Mai 2024"); build.py detects
    # the article's language again from title and body, as for every other format.
    language = detect_language(fields.text[:2000])
    datelines = {i: d for i, x in enumerate(header) if (d := read_dateline(x, language=language))}
    # bylines with a date in any language ("Von Anna Schmidt | 16. Mai 2024")
    dated = {
        i: d
        for i, x in enumerate(header)
        if i not in datelines and (d := find_dateline(x, language=language))
    }
    title_at = _find_title(header, datelines, dated)
    fields.title = header[title_at] if title_at is not None else None
    fields.published = _find_published(
        header, lines[body_start : body_start + 3], datelines, dated, title_at, language
    )
    authors, desk = _find_authors(lines, header)
    fields.authors = authors
    fields.outlet = desk or _find_masthead(header)
    return fields


def _clean_line(line: str) -> str:
    return re.sub(r"[ \t\u00a0\u200b]+", " ", line).strip()


def _is_boilerplate(line: str) -> bool:
    return bool(DUMP_BOILERPLATE.match(line))


#: Credits end a line and are short: ``CREDIT_TAIL`` is matched against this many of its last
#: characters only. Searched over a whole line it backtracks quadratically (a 20,000-character
#: line of "a.a.a." took 33 s); over a bounded tail the whole dump is linear.
_CREDIT_TAIL_CHARS = 240


def _is_caption(line: str) -> bool:
    """A line carrying a photo credit, or a short untermianted description of an image."""
    if len(line.split()) > 70:
        return False
    tail = line
    if len(line) > _CREDIT_TAIL_CHARS:  # start the tail at a word, as the line's words start
        cut = len(line) - _CREDIT_TAIL_CHARS
        space = line.find(" ", cut)
        tail = line[space + 1 :] if space >= 0 else line[cut:]
    return bool(CREDIT_TAIL.search(tail)) and not line.endswith(("”", '"'))


def _is_body_paragraph(line: str, *, ended: bool = True) -> bool:
    """A sentence-like line of 12+ words (ending a sentence, unless not ``ended``)."""
    words = line.split()
    return (
        len(words) >= 12
        and (not ended or bool(_SENTENCE_END.search(line)))
        and not _is_caption(line)
        and not _is_boilerplate(line)
        and not _AUTHORS_LINE.match(line)
    )


def _is_meta_line(line: str) -> bool:
    """Bylines, date lines, captions and notices: what a header is made of."""
    if _is_boilerplate(line) or _is_caption(line) or _AUTHORS_LINE.match(line):
        return True
    date = _DATE.search(line)
    if date is None:
        return False
    return len(date.group(0)) >= 0.4 * len(line) or len(line.split()) <= 14


def _is_header_line(line: str) -> bool:
    """Lines that belong above a body: bylines, date lines, captions, audio/image notices —
    not the share prompts and link teasers that also appear between paragraphs."""
    if SECTION_CUT.match(line) or re.match(
        r"(?:share|follow|advertisement|read more|read also|related|see also|also read|more)\b",
        line,
        re.I,
    ):
        return False
    return _is_meta_line(line)


def _body_start(lines: list[str]) -> int:
    """Index of the first body paragraph: after the header's last byline, date or caption
    (so a standfirst above the byline is not taken for the body)."""
    nonempty = [i for i, line in enumerate(lines) if line][:12]
    first_body = next((i for i, line in enumerate(lines) if _is_body_paragraph(line)), None)
    if first_body is None:  # no line ends a sentence: the first long line after the title
        return next(
            (i for i in nonempty[1:] if _is_body_paragraph(lines[i], ended=False)),
            nonempty[0] if len(nonempty) == 1 else min(len(lines), 2),
        )
    following = [i for i in nonempty if i > first_body][:4]
    meta = [i for i in following if _is_header_line(lines[i])]
    if meta:
        after = next(
            (i for i in range(meta[-1] + 1, len(lines)) if _is_body_paragraph(lines[i])), None
        )
        if after is not None:
            return after
    return first_body


def _is_tag_line(line: str) -> bool:
    """Section/tag lists such as 'News Feed, Russia, China, Vladimir Putin'."""
    if re.search(r"\s[>›»/]\s", line) and all(
        0 < len(p.split()) <= 4 for p in re.split(r"\s[>›»/]\s", line)
    ):
        return True
    parts = [p.strip() for p in re.split(r"[,|•·]", line)]
    return len(parts) >= 3 and all(0 < len(p.split()) <= 4 for p in parts)


def _find_title(
    header: list[str], datelines: dict[int, Dateline], dated: dict[int, Dateline]
) -> int | None:
    """Index of the headline in ``header``: the first line that is not a tag line, a masthead,
    a byline, a caption or a dateline ("Posted 11/27/2005 7:21 AM", "APR 28"). A line that
    holds a date is still a headline when it reads as one ("Storm hits on May 2, 2013")."""
    for index, line in enumerate(header):
        if index in datelines:
            continue
        if _is_boilerplate(line) or _is_caption(line) or _is_tag_line(line):
            continue
        if _URL.fullmatch(line) or _MASTHEAD.match(line):
            continue
        if index in dated or (_is_meta_line(line) and not _headline_with_date(line)):
            continue
        words = line.split()
        if 2 <= len(words) <= 30 and not _DATE.match(line):
            return index
    return None


#: Words of bylines and date lines; a line holding a date whose other words are only these
#: and capitalised names ("Jane Doe, Reuters · May 16, 2024") is no headline.
_BYLINE_WORDS = word_set(
    "by and the of at on in for from min read updated posted published last staff writer "
    "reporter correspondent editor news desk team wire service"
)


def _headline_with_date(line: str) -> bool:
    """A short line holding a date that reads as a headline: besides the date, 3+ words, one
    of them a lower-case word that bylines do not use ("Storm hits on May 2, 2013"). A
    headline in title case ("Storm Hits Coast on May 2, 2013") cannot be told from a byline
    this way and is still skipped."""
    if _AUTHORS_LINE.match(line) or _is_boilerplate(line) or _is_caption(line):
        return False
    rest = _DATE.sub(" ", line).split()
    words = [w.strip(".,:;!?'\"()") for w in rest]
    return len(words) >= 3 and any(
        len(w) >= 3 and w.islower() and w not in _BYLINE_WORDS for w in words
    )


#: A dateline that opens the lede: "WASHINGTON, May 16, 2024 (Reuters) — ...".
_LEDE_DATELINE = re.compile(
    rf"^(?:[A-Z][A-Za-z .'’-]{{0,40}},\s*)?(?:{_DATE.pattern})\s*(?:\([^)]{{1,40}}\)\s*)?[-–—:]"
)


def _find_published(
    header: list[str],
    lead: list[str],
    datelines: dict[int, Dateline],
    dated: dict[int, Dateline],
    title_at: int | None,
    language: str | None,
) -> datetime | None:
    """The publication date of a dump, from the first of: a dateline's posted (or unlabelled)
    date; a date in another header line (a byline, "By X | Jan 7, 2025 09:30", "Von X |
    16. Mai 2024"), never the headline's own; a dateline's update; a dateline among the first
    body lines (a line of its own, or opening the lede). Dates elsewhere in the body are what
    the article is about."""
    ordered = [datelines[i] for i in sorted(datelines)]
    posted = next((d.published for d in ordered if d.published), None)
    if posted is not None:
        return _aware(posted)
    for index, line in enumerate(header):
        if index == title_at or index in datelines:
            continue
        found = _find_date([line])
        if found is None and index in dated:
            when = datelines_published([dated[index]])
            found = _aware(when) if when is not None else None
        if found is not None:
            return found
    updated = datelines_published(ordered)
    if updated is not None:
        return _aware(updated)
    lead_datelines = [d for x in lead if x and (d := read_dateline(x, language=language))]
    in_lead = datelines_published(lead_datelines)
    if in_lead is not None:
        return _aware(in_lead)
    return _find_date([x for x in lead if _LEDE_DATELINE.match(x)])


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _find_date(lines: list[str]) -> datetime | None:
    for line in lines:
        match = _DATE.search(line)
        if not match:
            continue
        try:
            with warnings.catch_warnings():  # dateutil warns about zone names like "PST"
                warnings.simplefilter("ignore")
                parsed = dateparser.parse(match.group(0), fuzzy=True)
        except (ValueError, OverflowError):
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed
    return None


def _find_url(lines: list[str]) -> str | None:
    """The article's own URL: after an 'Original url:' marker, else a URL alone on a line at
    the very end or start of the dump."""
    for index, line in enumerate(lines):
        if re.match(r"^(?:original (?:url|link|article)|source url|url|source)\s*:", line, re.I):
            found = _URL.search(line) or next(
                (m for m in (_URL.search(x) for x in lines[index + 1 : index + 4]) if m), None
            )
            if found:
                return found.group(0).rstrip(".,)")
    nonempty = [x for x in lines if x]
    for line in [*reversed(nonempty[-3:]), *nonempty[:3]]:
        if _URL.fullmatch(line):
            return line.rstrip(".,)")
    return None


def _split_names(value: str) -> list[str]:
    value = _DATE.split(value)[0]
    value = re.split(r"\s[|•·—–]\s|\s[|•·]$", value)[0]
    value = re.sub(r"\b\d+\s+min(?:ute)?s?\s+read\b.*$", "", value, flags=re.I)
    parts = re.split(r",\s*|\s+and\s+|\s*&\s*|;\s*", value)
    return [p.strip(" .|") for p in parts if p.strip(" .|")]


def byline_authors(text: str) -> list[str]:
    """The people a clean body names in a byline of its own: a "By Jess Tamihana" paragraph
    among its first three, or a "— Reporting by Mitchell Harte" among its last eight (JSONL
    and feed bodies keep them; a text dump's header is read by ``extract_text_dump``)."""
    paragraphs = [p.strip().lstrip("—–-").strip() for p in text.split("\n") if p.strip()]
    short = [p for p in paragraphs[:3] + paragraphs[-8:] if len(p.split()) <= 10]
    names = _find_authors(short, short[:3])[0] if short else []
    # Only names ("By Tuesday, crews had ..." opens a sentence, not a byline).
    return [n for n in names if _PERSON_NAME.fullmatch(n)]


def _find_authors(lines: list[str], header: list[str]) -> tuple[list[str], str | None]:
    """Authors from 'Authors:' lines and 'by …' bylines; an org entry ('X news desk') → outlet."""
    names: list[str] = []
    for line in [*header, *lines[-8:]]:
        match = _AUTHORS_LINE.match(line)
        if match and len(line.split()) <= 25:
            for name in _split_names(match.group(1)):
                if name not in names:
                    names.append(name)
    people = [n for n in names if not _ORG_WORDS.search(n) and 1 <= len(n.split()) <= 4]
    desk = next((n for n in names if _ORG_WORDS.search(n)), None)
    outlet = None
    if desk:
        lead = re.match(r"(?:The\s+)?(?:[A-Z][\w'’&.-]*\s*)+", _DESK_SUFFIX.sub("", desk).strip())
        outlet = lead.group(0).strip() if lead else None
    return people, outlet or None


def _find_masthead(header: list[str]) -> str | None:
    """An all-capitals outlet name above the title ('BAYLINE DAILY | World')."""
    for line in header[:4]:
        match = _MASTHEAD.match(line)
        if match and len(match.group(1)) >= 4 and not _DATE.search(line):
            return " ".join(w.capitalize() for w in match.group(1).split())
    return None


def _trim_trailer(body: list[str]) -> list[str]:
    """Drop the trailer: author/URL lines, credits, and a teaser block for another article."""
    lines = list(body)
    while lines and not lines[-1]:
        lines.pop()
    # A teaser: a headline-like line, then a blurb cut off with an ellipsis, then perhaps a
    # run-together "OutletAuthor" line. Everything from the headline on goes.
    nonempty = [i for i, line in enumerate(lines) if line]
    for pos, index in enumerate(nonempty):
        line = lines[index]
        if line.endswith(("…", "...")) and pos > 0:
            head = lines[nonempty[pos - 1]]
            if not _SENTENCE_END.search(head) or head.endswith("?"):
                lines = lines[: nonempty[pos - 1]]
                break
    # A link-list or newsletter header near the end cuts the rest, unless real paragraphs
    # (two or more long sentence lines) still follow it.
    for index, line in enumerate(lines):
        if SECTION_CUT.match(line) and len(line.split()) <= 12:
            rest = [x for x in lines[index + 1 :] if len(x.split()) > 40]
            if len(rest) < 2:
                lines = lines[:index]
                break
    kept = []
    for line in lines:
        if _URL.fullmatch(line) or _AUTHORS_LINE.match(line) and len(line.split()) <= 25:
            continue
        kept.append(line)
    return kept
