"""SQLite storage via sqlite-utils: the only module that knows SQL.

Tables: councils, committees, meetings, documents (with full text),
agenda_items, items (with the start/end span of its source text in the
document's text) and ingest_errors. A document is identified by its path;
its rows are written in one transaction, so a reader never sees half a
document and a changed file replaces its old rows atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from pathlib import Path
from typing import Any

import sqlite_utils

from .document import Document
from .errors import StoreLocked

BUSY_TIMEOUT_MS = 30_000
SCHEMA_VERSION = 1


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def document_id(path: str) -> str:
    """Stable id from the file's resolved path: re-ingesting the same path updates the same rows."""
    return hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:16]


def connect(db_path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database in WAL mode with a busy timeout, schema ensured."""
    path = Path(db_path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    if path.name != ":memory:":
        db.enable_wal()
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    if db["items"].exists():
        return
    db["councils"].create({"id": str, "name": str}, pk="id", if_not_exists=True)
    db["committees"].create(
        {"id": str, "council_id": str, "name": str},
        pk="id",
        foreign_keys=[("council_id", "councils")],
        if_not_exists=True,
    )
    db["meetings"].create(
        {"id": str, "council_id": str, "committee_id": str, "date": str},
        pk="id",
        foreign_keys=[("council_id", "councils"), ("committee_id", "committees")],
        if_not_exists=True,
    )
    db["documents"].create(
        {
            "id": str, "path": str, "sha256": str, "format": str, "title": str, "url": str,
            "council_id": str, "committee_id": str, "meeting_id": str, "meeting_date": str,
            "pages": int, "n_blocks": int, "n_items": int, "n_actions": int, "text": str, "ingested_at": str,
        },
        pk="id",
        foreign_keys=[("council_id", "councils"), ("committee_id", "committees"), ("meeting_id", "meetings")],
        if_not_exists=True,
    )  # fmt: skip
    db["agenda_items"].create(
        {"id": str, "document_id": str, "idx": int, "number": str, "title": str, "start": int, "end": int},
        pk="id",
        foreign_keys=[("document_id", "documents")],
        if_not_exists=True,
    )
    db["items"].create(
        {
            "id": str, "document_id": str, "agenda_item_id": str, "seq": int, "kind": str, "text": str,
            "action": int, "owner": str, "due": str, "due_text": str, "section": str, "rule": str,
            "council_id": str, "committee_id": str, "meeting_date": str, "agenda_item_title": str,
            "minute_number": str, "start": int, "end": int, "source_text": str,
        },
        pk="id",
        foreign_keys=[
            ("document_id", "documents"), ("agenda_item_id", "agenda_items"),
            ("council_id", "councils"), ("committee_id", "committees"),
        ],
        if_not_exists=True,
    )  # fmt: skip
    db["ingest_errors"].create(
        {"path": str, "sha256": str, "error": str, "reason": str, "at": str}, pk="path", if_not_exists=True
    )
    for table, cols in (
        ("items", ["document_id"]),
        ("items", ["owner"]),
        ("items", ["due"]),
        ("agenda_items", ["document_id"]),
    ):
        db[table].create_index(cols, if_not_exists=True)
    db["items"].enable_fts(
        ["text", "owner", "agenda_item_title"], create_triggers=True, tokenize="porter", replace=True
    )
    db["documents"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter", replace=True)


def stored_sha(db: sqlite_utils.Database, path: str) -> str | None:
    rows = list(db.query("select sha256 from documents where id = ?", [document_id(path)]))
    return rows[0]["sha256"] if rows else None


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def document_rows(doc: Document) -> dict[str, list[dict[str, Any]]]:
    """Every row one document contributes, keyed by table (pure: no database needed)."""
    doc_id = document_id(doc.source)
    m = doc.meta
    council_id = slug(m.council) if m.council else None
    committee_id = f"{council_id or 'unknown'}/{slug(m.committee)}" if m.committee else None
    meeting_id = f"{committee_id or council_id or 'unknown'}/{m.meeting_date}" if m.meeting_date else None
    agendas = {a.index: a for a in doc.agenda_items}
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("councils", "committees", "meetings", "documents", "agenda_items", "items")
    }
    if council_id:
        rows["councils"].append({"id": council_id, "name": m.council})
    if committee_id:
        rows["committees"].append({"id": committee_id, "council_id": council_id, "name": m.committee})
    if meeting_id:
        rows["meetings"].append(
            {"id": meeting_id, "council_id": council_id, "committee_id": committee_id, "date": m.meeting_date}
        )
    rows["documents"].append(
        {
            "id": doc_id, "path": doc.source, "sha256": doc.sha256, "format": doc.format, "title": m.title,
            "url": m.url, "council_id": council_id, "committee_id": committee_id, "meeting_id": meeting_id,
            "meeting_date": m.meeting_date, "pages": doc.pages, "n_blocks": len(doc.blocks),
            "n_items": len(doc.items), "n_actions": sum(1 for i in doc.items if i.action), "text": doc.text,
            "ingested_at": _now(),
        }
    )  # fmt: skip
    for a in doc.agenda_items:
        rows["agenda_items"].append(
            {"id": f"{doc_id}:{a.index}", "document_id": doc_id, "idx": a.index, "number": a.number,
             "title": a.title, "start": a.char_start, "end": a.char_end}
        )  # fmt: skip
    for seq, item in enumerate(doc.items):
        agenda = agendas.get(item.agenda_item) if item.agenda_item is not None else None
        rows["items"].append(
            {
                "id": f"{doc_id}:{item.char_start}-{item.char_end}:{seq}", "document_id": doc_id,
                "agenda_item_id": f"{doc_id}:{agenda.index}" if agenda else None, "seq": seq, "kind": item.kind,
                "text": item.text, "action": int(item.action), "owner": item.owner, "due": item.due,
                "due_text": item.due_text, "section": item.section, "rule": item.rule, "council_id": council_id,
                "committee_id": committee_id, "meeting_date": m.meeting_date,
                "agenda_item_title": agenda.title if agenda else None, "minute_number": agenda.number if agenda else None,
                "start": item.char_start, "end": item.char_end, "source_text": doc.text[item.char_start : item.char_end],
            }
        )  # fmt: skip
    return rows


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]], ignore: bool = False) -> None:
    # sqlite-utils' insert_all commits as it goes; a document must land in one transaction, so
    # the rows go in with plain executemany inside the caller's BEGIN ... COMMIT.
    if not rows:
        return
    cols = list(rows[0])
    sql = f"insert {'or ignore ' if ignore else ''}into [{table}] ({', '.join(f'[{c}]' for c in cols)}) values ({', '.join('?' for _ in cols)})"
    db.conn.executemany(sql, [[r[c] for c in cols] for r in rows])


def save(db: sqlite_utils.Database, doc: Document) -> str:
    """Store one document and its items in a single transaction, replacing any earlier version.

    Returns "stored", "replaced" or "unchanged".
    """
    doc_id = document_id(doc.source)
    rows = document_rows(doc)
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise StoreLocked(f"{db.conn}: database is locked ({e})") from None
    try:
        old = list(db.execute("select sha256 from documents where id = ?", [doc_id]).fetchall())
        if old and old[0][0] == doc.sha256:
            db.execute("ROLLBACK")
            return "unchanged"
        if old:
            db.execute("delete from items where document_id = ?", [doc_id])
            db.execute("delete from agenda_items where document_id = ?", [doc_id])
            db.execute("delete from documents where id = ?", [doc_id])
        for table in ("councils", "committees", "meetings", "documents", "agenda_items", "items"):
            _insert(db, table, rows[table], ignore=table in ("councils", "committees", "meetings"))
        db.execute("delete from ingest_errors where path = ?", [doc.source])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return "replaced" if old else "stored"


def record_error(db: sqlite_utils.Database, path: str, error: Exception, sha256: str | None = None) -> None:
    """Remember why a file could not be ingested (one row per path, latest reason wins)."""
    db["ingest_errors"].upsert(
        {"path": str(path), "sha256": sha256, "error": type(error).__name__, "reason": str(error), "at": _now()},
        pk="path",
    )
