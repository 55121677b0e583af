"""The polite HTTP client: spacing, bounded backoff, conditional GET, gzip and one-line failures (issue 8)."""

from __future__ import annotations

import socket

import pytest
from fake_moderngov import SITE

from pipeline.sources.http import Client, FetchFailed

pytestmark = pytest.mark.issue(8)


class Clock:
    """Time that passes only when the client sleeps."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def client(clock: Clock, **options) -> Client:
    return Client(sleep=clock.sleep, clock=clock.now, **{"delay": 0, "timeout": 5, **options})


def test_requests_are_spaced_by_the_delay(fake):
    clock = Clock()
    c = client(clock, delay=2)
    url = f"{fake.url}/mgWebService.asmx/GetCommittees"
    c.get(url)
    c.get(url)
    clock.t += 5  # the caller took its time: no need to wait again
    c.get(url)
    assert clock.slept == [2.0]
    assert c.stats.requests == 3


def test_backoff_doubles_and_is_capped(fake):
    fake.fail("GetCommittees", "500")
    clock = Clock()
    c = client(clock, retries=4, backoff=1, max_backoff=3)
    url = f"{fake.url}/mgWebService.asmx/GetCommittees"
    with pytest.raises(FetchFailed) as e:
        c.get(url)
    assert str(e.value) == f"{url}: HTTP 500 Internal Server Error (5 attempts)"
    assert clock.slept == [1, 2, 3, 3]
    assert fake.requested() == ["GetCommittees"] * 5


def test_retry_after_is_honoured_within_the_cap(fake):
    fake.fail("GetMeetings:10", "flaky")  # 503 with Retry-After: 1, twice
    clock = Clock()
    response = client(clock, retries=3, backoff=0.1).get(f"{fake.url}/mgWebService.asmx/GetMeetings?lCommitteeId=10")
    assert response.status == 200 and b"<meetingid>101</meetingid>" in response.body
    assert clock.slept == [1.0, 1.0]


def test_a_firewall_refusal_is_final_at_once(fake):
    fake.fail("GetCommittees", "403")
    url = f"{fake.url}/mgWebService.asmx/GetCommittees"
    with pytest.raises(FetchFailed) as e:
        client(Clock(), retries=3).get(url)
    reason = "HTTP 403 Forbidden (the site refused the request; it may block automated access from this network)"
    assert str(e.value) == f"{url}: {reason}"
    assert fake.requested() == ["GetCommittees"]


def test_a_missing_page_names_its_address(fake):
    url = f"{fake.url}/mgWebService.asmx/GetMeeting?lMeetingId=404"
    with pytest.raises(FetchFailed, match=r"lMeetingId=404: HTTP 404 Not Found \(no such page on the site\)$"):
        client(Clock()).get(url)


def test_a_conditional_get_of_an_unchanged_page_is_answered_304_without_a_body(fake):
    c = client(Clock())
    url = f"{fake.url}/mgWebService.asmx/GetMeeting?lMeetingId=101"
    first = c.get(url)
    assert first.status == 200 and first.etag and first.last_modified
    by_etag = c.get(url, etag=first.etag)
    by_date = c.get(url, last_modified=first.last_modified)
    assert (by_etag.status, by_etag.body, by_date.status) == (304, b"", 304)
    assert by_etag.etag == first.etag and c.stats.not_modified == 2
    assert [h.bytes for h in fake.hits][1:] == [0, 0]


def test_gzip_is_asked_for_and_undone(fake):
    c = client(Clock())
    response = c.get(f"{fake.url}/mgWebService.asmx/GetMeeting?lMeetingId=101")
    assert response.body == (SITE / "GetMeeting-101.xml").read_bytes().replace(b"SITE-HOST", b"127.0.0.1")
    assert c.stats.bytes == fake.hits[0].bytes < len(response.body) / 2


def test_a_body_over_the_limit_is_refused(fake):
    url = f"{fake.url}/mgConvert2PDF.aspx?ID=502"
    with pytest.raises(FetchFailed) as e:
        client(Clock(), max_bytes=1000).get(url)
    assert str(e.value) == f"{url}: response is over the limit of 1,000 bytes"


def test_a_server_that_is_not_there_is_retried_then_reported():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mgWebService.asmx/GetCommittees"
    clock = Clock()
    with pytest.raises(
        FetchFailed, match=r"^http://127\.0\.0\.1:\d+/mgWebService\.asmx/GetCommittees: cannot connect \("
    ):
        client(clock, retries=1, backoff=0.5).get(url)
    assert clock.slept == [0.5]
