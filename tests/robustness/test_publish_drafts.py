"""Drafts never reach the public database: no rows, no FTS entries, no bytes (issue 7, "Publication")."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pipeline import store
from pipeline.errors import BadManifest, PublishFailed
from pipeline.ingest import Source, ingest_all, read_manifest
from pipeline.publish.public import publish
from pipeline.track import rebuild
from pipeline.track.overrides import record

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "minutes"
FINAL = CORPUS / "kelsbury-tc-2025-04-08.txt"
PHRASE = "Zyxwvut Quokka Orchard"  # in no corpus document: any trace of it in the public file is a leak
DRAFT_TEXT = f"""KELSBURY TOWN COUNCIL

Minutes of the Meeting of Kelsbury Town Council held on Tuesday 10th June 2025 at 7.00 pm

1. {PHRASE}

RESOLVED that the Town Clerk write to the {PHRASE} trustees by 30 June 2025.

2. Bramblewick Allotments Working Party

RESOLVED that the Bramblewick Allotments Working Party report to the next meeting.
"""
TRACES = (PHRASE, PHRASE.lower(), "zyxwvut", "quokka", "bramblewick", "draft-minutes.txt", "2025-06-10")


def build(tmp_path: Path) -> tuple[Path, Path]:
    """A working database with one final set of minutes and one draft written with the manifest's draft column."""
    draft = tmp_path / "draft-minutes.txt"
    draft.write_text(DRAFT_TEXT, encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        f"path,council,committee,meeting_date,url,draft\n{FINAL},Kelsbury Town Council,,2025-04-08,,\n"
        f"{draft.name},Kelsbury Town Council,Bramblewick Board,2025-06-10,,yes\n",
        encoding="utf-8",
    )
    db_path = tmp_path / "work" / "minutes.db"
    summary = ingest_all(read_manifest(manifest), db_path, echo=lambda _: None)
    assert summary.failed == 0, summary.errors
    db = store.connect(db_path)
    rebuild(db)
    db.close()
    return db_path, draft


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, params).fetchall()


def test_manifest_draft_column_marks_the_document(tmp_path):
    db_path, draft = build(tmp_path)
    assert rows(db_path, "select path, draft from documents order by draft") == [
        (str(FINAL), 0),
        (str(draft), 1),
    ]
    # the working database holds the draft, its items and its actions, for officers to preview
    assert rows(db_path, "select count(*) from items_fts where items_fts match 'quokka'") == [(1,)]
    assert rows(db_path, "select count(*) from actions where text like ?", [f"%{PHRASE}%"]) == [(1,)]


def test_public_database_has_no_trace_of_a_draft(tmp_path):
    db_path, _ = build(tmp_path)
    out = tmp_path / "public" / "minutes.db"
    done = publish(db_path, out)
    assert (done.documents, done.drafts_left_out) == (1, 1)
    assert rows(out, "select path, draft from documents") == [(str(FINAL), 0)]
    for table in ("items", "agenda_items", "actions", "action_updates", "document_meetings", "meeting_calendar"):
        dump = " ".join(str(r) for r in rows(out, f"select * from [{table}]")).lower()
        assert not [t for t in TRACES if t.lower() in dump], table
    assert rows(out, "select count(*) from items_fts where items_fts match 'quokka OR bramblewick'") == [(0,)]
    assert rows(out, "select count(*) from documents_fts where documents_fts match 'quokka'") == [(0,)]
    assert rows(out, "select name from committees where name like '%Bramblewick%'") == []
    assert rows(out, "select id from meetings where date = '2025-06-10'") == []
    # the final minutes are all there, with their register
    assert rows(out, "select count(*) from items") == rows(
        db_path, "select count(*) from items where document_id = ?", [store.document_id(str(FINAL))]
    )
    assert rows(out, "select count(*) from actions")[0][0] > 0
    assert rows(out, "pragma freelist_count") == [(0,)]
    assert rows(out, "pragma journal_mode") == [("delete",)]
    assert not Path(f"{out}-wal").exists()
    data = out.read_bytes().lower()
    assert [t for t in TRACES if t.lower().encode() in data] == []
    assert [p.name for p in out.parent.iterdir()] == ["minutes.db"]  # no work files left beside it


def test_working_file_still_holds_the_draft_bytes(tmp_path):
    # the check above could not fail if the phrase never reached a database at all
    db_path, _ = build(tmp_path)
    assert b"zyxwvut" in db_path.read_bytes().lower()


def test_a_draft_made_final_is_published(tmp_path):
    db_path, draft = build(tmp_path)
    db = store.connect(db_path)
    assert store.set_draft(db, store.document_id(str(draft)), False)
    db.close()
    out = tmp_path / "public" / "minutes.db"
    assert publish(db_path, out).drafts_left_out == 0
    assert rows(out, "select count(*) from items_fts where items_fts match 'quokka'") == [(1,)]


def test_reingesting_a_draft_without_a_flag_keeps_it_a_draft(tmp_path):
    db_path, draft = build(tmp_path)
    draft.write_text(DRAFT_TEXT + "\n3. Any other business\n\nNone.\n", encoding="utf-8")
    summary = ingest_all([Source(draft)], db_path, echo=lambda _: None)
    assert summary.replaced == 1
    assert rows(db_path, "select draft from documents where path = ?", [str(draft)]) == [(1,)]
    # an unchanged file re-ingested with --final changes only its flag
    from pipeline.document import Metadata

    summary = ingest_all([Source(draft, Metadata(draft=False))], db_path, echo=lambda _: None)
    assert summary.unchanged == 1
    assert rows(db_path, "select draft from documents where path = ?", [str(draft)]) == [(0,)]


def test_corrections_are_published_and_a_drafts_corrections_are_not(tmp_path):
    db_path, draft = build(tmp_path)
    db = store.connect(db_path)
    final_action = next(
        db.query("select id, owner from actions where document_id = ? order by start", [store.document_id(str(FINAL))])
    )
    draft_action = next(db.query("select id from actions where document_id = ?", [store.document_id(str(draft))]))
    record(db, final_action["id"], "owner", "Deputy Town Clerk", who="alice")
    record(db, draft_action["id"], "owner", "Mayor of Zyxwvut", who="alice")
    db.close()
    out = tmp_path / "public" / "minutes.db"
    assert publish(db_path, out).overrides == 1
    assert rows(out, "select owner from actions where id = ?", [final_action["id"]]) == [("Deputy Town Clerk",)]
    assert rows(out, "select action_id, field, value, previous, who from overrides") == [
        (final_action["id"], "owner", "Deputy Town Clerk", final_action["owner"], "alice")
    ]
    assert b"zyxwvut" not in out.read_bytes().lower()


def test_publish_refuses_to_overwrite_the_working_database(tmp_path):
    db_path, _ = build(tmp_path)
    with pytest.raises(PublishFailed, match="different file"):
        publish(db_path, db_path)
    with pytest.raises(PublishFailed, match="no such database"):
        publish(tmp_path / "missing.db", tmp_path / "out.db")


def test_publishing_from_a_file_that_is_not_a_database_is_one_line_and_leaves_the_public_one(tmp_path):
    out = tmp_path / "public" / "minutes.db"
    out.parent.mkdir()
    out.write_bytes(b"yesterday's public database")
    junk = tmp_path / "minutes.db"
    junk.write_bytes(b"this is a text file, not SQLite\n" * 200)
    with pytest.raises(PublishFailed, match=r"minutes\.db: cannot copy the working database") as e:
        publish(junk, out)
    assert "\n" not in str(e.value)
    assert out.read_bytes() == b"yesterday's public database"
    assert sorted(p.name for p in out.parent.iterdir()) == ["minutes.db"]  # no work files left behind


def test_manifest_with_a_bad_draft_value_is_refused(tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"path,draft\n{FINAL},perhaps\n", encoding="utf-8")
    with pytest.raises(BadManifest, match="line 2: draft is 'perhaps'"):
        read_manifest(manifest)


def test_the_command_line_marks_drafts_and_publishes(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli

    draft = tmp_path / "draft-minutes.txt"
    draft.write_text(DRAFT_TEXT, encoding="utf-8")
    db_path, out = tmp_path / "minutes.db", tmp_path / "public" / "minutes.db"
    runner = CliRunner()
    for args in ([str(FINAL), "--council", "Kelsbury Town Council"], [str(draft), "--draft"]):
        result = runner.invoke(cli, ["ingest", *args, "--db", str(db_path), "--no-progress"])
        assert result.exit_code == 0, result.output
    assert rows(db_path, "select draft from documents order by draft") == [(0,), (1,)]
    result = runner.invoke(cli, ["publish", "--db", str(db_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("1 draft left out")
    assert b"zyxwvut" not in out.read_bytes().lower()
    result = runner.invoke(cli, ["publish", "--db", str(tmp_path / "none.db"), "--out", str(out)])
    assert result.exit_code == 1 and "no such database" in result.output


def test_a_file_that_failed_as_a_draft_is_not_named_in_public(tmp_path):
    db_path, _ = build(tmp_path)
    bad_draft, bad_final = tmp_path / "zyxwvut-agenda.pdf", tmp_path / "broken-final.pdf"
    bad_draft.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    bad_final.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    from pipeline.document import Metadata

    summary = ingest_all([Source(bad_draft, Metadata(draft=True)), Source(bad_final)], db_path, echo=lambda _: None)
    assert summary.failed == 2
    assert rows(db_path, "select path, draft from ingest_errors order by path") == [
        (str(bad_final), 0),
        (str(bad_draft), 1),
    ]
    out = tmp_path / "public" / "minutes.db"
    publish(db_path, out)
    assert rows(out, "select path from ingest_errors") == [(str(bad_final),)]
    assert b"zyxwvut" not in out.read_bytes().lower()
