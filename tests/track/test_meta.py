"""Council, committee and meeting date read from a document's header (pipeline/meta.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.document import Document, Metadata
from pipeline.ingest import read_manifest
from pipeline.meta import infer_meta
from pipeline.readers import read


def doc(text: str, **meta) -> Document:
    return Document("x.txt", "", "txt", text, meta=Metadata(**meta))


@pytest.mark.parametrize(
    ("text", "council", "committee", "date"),
    [
        ("Minutes of the meeting of the Audit and Governance Panel held on Monday 15 January 2024", None, "Audit and Governance Panel", "2024-01-15"),
        ("KELSBURY TOWN COUNCIL\n\nMinutes of the Meeting of Kelsbury Town Council held on Tuesday 8th April 2025 at 7.00pm", "Kelsbury Town Council", None, "2025-04-08"),
        ("Place Scrutiny Committee - Thursday, 11th July, 2024 10.00 am\n\nVenue: The Council Chamber", None, "Place Scrutiny Committee", "2024-07-11"),
        ("Issue - meetings\n\nScrutiny Reviews Progress Report\n\nMeeting: 07/07/2011 - Overview and Scrutiny Committee (Item 97)", None, "Overview and Scrutiny Committee", "2011-07-07"),
        ("A meeting of Quadring parish council was held on Monday 19th of July 2021 at 7pm", "Quadring Parish Council", None, "2021-07-19"),
        ("Agenda item\n\nTo agree the public minutes of the meeting held on Tuesday, 24 September 2019.", None, None, None),
    ],
)  # fmt: skip
def test_header_shapes(text, council, committee, date):
    m = infer_meta(doc(text))
    assert (m.council, m.committee, m.meeting_date) == (council, committee, date)


def test_known_values_win_and_only_gaps_are_filled():
    m = infer_meta(
        doc("Minutes of the meeting of the Cabinet held on Wednesday 19 February 2025", committee="Executive")
    )
    assert (m.committee, m.meeting_date) == ("Executive", "2025-02-19")


def test_a_boards_name_loses_its_councils_place_name_when_the_council_is_known(corpus_path):
    text = corpus_path("minutes/northmoor-hwb-2025-03-26-strategy-report.txt").read_text(encoding="utf-8")
    m = infer_meta(doc(text, council="Northmoor County Council"))
    assert (m.committee, m.meeting_date) == ("Health and Wellbeing Board", "2025-03-26")


def _minutes_with_metadata() -> list:
    root = Path(__file__).resolve().parents[2] / "corpus"
    return [
        pytest.param(s, id=s.path.name)
        for s in read_manifest(root / "manifest.csv")
        if s.meta.meeting_date and s.path.parent.name in ("minutes", "generated") and "report" not in s.path.name
    ]


@pytest.mark.parametrize("source", _minutes_with_metadata())
def test_the_corpus_minutes_say_what_the_manifest_says(source):
    document = read(source.path)
    m = infer_meta(document.with_(meta=Metadata()))
    assert m.meeting_date == source.meta.meeting_date
    assert m.committee == source.meta.committee
    if "hallam" not in source.path.name:  # a ModernGov page that never names its council
        assert m.council == source.meta.council
