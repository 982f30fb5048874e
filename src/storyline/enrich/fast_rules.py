"""Two rule components of the English spaCy model, made cheaper with identical output.

Issue 10: in ``en_core_web_sm`` the rule components cost as much CPU as the tagger's network.

- **Attribute ruler.** It maps fine tags (and ~110 word-specific exceptions) to parts of
  speech and morphology with 179 one- and two-token patterns, run through spaCy's general
  ``Matcher``: ~9 ms of CPU per 430-token article. Every pattern of the model tests only a
  token's ``TAG``, ``LOWER``, ``IS_SPACE`` or ``DEP``, by equality, ``IN``, ``NOT_IN`` or
  ``REGEX``, so the same matches come from dictionaries keyed by tag and lower-case form
  (~2 ms). ``match`` returns exactly what the ruler's own ``match`` returns, and the ruler's
  own ``set_annotations`` applies them, so precedence and attribute writing stay spaCy's.
  ``DEP`` patterns can only match a parsed document; the pipeline has no parser, so a
  document that does carry a parse (or a ruler with a pattern of another kind) is matched by
  spaCy's Matcher as before.
- **Lemmatizer.** spaCy's rule lemmatizer caches its answers only for words that are not
  their own base form, so most tokens (base forms) go through its rules every time. The lemma
  depends only on the word, its part of speech and its morphology (spaCy's own cache key), so
  one dictionary on that key answers every repeat.

Both are checked against spaCy's own components on demo and ECB+ documents
(``tests/enrich/test_fast_rules.py``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

#: Token attributes the look-up handles (anything else: spaCy's Matcher).
_KNOWN = frozenset({"TAG", "LOWER", "IS_SPACE", "DEP"})
#: Lemmas remembered per pipeline (dropped and rebuilt past this many entries).
MAX_LEMMAS = 500_000

_Test = tuple[tuple[str, tuple[str, Any]], ...]  # (attribute, (operator, value)) per token
_Match = tuple[int, int, int, int]  # (pattern position, match key hash, start, end), as spaCy's


def speed_up(nlp: Any) -> list[str]:
    """Make the attribute ruler and the lemmatizer of ``nlp`` cheaper where they are spaCy's
    own; returns the names of the components changed (a ruler with a pattern of a kind the
    look-up does not handle is left as it is)."""
    changed = []
    if "attribute_ruler" in nlp.pipe_names:
        ruler = nlp.get_pipe("attribute_ruler")
        matcher = _LookupMatcher.build(ruler)
        if matcher is not None:
            ruler.match = matcher.bound(ruler.match)
            changed.append("attribute_ruler")
    if "lemmatizer" in nlp.pipe_names:
        lemmatizer = nlp.get_pipe("lemmatizer")
        if getattr(lemmatizer, "mode", None) == "rule":
            lemmatizer.lemmatize = _remembered(lemmatizer.lemmatize)
            changed.append("lemmatizer")
    return changed


def _remembered(lemmatize: Callable[[Any], list[str]]) -> Callable[[Any], list[str]]:
    memory: dict[tuple[int, int, int], list[str]] = {}

    def remembered(token: Any) -> list[str]:
        key = (token.orth, token.pos, token.morph.key)
        lemmas = memory.get(key)
        if lemmas is None:
            if len(memory) >= MAX_LEMMAS:
                memory.clear()
            lemmas = memory[key] = lemmatize(token)
        return lemmas

    return remembered


class _LookupMatcher:
    def __init__(self, single: list[tuple[int, int, _Test]],
                 double: list[tuple[int, int, _Test, _Test]]) -> None:  # fmt: skip
        # Each pattern is tried only on tokens that can pass its first equality test: indexed
        # by the tag it requires, else by the word, else tried everywhere.
        self.by_tag: dict[str, list[tuple[int, int, _Test]]] = defaultdict(list)
        self.by_lower: dict[str, list[tuple[int, int, _Test]]] = defaultdict(list)
        self.anywhere: list[tuple[int, int, _Test]] = []
        for attr_id, key, test in single:
            tests = dict(test)
            if tests.get("TAG", ("",))[0] == "==":
                self.by_tag[tests["TAG"][1]].append((attr_id, key, test))
            elif tests.get("LOWER", ("",))[0] == "==":
                self.by_lower[tests["LOWER"][1]].append((attr_id, key, test))
            else:
                self.anywhere.append((attr_id, key, test))
        self.double = double

    @classmethod
    def build(cls, ruler: Any) -> _LookupMatcher | None:
        single: list[tuple[int, int, _Test]] = []
        double: list[tuple[int, int, _Test, _Test]] = []
        for position, item in enumerate(ruler.patterns):
            # The ruler adds each pattern under the string of its position (its hash is the
            # match key) and sorts matches by that position: later patterns take precedence.
            key = ruler.vocab.strings[str(position)]
            for pattern in item["patterns"]:
                tests = []
                for token in pattern:
                    if not set(token) <= _KNOWN or not all(_plain(v) for v in token.values()):
                        return None
                    tests.append(tuple((k, _value(v)) for k, v in sorted(token.items())))
                if len(tests) == 1:
                    single.append((position, key, tests[0]))
                elif len(tests) == 2:
                    double.append((position, key, tests[0], tests[1]))
                else:
                    return None
        return cls(single, double)

    def bound(self, original: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
        def match(doc: Any) -> list[Any]:
            if doc.has_annotation("DEP"):
                return original(doc)
            return self.match(doc)

        return match

    def match(self, doc: Any) -> list[_Match]:
        found: set[_Match] = set()
        tokens = [(t.tag_, t.lower_, t.is_space) for t in doc]
        by_tag, by_lower, anywhere = self.by_tag, self.by_lower, self.anywhere
        for i, (tag, lower, space) in enumerate(tokens):
            for attr_id, key, test in (*by_tag.get(tag, ()), *by_lower.get(lower, ()), *anywhere):
                if _passes(test, tag, lower, space):
                    found.add((attr_id, key, i, i + 1))
        for attr_id, key, first, second in self.double:
            for i in range(len(tokens) - 1):
                if _passes(first, *tokens[i]) and _passes(second, *tokens[i + 1]):
                    found.add((attr_id, key, i, i + 2))
        return sorted(found)


def _plain(value: Any) -> bool:
    """A value the look-up can test: a string or bool, or one IN / NOT_IN / REGEX test."""
    if isinstance(value, str | bool):
        return True
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((op, arg),) = value.items()
    return (op in ("IN", "NOT_IN") and all(isinstance(v, str) for v in arg)) or (
        op == "REGEX" and isinstance(arg, str))


def _value(value: Any) -> tuple[str, Any]:
    if not isinstance(value, dict):
        return "==", value
    ((op, arg),) = value.items()
    return (op, re.compile(arg)) if op == "REGEX" else (op, frozenset(arg))


def _passes(test: _Test, tag: str, lower: str, space: bool) -> bool:
    for attr, (op, want) in test:
        have: Any = tag if attr == "TAG" else lower if attr == "LOWER" else \
            space if attr == "IS_SPACE" else ""  # DEP: empty in a document without a parse
        if op == "==":
            ok = have == want
        elif op == "IN":
            ok = have in want
        elif op == "NOT_IN":
            ok = have not in want
        else:  # REGEX, as spaCy's Matcher applies it (re.search on the string)
            ok = bool(want.search(have))
        if not ok:
            return False
    return True
