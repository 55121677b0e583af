"""Passages of later minutes, the wording that reports progress, and how a passage finds its action."""

from __future__ import annotations

import pytest

from pipeline.track import words
from pipeline.track.links import Ref, minute_key, passages

JOINED_LOG = (
    "The Committee considered the action log, which was set out as follows:\n"
    "Ref | Action | Owner | Due | Status 43/1 | Circulate slides | Assistant Director | 28/01/2025 | "
    "Complete – circulated 20 January 2025 44/2 | Quarterly dashboard | Head of SEND Services | 30/04/2025 | Overdue\n"
    "In relation to action 44/2, the Head of SEND Services explained the delay. It was AGREED to circulate it by 30 June."
)


def test_an_action_log_joined_into_one_line_is_cut_back_into_rows():
    rows = [p for p in passages("d", JOINED_LOG, []) if p.kind == "row"]
    assert [p.refs for p in rows] == [(Ref("43/1"),), (Ref("44/2"),)]
    assert [p.cells["status"] for p in rows] == ["Complete – circulated 20 January 2025", "Overdue"]
    assert [JOINED_LOG[p.start : p.end] for p in rows] == [
        "43/1 | Circulate slides | Assistant Director | 28/01/2025 | Complete – circulated 20 January 2025",
        "44/2 | Quarterly dashboard | Head of SEND Services | 30/04/2025 | Overdue",
    ]


def test_an_action_log_as_real_rows_reads_the_same(corpus_path):
    text = corpus_path("minutes/northmoor-cyp-scrutiny-2025-05-13.txt").read_text(encoding="utf-8")
    rows = [p for p in passages("d", text, []) if p.kind == "row"]
    assert [p.refs[0].num for p in rows] == ["43/1", "44/1", "44/2", "58/1", "59/1", "60/1", "62/1"]
    assert rows[2].cells == {
        "ref": "44/2",
        "action": "Quarterly SEND performance dashboard for members",
        "owner": "Head of SEND Services",
        "due": "30/04/2025",
        "status": "Overdue",
    }


def test_a_citation_carries_on_to_the_rest_of_its_line():
    sentences = [p for p in passages("d", JOINED_LOG, []) if p.kind == "sentence"][1:]
    assert [p.refs for p in sentences] == [(Ref("44/2"),), (Ref("44/2"),)]


def test_citations_keep_their_sub_point():
    (p,) = passages("d", "Minute 44(b) – the Chair had written to the Cabinet Member on 22 January 2025.", [])
    assert p.refs == (Ref("44", "b"),)


@pytest.mark.parametrize(
    ("number", "key"),
    [("43.", "43"), ("115/24", "115/24"), ("Minute 43", "43"), ("25.04.01", "25.04.01"), (None, None)],
)
def test_minute_keys(number, key):
    assert minute_key(number) == key


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("the slides from the presentation had been circulated to members on 20 January 2025.", "done"),
        ("an email providing an update on the Moorside resource base had been sent to all members", "done"),
        ("the Chair of the Schools Forum had accepted the invitation and was in attendance for Minute 60", "done"),
        ("the report was brought back as asked", "done"),
        ("the Director reported progress: the tribunal cases were being validated and remained on track", "progress"),
        ("A reply had not yet been received.", "progress"),
        ("the first dashboard had been delayed by the move to the new case management system", "progress"),
        ("Officers would provide a written briefing before the next meeting.", None),
        ("the slides would be circulated to members following the meeting", None),
        ("the figures are yet to be circulated", None),
    ],
)
def test_completion_wording(text, state):
    assert words.completion(text) == state


@pytest.mark.parametrize(
    ("cell", "state"),
    [
        ("Complete – circulated 27 March 2025", "done"),
        ("Complete – reply awaited", "done"),
        ("Overdue", "progress"),
        ("On track", "progress"),
        ("", None),
    ],
)
def test_action_log_status_cells(cell, state):
    assert words.cell_completion(cell) == state


def test_stems_join_forms_of_a_word_and_synonyms_join_words():
    assert words.stem("circulated") == words.stem("circulate") == words.stem("circulating")
    assert words.concepts(words.stems("presentation slides")) == words.concepts(words.stems("the slides"))


@pytest.mark.parametrize(
    ("action", "subject"),
    [
        ("the work programme be approved, subject to the addition of an item on school place planning for the May meeting", "school place planning"),
        ("a further report on elective home education be brought to the Committee in 6 months", "elective home education"),
        ("an item on the outcome of the Ofsted inspection be added to the work programme", "the outcome of the Ofsted inspection"),
    ],
)  # fmt: skip
def test_what_an_action_asks_to_be_brought_back(action, subject):
    assert words.asks_to_bring_back(action)
    assert words.subject(action) == subject


def test_an_action_done_outside_meetings_asks_nothing_back():
    assert not words.asks_to_bring_back(
        "the Director circulate revised EHCP timeliness figures to members by 31 March 2025"
    )
