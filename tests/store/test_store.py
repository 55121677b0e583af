"""Storing documents: idempotent re-ingest, atomic replacement, provenance and recorded failures."""

import sqlite3
from pathlib import Path

import pytest

from pipeline import store
from pipeline.document import Metadata
from pipeline.ingest import Source, collect, ingest_all
from pipeline.run import run

SEED = "seeds/003_ded8bdc069ab6141.txt"


@pytest.fixture
def seed_copy(tmp_path: Path, shared_path) -> Path:
    path = tmp_path / "docs" / "worcestershire-panel.txt"
    path.parent.mkdir()
    path.write_bytes(shared_path(SEED).read_bytes())
    return path


def counts(db_path: Path) -> dict[str, int]:
    db = store.connect(db_path)
    return {t: db[t].count for t in ("documents", "agenda_items", "items", "ingest_errors")}


def test_items_link_to_their_document_and_exact_source_span(tmp_path, seed_copy, nlp):
    db = store.connect(tmp_path / "m.db")
    doc = run(seed_copy, Metadata(council="Worcestershire County Council"), nlp=nlp)
    assert store.save(db, doc) == "stored"
    rows = list(db.query("select i.*, d.text as doc_text from items i join documents d on d.id = i.document_id"))
    assert len(rows) == len(doc.items) > 0
    for row in rows:
        assert row["doc_text"][row["start"] : row["end"]] == row["source_text"]
        assert row["agenda_item_id"] is not None
        assert row["council_id"] == "worcestershire-county-council"
    circulate = [r for r in rows if "agreed to circulate" in r["source_text"]]
    assert circulate and circulate[0]["owner"] == "Director of Education and Early Help"


def test_reingesting_an_unchanged_file_changes_nothing(tmp_path, seed_copy):
    db_path = tmp_path / "m.db"
    first = ingest_all(collect([seed_copy.parent]), db_path)
    before = counts(db_path)
    ids = [r["id"] for r in store.connect(db_path).query("select id from items order by id")]
    second = ingest_all(collect([seed_copy.parent]), db_path)
    assert (first.stored, second.stored, second.unchanged) == (1, 0, 1)
    assert counts(db_path) == before
    assert [r["id"] for r in store.connect(db_path).query("select id from items order by id")] == ids


def test_a_changed_file_replaces_its_rows(tmp_path, seed_copy):
    db_path = tmp_path / "m.db"
    ingest_all(collect([seed_copy]), db_path)
    seed_copy.write_text("Minutes\n\nRESOLVED that the Clerk write to the owner of the field by 1 March 2025.\n")
    summary = ingest_all(collect([seed_copy]), db_path)
    assert summary.replaced == 1
    db = store.connect(db_path)
    assert [r["text"] for r in db.query("select text from items")] == [
        "the Clerk write to the owner of the field by 1 March 2025"
    ]
    assert db["documents"].count == 1


def test_a_bad_file_is_recorded_and_the_batch_goes_on(tmp_path, seed_copy, shared_path):
    empty = seed_copy.parent / "empty.txt"
    empty.write_bytes(b"")
    scanned = shared_path("realdocs/milburn-pc-2016-accounts-scanned-no-text.pdf")
    messages: list[str] = []
    summary = ingest_all(collect([seed_copy.parent, scanned]), tmp_path / "m.db", echo=messages.append)
    assert (summary.stored, summary.failed) == (1, 2)
    db = store.connect(tmp_path / "m.db")
    reasons = {Path(r["path"]).name: r["reason"] for r in db["ingest_errors"].rows}
    assert reasons["empty.txt"].endswith("empty.txt: empty file")
    assert "no text layer" in reasons[scanned.name]
    assert all("\n" not in m for m in messages) and len(messages) == 2


def test_a_missing_file_is_an_error_not_a_crash(tmp_path):
    summary = ingest_all([Source(tmp_path / "gone.txt")], tmp_path / "m.db", echo=lambda m: None)
    assert summary.failed == 1 and "cannot read file" in summary.errors[0]


def test_the_database_is_a_real_sqlite_file_in_wal_mode(tmp_path, seed_copy):
    ingest_all(collect([seed_copy]), tmp_path / "m.db")
    conn = sqlite3.connect(tmp_path / "m.db")
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("pragma foreign_key_check").fetchall() == []


def test_full_text_search_is_stemmed(tmp_path, seed_copy):
    ingest_all(collect([seed_copy]), tmp_path / "m.db")
    db = store.connect(tmp_path / "m.db")
    hits = [r["text"] for r in db["items"].search("circulating")]
    assert hits and all("circulat" in h.lower() for h in hits)
