"""Outlet sign-offs learned from the stream (``extract/repeated.py``)."""

from __future__ import annotations

from datetime import UTC, datetime

from storyline.extract.repeated import MIN_ARTICLES, OutletTails, segments
from storyline.models import Article

SIGNOFF = ("Anyone with information is asked to call Crime Stoppers at 937-222-7867.\n"
           "Copyright 2024 WDVT. All rights reserved.")
BODIES = [
    f"{lead} Officers arrived within {minutes} minutes and spoke with neighbours, who described"
    " what they had seen and heard."
    for lead, minutes in [
        ("A man was shot on Salem Avenue on Monday night. He died at the hospital.", "two"),
        ("A house fire on Kammer Avenue hurt a firefighter early Wednesday. The house was"
         " empty.", "four"),
        ("A woman was robbed at a Brown Street pharmacy on Thursday. Police released photos.",
         "six"),
        ("A teenager was reported missing from the Belmont area. Her mother asked for help.",
         "nine"),
    ]
]


def _article(n: int, body: str, *, outlet: str | None = "WDVT 9 News",
             title: str | None = None, url: str | None = None) -> Article:
    return Article(id=f"a{n}", title=title or f"Story {n}", text=body,
                   published=datetime(2024, 10, 8 + n, tzinfo=UTC), authors=[], outlet=outlet,
                   url=url, language="en", source=f"test:{n}", raw_kind="jsonl")


def test_repeated_signoff_is_cut_from_every_article_of_the_outlet() -> None:
    articles = [_article(i, f"{body}\n{SIGNOFF}") for i, body in enumerate(BODIES)]
    tails = OutletTails()
    tails.learn(articles)
    assert tails.strip(articles) == len(BODIES)
    assert [a.text for a in articles] == BODIES


def test_signoff_needs_enough_articles_with_different_headlines() -> None:
    few = [_article(i, f"{body}\n{SIGNOFF}") for i, body in enumerate(BODIES[:MIN_ARTICLES - 1])]
    tails = OutletTails()
    tails.learn(few)
    assert tails.strip(few) == 0
    # Re-posts of one article (one headline) are not several articles.
    reposts = [_article(i, f"{BODIES[0]}\n{SIGNOFF}", title="Same story") for i in range(5)]
    tails = OutletTails()
    tails.learn(reposts)
    assert tails.strip(reposts) == 0


def test_signoffs_are_per_outlet() -> None:
    wdvt = [_article(i, f"{body}\n{SIGNOFF}") for i, body in enumerate(BODIES)]
    other = _article(9, f"{BODIES[0]}\n{SIGNOFF}", outlet="Dayton Courier")
    tails = OutletTails()
    tails.learn([*wdvt, other])
    tails.strip([other])
    assert other.text.endswith("All rights reserved.")


def test_outlet_falls_back_to_the_url_host() -> None:
    articles = [_article(i, f"{body}\n{SIGNOFF}", outlet=None,
                         url=f"https://www.wdvt.test/news/{i}") for i, body in enumerate(BODIES)]
    tails = OutletTails()
    tails.learn(articles)
    assert tails.strip(articles) == len(BODIES)


def test_only_the_closing_run_is_cut_never_a_real_last_sentence() -> None:
    articles = [_article(i, f"{body}\n{SIGNOFF}") for i, body in enumerate(BODIES)]
    # The sign-off sits above a closing sentence of this article's own: nothing is cut.
    own = _article(7, f"{BODIES[0]}\n{SIGNOFF}\nThe victim's family will hold a vigil on Friday.")
    tails = OutletTails()
    tails.learn([*articles, own])
    tails.strip([own])
    assert own.text.endswith("vigil on Friday.")


def test_never_cuts_more_than_half_a_body() -> None:
    articles = [_article(i, f"{body}\n{SIGNOFF}") for i, body in enumerate(BODIES)]
    short = _article(8, f"Shots fired.\n{SIGNOFF}")
    tails = OutletTails()
    tails.learn([*articles, short])
    tails.strip([short])
    assert short.text.startswith("Shots fired.") and "Crime Stoppers" in short.text


def test_segments_are_lines_cut_into_sentences() -> None:
    text = "One sentence here. Another one!\n\nA line\n  \nLast."
    assert [text[a:b] for a, b in segments(text)] == [
        "One sentence here.", "Another one!", "A line", "Last."]


def test_a_long_signoff_with_a_short_line_inside_is_cut_whole() -> None:
    """Five closing segments, one of them short ("Got a story?"): all of them go, and a
    short real last line after a real closing sentence stays."""
    block = ("Anyone with information is asked to contact Policelink on 131 444 or Crime "
             "Stoppers on 1800 333 000. Information can be given anonymously.\n\n"
             "Got a story? Email news@echo.example. The Echo is in letterboxes every Wednesday.")
    bodies = [f"{body}\n{body}" for body in BODIES]  # the block is under half of each
    articles = [_article(i, f"{body}\n\n{block}") for i, body in enumerate(bodies)]
    short_end = _article(9, f"{BODIES[0]}\n\nShe said: no.", title="Another story")
    tails = OutletTails()
    tails.learn([*articles, short_end])
    assert tails.strip([*articles, short_end]) == len(bodies)
    assert [a.text for a in articles] == bodies
    assert short_end.text.endswith("She said: no.")
