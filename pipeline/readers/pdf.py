"""PDF: rebuild paragraphs, numbered items and table rows from a page's words.

pdfplumber gives words with positions. Words become lines (by vertical
overlap), lines become blocks (by vertical gap, indent, font and numbering),
and tables that pdfplumber finds become one ``table_row`` block per row, with
their words kept out of the paragraphs. Running headers and footers ("Signed
… Dated …", "Page 1 of 3", "BCC Minute 2 11/03/2026") are found because they
repeat at the top or bottom of most pages once digits are masked, and are
dropped, as are bare page numbers.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pdfplumber
import pypdfium2
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from ..document import BBox, Block, Document, Metadata, assemble
from ..errors import UnreadableDocument
from ..numbering import is_bullet, split_number
from .txt import join_lines

# Most PDFs draw their word spaces, and pdfplumber's default 3pt gap tolerance only
# has to catch the odd missing one. LaTeX output draws none, and its tight word gaps
# (~2.3pt at 10pt) fall under that default, which ran words together in
# broomhill-cc-2025-09-11 ("SchoolTrafficPatrol:"). Pages with hardly any space
# glyphs get a tolerance that scales with the font instead; used everywhere, that
# splits words at wide kerning ("mini -" in sutton-coldfield-tc-2017-02-21).
SPACED_WORDS = {"x_tolerance": 3, "y_tolerance": 3, "return_chars": True}
UNSPACED_WORDS = {"x_tolerance_ratio": 0.15, "y_tolerance": 3, "return_chars": True}
MIN_SPACE_SHARE = 0.05  # pages with fewer space glyphs than this share of their characters are "unspaced"
GLUE_GAP = 0.1  # words closer than this many ems are one word split by a font change ("3" + superscript "rd")
KERN_GAP = 0.3  # ems; a gap this small before "." or after "(" is kerning, not a word space
TAB_GAP = 1.5  # a gap wider than this many ems is a tab stop: "52        Apologies for Absence"
LINE_OVERLAP = 0.5  # share of the smaller height two words must overlap to sit on one line
PARA_GAP = 0.6  # a vertical gap over this many line heights ends a paragraph
SPACE_WIDTH = 0.5  # ems; generous width of a word space, for "would the next word have fitted?"
INDENT_TOL = 3.0  # points; smaller changes of x0 are the same margin
SIZE_TOL = 1.0  # points; a bigger change of font size between lines starts a new block
EDGE_ZONE = 0.15  # share of the page height at the top and bottom where running heads live
EDGE_LINES = 4  # how many lines at each end of a page may be running heads
REPEAT_SHARE = 0.5  # a running head repeats on at least this share of the pages (and on two)
UNMAPPED_SHARE = 0.5  # more "(cid:NN)"/control glyphs than this and the text layer is useless
MIN_CHARS_PER_PAGE = 20  # fewer characters than this per page, over page images, is a scan
HEADING_MAX_WORDS = 14
HEADING_MAX_LINES = 2
NUMBERED_TITLE_WORDS = 8  # "21.01.05 Discussion regarding the procurement …" in plain type is still a title
HEADING_SIZE_RATIO = 1.15  # this much bigger than body text reads as a heading even when not bold

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_CID = re.compile(r"\(cid:\d+\)")
_PAGE_NUMBER = re.compile(r"^(?:page\s*\|?\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_END_SENTENCE = re.compile(r"[.!?:;]['’\"”)]*$")
BULLET_GLYPHS = set("•▪◦●○■□➢➤►‣⁃")  # real bullets; a dash or number at the margin may just be wrapped text
_CLOSING = set(".,;:!?)]’”%")
_OPENING = set("([‘“£$")
_PRIVATE_USE = re.compile(r"^[\ue000-\uf8ff]$")  # Symbol/Wingdings bullets come out as U+F0B7 and friends


@dataclass
class Line:
    """One line of words on a page, with the geometry and font that decide paragraph breaks."""

    text: str  # words joined by spaces, or by a tab where the gap is a tab stop
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    first_word_width: float

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


@dataclass
class Row:
    """One row of a table that pdfplumber found, its cells' text already cleaned."""

    cells: list[str]
    page: int
    bbox: BBox

    @property
    def top(self) -> float:
        return self.bbox[1]


@dataclass
class Page:
    """What one page contributes, kept small so a long PDF never holds its pdfplumber objects."""

    number: int
    height: float
    lines: list[Line] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    chars: int = 0
    images: int = 0
    bad_chars: int = 0  # glyphs with no Unicode mapping: "(cid:25)" or control characters


def read_pdf(data: bytes, path: Path, max_pages: int = 2000) -> Document:
    """Read a PDF's text layer into blocks.

    :param max_pages: longer PDFs are refused before any page is parsed.
    :raises UnreadableDocument: encrypted, over the page limit, scanned (no text
        layer), text in fonts with no Unicode mapping, or corrupt.
    """
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            n_pages = len(pdf.pages)
            if n_pages == 0:
                _explain_no_pages(data, path, max_pages)
            _check_page_limit(path, n_pages, max_pages)
            pages = [_read_page(page) for page in pdf.pages]
    except PdfminerException as e:
        cause = e.args[0] if e.args else e
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise UnreadableDocument(f"{path}: encrypted PDF (it needs a password to open)") from None
        raise UnreadableDocument(f"{path}: corrupt or truncated PDF ({type(cause).__name__}: {cause})") from None
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise UnreadableDocument(f"{path}: encrypted PDF (it needs a password to open)") from None
    _check_text_layer(path, pages)
    drafts = blocks_from_pages(pages)
    text, blocks = assemble(drafts)
    return Document(source=str(path), sha256="", format="pdf", text=text, blocks=blocks, pages=n_pages, meta=Metadata())


def _check_page_limit(path: Path, n_pages: int, max_pages: int) -> None:
    if n_pages > max_pages:
        raise UnreadableDocument(f"{path}: PDF has {n_pages} pages, over the limit of {max_pages}")


def _explain_no_pages(data: bytes, path: Path, max_pages: int) -> None:
    """pdfminer found no pages; ask pdfium, which reads damaged page trees, what is really there.

    milburn-pc-2016-accounts-scanned-no-text.pdf is six scanned pages that pdfminer sees as none.
    """
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as e:
        raise UnreadableDocument(f"{path}: corrupt PDF with no readable pages ({e})") from None
    try:
        n_pages = len(pdf)
        _check_page_limit(path, n_pages, max_pages)
        has_text = any(_pdfium_chars(pdf[i]) for i in range(n_pages))
    finally:
        pdf.close()
    if n_pages == 0:
        raise UnreadableDocument(f"{path}: PDF has no pages")
    if not has_text:
        raise UnreadableDocument(f"{path}: scanned PDF with no text layer; OCR it first")
    raise UnreadableDocument(f"{path}: PDF page tree is damaged; pdfminer finds none of its {n_pages} pages")


def _pdfium_chars(page: pypdfium2.PdfPage) -> int:
    textpage = page.get_textpage()
    try:
        return len(textpage.get_text_range().strip())
    finally:
        textpage.close()
        page.close()


def _check_text_layer(path: Path, pages: list[Page]) -> None:
    chars = sum(p.chars for p in pages)
    bad = sum(p.bad_chars for p in pages)
    # a scanner's stamp ("Scanned by …") over page images is not a text layer either
    if chars == 0 or (chars < MIN_CHARS_PER_PAGE * len(pages) and any(p.images for p in pages)):
        raise UnreadableDocument(f"{path}: scanned PDF with no text layer; OCR it first")
    if bad > UNMAPPED_SHARE * chars:
        raise UnreadableDocument(f"{path}: text layer uses fonts with no Unicode mapping; OCR it first")


# --- one page -------------------------------------------------------------


def _read_page(page: pdfplumber.page.Page) -> Page:
    """Extract lines and table rows from one page, then free the page's cached objects."""
    try:
        out = Page(number=page.page_number, height=float(page.height))
        chars = page.chars
        out.chars = sum(1 for c in chars if not c["text"].isspace())
        out.images = len(page.images)
        out.bad_chars = sum(1 for c in chars if _is_unmapped(c["text"]))
        if out.bad_chars > UNMAPPED_SHARE * max(out.chars, 1):
            return out  # the whole document will be refused; don't bother laying it out
        tables = [(t.bbox, t.rows, cells) for t in page.find_tables() if _is_real_table(cells := t.extract())]
        boxes = [bbox for bbox, _, _ in tables]
        spaces = sum(1 for c in chars if c["text"] == " ")
        settings = SPACED_WORDS if spaces >= MIN_SPACE_SHARE * len(chars) else UNSPACED_WORDS
        words = [_with_font(w) for w in page.extract_words(**settings) if not _inside_any(w, boxes)]
        out.lines = lines_from_words(words, page.page_number)
        out.rows = [row for _, rows, cells in tables for row in _table_rows(rows, cells, page.page_number)]
        return out
    finally:
        page.close()  # flushes pdfplumber's per-page caches: thousands of pages must not pile up


def _with_font(word: dict) -> dict:
    """Give a word the size and boldness of its characters, and drop the characters.

    Fonts are read per word, not passed to pdfplumber as ``extra_attrs``: that would split
    "10-piece" where its hyphen comes from another font.
    """
    chars = word.pop("chars")
    sizes = sorted(c["size"] for c in chars)
    word["size"] = sizes[len(sizes) // 2]
    word["bold"] = all(_BOLD.search(c["fontname"]) for c in chars if not c["text"].isspace())
    return word


def _is_unmapped(text: str) -> bool:
    return text.startswith("(cid:") or (len(text) == 1 and ord(text) < 32 and not text.isspace())


def _is_real_table(cells: list[list[str | None]]) -> bool:
    """A ruled box around plain text is not a table: a real one has a row with two filled cells.

    milburn-pc-2021-01-26 page 2 has a box that pdfplumber reads as a one-cell-per-row staircase.
    """
    return any(sum(1 for c in row if c and c.strip()) >= 2 for row in cells)


def _inside_any(word: dict, boxes: list[BBox]) -> bool:
    cx = (word["x0"] + word["x1"]) / 2
    cy = (word["top"] + word["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _table_rows(geometries: list, cell_texts: list[list[str | None]], page_number: int) -> list[Row]:
    rows = []
    for geometry, cells in zip(geometries, cell_texts):
        # merged cells come back as None after their first cell: never repeat them
        texts = [clean_cell(c) for c in cells if c is not None]
        if any(texts):
            rows.append(Row(cells=[t for t in texts if t], page=page_number, bbox=tuple(geometry.bbox)))
    return rows


def clean_cell(text: str) -> str:
    """Join a table cell's wrapped lines, mending hyphenated words."""
    return join_lines([_clean_word(w) for w in text.split("\n")])


def _clean_word(text: str) -> str:
    text = _CID.sub("", text).replace("\u00ad", "").replace("\u2010", "-").replace("\u2011", "-")
    return "•" if _PRIVATE_USE.match(text) else text


def lines_from_words(words: list[dict], page_number: int) -> list[Line]:
    """Group words into lines by vertical overlap, left to right within a line."""
    groups: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if groups and _same_line(groups[-1], word):
            groups[-1].append(word)
        else:
            groups.append([word])
    lines = [_line(sorted(g, key=lambda w: w["x0"]), page_number) for g in groups]
    return [line for line in lines if line.text.strip()]


def _same_line(group: list[dict], word: dict) -> bool:
    top = min(w["top"] for w in group)
    bottom = max(w["bottom"] for w in group)
    overlap = min(bottom, word["bottom"]) - max(top, word["top"])
    smaller = min(bottom - top, word["bottom"] - word["top"]) or 1.0
    return overlap >= LINE_OVERLAP * smaller


def _separator(prev: dict, word: dict, size: float) -> str:
    """What goes between two words of a line: a tab at a tab stop, nothing inside a word split by a font change."""
    gap = word["x0"] - prev["x1"]
    if gap > TAB_GAP * size:
        return "\t"
    # kerning before punctuation can exceed the word gap tolerance: "Election ." in broomhill-cc-2026-03-11
    if gap < KERN_GAP * size and (word["text"][:1] in _CLOSING or prev["text"][-1:] in _OPENING):
        return ""
    # only a change of size or baseline splits a word without a gap ("3" + superscript "rd");
    # slanted synthetic italics overlap their neighbours and must keep their spaces
    font_change = abs(word["size"] - prev["size"]) > 0.5 or abs(word["bottom"] - prev["bottom"]) > 1
    return "" if font_change and abs(gap) < GLUE_GAP * size else " "


def _line(words: list[dict], page_number: int) -> Line:
    sizes = [w["size"] for w in words]
    size = sorted(sizes)[len(sizes) // 2]
    parts: list[str] = []
    prev = None
    for word in words:
        text = _clean_word(word["text"])
        if not text:
            continue
        if prev is not None:
            parts.append(_separator(prev, word, size))
        parts.append(text)
        prev = word
    return Line(
        text="".join(parts),
        page=page_number,
        x0=min(w["x0"] for w in words),
        top=min(w["top"] for w in words),
        x1=max(w["x1"] for w in words),
        bottom=max(w["bottom"] for w in words),
        size=size,
        bold=all(w["bold"] for w in words),
        first_word_width=words[0]["x1"] - words[0]["x0"],
    )


# --- the whole document ---------------------------------------------------


def blocks_from_pages(pages: list[Page]) -> list[Block]:
    """Turn every page's lines and table rows into draft blocks, in reading order."""
    furniture = running_lines(pages)
    body_size = _body_size(pages)
    drafts: list[tuple[Block, float]] = []  # with the font size, to rank heading levels
    group: list[Line] = []
    for page in pages:
        lines = [
            line
            for i, line in enumerate(page.lines)
            if (page.number, i) not in furniture and not _is_page_number(line, page)
        ]
        right = max((line.x1 for line in lines), default=0.0)
        units: list[Line | Row] = sorted([*lines, *page.rows], key=lambda u: u.top)
        for unit in units:
            if isinstance(unit, Line) and group and _continues(group, unit, right):
                group.append(unit)
                continue
            if group:
                drafts.append(_paragraph_block(group, body_size))
                group = []
            if isinstance(unit, Row):
                drafts.append((_row_block(unit), 0.0))
            else:
                group = [unit]
    if group:
        drafts.append(_paragraph_block(group, body_size))
    return _with_heading_levels(drafts)


def running_lines(pages: list[Page]) -> set[tuple[int, int]]:
    """Find running headers and footers: lines at a page edge that repeat, digits masked, on most pages.

    Returns (page number, index into ``Page.lines``) for each line to drop.
    """
    if len(pages) < 2:
        return set()
    seen: dict[str, set[int]] = {}
    for page in pages:
        for _, line in _edge_lines(page):
            seen.setdefault(_masked(line.text), set()).add(page.number)
    needed = max(2, math.ceil(REPEAT_SHARE * len(pages)))
    repeated = {key for key, on in seen.items() if len(on) >= needed}
    return {(p.number, i) for p in pages for i, line in _edge_lines(p) if _masked(line.text) in repeated}


def _edge_lines(page: Page) -> list[tuple[int, Line]]:
    # by position in reading order, not by distance from the edge: newbiggin-pc-2019-09-03
    # types its "Signed … Dated … / Page 3 of 3" footer in the body, halfway down the last page
    n = len(page.lines)
    return [(i, line) for i, line in enumerate(page.lines) if i < EDGE_LINES or i >= n - EDGE_LINES]


def _masked(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text)).strip().lower()


def _is_page_number(line: Line, page: Page) -> bool:
    """A bare page number ("3", "Page 3 of 8", "- 3 -") that is a page's first or last line or sits in its margin."""
    at_edge = (
        line is page.lines[0]
        or line is page.lines[-1]
        or line.bottom <= EDGE_ZONE * page.height
        or line.top >= (1 - EDGE_ZONE) * page.height
    )
    return at_edge and bool(_PAGE_NUMBER.match(re.sub(r"\s+", " ", line.text).strip()))


def _body_size(pages: list[Page]) -> float:
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _continues(group: list[Line], line: Line, right: float) -> bool:
    """Whether ``line`` carries on the paragraph whose lines so far are ``group``."""
    prev = group[-1]
    numbered = split_number(group[0].text)[0] is not None
    if line.page != prev.page:
        # a paragraph broken by a page end goes on in lower case on the next page
        return not _END_SENTENCE.search(prev.text) and line.text[:1].islower()
    if _starts_item(group, line, right):
        return False
    if line.top - prev.bottom > PARA_GAP * prev.height:
        return False
    if line.bold != prev.bold or abs(line.size - prev.size) > SIZE_TOL:
        return False
    hanging = len(group) == 1 and numbered  # "1.  text" with the wrapped lines under the text
    if line.x0 > prev.x0 + INDENT_TOL and not hanging:
        return False
    first_line_indent = len(group) == 1 and not numbered
    if line.x0 < min(g.x0 for g in group) - INDENT_TOL and not first_line_indent:
        return False
    # the line ended early although the next word would have fitted: a deliberate break
    return _was_wrapped(group, line, right) or line.text[:1].islower()


def _starts_item(group: list[Line], line: Line, right: float) -> bool:
    """Whether ``line`` opens a new numbered or bulleted item rather than wrapping the paragraph."""
    number, _ = split_number(line.text)
    if number is None:
        return False
    prev = group[-1]
    if abs(line.x0 - prev.x0) > INDENT_TOL or number in BULLET_GLYPHS:
        return True
    if line.x0 > min(g.x0 for g in group) + INDENT_TOL:
        return False
    # at the margin, a number or dash that merely wraps: "… as part of the" / "2017/18 budget for …"
    # (sutton-coldfield-tc-2017-02-21); the previous line was full and mid-sentence
    return not (_was_wrapped(group, line, right) and not _END_SENTENCE.search(prev.text))


def _was_wrapped(group: list[Line], line: Line, right: float) -> bool:
    """True if the first word of ``line`` would not have fitted at the end of the paragraph's last line.

    The paragraph's own right edge, once it has two lines, beats the page's: an indented
    summary box (sutton-coldfield-tc-2017-02-21 page 1) ends well short of the body text.
    """
    edge = max(g.x1 for g in group) if len(group) > 1 else right
    return edge - group[-1].x1 <= line.first_word_width + SPACE_WIDTH * group[-1].size


def _paragraph_block(group: list[Line], body_size: float) -> tuple[Block, float]:
    number, first = split_number(group[0].text)
    body = join_lines([first, *(line.text for line in group[1:])])
    if not body:  # a number on its own with nothing after it: keep it as text rather than lose it
        number, body = None, number or ""
    on_first_page = [line for line in group if line.page == group[0].page]
    bbox = (
        min(line.x0 for line in on_first_page),
        min(line.top for line in on_first_page),
        max(line.x1 for line in on_first_page),
        max(line.bottom for line in on_first_page),
    )
    kind = "heading" if _looks_like_heading(group, number, body, body_size) else "list_item" if number else "para"
    block = Block(text=body, kind=kind, number=number, page=group[0].page, bbox=bbox)
    return block, max(line.size for line in group)


def _looks_like_heading(group: list[Line], number: str | None, body: str, body_size: float) -> bool:
    """Short, unpunctuated, and either bold or big; or a numbered title line ("21.01.05 Finance").

    The second case is for fonts whose bold is simulated and so invisible here (milburn-pc-2021-01-26).
    """
    words = body.split()
    if not words or body.endswith(".") or len(group) > HEADING_MAX_LINES or len(words) > HEADING_MAX_WORDS:
        return False
    if all(line.bold for line in group) or min(line.size for line in group) >= HEADING_SIZE_RATIO * body_size:
        return True
    return (
        len(group) == 1
        and number is not None
        and not is_bullet(number)
        and len(words) <= NUMBERED_TITLE_WORDS
        and body[:1].isupper()
        and not _END_SENTENCE.search(body)
    )


def _with_heading_levels(drafts: list[tuple[Block, float]]) -> list[Block]:
    """Number heading levels by font size, biggest first; other blocks keep level 0."""
    sizes = sorted({round(size, 1) for b, size in drafts if b.kind == "heading"}, reverse=True)
    rank = {size: i + 1 for i, size in enumerate(sizes)}
    return [replace(b, level=rank[round(size, 1)]) if b.kind == "heading" else b for b, size in drafts]


def _row_block(row: Row) -> Block:
    """A table row; a minute number opening its first cell ("1. KK presented …") becomes the block's number."""
    cells = list(row.cells)
    number, rest = split_number(cells[0])
    if number is not None and not is_bullet(number):
        cells[0] = rest.strip()
    else:
        number = None
    text = " | ".join(c for c in cells if c)
    return Block(text=text, kind="table_row", number=number, page=row.page, bbox=row.bbox)
