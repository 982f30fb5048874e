"""Modality: how sure a report is that an event happens — rumoured, expected, planned,
announced, happened, denied, cancelled or postponed.

Read from cue words in the clause before the action word, the tense of the action verb (or of
the verb that governs an action noun: "opened an investigation") and the kind of source
(anonymous sources make a forecast a rumour).

A negated event ("did not sign", "no charges were filed", "failed to agree", "no one was
hurt") is ``denied``; cancelling, postponing and denying words count only for the events of
their own clause; a condition ("if"), an obligation ("must") or a wish ("hopes to") is
``expected``. Measured on UW event factuality (``evaluation/factuality.py``, Pearson r 0.685
over train+dev against 0.567 for a negation/modal cue rule).
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
    CONDITIONALS,
    DENIAL_RE,
    DENY,
    EXPECT,
    HOPE_VERBS,
    IMPLICATIVES,
    INTENT_VERBS,
    OBLIGATION_MODALS,
    OFFICIAL_ACTS,
    PAST_AUX,
    PLAN,
    POSTPONE,
    PREPARING_RE,
    PRESENT_AUX,
    RUMOUR,
    RUMOUR_RE,
)
from storyline.enrich.triggers import (
    CLAUSE_OPENERS,
    SentenceView,
    Trigger,
    _governor,
    _in_action,
)
from storyline.models import Attribution

if TYPE_CHECKING:
    from spacy.tokens import Token

    from storyline.models import TimeSpan


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
    if _reduced_participle(s, trig):
        return "happened"  # "the shares owned", "aircraft, made by McDonnell Douglas"
    if trig.is_verb:
        # A verb's own cues come before it: "wonder how strong the recovery will be" is no
        # plan, "the visit is expected" (a noun) is.
        window = [t for t in window if t.i <= trig.token.i]
    lemma_set = {t.lemma_.lower() for t in window}
    # The month is no modal: "On Monday, May 5, officers responded to a robbery".
    word_set = {t.lower_ for t in window if not (t.text == "May" and t.tag_ == "NNP")}
    text = " ".join(t.text for t in window)
    sent_text = s.sent.text
    # Cancelling, postponing and denying words reach across the sentence ("The summit,
    # planned for next week, was cancelled"; "denied reports that the minister would visit"),
    # but not into another clause ("was cancelled after the plans were leaked").
    verb = _tense_verb(s, trig, window)
    cue = _sentence_cue(s, trig, verb)
    if cue is not None:
        return cue
    if _negated(s, trig, verb):
        return "denied"  # "did not sign", "no charges were filed", "failed to agree"
    opener = s.doc[window[0].i - 1] if window[0].i > s.sent.start else None
    conditional = (opener is not None and opener.lower_ in CONDITIONALS) or any(
        t.lower_ in CONDITIONALS for t in window if t.i < trig.token.i
    )
    if (
        not trig.is_verb
        and trig.governor is not None
        and trig.governor.i < trig.token.i
        and trig.governor.lemma_.lower() in INTENT_VERBS
    ):
        return "planned"  # "the union demanded a strike": wanted, not done
    if conditional or _obliged(s, trig.token):
        return "expected"  # "if the strike goes ahead", "the council must close the pool"
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
        if infinitive and not future_cue and verb is not None and _hoped(s, verb):
            return "expected"  # "the club hopes to sign him": wished for, not decided
        return "planned"
    if verb is not None and _is_present_action(verb, s) and official:
        return "announced"
    if announce and trig.action in OFFICIAL_ACTS and (official or announce_verb):
        return "announced"
    return "happened"


def token_modality(
    token: Token,
    *,
    source: Attribution | None = None,
    when: TimeSpan | None = None,
    published: date = date.min,
    entity_types: dict[int, str] | None = None,
) -> str:
    """The modality ``find_modality`` gives any word of a parsed sentence taken as an event
    word, in the lexicon or not (evaluation on annotated triggers, ``evaluation/factuality``).

    ``source`` is the sentence's source (default: the outlet itself), ``when`` the event's
    resolved date and ``entity_types`` the entity type by token index, as in the pipeline.
    """
    s = SentenceView(token.sent)
    hit = _in_action(token)
    is_verb = token.tag_.startswith("VB") if hit is None else hit[1]
    trig = Trigger(token, hit[0] if hit else "", is_verb, None if is_verb else _governor(s, token))
    return find_modality(
        s, trig, source or Attribution("outlet", None), when, published, entity_types or {}
    )


_CANCEL_RE = re.compile(r"\bcall(?:ed|s|ing)? off\b", re.I)
_CANCEL_OUT_RE = re.compile(r"\bcancel(?:s|led|ed|ling)? out\b", re.I)
_POSTPONE_RE = re.compile(r"\b(?:put|push(?:ed)?) (?:off|back)\b", re.I)
_DENY_EXCEPT = frozenset({"charge", "charges", "allegation", "allegations"})
# Words between a cue and the event that put the event in a clause of its own.
_SCOPE_BREAKS = CLAUSE_OPENERS - {"that"}


def _sentence_cue(s: SentenceView, trig: Trigger, verb: Token | None) -> str | None:
    """``cancelled``, ``postponed`` or ``denied`` when such a cue of the sentence governs the
    event (see ``_in_scope``); the cue word itself is an act that happened."""
    cues: list[tuple[str, int]] = []
    for tok in s.sent:
        if not tok.tag_.startswith("VB") or tok.i == trig.token.i:
            continue
        lemma = tok.lemma_.lower()
        if lemma in CANCEL:
            cues.append(("cancelled", tok.i))
        elif lemma in POSTPONE:
            cues.append(("postponed", tok.i))
        elif lemma in DENY and not _DENY_EXCEPT & s.words:
            cues.append(("denied", tok.i))
    sent_text = s.sent.text
    for kind, pattern in (
        ("cancelled", _CANCEL_RE), ("postponed", _POSTPONE_RE), ("denied", DENIAL_RE),
    ):  # fmt: skip
        for m in pattern.finditer(sent_text):
            span = s.sent.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None and not span.start <= trig.token.i < span.end:
                cues.append((kind, span.start))
    if _CANCEL_OUT_RE.search(sent_text):
        cues = [c for c in cues if c[0] != "cancelled"]
    for kind in ("cancelled", "postponed", "denied"):
        if any(k == kind and _in_scope(s, trig, verb, i) for k, i in cues):
            return kind
    return None


def _in_scope(s: SentenceView, trig: Trigger, verb: Token | None, cue: int) -> bool:
    """Whether the cue word at token ``cue`` governs the event: it is the verb the event
    takes its tense from; it comes before the event with no other clause between ("denied
    reports that the minister would visit"); or it comes after a noun event with only
    participles and auxiliaries between ("The summit, planned for next week, was cancelled")."""
    doc, pos = s.doc, trig.token.i
    if verb is not None and verb.i == cue:
        return True
    if cue < pos:
        between = [doc[i] for i in range(cue + 1, pos)]
        return not any(t.lower_ in _SCOPE_BREAKS or t.text in (";", ":") for t in between)
    if trig.is_verb:
        return False
    between = [doc[i] for i in range(pos + 1, cue)]
    return not any(
        t.lower_ in CLAUSE_OPENERS
        or t.text in (";", ":")
        or (t.tag_ in ("VBD", "VBZ", "VBP", "MD") and t.lemma_.lower() not in ("be", "have"))
        for t in between
    )


_NEGATIONS = frozenset({"not", "n't", "never", "no"})
_NEGATIVE_SUBJECTS = frozenset({"nobody", "nothing", "none", "neither"})
# Words that may stand between a negation and its verb: auxiliaries, adverbs.
_AUX_LEMMAS = frozenset({"be", "have", "do", "get"})
# Verbs whose infinitive did not happen ("failed to agree", "refused to sign").
_FAIL_VERBS = frozenset({"fail", "refuse", "decline"})
# Verbs that say of their subject that it (did not) take place ("the vote did not happen").
_OCCUR_VERBS = frozenset({"happen", "occur", "take", "go", "proceed"})


def _chain_negated(s: SentenceView, verb: Token, depth: int = 0) -> bool:
    """Whether a negation stands in the verb's auxiliary chain ("did not sign", "will never
    be built", "won't cover"), before its infinitive ("careful not to draw"), in the chain of
    the verb governing that infinitive ("did not want to sign"), or a failing verb governs it
    ("failed to agree")."""
    for tok in reversed(s.prev_tokens(verb, 5)):
        if tok.lower_ in _NEGATIONS and tok.lower_ != "no":
            return True
        if tok.lower_ == "to":
            before = s.prev_tokens(tok, 1)
            if not before:
                return False
            head = before[0]
            if head.lower_ in ("not", "never") or head.lemma_.lower() in _FAIL_VERBS:
                return True
            return depth < 2 and head.tag_.startswith("VB") and _chain_negated(s, head, depth + 1)
        if not (tok.tag_ in ("MD", "RB") or tok.lemma_.lower() in _AUX_LEMMAS):
            # A negative subject: "no one was hurt", "nothing was taken".
            previous = s.prev_tokens(tok, 1)
            return tok.lower_ in _NEGATIVE_SUBJECTS or (
                tok.lower_ == "one" and bool(previous) and previous[0].lower_ == "no"
            )
    return False


def _negated(s: SentenceView, trig: Trigger, verb: Token | None) -> bool:
    """Whether the report says the event did not take place: a negated verb, a noun under
    "no" ("no charges were filed") or the object of a negated verb ("did not hold talks")."""
    tok = trig.token
    before = s.prev_tokens(tok, 3)
    if trig.is_verb:
        # "without holding a hearing" did not happen either.
        return _chain_negated(s, tok) or (bool(before) and before[-1].lower_ == "without")
    for prev in reversed(before):
        if prev.lower_ in ("no", "never", "without"):
            return True
        if prev.tag_ not in ("JJ", "JJR", "JJS", "NN", "HYPH", "CD"):
            break
    governor = trig.governor
    if governor is None:
        return False
    if governor.i > tok.i:
        # The subject of a negated verb did not happen only when the verb says it occurs:
        # "the vote did not take place", but "the fire did not spread" (it burned).
        head = governor
        if governor.lemma_.lower() in _AUX_LEMMAS or governor.tag_ == "MD":
            head = next((t for t in s.next_tokens(governor, 3) if t.tag_.startswith("VB")
                         and t.lemma_.lower() not in _AUX_LEMMAS), governor)  # fmt: skip
        if head.lemma_.lower() not in _OCCUR_VERBS:
            return False
        return _chain_negated(s, head) or any(
            t.lower_ in _NEGATIONS for t in s.next_tokens(governor, 2)
        )
    return _chain_negated(s, governor)


def _reduced_participle(s: SentenceView, trig: Trigger) -> bool:
    """A past participle right after a noun or a comma, with no auxiliary: a description of
    something done ("the heaters sold last winter"), whatever the sentence's tense."""
    tok = trig.token
    if not trig.is_verb or tok.tag_ != "VBN" or tok.i == s.sent.start:
        return False
    prev = s.doc[tok.i - 1]
    return prev.tag_ in ("NN", "NNS", "NNP", "NNPS", "CD") or (
        prev.text == "," and tok.i - 2 >= s.sent.start
        and s.doc[tok.i - 2].tag_ in ("NN", "NNS", "NNP", "NNPS")
    )  # fmt: skip


def _hoped(s: SentenceView, verb: Token) -> bool:
    """Whether an infinitive is governed by a verb of wishing or trying ("wants to sign",
    "tried to close")."""
    before = s.prev_tokens(verb, 3)
    if len(before) < 2 or before[-1].lower_ != "to":
        return False
    head = before[-2]
    if head.tag_ == "RB" and len(before) == 3:
        head = before[-3]
    return head.lemma_.lower() in HOPE_VERBS


def _obliged(s: SentenceView, tok: Token) -> bool:
    """Whether a modal of ability or obligation stands in the verb's auxiliary chain."""
    if not tok.tag_.startswith("VB"):
        return False
    for prev in reversed(s.prev_tokens(tok, 3)):
        if prev.tag_ == "MD":
            return prev.lower_ in OBLIGATION_MODALS
        if not (prev.tag_ == "RB" or prev.lemma_.lower() in _AUX_LEMMAS):
            return False
    return False


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
        elif (
            len(before) >= 2
            and before[-1].lower_ == "to"
            and before[-2].lemma_.lower() in IMPLICATIVES
            and before[-2].tag_ in ("VBD", "VBZ", "VBP", "VBN", "VBG")
        ):
            verb = before[-2]  # "continues to receive": the event takes its tense
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
