"""SQLite storage via sqlite-utils: the only module that knows SQL.

Tables: councils, committees, meetings, documents (with full text),
agenda_items, items (with the start/end span of its source text in the
document's text) and ingest_errors. A document is identified by its path;
its rows are written in one transaction, so a reader never sees half a
document, a process killed mid-write leaves the previous state, and a
changed file replaces its old rows atomically.

Several processes may write at once: the database is in WAL mode, every
write transaction starts with ``BEGIN IMMEDIATE`` (so two writers queue
instead of deadlocking), and a writer waits for the lock with backoff up
to the busy timeout before giving up with :class:`StoreLocked`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import sqlite_utils

from .document import Document
from .errors import BadDatabase, StoreLocked
from .themes import theme_for

BUSY_TIMEOUT_MS = 30_000
SCHEMA_VERSION = 1
BACKOFF_FIRST_S = 0.01  # the first wait after SQLITE_BUSY; it doubles up to BACKOFF_MAX_S
BACKOFF_MAX_S = 0.5
TABLES_BY_DOCUMENT = ("items", "agenda_items", "documents")  # delete order: items point at agenda_items


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def document_id(path: str) -> str:
    """Stable id from the file's resolved path: re-ingesting the same path updates the same rows.

    Fetched sources ("moderngov://host/meeting/101") are ids already and are not resolved against the
    working directory, so a fetch run from cron elsewhere updates the same rows.
    """
    key = str(path) if "://" in str(path) else str(Path(path).resolve())
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def connect(db_path: str | Path, *, timeout: float = BUSY_TIMEOUT_MS / 1000) -> sqlite_utils.Database:
    """Open (creating if needed) the database in WAL mode with a busy timeout, schema ensured.

    :param timeout: seconds a write waits for another writer's lock before :class:`StoreLocked`.
    """
    path = Path(db_path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    # SQLite reads the header itself: opening and closing the file here would drop every POSIX lock this
    # process holds on it, so another connection in the same process (the officers' Datasette) could
    # have its WAL checkpointed and removed under it
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.DatabaseError as e:
        conn.close()
        if "not a database" in str(e):
            raise BadDatabase(f"{path}: not an SQLite database; give --db a new file or an existing database") from None
        raise
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    db.execute("PRAGMA foreign_keys = ON")
    if path.name != ":memory:":
        _retry(db, lambda: db.execute("PRAGMA journal_mode = wal"))
        # WAL keeps every commit through a killed process without an fsync per commit (one per document);
        # only a power cut can lose the last few, never corrupt the file
        db.execute("PRAGMA synchronous = NORMAL")
    ensure_schema(db)
    return db


def db_file(db: sqlite_utils.Database) -> str:
    """The database's file name, for messages that must start with a path."""
    rows = db.execute("PRAGMA database_list").fetchall()
    return next((r[2] for r in rows if r[1] == "main" and r[2]), ":memory:")


def _is_busy(e: sqlite3.OperationalError) -> bool:
    # SQLITE_BUSY and its extended codes (RECOVERY, SNAPSHOT, TIMEOUT) all read "database is locked/busy"
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(e) or "busy" in str(e)


def _retry(db: sqlite_utils.Database, attempt, what: str = "write"):
    """Run ``attempt()`` until it stops failing with SQLITE_BUSY, backing off up to the busy timeout.

    SQLite's own busy handler already waits on most locks, but some SQLITE_BUSY results skip it
    (a WAL snapshot gone stale, recovery by another connection), so they are retried here.
    """
    timeout = db.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    deadline = time.monotonic() + timeout
    wait = BACKOFF_FIRST_S
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as e:
            if not _is_busy(e):
                raise
            if time.monotonic() >= deadline:
                raise StoreLocked(
                    f"{db_file(db)}: database is locked by another writer; gave up after {timeout:g} s ({e})"
                ) from None
        time.sleep(min(wait * random.uniform(0.5, 1.5), max(deadline - time.monotonic(), 0)))
        wait = min(wait * 2, BACKOFF_MAX_S)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception (the write lock is taken up front).

    :raises StoreLocked: when another writer holds the lock past the busy timeout.
    """
    _retry(db, lambda: db.execute("BEGIN IMMEDIATE"))
    try:
        yield
        _retry(db, lambda: db.execute("COMMIT"))
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the tables, indexes, full-text indexes and triggers, all in one transaction.

    Two ingests started at once on a new file must not both build the schema: sqlite-utils
    commits after each statement, and a second ``enable_fts`` would drop the first one's
    index while it is being filled. So the statements are worked out once on an in-memory
    database by :func:`create_schema` and replayed here under the write lock.
    """
    if db["items"].exists():
        _migrate(db)
        return
    with transaction(db):
        if db.execute("select 1 from sqlite_master where type = 'table' and name = 'items'").fetchone():
            return  # another process created it while this one waited for the lock
        for statement in schema_statements():
            db.execute(statement)


ADDED_COLUMNS = {"theme": "text", "page": "integer"}  # items columns added after the first release
ADDED_DOCUMENT_COLUMNS = {"draft": "integer not null default 0"}  # documents and ingest_errors columns added later
# Officers' corrections to the action register (pipeline/track/overrides.py applies them). A row
# names its action by item id and also by document and text, because a changed file gets new item
# ids (spans move) while the action's words and document stay the same.
OVERRIDES_SCHEMA = """create table if not exists [overrides] (
    [id] integer primary key,
    [action_id] text,
    [document_id] text,
    [action_text] text,
    [reference] text,
    [field] text not null,
    [value] text,
    [previous] text,
    [who] text not null,
    [at] text not null,
    [note] text
)"""


def _columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"pragma table_info([{table}])").fetchall()}


# What the published site filters, facets and sorts on (docs/publishing.md, "Indexes"): without them
# every filtered items page counts, facets and sorts by scanning the whole table.
INDEXES = (
    ("items", ["document_id"]),
    ("items", ["owner"]),
    ("items", ["due"]),
    # the table page's usual filters, equality first, then its default sort (newest meeting first)
    ("items", ["council_id", "kind", "action", "meeting_date"]),
    ("items", ["committee_id", "kind", "action", "meeting_date"]),
    ("items", ["meeting_date"]),
    ("agenda_items", ["document_id"]),
)


def _migrate(db: sqlite_utils.Database) -> None:
    """Bring a database made by an earlier version up to this schema (new columns, themes filled in)."""
    missing = {c: t for c, t in ADDED_COLUMNS.items() if c not in _columns(db, "items")}
    missing_docs = {c: t for c, t in ADDED_DOCUMENT_COLUMNS.items() if c not in _columns(db, "documents")}
    missing_errors = {c: t for c, t in ADDED_DOCUMENT_COLUMNS.items() if c not in _columns(db, "ingest_errors")}
    if missing or missing_docs or missing_errors or not db["overrides"].exists():
        with transaction(db):
            for table, wanted in (("items", missing), ("documents", missing_docs), ("ingest_errors", missing_errors)):
                have = _columns(db, table)
                for column, kind in wanted.items():
                    if column not in have:
                        db.execute(f"alter table [{table}] add column [{column}] {kind}")
            db.execute(OVERRIDES_SCHEMA)
    if missing:
        from .themes import backfill

        backfill(db.conn)
    _ensure_indexes(db)


def _index_sql(table: str, cols: list[str]) -> tuple[str, str]:
    """The name sqlite-utils gives the index, and its CREATE statement."""
    name = f"idx_{table}_{'_'.join(cols)}"
    return name, f"create index if not exists [{name}] on [{table}] ({', '.join(f'[{c}]' for c in cols)})"


def _ensure_indexes(db: sqlite_utils.Database) -> None:
    """Add the indexes of :data:`INDEXES` that an older database lacks (no write lock taken when none is missing)."""
    have = {r[0] for r in db.execute("select name from sqlite_master where type = 'index'").fetchall()}
    wanted = [_index_sql(table, cols) for table, cols in INDEXES]
    if all(name in have for name, _ in wanted):
        return
    with transaction(db):
        for _, sql in wanted:
            db.execute(sql)


@cache
def schema_statements() -> tuple[str, ...]:
    """The CREATE statements of the schema, in creation order, without FTS5's own shadow tables."""
    mem = sqlite_utils.Database(memory=True)
    create_schema(mem)
    rows = mem.execute("select type, name, sql from sqlite_master where sql is not null order by rowid").fetchall()
    virtual = [name for kind, name, sql in rows if kind == "table" and sql.upper().startswith("CREATE VIRTUAL TABLE")]
    # FTS5 makes <name>_data, _idx, _docsize and _config itself when the virtual table is created
    shadow = {name for _, name, _ in rows if any(name.startswith(v + "_") for v in virtual)}
    statements = tuple(sql for _, name, sql in rows if name not in shadow)
    mem.close()
    return statements


def create_schema(db: sqlite_utils.Database) -> None:
    """Build the schema with sqlite-utils (on an empty database; see :func:`ensure_schema`)."""
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
            "draft": int,
        },
        pk="id",
        foreign_keys=[("council_id", "councils"), ("committee_id", "committees"), ("meeting_id", "meetings")],
        not_null={"draft"},
        defaults={"draft": 0},
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
            "minute_number": str, "start": int, "end": int, "source_text": str, "theme": str, "page": int,
        },
        pk="id",
        foreign_keys=[
            ("document_id", "documents"), ("agenda_item_id", "agenda_items"),
            ("council_id", "councils"), ("committee_id", "committees"),
        ],
        if_not_exists=True,
    )  # fmt: skip
    db["ingest_errors"].create(
        {"path": str, "sha256": str, "error": str, "reason": str, "at": str, "draft": int},
        pk="path",
        not_null={"draft"},
        defaults={"draft": 0},
        if_not_exists=True,
    )
    db.execute(OVERRIDES_SCHEMA)
    for table, cols in INDEXES:
        db[table].create_index(cols, if_not_exists=True)
    db["items"].enable_fts(
        ["text", "owner", "agenda_item_title"], create_triggers=True, tokenize="porter", replace=True
    )
    db["documents"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter", replace=True)


def stored_sha(db: sqlite_utils.Database, path: str) -> str | None:
    """The sha256 stored for the document at ``path``, or None when it has not been stored."""
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
            "ingested_at": _now(), "draft": int(bool(m.draft)),
        }
    )  # fmt: skip
    for a in doc.agenda_items:
        rows["agenda_items"].append(
            {"id": f"{doc_id}:{a.index}", "document_id": doc_id, "idx": a.index, "number": a.number,
             "title": a.title, "start": a.char_start, "end": a.char_end}
        )  # fmt: skip
    pages = [(b.char_start, b.char_end, b.page) for b in doc.blocks if b.page is not None]
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
                "theme": theme_for(agenda.title if agenda else None, item.text, m.committee or m.council),
                "page": next((p for a, b, p in pages if a <= item.char_start < b), None),
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


def delete_document(db: sqlite_utils.Database, doc_id: str) -> None:
    """Delete a document with its agenda items and items (inside the caller's transaction)."""
    _delete_document(db, doc_id)


def _delete_document(db: sqlite_utils.Database, doc_id: str) -> None:
    # items first, as they point at agenda_items
    for table, key in zip(TABLES_BY_DOCUMENT, ("document_id", "document_id", "id")):
        db.execute(f"delete from [{table}] where [{key}] = ?", [doc_id])


def save(db: sqlite_utils.Database, doc: Document) -> str:
    """Store one document and its items in a single transaction, replacing any earlier version.

    Another process may have stored the same bytes since the caller checked :func:`stored_sha`;
    the check is repeated under the write lock, so two ingests of one file store it once.

    :returns: "stored", "replaced" or "unchanged".
    :raises StoreLocked: when another writer holds the lock past the busy timeout.
    """
    doc_id = document_id(doc.source)
    rows = document_rows(doc)
    with transaction(db):
        old = db.execute("select sha256, draft from documents where id = ?", [doc_id]).fetchone()
        if old and old[0] == doc.sha256:
            if doc.meta.draft is not None and int(doc.meta.draft) != old[1]:
                db.execute("update documents set draft = ? where id = ?", [int(doc.meta.draft), doc_id])
            return "unchanged"
        if old and doc.meta.draft is None:
            # a new version of a draft stays a draft until someone says otherwise: never published by accident
            rows["documents"][0]["draft"] = old[1]
        if old:
            _delete_document(db, doc_id)
        for table in ("councils", "committees", "meetings", "documents", "agenda_items", "items"):
            _insert(db, table, rows[table], ignore=table in ("councils", "committees", "meetings"))
        db.execute("delete from ingest_errors where path = ?", [doc.source])
    return "replaced" if old else "stored"


def set_draft(db: sqlite_utils.Database, doc_id: str, draft: bool) -> bool:
    """Mark a stored document as a draft (kept out of the public database) or not.

    :returns: whether the flag changed.
    """
    with transaction(db):
        cur = db.execute("update documents set draft = ? where id = ? and draft != ?", [int(draft), doc_id, int(draft)])
    return cur.rowcount > 0


def record_error(
    db: sqlite_utils.Database, path: str, error: Exception, sha256: str | None = None, *, draft: bool = False
) -> None:
    """Remember why a file could not be ingested (one row per path, latest reason wins).

    The reason is the error's message on one line: it is shown as-is on the public site, except for
    a file ingested as a draft (``draft``), whose name must not reach it either.
    """
    reason = " ".join(str(error).split())
    with transaction(db):
        db.execute(
            "insert or replace into ingest_errors (path, sha256, error, reason, at, draft) values (?, ?, ?, ?, ?, ?)",
            [str(path), sha256, _error_name(error), reason, _now(), int(draft)],
        )


def forget_error(db: sqlite_utils.Database, path: str) -> None:
    """Remove the ingest error recorded for ``path`` (an upload whose reason was shown to the officer instead)."""
    with transaction(db):
        db.execute("delete from ingest_errors where path = ?", [str(path)])


def _error_name(error: Exception) -> str:
    from .errors import PipelineError

    # anything that is not one of the pipeline's own failure kinds is a bug in a reader or the extractor
    return type(error).__name__ if isinstance(error, PipelineError) else "InternalError"


def missing_documents(db: sqlite_utils.Database, folders: Iterable[str | Path]) -> list[tuple[str, str]]:
    """(id, path) of stored documents under ``folders`` whose files are no longer on disk.

    A stored path is resolved against the current directory; when that does not give back the
    document's id, it was ingested from elsewhere, so whether it is missing cannot be told and
    it is left out (pruning must never remove a document because of where it is run from).
    """
    roots = [Path(f).resolve() for f in folders]
    if not roots:
        return []
    out = []
    for doc_id, path in db.execute("select id, path from documents order by path").fetchall():
        if "://" in path:
            continue  # fetched from a web service, not a file: never pruned as missing from disk
        resolved = Path(path).resolve()
        if document_id(path) != doc_id or not any(resolved.is_relative_to(r) for r in roots):
            continue
        if not resolved.exists():
            out.append((doc_id, path))
    return out


def prune(db: sqlite_utils.Database, doc_ids: Iterable[str]) -> int:
    """Delete documents with their agenda items and items, all in one transaction; returns how many."""
    ids = list(doc_ids)
    with transaction(db):
        for doc_id in ids:
            _delete_document(db, doc_id)
    return len(ids)


def check(db: sqlite_utils.Database) -> list[str]:
    """Problems with the stored data, empty when it is whole: what the crash and concurrency tests demand.

    Checks SQLite's own integrity and foreign keys, that each document has exactly its
    ``n_items`` items (no half-written document), that every item's ``source_text`` is the
    document text at its span, and that the full-text indexes match their tables.
    """
    problems = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"]
    problems += [f"foreign key: {tuple(r)}" for r in db.execute("PRAGMA foreign_key_check").fetchall()]
    sql = """select d.path, d.n_items, count(i.id) from documents d left join items i on i.document_id = d.id
             group by d.id having count(i.id) != d.n_items"""
    problems += [f"{p}: n_items is {n} but {k} items are stored" for p, n, k in db.execute(sql).fetchall()]
    sql = """select i.id from items i join documents d on d.id = i.document_id
             where substr(d.text, i.start + 1, i.end - i.start) != i.source_text"""
    problems += [f"{r[0]}: source_text is not the document text at its span" for r in db.execute(sql).fetchall()]
    for table in ("items", "documents"):
        try:
            db.execute(f"insert into [{table}_fts]([{table}_fts]) values ('integrity-check')")
        except sqlite3.DatabaseError as e:
            problems.append(f"{table}_fts: {e}")
    return problems
