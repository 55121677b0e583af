"""Officers' corrections to an action's owner, due date or status survive re-ingest and register rebuilds (issue 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import store
from pipeline.document import Metadata
from pipeline.errors import BadOverride
from pipeline.ingest import Source, ingest_all
from pipeline.track import rebuild
from pipeline.track.overrides import record, unmatched

MINUTES = Path(__file__).resolve().parents[2] / "corpus" / "minutes" / "kelsbury-tc-2025-04-08.txt"
META = Metadata(council="Kelsbury Town Council", meeting_date="2025-04-08")


@pytest.fixture
def ingested(tmp_path):
    path = tmp_path / "kelsbury.txt"
    path.write_text(MINUTES.read_text(encoding="utf-8"), encoding="utf-8")
    db_path = tmp_path / "minutes.db"
    assert ingest_all([Source(path, META)], db_path, echo=lambda _: None).stored == 1
    db = store.connect(db_path)
    rebuild(db)
    yield db, path
    db.close()


def first_action(db) -> dict:
    return dict(next(db.query("select * from actions order by start")))


def test_a_correction_shows_at_once_with_who_and_when(ingested):
    db, _ = ingested
    action = first_action(db)
    row = record(db, action["reference"], "owner", "  Deputy   Town Clerk ", who="alice", note="per the Clerk")
    assert (row["action_id"], row["previous"], row["value"], row["who"]) == (
        action["id"],
        action["owner"],
        "Deputy Town Clerk",
        "alice",
    )
    now = first_action(db)
    assert now["owner"] == "Deputy Town Clerk"
    assert now["status_reason"].endswith(
        f"owner corrected to “Deputy Town Clerk” by alice on {row['at'][:10]} (per the Clerk)"
    )


def test_corrections_survive_a_rebuild_and_a_changed_file(ingested, tmp_path):
    db, path = ingested
    action = first_action(db)
    record(db, action["id"], "owner", "Deputy Town Clerk", who="alice")
    record(db, action["id"], "due", "2025-12-31", who="bob")
    record(db, action["id"], "status", "done", who="bob")
    rebuild(db)
    again = first_action(db)
    assert (again["owner"], again["due"], again["due_source"], again["status"]) == (
        "Deputy Town Clerk",
        "2025-12-31",
        "corrected",
        "done",
    )
    # a new version of the file: a line at the top moves every span, so every item gets a new id
    path.write_text(
        "Draft for approval at the next meeting\n\n" + MINUTES.read_text(encoding="utf-8"), encoding="utf-8"
    )
    summary = ingest_all([Source(path, META)], store.db_file(db), echo=lambda _: None)
    assert summary.replaced == 1
    rebuild(db)
    moved = dict(next(db.query("select * from actions where text = ?", [action["text"]])))
    assert moved["id"] != action["id"]
    assert (moved["owner"], moved["due"], moved["status"]) == ("Deputy Town Clerk", "2025-12-31", "done")
    assert unmatched(db) == []
    # nothing else changed
    others = list(db.query("select owner from actions where id != ? and owner = 'Deputy Town Clerk'", [moved["id"]]))
    assert others == []


def test_a_later_correction_of_a_field_wins(ingested):
    db, _ = ingested
    action = first_action(db)
    record(db, action["id"], "owner", "Deputy Town Clerk", who="alice")
    record(db, action["id"], "owner", "Town Clerk", who="bob")
    rebuild(db)
    assert first_action(db)["owner"] == "Town Clerk"


def test_a_reworded_action_leaves_its_correction_unmatched(ingested):
    db, path = ingested
    action = first_action(db)
    row = record(db, action["id"], "status", "done", who="alice")
    path.write_text(
        MINUTES.read_text(encoding="utf-8").replace(action["text"], action["text"] + " promptly"), encoding="utf-8"
    )
    ingest_all([Source(path, META)], store.db_file(db), echo=lambda _: None)
    rebuild(db)
    assert [o["id"] for o in unmatched(db)] == [row["id"]]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("owner", "  ", "give the owner's name"),
        ("due", "next Tuesday", "not a date in YYYY-MM-DD form"),
        ("status", "finished", "not one of open, overdue, updated, done"),
        ("text", "anything", "cannot correct 'text'"),
    ],
)
def test_bad_corrections_are_refused(ingested, field, value, message):
    db, _ = ingested
    with pytest.raises(BadOverride, match=message):
        record(db, first_action(db)["id"], field, value, who="alice")
    assert db["overrides"].count == 0


def test_a_correction_needs_a_known_action(ingested):
    db, _ = ingested
    with pytest.raises(BadOverride, match="no action 'XYZ/2020-01-01/1'"):
        record(db, "XYZ/2020-01-01/1", "status", "done", who="alice")


def test_corrections_survive_an_incremental_update_once_each(ingested, tmp_path):
    """ingest updates only the councils whose documents changed; a correction on another council stays, said once."""
    from pipeline.track import update

    db, _ = ingested
    action = first_action(db)
    record(db, action["id"], "owner", "Deputy Town Clerk", who="alice")
    record(db, action["id"], "status", "done", who="bob")
    other = tmp_path / "northmoor.txt"
    other.write_text(
        (MINUTES.parents[0] / "northmoor-cyp-scrutiny-2025-01-14.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    later = Metadata(council="Northmoor County Council", committee="Children and Young People Scrutiny Committee",
                     meeting_date="2025-06-30")  # fmt: skip
    assert ingest_all([Source(other, later)], store.db_file(db), echo=lambda _: None).stored == 1
    update(db)  # Kelsbury untouched, but the latest meeting moved, so its statuses are recomputed
    update(db)
    again = first_action(db)
    assert (again["owner"], again["status"]) == ("Deputy Town Clerk", "done")
    assert again["status_reason"].count("owner corrected to") == 1
    assert again["status_reason"].count("status corrected to") == 1
