"""Build the action register from the core tables, in one transaction, council by council.

Two entry points, each one transaction that leaves the register complete:

- :func:`rebuild` reads the core tables (documents, items, agenda_items, committees,
  councils) one council at a time, computes, and replaces the register's own tables, so a
  reader sees the old register or the new one, and a second rebuild over the same store
  writes the same rows;
- :func:`update` does the same for the councils whose documents changed since the register
  was built (``document_meetings.fingerprint``), and writes the rows :func:`rebuild` would.

:func:`compute` is pure: stored rows in, register rows out; :func:`compute_council` is
one council's share. The tables (docs/tracking.md describes each column):

- ``actions``: one row per action item, with its owner, due date, status and reason;
- ``action_updates``: each later passage linked to an action, with score and signals;
- ``owners`` and ``item_owners``: normalised owners per council and the raw forms;
- ``recommendation_links``: recommendation -> the decision that settled it;
- ``document_meetings`` and ``meeting_calendar``: the meeting each document records
  (stored or inferred from its text) and each body's known meeting dates.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from ..errors import StoreLocked
from . import words
from .links import ActionFeatures, Link, Passage, link_actions, minute_key, passages, prepare, sub_label
from .meetings import Doc, Due, build_calendar, resolve_due, with_inferred_meta
from .overrides import apply as apply_overrides
from .owners import OwnerBook, RawOwner, key
from .recommendations import decision_clause, link_recommendations, minute_at, rec_clauses
from .status import Status, decide

TABLES: dict[str, tuple[dict[str, type], str | tuple[str, ...]]] = {
    "actions": (
        {
            "id": str, "reference": str, "council_id": str, "council": str, "committee_id": str, "committee": str,
            "meeting_id": str, "meeting_date": str, "document_id": str, "agenda_item": str, "minute_number": str,
            "kind": str, "text": str, "owner_id": str, "owner": str, "owner_raw": str, "due": str, "due_source": str,
            "due_text": str, "due_in_force": str, "status": str, "status_reason": str, "as_of": str,
            "latest_update": str, "updated_on": str, "closed_on": str, "n_updates": int, "start": int, "end": int,
        },
        "id",
    ),
    "action_updates": (
        {
            "id": str, "action_id": str, "document_id": str, "meeting_date": str, "start": int, "end": int,
            "passage": str, "kind": str, "score": float, "signal": str, "signals": str, "completion": str, "new_due": str,
        },
        "id",
    ),
    "owners": (
        {"id": str, "council_id": str, "committee_id": str, "name": str, "kind": str, "aliases": str, "n_items": int},
        "id",
    ),
    "item_owners": ({"item_id": str, "owner_id": str, "raw": str, "role": str}, ("item_id", "owner_id", "role")),
    "recommendation_links": (
        {
            "id": str, "council_id": str, "recommendation_item_id": str, "recommendation_document_id": str,
            "recommendation_start": int, "recommendation_end": int, "recommendation_text": str, "recommended_on": str,
            "from_committee_id": str, "decision_item_id": str, "decision_document_id": str, "decision_start": int,
            "decision_end": int, "decision_text": str, "decided_on": str, "to_committee_id": str, "outcome": str,
            "score": float, "signals": str, "reason": str,
        },
        "id",
    ),
    "document_meetings": (
        {
            "document_id": str, "council_id": str, "committee_id": str, "meeting_id": str, "meeting_date": str,
            "source": str, "fingerprint": str,
        },
        "document_id",
    ),
    "meeting_calendar": (
        {"council_id": str, "body": str, "date": str, "source": str, "document_id": str},
        ("council_id", "body", "date"),
    ),
}  # fmt: skip
INDEXES = (
    ("actions", ("status",)),
    ("actions", ("committee_id", "meeting_date")),
    ("actions", ("owner_id",)),
    ("actions", ("reference",)),
    ("action_updates", ("action_id",)),
    ("item_owners", ("owner_id",)),
    ("recommendation_links", ("decision_item_id",)),
    # an update deletes and rewrites one council's rows at a time
    ("actions", ("council_id",)),
    ("owners", ("council_id",)),
    ("recommendation_links", ("council_id",)),
    ("document_meetings", ("council_id",)),
)
# The action register's order (datasette_metadata.json, action_register), so a page of it is read in order
# instead of sorting every action.
ORDER_INDEX = (
    "create index if not exists [idx_actions_register_order] on [actions] "
    "(coalesce([committee], [council], ''), [meeting_date], [document_id], [start])"
)
# Part of every document's fingerprint: bump it when a change to the rules changes the rows of documents that
# did not change, so that the next update rebuilds everything instead of keeping rows made by the old rules.
REGISTER_VERSION = 2
BATCH = 500  # ids per "in (…)" list, and actions per batch when only their statuses are recomputed
SIGNAL_ORDER = (
    "minute_ref",
    "action_log",
    "agenda_item",
    "rescheduled",
    "lexical",
    "semantic",
    "shared_owner",
    "completion",
)
GENERIC_BODY_WORDS = {"committee", "sub", "board", "panel", "forum", "group", "and", "of", "the", "for", "&"}


@dataclass
class Summary:
    """What a rebuild produced, for the command line."""

    as_of: str | None
    actions: int = 0
    updates: int = 0
    owners: int = 0
    recommendation_links: int = 0
    by_body: dict[str, Counter] = field(default_factory=dict)

    def add(self, rows: dict[str, list[dict]]) -> None:
        """Count register rows in."""
        self.actions += len(rows.get("actions", []))
        self.updates += len(rows.get("action_updates", []))
        self.owners += len(rows.get("owners", []))
        self.recommendation_links += len(rows.get("recommendation_links", []))
        for a in rows.get("actions", []):
            self.by_body.setdefault(body_name(a["council"], a["committee"]), Counter())[a["status"]] += 1

    def lines(self) -> list[str]:
        """A first line of totals, then one line per body with its actions by status."""
        out = [
            f"as of {self.as_of or 'no meetings'}: {self.actions} actions, {self.updates} linked passages, "
            f"{self.owners} owners, {self.recommendation_links} recommendation links"
        ]
        for body in sorted(self.by_body):
            c = self.by_body[body]
            out.append(f"  {body}: " + ", ".join(f"{c[s]} {s}" for s in ("open", "overdue", "updated", "done") if c[s]))
        return out


def body_name(council: str | None, committee: str | None) -> str:
    """How the summary names a body: "Northmoor County Council: Cabinet"."""
    return f"{council}: {committee}" if council and committee else committee or council or "no council known"


def abbreviation(name: str | None) -> str:
    """ "Children and Young People Scrutiny Committee" -> "CYPS"; "Cabinet" -> "CAB"."""
    if not name:
        return "X"
    ws = re.findall(r"[A-Za-z]+", name)
    initials = "".join(w[0].upper() for w in ws if w.lower() not in GENERIC_BODY_WORDS)
    if len(initials) >= 2:
        return initials
    return (ws[0][:3].upper() if ws else "X") if len(ws) <= 2 else "".join(w[0].upper() for w in ws)


DOCUMENTS_SQL = (
    "select d.rowid as rowid_, d.id, d.path, d.title, d.council_id, d.committee_id, d.meeting_date, d.sha256, "
    "d.ingested_at, c.name as council, k.name as committee{text} from documents d "
    "left join councils c on c.id = d.council_id left join committees k on k.id = d.committee_id"
)
ITEMS_SQL = (
    "select id, document_id, agenda_item_id, seq, kind, text, action, owner, due, due_text, minute_number, "
    "agenda_item_title, start, [end] from items"
)
AGENDA_SQL = "select document_id, idx, number, title, start, [end] from agenda_items"


def _load(db: sqlite_utils.Database) -> dict[str, list[dict[str, Any]]]:
    """All of the core tables' rows the register is built from (what :func:`compute` takes)."""
    q = lambda sql: [dict(r) for r in db.query(sql)]  # noqa: E731
    return {
        "documents": q(DOCUMENTS_SQL.format(text=", d.text") + " order by d.rowid"),
        "items": q(ITEMS_SQL + " order by document_id, seq"),
        "agenda_items": q(AGENDA_SQL + " order by document_id, idx"),
        "committees": q("select id, council_id, name from committees"),
        "councils": q("select id, name from councils"),
    }


def fingerprint(row: dict[str, Any]) -> str:
    """Which stored version of a document the register's rows were made from (a re-ingest changes it)."""
    return f"v{REGISTER_VERSION}:{row.get('sha256')}:{row.get('ingested_at')}"


def _doc(row: dict[str, Any], text: str | None) -> Doc:
    """A core ``documents`` row as the register sees it, placed by its text where its metadata is silent."""
    return with_inferred_meta(
        Doc(
            id=row["id"], path=row["path"], text=text or "", council_id=row["council_id"],
            committee_id=row["committee_id"], meeting_date=row["meeting_date"], council=row["council"],
            committee=row["committee"], title=row["title"],
        )
    )  # fmt: skip


def _latest(dates: Iterator[str | None] | list[str | None]) -> str | None:
    """The default as-of date: the latest meeting."""
    return max((d for d in dates if d), default=None)


@dataclass
class _Store:
    """The core rows of one council that a rebuild works from, indexed (documents up to the as-of date only)."""

    council_id: str | None
    docs: list[Doc]
    all_docs: list[Doc]
    items_by_doc: dict[str, list[dict]]
    agendas: dict[str, list[tuple[int, int, str | None, str]]]
    committee_names: dict[str, str]
    council_names: dict[str, str]
    as_of: str | None
    fingerprints: dict[str, str]  # document id -> fingerprint

    @property
    def by_id(self) -> dict[str, Doc]:
        return {d.id: d for d in self.docs}

    @property
    def actions(self) -> list[dict]:
        return [i for d in self.docs for i in self.items_by_doc[d.id] if i["action"]]


def _store(
    council_id: str | None,
    all_docs: list[Doc],
    items: list[dict[str, Any]],
    agenda_items: list[dict[str, Any]],
    committee_names: dict[str, str],
    council_names: dict[str, str],
    as_of: str | None,
    fingerprints: dict[str, str],
) -> _Store:
    """Index one council's core rows; drop meetings after ``as_of``.

    :param all_docs: the council's documents, placed (:func:`_doc`), in the order they were stored.
    :param committee_names: committee id -> name, for (at least) the committees of these documents.
    """
    docs = [d for d in all_docs if not d.meeting_date or not as_of or d.meeting_date <= as_of]
    kept = {d.id for d in docs}
    items_by_doc: dict[str, list[dict]] = defaultdict(list)
    for i in items:
        if i["document_id"] in kept:
            items_by_doc[i["document_id"]].append(i)
    agendas: dict[str, list[tuple[int, int, str | None, str]]] = defaultdict(list)
    for a in agenda_items:
        if a["document_id"] in kept:
            agendas[a["document_id"]].append((a["start"], a["end"], a["number"], a["title"]))
    committees = {
        d.committee_id: committee_names[d.committee_id] for d in all_docs if d.committee_id in committee_names
    }
    councils = {d.council_id: council_names[d.council_id] for d in all_docs if d.council_id in council_names}
    for d in docs:  # bodies known only from a document's text
        if d.committee_id and d.committee:
            committees.setdefault(d.committee_id, d.committee)
        if d.council_id and d.council:
            councils.setdefault(d.council_id, d.council)
    return _Store(council_id, docs, all_docs, items_by_doc, agendas, committees, councils, as_of, fingerprints)


def _by_council(docs: list[Any]) -> dict[str | None, list[Any]]:
    """Documents (or places) grouped by council, each group in the order given: the unit of a rebuild.

    Nothing the register derives crosses a council: evidence comes from later minutes of the same
    body, owners are normalised per council, recommendations go to a body of the same council, and
    the TF-IDF weights are fitted per council.
    """
    out: dict[str | None, list[Any]] = defaultdict(list)
    for d in docs:
        out[d.council_id].append(d)
    return out


@dataclass
class _Owners:
    """The owner rows of a rebuild, and what the rest of it needs to know about each item's owner."""

    rows: list[dict]
    item_rows: list[dict]
    lead: dict[str, tuple[str, str]]  # item id -> (owner id, raw owner string)
    names: dict[str, str]  # owner id -> display name
    books: dict[str | None, OwnerBook]


def _owners(st: _Store) -> _Owners:
    """Normalise every item's owner, council by council."""
    out = _Owners([], [], {}, {}, {})
    docs_by_council: dict[str | None, list[Doc]] = defaultdict(list)
    for d in st.docs:
        docs_by_council[d.council_id].append(d)
    for council_id, cdocs in docs_by_council.items():
        book = OwnerBook(council_id, {d.id: d.text for d in cdocs}, {d.id: d.committee_id for d in cdocs})
        raws = [
            RawOwner(i["id"], i["owner"], d.id, d.committee_id, i["start"])
            for d in cdocs
            for i in st.items_by_doc[d.id]
            if i["owner"]
        ]
        counts: Counter = Counter()
        seen: set[tuple[str, str, str]] = set()
        for raw, part, role, owner_id in book.resolve(raws):
            if (raw.item_id, owner_id, role) in seen:
                continue
            seen.add((raw.item_id, owner_id, role))
            out.item_rows.append({"item_id": raw.item_id, "owner_id": owner_id, "raw": part, "role": role})
            counts[owner_id] += 1
            if role == "lead":
                out.lead.setdefault(raw.item_id, (owner_id, raw.raw))
        for o in book.owners():
            out.names[o.id] = o.name
            out.rows.append(
                {
                    "id": o.id, "council_id": o.council_id, "committee_id": o.committee_id, "name": o.name,
                    "kind": o.kind, "aliases": json.dumps(list(o.aliases), ensure_ascii=False), "n_items": counts[o.id],
                }
            )  # fmt: skip
        out.books[council_id] = book
    return out


def _passages(st: _Store, dues: dict[str, Due]) -> dict[str, list[Passage]]:
    """Every dated document cut into passages; a passage that is itself a new action is marked as one."""
    out: dict[str, list[Passage]] = {}
    for d in st.docs:
        if not d.meeting_date or not d.body:
            continue
        spans = st.agendas.get(d.id, [])
        heads = []
        for start, *_ in spans:
            line_end = d.text.find("\n", start)
            heads.append((start, line_end if line_end >= 0 else len(d.text)))
        # the unnumbered first "agenda item" is the title block and attendance: not evidence of anything
        skip = spans[0][1] if spans and spans[0][2] is None and len(spans) > 1 else 0
        ps = passages(d.id, d.text, heads[1:] if skip else heads, skip_before=skip)
        new_actions = [i for i in st.items_by_doc[d.id] if i["action"]]
        for p in ps:
            for i in new_actions:
                if i["start"] < p.end and p.start < i["end"]:
                    p.new_item = True
                    p.new_item_due = dues[i["id"]].value if dues[i["id"]].source != "none" else None
        out[d.id] = ps
    return out


def _features(st: _Store, owners: _Owners, dues: dict[str, Due], idf: words.Idf) -> list[ActionFeatures]:
    """What linking needs to know about each dated action."""
    out = []
    by_id = st.by_id
    for i in st.actions:
        d = by_id[i["document_id"]]
        if not d.meeting_date:
            continue
        owner_id = owners.lead.get(i["id"], (None, None))[0]
        # the owner's name is the shared_owner signal; left in, it would count twice and link any
        # passage that names the same officer ("the Assistant Director – Education and Inclusion:")
        owner_words = set(words.stems(" ".join(filter(None, (i["owner"], owners.names.get(owner_id or ""))))))
        st_ = [s for s in words.stems(i["text"]) if s not in owner_words] or words.stems(i["text"])
        subj = words.subject(i["text"]) if words.asks_to_bring_back(i["text"]) else None
        out.append(
            ActionFeatures(
                item_id=i["id"], document_id=d.id, body=d.body, council_id=d.council_id, meeting_date=d.meeting_date,
                minute=minute_key(i["minute_number"]) or minute_at(st.agendas.get(d.id, []), i["start"]),
                sub=sub_label(d.text, i["start"]), owner_id=owner_id, text=i["text"], due=dues[i["id"]].value,
                stems=st_, vec=words.vector(st_, idf), concepts=words.concepts(st_),
                subject_concepts=words.concepts(words.stems(subj)) if subj else set(),
            )
        )  # fmt: skip
    return out


def _minute_docs(st: _Store) -> dict[str, list[tuple[str, str, str]]]:
    """Body -> (meeting date, minute number, document id) of every numbered minute, in date order."""
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for d in st.docs:
        if d.body and d.meeting_date:
            for _start, _end, number, _title in st.agendas.get(d.id, []):
                if number:
                    out[d.body].append((d.meeting_date, minute_key(number), d.id))
    return {body: sorted(rows) for body, rows in out.items()}


def compute(core: dict[str, list[dict[str, Any]]], as_of: str | None = None) -> tuple[dict[str, list[dict]], Summary]:
    """The register's rows from the core tables' rows (pure), council by council.

    :param core: rows as :func:`_load` reads them.
    :param as_of: YYYY-MM-DD; documents of later meetings are left out. Default: the latest meeting.
    """
    all_docs = [_doc(d, d["text"]) for d in core["documents"]]
    fingerprints = {d["id"]: fingerprint(d) for d in core["documents"]}
    as_of = as_of or _latest([d.meeting_date for d in all_docs])
    items: dict[str, list[dict]] = defaultdict(list)
    for i in core["items"]:
        items[i["document_id"]].append(i)
    agenda_items: dict[str, list[dict]] = defaultdict(list)
    for x in core["agenda_items"]:
        agenda_items[x["document_id"]].append(x)
    committee_names = {c["id"]: c["name"] for c in core["committees"]}
    council_names = {c["id"]: c["name"] for c in core["councils"]}
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for council_id, docs in _by_council(all_docs).items():
        st = _store(
            council_id, docs, [i for d in docs for i in items[d.id]], [x for d in docs for x in agenda_items[d.id]],
            committee_names, council_names, as_of, fingerprints,
        )  # fmt: skip
        for name, part in compute_council(st).items():
            rows[name] += part
    summary = Summary(as_of=as_of)
    summary.add(rows)
    return rows, summary


def compute_council(st: _Store) -> dict[str, list[dict]]:
    """One council's register rows (pure)."""
    by_id = st.by_id
    calendar = build_calendar(st.docs)
    stored_dates = {body: {e.date for e in entries if e.source == "store"} for body, entries in calendar.items()}
    owners = _owners(st)
    actions = st.actions
    dues = {
        i["id"]: resolve_due(
            i["text"], i["due"], i["due_text"], by_id[i["document_id"]].meeting_date,
            calendar.get(by_id[i["document_id"]].body or "", []),
        )
        for i in actions
    }  # fmt: skip
    doc_passages = _passages(st, dues)
    idf = words.Idf.fit(
        [words.stems(p.text) for ps in doc_passages.values() for p in ps] + [words.stems(i["text"]) for i in actions]
    )
    for ps in doc_passages.values():
        for p in ps:
            prepare(p, idf)
    links = link_actions(
        _features(st, owners, dues, idf), st.docs, doc_passages, idf, _owners_named(doc_passages, by_id, owners.books),
        _minute_docs(st),
    )  # fmt: skip
    links_by_action: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        links_by_action[link.item_id].append(link)

    action_rows = []
    seq_in_meeting: Counter = Counter()
    for i in sorted(actions, key=lambda x: (by_id[x["document_id"]].meeting_date or "", x["document_id"], x["start"])):
        d = by_id[i["document_id"]]
        due = dues[i["id"]]
        status = _status(d.meeting_date, due, links_by_action[i["id"]], st.as_of, stored_dates.get(d.body or "", set()))
        seq_in_meeting[d.meeting_id] += 1
        committee = st.committee_names.get(d.committee_id) if d.committee_id else None
        council = st.council_names.get(d.council_id or "")
        owner_id, owner_raw = owners.lead.get(i["id"], (None, i["owner"]))
        action_rows.append(
            {
                "id": i["id"],
                "reference": f"{abbreviation(committee or council)}/{d.meeting_date or 'undated'}/{seq_in_meeting[d.meeting_id]}",
                "council_id": d.council_id, "council": council, "committee_id": d.committee_id, "committee": committee,
                "meeting_id": d.meeting_id, "meeting_date": d.meeting_date, "document_id": d.id,
                "agenda_item": i["agenda_item_title"], "minute_number": minute_key(i["minute_number"]),
                "kind": i["kind"], "text": i["text"], "owner_id": owner_id, "owner": owners.names.get(owner_id or ""),
                "owner_raw": owner_raw, "due": due.value, "due_source": due.source, "due_text": i["due_text"],
                "due_in_force": status.due, "status": status.status, "status_reason": status.reason,
                "as_of": st.as_of, "latest_update": status.latest_update, "updated_on": status.updated_on,
                "closed_on": status.closed_on,
                "n_updates": sum(1 for x in links_by_action[i["id"]] if x.meeting_date <= (st.as_of or "")),
                "start": i["start"], "end": i["end"],
            }
        )  # fmt: skip
    update_rows = [
        {
            "id": f"{link.item_id}@{link.document_id}:{link.start}-{link.end}", "action_id": link.item_id,
            "document_id": link.document_id, "meeting_date": link.meeting_date, "start": link.start, "end": link.end,
            "passage": link.passage, "kind": link.kind, "score": link.score,
            "signal": next((s for s in SIGNAL_ORDER if s in link.signals), None),
            "signals": json.dumps(list(link.signals)), "completion": link.completion, "new_due": link.new_due,
        }
        for link in links
    ]  # fmt: skip
    rec_rows = _recommendation_rows(st)
    rows = {
        "actions": action_rows,
        "action_updates": update_rows,
        "owners": owners.rows,
        "item_owners": owners.item_rows,
        "recommendation_links": rec_rows,
        "document_meetings": [
            {
                "document_id": d.id,
                "council_id": d.council_id,
                "committee_id": d.committee_id,
                "meeting_id": d.meeting_id,
                "meeting_date": d.meeting_date,
                "source": d.meta_source,
                # empty for a document left out (a meeting after the as-of date): the next update reads it again
                "fingerprint": st.fingerprints.get(d.id) if d.id in by_id else None,
            }
            for d in st.all_docs
        ],  # fmt: skip
        "meeting_calendar": [
            {
                "council_id": st.council_id,
                "body": body,
                "date": e.date,
                "source": e.source,
                "document_id": e.document_id,
            }
            for body, entries in sorted(calendar.items())
            for e in entries
        ],
    }
    return rows


def _status(meeting_date: str | None, due: Due, links: list[Link], as_of: str | None, stored: set[str]) -> Status:
    if as_of:
        return decide(meeting_date, due, links, as_of, stored)
    return Status("open", "open: no meeting in the store has a date to measure it against", due=due.value)


def _recommendation_rows(st: _Store) -> list[dict]:
    """``recommendation_links`` rows: every recommendation in the store that a decision settled."""
    recs = [
        (d, c)
        for d in st.docs
        if d.meeting_date
        for c in rec_clauses(d, st.items_by_doc[d.id], st.agendas.get(d.id, []))
    ]
    decisions = {
        d.id: [decision_clause(i, d.text) for i in st.items_by_doc[d.id] if i["kind"] == "decision"] for d in st.docs
    }
    return [
        {
            "id": f"{r.rec_doc.id}:{r.rec.start}-{r.rec.end}", "council_id": r.rec_doc.council_id,
            "recommendation_item_id": r.rec.item_id, "recommendation_document_id": r.rec_doc.id,
            "recommendation_start": r.rec.start, "recommendation_end": r.rec.end, "recommendation_text": r.rec.text,
            "recommended_on": r.rec_doc.meeting_date, "from_committee_id": r.rec_doc.committee_id,
            "decision_item_id": r.decision.item_id, "decision_document_id": r.decision_doc.id,
            "decision_start": r.decision.start, "decision_end": r.decision.end, "decision_text": r.decision.text,
            "decided_on": r.decision_doc.meeting_date, "to_committee_id": r.decision_doc.committee_id,
            "outcome": r.outcome, "score": r.score, "signals": json.dumps(list(r.signals)), "reason": r.reason,
        }
        for r in link_recommendations(recs, decisions, st.docs, st.agendas, st.committee_names)
    ]  # fmt: skip


def _owners_named(
    doc_passages: dict[str, list[Passage]], by_id: dict[str, Doc], books: dict[str | None, OwnerBook]
) -> dict[tuple[str, int], set[str]]:
    """(document id, passage start) -> owner ids the passage names (an action log's Owner cell, or a title in the text)."""
    out: dict[tuple[str, int], set[str]] = {}
    patterns: dict[str | None, list[tuple[re.Pattern[str], str]]] = {}
    for council_id, book in books.items():
        pats = []
        for o in book.owners():
            for form in {o.name, *o.aliases}:
                if len(key(form).split()) >= 2:
                    pats.append((re.compile(r"(?<!\w)" + re.escape(form) + r"(?!\w)", re.I), o.id))
        patterns[council_id] = pats
    for doc_id, ps in doc_passages.items():
        d = by_id[doc_id]
        book = books.get(d.council_id)
        for p in ps:
            found: set[str] = set()
            if p.kind == "row" and p.cells.get("owner") and book:
                oid = book.id_for(p.cells["owner"], doc_id, p.start)
                if oid:
                    found.add(oid)
            for pat, oid in patterns.get(d.council_id, []):
                if pat.search(p.text):
                    found.add(oid)
            if found:
                out[(doc_id, p.start)] = found
    return out


def ensure_tables(db: sqlite_utils.Database) -> None:
    """Create the register's tables (dropping any whose columns changed: they hold derived data only)."""
    for name, (columns, pk) in TABLES.items():
        table = db[name]
        if table.exists() and {c.name for c in table.columns} != set(columns):
            table.drop()
        if not table.exists():
            # Database.create_table, not Table.create: the latter commits, and this runs inside the rebuild's transaction
            db.create_table(name, columns, pk=pk)
    for name, cols in INDEXES:
        db.execute(
            f"create index if not exists [idx_{name}_{'_'.join(cols)}] on [{name}] ({', '.join(f'[{c}]' for c in cols)})"
        )
    db.execute(ORDER_INDEX)


@contextmanager
def _transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception; waits for other writers up to the busy timeout."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise StoreLocked(f"{_db_file(db)}: database is locked ({e})") from None
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise


def _db_file(db: sqlite_utils.Database) -> str:
    """The database's file name, for messages that start with a path."""
    rows = db.execute("PRAGMA database_list").fetchall()
    return next((r[2] for r in rows if r[1] == "main" and r[2]), ":memory:")


def _replace(db: sqlite_utils.Database, rows: dict[str, list[dict]]) -> None:
    """Swap the register's rows for ``rows`` (inside the caller's transaction)."""
    ensure_tables(db)
    for name in TABLES:
        db.execute(f"delete from [{name}]")
    _insert(db, rows)


def write(db: sqlite_utils.Database, rows: dict[str, list[dict]]) -> None:
    """Replace the register's rows in one transaction (readers see the old register or the new, never a mix)."""
    with _transaction(db):
        _replace(db, rows)


def rebuild(db: sqlite_utils.Database, as_of: str | None = None) -> Summary:
    """Recompute the whole register from the core tables and store it (one transaction; idempotent).

    Council by council: only one council's documents are held at a time. The core tables are read
    inside the same write transaction, so the register always matches one state of the store, even
    while another process ingests.

    :param as_of: YYYY-MM-DD; documents of later meetings are left out and statuses are computed on
        that date. Default: the date of the latest meeting in the store.
    :raises StoreLocked: when another writer holds the database past the busy timeout.
    """
    with _transaction(db):
        as_of = _rebuild_all(db, as_of)
        apply_overrides(db)  # officers' corrections win over what was computed (pipeline/track/overrides.py)
        return _summary(db, as_of)


def update(db: sqlite_utils.Database) -> Summary:
    """Bring the register up to date with the core tables, rebuilding only the councils whose documents
    changed (one transaction). The rows are those :func:`rebuild` would write.

    A document changed when it is new, re-ingested or pruned since the register was built (its
    ``document_meetings.fingerprint``). Every council that held or now holds such a document is
    rebuilt; other councils keep their rows, and only their statuses are recomputed when the as-of
    date (the latest meeting) moved. The whole register is rebuilt when it is missing, was built by
    another version of the rules, or was built for another as-of date and left meetings out.

    :raises StoreLocked: when another writer holds the database past the busy timeout.
    """
    with _transaction(db):
        known = _known(db)
        if known is None:
            as_of = _rebuild_all(db, None)
        else:
            places = _places(db, known)
            as_of = _latest([p.meeting_date for p in places])
            present = {p.id for p in places}
            changed = [p for p in places if known.get(p.id, (None, None))[0] != p.fingerprint]
            gone = [doc_id for doc_id in known if doc_id not in present]
            councils = {p.council_id for p in changed} | {
                known[doc_id][1] for doc_id in [p.id for p in changed] + gone if doc_id in known
            }
            for council_id in councils:
                _delete_council(db, council_id)
            _build(db, places, as_of, councils)
            _restatus(db, as_of)
        apply_overrides(db)  # laid again over every council: rebuilt and restatused rows lost them
        return _summary(db, as_of)


@dataclass(frozen=True)
class _Place:
    """Where a stored document belongs, without its text."""

    id: str
    council_id: str | None
    meeting_date: str | None
    fingerprint: str


def _places(
    db: sqlite_utils.Database, known: dict[str, tuple[str | None, str | None, str | None]] | None = None
) -> list[_Place]:
    """Every stored document's council and meeting date, in the order they were stored.

    A document whose metadata lacks them is placed by its text (read one at a time), unless ``known``
    (document id -> (fingerprint, council, meeting date) of the register's last build) already has
    this version of it.
    """
    out = []
    for row in [dict(r) for r in db.query(DOCUMENTS_SQL.format(text="") + " order by d.rowid")]:
        fp = fingerprint(row)
        if row["council_id"] and row["meeting_date"]:
            out.append(_Place(row["id"], row["council_id"], row["meeting_date"], fp))
        elif known and row["id"] in known and known[row["id"]][0] == fp:
            out.append(_Place(row["id"], known[row["id"]][1], known[row["id"]][2], fp))
        else:
            text = db.execute("select text from documents where id = ?", [row["id"]]).fetchone()[0]
            d = _doc(row, text)
            out.append(_Place(row["id"], d.council_id, d.meeting_date, fp))
    return out


def _known(db: sqlite_utils.Database) -> dict[str, tuple[str | None, str | None, str | None]] | None:
    """Document id -> (fingerprint, council, meeting date) the current register was built from; None when
    it must be rebuilt whole (missing, other columns, or built by other rules)."""
    for name, (columns, _pk) in TABLES.items():
        table = db[name]
        if not table.exists() or {c.name for c in table.columns} != set(columns):
            return None
    known = {
        r[0]: (r[1], r[2], r[3])
        for r in db.execute("select document_id, fingerprint, council_id, meeting_date from document_meetings")
    }
    prefix = f"v{REGISTER_VERSION}:"
    if not known or any(fp is not None and not fp.startswith(prefix) for fp, _, _ in known.values()):
        return None
    return known


def _rebuild_all(db: sqlite_utils.Database, as_of: str | None) -> str | None:
    """Empty the register and build every council (inside the caller's transaction); the as-of date used."""
    ensure_tables(db)
    for name in TABLES:
        db.execute(f"delete from [{name}]")
    places = _places(db)
    as_of = as_of or _latest([p.meeting_date for p in places])
    _build(db, places, as_of, None)
    return as_of


def _build(
    db: sqlite_utils.Database, places: list[_Place], as_of: str | None, councils: set[str | None] | None
) -> None:
    """Compute and insert the rows of each council in ``councils`` (all when None), one council in memory at a time."""
    for council_id, group in _by_council(places).items():
        if councils is None or council_id in councils:
            _insert(db, compute_council(_load_council(db, council_id, [p.id for p in group], as_of)))


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for n in range(0, len(ids), BATCH):
        yield ids[n : n + BATCH]


def _marks(n: int) -> str:
    return ", ".join("?" for _ in range(n))


def _load_council(db: sqlite_utils.Database, council_id: str | None, ids: list[str], as_of: str | None) -> _Store:
    """One council's core rows, as :func:`_load` would give them for its documents."""
    rows, items, agenda_items = [], [], []
    for chunk in _chunks(ids):
        where = f" where document_id in ({_marks(len(chunk))})"
        rows += [
            dict(r)
            for r in db.query(DOCUMENTS_SQL.format(text=", d.text") + f" where d.id in ({_marks(len(chunk))})", chunk)
        ]
        items += [dict(r) for r in db.query(ITEMS_SQL + where, chunk)]
        agenda_items += [dict(r) for r in db.query(AGENDA_SQL + where, chunk)]
    rows.sort(key=lambda r: r["rowid_"])
    items.sort(key=lambda i: (i["document_id"], i["seq"]))
    agenda_items.sort(key=lambda a: (a["document_id"], a["idx"]))
    docs = [_doc(r, r["text"]) for r in rows]
    committee_ids = sorted({d.committee_id for d in docs if d.committee_id})
    council_ids = sorted({d.council_id for d in docs if d.council_id})
    committee_names = {
        r[0]: r[1]
        for r in db.execute(
            f"select id, name from committees where id in ({_marks(len(committee_ids))})", committee_ids
        )
    }
    council_names = {
        r[0]: r[1]
        for r in db.execute(f"select id, name from councils where id in ({_marks(len(council_ids))})", council_ids)
    }
    return _store(
        council_id,
        docs,
        items,
        agenda_items,
        committee_names,
        council_names,
        as_of,
        {r["id"]: fingerprint(r) for r in rows},
    )


def _insert(db: sqlite_utils.Database, rows: dict[str, list[dict]]) -> None:
    for name, (columns, _pk) in TABLES.items():
        cols = list(columns)
        sql = f"insert into [{name}] ({', '.join(f'[{c}]' for c in cols)}) values ({_marks(len(cols))})"
        db.conn.executemany(sql, [[r.get(c) for c in cols] for r in rows.get(name, [])])


def _delete_council(db: sqlite_utils.Database, council_id: str | None) -> None:
    """Remove one council's register rows (inside the caller's transaction)."""
    for sql in (
        "delete from action_updates where action_id in (select id from actions where council_id is ?)",
        "delete from item_owners where owner_id in (select id from owners where council_id is ?)",
        "delete from actions where council_id is ?",
        "delete from owners where council_id is ?",
        "delete from recommendation_links where council_id is ?",
        "delete from document_meetings where council_id is ?",
        "delete from meeting_calendar where council_id is ?",
    ):
        db.execute(sql, [council_id])


def _restatus(db: sqlite_utils.Database, as_of: str | None) -> None:
    """Recompute, from their stored due dates and links, the statuses of actions decided on another as-of date.

    Only a council whose documents did not change keeps such actions; its links and due dates do not
    depend on the as-of date (no meeting is left out when it is the latest), its statuses do.
    """
    stored: dict[tuple[str | None, str], set[str]] = defaultdict(set)
    for council_id, body, date in db.execute(
        "select council_id, body, date from meeting_calendar where source = 'store'"
    ):
        stored[(council_id, body)].add(date)
    last = ""
    while True:
        batch = [
            dict(r)
            for r in db.query(
                "select id, council_id, committee_id, meeting_date, due, due_source from actions "
                "where id > ? and as_of is not ? order by id limit ?",
                [last, as_of, BATCH],
            )
        ]
        if not batch:
            return
        last = batch[-1]["id"]
        links: dict[str, list[Link]] = defaultdict(list)
        for u in db.query(
            f"select * from action_updates where action_id in ({_marks(len(batch))}) "
            "order by action_id, meeting_date, start, document_id",
            [a["id"] for a in batch],
        ):
            links[u["action_id"]].append(
                Link(
                    item_id=u["action_id"], document_id=u["document_id"], meeting_date=u["meeting_date"],
                    start=u["start"], end=u["end"], passage=u["passage"], kind=u["kind"], score=u["score"],
                    signals=tuple(json.loads(u["signals"])), completion=u["completion"], new_due=u["new_due"],
                )
            )  # fmt: skip
        changes = []
        for a in batch:
            body = a["committee_id"] or a["council_id"] or ""
            due = Due(a["due"], a["due_source"])
            s = _status(a["meeting_date"], due, links[a["id"]], as_of, stored.get((a["council_id"], body), set()))
            n = sum(1 for x in links[a["id"]] if x.meeting_date <= (as_of or ""))
            changes.append([s.due, s.status, s.reason, as_of, s.latest_update, s.updated_on, s.closed_on, n, a["id"]])
        db.conn.executemany(
            "update actions set due_in_force = ?, status = ?, status_reason = ?, as_of = ?, latest_update = ?, "
            "updated_on = ?, closed_on = ?, n_updates = ? where id = ?",
            changes,
        )


def _summary(db: sqlite_utils.Database, as_of: str | None) -> Summary:
    """The summary of the register as stored."""
    count = lambda table: db.execute(f"select count(*) from [{table}]").fetchone()[0]  # noqa: E731
    summary = Summary(as_of, count("actions"), count("action_updates"), count("owners"), count("recommendation_links"))
    for council, committee, status, n in db.execute(
        "select council, committee, status, count(*) from actions group by council, committee, status"
    ):
        summary.by_body.setdefault(body_name(council, committee), Counter())[status] += n
    return summary


def find_action(db: sqlite_utils.Database, ref: str) -> dict[str, Any] | None:
    """One action by reference ("CYPS/2025-01-14/3") or item id, with its updates (latest register)."""
    if not db["actions"].exists():
        return None
    rows = [dict(r) for r in db.query("select * from actions where reference = ? or id = ?", [ref, ref])]
    if not rows:
        return None
    action = rows[0]
    action["updates"] = [
        dict(r)
        for r in db.query(
            "select * from action_updates where action_id = ? order by meeting_date, start", [action["id"]]
        )
    ]
    return action


def describe(action: dict[str, Any]) -> list[str]:
    """An action and its evidence as lines of text, for ``python -m pipeline status REF``."""
    where = ", ".join(filter(None, (action["committee"] or action["council"], action["meeting_date"])))
    minute = f", minute {action['minute_number']}" if action["minute_number"] else ""
    owner = action["owner"] or "no owner named"
    if action["owner_raw"] and action["owner_raw"] != action["owner"]:
        owner += f" (written “{action['owner_raw']}”)"
    due = (
        f"{action['due']} ({action['due_source'].replace('_', ' ')})"
        if action["due"]
        else action["due_source"].replace("_", " ")
    )
    if action["due_text"]:
        due += f", “{action['due_text']}”"
    out = [
        f"{action['reference']}  {action['status'].upper()}  (as of {action['as_of']})",
        f"  {where}{minute}",
        f"  {action['text']}",
        f"  owner: {owner}",
        f"  due: {due}",
        f"  {action['status_reason']}",
    ]
    if action["updates"]:
        out.append("  evidence:")
    for u in action["updates"]:
        signals = ", ".join(json.loads(u["signals"]))
        state = f" [{u['completion']}]" if u["completion"] else ""
        out.append(f"    {u['meeting_date']}  score {u['score']:.2f}  {signals}{state}")
        out.append(f"      “{u['passage']}”")
    return out


def list_actions(db: sqlite_utils.Database, committee: str | None = None, statuses: tuple[str, ...] = ()) -> list[str]:
    """One line per action: reference, status, due, owner and the start of its text."""
    if not db["actions"].exists():
        return []
    sql = "select * from actions where 1 = 1"
    params: list[Any] = []
    if committee:
        sql += " and (committee like ? or committee_id like ? or council like ?)"
        params += [f"%{committee}%"] * 3
    if statuses:
        sql += f" and status in ({', '.join('?' for _ in statuses)})"
        params += list(statuses)
    sql += " order by council, committee, meeting_date, start"
    out = []
    for a in db.query(sql, params):
        text = a["text"] if len(a["text"]) <= 70 else a["text"][:69] + "…"
        out.append(f"{a['reference']:<24} {a['status']:<8} {a['due'] or '-':<10} {(a['owner'] or '-')[:32]:<32} {text}")
    return out
