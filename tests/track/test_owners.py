"""Owners normalised within a council: one owner whatever form the minutes use, the raw form kept."""

from __future__ import annotations

import pytest

from pipeline.track import compute
from pipeline.track.owners import (
    OwnerBook,
    RawOwner,
    attendance_pairs,
    expand_short,
    kind_of,
    person_key,
    split_joint,
)


def test_cllr_smith_and_councillor_j_smith_are_one_owner():
    text = "Councillor J Smith raised the state of the footpath. Cllr Smith agreed to write to the landowner."
    book = OwnerBook("x", {"d": text}, {"d": None})
    resolved = book.resolve(
        [RawOwner("i1", "Councillor J Smith", "d", None, 0), RawOwner("i2", "Cllr Smith", "d", None, 53)]
    )
    assert resolved[0][3] == resolved[1][3]
    assert [part for _, part, _, _ in resolved] == ["Councillor J Smith", "Cllr Smith"]
    (owner,) = book.owners()
    assert (owner.name, owner.kind) == ("Councillor J Smith", "person")
    assert "Cllr Smith" in owner.aliases


def test_two_people_of_one_surname_stay_apart_and_a_bare_surname_joins_neither():
    book = OwnerBook("x", {"d": ""}, {"d": None})
    resolved = book.resolve(
        [
            RawOwner(f"i{n}", raw, "d", None, 0)
            for n, raw in enumerate(["Cllr A Ellery", "Cllr N Ellery", "Cllr Ellery"])
        ]
    )
    assert len({owner_id for *_, owner_id in resolved}) == 3


def test_the_director_after_the_full_title_in_the_same_minutes_is_that_director(shared_path):
    # seed 003 (Worcestershire): "The Director of Education and Early Help … had been invited", and later
    # "The Director had been given the DfE Adviser's draft notes"
    text = shared_path("seeds/003_ded8bdc069ab6141.txt").read_text(encoding="utf-8")
    pos = text.index("The Director had been given")
    assert expand_short("the Director", text, pos) == "Director of Education and Early Help"


def test_the_director_is_the_nearest_director_before_it_and_never_an_assistant_director(corpus_path):
    text = corpus_path("minutes/northmoor-cyp-scrutiny-2025-05-13.txt").read_text(encoding="utf-8")
    pos = text.index("The Director undertook")
    assert expand_short("The Director", text, pos) == "Director of Children's Services"
    assert expand_short("the Assistant Director", text, pos) == "Assistant Director – Education and Inclusion"


def test_a_bare_title_never_spelt_out_in_the_document_is_the_councils_only_title_with_that_head():
    texts = {"a": "The Leader of the Council presented the report.", "b": "It was agreed to ask the Leader to write."}
    book = OwnerBook("x", texts, {"a": None, "b": None})
    book.resolve([RawOwner("i1", "the Leader", "b", None, 20)])
    assert [o.name for o in book.owners()] == ["Leader of the Council"]


def test_a_committees_chair_is_its_own_owner_and_not_another_bodys_chair():
    text = (
        "Present: Councillor R Ashdown (Chair). Also in attendance: Mrs C Naylor (Chair, Northmoor Schools Forum).\n"
        "The Chair of the Northmoor Schools Forum outlined the Forum's concerns. It was AGREED that the Chair write."
    )
    book = OwnerBook("nc", {"d": text}, {"d": "nc/cyp"})
    book.resolve([RawOwner("i1", "Chair", "d", "nc/cyp", text.index("the Chair write"))])
    (owner,) = book.owners()
    assert (owner.name, owner.committee_id) == ("Chair", "nc/cyp")
    assert "Councillor R Ashdown" in owner.aliases


def test_a_person_named_with_their_title_in_the_text_is_that_titles_owner(corpus_path):
    text = corpus_path("minutes/northmoor-cyp-scrutiny-2025-03-11.txt").read_text(encoding="utf-8")
    book = OwnerBook("nc", {"d": text}, {"d": "nc/cyp"})
    resolved = book.resolve(
        [
            RawOwner("i1", "Amanda Kershaw", "d", None, 0),
            RawOwner("i2", "Director of Children's Services", "d", None, 0),
        ]
    )
    assert resolved[0][3] == resolved[1][3]
    assert book.owners()[0].name == "Director of Children's Services"


def test_a_second_title_in_brackets_is_an_alias(corpus_path):
    text = corpus_path("minutes/ashcombe-council-2025-03-05.txt").read_text(encoding="utf-8")
    assert ("Head of Legal and Democratic Services", "Monitoring Officer") in attendance_pairs(text)
    book = OwnerBook("adc", {"d": text}, {"d": "adc/council"})
    book.resolve([RawOwner("i1", "the Monitoring Officer", "d", None, 0)])
    assert book.owners()[0].name == "Head of Legal and Democratic Services"


def test_attendance_lists_give_people_and_their_titles(corpus_path):
    pairs = attendance_pairs(corpus_path("minutes/northmoor-cyp-scrutiny-2025-01-14.txt").read_text(encoding="utf-8"))
    assert ("Neil Frobisher", "Assistant Director – Education and Inclusion") in pairs
    assert ("Councillor R Ashdown", "Chair") in pairs


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        (
            "the Director of Resources, in consultation with the Cabinet Member for Finance",
            [("Director of Resources", "lead"), ("Cabinet Member for Finance", "consulted")],
        ),
        ("Cllr Kershaw and the Clerk", [("Cllr Kershaw", "lead"), ("Clerk", "joint")]),
        ("Head of Legal and Democratic Services", [("Head of Legal and Democratic Services", "lead")]),
    ],
)
def test_joint_owners_are_split_but_titles_with_and_are_not(raw, parts):
    assert split_joint(raw) == parts


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Cllr Smith", "person"),
        ("Amanda Kershaw", "person"),
        ("Director of Children's Services", "role"),
        ("Cabinet Member for Children and Families", "role"),
        ("Officers", "body"),
        ("task and finish group on children's mental health", "body"),
        ("Environment Advisory Panel", "body"),
    ],
)
def test_owner_kinds(name, kind):
    assert kind_of(name) == kind


def test_person_keys_drop_titles_and_keep_initials():
    assert person_key("Councillor Mrs J Whitlock") == ("whitlock", "j")
    assert person_key("County Cllr Moss") == ("moss", "")
    assert person_key("Ellery N") == ("ellery", "n")


def test_in_the_store_the_director_and_her_full_title_are_one_owner_with_the_raw_form_kept(core):
    rows = compute(core)[0]
    by_text = {a["text"]: a for a in rows["actions"]}
    short = next(a for t, a in by_text.items() if "post-inspection action plan" in t)
    full = next(a for t, a in by_text.items() if "foster carers" in t)
    assert short["owner_id"] == full["owner_id"]
    assert short["owner"] == "Director of Children's Services"
    raws = {r["raw"] for r in rows["item_owners"] if r["owner_id"] == full["owner_id"]}
    assert {"Director", "Director of Children's Services"} <= raws


def test_in_the_store_each_item_owner_points_at_an_owner_of_the_same_council(core):
    rows = compute(core)[0]
    owners = {o["id"]: o for o in rows["owners"]}
    councils = {a["id"]: a["council_id"] for a in rows["actions"]}
    for r in rows["item_owners"]:
        assert r["owner_id"] in owners
        if r["item_id"] in councils:
            assert owners[r["owner_id"]]["council_id"] == councils[r["item_id"]]
