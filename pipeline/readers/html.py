"""HTML: committee pages saved from a council website, mostly ModernGov.

ModernGov publishes minutes in two page shapes. An "Agenda item" page
(``mgAi.aspx``) holds one item: its title, then "Decision:", "Minutes:" and
"Supporting documents:" sections. An "Agenda, decisions and minutes" page
(``ieListDocuments.aspx``) holds every item of a meeting in a table, one row
per item: a number cell, then a cell with the title and the same sections.
Both sit inside a council's site template full of menus, scripts and cookie
banners, which must never become text.

The reader drops that chrome, walks the remaining tree in document order and
turns it into heading, para, list_item and table_row drafts for
:func:`~pipeline.document.assemble`. Section labels ("Decision:") stay headings
of their own so ``structure`` can find the sections.
"""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import PreformattedString
from bs4.exceptions import ParserRejectedMarkup
from lxml.etree import LxmlError

from ..document import Block, Document, Metadata, assemble
from ..errors import UnreadableDocument
from ..numbering import BULLETS, is_bullet, number_style, split_number
from .txt import decode

# A charset declaration after this many bytes is ignored: browsers look at the first 1024,
# but some council templates put megabytes of inline script ahead of their <meta>.
CHARSET_SCAN_BYTES = 1024 * 1024
# Elements nested deeper than this are read as plain text: real pages nest a few dozen
# deep, and unclosed tags in broken markup can nest thousands deep.
MAX_DEPTH = 150

PARSER_ERRORS = (ParserRejectedMarkup, LxmlError, ValueError, AssertionError)

# Never text, wherever they are. They are skipped rather than removed from the tree: bs4
# removes an element in time proportional to its siblings, so removing 100,000 <script>s
# from one <head> takes minutes.
DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "frame", "frameset", "object",
        "embed", "canvas", "map", "audio", "video", "input", "button", "select", "textarea", "option", "datalist",
    }
)  # fmt: skip
HEAD_TAGS = frozenset({"head", "title", "meta", "link", "base"})  # read for metadata, never text
# Page chrome by element name; <header> is kept inside an article (it is the article's own title).
CHROME_TAGS = frozenset({"nav", "aside", "footer", "header", "dialog"})
CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar", "complementary"})
# Page chrome by a word in its id or class ("mgBreadCrumbs" -> "crumbs", "mgSideNav" -> "nav")...
CHROME_WORDS = frozenset(
    {
        "breadcrumb", "breadcrumbs", "crumb", "crumbs", "nav", "navbar", "navigation", "sidenav", "menu",
        "menubar", "megamenu", "skip", "skiplink", "skiplinks", "cookie", "cookies", "consent", "gdpr",
        "search", "searchbox", "sidebar", "footer", "social", "share", "sharing", "feedback", "toolbar",
    }
)  # fmt: skip
# ...or by a stem anywhere in one, for run-together names ("topmenu", "mainnavbar").
CHROME_STEMS = ("menu", "breadcrumb", "crumbs", "cookie", "skiplink", "sidebar", "footer", "navbar", "sidenav")
# Where a page's own content sits, most preferred first. ModernGov's #modgov wraps both the
# page heading and .mgContent, so it comes before the narrower content div.
CONTENT_ROOTS = ("main", "[role=main]", "#modgov", "#mgContent / .mgContent", "#content", "article")
# ModernGov marks titles with classes on <p> elements rather than with h1-h6.
TITLE_CLASSES = {"mgMainTitleTxt": 1, "mgSubTitleTxt": 2, "mgAiTitleTxt": 3, "mgSubItemTitleTxt": 4}
# Section labels that always become headings of their own, even when printed in bold at the
# start of a paragraph ("<p><b>Decision:</b> That ...</p>").
SECTION_LABELS = frozenset({"decision:", "decisions:", "minutes:", "supporting documents:"})
HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}
BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "body", "html", "blockquote", "dl", "dt", "dd", "pre",
        "address", "center", "figure", "figcaption", "fieldset", "legend", "hr", "caption", "details",
        "summary", "form", "tr", "td", "th", "tbody", "thead", "tfoot", "li", "ul", "ol", "table",
    }
)  # fmt: skip
# A table cell holding more than one of these, or any but p/div, is page layout, not data.
LAYOUT_TAGS = frozenset({"p", "div", "ul", "ol", "table", "blockquote", *HEADING_TAGS})
BOLD_TAGS = frozenset({"b", "strong"})
HEADING_MAX_WORDS = 14  # a bold paragraph longer than this is emphasis, not a heading
LIST_STYLES = {
    "1": "decimal", "a": "lower-alpha", "A": "upper-alpha", "i": "lower-roman", "I": "upper-roman",
    "decimal": "decimal", "lower-alpha": "lower-alpha", "lower-latin": "lower-alpha",
    "upper-alpha": "upper-alpha", "upper-latin": "upper-alpha", "lower-roman": "lower-roman",
    "upper-roman": "upper-roman", "none": "none",
}  # fmt: skip

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# Comments, and script and style bodies (raw text that ends at the first matching end tag),
# are cut out before parsing: a page with 100,000 inline <script>s otherwise takes seconds to
# parse. Matching comments in the same pass keeps "<script>" inside a comment from being cut.
_RAW_TEXT = re.compile(r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")
_SOURCE_SPACE = re.compile(r"[ \t\r\n\f\v]+")  # HTML whitespace; nbsp is not in it
_SPACES = re.compile(r"[ \u00a0\u2007\u2009\u202f]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_PARA_BREAK = re.compile(r"[ \u00a0]*\n(?:[ \u00a0]*\n)+[ \u00a0]*")  # <br><br>
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_END_PUNCT = re.compile(r"[.;,]$")
_LEAD_IN = re.compile(r"[:\-–]$")  # "RESOLVED: That the Committee:-" opens a list; it is no title
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)
_LIST_STYLE = re.compile(r"list-style(?:-type)?\s*:\s*([a-z-]+)", re.IGNORECASE)
# ModernGov prints a linked report's size after an item title: "Budget monitoring PDF 388 KB".
_FILE_SIZE = re.compile(r"\s*(?:PDF|DOC|DOCX|XLSX?)\s+\d+(?:\.\d+)?\s*[KM]B$")

_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_LONG_DATE = r"\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+,?\s+\d{4}"
# "Place Scrutiny Committee - Thursday, 11th July, 2024 10.00 am" (heading of a meeting page)
# "Agenda for Place Scrutiny Committee on Thursday, 11th July, 2024, 10.00 am" (its <title>)
# "Meeting: 11/07/2024 - Place Scrutiny Committee (Item 6.)" (an agenda item page)
_MEETING_PATTERNS = (
    re.compile(rf"^(?P<committee>[^\n]{{3,120}}?)\s+[-–]\s+{_WEEKDAY},?\s+(?P<date>{_LONG_DATE})"),
    re.compile(rf"^(?:Agenda|Minutes|Decisions)\b[^\n]*?\bfor\s+(?P<committee>.{{3,120}}?)\s+on\s+{_WEEKDAY},?\s+(?P<date>{_LONG_DATE})"),
    re.compile(r"^Meeting:\s*(?P<date>\d{1,2}/\d{1,2}/\d{4})\s+[-–]\s+(?P<committee>.{3,120}?)(?:\s+\(Item\b[^)]*\))?\s*$"),
)  # fmt: skip
_TITLE_SEPARATOR = re.compile(r"\s+[-|–]\s+")
_COUNCIL = re.compile(r"\bCouncil\b")


def read_html(data: bytes, path: Path) -> Document:
    """Read an HTML page into blocks, with what its head and headings say about the meeting.

    A page with no text gives a Document with empty text; ``read`` turns that into EmptyDocument.

    :raises UnreadableDocument: when no parser accepts the markup.
    """
    soup = parse(_RAW_TEXT.sub("", _CONTROL.sub("", decode_html(data))), path)
    try:
        meta = page_metadata(soup)
        drafts = page_blocks(soup)
    except RecursionError:  # MAX_DEPTH should prevent this; a bad page must still not crash a batch
        raise UnreadableDocument(f"{path}: HTML is nested too deeply to read") from None
    text, blocks = assemble(drafts)
    return Document(source=str(path), sha256="", format="html", text=text, blocks=blocks, meta=meta)


def parse(text: str, path: Path) -> BeautifulSoup:
    """Parse with lxml, or with Python's own parser when lxml chokes on the markup."""
    error: Exception | None = None
    for parser in ("lxml", "html.parser"):
        try:
            with warnings.catch_warnings():  # bs4 warns about XHTML pages and about text that looks like a path
                warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
                warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
                return BeautifulSoup(text, parser)
        except PARSER_ERRORS as e:  # lxml rejects some garbage (attribute names with "{") that Python takes
            error = e
    raise UnreadableDocument(f"{path}: HTML parser rejected the markup ({type(error).__name__})") from None


# --- decoding -----------------------------------------------------------------------------------


def decode_html(data: bytes) -> str:
    """Decode a page by its byte-order mark, then its declared charset, then by detection."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(data)
    encoding = declared_encoding(data)
    if encoding is None:
        return decode(data)
    if encoding == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:  # pages saved as Windows-1252 keep their template's utf-8 <meta>
            return decode(data)
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:  # a codec that is no text encoding ("base64")
        return decode(data)


def declared_encoding(data: bytes) -> str | None:
    """The Python codec a page declares in its XML declaration or ``<meta>`` charset, if usable.

    Follows browsers: a Latin-1 or ASCII label means Windows-1252, a UTF-16 label in a page
    readable as ASCII is a mistake for UTF-8, and UTF-7 is never honoured.
    """
    head = data[:CHARSET_SCAN_BYTES]
    m = _XML_DECL.match(head) or _META_CHARSET.search(head)
    if not m:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if name in ("iso8859-1", "latin-1", "ascii"):
        return "cp1252"
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return None if name == "utf-7" else name


# --- cleaning -----------------------------------------------------------------------------------


def page_forms(body: Tag) -> set[int]:
    """Ids of the forms that are not the page itself: search boxes, sign-up forms.

    ModernGov is ASP.NET, where one <form> often wraps the whole page; that one is kept.
    """
    page_chars = _visible_chars(body)
    return {id(form) for form in _tags(body) if form.name == "form" and not _wraps_page(form, page_chars)}


def _wraps_page(form: Tag, page_chars: int) -> bool:
    if any(_root_rank(t) is not None or t.name == "h1" for t in _tags(form)):
        return True
    return _visible_chars(form) * 2 >= page_chars


def _visible_chars(node: Tag) -> int:
    return sum(len("".join(s.split())) for s in _strings(node))


def content_root(soup: BeautifulSoup) -> Tag:
    """The element holding the page's own content (see CONTENT_ROOTS), or else the body."""
    candidates: dict[int, list[Tag]] = {}
    for tag in _tags(soup):
        rank = _root_rank(tag)
        if rank is not None:
            candidates.setdefault(rank, []).append(tag)
    for rank in sorted(candidates):
        for tag in candidates[rank]:
            if any(s.strip() for s in _strings(tag)):
                return tag
    return soup.body or soup


def _root_rank(tag: Tag) -> int | None:
    """The position in CONTENT_ROOTS of the selector ``tag`` matches, if any."""
    ident = tag.get("id")
    if tag.name == "main":
        return 0
    if tag.get("role") == "main":
        return 1
    if ident == "modgov":
        return 2
    if ident == "mgContent" or "mgContent" in (tag.get("class") or []):
        return 3
    if ident == "content":
        return 4
    return 5 if tag.name == "article" else None


def chrome_elements(root: Tag, *, by_name: bool = True) -> set[int]:
    """Ids of the elements under ``root`` that are navigation, banners or hidden, not content.

    :param by_name: also judge by words in ids and classes, the part of the guess that can be wrong.
    """
    return {id(tag) for tag in _tags(root) if is_chrome(tag, by_name=by_name)}


def is_chrome(tag: Tag, *, by_name: bool = True) -> bool:
    """True for navigation, headers and footers, menus, cookie banners, search boxes and hidden elements."""
    if tag.name in CHROME_TAGS:
        return not (tag.name == "header" and tag.find_parent(["article", "main", "section"]))
    attrs = tag.attrs or {}
    if "hidden" in attrs or _DISPLAY_NONE.search(str(attrs.get("style", ""))):
        return True
    if str(attrs.get("role", "")).lower() in CHROME_ROLES:
        return True
    if not by_name:
        return False
    words = _attr_words(tag)
    return bool(CHROME_WORDS & words) or any(stem in word for word in words for stem in CHROME_STEMS)


def _attr_words(tag: Tag) -> set[str]:
    classes = tag.get("class") or []
    values = [*(classes if isinstance(classes, list) else [classes]), str(tag.get("id") or "")]
    words: set[str] = set()
    for value in values:
        for part in re.split(r"[-_\s.:]+", value):
            words.add(part.lower())
            words.update(w.lower() for w in _CAMEL.findall(part))
    return words


def _tags(node: Tag) -> Iterator[Tag]:
    """The elements under ``node`` in document order, leaving out DROP_TAGS and what they hold.

    Neither recursive (deep pages cannot overflow the stack) nor bs4's ``descendants``,
    which first walks to the last descendant and so costs the whole depth even when
    the caller stops at the first match.
    """
    stack = list(reversed(node.contents))
    while stack:
        child = stack.pop()
        if isinstance(child, Tag) and child.name not in DROP_TAGS:
            yield child
            stack.extend(reversed(child.contents))


def _strings(node: Tag) -> Iterator[NavigableString]:
    """The text nodes under ``node`` in document order, without comments or anything in DROP_TAGS."""
    stack = list(reversed(node.contents))
    while stack:
        child = stack.pop()
        if isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString):  # comments, CDATA, doctype
                yield child
        elif isinstance(child, Tag) and child.name not in DROP_TAGS:
            stack.extend(reversed(child.contents))


def _text(node: Tag, sep: str = "") -> str:
    return sep.join(_strings(node))


def _by_name(soup: BeautifulSoup) -> dict[str, list[Tag]]:
    """Every element of the page grouped by tag name, in one pass (bs4's find_all is a pass each)."""
    index: dict[str, list[Tag]] = {}
    for tag in _tags(soup):
        index.setdefault(tag.name, []).append(tag)
    return index


# --- metadata -----------------------------------------------------------------------------------


def page_metadata(soup: BeautifulSoup) -> Metadata:
    """Title, council, committee, meeting date and URL from the page's head and headings."""
    index = _by_name(soup)
    titles = [_squash(_text(t)) for t in index.get("title", []) + index.get("h1", [])]
    title = next((t for t in titles if t), "")
    committee, date = None, None
    for line in _meeting_lines(soup, title):
        committee, date = parse_meeting_line(line)
        if committee:
            break
    metas = index.get("meta", [])
    return Metadata(
        council=_meta_content(metas, "og:site_name") or _council_from_title(title),
        committee=committee,
        meeting_date=date,
        title=title or None,
        url=_canonical_url(index.get("link", [])) or _meta_content(metas, "og:url"),
    )


def parse_meeting_line(line: str) -> tuple[str | None, str | None]:
    """Committee and ISO date from a ModernGov meeting heading.

    >>> parse_meeting_line("Place Scrutiny Committee - Thursday, 11th July, 2024 10.00 am")
    ('Place Scrutiny Committee', '2024-07-11')
    >>> parse_meeting_line("Meeting: 11/07/2024 - Place Scrutiny Committee (Item 6.)")
    ('Place Scrutiny Committee', '2024-07-11')
    """
    for pattern in _MEETING_PATTERNS:
        m = pattern.match(line)
        if m:
            return m.group("committee").strip(" -–:"), parse_date(m.group("date"))
    return None, None


def parse_date(text: str) -> str | None:
    """``11th July, 2024`` or ``11/07/2024`` (day first, as UK councils write it) as ``2024-07-11``."""
    cleaned = _squash(re.sub(r"(?<=\d)(?:st|nd|rd|th)\b|,", "", text))
    for fmt in ("%d %B %Y", "%d %b %Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _meeting_lines(soup: BeautifulSoup, title: str) -> Iterator[str]:
    yield title
    for tag in (t for t in _tags(soup) if t.name in ("h1", "h2", "h3", "p")):
        if tag.name != "p" or _title_level(tag) is not None:
            yield _squash(_text(tag))
            continue
        text = _squash(_text(tag))
        if text.startswith("Meeting:") and len(text) < 200:
            yield text


def _meta_content(metas: list[Tag], prop: str) -> str | None:
    for tag in metas:
        if prop in (tag.get("property"), tag.get("name")):
            return _squash(str(tag.get("content") or "")) or None
    return None


def _canonical_url(links: list[Tag]) -> str | None:
    for link in links:
        if "canonical" in (link.get("rel") or []):
            return str(link.get("href") or "").strip() or None
    return None


def _council_from_title(title: str) -> str | None:
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) > 1 and _COUNCIL.search(parts[-1]):
        return parts[-1].strip()
    return None


# --- blocks -------------------------------------------------------------------------------------


def page_blocks(soup: BeautifulSoup) -> list[Block]:
    """Draft blocks for the page's content, chrome left out.

    If leaving chrome out leaves nothing, the guess was wrong (a whole page classed
    "page-with-sidebar"), so the body is read again, and then again leaving out only
    what the markup itself calls navigation (<nav>, <footer>, role="navigation", hidden).
    """
    body = soup.body or soup
    forms = page_forms(body)
    root = content_root(soup)
    drafts = _Walker(skip=forms | chrome_elements(root)).run(root)
    if not drafts and root is not body:
        drafts = _Walker(skip=forms | chrome_elements(body)).run(body)
    return drafts or _Walker(skip=forms | chrome_elements(body, by_name=False)).run(body)


@dataclass
class _Walker:
    """Walks a tree in document order, collecting inline text until a block element ends it."""

    skip: set[int]  # ids of elements left out: chrome, and labels already emitted
    drafts: list[Block] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)
    pending_number: str | None = None  # a number printed alone, waiting for the text it numbers
    depth: int = 0

    def run(self, root: Tag) -> list[Block]:
        self.walk(root)
        self.flush()
        if self.pending_number:
            self.drafts.append(Block(text=self.pending_number))
        return self.drafts

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):  # comments, CDATA, doctype
                    self.buffer.append(_source_text(child))
            elif isinstance(child, Tag) and _is_content(child, self.skip):
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    self.buffer.append(_source_text(_text(child, " ")))
                else:
                    self.element(child)
                self.depth -= 1

    def element(self, tag: Tag) -> None:
        name = tag.name
        if not _is_content(tag, self.skip):
            return
        if name == "br":
            self.buffer.append("\n")
        elif name in HEADING_TAGS:
            self.flush()
            self.emit(_squash_lines(inline_text(tag, self.skip)), "heading", HEADING_TAGS[name])
        elif name in ("ul", "ol"):
            self.flush()
            self.list_items(tag, depth=1)
        elif name == "table":
            self.flush()
            self.table(tag)
        elif name in BLOCK_TAGS:
            self.flush()
            level = _title_level(tag)
            leaf = not any(t.name in BLOCK_TAGS or t.name in HEADING_TAGS for t in _tags(tag))
            label = _leading_label(tag) if leaf and level is None else None
            if label is not None:
                self.emit(_squash(_text(label)), "heading", 0)
                self.skip.add(id(label))
            heading = level is not None or (leaf and label is None and _is_bold_heading(tag))
            self.walk(tag)
            self.flush("heading" if heading else None, level or 0)
        else:
            self.walk(tag)  # inline: its text runs on with its neighbours'

    def flush(self, hint: str | None = None, level: int = 0) -> None:
        """End the current block: ``<br><br>`` splits it, and so does a numbered line after a ``<br>``."""
        raw = "".join(self.buffer)
        self.buffer = []
        if not raw.strip():
            return
        for para in _PARA_BREAK.split(raw):
            for line in _numbered_lines(para):
                self.emit(line, hint, level)

    def emit(self, text: str, hint: str | None, level: int, number: str | None = None) -> None:
        """Add one draft, splitting off its typed number; a number alone waits for the next block.

        :param hint: "heading", "list_item" or "table_row" when the markup says so, else None.
        :param number: the number the markup gives (an ``<ol>`` position); a typed one wins.
        """
        text = _INVISIBLE.sub("", text).replace("\u00a0", " ").strip()
        typed, rest = split_number(text)
        rest = _squash(rest)
        if typed and not rest:
            if self.pending_number:
                self.drafts.append(Block(text=self.pending_number))
            self.pending_number = typed
            return
        if not rest:
            return
        number = typed or number
        if self.pending_number:
            if number is None:
                number = self.pending_number
            else:
                self.drafts.append(Block(text=self.pending_number))
            self.pending_number = None
        kind = "list_item" if hint == "list_item" else _kind(hint, number, rest)
        if kind == "heading":
            rest = _FILE_SIZE.sub("", rest) or rest
        self.drafts.append(Block(text=rest, kind=kind, number=number, level=level))

    def list_items(self, tag: Tag, depth: int) -> None:
        """Each ``<li>`` is one list_item numbered as a browser numbers it; nested lists go one level down."""
        style = _list_style(tag)
        reverse = tag.has_attr("reversed")
        items = [c for c in tag.children if isinstance(c, Tag) and c.name == "li" and id(c) not in self.skip]
        counter = _int_attr(tag, "start", len(items) if reverse else 1)
        for child in tag.children:
            if not isinstance(child, Tag) or id(child) in self.skip:
                if isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
                    self.buffer.append(_source_text(child))
                continue
            if child.name != "li":
                self.element(child)
                continue
            self.flush()
            counter = _int_attr(child, "value", counter)
            nested = [t for t in _tags(child) if t.name in ("ul", "ol") and t.find_parent("li") is child]
            text = inline_text(child, self.skip | {id(t) for t in nested})
            self.emit(_squash_lines(text), "list_item", depth, list_marker(style, counter))
            for sub in nested:
                if depth < MAX_DEPTH:
                    self.list_items(sub, depth + 1)
                else:
                    self.buffer.append(_source_text(_text(sub, " ")))
                    self.flush()
            counter += -1 if reverse else 1
        self.flush()

    def table(self, tag: Tag) -> None:
        for child in tag.children:
            if not isinstance(child, Tag) or id(child) in self.skip:
                continue
            if child.name in ("thead", "tbody", "tfoot"):
                for row in child.children:
                    if isinstance(row, Tag) and row.name == "tr":
                        self.row(row)
            elif child.name == "tr":
                self.row(child)
            else:
                self.element(child)  # <caption>, or stray content the parser left in the table
        self.flush()

    def row(self, tr: Tag) -> None:
        """A data row becomes one table_row; a row laid out with paragraphs is read cell by cell."""
        if id(tr) in self.skip:
            return
        cells = [c for c in tr.children if isinstance(c, Tag) and c.name in ("td", "th") and id(c) not in self.skip]
        if any(_is_layout_cell(c) for c in cells):
            for cell in cells:
                self.walk(cell)
                self.flush()
            return
        texts = [t for t in (_squash_lines(inline_text(c, self.skip)) for c in cells) if _squash(t)]
        if not texts:
            return
        number, rest = split_number(texts[0].replace("\u00a0", " "))
        if number and not rest.strip() and len(texts) > 1 and not is_bullet(number):
            if len(texts) == 2:  # "6.1 | The Director reported ..." is a numbered paragraph set in a table
                levels = [level for t in _tags(cells[-1]) if (level := _title_level(t)) is not None]
                if levels:  # an agenda with no minutes yet: "4." | "<p class=mgAiTitleTxt>Budget</p>"
                    self.emit(texts[1], "heading", min(levels), number)
                else:
                    self.emit(texts[1], "heading" if _is_bold_heading(cells[-1]) else None, 0, number)
            else:
                self.emit(" | ".join(_squash(t) for t in texts[1:]), "table_row", 0, number)
        elif len(texts) == 1:
            self.emit(texts[0], "heading" if all(c.name == "th" for c in cells) else None, 0)
        else:
            self.emit(" | ".join(_squash(t) for t in texts), "table_row", 0)


def inline_text(node: Tag, skip: set[int], depth: int = 0) -> str:
    """The text of ``node`` as one run: ``<br>`` as a newline, block boundaries as spaces."""
    if depth > MAX_DEPTH:
        return _source_text(_text(node, " "))
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString):
                parts.append(_source_text(child))
        elif isinstance(child, Tag) and _is_content(child, skip):
            if child.name == "br":
                parts.append("\n")
            elif child.name in BLOCK_TAGS or child.name in HEADING_TAGS:
                parts.append(" " + inline_text(child, skip, depth + 1) + " ")
            else:
                parts.append(inline_text(child, skip, depth + 1))
    return "".join(parts)


def list_marker(style: str, n: int) -> str | None:
    """The marker a browser prints for item ``n`` of a list: "3." "c)" "iv)" "•"; None for none.

    >>> [list_marker(s, 4) for s in ("decimal", "lower-alpha", "lower-roman", "disc")]
    ['4.', 'd)', 'iv)', '•']
    """
    if style == "none":
        return None
    if style == "decimal":
        return f"{n}."
    if style in ("lower-alpha", "upper-alpha") and n > 0:
        letters = _alpha(n)
        return f"{letters.upper() if style == 'upper-alpha' else letters})"
    if style in ("lower-roman", "upper-roman") and 0 < n < 4000:
        numeral = _roman(n)
        return f"{numeral.upper() if style == 'upper-roman' else numeral})"
    if style in ("lower-alpha", "upper-alpha", "lower-roman", "upper-roman"):
        return f"{n}."  # browsers fall back to decimal outside a style's range
    return BULLETS[0]


def _list_style(tag: Tag) -> str:
    m = _LIST_STYLE.search(str(tag.get("style") or ""))
    if m and m.group(1).lower() in LIST_STYLES:
        return LIST_STYLES[m.group(1).lower()]
    if tag.name == "ul":
        return "disc"
    return LIST_STYLES.get(str(tag.get("type") or "1").strip(), "decimal")


def _int_attr(tag: Tag, name: str, default: int) -> int:
    try:
        return int(str(tag.get(name)).strip())
    except (TypeError, ValueError):
        return default


def _alpha(n: int) -> str:
    letters = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        letters = chr(ord("a") + r) + letters
    return letters


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):  # fmt: skip
        count, n = divmod(n, value)
        out += numeral * count
    return out


def _kind(hint: str | None, number: str | None, text: str) -> str:
    if hint in ("heading", "table_row"):
        return hint
    if text.lower() in SECTION_LABELS:
        return "heading"
    if number is None:
        return "para"
    if number_style(number) in ("decimal", "dotted", "minute") and _looks_like_title(text):
        return "heading"  # "4. Apologies for absence"
    return "list_item"


def _looks_like_title(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= HEADING_MAX_WORDS
        and not _END_PUNCT.search(text)
        and not _LEAD_IN.search(text)
        and text[:1].isupper()
    )


def _title_level(tag: Tag) -> int | None:
    levels = [TITLE_CLASSES[c] for c in tag.get("class") or [] if c in TITLE_CLASSES]
    return min(levels) if levels else None


def _is_bold_heading(tag: Tag) -> bool:
    """A short paragraph printed wholly in bold: "<p><strong>Decision:</strong></p>"."""
    if tag.name not in ("p", "div", "td", "th", "dt"):
        return False
    text = _squash(_text(tag))
    if not text or len(text.split()) > HEADING_MAX_WORDS or _END_PUNCT.search(text):
        return False
    return all(_in_bold(s, tag) for s in _strings(tag) if s.strip())


def _leading_label(tag: Tag) -> Tag | None:
    """The bold section label opening a paragraph that goes on after it: "<b>Decision:</b> That ..."."""
    if tag.name not in ("p", "div"):
        return None
    first = next((s for s in _strings(tag) if s.strip()), None)
    bold = next((p for p in _parents_within(first, tag) if p.name in BOLD_TAGS), None) if first else None
    if bold is None:
        return None
    label = _squash(_text(bold))
    if label.lower() not in SECTION_LABELS or label == _squash(_text(tag)):
        return None
    return bold


def _parents_within(node: NavigableString, stop: Tag) -> Iterator[Tag]:
    """The ancestors of ``node`` below ``stop``, nearest first."""
    for parent in node.parents:
        if parent is stop:
            return
        yield parent


def _in_bold(string: NavigableString, stop: Tag) -> bool:
    for parent in string.parents:
        if parent.name in BOLD_TAGS or _BOLD_STYLE.search(str(parent.get("style") or "")):
            return True
        if parent is stop:
            return stop.name == "th"
    return False


def _is_layout_cell(cell: Tag) -> bool:
    """A cell laid out with several paragraphs, a list, a heading or a nested table: not a data cell."""
    blocks = 0
    for tag in _tags(cell):
        if tag.name in LAYOUT_TAGS:
            blocks += 1
            if blocks > 1 or tag.name not in ("p", "div"):
                return True
    return False


def _numbered_lines(para: str) -> list[str]:
    """Split a paragraph at single ``<br>`` s only where the next line starts with a number."""
    groups: list[list[str]] = []
    for line in para.split("\n"):
        if not line.strip():
            continue
        number = split_number(line.replace("\u00a0", " ").strip())[0]
        lone_number = bool(groups) and len(groups[-1]) == 1 and split_number(groups[-1][0].strip())[1] == ""
        if not groups or (number is not None and not lone_number):
            groups.append([line])
        else:
            groups[-1].append(line)
    return [" ".join(g) for g in groups]


def _is_content(tag: Tag, skip: set[int]) -> bool:
    return tag.name not in DROP_TAGS and tag.name not in HEAD_TAGS and id(tag) not in skip


def _source_text(s: str) -> str:
    # Source line breaks and indentation are not text; &nbsp; is, and a run of them can
    # separate a paragraph number from its text ("1&nbsp;&nbsp;&nbsp;Present").
    return _SOURCE_SPACE.sub(" ", s)


def _squash(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def _squash_lines(text: str) -> str:
    """Join a heading's or cell's ``<br>`` lines, keeping a leading run of nbsp for ``split_number``."""
    return re.sub(r"\s*\n\s*", " ", text).strip(" \t")
