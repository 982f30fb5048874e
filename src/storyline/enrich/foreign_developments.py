"""Developments in German, Spanish and French: a small, precise set of event words.

The English developments (``developments.py``, ``triggers.py``) read spaCy's English tags and
lemmas, which mean nothing on other languages, and no German or Spanish spaCy model ships for
spaCy 3.8 (FIELD-NOTES). So here an event is found by its word forms: a short list per
action and language, the English lexicon's most common actions — visits (and trips),
meetings and talks, signings, elections and votes, strikes, attacks, arrests, resignations,
protests, ceasefires, earthquakes, fires, explosions ("Sanktionen", "sanciones", "sanctions"
are as often penalties as sanctions: left out). Announcing is no event of its own, as in
English: "teilte mit", "anunció", "a annoncé" make the event beside it ``announced``.

Precision first (a wrong development is worse than none):

* only forms that are event words in news are listed ("Besuch", "visita", "visite";
  "firmó" but not "la firma", which is also a company; "Treffen", "reunión", "rencontre");
* travel words ("reist", "llegó", "est arrivé", "déplacement") are a visit only in a sentence
  that names a place; an event word after "während", "durante", "pendant", "lors de" is the
  setting of another ("Durante la visita, los líderes se reunirán": a meeting, no visit);
* a sentence with a negation ("nicht", "kein", "no", "ne ... pas") yields no development;
* cancelled ("abgesagt", "cancelado", "annulé") and postponed ("verschoben", "aplazado",
  "reporté") events are marked so.

Each development gets, as in English: the people and organisations of its sentence less its
source as participants, its places, the date nearest the event word (after it preferred; a
date right after a reporting verb dates the report, not the event; else a date of a
neighbouring sentence that names the same action), and a modality from the sentence's tense
(``foreign_tense.py``): past → ``happened``; future → ``announced`` with a reporting cue,
``planned`` with a plan word ("soll", "geplant", "previsto", "prévu"), ``rumoured`` when
unnamed sources speak, else ``expected``; a past verb with a date to come → ``announced``
("ont appelé à la grève dès jeudi"); no cue → by its date (``happened`` when not after
publication). Sources are the outlet's, unless "laut X", "según X", "selon X" or a reporting
verb after the statement (", a annoncé le Kremlin", ", informó el portavoz ..., Dmitri
Peskov") names one; the names of that phrase take no part in the event. Mentions are merged
and ranked as in English (``merge.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from storyline.enrich.attribution import EntitySpan, is_media_name
from storyline.enrich.foreign_tense import ForeignTense
from storyline.enrich.merge import merge_mentions, rank, unique
from storyline.enrich.spans import nearest_date, shift_source, shift_span
from storyline.errors import ConfigError
from storyline.models import Attribution, Development, TimeSpan

__all__ = ["ACTIONS", "find_foreign_developments"]

#: Per language, action → regex of the word forms that report it (matched case-insensitively
#: unless the form is written with a capital: German nouns).
ACTIONS: dict[str, dict[str, str]] = {
    "de": {
        # "gut besucht" (well attended) is no visit
        "visit": r"(?-i:(?:Staats|Arbeits|Antritts)?[Bb]esuch(?:s|es)?"
        r"|(?<!gut\s)(?<!stark\s)(?<!schlecht\s)(?<!gern\s)(?<!rege\s)besuch(?:t|te|ten|en))",
        # "Maßnahmen treffen" is no meeting: the verb only with "sich" or a name after it
        "meeting": r"(?-i:Treffen|Gespräche|Gipfel(?:treffen)?|Verhandlungen|verhandeln"
        r"|verhandelt|(?:trifft|treffen|traf|trafen)(?=\s+sich\b)"
        r"|(?:trifft|traf|trafen)(?=\s+(?:(?:den|die|der|seinen|seine|ihren|ihre)\s+)?[A-ZÄÖÜ]))",
        "signing": r"(?-i:unterzeichn\w+|Unterzeichnung|unterschreib\w*|unterschrieb\w*)",
        "vote": r"(?-i:Wahl|Wahlen|Präsidentenwahl|Parlamentswahl|Abstimmung|Referendum"
        r"|gewählt|wählen|wählten)",
        "strike": r"(?-i:Streik|Streiks|streiken|streikten|Warnstreik)",
        "attack": r"(?-i:Angriff|Angriffe|Anschlag|Luftangriff\w*|Einmarsch|Invasion"
        r"|angegriffen|griff\w*\s+an)",
        "arrest": r"(?-i:Festnahme|festgenommen|verhaftet|Verhaftung)",
        "resignation": r"(?-i:Rücktritt|zurückgetreten|trat\s+\w+\s+zurück)",
        "protest": r"(?-i:Protest|Proteste|Demonstration|Demonstrationen|demonstrierten)",
        "ceasefire": r"(?-i:Waffenruhe|Waffenstillstand)",
        "earthquake": r"(?-i:Erdbeben|Beben)",
        "fire": r"(?-i:Brand|Großbrand|Feuer)",
        "explosion": r"(?-i:Explosion)",
    },
    "es": {
        "visit": r"visita|visitas|visitar|visitará|visitarán|visitó|visitaron",
        "meeting": r"reunión|reuniones|reunirán|reunirá|reunió|reunieron|reunirse|cumbre"
        r"|conversaciones|negociaciones|negociar",
        "signing": r"firmar|firmará|firmarán|firmó|firmaron|firmado|firmada",
        "vote": r"elecciones|votación|votaciones|referéndum|votar|votarán|votaron|elegido"
        r"|elegida",
        "strike": r"huelgas?(?!\s+de\s+hambre)",
        "attack": r"ataque|ataques|atentado|invasión|bombardeo|atacó|atacaron",
        # "centro de detención" is a place
        "arrest": r"(?<!ex\s)(?:detenido|detenida|detenidos)|(?<!centro\sde\s)detención"
        r"|arrestado|arrestada",
        "resignation": r"dimisión|dimitió|dimite|renunció",
        "protest": r"protesta|protestas|manifestación|manifestaciones",
        "ceasefire": r"alto\s+el\s+fuego|tregua",
        "earthquake": r"terremoto|sismo|seísmo",
        "fire": r"incendio",
        "explosion": r"explosión",
    },
    "fr": {
        "visit": r"visite|visites|visiter|visitera|visiteront|visité",
        # "à la rencontre de" (to discover), "entretien" (maintenance, interview): no meeting
        "meeting": r"(?<!à\sla\s)rencontre|rencontrer|rencontrera|rencontré|sommet"
        r"|s['’]entretenir|pourparlers|négociations",
        "signing": r"signer|signera|signeront|signé|signée|signature",
        "vote": r"élection|élections|scrutin|référendum|voter|voteront|élu|élue",
        "strike": r"grèves?(?!\s+de\s+la\s+faim)",
        "attack": r"attaque|attaques|attentat|invasion|bombardement|attaqué",
        "arrest": r"arrestation|interpellé|interpellée|interpellation",
        "resignation": r"démission|démissionné|démissionne",
        "protest": r"manifestation|manifestations|protestation",
        "ceasefire": r"cessez-le-feu|trêve",
        "earthquake": r"séisme|tremblement\s+de\s+terre",
        "fire": r"incendie",
        "explosion": r"explosion",
    },
}

#: Travel words: a visit only when the sentence names a place ("reist nach Peking", "llegó a
#: Lisboa", "est arrivé jeudi à Pékin"); "reisen mehr Menschen mit dem Zug", "salir con
#: maletas para viajar", "ce qui est arrivé à Marion", "se rendront aux urnes" are none.
TRAVEL: dict[str, str] = {
    "de": r"(?-i:(?:Auslands|Staats)?[Rr]eise|reist|reisen|reiste|reisten|eingetroffen"
    r"|traf\s+\w+\s+ein)",
    # "llegó al mundo" (was born), "la llegada de la enfermedad": no trip
    "es": r"(?:viaje|viajar|viajará|viajarán|viajó|viaja|llegó|llegará)(?!\s+al\s+mundo)"
    r"|llegada(?!\s+de\s+la\s+(?:enfermedad|pandemia|epidemia))",
    # "se rendre aux urnes" is voting, "ce qui est arrivé à Marion" what happened to her
    "fr": r"(?:(?<!agente\sde\s)(?<!agent\sde\s)(?<!agence\sde\s)voyage|déplacement"
    r"|se\s+rend|se\s+rendra|se\s+rendront|s['’]est\s+rendue?)"
    r"(?!\s+aux\s+urnes)|(?<!qui\sest\s)(?<!qu['’]est\s)(?:arrivé|arrivée)|arrivera|arrive",
}

_NEGATION = {
    "de": re.compile(r"\b(?:nicht|kein|keine|keinen|keiner|nie|niemals)\b", re.I),
    "es": re.compile(r"\b(?:no|nunca|jamás|ni)\b", re.I),
    "fr": re.compile(r"\b(?:ne|n['’]|pas|jamais|aucun|aucune)\b", re.I),
}
_CANCELLED = {
    "de": re.compile(r"\b(?:abgesagt|sagte\s+\w+\s+ab|gestrichen|storniert)\b", re.I),
    "es": re.compile(r"\b(?:cancelad[oa]s?|canceló|suspendid[oa]s?|suspendió|anulad[oa])\b", re.I),
    "fr": re.compile(r"\b(?:annulée?s?|a\s+annulé|suspendue?s?)\b", re.I),
}
_POSTPONED = {
    "de": re.compile(r"\b(?:verschoben|vertagt|verlegt)\b", re.I),
    "es": re.compile(r"\b(?:aplazad[oa]s?|aplazó|pospuest[oa]s?|pospuso)\b", re.I),
    "fr": re.compile(r"\b(?:reportée?s?|a\s+reporté|ajournée?s?)\b", re.I),
}
_ANNOUNCE = {
    "de": re.compile(r"\b(?:teilte|teilten|mitgeteilt|kündigte|angekündigt|bestätigte"
                     r"|bestätigt|verkündete|erklärte|laut|nach\s+Angaben)\b", re.I),
    "es": re.compile(r"\b(?:anunció|anunciaron|anunciado|informó|confirmó|confirmado"
                     r"|según|declaró)\b", re.I),
    "fr": re.compile(r"\b(?:annoncé|annonce|confirmé|selon|déclaré|indiqué)\b", re.I),
}  # fmt: skip
_PLAN = {
    "de": re.compile(r"\b(?:soll|sollen|geplant|plant|planen|will|wollen)\b"),
    "es": re.compile(r"\b(?:previsto|prevista|prevé|planea|planean)\b", re.I),
    "fr": re.compile(r"\b(?:prévu|prévue|prévoit|prévoient|doit|doivent)\b", re.I),
}
_ANONYMOUS = {
    "de": re.compile(r"\b(?:Quellen|informierten\s+Kreisen|Insidern)\b"),
    "es": re.compile(r"\bfuentes\b", re.I),
    "fr": re.compile(r"\bsources\b", re.I),
}
#: A date right after a reporting verb dates the report ("teilte der Kreml am Dienstag mit").
_REPORT_BEFORE = {
    "de": re.compile(r"\b(?:teilte|teilten|sagte|sagten|erklärte|kündigte|bestätigte)"
                     r"(?:\s+\S+){0,3}\s+(?:am|an)\s+$", re.I),
    "es": re.compile(r"\b(?:anunció|informó|dijo|declaró|confirmó)(?:\s+\S+){0,3}\s+(?:el\s+)?$",
                     re.I),
    "fr": re.compile(r"\b(?:annoncé|déclaré|indiqué|confirmé|dit|cité|citée)(?:\s+\S+){0,3}\s+$",
                     re.I),
}  # fmt: skip
#: Prepositions that make the event word after them the setting of the sentence's event.
_SETTING_BEFORE = {
    "de": re.compile(
        r"\b(?:während|nach|vor|zu\s+Beginn)\s+(?:des|der|dem|den|eines|einer|einem|seines"
        r"|seiner|ihres|ihrer)?\s*(?:\w+\s+)?$",
        re.I,
    ),
    "es": re.compile(r"\b(?:durante|tras|después\s+de|antes\s+de)\s+(?:el|la|los|las|su|sus)?"
                     r"\s*$", re.I),
    "fr": re.compile(r"\b(?:pendant|lors\s+d[eu']|après|avant|durant)\s*(?:le|la|les|l['’]|sa"
                     r"|son|ses)?\s*$", re.I),
}  # fmt: skip
_SINCE = {
    "de": re.compile(r"\b(?:seit|seitdem|seither)\b", re.I),
    "es": re.compile(r"\bdesde\b", re.I),
    "fr": re.compile(r"\bdepuis\b", re.I),
}
#: "laut dem Kreml", "según anunció el Kremlin", "selon le Kremlin"; after a comma, a
#: reporting verb that follows what was said: "..., a annoncé le Kremlin", "..., informó el
#: portavoz del Kremlin, Dmitri Peskov", "..., teilte das Ministerium mit". A verb before
#: the statement ("Peskow sagte, Putin werde ...") has its source before it: not read here.
_SOURCE_BEFORE = {
    "de": re.compile(r"(?:\b(?:laut|nach\s+Angaben)(?:\s+(?:des|der|dem|von))?\s+"
                     r"|,\s*(?:teilte|teilten|sagte|sagten|erklärte|erklärten|bestätigte)"
                     r"\b[^.;:,]{0,60},?\s*)$", re.I),
    "es": re.compile(r"(?:\bsegún(?:\s+(?:el|la|los|las))?\s+"
                     r"|\bsegún\s+(?:anunció|informó|dijo|indicó|explicó)\s+(?:el|la|los|las)?\s*"
                     r"|,\s*(?:anunció|informó|dijo|indicó|declaró|explicó|confirmó)\b"
                     r"[^.;:,]{0,60},?\s*)$", re.I),
    "fr": re.compile(r"(?:\bselon\b[^.;:,]{0,60},?\s*"
                     r"|,\s*(?:a|ont)\s+(?:annoncé|indiqué|déclaré|précisé|affirmé|confirmé)\b"
                     r"[^.;:,]{0,60},?\s*)$", re.I),
}  # fmt: skip


def _compile(language: str) -> list[tuple[str, re.Pattern[str]]]:
    return [
        (action, re.compile(rf"(?<![\w-])(?:{forms})(?![\w-])", re.I))
        for action, forms in ACTIONS[language].items()
    ]


_TRIGGERS = {language: _compile(language) for language in ACTIONS}
_TRAVEL = {
    language: re.compile(rf"(?<![\w-])(?:{forms})(?![\w-])", re.I)
    for language, forms in TRAVEL.items()
}

#: Actions that are news only when nothing else happens in the sentence (as in English).
_WEAK = frozenset({"meeting"})


def find_foreign_developments(
    text: str,
    *,
    language: str,
    sentences: Sequence[tuple[int, int]],
    body_start: int,
    entities: Sequence[EntitySpan],
    spans: Sequence[TimeSpan],
    outlet: str | None,
    published: date,
    max_main: int = 3,
) -> list[Development]:
    """The developments of a German, Spanish or French article, merged and ranked.

    ``text`` is the title, a blank line and the body (``body_start`` characters of title);
    ``sentences`` its sentences as (start, end); ``entities`` and ``spans`` (resolved dates)
    are in ``text`` coordinates. Sentences of the title only raise the salience of the
    actions they name. Offsets in the result are relative to the body, as in English.
    """
    if language not in _TRIGGERS:
        raise ConfigError(f"no developments for language {language!r}: de, es or fr")
    tense = ForeignTense(text, language)
    found_per_sentence = [
        _triggers(text, start, end, language,
                  any(start <= e.start_char < end and e.type == "place" for e in entities))
        for start, end in sentences
    ]  # fmt: skip
    actions = [{a for _s, _e, a in found} for found in found_per_sentence]
    title_actions: set[str] = set()
    devs: list[Development] = []
    lede_end: int | None = None
    for index, (start, end) in enumerate(sentences):
        if end <= body_start:
            title_actions.update(actions[index])
            continue
        if lede_end is None and text[start:end].strip():
            lede_end = end - body_start
        sentence = text[start:end]
        if not found_per_sentence[index] or _NEGATION[language].search(sentence):
            continue
        own_spans = [t for t in spans if start <= t.start_char < end]
        source, (phrase_start, phrase_end) = _source(
            text, start, end, entities, language, outlet, index
        )
        chosen = _strongest(found_per_sentence[index])
        for t_start, t_end, action in chosen:
            when = _choose_when(text, t_start, own_spans, language)
            if when is None:  # a neighbouring sentence's date, if it names the same action
                when = next(
                    (t for near in (index + 1, index - 1)
                     if 0 <= near < len(sentences) and sentences[near][0] >= body_start
                     and action in actions[near]
                     for t in spans
                     if sentences[near][0] <= t.start_char < sentences[near][1]
                     and not _report_date(text, t, language)
                     and not _since_between(text, sentences[near][0], t, language)),
                    None,
                )  # fmt: skip
            modality = _modality(sentence, t_end, tense, when, published, language, source)
            if when is not None and modality == "happened" and when.start > published.isoformat():
                when = None  # a date still to come cannot date what already happened
            names = [e for e in entities if start <= e.start_char < end and not e.adjectival
                     and not (e.type == "org" and is_media_name(e.name))
                     and e.name != source.name
                     and not phrase_start <= e.start_char < phrase_end]  # fmt: skip
            places = unique(e.name for e in names if e.type == "place")
            participants = unique(
                e.name for e in names if e.type in ("person", "org") and e.name not in places
            )
            devs.append(Development(
                action=action, trigger=text[t_start:t_end], sentence=_trim(sentence),
                start_char=start - body_start, end_char=end - body_start,
                participants=participants, places=places, when=shift_span(when, -body_start),
                modality=modality, attribution=shift_source(source, -body_start),
                agent=_agent(text, t_start, names),
                trigger_start=t_start - body_start, trigger_end=t_end - body_start,
            ))  # fmt: skip
    return rank(merge_mentions(devs), title_actions, lede_end or 0, max_main)


def _triggers(
    text: str, start: int, end: int, language: str, places: bool
) -> list[tuple[int, int, str]]:
    """Event words of ``text[start:end]`` as (start, end, action), in text order; travel
    words only where the sentence names a place (``places``)."""
    found = [
        (m.start(), m.end(), action)
        for action, regex in _TRIGGERS[language]
        for m in regex.finditer(text, start, end)
        if not _setting(text, start, m.start(), language)
    ]
    if places:
        found.extend(
            (m.start(), m.end(), "visit")
            for m in _TRAVEL[language].finditer(text, start, end)
            if not _setting(text, start, m.start(), language)
        )
    return sorted(found)


def _setting(text: str, start: int, t_start: int, language: str) -> bool:
    """Whether an event word names the setting of another ("Durante la visita, los dos
    líderes se reunirán", "pendant la visite", "während des Besuchs"), not an event."""
    return bool(_SETTING_BEFORE[language].search(text, max(start, t_start - 30), t_start))


def _strongest(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """One trigger per action (its first), weak actions only when alone in the sentence."""
    firsts: dict[str, tuple[int, int, str]] = {}
    for trig in found:
        firsts.setdefault(trig[2], trig)
    strong = [t for t in firsts.values() if t[2] not in _WEAK]
    return sorted(strong or firsts.values())


def _report_date(text: str, span: TimeSpan, language: str) -> bool:
    return bool(
        _REPORT_BEFORE[language].search(text, max(0, span.start_char - 60), span.start_char)
    )


def _since_between(text: str, pos: int, span: TimeSpan, language: str) -> bool:
    """Whether "seit", "desde" or "depuis" lies between the event word and a date: the date
    starts a period ("die erste Reise seit seiner Vereidigung Anfang Mai"), not the event."""
    lo, hi = (pos, span.start_char) if pos <= span.start_char else (span.end_char, pos)
    return bool(_SINCE[language].search(text, lo, hi))


def _choose_when(text: str, pos: int, spans: Sequence[TimeSpan], language: str) -> TimeSpan | None:
    """The date nearest the event word (after it, within 120 characters, preferred); a
    date of the report ("teilte ... am Dienstag mit") never."""
    pool = [
        t for t in spans
        if not _report_date(text, t, language) and not _since_between(text, pos, t, language)
    ]  # fmt: skip
    if not pool:
        return None

    return nearest_date(pool, pos)


def _modality(
    sentence: str, t_end: int, tense: ForeignTense, when: TimeSpan | None, published: date,
    language: str, source: Attribution,
) -> str:  # fmt: skip
    """The modality of an event word ending at ``t_end`` in ``sentence``."""
    if _CANCELLED[language].search(sentence):
        return "cancelled"
    if _POSTPONED[language].search(sentence):
        return "postponed"
    # the event word's own tense counts ("reist", "viajará", "est arrivé")
    direction = tense.direction(t_end, t_end)
    if direction is None:
        ahead = when is not None and when.start > published.isoformat()
        direction = "future" if ahead else "past"
    if direction == "past":
        if when is not None and when.start > published.isoformat():
            # a past verb, a date to come: the plan was made ("ont appelé à la grève dès
            # jeudi", "convocaron una huelga a partir del jueves")
            return "announced"
        return "happened"
    if source.kind == "anonymous" or _ANONYMOUS[language].search(sentence):
        return "rumoured"
    if _ANNOUNCE[language].search(sentence):
        return "announced"
    if _PLAN[language].search(sentence):
        return "planned"
    return "expected"


def _source(
    text: str, start: int, end: int, entities: Sequence[EntitySpan], language: str,
    outlet: str | None, index: int,
) -> tuple[Attribution, tuple[int, int]]:  # fmt: skip
    """The sentence's named source ("según el Kremlin"), else the outlet; and where the
    phrase naming it lies ("selon le porte-parole du Kremlin, Dmitri Peskov"), whose names
    take no part in the event."""
    sentence = text[start:end]
    named = []
    for e in entities:
        if start <= e.start_char < end and e.type in ("person", "org"):
            cue = _SOURCE_BEFORE[language].search(text, max(start, e.start_char - 90), e.start_char)
            if cue is not None:
                named.append((e, cue.start()))
    if named:  # a spokesperson before the body they speak for
        e, cue_start = next(((e, c) for e, c in named if e.type == "person"), named[0])
        kind = "person" if e.type == "person" else "institution"
        source = Attribution(kind, e.name, sentence=index, start_char=start, end_char=end,
                             statement=_trim(sentence), source_start=e.start_char,
                             source_end=e.end_char)  # fmt: skip
        return source, (min(c for _e, c in named), e.end_char)
    if _ANONYMOUS[language].search(sentence):
        return Attribution("anonymous", None, sentence=index), (0, 0)
    return Attribution("outlet", outlet, sentence=index), (0, 0)


def _agent(text: str, pos: int, names: Sequence[EntitySpan]) -> str | None:
    """The nearest person or organisation right before the event word (at most four words,
    no comma between): "Putin reist", "el Kremlin anunció"."""
    before = [e for e in names if e.end_char <= pos and e.type in ("person", "org")]
    if not before:
        return None
    gap = text[before[-1].end_char : pos]
    return before[-1].name if len(gap.split()) <= 4 and "," not in gap else None


def _trim(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
