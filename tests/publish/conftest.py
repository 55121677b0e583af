"""Fixtures for the publication tests: one real database, served in-process by Datasette with the project's plugin.

The database is built once per session by the real pipeline from the sample
corpus (the .txt documents of corpus/manifest.csv, with their manifest metadata)
plus one real file that cannot be ingested, so ingest_errors has a row; then the
action register is built over it, as `make db` does.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from datasette.app import Datasette

from pipeline.ingest import Source, read_manifest
from pipeline.publish import PLUGINS_DIR
from pipeline.publish.sample import build

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
METADATA_PATH = REPO / "datasette_metadata.json"
MANIFEST = REPO / "corpus" / "manifest.csv"
# A scanned PDF with no text layer: the reader refuses it with UnreadableDocument.
UNREADABLE = SHARED / "realdocs" / "milburn-pc-2016-accounts-scanned-no-text.pdf"
DB_NAME = "minutes"  # Datasette names a database after its file: build/minutes.db


@pytest.fixture(scope="session")
def minutes_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a minutes.db built from the manifest and tracked, the way `make db` builds build/minutes.db."""
    # Only the .txt rows: the PDF/DOCX renderings repeat the same minutes and triple the build time.
    sources = [s for s in read_manifest(MANIFEST) if s.path.suffix == ".txt"] + [Source(UNREADABLE)]
    path = tmp_path_factory.mktemp("publish") / f"{DB_NAME}.db"
    summary = build(sources, path)
    assert summary.failed == 1 and summary.items > 0, summary
    return path


@pytest.fixture(scope="session")
def metadata() -> dict:
    return json.loads(METADATA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ds(minutes_db: Path, metadata: dict) -> Datasette:
    datasette = Datasette([str(minutes_db)], metadata=metadata, plugins_dir=str(PLUGINS_DIR))
    asyncio.run(datasette.invoke_startup())
    return datasette


@pytest.fixture(scope="session")
def get(ds: Datasette) -> Callable[[str], httpx.Response]:
    """GET a path from the in-process Datasette (pytest-asyncio is not installed, so run each request here)."""

    def _get(path: str) -> httpx.Response:
        return asyncio.run(ds.client.get(path))

    return _get


@pytest.fixture(scope="session")
def db(minutes_db: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection, for working out what the pages should show."""
    conn = sqlite3.connect(f"file:{minutes_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()
