"""Tests for storyline.enrich.dates: the brief's seed cases, false positives and the gold set."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from storyline.enrich.dates import resolve_dates
from storyline.errors import ConfigError
from storyline.models import TimeSpan

GOLD = Path(__file__).parent.parent / "data" / "dates_gold.jsonl"
MIN_GOLD_ACCURACY = 0.95

TUE_2024_03_19 = date(2024, 3, 19)
TUE_2024_05_14 = date(2024, 5, 14)


def span_for(sentence: str, published: date, expression: str) -> TimeSpan:
    """The single span the resolver returns overlapping ``expression`` in ``sentence``."""
    start = sentence.index(expression)
    end = start + len(expression)
    hits = [
        s for s in resolve_dates(sentence, published) if s.start_char < end and start < s.end_char
    ]
    assert len(hits) == 1, f"{expression!r} in {sentence!r}: {hits}"
    return hits[0]


def check(
    sentence: str, published: date, expression: str, start: str, end: str, granularity: str
) -> None:
    span = span_for(sentence, published, expression)
    assert (span.start, span.end, span.granularity) == (start, end, granularity), span


# --------------------------------------------------------------------------- seed cases


def test_dates_bare_month_in_future_sentence_is_next_occurrence() -> None:
    s = "Kremlin spokesman Dmitry Peskov said Putin is expected to visit China in May."
    check(s, TUE_2024_03_19, "in May", "2024-05-01", "2024-05-31", "month")
    assert span_for(s, TUE_2024_03_19, "May").label == "2024-05"


def test_dates_second_half_of_month() -> None:
    s = "The second round of talks is scheduled for the second half of May."
    check(s, TUE_2024_03_19, "second half of May", "2024-05-16", "2024-05-31", "part-of-month")


@pytest.mark.parametrize(
    ("expression", "start", "end"),
    [
        ("the first half of May", "2024-05-01", "2024-05-15"),
        ("early May", "2024-05-01", "2024-05-10"),
        ("mid-May", "2024-05-11", "2024-05-20"),
        ("late May", "2024-05-21", "2024-05-31"),
        ("the end of May", "2024-05-21", "2024-05-31"),
    ],
)
def test_dates_parts_of_month(expression: str, start: str, end: str) -> None:
    s = f"The delegation will travel to Beijing in {expression}."
    check(s, TUE_2024_03_19, expression, start, end, "part-of-month")


@pytest.mark.parametrize(
    ("expression", "start", "end"),
    [
        ("this week", "2024-05-13", "2024-05-19"),
        ("next week", "2024-05-20", "2024-05-26"),
        ("last week", "2024-05-06", "2024-05-12"),
    ],
)
def test_dates_weeks_run_monday_to_sunday(expression: str, start: str, end: str) -> None:
    check(f"Ministers meet {expression}.", TUE_2024_05_14, expression, start, end, "week")


def test_dates_weekday_range_in_future_sentence() -> None:
    s = "The summit will take place from Thursday to Friday in the Chinese capital."
    check(s, TUE_2024_05_14, "from Thursday to Friday", "2024-05-16", "2024-05-17", "days")


def test_dates_lone_weekday_follows_tense() -> None:
    check("The court will rule on Thursday.", TUE_2024_05_14, "Thursday", "2024-05-16",
          "2024-05-16", "day")  # fmt: skip
    check("The court ruled on Thursday.", TUE_2024_05_14, "Thursday", "2024-05-09",
          "2024-05-09", "day")  # fmt: skip


def test_dates_weekday_of_publication_is_publication_day() -> None:
    s = "The Kremlin announced Tuesday that Putin would visit China."
    check(s, TUE_2024_03_19, "Tuesday", "2024-03-19", "2024-03-19", "day")


def test_dates_last_month_name_is_previous_year_when_needed() -> None:
    s = "Putin, who visited China last October, met Xi in Beijing."
    check(s, TUE_2024_03_19, "last October", "2023-10-01", "2023-10-31", "month")


@pytest.mark.parametrize(
    ("sentence", "expression", "start", "end", "granularity"),
    [
        ("Inflation slowed last month.", "last month", "2024-02-01", "2024-02-29", "month"),
        ("The plan will be published next month.", "next month", "2024-04-01", "2024-04-30",
         "month"),
        ("Prices rose this month.", "this month", "2024-03-01", "2024-03-31", "month"),
        ("Sales fell last year.", "last year", "2023-01-01", "2023-12-31", "year"),
        ("The mission will launch next year.", "next year", "2025-01-01", "2025-12-31", "year"),
    ],
)  # fmt: skip
def test_dates_relative_months_and_years(
    sentence: str, expression: str, start: str, end: str, granularity: str
) -> None:
    check(sentence, TUE_2024_03_19, expression, start, end, granularity)


@pytest.mark.parametrize(
    "sentence",
    [
        "The agreement was signed on March 19 in Moscow.",
        "The agreement was signed on March 19, 2024 in Moscow.",
        "The agreement was signed on 19 March 2024 in Moscow.",
        "The agreement was signed on 2024-03-19 in Moscow.",
        "The agreement was signed on Tuesday, March 19.",
        "The agreement was signed on Mar. 19, 2024 in Moscow.",
    ],
)
def test_dates_absolute_day_formats(sentence: str) -> None:
    [span] = resolve_dates(sentence, TUE_2024_03_19)
    assert (span.start, span.end, span.granularity) == ("2024-03-19", "2024-03-19", "day")


def test_dates_month_and_year_forms() -> None:
    check("Russia invaded Ukraine in February 2022.", TUE_2024_03_19, "February 2022",
          "2022-02-01", "2022-02-28", "month")  # fmt: skip
    check("The company went public in 2022.", TUE_2024_03_19, "2022", "2022-01-01",
          "2022-12-31", "year")  # fmt: skip
    check("The rules were eased in March last year.", TUE_2024_03_19, "March last year",
          "2023-03-01", "2023-03-31", "month")  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "expression", "start", "end"),
    [
        ("Profit fell in the first quarter.", "the first quarter", "2024-01-01", "2024-03-31"),
        ("Sales are forecast to rise in Q1 2025.", "Q1 2025", "2025-01-01", "2025-03-31"),
        ("The firm posted a loss in the fourth quarter.", "the fourth quarter", "2023-10-01",
         "2023-12-31"),
        ("Deliveries will resume in the fourth quarter.", "the fourth quarter", "2024-10-01",
         "2024-12-31"),
    ],
)  # fmt: skip
def test_dates_quarters(sentence: str, expression: str, start: str, end: str) -> None:
    check(sentence, TUE_2024_03_19, expression, start, end, "quarter")


@pytest.mark.parametrize(
    ("word", "day"), [("yesterday", "2024-03-18"), ("today", "2024-03-19"),
                      ("tomorrow", "2024-03-20")],
)  # fmt: skip
def test_dates_yesterday_today_tomorrow(word: str, day: str) -> None:
    check(f"The minister spoke {word}.", TUE_2024_03_19, word, day, day, "day")


def test_dates_overnight_is_the_night_before_publication_not_an_adjective() -> None:
    check("Police are investigating a ram raid in Ōtāhuhu overnight.", TUE_2024_03_19,
          "overnight", "2024-03-18", "2024-03-19", "day")
    check("A man was stabbed overnight in Ōtara.", TUE_2024_03_19, "overnight",
          "2024-03-18", "2024-03-19", "day")
    assert resolve_dates("Police have stepped up overnight patrols of town centres.",
                         TUE_2024_03_19) == []
    assert resolve_dates("Families booked an overnight stay.", TUE_2024_03_19) == []


def test_dates_ago_and_in_n_are_single_days() -> None:
    check("The firm filed for bankruptcy two weeks ago.", TUE_2024_03_19, "two weeks ago",
          "2024-03-05", "2024-03-05", "day")  # fmt: skip
    check("Parliament will vote on the bill in two weeks.", TUE_2024_03_19, "in two weeks",
          "2024-04-02", "2024-04-02", "day")  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "expression"),
    [
        ("The summit will be held May 16-17.", "May 16-17"),
        ("The summit will be held May 16 to 17.", "May 16 to 17"),
        ("The summit will be held between May 16 and May 17.", "between May 16 and May 17"),
        ("The summit will be held on 16-17 May.", "16-17 May"),
    ],
)
def test_dates_day_ranges(sentence: str, expression: str) -> None:
    check(sentence, TUE_2024_03_19, expression, "2024-05-16", "2024-05-17", "days")


def test_dates_weekends() -> None:
    monday = date(2024, 3, 18)
    check("Thousands protested over the weekend.", monday, "over the weekend", "2024-03-16",
          "2024-03-17", "days")  # fmt: skip
    check("Police will step up patrols this weekend.", TUE_2024_05_14, "this weekend",
          "2024-05-18", "2024-05-19", "days")  # fmt: skip


def test_dates_earlier_this_month_and_end_of_year() -> None:
    check("Farmers protested earlier this month.", TUE_2024_03_19, "earlier this month",
          "2024-03-01", "2024-03-18", "part-of-month")  # fmt: skip
    check("The plant will open by the end of the year.", TUE_2024_03_19, "the end of the year",
          "2024-12-01", "2024-12-31", "month")  # fmt: skip


def test_dates_year_crossing() -> None:
    check("The new tariffs will take effect in January.", date(2024, 12, 30), "January",
          "2025-01-01", "2025-01-31", "month")  # fmt: skip
    check("Sales collapsed last December.", date(2025, 1, 6), "last December", "2024-12-01",
          "2024-12-31", "month")  # fmt: skip
    check("Markets will be closed on Wednesday.", date(2024, 12, 30), "Wednesday",
          "2025-01-01", "2025-01-01", "day")  # fmt: skip


def test_dates_march_8_holiday_is_a_date() -> None:
    check("Shops were closed for the March 8 holiday.", TUE_2024_03_19, "March 8",
          "2024-03-08", "2024-03-08", "day")  # fmt: skip


# --------------------------------------------------------------------------- false positives


@pytest.mark.parametrize(
    "sentence",
    [
        "Putin may visit China, Peskov said.",
        "Protesters may march on parliament.",
        "The court sentenced him to a two-year term.",
        "He was jailed for two years for fraud.",
        "Five sources told Reuters the talks had stalled.",
        "The 5 sources quoted by the newspaper were not named.",
        "Oil prices hit their highest level in three years.",
        "May said the negotiations had been difficult.",
        "Former prime minister Theresa May criticised the plan.",
        "The company sold 2019 units of the new model.",
        "About 2000 troops were deployed.",
        "Good Friday processions were cancelled.",
    ],
)
def test_dates_no_false_positives(sentence: str) -> None:
    assert resolve_dates(sentence, TUE_2024_03_19) == []


# --------------------------------------------------------------------------- API contract


def test_dates_spans_point_into_the_text_in_order() -> None:
    text = (
        "MOSCOW, March 19 (Reuters) - Putin may visit China in May, the Kremlin said on "
        "Tuesday. Xi visited Moscow in March 2023. Talks are set for the second half of May."
    )
    spans = resolve_dates(text, TUE_2024_03_19)
    assert [s.text for s in spans] == [
        "March 19", "May", "Tuesday", "March 2023", "the second half of May",
    ]  # fmt: skip
    for span in spans:
        assert text[span.start_char : span.end_char] == span.text
    assert [s.start_char for s in spans] == sorted(s.start_char for s in spans)


def test_dates_timezone_aware_datetime_uses_its_own_calendar_day() -> None:
    # 23:30 on Monday in New York is already Tuesday in UTC: "yesterday" is read in New York.
    new_york = timezone(timedelta(hours=-4))
    [span] = resolve_dates("Talks ended yesterday.", datetime(2024, 3, 18, 23, 30, tzinfo=new_york))
    assert span.start == "2024-03-17"


def test_dates_tense_hint_applies_only_without_cues() -> None:
    s = "The ministers' meeting in October."
    pub = TUE_2024_03_19
    assert resolve_dates(s, pub)[0].start == "2023-10-01"  # nearest October
    assert resolve_dates(s, pub, tense_hint="future")[0].start == "2024-10-01"
    cued = "The ministers met in October."
    assert resolve_dates(cued, pub, tense_hint="future")[0].start == "2023-10-01"


def test_dates_bad_tense_hint_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        resolve_dates("in May", TUE_2024_03_19, tense_hint="later")  # type: ignore[arg-type]


def test_dates_fast_enough_for_batches() -> None:
    # ~300-word texts dense with dates (about 35 expressions each); the resolver does ~250-300
    # of these and ~2,000 real article chunks per second on the 2-core dev machine
    # (benchmarks/dates_accuracy.py). The bound is loose so a busy CI box does not flake.
    sentences = [row["sentence"] for row in gold_rows()]
    articles = [" ".join(sentences[i : i + 20]) for i in range(0, 200, 20)] * 5
    started = time.perf_counter()
    for text in articles:
        resolve_dates(text, TUE_2024_03_19)
    assert time.perf_counter() - started < 2.0  # 50 dense articles; 25/s at worst


# --------------------------------------------------------------------------- gold set


def gold_rows() -> list[dict]:
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def is_correct(row: dict) -> bool:
    """Exact interval on a span overlapping the gold expression; no span at all for negatives."""
    spans = resolve_dates(row["sentence"], date.fromisoformat(row["published"]))
    if row["expression"] is None:
        return not spans
    start = row["sentence"].index(row["expression"])
    end = start + len(row["expression"])
    return any(
        s.start_char < end and start < s.end_char and (s.start, s.end) == (row["start"], row["end"])
        for s in spans
    )


def test_dates_gold_set_is_well_formed() -> None:
    rows = gold_rows()
    positives = [r for r in rows if r["expression"] is not None]
    assert len(positives) >= 170
    assert len(rows) - len(positives) >= 20
    for r in positives:
        assert r["expression"] in r["sentence"], r
        assert r["start"] <= r["end"], r
        assert r["granularity"] in {"day", "days", "week", "month", "part-of-month", "quarter",
                                    "year"}, r  # fmt: skip


def test_dates_gold_set_accuracy() -> None:
    rows = gold_rows()
    misses = [r for r in rows if not is_correct(r)]
    accuracy = 1 - len(misses) / len(rows)
    print(f"\ndates gold accuracy: {accuracy:.3f} ({len(rows) - len(misses)}/{len(rows)})")
    for r in misses:
        print(f"  miss: {r['published']} {r['sentence']!r} -> {r['expression']!r}")
    assert accuracy >= MIN_GOLD_ACCURACY


def test_dates_participle_after_a_copula_is_not_past() -> None:
    """'will remain closed on Wednesday' looks ahead: the -ed form is an adjective there."""
    text = "Schools across the region will remain closed on Wednesday, officials said."
    (span,) = resolve_dates(text, date(2025, 2, 4))  # a Tuesday
    assert (span.start, span.end) == ("2025-02-05", "2025-02-05")


@pytest.mark.parametrize(("text", "day"), [
    # A perfect passive before the weekday is done, whatever the sentence expects after it.
    ("More than 14,000 claims have been lodged after Sunday's hail storm, and the bill is "
     "expected to top $150 million.", "2024-11-10"),
    ("The boy had been released from hospital on Friday and is expected to recover.",
     "2024-11-08"),
    # "be" with no perfect before it is still no past tense.
    ("The game will be held on Sunday.", "2024-11-17"),
])
def test_dates_a_perfect_passive_points_to_the_past(text: str, day: str) -> None:
    spans = resolve_dates(text, date(2024, 11, 14))  # a Thursday
    assert spans[0].start == day


def test_dates_weekday_next_to_a_named_week_falls_in_that_week() -> None:
    """'next week, from Tuesday to Wednesday' is next week's Tuesday and Wednesday, not this
    week's; a weekday away from the week phrase keeps its own direction."""
    tuesday = date(2025, 2, 18)
    text = ("Kisanga will visit Seoul next week, from Tuesday to Wednesday, the ministry said. "
            "The vote is on Friday next week. Officials said on Monday that talks resume next "
            "week.")
    found = {s.text: (s.start, s.end) for s in resolve_dates(text, tuesday)}
    assert found["from Tuesday to Wednesday"] == ("2025-02-25", "2025-02-26")
    assert found["Friday"] == ("2025-02-28", "2025-02-28")
    assert found["Monday"] == ("2025-02-17", "2025-02-17")
    (last,) = [s for s in resolve_dates("Last week on Monday the plant closed.", tuesday)
               if s.text == "Monday"]
    assert (last.start, last.end) == ("2025-02-10", "2025-02-10")


def test_dates_until_looks_ahead_unless_the_sentence_is_past_before_it() -> None:
    """'until March 14' is a limit still ahead even when 'officials said' follows; a past verb
    before it ('stayed closed until') keeps it in the past."""
    tuesday = date(2025, 2, 18)
    (ahead,) = resolve_dates("The ban lasts until March 14, officials said.", tuesday)
    assert (ahead.start, ahead.end) == ("2025-03-14", "2025-03-14")
    (sunday,) = resolve_dates("The ban lasts until Sunday, officials said.", tuesday)
    assert sunday.start == "2025-02-23"
    (past,) = resolve_dates("The border stayed closed until Sunday, officials said.", tuesday)
    assert past.start == "2025-02-16"


# German, Spanish and French (enrich/foreign_dates.py) -------------------------------------------

FOREIGN = {
    "de": (
        "Putin wird am 16. Mai 2024 nach Peking reisen. Der Kreml hatte gestern bestätigt, "
        "dass der Besuch Mitte Mai stattfindet, wie schon im März angekündigt. Heute Morgen "
        "sagte Peskow, man spreche seit April darüber. Ende Juni folgt ein Gipfel; am "
        "Donnerstag trifft er Xi, und morgen reist August Müller ab.",
        [("16. Mai 2024", "2024-05-16", "2024-05-16", "day"),
         ("gestern", "2024-05-13", "2024-05-13", "day"),
         ("Mitte Mai", "2024-05-11", "2024-05-20", "part-of-month"),
         ("März", "2024-03-01", "2024-03-31", "month"),
         ("Heute", "2024-05-14", "2024-05-14", "day"),
         ("April", "2024-04-01", "2024-04-30", "month"),
         ("Ende Juni", "2024-06-21", "2024-06-30", "part-of-month"),
         ("Donnerstag", "2024-05-16", "2024-05-16", "day"),
         ("morgen", "2024-05-15", "2024-05-15", "day")],
    ),
    "es": (
        "Putin viajará a Pekín el 16 de mayo de 2024. El Kremlin confirmó ayer que la visita "
        "será a mediados de mayo, como se anunció en marzo. Esta mañana, Peskov dijo que "
        "mañana habrá detalles. Hay conversaciones desde abril de 2023; el jueves verá a Xi.",
        [("16 de mayo de 2024", "2024-05-16", "2024-05-16", "day"),
         ("ayer", "2024-05-13", "2024-05-13", "day"),
         ("mediados de mayo", "2024-05-11", "2024-05-20", "part-of-month"),
         ("marzo", "2024-03-01", "2024-03-31", "month"),
         ("mañana", "2024-05-15", "2024-05-15", "day"),
         ("abril de 2023", "2023-04-01", "2023-04-30", "month"),
         ("jueves", "2024-05-16", "2024-05-16", "day")],
    ),
    "fr": (
        "Poutine se rendra à Pékin le 16 mai 2024. Le Kremlin a confirmé hier que la visite "
        "aura lieu mi-mai, comme annoncé en mars. Aujourd'hui, Peskov a dit que demain il y "
        "aurait des détails, le 1er juin au plus tard. Fin juin, un sommet ; jeudi, il verra Xi.",
        [("16 mai 2024", "2024-05-16", "2024-05-16", "day"),
         ("hier", "2024-05-13", "2024-05-13", "day"),
         ("mi-mai", "2024-05-11", "2024-05-20", "part-of-month"),
         ("mars", "2024-03-01", "2024-03-31", "month"),
         ("Aujourd'hui", "2024-05-14", "2024-05-14", "day"),
         ("demain", "2024-05-15", "2024-05-15", "day"),
         ("1er juin", "2024-06-01", "2024-06-01", "day"),
         ("Fin juin", "2024-06-21", "2024-06-30", "part-of-month"),
         ("jeudi", "2024-05-16", "2024-05-16", "day")],
    ),
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(FOREIGN))
def test_dates_german_spanish_french_resolve_like_english(language: str) -> None:
    text, expected = FOREIGN[language]
    spans = resolve_dates(text, TUE_2024_05_14, language=language)
    # weekdays ("am Donnerstag trifft", "el jueves verá", "jeudi, il verra") take the
    # sentence's tense (foreign_tense.py); "Esta mañana" and "heute Morgen" are mornings
    assert [(s.text, s.start, s.end, s.granularity) for s in spans] == expected
    for span in spans:
        assert text[span.start_char : span.end_char] == span.text


def test_dates_foreign_day_without_year_is_the_nearest_occurrence() -> None:
    spans = resolve_dates("Der Gipfel ist am 3. Januar.", date(2024, 12, 20), language="de")
    assert [(s.start, s.granularity) for s in spans] == [("2025-01-03", "day")]


def test_dates_language_chooses_the_patterns() -> None:
    # "hier" is French for yesterday and German for here; English text is read as before
    assert resolve_dates("Wir sind hier.", TUE_2024_05_14, language="de") == []
    assert resolve_dates("Il est arrivé hier.", TUE_2024_05_14, language="fr")[0].start == (
        "2024-05-13"
    )
    english = "Putin will visit China in the second half of May."
    assert resolve_dates(english, TUE_2024_03_19, language="en") == resolve_dates(
        english, TUE_2024_03_19
    )


# --------------------------------------------------------------------------- TempEval-3 work


SUN_2024_03_17 = date(2024, 3, 17)
THU_1989_11_02 = date(1989, 11, 2)


@pytest.mark.parametrize(
    "sentence",
    [
        "Rail unions called a strike from Wednesday over pay.",
        "The union said a walkout starting Wednesday would shut every line.",
        "Ministers announced that the new fares apply effective Wednesday.",
    ],
)
def test_dates_weekday_onset_written_on_sunday_is_the_coming_one(sentence: str) -> None:
    check(sentence, SUN_2024_03_17, "Wednesday", "2024-03-20", "2024-03-20", "day")


def test_dates_weekday_naming_an_event_is_not_an_onset() -> None:
    check("Woman rescued from Friday house fire has died", SUN_2024_03_17, "Friday",
          "2024-03-15", "2024-03-15", "day")  # fmt: skip


def test_dates_weekday_since_or_in_past_stays_past() -> None:
    check("Talks have stalled since Wednesday.", SUN_2024_03_17, "Wednesday",
          "2024-03-13", "2024-03-13", "day")  # fmt: skip
    check("The strike, which began on Wednesday, goes on.", SUN_2024_03_17, "Wednesday",
          "2024-03-13", "2024-03-13", "day")  # fmt: skip


def test_dates_day_without_year_never_nearly_a_year_away() -> None:
    # "said" points to the past, but Nov. 20 of last year is 347 days back: the offer runs
    # to the coming Nov. 20.
    s = "The bank said it extended to Nov. 20 its offer for the brewer."
    check(s, THU_1989_11_02, "Nov. 20", "1989-11-20", "1989-11-20", "day")
    # A near date in the sentence's direction is kept.
    s = "The chain said it closed the store on Oct. 13."
    check(s, THU_1989_11_02, "Oct. 13", "1989-10-13", "1989-10-13", "day")


def test_dates_month_without_year_never_eleven_months_away() -> None:
    s = "The cartel told refiners of a cutback in its supply in September."
    check(s, date(1990, 8, 16), "September", "1990-09-01", "1990-09-30", "month")
    s = "The strike began in November and lasted six weeks."  # ten months back: kept
    check(s, date(2019, 9, 5), "November", "2018-11-01", "2018-11-30", "month")


def test_dates_close_of_business_is_not_a_future_cue() -> None:
    s = "At the close of business Thursday, most shares had been tendered."
    check(s, date(1989, 10, 30), "Thursday", "1989-10-26", "1989-10-26", "day")


@pytest.mark.parametrize(
    ("sentence", "expression", "start", "end", "granularity"),
    [
        ("Profit fell in the year-ago quarter.", "the year-ago quarter",
         "1988-07-01", "1988-09-30", "quarter"),
        ("Sales rose 9% in the latest quarter.", "the latest quarter",
         "1989-07-01", "1989-09-30", "quarter"),
        ("It took a charge in the 1988 second quarter.", "the 1988 second quarter",
         "1988-04-01", "1988-06-30", "quarter"),
        ("The miller expects to report a third-quarter loss.", "third-quarter",
         "1989-07-01", "1989-09-30", "quarter"),
        ("The band split up in mid-1996 after a tour.", "mid-1996",
         "1996-01-01", "1996-12-31", "year"),
        ("In fiscal 1988, the toy maker earned $3 million.", "fiscal 1988",
         "1988-01-01", "1988-12-31", "year"),
        ("The tax grew out of its 1986 reform of pensions.", "1986",
         "1986-01-01", "1986-12-31", "year"),
        ("Prices peaked in the early 1980s.", "the early 1980s",
         "1980-01-01", "1989-12-31", "decade"),
        ("The merger should close by year-end.", "year-end",
         "1989-12-01", "1989-12-31", "month"),
        ("Sales in the current fiscal year will be flat.", "current fiscal year",
         "1989-01-01", "1989-12-31", "year"),
        ("Growth should continue into 1990.", "1990", "1990-01-01", "1990-12-31", "year"),
        ("It lost $5 million in the quarter.", "the quarter",
         "1989-07-01", "1989-09-30", "quarter"),
        ("It lost $5 million in the quarter ended July 31.", "the quarter",
         "1989-04-01", "1989-06-30", "quarter"),
    ],
)  # fmt: skip
def test_dates_financial_and_historical_expressions(
    sentence: str, expression: str, start: str, end: str, granularity: str
) -> None:
    span = span_for(sentence, THU_1989_11_02, expression)
    assert span.text == expression
    assert (span.start, span.end, span.granularity) == (start, end, granularity)


@pytest.mark.parametrize(
    "sentence",
    ["The 2000 employees were told on Monday.", "Its 1995 shares rose.",
     "He paid 1995 dollars for it.", "He was shot in the 1900 block of Salem Avenue."],
)  # fmt: skip
def test_dates_numbers_after_determiners_are_not_years(sentence: str) -> None:
    assert [s.text for s in resolve_dates(sentence, THU_1989_11_02)
            if s.granularity in ("year", "decade")] == []  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "expression", "year"),
    [
        ("In nineteen ninety-one the senator was convicted.", "nineteen ninety-one", "1991"),
        ("The pact was signed in nineteen eleven.", "nineteen eleven", "1911"),
        ("Jobs were promised by the year two thousand.", "the year two thousand", "2000"),
        ("The plant opened a decade ago.", "a decade ago", "1979"),
    ],
)
def test_dates_spoken_years_and_decades_ago(sentence: str, expression: str, year: str) -> None:
    span = span_for(sentence, THU_1989_11_02, expression)
    assert (span.text, span.label, span.granularity) == (expression, year, "year")


@pytest.mark.parametrize("sentence", ["Nineteen people were hurt.", "Two thousand people marched."])
def test_dates_spoken_counts_are_not_years(sentence: str) -> None:
    assert resolve_dates(sentence, THU_1989_11_02) == []


MON_2023_07_31 = date(2023, 7, 31)


@pytest.mark.parametrize(
    ("sentence", "day"),
    [
        ("The council gave the builder until Friday to fix the roof.", "2023-08-04"),
        ("Officials postponed until Friday morning any vote on the levy.", "2023-08-04"),
        ("The curfew lasted until Friday night.", "2023-07-28"),
        ("The road remained closed until Friday.", "2023-07-28"),
        ("Talks went on until Friday.", "2023-07-28"),
    ],
)
def test_dates_until_weekday_is_a_deadline_unless_something_lasted(sentence: str, day: str) -> None:
    check(sentence, MON_2023_07_31, "Friday", day, day, "day")


def test_dates_clock_time_before_weekday_is_part_of_the_expression() -> None:
    s = "Negotiators were given until 9 a.m. EDT Tuesday to sign the deal."
    check(s, MON_2023_07_31, "9 a.m. EDT Tuesday", "2023-08-01", "2023-08-01", "day")
    assert span_for(s, MON_2023_07_31, "Tuesday").text == "9 a.m. EDT Tuesday"
    # "a.m. EDT" does not end the sentence: "will" still points to the coming Thursday.
    s = "The ferry will leave at dawn (5 a.m. EDT Thursday), the operator said."
    check(s, MON_2023_07_31, "Thursday", "2023-08-03", "2023-08-03", "day")
    s = "Talks broke off at noon Sunday."
    check(s, MON_2023_07_31, "noon Sunday", "2023-07-30", "2023-07-30", "day")


@pytest.mark.parametrize(
    "sentence",
    ["She reached the quarter-finals on the grass.", "He lost in the quarter final.",
     "Rents rose in the quarter of the city near the port.", "A quarter of the staff left."],
)  # fmt: skip
def test_dates_quarter_that_is_no_time(sentence: str) -> None:
    assert [s for s in resolve_dates(sentence, THU_1989_11_02) if s.granularity == "quarter"] == []
