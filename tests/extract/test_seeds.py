"""Extraction on the five seed documents and the sample corpus, checked against what the minutes say."""

import json
from pathlib import Path

import pytest

from pipeline.document import Metadata
from pipeline.evaluate import evaluate
from pipeline.run import run

ROOT = Path(__file__).resolve().parents[2]


def items_of(path, nlp, infer=True, **meta):
    return run(path, Metadata(**meta), nlp=nlp, infer=infer).items


def find(items, words: str):
    hits = [i for i in items if words.lower() in i.text.lower()]
    assert hits, f"no item mentions {words!r}: {[i.text[:60] for i in items]}"
    return hits[0]


def test_agreed_circulation_is_an_action_with_no_named_owner(shared_path, nlp):
    item = find(items_of(shared_path("seeds/000_a96deee0bd98c45b.txt"), nlp), "SEND e-bulletin be circulated")
    assert (item.kind, item.action, item.owner) == ("decision", True, None)
    assert not item.text.lower().startswith("it was agreed")


def test_resolved_sub_points_are_one_item_each(shared_path, nlp):
    items = items_of(shared_path("seeds/000_a96deee0bd98c45b.txt"), nlp)
    note = find(items, "Members note the contents of the report")
    contact = find(items, "makes contact with the CEO of People First")
    assert (note.action, note.owner) == (False, None)
    assert (contact.action, contact.owner) == (True, "Chair of Scrutiny")


def test_lettered_list_closing_an_item_is_a_resolution_without_the_word(shared_path, nlp):
    items = items_of(shared_path("seeds/001_83d7b85b21aec885.txt"), nlp)
    noted = find(items, "be noted")
    authorised = (
        find(items, "be  authorised") if any("be  authorised" in i.text for i in items) else find(items, "authorised")
    )
    assert noted.action is False
    assert authorised.owner == "Cabinet Member with Responsibility for Education and Skills" and authorised.action


def test_the_director_who_agreed_to_circulate_owns_it(shared_path, nlp):
    item = find(items_of(shared_path("seeds/003_ded8bdc069ab6141.txt"), nlp), "agreed to circulate it")
    assert (item.kind, item.owner) == ("undertaking", "Director of Education and Early Help")


def test_past_events_are_not_items(shared_path, nlp):
    items = items_of(shared_path("seeds/003_ded8bdc069ab6141.txt"), nlp)
    assert not any("had been shared at the last meeting" in i.text for i in items)


def test_a_dated_meeting_is_the_due_date(shared_path, nlp):
    item = find(
        items_of(shared_path("seeds/004_6ef857079cc0a5c7.txt"), nlp), "brought back to Committee on 8 October 2019"
    )
    assert (item.action, item.due) == (True, "2019-10-08")


def test_every_item_span_points_into_the_document(shared_path, nlp):
    doc = run(shared_path("seeds/002_8fb1acd53c90e054.txt"), nlp=nlp)
    assert doc.items
    for item in doc.items:
        assert 0 <= item.char_start <= item.char_end <= len(doc.text)


def test_relative_due_date_needs_and_uses_the_meeting_date(corpus_path, nlp):
    path = corpus_path("minutes/northmoor-cyp-scrutiny-2025-05-13.txt")
    with_date = find(items_of(path, nlp, meeting_date="2025-05-13"), "within six weeks")
    without = find(items_of(path, nlp, infer=False), "within six weeks")
    from_header = find(items_of(path, nlp), "within six weeks")  # "Minutes of the meeting held on Tuesday 13 May 2025"
    assert (with_date.due, without.due, without.due_text) == ("2025-06-24", None, "within six weeks")
    assert from_header.due == "2025-06-24"


REACHED = json.loads((ROOT / "models" / "eval_scores.json").read_text(encoding="utf-8"))
ALLOWED_DROP = 0.02


@pytest.mark.parametrize(("name", "gold_dir"), [("corpus", "corpus/gold"), ("dev", "../shared/eval/dev")])
def test_scores_do_not_fall_more_than_two_points_below_those_reached(name, gold_dir, nlp):
    """A regression guard: models/eval_scores.json keeps the figures reached; raise them as extraction improves."""
    s = evaluate(sorted((ROOT / gold_dir).glob("*.json")), nlp=nlp).summary
    got = {
        "items_f1": s["items"]["f1"],
        "actions_f1": s["actions"]["f1"],
        "follow_up_f1": s["follow_up"]["f1"],
        "owner_accuracy": s["owner_accuracy"],
        "due_accuracy": s["due_accuracy"],
    }
    assert s["failed_documents"] == 0
    fallen = {k: (round(got[k], 3), v) for k, v in REACHED[name].items() if got[k] < v - ALLOWED_DROP}
    assert fallen == {}
