"""The three journeys of docs/publishing.md, walked in Chromium against a real `datasette serve`.

Each test starts where a person would (the home page or a link they were sent), clicks and
types as they would, and checks what they see against the database.
"""

from __future__ import annotations

import calendar
import csv
import io
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import icalendar
import pytest

from pipeline.publish.document_page import agenda_label
from pipeline.publish.server import SETTINGS

pytestmark = pytest.mark.browser

CYPS = "northmoor-county-council/children-and-young-people-scrutiny-committee"
ATOM = "{http://www.w3.org/2005/Atom}"


def column(page, name: str) -> list[str]:
    """The cells of one column of the results table, as shown ("" for an empty cell, which Datasette fills with &nbsp;)."""
    cells = page.locator(f"table.rows-and-columns td.col-{name}").all_inner_texts()
    return ["" if cell == "\xa0" else cell for cell in cells]


def fetch(page, link):
    """GET what a link points at (a feed, an export), as a feed reader given its address would."""
    return page.request.get(urljoin(page.url, link.get_attribute("href")))


def follow(page, locator) -> None:
    """Click a link or button and wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()


def follow_link(page, name: str) -> None:
    follow(page, page.get_by_role("link", name=name, exact=True))


def run_query(page, **params: str) -> None:
    """Fill a canned query's parameter boxes and press Run SQL, as a visitor would."""
    for name, value in params.items():
        page.get_by_label(name, exact=True).fill(value)
    follow(page, page.get_by_role("button", name="Run SQL"))


def shown(text: str) -> str:
    """A cell's text as Datasette shows it: cut at truncate_cells_html characters when the site sets it."""
    limit = int(SETTINGS.get("truncate_cells_html", 0))
    return text if not limit or len(text) <= limit else text[:limit] + "…"


# --- 1. democratic services officer ----------------------------------------------------------


def deadline_day(due: str) -> str:
    """The day a deadline is put on in the calendar: the day itself, or the last day of its month or year."""
    if len(due) == 10:
        return due
    year, month = int(due[:4]), int(due[5:7]) if len(due) == 7 else 12
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def test_home_page_says_what_the_site_holds_and_how_fresh_it_is(page, server, db, new_minutes):
    page.goto(server)
    summary = page.locator(".site-summary").inner_text()
    items, actions, documents = db.execute(
        "select (select count(*) from items), (select count(*) from items where action = 1), (select count(*) from documents)"
    ).fetchone()
    assert (
        f"This site holds {items:,} decisions, recommendations and undertakings, {actions:,} of them actions" in summary
    )
    assert f"found in {documents:,} sets of minutes" in summary
    # the minutes the officer has just added are the latest meeting
    assert (
        f"The latest meeting ingested is the {new_minutes['committee']} of {new_minutes['council']} on 13 May 2025"
        in summary
    )


def test_officer_sees_the_new_minutes_items_first(page, server, db, new_minutes):
    page.goto(server)
    follow_link(page, "items from the latest minutes")
    expected = [
        r["text"] for r in db.execute("select text from items where document_id = ? order by seq", [new_minutes["id"]])
    ]
    assert expected
    texts = column(page, "text")
    assert texts[: len(expected)] == [shown(t) for t in expected]
    assert set(column(page, "meeting_date")[: len(expected)]) == {new_minutes["meeting_date"]}


def test_officer_opens_the_committee_register_and_narrows_it_to_overdue(page, server, db):
    page.goto(server)
    follow_link(page, "action register")
    run_query(page, committee="CYPS")
    register = db.execute(
        "select reference, status from actions where committee_id = ? order by meeting_date, document_id, start", [CYPS]
    ).fetchall()
    assert column(page, "reference") == [r["reference"] for r in register]
    assert column(page, "status") == [r["status"] for r in register]
    assert {"open", "done"} <= set(column(page, "status"))  # the register reads the later minutes

    run_query(page, status="overdue")
    overdue = [r["reference"] for r in register if r["status"] == "overdue"]
    assert overdue and column(page, "reference") == overdue
    assert set(column(page, "status")) == {"overdue"}


def test_officer_follows_an_action_to_its_highlighted_passage(page, server, db):
    page.goto(f"{server}minutes/action_register?committee=CYPS&status=overdue")
    reference = column(page, "reference")[0]
    action = db.execute(
        "select a.*, i.source_text, i.seq from actions a join items i on i.id = a.id where a.reference = ?", [reference]
    ).fetchone()
    follow(page, page.locator("table.rows-and-columns tbody tr").first.get_by_role("link", name="source"))
    assert page.url.endswith(f"/-/document/{action['document_id']}#item-{action['seq']}")

    card = page.locator(".item-card:target")
    assert card.is_visible()
    details = card.inner_text()
    assert agenda_label(action["minute_number"], action["agenda_item"]) in details
    assert "page" in details and "status: overdue" in details

    passage = page.locator(".item-card:target + mark")
    assert passage.inner_text() == action["source_text"]
    box, viewport = passage.bounding_box(), page.viewport_size
    assert box and 0 <= box["y"] < viewport["height"]  # scrolled to the passage
    other = page.locator("mark.item:not(.item-card:target + mark)").first
    background = "e => getComputedStyle(e).backgroundColor"
    assert passage.evaluate(background) != other.evaluate(background)  # the target stands out


# --- 2. councillor ---------------------------------------------------------------------------


def test_councillor_searches_for_ehcp_across_items_and_documents(page, server, db):
    page.goto(server)
    follow_link(page, "search minutes and items")
    run_query(page, q="EHCP")
    n_items = db.execute("select count(*) from items_fts where items_fts match 'EHCP'").fetchone()[0]
    n_docs = db.execute("select count(*) from documents_fts where documents_fts match 'EHCP'").fetchone()[0]
    found_in = column(page, "found_in")
    assert found_in.count("item") == n_items and found_in.count("document") == n_docs
    assert n_items and n_docs
    hits = page.locator("table.rows-and-columns td.col-snippet mark").all_inner_texts()
    assert hits and all(h.lower().startswith("ehcp") for h in hits)


def test_councillor_filters_to_overdue_actions_with_owner_due_and_sentence(page, server, db):
    page.goto(server)
    follow_link(page, "overdue actions")
    overdue = {
        r["reference"]: r
        for r in db.execute(
            "select a.reference, a.owner, a.owner_raw, coalesce(a.due_in_force, a.due) as due, i.source_text "
            "from actions a join items i on i.id = a.id where a.status = 'overdue'"
        )
    }
    references = column(page, "reference")
    assert sorted(references) == sorted(overdue)
    assert set(column(page, "status")) == {"overdue"}
    for ref, owner, due, sentence in zip(
        references, column(page, "owner"), column(page, "due"), column(page, "sentence")
    ):
        row = overdue[ref]
        assert owner == (row["owner"] or row["owner_raw"] or "")
        assert due == row["due"]
        assert sentence == shown(row["source_text"])
    dues = column(page, "due")
    assert dues == sorted(dues)  # soonest first


def test_councillor_subscribes_to_a_committees_feeds(page, server, db, new_minutes):
    page.goto(f"{server}minutes/outstanding_actions?committee=CYPS&q=EHCP")
    atom_link = page.locator("a.feed-atom")
    assert "committee=CYPS" in atom_link.get_attribute("href") and "q=EHCP" in atom_link.get_attribute("href")
    feed = fetch(page, atom_link)
    assert feed.ok and feed.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(feed.body())
    entries = root.findall(f"{ATOM}entry")
    expected = db.execute(
        "select a.*, i.source_text, i.seq from actions a join items i on i.id = a.id "
        "where a.committee_id = ? and a.id in (select s.id from items_fts join items s on s.rowid = items_fts.rowid "
        "where items_fts match 'EHCP')",
        [CYPS],
    ).fetchall()
    assert expected and len(entries) == len(expected)
    by_id = {e.findtext(f"{ATOM}id").rsplit(":action:", 1)[1]: e for e in entries}
    for action in expected:
        entry = by_id[action["id"]]
        content = entry.findtext(f"{ATOM}content")
        assert new_minutes["committee"] in content and action["meeting_date"] in content
        assert "Owner:" in content and "Due:" in content and f"Status:</strong> {action['status']}" in content
        assert ET.fromstring(f"<div>{content}</div>").findtext("blockquote") == action["source_text"]
        link = entry.find(f"{ATOM}link").get("href")
        assert link == f"{server}-/document/{action['document_id']}#item-{action['seq']}"

    page.goto(f"{server}minutes/outstanding_actions?committee=CYPS")
    ics = fetch(page, page.locator("a.feed-ics"))
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar")
    events = [c for c in icalendar.Calendar.from_ical(ics.body()).walk() if c.name == "VEVENT"]
    dated = {
        f"{r['id']}@council-minutes-tracker": deadline_day(r["due"])
        for r in db.execute(
            "select id, coalesce(due_in_force, due) as due from actions where committee_id = ? and status != 'done' "
            "and coalesce(due_in_force, due) is not null",
            [CYPS],
        )
    }
    assert dated
    assert {str(e["uid"]): e.decoded("dtstart").date().isoformat() for e in events} == dated
    assert all(e["summary"].startswith("Due: ") and "/-/document/" in e["description"] for e in events)


# --- 3. researcher ---------------------------------------------------------------------------


def chart_drawn(page) -> bool:
    """True once datasette-vega has drawn marks: a canvas with coloured pixels, or an SVG with paths."""
    page.wait_for_selector(".vega-embed canvas, .vega-embed svg", timeout=15_000)
    return page.evaluate(
        """() => {
          const svg = document.querySelector('.vega-embed svg');
          if (svg) return svg.querySelectorAll('path, rect').length > 0;
          const c = document.querySelector('.vega-embed canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) return true;
          }
          return false;
        }"""
    )


def test_researcher_opens_each_chart_from_the_home_page(page, server, metadata_charts):
    page.goto(server)
    links = page.locator("a.chart-link")
    assert links.count() == len(metadata_charts) >= 2
    for i, (name, fragment) in enumerate(metadata_charts):
        page.goto(server)
        follow(page, page.locator("a.chart-link").nth(i))
        assert page.url.endswith(f"/minutes/{name}?_chart=1#{fragment}")
        assert chart_drawn(page), name


def test_researcher_compares_follow_up_and_exports_it_as_csv(page, server, db):
    page.goto(server)
    follow_link(page, "follow-up by council and committee type")
    headers = page.locator("table.rows-and-columns th").all_inner_texts()
    for name in ("council", "committee_type", "actions", "pct_with_owner", "pct_with_due", "pct_of_dated_overdue",
                 "median_days_to_update"):  # fmt: skip
        assert name in headers
    assert sum(int(n) for n in column(page, "actions")) == db.execute("select count(*) from actions").fetchone()[0]
    export = page.locator(".export-links").get_by_role("link", name="CSV")
    rows = list(csv.DictReader(io.StringIO(fetch(page, export).text())))
    assert [r["council"] for r in rows] == column(page, "council")
    assert [r["pct_with_owner"] for r in rows] == column(page, "pct_with_owner")


@pytest.fixture(scope="session")
def metadata_charts() -> list[tuple[str, str]]:
    import json

    from pipeline.publish import METADATA

    queries = json.loads(METADATA.read_text(encoding="utf-8"))["databases"]["minutes"]["queries"]
    return [(name, q["chart"]) for name, q in queries.items() if q.get("chart")]
