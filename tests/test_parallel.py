"""Ingest on worker processes and on a Dask cluster stores exactly what a serial ingest stores."""

from __future__ import annotations

import os
import pickle
import random
import sqlite3
from pathlib import Path

import pytest

from pipeline.document import Document, Metadata
from pipeline.errors import PipelineError
from pipeline.ingest import Source, ingest_all
from pipeline.parallel import _on_pool, in_order, run_many, work

TIMESTAMPS = {"documents": ["ingested_at"], "ingest_errors": ["at"]}  # the only columns allowed to differ
# Files that cannot even be opened are recorded while every file is hashed, before any work goes
# out, so with workers those error rows go in earlier: the same rows, other rowids.
ANY_ORDER = {"ingest_errors"}


@pytest.fixture(scope="module")
def cluster_address():
    """A Dask LocalCluster of two single-threaded worker processes, as a scheduler address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def sources(tmp_path_factory, shared_path, corpus_path) -> list[Source]:
    """Real minutes in every format, with and without metadata, and three files that cannot be read."""
    bad = tmp_path_factory.mktemp("bad")
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 8)
    northmoor = Metadata(council="Northmoor County Council", committee="Children and Young People Scrutiny Committee")
    return [
        *(Source(p) for p in sorted(corpus_path("seeds").glob("*.txt"))),
        Source(corpus_path("minutes/northmoor-cyp-scrutiny-2025-01-14.txt"), northmoor.merged(Metadata(meeting_date="2025-01-14"))),
        Source(corpus_path("minutes/kelsbury-tc-2025-04-08.txt"), Metadata(council="Kelsbury Town Council")),
        Source(corpus_path("minutes/little-wrexley-pc-2025-01-21.txt")),
        Source(corpus_path("html/fenmarsh-2024-07-11-place-scrutiny-item-6.html")),
        Source(shared_path("realdocs/milburn-pc-2018-11-06-minutes.pdf"), Metadata(council="Milburn Parish Council")),
        Source(shared_path("realdocs/newbiggin-pc-2019-09-03-minutes.docx")),
        Source(bad / "empty.txt"),
        Source(shared_path("realdocs/milburn-pc-2016-accounts-scanned-no-text.pdf")),
        Source(bad / "binary.txt"),
        Source(bad / "missing.txt"),
    ]  # fmt: skip


def tables(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of every table (full-text indexes included) with its rowid, timestamps left out."""
    conn = sqlite3.connect(db_path)
    names = [
        r[0] for r in conn.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    ]
    out = {}
    for name in names:
        cols = [r[1] for r in conn.execute(f"pragma table_info([{name}])") if r[1] not in TIMESTAMPS.get(name, [])]
        out[name] = rows(conn, name, ", ".join(f"[{c}]" for c in cols))
    conn.close()
    return out


def rows(conn: sqlite3.Connection, table: str, columns: str) -> list[tuple]:
    if table not in ANY_ORDER:
        try:  # with rowids, so the rows must have gone in in the same order too
            return conn.execute(f"select rowid, {columns} from [{table}] order by rowid").fetchall()
        except sqlite3.OperationalError:  # a WITHOUT ROWID table (FTS5's config)
            pass
    return sorted(conn.execute(f"select {columns} from [{table}]").fetchall(), key=repr)


@pytest.fixture(scope="module")
def serial_db(tmp_path_factory, sources) -> Path:
    path = tmp_path_factory.mktemp("serial") / "minutes.db"
    ingest_all(sources, path, echo=lambda _: None)
    return path


def test_ingest_on_a_dask_cluster_stores_the_same_rows_as_a_serial_ingest(
    tmp_path, sources, serial_db, cluster_address
):
    summary = ingest_all(sources, tmp_path / "minutes.db", scheduler=cluster_address, echo=lambda _: None)
    assert (summary.stored, summary.failed) == (len(sources) - 4, 4)
    serial, parallel = tables(serial_db), tables(tmp_path / "minutes.db")
    assert serial["items"] and serial["documents"]
    assert parallel.keys() == serial.keys()
    for name in serial:
        assert parallel[name] == serial[name], name


def test_bad_files_fail_with_the_same_reasons_on_the_cluster(tmp_path, sources, serial_db, cluster_address):
    ingest_all(sources, tmp_path / "minutes.db", scheduler=cluster_address, echo=lambda _: None)
    reasons = "select path, error, reason from ingest_errors order by path"
    serial = sqlite3.connect(serial_db).execute(reasons).fetchall()
    assert {Path(path).name: error for path, error, _ in serial} == {
        "empty.txt": "EmptyDocument",
        "binary.txt": "UnsupportedFormat",
        "missing.txt": "UnreadableDocument",
        "milburn-pc-2016-accounts-scanned-no-text.pdf": "UnreadableDocument",
    }
    assert sqlite3.connect(tmp_path / "minutes.db").execute(reasons).fetchall() == serial


def test_run_many_on_two_processes_yields_the_serial_results_in_source_order(sources):
    some = [s for s in sources if s.path.suffix in (".txt", ".pdf")][:6] + sources[-2:]
    serial = [(s, work(s)) for s in some]
    parallel = list(run_many(some, jobs=2))
    assert [s for s, _ in parallel] == some
    assert [describe(r) for _, r in parallel] == [describe(r) for _, r in serial]


def describe(outcome: Document | Exception) -> tuple:
    if isinstance(outcome, Exception):
        return type(outcome).__name__, str(outcome)
    return outcome.sha256, outcome.text, outcome.blocks, outcome.agenda_items, outcome.items


def test_documents_and_errors_survive_the_trip_from_a_worker(sources):
    doc = work(sources[5])  # Northmoor: blocks, agenda items with sections, items with owners and dates
    assert isinstance(doc, Document) and doc.items and doc.meta.council == "Northmoor County Council"
    assert pickle.loads(pickle.dumps(doc)) == doc
    error = work(sources[-1])
    assert isinstance(error, PipelineError) and str(error).startswith(f"{sources[-1].path}: ")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_results_come_back_in_order_however_the_tasks_finish_and_never_more_than_the_window_at_once():
    rng = random.Random(9)
    running: list[int] = []
    submitted: list[int] = []
    most_outstanding = 0
    yielded: list[int] = []

    def submit(i: int) -> None:
        nonlocal most_outstanding
        running.append(i)
        submitted.append(i)
        most_outstanding = max(most_outstanding, len(submitted) - len(yielded))

    def next_done() -> tuple[int, str]:
        i = running.pop(rng.randrange(len(running)))  # any running task may finish first
        return i, f"result {i}"

    for i, result in in_order(submit, next_done, n=50, window=4):
        assert result == f"result {i}"
        yielded.append(i)
    assert yielded == list(range(50))
    assert most_outstanding == 4


def name_or_crash(source: Source, max_pages: int) -> str:
    """A stand-in for the pipeline whose worker process dies on files named crash*, as on a file that crashes PDFium."""
    if source.path.name.startswith("crash"):
        os._exit(70)
    return source.path.name


def test_a_file_that_kills_its_worker_fails_alone_and_the_rest_come_back(tmp_path):
    names = ["a.txt", "b.txt", "crash.pdf", "c.txt", "d.txt", "e.txt"]
    sources = [Source(tmp_path / name) for name in names]
    results = list(_on_pool(sources, max_pages=10, window=4, jobs=2, task=name_or_crash))
    assert [s for s, _ in results] == sources
    outcomes = [r if isinstance(r, str) else type(r).__name__ for _, r in results]
    assert outcomes == ["a.txt", "b.txt", "PipelineError", "c.txt", "d.txt", "e.txt"]
    died = results[2][1]
    assert str(died).startswith(f"{sources[2].path}: the worker process died reading this file")
