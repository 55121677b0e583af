"""Due dates, as ANNOTATION.md "Due" defines them."""

import datetime as dt

import pytest

from pipeline.extract.dates import find_due, next_meeting_date

MEETING = "2018-11-06"  # a Tuesday


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("report back by 31 March 2025", "2025-03-31"),
        ("circulate by 20th September 17", "2017-09-20"),
        ("a deadline of March 2020 be added", "2020-03"),
        ("tabled to the Committee in 2020", "2020"),
        ("respond within 14 days", "2018-11-20"),
        ("a written response within 6 weeks", "2018-12-18"),
        ("send it out next week", "2018-11-13"),
        ("the following week", "2018-11-13"),
        ("to meet on Saturday morning", "2018-11-10"),
        ("considered by the Panel in 6 months", "2019-05"),
        ("bring it back next month", "2018-12"),
        ("arrange a meeting during August", "2019-08"),
        ("to the December meeting", "2018-12"),
        ("by 1 January", "2019-01-01"),
        ("on 25/07/2019", "2019-07-25"),
    ],
)
def test_due_phrases_resolve_against_the_meeting(text, due):
    assert find_due(text, MEETING).value == due


def test_relative_phrases_need_the_meeting_date():
    assert find_due("respond within 14 days").value is None
    assert find_due("respond within 14 days").text == "within 14 days"


def test_next_meeting_is_resolved_only_when_its_date_is_known():
    assert find_due("report back by the next meeting", MEETING) == find_due("report back by the next meeting")
    assert find_due("report back to the next meeting", MEETING, dt.date(2018, 12, 4)).value == "2018-12-04"


def test_ranges_periods_and_recurring_duties_are_not_deadlines():
    assert find_due("in late 2024/early 2025", MEETING).value is None
    assert find_due("over the next 18 months", MEETING).value is None
    assert find_due("report annually", MEETING).value is None


def test_dates_of_past_meetings_are_not_due_dates():
    assert find_due("the minutes of the meeting held on 5th January, 2016 be approved", MEETING).value is None


def test_next_meeting_date_is_read_from_the_minutes():
    text = "Date of next meeting: Thursday 12th December at 10am."
    assert next_meeting_date(text, dt.date(2019, 9, 25)) == dt.date(2019, 12, 12)


def test_end_of_the_year_is_that_year():
    assert find_due("complete the survey by the end of the year", MEETING).value == "2018"


def test_a_date_after_its_weekday_is_that_date_not_the_next_weekday():
    assert find_due("the Annual Meeting be held on Tuesday 13th May 2025", "2025-04-08").value == "2025-05-13"


def test_a_meeting_to_be_held_is_a_due_date_a_meeting_held_is_not():
    assert find_due("the open day be held on 14 June 2025", "2025-04-08").value == "2025-06-14"
    assert find_due("the minutes of the meeting held on 11 March 2025", "2025-04-08").value is None


def test_an_invitation_to_attend_the_next_meeting_is_due_by_it():
    nxt = dt.date(2025, 3, 11)
    assert find_due("write inviting her to attend the next meeting", "2025-01-14", nxt).value == "2025-03-11"
