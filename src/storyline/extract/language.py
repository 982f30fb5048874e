"""The language of an article's text, for the stages that read it (dates, entities)."""

from __future__ import annotations

__all__ = ["detect_language"]


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language (py3langid), or None for very short texts."""
    if len(text.split()) < 3:
        return None
    import py3langid

    code, _ = py3langid.classify(text)
    return str(code)
