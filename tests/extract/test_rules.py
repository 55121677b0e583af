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


# -- owners -------------------------------------------------------------------------------------------


def owners(items):
    return [(t, o) for _, t, a, o, _ in items if a]


def test_subjunctive_resolution_is_owned_by_the_officer_it_names(extract):
    items = extract(
        "7. Damp and mould\n\nRESOLVED that:\n\n(a) the report be noted;\n\n"
        "(b) the Director of Housing report to Cabinet annually on damp and mould cases.\n"
    )
    assert owners(items) == [
        ("the Director of Housing report to Cabinet annually on damp and mould cases", "Director of Housing")
    ]


def test_approval_coordinated_with_an_officer_task_is_owned_by_that_officer(extract):
    items = extract(
        "9. Review of car parking\n\nRESOLVED that recommendations 1 and 3 be accepted, and the Head of Transport "
        "prepare an implementation plan by 30 June 2025.\n"
    )
    assert [(o, d) for _, _, a, o, d in items if a] == [("Head of Transport", "2025-06-30")]


def test_delegation_coordinated_with_an_approval_is_owned_by_the_delegate(extract):
    items = extract(
        "43. Highways capital programme\n\nRESOLVED – That the programme be approved and the Director of "
        "Highways be given delegated authority, in consultation with the Cabinet Member, to vary the schemes.\n"
    )
    assert [o for _, _, a, o, _ in items if a] == ["Director of Highways"]


def test_authorising_an_officer_after_an_approval_names_the_officer(extract):
    items = extract(
        "54. Community events\n\nRESOLVED: to approve the proposals in section 4 of the report and to authorise "
        "the Assistant Town Clerk to progress them.\n"
    )
    assert [o for _, _, a, o, _ in items if a] == ["Assistant Town Clerk"]


def test_a_working_party_owns_the_work_it_is_given(extract):
    items = extract(
        "9. Village event\n\nIt was agreed that a working party (Cllrs Harrop and Illingworth) plan the event "
        "and bring proposals to the next meeting.\n"
    )
    assert [o for _, _, a, o, _ in items if a] == ["working party"]


def test_request_that_an_officer_provides_names_the_officer(extract):
    items = extract(
        "4. Rolling actions log\n\nDecision\n\n1) To agree to close actions 1, 3 and 5.\n"
        "2) To request that the Executive Director of Place provides an update on action 2 to the next meeting.\n"
    )
    assert [o for _, _, a, o, _ in items if a] == ["Executive Director of Place"]


def test_whoever_asks_another_body_for_something_owns_it(extract):
    items = extract("Highways\n\nMembers discussed speeding. The Clerk will ask the County Council for a quote.\n")
    assert owners(items) == [("The Clerk will ask the County Council for a quote", "Clerk")]


def test_a_promise_reported_by_someone_else_is_owned_by_its_own_subject(extract):
    items = extract("School estate\n\nThe Chief Officer confirmed that officers would write to parents.\n")
    assert [o for _, _, a, o, _ in items if a] == ["officers"]


def test_whoever_approved_the_minutes_does_not_publish_them(extract):
    items = extract("2. Minutes\n\nThe minutes were approved by all members and will be published on the website.\n")
    assert [o for _, _, a, o, _ in items if a] == [None]


def test_a_shortened_title_is_the_full_title_used_earlier_in_the_item(extract):
    items = extract(
        "Home education\n\nThe Assistant Director – Education and Inclusion gave a presentation. Members asked "
        "about attendance. The Assistant Director said that a third of parents gave no reason. He agreed that "
        "the slides would be circulated to members.\n"
    )
    assert [o for _, _, a, o, _ in items if a] == ["Assistant Director – Education and Inclusion"]


def test_a_county_councillor_keeps_the_county_in_their_title(extract):
    items = extract(
        "Highways\n\nCounty Councillor Mrs Vaughan reported on the road survey. She agreed to forward the "
        "results to the Clerk.\n"
    )
    assert [o for _, _, a, o, _ in items if a] == ["County Councillor Mrs Vaughan"]


# -- parish action lines ------------------------------------------------------------------------------


def test_action_lines_give_work_to_members_subgroups_and_company_secretaries(extract):
    items = extract(
        "Planning\n\nAction: Members to review the applications and submit objections by the deadline.\n\n"
        "Priorities\n\nAction: Subgroup to progress the new priorities between meetings.\n\n"
        "Risk register\n\nACTION: Company Secretary to update the register.\n"
    )
    assert [o for _, _, a, o, _ in items if a] == ["Members", "Subgroup", "Company Secretary"]


def test_a_new_doer_after_a_semicolon_is_a_new_action(extract):
    items = extract(
        "Newsletter\n\nAction: Residents to be invited to submit photographs; CC to explore a joint newsletter.\n"
    )
    assert [t for _, t, _, _, _ in items] == [
        "Residents to be invited to submit photographs",
        "CC to explore a joint newsletter",
    ]
    assert items[1][3] == "CC"


def test_an_action_line_after_a_subject_and_a_dash_is_found(extract):
    items = extract(
        "10. Correspondence – list circulated. NALC award scheme – Clerk to circulate the guidance to members.\n"
    )
    assert owners(items) == [("Clerk to circulate the guidance to members", "Clerk")]


def test_an_action_line_on_a_different_matter_is_not_folded_into_the_decision(extract):
    items = extract(
        "Kelsbury in Bloom\n\nIt was AGREED that a grant of £250 be awarded towards the summer planting. "
        "Cllr Entwistle to speak to the group about the broken planter on the Green.\n"
    )
    assert [(t[:20], o) for _, t, _, o, _ in items] == [
        ("a grant of £250 be a", None),
        ("Cllr Entwistle to sp", "Cllr Entwistle"),
    ]


def test_the_date_of_a_decision_carried_out_by_a_short_action_line_is_its_due_date(extract):
    items = extract(
        "Annual Town Meeting\n\nIt was agreed that the Annual Town Meeting be held on Tuesday 13th May 2025. "
        "Clerk to arrange.\n",
        meeting_date="2025-04-08",
    )
    assert items == [
        ("decision", "the Annual Town Meeting be held on Tuesday 13th May 2025", True, "Clerk", "2025-05-13")
    ]


def test_the_clerk_is_to_obtain_is_an_action(extract):
    items = extract("Allotments\n\nThe lease expires next year. The Clerk is to obtain a valuation.\n")
    assert owners(items) == [("The Clerk is to obtain a valuation", "Clerk")]


def test_a_labelled_sub_point_with_its_own_resolution_drops_label_and_lead_in(extract):
    items = extract(
        "24/073 Finance\n\na) Payments: RESOLVED to approve the payments listed on the schedule.\n"
        "b) Bank mandate: It was resolved that Cllrs Hale and Moss be added as signatories. Clerk to action.\n"
    )
    assert [(t, o) for _, t, _, o, _ in items] == [
        ("to approve the payments listed on the schedule", None),
        ("Cllrs Hale and Moss be added as signatories", "Clerk"),
    ]


def test_promises_in_will_sentences_cover_practical_work(extract):
    items = extract(
        "Any other business\n\nPot holes are appearing again on the lane, there is road planing to fill them, "
        "Councillors will again fill these in.\n"
    )
    assert owners(items) == [("Councillors will again fill these in", "Councillors")]


# -- what is an item -------------------------------------------------------------------------------------


def test_an_inline_action_tag_makes_a_tentative_sentence_an_owned_action(extract):
    items = extract(
        "Lettings\n\nOfficers acknowledged that promoting the scheme through town councils would be something "
        "they could take forward (Action: Rebecca Cresswell).\n"
    )
    assert [(k, a, o) for k, _, a, o, _ in items] == [("undertaking", True, "Rebecca Cresswell")]


def test_a_promise_recounted_from_the_last_meeting_is_not_an_item(extract):
    items = extract(
        "Flush washing\n\nAt the last meeting the Committee was told that washing takes place less often. "
        "The Officer agreed to look into the matter.\n"
    )
    assert items == []


@pytest.mark.parametrize(
    "text",
    [
        "Members asked about the cost of agency staff compared with permanent staff.",
        "RESOLVED – As set out in the decision above.",
        "Andy said the letter sets out what was agreed. This will help if there is any departure from what was agreed.",
        "The gully has been assessed and the Council will continue to monitor the situation.",
    ],
)
def test_questions_references_back_and_monitoring_forecasts_are_not_items(extract, text):
    assert extract(f"Update\n\n{text}\n") == []


def test_board_decisions_with_capitalised_verbs_are_items(extract):
    items = extract(
        "5. Finance report\n\nThe Board NOTED the report.\nThe Board APPROVED the capital plan for 2025/26 and "
        "ASKED the Director of Finance to bring a revised cash forecast to the April meeting.\n",
        meeting_date="2025-03-12",
    )
    assert items == [
        ("decision", "NOTED the report", False, None, None),
        ("decision", "APPROVED the capital plan for 2025/26", False, None, None),
        (
            "decision",
            "ASKED the Director of Finance to bring a revised cash forecast to the April meeting",
            True,
            "Director of Finance",
            "2025-04",
        ),
    ]


def test_noting_and_agreeing_a_further_report_in_a_decision_section_are_two_items(extract):
    items = extract(
        "5. School estate\n\nDecision\n\nTo note the update, and to agree that a further report be submitted "
        "to the Committee in October 2024.\n",
        meeting_date="2024-06-04",
    )
    assert [(t, a, d) for _, t, a, _, d in items] == [
        ("To note the update", False, None),
        ("agree that a further report be submitted to the Committee in October 2024", True, "2024-10"),
    ]


def test_a_resolved_that_over_a_list_is_not_an_item_itself(extract):
    items = extract(
        "41. Libraries\n\nRESOLVED – That\n\n(i) the changes be approved;\n\n"
        "(ii) a report on the outcome be presented to Cabinet in June 2025.\n"
    )
    assert [t for _, t, _, _, _ in items] == [
        "the changes be approved",
        "a report on the outcome be presented to Cabinet in June 2025",
    ]


def test_bullets_in_one_line_are_separate_points(extract):
    items = extract(
        "Plan\n\nAC reviewed other plans. • It was agreed that the model plans would be sent to the group • "
        "It was agreed that new sections may be needed in due course\n"
    )
    assert [t for _, t, _, _, _ in items][0] == "the model plans would be sent to the group"


# -- action or not ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "action"),
    [
        ("the draft work programme for 2025/26 be approved", False),
        ("the work programme be approved, subject to the addition of an item on school places", True),
        ("the Cabinet consult on the draft Local Plan for six weeks", True),
    ],
)
def test_approving_a_draft_is_not_an_action_but_adding_to_it_or_consulting_is(extract, clause, action):
    assert [a for _, _, a, _, _ in extract(f"Work programme\n\nRESOLVED that {clause}.\n")] == [action]


def test_an_officer_report_forecasts_and_only_its_recommendations_are_items(extract):
    items = extract(
        "REPORT OF THE DIRECTOR OF PUBLIC HEALTH\n\n1.0 PURPOSE OF THE REPORT\n\n"
        "1.1 The Director of Public Health will publish the first annual report in spring 2026.\n\n"
        "2.0 RECOMMENDATIONS\n\n2.1 That the Board approve the Delivery Plan.\n\n"
        "3.0 FINANCIAL IMPLICATIONS\n\n3.1 None.\n"
    )
    assert [(k, t) for k, t, _, _, _ in items] == [("recommendation", "That the Board approve the Delivery Plan")]


def test_what_a_new_service_will_do_is_a_forecast(extract):
    assert extract("Winter plan\n\nThe new service will provide 40 additional beds over the winter.\n") == []


def test_only_the_promise_in_a_reported_statement_is_an_item_and_she_is_the_speaker(extract):
    items = extract(
        "Targets\n\nThe Director of Public Health said that the targets were achievable, and that she would "
        "report progress to the Board in March 2025.\n",
        meeting_date="2024-11-20",
    )
    assert items == [
        (
            "undertaking",
            "she would report progress to the Board in March 2025",
            True,
            "Director of Public Health",
            "2025-03",
        )
    ]


def test_proposals_carried_in_parish_wording_are_decisions(extract):
    items = extract(
        "12. Play area\n\nCllr Adams proposed, and Cllr Brown seconded, that the play area be inspected monthly.\n\n"
        "Proposed Cllr Cole, seconded Cllr Dean, all in favour: to renew the grass cutting contract for 2025/26.\n"
    )
    assert [t for _, t, _, _, _ in items] == [
        "the play area be inspected monthly",
        "to renew the grass cutting contract for 2025/26",
    ]


def test_the_clerk_order_is_a_subjunctive_owned_by_the_clerk(extract):
    items = extract("Play area\n\nIt was RESOLVED that the Clerk order two new swings at a cost of £1,240.\n")
    assert owners(items) == [("the Clerk order two new swings at a cost of £1,240", "Clerk")]


def test_several_subject_outcome_entries_in_one_paragraph_are_separate_items(extract):
    items = extract(
        "14. Correspondence\n\nLetter from resident re overhanging hedge – Clerk to write to the landowner. "
        "Email from CALC re training – noted.\n"
    )
    assert [(t, a, o) for _, t, a, o, _ in items] == [
        ("Clerk to write to the landowner", True, "Clerk"),
        ("Email from CALC re training – noted", False, None),
    ]


def test_a_named_councillors_request_is_an_item(extract):
    items = extract("Housing repairs\n\nCouncillor Baker requested that future reports include tenant satisfaction.\n")
    assert [(k, t) for k, t, _, _, _ in items] == [("decision", "future reports include tenant satisfaction")]


def test_agreeing_a_purchase_and_asking_the_clerk_to_act_are_two_items(extract):
    items = extract(
        "Dog fouling\n\nThe Council agreed to purchase four new dog bins and asked the Clerk to report the "
        "hotspots to the enforcement team.\n"
    )
    assert [(t, o) for _, t, _, o, _ in items] == [
        ("to purchase four new dog bins", None),
        ("asked the Clerk to report the hotspots to the enforcement team", "Clerk"),
    ]


def test_an_owner_tag_names_the_owner_and_is_not_part_of_the_text(extract):
    items = extract(
        "Dashboard\n\nACTION: Performance team to add commentary to the housing indicators (Owner: Sarah Lee).\n"
    )
    assert owners(items) == [("Performance team to add commentary to the housing indicators", "Sarah Lee")]


def test_a_promise_with_a_trailing_action_tag_is_not_taken_for_a_title(extract):
    items = extract("Any other business\n\nMark Jones (MJ) will contact the police about the survey. ACTION: MJ\n")
    assert owners(items) == [("Mark Jones (MJ) will contact the police about the survey", "MJ")]


def test_a_passive_promise_after_a_progress_report_borrows_no_doer(extract):
    items = extract(
        "Written statement of action\n\nIt was confirmed that the Team was in the process of rating the actions "
        "and this would be shared publicly when complete.\n"
    )
    assert [o for _, _, a, o, _ in items if a] == [None]


def test_initials_followed_by_action_name_the_owner_of_the_item_before(extract):
    items = extract(
        "Item 4. Roads\n\nThe Roads Manager will be invited to the November meeting and invitations will be "
        "issued. JS Action. Item 5. Any other business\n"
    )
    assert [o for _, _, a, o, _ in items if a] == ["JS"]


def test_additional_is_not_the_verb_add(extract):
    assert extract("Calls\n\nAnswering that there would additional capacity in staff, the Chair moved on.\n") == []


def test_a_reports_lettered_recommendations_go_on_after_explanatory_paragraphs(extract):
    items = extract(
        "REPORT TO COUNCIL\n\n1. Purpose of Report\n\nTo seek approval for the summer events.\n\n"
        "2. Recommendations\n\nCouncil is recommended to approve: -\n\n"
        "a) That the orchestra be commissioned to perform an open-air concert.\n\n"
        "The programme would be drawn from the orchestra's repertoire.\n\n"
        "b) That the Town Clerk be delegated to apply for permission to use the park.\n\n"
        "3. Financial Implications\n\nThe costs are met from the events budget.\n"
    )
    assert [(k, t) for k, t, _, _, _ in items] == [
        ("recommendation", "That the orchestra be commissioned to perform an open-air concert"),
        ("recommendation", "That the Town Clerk be delegated to apply for permission to use the park"),
    ]
