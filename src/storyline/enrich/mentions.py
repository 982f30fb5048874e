"""Mentions: what spaCy's NER found, cleaned and typed, before any identity.

Needs: a parsed text (``Doc``), its language and outlet. Fills: ``Mention`` values, the input
of ``entities``' identity rules. Names are cleaned (titles, roles, possessives, "the") and
typed from context where the small English model errs (issue 12): a storm and a time zone are
no entity, an outlet is an organisation, a one-word "person" in a place context is a place,
and text in other languages gets French NER or its mentions trimmed of that language's words,
its places named in English (``foreign_names``, ``gazetteer``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.enrich.foreign_names import foreign_entities, trim_name, word_forms
from storyline.enrich.gazetteer import Place, lookup_place

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["DEMONYMS", "Mention", "clean_name", "entity_id", "find_mentions", "name_key"]


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string (lexicons read better that way)."""
    return frozenset(text.split())


#: spaCy labels → the entity types kept.
_LABEL_TYPES = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place"}


@dataclass(frozen=True, slots=True)
class Mention:
    """One NER mention, cleaned: ``name`` is what identity is decided on."""

    text: str
    name: str
    type: str
    start_char: int
    end_char: int
    #: The surface form kept as an alias ("Russian" for a demonym mention of Russia).
    alias: str


# --------------------------------------------------------------------------- names

_TITLE_WORDS = _words(
    """
    president vice prime minister deputy foreign defence defense finance interior home
    secretary state general chancellor senator sen representative rep governor gov mayor
    king queen prince princess crown pope sheikh gen colonel col lt lieutenant admiral dr mr
    mrs ms miss sir dame lord lady judge justice chief premier chairman chairwoman chair ceo
    cfo spokesperson spokesman spokeswoman ambassador commissioner director leader speaker
    archbishop bishop rabbi imam coach manager captain capt professor prof officer sergeant
    sgt detective inspector attorney prosecutor emperor ayatollah supreme field marshal
    former late acting interim opposition executive undersecretary regional transport
    striker midfielder defender goalkeeper forward founder partner analyst economist
    seismologist lawyer president-elect minister-designate
    """
)
# Lower-case words that may sit inside a person's name ("Ludwig van Beethoven").
_NAME_PARTICLES = _words("van von der den de da di du del della la le bin bint al el ibn")
# Single-word "names" the small model tags as entities but which name nobody.
_STOP_NAMES = _words(
    """
    today tonight yesterday tomorrow monday tuesday wednesday thursday friday saturday
    sunday covid twitter x reuters' ap' he she it they we i you
    """
)

#: Nationality and demonym adjectives → country, for ``NORP`` mentions.
DEMONYMS = {
    "american": "United States", "australian": "Australia", "austrian": "Austria",
    "belgian": "Belgium", "brazilian": "Brazil", "british": "United Kingdom",
    "canadian": "Canada", "chilean": "Chile", "chinese": "China", "colombian": "Colombia",
    "czech": "Czech Republic", "danish": "Denmark", "dutch": "Netherlands",
    "egyptian": "Egypt", "english": "England", "ethiopian": "Ethiopia", "finnish": "Finland",
    "french": "France", "german": "Germany", "greek": "Greece", "hungarian": "Hungary",
    "indian": "India", "indonesian": "Indonesia", "iranian": "Iran", "iraqi": "Iraq",
    "irish": "Ireland", "israeli": "Israel", "italian": "Italy", "japanese": "Japan",
    "kenyan": "Kenya", "korean": "South Korea", "south korean": "South Korea",
    "north korean": "North Korea", "mexican": "Mexico", "nigerian": "Nigeria",
    "norwegian": "Norway", "pakistani": "Pakistan", "palestinian": "Palestine",
    "peruvian": "Peru", "polish": "Poland", "portuguese": "Portugal", "russian": "Russia",
    "saudi": "Saudi Arabia", "scottish": "Scotland", "spanish": "Spain", "swedish": "Sweden",
    "swiss": "Switzerland", "syrian": "Syria", "taiwanese": "Taiwan", "tanzanian": "Tanzania",
    "turkish": "Turkey", "ukrainian": "Ukraine", "venezuelan": "Venezuela",
    "vietnamese": "Vietnam", "welsh": "Wales",
}  # fmt: skip

_POSSESSIVE_RE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE_RE = re.compile(r"^(?:the|The|THE)\s+")
_SPACE_RE = re.compile(r"\s+")
_EDGE_PUNCT = "\"'“”‘’()[]{}<>,.;:!?-–—*_"


def name_key(name: str) -> str:
    """The comparison key of a name: case, accents and punctuation ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def entity_id(type_: str, key: str) -> str:
    """A stable id for a new entity, derived from its type and first canonical key."""
    return "e" + hashlib.sha1(f"{type_}:{key}".encode()).hexdigest()[:15]


def clean_name(text: str, type_: str) -> str:
    """A mention's name without "the", possessive ending and (for people) titles and roles."""
    name = _SPACE_RE.sub(" ", text).strip().strip(_EDGE_PUNCT.replace("'", "").replace("’", ""))
    name = _POSSESSIVE_RE.sub("", name).strip(_EDGE_PUNCT)
    name = _LEADING_THE_RE.sub("", name)
    if type_ != "person":
        return name.strip(_EDGE_PUNCT)
    tokens = name.split()
    # A lower-case role word means what precedes it is a description ("Kremlin spokesperson").
    for index in range(len(tokens) - 2, -1, -1):
        word = tokens[index]
        if word.islower() and word not in _NAME_PARTICLES:
            tokens = tokens[index + 1 :]
            break
    while len(tokens) > 1 and (
        tokens[0].lower().strip(".") in _TITLE_WORDS
        or (tokens[0].lower() in DEMONYMS and tokens[1].lower().strip(".") in _TITLE_WORDS)
    ):
        tokens = tokens[1:]
    return " ".join(tokens).strip(_EDGE_PUNCT)


def _usable(name: str) -> bool:
    key = name_key(name)
    if len(key) < 2 or key in _STOP_NAMES or not any(c.isupper() for c in name):
        return False
    return not key.replace(" ", "").isdigit()


#: Lower-case nouns that, right before a name the model calls a person, show it is a
#: company or body ("copper miner Andes Norte", "the carmaker Tesla").
_ORG_ROLES = _words(
    """
    company firm group miner carmaker maker manufacturer lender bank insurer retailer chain
    airline carrier operator startup start-up fintech club side team broker brokerage fund
    investor conglomerate supplier producer processor developer publisher broadcaster
    network agency party union charity
    """
)
#: Last words of organisation names the small model sometimes tags as people.
_ORG_SUFFIXES = _words(
    """
    inc ltd plc llc corp corporation company co group holdings capital partners bank foods
    dairy home pay motors airlines airways energy systems technologies labs media rovers
    united fc
    """
)


#: Words that start the name of a storm (an event, not a person: "Storm Ingrid").
_STORM_WORDS = _words("storm hurricane typhoon cyclone tropical tempest")
#: Time zones the small model tags as organisations ("1600 GMT").
_TIME_ZONES = _words(
    """
    gmt utc bst cet cest eet eest est edt cst cdt mst mdt pst pdt akst akdt hst ist jst kst
    aest aedt acst awst nzst nzdt msk sast
    """
)
#: Last words of news outlets' names, which the small model tags as people ("Meridian Wire").
_MEDIA_SUFFIXES = _words(
    """
    wire news times post press herald tribune journal gazette telegraph chronicle courier
    radio tv television broadcasting reporter dispatch bulletin
    """
)
#: Words that, right before a one-word "person", show it is a place ("in Keswick").
_LOCATIVES = _words("in near outside around across towards toward through")
#: ", of " before a name: the British way of giving where someone lives.
_ADDRESS_OF = re.compile(r",\s+of\s+$")
#: Lower-case words after a one-word "organisation" that show it is a place ("Cumbria police").
_PLACE_BODIES = _words("police constabulary residents council councillors voters")
#: The same, when the gazetteer also knows the name as a town ("from Workington").
_LOCATIVES_WEAK = _LOCATIVES | _words("from to at into via")


def find_mentions(
    doc: Doc, *, start_char: int = 0, language: str | None = None, outlet: str | None = None
) -> list[Mention]:
    """The person, organisation and place mentions of ``doc`` (from ``start_char`` on).

    ``language`` is the article's (ISO 639-1; English when unknown): French text takes its
    entities from the French model, and text in any language other than English has its
    mentions trimmed of that language's common words (``foreign_names``) and its place names
    made English ("Peking" → "Beijing", ``gazetteer``). ``outlet`` (the article's) is an
    organisation whatever the model calls it.
    """
    lang = (language or "en").split("-")[0].strip().lower() or "en"
    text_of_doc = doc.text  # spaCy joins the tokens again at every ``doc.text``
    spans = _entity_spans(doc, lang)
    outlet_key = name_key(_LEADING_THE_RE.sub("", outlet)) if outlet else ""
    storms = {
        words[1].casefold() for text, *_ in spans
        if len(words := text.split()) > 1 and words[0].lower() in _STORM_WORDS
    }  # fmt: skip
    mentions: list[Mention] = []
    for text, label, start, end, before, after in spans:
        if start < start_char:
            continue
        if label == "NORP":
            country = DEMONYMS.get(name_key(text))
            if country:
                mentions.append(Mention(text, country, "place", start, end, text))
            continue
        type_ = _LABEL_TYPES.get(label)
        if type_ is None:
            continue
        words = text.split()
        if not words:
            continue
        if words[0].lower() in _STORM_WORDS or words[-1].strip("'’s").casefold() in storms:
            continue  # a storm is an event, not a person, organisation or place
        if name_key(text) in _TIME_ZONES:
            continue
        if type_ == "org" and len(words) == 1 and after in _PLACE_BODIES:
            type_ = "place"  # "Cumbria police": the police of a place
        if before == "of" and _ADDRESS_OF.search(text_of_doc, max(0, start - 8), start):
            before = "in"  # "Jake Pritchard, of Hamilton,": where someone lives
        found = _typed_name(text, type_, before, lang, outlet_key)
        if found is None:
            continue
        name, type_, alias = found
        previous = mentions[-1] if mentions else None
        if (type_ == "person" and len(words) == 1 and previous is not None
                and previous.type == "place"
                and text_of_doc[previous.end_char:start].strip() in {"and", "or", ","}):
            type_ = "place"  # "to Maryport and Whitehaven": a list of places goes on
            name = alias = clean_name(text, type_)
        if _usable(name):
            mentions.append(Mention(text, name, type_, start, end, alias))
    return mentions


def _entity_spans(doc: Doc, language: str) -> list[tuple[str, str, int, int, str, str]]:
    """(text, spaCy label, start, end, the word before, the word after) of each entity of
    ``doc``: from the model of ``language`` where one ships (``foreign_names.FOREIGN_MODELS``),
    else from the English pipeline's ``doc``."""
    if language != "en":
        foreign = foreign_entities(doc.text, language)
        if foreign is not None:
            return foreign
    return [
        (ent.text, ent.label_, ent.start_char, ent.end_char,
         doc[ent.start - 1].lower_ if ent.start > 0 else "",
         doc[ent.end].lower_ if ent.end < len(doc) else "")
        for ent in doc.ents
    ]  # fmt: skip


def _typed_name(
    text: str, type_: str, before: str, language: str, outlet_key: str
) -> tuple[str, str, str] | None:
    """(name, type, alias) of one entity mention, or ``None`` when it names nothing."""
    if language != "en":
        if type_ == "person" and _FOREIGN_ARTICLES & {before, text.split()[0].lower()}:
            type_ = "org"  # "el Kremlin", "der Kreml": people take no article in the news
        text = trim_name(text, language, keep=_well_known_place)
        if not text:
            return None
        for form in word_forms(text, language):
            place = _well_known_place_of(form)
            if place is not None:  # "Moskau", "Pekín", "Chinas", whatever the model said
                return place.name, "place", clean_name(form, "place")
    words = text.split()
    last = _POSSESSIVE_RE.sub("", words[-1].lower()).strip("'’.,")
    if type_ == "person" and (
        before in _ORG_ROLES or (len(words) > 1 and last in _ORG_SUFFIXES | _MEDIA_SUFFIXES)
    ):
        type_ = "org"
    if outlet_key and name_key(clean_name(text, "org")) == outlet_key:
        type_ = "org"
    if (type_ == "person" and len(words) == 1 and _POSSESSIVE_RE.search(text) is None
            and (before in _LOCATIVES
                 or (before in _LOCATIVES_WEAK and lookup_place(text) is not None))):
        type_ = "place"  # "in Keswick", "from Workington": a town, not a person
    name = clean_name(text, type_)
    return name, type_, name


def _well_known_place_of(name: str) -> Place | None:
    """The gazetteer's place for ``name`` when it is a country or a city of 100,000 people or
    more (a smaller town's name is too often also a word: Spanish "Se" is a town)."""
    place = lookup_place(name)
    if place is None or (place.kind != "country" and place.population < _WELL_KNOWN):
        return None
    return place


def _well_known_place(word: str) -> bool:
    return _well_known_place_of(word) is not None


#: Articles of the languages read, which never stand before a person's name in the news.
_FOREIGN_ARTICLES = _words("el la los las lo der die das dem den des le les un una ein eine")
#: People a city needs for its name to count as a place in any text (see above).
_WELL_KNOWN = 100_000
