"""The one data model that flows through every stage.

``read`` makes a :class:`Document` of :class:`Block` s, ``structure`` adds
:class:`AgendaItem` s, ``extract`` adds :class:`Item` s and ``store`` saves it.
Each stage returns ``dataclasses.replace(doc, ...)``; nothing is edited in place.
All offsets are character offsets into ``Document.text``, so a span means the
same thing whatever format the document came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

Span = tuple[int, int]  # char_start, char_end into Document.text
BBox = tuple[float, float, float, float]  # x0, top, x1, bottom (PDF points)

BLOCK_KINDS = ("heading", "para", "list_item", "table_row")
ITEM_KINDS = ("decision", "recommendation", "undertaking")


@dataclass(frozen=True)
class Block:
    """One heading, paragraph, list item or table row, as the reader found it."""

    text: str
    kind: str = "para"
    char_start: int = 0
    char_end: int = 0
    number: str | None = None  # "12", "12.3", "(a)", "77/21" — as printed
    page: int | None = None  # 1-based, PDF only
    bbox: BBox | None = None
    level: int = 0  # heading level or list depth, 0 when unknown


@dataclass(frozen=True)
class Section:
    """A labelled part of an agenda item: "decision", "minutes", "resolved", "recommendations"."""

    label: str
    char_start: int
    char_end: int


@dataclass(frozen=True)
class AgendaItem:
    """An item of business: its minute number and title, and the text it spans."""

    index: int
    title: str
    char_start: int
    char_end: int
    number: str | None = None
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Item:
    """One decision, recommendation or undertaking, at the size of one clause (see ANNOTATION.md)."""

    kind: str
    text: str
    action: bool
    char_start: int
    char_end: int
    owner: str | None = None
    due: str | None = None
    due_text: str | None = None
    agenda_item: int | None = None  # AgendaItem.index
    section: str | None = None
    rule: str = ""  # which rule found it, for debugging and the docs

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "action": self.action,
            "owner": self.owner if self.action else None,
            "due": self.due if self.action else None,
            "due_text": self.due_text,
            "start": self.char_start,
            "end": self.char_end,
            "agenda_item": self.agenda_item,
            "section": self.section,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Metadata:
    """What is known about a document from outside its text (manifest, CLI, page header)."""

    council: str | None = None
    committee: str | None = None
    meeting_date: str | None = None  # YYYY-MM-DD
    title: str | None = None
    url: str | None = None
    draft: bool | None = None  # True: kept out of the public database; None: as stored (new documents: not a draft)

    def merged(self, other: Metadata) -> Metadata:
        """Fill this metadata's gaps from ``other``; values already known win."""
        return Metadata(**{k: v if v is not None else getattr(other, k) for k, v in asdict(self).items()})


@dataclass(frozen=True)
class Document:
    source: str
    sha256: str
    format: str  # "txt" | "html" | "pdf" | "docx"
    text: str
    blocks: tuple[Block, ...] = ()
    meta: Metadata = field(default_factory=Metadata)
    agenda_items: tuple[AgendaItem, ...] = ()
    items: tuple[Item, ...] = ()
    pages: int | None = None

    def with_(self, **changes: Any) -> Document:
        return replace(self, **changes)


def assemble(drafts: list[Block], sep: str = "\n") -> tuple[str, tuple[Block, ...]]:
    """Join reader drafts into one text, giving each block its span in it.

    Readers produce blocks without offsets; this is the single place where
    offsets are computed, so ``doc.text[b.char_start:b.char_end] == b.text``
    holds for every reader.
    """
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for draft in drafts:
        text = draft.text.strip()
        if not text:
            continue
        if parts:
            parts.append(sep)
            pos += len(sep)
        blocks.append(replace(draft, text=text, char_start=pos, char_end=pos + len(text)))
        parts.append(text)
        pos += len(text)
    return "".join(parts), tuple(blocks)
