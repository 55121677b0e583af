"""Shared helpers for the crash and concurrency tests: a folder of many real minutes, and what a whole database is."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pipeline import store

CORPUS_MINUTES = Path(__file__).resolve().parents[2] / "corpus" / "minutes"


def write_minutes(folder: Path, n: int, version: int = 0) -> list[Path]:
    """Write ``n`` minutes into ``folder``: the corpus's real .txt minutes in turn, each under its own name.

    ``version`` adds that many blank lines at the end: every file's bytes (and sha256) change but
    not its text, so an ingest of a new version replaces every document with the same rows.
    """
    originals = sorted(CORPUS_MINUTES.glob("*.txt"))
    assert originals, f"{CORPUS_MINUTES} holds no minutes"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        original = originals[i % len(originals)]
        path = folder / f"{i:03d}-{original.name}"
        text = original.read_text(encoding="utf-8")
        path.write_text(text + "\n" * version, encoding="utf-8")
        paths.append(path)
    return paths


def counts(db_path: Path) -> dict[str, int]:
    """Rows per table, read without writing (so a reader's view is not disturbed)."""
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        return {
            t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
            for t in ("documents", "agenda_items", "items", "items_fts", "documents_fts", "ingest_errors")
        }


def problems(db_path: Path) -> list[str]:
    """Everything wrong with the database at ``db_path`` (see store.check), empty when it is whole."""
    db = store.connect(db_path)
    try:
        return store.check(db)
    finally:
        db.close()


HALF_DOCUMENTS_SQL = """
select count(*) from documents d
where d.n_items != (select count(*) from items i where i.document_id = d.id)
   or d.n_actions != (select count(*) from items i where i.document_id = d.id and i.action = 1)
"""


@pytest.fixture
def minutes_folder(tmp_path):
    """A factory: ``minutes_folder(n, version=0)`` writes n minutes into one folder and returns their paths."""
    folder = tmp_path / "minutes"
    return lambda n, version=0: write_minutes(folder, n, version)
