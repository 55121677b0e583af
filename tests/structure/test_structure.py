"""Agenda items, minute numbers and sections."""

from pipeline.document import Metadata
from pipeline.readers import read
from pipeline.structure import is_procedural, item_at, section_at, structure


def test_moderngov_agenda_item_page_has_one_item_with_minutes_section(shared_path):
    doc = structure(read(shared_path("eval/dev/dA-01.txt")))
    assert [a.title for a in doc.agenda_items] == ["Bridleway Creation Order: Blackburn Valley"]
    assert [s.label for s in doc.agenda_items[0].sections] == ["minutes", "supporting"]


def test_numbered_items_follow_their_sequence(shared_path):
    doc = structure(read(shared_path("eval/dev/dB-01.txt")))
    numbered = [(a.number, a.title) for a in doc.agenda_items if a.number]
    assert numbered[:5] == [
        ("1", "Present"),
        ("3", "Welcome"),
        ("4", "To declare any personal and/or prejudicial interest."),
        ("5", "To Correct & Approve minutes of previous meetings."),
        ("6", "Matters arising from the minutes."),
    ]


def test_resolved_sub_points_do_not_start_agenda_items(shared_path):
    doc = structure(read(shared_path("seeds/000_a96deee0bd98c45b.txt")))
    assert [a.title for a in doc.agenda_items] == ["SEND Written Statement of Action"]


def test_every_offset_maps_to_its_item_and_section(shared_path):
    doc = structure(read(shared_path("eval/dev/dA-01.txt"), Metadata()))
    offset = doc.text.index("RESOLVED")
    item = item_at(doc, offset)
    assert item is not None and section_at(item, offset) == "minutes"


def test_apologies_and_declarations_are_procedural(shared_path):
    doc = structure(read(shared_path("eval/dev/dB-07.txt")))
    procedural = [a.title for a in doc.agenda_items if is_procedural(a)]
    assert procedural == ["Declarations of Interest"]
