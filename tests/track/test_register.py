"""The register over three meetings of one committee: statuses with their evidence, dues, as-of dates.

Expected statuses come from reading the minutes (corpus/minutes/northmoor-cyp-scrutiny-*.txt):

- 14 Jan: the slides are to be circulated; on 11 Mar "the slides … had been circulated" -> done.
- 14 Jan: revised EHCP figures by 31 Mar; on 11 Mar "the Director reported progress" -> updated;
  on 13 May the action log row "44/1 | … | Complete – circulated 27 March 2025" -> done.
- 14 Jan: a SEND dashboard by 30 Apr; on 13 May the log says "Overdue" and a new deadline of
  30 June is agreed -> updated (new deadline), overdue once 30 June has passed.
- 11 Mar: the Cabinet Member to meet the Parent Carer Forum by 4 Apr; nothing later -> open on
  11 Mar, overdue on 13 May.
- 11 Mar: a briefing on foster carers "by the next meeting": due 13 May once that meeting is stored.
- 14 Jan: "an item on school place planning for the May meeting"; on 13 May an agenda item
  "School Place Planning" -> done (brought back as asked).

Actions are found by distinctive words of their text, not by position, so small changes in
extraction do not break these tests.
"""

from __future__ import annotations

import json

import pytest

from pipeline.track import compute

MEETINGS = ("2025-01-14", "2025-03-11", "2025-05-13")


def register(core, as_of=None) -> dict[str, list[dict]]:
    return compute(core, as_of)[0]


def action(rows, *words) -> dict:
    hits = [a for a in rows["actions"] if all(w.lower() in a["text"].lower() for w in words)]
    assert len(hits) == 1, f"{len(hits)} actions mention {words}: {[a['text'] for a in hits]}"
    return hits[0]


def updates(rows, a) -> list[dict]:
    return [u for u in rows["action_updates"] if u["action_id"] == a["id"]]


def test_an_action_reported_done_at_the_next_meeting_is_done(core):
    rows = register(core, "2025-03-11")
    slides = action(rows, "slides", "circulated")
    assert slides["status"] == "done"
    done = [u for u in updates(rows, slides) if u["completion"] == "done"]
    assert [u["meeting_date"] for u in done] == ["2025-03-11"]
    assert "had been circulated" in done[0]["passage"]
    assert slides["closed_on"] == "2025-01-20"  # "circulated to members on 20 January 2025"
    assert "had been circulated" in slides["status_reason"]


def test_progress_makes_an_action_updated_and_a_later_action_log_makes_it_done(core):
    march = action(register(core, "2025-03-11"), "EHCP timeliness figures", "circulate")
    assert march["status"] == "updated"
    assert "reported progress" in march["status_reason"]

    rows = register(core, "2025-05-13")
    may = action(rows, "EHCP timeliness figures", "circulate")
    assert may["status"] == "done"
    row = next(u for u in updates(rows, may) if u["meeting_date"] == "2025-05-13")
    assert row["passage"].startswith("44/1 |")
    assert row["kind"] == "row"
    assert {"minute_ref", "action_log", "shared_owner", "completion"} <= set(json.loads(row["signals"]))
    assert may["closed_on"] == "2025-03-27"


def test_an_action_with_no_report_back_is_open_then_overdue(core):
    march = action(register(core, "2025-03-11"), "Parent Carer Forum")
    assert (march["status"], march["due"], march["due_source"]) == ("open", "2025-04-04", "stated")

    rows = register(core, "2025-05-13")
    may = action(rows, "Parent Carer Forum")
    assert may["status"] == "overdue"
    assert updates(rows, may) == []
    assert "due 2025-04-04" in may["status_reason"]


def test_a_month_due_date_is_overdue_only_once_the_month_has_ended(core):
    report = "further report on elective home education"
    assert action(register(core), report)["status"] == "open"  # due 2025-07, as of 13 May
    assert action(register(core, "2025-07-31"), report)["status"] == "open"
    assert action(register(core, "2025-08-01"), report)["status"] == "overdue"


def test_by_the_next_meeting_takes_the_next_meeting_date_once_it_is_stored(core):
    march = action(register(core, "2025-03-11"), "foster carers")
    assert (march["due"], march["due_source"], march["status"]) == (None, "next_meeting", "open")
    assert "next meeting" in march["status_reason"]

    may = action(register(core, "2025-05-13"), "foster carers")
    assert (may["due"], may["due_source"]) == ("2025-05-13", "next_meeting")
    assert may["status"] == "done"  # action log 62/1: "Complete – circulated 2 May 2025"


def test_a_month_meeting_resolves_to_that_meeting(core):
    added = action(register(core), "school place planning", "work programme")
    assert (added["due"], added["due_source"]) == ("2025-05-13", "next_meeting")
    # before the May meeting is stored it keeps the month the extractor gave it
    assert action(register(core, "2025-03-11"), "school place planning", "work programme")["due"] == "2025-05"


def test_an_item_brought_back_as_asked_is_done(core):
    rows = register(core)
    added = action(rows, "school place planning", "work programme")
    assert added["status"] == "done"
    heading = [u for u in updates(rows, added) if u["kind"] == "heading"]
    assert [(u["passage"], u["meeting_date"]) for u in heading] == [("School Place Planning", "2025-05-13")]


def test_a_new_deadline_for_an_overdue_action_makes_it_updated_until_that_passes(core):
    rows = register(core, "2025-05-13")
    dashboard = action(rows, "quarterly SEND performance dashboard")
    assert dashboard["status"] == "updated"
    assert dashboard["due"] == "2025-04-30"
    assert dashboard["due_in_force"] == "2025-06-30"
    assert "new deadline 2025-06-30" in dashboard["status_reason"]
    log_row = next(u for u in updates(rows, dashboard) if u["kind"] == "row")
    assert log_row["passage"].startswith("44/2 |") and log_row["completion"] == "progress"

    later = action(register(core, "2025-07-01"), "quarterly SEND performance dashboard")
    assert later["status"] == "overdue"


@pytest.mark.parametrize("as_of", [*MEETINGS, "2025-12-31"])
def test_done_never_without_a_linked_passage_reporting_it_done(core, as_of):
    rows = register(core, as_of)
    for a in rows["actions"]:
        if a["status"] == "done":
            done = [u for u in updates(rows, a) if u["completion"] == "done"]
            assert done, a
            assert all(u["meeting_date"] <= as_of for u in done)


def test_every_action_has_a_one_line_reason_naming_its_status(core):
    for a in register(core)["actions"]:
        assert a["status"] in ("open", "overdue", "updated", "done")
        assert a["status_reason"].startswith(a["status"] + ":")
        assert "\n" not in a["status_reason"]


def test_evidence_comes_from_later_meetings_of_the_same_committee(core):
    rows = register(core)
    by_id = {a["id"]: a for a in rows["actions"]}
    meetings = {d["document_id"]: d for d in rows["document_meetings"]}
    assert rows["action_updates"]
    for u in rows["action_updates"]:
        a = by_id[u["action_id"]]
        assert u["meeting_date"] > a["meeting_date"]
        assert meetings[u["document_id"]]["committee_id"] == a["committee_id"]


def test_each_passage_is_a_span_of_its_document(core):
    texts = {d["id"]: d["text"] for d in core["documents"]}
    for u in register(core)["action_updates"]:
        assert texts[u["document_id"]][u["start"] : u["end"]].strip() == u["passage"]


def test_as_of_leaves_out_later_meetings(core):
    rows = register(core, "2025-02-01")
    assert {a["meeting_date"] for a in rows["actions"]} == {"2025-01-14"}
    assert rows["action_updates"] == []
    assert all(a["status"] == "open" and a["as_of"] == "2025-02-01" for a in rows["actions"])


def test_as_of_defaults_to_the_latest_meeting_in_the_store(core):
    rows = register(core)
    assert {a["as_of"] for a in rows["actions"]} == {"2025-05-13"}


def test_references_name_committee_meeting_and_order(core):
    refs = [a["reference"] for a in register(core)["actions"] if (a["committee"] or "").startswith("Children")]
    assert refs[0] == "CYPS/2025-01-14/1"
    assert len(refs) == len(set(refs))


def test_a_reason_says_when_no_later_minutes_of_the_body_are_stored(core):
    rows = register(core)
    letters = action(rows, "write to all tenants")  # Ashcombe Cabinet: no later Cabinet minutes stored
    assert letters["status_reason"].endswith("(no later minutes of this body are stored)")
    assert "no later minutes" not in action(rows, "Parent Carer Forum")["status_reason"]
