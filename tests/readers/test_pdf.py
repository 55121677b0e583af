"""The PDF reader on real council PDFs: reading order, numbering, tables, running footers, refusals."""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

import pytest
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from pipeline.document import Document
from pipeline.errors import UnreadableDocument
from pipeline.numbering import is_bullet
from pipeline.readers import read
from pipeline.readers.pdf import read_pdf

REALDOCS = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdocs"
READABLE = [
    "broomhill-cc-2025-09-11-minutes.pdf",
    "broomhill-cc-2026-03-11-minutes.pdf",
    "horsley-np-working-group-2014-10-19-minutes.pdf",
    "maca-lead-the-change-board-2019-09-25-minutes.pdf",
    "milburn-pc-2018-11-06-minutes.pdf",
    "milburn-pc-2021-01-26-minutes.pdf",
    "newbiggin-pc-2019-09-03-minutes.pdf",
    "sutton-coldfield-tc-2017-02-21-item166-summer-in-sutton-report.pdf",
    "sutton-coldfield-tc-alcs-2018-03-13-minutes.pdf",
    "sutton-coldfield-tc-amenities-2016-11-15-grant-applications.pdf",
]


@functools.cache
def realdoc(name: str) -> Document:
    return read(REALDOCS / name)


def block_texts(doc: Document, kind: str | None = None) -> list[str]:
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]


def numbered(doc: Document, kind: str | None = None) -> list[str]:
    """Block numbers that are not bullets, in order."""
    return [b.number for b in doc.blocks if b.number and not is_bullet(b.number) and (kind is None or b.kind == kind)]


AGENDA = ["Apologies", "Minutes", "Finance", "Planning", "Correspondence"]


def make_pdf(pages: int = 1, encrypt=None) -> bytes:
    """A PDF with one numbered minute per page (different text on each, or it would be a running head)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    for i in range(pages):
        c.drawString(72, 720, f"{i + 1}. {AGENDA[i]} were considered by the council.")
        c.showPage()
    c.save()
    return buf.getvalue()


# --- every readable real PDF ----------------------------------------------


@pytest.mark.parametrize("name", READABLE)
def test_every_block_points_at_its_text_and_page(name):
    doc = realdoc(name)
    assert doc.format == "pdf" and doc.pages >= 2
    assert doc.blocks
    for b in doc.blocks:
        assert doc.text[b.char_start : b.char_end] == b.text
        assert 1 <= b.page <= doc.pages
        x0, top, x1, bottom = b.bbox
        assert x0 < x1 and top < bottom


# --- reading order, numbering, footers --------------------------------------


def test_newbiggin_minutes_come_out_in_order_without_the_signed_page_footer():
    doc = realdoc("newbiggin-pc-2019-09-03-minutes.pdf")
    assert numbered(doc) == [f"19.09.{n:02d}" for n in range(1, 13)]
    assert "Signed" not in doc.text and "Dated 12th November" not in doc.text
    assert "Page 1 of 3" not in doc.text and "of 3" not in doc.text
    # the superscript "rd" is part of the date, and the last paragraph is not lost with the footer
    assert block_texts(doc)[0] == "Newbiggin Parish Council - 3rd September 2019"
    assert block_texts(doc)[-1] == "The Chairman brought the meeting to a close at 8.35pm"


def test_newbiggin_paragraphs_are_rejoined_across_line_wraps():
    doc = realdoc("newbiggin-pc-2019-09-03-minutes.pdf")
    assert "Clerk to write" in block_texts(doc, "para")
    assert (
        "The Parish Council have received a letter from the Committee asking if the Parish Council would like "
        "to appoint a Councillor onto the village hall committee."
    ) in doc.text
    # four paragraphs of 19.09.04 typed without space between them stay four
    start = block_texts(doc).index("Matters Arising")
    assert [t.split()[0] for t in block_texts(doc)[start + 1 : start + 5]] == ["Clerk", "The", "No", "The"]


def test_milburn_2018_minutes_numbers_and_clerk_lines():
    doc = realdoc("milburn-pc-2018-11-06-minutes.pdf")
    assert numbered(doc, "heading") == [f"18.11.{n}" for n in range(1, 11)]
    assert "Signed" not in doc.text and "Page 1 of 2" not in doc.text and "Page 2 of 2" not in doc.text
    assert "The Clerk will produce a risk assessment" in block_texts(doc, "para")
    clerk = (
        "Clerk to email A Armstrong, EDC and ask if there are any grants etc to help with drainage, also to "
        "ascertain when the Highways will be attending to the block drains on the roadside in the village and "
        "those near Newbiggin Mill."
    )
    assert any(t.endswith(clerk) for t in block_texts(doc))
    # a line that ends early although the next word would have fitted ends its paragraph
    assert "Invoice received from G & A M Johnston £1033.00 for grass cutting, Councillors resolved to pay" in (
        block_texts(doc)
    )


def test_milburn_2021_numbers_survive_simulated_bold_and_italic():
    doc = realdoc("milburn-pc-2021-01-26-minutes.pdf")
    # the headings are drawn bold by stroking a regular font, so only their shape marks them
    assert numbered(doc, "heading") == [f"21.01.{n:02d}" for n in range(1, 13)]
    assert "Signed" not in doc.text and "Page 4 of 4" not in doc.text
    # slanted synthetic italics overlap their neighbours; the words must keep their spaces
    addition = "Addition The Clerk checked the following day and was advised that the same solicitor could not act"
    assert any(t.startswith(addition) for t in block_texts(doc))
    assert any("The Clerk has contacted and confirmed." in t for t in block_texts(doc))


def test_maca_decimal_numbers_split_from_their_text():
    doc = realdoc("maca-lead-the-change-board-2019-09-25-minutes.pdf")
    assert numbered(doc, "heading") == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert numbered(doc, "list_item") == [
        "1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "5.1", "6.1",
    ]  # fmt: skip
    item = next(b for b in doc.blocks if b.number == "2.2")
    assert item.text == (
        "DW will update the document to capture the comments and re circulate for review and final approval "
        "at the next meeting."
    )
    assert block_texts(doc, "table_row")[:2] == ["Attendees | Apologies", "Emer Timmons | William Touche"]


def test_sutton_report_number_wrapped_to_the_margin_stays_in_its_paragraph():
    doc = realdoc("sutton-coldfield-tc-2017-02-21-item166-summer-in-sutton-report.pdf")
    # "… in December 2016 as part of the" / "2017/18 budget for …": not minute 2017/18
    assert "2017/18" not in numbered(doc)
    assert "as part of the 2017/18 budget for the Amenities" in block_texts(doc, "para")[0]
    assert numbered(doc, "list_item") == ["a)", "b)", "c)", "d)", "e)", "f)"]
    assert numbered(doc, "heading") == ["1.", "2.", "3.", "4.", "5."]
    assert "10-piece ‘mini- orchestra’" in doc.text  # the hyphen in another font does not split the word


def test_broomhill_2025_latex_words_keep_their_spaces_and_action_lines_survive():
    doc = realdoc("broomhill-cc-2025-09-11-minutes.pdf")
    assert "Action: HR to submit online banking paperwork." in block_texts(doc, "para")
    assert "School Traffic Patrol: The Traffic Patrol Officer has been absent for three days." in doc.text
    # words hyphenated at a line end are mended
    assert "City Councillor Lana Reid McConnell" in doc.text and "fell through earlier in the year" in doc.text
    assert not any(t.isdigit() for t in block_texts(doc))  # bare page numbers are gone
    assert numbered(doc)[:5] == ["1.", "2.", "3.", "4.", "(a)"]


def test_broomhill_2026_footer_gone_and_symbol_font_bullets_are_bullets():
    doc = realdoc("broomhill-cc-2026-03-11-minutes.pdf")
    assert "BCC Minute" not in doc.text
    bullet = next(b for b in doc.blocks if b.text.startswith("Marlborough Gardens hedges"))
    assert (bullet.kind, bullet.number) == ("list_item", "•")
    assert numbered(doc, "heading")[:4] == ["1.", "2.", "3.", "4."]


def test_maca_words_keep_the_spaces_word_draws_as_separate_text_objects():
    # Word drew each of these spaces as a text object of its own, which PDFium leaves out of its text
    doc = realdoc("maca-lead-the-change-board-2019-09-25-minutes.pdf")
    assert next(b for b in doc.blocks if b.number == "1.1").text == (
        "Emer Timmons (ET) welcomed members and noted apologies from William Touche"
    )
    assert "Thursday 12th December 11:00 – 12:45, followed by lunch" in block_texts(doc)


def test_text_drawn_at_one_point_and_scaled_up_has_its_printed_size():
    # "1 Tf" with a "16 0 0 16" text matrix is 16pt text: a heading by its size alone (not bold)
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for text, size, y in (("Minutes of the Parish Council", 16, 760), ("1. The Clerk reported on the footpaths.", 10, 730),
                          ("2. The Chair closed the meeting.", 10, 716)):  # fmt: skip
        t = c.beginText()
        t.setFont("Helvetica", 1)
        t.setTextTransform(size, 0, 0, size, 72, y)
        t.textLine(text)
        c.drawText(t)
    c.showPage()
    c.save()
    doc = read_pdf(buf.getvalue(), Path("scaled.pdf"))
    assert [(b.kind, b.number, b.text) for b in doc.blocks] == [
        ("heading", None, "Minutes of the Parish Council"),
        ("list_item", "1.", "The Clerk reported on the footpaths."),
        ("list_item", "2.", "The Chair closed the meeting."),
    ]


def test_a_ruled_table_drawn_inside_a_form_xobject_is_found():
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("Helvetica", 10)
    c.drawString(72, 760, "1. Grants were considered as follows.")
    c.beginForm("grants")
    xs, ys = (72, 220, 400), (700, 680, 660, 640)
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    for (name, amount), y in zip(
        (("Organisation", "Amount"), ("Friends of the Park", "£250"), ("Scouts", "£1,000")), ys
    ):
        c.drawString(76, y - 14, name)
        c.drawString(224, y - 14, amount)
    c.endForm()
    c.doForm("grants")
    c.drawString(72, 600, "2. The meeting closed at 9pm.")
    c.showPage()
    c.save()
    doc = read_pdf(buf.getvalue(), Path("grants.pdf"))
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("list_item", "Grants were considered as follows."),
        ("table_row", "Organisation | Amount"),
        ("table_row", "Friends of the Park | £250"),
        ("table_row", "Scouts | £1,000"),
        ("list_item", "The meeting closed at 9pm."),
    ]


def test_a_page_rotated_for_display_reads_in_the_order_it_is_seen():
    # /Rotate 90 with the content turned the other way, as printers to PDF make landscape pages
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    width = c._pagesize[0]
    c.setPageRotation(90)
    c.rotate(90)
    c.translate(0, -width)
    c.setFont("Helvetica", 10)
    for i, line in enumerate(("1. Apologies were received.", "2. The Clerk to order two grit bins.")):
        c.drawString(72, 500 - 14 * i, line)
    c.showPage()
    c.save()
    doc = read_pdf(buf.getvalue(), Path("landscape.pdf"))
    assert [(b.number, b.text) for b in doc.blocks] == [
        ("1.", "Apologies were received."),
        ("2.", "The Clerk to order two grit bins."),
    ]
    # positions are as displayed: 500pt up the unrotated page is 95pt down the landscape one
    tops = [b.bbox[1] for b in doc.blocks]
    assert tops[0] < tops[1] < 150


# --- tables -----------------------------------------------------------------


def test_sutton_alcs_grant_table_rows_and_no_page_footer():
    doc = realdoc("sutton-coldfield-tc-alcs-2018-03-13-minutes.pdf")
    rows = block_texts(doc, "table_row")
    assert rows[0] == "Organisation | Project Summary | Amount Requested | Recommendation"
    mossy = next(r for r in rows if r.startswith("Friends of Mossy Bank | Improvements to Mossy Bank"))
    assert mossy.endswith(
        "| Vesey Ward £3098.50 | £2500 approved. Meets the criteria of protecting and improving the environment."
    )
    # table text is not repeated as paragraphs
    assert doc.text.count("Improvements to Mossy Bank public open space") == 1
    assert "Page |" not in doc.text and "Services Minutes | Tuesday" not in doc.text
    # the PDF prints minute 56 as "6"
    assert numbered(doc, "heading") == ["52", "53", "54", "55", "6", "57", "58", "59", "60", "61", "62"]


def test_sutton_grant_applications_are_table_rows_with_amounts():
    doc = realdoc("sutton-coldfield-tc-amenities-2016-11-15-grant-applications.pdf")
    rows = block_texts(doc, "table_row")
    wylde = "Wylde Green Neighbourhood Forum | Community Group | Purchase & install a free standing notice board"
    assert f"{wylde} in Wylde Green. | £3,000.00" in rows
    assert "The Gap | Registered Charity/ Limited company | Youth Workers Salary. | £2,040.00" in rows
    applications = [r for r in rows if not r.startswith("Organisation | Status")]
    assert len(applications) == 17
    assert all(re.search(r" \| £[\d,]+[.,]\d\d$", r) for r in applications)  # "£339,64" as printed
    wards = ["FOUR OAKS WARD", "NEW HALL WARD", "TRINITY WARD", "ALL WARDS", "TWO WARDS"]
    assert block_texts(doc, "heading")[1:] == wards


def test_horsley_action_log_rows_keep_their_item_numbers():
    doc = realdoc("horsley-np-working-group-2014-10-19-minutes.pdf")
    log = [b for b in doc.blocks if b.kind == "table_row" and b.number]
    assert [b.number for b in log] == [f"{n}." for n in range(1, 11)]
    assert log[0].text.startswith("KK presented a proposal for an outline schedule")
    assert log[0].text.endswith("| JN/AC Nov (3/4?)")


# --- refusals -----------------------------------------------------------------


def test_scanned_pdf_that_pdfminer_sees_as_empty_is_refused_as_scanned():
    path = REALDOCS / "milburn-pc-2016-accounts-scanned-no-text.pdf"
    with pytest.raises(UnreadableDocument, match="no text layer") as e:
        read(path)
    assert str(e.value) == f"{path}: scanned PDF with no text layer; OCR it first"


def test_text_layer_without_unicode_mapping_is_refused():
    path = REALDOCS / "horsley-pc-2014-03-18-draft-minutes-unmapped-font.pdf"
    with pytest.raises(UnreadableDocument) as e:
        read(path)
    assert str(e.value) == f"{path}: text layer uses fonts with no Unicode mapping; OCR it first"


def test_pdf_with_a_user_password_is_refused_as_encrypted():
    path = Path("locked.pdf")
    with pytest.raises(UnreadableDocument, match=r"^locked\.pdf: encrypted PDF"):
        read_pdf(make_pdf(encrypt="secret"), path)


def test_pdf_encrypted_with_an_empty_user_password_reads():
    owner_only = pdfencrypt.StandardEncryption("", ownerPassword="owner", canPrint=0)
    doc = read_pdf(make_pdf(encrypt=owner_only), Path("owner-only.pdf"))
    assert [(b.number, b.text) for b in doc.blocks] == [("1.", "Apologies were considered by the council.")]


def test_truncated_pdf_is_unreadable(tmp_path):
    data = (REALDOCS / "milburn-pc-2018-11-06-minutes.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableDocument) as e:
        read(path)
    assert str(e.value).startswith(f"{path}: ") and "\n" not in str(e.value)


def test_pdf_over_the_page_limit_is_refused(tmp_path):
    path = tmp_path / "long.pdf"
    path.write_bytes(make_pdf(pages=5))
    with pytest.raises(UnreadableDocument) as e:
        read(path, max_pages=3)
    assert str(e.value) == f"{path}: PDF has 5 pages, over the limit of 3"
    assert read(path, max_pages=5).pages == 5
