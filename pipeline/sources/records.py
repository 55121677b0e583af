"""The fetch's own tables: what was asked of each site and when (``sources``), and every version of
each fetched minutes document (``source_versions``).

``sources`` has one row per URL asked for: the web service's lists, each meeting and each
minutes file downloaded. It keeps the validators (ETag, Last-Modified) for the next
conditional GET, the sha256 of the last body, the outcome, the one-line error if any, and
when the URL was last checked (``fetched_at``) and last seen to change (``changed_at``), so a
fetch can resume and the published site shows how fresh each council's record is.

``source_versions`` keeps each distinct text stored for a meeting's minutes, oldest first:
when draft minutes are replaced by the approved ones, the documents and items tables hold
only the approved text (search never shows both) and the draft stays here, marked with the
time it was superseded. Only text that was stored is kept, so a restricted item's text,
never fetched, is never here either.

The core tables belong to :mod:`pipeline.store`; this module writes only its own, each
change in one ``BEGIN IMMEDIATE`` transaction like the store's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from .. import store

SCHEMA = (
    """create table if not exists [sources] (
        [url] text primary key,
        [site] text,
        [kind] text,            -- committees | meetings | meeting | document
        [committee_id] text,
        [committee] text,
        [meeting_id] text,
        [meeting_date] text,
        [path] text,            -- the stored document's path (moderngov://host/meeting/N), when one is stored
        [document_url] text,    -- where the stored text came from: the meeting page, or the minutes file
        [minutes_status] text,  -- draft | published
        [withheld] text,        -- minute numbers of restricted items, never fetched
        [duplicate_of] text,    -- the stored document with the same bytes, when this one was not stored again
        [status] text,          -- stored | replaced | unchanged | not-modified | no-minutes | duplicate | ok | failed
        [error] text,
        [etag] text,
        [last_modified] text,
        [sha256] text,
        [bytes] integer,
        [fetched_at] text,
        [changed_at] text
    )""",
    "create index if not exists [idx_sources_site] on [sources] ([site], [kind])",
    """create table if not exists [source_versions] (
        [path] text,
        [sha256] text,
        [minutes_status] text,
        [title] text,
        [url] text,
        [text] text,
        [first_seen] text,
        [superseded_at] text,
        primary key ([path], [sha256])
    )""",
)
SOURCE_COLUMNS = (
    "url", "site", "kind", "committee_id", "committee", "meeting_id", "meeting_date", "path", "document_url",
    "minutes_status", "withheld", "duplicate_of", "status", "error", "etag", "last_modified", "sha256", "bytes",
    "fetched_at", "changed_at",
)  # fmt: skip


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def ensure_tables(db: sqlite_utils.Database) -> None:
    """Create ``sources`` and ``source_versions`` if they are missing."""
    if db["sources"].exists() and db["source_versions"].exists():
        return
    with store.transaction(db):
        for statement in SCHEMA:
            db.execute(statement)


def previous(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The ``sources`` row of ``url`` from an earlier fetch, or None."""
    rows = list(db.query("select * from sources where url = ?", [url]))
    return rows[0] if rows else None


def record(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    """Upsert one ``sources`` row: columns not given keep their earlier values.

    ``fetched_at`` is set to now; ``changed_at`` too when the body's sha256 differs from the
    one recorded before (or none was).
    """
    at = now()
    with store.transaction(db):
        old = db.execute("select sha256 from sources where url = ?", [row["url"]]).fetchone()
        values = {**row, "fetched_at": at}
        if "sha256" in row and row["sha256"] and (old is None or old[0] != row["sha256"]):
            values["changed_at"] = at
        cols = [c for c in SOURCE_COLUMNS if c in values]
        if old is None:
            db.execute(
                f"insert into sources ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
                [values[c] for c in cols],
            )
        else:
            sets = ", ".join(f"[{c}] = ?" for c in cols if c != "url")
            db.execute(
                f"update sources set {sets} where url = ?", [values[c] for c in cols if c != "url"] + [row["url"]]
            )


def record_version(
    db: sqlite_utils.Database,
    path: str,
    sha256: str,
    *,
    minutes_status: str | None,
    title: str | None,
    url: str | None,
    text: str | None = None,
) -> None:
    """Note that ``path`` now holds the text with ``sha256``; earlier versions become superseded.

    Idempotent: recording the current version again changes nothing. Without ``text``, the
    stored document's text is copied (for a version stored by a run that stopped before it
    could record it).
    """
    at = now()
    with store.transaction(db):
        if text is None:
            row = db.execute("select text from documents where id = ?", [store.document_id(path)]).fetchone()
            text = row[0] if row else None
        db.execute(
            """insert or ignore into source_versions (path, sha256, minutes_status, title, url, text, first_seen)
               values (?, ?, ?, ?, ?, ?, ?)""",
            [path, sha256, minutes_status, title, url, text, at],
        )
        # the current version is never superseded, even when it comes back after a later one
        db.execute("update source_versions set superseded_at = null where path = ? and sha256 = ?", [path, sha256])
        db.execute(
            "update source_versions set superseded_at = ? where path = ? and sha256 != ? and superseded_at is null",
            [at, path, sha256],
        )


def versions(db: sqlite_utils.Database, path: str) -> list[dict[str, Any]]:
    """Every version stored for ``path``, oldest first."""
    return list(db.query("select * from source_versions where path = ? order by first_seen, rowid", [path]))


def stored_path_with_sha(db: sqlite_utils.Database, sha256: str, *, other_than: str) -> str | None:
    """The path of a stored document with these bytes, other than ``other_than``; None if there is none.

    (A read of the core ``documents`` table: it belongs in :mod:`pipeline.store`.)
    """
    row = db.execute(
        "select path from documents where sha256 = ? and id != ? order by path limit 1",
        [sha256, store.document_id(other_than)],
    ).fetchone()
    return row[0] if row else None


def clear_error(db: sqlite_utils.Database, path: str) -> None:
    """Forget a failure recorded for ``path`` in ``ingest_errors`` once it has been fetched successfully.

    (A write to a core table: it belongs in :mod:`pipeline.store` beside ``record_error``.)
    """
    with store.transaction(db):
        db.execute("delete from ingest_errors where path = ?", [path])
