"""The published site: datasette_metadata.json served over a real database by Datasette 0.65.

Each test asks the in-process Datasette for a page, the way a visitor would,
and checks it against what the database holds.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from datasette.app import Datasette

from pipeline.publish import METADATA, PLUGINS_DIR
from pipeline.publish.server import serve_command

REPO = Path(__file__).resolve().parents[2]
DOCS_PATH = REPO / "docs" / "publishing.md"
UNREADABLE = REPO / ".." / "shared" / "realdocs" / "milburn-pc-2016-accounts-scanned-no-text.pdf"
DB_NAME = "minutes"
CORE_TABLES = {"items", "documents", "agenda_items", "councils", "committees", "meetings", "ingest_errors", "overrides"}
REGISTER_TABLES = {  # built by `python -m pipeline track` (pipeline/track)
    "actions", "action_updates", "owners", "item_owners", "recommendation_links", "document_meetings", "meeting_calendar",
}  # fmt: skip
VISIBLE_TABLES = CORE_TABLES | REGISTER_TABLES
ITEM_FACETS = ["council_id", "committee_id", "theme", "kind", "action", "owner"]
QUERIES = [
    "new_items", "action_register", "outstanding_actions", "search", "action_feed", "due_dates",
    "open_actions_by_owner", "search_items", "actions_due", "items_by_area", "items_by_theme",
    "follow_up_by_council", "actions_by_council", "recent_ingest_errors",
]  # fmt: skip
OGL = "Open Government Licence v3.0"

# From corpus/minutes/northmoor-cyp-scrutiny-2025-01-14.txt (see corpus/gold/ for the full item).
EHCP_ITEM = "agreed to circulate revised EHCP timeliness figures"
CIRCULATED_ITEM = "the presentation slides would be circulated to members following the meeting"
# From corpus/minutes/little-wrexley-pc-2025-01-21.txt.
CLERK_ITEM = "Clerk to chase Wrexley Fencing for the quotation"
# Item 5: the precept, "Clerk to submit the precept to the District Council by 31st January 2025".
CLERK_DUE = ("Little Wrexley Parish Council", "Clerk", "2025-01-31")

Get = Callable[[str], httpx.Response]


def rows(get: Get, path: str) -> list[dict]:
    """The rows of a table or query page as dicts, failing on any non-200 answer."""
    sep = "&" if "?" in path else "?"
    r = get(f"/{DB_NAME}/{path}{sep}_shape=array&_size=max")
    assert r.status_code == 200, r.text
    return r.json()


def actions(db: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    """The action register's rows by id."""
    return {r["id"]: r for r in db.execute("select * from actions")}


# --- metadata ---------------------------------------------------------------


def test_startup_reports_no_errors(minutes_db, metadata):
    ds = Datasette([str(minutes_db)], metadata=metadata)
    asyncio.run(ds.invoke_startup())
    assert ds.metadata("title") == "Council Minutes Tracker"


def test_home_page_lists_the_database_under_the_metadata_title(get):
    r = get("/")
    assert r.status_code == 200
    assert "<h1>Council Minutes Tracker</h1>" in r.text
    assert f'href="/{DB_NAME}"' in r.text
    assert list(get("/.json").json()) == [DB_NAME]


def test_home_page_states_the_licence_and_source(get, metadata):
    assert OGL in metadata["license"]
    assert metadata["license_url"] == "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    assert "MIT licence" in metadata["about"]
    html = get("/").text
    assert f'<a href="{metadata["license_url"]}">{metadata["license"]}</a>'.replace("'", "&#39;") in html
    assert "Data source: Minutes and reports published by each council" in html


def test_every_table_has_a_title_and_description(metadata):
    tables = metadata["databases"][DB_NAME]["tables"]
    for name in VISIBLE_TABLES:
        assert tables[name]["title"] and tables[name]["description"], name


def test_every_column_of_every_visible_table_is_described(metadata, db):
    tables = metadata["databases"][DB_NAME]["tables"]
    for name in VISIBLE_TABLES:
        columns = [r["name"] for r in db.execute(f"pragma table_info([{name}])")]
        assert sorted(tables[name]["columns"]) == sorted(columns), name
        assert all(tables[name]["columns"].values()), name


def test_metadata_names_only_real_tables_and_columns(metadata, db):
    # Datasette 0.65 does not check metadata against the schema: a misspelt facet just vanishes.
    existing = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    for name, table in metadata["databases"][DB_NAME]["tables"].items():
        assert name in existing, name
        columns = {r["name"] for r in db.execute(f"pragma table_info([{name}])")}
        named = [*table.get("facets", []), *(table[k] for k in ("sort", "sort_desc", "label_column") if k in table)]
        assert set(named) <= columns, (name, set(named) - columns)


def test_fts_shadow_tables_are_hidden(get, db):
    tables = {t["name"]: t["hidden"] for t in get(f"/{DB_NAME}.json").json()["tables"]}
    fts = {r[0] for r in db.execute("select name from sqlite_master where name like '%\\_fts%' escape '\\'")}
    assert fts and fts <= set(tables)
    assert {name for name, hidden in tables.items() if not hidden} == VISIBLE_TABLES


# --- the items table --------------------------------------------------------


def test_item_rows_carry_a_labelled_link_to_their_document(get, db):
    paths = dict(db.execute("select id, path from documents"))
    items = rows(get, "items.json?_labels=on")
    assert items and all(item["document_id"]["label"] == paths[item["document_id"]["value"]] for item in items)


def test_items_page_links_each_row_to_its_document_page(get, db):
    html = get(f"/{DB_NAME}/items").text
    linked = {doc_id for (doc_id,) in db.execute("select distinct document_id from items")}
    assert any(f'href="/{DB_NAME}/documents/{doc_id}"' in html for doc_id in linked)
    doc_id = next(iter(linked))
    assert get(f"/{DB_NAME}/documents/{doc_id}.json").status_code == 200


def test_items_are_faceted_by_default(get, db):
    facets = get(f"/{DB_NAME}/items.json").json()["facet_results"]
    assert list(facets) == ITEM_FACETS
    counts = {str(v["value"]): v["count"] for v in facets["action"]["results"]}
    assert counts == {str(a): n for a, n in db.execute("select action, count(*) from items group by action")}
    assert {v["value"] for v in facets["kind"]["results"]} <= {"decision", "recommendation", "undertaking"}


def test_items_are_newest_meeting_first(get):
    dates = [item["meeting_date"] for item in rows(get, "items.json")]
    known = [d for d in dates if d is not None]
    assert known == sorted(known, reverse=True)
    assert dates == known + [None] * (len(dates) - len(known))  # undated documents last


def test_items_table_has_full_text_search(get):
    found = rows(get, "items.json?_search=circulated")
    assert any(CIRCULATED_ITEM in item["text"] for item in found)
    for item in found:
        assert "circulat" in " ".join(filter(None, [item["text"], item["owner"], item["agenda_item_title"]])).lower()
    # porter stemming: the verb finds the past tense too
    assert {i["id"] for i in rows(get, "items.json?_search=circulate")} == {i["id"] for i in found}


# --- canned queries ---------------------------------------------------------


def test_canned_queries_are_the_documented_set(metadata):
    assert list(metadata["databases"][DB_NAME]["queries"]) == QUERIES


@pytest.mark.parametrize("name", QUERIES)
def test_canned_query_has_title_description_and_docs(name, metadata):
    query = metadata["databases"][DB_NAME]["queries"][name]
    assert query["title"] and query["description"]
    assert f"`{name}`" in DOCS_PATH.read_text(encoding="utf-8")


def test_no_canned_query_hides_a_table(metadata):
    # /minutes/<name> serves the canned query when both exist, so the table page would be unreachable.
    assert not set(metadata["databases"][DB_NAME]["queries"]) & VISIBLE_TABLES


@pytest.mark.parametrize("name", QUERIES)
def test_canned_query_page_renders_with_its_title_and_no_error(name, get, metadata):
    # With no parameters filled in, as a visitor first sees it.
    r = get(f"/{DB_NAME}/{name}")
    assert r.status_code == 200
    assert f"{metadata['databases'][DB_NAME]['queries'][name]['title']}</h1>" in r.text
    assert "message-error" not in r.text


def test_search_items_finds_the_ehcp_item(get):
    r = get(f"/{DB_NAME}/search_items.json?q=EHCP")
    assert r.json()["columns"] == [
        "item_id", "text", "owner", "due", "kind", "council", "committee", "meeting_date", "document_id",
    ]  # fmt: skip
    found = rows(get, "search_items.json?q=EHCP")
    assert found and all("ehcp" in (row["text"] + (row["owner"] or "")).lower() for row in found)
    (hit,) = [row for row in found if EHCP_ITEM in row["text"]]
    assert (hit["council"], hit["committee"], hit["meeting_date"]) == (
        "Northmoor County Council", "Children and Young People Scrutiny Committee", "2025-01-14",
    )  # fmt: skip


@pytest.mark.parametrize("q", ["", "   ", '"', "e-bulletin OR (", "NOT"])
def test_search_items_survives_awkward_queries(q, get):
    assert isinstance(rows(get, f"search_items.json?{urlencode({'q': q})}"), list)


def test_search_items_is_ordered_by_relevance(get, db):
    found = [row["item_id"] for row in rows(get, "search_items.json?q=circulated")]
    by_rank = (
        "select i.id from items_fts join items i on i.rowid = items_fts.rowid where items_fts match ? order by rank"
    )
    by_rowid = "select i.id from items i where i.rowid in (select rowid from items_fts where items_fts match ?) order by i.rowid"
    assert found == [r[0] for r in db.execute(by_rank, ["circulated"])]
    assert found != [r[0] for r in db.execute(by_rowid, ["circulated"])]  # so the order is not an accident


def test_open_actions_by_owner_lists_every_action_not_done_and_nothing_else(get, db):
    found = rows(get, "open_actions_by_owner.json")
    assert sorted(row["item_id"] for row in found) == sorted(i for i, r in actions(db).items() if r["status"] != "done")
    assert "done" not in {row["status"] for row in found}
    owners = [row["owner"] for row in found]
    named = [o for o in owners if o is not None]
    assert named == sorted(named, key=str.lower)
    assert owners == named + [None] * (len(owners) - len(named))  # no named owner: last


def test_open_actions_by_owner_filters_on_part_of_the_owner(get, db):
    found = rows(get, "open_actions_by_owner.json?owner=clerk")
    assert CLERK_ITEM in [row["text"] for row in found]
    expected = [
        i for i, r in actions(db).items()
        if r["status"] != "done" and "clerk" in ((r["owner"] or r["owner_raw"] or "") + (r["owner_raw"] or "")).lower()
    ]  # fmt: skip
    assert sorted(row["item_id"] for row in found) == sorted(expected)


def test_actions_due_lists_dated_actions_soonest_first(get, db):
    found = rows(get, "actions_due.json")
    council, owner, due = CLERK_DUE
    assert (council, owner, due) in [(row["council"], row["owner"], row["due"]) for row in found]
    assert [row["due"] for row in found] == sorted(row["due"] for row in found)
    dated = {r["id"] for r in db.execute("select id from items where action = 1 and due is not null and due != ''")}
    assert {row["item_id"] for row in found} == dated


def test_recent_ingest_errors_shows_why_a_file_failed(get):
    (row,) = rows(get, "recent_ingest_errors.json")
    assert row["path"] == str(UNREADABLE)
    assert row["error"] == "UnreadableDocument"
    assert row["reason"].startswith(f"{UNREADABLE}: ")


def test_docs_say_how_to_serve_the_site():
    docs = DOCS_PATH.read_text(encoding="utf-8").replace("\\\n    ", "")
    serve = serve_command(Path("build/minutes.db"), port=8001)
    line = " ".join(["datasette", *serve[1:]]).replace(str(METADATA), "datasette_metadata.json")
    assert line.replace(str(PLUGINS_DIR), "pipeline/publish/plugins") in docs


@pytest.mark.parametrize("name", sorted(VISIBLE_TABLES))
def test_docs_describe_every_table(name):
    assert f"`{name}`" in DOCS_PATH.read_text(encoding="utf-8")
