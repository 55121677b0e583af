"""The DOCX reader on real council Word files: order, Word list numbers, tables, footers, refusals."""

from __future__ import annotations

import functools
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from pipeline.document import Document
from pipeline.errors import PipelineError, UnreadableDocument
from pipeline.numbering import is_bullet
from pipeline.readers import read
from pipeline.readers.docx import format_counter, read_docx

REALDOCS = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdocs"
READABLE = [
    "broomhill-cc-2026-02-election-public-notice.docx",
    "laca-lead-the-change-board-2020-03-03-minutes.docx",
    "newbiggin-pc-2019-09-03-minutes.docx",
]


@functools.cache
def realdoc(name: str) -> Document:
    return read(REALDOCS / name)


def block_texts(doc: Document, kind: str | None = None) -> list[str]:
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]


def numbered(doc: Document) -> dict[str, str]:
    """Block number -> text, for numbers that are not bullets."""
    return {b.number: b.text for b in doc.blocks if b.number and not is_bullet(b.number)}


def docx_bytes(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same zip with some members' contents replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, replace.pop(name, None) or src.read(name))
        for name, content in replace.items():
            dst.writestr(name, content)
    return out.getvalue()


# --- every real DOCX ----------------------------------------------------------


@pytest.mark.parametrize("name", READABLE)
def test_every_block_points_at_its_text(name):
    doc = realdoc(name)
    assert doc.format == "docx" and doc.blocks
    for b in doc.blocks:
        assert doc.text[b.char_start : b.char_end] == b.text
        assert b.text == b.text.strip() and "\n" not in b.text and "\t" not in b.text


# --- the same minutes as DOCX and PDF -------------------------------------------


@pytest.mark.parametrize("name", ["newbiggin-pc-2019-09-03-minutes.docx", "newbiggin-pc-2019-09-03-minutes.pdf"])
def test_newbiggin_minute_numbers_in_order_in_both_formats(name):
    doc = realdoc(name)
    assert list(numbered(doc)) == [f"19.09.{n:02d}" for n in range(1, 13)]
    assert "Page 1 of 3" not in doc.text and "Signed ____" not in doc.text


def test_newbiggin_docx_and_pdf_agree_on_minutes_and_their_titles():
    from_docx = numbered(realdoc("newbiggin-pc-2019-09-03-minutes.docx"))
    from_pdf = numbered(realdoc("newbiggin-pc-2019-09-03-minutes.pdf"))
    assert from_docx == from_pdf
    assert from_docx["19.09.05"] == "Eden District Council Plan 2019-2023"


def test_newbiggin_docx_typed_numbers_headings_and_metadata():
    doc = realdoc("newbiggin-pc-2019-09-03-minutes.docx")
    # "19.09.01  Apologies" is typed in bold Normal style, "19.09.03  Minutes" in Heading 1: both are headings
    apologies, minutes = (next(b for b in doc.blocks if b.number == n) for n in ("19.09.01", "19.09.03"))
    assert (apologies.kind, apologies.text) == ("heading", "Apologies")
    assert (minutes.kind, minutes.level, minutes.text) == ("heading", 1, "Minutes")
    assert "Clerk to write" in block_texts(doc, "para")
    assert block_texts(doc)[-1] == "The Chairman brought the meeting to a close at 8.35pm"
    # the core properties still carry the title of the template the clerk started from
    assert doc.meta.title == "Milburn Parish Council - 6th March 2012"


# --- Word list numbering --------------------------------------------------------


def test_laca_word_list_numbers_are_reconstructed():
    doc = realdoc("laca-lead-the-change-board-2020-03-03-minutes.docx")
    numbers = [b.number for b in doc.blocks if b.kind != "table_row" and b.number]
    # 2.1 and 2.2 are typed by hand; every other number is drawn by Word from numbering.xml
    assert numbers == [
        "1.", "1.1", "1.2", "1.3", "2.", "2.1", "2.2", "3.", "3.1", "3.2", "3.3", "3.4",
        "4.", "4.1", "4.1.1", "4.2", "4.2.1", "4.3", "4.3.1", "4.3.2", "5.", "5.1", "5.2", "•",
    ]  # fmt: skip
    by_number = numbered(doc)
    assert by_number["1."] == "Welcome – Denis Woulfe"
    assert by_number["2.1"] == "DW led the review of the minutes from the board meeting held in December."
    assert by_number["4.2.1"].startswith("Sponsorship topic was discussed.")
    assert [b.level for b in doc.blocks if b.number in ("4.", "4.2", "4.2.1")] == [0, 2, 3]


def test_laca_attendees_table_rows_do_not_repeat_empty_or_merged_cells():
    doc = realdoc("laca-lead-the-change-board-2020-03-03-minutes.docx")
    assert block_texts(doc, "table_row") == [
        "Attendees | Apologies",
        "Emer Timmons – Co Chair | Baroness Ruby McGregor-Smith CBE",
        "Denis Woulfe - Co Chair | Elysia McCaffrey",
        "Michael Prescott | Caroline Waters OBE RSA CiPD",
        "Emma Codd | Jonathan Bullock",
        "William Touche",
        "Dr Randall S. Peterson",
        "In Attendance: Susan Beaumont-Staite",
        "Jane Vose",
        "Silvia Zborovjanova- Secretariat",
    ]
    # the table sits between the date and the first minute, as in the document
    kinds = [b.kind for b in doc.blocks]
    assert kinds.index("table_row") == 3 and block_texts(doc)[2] == "03 March 2020"


def test_broomhill_notice_numbered_headings_bullets_and_dates():
    doc = realdoc("broomhill-cc-2026-02-election-public-notice.docx")
    assert not block_texts(doc, "table_row")
    headings = [(b.number, b.text, b.level) for b in doc.blocks if b.kind == "heading" and b.number]
    assert headings == [
        ("1.", "Qualification", 2),
        ("2.", "Vacancies", 2),
        ("3.", "Closing Date", 3),
        ("4.", "Filling Vacancies", 3),
    ]
    assert "Valid nomination forms must be submitted to Glasgow City Council (see below) by: 2nd March 2026." in (
        block_texts(doc)
    )
    assert "11th March, 2026 at 7pm" in doc.text
    bullets = [b.text for b in doc.blocks if b.number == "•"]
    assert bullets == ["Uncontested Election Meeting:", "Contested Election – Secret Ballot:"]


def _numbered_paragraph(document, text: str, num_id: int, ilvl: int) -> None:
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def test_lettered_and_roman_levels_restart_under_their_parent_and_honour_start_overrides():
    document = docx.Document()
    numbering = document.part.numbering_part.element
    levels = [("decimal", "%1."), ("lowerLetter", "(%2)"), ("lowerRoman", "%3)")]
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    numbering.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{lvls}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="90"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/></w:lvlOverride></w:num>'
        )
    )
    for text, num_id, ilvl in [
        ("Finance", 90, 0),
        ("Invoices", 90, 1),
        ("Payments", 90, 1),
        ("Cheque to the hall", 90, 2),
        ("Cheque to the clerk", 90, 2),
        ("Planning", 90, 0),
        ("Applications", 90, 1),
        ("Any other business", 91, 0),
    ]:
        _numbered_paragraph(document, text, num_id, ilvl)
    doc = read_docx(docx_bytes(document), Path("lists.docx"))
    assert [(b.number, b.text, b.level) for b in doc.blocks] == [
        ("1.", "Finance", 1),
        ("(a)", "Invoices", 2),
        ("(b)", "Payments", 2),
        ("i)", "Cheque to the hall", 3),
        ("ii)", "Cheque to the clerk", 3),
        ("2.", "Planning", 1),
        ("(a)", "Applications", 2),
        ("7.", "Any other business", 1),
    ]
    assert {b.kind for b in doc.blocks} == {"list_item"}


def test_list_number_style_numbers_paragraphs_through_the_style():
    document = docx.Document()
    document.add_paragraph("Minutes", style="Title")
    for text in ("Apologies", "Declarations of interest"):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("A note", style="List Bullet")
    document.add_paragraph("12  Finance")  # a number typed before the text, two spaces after it
    doc = read_docx(docx_bytes(document), Path("styled.docx"))
    assert [(b.kind, b.number, b.text) for b in doc.blocks] == [
        ("heading", None, "Minutes"),
        ("list_item", "1.", "Apologies"),
        ("list_item", "2.", "Declarations of interest"),
        ("list_item", "•", "A note"),
        ("list_item", "12", "Finance"),
    ]


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [(3, "decimal", "3"), (3, "lowerLetter", "c"), (28, "lowerLetter", "bb"), (2, "upperLetter", "B"),
     (4, "lowerRoman", "iv"), (14, "upperRoman", "XIV"), (5, "decimalZero", "05")],
)  # fmt: skip
def test_format_counter_writes_numbers_as_word_does(value, fmt, expected):
    assert format_counter(value, fmt) == expected


# --- refusals -----------------------------------------------------------------


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    data = (REALDOCS / "newbiggin-pc-2019-09-03-minutes.docx").read_bytes()
    path = tmp_path / "bomb.docx"
    path.write_bytes(rezip(data, {"word/media/padding.bin": b"\0" * (8 * 2**20)}))
    with pytest.raises(UnreadableDocument) as e:
        read(path)
    assert str(e.value).startswith(f"{path}: DOCX expands to 8 MB")
    assert str(e.value).endswith("refusing (possible zip bomb)")


def test_docx_with_corrupt_document_xml_is_unreadable(tmp_path):
    data = (REALDOCS / "newbiggin-pc-2019-09-03-minutes.docx").read_bytes()
    path = tmp_path / "corrupt.docx"
    path.write_bytes(rezip(data, {"word/document.xml": b"<w:document><w:body><w:p>"}))
    with pytest.raises(UnreadableDocument, match=r"corrupt DOCX \(XMLSyntaxError") as e:
        read(path)
    assert str(e.value).startswith(f"{path}: ") and "\n" not in str(e.value)


def test_truncated_docx_zip_is_a_pipeline_error(tmp_path):
    data = (REALDOCS / "laca-lead-the-change-board-2020-03-03-minutes.docx").read_bytes()
    path = tmp_path / "truncated.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(PipelineError) as e:
        read(path)
    assert str(e.value).startswith(f"{path}: ")
