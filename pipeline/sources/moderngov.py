"""ModernGov: fetch a council's published minutes from its web service and store them like files.

Most English and Welsh councils publish committee papers with ModernGov, whose public web
service ``mgWebService.asmx`` answers plain GETs with XML:

- ``GetCommittees?lDays=0``: every ``committee`` (``committeeid``, ``committeetitle``, ``committeedeleted``);
- ``GetMeetings?lCommitteeId=N&sFromDate=dd/mm/yyyy&sToDate=dd/mm/yyyy``: each ``meeting``
  (``meetingid``, ``meetingdate``); some sites ignore the dates and list every meeting;
- ``GetMeeting?lMeetingId=N``: one ``meeting`` with ``minutepublished``, its ``agendaitems``
  (each ``agendaitem`` with ``agendaitemtitle``, ``minutesitemnumber``, ``isrestricted``,
  ``decisionnonemptyhtmlbody``, ``minutesnonemptyhtmlbody`` and ``linkeddocuments``) and the
  meeting's own ``linkeddocuments`` (``linkeddoc`` with ``title``, ``url``, ``isrestricted``).

For each meeting with published minutes, the public items' minutes become one HTML document
(item number and title as a heading, then "Decision:" and "Minutes:" sections), which goes
through the ordinary pipeline (:func:`pipeline.run.run`) and :func:`pipeline.store.save`, so
its rows land in the same tables as an ingested file. A meeting whose minutes are published
only as a file (PDF or DOCX among its linked documents) has that file downloaded and ingested
instead. Each meeting's minutes are one document at ``moderngov://<host>/meeting/<id>``, so a
re-fetch updates the same rows, and approved minutes replace the draft (the draft is kept in
``source_versions``, see :mod:`pipeline.sources.records`).

Restricted (exempt) items and documents are dropped as the XML is parsed: their text and
titles are never held, stored or downloaded; only their minute numbers are recorded, as
``sources.withheld``.

What the service gets wrong, handled here: dates are ``dd/mm/yyyy``; titles arrive
HTML-encoded twice (``Health &amp;amp; Wellbeing``); document links come back as ``http://``
(or with the server's internal host port) on an ``https://`` site; and ``GetMeetings`` may
ignore the date range, so meetings are filtered here as well.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from .. import store
from ..document import Metadata
from ..errors import PipelineError
from . import records
from .http import Client, FetchFailed

SERVICE = "mgWebService.asmx"
SCHEME = "moderngov"
DEFAULT_DAYS = 365  # without --from, meetings of the last year are fetched
# After this many refusals in a row (401/403: a firewall, a login wall) the site is not asked again in
# this run: every further request would be refused too, and hammering a firewall gets an address banned.
MAX_REFUSALS = 3
REFUSED = frozenset({401, 403})
MAX_UNESCAPES = 3  # titles are encoded twice; a third pass only ever finds literal text

_MINUTES_TITLE = re.compile(r"\bminutes?\b", re.IGNORECASE)
# "Minutes of the previous meeting" (and "Minutes, 15/07/2024 Council" under that item) are the
# last meeting's minutes, put to this one for approval: never this meeting's own.
_PREVIOUS_MINUTES = re.compile(r"\b(?:previous|last|earlier)\s+meeting\b", re.IGNORECASE)
_NOT_MINUTES = re.compile(r"\b(?:agenda|pack|front\s*sheet|frontsheet|appendix|report)\b", re.IGNORECASE)
_DRAFT = re.compile(r"\b(?:draft|unconfirmed|unapproved|not\s+yet\s+approved)\b", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"^\d+[A-Za-z]?$")


class BadServiceResponse(PipelineError):
    """The web service answered with XML that is malformed or not the shape ModernGov sends."""


class UnknownCommittee(PipelineError):
    """No committee on the site has the name or id asked for."""


@dataclass(frozen=True)
class Committee:
    """One committee as ``GetCommittees`` lists it (``title`` is None when the list could not be had)."""

    id: str
    title: str | None
    deleted: bool = False


@dataclass(frozen=True)
class MeetingRef:
    """One meeting as ``GetMeetings`` lists it."""

    id: str
    date: str | None  # YYYY-MM-DD


@dataclass(frozen=True)
class LinkedDoc:
    """A public document linked from a meeting or an agenda item (restricted ones are never kept)."""

    title: str
    url: str
    id: str | None = None
    on_item: bool = False  # linked from an agenda item rather than from the meeting itself


@dataclass(frozen=True)
class MeetingItem:
    """One public agenda item with its published minutes and decision (HTML fragments)."""

    number: str | None
    title: str
    minutes_html: str = ""
    decision_html: str = ""
    documents: tuple[LinkedDoc, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """One meeting from ``GetMeeting``, restricted items already left out (``withheld`` numbers them)."""

    id: str
    date: str | None
    committee_id: str | None = None
    committee_title: str | None = None
    minutes_published: bool | None = None
    items: tuple[MeetingItem, ...] = ()
    documents: tuple[LinkedDoc, ...] = ()
    withheld: tuple[str, ...] = ()


# --- parsing the service's XML (pure) ------------------------------------------------------------


def parse_xml(data: bytes, url: str, root: str) -> ET.Element:
    """The element named ``root`` (the document element or the first one below it), tags lower-cased.

    :raises BadServiceResponse: for malformed XML, or XML without that element (a firewall's
        HTML page served with status 200, an ASP.NET error page).
    """
    try:
        top = ET.fromstring(data)
    except ET.ParseError as e:
        raise BadServiceResponse(f"{url}: malformed XML from the web service ({e})") from None
    for el in top.iter():
        if isinstance(el.tag, str):
            el.tag = el.tag.rsplit("}", 1)[-1].lower()  # ASP.NET may add a namespace
    found = top if top.tag == root else top.find(f".//{root}")
    if found is None:
        raise BadServiceResponse(f"{url}: not a ModernGov {root} response (the document element is <{top.tag}>)")
    return found


def parse_committees(data: bytes, url: str) -> list[Committee]:
    """Committees from a ``GetCommittees`` response."""
    top = parse_xml(data, url, "committees") if b"<committees" in data.lower() else parse_xml(data, url, "committee")
    out = []
    for el in top.iter("committee"):
        cid = _text(el, "committeeid")
        if cid:
            out.append(Committee(cid, clean_title(_text(el, "committeetitle")) or None, _flag(el, "committeedeleted")))
    return out


def parse_meetings(data: bytes, url: str) -> list[MeetingRef]:
    """Meetings from a ``GetMeetings`` response (an empty list is a valid answer)."""
    lowered = data.lower()
    if b"<meeting" not in lowered:
        parse_xml(data, url, "meetings")  # raises unless it is a well-formed, empty list
        return []
    top = parse_xml(data, url, "meetings") if b"<meetings" in lowered else parse_xml(data, url, "meeting")
    out = []
    for el in top.iter("meeting"):
        mid = _text(el, "meetingid")
        if mid:
            out.append(MeetingRef(mid, uk_date(_text(el, "meetingdate"))))
    return out


def parse_meeting(data: bytes, url: str) -> Meeting:
    """One meeting from a ``GetMeeting`` response, restricted items and documents dropped unread.

    :raises BadServiceResponse: when the XML is malformed or has no ``meetingid``.
    """
    el = parse_xml(data, url, "meeting")
    mid = _text(el, "meetingid")
    if not mid:
        raise BadServiceResponse(f"{url}: the meeting has no meetingid")
    items: list[MeetingItem] = []
    withheld: list[str] = []
    agenda = el.find("agendaitems")
    for item in agenda.iter("agendaitem") if agenda is not None else ():
        number = _text(item, "minutesitemnumber") or _text(item, "agendaitemnumber") or None
        if _restricted(item):
            withheld.append(number or "?")
            continue  # nothing of an exempt item is kept, not even its title
        items.append(
            MeetingItem(
                number=number,
                title=clean_title(_text(item, "agendaitemtitle")),
                minutes_html=_text(item, "minutesnonemptyhtmlbody"),
                decision_html=_text(item, "decisionnonemptyhtmlbody"),
                documents=tuple(_documents(item, on_item=True)),
            )
        )
    published = _text(el, "minutepublished")
    return Meeting(
        id=mid,
        date=uk_date(_text(el, "meetingdate")),
        committee_id=_text(el, "committeeid") or None,
        committee_title=clean_title(_text(el, "committeetitle")) or None,
        minutes_published=None if not published else published.lower() == "true",
        items=tuple(items),
        documents=tuple(_documents(el, on_item=False)),
        withheld=tuple(withheld),
    )


def _documents(parent: ET.Element, *, on_item: bool) -> Iterable[LinkedDoc]:
    """The public documents linked directly from ``parent`` (a meeting or an agenda item)."""
    linked = parent.find("linkeddocuments")
    for doc in linked.iter("linkeddoc") if linked is not None else ():
        url = _text(doc, "url")
        if url and not _restricted(doc):
            yield LinkedDoc(clean_title(_text(doc, "title")), url, _text(doc, "attachmentid") or None, on_item)


def _restricted(el: ET.Element) -> bool:
    # isdisplayallowed False hides an item from the public site just as isrestricted does
    return _flag(el, "isrestricted") or _text(el, "isdisplayallowed").lower() == "false"


def _text(el: ET.Element, name: str) -> str:
    return (el.findtext(name) or "").strip()


def _flag(el: ET.Element, name: str) -> bool:
    return _text(el, name).lower() in ("true", "1", "yes")


def uk_date(text: str) -> str | None:
    """A service date, day first (``14/01/2025``, maybe with a time), as ``2025-01-14``; None if unreadable.

    >>> uk_date("14/01/2025"), uk_date("4/1/2025 00:00:00"), uk_date("2025-01-14"), uk_date("soon")
    ('2025-01-14', '2025-01-04', '2025-01-14', None)
    """
    text = text.strip().split(" ")[0].split("T")[0]
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def clean_title(text: str) -> str:
    """A title with every layer of HTML encoding undone and its spaces squashed.

    >>> clean_title("Health &amp;amp; Wellbeing   Board"), clean_title("Children&amp;#39;s Services")
    ('Health & Wellbeing Board', "Children's Services")
    """
    for _ in range(MAX_UNESCAPES):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return " ".join(text.replace("\u00a0", " ").split())


# --- URLs ---------------------------------------------------------------------------------------


def site_base(url: str) -> str:
    """The site's root, from its address or any page or service URL on it.

    >>> site_base("https://democracy.example.gov.uk/mgCommitteeDetails.aspx?ID=130")
    'https://democracy.example.gov.uk'
    >>> site_base("https://www.example.gov.uk/moderngov/")
    'https://www.example.gov.uk/moderngov'

    :raises ValueError: when ``url`` is not an http:// or https:// address.
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url}: not an http:// or https:// address")
    path = parts.path
    if SERVICE.lower() in path.lower():
        path = path[: path.lower().index(SERVICE.lower())]
    elif re.search(r"\.(?:aspx|asmx|html?)$", path, re.IGNORECASE):
        path = path.rsplit("/", 1)[0]
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path.rstrip("/"), "", ""))


def service_url(site: str, operation: str, **params: str) -> str:
    """The GET address of one web-service operation; dates keep their slashes, as the service prints them."""
    query = urllib.parse.urlencode(params, safe="/")
    return f"{site}/{SERVICE}/{operation}" + (f"?{query}" if query else "")


def document_url(url: str, site: str) -> str:
    """A linked document's address as it must be fetched: absolute, and on the site's own scheme and port.

    ModernGov builds links from its own configuration, which often says ``http://`` behind an
    HTTPS proxy (or names the server's internal port); on the site's host they are rewritten
    to the address the site was reached at.

    >>> document_url("http://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=5", "https://democracy.example.gov.uk")
    'https://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=5'
    >>> document_url("documents/s5/Minutes.pdf", "https://democracy.example.gov.uk")
    'https://democracy.example.gov.uk/documents/s5/Minutes.pdf'
    """
    absolute = urllib.parse.urljoin(site + "/", url.strip().replace("\\", "/"))
    parts = urllib.parse.urlsplit(absolute)
    base = urllib.parse.urlsplit(site)
    if parts.hostname and parts.hostname == base.hostname:
        parts = parts._replace(scheme=base.scheme, netloc=base.netloc)
    return urllib.parse.urlunsplit(parts._replace(path=urllib.parse.quote(parts.path, safe="/%:@!$&'()*+,;=-._~")))


def meeting_page(site: str, committee_id: str | None, meeting_id: str) -> str:
    """The meeting's public page ("Agenda, decisions and minutes"), the URL shown as provenance."""
    cid = f"CId={committee_id}&" if committee_id else ""
    return f"{site}/ieListDocuments.aspx?{cid}MId={meeting_id}"


def source_path(site: str, kind: str, ident: str = "") -> str:
    """The stable name of a fetched thing: ``moderngov://<host>/meeting/<id>`` is one meeting's minutes."""
    host = urllib.parse.urlsplit(site).netloc
    return f"{SCHEME}://{host}" + (f"/{kind}/{ident}" if kind else "")


# --- minutes ------------------------------------------------------------------------------------


def has_minutes_text(meeting: Meeting) -> bool:
    """Whether the meeting's public items carry published minutes text."""
    if meeting.minutes_published is False:
        return False  # the service may carry unpublished text; only what the site shows is taken
    return any(item.minutes_html.strip() for item in meeting.items)


def minutes_html(meeting: Meeting, committee: str | None, council: str | None) -> bytes:
    """One HTML document of the meeting's public minutes, in the shape the HTML reader knows.

    Each public item with minutes or a decision becomes a heading ("43. Elective Home
    Education") followed by "Decision:" and "Minutes:" sections holding the service's HTML.
    The bytes depend only on the meeting's content, so an unchanged meeting hashes the same.
    """
    heading = " - ".join(p for p in (committee, long_date(meeting.date)) if p) or f"Meeting {meeting.id}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # "Committee - Tuesday, 14th January, 2025 - Council": the HTML reader finds all three in it
        f"<title>{html.escape(' - '.join(p for p in (heading, council) if p))}</title>",
        "</head><body><main>",
        f"<h1>{html.escape(heading)}</h1>",
    ]
    for item in meeting.items:
        if not (item.minutes_html.strip() or item.decision_html.strip()):
            continue
        parts.append(f"<h2>{html.escape(numbered(item.number, item.title))}</h2>")
        if item.decision_html.strip():
            parts += ["<h3>Decision:</h3>", f"<div>{item.decision_html}</div>"]
        if item.minutes_html.strip():
            parts += ["<h3>Minutes:</h3>", f"<div>{item.minutes_html}</div>"]
    parts.append("</main></body></html>\n")
    return "\n".join(parts).encode("utf-8")


def numbered(number: str | None, title: str) -> str:
    """An item heading as minutes print it: ``43. Title``, ``112/24 Title``, or the title alone.

    >>> numbered("43", "Budget"), numbered("112/24", "Budget"), numbered(None, "Budget")
    ('43. Budget', '112/24 Budget', 'Budget')
    """
    if not number:
        return title or "Item"
    number = number.strip()
    return f"{number}. {title}" if _PLAIN_NUMBER.match(number) else f"{number} {title}"


def long_date(iso: str | None) -> str | None:
    """``2025-01-14`` as a ModernGov page prints it: ``Tuesday, 14th January, 2025``."""
    if not iso:
        return None
    day = dt.date.fromisoformat(iso)
    return f"{day:%A}, {day.day}{_ordinal(day.day)} {day:%B}, {day.year}"


def _ordinal(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def minutes_documents(meeting: Meeting) -> list[LinkedDoc]:
    """The meeting's own minutes files, best first: approved before draft, the meeting's before an item's.

    A minutes file linked from an agenda item counts only when its title names this meeting's
    date: the item "Minutes of the previous meeting" carries the last meeting's minutes.
    """
    dated = _date_forms(meeting.date)
    candidates = []
    for doc in meeting.documents:
        if _is_minutes(doc.title):
            candidates.append(doc)
    for item in meeting.items:
        if _PREVIOUS_MINUTES.search(item.title):
            continue
        for doc in item.documents:
            if _is_minutes(doc.title) and any(form in doc.title.lower() for form in dated):
                candidates.append(doc)
    return sorted(candidates, key=lambda d: (bool(_DRAFT.search(d.title)), d.on_item))


def _is_minutes(title: str) -> bool:
    return bool(_MINUTES_TITLE.search(title)) and not _NOT_MINUTES.search(title) and not _PREVIOUS_MINUTES.search(title)


def _date_forms(iso: str | None) -> tuple[str, ...]:
    """How a minutes file's title may print the meeting's date: 08/07/2025, 08th-Jul-2025, 8th July 2025..."""
    if not iso:
        return ()
    d = dt.date.fromisoformat(iso)
    th = _ordinal(d.day)
    forms = {f"{d:%d/%m/%Y}", f"{d.day}/{d.month}/{d.year}"}
    for day in {f"{d.day}", f"{d:%d}"}:  # ModernGov's file names pad the day: "08th-Jul-2025"
        forms |= {f"{day}{th}-{d:%b}-{d.year}", f"{day}{th} {d:%B} {d.year}", f"{day} {d:%B} {d.year}"}
    return tuple(sorted(f.lower() for f in forms))


def minutes_status(meeting: Meeting, chosen: LinkedDoc | None = None) -> str:
    """Whether the minutes are marked as a draft ("draft") or not ("published")."""
    if chosen is not None:
        return "draft" if _DRAFT.search(chosen.title) else "published"
    titles = [d.title for d in meeting.documents if _is_minutes(d.title)]
    if titles and all(_DRAFT.search(t) for t in titles):
        return "draft"
    return "published"


# --- the fetch ----------------------------------------------------------------------------------


@dataclass
class Summary:
    """What one fetch did, for the one-line report and for tests."""

    meetings: int = 0  # meetings in the date range that were looked at
    stored: int = 0
    replaced: int = 0
    unchanged: int = 0  # fetched again, same content
    not_modified: int = 0  # the server answered 304
    no_minutes: int = 0
    duplicates: int = 0  # same bytes as a document already stored under another name
    failed: int = 0
    skipped: int = 0  # not asked for, because the site had refused the requests before them
    outside_range: int = 0  # listed by GetMeetings but outside --from/--to
    items: int = 0
    requests: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return self.stored + self.replaced + self.unchanged + self.not_modified + self.no_minutes + self.duplicates

    def line(self, db_path: str | Path) -> str:
        return (
            f"{self.meetings} meetings: {self.stored} new, {self.replaced} replaced, {self.unchanged} unchanged, "
            f"{self.not_modified} not modified, {self.no_minutes} without minutes, {self.duplicates} duplicates, "
            f"{self.failed} failed{f', {self.skipped} skipped' if self.skipped else ''}; "
            f"{self.items} items stored in {db_path}; "
            f"{self.requests} requests, {self.bytes / 1024:.0f} KB"
        )


@dataclass
class _Run:
    """What every step of one fetch needs."""

    db: sqlite_utils.Database
    site: str
    council: str
    client: Client
    refresh: bool
    nlp: object
    summary: Summary
    say: Callable[[str], None]
    seen: set[str] = field(default_factory=set)
    refusals: int = 0  # 401/403 answers in a row
    blocked: str | None = None  # set once the site has refused MAX_REFUSALS times in a row

    def refused(self, error: Exception) -> None:
        """Count a refusal (or, for any other outcome, start counting again)."""
        if isinstance(error, FetchFailed) and error.status in REFUSED:
            self.refusals += 1
            if self.refusals >= MAX_REFUSALS:
                self.blocked = f"HTTP {error.status}"
        else:
            self.refusals = 0


def fetch(
    site: str,
    db_path: str | Path,
    *,
    committee: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    council: str | None = None,
    client: Client | None = None,
    refresh: bool = False,
    echo: Callable[[str], None] = print,
    nlp=None,
) -> Summary:
    """Fetch the minutes of one ModernGov site's meetings into the database at ``db_path``.

    A failure at one meeting (timeout, 403, 5xx, malformed XML, an unreadable file) is
    recorded in ``ingest_errors`` and ``sources`` with a one-line reason, echoed, and the run
    goes on; nothing already stored is touched by a failure.

    :param site: the site's address (any page on it will do).
    :param committee: a committee's id or title (``&`` and "and" match); all committees when None.
    :param date_from: first meeting date, YYYY-MM-DD; a year before ``date_to`` when None.
    :param date_to: last meeting date, YYYY-MM-DD; today when None.
    :param council: the council's name for the metadata; the site's host name when None.
    :param refresh: ask for every meeting in full, ignoring the validators of earlier fetches.
    :raises UnknownCommittee: when ``committee`` names no committee on the site.
    :raises StoreLocked: when another writer keeps the database locked.
    """
    base = site_base(site)
    to = dt.date.fromisoformat(date_to) if date_to else dt.date.today()
    start = dt.date.fromisoformat(date_from) if date_from else to - dt.timedelta(days=DEFAULT_DAYS)
    client = client or Client()
    db = store.connect(db_path)
    run = _Run(
        db=db,
        site=base,
        council=council or urllib.parse.urlsplit(base).hostname or base,
        client=client,
        refresh=refresh,
        nlp=nlp,
        summary=Summary(),
        say=echo,
    )
    try:
        records.ensure_tables(db)
        committees = _committees(run, committee)
        for c in committees:
            for ref in _meetings(run, c, start, to):
                _meeting_safely(run, c, ref)
        if run.blocked:
            stop = FetchFailed(
                f"{run.site}: stopped asking after {MAX_REFUSALS} refusals in a row ({run.blocked}); the rest of "
                "the site was not fetched: try later, or download the minutes by hand and ingest the files"
            )
            _fail(run, source_path(run.site, ""), stop, count=False)
    finally:
        run.summary.requests = client.stats.requests
        run.summary.bytes = client.stats.bytes
        db.close()
    return run.summary


def _fail(run: _Run, path: str, error: Exception, row: dict | None = None, *, count: bool = True) -> None:
    """Record one failure on one line (``ingest_errors`` and ``sources``) and say it; the run goes on.

    :param count: whether it counts as a failed meeting (or list) in the summary.
    """
    if not isinstance(error, PipelineError):  # a bug, reported like a bad file so the run goes on
        detail = " ".join(str(error).split())[:200] or "no detail"
        error = RuntimeError(f"{path}: internal error ({type(error).__name__}: {detail}); please report it")
    message = " ".join(str(error).split())
    run.summary.failed += 1 if count else 0
    run.summary.errors.append(message)
    run.refused(error)
    store.record_error(run.db, path, error)
    if row is not None:
        # validators are dropped so the next fetch asks in full and picks up where this one failed
        records.record(run.db, {**row, "status": "failed", "error": message, "etag": None, "last_modified": None})
    run.say(f"error: {message}")


def _listing(run: _Run, url: str, row: dict) -> bytes:
    """GET a service list (never conditionally: its body is needed every time) and note it in ``sources``."""
    response = run.client.get(url)
    sha = hashlib.sha256(response.body).hexdigest()
    records.record(run.db, {**row, "url": url, "site": run.site, "status": "ok", "error": None, "sha256": sha,
                            "bytes": len(response.body)})  # fmt: skip
    return response.body


def _committees(run: _Run, wanted: str | None) -> list[Committee]:
    """The committees to fetch: the one asked for, or every committee not deleted."""
    # lDays=0 asks for every committee; sites whose GetCommittees takes no parameter ignore it
    url = service_url(run.site, "GetCommittees", lDays="0")
    path = source_path(run.site, "")
    row = {"url": url, "site": run.site, "kind": "committees"}
    try:
        listed = parse_committees(_listing(run, url, row), url)
    except PipelineError as e:
        if wanted and wanted.strip().isdigit():
            # the meetings can still be had by id; their titles come with each meeting
            _fail(run, path, e, row)
            return [Committee(wanted.strip(), None)]
        _fail(run, path, e, row)
        return []
    records.clear_error(run.db, path)
    if wanted is None:
        return [c for c in listed if not c.deleted]
    key = _committee_key(wanted)
    found = [c for c in listed if c.id == wanted.strip() or _committee_key(c.title or "") == key]
    if not found:
        near = [c.title for c in listed if c.title and key in _committee_key(c.title)][:5]
        hint = f"; did you mean {', '.join(repr(t) for t in near)}?" if near else ""
        raise UnknownCommittee(f"{run.site}: no committee {wanted!r} among the site's {len(listed)} committees{hint}")
    return found[:1]


def _committee_key(title: str) -> str:
    return " ".join(re.sub(r"\s*&\s*", " and ", clean_title(title)).casefold().split())


def _meetings(run: _Run, committee: Committee, start: dt.date, to: dt.date) -> list[MeetingRef]:
    """The committee's meetings from ``start`` to ``to``, oldest first (filtered here too)."""
    url = service_url(
        run.site, "GetMeetings", lCommitteeId=committee.id, sFromDate=f"{start:%d/%m/%Y}", sToDate=f"{to:%d/%m/%Y}"
    )
    path = source_path(run.site, "committee", committee.id)
    row = {"url": url, "site": run.site, "kind": "meetings", "committee_id": committee.id, "committee": committee.title}
    if run.blocked:
        return []
    try:
        listed = parse_meetings(_listing(run, url, row), url)
    except PipelineError as e:
        _fail(run, path, e, row)
        return []
    run.refused(None)
    records.clear_error(run.db, path)
    lo, hi = start.isoformat(), to.isoformat()
    # a meeting whose date cannot be read is kept: GetMeeting gives it again, and one fetch too many is harmless
    inside = [m for m in listed if m.date is None or lo <= m.date <= hi]
    run.summary.outside_range += len(listed) - len(inside)
    return sorted(inside, key=lambda m: (m.date or "", m.id))


def _meeting_safely(run: _Run, committee: Committee, ref: MeetingRef) -> None:
    if ref.id in run.seen:  # a joint meeting is listed under each of its committees
        return
    run.seen.add(ref.id)
    run.summary.meetings += 1
    if run.blocked:
        run.summary.skipped += 1
        return
    url = service_url(run.site, "GetMeeting", lMeetingId=ref.id)
    row = {
        "url": url, "site": run.site, "kind": "meeting", "committee_id": committee.id, "committee": committee.title,
        "meeting_id": ref.id, "meeting_date": ref.date,
    }  # fmt: skip
    path = source_path(run.site, "meeting", ref.id)
    try:
        _meeting(run, committee, ref, url, row)
    except Exception as e:  # one meeting's failure, whatever it is, never stops the run
        _fail(run, path, e, row)
        return
    run.refused(None)
    records.clear_error(run.db, path)  # an earlier failure of this meeting is over


def _meeting(run: _Run, committee: Committee, ref: MeetingRef, url: str, row: dict) -> None:
    """Fetch one meeting and store its minutes if they are new or changed."""
    before = records.previous(run.db, url)
    # ask conditionally only after a success whose minutes are still stored (a document deleted
    # from the database since, say by a prune, is fetched again)
    usable = before and before["status"] != "failed" and not run.refresh
    if usable and before["path"] and store.stored_sha(run.db, before["path"]) is None:
        usable = False
    ask = before if usable else {}
    response = run.client.get(url, etag=ask.get("etag"), last_modified=ask.get("last_modified"))
    if response.not_modified:
        run.summary.not_modified += 1
        records.record(run.db, {**row, "status": "not-modified", "error": None})
        return
    meeting = parse_meeting(response.body, url)
    path = source_path(run.site, "meeting", meeting.id)
    title_of_committee = committee.title or meeting.committee_title
    date = meeting.date or ref.date
    page = meeting_page(run.site, committee.id or meeting.committee_id, meeting.id)
    meta = Metadata(
        council=run.council,
        committee=title_of_committee,
        meeting_date=date,
        title=" - ".join(p for p in ("Minutes", title_of_committee, long_date(date)) if p),
        url=page,
    )
    row = {
        **row, "committee": title_of_committee, "meeting_date": date, "withheld": ", ".join(meeting.withheld) or None,
        "etag": response.etag, "last_modified": response.last_modified, "error": None,
        "sha256": hashlib.sha256(response.body).hexdigest(), "bytes": len(response.body),
    }  # fmt: skip
    if has_minutes_text(meeting):
        status = minutes_status(meeting)
        data = minutes_html(meeting, title_of_committee, run.council)
        outcome, twin = _keep(run, path, data, meta, status, page)
        row.update(document_url=page, minutes_status=status)
    else:
        documents = minutes_documents(meeting)
        if not documents:
            run.summary.no_minutes += 1
            records.record(run.db, {**row, "status": "no-minutes"})
            return
        outcome, twin, chosen = _download(run, path, documents, meta, meeting)
        row.update(document_url=document_url(chosen.url, run.site), minutes_status=minutes_status(meeting, chosen))
    if outcome == "duplicate":
        row.update(duplicate_of=twin)
    else:
        row.update(path=path, duplicate_of=None)
    records.record(run.db, {**row, "status": outcome})


def _download(
    run: _Run, path: str, documents: list[LinkedDoc], meta: Metadata, meeting: Meeting
) -> tuple[str, str | None, LinkedDoc]:
    """Download the best minutes file that can be read and keep it (see :func:`_keep`).

    :returns: the outcome, the path of the stored twin of a duplicate, and the document used.
    :raises FetchFailed: when a file cannot be downloaded (the next run tries it again).
    :raises PipelineError: the first file's failure, when none of them can be read.
    """
    first_error: PipelineError | None = None
    for doc in documents:
        url = document_url(doc.url, run.site)
        before = records.previous(run.db, url)
        stored = store.stored_sha(run.db, path)
        # ask conditionally only when what came from this link is what is stored for the meeting
        ask = before if before and stored and before["sha256"] == stored and not run.refresh else {}
        doc_row = {
            "url": url, "site": run.site, "kind": "document", "committee_id": meeting.committee_id,
            "committee": meta.committee, "meeting_id": meeting.id, "meeting_date": meta.meeting_date,
        }  # fmt: skip
        try:
            response = run.client.get(url, etag=ask.get("etag"), last_modified=ask.get("last_modified"))
            if response.not_modified:
                records.record(run.db, {**doc_row, "status": "not-modified", "error": None})
                run.summary.unchanged += 1
                records.record_version(run.db, path, stored, minutes_status=minutes_status(meeting, doc),
                                       title=meta.title, url=url)  # fmt: skip
                return "unchanged", None, doc
            status = minutes_status(meeting, doc)
            outcome, twin = _keep(run, path, response.body, meta, status, url)
        except PipelineError as e:
            records.record(run.db, {**doc_row, "status": "failed", "error": " ".join(str(e).split())})
            if isinstance(e, FetchFailed):
                # the best file could not be had this time: the next run asks again, and a worse
                # candidate (the draft, when the approved minutes time out) is never put in its place
                raise
            first_error = first_error or e  # this file cannot be read: the next candidate may be
            continue
        records.record(
            run.db,
            {**doc_row, "status": "ok", "error": None, "etag": response.etag, "last_modified": response.last_modified,
             "sha256": hashlib.sha256(response.body).hexdigest(), "bytes": len(response.body),
             "path": twin or path, "duplicate_of": twin},
        )  # fmt: skip
        return outcome, twin, doc
    assert first_error is not None
    raise first_error


def _keep(run: _Run, path: str, data: bytes, meta: Metadata, status: str, url: str) -> tuple[str, str | None]:
    """Run the pipeline on ``data`` and store it at ``path`` unless the same bytes are stored already.

    :returns: ("stored" | "replaced" | "unchanged", None), or ("duplicate", path of the twin) when a
        document with the same bytes is stored under another name and this meeting has nothing stored yet.
    """
    from ..run import run as run_pipeline

    sha = hashlib.sha256(data).hexdigest()
    stored = store.stored_sha(run.db, path)
    if stored == sha:
        run.summary.unchanged += 1
        records.record_version(run.db, path, sha, minutes_status=status, title=meta.title, url=url)
        return "unchanged", None
    if stored is None:
        # the same file published twice (say, alone and again under another meeting) is stored once;
        # a meeting with minutes already stored is always updated, so its record never goes stale
        twin = records.stored_path_with_sha(run.db, sha, other_than=path)
        if twin:
            run.summary.duplicates += 1
            return "duplicate", twin
    try:
        doc = run_pipeline(path, meta, data=data, nlp=run.nlp)
    except PipelineError as e:
        # readers name the path as pathlib prints it ("moderngov:/host/..."); name the link instead
        raise type(e)(str(e).replace(str(Path(path)), url, 1)) from None
    doc = doc.with_(source=path)
    outcome = store.save(run.db, doc)
    records.record_version(run.db, path, doc.sha256, minutes_status=status, title=meta.title, url=url, text=doc.text)
    setattr(run.summary, outcome, getattr(run.summary, outcome) + 1)
    run.summary.items += len(doc.items) if outcome != "unchanged" else 0
    return outcome, None
