"""Concurrency: two ingests into one database at once both finish correctly, and readers never see half a document.

Two real ``python -m pipeline ingest`` processes write into one new database, on disjoint and
on overlapping sets of files, while this process reads it the way the site does: with plain
SQLite snapshots and through Datasette. Every snapshot must hold only whole documents, and
the end result must be exactly what one clean ingest of all the files gives.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from datasette.app import Datasette

from pipeline import store
from pipeline.document import Document, Item
from pipeline.errors import StoreLocked
from pipeline.ingest import Source, ingest_all

from .conftest import HALF_DOCUMENTS_SQL, counts, problems, write_minutes

ROOT = Path(__file__).resolve().parents[2]
N_FILES = 24
SPLITS = {
    "disjoint": (slice(0, 12), slice(12, 24)),
    "overlapping": (slice(0, 16), slice(8, 24)),
}


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, int]:
    folder = tmp_path_factory.mktemp("clean")
    paths = write_minutes(folder / "minutes", N_FILES)
    summary = ingest_all([Source(p) for p in paths], folder / "m.db", echo=lambda _: None)
    assert (summary.stored, summary.failed) == (N_FILES, 0)
    return counts(folder / "m.db")


class Readers:
    """Read the database over and over while ingests run: SQLite snapshots and Datasette queries."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        self.snapshots = self.datasette_reads = self.half_documents = 0
        self.documents_seen: set[int] = set()
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.db_path.exists() and not self.stop.is_set():
            time.sleep(0.01)
        try:
            asyncio.run(self._poll())
        except BaseException as e:  # a thread's failure must reach the test
            self.errors.append(e)

    async def _poll(self) -> None:
        ds = Datasette([str(self.db_path)])  # not immutable: the file is changing under it
        sql = HALF_DOCUMENTS_SQL.replace("count(*)", "count(*) as half, (select count(*) from documents) as docs", 1)
        while not self.stop.is_set():
            try:
                with closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)) as conn:
                    # one statement is one snapshot: the half-document count and the document count agree
                    half, docs = conn.execute(sql).fetchone()
                self.snapshots += 1
                self.half_documents += half
                self.documents_seen.add(docs)
            except sqlite3.OperationalError as e:
                if "no such table" not in str(e):  # the schema is not there yet
                    raise
            r = await ds.client.get("/m.json", params={"sql": sql, "_shape": "array"})
            if r.status_code == 200:
                self.datasette_reads += 1
                self.half_documents += r.json()[0]["half"]
            else:
                assert "no such table" in r.text, r.text
            await asyncio.sleep(0.01)  # leave the CPU to the writers

    def __enter__(self) -> Readers:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(30)


def ingest_command(paths: list[Path], db_path: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "ingest", *map(str, paths), "--db", str(db_path), "--no-progress"]


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_two_ingests_at_once_both_finish_and_readers_see_only_whole_documents(tmp_path, clean, split):
    paths = write_minutes(tmp_path / "minutes", N_FILES)
    db_path = tmp_path / "m.db"
    first, second = (paths[s] for s in SPLITS[split])
    with Readers(db_path) as readers:
        procs = [
            subprocess.Popen(
                ingest_command(files, db_path), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for files in (first, second)
        ]
        outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "0 failed" in out and err == "", (out, err)
    stored = [int(out.split(" new,")[0].rsplit(" ", 1)[1]) for out, _ in outputs]
    unchanged = [int(out.split(" unchanged,")[0].rsplit(" ", 1)[1]) for out, _ in outputs]
    # a file in both sets is stored by whichever ingest gets there first, and found unchanged by the other
    assert sum(stored) == N_FILES and sum(unchanged) == len(set(first) & set(second))
    assert counts(db_path) == clean
    assert problems(db_path) == []
    assert readers.errors == [] and readers.half_documents == 0
    assert readers.snapshots > 0 and readers.datasette_reads > 0
    print(
        f"{split}: {readers.snapshots} snapshots and {readers.datasette_reads} Datasette reads saw",
        sorted(readers.documents_seen),
    )


# --- the write lock ------------------------------------------------------------------------


def one_item_document(path: Path) -> Document:
    text = "RESOLVED that the Clerk write to the Highways Authority."
    item = Item(kind="decision", text=text[14:], action=True, char_start=14, char_end=len(text), owner="Clerk")
    return Document(source=str(path), sha256="abc", format="txt", text=text, items=(item,))


def test_a_writer_waits_for_another_writers_lock_and_then_stores(tmp_path):
    db_path = tmp_path / "m.db"
    store.connect(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
    db = store.connect(db_path, timeout=20)
    assert store.save(db, one_item_document(tmp_path / "a.txt")) == "stored"
    assert db["items"].count == 1


def test_a_lock_held_past_the_timeout_raises_store_locked_naming_the_database(tmp_path):
    db_path = tmp_path / "m.db"
    store.connect(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        db = store.connect(db_path, timeout=0.2)
        with pytest.raises(
            StoreLocked, match=rf"^{db_path}: database is locked by another writer; gave up after 0.2 s"
        ):
            store.save(db, one_item_document(tmp_path / "a.txt"))
        assert not db.conn.in_transaction
    finally:
        holder.execute("ROLLBACK")
    assert store.save(db, one_item_document(tmp_path / "a.txt")) == "stored"


def test_busy_errors_that_skip_sqlites_own_wait_are_retried(tmp_path, monkeypatch):
    # SQLITE_BUSY_SNAPSHOT and _RECOVERY come back at once, whatever the busy timeout: store retries them
    db = store.connect(tmp_path / "m.db", timeout=5)
    failures = iter([sqlite3.OperationalError("database is locked")] * 3)
    real_execute = db.execute

    def flaky_execute(sql, *args):
        if sql == "BEGIN IMMEDIATE" and (error := next(failures, None)):
            raise error
        return real_execute(sql, *args)

    monkeypatch.setattr(db, "execute", flaky_execute)
    assert store.save(db, one_item_document(tmp_path / "a.txt")) == "stored"
    assert next(failures, None) is None


def test_two_processes_creating_a_new_database_at_once_build_one_schema(tmp_path):
    db_path = tmp_path / "new.db"
    code = "import sys; from pipeline import store; store.connect(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db_path)], cwd=ROOT) for _ in range(4)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    with closing(sqlite3.connect(db_path)) as conn:
        names = sorted(r[0] for r in conn.execute("select name from sqlite_master where name not like 'sqlite_%'"))
    with closing(sqlite3.connect(":memory:")) as mem:
        for statement in store.schema_statements():
            mem.execute(statement)
        expected = sorted(r[0] for r in mem.execute("select name from sqlite_master where name not like 'sqlite_%'"))
    assert names == expected
    assert problems(db_path) == []
