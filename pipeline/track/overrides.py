"""Officers' corrections to the action register: an action's owner, due date or status, with who and when.

The register is derived data, rebuilt from the minutes after every ingest, so a correction cannot be
an edit to ``actions``: it is a row in ``overrides`` (created by :mod:`pipeline.store`) that
:func:`apply` lays over the register after each rebuild. An override names its action by item id
and also by document and action text: a changed file gets new item ids (its spans move) but keeps
its path and, unless the clause itself was reworded, its words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from ..errors import BadOverride

FIELDS = ("owner", "due", "status")
STATUSES = ("open", "overdue", "updated", "done")
APPLY_ORDER = {"due": 0, "owner": 1, "status": 2}  # a due date moves open/overdue; a set status then wins


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def clean_value(field: str, value: str | None) -> str | None:
    """The value as stored, or :class:`BadOverride` with a one-line reason (an empty due date clears it)."""
    value = " ".join((value or "").split())
    if field not in FIELDS:
        raise BadOverride(f"cannot correct {field!r}; only {', '.join(FIELDS)}")
    if field == "owner":
        if not value:
            raise BadOverride("owner: give the owner's name or role")
        return value[:200]
    if field == "due":
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise BadOverride(f"due: {value!r} is not a date in YYYY-MM-DD form") from None
    if value not in STATUSES:
        raise BadOverride(f"status: {value!r} is not one of {', '.join(STATUSES)}")
    return value


def _find(db: sqlite_utils.Database, o: dict[str, Any]) -> dict[str, Any] | None:
    rows = list(db.query("select * from actions where id = ?", [o["action_id"]]))
    if not rows and o["document_id"] and o["action_text"]:
        rows = list(
            db.query(
                "select * from actions where document_id = ? and text = ? order by start",
                [o["document_id"], o["action_text"]],
            )
        )
    return rows[0] if rows else None


def _lay(db: sqlite_utils.Database, action: dict[str, Any], o: dict[str, Any]) -> None:
    """Write one override onto its action's row (inside the caller's transaction)."""
    field, value = o["field"], o["value"]
    changes: dict[str, Any] = {}
    if field == "owner":
        match = db.execute(
            "select id from owners where council_id is ? and lower(name) = lower(?)", [action["council_id"], value]
        ).fetchone()
        changes = {"owner": value, "owner_id": match[0] if match else None}
    elif field == "due":
        changes = {"due": value, "due_in_force": value, "due_source": "corrected"}
        if action["status"] in ("open", "overdue") and action["as_of"]:
            changes["status"] = "overdue" if value and value < action["as_of"] else "open"
    else:
        changes = {"status": value}
    shown = value if value is not None else "none"
    said = f"{field} corrected to “{shown}” by {o['who']} on {o['at'][:10]}"
    if o.get("note"):
        said += f" ({o['note']})"
    reason = action["status_reason"]
    if reason and said in reason:  # a council the update left alone still carries it
        changes["status_reason"] = reason
    else:
        changes["status_reason"] = f"{reason}; {said}" if reason else said
    sets = ", ".join(f"[{c}] = ?" for c in changes)
    db.execute(f"update actions set {sets} where id = ?", [*changes.values(), action["id"]])


def apply(db: sqlite_utils.Database) -> int:
    """Lay every override over a freshly rebuilt register (inside the caller's transaction).

    :returns: how many overrides found their action.
    """
    if not db["overrides"].exists() or not db["actions"].exists():
        return 0
    overrides = [dict(r) for r in db.query("select * from overrides order by id")]
    overrides.sort(key=lambda o: (APPLY_ORDER.get(o["field"], 9), o["id"]))
    applied = 0
    for o in overrides:
        action = _find(db, o)
        if action is not None:
            _lay(db, action, o)
            applied += 1
    return applied


def record(
    db: sqlite_utils.Database, action_id: str, field: str, value: str | None, who: str, note: str | None = None
) -> dict[str, Any]:
    """Store a correction to one action and show it in the register at once (one transaction).

    :param action_id: the action's id or its reference ("CYPS/2025-01-14/3").
    :param who: the logged-in officer's id.
    :raises BadOverride: unknown action or field, or a value that field cannot take.
    """
    from ..store import transaction

    value = clean_value(field, value)
    if not who:
        raise BadOverride("a correction needs the officer who made it")
    with transaction(db):
        rows = (
            list(db.query("select * from actions where id = ? or reference = ?", [action_id, action_id]))
            if db["actions"].exists()
            else []
        )
        if not rows:
            raise BadOverride(f"no action {action_id!r} in the register")
        action = rows[0]
        row = {
            "action_id": action["id"], "document_id": action["document_id"], "action_text": action["text"],
            "reference": action["reference"], "field": field, "value": value, "previous": action[field],
            "who": who, "at": _now(), "note": " ".join((note or "").split()) or None,
        }  # fmt: skip
        cur = db.execute(
            f"insert into overrides ({', '.join(row)}) values ({', '.join('?' for _ in row)})", list(row.values())
        )
        row["id"] = cur.lastrowid
        _lay(db, action, row)
    return row


def unmatched(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Overrides whose action is no longer in the register (its clause was reworded or its document removed)."""
    if not db["overrides"].exists() or not db["actions"].exists():
        return []
    return [o for o in (dict(r) for r in db.query("select * from overrides order by id")) if _find(db, o) is None]
