"""Build a database the site can serve, the way `make db` does: ingest, then the action register.

Used by the browser tests and by the screenshot script when it is given documents
rather than a database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from ..ingest import Source, Summary, ingest_all
from ..themes import backfill


def add_register(path: Path) -> None:
    """Build the action register (``python -m pipeline track``) and fill any missing themes."""
    from .. import store
    from ..track import rebuild

    conn = sqlite3.connect(path)
    try:
        backfill(conn)  # a no-op once the store assigns items.theme at ingest
    finally:
        conn.close()
    db = store.connect(path)
    try:
        rebuild(db)
    finally:
        db.close()


def build(sources: Sequence[Source], path: Path, echo: Callable[[str], None] = lambda _: None) -> Summary:
    """Ingest ``sources`` into ``path`` and build the action register; returns the ingest summary."""
    summary = ingest_all(list(sources), path, echo=echo)
    add_register(path)
    return summary
