"""A document's text as HTML, every character escaped, with each item's span marked and anchored.

The page at ``/-/document/{id}`` shows the whole text of one document. Each item's
source span is wrapped in ``<mark class="item">``, preceded by a small card with
``id="item-{n}"`` (``n`` is the item's ``seq``, its order in the document), so a link to
``/-/document/{id}#item-{n}`` scrolls to the passage; the page's CSS then opens the card
(the item's agenda item, minute number and page) and darkens the mark, with no script.
Each agenda item's start gets an ``id="agenda-{idx}"`` anchor.

Spans may overlap or nest (the extractor does not promise they will not): the text is cut
at every span boundary and each piece is wrapped in one ``<mark>`` per item covering it,
so the HTML always nests properly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class MarkedItem:
    """What the page needs to know about one item to mark it."""

    n: int  # items.seq: the anchor is #item-{n}
    start: int
    end: int
    kind: str = ""
    agenda: str | None = None  # "44. SEND Sufficiency and the Written Statement of Action"
    page: int | None = None
    status: str | None = None  # from the action register, when the item is an action


@dataclass(frozen=True)
class Anchor:
    """A named point in the text, such as the start of an agenda item."""

    id: str
    at: int


def agenda_label(number: str | None, title: str | None) -> str | None:
    """ "44." + "SEND Sufficiency" -> "Minute 44: SEND Sufficiency"; None when there is neither."""
    number = (number or "").strip().rstrip(".")
    title = (title or "").strip()
    if number and title:
        return f"Minute {number}: {title}"
    return f"Minute {number}" if number else (title or None)


def card(item: MarkedItem) -> Markup:
    """The label shown before an item's passage; its details open when the item is the page's target."""
    details = [f"Item {item.n}"]
    if item.kind:
        details.append(item.kind)
    details.append(item.agenda or "no agenda item")
    details.append(f"page {item.page}" if item.page else "page not known")
    if item.status:
        details.append(f"status: {item.status}")
    return Markup(
        '<span class="item-card" id="item-{n}"><a class="item-tag" href="#item-{n}">{n}</a>'
        '<span class="item-details">{details}</span></span>'
    ).format(n=item.n, details=" · ".join(details))


def valid(item: MarkedItem, length: int) -> bool:
    """A span that lies inside the text and is not empty (a bad span is listed but not marked)."""
    return 0 <= item.start < item.end <= length


def marked_text(text: str, items: Iterable[MarkedItem], anchors: Sequence[Anchor] = ()) -> Markup:
    """The text as safe HTML: escaped, with marks, item cards and anchors inserted at their offsets."""
    spans = sorted((i for i in items if valid(i, len(text))), key=lambda i: (i.start, -i.end, i.n))
    cuts = sorted({0, len(text), *(i.start for i in spans), *(i.end for i in spans), *(a.at for a in anchors)})
    starts: dict[int, list[MarkedItem]] = {}
    for i in spans:
        starts.setdefault(i.start, []).append(i)
    anchors_at: dict[int, list[Anchor]] = {}
    for a in anchors:
        if 0 <= a.at <= len(text):
            anchors_at.setdefault(a.at, []).append(a)
    out: list[str] = []
    for left, right in zip(cuts, cuts[1:]):
        out.extend(Markup('<span class="anchor" id="{}"></span>').format(a.id) for a in anchors_at.get(left, ()))
        out.extend(card(i) for i in starts.get(left, ()))
        covering = [i for i in spans if i.start <= left and right <= i.end]
        piece = str(escape(text[left:right]))
        for i in reversed(covering):  # the outermost (earliest, longest) item's mark is the outermost element
            first = " first" if i.start == left else ""
            piece = f'<mark class="item item-{escape(i.kind)}{first}" data-item="{i.n}">{piece}</mark>'
        out.append(piece)
    out.extend(Markup('<span class="anchor" id="{}"></span>').format(a.id) for a in anchors_at.get(len(text), ()))
    return Markup("".join(out))
