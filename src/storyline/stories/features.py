"""Keyword features: the proper nouns an article is about (people, places, organisations).

Needs: ``Article.title``, ``text``. Fills: ``Article.keywords``.
A cheap, language-light stand-in for named entities: runs of capitalised words not at the
start of a sentence, split into tokens so that "Vladimir Putin" and "Putin" meet. Title
mentions weigh more than body mentions; the most frequent tokens are kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from storyline.models import Article

#: How many keywords an article keeps.
MAX_KEYWORDS = 24

# A run of capitalised words, joined by whitespace and particles ("Ursula von der Leyen").
# The whitespace is matched once, possessively (``\s++``): written ``\s+(?:of|…)?\s*``, a
# capital followed by a long run of spaces and then no capital backtracked over every way of
# splitting the run in two, quadratic in its length. Same matches otherwise.
_CAP_RUN = re.compile(
    r"(?<![\w’'])([A-ZÀ-ÖØ-Þ][\w’'-]*"
    r"(?:\s++(?:(?:of|de|al|bin|van|von)\s*+)?[A-ZÀ-ÖØ-Þ][\w’'-]*)*)"
)
#: Punctuation that ends a sentence (or opens a quote) when whitespace follows it.
_SENT_END = frozenset('.!?:;"“”')
_STOP = frozenset([
    "a", "an", "the", "in", "on", "at", "by", "for", "from", "to", "of", "and", "or", "but",
    "if", "it", "its", "he", "she", "they", "we", "you", "i", "this", "that", "these",
    "those", "there", "here", "his", "her", "their", "our", "my", "your", "mr", "mrs", "ms",
    "dr", "prof", "sir", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "according", "after", "as", "while", "when",
    "where", "who", "what", "which", "with", "said", "says", "also", "however", "meanwhile",
    "last", "next", "new", "more", "most", "some", "many", "two", "three", "one", "first",
    "second", "today", "yesterday", "tomorrow", "president", "minister", "chief", "prime",
    "ceo", "spokesperson", "spokesman", "spokeswoman", "officials", "official", "read",
    "related", "photo", "image", "copyright", "ap", "afp", "getty", "images", "gmt", "utc",
    "bst", "cet", "est", "edt", "pst",
])


def keywords(title: str, text: str, *, outlet: str | None = None) -> list[str]:
    """The article's most mentioned proper-noun tokens, lower-cased, most frequent first.

    Tokens of ``outlet`` (the publisher's name, from a byline or dateline) are left out: they
    say who wrote the article, not what it is about, and made two articles of one outlet look
    alike."""
    counts: Counter[str] = Counter()
    # A headline in Title Case capitalises every word; then only its words that the body
    # also capitalises are names.
    title_words = re.findall(r"[A-Za-z][\w'’-]*", title)
    title_case = len(title_words) >= 4 and sum(w[0].isupper() for w in title_words) >= (
        0.7 * len(title_words)
    )
    for weight, chunk in ((3, title), (1, text)):
        for match in _CAP_RUN.finditer(chunk):
            tokens = re.findall(r"[\w-]+", match.group(1).lower())
            if not tokens:
                continue
            at_start = _at_sentence_start(chunk, match.start())
            if at_start and len(tokens) == 1 and tokens[0] in _STOP:
                continue
            for token in tokens:
                token = token.removesuffix("’s").removesuffix("'s")
                if len(token) > 1 and token not in _STOP and not token.isdigit():
                    counts[token] += weight
        if weight == 3 and title_case:
            title_counts = counts
            counts = Counter()
    if title_case:
        for token, n in title_counts.items():
            if token in counts:
                counts[token] += n
    if outlet:
        for token in re.findall(r"[\w-]+", outlet.lower()):
            counts.pop(token, None)
    return [t for t, _ in counts.most_common(MAX_KEYWORDS)]


def _at_sentence_start(text: str, pos: int) -> bool:
    """Whether ``pos`` starts a sentence: the start of the text or of a line, or after
    sentence punctuation and whitespace.

    Looks back only over the whitespace before ``pos``, which lies between two capitalised
    runs, so all calls together read the text once (searching the whole prefix each time, as
    this once did, made ``keywords`` quadratic: 87 CPU-s for 400 KB)."""
    if pos == 0 or text[pos - 1] == "\n":
        return True
    i = pos - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return 0 <= i < pos - 1 and text[i] in _SENT_END


def add_keywords(articles: Sequence[Article]) -> list[Article]:
    """Fill ``keywords`` for each article."""
    for article in articles:
        article.keywords = keywords(article.title, article.text, outlet=article.outlet)
    return list(articles)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def overlap(a: Iterable[str], b: Iterable[str]) -> float:
    """Overlap coefficient of two keyword sets: shared / size of the smaller (0 when empty)."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))
