"""/-/document/{id}: a document's text, escaped, with every item's span marked and anchored at #item-{n}.

The pure renderer is checked on small texts (escaping, nesting, bad spans); the route is
checked on the real database against what it stores.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from pipeline.publish.document_page import Anchor, MarkedItem, agenda_label, marked_text

DB_NAME = "minutes"
# From corpus/minutes/northmoor-cyp-scrutiny-2025-01-14.txt: item 5 of the document, under minute 44.
EHCP_ITEM = "agreed to circulate revised EHCP timeliness figures"


class Marks(HTMLParser):
    """The text inside each <mark data-item=n> (nested marks count for each), and the ids of the elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str | None] = []
        self.text: dict[str, str] = {}
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        self.open.append(a.get("data-item") if tag == "mark" else None)
        if tag == "mark":
            self.text.setdefault(a["data-item"], "")

    def handle_endtag(self, tag):
        self.open.pop()

    def handle_data(self, data):
        for n in {n for n in self.open if n is not None}:
            self.text[n] += data


def parsed(html: str) -> Marks:
    """Parse rendered text; the cards' ids are kept, their labels dropped (they are not the document's words)."""
    p = Marks()
    p.feed(re.sub(r'(<span class="item-card" id="[^"]+">).*?</span></span>', r"\1</span>", str(html)))
    return p


def test_text_is_escaped_and_each_span_is_marked():
    text = "RESOLVED that <b>the Clerk</b> write to A & B.\nNext."
    start = text.index("<b>")
    end = text.index(".")
    html = marked_text(text, [MarkedItem(n=0, start=start, end=end, kind="decision")])
    assert "<b>" not in html and "&lt;b&gt;the Clerk&lt;/b&gt;" in html and "A &amp; B" in html
    assert parsed(html).text == {"0": text[start:end]}
    assert 'id="item-0"' in html and 'href="#item-0"' in html


def test_card_shows_the_agenda_item_page_and_status():
    html = marked_text(
        "x" * 20,
        [MarkedItem(n=3, start=2, end=9, kind="undertaking", agenda="Minute 44: SEND", page=2, status="overdue")],
    )
    card = re.search(r'<span class="item-card" id="item-3">(.*?)</span></span>', html).group(1)
    assert "Minute 44: SEND" in card and "page 2" in card and "status: overdue" in card and "undertaking" in card


def test_unknown_page_is_said_plainly():
    html = marked_text("abcdef", [MarkedItem(n=0, start=0, end=3)])
    assert "page not known" in html and "no agenda item" in html


def test_overlapping_and_nested_spans_nest_properly_and_keep_their_text():
    text = "0123456789abcdefghij"
    items = [MarkedItem(0, 2, 12), MarkedItem(1, 5, 8), MarkedItem(2, 10, 16)]
    html = marked_text(text, items)
    p = parsed(html)
    assert p.text == {"0": text[2:12], "1": text[5:8], "2": text[10:16]}
    assert str(html).count("<mark") == str(html).count("</mark>")
    assert [i for i in p.ids if i.startswith("item-")] == ["item-0", "item-1", "item-2"]


def test_spans_outside_the_text_are_not_marked():
    html = marked_text("short text", [MarkedItem(0, 3, 50), MarkedItem(1, 5, 5), MarkedItem(2, -1, 2)])
    assert "<mark" not in html and "item-card" not in html
    assert str(html) == "short text"


def test_anchors_are_placed_at_their_offsets():
    html = marked_text("Apologies\nMinutes", [], [Anchor("agenda-0", 0), Anchor("agenda-1", 10)])
    assert str(html) == (
        '<span class="anchor" id="agenda-0"></span>Apologies\n<span class="anchor" id="agenda-1"></span>Minutes'
    )


@pytest.mark.parametrize(
    ("number", "title", "label"),
    [("44.", "SEND Sufficiency", "Minute 44: SEND Sufficiency"), (None, "Finance", "Finance"), ("7", None, "Minute 7"),
     (None, None, None)],
)  # fmt: skip
def test_agenda_label(number, title, label):
    assert agenda_label(number, title) == label


# --- the route, on the real database -------------------------------------------------------------


@pytest.fixture(scope="module")
def ehcp(db):
    return db.execute("select * from items where text like ?", [f"%{EHCP_ITEM}%"]).fetchone()


def test_document_page_marks_every_item_with_its_stored_source_text(get, db, ehcp):
    r = get(f"/-/document/{ehcp['document_id']}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    items = db.execute("select seq, source_text from items where document_id = ? order by seq", [ehcp["document_id"]])
    expected = {str(seq): source for seq, source in items}
    body = re.search(r'<div class="document-text">(.*?)</div>', r.text, re.S).group(1)
    assert parsed(body).text == expected
    for seq in expected:
        assert f'id="item-{seq}"' in r.text


def test_document_page_names_the_agenda_item_and_register_status(get, db, ehcp):
    html = get(f"/-/document/{ehcp['document_id']}").text
    card = re.search(rf'<span class="item-card" id="item-{ehcp["seq"]}">(.*?)</span></span>', html).group(1)
    assert agenda_label(ehcp["minute_number"], ehcp["agenda_item_title"]) in card  # Minute 44: SEND Sufficiency ...
    (status,) = db.execute("select status from actions where id = ?", [ehcp["id"]]).fetchone()
    assert f"status: {status}" in card


def test_document_page_shows_the_meeting_and_links_to_the_stored_row(get, db, ehcp):
    doc = db.execute("select * from documents where id = ?", [ehcp["document_id"]]).fetchone()
    html = get(f"/-/document/{doc['id']}").text
    assert "Children and Young People Scrutiny Committee" in html and "meeting of 14 January 2025" in html
    assert f'href="/{DB_NAME}/documents/{doc["id"]}"' in html


def test_unknown_document_is_a_404(get):
    assert get("/-/document/no-such-document").status_code == 404


def test_item_source_text_links_to_its_passage(get, ehcp):
    html = get(f"/{DB_NAME}/items?id={ehcp['id']}").text
    assert f'href="/-/document/{ehcp["document_id"]}#item-{ehcp["seq"]}"' in html


def test_action_reference_links_to_its_passage(get, db, ehcp):
    (reference,) = db.execute("select reference from actions where id = ?", [ehcp["id"]]).fetchone()
    html = get(f"/{DB_NAME}/actions?reference={reference}").text
    assert f'<a class="source-link" href="/-/document/{ehcp["document_id"]}#item-{ehcp["seq"]}">{reference}</a>' in html


def test_documents_table_shows_an_excerpt_and_a_link_instead_of_the_whole_text(get, db, ehcp):
    html = get(f"/{DB_NAME}/documents?id={ehcp['document_id']}").text
    (text,) = db.execute("select text from documents where id = ?", [ehcp["document_id"]]).fetchone()
    assert len(text) > 1000 and text[-200:] not in html
    assert f'href="/-/document/{ehcp["document_id"]}">Read it with its items marked</a>' in html
