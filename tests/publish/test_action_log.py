"""`python -m pipeline action-log`: the "Outstanding actions" appendix for the next agenda pack."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import docx
import pytest
import sqlite_utils
from click.testing import CliRunner

from pipeline.action_log import COLUMNS, NoRegister, UnknownBody, action_log, find_body
from pipeline.cli import cli

CYPS = "northmoor-county-council/children-and-young-people-scrutiny-committee"
SITE = "https://minutes.example.org"


def outstanding(db: sqlite3.Connection, where: str, *params) -> list[sqlite3.Row]:
    return db.execute(
        "select a.*, i.seq from actions a join items i on i.id = a.id "
        f"where {where} and a.status != 'done' order by a.meeting_date, a.document_id, a.start",
        params,
    ).fetchall()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["action-log", *args])
    assert result.exit_code == 0, result.stderr or result.output
    return result.stdout


def test_docx_has_one_table_row_per_outstanding_action(minutes_db, db, tmp_path):
    out = tmp_path / "appendix.docx"
    run("--db", str(minutes_db), "--committee", "CYPS", "--site-url", SITE, "--format", "docx", "--out", str(out))
    expected = outstanding(db, "a.committee_id = ?", CYPS)
    assert (
        expected
        and len(expected) < db.execute("select count(*) from actions where committee_id = ?", [CYPS]).fetchone()[0]
    )

    document = docx.Document(str(out))
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == list(COLUMNS)
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(body) == len(expected)
    for cells, action in zip(body, expected):
        assert cells[0] == action["reference"] and cells[3] == action["text"]
        assert cells[6] == action["status"] and cells[6] != "done"
        assert cells[5] == (action["due_in_force"] or action["due"] or "")
    assert document.paragraphs[0].text == (
        "Outstanding actions: Children and Young People Scrutiny Committee, Northmoor County Council"
    )
    # the source column is a real link to the passage on the site
    links = [h.address for row in table.rows[1:] for h in row.cells[-1].paragraphs[0].hyperlinks]
    assert links == [f"{SITE}/-/document/{a['document_id']}#item-{a['seq']}" for a in expected]


def test_csv_and_markdown_list_the_same_actions(minutes_db, db):
    expected = [a["reference"] for a in outstanding(db, "a.committee_id = ?", CYPS)]
    rows = list(
        csv.DictReader(io.StringIO(run("--db", str(minutes_db), "-k", "Children and Young", "--format", "csv")))
    )
    assert [r["Ref"] for r in rows] == expected
    assert list(rows[0]) == list(COLUMNS)
    md = run("--db", str(minutes_db), "-k", CYPS, "--format", "md")
    table = [line for line in md.splitlines() if line.startswith("| ") and not line.startswith("| Ref ")]
    assert [line.split(" | ")[0].removeprefix("| ") for line in table] == expected
    assert md.startswith("## Outstanding actions: Children and Young People Scrutiny Committee")


def test_a_council_that_meets_as_one_body(minutes_db, db):
    expected = outstanding(db, "a.council = ? and a.committee_id is null", "Little Wrexley Parish Council")
    rows = list(
        csv.DictReader(io.StringIO(run("--db", str(minutes_db), "--council", "Little Wrexley", "--format", "csv")))
    )
    assert expected and [r["Ref"] for r in rows] == [a["reference"] for a in expected]


def test_markdown_cells_keep_pipes_inside_the_table(minutes_db, db):
    md = run("--db", str(minutes_db), "-k", "CYPS", "--format", "md")
    assert "\\|" in md  # action-log rows quoted as latest updates contain "|" themselves
    for line in md.splitlines():
        if line.startswith("| CYPS/"):
            assert len(line.replace("\\|", "").split("|")) == len(COLUMNS) + 2


@pytest.fixture
def store(minutes_db):
    conn = sqlite3.connect(f"file:{minutes_db}?mode=ro", uri=True)
    yield sqlite_utils.Database(conn)
    conn.close()


def test_an_exact_name_beats_a_partial_one(store, minutes_db):
    # "Council" is Ashcombe's full Council, although many names contain the word
    assert find_body(store, minutes_db, "Council", None).committee_id == "ashcombe-district-council/council"


def test_an_ambiguous_or_unknown_name_is_refused_with_the_choices(store, minutes_db):
    with pytest.raises(UnknownBody, match=r"matches \d+ bodies"):
        find_body(store, minutes_db, "Scrutiny", None)
    with pytest.raises(UnknownBody, match=r"^.*minutes\.db: no committee or council matches 'Planets'.*CYPS = "):
        find_body(store, minutes_db, "Planets", None)
    with pytest.raises(UnknownBody, match="name a committee"):
        find_body(store, minutes_db, None, None)


def test_the_command_reports_a_bad_name_on_one_line(minutes_db):
    result = CliRunner().invoke(cli, ["action-log", "--db", str(minutes_db), "-k", "Planets"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {minutes_db}: no committee or council matches 'Planets'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_register_older_than_the_items_is_refused(minutes_db, tmp_path):
    stale = tmp_path / "stale.db"
    with sqlite3.connect(minutes_db) as src, sqlite3.connect(stale) as conn:
        src.backup(conn)
        conn.execute("delete from actions where rowid in (select rowid from actions limit 1)")
    db = sqlite_utils.Database(stale)
    with pytest.raises(NoRegister, match=r"out of date \(1 new actions, 0 removed\); run `python -m pipeline track"):
        action_log(db, stale, "CYPS")
    db.execute("drop table actions")
    with pytest.raises(NoRegister, match="no action register"):
        action_log(db, stale, "CYPS")
    db.close()


def test_missing_database_is_one_line(tmp_path: Path):
    result = CliRunner().invoke(cli, ["action-log", "--db", str(tmp_path / "none.db"), "-k", "x"])
    assert result.exit_code == 1 and "no such database" in result.stderr
