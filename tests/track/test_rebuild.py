"""Rebuilding the register in the store: one transaction, the same rows every time, new meetings
re-resolving old due dates, and the track and status commands."""

from __future__ import annotations

import re
import sqlite3

import pytest
from click.testing import CliRunner

from pipeline import store
from pipeline.cli import cli
from pipeline.errors import StoreLocked
from pipeline.ingest import ingest_all
from pipeline.track import rebuild
from pipeline.track.register import TABLES, write

ISSUE_ACTION_COLUMNS = {
    "id", "council", "committee", "meeting_date", "agenda_item", "text", "owner", "due", "due_source", "status",
    "status_reason", "document_id",
}  # fmt: skip
ISSUE_UPDATE_COLUMNS = {"action_id", "document_id", "start", "end", "passage", "score", "signal", "meeting_date"}


def dump(db) -> dict[str, list[tuple]]:
    return {name: sorted(tuple(r.values()) for r in db[name].rows) for name in TABLES}


def test_the_register_has_the_columns_others_query(db_copy):
    rebuild(db_copy)
    assert set(db_copy["actions"].columns_dict) >= ISSUE_ACTION_COLUMNS
    assert set(db_copy["action_updates"].columns_dict) >= ISSUE_UPDATE_COLUMNS
    assert db_copy["actions"].count > 0 and db_copy["action_updates"].count > 0


def test_rebuilding_twice_writes_the_same_rows(db_copy):
    rebuild(db_copy)
    first = dump(db_copy)
    rebuild(db_copy)
    assert dump(db_copy) == first


def test_re_ingesting_unchanged_files_changes_nothing(db_copy_path, sources_for):
    db = store.connect(db_copy_path)
    rebuild(db)
    before = dump(db)
    summary = ingest_all(sources_for(), db_copy_path, echo=lambda m: None)
    assert summary.unchanged == 5
    rebuild(db)
    assert dump(db) == before
    db.close()


def test_a_failed_rebuild_leaves_the_previous_register(db_copy):
    rebuild(db_copy)
    before = dump(db_copy)
    broken = {name: [] for name in TABLES}
    broken["actions"] = [{"id": "same"}, {"id": "same"}]  # a primary key clash half way through
    with pytest.raises(Exception, match="UNIQUE"):
        write(db_copy, broken)
    assert dump(db_copy) == before
    assert not db_copy.conn.in_transaction


def test_an_as_of_rebuild_replaces_the_register_and_a_plain_one_restores_it(db_copy):
    rebuild(db_copy)
    latest = dump(db_copy)
    rebuild(db_copy, "2025-02-01")
    assert {r["as_of"] for r in db_copy["actions"].rows} == {"2025-02-01"}
    rebuild(db_copy)
    assert dump(db_copy) == latest


def test_a_later_meeting_arriving_resolves_by_the_next_meeting_and_reports_the_action_done(tmp_path, sources_for):
    path = tmp_path / "grow.db"
    first_two = sources_for(
        ("minutes/northmoor-cyp-scrutiny-2025-01-14.txt", "minutes/northmoor-cyp-scrutiny-2025-03-11.txt")
    )
    ingest_all(first_two, path, echo=lambda m: None)
    db = store.connect(path)
    rebuild(db)
    foster = next(r for r in db["actions"].rows if "foster carers" in r["text"])
    assert (foster["due"], foster["due_source"], foster["status"]) == (None, "next_meeting", "open")

    ingest_all(sources_for(("minutes/northmoor-cyp-scrutiny-2025-05-13.txt",)), path, echo=lambda m: None)
    rebuild(db)
    foster = next(r for r in db["actions"].rows if "foster carers" in r["text"])
    assert (foster["due"], foster["due_source"], foster["status"]) == ("2025-05-13", "next_meeting", "done")
    db.close()


def test_the_core_tables_still_accept_a_changed_document_after_a_rebuild(tmp_path, corpus_path):
    # the register holds no foreign keys into items, so replacing a document's items never trips over it
    src = corpus_path("minutes/northmoor-cyp-scrutiny-2025-03-11.txt")
    copy = tmp_path / "cyp.txt"
    copy.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "one.db"
    args = [
        "ingest",
        str(copy),
        "--db",
        str(path),
        "-c",
        "Northmoor County Council",
        "-k",
        "CYP",
        "--meeting-date",
        "2025-03-11",
    ]
    assert CliRunner().invoke(cli, args).exit_code == 0
    db = store.connect(path)
    rebuild(db)
    copy.write_text(copy.read_text(encoding="utf-8").replace("within 14 days", "within 21 days"), encoding="utf-8")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and "1 replaced" in result.output
    rebuild(db)
    chase = next(r for r in db["actions"].rows if "chase" in r["text"])
    assert chase["due"] == "2025-04-01"
    db.close()


def test_track_prints_a_summary_per_committee(db_copy_path):
    result = CliRunner().invoke(cli, ["track", "--db", str(db_copy_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("as of 2025-05-13: ")
    assert any(
        line.strip().startswith("Northmoor County Council: Children and Young People Scrutiny Committee:")
        and "done" in line
        for line in lines
    )


def test_status_shows_an_action_with_its_evidence(db_copy_path):
    runner = CliRunner()
    listing = runner.invoke(cli, ["status", "--db", str(db_copy_path), "--list", "-k", "Children"])
    assert listing.exit_code == 0, listing.output
    ref = next(line.split()[0] for line in listing.output.splitlines() if "revised EHCP" in line)
    shown = runner.invoke(cli, ["status", ref, "--db", str(db_copy_path)])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"{ref}  DONE")
    assert "evidence:" in shown.output and "44/1 |" in shown.output


def test_status_as_of_an_earlier_date(db_copy_path):
    result = CliRunner().invoke(
        cli, ["status", "--db", str(db_copy_path), "--as-of", "2025-03-11", "--only", "updated"]
    )
    assert result.exit_code == 0, result.output
    assert "as of 2025-03-11" in result.output
    assert "revised EHCP" in result.output


def test_status_names_an_unknown_action_on_one_line(db_copy_path):
    result = CliRunner().invoke(cli, ["status", "XYZ/2025-01-01/9", "--db", str(db_copy_path)])
    assert result.exit_code == 1
    assert f"{db_copy_path}: no action XYZ/2025-01-01/9" in result.output


def test_track_without_a_database_says_so(tmp_path):
    result = CliRunner().invoke(cli, ["track", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "none.db: no such database" in result.output
    assert not (tmp_path / "none.db").exists()


def test_a_document_ingested_without_metadata_is_placed_by_its_text(tmp_path, corpus_path):
    path = tmp_path / "bare.db"
    result = CliRunner().invoke(
        cli, ["ingest", str(corpus_path("minutes/kelsbury-tc-2025-04-08.txt")), "--db", str(path)]
    )
    assert result.exit_code == 0, result.output
    db = store.connect(path)
    rebuild(db)
    (placed,) = db["document_meetings"].rows
    # ingest reads the header ("Minutes of the Meeting of Kelsbury Town Council held on Tuesday 8th April 2025")
    # into the document's metadata, so the meeting is stored, not left for the register to infer
    assert (placed["council_id"], placed["meeting_date"]) == ("kelsbury-town-council", "2025-04-08")
    assert db["documents"].get(placed["document_id"])["meeting_date"] == "2025-04-08"
    assert {r["council"] for r in db["actions"].rows} == {"Kelsbury Town Council"}
    db.close()


def test_a_rebuild_blocked_by_another_writer_gives_up_with_one_line(db_copy_path):
    db = store.connect(db_copy_path)
    db.execute("PRAGMA busy_timeout = 100")
    other = sqlite3.connect(db_copy_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreLocked, match=f"^{re.escape(str(db_copy_path))}: database is locked"):
            rebuild(db)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not db.conn.in_transaction
    rebuild(db)  # and works once the other writer is done
    db.close()
