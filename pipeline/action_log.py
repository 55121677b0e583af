"""The "Outstanding actions" appendix a clerk puts in the next agenda pack, from the action register.

:func:`action_log` picks one body's actions that are not yet reported done (status open,
overdue or updated) out of the register that ``python -m pipeline track`` builds, oldest
meeting first; :func:`write_docx`, :func:`write_csv` and :func:`write_markdown` lay them out
with the columns a clerk would otherwise type: reference, meeting, minute, action, owner,
due, status, latest update and a link to the source passage on the published site.

A body is a committee, or a council that meets as one (parish and town councils). It is
named on the command line by its committee's name (or part of it), its id, or the initials
that start its references ("CYPS" for CYPS/2025-01-14/3), optionally narrowed by council.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import sqlite_utils

from .errors import PipelineError

OUTSTANDING = ("open", "overdue", "updated")
COLUMNS = ("Ref", "Meeting", "Minute", "Action", "Owner", "Due", "Status", "Latest update", "Source")
DEFAULT_SITE_URL = "http://127.0.0.1:8001"
FORMATS = ("docx", "csv", "md")


class NoRegister(PipelineError):
    """The database has no action register, or it is older than the items stored."""


class UnknownBody(PipelineError):
    """No committee or council in the register matches the name given, or several do."""


@dataclass(frozen=True)
class Body:
    """A committee, or a council meeting as one body, as the register names it."""

    council_id: str | None
    council: str | None
    committee_id: str | None
    committee: str | None
    prefix: str  # the initials that start its references: "CYPS"

    @property
    def name(self) -> str:
        if self.committee and self.council:
            return f"{self.committee}, {self.council}"
        return self.committee or self.council or "Unknown body"


@dataclass(frozen=True)
class Row:
    """One outstanding action, as the appendix shows it."""

    reference: str
    meeting: str | None
    minute: str | None
    action: str
    owner: str | None
    due: str | None
    status: str
    latest_update: str | None
    source: str

    def cells(self) -> list[str]:
        return [
            self.reference, self.meeting or "", self.minute or "", self.action, self.owner or "", self.due or "",
            self.status, self.latest_update or "", self.source,
        ]  # fmt: skip


@dataclass(frozen=True)
class ActionLog:
    """A body's outstanding actions on the register's as-of date."""

    body: Body
    as_of: str | None
    rows: tuple[Row, ...]

    def title(self) -> str:
        return f"Outstanding actions: {self.body.name}"

    def intro(self) -> str:
        when = f"as of {self.as_of}" if self.as_of else "on the minutes stored"
        n = len(self.rows)
        return (
            f"Actions recorded at earlier meetings that had not been reported done {when} "
            f"({n} action{'s' if n != 1 else ''}). Each links to the passage of the minutes it came from."
        )


def check_register(db: sqlite_utils.Database, path: str | Path) -> None:
    """Raise :class:`NoRegister` unless the register exists and covers exactly the action items stored."""
    if not db["actions"].exists():
        raise NoRegister(f"{path}: no action register; run `python -m pipeline track --db {path}` first")
    missing, gone = db.execute(
        "select (select count(*) from items where action = 1 and id not in (select id from actions)), "
        "(select count(*) from actions where id not in (select id from items))"
    ).fetchone()
    if missing or gone:
        raise NoRegister(
            f"{path}: the action register is out of date ({missing} new actions, {gone} removed); "
            f"run `python -m pipeline track --db {path}` first"
        )


def bodies(db: sqlite_utils.Database) -> list[Body]:
    """Every body with at least one action in the register."""
    rows = db.execute(
        "select council_id, council, committee_id, committee, min(reference) from actions "
        "group by council_id, committee_id order by coalesce(committee, council)"
    ).fetchall()
    return [Body(c_id, c, k_id, k, (ref or "").split("/")[0]) for c_id, c, k_id, k, ref in rows]


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().lower())


def find_body(db: sqlite_utils.Database, path: str | Path, committee: str | None, council: str | None) -> Body:
    """The one body that ``committee`` (name, part of it, id or reference initials) and ``council`` name.

    With only ``council``, the body is that council meeting as itself (no committee).
    An exact match (id, initials or whole name) beats a partial one.

    :raises UnknownBody: when none matches, or several match equally well.
    """
    if not committee and not council:
        raise UnknownBody(f"{path}: name a committee (--committee) or a council (--council)")
    candidates = bodies(db)
    if council:
        c = _norm(council)
        candidates = [b for b in candidates if c == _norm(b.council_id) or c in _norm(b.council)]
    if not committee:
        candidates = [b for b in candidates if b.committee_id is None]
        exact = partial = candidates
    else:
        k = _norm(committee)

        def names(b: Body) -> list[str]:
            own = [b.committee_id, b.committee] if b.committee_id else [b.council_id, b.council]
            return [_norm(x) for x in own if x]

        exact = [b for b in candidates if k == b.prefix.lower() or k in names(b)]
        partial = [b for b in candidates if any(k in n for n in names(b))]
    found = exact or partial
    wanted = " in ".join(filter(None, [committee, council]))
    if not found:
        known = "; ".join(f"{b.prefix} = {b.name}" for b in bodies(db)) or "none"
        raise UnknownBody(f"{path}: no committee or council matches {wanted!r} (known: {known})")
    if len(found) > 1:
        raise UnknownBody(
            f"{path}: {wanted!r} matches {len(found)} bodies ({'; '.join(b.name for b in found)}); "
            "give more of the name or --council"
        )
    return found[0]


def passage_url(site_url: str, document_id: str, seq: int) -> str:
    """The address of an item's passage on the published site (see pipeline/publish)."""
    return f"{site_url.rstrip('/')}/-/document/{document_id}#item-{seq}"


def action_log(
    db: sqlite_utils.Database,
    path: str | Path,
    committee: str | None = None,
    council: str | None = None,
    site_url: str = DEFAULT_SITE_URL,
) -> ActionLog:
    """A body's outstanding actions, oldest meeting first, from the register in ``db``.

    :raises NoRegister: when ``python -m pipeline track`` has not been run since the last ingest.
    :raises UnknownBody: when the names given do not pick out exactly one body.
    """
    check_register(db, path)
    body = find_body(db, path, committee, council)
    where = "a.committee_id = ?" if body.committee_id else "a.committee_id is null and a.council_id is ?"
    sql = f"""
        select a.reference, a.meeting_date, a.minute_number, a.text, coalesce(a.owner, a.owner_raw) as owner,
               coalesce(a.due_in_force, a.due) as due, a.status, a.latest_update, a.as_of, a.document_id, i.seq
        from actions a join items i on i.id = a.id
        where {where} and a.status in ({", ".join("?" for _ in OUTSTANDING)})
        order by a.meeting_date, a.document_id, a.start"""
    rows = db.execute(sql, [body.committee_id or body.council_id, *OUTSTANDING]).fetchall()
    as_of = db.execute(f"select max(as_of) from actions a where {where}", [body.committee_id or body.council_id])
    return ActionLog(
        body=body,
        as_of=as_of.fetchone()[0],
        rows=tuple(
            Row(ref, meeting, minute, text, owner, due, status, update, passage_url(site_url, doc_id, seq))
            for ref, meeting, minute, text, owner, due, status, update, _as_of, doc_id, seq in rows
        ),
    )


# --- writers -----------------------------------------------------------------------------------


def write_csv(log: ActionLog, out: TextIO) -> None:
    """One header row and one row per action (write with encoding utf-8-sig so Excel reads the dashes)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(row.cells() for row in log.rows)


def _md_cell(text: str) -> str:
    # a pipe or a line break would end the cell early
    return " ".join(text.split()).replace("|", "\\|")


def write_markdown(log: ActionLog, out: TextIO) -> None:
    """A heading, one line of explanation and a pipe table; the source column links to the passage."""
    out.write(f"## {log.title()}\n\n{log.intro()}\n\n")
    out.write("| " + " | ".join(COLUMNS) + " |\n")
    out.write("|" + "|".join("---" for _ in COLUMNS) + "|\n")
    for row in log.rows:
        cells = [_md_cell(c) for c in row.cells()[:-1]] + [f"[source]({row.source})"]
        out.write("| " + " | ".join(cells) + " |\n")
    if not log.rows:
        out.write("| " + " | ".join(["—"] * len(COLUMNS)) + " |\n")


def markdown(log: ActionLog) -> str:
    buf = io.StringIO()
    write_markdown(log, buf)
    return buf.getvalue()


def write_docx(log: ActionLog, path: Path) -> None:
    """A landscape Word document: heading, explanation and a table with one row per action."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.core_properties.title = log.title()
    doc.add_heading(log.title(), level=1)
    doc.add_paragraph(log.intro())
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, COLUMNS):
        cell.text = ""
        cell.paragraphs[0].add_run(name).bold = True
    for row in log.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells[:-1], row.cells()[:-1]):
            cell.text = value
        _hyperlink(cells[-1].paragraphs[0], row.source, row.reference)
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
    _repeat_header(table.rows[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))


def _hyperlink(paragraph, url: str, text: str) -> None:
    """Add a clickable link (python-docx has no API for making one)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(underline)
    run.append(props)
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _repeat_header(row) -> None:
    """Repeat the header row at the top of each page of a long table."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    props.append(header)


def default_path(log: ActionLog, fmt: str) -> Path:
    """build/outstanding-actions-<initials>-<as of>.<fmt>"""
    stem = "-".join(filter(None, ["outstanding-actions", log.body.prefix.lower(), log.as_of]))
    return Path("build") / f"{stem}.{fmt}"


def write(log: ActionLog, fmt: str, out: Path | None, stdout: TextIO) -> Path | None:
    """Write ``log`` in ``fmt`` to ``out`` (CSV and Markdown go to ``stdout`` when ``out`` is None).

    :returns: the file written, or None for stdout.
    """
    if fmt == "docx":
        out = out or default_path(log, fmt)
        write_docx(log, out)
        return out
    writer = write_csv if fmt == "csv" else write_markdown
    if out is None:
        writer(log, stdout)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as f:
        writer(log, f)
    return out
