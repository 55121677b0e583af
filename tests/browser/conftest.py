"""A real site in a real browser: `datasette serve` over a database built from corpus/, driven by Chromium.

The database holds the corpus as `make db` builds it, except the 13 May 2025 minutes of the
Northmoor Children and Young People Scrutiny Committee: those are ingested afterwards with
the command line, the way a democratic services officer adds a new set of minutes (ingest
rebuilds the action register as it goes). A hostile document (tests/browser/data)
is ingested too, to check that nothing in a document's text can run in the browser.

Every test here is marked `browser` (make test-browser runs only them); they skip, saying why, when Chromium or Playwright is missing.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.document import Metadata
from pipeline.ingest import Source, read_manifest
from pipeline.publish import browser
from pipeline.publish.sample import build
from pipeline.publish.server import running
from pipeline.themes import backfill

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "corpus" / "manifest.csv"
NEW_MINUTES = ROOT / "corpus" / "minutes" / "northmoor-cyp-scrutiny-2025-05-13.txt"
NEW_MEETING = {
    "council": "Northmoor County Council",
    "committee": "Children and Young People Scrutiny Committee",
    "meeting_date": "2025-05-13",
}
HOSTILE = Path(__file__).resolve().parent / "data" / "hostile-minutes.txt"
HOSTILE_META = Metadata(council="Bramble End Parish Council", meeting_date="2025-02-03")


@pytest.fixture(scope="session")
def chromium_ready() -> None:
    reason = browser.missing()
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")


def cli(*args: str) -> subprocess.CompletedProcess:
    """Run `python -m pipeline ...` from the repository root, as a person would; fail with its stderr."""
    proc = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="session")
def site_db(tmp_path_factory: pytest.TempPathFactory, chromium_ready) -> Path:
    """build/minutes.db as an officer has it after adding the 13 May 2025 minutes with the command line."""
    path = tmp_path_factory.mktemp("browser") / "minutes.db"
    sources = [
        s for s in read_manifest(MANIFEST)
        if not s.path.is_relative_to(MANIFEST.parent / "generated") and s.path.resolve() != NEW_MINUTES
    ]  # fmt: skip
    summary = build([*sources, Source(HOSTILE, HOSTILE_META)], path)
    assert summary.failed == 0, summary.errors
    meta = [f"--{k.replace('_', '-')}={v}" for k, v in NEW_MEETING.items()]
    cli("ingest", str(NEW_MINUTES), *meta, "--db", str(path), "--no-progress")
    conn = sqlite3.connect(path)
    backfill(conn)  # a no-op once the store assigns items.theme at ingest
    conn.close()
    return path


@pytest.fixture(scope="session")
def new_minutes() -> dict[str, str]:
    """The minutes the officer adds with the command line: document id, council, committee and meeting date."""
    from pipeline.store import document_id

    return {"id": document_id(str(NEW_MINUTES)), **NEW_MEETING}


@pytest.fixture(scope="session")
def db(site_db: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection, for working out what the pages should show."""
    conn = sqlite3.connect(f"file:{site_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def server(site_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of `datasette serve` (the Makefile's command line) on a free loopback port."""
    log = tmp_path_factory.mktemp("server") / "datasette.log"
    with running(site_db, log=log) as url:
        yield url


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory, chromium_ready):
    """One headless Chromium with a fresh profile per test module.

    Not per session: Playwright's sync API keeps an event loop running while it is open, and
    the in-process Datasette tests of other folders call asyncio.run(), which refuses to nest.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = browser.launch(p, tmp_path_factory.mktemp("profile"))
        yield context
        context.close()


@dataclass
class Watched:
    """What a page did besides rendering: dialogs it opened, console messages and script errors."""

    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def watched() -> Watched:
    return Watched()


@pytest.fixture
def page(chromium, watched: Watched):
    """A new tab that records (and dismisses) every dialog, console message and uncaught error."""
    tab = chromium.new_page()

    def on_dialog(dialog):
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("console", lambda m: watched.console.append(f"{m.type}: {m.text}"))
    tab.on("pageerror", lambda e: watched.errors.append(str(e)))
    yield tab
    tab.close()
