"""A store holding two chains of real-style minutes from corpus/, ingested the ordinary way.

- Northmoor's Children and Young People Scrutiny Committee on 14 January, 11 March and
  13 May 2025: actions agreed, reported on under "Matters arising", then in an action log.
- Ashcombe's Cabinet on 19 February 2025 recommending to Council, and Council on 5 March
  deciding.

The store is built once per session; tests that write the register work on a copy.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline import store
from pipeline.ingest import ingest_all, read_manifest
from pipeline.track.register import _load

CHAIN = (
    "minutes/northmoor-cyp-scrutiny-2025-01-14.txt",
    "minutes/northmoor-cyp-scrutiny-2025-03-11.txt",
    "minutes/northmoor-cyp-scrutiny-2025-05-13.txt",
    "minutes/ashcombe-cabinet-2025-02-19.txt",
    "minutes/ashcombe-council-2025-03-05.txt",
)


def chain_sources(corpus_path, names=CHAIN):
    manifest = corpus_path("manifest.csv")
    wanted = {corpus_path(n).resolve() for n in names}
    return [s for s in read_manifest(manifest) if s.path.resolve() in wanted]


@pytest.fixture(scope="session")
def sources_for(corpus_path):
    """Manifest sources (with their metadata) for the named corpus files."""
    return lambda names=CHAIN: chain_sources(corpus_path, names)


@pytest.fixture(scope="session")
def chain_db_path(tmp_path_factory, corpus_path) -> Path:
    """A database file with the five documents ingested (no register yet)."""
    path = tmp_path_factory.mktemp("track") / "chain.db"
    summary = ingest_all(chain_sources(corpus_path), path, echo=lambda m: None)
    assert summary.failed == 0, summary.errors
    return path


@pytest.fixture(scope="session")
def core(chain_db_path):
    """The core tables' rows, as the register reads them."""
    db = store.connect(chain_db_path)
    try:
        return _load(db)
    finally:
        db.close()


@pytest.fixture
def db_copy_path(chain_db_path, tmp_path) -> Path:
    """A writable copy of the chain database."""
    path = tmp_path / "copy.db"
    src, dst = sqlite3.connect(chain_db_path), sqlite3.connect(path)
    src.backup(dst)  # a file copy could miss pages still in the write-ahead log
    src.close()
    dst.close()
    return path


@pytest.fixture
def db_copy(db_copy_path):
    """The copy, open."""
    db = store.connect(db_copy_path)
    yield db
    db.close()
