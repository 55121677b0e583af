"""Due dates: find the deadline phrase in a clause and normalise it (ANNOTATION.md "Due").

Regular expressions find the phrase and decide its precision (day, month,
year); dateparser turns it into a date relative to the meeting. A phrase that
needs the meeting date when none is known gives ``due=None`` but keeps
``due_text``, as the contract asks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import dateparser

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "twenty": 20, "twenty-eight": 28,
    "a": 1, "an": 1,
}  # fmt: skip
NUMBER = r"(?:\d{1,3}|" + "|".join(sorted(NUM_WORDS, key=len, reverse=True)) + ")"
ORD = r"(?:st|nd|rd|th)?"

# (name, precision, pattern); tried in order, first match in the text wins within a name
PATTERNS: list[tuple[str, str, re.Pattern[str]]] = [
    (
        "dmy",
        "day",
        re.compile(
            rf"\b(?:{WEEKDAY},?\s+)?(?:the\s+)?(\d{{1,2}}){ORD}\s+(?:of\s+)?({MONTH})\.?,?\s+(\d{{4}}|\d{{2}})\b", re.I
        ),
    ),
    ("mdy", "day", re.compile(rf"\b({MONTH})\.?\s+(\d{{1,2}}){ORD},?\s+(\d{{4}})\b", re.I)),
    ("numeric", "day", re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b")),
    (
        "dm",
        "day",
        re.compile(rf"\b(?:{WEEKDAY},?\s+)?(?:the\s+)?(\d{{1,2}}){ORD}\s+(?:of\s+)?({MONTH})\b(?!\s*\d)", re.I),
    ),
    ("my", "month", re.compile(rf"\b({MONTH}),?\s+(\d{{4}})\b", re.I)),
    (
        "within",
        "day",
        re.compile(rf"\b(?:within|in)\s+(?:the\s+next\s+)?({NUMBER})\s+(days?|weeks?)(?:'|’)?(?:\s+time)?\b", re.I),
    ),
    (
        "in-months",
        "month",
        re.compile(rf"\b(?:within|in)\s+(?:the\s+next\s+)?({NUMBER})\s+(months?|years?)(?:'|’)?(?:\s+time)?\b", re.I),
    ),
    (
        "end-of-year",
        "year",
        re.compile(r"\b(?:by|before|until)\s+the\s+end\s+of\s+(?:this|the)\s+(?:calendar\s+)?year\b", re.I),
    ),
    ("next-week", "day", re.compile(r"\b(?:next|the\s+following|following)\s+week\b", re.I)),
    ("next-month", "month", re.compile(r"\bnext\s+month\b", re.I)),
    # "on Tuesday 13th May 2025" is the date that follows, not the next Tuesday
    ("weekday", "day", re.compile(rf"\b(?:on|by|this|next|before)\s+({WEEKDAY})\b(?!,?\s+(?:the\s+)?\d)", re.I)),
    (
        "month",
        "month",
        re.compile(
            rf"\b(?:in|by|during|before|until)\s+(?:the\s+)?(?:end\s+of\s+|beginning\s+of\s+|start\s+of\s+|early\s+|mid[-\s]?|late\s+)?({MONTH})\b(?!\s+\d)",
            re.I,
        ),
    ),
    ("month-meeting", "month", re.compile(rf"\b(?:the|its|their)\s+({MONTH})\s+(?:\w+\s+){{0,3}}?meeting\b", re.I)),
    (
        "year",
        "year",
        re.compile(
            r"\b(?:in|by|during|before|until|from|for|the\s+end\s+of)\s+(?:the\s+)?(?:end\s+of\s+)?(20\d{2})\b(?![/-])",
            re.I,
        ),
    ),
]
# what a pattern cannot match without: a quick search for these spares running it on most clauses
DIGIT = re.compile(r"\d")
MONTH_WORD = re.compile(MONTH, re.I)
NEEDS = {
    "dmy": ("digit", "month"), "mdy": ("digit", "month"), "numeric": ("digit",), "dm": ("digit", "month"),
    "my": ("digit", "month"), "month": ("month",), "month-meeting": ("month",), "year": ("digit",),
}  # fmt: skip
NEXT_MEETING = re.compile(
    r"\b(?:by|before|to|at|for|until|attend)\s+(?:the\s+)?(?:next|following|forthcoming|subsequent)\s+(?:\w+\s+){0,3}?(?:meeting|board|committee|panel)\b",
    re.I,
)
# dates that describe the past or the meeting itself, never a deadline
NOT_DUE = re.compile(
    r"(?:(?<!be\s)held|dated|of\s+the\s+meeting|meeting\s+of|since|minutes\s+of|took\s+place|published|received|on\s+behalf)\s*(?:on\s+)?(?:the\s+)?$",
    re.I,
)
RANGE = re.compile(
    r"\b(?:late|early|mid)\s+\d{4}\s*/\s*(?:late|early|mid)?\s*\d{4}|\bover\s+the\s+next\b|\bbetween\s+\S+(?:\s+\S+){0,3}\s+and\s+|\bannually\b|\bevery\s+(?:year|month|week)\b",
    re.I,
)
NEXT_MEETING_DATE = re.compile(
    rf"(?:date\s+of\s+(?:the\s+)?next\s+meeting|next\s+(?:\w+\s+){{0,3}}?meeting)[^.]{{0,80}}?((?:{WEEKDAY},?\s+)?\d{{1,2}}{ORD}\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}})?)",
    re.I,
)


@dataclass(frozen=True)
class Due:
    value: str | None
    text: str | None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUM_WORDS.get(word.lower(), 1)


@lru_cache(maxsize=4096)
def _parse(phrase: str, base: dt.date | None) -> dt.date | None:
    # cached: dateparser takes about half a millisecond a call, and "31 March 2025" recurs across a batch
    settings = {"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "future"}
    if base is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(base, dt.time())
    parsed = dateparser.parse(phrase, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


def _year(y: str) -> int:
    n = int(y)
    return n + 2000 if n < 100 else n  # "20th September 17" is 2017


def _resolve(name: str, m: re.Match[str], base: dt.date | None) -> str | None:
    g = m.groups()
    if name == "dmy":
        d = _parse(f"{g[0]} {g[1]} {_year(g[2])}", None)
        return d.isoformat() if d else None
    if name == "mdy":
        d = _parse(f"{g[1]} {g[0]} {g[2]}", None)
        return d.isoformat() if d else None
    if name == "numeric":
        try:
            return dt.date(_year(g[2]), int(g[1]), int(g[0])).isoformat()
        except ValueError:
            return None
    if name == "my":
        d = _parse(f"1 {g[0]} {g[1]}", None)
        return d.strftime("%Y-%m") if d else None
    if name == "year":
        return g[0]
    if base is None:
        return None  # everything below is relative to the meeting
    if name == "dm":
        d = _parse(f"{g[0]} {g[1]}", base)
        return d.isoformat() if d else None
    if name == "within":
        n, unit = _number(g[0]), g[1].lower()
        days = n * 7 if unit.startswith("week") else n
        return (base + dt.timedelta(days=days)).isoformat()
    if name == "in-months":
        n, unit = _number(g[0]), g[1].lower()
        months = n * 12 if unit.startswith("year") else n
        y, mth = divmod(base.month - 1 + months, 12)
        return f"{base.year + y:04d}-{mth + 1:02d}"
    if name == "end-of-year":
        return str(base.year)
    if name == "next-week":
        return (base + dt.timedelta(days=7)).isoformat()
    if name == "next-month":
        y, mth = divmod(base.month, 12)
        return f"{base.year + y:04d}-{mth + 1:02d}"
    if name == "weekday":
        d = _parse(g[0], base)
        if d and d <= base:
            d += dt.timedelta(days=7)
        return d.isoformat() if d else None
    if name in ("month", "month-meeting"):
        d = _parse(f"1 {g[0]}", base)
        if d and (d.year, d.month) <= (base.year, base.month):
            d = d.replace(year=d.year + 1)
        return d.strftime("%Y-%m") if d else None
    return None


def next_meeting_date(text: str, meeting_date: dt.date | None) -> dt.date | None:
    """The next meeting's date when the minutes state it ("Date of next meeting: Thursday 12th December")."""
    matches = [m for m in NEXT_MEETING_DATE.finditer(text) if "|" not in m.group(0)]  # not an action-log row
    if not matches:
        return None
    # the closing "Date of next meeting … will be held on …" states it; earlier mentions may be about other things
    stated = [m for m in matches if re.search(r"(?i)date\s+of|held|take\s+place|will\s+be\s+on", m.group(0))]
    phrase = (stated or matches)[-1].group(1)
    for name, _, pattern in PATTERNS[:4]:
        pm = pattern.search(phrase)
        if pm:
            value = _resolve(name, pm, meeting_date)
            if value and len(value) == 10:
                return dt.date.fromisoformat(value)
    return None


def find_due(text: str, meeting_date: str | None = None, next_meeting: dt.date | None = None) -> Due:
    """The due date of an item from its clause text.

    :param meeting_date: ``YYYY-MM-DD``; relative phrases ("within 14 days") need it.
    :param next_meeting: the next meeting's date, when the document states it.
    """
    base = dt.date.fromisoformat(meeting_date) if meeting_date else None
    if span := RANGE.search(text):
        return Due(None, span.group(0))
    best: tuple[int, str | None, str] | None = None
    excluded: list[tuple[int, int]] = []
    has = {"digit": DIGIT.search(text) is not None, "month": MONTH_WORD.search(text) is not None}
    for name, _, pattern in PATTERNS:
        if not all(has[k] for k in NEEDS.get(name, ())):
            continue  # cannot match here: most clauses name no month and no date
        for m in pattern.finditer(text):
            if NOT_DUE.search(text[: m.start()]):
                excluded.append(m.span())
                continue
            if any(a < m.end() and m.start() < b for a, b in excluded):
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), _resolve(name, m, base), m.group(0).strip())
            break
    nm = NEXT_MEETING.search(text)
    if nm and (best is None or nm.start() < best[0]):
        value = next_meeting.isoformat() if next_meeting else None
        return Due(value, nm.group(0).strip())
    if best is None:
        return Due(None, None)
    return Due(best[1], best[2])
