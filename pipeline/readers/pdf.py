"""PDF: rebuild paragraphs, numbered items and table rows from a page's words.

pypdfium2 (PDFium, in C) reads each page's text layer: every character with
its box, font and size, and every ruling line and rectangle. Those become the
same character and edge records pdfplumber builds, so pdfplumber's word
grouping and table finder run on them unchanged, without pdfminer's layout
analysis, which cost ~0.1 s a page (see BENCHMARKS.md). Words become lines (by
vertical overlap), lines become blocks (by vertical gap, indent, font and
numbering), and tables found among the ruling lines become one ``table_row``
block per row, with their words kept out of the paragraphs. Running headers
and footers ("Signed … Dated …", "Page 1 of 3", "BCC Minute 2 11/03/2026") are
found because they repeat at the top or bottom of most pages once digits are
masked, and are dropped, as are bare page numbers.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium
from pdfplumber.table import TableFinder
from pdfplumber.utils import extract_text, extract_words
from pdfplumber.utils.text import LIGATURES

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
SPACED_WORDS = {"x_tolerance": 3, "y_tolerance": 3}
UNSPACED_WORDS = {"x_tolerance_ratio": 0.15, "y_tolerance": 3}
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
AXIS_TOL = 0.01  # points; a path segment this close to level or plumb is a ruling line
MAX_FORM_DEPTH = 8  # form XObjects nest; deeper than this is a loop in a broken file

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_CID = re.compile(r"\(cid:\d+\)")
_PAGE_NUMBER = re.compile(r"^(?:page\s*\|?\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_END_SENTENCE = re.compile(r"[.!?:;]['’\"”)]*$")
BULLET_GLYPHS = set("•▪◦●○■□➢➤►‣⁃")  # real bullets; a dash or number at the margin may just be wrapped text
_CLOSING = set(".,;:!?)]’”%")
_OPENING = set("([‘“£$")
_CONTROL = {chr(i) for i in range(32) if not chr(i).isspace()}  # what an unmapped glyph often comes out as
_PRIVATE_USE = re.compile(r"^[\ue000-\uf8ff]$")  # Symbol/Wingdings bullets come out as U+F0B7 and friends

Matrix = tuple[float, float, float, float, float, float]  # a, b, c, d, e, f as in the PDF spec
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _by_address(func, restype, *argtypes):
    """Re-declare a PDFium function to take plain addresses.

    pypdfium2's bindings check and convert typed pointers on every call; the per-character
    calls below run a few million times on a long PDF, and this halves what each costs.
    """
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(func, ctypes.c_void_p).value)


_VP, _INT = ctypes.c_void_p, ctypes.c_int
_text_object_address = _by_address(pdfium.FPDFText_GetTextObject, _VP, _VP, _INT)  # None for PDFium's own chars
_is_generated = _by_address(pdfium.FPDFText_IsGenerated, _INT, _VP, _INT)
_has_map_error = _by_address(pdfium.FPDFText_HasUnicodeMapError, _INT, _VP, _INT)
_loose_box = _by_address(pdfium.FPDFText_GetLooseCharBox, _INT, _VP, _INT, _VP)


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
    """One row of a table, its cells' text already cleaned."""

    cells: list[str]
    page: int
    bbox: BBox

    @property
    def top(self) -> float:
        return self.bbox[1]


@dataclass
class Page:
    """What one page contributes, kept small so a long PDF never holds its page objects."""

    number: int
    height: float
    lines: list[Line] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    chars: int = 0
    images: int = 0
    bad_chars: int = 0  # glyphs with no Unicode mapping: "(cid:25)" or control characters


@dataclass
class PageView:
    """A page as pdfplumber's word grouping and table finder read it.

    ``chars`` and ``edges`` are records with pdfplumber's keys (``x0``, ``top``,
    ``x1``, ``bottom``, …; origin at the top left, in points), so the same
    algorithms run on what PDFium read.
    """

    number: int
    width: float
    height: float
    chars: list[dict]
    edges: list[dict]
    images: int

    @property
    def bbox(self) -> BBox:
        return (0.0, 0.0, self.width, self.height)


def read_pdf(data: bytes, path: Path, max_pages: int = 2000) -> Document:
    """Read a PDF's text layer into blocks.

    :param max_pages: longer PDFs are refused before any page is parsed.
    :raises UnreadableDocument: encrypted, over the page limit, scanned (no text
        layer), text in fonts with no Unicode mapping, or corrupt.
    """
    pdf = _open(data, path)
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise UnreadableDocument(f"{path}: PDF has no pages")
        _check_page_limit(path, n_pages, max_pages)
        pages = [_read_page(page_view(pdf, i)) for i in range(n_pages)]
    finally:
        pdf.close()
    _check_text_layer(path, pages)
    drafts = blocks_from_pages(pages)
    text, blocks = assemble(drafts)
    return Document(source=str(path), sha256="", format="pdf", text=text, blocks=blocks, pages=n_pages, meta=Metadata())


def _open(data: bytes, path: Path) -> pypdfium2.PdfDocument:
    # PDFium opens PDFs encrypted with an empty user password (owner-only restrictions) as they are
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium.FPDF_ERR_PASSWORD:
            raise UnreadableDocument(f"{path}: encrypted PDF (it needs a password to open)") from None
        raise UnreadableDocument(f"{path}: corrupt or truncated PDF ({_pdfium_reason(e)})") from None


def _pdfium_reason(e: Exception) -> str:
    # "Failed to load document (PDFium: Data format error)." -> "Data format error"
    match = re.search(r"PDFium: ([^)]+)", str(e))
    return match.group(1) if match else str(e).strip().splitlines()[0]


def _check_page_limit(path: Path, n_pages: int, max_pages: int) -> None:
    if n_pages > max_pages:
        raise UnreadableDocument(f"{path}: PDF has {n_pages} pages, over the limit of {max_pages}")


def _check_text_layer(path: Path, pages: list[Page]) -> None:
    chars = sum(p.chars for p in pages)
    bad = sum(p.bad_chars for p in pages)
    # a scanner's stamp ("Scanned by …") over page images is not a text layer either
    if chars == 0 or (chars < MIN_CHARS_PER_PAGE * len(pages) and any(p.images for p in pages)):
        raise UnreadableDocument(f"{path}: scanned PDF with no text layer; OCR it first")
    if bad > UNMAPPED_SHARE * chars:
        raise UnreadableDocument(f"{path}: text layer uses fonts with no Unicode mapping; OCR it first")


# --- what PDFium sees on one page --------------------------------------------


def page_view(pdf: pypdfium2.PdfDocument, index: int) -> PageView:
    """Read page ``index`` (0-based) into characters and ruling edges, then let the page go."""
    page = pdf[index]
    try:
        to_display, width, height = _display_transform(page)
        textpage = pdfium.FPDFText_LoadPage(page.raw)
        try:
            chars = _chars(textpage, to_display, height)
        finally:
            pdfium.FPDFText_ClosePage(textpage)
        edges, images = _page_objects(page, to_display, height)
        return PageView(number=index + 1, width=width, height=height, chars=chars, edges=edges, images=images)
    finally:
        page.close()


def _display_transform(page: pypdfium2.PdfPage) -> tuple[Matrix, float, float]:
    """The matrix from PDF user space to the page as displayed (rotation applied), and its size.

    The same matrix pdfminer starts every page with, so coordinates match pdfplumber's.
    """
    x0, y0, x1, y1 = page.get_mediabox()
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    rotation = page.get_rotation() % 360
    if rotation == 90:
        return (0.0, -1.0, 1.0, 0.0, -y0, x1), y1 - y0, x1 - x0
    if rotation == 180:
        return (-1.0, 0.0, 0.0, -1.0, x1, y1), x1 - x0, y1 - y0
    if rotation == 270:
        return (0.0, 1.0, -1.0, 0.0, y1, -x0), y1 - y0, x1 - x0
    return (1.0, 0.0, 0.0, 1.0, -x0, -y0), x1 - x0, y1 - y0


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """The matrix that applies ``m`` first, then ``n``."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _chars(textpage, to_display: Matrix, height: float) -> list[dict]:
    """Every character PDFium found, as pdfplumber char records (text, box, size, font name, upright).

    The spaces and line breaks PDFium adds of its own accord are left out: word gaps are
    decided from the boxes, as pdfplumber decides them. A glyph with no Unicode mapping
    reads "(cid:N)", as pdfminer prints it.
    """
    n = pdfium.FPDFText_CountChars(textpage)
    if n <= 0:
        return []
    text = _page_text(textpage, n)
    tp = ctypes.cast(textpage, ctypes.c_void_p).value
    rect = pdfium.FS_RECTF()
    rect_address = ctypes.addressof(rect)
    fonts: dict[int, tuple[str, float, bool, bool, bool]] = {}
    a, b, c, d, e, f = to_display
    out = []
    for i in range(n):
        ch = text[i]
        if ch in "\r\n":
            continue
        obj = _text_object_address(tp, i)
        if obj is None:
            # PDFium drops text objects that are only a space (Word draws many: maca-lead-the-change
            # "Timmons (ET)") and puts a space of its own between the objects instead. The spaces it
            # adds inside an object are its guesses at word gaps, left to the geometry as in pdfplumber.
            if ch == " " and out:
                out.append({**out[-1], "text": " ", "x0": out[-1]["x1"], "generated": True})
            continue
        if ch == " " and _is_generated(tp, i):
            continue
        font = fonts.get(obj)
        if font is None:
            font = fonts[obj] = _font(textpage, i, to_display)
        fontname, size, upright, bold, unmapped = font
        if ch == "\ufffe":  # PDFium's mark for a hyphen that ends a line: the hyphen as drawn
            ch = "-"
        elif unmapped and _has_map_error(tp, i):
            ch = f"(cid:{ord(ch)})"
        _loose_box(tp, i, rect_address)
        left, right, low, high = rect.left, rect.right, rect.bottom, rect.top
        xa, ya = a * left + c * low + e, b * left + d * low + f
        xb, yb = a * right + c * high + e, b * right + d * high + f
        x0, x1 = (xa, xb) if xa <= xb else (xb, xa)
        bottom = height - (ya if ya <= yb else yb)
        # pdfminer's box is one em tall from the descender; PDFium's loose box is ascent to descent
        top = bottom - size if upright else height - (yb if ya <= yb else ya)
        out.append(
            {"text": ch, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "upright": upright,
             "size": size, "fontname": fontname, "bold": bold}
        )  # fmt: skip
    return out


def _page_text(textpage, n: int) -> str:
    """The page's characters, one per index (PDFium's UTF-16, one unit per character inside the BMP)."""
    buf = ctypes.create_string_buffer((n + 1) * 2)
    pdfium.FPDFText_GetText(textpage, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: n * 2].decode("utf-16-le", errors="surrogatepass")
    if len(text) == n and not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    # a character outside the BMP takes two units and shifts every later index: ask one by one
    return "".join(chr(pdfium.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(n))


_name_buffer = ctypes.create_string_buffer(256)


def _font(textpage, index: int, to_display: Matrix) -> tuple[str, float, bool, bool, bool]:
    """Font name, size in points as drawn, uprightness, boldness and whether glyphs may lack Unicode.

    All are properties of the text object that draws character ``index``. A font without a
    Unicode mapping is found by the first character of each text object; only then is every
    character asked (the check costs as much as reading the box).
    """
    obj = pdfium.FPDFText_GetTextObject(textpage, index)
    font = pdfium.FPDFTextObj_GetFont(obj)
    length = pdfium.FPDFFont_GetBaseFontName(font, _name_buffer, len(_name_buffer)) if font else 0
    name = _name_buffer.raw[: max(length - 1, 0)].decode("utf-8", errors="replace")
    m = pdfium.FS_MATRIX()
    pdfium.FPDFText_GetMatrix(textpage, index, m)
    a, b, c, d, _, _ = _multiply((m.a, m.b, m.c, m.d, 0.0, 0.0), to_display)
    # the font size PDFium reports is the Tf operand; the text matrix scales it ("1 Tf" + "14 0 0 14 Tm")
    size = pdfium.FPDFText_GetFontSize(textpage, index) * math.hypot(m.c, m.d)
    upright = a * d > 0 and b * c <= 0  # pdfminer's test, on the matrix as displayed
    bold = bool(_BOLD.search(name))
    return name, size, upright, bold, bool(pdfium.FPDFText_HasUnicodeMapError(textpage, index))


def _page_objects(page: pypdfium2.PdfPage, to_display: Matrix, height: float) -> tuple[list[dict], int]:
    """Ruling edges (level and plumb path segments, as pdfplumber makes them) and the number of images."""
    edges: list[dict] = []
    images = 0
    matrix = pdfium.FS_MATRIX()

    def visit(obj, parent: Matrix, depth: int) -> None:
        nonlocal images
        kind = pdfium.FPDFPageObj_GetType(obj)
        if kind == pdfium.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif kind in (pdfium.FPDF_PAGEOBJ_PATH, pdfium.FPDF_PAGEOBJ_FORM):
            pdfium.FPDFPageObj_GetMatrix(obj, matrix)
            to_page = _multiply((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), parent)
            if kind == pdfium.FPDF_PAGEOBJ_PATH:
                edges.extend(_path_edges(obj, to_page, height))
            elif depth < MAX_FORM_DEPTH:
                for k in range(pdfium.FPDFFormObj_CountObjects(obj)):
                    visit(pdfium.FPDFFormObj_GetObject(obj, k), to_page, depth + 1)

    for k in range(pdfium.FPDFPage_CountObjects(page.raw)):
        visit(pdfium.FPDFPage_GetObject(page.raw, k), to_display, 0)
    return edges, images


def _path_edges(path, to_display: Matrix, height: float) -> list[dict]:
    """Edges between consecutive points of each subpath that run level or plumb.

    pdfplumber makes the same from pdfminer's rectangles, lines and curves (curve control
    points included), and its table finder only ever uses the level and plumb ones.
    """
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    closed: list[bool] = []
    for k in range(pdfium.FPDFPath_CountSegments(path)):
        segment = pdfium.FPDFPath_GetPathSegment(path, k)
        pdfium.FPDFPathSegment_GetPoint(segment, x, y)
        px, py = _apply(to_display, x.value, y.value)
        point = (px, height - py)
        if pdfium.FPDFPathSegment_GetType(segment) == pdfium.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([point])
            closed.append(False)
        else:
            subpaths[-1].append(point)
        if pdfium.FPDFPathSegment_GetClose(segment):
            closed[-1] = True
    edges = []
    for points, is_closed in zip(subpaths, closed):
        if is_closed and len(points) > 2 and points[0] != points[-1]:
            points = [*points, points[0]]
        for (x0, t0), (x1, t1) in zip(points, points[1:]):
            if abs(x0 - x1) <= AXIS_TOL and abs(t0 - t1) > AXIS_TOL:
                xm = (x0 + x1) / 2
                top, bottom = sorted((t0, t1))
                edges.append(_edge("v", xm, xm, top, bottom))
            elif abs(t0 - t1) <= AXIS_TOL and abs(x0 - x1) > AXIS_TOL:
                tm = (t0 + t1) / 2
                left, right = sorted((x0, x1))
                edges.append(_edge("h", left, right, tm, tm))
    return edges


def _edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    return {
        "object_type": "line", "orientation": orientation, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
        "doctop": top, "width": x1 - x0, "height": bottom - top,
    }  # fmt: skip


# --- one page -------------------------------------------------------------


def _read_page(view: PageView) -> Page:
    """Extract lines and table rows from one page's characters and ruling edges."""
    out = Page(number=view.number, height=float(view.height))
    chars = view.chars
    out.chars = sum(1 for c in chars if not c["text"].isspace())
    out.images = view.images
    out.bad_chars = sum(1 for c in chars if c["text"] in _CONTROL or c["text"].startswith("(cid:"))
    if out.bad_chars > UNMAPPED_SHARE * max(out.chars, 1):
        return out  # the whole document will be refused; don't bother laying it out
    # a table needs ruling lines; most pages of minutes have none and skip the finder
    found = TableFinder(view).tables if view.edges else []
    tables = [(t.bbox, t.rows, cells) for t in found if _is_real_table(cells := table_cells(t.rows, chars))]
    boxes = [bbox for bbox, _, _ in tables]
    spaces = sum(1 for c in chars if c["text"] == " " and "generated" not in c)
    settings = SPACED_WORDS if spaces >= MIN_SPACE_SHARE * len(chars) else UNSPACED_WORDS
    words = [w for w in words_from_chars(chars, **settings) if not _inside_any(w, boxes)]
    out.lines = lines_from_words(words, view.number)
    out.rows = [row for _, rows, cells in tables for row in _table_rows(rows, cells, view.number)]
    return out


def words_from_chars(
    chars: list[dict], x_tolerance: float = 3, y_tolerance: float = 3, x_tolerance_ratio: float | None = None
) -> list[dict]:
    """Group characters into words with their box, median size and boldness.

    The same grouping as pdfplumber's ``extract_words`` with its default directions (lines
    clustered by ``top``, characters by ``x0``, a word ends at a space or a gap over the
    tolerance), written out for upright text because it runs on every character of every
    page; pages with rotated text go to pdfplumber's own.
    """
    if not all(c["upright"] for c in chars):
        settings = {"x_tolerance": x_tolerance, "y_tolerance": y_tolerance, "x_tolerance_ratio": x_tolerance_ratio}
        return [_with_font(w) for w in extract_words(chars, return_chars=True, **settings)]
    cluster: dict[float, int] = {}  # pdfplumber's cluster_objects: sorted distinct tops, a new line past a gap
    line, last = -1, -math.inf
    for top in sorted({c["top"] for c in chars}):
        if top > last + y_tolerance:
            line += 1
        cluster[top] = line
        last = top
    lines: dict[int, list[dict]] = {}
    for c in chars:
        lines.setdefault(cluster[c["top"]], []).append(c)
    words = []
    for key in sorted(lines):
        word: list[dict] = []
        for c in sorted(lines[key], key=itemgetter("x0")):
            if c["text"].isspace():
                if word:
                    words.append(_word(word))
                word = []
                continue
            if word:
                prev = word[-1]
                tolerance = x_tolerance if x_tolerance_ratio is None else x_tolerance_ratio * prev["size"]
                if (
                    c["x0"] < prev["x0"]
                    or c["x0"] > prev["x1"] + tolerance
                    or abs(c["top"] - prev["top"]) > y_tolerance
                ):
                    words.append(_word(word))
                    word = []
            word.append(c)
        if word:
            words.append(_word(word))
    return words


def _word(chars: list[dict]) -> dict:
    sizes = sorted(c["size"] for c in chars)
    return {
        "text": "".join(LIGATURES.get(c["text"], c["text"]) for c in chars),
        "x0": min(c["x0"] for c in chars), "x1": max(c["x1"] for c in chars),
        "top": min(c["top"] for c in chars), "bottom": max(c["bottom"] for c in chars),
        "size": sizes[len(sizes) // 2], "bold": all(c["bold"] for c in chars),
    }  # fmt: skip


def _with_font(word: dict) -> dict:
    """Give a word from pdfplumber the size and boldness of its characters, and drop the characters.

    Fonts are read per word, not passed to pdfplumber as ``extra_attrs``: that would split
    "10-piece" where its hyphen comes from another font.
    """
    chars = word.pop("chars")
    sizes = sorted(c["size"] for c in chars)
    word["size"] = sizes[len(sizes) // 2]
    word["bold"] = all(c["bold"] for c in chars if not c["text"].isspace())
    return word


def table_cells(rows: list, chars: list[dict]) -> list[list[str | None]]:
    """The text of each cell of a table's rows, as pdfplumber's ``Table.extract`` gives it.

    A character belongs to the cell its centre falls in. Written out so that each row is
    tested against the characters of the table, not of the whole page.
    """
    centred = [((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2, c) for c in chars]
    out: list[list[str | None]] = []
    for row in rows:
        x0, top, x1, bottom = row.bbox
        in_row = [t for t in centred if x0 <= t[0] < x1 and top <= t[1] < bottom]
        cells: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                cells.append(None)
                continue
            x0, top, x1, bottom = cell
            inside = [c for h, v, c in in_row if x0 <= h < x1 and top <= v < bottom]
            cells.append(extract_text(inside) if inside else "")
        out.append(cells)
    return out


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
