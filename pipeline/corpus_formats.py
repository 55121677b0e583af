"""Render some of the corpus's plain-text minutes as PDF and DOCX, with gold files to match.

The same minutes in three formats let the PDF and DOCX readers be checked against
the text reader. Each rendering keeps the words of the ``.txt`` and adds what real
council files add: a running header and a "Page n of N" footer, minute numbers and
sub-point labels in a hanging indent, Word list numbering that is not part of the
paragraph text, and the action log as a real table.

    python -m pipeline.corpus_formats [--out corpus/generated] [--gold-out corpus/gold]

Output is deterministic: PDFs are written in reportlab's invariant mode and DOCX
files carry fixed core properties and zip timestamps, so a re-run with the same
library versions gives byte-identical files.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import click
import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
# One committee meeting with the action-log table, a cabinet with (a)/(b)/(i) lists
# and "NN/24" minute numbers, and a town council with "25.04.01" numbers and action lines.
RENDERED = (
    "northmoor-cyp-scrutiny-2025-05-13",
    "ashcombe-cabinet-2025-02-19",
    "kelsbury-tc-2025-04-08",
)
FORMATS = ("pdf", "docx")
AUTHOR = "Council Minutes Tracker sample corpus"
FIXED_TIME = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)  # DOCX core properties
ZIP_TIME = (2025, 6, 1, 9, 0, 0)  # every DOCX zip member, so re-runs are byte-identical

# Minute numbers as the corpus prints them: "70.", "115/24", "25.04.01".
_HEADING = re.compile(r"^(?P<num>\d{1,4}/\d{2}|\d{2}\.\d{2}\.\d{2}|\d{1,4}\.)\s+(?P<title>.+)$")
_LABEL = re.compile(r"^(?P<num>\((?:[a-z]|[ivx]+)\)|\d{1,2}\.)\s+(?P<text>.+)$")
_ROMAN = re.compile(r"^\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\)$")
TITLE_MAX_WORDS = 16
SUBTITLE_MAX_WORDS = 8

# PDF geometry, in points
MARGIN = 2 * cm
TEXT_INDENT = 1.9 * cm  # body text sits right of the minute numbers
LIST_STEP = 1.0 * cm  # each list level indents this much more
CELL_FONT_SIZE = 8.5
CELL_PADDING = 6  # reportlab's default left and right cell padding
HEADER_Y = A4[1] - 1.2 * cm
FOOTER_Y = 1.2 * cm

# DOCX list geometry, in twentieths of a point
DOCX_LIST_LEFT = 720
DOCX_LIST_HANGING = 567


@dataclass(frozen=True)
class Part:
    """One piece of a set of minutes, as the renderers lay it out."""

    kind: str  # "title" | "subtitle" | "heading" | "para" | "item" | "table"
    text: str = ""
    number: str | None = None  # a heading's minute number, or a list item's label as printed
    level: int = 0  # list depth, 0 for top-level sub-points
    list_id: int = 0  # items of one uninterrupted list share an id, so DOCX numbering restarts per list
    rows: tuple[tuple[str, ...], ...] = ()  # table rows, the first being the header


def parse_minutes(text: str) -> list[Part]:
    """Split corpus-style plain-text minutes into the parts the renderers lay out.

    The corpus writes one paragraph per line: a minute heading is a number and a
    short title ("115/24 Minutes"), a sub-point starts with its label ("(a)", "(ii)",
    "1."), and consecutive lines with " | " are rows of one table.
    """
    parts: list[Part] = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    seen_heading = False
    list_id = 0
    run: list[str] = []  # labels of the list being read, to tell (i) the letter from (i) the numeral
    for line in lines:
        heading = _HEADING.match(line)
        label = _LABEL.match(line)
        if " | " in line:
            row = tuple(cell.strip() for cell in line.split(" | "))
            if parts and parts[-1].kind == "table":
                parts[-1] = Part("table", rows=parts[-1].rows + (row,))
            else:
                parts.append(Part("table", rows=(row,)))
        elif heading and _is_title(heading["title"]):
            seen_heading = True
            parts.append(Part("heading", heading["title"], number=heading["num"]))
        elif label and seen_heading:
            if not (parts and parts[-1].kind == "item"):
                list_id += 1
                run = []
            number = label["num"]
            parts.append(Part("item", label["text"], number=number, level=_list_level(number, run), list_id=list_id))
            run.append(number)
        elif not seen_heading and not parts:
            parts.append(Part("title", line))
        elif not seen_heading and _is_subtitle(line):
            parts.append(Part("subtitle", line))
        else:
            parts.append(Part("para", line))
    return parts


def _is_title(text: str) -> bool:
    return text[:1].isupper() and not text.endswith((".", ";", ":", ",")) and len(text.split()) <= TITLE_MAX_WORDS


def _is_subtitle(text: str) -> bool:
    return not text.endswith((".", ":")) and len(text.split()) <= SUBTITLE_MAX_WORDS


def label_style(number: str, previous: list[str]) -> str:
    """Name the numbering family of a sub-point label: "letter", "roman" or "decimal".

    "(i)" is a letter only straight after "(h)" in the same list.
    """
    if number[:1].isdigit():
        return "decimal"
    if _ROMAN.match(number) and not (previous and previous[-1] == "(h)"):
        return "roman"
    return "letter"


def _list_level(number: str, previous: list[str]) -> int:
    # roman numerals nest under a lettered point ("(b) … authorised to: (i) …"); on their own they are top level
    style = label_style(number, previous)
    has_letters = any(label_style(p, previous[:i]) == "letter" for i, p in enumerate(previous))
    return 1 if style == "roman" and has_letters else 0


def running_header(gold: dict) -> str:
    """The running header for a document: council, committee and meeting date, as known."""
    date = dt.date.fromisoformat(gold["meeting_date"]) if gold.get("meeting_date") else None
    pieces = [gold.get("council"), gold.get("committee"), f"{date.day} {date:%B %Y}" if date else None]
    return " – ".join(p for p in pieces if p)


# --- PDF ---------------------------------------------------------------------------------


def _pdf_styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13.5, spaceAfter=6)
    return {
        "title": ParagraphStyle("title", body, fontName="Helvetica-Bold", fontSize=15, leading=19, alignment=TA_CENTER),
        "subtitle": ParagraphStyle(
            "subtitle", body, fontName="Helvetica-Bold", fontSize=12, leading=16, alignment=TA_CENTER, spaceAfter=10
        ),
        "front": body,
        "heading": ParagraphStyle(
            "heading",
            body,
            fontName="Helvetica-Bold",
            fontSize=11,
            leading=14,
            leftIndent=TEXT_INDENT,
            bulletIndent=0,
            bulletFontName="Helvetica-Bold",
            bulletFontSize=11,
            spaceBefore=8,
            keepWithNext=True,
        ),
        "para": ParagraphStyle("para", body, leftIndent=TEXT_INDENT),
        "cell": ParagraphStyle("cell", body, fontSize=CELL_FONT_SIZE, leading=10.5, spaceAfter=0),
        "head_cell": ParagraphStyle(
            "head_cell", body, fontName="Helvetica-Bold", fontSize=CELL_FONT_SIZE, leading=10.5, spaceAfter=0
        ),
    }


def _item_style(styles: dict[str, ParagraphStyle], level: int) -> ParagraphStyle:
    return ParagraphStyle(
        f"item{level}",
        styles["para"],
        leftIndent=TEXT_INDENT + LIST_STEP * (level + 1),
        bulletIndent=TEXT_INDENT + LIST_STEP * level,
    )


def _pdf_flowable(part: Part, styles: dict[str, ParagraphStyle], seen_heading: bool):
    if part.kind == "heading":
        return Paragraph(escape(part.text), styles["heading"], bulletText=part.number)
    if part.kind == "item":
        return Paragraph(escape(part.text), _item_style(styles, part.level), bulletText=part.number)
    if part.kind == "table":
        return _pdf_table(part.rows, styles)
    if part.kind == "para":
        return Paragraph(escape(part.text), styles["para" if seen_heading else "front"])
    return Paragraph(escape(part.text), styles[part.kind])


def _pdf_table(rows: tuple[tuple[str, ...], ...], styles: dict[str, ParagraphStyle]) -> Table:
    col_widths = _column_widths(rows, A4[0] - 2 * MARGIN - TEXT_INDENT)
    data = [
        [Paragraph(escape(cell), styles["head_cell" if r == 0 else "cell"]) for cell in row]
        for r, row in enumerate(rows)
    ]
    table = Table(data, colWidths=col_widths, repeatRows=1, hAlign="RIGHT", spaceBefore=4, spaceAfter=10)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDDDDD")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _column_widths(rows: tuple[tuple[str, ...], ...], width: float) -> list[float]:
    """Share ``width`` between columns: each fits its longest word, the rest goes by amount of text."""
    columns = [[row[i] if i < len(row) else "" for row in rows] for i in range(len(rows[0]))]
    # a reference or a date ("43/1", "28/01/2025") must never break across lines
    floors = [
        max(stringWidth(word, "Helvetica-Bold", CELL_FONT_SIZE) for cell in col for word in cell.split() or [""])
        + 2 * CELL_PADDING
        for col in columns
    ]
    weights = [sum(len(cell) for cell in col) for col in columns]
    spare = max(0.0, width - sum(floors))
    return [floor + spare * weight / sum(weights) for floor, weight in zip(floors, weights)]


def _furnished_canvas(header: str) -> type[Canvas]:
    """A canvas class that draws the running header and "Page n of N" footer on every page."""

    class FurnishedCanvas(Canvas):
        # pages are held back until save(), when the page count N is known
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self) -> None:  # reportlab names it
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self._draw_furniture(total)
                super().showPage()
            super().save()

        def _draw_furniture(self, total: int) -> None:
            width = A4[0]
            self.saveState()
            self.setFont("Helvetica", 8.5)
            self.drawString(MARGIN, HEADER_Y, header)
            self.setLineWidth(0.5)
            self.line(MARGIN, HEADER_Y - 4, width - MARGIN, HEADER_Y - 4)
            self.drawCentredString(width / 2, FOOTER_Y, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return FurnishedCanvas


def render_pdf(parts: list[Part], header: str, path: Path, title: str) -> None:
    """Lay ``parts`` out as an A4 PDF at ``path``."""
    styles = _pdf_styles()
    story = []
    seen_heading = False
    for part in parts:
        seen_heading = seen_heading or part.kind == "heading"
        story.append(_pdf_flowable(part, styles, seen_heading))
    template = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 0.6 * cm,
        bottomMargin=MARGIN,
        title=title,
        author=AUTHOR,
        subject=header,
        creator="pipeline.corpus_formats",
        invariant=True,  # fixed creation date and document ID
    )
    template.build(story, canvasmaker=_furnished_canvas(header))


# --- DOCX --------------------------------------------------------------------------------

_NUM_FORMATS = {"letter": "lowerLetter", "roman": "lowerRoman", "decimal": "decimal"}


def _lvl_text(number: str, level: int) -> str:
    """Word's level text for a label as printed: "(a)" -> "(%1)", "1." -> "%1."."""
    return re.sub(r"[a-z0-9]+", f"%{level + 1}", number, count=1)


def _abstract_num_xml(abstract_id: int, levels: list[tuple[str, str]]) -> str:
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{DOCX_LIST_LEFT + DOCX_LIST_HANGING * (i + 1)}" '
        f'w:hanging="{DOCX_LIST_HANGING}"/></w:pPr></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    return (
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="multilevel"/>{lvls}</w:abstractNum>'
    )


def _list_levels(items: list[Part]) -> list[tuple[str, str]]:
    """Word numbering (format, level text) for each level of one list, from its labels."""
    levels: dict[int, tuple[str, str]] = {}
    labels: list[str] = []
    for item in items:
        style = label_style(item.number or "", labels)
        levels.setdefault(item.level, (_NUM_FORMATS[style], _lvl_text(item.number or "1.", item.level)))
        labels.append(item.number or "")
    fallback = ("lowerRoman", "(%{})")
    return [levels.get(i, (fallback[0], fallback[1].format(i + 1))) for i in range(max(levels) + 1)]


def _add_list_numbering(document, items: list[Part]) -> int:
    """Give one list its own Word numbering definition and return its numId."""
    numbering = document.part.numbering_part.element
    abstract_ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    abstract_id = max(abstract_ids, default=-1) + 1
    abstract = parse_xml(_abstract_num_xml(abstract_id, _list_levels(items)))
    first_num = numbering.find(qn("w:num"))
    # the schema wants every abstractNum before the first num
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    return numbering.add_num(abstract_id).numId


def _number_paragraph(paragraph, num_id: int, level: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def _add_field(paragraph, instruction: str) -> None:
    paragraph._p.append(
        parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="{instruction}"><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    )


def _add_docx_table(document, rows: tuple[tuple[str, ...], ...]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.autofit = False
    section = document.sections[0]
    widths = _column_widths(rows, Emu(section.page_width - section.left_margin - section.right_margin).pt)
    for r, row in enumerate(rows):
        for c, cell_text in enumerate(row):
            cell = table.cell(r, c)
            cell.width = Pt(widths[c])
            run = cell.paragraphs[0].add_run(cell_text)
            if r == 0:
                run.bold = True
    # repeat the header row on each page, as council templates do
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))


def _set_furniture(document, header: str) -> None:
    section = document.sections[0]
    section.header.paragraphs[0].text = header
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    _add_field(footer, "PAGE")
    footer.add_run(" of ")
    _add_field(footer, "NUMPAGES")


def _set_core_properties(document, title: str, header: str) -> None:
    props = document.core_properties
    props.title = title
    props.subject = header
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1


def render_docx(parts: list[Part], header: str, path: Path, title: str) -> None:
    """Write ``parts`` as a Word document at ``path``, sub-points as real list numbering."""
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(10.5)
    _set_core_properties(document, title, header)
    _set_furniture(document, header)
    num_ids: dict[int, int] = {}
    for part in parts:
        if part.kind == "title":
            document.add_paragraph(part.text, style="Title")
        elif part.kind == "subtitle":
            document.add_paragraph(part.text, style="Subtitle")
        elif part.kind == "heading":
            document.add_heading(f"{part.number} {part.text}", level=1)
        elif part.kind == "item":
            if part.list_id not in num_ids:
                members = [p for p in parts if p.kind == "item" and p.list_id == part.list_id]
                num_ids[part.list_id] = _add_list_numbering(document, members)
            # the label is Word's numbering now, not text: real files lose "(a)" the same way
            paragraph = document.add_paragraph(part.text, style="List Number" if part.level == 0 else "List Number 2")
            _number_paragraph(paragraph, num_ids[part.list_id], part.level)
        elif part.kind == "table":
            _add_docx_table(document, part.rows)
        else:
            document.add_paragraph(part.text)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_normalised_zip(buffer.getvalue()))


def _normalised_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps, so identical content gives identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


# --- gold and driver ---------------------------------------------------------------------


def derived_gold(gold: dict, fmt: str) -> dict:
    """The gold for a rendering of a ``.txt`` document: same items, new id, source and format."""
    stem = Path(gold["source"]).stem
    return {
        **gold,
        "id": f"{stem}-{fmt}",
        "source": f"generated/{stem}.{fmt}",
        "format": fmt,
        "items": copy.deepcopy(gold["items"]),
    }


def render_all(
    corpus: Path = CORPUS, out: Path | None = None, gold_out: Path | None = None, stems: tuple[str, ...] = RENDERED
) -> list[Path]:
    """Render each of ``stems`` from ``corpus/minutes`` as PDF and DOCX, with a gold file for each.

    :param out: where the PDF and DOCX files go (default ``corpus/generated``).
    :param gold_out: where their gold files go (default ``corpus/gold``).
    :returns: the paths written.
    """
    out = out or corpus / "generated"
    gold_out = gold_out or corpus / "gold"
    out.mkdir(parents=True, exist_ok=True)
    gold_out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for stem in stems:
        text = (corpus / "minutes" / f"{stem}.txt").read_text(encoding="utf-8")
        gold = json.loads((corpus / "gold" / f"{stem}.json").read_text(encoding="utf-8"))
        parts = parse_minutes(text)
        header = running_header(gold)
        title = f"Minutes – {header}"
        for fmt, render in (("pdf", render_pdf), ("docx", render_docx)):
            path = out / f"{stem}.{fmt}"
            render(parts, header, path, title)
            gold_path = gold_out / f"{stem}-{fmt}.json"
            gold_path.write_text(
                json.dumps(derived_gold(gold, fmt), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            written += [path, gold_path]
    return written


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder [default: corpus/generated]",
)
@click.option(
    "--gold-out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Gold folder [default: corpus/gold]",
)
def main(out: Path | None, gold_out: Path | None) -> None:
    """Render sample minutes from corpus/minutes as PDF and DOCX, with their gold files."""
    try:
        for path in render_all(CORPUS, out, gold_out):
            click.echo(path)
    except OSError as e:
        raise click.ClickException(f"{getattr(e, 'filename', '') or ''}: {e.strerror or e}") from None


if __name__ == "__main__":
    main()
