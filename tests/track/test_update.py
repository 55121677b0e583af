"""``update`` rebuilds only the councils whose documents changed, and leaves the register exactly as a
full ``rebuild`` would: row for row in every register table, after documents are added, changed or
pruned, on the real-style minutes of corpus/ (including the seeds, which carry no metadata and are
placed by their text)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from pipeline import store
from pipeline.ingest import Source, ingest_all, read_manifest
from pipeline.track import rebuild, register, update
from pipeline.track.register import TABLES

LATER = "minutes/northmoor-cyp-scrutiny-2025-05-13.txt"
CHANGED = "minutes/northmoor-cyp-scrutiny-2025-03-11.txt"
SEED = "seeds/001_83d7b85b21aec885.txt"  # no council, committee or date in the manifest
ASHCOMBE = "minutes/ashcombe-council-2025-03-05.txt"


def dump(db) -> dict[str, list[tuple]]:
    return {name: sorted((tuple(r.values()) for r in db[name].rows), key=repr) for name in TABLES}


def assert_update_is_a_rebuild(db) -> dict[str, list[tuple]]:
    """Update, then check that a full rebuild of the same store writes the same rows and summary."""
    summary = update(db)
    updated = dump(db)
    assert summary.lines() == rebuild(db).lines()
    full = dump(db)
    for name in TABLES:
        assert updated[name] == full[name], name
    return updated


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory, corpus_path) -> tuple[Path, list[Source]]:
    """The corpus's text and HTML minutes copied to a folder of their own, with their manifest metadata."""
    manifest = corpus_path("manifest.csv")
    root = manifest.parent.resolve()
    folder = tmp_path_factory.mktemp("corpus")
    sources = []
    for s in read_manifest(manifest):
        rel = s.path.resolve().relative_to(root)
        if rel.parts[0] == "generated":  # other renderings of the same meetings
            continue
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(s.path, folder / rel)
        sources.append(Source(folder / rel, s.meta))
    return folder, sources


def pick(corpus_copy, *names: str) -> list[Source]:
    folder, sources = corpus_copy
    return [s for s in sources if s.path in {folder / n for n in names}]


@pytest.fixture(scope="module")
def base_path(tmp_path_factory, corpus_copy) -> Path:
    """Every corpus minute but the last Northmoor meeting, ingested, with its register."""
    folder, sources = corpus_copy
    path = tmp_path_factory.mktemp("base") / "base.db"
    summary = ingest_all([s for s in sources if s.path != folder / LATER], path, echo=lambda m: None)
    assert summary.failed == 0, summary.errors
    db = store.connect(path)
    rebuild(db)
    db.close()
    return path


@pytest.fixture
def db_path(base_path, tmp_path) -> Path:
    path = tmp_path / "copy.db"
    src, dst = sqlite3.connect(base_path), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    return path


@pytest.fixture
def councils_rebuilt(monkeypatch) -> list[str | None]:
    """The councils whose rows were computed, in order."""
    seen: list[str | None] = []
    compute_council = register.compute_council

    def spy(st):
        seen.append(st.council_id)
        return compute_council(st)

    monkeypatch.setattr(register, "compute_council", spy)
    return seen


def test_adding_the_next_meeting_rebuilds_its_council_and_moves_everyone_s_as_of_date(
    db_path, corpus_copy, councils_rebuilt
):
    db = store.connect(db_path)
    assert {r["as_of"] for r in db["actions"].rows} == {"2025-04-08"}  # Kelsbury's meeting is the latest
    foster = db.execute("select status, due from actions where text like '%foster carers%'").fetchone()
    assert foster == ("open", None)
    ingest_all(pick(corpus_copy, LATER), db_path, echo=lambda m: None)

    update(db)
    assert councils_rebuilt == ["northmoor-county-council"]
    # the other councils keep their rows; their statuses are now as of the new latest meeting
    assert {r["as_of"] for r in db["actions"].rows} == {"2025-05-13"}
    assert_update_is_a_rebuild(db)
    foster = db.execute("select status, due from actions where text like '%foster carers%'").fetchone()
    assert foster == ("done", "2025-05-13")
    db.close()


def test_a_changed_minute_and_a_changed_seed_update_as_a_rebuild_would(db_path, corpus_copy):
    folder, _ = corpus_copy
    originals = {n: (folder / n).read_text(encoding="utf-8") for n in (CHANGED, SEED)}
    try:
        (folder / CHANGED).write_text(originals[CHANGED].replace("within 14 days", "within 21 days"), encoding="utf-8")
        (folder / SEED).write_text(
            originals[SEED] + "\nThe Clerk agreed to write to the landowner.\n", encoding="utf-8"
        )
        summary = ingest_all(pick(corpus_copy, CHANGED, SEED), db_path, echo=lambda m: None)
        assert summary.replaced == 2
        db = store.connect(db_path)
        assert_update_is_a_rebuild(db)
        chase = db.execute("select due from actions where text like '%chase the written reply%'").fetchone()
        assert chase == ("2025-04-01",)
        db.close()
    finally:
        for n, text in originals.items():
            (folder / n).write_text(text, encoding="utf-8")


def test_pruning_a_document_updates_as_a_rebuild_would(db_path, corpus_copy):
    folder, sources = corpus_copy
    gone = folder / "minutes/kelsbury-tc-2025-04-08.txt"
    kept = gone.read_bytes()
    gone.unlink()
    try:
        present = [s for s in sources if s.path.exists() and s.path != folder / LATER]
        summary = ingest_all(present, db_path, echo=lambda m: None, folders=[folder], prune=True)
        assert summary.pruned == 1
        db = store.connect(db_path)
        rows = assert_update_is_a_rebuild(db)
        assert not [r for r in rows["actions"] if "kelsbury" in repr(r)]
        # the latest meeting has gone, so every other council's statuses are now as of the one before it
        assert {r["as_of"] for r in db["actions"].rows} == {"2025-03-26"}
        db.close()
    finally:
        gone.write_bytes(kept)


def test_only_the_council_that_changed_is_rebuilt_and_the_other_keeps_its_rows(tmp_path, corpus_copy, councils_rebuilt):
    folder, _ = corpus_copy
    path = tmp_path / "two.db"
    chain = (
        "minutes/northmoor-cyp-scrutiny-2025-01-14.txt", CHANGED, LATER, "minutes/ashcombe-cabinet-2025-02-19.txt",
        ASHCOMBE,
    )  # fmt: skip
    ingest_all(pick(corpus_copy, *chain), path, echo=lambda m: None)
    db = store.connect(path)
    rebuild(db)
    northmoor = "select * from actions where council_id = 'northmoor-county-council' order by id"
    before = [tuple(r) for r in db.execute(northmoor)]
    links = db.execute("select count(*) from recommendation_links").fetchone()[0]
    assert before and links == 5
    original = (folder / ASHCOMBE).read_text(encoding="utf-8")
    try:
        (folder / ASHCOMBE).write_text(original + "\nThe meeting closed at 9.05 pm.\n", encoding="utf-8")
        ingest_all(pick(corpus_copy, ASHCOMBE), path, echo=lambda m: None)
        councils_rebuilt.clear()
        update(db)
        assert councils_rebuilt == ["ashcombe-district-council"]
        assert [tuple(r) for r in db.execute(northmoor)] == before
        assert db.execute("select count(*) from recommendation_links").fetchone()[0] == links
        councils_rebuilt.clear()
        assert update(db).lines() and councils_rebuilt == []  # nothing changed since
        assert_update_is_a_rebuild(db)
    finally:
        (folder / ASHCOMBE).write_text(original, encoding="utf-8")
    db.close()


def test_an_update_after_an_as_of_rebuild_gives_the_latest_register(db_path):
    db = store.connect(db_path)
    rebuild(db, "2025-02-01")
    assert {r["as_of"] for r in db["actions"].rows} == {"2025-02-01"}
    rows = assert_update_is_a_rebuild(db)
    assert rows == dump(db) and {r["as_of"] for r in db["actions"].rows} == {"2025-04-08"}
    db.close()


def test_a_register_built_by_other_rules_is_rebuilt_whole(db_path, councils_rebuilt):
    db = store.connect(db_path)
    db.execute("update document_meetings set fingerprint = 'v0:' || fingerprint where rowid = 1")
    db.conn.commit()
    update(db)
    assert len(councils_rebuilt) == len({r[0] for r in db.execute("select distinct council_id from document_meetings")})
    db.close()
