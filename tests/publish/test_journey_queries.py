"""The canned queries behind the three journeys, checked against the database they read.

Officers: new_items, action_register. Councillors: search, outstanding_actions (feeds are in
test_feeds.py). Researchers: items_by_area, items_by_theme, follow_up_by_council and
actions_by_council, the last two of which are also charts.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from urllib.parse import parse_qsl

import pytest

CYPS = "northmoor-county-council/children-and-young-people-scrutiny-committee"


def rows(get, path: str) -> list[dict]:
    sep = "&" if "?" in path else "?"
    r = get(f"/minutes/{path}{sep}_shape=array&_size=max")
    assert r.status_code == 200, r.text
    return r.json()


# --- officers --------------------------------------------------------------------------------


def test_new_items_start_with_the_latest_ingested_document(get, db):
    (latest,) = db.execute("select id from documents order by ingested_at desc, rowid desc limit 1").fetchone()
    found = rows(get, "new_items.json")
    n = db.execute("select count(*) from items where document_id = ?", [latest]).fetchone()[0]
    expected = [f"/-/document/{latest}#item-{s}" for (s,) in db.execute(
        "select seq from items where document_id = ? order by seq", [latest])]  # fmt: skip
    assert n and [r["source"] for r in found[:n]] == expected
    assert found[n]["source"].split("#")[0] != f"/-/document/{latest}"


def test_action_register_is_the_committees_actions_in_meeting_order(get, db):
    found = rows(get, "action_register.json?committee=CYPS")
    expected = db.execute(
        "select reference, status from actions where committee_id = ? order by meeting_date, document_id, start", [CYPS]
    ).fetchall()
    assert [(r["reference"], r["status"]) for r in found] == [tuple(e) for e in expected]
    assert {r["body"] for r in found} == {"Children and Young People Scrutiny Committee"}
    for name in ("Children and Young People", CYPS):  # part of the name, or the id
        assert [r["reference"] for r in rows(get, f"action_register.json?committee={name}")] == [e[0] for e in expected]
    overdue = rows(get, "action_register.json?committee=CYPS&status=overdue")
    assert [r["reference"] for r in overdue] == [e[0] for e in expected if e[1] == "overdue"]


def test_a_parish_councils_register_is_found_by_its_name(get, db):
    found = rows(get, "action_register.json?committee=Little+Wrexley")
    (n,) = db.execute("select count(*) from actions where council = 'Little Wrexley Parish Council'").fetchone()
    assert n and len(found) == n


# --- councillors -----------------------------------------------------------------------------


def test_search_finds_items_and_documents_with_their_hits_marked(get, db):
    found = rows(get, "search.json?q=EHCP")
    n_items = db.execute("select count(*) from items_fts where items_fts match 'EHCP'").fetchone()[0]
    n_docs = db.execute("select count(*) from documents_fts where documents_fts match 'EHCP'").fetchone()[0]
    kinds = [r["found_in"] for r in found]
    assert kinds.count("item") == n_items and kinds.count("document") == n_docs and n_items and n_docs
    html = get("/minutes/search?q=EHCP").text
    assert "<mark>EHCP</mark>" in html
    assert "\ue000" not in html and "\ue001" not in html  # the snippet markers never reach the page


def test_search_is_stemmed(get):
    assert {r["source"] for r in rows(get, "search.json?q=circulate")} == {
        r["source"] for r in rows(get, "search.json?q=circulated")
    }


@pytest.mark.parametrize("q", ["", '"', "NOT", "e-bulletin OR ("])
def test_search_survives_awkward_queries(q, get):
    assert isinstance(rows(get, f"search.json?q={q}"), list)


def test_outstanding_actions_are_not_done_and_soonest_due_first(get, db):
    found = rows(get, "outstanding_actions.json")
    (n,) = db.execute("select count(*) from actions where status != 'done'").fetchone()
    assert len(found) == n and "done" not in {r["status"] for r in found}
    dues = [r["due"] for r in found]
    dated = [d for d in dues if d]
    assert dated == sorted(dated) and dues == dated + [None] * (len(dues) - len(dated))
    sentences = dict(db.execute("select a.reference, i.source_text from actions a join items i on i.id = a.id"))
    assert all(r["sentence"] == sentences[r["reference"]] for r in found)


def test_outstanding_actions_filter_by_status_committee_and_words(get, db):
    overdue = rows(get, "outstanding_actions.json?status=overdue&committee=CYPS")
    (n,) = db.execute("select count(*) from actions where status = 'overdue' and committee_id = ?", [CYPS]).fetchone()
    assert n and len(overdue) == n and {r["status"] for r in overdue} == {"overdue"}
    dashboard = rows(get, "outstanding_actions.json?q=dashboard")
    assert dashboard and all("dashboard" in r["action"].lower() for r in dashboard)


# --- researchers -----------------------------------------------------------------------------


def test_items_by_area_counts_every_item_once(get, db):
    found = rows(get, "items_by_area.json")
    total, actions = db.execute("select count(*), sum(action) from items").fetchone()
    assert sum(r["items"] for r in found) == total and sum(r["actions"] for r in found) == actions
    housing = rows(get, "items_by_area.json?theme=housing")
    (n,) = db.execute("select count(*) from items where theme = 'housing'").fetchone()
    assert n and sum(r["items"] for r in housing) == n and {r["theme"] for r in housing} == {"housing"}


def committee_type(committee: str | None) -> str:
    """The query's grouping of bodies, written out again in Python to check the SQL."""
    name = (committee or "").lower()
    if not committee or name in ("council", "full council"):
        return "full council"
    for kind, words in (
        ("executive", ("cabinet", "executive")),
        ("scrutiny", ("scrutiny", "overview")),
        ("regulatory", ("planning", "licensing", "regulatory")),
        ("board", ("board",)),
    ):
        if any(w in name for w in words):
            return kind
    return "other committee"


def pct(part: int, whole: int):
    """A percentage to one decimal place, as SQLite's round() gives it (halves away from zero)."""
    return pytest.approx(100 * part / whole, abs=0.05 + 1e-9)


def test_follow_up_by_council_matches_a_count_by_hand(get, db):
    groups: dict[tuple[str, str], list] = defaultdict(list)
    first_update = dict(
        db.execute(
            "select u.action_id, min(u.meeting_date) from action_updates u join actions a on a.id = u.action_id "
            "where u.meeting_date > a.meeting_date group by u.action_id"
        )
    )
    for a in db.execute("select * from actions"):
        groups[(a["council"] or "(council not known)", committee_type(a["committee"]))].append(a)
    found = {(r["council"], r["committee_type"]): r for r in rows(get, "follow_up_by_council.json")}
    assert set(found) == set(groups)
    medians_seen = 0
    for key, actions in groups.items():
        r = found[key]
        n = len(actions)
        dated = [a for a in actions if a["due_in_force"] or a["due"]]
        assert r["actions"] == n
        assert r["pct_with_owner"] == pct(sum(a["owner_id"] is not None for a in actions), n)
        assert r["pct_with_due"] == pct(len(dated), n)
        overdue = sum(a["status"] == "overdue" for a in actions)
        assert r["pct_of_dated_overdue"] == (pct(overdue, len(dated)) if dated else None)
        days = [
            (date.fromisoformat(first_update[a["id"]]) - date.fromisoformat(a["meeting_date"])).days
            for a in actions
            if a["id"] in first_update
        ]
        assert r["actions_updated"] == len(days)
        assert r["median_days_to_update"] == (statistics.median(days) if days else None)
        medians_seen += bool(days)
    assert medians_seen  # the corpus has a committee whose later minutes report on its actions


def test_actions_by_council_counts_every_action_once(get, db):
    found = rows(get, "actions_by_council.json")
    assert sum(r["actions"] for r in found) == db.execute("select count(*) from actions").fetchone()[0]
    assert len({(r["council"], r["status"]) for r in found}) == len(found)


def test_each_chart_names_columns_its_query_returns(get, metadata):
    charts = {name: q["chart"] for name, q in metadata["databases"]["minutes"]["queries"].items() if "chart" in q}
    assert len(charts) >= 2
    for name, fragment in charts.items():
        settings = dict(parse_qsl(fragment))
        columns = get(f"/minutes/{name}.json").json()["columns"]
        assert settings["g.mark"] in ("bar", "line", "circle")
        for key in ("g.x_column", "g.y_column", "g.color_column"):
            assert settings[key] in columns, (name, key)
        assert len(rows(get, f"{name}.json")) > 1  # datasette-vega draws nothing for a single row


def test_home_page_sums_up_the_site_and_links_each_journey(get, db):
    html = get("/").text
    (n_items,) = db.execute("select count(*) from items").fetchone()
    assert f"This site holds {n_items:,} decisions, recommendations and undertakings" in html
    (latest,) = db.execute("select max(meeting_date) from documents").fetchone()
    assert latest == "2025-05-13" and "on 13 May 2025" in html
    for query in ("new_items", "action_register", "search", "outstanding_actions", "items_by_area",
                  "follow_up_by_council"):  # fmt: skip
        assert f'href="/minutes/{query}' in html
    assert html.count('class="chart-link"') >= 2
