"""Blocks -> agenda items and their sections.

Minutes are a sequence of agenda items (a heading, often with a minute number
such as "77/21" or "6."), each holding sections: "Minutes:", "Decision:",
"RESOLVED", "RECOMMENDATIONS". Extraction needs to know, for every block,
which item and which section it sits in; this module works that out.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .document import AgendaItem, Block, Document, Section
from .numbering import is_minute_number, number_style
from .patterns import load_json

_RULES = load_json("structure.json")
SECTION_LABELS: dict[str, re.Pattern[str]] = {k: re.compile(v, re.I) for k, v in _RULES["section_labels"].items()}
NOT_A_TITLE = re.compile(_RULES["not_a_title"], re.I)
PROCEDURAL = re.compile(_RULES["procedural_titles"], re.I)
TITLE_MAX_WORDS = 16


def section_label(block: Block) -> str | None:
    """The section a label block opens ("Decision:" -> "decision"), or None if it is not a label."""
    text = block.text.strip()
    if len(text) > 60:
        return None
    for label, pattern in SECTION_LABELS.items():
        if pattern.match(text):
            return label
    return None


def is_title(block: Block, last_number: int | None) -> bool:
    """Does this block open a new agenda item?

    :param last_number: the number of the last numbered agenda item, if any: minutes number
        their items in sequence, so "4 To declare any interests." after item 3 is a title.
    """
    text = block.text.strip()
    numbered = block.number is not None and number_style(block.number) in ("decimal", "dotted", "minute")
    # "18.11.3 Minutes" is an agenda item; a bare "Minutes:" is a section label
    if (NOT_A_TITLE.match(text.rstrip(".")) or section_label(block)) and not (numbered and block.kind == "heading"):
        return False
    words = len(text.split())
    if block.kind == "heading":
        return words <= TITLE_MAX_WORDS
    n = _as_int(block.number)
    if n is not None and last_number is not None and n == last_number + 1 and words <= TITLE_MAX_WORDS:
        return True
    # "77/21 Minutes of the last meeting" or "1772. Budget" printed as a list item
    return block.kind == "list_item" and is_minute_number(block.number) and words <= TITLE_MAX_WORDS


def structure(doc: Document) -> Document:
    """Group a document's blocks into agenda items with sections (pure)."""
    items: list[AgendaItem] = []
    blocks = doc.blocks
    start_idx: int | None = None
    last_number: int | None = None
    for i, block in enumerate(blocks):
        if is_title(block, last_number) and not _inside_list(blocks, i):
            if start_idx is not None:
                items.append(_make_item(len(items), blocks[start_idx:i]))
            start_idx = i
            last_number = _as_int(block.number) if block.number else last_number
        elif start_idx is None:
            start_idx = i
    if start_idx is not None:
        items.append(_make_item(len(items), blocks[start_idx:]))
    return replace(doc, agenda_items=tuple(_merge_bare_titles(items, blocks)))


def _as_int(number: str | None) -> int | None:
    """The agenda-level integer of a number: "4" and "4." give 4; "4.1", "(a)" give None."""
    if number and number_style(number) in ("decimal", "minute"):
        digits = number.rstrip(".)")
        return int(digits) if digits.isdigit() else None
    return None


def _inside_list(blocks: tuple[Block, ...], i: int) -> bool:
    """A short numbered heading directly after a "RESOLVED that:" lead-in is a sub-point, not a title."""
    block = blocks[i]
    if block.number is None or is_minute_number(block.number):
        return False
    style = number_style(block.number)
    if style in ("letter", "roman", "paren", "bullet"):
        return True
    j = i - 1
    while j >= 0 and blocks[j].number is not None and number_style(blocks[j].number) == style:
        j -= 1
    return j >= 0 and blocks[j].text.rstrip().endswith((":", ":-", "–", "-", ","))


def _make_item(index: int, blocks: tuple[Block, ...]) -> AgendaItem:
    first = blocks[0]
    titled = first.kind == "heading" or first.number is not None
    sections: list[Section] = []
    for block in blocks:
        label = section_label(block)
        if label:
            if sections:
                sections[-1] = replace(sections[-1], char_end=block.char_start)
            sections.append(Section(label=label, char_start=block.char_start, char_end=blocks[-1].char_end))
    return AgendaItem(
        index=index,
        title=first.text.strip().rstrip(":") if titled else "",
        number=first.number if titled else None,
        char_start=first.char_start,
        char_end=blocks[-1].char_end,
        sections=tuple(sections),
    )


def _merge_bare_titles(items: list[AgendaItem], blocks: tuple[Block, ...]) -> list[AgendaItem]:
    """A heading followed directly by another heading (a title then a sub-title) is one item."""
    out: list[AgendaItem] = []
    for item in items:
        if out and _is_heading_only(out[-1], blocks) and not out[-1].number:
            prev = out[-1]
            # the heading nearest the body names the item; earlier ones are page furniture
            out[-1] = replace(
                prev,
                char_end=item.char_end,
                sections=prev.sections + item.sections,
                title=item.title or prev.title,
                number=item.number or prev.number,
            )
        else:
            out.append(replace(item, index=len(out)))
    return out


def _is_heading_only(item: AgendaItem, blocks: tuple[Block, ...]) -> bool:
    inside = [b for b in blocks if item.char_start <= b.char_start < item.char_end]
    return len(inside) == 1 and inside[0].kind == "heading"


def item_at(doc: Document, offset: int) -> AgendaItem | None:
    """The agenda item holding a character offset."""
    for item in doc.agenda_items:
        if item.char_start <= offset < item.char_end or offset == item.char_end:
            return item
    return None


def section_at(item: AgendaItem | None, offset: int) -> str | None:
    if item is None:
        return None
    for section in item.sections:
        if section.char_start <= offset < section.char_end:
            return section.label
    return None


def is_procedural(item: AgendaItem | None) -> bool:
    """Apologies, attendance and declarations of interest hold no items, even when RESOLVED."""
    return item is not None and bool(PROCEDURAL.search(item.title))
