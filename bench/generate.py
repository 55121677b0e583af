"""Synthetic council minutes for benchmarks: many councils, committees, decision styles, lengths and formats.

    python -m bench.generate --docs 1000 --out build/bench/corpus-1000 [--seed 9]

Writes the files and a ``manifest.csv`` (path,council,committee,meeting_date,url) that
``pipeline ingest --manifest`` reads. Most files are plain text, as councils' minutes
mostly reach the pipeline; some are ModernGov-style HTML pages, and some are rendered
to PDF and DOCX by :mod:`pipeline.corpus_formats` (running header, page footer,
hanging minute numbers, Word list numbering). The text follows the layouts of
``corpus/``: principal councils ("112/24 Minutes", "RESOLVED that: (a) …",
"RECOMMENDED to Council that …", "Decision:"/"Minutes:" sections), parish and
town councils ("25.04.03", "Clerk to …", "Action: Clerk", "Proposed … seconded …"),
narrative undertakings ("the Director agreed to circulate … within 14 days"),
and the surrounding prose that holds no item. Lengths follow a long-tailed
distribution, from a 150-word parish note to a 6,000-word cabinet meeting.

Everything is a pure function of the seed, so a corpus can be rebuilt exactly; files are
written one at a time, so a corpus of any size is generated in constant memory.

:func:`build_serving_db` fills the project's schema with a million synthetic items
directly (no parsing), for the serving benchmark.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

FORMAT_SHARES = (("txt", 0.85), ("html", 0.07), ("pdf", 0.05), ("docx", 0.03))
MEDIAN_ITEMS = 9  # agenda items in a typical meeting; the count is log-normal around it
MAX_ITEMS = 60

PREFIXES = (
    "Ash", "Brad", "Crow", "Dun", "East", "Fen", "Glen", "Hal", "Kel", "Lang", "Mar", "North", "Oak", "Pen",
    "Red", "Stan", "Thorn", "Wes", "Wick", "Ald", "Bar", "Hey", "Moor", "Sel", "Holm", "Lin", "Ros", "Tad",
)  # fmt: skip
SUFFIXES = (
    "ford", "bury", "ham", "ton", "ley", "field", "moor", "combe", "wick", "dale", "borough", "mouth", "stead",
    "worth", "bridge", "by", "thorpe", "well",
)  # fmt: skip
PRINCIPAL = (("County Council", 2), ("District Council", 4), ("Borough Council", 3), ("City Council", 1),
             ("Metropolitan Borough Council", 1))  # fmt: skip
LOCAL = (("Town Council", 3), ("Parish Council", 6), ("Community Council", 1))
PRINCIPAL_COMMITTEES = (
    "Cabinet", "Council", "Planning Committee", "Licensing Committee", "Audit and Governance Committee",
    "Overview and Scrutiny Board", "Children and Young People Scrutiny Committee", "Health and Wellbeing Board",
    "Environment and Communities Committee", "Standards Committee", "Housing Scrutiny Panel",
)  # fmt: skip
LOCAL_COMMITTEES = (None, None, None, "Planning Committee", "Finance and General Purposes Committee",
                    "Amenities Committee")  # fmt: skip
OFFICERS = (
    "Director of Resources", "Director of Place", "Head of Planning", "Chief Executive", "Monitoring Officer",
    "Head of Housing Services", "Assistant Director – Education and Inclusion", "Head of Waste and Fleet Services",
    "Director of Children's Services", "Head of Legal and Democratic Services", "Democratic Services Officer",
    "Head of Finance", "Director of Public Health", "Head of Leisure and Culture", "Section 151 Officer",
)  # fmt: skip
LOCAL_OFFICERS = ("Clerk", "Town Clerk", "Responsible Financial Officer", "Deputy Clerk")
SURNAMES = (
    "Ainsley", "Bhatt", "Cowling", "Doyle", "Entwistle", "Fairbrother", "Greenhalgh", "Hughes", "Iqbal", "Jones",
    "Khan", "Lowe", "Marsh", "Nolan", "Okafor", "Pritchard", "Quayle", "Rowlands", "Shah", "Tennant", "Varley",
    "Whitlock", "Yates", "Brierley", "Dunford", "Hargreaves", "Morgan", "Parry", "Wynne", "McKay",
)  # fmt: skip
TOPICS = (
    ("Revenue Budget 2025/26", "the revenue budget"), ("Capital Programme 2025/26 to 2028/29", "the capital programme"),
    ("Local Plan Review", "the Local Plan review"), ("Play Area Refurbishment", "the play area refurbishment"),
    ("Grass Cutting Contract", "the grass cutting contract"), ("Highways and Footpaths", "the footpath repairs"),
    ("Community Grants", "the community grants scheme"), ("Climate Emergency Action Plan", "the climate action plan"),
    ("Housing Allocations Policy", "the housing allocations policy"), ("Car Parking Charges", "car parking charges"),
    ("Allotments", "the allotment waiting list"), ("Street Lighting", "the street lighting upgrade"),
    ("CCTV Provision", "the CCTV cameras"), ("Christmas Lights", "the Christmas lights"),
    ("Defibrillator", "the defibrillator at the village hall"), ("Bus Shelters", "the bus shelter on the High Street"),
    ("Dog Fouling", "dog fouling on the recreation ground"), ("Youth Provision", "youth provision"),
    ("Annual Governance Statement", "the annual governance statement"), ("Internal Audit Report", "the internal audit"),
    ("Treasury Management Strategy", "the treasury management strategy"), ("Leisure Centre Roof", "the leisure centre roof"),
    ("Waste and Recycling Collections", "missed bin collections"), ("Flood Risk Management", "the flood risk assessment"),
    ("Public Rights of Way", "the public rights of way"), ("Home to School Transport", "home to school transport"),
    ("SEND Sufficiency", "the SEND sufficiency plan"), ("Damp and Mould in Council Homes", "damp and mould cases"),
    ("Town Centre Regeneration", "the town centre regeneration scheme"), ("Cemetery Extension", "the cemetery extension"),
    ("Village Hall Lease", "the village hall lease"), ("Speed Indicator Devices", "speeding on Main Road"),
)  # fmt: skip
ORGS = ("the County Council", "the Highways Authority", "the Environment Agency", "the police", "the landowner",
        "the Citizens Advice Bureau", "the Village Hall Committee", "the Scouts", "the local MP", "the bus operator")  # fmt: skip
ACTIONS = (
    "circulate a briefing note on {s} to all members", "report back to the next meeting on {s}",
    "write to {o} about {s}", "obtain three quotations for {s}", "arrange a site visit to look at {s}",
    "review {s} and report to the {c}", "consult residents on {s}", "provide a breakdown of the figures on {s}",
    "meet {o} to discuss {s}", "publish the results of the consultation on {s}", "chase {o} about {s}",
    "prepare a costed options appraisal for {s}", "update the risk register to reflect {s}",
)  # fmt: skip
DUES = ("by 31 March 2025", "within 14 days", "before the next meeting", "in six months", "by the end of June",
        "at the September meeting", "within 28 days", "next month", "by 1st December", "", "", "", "")  # fmt: skip
FILLER = (
    "Members asked about the timetable and were told that work was expected to start in the spring.",
    "The report set out the options considered and the reasons for the recommended approach.",
    "Spending was forecast to be £{n},000 below budget at the end of the year.",
    "A member asked whether residents had been consulted; the officer confirmed that a survey had closed in {m}.",
    "There had been {k} complaints in the last quarter, compared with {k2} in the same period last year.",
    "The Chair thanked officers for a clear and detailed report.",
    "Members discussed the implications for the smaller villages in the district.",
    "It was noted that the grant funding would end in March and that no replacement had been announced.",
    "The risk of further delay was considered to be low.",
    "Several members said that the scheme had been well received in their wards.",
    "The committee heard that recruitment to the two vacant posts had been completed.",
    "A question was asked about the cost of the consultants, which had been £{n},500.",
    "The officer explained that the figures were provisional and would be confirmed at year end.",
    "Members were reminded that the item had been deferred from the previous meeting.",
)  # fmt: skip
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "September", "October", "November")


@dataclass(frozen=True)
class Meeting:
    """Who met and when, and how their clerk writes minutes."""

    council: str
    committee: str | None
    date: dt.date
    style: str  # "principal" | "moderngov" | "parish"
    place: str

    @property
    def chair_title(self) -> str:
        return "Mayor" if "Town" in self.council else "Chair"


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([w for w, _ in weighted], weights=[n for _, n in weighted])[0]


def meeting(rng: random.Random) -> Meeting:
    """A council, committee and date, drawn so that councils and committees recur across a corpus."""
    place = rng.choice(PREFIXES) + rng.choice(SUFFIXES)
    if rng.random() < 0.55:
        council = f"{place} {pick(rng, PRINCIPAL)}"
        committee = rng.choice(PRINCIPAL_COMMITTEES)
        style = "moderngov" if rng.random() < 0.3 else "principal"
    else:
        council = f"{place} {pick(rng, LOCAL)}"
        committee = rng.choice(LOCAL_COMMITTEES)
        style = "parish"
    date = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(7 * 365))
    return Meeting(council, committee, date, style, place)


def person(rng: random.Random) -> str:
    return f"Councillor {rng.choice('ABCDEFGHJKLMPRST')} {rng.choice(SURNAMES)}"


def long_date(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def clause(rng: random.Random, m: Meeting, subject: str, officer: str) -> str:
    """One decision clause, as it would follow "RESOLVED that"."""
    body = rng.choice(ACTIONS).format(s=subject, o=rng.choice(ORGS), c=m.committee or "Council")
    due = rng.choice(DUES)
    kinds = (
        f"the {officer} {body}{' ' + due if due else ''}",
        f"the {officer} be authorised to {body}",
        f"{subject} be approved",
        "the report be noted",
        f"a grant of £{rng.randrange(2, 60) * 50} be awarded to {rng.choice(ORGS)} towards {subject}",
        f"the {officer}, in consultation with the {m.chair_title}, {body}{' ' + due if due else ''}",
        f"the update on {subject} be received",
    )
    return rng.choice(kinds)


def resolution(rng: random.Random, m: Meeting, subject: str, officer: str) -> list[str]:
    """A decision paragraph (or a lead-in and its lettered sub-points) in one of the usual styles."""
    style = rng.random()
    if m.style == "parish":
        clerk = rng.choice(LOCAL_OFFICERS)
        body = rng.choice(ACTIONS).format(s=subject, o=rng.choice(ORGS), c="Council")
        due = rng.choice(DUES)
        if style < 0.35:
            return [f"{clerk} to {body}{' ' + due if due else ''}."]
        if style < 0.6:
            seconder = rng.choice(SURNAMES)
            return [
                f"Proposed Cllr {rng.choice(SURNAMES)}, seconded Cllr {seconder} and RESOLVED to approve {subject}."
            ]
        if style < 0.8:
            return [f"It was agreed to {body}. Action: {clerk}"]
        return [f"It was RESOLVED that {clause(rng, m, subject, clerk)}."]
    if style < 0.4:
        return [f"RESOLVED that {clause(rng, m, subject, officer)}."]
    if style < 0.55:
        return [f"It was AGREED that {clause(rng, m, subject, officer)}."]
    n = rng.randint(2, 4)
    lead = "RECOMMENDED to Council that:" if style < 0.7 and m.committee != "Council" else "RESOLVED that:"
    points = [clause(rng, m, subject, rng.choice(OFFICERS)) for _ in range(n)]
    labels = "abcdefg"
    lines = [lead]
    for i, text in enumerate(points):
        end = ";" if i < n - 2 else "; and" if i == n - 2 else "."
        lines.append(f"({labels[i]}) {text}{end}")
    return lines


def narrative(rng: random.Random, m: Meeting, subject: str, officer: str, first: bool = True) -> str:
    """A paragraph of discussion, sometimes with an undertaking in it ("the Director agreed to circulate …")."""
    words = {
        "n": rng.randrange(12, 900),
        "m": rng.choice(MONTHS),
        "k": rng.randrange(3, 90),
        "k2": rng.randrange(3, 90),
    }
    sentences = [rng.choice(FILLER).format(**words) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.3:
        body = rng.choice(ACTIONS).format(s=subject, o=rng.choice(ORGS), c=m.committee or "Council")
        due = rng.choice(DUES)
        who = officer if m.style != "parish" else rng.choice(LOCAL_OFFICERS)
        sentences.insert(rng.randrange(len(sentences) + 1), f"The {who} agreed to {body}{' ' + due if due else ''}.")
    opening = f"The {officer} presented the report on {subject}. " if first else ""
    return opening + " ".join(sentences)


def number_of(m: Meeting, i: int) -> str:
    """The minute number as this clerk prints it: "112/24", "25.04.03", "1772." or "7."."""
    if m.style == "parish":
        return f"{m.date:%y}.{m.date:%m}.{i:02d}"
    if m.style == "moderngov":
        return f"{1500 + i}."
    return f"{100 + i}/{m.date:%y}"


def minutes_text(rng: random.Random, m: Meeting) -> str:
    """The minutes of one meeting as plain text, one paragraph per line (the corpus's layout)."""
    lines = [m.council.upper(), (m.committee or "Full Council").upper()]
    lines.append(
        f"Minutes of the meeting of the {m.committee or 'Council'} held at {m.place} on {m.date:%A} "
        f"{long_date(m.date)} at {rng.choice(['6.00 pm', '7.00pm', '10.00 am', '7.30pm'])}"
    )
    present = ", ".join(person(rng) for _ in range(rng.randint(3, 9)))
    lines.append(f"Present: {present}.")
    n_items = min(MAX_ITEMS, max(3, round(rng.lognormvariate(0, 0.6) * MEDIAN_ITEMS)))
    procedural = [
        ("Apologies for Absence", [f"Apologies for absence were received from {person(rng)}."]),
        ("Declarations of Interest", ["No declarations of interest were made."]),
        ("Minutes", [f"RESOLVED that the minutes of the meeting held on {long_date(m.date - dt.timedelta(days=28))} "
                     f"be approved as a correct record and signed by the {m.chair_title}."]),
    ]  # fmt: skip
    for i in range(n_items):
        number = number_of(m, i + 1)
        if i < len(procedural):
            heading, body = procedural[i]
            lines += [f"{number} {heading}", *body]
            continue
        heading, subject = rng.choice(TOPICS)
        officer = rng.choice(OFFICERS if m.style != "parish" else LOCAL_OFFICERS)
        talk = [narrative(rng, m, subject, officer, first=k == 0) for k in range(rng.randint(1, 4))]
        decided = resolution(rng, m, subject, officer) if rng.random() < 0.8 else []
        if m.style == "moderngov":  # the decision twice: in its own section, and again at the end of the minutes
            lines += [number, heading, "Decision:", *(decided or ["NOTED."]), "Minutes:", *talk, *decided]
        else:
            lines += [f"{number} {heading}", *talk, *decided]
    lines.append(f"The meeting closed at {rng.choice(['8.15 pm', '9.02pm', '12.40 pm', '8.45pm'])}.")
    return "\n\n".join(lines) + "\n"


def html_page(m: Meeting, text: str, url: str) -> str:
    """A ModernGov-like minutes page around the text: navigation, scripts and styles the reader must drop."""
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Minutes - {html.escape(m.committee or "Council")} - \
{long_date(m.date)} - {html.escape(m.council)}</title>
<link rel="canonical" href="{url}"><style>.mgWordPara p {{ margin: 0 }}</style>
<script>var mgPageTitle = "Minutes";</script></head>
<body><div id="header"><a href="/">Home</a> <a href="/mgListCommittees.aspx">Committees</a></div>
<div id="mgBreadCrumbs"><ul><li>Meetings</li><li>{html.escape(m.committee or "Council")}</li></ul></div>
<div class="mgContent"><div class="mgWordPara">
{paras}
</div></div><div id="footer">© {html.escape(m.council)} · Cookies · Accessibility</div></body></html>
"""


def formats(rng: random.Random) -> str:
    return rng.choices([f for f, _ in FORMAT_SHARES], weights=[w for _, w in FORMAT_SHARES])[0]


def documents(n: int, seed: int = 9) -> Iterator[tuple[str, Meeting, str]]:
    """(stem, meeting, text) for ``n`` documents; councils recur, so a corpus has meetings over time."""
    rng = random.Random(seed)
    pool = [meeting(rng) for _ in range(max(10, n // 8))]  # ~8 meetings of each council and committee
    for k in range(n):
        base = rng.choice(pool)
        m = Meeting(base.council, base.committee, base.date + dt.timedelta(days=28 * rng.randrange(40)), base.style,
                    base.place)  # fmt: skip
        yield f"{k:06d}-{m.place.lower()}-{m.date:%Y-%m-%d}", m, minutes_text(rng, m)


def write_corpus(out: Path, n: int, seed: int = 9) -> Path:
    """Write ``n`` documents under ``out`` (in sub-folders of 1,000) and their manifest; returns the manifest path."""
    from pipeline.corpus_formats import parse_minutes, render_docx, render_pdf

    rng = random.Random(seed + 1)
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.csv"
    with open(manifest, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "council", "committee", "meeting_date", "url"])
        for k, (stem, m, text) in enumerate(documents(n, seed)):
            fmt = formats(rng)
            rel = Path(f"{k // 1000:03d}") / f"{stem}.{fmt}"
            path = out / rel
            path.parent.mkdir(exist_ok=True)
            url = f"https://democracy.{m.place.lower()}.gov.uk/minutes/{stem}"
            header = " – ".join(p for p in (m.council, m.committee, long_date(m.date)) if p)
            if fmt == "txt":
                path.write_text(text, encoding="utf-8")
            elif fmt == "html":
                path.write_text(html_page(m, text, url), encoding="utf-8")
            elif fmt == "pdf":
                render_pdf(parse_minutes(text), header, path, title=header)
            else:
                render_docx(parse_minutes(text), header, path, title=header)
            writer.writerow([rel.as_posix(), m.council, m.committee or "", m.date.isoformat(), url])
    return manifest


# --- a large database for the serving benchmark, without parsing anything -------------------------

THEMES = ("housing", "planning", "finance and budget", "transport and highways", "environment and climate",
          "health", "governance", "community safety", None, None)  # fmt: skip
STATUSES = ("open", "open", "overdue", "updated", "done")


def build_serving_db(path: Path, n_items: int, seed: int = 9, items_per_doc: int = 20) -> dict[str, int]:
    """Fill a new database with the project's schema and ``n_items`` synthetic items, then index them once.

    The tables are the project's own (``store.connect`` and the action register's
    ``ensure_tables``); rows are made for whatever columns they have, so the database follows
    the schema as it changes. Rows go in with ``executemany`` while the full-text triggers are
    dropped; the FTS tables are rebuilt once at the end and the triggers put back, so a million
    items take minutes, not the hours of per-row trigger work (or of running the register's
    rebuild over them). The register holds one action per action item, with a status.
    """
    from pipeline import store

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = store.connect(path)
    conn: sqlite3.Connection = db.conn
    register = _register_tables(db)
    triggers = conn.execute("select name, sql from sqlite_master where type = 'trigger'").fetchall()
    for name, _ in triggers:
        conn.execute(f"drop trigger [{name}]")
    insert = {table: _inserter(conn, table) for table in ("councils", "committees", "meetings", "documents",
                                                          "agenda_items", "items", *register)}  # fmt: skip
    rng = random.Random(seed)
    n_docs = -(-n_items // items_per_doc)
    pool = [meeting(rng) for _ in range(max(10, n_docs // 8))]
    conn.execute("BEGIN")
    made = 0
    for d in range(n_docs):
        base = rng.choice(pool)
        m = Meeting(base.council, base.committee, base.date + dt.timedelta(days=28 * rng.randrange(40)), base.style,
                    base.place)  # fmt: skip
        council_id = store.slug(m.council)
        committee_id = f"{council_id}/{store.slug(m.committee)}" if m.committee else None
        meeting_id = f"{committee_id or council_id}/{m.date.isoformat()}"
        date = m.date.isoformat()
        insert["councils"]([{"id": council_id, "name": m.council}], ignore=True)
        if committee_id:
            insert["committees"]([{"id": committee_id, "council_id": council_id, "name": m.committee}], ignore=True)
        insert["meetings"]([{"id": meeting_id, "council_id": council_id, "committee_id": committee_id, "date": date}],
                           ignore=True)  # fmt: skip
        doc_id = f"{d:016x}"
        items, agenda, actions, texts, pos = [], [], [], [], 0
        for k in range(min(items_per_doc, n_items - made)):
            heading, subject = rng.choice(TOPICS)
            officer = rng.choice(OFFICERS if m.style != "parish" else LOCAL_OFFICERS)
            text = clause(rng, m, subject, officer)
            action = int(rng.random() < 0.55)
            due = f"{m.date.year + 1}-03-31" if action and rng.random() < 0.4 else None
            number = number_of(m, k + 1)
            agenda.append({"id": f"{doc_id}:{k}", "document_id": doc_id, "idx": k, "number": number, "title": heading,
                           "start": pos, "end": pos + len(text)})  # fmt: skip
            item = {
                "id": f"{doc_id}:{pos}-{pos + len(text)}:{k}", "document_id": doc_id, "agenda_item_id": f"{doc_id}:{k}",
                "seq": k, "kind": rng.choice(("decision", "decision", "recommendation", "undertaking")), "text": text,
                "action": action, "owner": officer if action else None, "due": due, "due_text": None,
                "section": rng.choice(("resolved", None)), "rule": "bench", "council_id": council_id,
                "committee_id": committee_id, "meeting_date": date, "agenda_item_title": heading,
                "minute_number": number, "start": pos, "end": pos + len(text), "source_text": text,
                "theme": rng.choice(THEMES),
            }  # fmt: skip
            items.append(item)
            if action:
                actions.append(_action_row(rng, item, m, meeting_id))
            texts.append(text)
            pos += len(text) + 2
        made += len(items)
        insert["documents"]([{
            "id": doc_id, "path": f"bench/{doc_id}.txt", "sha256": doc_id * 4, "format": "txt",
            "title": f"Minutes {long_date(m.date)}", "council_id": council_id, "committee_id": committee_id,
            "meeting_id": meeting_id, "meeting_date": date, "n_blocks": len(items), "n_items": len(items),
            "n_actions": len(actions), "text": "\n\n".join(texts), "ingested_at": "2025-01-01T00:00:00+00:00",
        }])  # fmt: skip
        insert["agenda_items"](agenda)
        insert["items"](items)
        if "actions" in insert:
            insert["actions"](actions)
    conn.execute("COMMIT")
    for table in ("items", "documents"):
        conn.execute(f"insert into [{table}_fts]([{table}_fts]) values ('rebuild')")
    for _, sql in triggers:
        conn.execute(sql)
    conn.execute("analyze")
    db.close()
    return {"items": made, "documents": n_docs}


def _register_tables(db) -> list[str]:
    """Create the action register's tables as the project defines them; their names (none if it has no register)."""
    try:
        from pipeline.track import register
    except ImportError:
        return []
    register.ensure_tables(db)
    return list(register.TABLES)


def _inserter(conn: sqlite3.Connection, table: str):
    """A function inserting dict rows into ``table``: the columns the rows name that the table has; the
    others take their defaults (a column the schema gained later, such as documents.draft, keeps its own)."""
    have = [r[1] for r in conn.execute(f"pragma table_info([{table}])")]

    def insert(rows: list[dict], ignore: bool = False) -> None:
        if rows:
            named = set().union(*rows)
            columns = [c for c in have if c in named]
            sql = (f"insert {'or ignore ' if ignore else ''}into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                   f"values ({', '.join('?' for _ in columns)})")  # fmt: skip
            conn.executemany(sql, [[row.get(c) for c in columns] for row in rows])

    return insert


def _action_row(rng: random.Random, item: dict, m: Meeting, meeting_id: str) -> dict:
    """The register's row for an action item: reference, owner, deadline in force and a status."""
    status = rng.choice(STATUSES)
    body = "".join(w[0] for w in (m.committee or m.council).split() if w[0].isupper()) or "X"
    return {
        **{k: item[k] for k in ("id", "council_id", "committee_id", "meeting_date", "document_id", "minute_number",
                                "kind", "text", "owner", "due", "due_text", "start", "end")},
        "reference": f"{body}/{item['meeting_date']}/{item['seq'] + 1}", "council": m.council,
        "committee": m.committee, "meeting_id": meeting_id, "agenda_item": item["agenda_item_id"],
        "owner_id": (item["owner"] or "").lower().replace(" ", "-") or None, "owner_raw": item["owner"],
        "due_source": "text" if item["due"] else None, "due_in_force": item["due"], "status": status,
        "status_reason": "synthetic", "as_of": "2029-01-01", "n_updates": int(status in ("updated", "done")),
        "latest_update": "Progress was reported." if status in ("updated", "done") else None,
        "updated_on": item["meeting_date"] if status in ("updated", "done") else None,
        "closed_on": item["meeting_date"] if status == "done" else None,
    }  # fmt: skip


@click.command()
@click.option("--docs", "n", type=int, default=1000, show_default=True, help="How many documents.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to write them to.")
@click.option("--seed", type=int, default=9, show_default=True)
def main(n: int, out: Path, seed: int) -> None:
    """Write a synthetic corpus of council minutes and its manifest."""
    manifest = write_corpus(out, n, seed)
    click.echo(f"{n} documents and {manifest}")


if __name__ == "__main__":
    main()
