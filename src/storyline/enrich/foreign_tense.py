"""Tense cues in German, Spanish and French: which way a date without a year points.

The foreign counterpart of ``tense.py``: "am Donnerstag" is the coming Thursday in "Der
Besuch soll am Donnerstag beginnen" and the last one in "Putin hatte am Donnerstag ...". As in
English, the last cue before an expression in its sentence decides, else the first one after
it, else there is none (callers then do what the English resolver does without a cue).

No library on PyPI lists tense cues, and German and Spanish have no spaCy model here
(FIELD-NOTES), so the cues are small word lists and the regular verb endings:

* **future** — German modals and future auxiliaries ("wird", "soll", "will", "plant",
  "geplant", "voraussichtlich") and present-tense travel and scheduling verbs ("reist",
  "trifft", "beginnt": German reports the coming week in the present); Spanish future and
  conditional endings ("viajará", "firmarán", "sería"), "va a", "prevé", "previsto";
  French future and conditional endings ("se rendra", "signeront", "aurait"), "doit",
  "doivent", "va", "vont", "prévu", "attendu";
* **past** — German preterites of the verbs news uses ("teilte", "sagte", "hatte", "war",
  "wurde", "reiste"), "gestern", "bereits"; Spanish preterite endings ("anunció",
  "proclamaron"), "fue", "dijo", "ayer"; French passé composé ("a annoncé", "est arrivé":
  "a", "ont", "est", "sont" and a participle), "avait", "hier".

Known gaps: German regular preterites outside the list ("verhandelte") and perfect tenses
without "hat"/"ist" nearby are not cues; a Spanish or French word that merely ends like a
future ("Sahara" is excluded, others may not be) is taken for one.
"""

from __future__ import annotations

import bisect
import re

from storyline.enrich.lexicon import word_set
from storyline.enrich.tense import Direction, sentence_starts

__all__ = ["ForeignTense"]

_DE_FUTURE = word_set(
    "wird werden werde wirst soll sollen solle will wollen plant planen plane geplant"
    " voraussichtlich bevorstehend bevorstehenden demnächst künftig erwartet erwarten"
    " beginnt beginnen startet starten reist reisen trifft treffen besucht besuchen fliegt"
    " fliegen kommt kommen findet stattfinden tagt tagen eröffnet endet enden"
)
_DE_PAST = word_set(
    "war waren hatte hatten wurde wurden sagte sagten teilte teilten erklärte erklärten"
    " kündigte kündigten betonte betonten bestätigte bestätigten verkündete verkündeten"
    " meldete meldeten berichtete berichteten reiste reisten traf trafen besuchte besuchten"
    " kam kamen gab gaben begann begannen fand fanden unterzeichnete unterzeichneten"
    " landete landeten flog flogen sprach sprachen starb starben gestern vorgestern bereits"
    " zuvor"
)
_DE_ADVERBS = word_set("gestern vorgestern bereits zuvor voraussichtlich demnächst künftig")
# "hat"/"ist" with a participle ("hat unterzeichnet", "ist gereist") is the perfect tense.
_DE_PERFECT_RE = re.compile(r"\b(?:hat|haben|ist|sind)\b(?=(?:\s+\S+){0,6}?\s+ge\w{3,}(?:t|en)\b)")

_ES_FUTURE = word_set(
    "prevé prevén previsto prevista previstos previstas planea planean espera esperan"
    " próximo próxima próximos próximas"
)
_ES_PAST = word_set(
    "fue fueron dijo dijeron hizo hicieron tuvo tuvieron estuvo estuvieron vino vinieron"
    " había habían hubo ayer anteayer"
)
_ES_FUTURE_RE = re.compile(r"\b\w{2,}(?:rá|rán|ré|rás|remos|ría|rían)\b|\bvan?\s+a\b")
_ES_PAST_RE = re.compile(r"\b\w{2,}(?:ó|aron|ieron|eron)\b|\b(?:ha|han)\s+\w+(?:ado|ido|ada|ida)\b")

_FR_FUTURE = word_set(
    "doit doivent devra devront va vont prévu prévue prévus prévues prévoit prévoient attendu"
    " attendue attendus attendues prochain prochaine prochains prochaines demain"
)
_FR_PAST = word_set("avait avaient était étaient fut furent hier avant-hier déjà")
_FR_FUTURE_RE = re.compile(r"\b\w{2,}(?:ra|ront|rai|rons|rez|rait|raient)\b")
_FR_NOT_FUTURE = word_set("sahara extra opéra caméra contra cobra zebra")
_FR_PAST_RE = re.compile(
    r"\b(?:a|ont|est|sont)\s+(?:(?:été|déjà|bien|ainsi|notamment)\s+)?"
    r"\w+(?:é|ée|és|ées|i|ie|is|it|u|ue|us)\b"
    # "comme annoncé en mars", "comme prévu": what was said or planned before
    r"|\bcomme\s+\w+(?:é|ée|és|ées|u|ue|us|ues|i|is|it|ite)\b"
)

_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


def _cues(text: str, start: int, end: int, language: str) -> list[tuple[int, int, Direction]]:
    """Tense cues of ``text[start:end]`` in ``language``, in text order."""
    cues: list[tuple[int, int, Direction]] = []
    if language == "de":
        future, past = _DE_FUTURE, _DE_PAST
        regexes: list[tuple[re.Pattern[str], Direction]] = [(_DE_PERFECT_RE, "past")]
    elif language == "es":
        future, past = _ES_FUTURE, _ES_PAST
        regexes = [(_ES_FUTURE_RE, "future"), (_ES_PAST_RE, "past")]
    else:
        future, past = _FR_FUTURE, _FR_PAST
        regexes = [(_FR_FUTURE_RE, "future"), (_FR_PAST_RE, "past")]
    for m in _WORD_RE.finditer(text, start, end):
        word = m.group()
        lower = word.lower()
        if language == "de" and word != lower and lower not in _DE_ADVERBS:
            continue  # capitalised: a noun ("das Treffen", "heute Morgen"), not the verb
        if lower in future:
            cues.append((m.start(), m.end(), "future"))
        elif lower in past:
            cues.append((m.start(), m.end(), "past"))
    for regex, kind in regexes:
        for m in regex.finditer(text, start, end):
            word = m.group().lower()
            if kind == "future" and (word in _FR_NOT_FUTURE or word[:1].isdigit()):
                continue
            if not any(c[0] <= m.start() < c[1] for c in cues):
                cues.append((m.start(), m.end(), kind))
    cues.sort()
    return cues


class ForeignTense:
    """One German, Spanish or French text: the direction its sentences give a date."""

    def __init__(self, text: str, language: str) -> None:
        self.text = text
        self.language = language
        self._starts = sentence_starts(text)
        self._cache: dict[int, list[tuple[int, int, Direction]]] = {}

    def sentence(self, pos: int) -> tuple[int, int]:
        """Start and end of the sentence around ``pos``."""
        i = bisect.bisect_right(self._starts, pos) - 1
        end = self._starts[i + 1] if i + 1 < len(self._starts) else len(self.text)
        return self._starts[i], end

    def cues(self, pos: int) -> list[tuple[int, int, Direction]]:
        """The tense cues of the sentence around ``pos``."""
        start, end = self.sentence(pos)
        if start not in self._cache:
            self._cache[start] = _cues(self.text, start, end, self.language)
        return self._cache[start]

    def direction(self, start: int, end: int) -> Direction | None:
        """The tense of the sentence around ``text[start:end]``: the last cue before it, else
        the first after it, else None."""
        before: Direction | None = None
        for c_start, c_end, kind in self.cues(start):
            if c_end <= start:
                before = kind
            elif c_start >= end:
                return before or kind
        return before
