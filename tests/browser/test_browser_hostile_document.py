"""Minute text is data, never markup: a document full of script, event handlers and javascript: links.

tests/browser/data/hostile-minutes.txt is ingested with the corpus. Its text and items carry
``<script>alert('xss-item')</script>``, ``<img src=x onerror=...>`` and
``<a href="javascript:...">``. Every page that shows them must show the characters as
written, create no such elements and run nothing: no dialog opens, nothing reaches the console.
"""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import pytest
from datasette.utils import tilde_encode

pytestmark = pytest.mark.browser

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile-minutes.txt"
COUNCIL = "Bramble End Parish Council"
ATOM = "{http://www.w3.org/2005/Atom}"
# What each injected element would do if it ran, and what must be shown instead.
MARKUP = re.findall(r"<script>.*?</script>|<img [^>]*>|<a href=[^>]*>.*?</a>", HOSTILE.read_text(encoding="utf-8"))
INERT = {"scripts": 0, "handlers": 0, "js_links": 0, "images": 0}


@pytest.fixture(scope="session")
def hostile(db: sqlite3.Connection) -> dict:
    doc = db.execute("select id from documents where path like ?", [f"%{HOSTILE.name}"]).fetchone()
    items = db.execute(
        "select id, seq, text, source_text from items where document_id = ? and text like '%xss-%' order by seq",
        [doc["id"]],
    ).fetchall()
    assert len(items) == 3, [tuple(i) for i in items]  # the three Clerk to ... lines
    return {"id": doc["id"], "items": items}


def injected(page) -> dict[str, int]:
    """How many elements the hostile text would have created if it were treated as HTML."""
    return page.evaluate(
        """() => ({
          scripts: [...document.scripts].filter(s => s.textContent.includes('xss-')).length,
          handlers: document.querySelectorAll('[onerror], [onload], [onclick], [onmouseover]').length,
          js_links: [...document.querySelectorAll('a[href]')]
            .filter(a => a.getAttribute('href').trim().toLowerCase().startsWith('javascript:')).length,
          images: [...document.images].filter(i => i.getAttribute('src') === 'x').length,
        })"""
    )


def assert_inert(page, watched) -> None:
    page.wait_for_load_state("networkidle")  # give an onerror handler its chance to fire
    assert injected(page) == INERT
    assert watched.dialogs == []
    assert [m for m in watched.console if "xss-" in m] == []
    assert watched.errors == []


def test_document_page_shows_the_markup_as_text(page, server, hostile, watched):
    assert len(MARKUP) == 5
    page.goto(f"{server}-/document/{hostile['id']}")
    text = page.locator(".document-text").inner_text()
    for line in MARKUP:
        assert line in text
    marked = page.locator(".document-text mark.item").all_inner_texts()
    for item in hostile["items"]:
        assert item["source_text"] in marked
    table = page.locator("table.document-items").inner_text()
    assert all(item["text"] in table for item in hostile["items"])
    assert_inert(page, watched)


def test_targeted_hostile_item_is_inert_too(page, server, hostile, watched):
    item = hostile["items"][0]
    page.goto(f"{server}-/document/{hostile['id']}#item-{item['seq']}")
    assert page.locator(".item-card:target + mark").inner_text() == item["source_text"]
    assert_inert(page, watched)


@pytest.mark.parametrize(
    "path",
    [
        "minutes/items?council_id=bramble-end-parish-council",
        "minutes/actions?council=Bramble+End+Parish+Council",
        "minutes/search?q=xss",
        "minutes/search_items?q=xss",
        "minutes/new_items?committee=Bramble",
        "minutes/action_register?committee=Bramble",
        "minutes/outstanding_actions?committee=Bramble",
        "minutes/open_actions_by_owner?owner=Clerk",
    ],
)
def test_tables_and_queries_show_the_markup_as_text(path, page, server, hostile, watched):
    page.goto(server + path)
    shown = page.locator("table.rows-and-columns").inner_text()
    assert any("<script>alert('xss-item')</script>" in cell for cell in shown.splitlines()), path
    assert_inert(page, watched)


def test_item_and_document_rows_show_the_markup_as_text(page, server, hostile, watched):
    item = hostile["items"][1]
    page.goto(f"{server}minutes/items/{tilde_encode(item['id'])}")
    assert item["text"] in page.locator("table.rows-and-columns").inner_text()
    assert_inert(page, watched)
    page.goto(f"{server}minutes/documents/{hostile['id']}")
    assert_inert(page, watched)


def test_atom_feed_carries_the_markup_as_escaped_text(page, server, hostile, watched):
    page.goto(f"{server}minutes/outstanding_actions?committee=Bramble")
    feed = page.request.get(urljoin(page.url, page.locator("a.feed-atom").get_attribute("href")))
    entries = ET.fromstring(feed.body()).findall(f"{ATOM}entry")
    contents = [e.findtext(f"{ATOM}content") for e in entries]
    assert len(contents) == len(hostile["items"])
    for content in contents:
        assert "<script" not in content and "onerror=" not in content.replace("onerror=&quot;", "")
        assert 'href="javascript' not in content
    assert any("&lt;script&gt;alert('xss-item')&lt;/script&gt;" in c or "&lt;script&gt;alert(&#x27;xss-item&#x27;)" in c
               for c in contents)  # fmt: skip
    # a feed reader renders the content as HTML: it must stay inert there too
    page.set_content("<div>" + "".join(contents) + "</div>")
    assert "<script>alert('xss-item')</script>" in page.inner_text("div")
    assert_inert(page, watched)
