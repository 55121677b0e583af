"""Extraction rules, one behaviour each, on short passages worded as UK minutes word them."""

import pytest

from pipeline.document import Metadata
from pipeline.run import run


@pytest.fixture
def extract(tmp_path, nlp):
    def _extract(text: str, meeting_date: str | None = None):
        path = tmp_path / "minutes.txt"
        path.write_text(text, encoding="utf-8")
        return [
            (i.kind, i.text, i.action, i.owner, i.due)
            for i in run(path, Metadata(meeting_date=meeting_date), nlp=nlp).items
        ]

    return _extract


def test_resolved_lead_in_opens_a_list_of_sub_points(extract):
    items = extract(
        "12/24 Budget monitoring\n\nRESOLVED that the Committee:-\n\n(a) notes the report; and\n\n"
        "(b) requests the Head of Finance to report back on the overspend to the next meeting.\n"
    )
    assert items == [
        ("decision", "notes the report", False, None, None),
        (
            "decision",
            "requests the Head of Finance to report back on the overspend to the next meeting",
            True,
            "Head of Finance",
            None,
        ),
    ]


def test_a_lead_in_with_content_goes_in_front_of_each_sub_point(extract):
    items = extract(
        "Allotments\n\nRESOLVED: That authority be given for (a) the Clerk to renew the lease; and "
        "(b) the Chair to sign the tenancy agreements.\n"
    )
    assert [(t.removeprefix("That "), o) for _, t, _, o, _ in items] == [
        ("authority be given for the Clerk to renew the lease", "Clerk"),
        ("authority be given for the Chair to sign the tenancy agreements", "Chair"),
    ]


def test_parish_action_line_with_two_actions_is_two_items_owned_by_the_clerk(extract):
    items = extract("8. Footpaths\n\nClerk to write to the landowner and report back to the next meeting.\n")
    assert [(t, o) for _, t, _, o, _ in items] == [
        ("Clerk to write to the landowner", "Clerk"),
        ("report back to the next meeting", "Clerk"),
    ]


def test_action_line_naming_a_person_sets_the_owner_of_the_item_before(extract):
    items = extract(
        "Minutes\n\nIt was AGREED that the revised terms of reference be circulated to members.\n\nAction: Dawn Mitchell\n"
    )
    assert items == [
        ("decision", "the revised terms of reference be circulated to members", True, "Dawn Mitchell", None)
    ]


def test_undertaking_in_narrative_is_owned_by_whoever_undertook_it(extract):
    items = extract(
        "Highways\n\nMembers raised the state of Mill Lane. The Head of Highways undertook to inspect the road within 14 days.\n",
        meeting_date="2024-03-05",
    )
    assert items == [
        (
            "undertaking",
            "The Head of Highways undertook to inspect the road within 14 days",
            True,
            "Head of Highways",
            "2024-03-19",
        )
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "The slides had been circulated before the meeting.",
        "New services will be in place from January.",
        "The Director could bring this to the Youth Cabinet.",
        "Members asked whether the figures would be published.",
        "It was expected that a further update would arise in the spring.",
    ],
)
def test_past_events_forecasts_offers_and_questions_are_not_items(extract, sentence):
    assert extract(f"Update\n\n{sentence}\n") == []


def test_apologies_are_not_items_even_when_resolved(extract):
    assert extract("1. Apologies for absence\n\nRESOLVED that the apologies be noted.\n") == []


def test_bare_outcome_is_an_item_worded_as_printed(extract):
    assert extract("5. Annual report\n\nThe Chair introduced the report.\n\nRECEIVED.\n") == [
        ("decision", "RECEIVED", False, None, None)
    ]


def test_recommendation_to_council_is_a_recommendation(extract):
    items = extract(
        "Treasury strategy\n\nRECOMMENDED to Council that the Treasury Management Strategy 2025/26 be adopted.\n"
    )
    assert items == [("recommendation", "the Treasury Management Strategy 2025/26 be adopted", False, None, None)]


def test_a_body_named_only_in_the_lead_in_does_not_own_the_action(extract):
    items = extract("Trees\n\nThe Council agreed that two oak trees be planted on the green.\n")
    assert items == [("decision", "two oak trees be planted on the green", True, None, None)]


def test_acronyms_are_not_verbs(extract):
    items = extract("SEND\n\nRESOLVED that the SEND inspection letter be noted.\n")
    assert [a for _, _, a, _, _ in items] == [False]
