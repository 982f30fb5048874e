"""Modality: how sure a report is that an event happens — rumoured, expected, planned,
announced, happened, denied, cancelled or postponed.

Read from cue words in the clause before the action word, the tense of the action verb (or of
the verb that governs an action noun: "opened an investigation") and the kind of source
(anonymous sources make a forecast a rumour).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from storyline.enrich.attribution import REPORTING_VERBS
from storyline.enrich.lexicon import (
    ANNOUNCE,
    ANNOUNCE_RE,
    CANCEL,
    CAUSATIVES,
    DENIAL_RE,
    DENY,
    EXPECT,
    OFFICIAL_ACTS,
    PAST_AUX,
    PLAN,
    POSTPONE,
    PREPARING_RE,
    PRESENT_AUX,
    RUMOUR,
    RUMOUR_RE,
)
from storyline.enrich.triggers import CLAUSE_OPENERS, SentenceView, Trigger

if TYPE_CHECKING:
    from spacy.tokens import Token

    from storyline.models import Attribution, TimeSpan


def clause_window(s: SentenceView, trig: Trigger) -> list[Token]:
    """Tokens of the trigger's clause: from the last clause opener before it to the first
    clause break after it (at most eight tokens on)."""
    anchor = trig.token
    start = s.sent.start
    for tok in reversed(s.prev_tokens(anchor, 40)):
        if tok.text in (";", ":", "—") or (tok.lower_ in CLAUSE_OPENERS and tok.i > start):
            start = tok.i + 1
            break
    end = anchor.i + 1
    for tok in s.next_tokens(anchor, 10):
        if tok.text in (",", ";", ":", "—", ".") or tok.lower_ in CLAUSE_OPENERS:
            break
        end = tok.i + 1
    return [s.doc[i] for i in range(start, end)]


def _is_past(tok: Token, s: SentenceView) -> bool:
    """A past-tense verb, or a past participle after has/had/was/were/been (not "will be")."""
    if tok.tag_ == "VBD":
        return True
    if tok.tag_ == "VBN":
        before = [t.lower_ for t in s.prev_tokens(tok, 3)]
        if any(w in PAST_AUX for w in before) and not any(
            w in ("will", "would", "to", "could", "may", "might", "should", "be") for w in before
        ):
            return True
    return False


def _is_present_action(tok: Token, s: SentenceView) -> bool:
    """Present progressive or perfect, or a present-tense verb ("is recalling", "has agreed")."""
    if tok.tag_ in ("VBZ", "VBP"):
        return True
    before = [t.lower_ for t in s.prev_tokens(tok, 2)]
    return tok.tag_ in ("VBG", "VBN") and any(w in PRESENT_AUX for w in before)


def find_modality(
    s: SentenceView,
    trig: Trigger,
    source: Attribution,
    when: TimeSpan | None,
    published: date,
    entity_types: dict[int, str],
    *,
    headline: bool = False,
) -> str:
    """The modality of one mention (see the module docstring); ``headline`` marks the first
    event of the lede, which is the announcement when an official states a plan."""
    window = clause_window(s, trig)
    lemma_set = {t.lemma_.lower() for t in window}
    word_set = {t.lower_ for t in window}
    text = " ".join(t.text for t in window)
    sent_text = s.sent.text
    # Cancelling, postponing and denying verbs reach across the sentence ("The summit,
    # planned for next week, was cancelled"; "denied reports that the minister would visit").
    verbs = {t.lemma_.lower() for t in s.sent if t.tag_.startswith("VB")} | lemma_set
    if (
        verbs & CANCEL and not re.search(r"\bcancel(?:s|led|ed|ling)? out\b", sent_text, re.I)
    ) or (re.search(r"\bcall(?:ed|s)? off\b", sent_text, re.I)):
        return "cancelled"
    if verbs & POSTPONE or re.search(r"\b(?:put|push(?:ed)?) (?:off|back)\b", sent_text, re.I):
        return "postponed"
    if (verbs & DENY and not {"charge", "charges", "allegation", "allegations"} & s.words) or (
        DENIAL_RE.search(sent_text)
    ):
        return "denied"
    verb = _tense_verb(s, trig, window)
    future_cue = bool(word_set & PLAN) or bool(re.search(r"\b(?:is|are) (?:to|due|set)\b", text))
    expect_cue = bool(word_set & EXPECT) or bool(PREPARING_RE.search(text))
    rumour_cue = bool(word_set & RUMOUR) or bool(RUMOUR_RE.search(text))
    future_when = when is not None and when.start > published.isoformat()
    announce_verb = bool(lemma_set & ANNOUNCE) or (
        trig.governor is not None and trig.governor.lemma_.lower() in ANNOUNCE
    )
    announce = (
        announce_verb
        or bool(ANNOUNCE_RE.search(sent_text))
        or (source.cue.lower() in ("announced", "confirmed", "announces", "confirms"))
    )
    # An official act: a named source, or an organisation doing it ("Halvard Home has
    # extended its recall"); present and perfect tenses then announce rather than narrate.
    official = source.kind in ("institution", "person") or (
        verb is not None and _subject_type(s, verb, entity_types) == "org"
    )
    if trig.governor is not None and trig.governor.lemma_.lower() in ANNOUNCE and official:
        return "announced"  # "as it announced a recall", "announced the expansion"
    if (
        verb is not None
        and verb.tag_ != "MD"
        and _is_past(verb, s)
        and not (expect_cue or rumour_cue or (future_cue and verb.tag_ == "VBN") or future_when)
    ):
        perfect = verb.tag_ == "VBN" and any(
            t.lower_ in ("has", "have") for t in s.prev_tokens(verb, 2)
        )
        if perfect and official and trig.action in OFFICIAL_ACTS:
            return "announced"
        return "happened"
    anonymous = source.kind == "anonymous" or (
        source.citing is not None and source.kind == "agency"
    )
    if rumour_cue:
        return "rumoured"
    if expect_cue:
        return "expected"
    if anonymous:
        return "expected" if future_cue or future_when else "rumoured"
    infinitive = (
        verb is not None
        and verb.tag_ == "VB"
        and any(t.lower_ == "to" for t in s.prev_tokens(verb, 1))
    )
    if future_cue or future_when or infinitive or (verb is not None and verb.tag_ == "MD"):
        if (official and (announce or headline)) or (announce and trig.action in OFFICIAL_ACTS):
            return "announced"
        return "planned"
    if verb is not None and _is_present_action(verb, s) and official:
        return "announced"
    if announce and trig.action in OFFICIAL_ACTS and (official or announce_verb):
        return "announced"
    return "happened"


def _tense_verb(s: SentenceView, trig: Trigger, window: Sequence[Token]) -> Token | None:
    """The verb whose tense the mention takes: the trigger itself, the verb governing a
    noun trigger, else the clause's (or sentence's) first finite verb."""
    verb = trig.token if trig.is_verb else trig.governor
    if verb is not None and verb.tag_ == "VBG" and not _is_present_action(verb, s):
        verb = None  # "Following the talks": a participle carries no tense
    if verb is not None and verb.tag_ == "VB" and trig.is_verb:
        # "prompting authorities to evacuate": the effect takes the sentence's tense.
        before = s.prev_tokens(verb, 4)
        if any(t.lemma_.lower() in CAUSATIVES for t in before):
            verb = None
    if verb is not None:
        return verb
    finite = ("VBD", "VBZ", "VBP", "MD")

    def usable(t: Token) -> bool:
        adjectival = t.i > s.sent.start and s.doc[t.i - 1].tag_ in ("DT", "POS", "PRP$")
        return t.tag_ in finite and not adjectival

    return next((t for t in window if usable(t)), None) or next(
        (t for t in s.sent if usable(t) and t.lemma_.lower() not in REPORTING_VERBS), None
    )


def _subject_type(s: SentenceView, verb: Token, entity_types: dict[int, str]) -> str | None:
    """The type of the name right before a verb (its likely subject), if any."""
    for tok in reversed(s.prev_tokens(verb, 4)):
        kind = entity_types.get(tok.i)
        if kind is not None:
            return kind
        if tok.is_punct:
            return None
    return None
