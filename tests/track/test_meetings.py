"""Bodies' calendars and due dates that depend on them."""

from __future__ import annotations

import pytest

from pipeline.track.meetings import (
    CalendarEntry,
    Doc,
    Due,
    build_calendar,
    due_passed,
    resolve_due,
    stated_next_meeting,
    with_inferred_meta,
)

CALENDAR = [
    CalendarEntry("2025-01-14", "store"),
    CalendarEntry("2025-03-11", "store"),
    CalendarEntry("2025-06-17", "stated"),
]


@pytest.mark.parametrize(
    ("text", "due", "due_text", "expected"),
    [
        (
            "report back by the next meeting",
            None,
            "by the next meeting",
            Due("2025-03-11", "next_meeting", CALENDAR[1]),
        ),
        (
            "a briefing before the next board",
            None,
            "before the next board",
            Due("2025-03-11", "next_meeting", CALENDAR[1]),
        ),
        ("an update to the June meeting", "2025-06", "to the June", Due("2025-06-17", "next_meeting", CALENDAR[2])),
        # no September meeting known yet: the extractor's month stands until one is
        ("report to the September meeting", "2025-09", "to the September", Due("2025-09", "next_meeting")),
        ("circulate the figures by 31 March 2025", "2025-03-31", "31 March 2025", Due("2025-03-31", "stated")),
        ("report to the Committee by March 2026", "2026-03", "by March 2026", Due("2026-03", "stated")),
        ("circulate the forecasts within 14 days", "2025-01-28", "within 14 days", Due("2025-01-28", "relative")),
        ("once the inspection report is published", None, "once the inspection report is published", Due(None, "none")),
    ],
)
def test_due_dates_and_how_they_were_derived(text, due, due_text, expected):
    assert resolve_due(text, due, due_text, "2025-01-14", CALENDAR) == expected


def test_by_the_next_meeting_stays_open_ended_until_a_later_meeting_is_known():
    due = resolve_due("a briefing by the next meeting", None, "by the next meeting", "2025-03-11", CALENDAR[:2])
    assert due == Due(None, "next_meeting")


@pytest.mark.parametrize(
    ("due", "as_of", "passed"),
    [
        (Due("2025-04-04", "stated"), "2025-04-04", False),
        (Due("2025-04-04", "stated"), "2025-04-05", True),
        (Due("2025-07", "relative"), "2025-07-31", False),
        (Due("2025-07", "relative"), "2025-08-01", True),
        (Due("2026", "stated"), "2026-12-31", False),
        (Due(None, "next_meeting"), "2030-01-01", False),
    ],
)
def test_when_a_due_date_has_passed(due, as_of, passed):
    assert due_passed(due, as_of, set()) is passed


def test_a_due_meeting_has_passed_once_its_minutes_are_stored():
    due = Due("2025-05-13", "next_meeting")
    assert due_passed(due, "2025-05-13", {"2025-05-13"})
    assert not due_passed(due, "2025-05-13", set())


def test_the_next_meeting_stated_in_minutes_skips_an_action_logs_next_meeting_column(corpus_path):
    text = corpus_path("minutes/northmoor-cyp-scrutiny-2025-05-13.txt").read_text(encoding="utf-8")
    # the action log has "Next meeting | Complete – circulated 2 May 2025" before Minute 77's date
    assert stated_next_meeting(text, "2025-05-13") == "2025-07-08"


def test_a_stated_date_without_a_year_is_the_next_such_day():
    assert stated_next_meeting("Date of next meeting: Thursday 12th December", "2024-11-19") == "2024-12-12"
    assert stated_next_meeting("Date of next meeting: Tuesday 14th January", "2024-11-19") == "2025-01-14"


def test_a_calendar_holds_stored_meetings_and_stated_next_meetings(corpus_path):
    docs = [
        Doc(f"d{n}", name, corpus_path(f"minutes/{name}.txt").read_text(encoding="utf-8"), "nc", "nc/cyp", date)
        for n, (name, date) in enumerate(
            [("northmoor-cyp-scrutiny-2025-01-14", "2025-01-14"), ("northmoor-cyp-scrutiny-2025-05-13", "2025-05-13")]
        )
    ]
    entries = build_calendar(docs)["nc/cyp"]
    assert [(e.date, e.source) for e in entries] == [
        ("2025-01-14", "store"),
        ("2025-03-11", "stated"),  # "The next meeting … will be held on Tuesday 11 March 2025"
        ("2025-05-13", "store"),
        ("2025-07-08", "stated"),
    ]


def test_a_document_without_metadata_gets_its_meeting_from_its_text(corpus_path):
    text = corpus_path("minutes/ashcombe-council-2025-03-05.txt").read_text(encoding="utf-8")
    doc = with_inferred_meta(Doc("d", "x.txt", text, None, None, None))
    assert (doc.council_id, doc.committee_id, doc.meeting_date) == (
        "ashcombe-district-council",
        "ashcombe-district-council/council",
        "2025-03-05",
    )
    assert doc.meta_source == "inferred"
    assert doc.meeting_id == "ashcombe-district-council/council/2025-03-05"


def test_stored_metadata_wins_over_the_text():
    doc = Doc(
        "d",
        "x.txt",
        "Minutes of the meeting of the Audit Panel held on Monday 15 January 2024",
        "c",
        "c/p",
        "2024-01-16",
    )
    assert with_inferred_meta(doc) == doc
