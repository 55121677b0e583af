"""Screenshots of the three journeys for the README, taken in Chromium from a real `datasette serve`.

    python -m pipeline.publish.screenshots [--db build/minutes.db] [--out docs/img]

(`make screenshots`). The database must hold the action register (`make db` builds both).
Each picture is named after its journey: officer-*, councillor-*, researcher-*; the list
is in :data:`SHOTS` and in docs/publishing.md.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from . import METADATA, browser
from .server import running


@dataclass(frozen=True)
class Shot:
    """One picture: its file name, the page to open (relative to the site), and what to wait for or frame."""

    name: str
    path: str
    wait_for: str | None = None
    frame: str | None = None  # a selector to photograph on its own instead of the top of the page
    caption: str = ""


def passage_of_an_overdue_action(db: Path) -> str:
    """The document page of the latest committee action that is overdue (or any action), at its anchor."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "select a.document_id, i.seq from actions a join items i on i.id = a.id "
            "order by a.status = 'overdue' desc, a.committee_id is not null desc, a.meeting_date desc limit 1"
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        raise click.ClickException(f"{db}: no actions; run `python -m pipeline track --db {db}` first")
    return f"-/document/{row[0]}#item-{row[1]}"


def chart_fragment(query: str) -> str:
    """The datasette-vega settings the metadata gives a canned query's chart."""
    return json.loads(METADATA.read_text(encoding="utf-8"))["databases"]["minutes"]["queries"][query]["chart"]


def shots(db: Path) -> list[Shot]:
    """Every screenshot, in journey order."""
    chart = chart_fragment("actions_by_council")
    return [
        Shot("home", "", ".site-summary", caption="The home page: what the site holds and how fresh it is"),
        Shot("officer-new-items", "minutes/new_items", "table.rows-and-columns",
             caption="Officer: the items of the minutes just ingested come first"),
        Shot("officer-register", "minutes/action_register?committee=CYPS", "table.rows-and-columns",
             caption="Officer: a committee's action register with status and latest update"),
        Shot("officer-passage", passage_of_an_overdue_action(db), ".item-card:target",
             caption="Officer: an action's source passage, highlighted in the document"),
        Shot("councillor-search", "minutes/search?q=EHCP", "table.rows-and-columns",
             caption="Councillor: search across items and documents"),
        Shot("councillor-actions", "minutes/outstanding_actions?committee=CYPS", "p.subscribe",
             caption="Councillor: a committee's outstanding actions with owner, due date and sentence, and its feeds"),
        Shot("researcher-follow-up", "minutes/follow_up_by_council", "table.rows-and-columns",
             caption="Researcher: follow-up by council and committee type"),
        Shot("researcher-chart", f"minutes/actions_by_council?_chart=1#{chart}", ".vega-embed canvas, .vega-embed svg",
             frame=".vega-embed", caption="Researcher: actions by council and status, drawn by datasette-vega"),
    ]  # fmt: skip


def take(db: Path, out: Path, echo: Callable[[str], None] = print) -> list[Path]:
    """Serve ``db``, open each page in Chromium and save a PNG per :class:`Shot` in ``out``."""
    from playwright.sync_api import sync_playwright

    reason = browser.missing()
    if reason:
        raise click.ClickException(reason)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with running(db) as url, sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = browser.launch(p, Path(profile))
        page = context.new_page()
        for shot in shots(db):
            page.goto(url + shot.path)
            if shot.wait_for:
                page.wait_for_selector(shot.wait_for, timeout=15_000)
            path = out / f"{shot.name}.png"
            if shot.frame:
                target = page.locator(shot.frame).first
                target.scroll_into_view_if_needed()
                target.screenshot(path=str(path))
            else:
                page.screenshot(path=str(path))
            echo(f"{path}: {shot.caption}")
            written.append(path)
        context.close()
    return written


@click.command()
@click.option(
    "--db",
    "db_path",
    default="build/minutes.db",
    show_default=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Database with the action register.",
)
@click.option("--out", default="docs/img", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def main(db_path: Path, out: Path) -> None:
    """Take the journey screenshots for the README."""
    take(db_path, out, echo=click.echo)


if __name__ == "__main__":
    sys.exit(main())
