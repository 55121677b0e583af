"""Pruning: a file removed from a folder leaves the database only with an explicit --prune, never silently."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import store
from pipeline.cli import cli
from pipeline.ingest import collect, ingest_all

from .conftest import counts, problems, write_minutes


def ingest(*args: str | Path) -> str:
    result = CliRunner().invoke(cli, ["ingest", *map(str, args), "--no-progress"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def rows_of(db_path: Path, path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(db_path)) as conn:
        (doc_id,) = conn.execute("select id from documents where path = ?", [str(path)]).fetchone() or (None,)
        return {
            "documents": conn.execute("select count(*) from documents where path = ?", [str(path)]).fetchone()[0],
            "items": conn.execute("select count(*) from items where document_id = ?", [doc_id]).fetchone()[0],
            "agenda_items": conn.execute(
                "select count(*) from agenda_items where document_id = ?", [doc_id]
            ).fetchone()[0],
        }


@pytest.fixture
def ingested(tmp_path) -> tuple[list[Path], Path]:
    paths = write_minutes(tmp_path / "minutes", 4)
    db_path = tmp_path / "m.db"
    ingest(paths[0].parent, "--db", db_path)
    return paths, db_path


def test_a_deleted_file_is_kept_and_counted_without_prune(ingested):
    paths, db_path = ingested
    before = rows_of(db_path, paths[1])
    paths[1].unlink()
    line = ingest(paths[0].parent, "--db", db_path)
    assert line.startswith("3 files: 0 new, 0 replaced, 3 unchanged, 0 failed;")
    assert line.endswith("; 1 stored document missing from disk kept (--prune removes them)")
    assert rows_of(db_path, paths[1]) == before and before["items"] > 0


def test_prune_removes_the_document_with_its_items_and_agenda_items(ingested):
    paths, db_path = ingested
    before = counts(db_path)
    gone = rows_of(db_path, paths[1])
    paths[1].unlink()
    line = ingest(paths[0].parent, "--db", db_path, "--prune")
    assert "; 1 stored document missing from disk pruned" in line
    assert rows_of(db_path, paths[1]) == {"documents": 0, "items": 0, "agenda_items": 0}
    after = counts(db_path)
    assert after["documents"] == before["documents"] - 1
    assert after["items"] == before["items"] - gone["items"]
    assert after["agenda_items"] == before["agenda_items"] - gone["agenda_items"]
    assert problems(db_path) == []
    assert "missing" not in ingest(paths[0].parent, "--db", db_path, "--prune")


def test_prune_only_touches_the_folders_it_is_given(tmp_path):
    kept = write_minutes(tmp_path / "a", 2)
    pruned = write_minutes(tmp_path / "b", 2)
    db_path = tmp_path / "m.db"
    ingest(kept[0].parent, pruned[0].parent, "--db", db_path)
    kept[0].unlink()
    pruned[0].unlink()
    line = ingest(pruned[0].parent, "--db", db_path, "--prune")
    assert "; 1 stored document missing from disk pruned" in line
    assert rows_of(db_path, kept[0])["documents"] == 1
    assert rows_of(db_path, pruned[0])["documents"] == 0


def test_prune_keeps_documents_ingested_from_another_directory(tmp_path, monkeypatch):
    # a relative path means something else from another working directory: never guess, keep it
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    write_minutes(Path("minutes"), 2)
    db_path = tmp_path / "m.db"
    ingest("minutes", "--db", db_path)
    (tmp_path / "there").mkdir()
    monkeypatch.chdir(tmp_path / "there")
    Path("minutes").mkdir()
    line = ingest("minutes", "--db", db_path, "--prune")
    assert "missing" not in line
    assert counts(db_path)["documents"] == 2


def test_prune_is_one_transaction(ingested, monkeypatch):
    paths, db_path = ingested
    before = counts(db_path)
    for p in paths[:3]:
        p.unlink()
    deleted = 0
    real_delete = store._delete_document

    def fail_on_the_third(db, doc_id):
        nonlocal deleted
        deleted += 1
        if deleted == 3:
            raise RuntimeError("disk full")
        real_delete(db, doc_id)

    monkeypatch.setattr(store, "_delete_document", fail_on_the_third)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_all(collect([paths[0].parent]), db_path, folders=[paths[0].parent], prune=True)
    assert counts(db_path) == before  # the two documents deleted before the failure are back
