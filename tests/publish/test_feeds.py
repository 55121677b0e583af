"""The councillor's subscriptions: an Atom feed of new actions (datasette-atom) and a calendar of due dates
(datasette-ics), both canned queries in datasette_metadata.json written to those plugins' column contracts."""

from __future__ import annotations

import asyncio
import calendar
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import icalendar
from datasette.app import Datasette

from pipeline.publish import PLUGINS_DIR

ATOM = "{http://www.w3.org/2005/Atom}"
CYPS = "northmoor-county-council/children-and-young-people-scrutiny-committee"
HOST = "http://localhost"  # ds.client's requests go to this host


class Text(HTMLParser):
    """The visible text of an HTML fragment, and the targets of its links."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])

    def handle_data(self, data):
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def entries(get, path: str) -> list[ET.Element]:
    r = get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(r.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def test_atom_feed_lists_every_action_with_its_context(get, db):
    found = entries(get, "/minutes/action_feed.atom")
    actions = {
        r["id"]: r for r in db.execute("select a.*, i.source_text, i.seq from actions a join items i on i.id = a.id")
    }
    assert len(found) == len(actions)
    for entry in found:
        action = actions[entry.findtext(f"{ATOM}id").removeprefix("tag:council-minutes-tracker,2025:action:")]
        assert entry.findtext(f"{ATOM}title") == f"{action['reference']}: {action['text']}"
        content = Text(entry.findtext(f"{ATOM}content"))
        body = action["committee"] or action["council"] or "body not known"
        assert body in content.text and f"meeting of {action['meeting_date'] or 'unknown date'}" in content.text
        assert f"Owner: {action['owner'] or action['owner_raw'] or 'not named'}" in content.text
        assert f"Due: {action['due_in_force'] or action['due'] or 'no date given'}" in content.text
        assert f"Status: {action['status']}" in content.text
        assert action["source_text"] in content.text
        passage = f"{HOST}/-/document/{action['document_id']}#item-{action['seq']}"
        assert content.links == [passage] and entry.find(f"{ATOM}link").get("href") == passage


def test_atom_feed_for_a_committee_and_a_search(get, db):
    found = entries(get, "/minutes/action_feed.atom?committee=CYPS&q=EHCP")
    expected = {
        r[0]
        for r in db.execute(
            "select a.id from actions a join items i on i.id = a.id join items_fts on items_fts.rowid = i.rowid "
            "where a.committee_id = ? and items_fts match 'EHCP'",
            [CYPS],
        )
    }
    assert expected and {e.findtext(f"{ATOM}id").rsplit(":action:", 1)[1] for e in found} == expected


def test_atom_feed_with_nothing_to_say_is_still_a_valid_feed(get):
    # datasette-atom fails on an empty result, so the query says so in one entry
    (entry,) = entries(get, "/minutes/action_feed.atom?q=zebra+crossing+giraffe")
    assert entry.findtext(f"{ATOM}title") == "No actions match this feed yet"


def deadline_day(due: str) -> str:
    if len(due) == 10:
        return due
    year, month = int(due[:4]), int(due[5:7]) if len(due) == 7 else 12
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def test_calendar_has_one_event_per_outstanding_deadline(get, db):
    r = get("/minutes/due_dates.ics")
    assert r.status_code == 200 and r.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(r.content)
    assert str(cal["X-WR-CALNAME"]) == "Due dates of outstanding actions"
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    expected = {
        f"{r['id']}@council-minutes-tracker": r
        for r in db.execute(
            "select a.*, coalesce(a.due_in_force, a.due) as deadline, i.source_text from actions a "
            "join items i on i.id = a.id where a.status != 'done' and coalesce(a.due_in_force, a.due) is not null"
        )
    }
    assert expected and set(events) == set(expected)
    for uid, event in events.items():
        action = expected[uid]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.date().isoformat() == deadline_day(action["deadline"])
        assert (start.hour, start.utcoffset().total_seconds(), (end - start).seconds) == (9, 0, 1800)
        assert str(event["summary"]).startswith(f"Due: {action['text']}")
        description = str(event["description"])
        assert f"Status: {action['status']}" in description and action["source_text"] in description
        assert f"{HOST}/-/document/{action['document_id']}#item-" in description


def test_calendar_for_one_committee(get, db):
    cal = icalendar.Calendar.from_ical(get("/minutes/due_dates.ics?committee=CYPS").content)
    (n,) = db.execute(
        "select count(*) from actions where committee_id = ? and status != 'done' and coalesce(due_in_force, due) is not null",
        [CYPS],
    ).fetchone()
    assert n and len(cal.walk("VEVENT")) == n


def test_feeds_are_offered_on_the_outstanding_actions_page_for_the_same_selection(get):
    html = get("/minutes/outstanding_actions?committee=CYPS&q=EHCP&status=overdue").text
    assert 'href="/minutes/action_feed.atom?committee=CYPS&amp;q=EHCP"' in html
    assert 'href="/minutes/due_dates.ics?committee=CYPS&amp;q=EHCP"' in html
    assert 'href="/minutes/action_feed.atom"' in get("/minutes/action_register").text


def test_links_use_the_configured_site_url(minutes_db, metadata):
    configured = {**metadata, "plugins": {"council-minutes": {"database": "minutes", "site_url": "https://x.example/"}}}
    ds = Datasette([str(minutes_db)], metadata=configured, plugins_dir=str(PLUGINS_DIR))
    asyncio.run(ds.invoke_startup())
    r = asyncio.run(ds.client.get("/minutes/action_feed.atom?committee=CYPS"))
    links = [e.find(f"{ATOM}link").get("href") for e in ET.fromstring(r.content).findall(f"{ATOM}entry")]
    assert links and all(link.startswith("https://x.example/-/document/") for link in links)
