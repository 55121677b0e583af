"""DOCX: paragraphs and tables in document order, with Word's list numbers put back.

Word keeps automatic numbers ("1.", "2.1", "a)") out of the paragraph text, in
numbering.xml; this reader recomputes them from the numbering definitions and
running counters, so "2.1" is found whether the clerk typed it or Word drew it.
Headings come from paragraph styles ("Heading 2", "Title", or any style with an
outline level), bold short numbered lines also count as headings, as they do
in the PDF reader. Page footers typed into the body ("Signed … Dated …" then
"Page 1 of 3", as in newbiggin-pc-2019-09-03) are dropped.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from ..document import Block, Document, Metadata, assemble
from ..errors import UnreadableDocument
from ..numbering import is_bullet, split_number

MAX_UNCOMPRESSED = 100 * 2**20  # a Word file expanding past this is refused before parsing
MAX_RATIO = 100  # a member compressed more than this …
RATIO_MIN_SIZE = 2**20  # … and larger than this when expanded looks like a zip bomb
HEADING_MAX_WORDS = 14
BULLET = "•"

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
# a bare "3" may be a minute number typed on its own, so only page numbers that say so
_PAGE_NUMBER = re.compile(r"^(?:page\s*\|?\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-–]\s*\d{1,4}\s*[-–])$", re.IGNORECASE)
_END_SENTENCE = re.compile(r"[.!?;]['’\"”)]*$")
# deleted text, and drawings whose text boxes would otherwise be read twice (Word stores a fallback copy)
_SKIPPED = {qn("w:del"), qn("w:moveFrom"), qn("w:drawing"), qn("w:pict"), qn("w:object")}
_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc")]
_ROMAN += [(50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def read_docx(data: bytes, path: Path) -> Document:
    """Read a Word document's body into blocks.

    :raises UnreadableDocument: for zip bombs and corrupt packages or XML.
    """
    check_zip(data, path)
    try:
        word = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as e:
        detail = str(e).strip().splitlines()[0][:200] if str(e).strip() else "no detail"
        raise UnreadableDocument(f"{path}: corrupt DOCX ({type(e).__name__}: {detail})") from None
    text, blocks = assemble(drop_page_furniture(body_blocks(word)))
    title = _squash(word.core_properties.title or "") or None
    return Document(source=str(path), sha256="", format="docx", text=text, blocks=blocks, meta=Metadata(title=title))


def check_zip(data: bytes, path: Path) -> None:
    """Refuse a DOCX whose members would expand to too much, before anything inflates them.

    zipfile stops each member at its declared size, so the declared sizes bound the work.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as e:
        raise UnreadableDocument(f"{path}: corrupt DOCX ({e})") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise UnreadableDocument(f"{path}: DOCX expands to {total // 2**20} MB; refusing (possible zip bomb)")
    for info in infos:
        if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise UnreadableDocument(
                f"{path}: DOCX expands to {total // 2**20} MB ({info.filename} is compressed {ratio}:1); "
                "refusing (possible zip bomb)"
            )


def _body_elements(parent) -> Iterator:
    """Paragraphs and tables of the body in order, looking inside content controls."""
    for el in parent.iterchildren():
        if el.tag in (qn("w:p"), qn("w:tbl")):
            yield el
        elif el.tag == qn("w:sdt"):
            content = el.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_elements(content)
        elif el.tag == qn("w:customXml"):
            yield from _body_elements(el)


def body_blocks(word) -> list[Block]:
    """Draft blocks for the body's paragraphs and table rows, in document order."""
    lists = ListNumbers.from_document(word)
    drafts: list[Block] = []
    pending: str | None = None  # a number typed alone in its paragraph numbers the next one
    for el in _body_elements(word.element.body):
        if el.tag == qn("w:tbl"):
            drafts.extend(table_rows(el))
            continue
        block = _paragraph_block(Paragraph(el, word), lists)
        if block is None:
            continue
        if not block.text:
            pending = block.number
            continue
        if pending and block.number is None:
            block = replace(block, number=pending, kind="list_item" if block.kind == "para" else block.kind)
        pending = None
        drafts.append(block)
    return drafts


# --- paragraphs -----------------------------------------------------------


def paragraph_text(el) -> str:
    """The visible text of a paragraph or cell: runs, hyperlinks, fields and tracked insertions.

    Deleted text and drawings (whose text boxes Word also stores twice, as a fallback) are skipped.
    """
    parts: list[str] = []

    def walk(node) -> None:
        for child in node.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue
            if tag == qn("w:t"):
                parts.append(child.text or "")
            elif tag in (qn("w:tab"), qn("w:ptab")):
                parts.append("\t")
            elif tag in (qn("w:br"), qn("w:cr")):
                parts.append("\n")
            elif tag == qn("w:noBreakHyphen"):
                parts.append("-")
            elif tag == _ALTERNATE:
                # the same content twice, new and old style: read only the old-style fallback
                fallback = child.find(_FALLBACK)
                if fallback is not None:
                    walk(fallback)
            else:
                walk(child)

    walk(el)
    return "".join(parts)


def _paragraph_block(paragraph, lists: ListNumbers) -> Block | None:
    raw = paragraph_text(paragraph._p)
    if not raw.strip():
        return None
    style = paragraph.style
    heading_level = _heading_level(style, paragraph._p)
    numbered = lists.number_for(paragraph._p, style)
    if numbered is not None:
        number, depth = numbered
        body = _squash(raw)
    else:
        number, rest = split_number(raw.strip())
        body, depth = _squash(rest), 0
    if not body:
        return Block(text="", number=number) if number else None
    if heading_level or _is_bold_title(paragraph, number, body):
        return Block(text=body, kind="heading", number=number, level=heading_level or 0)
    kind = "list_item" if numbered is not None or number else "para"
    return Block(text=body, kind=kind, number=number, level=depth)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()


def _heading_level(style, p_el) -> int:
    """The heading level a paragraph style gives ("Heading 2" is 2, "Title" is 1), or 0."""
    outline = p_el.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    seen = 0
    while style is not None and seen < 10:  # basedOn chains are short; a cycle must not hang us
        name = style.name or ""
        if m := _HEADING_STYLE.match(name):
            return int(m.group(1))
        if name.lower() == "title":
            return 1
        if outline is None and style.element.pPr is not None:
            outline = style.element.pPr.find(qn("w:outlineLvl"))
        style = style.base_style
        seen += 1
    if outline is not None:
        value = int(outline.get(qn("w:val"), "9"))
        return value + 1 if value < 9 else 0  # 9 is "body text"
    return 0


def _is_bold_title(paragraph, number: str | None, body: str) -> bool:
    """A short, unpunctuated, all-bold paragraph, such as "19.09.01 Apologies" typed in Normal style."""
    words = body.split()
    if not words or len(words) > HEADING_MAX_WORDS or _END_SENTENCE.search(body) or is_bullet(number):
        return False
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(_run_is_bold(r, paragraph.style) for r in runs)


def _run_is_bold(run, paragraph_style) -> bool:
    if run.bold is not None:
        return run.bold
    for style in (run.style, paragraph_style):
        seen = 0
        while style is not None and seen < 10:
            if style.font.bold is not None:
                return style.font.bold
            style = style.base_style
            seen += 1
    return False


# --- tables ---------------------------------------------------------------


def table_rows(tbl) -> list[Block]:
    """One ``table_row`` block per row; a vertically merged cell is read once, in its first row."""
    blocks = []
    for tr in tbl.iterchildren(qn("w:tr")):
        cells = []
        for tc in tr.iterchildren(qn("w:tc")):
            merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            if merge is not None and merge.get(qn("w:val"), "continue") == "continue":
                continue
            text = _squash(" ".join(paragraph_text(p) for p in _cell_paragraphs(tc)))
            if text:
                cells.append(text)
        if cells:
            number, rest = split_number(cells[0])
            if number is not None and not is_bullet(number):
                cells[0] = rest.strip()
            else:
                number = None
            blocks.append(Block(text=" | ".join(c for c in cells if c), kind="table_row", number=number))
    return blocks


def _cell_paragraphs(tc) -> Iterator:
    """A cell's paragraphs in order, including those of tables nested in it."""
    for child in tc.iterchildren(qn("w:p"), qn("w:tbl")):
        if child.tag == qn("w:p"):
            yield child
        else:
            for tr in child.iterchildren(qn("w:tr")):
                for inner in tr.iterchildren(qn("w:tc")):
                    yield from _cell_paragraphs(inner)


# --- page furniture -------------------------------------------------------


def drop_page_furniture(drafts: list[Block]) -> list[Block]:
    """Drop page numbers typed into the body, and a repeated line just before each one.

    newbiggin-pc-2019-09-03.docx ends every page with "Signed ____ Dated …" and "Page 1 of 3"
    as ordinary paragraphs; the PDF of the same minutes loses them as running footers.
    """
    masked = [_masked(b.text if not b.number else f"{b.number} {b.text}") for b in drafts]
    counts: dict[str, int] = {}
    for m in masked:
        counts[m] = counts.get(m, 0) + 1
    drop = set()
    for i, m in enumerate(masked):
        if _PAGE_NUMBER.match(m.replace("#", "1")) and drafts[i].kind != "table_row":
            drop.add(i)
            if i > 0 and counts[masked[i - 1]] > 1 and drafts[i - 1].kind == "para":
                drop.add(i - 1)
    return [b for i, b in enumerate(drafts) if i not in drop]


def _masked(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text)).strip().lower()


# --- Word list numbering --------------------------------------------------


@dataclass
class Level:
    """One level of a Word list definition (an ``w:lvl`` of an ``w:abstractNum``)."""

    start: int = 1
    fmt: str = "decimal"  # numFmt: decimal, lowerLetter, upperRoman, bullet, none …
    text: str = "%1."  # lvlText: "%1.%2" means "level-1 counter . level-2 counter"
    legal: bool = False  # isLgl: show every level's counter as a decimal ("1.1", not "I.a")


@dataclass
class ListNumbers:
    """Word's list definitions plus the running counters that turn them into visible numbers."""

    abstract: dict[str, dict[int, Level]] = field(default_factory=dict)  # abstractNumId -> levels
    nums: dict[str, str] = field(default_factory=dict)  # numId -> abstractNumId
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId -> level -> start
    counters: dict[str, list[int | None]] = field(default_factory=dict)  # abstractNumId -> 9 counters
    started: set[str] = field(default_factory=set)  # numIds whose start overrides were applied

    @classmethod
    def from_document(cls, word) -> ListNumbers:
        try:
            root = word.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return cls()
        lists = cls()
        for abstract in root.iterchildren(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.iterchildren(qn("w:lvl")):
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = _level(lvl)
            lists.abstract[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.iterchildren(qn("w:num")):
            num_id = num.get(qn("w:numId"))
            ref = num.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            lists.nums[num_id] = ref.get(qn("w:val"))
            for override in num.iterchildren(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    lists.overrides.setdefault(num_id, {})[ilvl] = int(start.get(qn("w:val"), "1"))
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:  # a whole level redefined for this list only
                    abstract_id = f"{lists.nums[num_id]}/{num_id}"
                    base = dict(lists.abstract.get(lists.nums[num_id], {}))
                    base[ilvl] = _level(lvl)
                    lists.abstract[abstract_id] = base
                    lists.nums[num_id] = abstract_id
        return lists

    def number_for(self, p_el, style) -> tuple[str | None, int] | None:
        """The visible number and list depth (1-based) of a list paragraph, or None if it is not one.

        The number is None for a list level that shows nothing (numFmt "none" or empty lvlText).
        """
        num_id, ilvl = _num_pr(p_el, style)
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return None
        abstract_id = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        counters = self.counters.setdefault(abstract_id, [None] * 9)
        ilvl = min(max(ilvl, 0), 8)
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in self.overrides.get(num_id, {}).items():
                counters[level] = start - 1
                for deeper in range(level + 1, 9):
                    counters[deeper] = None
        level = levels.get(ilvl, Level())
        counters[ilvl] = level.start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        if level.fmt == "bullet":
            return BULLET, ilvl + 1
        if level.fmt == "none" or not level.text.strip():
            return None, ilvl + 1
        return _render(level, levels, counters), ilvl + 1


def _level(lvl) -> Level:
    def val(tag: str, default: str) -> str:
        el = lvl.find(qn(tag))
        return el.get(qn("w:val"), default) if el is not None else default

    legal = lvl.find(qn("w:isLgl"))
    return Level(
        start=int(val("w:start", "1")),
        fmt=val("w:numFmt", "decimal"),
        text=val("w:lvlText", ""),
        legal=legal is not None and legal.get(qn("w:val"), "1") not in ("0", "false"),
    )


def _num_pr(p_el, style) -> tuple[str | None, int]:
    """numId and ilvl from the paragraph's own properties, else from its style chain."""
    num_pr = p_el.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    num_id, ilvl = _num_pr_values(num_pr)
    seen = 0
    while num_id is None and style is not None and seen < 10:
        ppr = style.element.pPr
        style_num_id, style_ilvl = _num_pr_values(ppr.find(qn("w:numPr")) if ppr is not None else None)
        num_id = style_num_id
        ilvl = ilvl if ilvl is not None else style_ilvl
        style = style.base_style
        seen += 1
    return num_id, ilvl or 0


def _num_pr_values(num_pr) -> tuple[str | None, int | None]:
    if num_pr is None:
        return None, None
    num_id = num_pr.find(qn("w:numId"))
    ilvl = num_pr.find(qn("w:ilvl"))
    return (
        num_id.get(qn("w:val")) if num_id is not None else None,
        int(ilvl.get(qn("w:val"), "0")) if ilvl is not None else None,
    )


def _render(level: Level, levels: dict[int, Level], counters: list[int | None]) -> str:
    """Fill lvlText's %1…%9 with the counters, each in its own level's format."""

    def counter(m: re.Match) -> str:
        k = int(m.group(1)) - 1
        source = levels.get(k, Level())
        value = counters[k] if counters[k] is not None else source.start
        return format_counter(value, "decimal" if level.legal else source.fmt)

    return re.sub(r"%([1-9])", counter, level.text).strip()


def format_counter(value: int, fmt: str) -> str:
    """Write a list counter the way Word's numFmt does: 3 -> "3", "c", "C", "iii", "III", "03"."""
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) if value > 0 else str(value)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    if value <= 0:
        return str(value)
    out = ""
    for amount, letters in _ROMAN:
        while value >= amount:
            out += letters
            value -= amount
    return out
