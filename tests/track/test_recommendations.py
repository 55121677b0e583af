"""Recommendation -> decision: Ashcombe's Cabinet recommends to Council on 19 February 2025,
and Council decides on 5 March (minutes 144/24 and 145/24 cite "Cabinet Minute 115/24" and "118/24")."""

from __future__ import annotations

import json

import pytest

from pipeline.track import compute
from pipeline.track.meetings import Doc
from pipeline.track.recommendations import (
    Clause,
    is_wholesale,
    link_recommendations,
    list_points,
    outcome_of,
    target_body,
)


@pytest.fixture(scope="module")
def links(core):
    return compute(core)[0]["recommendation_links"]


def link(links, *words):
    hits = [x for x in links if all(w in x["recommendation_text"] for w in words)]
    assert len(hits) == 1, [x["recommendation_text"] for x in links]
    return hits[0]


@pytest.mark.parametrize(
    ("words", "decided"),
    [
        (("revenue budget", "£14.862 million"), "revenue budget for 2025/26 of £14.862 million"),
        (("Band D council tax",), "a Band D council tax of £198.45 be set for 2025/26"),
        (("earmarked reserves",), "transfers between earmarked reserves"),
        (("council housing rents",), "council housing rents be increased by 2.7% and garage rents by 5%"),
        (("garage rents",), "council housing rents be increased by 2.7% and garage rents by 5%"),
    ],
)
def test_each_cabinet_recommendation_is_linked_to_the_council_decision_that_adopted_it(links, words, decided):
    x = link(links, *words)
    assert decided in x["decision_text"]
    assert (x["recommended_on"], x["decided_on"], x["outcome"]) == ("2025-02-19", "2025-03-05", "adopted")
    assert "minute_ref" in json.loads(x["signals"])
    assert x["reason"].startswith("adopted by Council on 2025-03-05")


def test_only_recommendations_are_linked(links):
    assert len(links) == 5  # three in Minute 115/24, two in 118/24; Cabinet's own decisions are not
    assert {x["from_committee_id"] for x in links} == {"ashcombe-district-council/cabinet"}
    assert {x["to_committee_id"] for x in links} == {"ashcombe-district-council/council"}


def test_a_recommendation_goes_to_the_body_its_lead_in_names():
    text = "Strategy.\nRECOMMENDED to Council that:\nthe revenue budget be approved;"
    assert target_body(text, text.index("the revenue")) == "Council"
    assert target_body("3.1 That the Board approves the plan.", 4) is None


def test_list_points_without_labels_are_read_from_their_wording():
    text = (
        "RECOMMENDED to Council that:\nthe revenue budget be approved;\na council tax of £198.45 be approved; and\n"
        "the Director be authorised to make transfers.\nRESOLVED that the Director report each quarter."
    )
    assert [p.text for p in list_points(text, 0, len(text))] == [
        "the revenue budget be approved",
        "a council tax of £198.45 be approved",
        "the Director be authorised to make transfers",
    ]


@pytest.mark.parametrize(
    ("decision", "recs", "outcome"),
    [
        ("a Band D council tax of £198.45 be set for 2025/26", ["a Band D council tax of £198.45 for 2025/26, an increase of 2.99%, be approved"], "adopted"),
        ("the council tax increase be limited to 1.99%", ["a council tax increase of 2.99% be approved"], "amended"),
        ("the policy be adopted subject to the deletion of paragraph 4", ["the policy be adopted"], "amended"),
        ("recommendation 3 (a dedicated enforcement officer) be not accepted", ["a dedicated enforcement officer be appointed"], "rejected"),
    ],
)  # fmt: skip
def test_outcomes(decision, recs, outcome):
    assert outcome_of(decision, recs) == outcome


def test_a_decision_by_reference_only_adopts_wholesale():
    assert is_wholesale("the recommendations in the report be approved")
    assert is_wholesale("as recommended")
    assert not is_wholesale("as recommended by Cabinet, council housing rents be increased by 2.7%")


def test_a_reports_recommendations_are_settled_at_the_meeting_it_went_to():
    report = Doc(
        "r", "r.txt", "RECOMMENDATIONS\n3.1 That the Board approves the delivery plan.", "nc", "nc/hwb", "2025-03-26"
    )
    minutes_text = "Joint Strategy: Delivery Plan\nRESOLVED that the recommendations in the report be approved."
    minutes = Doc("m", "m.txt", minutes_text, "nc", "nc/hwb", "2025-03-26")
    rec = Clause("r", 21, 62, "the Board approves the delivery plan", minute="3")
    decision = Clause("m", 30, len(minutes_text) - 1, "the recommendations in the report be approved", "item-1")
    (x,) = link_recommendations(
        [(report, rec)],
        {"m": [decision]},
        [report, minutes],
        {"m": [(0, len(minutes_text), "7", "Joint Strategy")]},
        {},
    )
    assert (x.decision.item_id, x.outcome) == ("item-1", "adopted")
    assert "as_recommended" in x.signals
