"""Write the public database: a copy of the working one with every draft and all that came from it removed.

Officers ingest draft minutes into the working database to preview and correct them; the public
site must hold no trace of them. Deleting rows is not enough, since SQLite leaves deleted text in
free pages, in FTS5 index segments and in the WAL, so :func:`publish`:

1. copies the working database with ``VACUUM INTO`` (a consistent snapshot, even while an
   officer's instance is writing);
2. on the copy, with ``secure_delete`` on, deletes each draft's document, agenda items and items
   (their FTS rows go with them through the triggers), the fetch records and ingest errors of
   its path, the errors of files that failed as drafts, the officers' corrections to its actions, and any council, committee or meeting
   that only a draft named;
3. rebuilds the action register without the drafts (a draft's passages can otherwise be an
   earlier action's evidence) with the corrections laid over it, and rebuilds every FTS5 index
   from its table;
4. writes the result with ``VACUUM INTO`` into a new file, which holds only live rows, and moves
   it into place, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .. import store
from ..errors import PublishFailed

# tables keyed by a document's path rather than its id
TABLES_BY_PATH = (("ingest_errors", "path"), ("sources", "path"), ("source_versions", "path"))


@dataclass
class Published:
    """What a publish wrote, for the command line and the officer's page."""

    out: Path
    documents: int
    drafts_left_out: int
    actions: int
    overrides: int

    def line(self) -> str:
        return (
            f"{self.out}: {self.documents} documents, {self.actions} actions, {self.overrides} corrections; "
            f"{self.drafts_left_out} draft{'' if self.drafts_left_out == 1 else 's'} left out"
        )


def _vacuum_into(conn: sqlite3.Connection, path: Path) -> None:
    path.unlink(missing_ok=True)
    conn.execute("vacuum into ?", [str(path)])


def _fts_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("select name, sql from sqlite_master where type = 'table' and sql is not null").fetchall()
    return [name for name, sql in rows if "using fts5" in sql.lower()]


def strip_drafts(db) -> int:
    """Delete every draft and what was derived from it, then rebuild the register and the FTS indexes.

    Only ever run on a copy: the working database keeps its drafts.

    :returns: how many drafts were removed.
    """
    from ..track import rebuild

    db.execute("pragma secure_delete = on")
    drafts = db.execute("select id, path from documents where draft = 1").fetchall()
    ids = [d for d, _ in drafts]
    with store.transaction(db):
        for doc_id, path in drafts:
            store.delete_document(db, doc_id)
            for table, column in TABLES_BY_PATH:
                if db[table].exists():
                    db.execute(f"delete from [{table}] where [{column}] = ?", [path])
        db.execute("delete from ingest_errors where draft = 1")  # files that failed while being ingested as drafts
        if ids and db["overrides"].exists():
            marks = ", ".join("?" for _ in ids)
            db.execute(f"delete from overrides where document_id in ({marks})", ids)
        # names that only a draft brought in (a committee's first set of minutes, say)
        db.execute(
            "delete from meetings where id not in (select meeting_id from documents where meeting_id is not null)"
        )
        db.execute(
            "delete from committees where id not in (select committee_id from documents where committee_id is not null)"
            " and id not in (select committee_id from meetings where committee_id is not null)"
        )
        db.execute(
            "delete from councils where id not in (select council_id from documents where council_id is not null)"
            " and id not in (select council_id from committees where council_id is not null)"
            " and id not in (select council_id from meetings where council_id is not null)"
        )
    rebuild(db)
    with store.transaction(db):
        for table in _fts_tables(db.conn):
            db.execute(f"insert into [{table}]([{table}]) values ('rebuild')")
            db.execute(f"insert into [{table}]([{table}]) values ('optimize')")
    return len(drafts)


def publish(db_path: str | Path, out: str | Path) -> Published:
    """Write the public database at ``out`` from the working database at ``db_path`` (see the module docs).

    :raises PublishFailed: when ``db_path`` is missing, ``out`` is ``db_path``, or a draft survived.
    """
    db_path, out = Path(db_path), Path(out)
    if not db_path.is_file():
        raise PublishFailed(f"{db_path}: no such database; run `python -m pipeline ingest` first")
    if out.resolve() == db_path.resolve():
        raise PublishFailed(f"{out}: the public database must be a different file from the working one")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.with_name(f".{out.name}.{os.getpid()}.work")
    final = out.with_name(f".{out.name}.{os.getpid()}.new")
    try:
        # a plain connection, not mode=ro: a read-only one cannot join the WAL an officer's instance keeps open
        with closing(sqlite3.connect(db_path, timeout=store.BUSY_TIMEOUT_MS / 1000)) as src:
            try:
                _vacuum_into(src, work)
            except sqlite3.DatabaseError as e:  # not a database, or a damaged one: nothing to publish from
                raise PublishFailed(f"{db_path}: cannot copy the working database ({e})") from None
        db = store.connect(work)  # brings an older schema up to date, so drafts are flagged in any case
        try:
            db.execute("pragma journal_mode = delete")  # no WAL file beside the copy to hold deleted pages
            left_out = strip_drafts(db)
            problems = store.check(db)
            if problems:
                raise PublishFailed(f"{db_path}: the public copy is not whole: {problems[0]}")
            _vacuum_into(db.conn, final)
        finally:
            db.close()
        with closing(sqlite3.connect(final)) as conn:
            conn.execute("pragma journal_mode = delete")
            if conn.execute("select count(*) from documents where draft = 1").fetchone()[0]:
                raise PublishFailed(f"{out}: a draft is still in the public copy")
            counts = [
                conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in ("documents", "actions", "overrides")
            ]
        os.replace(final, out)
    finally:
        work.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
    return Published(out, counts[0], left_out, counts[1], counts[2])
