"""Reading the ModernGov web service's XML and turning a meeting into minutes (pure functions, issue 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.readers import read
from pipeline.sources.moderngov import (
    BadServiceResponse,
    LinkedDoc,
    Meeting,
    MeetingItem,
    clean_title,
    document_url,
    minutes_documents,
    minutes_html,
    minutes_status,
    numbered,
    parse_committees,
    parse_meeting,
    parse_meetings,
    site_base,
    source_path,
    uk_date,
)
from pipeline.structure import structure

pytestmark = pytest.mark.issue(8)

SITE = Path(__file__).resolve().parent / "moderngov_site"


def xml(name: str) -> bytes:
    return (SITE / name).read_bytes()


def test_committees_are_listed_with_titles_decoded_twice():
    committees = parse_committees(xml("GetCommittees.xml"), "u")
    assert [(c.id, c.title, c.deleted) for c in committees] == [
        ("10", "Children and Young People Scrutiny Committee", False),
        ("20", "Health & Wellbeing Board", False),
        ("30", "Cabinet Advisory Panel (closed)", True),
    ]


def test_meetings_are_listed_with_iso_dates():
    assert [(m.id, m.date) for m in parse_meetings(xml("GetMeetings-20.xml"), "u")] == [
        ("201", "2025-03-26"),
        ("202", "2025-06-25"),
    ]


def test_an_empty_meeting_list_is_an_answer_not_an_error():
    data = b'<?xml version="1.0"?><meetings><meetingscount>0</meetingscount></meetings>'
    assert parse_meetings(data, "u") == []


def test_a_meeting_keeps_nothing_of_its_restricted_items():
    meeting = parse_meeting(xml("GetMeeting-101.xml"), "u")
    assert meeting.withheld == ("48",)
    assert [i.number for i in meeting.items] == ["40", "41", "42", "43", "44", "45", "46", "47", "49"]
    assert "QUILLWORT" not in repr(meeting) and "Ravenscar" not in repr(meeting)


def test_items_hidden_from_the_public_site_count_as_restricted():
    meeting = parse_meeting(xml("GetMeeting-102.xml"), "u")
    assert meeting.withheld == ("63",) and "MARSHWORT" not in repr(meeting)


def test_restricted_documents_are_dropped_as_they_are_read():
    meeting = parse_meeting(xml("GetMeeting-103.xml"), "u")
    assert [d.id for d in meeting.documents] == ["500", "501"]  # 991, the exempt minutes, is gone


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"<meeting><meetingid>1</meeting>",
            "u: malformed XML from the web service (mismatched tag: line 1, column 23)",
        ),
        (
            b"<html><body>Access denied</body></html>",
            "u: not a ModernGov meeting response (the document element is <html>)",
        ),
        (b"<meeting><meetingdate>01/02/2025</meetingdate></meeting>", "u: the meeting has no meetingid"),
    ],
)
def test_what_is_not_a_meeting_is_refused_on_one_line(data, message):
    with pytest.raises(BadServiceResponse) as e:
        parse_meeting(data, "u")
    assert str(e.value) == message


def test_a_namespaced_response_reads_the_same():
    data = xml("GetMeeting-99.xml").replace(b"<meeting>", b'<meeting xmlns="http://tempuri.org/">', 1)
    assert parse_meeting(data, "u") == parse_meeting(xml("GetMeeting-99.xml"), "u")


@pytest.mark.parametrize(
    ("text", "iso"),
    [("14/01/2025", "2025-01-14"), ("4/1/2025 00:00:00", "2025-01-04"), ("2025-01-14T10:00:00", "2025-01-14"),
     ("31/02/2025", None), ("", None)],
)  # fmt: skip
def test_service_dates_are_day_first(text, iso):
    assert uk_date(text) == iso


@pytest.mark.parametrize(
    ("raw", "title"),
    [("Health &amp;amp; Wellbeing Board", "Health & Wellbeing Board"), ("Children&amp;#39;s Services", "Children's Services"),
     ("Budget &amp; Council Tax", "Budget & Council Tax"), ("Plain title\u00a0 here", "Plain title here")],
)  # fmt: skip
def test_titles_lose_every_layer_of_encoding(raw, title):
    assert clean_title(raw) == title


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://democracy.example.gov.uk", "https://democracy.example.gov.uk"),
        ("https://Democracy.Example.gov.uk/", "https://democracy.example.gov.uk"),
        ("https://democracy.example.gov.uk/mgWebService.asmx", "https://democracy.example.gov.uk"),
        ("https://democracy.example.gov.uk/ieListMeetings.aspx?CId=130", "https://democracy.example.gov.uk"),
        ("https://www.example.gov.uk/moderngov/mgCalendarMonthView.aspx", "https://www.example.gov.uk/moderngov"),
    ],
)
def test_any_address_on_the_site_gives_its_root(given, base):
    assert site_base(given) == base


def test_a_site_must_be_a_web_address():
    with pytest.raises(ValueError, match="not an http:// or https:// address"):
        site_base("democracy.example.gov.uk")


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("http://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=5", "https://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=5"),
        ("http://democracy.example.gov.uk:8080/mgConvert2PDF.aspx?ID=5", "https://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=5"),
        ("documents/s5/Printed minutes.pdf", "https://democracy.example.gov.uk/documents/s5/Printed%20minutes.pdf"),
        ("http://cdn.example.net/minutes.pdf", "http://cdn.example.net/minutes.pdf"),  # another host is left alone
    ],
)  # fmt: skip
def test_links_are_fetched_from_the_sites_own_address(link, url):
    assert document_url(link, "https://democracy.example.gov.uk") == url


def test_each_meeting_has_one_stable_name():
    assert source_path("https://democracy.example.gov.uk", "meeting", "17355") == (
        "moderngov://democracy.example.gov.uk/meeting/17355"
    )


@pytest.mark.parametrize(
    ("number", "heading"),
    [("43", "43. Budget"), ("112/24", "112/24 Budget"), ("25.04.01", "25.04.01 Budget"), (None, "Budget")],
)
def test_item_headings_print_the_minute_number(number, heading):
    assert numbered(number, "Budget") == heading


def test_minutes_html_reads_back_as_agenda_items_with_sections():
    meeting = parse_meeting(xml("GetMeeting-102.xml"), "u")
    data = minutes_html(meeting, "Children and Young People Scrutiny Committee", "Northmoor County Council")
    doc = structure(read("minutes.html", data=data))
    assert [(a.number, a.title) for a in doc.agenda_items][:2] == [
        ("55.", "Apologies for absence"),
        ("56.", "Declarations of interest"),
    ]
    transport = doc.agenda_items[4]
    assert transport.title == "Home to School Transport Policy Review"
    assert [s.label for s in transport.sections][:2] == ["decision", "minutes"]
    meta = (doc.meta.council, doc.meta.committee, doc.meta.meeting_date)
    assert meta == ("Northmoor County Council", "Children and Young People Scrutiny Committee", "2025-03-11")


def test_minutes_html_depends_only_on_the_meeting():
    meeting = parse_meeting(xml("GetMeeting-101.xml"), "u")
    assert minutes_html(meeting, "C", "N") == minutes_html(parse_meeting(xml("GetMeeting-101.xml"), "u"), "C", "N")


def doc(title: str, on_item: bool = False) -> LinkedDoc:
    return LinkedDoc(title, f"https://s/{title}", on_item=on_item)


def test_the_approved_minutes_file_is_preferred_and_the_previous_meetings_is_never_taken():
    previous = MeetingItem(
        "3", "Minutes of the previous meeting", documents=(doc("Minutes , 13/05/2025 Cabinet", True),)
    )
    today = MeetingItem("9", "Any other business", documents=(doc("Printed minutes 08th-Jul-2025 Cabinet", True),))
    meeting = Meeting(
        "104",
        "2025-07-08",
        items=(previous, today),
        documents=(doc("Draft minutes 08th-Jul-2025"), doc("Agenda frontsheet"), doc("Public reports pack")),
    )
    assert [d.title for d in minutes_documents(meeting)] == [
        "Printed minutes 08th-Jul-2025 Cabinet",
        "Draft minutes 08th-Jul-2025",
    ]
    assert minutes_status(meeting) == "draft"
    assert minutes_status(meeting, minutes_documents(meeting)[0]) == "published"
