"""The indexes the published site relies on: made for new databases, added to old ones, used by SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipeline import store
from pipeline.track import register

FILTERED = "select count(*) from items where council_id = ? and kind = 'decision' and [action] = 1"
REGISTER_ORDER = (
    "select id from actions order by coalesce(committee, council, ''), meeting_date, document_id, start limit 100"
)


def plan(conn: sqlite3.Connection, sql: str, params=()) -> str:
    return "; ".join(r[-1] for r in conn.execute(f"explain query plan {sql}", params))


def index_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}


def test_a_new_database_filters_items_and_orders_the_register_by_index(tmp_path):
    db = store.connect(tmp_path / "minutes.db")
    register.ensure_tables(db)
    assert "USING COVERING INDEX idx_items_council_id_kind_action_meeting_date" in plan(db.conn, FILTERED, ["c"])
    rows = plan(db.conn, "select * from items where council_id = ? and kind = ? order by meeting_date desc", ["c", "k"])
    assert "idx_items_council_id_kind_action_meeting_date" in rows
    register_plan = plan(db.conn, REGISTER_ORDER)
    assert "idx_actions_register_order" in register_plan and "TEMP B-TREE" not in register_plan


def test_an_older_database_gets_the_indexes_when_opened(tmp_path):
    path = tmp_path / "minutes.db"
    store.connect(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("drop index idx_items_council_id_kind_action_meeting_date")
        conn.execute("drop index idx_items_meeting_date")
    assert "idx_items_meeting_date" not in index_names(path)
    store.connect(path).close()
    assert {store._index_sql(table, cols)[0] for table, cols in store.INDEXES} <= index_names(path)
