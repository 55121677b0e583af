"""The benchmark's generators build databases the pipeline itself accepts, so `make bench` runs on today's schema."""

from __future__ import annotations

from bench.generate import build_serving_db
from pipeline import store


def test_the_serving_database_is_the_pipelines_own_schema_filled(tmp_path):
    db_path = tmp_path / "minutes.db"
    counts = build_serving_db(db_path, 2_000)
    assert counts["items"] == 2_000
    db = store.connect(db_path)
    try:
        assert store.check(db) == []
        assert db.execute("select count(*) from documents where draft = 0").fetchone()[0] == counts["documents"]
        assert db.execute("select count(*) from items_fts where items_fts match 'council'").fetchone()[0] > 0
        assert db.execute("select count(*) from actions").fetchone()[0] > 0
    finally:
        db.close()
