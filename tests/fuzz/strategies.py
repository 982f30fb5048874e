"""Hypothesis strategies for hostile inputs of every format, and the harness that runs one.

Each strategy draws an ``InputFile`` (a file name and its bytes) that looks like the format it
names (a text dump, an HTML page, JSON Lines, an RSS/Atom feed, a WARC archive, or any of them
gzip-compressed) but carries hostile parts: huge or odd numbers, deep nesting, lone surrogates
and control characters, U+2028, bytes that are not UTF-8, an encoding declared that is not the
one used, dates out of range (year 0, 9999-12-31 at -14:00, offsets beyond ±24 h, 31 Feb), huge
titles, long single lines, IPv6 and ``javascript:`` URLs, truncated WARC records and gzip
streams, empty and whitespace-only files.

``exercise`` runs one file through the model-free stages (read, extract, keywords, store write
and read-back) and checks the contract: every input yields articles or rejections (values,
never an exception), and everything stored reads back. ``tests/fuzz/test_fuzz_inputs.py`` runs
it under Hypothesis in CI; ``benchmarks/fuzz.py`` runs it longer and counts outcomes.
"""

from __future__ import annotations

import gzip
import io
import json
import resource
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

#: CPU seconds one input may take through the model-free stages before it counts as slow. Inputs
#: take ~50 ms on average and the largest (a megabyte of one line) under 1 s alone; the margin
#: is for a machine busy with other tests (an input took 2.1 s there). A super-linear path
#: takes tens of seconds on these inputs, or hangs.
PER_INPUT_LIMIT_S = 5.0
#: Wall seconds after which one input is abandoned as hung (a loaded CI machine is slower).
HANG_LIMIT_S = 20.0
#: Peak resident memory the fuzz run must stay under.
MEMORY_LIMIT_BYTES = 1024**3
#: How a stage's catch-all reports a bug as a rejection: counted as a crash, not a rejection.
INTERNAL_ERROR = "internal error"
#: Publication time given to articles without a date, so that runs are reproducible.
FALLBACK_TIME = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class InputFile:
    """One generated input: the file name (its suffix picks the reader) and its bytes."""

    name: str
    data: bytes

    def __repr__(self) -> str:  # shown by Hypothesis for a failing example
        if len(self.data) <= 4000:
            return f"InputFile(name={self.name!r}, data={self.data!r})"
        # Hypothesis warns (an error in this suite) about huge reprs: show both ends.
        return (f"InputFile(name={self.name!r}, data={self.data[:1500]!r} ... "
                f"{self.data[-500:]!r}, {len(self.data)} bytes)")


# --- hostile atoms ----------------------------------------------------------------------------

WORDS = [
    "the", "council", "voted", "on", "Tuesday", "to", "approve", "harbour", "budget", "after",
    "long", "debate", "officials", "said", "residents", "engineers", "unions", "traders",
    "Minister", "Paris", "Berlin", "Tokyo", "police", "fire", "flood", "storm", "election",
    "court", "ruling", "company", "shares", "fell", "rose", "percent", "agreement", "signed",
    "talks", "ceasefire", "Reuters", "Associated", "Press", "Monday", "January", "2025", "million",
    "people", "were", "evacuated", "hospital",
]

#: Characters that break naive text handling: controls, separators, BOM, bidi overrides,
#: combining marks, non-characters, astral symbols.
ODD_CHARS = [
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1c", "\x1d", "\x1e", "\x1f",
    "\x7f", "\x85", "\xa0", "\u00ad", "\u200b", "\u200d", "\u200e", "\u202e", "\u2028",
    "\u2029", "\u2066", "\u3000", "\ufeff", "\ufffd", "\ufffe", "\uffff", "\u0301", "\u0336",
    "\U0001f600", "\U0010ffff", "\r", "\t", "\n", "ß", "İ", "ﬃ", "Ω", "ǅ", "…", "“", "’",
]
#: Lone surrogates: unencodable in UTF-8, yet reachable through JSON and HTML escapes.
SURROGATES = ["\ud800", "\udfff", "\udc80", "\ud83d"]

HOSTILE_DATES = [
    "0000-01-01", "0000-00-00T00:00:00Z", "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59.999999-23:59", "10000-01-01",
    "-0001-01-01", "2025-02-31", "31 Feb 2025", "2025-02-29", "2024-02-30T10:00:00Z",
    "2025-01-01T00:00:00+25:00", "2025-01-01T00:00:00-99:99", "2025-01-01T24:00:00Z",
    "2025-01-01T23:59:60Z", "2025-13-45", "2025-W01-1", "2025-001", "1e10", "NaN", "Infinity",
    "Mon, 06 Jan 2025 09:30:00 +9999", "Mon, 32 Jan 2025 25:61:61 GMT", "Sat, 31 Feb 0000",
    "yesterday", "tomorrow at 25 o'clock", "", " ", "T", "Z", "+14:00", "9" * 40,
    "2025-01-06T09:30:00+00:00", "2025-01-06", "January 6, 2025", "6 janvier 2025",
    "2025-01-06T09:30:00.123456789123Z", "2025-01-06 09:30 PST", "1970-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z", "2038-01-19T03:14:08Z", "0000-12-31T23:59:59+14:00",
]
HOSTILE_NUMBERS = [
    0, -1, 1, 2**31, 2**63, -(2**63), 2**64 + 1, 10**30, -(10**30), 253402300800,
    253402300800000, -62135596801, 1e308, -1e308, 5e-324, 0.5, -0.0, 1e20, 17e11,
]
HOSTILE_URLS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(document.cookie)", "data:text/html,<p>x</p>",
    "file:///etc/passwd", "http://[::1]/a", "https://[2001:db8::1]:8443/news?id=1",
    "http://[fe80::1%25eth0]/x", "http://[::1", "http://[::ffff:127.0.0.1]:80/", "http://]/",
    "https://exa mple.com/a b", "//evil.example/x", "http://", "https://", "http://a..b/",
    "http://256.256.256.256/", "http://user:pass@host.example:99999/", "http://host:port/",
    "https://例え.テスト/パス?q=ß", "https://xn--/x", "https://example.com/%zz%00%",
    "https://" + "a" * 300 + ".com/", "https://example.com/" + "p/" * 2000, "mailto:",
    "", "   ", "\u2028http://example.com/", "https://example.com/\x00\x1f", "?#", "#",
    "https://www.courier.example/story/1?utm_source=x#top", "https://bbc.co.uk/news/1",
]
ENCODINGS = ["utf-8", "cp1252", "latin-1", "utf-16", "shift_jis", "koi8-r", "gb18030"]
DECLARED = [*ENCODINGS, "utf-7", "x-unknown", "", "utf8;;", "UTF-32", "ebcdic-cp-us"]


def _join(parts: list[str]) -> str:
    return "".join(parts)


odd_char = st.sampled_from(ODD_CHARS)
word = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), odd_char)
#: A short, mostly-English string with odd characters mixed in.
phrase = st.lists(st.one_of(word, st.just(" ")), min_size=0, max_size=12).map(_join)
#: A sentence-rich body long enough (usually) to pass the minimum-words rule.
sentence = st.lists(st.sampled_from(WORDS), min_size=4, max_size=16).map(
    lambda ws: " ".join(ws).capitalize() + "."
)
body = st.lists(
    st.one_of(sentence, sentence, sentence, phrase), min_size=2, max_size=10
).map(" ".join)
unicode_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=("Cs",)), max_size=40
)
#: Big atoms (huge titles, one very long word, a long single line); costly, so drawn rarely.
big_str = st.one_of(
    st.integers(1_000, 60_000).map(lambda n: "Headline " * (n // 9)),
    st.integers(1_000, 100_000).map(lambda n: "x" * n),
    st.integers(5_000, 120_000).map(lambda n: ("word " * (n // 5)).strip()),
)


def rarely(big: st.SearchStrategy[str], small: st.SearchStrategy[str], odds: int = 40) -> Any:
    """``big`` about once in ``odds`` draws, else ``small``."""
    return st.integers(0, odds - 1).flatmap(lambda i: big if i == 0 else small)


small_hostile_str = st.one_of(
    phrase,
    unicode_text,
    st.sampled_from(HOSTILE_DATES),
    st.sampled_from(HOSTILE_URLS),
    st.sampled_from(["", " ", "\n", "\u2028", "\t\r\n", "<b></b>", "<", "&amp;", "&#0;"]),
)
hostile_str = rarely(big_str, small_hostile_str)
title = st.one_of(phrase, phrase, hostile_str)
date_str = st.sampled_from(HOSTILE_DATES)
url = st.one_of(st.sampled_from(HOSTILE_URLS), st.sampled_from(HOSTILE_URLS[-2:]))
long_line = rarely(big_str, st.integers(200, 3_000).map(lambda n: ("word " * (n // 5)).strip()))


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def _bad_bytes(draw: Any, data: bytes) -> bytes:
    """Splice bytes that are not valid UTF-8 (lone continuation bytes, overlong forms,
    encoded surrogates, truncated sequences) into ``data``."""
    junk = draw(
        st.sampled_from(
            [b"\x80", b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82",
             b"\xfe\xff", b"\x00", b"\x1b[31m", b"\xef\xbb\xbf"]
        )
    )
    at = draw(st.integers(0, len(data)))
    return data[:at] + junk + data[at:]


@st.composite
def encoded(draw: Any, text: str) -> bytes:
    """``text`` in some encoding, maybe with a BOM or with bytes that are not UTF-8."""
    data = _encode(text, draw(st.sampled_from(ENCODINGS)))
    if draw(st.integers(0, 4)) == 0:
        data = _bad_bytes(draw, data)
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


empty_bytes = st.sampled_from(
    [b"", b" ", b"\n\n\n", b" \t\r\n ", b"\xef\xbb\xbf", "\u3000\u2028".encode(), b"\x00",
     b"\xff\xfe", b"\xff\xfe\x00\x00", b"\x1f\x8b"]
)


def _name(draw: Any, suffixes: list[str]) -> str:
    return "input" + draw(st.sampled_from(suffixes))


# --- text dumps -------------------------------------------------------------------------------


@st.composite
def text_files(draw: Any) -> InputFile:
    """A page copied as text: title, byline, date, paragraphs, teasers, leftover tags."""
    name = _name(draw, [".txt", ".txt", ".text", ".TXT", "", ".md", ".dat"])
    if draw(st.integers(0, 19)) == 0:
        return InputFile(name, draw(empty_bytes))
    lines = [draw(title)]
    parts = st.one_of(
        body,
        body,
        st.builds(lambda d: f"Published {d}", date_str),
        st.builds(lambda d: d, date_str),
        st.builds(lambda p: f"By {p}", phrase),
        st.builds(lambda u: f"Read more: {u}", url),
        st.builds(lambda b: f"<p class='x'>{b}</p><br/><div", body),
        st.builds(lambda p: f"Photo: {p} / Getty Images", phrase),
        st.builds(lambda p: f"© 2025 {p}. All rights reserved.", phrase),
        long_line,
        hostile_str,
    )
    lines += draw(st.lists(parts, min_size=1, max_size=12))
    sep = draw(st.sampled_from(["\n\n", "\n", "\r\n", "\r", "\u2028", "\n \n\t\n", "\x0c"]))
    return InputFile(name, draw(encoded(sep.join(lines))))


# --- HTML pages -------------------------------------------------------------------------------


def _nest(tag: str, depth: int, inner: str) -> str:
    return f"<{tag}>" * depth + inner + f"</{tag}>" * depth


def _json_ld(draw: Any) -> str:
    obj: Any = {
        "@context": "https://schema.org",
        "@type": draw(st.sampled_from(["NewsArticle", "Article", ["NewsArticle"], 5, None])),
        "headline": draw(st.one_of(title, st.integers(), st.none())),
        "datePublished": draw(st.one_of(date_str, st.sampled_from(HOSTILE_NUMBERS), st.none())),
        "author": draw(
            st.one_of(
                phrase, st.lists(st.fixed_dictionaries({"name": phrase}), max_size=3),
                st.just({"name": {"name": ["x"]}}), st.just(None),
            )
        ),
        "url": draw(url),
    }
    depth = draw(st.sampled_from([0, 0, 10, 500, 3000]))
    text = '{"@graph": [' * depth + json.dumps(obj) + "]}" * depth
    if draw(st.booleans()):
        text = text.replace('"', "'", 3)  # broken JSON
    return text


@st.composite
def html_documents(draw: Any) -> str:
    """An HTML page as text (not yet encoded)."""
    meta = []
    declared = draw(st.sampled_from(DECLARED))
    meta.append(
        draw(
            st.sampled_from(
                [f'<meta charset="{declared}">',
                 f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">',
                 ""]
            )
        )
    )
    meta.append(f"<title>{draw(title)}</title>")
    meta.append(f'<meta property="og:title" content="{draw(title)}">')
    meta.append(f'<meta property="article:published_time" content="{draw(date_str)}">')
    meta.append(f'<meta name="author" content="{draw(phrase)}">')
    meta.append(f'<link rel="canonical" href="{draw(url)}">')
    meta.append(f'<meta property="og:site_name" content="{draw(phrase)}">')
    if draw(st.booleans()):
        meta.append(f'<script type="application/ld+json">{_json_ld(draw)}</script>')
    paras = draw(st.lists(st.one_of(body, body, long_line, hostile_str), min_size=1, max_size=8))
    refs = draw(
        st.lists(
            st.sampled_from(
                ["&#0;", "&#xD800;", "&#x110000;", "&#99999999999;", "&nbsp;", "&bogus;",
                 "&#x2028;", "&amp", "<![CDATA[x]]>", "<!-- -- -->", "<?php x ?>", "</p></p>",
                 "<script>var a='</p>'</script>", "<style>p{}</style>", "<svg><p>x</svg>"]
            ),
            max_size=6,
        )
    )
    inner = "".join(f"<p>{p}</p>" for p in paras) + "".join(refs)
    depth = draw(st.sampled_from([0, 0, 0, 0, 0, 0, 5, 5, 100, 300, 2000]))
    inner = _nest(draw(st.sampled_from(["div", "span", "b", "table", "li"])), depth, inner)
    byline = f'<span class="byline">By {draw(phrase)}</span><time datetime="{draw(date_str)}">'
    doc = (
        f"<!DOCTYPE html><html lang=\"{draw(st.sampled_from(['en', '', 'xx-YY', 'zh']))}\">"
        f"<head>{''.join(meta)}</head><body><article><h1>{draw(title)}</h1>{byline}</time>"
        f"{inner}</article><a href=\"{draw(url)}\">more</a></body></html>"
    )
    if draw(st.integers(0, 5)) == 0:
        doc = doc[: draw(st.integers(0, len(doc)))]  # truncated
    return doc


@st.composite
def html_files(draw: Any) -> InputFile:
    """An HTML page, its declared encoding not always the one used."""
    name = _name(draw, [".html", ".htm", ".xhtml", ".HTML", "", ".txt"])
    if draw(st.integers(0, 19)) == 0:
        return InputFile(name, draw(empty_bytes))
    return InputFile(name, draw(encoded(draw(html_documents()))))


# --- JSON Lines -------------------------------------------------------------------------------

json_scalar = st.one_of(
    st.none(), st.booleans(), st.sampled_from(HOSTILE_NUMBERS), hostile_str,
    st.sampled_from(SURROGATES), st.floats(allow_nan=True, allow_infinity=True),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


def _dumps(obj: Any) -> str:
    # ensure_ascii writes lone surrogates as \udxxx escapes, which json.loads brings back.
    return json.dumps(obj, ensure_ascii=True, allow_nan=True)


@st.composite
def jsonl_line(draw: Any) -> str:
    """One line: usually an article object with hostile values, sometimes not JSON at all."""
    obj: dict[str, Any] = {
        "url": draw(st.one_of(url, url, json_value)),
        "title": draw(st.one_of(title, title, json_value)),
        "text": draw(
            st.one_of(
                body, body, body,
                st.builds(lambda b, s: b + s, body, st.sampled_from(SURROGATES)),
                st.builds(lambda b, c: b.replace(" ", c, 3), body, odd_char),
                long_line, json_value,
            )
        ),
        "published": draw(st.one_of(date_str, date_str, st.sampled_from(HOSTILE_NUMBERS),
                                    json_value)),
        "outlet": draw(st.one_of(phrase, json_value)),
        "authors": draw(st.one_of(st.lists(phrase, max_size=3), json_value,
                                  st.just(["x"] * 5000))),
        "language": draw(st.one_of(st.sampled_from(["en", "EN ", "xx", "", "en-US"]),
                                   json_value)),
        "id": draw(json_value),
    }
    drop = draw(st.sets(st.sampled_from(sorted(obj)), max_size=3))
    obj = {k: v for k, v in obj.items() if k not in drop}
    line = _dumps(obj)
    tweak = draw(st.integers(0, 14))
    if tweak == 0:  # an integer longer than Python's 4,300-digit limit
        line = line[:-1] + ', "big": ' + "9" * draw(st.sampled_from([500, 5000, 50000])) + "}"
    elif tweak == 1:  # deep nesting
        depth = draw(st.sampled_from([100, 2000, 100_000]))
        line = line[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}"
    elif tweak == 2:  # NaN and Infinity literals, duplicate keys
        line = line[:-1] + ', "n": NaN, "m": -Infinity, "text": ' + _dumps(draw(body)) + "}"
    elif tweak == 3:  # raw (unescaped) U+2028 / U+0085 inside a string
        line = line.replace("\\u2028", "\u2028").replace("\\u0085", "\x85")
        line = line[:-1] + ', "note": "a\u2028b\x85c"}'
    elif tweak == 4:  # not an object, or not JSON
        line = draw(st.sampled_from(["[1, 2]", "null", "1e999", '"text"', "{", "{}}", "}{",
                                    "{'a': 1}", '{"text": "a",}', "\x00", "\ufeff{}"]))
    elif tweak == 5:
        line = line[: draw(st.integers(0, len(line)))]  # truncated
    return line


@st.composite
def jsonl_files(draw: Any) -> InputFile:
    """JSON Lines: several hostile lines, in some encoding, maybe with blank lines."""
    name = _name(draw, [".jsonl", ".jsonl", ".ndjson", ".JSONL", ".json", ".txt"])
    if draw(st.integers(0, 19)) == 0:
        return InputFile(name, draw(empty_bytes))
    lines = draw(st.lists(st.one_of(jsonl_line(), st.just("")), min_size=1, max_size=6))
    sep = draw(st.sampled_from(["\n", "\n", "\r\n", "\r", "\n\n"]))
    return InputFile(name, draw(encoded(sep.join(lines))))


# --- RSS / Atom -------------------------------------------------------------------------------


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def feed_documents(draw: Any) -> str:
    """An RSS 2.0, Atom 1.0 or RSS 1.0 (RDF) feed as text."""
    kind = draw(st.sampled_from(["rss", "atom", "rdf"]))
    declared = draw(st.sampled_from(DECLARED))
    prolog = f'<?xml version="1.0" encoding="{declared}"?>' if declared else '<?xml version="1.0"?>'
    if draw(st.integers(0, 9)) == 0:  # entity expansion (kept small: a bounded "laughs")
        prolog += (
            '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        )
    items = []
    for _ in range(draw(st.integers(0, 5))):
        text = draw(st.one_of(body, body, long_line, hostile_str))
        wrap = draw(st.integers(0, 3))
        if wrap == 0:
            content = _xml_escape(f"<p>{text}</p><p>{draw(body)}</p>")
        elif wrap == 1:
            content = f"<![CDATA[<p>{text}</p><script>x</script>]]>"
        elif wrap == 2:
            content = _xml_escape(text) + "&c;&ext;&#xD800;&#0;"
        else:
            content = _xml_escape(text)
        t, link, date = _xml_escape(draw(title)), _xml_escape(draw(url)), draw(date_str)
        author = _xml_escape(draw(phrase))
        if kind == "atom":
            items.append(
                f"<entry><title type='html'>{t}</title><link href=\"{link}\"/>"
                f"<id>{link}</id><published>{date}</published><updated>{date}</updated>"
                f"<author><name>{author}</name></author>"
                f"<content type='html'>{content}</content></entry>"
            )
        else:
            items.append(
                f"<item><title>{t}</title><link>{link}</link><pubDate>{date}</pubDate>"
                f"<dc:date>{date}</dc:date><author>{author}</author>"
                f"<description>{content}</description></item>"
            )
    depth = draw(st.sampled_from([0, 0, 0, 0, 0, 0, 50, 1000]))
    junk = _nest("x", depth, "") if depth else ""
    ftitle = _xml_escape(draw(title))
    lang = draw(st.sampled_from(["en", "", "xx", "en-us\u2028"]))
    if kind == "atom":
        doc = (
            f'{prolog}<feed xmlns="http://www.w3.org/2005/Atom"><title>{ftitle}</title>'
            f"{junk}{''.join(items)}</feed>"
        )
    elif kind == "rss":
        doc = (
            f'{prolog}<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{ftitle}</title><language>{lang}</language>{junk}"
            f"{''.join(items)}</channel></rss>"
        )
    else:
        doc = (
            f'{prolog}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            f'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{ftitle}</title></channel>{junk}{''.join(items)}</rdf:RDF>"
        )
    if draw(st.integers(0, 6)) == 0:
        doc = doc[: draw(st.integers(0, len(doc)))]  # truncated
    return doc


@st.composite
def feed_files(draw: Any) -> InputFile:
    """An RSS/Atom feed, its declared encoding not always the one used."""
    name = _name(draw, [".xml", ".rss", ".atom", ".RSS", "", ".txt"])
    if draw(st.integers(0, 19)) == 0:
        return InputFile(name, draw(empty_bytes))
    return InputFile(name, draw(encoded(draw(feed_documents()))))


# --- WARC -------------------------------------------------------------------------------------


@st.composite
def warc_files(draw: Any) -> InputFile:
    """A WARC archive (plain or gzip) of HTML responses and other records, with hostile
    headers, statuses and payloads; sometimes truncated or with a lying Content-Length."""
    from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParserException
    from warcio.warcwriter import WARCWriter

    compress = draw(st.booleans())
    name = "input" + (".warc.gz" if compress else draw(st.sampled_from([".warc", ".WARC"])))
    if draw(st.integers(0, 19)) == 0:
        return InputFile(name, draw(empty_bytes))
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=compress)
    for index in range(draw(st.integers(0, 4))):
        # The first record is a plausible page, so that most archives reach extraction.
        plain = index == 0 and draw(st.integers(0, 3)) > 0
        rec_type = "response" if plain else draw(st.sampled_from(
            ["response", "response", "response", "request", "metadata", "resource", "revisit"]
        ))
        status = "200 OK" if plain else draw(st.sampled_from(
            ["200 OK", "200 OK", "404 Not Found", "301 Moved", "999 Odd", "200", "abc", ""]
        ))
        ctype = "text/html; charset=utf-8" if plain else draw(st.sampled_from([
            "text/html; charset=utf-8", "text/html", "TEXT/HTML; charset=x-unknown",
            "text/html; charset=cp1252", "application/xhtml+xml", "image/png", "",
            "text/html; charset=\"utf-16\"",
        ]))
        target = draw(url).replace("\r", "").replace("\n", "")
        page = draw(html_documents())
        payload = page.encode() if plain else draw(st.one_of(encoded(page), empty_bytes))
        headers = [("Content-Type", ctype)]
        if draw(st.integers(0, 4)) == 0:
            headers.append(("Content-Length", draw(st.sampled_from(["-1", "99999999999999",
                                                                     "abc", "0"]))))
        try:
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            fixed = {"WARC-Date": "2025-01-06T12:00:00Z",  # warcio would add now and a uuid
                     "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{index:012d}>"}
            record = writer.create_warc_record(
                target, rec_type, payload=io.BytesIO(payload), length=len(payload),
                warc_headers_dict=fixed,
                http_headers=http if rec_type in ("response", "request") else None,
            )
            writer.write_record(record)
        except (ValueError, TypeError, UnicodeError, StatusAndHeadersParserException):
            continue  # warcio refused to write it: not an input we can build
    data = buf.getvalue()
    mangle = draw(st.integers(0, 9))
    if mangle == 0 and data:
        data = data[: draw(st.integers(0, len(data)))]  # truncated record
    elif mangle == 1:  # a hand-made record whose Content-Length lies
        length = draw(st.sampled_from(["99999999999999999999", "-5", "abc", "10", ""]))
        raw = (
            f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {draw(url)}\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {length}"
            "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
        ).encode("utf-8", "replace") + _encode(draw(html_documents()), "utf-8")
        data = gzip.compress(raw) if compress else data + raw
    elif mangle == 2 and data:
        data = _bad_bytes(draw, data)
    return InputFile(name, data)


# --- gzip -------------------------------------------------------------------------------------


@st.composite
def gzip_files(draw: Any) -> InputFile:
    """Any of the other formats, gzip-compressed; sometimes truncated, multi-member, doubly
    compressed, decompressing past the size limit, or not gzip at all."""
    inner = draw(st.one_of(text_files(), html_files(), jsonl_files(), feed_files()))
    data = gzip.compress(inner.data, mtime=0)
    mangle = draw(st.integers(0, 9))
    if mangle == 0:
        data = data[: draw(st.integers(0, len(data)))]
    elif mangle == 1:
        data = data + gzip.compress(b"\n" + inner.data, mtime=0)  # two members
    elif mangle == 2:
        data = gzip.compress(data, mtime=0)  # gzip of gzip
    elif mangle == 3:
        data = data + b"\x00garbage after the stream"
    elif mangle == 4:
        data = inner.data  # not compressed at all
    elif mangle == 5:  # decompresses to more than the 20 MiB limit (a small "bomb")
        data = gzip.compress(b" " * (21 * 1024 * 1024), compresslevel=1, mtime=0)
    elif mangle == 6 and len(data) > 12:
        data = data[:10] + bytes([data[10] ^ 0xFF]) + data[11:]  # corrupt deflate stream
    return InputFile(inner.name + draw(st.sampled_from([".gz", ".gz", ".GZ"])), data)


#: The format strategies by name, in the order the tests and benchmark run them.
FORMATS: dict[str, Callable[[], st.SearchStrategy[InputFile]]] = {
    "text": text_files,
    "html": html_files,
    "jsonl": jsonl_files,
    "feed": feed_files,
    "warc": warc_files,
    "gzip": gzip_files,
}


# --- the harness ------------------------------------------------------------------------------


class InputHung(BaseException):
    """Raised inside the stages when one input ran past ``HANG_LIMIT_S`` wall seconds.

    A ``BaseException``, so that a stage's catch-all ``except Exception`` (which turns a bug
    into an "internal error" rejection) cannot swallow it."""


@contextmanager
def hang_guard(seconds: float = HANG_LIMIT_S) -> Iterator[None]:
    """Raise ``InputHung`` in the main thread after ``seconds`` (SIGALRM, Unix only)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def _alarm(signum: int, frame: Any) -> None:
        raise InputHung(f"one input ran over {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Outcome:
    """What one input produced."""

    articles: int = 0
    rejections: int = 0
    records: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0


class StoreRotation:
    """Fresh SQLite stores in ``root``, a new one every ``every`` inputs, so that a long run
    neither grows one store without bound nor pays for migrations on every input."""

    def __init__(self, root: Path, *, every: int = 200) -> None:
        self.root, self.every, self.used, self.n, self.store = root, every, 0, 0, None

    def get(self) -> Any:
        from storyline.store.sqlite import SQLiteStore

        if self.store is None or self.used >= self.every:
            self.close()
            self.n += 1
            self.store = SQLiteStore(self.root / f"fuzz{self.n}.db", model_name="fuzz")
            self.used = 0
        self.used += 1
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            (self.root / f"fuzz{self.n}.db").unlink(missing_ok=True)
            self.store = None


def exercise(item: InputFile, workdir: Path, stores: StoreRotation) -> Outcome:
    """Run one input through read → extract → keywords → store write and read-back.

    Raises ``AssertionError`` when the contract is broken, and lets any other exception out
    (that is the crash the fuzz suite is looking for). ``workdir`` is an empty folder for the
    input file."""
    from storyline.extract.build import ExtractOptions, extract_records
    from storyline.ingest.readers import read_paths
    from storyline.models import Article, Assignment, RawRecord, Rejection
    from storyline.store.base import StoryFilter, StoryState
    from storyline.stories.features import keywords

    path = workdir / item.name
    path.write_bytes(item.data)
    outcome = Outcome()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    try:
        results = list(read_paths([path]))
        records = []
        for result in results:
            assert isinstance(result, RawRecord | Rejection), f"reader yielded {result!r}"
            assert result.source.startswith(str(path)), f"source {result.source!r}"
            if isinstance(result, RawRecord):
                records.append(result)
            else:
                _check_rejection(result)
                outcome.rejections += 1
        outcome.records = len(records)
        extracted = extract_records(
            records, options=ExtractOptions(fallback_time=FALLBACK_TIME)
        )
        assert len(extracted) == len(records), "extract_records lost or invented records"
        articles: list[Article] = []
        for result in extracted:
            if isinstance(result, Rejection):
                _check_rejection(result)
                outcome.rejections += 1
                continue
            assert isinstance(result, Article), f"extract_records returned {result!r}"
            assert result.id and isinstance(result.title, str) and result.text.strip()
            assert result.published.tzinfo is not None, "naive publication time"
            kws = keywords(result.title, result.text, outlet=result.outlet)
            assert isinstance(kws, list) and all(isinstance(k, str) for k in kws)
            articles.append(replace(result, keywords=kws))
        outcome.articles = len(articles)
        _store_and_read_back(articles, stores, Assignment, StoryState, StoryFilter)
    finally:
        outcome.cpu_s = time.process_time() - cpu0
        outcome.wall_s = time.perf_counter() - wall0
        path.unlink(missing_ok=True)
    return outcome


def _check_rejection(rejection: Any) -> None:
    assert rejection.reason, f"rejection without a reason: {rejection!r}"
    assert not rejection.reason.startswith(INTERNAL_ERROR), f"a bug, caught: {rejection}"


def _store_and_read_back(
    articles: list[Any], stores: StoreRotation, Assignment: Any, StoryState: Any,
    StoryFilter: Any,
) -> None:
    """Write the articles as one story (the pipeline's store boundary) and read them back."""
    if not articles:
        return
    store = stores.get()
    seen = store.existing_ids([a.id for a in articles])
    fresh = []
    for article in articles:  # one input may hold the same article twice; ids are by content
        if article.id not in seen:
            seen.add(article.id)
            fresh.append(article)
    if not fresh:
        return
    story_id = "s" + fresh[0].id
    stamps = sorted(a.published.timestamp() for a in fresh)
    state = StoryState(story_id, fresh[0].title, stamps[0], stamps[-1], len(fresh))
    store.write_batch(
        fresh, [Assignment(a.id, story_id, 1.0, False) for a in fresh], [state]
    )
    for article in fresh:
        back = store.get_article(article.id)
        assert (back.title, back.text, back.raw) == (article.title, article.text, article.raw)
        assert back.published == article.published and back.url == article.url
        assert back.authors == article.authors and back.keywords == article.keywords
    listed = store.list_stories(StoryFilter(article_ids=frozenset(a.id for a in fresh)))
    assert [s.id for s in listed] == [story_id], f"story not listed: {listed!r}"
    assert listed[0].article_count == len(fresh)
    store.list_stories()
    detail = store.get_story(story_id)
    assert {a.id for a in detail.articles} == {a.id for a in fresh}
    store.search_text(fresh[0].title[:200])


def rss_bytes() -> int:
    """This process's resident set now (Linux ``/proc``; 0 where it is not available)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def peak_rss_bytes() -> int:
    """This process's peak resident set (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)
