"""An action's status, decided from its due date and its linked passages, with a one-line reason.

In order:

1. ``done``: a linked passage reports it done ("had been circulated", an action-log
   Status of "Complete", the agenda item it asked for). Never without such a passage.
2. ``overdue``: its due date has passed on the as-of date (for a meeting date: that
   meeting's minutes are stored and did not report it done), unless a later meeting
   set a new deadline that has not passed (then ``updated``).
3. ``updated``: a linked passage reports progress short of done ("on track",
   "were being validated", "Overdue" in an action log, a new deadline).
4. ``open``: nothing yet.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .links import Link
from .meetings import Due, due_passed

SNIPPET = 110
FIRM_SCORE = 0.4  # a done passage without a citation, action-log row or agenda item needs this score to be cited
DATE_IN_PASSAGE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{4})\b"
)


@dataclass(frozen=True)
class Status:
    """An action's status on the as-of date, with its one-line reason."""

    status: str  # "open" | "overdue" | "updated" | "done"
    reason: str
    latest_update: str | None = None
    updated_on: str | None = None
    closed_on: str | None = None
    due: str | None = None  # the deadline in force (a later meeting may have set a new one)


def snippet(text: str, n: int = SNIPPET) -> str:
    """``text`` on one line, cut to ``n`` characters."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _where(link: Link) -> str:
    return f"the {link.meeting_date} meeting"


def _stated_date(passage: str, earliest: str, latest: str) -> str | None:
    """A completion date the passage states ("circulated 20 January 2025"), if it falls in range."""
    for m in DATE_IN_PASSAGE.finditer(passage):
        try:
            d = dt.datetime.strptime(" ".join(m.groups()), "%d %B %Y").date().isoformat()
        except ValueError:
            continue
        if earliest <= d <= latest:
            return d
    return None


def _tier(link: Link) -> int:
    """How direct a link is: a citation, an action-log row or the asked-for agenda item beat wording alone."""
    return sum(s in link.signals for s in ("minute_ref", "action_log", "agenda_item"))


def decide(meeting_date: str | None, due: Due, links: list[Link], as_of: str, stored_dates: set[str]) -> Status:
    """The status of one action on ``as_of`` from its due date and its links (only those up to ``as_of``)."""
    links = sorted((link for link in links if link.meeting_date <= as_of), key=lambda x: (x.meeting_date, x.start))
    done = [link for link in links if link.completion == "done"]
    progress = [link for link in links if link.completion == "progress" or link.new_due]
    latest = links[-1] if links else None
    latest_update = snippet(latest.passage, 300) if latest else None
    updated_on = latest.meeting_date if latest else None
    if done:
        # the first report of completion, unless it is only a weak wording match and a direct one exists
        firm = [x for x in done if _tier(x) or x.score >= FIRM_SCORE] or [max(done, key=lambda x: (_tier(x), x.score))]
        first = min(
            firm, key=lambda x: (x.meeting_date, x.kind == "heading", -x.score)
        )  # a sentence says more than a title
        closed = _stated_date(first.passage, meeting_date or "0000", first.meeting_date) or first.meeting_date
        return Status(
            "done",
            f"done: reported at {_where(first)}: “{snippet(first.passage)}”",
            latest_update,
            updated_on,
            closed,
            due.value,
        )
    # say so when nothing later of this body is stored: "no report" then means "no minutes yet"
    unseen = (
        ""
        if any(meeting_date and meeting_date < d <= as_of for d in stored_dates)
        else " (no later minutes of this body are stored)"
    )
    rescheduled = [link for link in progress if link.new_due]
    in_force = Due(rescheduled[-1].new_due, "stated") if rescheduled else due
    if due_passed(due, as_of, stored_dates):
        if rescheduled and not due_passed(in_force, as_of, stored_dates):
            r = rescheduled[-1]
            return Status(
                "updated",
                f"updated: new deadline {r.new_due} set at {_where(r)} (was due {due.value}): “{snippet(r.passage)}”",
                latest_update,
                updated_on,
                None,
                in_force.value,
            )
        last = f"; last update at {_where(progress[-1])}: “{snippet(progress[-1].passage, 80)}”" if progress else ""
        return Status(
            "overdue",
            f"overdue: due {in_force.value} ({due.source.replace('_', ' ')}), no report of completion by {as_of}{unseen}{last}",
            latest_update,
            updated_on,
            None,
            in_force.value,
        )
    if progress:
        p = progress[-1]
        what = f"new deadline {p.new_due} set" if p.new_due else "progress reported"
        return Status(
            "updated",
            f"updated: {what} at {_where(p)}: “{snippet(p.passage)}”",
            latest_update,
            updated_on,
            None,
            in_force.value,
        )
    if due.value:
        when = f"due {due.value}" + (" (next meeting)" if due.source == "next_meeting" else "")
    elif due.source == "next_meeting":
        when = "due at the next meeting, whose date is not in the store yet"
    else:
        when = "no due date"
    return Status(
        "open", f"open: {when}; no report of completion by {as_of}{unseen}", latest_update, updated_on, None, due.value
    )
