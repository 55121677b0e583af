"""Council, committee, meeting date and title read from the head of a document's text.

Minutes say what they record in their first lines, in a handful of shapes:

- a title block: "NORTHMOOR COUNTY COUNCIL" / "Children and Young People Scrutiny Committee" /
  "Minutes of the meeting held on Tuesday 14 January 2025 ...";
- one sentence: "Minutes of the meeting of the Cabinet held ... on Wednesday 19 February 2025",
  "Minutes of the Meeting of Kelsbury Town Council held on Tuesday 8th April 2025";
- a ModernGov header: "Place Scrutiny Committee - Thursday, 11th July, 2024 10.00 am",
  "Ashcombe District Council – Council – Wednesday 5 March 2025, 7.00 pm",
  "Meeting: 22/01/2013 - Overview and Scrutiny Committee (Item 180)".

:func:`infer_meta` fills only the gaps: a value from the manifest, the command line or the
page always wins. It is pure and cheap (regular expressions over the first few lines).
"""

from __future__ import annotations

import datetime as dt
import re

from .document import Document, Metadata

HEAD_CHARS = 1500  # the header of a set of minutes; later dates are about other meetings
MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}  # fmt: skip
MONTH_RE = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
WEEKDAY_RE = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
DATE_RE = re.compile(
    rf"(?:{WEEKDAY_RE},?\s+)?(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{MONTH_RE})\.?,?\s+(?P<y>\d{{4}})"
    rf"|(?P<nd>\d{{1,2}})[/.](?P<nm>\d{{1,2}})[/.](?P<ny>\d{{4}})",
    re.I,
)
BODY_WORDS = (
    r"(?:Committee|Sub-Committee|Board|Panel|Cabinet|Forum|Group|Council|Commission|Partnership|Assembly|Executive)"
)
COUNCIL_RE = re.compile(
    r"\b((?:[A-Z][\w'’-]*\s+){1,5}?(?i:county|district|borough|city|town|parish|community|metropolitan(?:\s+borough)?|unitary)\s+(?i:council))\b"
)
COUNCIL_CAPS_RE = re.compile(
    r"^\s*((?:[A-Z][A-Z'’-]*\s+){1,5}(?:COUNTY|DISTRICT|BOROUGH|CITY|TOWN|PARISH|COMMUNITY|METROPOLITAN(?:\s+BOROUGH)?)\s+COUNCIL)\s*$",
    re.M,
)
# "Minutes of the meeting of the Cabinet held ...", "A meeting of Quadring parish council was held ..."
MEETING_OF_RE = re.compile(
    r"\bmeeting\s+of\s+(?:the\s+)?(?P<body>[A-Z][\w'’&(),\s-]{1,90}?)\s+(?:was\s+)?held\b",
    re.I,
)
MINUTES_OF_BODY_RE = re.compile(
    r"^\s*Minutes\s+of\s+the\s+(?P<body>[A-Z][\w'’&\s-]{1,60}?)\s+(?:virtual\s+)?Meeting\b", re.M
)
# ModernGov: "<body> - <weekday>, <date>" on one line, optionally "<council> – <body> – <date>"
HEADER_RE = re.compile(
    rf"^\s*(?P<parts>[A-Z][^\n]{{1,120}}?)\s+[-–—]\s+(?=(?:{WEEKDAY_RE},?\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH_RE})",
    re.I | re.M,
)
MEETING_LINE_RE = re.compile(
    r"^\s*(?:Meeting|Made at meeting):\s*(?P<date>\d{1,2}/\d{1,2}/\d{4})\s*[-–]\s*(?P<body>[^\n(]+?)\s*(?:\(|$)", re.M
)
DECISION_MAKER_RE = re.compile(r"^\s*Decision Maker:\s*(?P<body>[^\n]+?)\s*$", re.M)
HELD_RE = re.compile(r"\b(?:held|meeting|minutes)\b[^\n]{0,160}?", re.I)
STANDALONE_BODY_RE = re.compile(
    rf"^[ \t]*(?P<body>(?:[A-Z][\w'’&()-]*[ \t]+(?:(?:and|of|for|the|&)[ \t]+)?){{0,8}}{BODY_WORDS}(?:[ \t]+\([A-Z][\w \t]+\))?)[ \t]*$",
    re.M | re.I,
)
# the header ends where the first numbered item of business starts ("40. Apologies", "112/24 Minutes", "1.0 PURPOSE")
FIRST_ITEM_RE = re.compile(rf"^[ \t]*\d{{1,4}}(?:[./]\d{{1,3}})*\.?[ \t]+(?!{MONTH_RE}\b)[A-Z][A-Za-z]", re.M | re.I)
PREVIOUS_MINUTES_RE = re.compile(r"\b(?:the|agree|approve|confirm|sign)\s+(?:the\s+)?(?:public\s+)?minutes\b", re.I)
LEADING_NOISE = {"that", "the", "this", "at", "a", "an", "of", "to", "and", "by", "from", "for", "with", "in", "on"}
TITLE_RE = re.compile(r"^\s*((?:Minutes|MINUTES|Agenda|Report|REPORT)\b[^\n]{5,200})", re.M)
GENERIC_BODIES = {"council", "parish council", "town council", "community council", "the council"}


def _date(m: re.Match[str]) -> str | None:
    try:
        if m.group("d"):
            return dt.date(int(m.group("y")), MONTHS[m.group("m").lower().rstrip(".")], int(m.group("d"))).isoformat()
        return dt.date(int(m.group("ny")), int(m.group("nm")), int(m.group("nd"))).isoformat()
    except (ValueError, KeyError):
        return None


def _tidy(name: str) -> str:
    """'CHILDREN AND YOUNG PEOPLE' -> 'Children and Young People'; strips articles and spaces."""
    name = re.sub(r"\s+", " ", name).strip(" ,.-–—:")
    name = re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.I)
    if name.isupper():
        small = {"and", "of", "the", "for", "on", "in", "&"}
        name = " ".join(w.lower() if w.lower() in small and i else w.capitalize() for i, w in enumerate(name.split()))
    return name


def find_council(head: str) -> str | None:
    """The council's name: "Northmoor County Council", "Kelsbury Town Council" (title-cased from capitals)."""
    m = COUNCIL_CAPS_RE.search(head) or COUNCIL_RE.search(head)
    if not m:
        return None
    words = [w.capitalize() if w.islower() else w for w in _tidy(m.group(1)).split()]  # "parish council"
    while len(words) > 2 and words[0].lower() in LEADING_NOISE:
        words = words[1:]  # "That Pembrokeshire County Council": a sentence, not a name
    return " ".join(words)


def _is_council(body: str, council: str | None) -> bool:
    low = body.lower()
    return bool(COUNCIL_RE.fullmatch(_tidy(body))) or (council is not None and low == council.lower())


def find_committee(head: str, council: str | None) -> str | None:
    """The committee, board or panel whose meeting the text records; None for a meeting of the full council."""
    for m in MEETING_LINE_RE.finditer(head):
        return _tidy(m.group("body"))
    for m in DECISION_MAKER_RE.finditer(head):
        return _tidy(m.group("body"))
    for m in HEADER_RE.finditer(head):
        parts = [p for p in re.split(r"\s+[-–—]\s+", m.group("parts")) if p.strip()]
        parts = [p for p in parts if not _is_council(p, council)] or parts
        body = _tidy(parts[-1])
        if body and not re.match(r"(?:agenda|minutes|issue|decision)\b", body, re.I):
            return body
    for m in MEETING_OF_RE.finditer(head):
        body = _tidy(m.group("body"))
        if _is_council(body, council) or body.lower() in GENERIC_BODIES:
            return None  # a meeting of the council itself
        if re.search(BODY_WORDS, body, re.I):
            return body
    for m in STANDALONE_BODY_RE.finditer(head):
        body = _tidy(m.group("body"))
        if _is_council(body, council) or body.lower() in GENERIC_BODIES:
            continue
        return body
    m = MINUTES_OF_BODY_RE.search(head)
    if m and _tidy(m.group("body")).lower() not in GENERIC_BODIES:
        return _tidy(m.group("body"))
    return None


def find_meeting_date(head: str) -> str | None:
    """The date the meeting was held: a "Meeting:" line or ModernGov header, a date line in the title
    block, a date after "held" or "minutes of", else the first date on a short line of the header."""
    for m in MEETING_LINE_RE.finditer(head):
        dm = DATE_RE.search(m.group("date"))
        if dm and _date(dm):
            return _date(dm)
    for m in HEADER_RE.finditer(head):
        dm = DATE_RE.match(head, m.end())
        if dm and _date(dm):
            return _date(dm)
    for line in [x for x in head.splitlines() if x.strip()][:4]:
        dm = DATE_RE.search(line) if len(line) < 60 else None
        if dm and _date(dm):
            return _date(dm)  # a title block's date line: "26 MARCH 2025"
    for hm in re.finditer(r"\bheld\b|\bminutes\s+of\b|\bmeeting\s+(?:of|held)\b", head, re.I):
        line_start = head.rfind("\n", 0, hm.start()) + 1
        if PREVIOUS_MINUTES_RE.search(head[line_start : hm.end()]):
            continue  # "To agree the minutes of the meeting held on …" gives another meeting's date
        window = head[hm.end() : hm.end() + 200].split("\n", 1)[0]
        dm = DATE_RE.search(window)
        if dm and _date(dm):
            return _date(dm)
    for line in head.splitlines()[:8]:
        dm = DATE_RE.search(line) if len(line) < 80 and not PREVIOUS_MINUTES_RE.search(line) else None
        if dm and _date(dm):
            return _date(dm)
    return None


def header(text: str) -> str:
    """The document's header: its first lines, up to the first numbered item of business."""
    head = text[:HEAD_CHARS]
    m = FIRST_ITEM_RE.search(head)
    return head[: m.start()] if m and m.start() > 0 else head


def _drop_council_prefix(committee: str | None, council: str | None) -> str | None:
    """ "Northmoor Health and Wellbeing Board" of Northmoor County Council is its "Health and Wellbeing Board"."""
    if not committee or not council:
        return committee
    place = re.sub(r"\s+(?:County|District|Borough|City|Town|Parish|Community|Metropolitan)\b.*$", "", council)
    if place and committee.lower().startswith(place.lower() + " ") and len(committee) > len(place) + 6:
        return committee[len(place) + 1 :]
    return committee


def find_title(head: str) -> str | None:
    """A title for the document: its "Minutes of …" or "Report of …" line, else its first line."""
    m = TITLE_RE.search(head)
    if m:
        return re.sub(r"\s+", " ", m.group(1)).strip()
    for line in head.splitlines():
        if line.strip():
            return re.sub(r"\s+", " ", line).strip()[:200]
    return None


def infer_meta(doc: Document) -> Metadata:
    """The document's metadata with its gaps filled from the text's header; known values win.

    >>> infer_meta(Document("m.txt", "", "txt", "Minutes of the meeting of the Audit Panel held on Monday 15 January 2024")).committee
    'Audit Panel'
    """
    head = header(doc.text)
    council = doc.meta.council or find_council(head)
    found = Metadata(
        council=council,
        committee=_drop_council_prefix(find_committee(head, council), council),
        meeting_date=find_meeting_date(head),
        title=find_title(head),
    )
    return doc.meta.merged(found)
