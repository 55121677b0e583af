"""The HTML reader: both ModernGov page shapes, chrome, encodings and broken markup.

The sample pages in corpus/html are written for the project in ModernGov's markup;
the real minutes in ../shared/eval/dev are plain text, so they are wrapped in <p>
tags here to check that real wording survives the reader word for word.
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import Block, Document, Metadata
from pipeline.errors import EmptyDocument, PipelineError
from pipeline.readers import read
from pipeline.readers.html import decode_html, parse_meeting_line, read_html

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus" / "html"
DEV = ROOT / ".." / "shared" / "eval" / "dev"

ITEM_PAGE = CORPUS / "fenmarsh-2024-07-11-place-scrutiny-item-6.html"
ADM_PAGE = CORPUS / "fenmarsh-2024-06-04-environment-communities-adm.html"
CHROME_PAGE = CORPUS / "eastbridge-2024-09-03-cabinet-item-47-chrome.html"
CP1252_PAGE = CORPUS / "kingsmere-2024-05-21-planning-item-58-cp1252.html"
PAGES = sorted(CORPUS.glob("*.html"))


def html_doc(markup: str) -> Document:
    return read_html(markup.encode("utf-8"), Path("inline.html"))


def headings(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if b.kind == "heading"]


def after(doc: Document, text: str) -> list[Block]:
    """The blocks after the first block whose text is ``text``."""
    index = next(i for i, b in enumerate(doc.blocks) if b.text == text)
    return list(doc.blocks[index + 1 :])


def test_corpus_has_the_four_sample_pages():
    assert {ITEM_PAGE, ADM_PAGE, CHROME_PAGE, CP1252_PAGE} <= set(PAGES)


# --- shape 1: one agenda item (mgAi.aspx) ---------------------------------------------------------


def test_agenda_item_page_headings_in_order():
    assert headings(read(ITEM_PAGE)) == [
        "Agenda item",
        "Local Cycling and Walking Infrastructure Plan: consultation outcome",
        "Decision:",
        "Minutes:",
        "Supporting documents:",
    ]


def test_agenda_item_page_numbers_in_order():
    doc = read(ITEM_PAGE)
    assert [b.number for b in doc.blocks if b.number] == [
        "a)", "b)",  # <ol type="a"> under Decision:
        "6.1", "6.2", "6.3", "6.4", "6.5",  # a Word table: number cell, text cell
        "(a)", "(b)",  # typed sub-points of 6.5
        "•", "•",  # supporting documents
    ]  # fmt: skip


def test_agenda_item_decision_section_holds_its_list():
    doc = read(ITEM_PAGE)
    decision = after(doc, "Decision:")[:3]
    assert [(b.kind, b.number, b.text[:30]) for b in decision] == [
        ("para", None, "That the Committee:"),
        ("list_item", "a)", "endorses the revised Local Cyc"),
        ("list_item", "b)", "asks the Director of Place and"),
    ]


def test_numbered_table_rows_become_numbered_paragraphs():
    doc = read(ITEM_PAGE)
    resolved = next(b for b in doc.blocks if b.number == "6.5")
    assert (resolved.kind, resolved.text) == ("list_item", "RESOLVED: That the Committee:-")
    assert not any(" | " in b.text for b in doc.blocks)


# --- shape 2: agenda, decisions and minutes (ieListDocuments.aspx) --------------------------------


def test_adm_page_item_titles_carry_their_numbers():
    doc = read(ADM_PAGE)
    titles = [(b.number, b.text) for b in doc.blocks if b.kind == "heading" and b.level == 3]
    assert titles == [
        ("1.", "Apologies for absence"),
        ("2.", "Declarations of interest"),
        ("3.", "Minutes of the previous meeting"),  # "PDF 214 KB" after the link is dropped
        ("4.", "Household waste and recycling collection review"),
        ("5.", "Haddon Park management plan 2024–2029"),
        ("6.", "Committee work programme"),
    ]


def test_adm_page_every_item_has_decision_then_minutes():
    doc = read(ADM_PAGE)
    sections: dict[str, list[str]] = {}
    for block in doc.blocks:
        if block.kind == "heading" and block.level == 3:
            current = sections.setdefault(block.number or "", [])
        elif block.kind == "heading" and block.level == 4:
            current.append(block.text)
    assert sections == {
        "1.": ["Decision:", "Minutes:"],
        "2.": ["Decision:", "Minutes:"],
        "3.": ["Decision:", "Minutes:"],
        "4.": ["Decision:", "Minutes:", "Supporting documents:"],
        "5.": ["Decision:", "Minutes:", "Supporting documents:"],
        "6.": ["Decision:", "Minutes:"],
    }


def test_adm_page_resolved_sub_points_in_both_sections():
    doc = read(ADM_PAGE)
    item_4 = after(doc, "Household waste and recycling collection review")
    numbers = [b.number for b in item_4[: next(i for i, b in enumerate(item_4) if b.number == "5.")]]
    assert [n for n in numbers if n] == ["(a)", "(b)", "(c)", "a)", "b)", "c)", "•"]
    decided = [b.text for b in item_4 if b.number in ("(b)", "b)")][:2]
    assert decided[0] == decided[1]  # the decision wording is repeated in the minutes


def test_adm_page_keeps_the_undertaking_and_the_header_row():
    doc = read(ADM_PAGE)
    assert any(b.kind == "para" and "Officers would circulate the ward-level" in b.text for b in doc.blocks)
    assert [b.text for b in doc.blocks if b.kind == "table_row"] == ["No. | Item"]


def test_double_br_splits_a_paragraph():
    doc = read(ADM_PAGE)
    pryce = next(b for b in doc.blocks if b.text.startswith("Councillor Pryce, speaking"))
    following = doc.blocks[doc.blocks.index(pryce) + 1]
    assert pryce.text.endswith("had been addressed.")
    assert following.text.startswith("Members asked whether the plan took account")


# --- chrome ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chrome",
    [
        "Accept all cookies", "Cookies on eastbridge", "Skip to main content", "Search this site",
        "Bins, rubbish and recycling", "Eastbridge Borough Council home page", "Committees", "Browse meetings",
        "Committee details", "Share this page", "Was this page useful", "Accessibility statement",
        "Powered by modern.gov", "HIDDEN-ALERT", "DISPLAY-NONE", "COMMENT-TEXT", "TEMPLATE-TEXT",
        "SCRIPT-", "STYLE-CONTENT", "SVG-TITLE", "NOSCRIPT", "dataLayer", "VIEWSTATE", "GTM",
    ],
)  # fmt: skip
def test_chrome_never_becomes_text(chrome):
    assert chrome not in read(CHROME_PAGE).text


def test_chrome_page_keeps_its_content():
    doc = read(CHROME_PAGE)
    assert headings(doc) == [
        "Agenda item",
        "Medium Term Financial Strategy 2025/26 to 2027/28",
        "Decision:",
        "Minutes:",
        "Reasons for the decision:",
        "Supporting documents:",
    ]
    assert [b.number for b in after(doc, "RESOLVED: That Cabinet:")[:3]] == ["1.", "2.", "3."]
    assert "The Director of Finance agreed to circulate an equality impact assessment" in doc.text


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_no_markup_or_code_reaches_the_text(path):
    text = read(path).text
    for leak in ("<", ">", "{", "}", "function", "var ", "&nbsp;", "&amp;", "\u00a0"):
        assert leak not in text


def test_chrome_by_id_class_and_role_inside_the_content():
    doc = html_doc(
        "<main><article><header><h1>Cabinet - Tuesday, 3rd September, 2024 6.30 pm</h1></header>"
        "<div id='mgBreadCrumbs'>Home &gt; Cabinet</div><ul class='mgSideNav'><li>Browse meetings</li></ul>"
        "<div id='fdc-topmenu'>Council tax</div><div class='cookie-notice'>We use cookies</div>"
        "<div role='navigation'>Previous item</div><a class='skip-link'>Skip to content</a>"
        "<p>That the report be noted.</p><footer>Published 4 September 2024</footer></article></main>"
    )
    assert doc.text == "Cabinet - Tuesday, 3rd September, 2024 6.30 pm\nThat the report be noted."


def test_page_classed_as_chrome_is_still_read():
    doc = html_doc("<body><div class='page-with-sidebar'><p>That the report be noted.</p></div><nav>Home</nav></body>")
    assert doc.text == "That the report be noted."


def test_search_form_dropped_but_page_wrapping_form_kept():
    doc = html_doc(
        "<html><body><form id='aspnetForm'><div id='modgov'><h1>Agenda item</h1><p>That the report be noted.</p>"
        "</div><form class='subscribe'><p>Sign up for email alerts</p></form></form></body></html>"
    )
    assert doc.text == "Agenda item\nThat the report be noted."


# --- encodings ------------------------------------------------------------------------------------


def test_windows_1252_page_keeps_pounds_and_curly_quotes():
    text = read(CP1252_PAGE).text
    for phrase in ("£412,500", "£38,750", "£451,250 –", "‘Riverside Meadows’", "“protected for good”", "Residents’"):
        assert phrase in text
    assert "community café" in text
    for mojibake in ("Â", "â€", "\ufffd"):
        assert mojibake not in text


def test_windows_1252_page_splits_inline_decision_label():
    doc = read(CP1252_PAGE)
    decision = after(doc, "Decision:")[0]
    assert (decision.kind, decision.text[:40]) == ("para", "That planning permission be granted subj")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ('<meta charset="windows-1252"><p>£5 “fee”</p>'.encode("cp1252"), "£5 “fee”"),
        # browsers read a Latin-1 label as Windows-1252
        ('<meta charset="iso-8859-1"><p>‘quoted’</p>'.encode("cp1252"), "‘quoted’"),
        ('<?xml version="1.0" encoding="utf-8"?><p>£5</p>'.encode(), "£5"),
        ('<meta charset="utf-8"><p>£5 “fee”</p>'.encode("cp1252"), "£5 “fee”"),  # mislabelled: detect instead
        ("<p>£1,200 for the clerk’s fees</p>".encode("cp1252"), "£1,200 for the clerk’s fees"),  # undeclared
        ('<meta charset="no-such-codec"><p>£5</p>'.encode(), "£5"),
    ],
)
def test_decoding(data, expected):
    assert expected in decode_html(data)
    assert read_html(data, Path("page.html")).text == expected


# --- blocks from markup ---------------------------------------------------------------------------


def test_list_numbers_follow_type_start_and_value():
    doc = html_doc(
        "<ol><li>one</li><li>two</li></ol>"
        "<ol type='a' start='3'><li>third</li><li value='7'>seventh</li></ol>"
        "<ol type='i'><li>first<ol type='A'><li>nested</li></ol></li><li>second</li></ol>"
        "<ol style='list-style-type: lower-alpha'><li>styled</li></ol>"
        "<ul><li>bullet</li></ul><ol style='list-style: none'><li>plain</li></ol>"
    )
    assert [(b.number, b.text, b.level) for b in doc.blocks] == [
        ("1.", "one", 1), ("2.", "two", 1),
        ("c)", "third", 1), ("g)", "seventh", 1),
        ("i)", "first", 1), ("A)", "nested", 2), ("ii)", "second", 1),
        ("a)", "styled", 1), ("•", "bullet", 1), (None, "plain", 1),
    ]  # fmt: skip
    assert {b.kind for b in doc.blocks} == {"list_item"}


def test_typed_number_wins_over_list_position():
    doc = html_doc("<ul><li>(a) that the report be noted;</li><li>77/21 Minutes of the last meeting</li></ul>")
    assert [(b.number, b.text) for b in doc.blocks] == [
        ("(a)", "that the report be noted;"),
        ("77/21", "Minutes of the last meeting"),
    ]


def test_headings_paragraphs_and_bold_labels():
    doc = html_doc(
        "<h2>6. Budget monitoring</h2><p><strong>Minutes:</strong></p>"
        "<p><b>Decision:</b> That the budget be noted.</p><p>6.2 The Chair thanked officers.</p>"
    )
    assert [(b.kind, b.level, b.number, b.text) for b in doc.blocks] == [
        ("heading", 2, "6.", "Budget monitoring"),
        ("heading", 0, None, "Minutes:"),
        ("heading", 0, None, "Decision:"),
        ("para", 0, None, "That the budget be noted."),
        ("list_item", 0, "6.2", "The Chair thanked officers."),
    ]


def test_inline_spacing_nbsp_and_single_br():
    doc = html_doc(
        "<p>Councillor <strong>Ahmed</strong>\n   proposed&nbsp;that the <a href='#'>report</a> be <em>noted</em>.</p>"
        "<p>tele<span>phone</span> &nbsp; box</p>"
        "<p>RESOLVED:<br>(a) that X;<br>(b) that Y.</p><p>Line one<br>line two</p>"
    )
    assert [(b.number, b.text) for b in doc.blocks] == [
        (None, "Councillor Ahmed proposed that the report be noted."),
        (None, "telephone box"),
        (None, "RESOLVED:"),
        ("(a)", "that X;"),
        ("(b)", "that Y."),
        (None, "Line one line two"),
    ]


def test_number_alone_numbers_the_next_paragraph():
    doc = html_doc("<p>8.4</p><p>RESOLVED: That the Committee notes the report.</p><p>9.</p>")
    assert [(b.number, b.text) for b in doc.blocks] == [
        ("8.4", "RESOLVED: That the Committee notes the report."),
        (None, "9."),  # a number with nothing after it is kept as text
    ]


def test_data_tables_become_table_rows():
    doc = html_doc(
        "<table><tr><th>Councillor</th><th>Item</th><th>Interest</th></tr>"
        "<tr><td>Sandra Patel</td><td>5</td><td>Non-pecuniary</td></tr>"
        "<tr><td>12</td><td>Grant to the Grand Theatre</td><td>£20,000</td></tr></table>"
    )
    assert [(b.kind, b.number, b.text) for b in doc.blocks] == [
        ("table_row", None, "Councillor | Item | Interest"),
        ("table_row", None, "Sandra Patel | 5 | Non-pecuniary"),
        ("table_row", None, "12 | Grant to the Grand Theatre | £20,000"),
    ]


# --- metadata -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "meta"),
    [
        (
            ITEM_PAGE,
            Metadata(
                council="Fenmarsh District Council",
                committee="Place Scrutiny Committee",
                meeting_date="2024-07-11",
                title="Agenda item - Local Cycling and Walking Infrastructure Plan: consultation outcome"
                " - Fenmarsh District Council",
                url="https://democracy.fenmarsh.gov.uk/mgAi.aspx?ID=4406",
            ),
        ),
        (
            ADM_PAGE,
            Metadata(
                council="Fenmarsh District Council",
                committee="Environment and Communities Committee",
                meeting_date="2024-06-04",
                title="Agenda for Environment and Communities Committee on Tuesday, 4th June, 2024, 6.30 pm"
                " - Fenmarsh District Council",
                url="https://democracy.fenmarsh.gov.uk/ieListDocuments.aspx?CId=208&MId=3371&Ver=4",
            ),
        ),
        (
            CHROME_PAGE,  # no og:site_name or canonical link: council from the title, url from og:url
            Metadata(
                council="Eastbridge Borough Council",
                committee="Cabinet",
                meeting_date="2024-09-03",
                title="Agenda item - Medium Term Financial Strategy 2025/26 to 2027/28 | Eastbridge Borough Council",
                url="https://meetings.eastbridge.gov.uk/mgAi.aspx?ID=15127",
            ),
        ),
        (
            CP1252_PAGE,
            Metadata(
                council="Kingsmere District Council",
                committee="Planning Committee",
                meeting_date="2024-05-21",
                title="Agenda item - 23/01456/FUL Land at Riverside Meadows, Kingsmere - Kingsmere District Council",
                url="https://moderngov.kingsmere.gov.uk/mgAi.aspx?ID=9931",
            ),
        ),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else "",
)
def test_metadata(path, meta):
    assert read(path).meta == meta


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Place Scrutiny Committee - Thursday, 11th July, 2024 10.00 am", ("Place Scrutiny Committee", "2024-07-11")),
        ("Cabinet (Resources) Panel - Tuesday, 25th April, 2017 5.00 pm", ("Cabinet (Resources) Panel", "2017-04-25")),
        ("Agenda for Cabinet on Wednesday, 1st May, 2024, 7.00 pm", ("Cabinet", "2024-05-01")),
        ("Meeting: 03/09/2024 - Cabinet (Item 47.)", ("Cabinet", "2024-09-03")),
        ("Meeting: 31/02/2024 - Cabinet (Item 47.)", ("Cabinet", None)),  # no such day
        ("Agenda item", (None, None)),
    ],
)
def test_parse_meeting_line(line, expected):
    assert parse_meeting_line(line) == expected


# --- invariants and robustness --------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_block_is_its_span_of_the_text(path):
    doc = read(path)
    assert doc.format == "html" and doc.blocks
    for block in doc.blocks:
        assert doc.text[block.char_start : block.char_end] == block.text


def test_megabytes_of_script_are_fast_and_silent():
    script = "<script>var minutes = '<p>RESOLVED: not really</p>';</script>\n" * 60_000
    body = f"{script}<p>That the report be noted.</p>{script}"
    page = f"<html><head>{script}<title>t</title></head><body>{body}</body></html>"
    assert len(page) > 10_000_000
    start = time.perf_counter()
    doc = read_html(page.encode(), Path("scripts.html"))
    assert time.perf_counter() - start < 5
    assert doc.text == "That the report be noted."


def test_deeply_nested_markup_is_read_not_crashed():
    doc = html_doc("<div>" * 5000 + "<b>" * 3000 + "That the report be noted." + "</div>" * 5000)
    assert doc.text == "That the report be noted."


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body><script>var x = 1;</script><!-- nothing --></body></html>",
        b"<html><head><title>Agenda item</title></head><body>   &nbsp; </body></html>",
        b"<div><nav>Home</nav></div>",
    ],
)
def test_page_without_text_is_an_empty_document(data):
    with pytest.raises(EmptyDocument, match=r"^empty\.html: no text found in HTML$"):
        read("empty.html", data=data)


def test_markup_lxml_rejects_is_read_by_python_parser():
    doc = html_doc('<html><body><p {x="1">That the report be noted.</p></body></html>')
    assert "That the report be noted." in doc.text


_FRAGMENTS = st.sampled_from(
    [
        "<p>", "</p>", "<div class='mgContent'>", "</div>", "<table>", "<tr>", "<td>", "</td>",
        "<ol type='i' start='-3'>", "<li value='x'>", "<ul>", "<br>", "<h2>", "</h3>", "<script>", "</script>",
        "<!--", "-->", "<![CDATA[", "]]>", "<b>", "Decision:", "RESOLVED:", "6.1 ", "(a) ", "&nbsp;", "&#0;",
        "&#xD800;", "£", "\x00", "<main>", "<form>", "<meta charset='utf-7'>", "<?xml encoding='base64'?>",
        "<nav>", "text ", "<", ">", "\"", "'", "=",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2000), st.lists(_FRAGMENTS, max_size=60).map("".join).map(str.encode)))
def test_broken_markup_raises_nothing_but_pipeline_errors(data):
    try:
        doc = read_html(data, Path("fuzz.html"))
    except PipelineError:
        return
    for block in doc.blocks:
        assert doc.text[block.char_start : block.char_end] == block.text


# --- real minutes ---------------------------------------------------------------------------------

_FILE_SIZE = re.compile(r"\s(?:PDF|DOC|DOCX|XLSX?)\s+\d+(?:\.\d+)?\s*[KM]B(?=\s|$)")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def as_html(text: str) -> str:
    """Real minutes as a ModernGov page would carry them: a <p> per paragraph, <br> per line."""
    paras = re.split(r"\n[ \t\u00a0]*\n", text.replace("\r\n", "\n"))
    body = "\n".join("<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>" for p in paras)
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><div id='modgov'>{body}</div></body></html>"


@pytest.mark.parametrize("path", sorted(DEV.glob("*.txt")), ids=lambda p: p.name)
def test_real_minutes_survive_word_for_word(path):
    source = path.read_text(encoding="utf-8")
    doc = read_html(as_html(source).encode("utf-8"), path)
    read_back = " ".join(f"{b.number} {b.text}" if b.number else b.text for b in doc.blocks)
    assert words(read_back) == words(source)


def words(text: str) -> list[str]:
    # the reader drops a ModernGov "PDF 120 KB" file size after a title, and invisible characters
    return _INVISIBLE.sub("", _FILE_SIZE.sub("", " " + text)).split()
