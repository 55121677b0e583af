"""Themes from agenda item titles, item text and the body that met (pipeline/themes.py, models/patterns/themes.json)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pipeline.patterns import PATTERNS
from pipeline.themes import _hits, backfill, rules, scores, theme_for, theme_names, word_pattern

DOCS = Path(__file__).resolve().parents[2] / "docs" / "publishing.md"
THEMES = [
    "SEND and children's services", "adult social care", "health", "housing", "planning", "finance and budget",
    "transport and highways", "environment and climate", "community safety", "governance",
]  # fmt: skip


def test_the_ten_themes_of_the_issue_in_order():
    assert theme_names() == THEMES


def test_every_theme_is_documented():
    docs = DOCS.read_text(encoding="utf-8")
    for name in THEMES:
        assert f"**{name}**" in docs, name


@pytest.mark.parametrize(
    ("word", "text", "found"),
    [
        ("SEND", "the SEND sufficiency strategy", True),
        ("SEND", "officers would send the figures", False),  # an acronym matches only in capitals
        ("recycl*", "Waste and Recycling Collection", True),
        ("cycl*", "Waste and Recycling Collection", False),  # whole words only
        ("fly-tipping", "reports of fly tipping", True),
        ("fly-tipping", "flytipping hotspots", True),
        ("children's", "Children’s Social Care", True),  # typographic apostrophe
        ("park", "the car parking review", False),
        ("re:\\b\\d{2}/\\d{4,5}/[A-Z]{2,5}\\b", "23/01456/FUL Land at Riverside Meadows", True),
    ],
)
def test_word_syntax(word, text, found):
    assert bool(word_pattern(word).search(text)) is found


# Titles and items from corpus/minutes (the invented councils) and corpus/html.
@pytest.mark.parametrize(
    ("title", "text", "body", "theme"),
    [
        ("SEND Sufficiency and the Written Statement of Action",
         "the Head of SEND Services provide members with a quarterly SEND performance dashboard", None,
         "SEND and children's services"),
        ("Council Housing Rents 2025/26 (Cabinet Minute 118/24)",
         "as recommended by Cabinet, council housing rents be increased by 2.7%", "Council", "housing"),
        ("Revenue Budget 2025/26 and Medium Term Financial Strategy",
         "the Director of Resources report to Cabinet each quarter on delivery of the savings programme", "Cabinet",
         "finance and budget"),
        ("Highways and footpaths", "Clerk to report the obstruction to the Public Rights of Way team", None,
         "transport and highways"),
        ("Waste and Recycling Collection Performance",
         "He agreed to meet the ward members for Southgate next month to discuss fly-tipping hotspots", None,
         "environment and climate"),
        ("23/01456/FUL Land at Riverside Meadows, Kingsmere", "That planning permission be granted", "Planning Committee",
         "planning"),
        ("Minutes of the previous meeting", "the minutes of the meeting held on 11 March 2025 be approved", None,
         "governance"),
    ],
)  # fmt: skip
def test_theme_of_corpus_items(title, text, body, theme):
    assert theme_for(title, text, body) == theme


def test_a_subject_in_the_title_beats_the_scrutiny_wrapper():
    title = "Recommendations of the Overview and Scrutiny Committee – Review of Fly-tipping"
    assert (
        theme_for(title, "recommendation 5 be referred to the Environment Advisory Panel") == "environment and climate"
    )


def test_catch_all_titles_say_nothing_and_the_text_decides():
    # "Public participation" is governance by its words, but the item is about a road
    text = "Clerk to report the damage to Northmoor County Council Highways and ask for a date for the repair"
    assert theme_for("Public participation", text) == "transport and highways"
    assert (
        theme_for("RECOMMENDED to Council that", "a Band D council tax of £198.45 be approved") == "finance and budget"
    )


def test_the_body_decides_an_item_with_no_telling_words():
    text = "That the Board approve the Delivery Plan 2025–2030 set out in Appendix 1"
    assert theme_for("RECOMMENDATIONS", text) is None
    assert theme_for("RECOMMENDATIONS", text, "Health and Wellbeing Board") == "health"


def test_governance_only_wins_when_nothing_specific_is_said():
    assert theme_for("Work Programme", "the work programme be noted") == "governance"
    ranked = dict(scores("Work Programme", "add an item on SEND transport and children's mental health"))
    assert ranked["governance"] > 0 and theme_for("Work Programme", "children's mental health and SEND") != "governance"


def test_no_words_no_theme():
    assert theme_for(None, None) is None
    assert theme_for("", "RECEIVED") is None


def test_every_word_list_compiles_and_no_word_is_listed_twice_in_a_theme():
    data = json.loads((PATTERNS / "themes.json").read_text(encoding="utf-8"))
    for theme in data["themes"]:
        assert len(theme["words"]) == len(set(theme["words"])), theme["name"]
        for word in theme["words"]:
            word_pattern(word)


def test_backfill_adds_the_column_and_fills_it(minutes_db, tmp_path):
    # a copy without the column, as a database ingested before themes were stored
    copy = tmp_path / "old.db"
    src = sqlite3.connect(minutes_db)
    conn = sqlite3.connect(copy)
    src.backup(conn)
    src.close()
    conn.execute("drop table if exists items_fts")  # its triggers reference the items table being rebuilt
    for (name,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        conn.execute(f"drop trigger [{name}]")
    conn.execute("alter table items drop column theme")
    n = conn.execute("select count(*) from items").fetchone()[0]
    assert backfill(conn) == n
    rows = conn.execute(
        "select i.agenda_item_title, i.text, coalesce(k.name, c.name), i.theme from items i "
        "left join committees k on k.id = i.committee_id left join councils c on c.id = i.council_id"
    ).fetchall()
    assert [r[3] for r in rows] == [theme_for(r[0], r[1], r[2]) for r in rows]
    assert backfill(conn) == sum(1 for r in rows if r[3] is None)  # only items still without a theme
    conn.close()


def _brute_hits(part: str) -> tuple[int, ...]:
    return tuple(sum(1 for p in theme.words if p.search(part)) for theme in rules().themes)


def test_the_needle_prefilter_never_skips_a_match():
    # every line of the corpus's minutes, plus spellings that only case-insensitive matching finds
    root = Path(__file__).resolve().parents[2] / "corpus"
    lines = [ln for f in sorted((root / "minutes").glob("*.txt")) for ln in f.read_text(encoding="utf-8").splitlines()]
    lines += [
        "HOUSING AND HOMELESSNESS",
        "Fly Tipping on the A38",
        "Houſing rents",
        "Plannıng applications",
        "CHİLDREN and young people",
        "NHS ICB",
    ]
    assert len(lines) > 500
    found = 0
    for line in filter(None, lines):
        want = _brute_hits(line)
        assert _hits(line) == want, line
        found += sum(want)
    assert found > 100
