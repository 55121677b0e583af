"""Meetings and bodies: which meeting each document records, each body's calendar, and due dates
that depend on it ("by the next meeting", "to the June meeting").

A *body* is a committee of a council, or the council itself when no committee
is known (parish and town councils meet as one body). Its *calendar* is the
dates of its meetings in the store, plus any next-meeting date that its
minutes state ("The next meeting will be held on Tuesday 8 July 2025").
Calendar-dependent due dates are resolved against the calendar on every
rebuild, so they move to the real meeting once its minutes arrive.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, replace

from ..document import Document, Metadata
from ..extract.dates import MONTH, NEXT_MEETING, NEXT_MEETING_DATE
from ..meta import MONTHS, infer_meta
from ..store import slug

MONTH_MEETING = re.compile(rf"\b(?:the|its|their|a)\s+({MONTH})\s+(?:\d{{4}}\s+)?(?:\w+\s+){{0,2}}?meeting\b", re.I)
MONTH_NUMBERS = {name.lower(): i for i, name in enumerate(cal.month_name) if name} | {
    name.lower(): i for i, name in enumerate(cal.month_abbr) if name
}
STATED = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3,9}\.?,?\s+\d{4}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b[A-Za-z]{3,9}\s+\d{4}\b|\b20\d\d\b"
)


@dataclass(frozen=True)
class Doc:
    """A stored document as the register sees it: its meeting, and where that came from."""

    id: str
    path: str
    text: str
    council_id: str | None
    committee_id: str | None
    meeting_date: str | None
    council: str | None = None
    committee: str | None = None
    title: str | None = None
    meta_source: str = "stored"  # "stored" (manifest, CLI, page) or "inferred" (from the text)

    @property
    def body(self) -> str | None:
        """The body whose meeting this is: the committee, else the council."""
        return self.committee_id or self.council_id

    @property
    def meeting_id(self) -> str | None:
        return f"{self.body or 'unknown'}/{self.meeting_date}" if self.meeting_date else None


def with_inferred_meta(doc: Doc) -> Doc:
    """Fill a document's missing council, committee or date from its text (values already known win)."""
    if doc.council_id and doc.meeting_date and (doc.committee_id or doc.council_id):
        return doc
    meta = infer_meta(
        Document(
            source=doc.path,
            sha256="",
            format="txt",
            text=doc.text,
            meta=Metadata(council=doc.council, committee=doc.committee, meeting_date=doc.meeting_date),
        )
    )
    council_id = doc.council_id or (slug(meta.council) if meta.council else None)
    committee_id = doc.committee_id
    if committee_id is None and meta.committee:
        committee_id = f"{council_id or 'unknown'}/{slug(meta.committee)}"
    changed = (council_id, committee_id, meta.meeting_date) != (doc.council_id, doc.committee_id, doc.meeting_date)
    return replace(
        doc,
        council_id=council_id,
        committee_id=committee_id,
        meeting_date=doc.meeting_date or meta.meeting_date,
        council=doc.council or meta.council,
        committee=doc.committee or meta.committee,
        meta_source="inferred" if changed else doc.meta_source,
    )


@dataclass(frozen=True)
class CalendarEntry:
    """One known meeting date of a body."""

    date: str  # YYYY-MM-DD
    source: str  # "store" (minutes of that meeting are stored) or "stated" (an earlier meeting's minutes name it)
    document_id: str | None = None


Calendar = dict[str, list[CalendarEntry]]  # body -> entries in date order


def build_calendar(docs: list[Doc]) -> Calendar:
    """Each body's meetings: the dates of its stored documents and the next-meeting dates they state."""
    found: dict[str, dict[str, CalendarEntry]] = defaultdict(dict)
    for d in docs:
        if not d.body or not d.meeting_date:
            continue
        found[d.body][d.meeting_date] = CalendarEntry(d.meeting_date, "store", d.id)
    for d in docs:
        if not d.body or not d.meeting_date:
            continue
        stated = stated_next_meeting(d.text, d.meeting_date)
        if stated and stated > d.meeting_date and stated not in found[d.body]:
            found[d.body][stated] = CalendarEntry(stated, "stated", d.id)
    return {body: [entries[k] for k in sorted(entries)] for body, entries in found.items()}


DAY_MONTH_YEAR = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH})\.?(?:,?\s+(\d{{4}}))?", re.I)


def stated_next_meeting(text: str, meeting_date: str) -> str | None:
    """The next meeting's date as the minutes state it ("will be held on Tuesday 8 July 2025"); a date
    without a year is the next such day after the meeting. Plain regular expressions: this runs on every
    document at every rebuild."""
    base = dt.date.fromisoformat(meeting_date)
    for m in NEXT_MEETING_DATE.finditer(text):
        dm = DAY_MONTH_YEAR.search(m.group(1))
        month = MONTHS.get(dm.group(2).lower().rstrip(".")) if dm else None
        if not dm or not month:
            continue
        for year in [int(dm.group(3))] if dm.group(3) else [base.year, base.year + 1]:
            try:
                d = dt.date(year, month, int(dm.group(1)))
            except ValueError:
                break
            if d > base:  # "Next meeting | Complete – circulated 2 May 2025" in an action log is not it
                return d.isoformat()
    return None


@dataclass(frozen=True)
class Due:
    """An action's due date and how it was derived."""

    value: str | None  # YYYY-MM-DD, YYYY-MM or YYYY
    source: str  # "stated" | "relative" | "next_meeting" | "none"
    meeting: CalendarEntry | None = None  # the meeting it was resolved to, for "next_meeting"


def next_meeting(entries: list[CalendarEntry], after: str) -> CalendarEntry | None:
    """The body's first meeting after ``after``; a stored meeting wins over a stated date."""
    later = [e for e in entries if e.date > after]
    return later[0] if later else None


def month_meeting(entries: list[CalendarEntry], after: str, month: int) -> CalendarEntry | None:
    """The body's first meeting in ``month`` after ``after`` (the year that comes next)."""
    for e in entries:
        if e.date > after and int(e.date[5:7]) == month:
            return e
    return None


def resolve_due(
    text: str, due: str | None, due_text: str | None, meeting_date: str | None, entries: list[CalendarEntry]
) -> Due:
    """The due date of an action, re-resolved against its body's calendar.

    "by the next meeting" / "before the next board" -> the body's next meeting after the action's;
    "to the June meeting" -> its first June meeting after it. Unresolved calendar phrases keep the
    extractor's month (or nothing). Other dates are "stated" when the phrase names the date or month,
    "relative" when it counts from the meeting ("within 14 days", "in 6 months").
    """
    phrase = due_text or ""
    if meeting_date and (NEXT_MEETING.search(phrase) or (not phrase and NEXT_MEETING.search(text))):
        hit = next_meeting(entries, meeting_date)
        if hit:
            return Due(hit.date, "next_meeting", hit)
        return Due(None, "next_meeting")
    mm = MONTH_MEETING.search(text)
    # the extractor's phrase may stop at the month ("at the July"); the clause says it is a meeting
    if mm and meeting_date and (not phrase or mm.group(1).lower() in phrase.lower()):
        month = MONTH_NUMBERS.get(mm.group(1).lower()) or MONTH_NUMBERS.get(mm.group(1).lower()[:3])
        hit = month_meeting(entries, meeting_date, month) if month else None
        if hit:
            return Due(hit.date, "next_meeting", hit)
        return Due(due, "next_meeting")
    if due is None:
        return Due(None, "none")
    if STATED.search(phrase):
        return Due(due, "stated")
    return Due(due, "relative")


def due_passed(due: Due, as_of: str, stored_dates: set[str]) -> bool:
    """Is the due date behind us on ``as_of``?

    A day passes the day after; a month or year once it has ended. A due date that is a meeting
    has passed once that meeting's own minutes are in the store (the meeting took place without
    reporting the action done).
    """
    if not due.value:
        return False
    v = due.value
    if len(v) == 10:
        if due.source == "next_meeting" and v in stored_dates and v <= as_of:
            return True
        return v < as_of
    if len(v) == 7:
        y, m = int(v[:4]), int(v[5:7])
        return f"{v}-{cal.monthrange(y, m)[1]:02d}" < as_of
    return f"{v}-12-31" < as_of
