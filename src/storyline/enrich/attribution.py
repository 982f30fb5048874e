"""Attribution: who is the source of each statement an article reports.

Needs: the article's spaCy ``Doc`` (tags, lemmas, sentences) and its entity mentions with
canonical names (entities.py). Fills: one ``Attribution`` per sentence that carries a reporting
cue, and a resolver that gives any sentence its source (``SourceMap.for_sentence``).

Sources are one of five kinds (``ATTRIBUTION_KINDS``):

* ``person`` — a named person ("Kremlin spokesperson Dmitry Peskov said");
* ``institution`` — a named or described body ("the Kremlin announced", "the regulator said",
  "authorities said"), including unnamed spokespeople speaking for it;
* ``agency`` — a news agency or other outlet relayed by this one ("Reuters reported");
* ``anonymous`` — unnamed sources ("citing five sources familiar with the matter", "officials
  who asked not to be named", "sources said");
* ``outlet`` — nobody else: the outlet states it itself (the default).

Patterns only, no dependency parse (fast): a reporting cue (a verb such as said, told,
announced, reported, confirmed, denied; "according to"; "citing"; "in a statement") and the
noun phrase next to it — before it ("X said"), after it (", said X"), or after the
preposition ("according to X"). The phrase's head decides the kind: an entity (person,
organisation, place used for its government), an anonymous-source head ("sources", "people
familiar with"), an institutional head ("ministry", "regulator", "company"), or a pronoun,
which takes the most recent source of a compatible kind. An agency relaying anonymous sources
keeps both: kind ``agency`` with ``citing`` naming the sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from storyline.models import Attribution

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string (lexicons read better that way)."""
    return frozenset(text.split())


__all__ = [
    "ATTRIBUTION_KINDS",
    "Attribution",
    "EntitySpan",
    "SourceMap",
    "find_attributions",
    "is_media_name",
    "statement_spans",
]

ATTRIBUTION_KINDS = ("person", "institution", "agency", "anonymous", "outlet")

#: Lemmas of verbs that introduce what a source says.
REPORTING_VERBS = _words(
    """
    say tell announce report confirm deny state add claim note insist warn write tweet post
    reveal disclose acknowledge estimate predict allege declare explain argue stress
    emphasise emphasize urge indicate comment reply caution concede admit assert suggest
    describe testify cite ask pledge promise vow criticize criticise accuse believe recall
    respond question mention contend maintain complain blast slam endorse
    """
)
# Heads of noun phrases that describe unnamed sources.
_ANONYMOUS_HEADS = _words(
    "source sources people person persons insider insiders individual individuals"
)
# Heads that are unnamed sources only when the sentence says they asked not to be named.
_MAYBE_ANONYMOUS_HEADS = _words(
    """
    official officials diplomat diplomats executive executives partner employee employees
    aide aides member members banker bankers investor investors lawyer lawyers
    adviser advisers advisor advisors staffer staffers
    """
)
_ANONYMITY_RE = re.compile(
    r"familiar with|close to the|with (?:direct )?knowledge of|briefed on"
    r"|on condition of anonymity|speaking (?:privately|anonymously|on condition)"
    r"|asked not to be (?:named|identified)|declined to be (?:named|identified)"
    r"|not authori[sz]ed to|requested anonymity"
    r"|(?:anonymous|unnamed) (?:sources?|officials?|people)",
    re.IGNORECASE,
)
#: Heads of noun phrases that name a body rather than a person.
INSTITUTION_HEADS = _words(
    """
    government ministry ministries office centre center agency utility regulator regulators
    authority authorities council municipality company companies firm group club court
    police army military navy department commission committee prosecutor prosecutors
    prosecution service board bank union institute survey administration cabinet parliament
    embassy presidency palace city county township campaign statement spokesperson spokesman
    spokeswoman officials
    official government's state-run operator operators organisers organizers team league
    network broadcaster newspaper magazine poll polls data study analysis figures statistics
    records documents
    federation association party coalition alliance consortium lender airline carrier
    manufacturer maker insurer retailer exchange
    """
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
# Names of streets, roads and sites, which are places even when NER calls them otherwise.
_STREET_RE = re.compile(
    r"\b(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|highway|hwy|freeway"
    r"|motorway|parkway|pike|turnpike|interstate|bridge|tunnel|square|plaza|crescent|terrace"
    r"|alley|route)\b\.?$",
    re.IGNORECASE,
)
# Roles whose holder, with "the" before them, is one person ("the president said").
_ROLE_HEADS = _words(
    """
    president senator governor mayor minister secretary chancellor chairman chairwoman ceo
    director ambassador commissioner leader speaker coach manager captain professor detective
    inspector attorney judge candidate nominee announcer businessman businesswoman congressman
    congresswoman lawmaker sheriff chief founder owner
    """
)
_PRONOUNS = {"he": "person", "she": "person", "it": "institution", "they": "any", "we": "any"}
# Well-known news agencies and outlets whose reports other outlets relay.
NEWS_MEDIA = _words(
    """
    reuters ap associated press afp agence france presse agence france-presse bloomberg tass
    ria novosti ria interfax xinhua dpa ansa efe kyodo yonhap anadolu pti ani upi bbc cnn
    nhk al jazeera politico axios semafor
    """
)
_MEDIA_NAME_RE = re.compile(
    r"\b(?:wire|news|press|agency|times|post|journal|herald|gazette|tribune|telegraph|guardian"
    r"|daily|review|dispatch|ledger|broadcasting|television|tv|radio|newswire|chronicle)\b",
    re.IGNORECASE,
)
_NP_TAGS = _words("DT PDT JJ JJR JJS NN NNS NNP NNPS POS CD PRP PRP$ HYPH VBN NML")
_NP_INNER = frozenset({"of", "for", "at", "in", "and", "'s", "’s"})
_QUOTES = "\"“”'‘’"
_LINKS = {("familiar", "with"), ("close", "to"), ("knowledge", "of"), ("briefed", "on")}


@dataclass(frozen=True, slots=True)
class EntitySpan:
    """A mention with its canonical name, as the later stages see it."""

    start_char: int
    end_char: int
    name: str
    type: str
    #: A demonym standing for its country ("Russian"): not a place where anything happens.
    adjectival: bool = False


def is_media_name(name: str) -> bool:
    """Whether ``name`` looks like a news agency or outlet ("Reuters", "Meridian Wire")."""
    key = " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())
    return key in NEWS_MEDIA or bool(_MEDIA_NAME_RE.search(name))


# --------------------------------------------------------------------------- phrases


@dataclass(frozen=True, slots=True)
class _Phrase:
    start: int  # token index (inclusive)
    end: int  # token index (exclusive)


def _np_left(sent: Span, end: int) -> _Phrase | None:
    """The noun phrase ending right before token ``end`` (adverbs, auxiliaries skipped)."""
    doc = sent.doc
    i = end - 1
    while i >= sent.start and (
        doc[i].tag_ in ("RB", "MD")
        or doc[i].lower_ in ("has", "have", "had", "did", "does", "do", "not")
    ):
        i -= 1
    stop = i + 1
    while i >= sent.start:
        tok = doc[i]
        if tok.tag_ in _NP_TAGS or (tok.lower_ in _NP_INNER and i > sent.start and i < stop - 1):
            i -= 1
            continue
        break
    start = i + 1
    # "three people familiar with the talks said": the tail belongs to the phrase.
    if start - 2 > sent.start and (doc[start - 2].lower_, doc[start - 1].lower_) in _LINKS:
        extended = _np_left(sent, start - 2)
        if extended is not None:
            start = extended.start
    while start < stop and doc[start].lower_ in _NP_INNER:
        start += 1
    return _Phrase(start, stop) if start < stop else None


def _np_right(sent: Span, start: int) -> _Phrase | None:
    """The noun phrase starting at token ``start``."""
    doc = sent.doc
    i = start
    while i < sent.end and (doc[i].tag_ in _NP_TAGS or (doc[i].lower_ in _NP_INNER and i > start)):
        i += 1
    while i > start and doc[i - 1].lower_ in _NP_INNER:
        i -= 1
    return _Phrase(start, i) if i > start else None


class SourceMap:
    """The attributions of one article, and the source of any of its sentences."""

    def __init__(
        self, attributions: Sequence[Attribution], sentences: Sequence[tuple[int, int, str]],
        *, outlet: str | None, actors: dict[int, Attribution] | None = None,
    ) -> None:  # fmt: skip
        self.attributions = list(attributions)
        self.by_sentence = {a.sentence: a for a in attributions}
        self.sentences = sentences
        self.outlet = outlet
        #: Per sentence without a reporting cue, the body or person doing its action
        #: ("Britain's competition regulator opened an investigation").
        self.actors = actors or {}

    def actor(self, index: int) -> Attribution | None:
        """The named actor of a sentence with no reporting cue, if it opens the sentence."""
        return self.actors.get(index)

    def for_sentence(self, index: int) -> Attribution:
        """The sentence's own source; a quote's neighbour's; else the outlet itself."""
        own = self.by_sentence.get(index)
        if own is not None:
            return own
        text = self.sentences[index][2].strip() if 0 <= index < len(self.sentences) else ""
        if text[:1] in _QUOTES or text[-1:] in _QUOTES:
            for near in (index + 1, index - 1):
                other = self.by_sentence.get(near)
                if other is not None and other.kind != "outlet":
                    return other
        if _ANONYMITY_RE.search(text) or re.search(r"\breportedly\b", text, re.IGNORECASE):
            return Attribution("anonymous", None, "reportedly", sentence=index)
        return Attribution("outlet", self.outlet, sentence=index)


class _Finder:
    def __init__(self, doc: Doc, entities: Sequence[EntitySpan], outlet: str | None) -> None:
        self.doc = doc
        self.text = doc.text  # spaCy joins the tokens again at every ``doc.text``
        self.entities = sorted(entities, key=lambda e: e.start_char)
        self.outlet_key = (outlet or "").casefold()
        self.history: list[Attribution] = []
        # Bare surnames of the article's people ("Cordero told reporters").
        self.surnames: dict[str, str] = {}
        for e in self.entities:
            if e.type == "person":
                self.surnames.setdefault(e.name.split()[-1].casefold(), e.name)

    def entity_in(self, phrase: _Phrase) -> EntitySpan | None:
        lo = self.doc[phrase.start].idx
        hi = self.doc[phrase.end - 1].idx + len(self.doc[phrase.end - 1])
        inside = [e for e in self.entities if e.start_char >= lo and e.end_char <= hi]
        # The entity nearest the head wins: "Kremlin spokesperson Dmitry Peskov" → Peskov.
        return inside[-1] if inside else None

    def classify(
        self, sent: Span, phrase: _Phrase, cue: str, *, strict: bool = False
    ) -> Attribution | None:
        found = self._classify(sent, phrase, cue, strict=strict)
        if found is None:
            return None
        start = self.doc[phrase.start].idx
        end = self.doc[phrase.end - 1].idx + len(self.doc[phrase.end - 1])
        return replace(found, source_start=start, source_end=end)

    def _classify(
        self, sent: Span, phrase: _Phrase, cue: str, *, strict: bool = False
    ) -> Attribution | None:
        doc = self.doc
        tokens = [doc[i] for i in range(phrase.start, phrase.end)]
        text = doc[phrase.start : phrase.end].text
        head = self._head(tokens)
        if head is None:
            return None
        head_lower = head.lower_
        sent_text = sent.text
        unnamed_one = head.tag_ == "NN" and tokens[0].lower_ in ("a", "an", "another")
        if head_lower in _ANONYMOUS_HEADS or (
            head_lower in _MAYBE_ANONYMOUS_HEADS
            and (_ANONYMITY_RE.search(sent_text) or (cue and unnamed_one))
        ):
            # "according to a campaign aide": one unnamed insider is an anonymous source.
            return Attribution("anonymous", _anonymous_phrase(sent, phrase), cue)
        if head.tag_ in ("NNP", "NNPS") or head.ent_type_:
            entity = self.entity_in(phrase)
            if head.ent_type_ == "FAC" or (
                (entity is None or entity.type == "place")
                and (_STREET_RE.search(text) or (not cue and head.ent_type_ in _PLACE_LABELS))
            ):
                # A street or building never speaks; a country or city speaks for its
                # government only through a reporting cue ("Beijing said"), never as the
                # subject of an act ("Stanley Avenue remains closed").
                return None
            if entity is not None:
                if entity.type == "place" and not cue:
                    return None
                return self._from_entity(entity, cue)
            if head.ent_type_ in ("ORG", "GPE", "NORP"):
                kind = "agency" if is_media_name(text) else "institution"
                return Attribution(kind, text, cue)
            person = self.surnames.get(head.lower_)
            if person is not None:
                return Attribution("person", person, cue)
        if head_lower in _PRONOUNS:
            return self._pronoun(_PRONOUNS[head_lower], cue, before=doc[phrase.start].idx)
        if head_lower in INSTITUTION_HEADS or head.lemma_.lower() in INSTITUTION_HEADS:
            entity = self.entity_in(phrase)
            if entity is not None and entity.type == "org":
                kind = "agency" if is_media_name(entity.name) else "institution"
                return Attribution(kind, entity.name, cue)
            return Attribution("institution", _strip_det(text), cue)
        if head.tag_ in ("NN", "NNS"):
            # "Kestrel Pay's former finance director told": a role names its holder.
            entity = self.entity_in(phrase)
            if entity is not None and entity.type == "person":
                return Attribution("person", entity.name, cue)
            if (
                cue
                and head.tag_ == "NN"
                and head_lower in _ROLE_HEADS
                and tokens[0].lower_ in ("the", "his", "her", "its", "their")
            ):
                # "the president said": one holder of a role, named earlier or not.
                return Attribution("person", _strip_det(text), cue)
        # Unnamed groups ("seismologists say", "analysts said") are neither a body nor
        # anonymous sources: the outlet stands behind the statement.
        return None

    @staticmethod
    def _head(tokens: list[Token]) -> Token | None:
        # The head is the last noun before any "of/for/at" complement.
        cut = len(tokens)
        for i, tok in enumerate(tokens):
            if (
                tok.lower_ in ("of", "for", "at", "in", "with", "familiar", "close", "briefed")
                and i > 0
            ):
                cut = i
                break
        for part in (tokens[:cut], tokens[cut + 1 :]):
            # "two of the sources": a bare number before "of" leaves the head after it.
            for tok in reversed(part):
                if tok.tag_ in ("NN", "NNS", "NNP", "NNPS", "PRP") or tok.lower_ in _PRONOUNS:
                    return tok
        return None

    def _from_entity(self, entity: EntitySpan, cue: str) -> Attribution:
        if entity.name.casefold() == self.outlet_key:
            return Attribution("outlet", entity.name, cue)
        media = is_media_name(entity.name)
        if entity.type == "person" and not (media and len(entity.name.split()) > 1):
            return Attribution("person", entity.name, cue)
        if media and entity.type in ("org", "person"):
            return Attribution("agency", entity.name, cue)
        return Attribution("institution", entity.name, cue)

    def _pronoun(self, wanted: str, cue: str, *, before: int) -> Attribution | None:
        for prev in reversed(self.history):
            if (
                wanted == "any"
                or prev.kind == wanted
                or (wanted == "institution" and prev.kind in ("agency", "institution"))
            ):
                return Attribution(prev.kind, prev.name, cue, prev.citing)
        if wanted == "person":
            # No earlier source: "he" or "she" is the last person the text named.
            named = [e for e in self.entities if e.type == "person" and e.end_char <= before]
            if named:
                return Attribution("person", named[-1].name, cue)
        return None

    def sentence(self, index: int, sent: Span) -> Attribution | None:
        doc = self.doc
        found: Attribution | None = None
        citing: str | None = None
        cue_at = citing_at = (0, 0)  # where the cue is (and the "citing" of ``citing``)
        i = sent.start
        while i < sent.end:
            tok = doc[i]
            lower = tok.lower_
            if lower == "according" and i + 1 < sent.end and doc[i + 1].lower_ == "to":
                phrase = _np_right(sent, i + 2)
                if phrase and found is None:
                    found = self.classify(sent, phrase, "according to")
                    cue_at = (tok.idx, doc[i + 1].idx + len(doc[i + 1]))
                i += 2
                continue
            if lower == "citing":
                phrase = _np_right(sent, i + 1)
                if phrase:
                    cited = self.classify(sent, phrase, "citing", strict=True)
                    if cited is not None and cited.kind in (
                        "anonymous",
                        "person",
                        "institution",
                        "agency",
                    ):
                        citing = (
                            _anonymous_phrase(sent, phrase)
                            if cited.kind == "anonymous"
                            else cited.name
                        )
                        citing_at = (tok.idx, tok.idx + len(tok))
                i += 1
                continue
            if (
                found is None
                and tok.tag_.startswith("VB")
                and tok.lemma_.lower() in REPORTING_VERBS
            ):
                found = self._verb_source(sent, tok)
                cue_at = (tok.idx, tok.idx + len(tok))
            elif (
                found is None
                and lower == "statement"
                and doc[max(sent.start, i - 2)].lower_ == "in"
            ):
                found = None  # "in a statement" alone names no source; the verb beside it does
            i += 1
        if found is None and citing is not None:
            found = Attribution("anonymous", citing, "citing")
            citing, cue_at = None, citing_at
        if found is None:
            return None
        result = replace(
            found, citing=citing or found.citing, sentence=index, start_char=sent.start_char,
            end_char=sent.end_char, statement=_statement(sent.text), cue_start=cue_at[0],
            cue_end=cue_at[1],
        )  # fmt: skip
        self.history.append(result)
        return result

    def actor(self, sent: Span, *, cue: str = "") -> Attribution | None:
        """The subject of a sentence's first finite verb when it names a body or a person
        (``cue``: the reporting word it is the source of, if any)."""
        doc = self.doc
        start = sent.start
        # Skip a dateline: "LONDON —", "SANTIAGO (Meridian Wire) -".
        for tok in doc[sent.start : min(sent.end, sent.start + 8)]:
            if tok.text in ("—", "–", "-") and tok.i > sent.start and doc[sent.start].is_upper:
                start = tok.i + 1
                break
        verb = next(
            (t for t in doc[start : sent.end] if t.tag_ in ("VBD", "VBZ", "VBP", "MD")), None
        )
        if verb is None:
            return None
        phrase = _np_left(sent, verb.i)
        if phrase is None or phrase.start < start:
            return None
        found = self.classify(sent, phrase, cue)
        if found is None or found.kind not in ("person", "institution"):
            return None
        return found

    def _verb_source(self, sent: Span, verb: Token) -> Attribution | None:
        doc = self.doc
        cue = verb.text
        prev = doc[verb.i - 1] if verb.i > sent.start else None
        opens_quote = sent.text.lstrip()[:1] in _QUOTES
        inverted = prev is not None and (
            (prev.text and all(c in _QUOTES or c == "`" for c in prev.text))
            or (prev.text == "," and opens_quote)
        )
        if verb.tag_ == "VBG" and prev is not None and prev.text == ",":
            # "Police closed the road, saying it was unsafe": the sentence's subject speaks.
            subject = self.actor(sent, cue=cue)
            if subject is not None:
                return subject
        # After the verb comes the source only in ", said X"; otherwise it is the audience
        # ("told reporters") or the reported clause's subject ("said they would").
        order = ("after", "before") if inverted else ("before",)
        for side in order:
            if side == "before":
                phrase = _np_left(sent, _before_parenthesis(sent, verb.i))
            else:
                phrase = _np_right(sent, verb.i + 1)
                if phrase is not None and phrase.end < sent.end and doc[phrase.end].text == ",":
                    # ", said its chair, Tom Ellery": the appositive names the source.
                    appositive = _np_right(sent, phrase.end + 1)
                    named = self.entity_in(appositive) if appositive else None
                    if named is not None and named.type == "person":
                        return Attribution(
                            "person", named.name, cue, source_start=named.start_char,
                            source_end=named.end_char,
                        )  # fmt: skip
            if phrase is None:
                continue
            found = self.classify(sent, phrase, cue)
            if found is not None:
                return found
        if prev is not None and prev.text == ",":
            # "Felipe Cordero, who flew to Copiapó, said ...": the subject opens the sentence,
            # or follows the quote ("“...,” Flynn, a top surrogate, said").
            opening = sent.start_char
            for tok in doc[sent.start : verb.i]:
                if tok.text and all(c in _QUOTES or c == "`" for c in tok.text):
                    opening = tok.idx + len(tok)
            first = next(
                (e for e in self.entities if opening <= e.start_char < verb.idx), None
            )
            if (
                first is not None
                and verb.tag_ in ("VBD", "VBZ", "VBP")
                and self.text[first.end_char : first.end_char + 1] == ","
                and not (first.type == "place" and _STREET_RE.search(first.name))
            ):
                return replace(
                    self._from_entity(first, cue),
                    source_start=first.start_char,
                    source_end=first.end_char,
                )
        return None


_EDGE = " \t\n,.;:—–-"
# Words that may stand between a reporting verb and its "that": "said in a statement on
# Monday that".
# What follows a reporting verb that is no statement: a new clause after a comma, or the
# audience or circumstances ("said to the crowd", "said at a rally").
_NEW_CLAUSE_RE = re.compile(
    r"\s*,\s*(?:but|and|as|while|although|though|because|when|before|after)\b", re.IGNORECASE
)
_AUDIENCE_RE = re.compile(
    r"\s*(?:to|at|during|after|before|from|with|while|as)\s+(?:the|a|an|his|her|their|its"
    r"|reporters|journalists)\b",
    re.IGNORECASE,
)
_THAT_RE = re.compile(
    r"(?:\s*,?\s*(?:on|in|at|late|early|earlier|last|this|yesterday|today|tonight|\w+day"
    r"|week|month|morning|afternoon|evening|night|a|an|the|its|his|her|their|statement"
    r"|interview|news|conference|briefing|filing|post|letter)\b){0,8}?\s+(that)\b",
    re.IGNORECASE,
)


def statement_spans(attribution: Attribution, text: str) -> list[tuple[int, int]]:
    """Where the attributed statement is in ``text`` (the coordinates of ``attribution``):
    its sentence less the source and the cue ("X said", "according to X") and the punctuation
    around them; two spans when they stand in the middle ("“...,” Ellery said, “...”").
    Empty when the source and cue are not located."""
    found = attribution
    pairs = ((found.source_start, found.source_end), (found.cue_start, found.cue_end))
    marks = [(a, b) for a, b in pairs if b > a]
    if not marks:
        return []
    lo, hi = min(a for a, _ in marks), max(b for _, b in marks)
    # "said on Monday that ...": the statement starts at "that".
    lead = _THAT_RE.match(text, hi, attribution.end_char)
    if lead is not None:
        hi = lead.start(1)
    out: list[tuple[int, int]] = []
    for start, end in ((attribution.start_char, lo), (hi, attribution.end_char)):
        while start < end and text[start] in _EDGE:
            start += 1
        while end > start and text[end - 1] in _EDGE:
            end -= 1
        words = text[start:end].split()
        if start >= hi and (
            _NEW_CLAUSE_RE.match(text, hi, end) or (out and _AUDIENCE_RE.match(text, hi, end))
        ):
            continue  # "she said, but ...": another clause; "said to the crowd": an audience
        if out and text[start:end][:1] not in _QUOTES and len(words) < 5:
            continue  # "..., Mayor Osei said on Monday.": a time, not a statement
        if len(words) >= 2:
            out.append((start, end))
    if not out:
        quoted = _quote_before(text, attribution.start_char)
        if quoted is not None:
            out.append(quoted)  # "“You winning?” she said.": the quote is its own sentence
    return out


def _quote_before(text: str, pos: int, limit: int = 1500) -> tuple[int, int] | None:
    """The quotation that ends right before ``pos`` (spaces aside), if any."""
    end = pos
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    if end == 0 or text[end - 1] not in "”\"":
        return None
    close = text[end - 1]
    opening = text.rfind("“" if close == "”" else '"', max(0, end - limit), end - 1)
    if opening < 0 or "\n\n" in text[opening:end]:
        return None
    return (opening, end)


def _before_parenthesis(sent: Span, end: int) -> int:
    """Where a phrase ending at token ``end`` ends once a parenthesis right before ``end`` is
    set aside: "Sen. Lindsey Graham (R-S.C.) said" → before "(". """
    doc = sent.doc
    if end - 1 <= sent.start or doc[end - 1].text != ")":
        return end
    for i in range(end - 2, max(sent.start, end - 10) - 1, -1):
        if doc[i].text == "(":
            return i
    return end


def _strip_det(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)


_ANONYMOUS_PHRASE_RE = re.compile(
    r"^[^,.;:]*?\b(?:sources?|people|persons?|insiders?|individuals?|officials?|diplomats?"
    r"|executives?|partners?|employees?|aides?|members?|bankers?|investors?|lawyers?)\b"
    r"(?:\s*,?\s*(?:who\s+(?:are\s+|were\s+)?)?(?:familiar with|close to|with (?:direct )?"
    r"knowledge of|briefed on)(?:\s+(?:the|a|an|his|her|its|their))?\s+[\w-]+(?:['’]s\s+[\w-]+)?)?",
    re.IGNORECASE,
)


def _anonymous_phrase(sent: Span, phrase: _Phrase) -> str:
    """The phrase naming anonymous sources, with its "familiar with the matter" tail."""
    doc = sent.doc
    rest = doc[phrase.start : sent.end].text
    m = _ANONYMOUS_PHRASE_RE.match(rest)
    text = m.group(0) if m else doc[phrase.start : phrase.end].text
    return _strip_det(text.rstrip(" ,"))


def _statement(text: str, limit: int = 280) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def find_attributions(
    doc: Doc,
    entities: Sequence[EntitySpan],
    *,
    outlet: str | None = None,
    start_char: int = 0,
) -> SourceMap:
    """Find the attributed statements of ``doc`` (sentences from ``start_char`` on).

    ``entities`` are the article's mentions with canonical names; ``outlet`` the article's
    outlet, so that a story relaying itself is not mistaken for an agency.
    """
    finder = _Finder(doc, entities, outlet)
    sentences = [(s.start_char, s.end_char, s.text) for s in doc.sents]
    found: list[Attribution] = []
    actors: dict[int, Attribution] = {}
    for index, sent in enumerate(doc.sents):
        if sent.end_char <= start_char:
            continue
        attribution = finder.sentence(index, sent)
        if attribution is not None:
            found.append(attribution)
            continue
        actor = finder.actor(sent)
        if actor is not None:
            actors[index] = replace(
                actor, sentence=index, start_char=sent.start_char, end_char=sent.end_char,
                statement=_statement(sent.text),
            )  # fmt: skip
    return SourceMap(found, sentences, outlet=outlet, actors=actors)
