"""Crash safety: an ingest killed with SIGKILL at any moment leaves a whole database, and a re-run finishes the job.

Each run gives every file new bytes (so the killed ingest is replacing documents, not just
adding them), starts an ingest in a child process and SIGKILLs it: either after a random delay,
or at a random SQL statement, which lands the kill inside a document's transaction between its
inserts. After each kill the database must pass ``PRAGMA integrity_check`` and hold no half
document: every document is wholly the old version or wholly the new one. Then a re-run must
complete with exactly the rows a clean ingest gives. One more run kills the real command line.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline import store
from pipeline.ingest import collect, ingest_all

from .conftest import counts, problems, write_minutes

N_FILES = 16
SEED = 20250304
TIMED_KILLS = 5
STATEMENT_KILLS = 5
CHILD_TIMEOUT_S = 120  # a whole ingest takes a few seconds
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Clean:
    counts: dict[str, int]  # rows per table after an uninterrupted ingest
    statements: int  # SQL statements that ingest ran


@pytest.fixture(scope="module")
def clean(tmp_path_factory, nlp) -> Clean:
    """A clean, uninterrupted ingest of the folder (spaCy is loaded once here, for every forked child)."""
    folder = tmp_path_factory.mktemp("clean") / "minutes"
    write_minutes(folder, N_FILES)
    db_path = folder.parent / "m.db"
    n = 0

    def count(_sql: str) -> None:
        nonlocal n
        n += 1

    with traced_connections(count):
        summary = ingest_all(collect([folder]), db_path, echo=lambda _: None)
    assert (summary.stored, summary.failed) == (N_FILES, 0)
    return Clean(counts(db_path), n)


@contextmanager
def traced_connections(callback):
    """Every connection store.connect opens calls ``callback(sql)`` before each statement it runs."""
    connect = store.connect

    def traced(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.conn.set_trace_callback(callback)
        return db

    store.connect = traced
    try:
        yield
    finally:
        store.connect = connect


def ingest_then_die_at(folder: Path, db_path: Path, statement: int | None) -> None:
    """Child process: ingest ``folder``; with ``statement``, SIGKILL itself just before running that SQL statement."""
    seen = 0

    def die_at(_sql: str) -> None:
        nonlocal seen
        seen += 1
        if seen == statement:
            os.kill(os.getpid(), signal.SIGKILL)

    with traced_connections(die_at):
        ingest_all(collect([folder]), db_path, echo=lambda _: None)


def shas(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def stored_shas(db_path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        return dict(conn.execute("select path, sha256 from documents"))


def test_sigkill_at_random_moments_never_leaves_half_a_document(tmp_path, clean):
    rng = random.Random(SEED)
    folder = tmp_path / "minutes"
    db_path = tmp_path / "m.db"
    paths = write_minutes(folder, N_FILES)
    fork = multiprocessing.get_context("fork")  # the child inherits the loaded spaCy model: no start-up time
    survived = killed = 0
    kills = [("delay", rng.uniform(0.05, 1.2)) for _ in range(TIMED_KILLS)]
    # a replacing ingest runs more statements than the clean one (the deletes), so every index is reached
    kills += [("statement", rng.randint(1, clean.statements)) for _ in range(STATEMENT_KILLS)]
    for version, (how, when) in enumerate(kills, start=1):
        before = shas(paths)
        paths = write_minutes(folder, N_FILES, version)  # new bytes: the ingest replaces what is stored
        after = shas(paths)
        child = fork.Process(target=ingest_then_die_at, args=(folder, db_path, when if how == "statement" else None))
        child.start()
        if how == "delay":
            child.join(when)
            child.kill()
        child.join(CHILD_TIMEOUT_S)
        if child.is_alive():  # a forked child stuck on a lock another thread held at fork time
            child.kill()
            pytest.fail(f"the ingest child hung ({how} {when})")
        assert child.exitcode == -signal.SIGKILL or (how == "delay" and child.exitcode == 0), (how, when)
        killed += child.exitcode == -signal.SIGKILL

        assert problems(db_path) == [], (how, when)
        for path, sha in stored_shas(db_path).items():
            assert sha in (before[path], after[path]), f"{path} is neither the old nor the new version"

        summary = ingest_all(collect([folder]), db_path, echo=lambda _: None)
        assert summary.failed == 0
        assert counts(db_path) == clean.counts, (how, when)
        assert stored_shas(db_path) == after
        assert problems(db_path) == []
        survived += 1
    assert survived == TIMED_KILLS + STATEMENT_KILLS
    assert killed >= STATEMENT_KILLS  # the timed kills may come after a fast ingest has finished
    print(f"kill runs survived: {survived}, of which killed mid-ingest: {killed}")


def test_killing_the_command_line_ingest_then_rerunning_it_gives_a_clean_database(tmp_path, clean):
    folder = tmp_path / "minutes"
    db_path = tmp_path / "m.db"
    write_minutes(folder, N_FILES)
    command = [sys.executable, "-m", "pipeline", "ingest", str(folder), "--db", str(db_path), "--no-progress"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # kill once it has stored something and before it has stored everything, when the timing allows
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if db_path.exists() and _documents(db_path) >= 2:
                break
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert problems(db_path) == []
    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert counts(db_path) == clean.counts
    assert problems(db_path) == []


def _documents(db_path: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            return conn.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
