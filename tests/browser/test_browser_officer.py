"""An officer's round trip in Chromium: log in, upload draft minutes, preview them, correct an action, publish;
then the public site, served read-only from what was published, shows the correction and no trace of the draft.

Two real servers: `python -m pipeline officer` over a copy of the browser tests' database, and the
Makefile's read-only `datasette serve` over the database the Publish button wrote.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.publish.server import free_port, running
from pipeline.store import document_id

pytestmark = pytest.mark.browser

PASSWORD = "a long officer passphrase"
PHRASE = "Quillfeather Heronry"  # in no corpus document
DRAFT = f"""NORTHMOOR COUNTY COUNCIL

Children and Young People Scrutiny Committee

Minutes of the meeting held on Tuesday 10 June 2025 at 10.00 am

1. {PHRASE} Outreach

RESOLVED that the Assistant Director – Education and Inclusion write to the {PHRASE} trust by 30 June 2025.
"""
NEW_OWNER = "Head of SEND Sufficiency"


@pytest.fixture(scope="module")
def officer_site(site_db: Path, tmp_path_factory):
    """The officers' instance over a copy of the browser database; yields (url, working db, public db, uploads)."""
    from datasette_auth_passwords.utils import hash_password

    root = tmp_path_factory.mktemp("officer-site")
    work = root / "work" / "minutes.db"
    work.parent.mkdir()
    with closing(sqlite3.connect(site_db)) as src, closing(sqlite3.connect(work)) as dst:
        src.backup(dst)
    public = root / "public" / "minutes.db"
    port = free_port()
    cmd = [sys.executable, "-m", "pipeline", "officer", "--db", str(work), "--public-db", str(public)]
    cmd += ["--user", "alice", "--port", str(port)]
    env = {**os.environ, "MINUTES_OFFICER_PASSWORD_HASH": hash_password(PASSWORD)}
    with running(work, port=port, command=cmd, env=env, log=root / "officer.log") as url:
        yield url, work, public, root


def follow(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_upload_preview_correct_publish(page, officer_site, new_minutes, tmp_path, watched):
    url, work, public, root = officer_site
    draft_file = tmp_path / "cyps-2025-06-10-draft.txt"
    draft_file.write_text(DRAFT, encoding="utf-8")

    # not logged in: every page sends the officer to the login form
    page.goto(url + "-/officer")
    assert page.url == url + "-/login"
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    follow(page, page.locator('input[type=submit][value="Log in"]'))
    page.goto(url + "-/officer")
    assert "Logged in as alice" in page.locator("section.content").inner_text()

    # upload: the draft box is ticked by default
    page.fill("#council", "Northmoor County Council")
    page.fill("#committee", "Children and Young People Scrutiny Committee")
    page.fill("#meeting_date", "2025-06-10")
    assert page.locator("#draft").is_checked()
    page.set_input_files("#file", str(draft_file))
    follow(page, page.locator('input[type=submit][value="Upload and ingest"]'))

    # preview: the draft's action, and its text with the passage marked
    content = page.locator("section.content")
    assert "Uploaded and ingested" in content.inner_text()
    assert f"write to the {PHRASE} trust" in page.locator("table.rows-and-columns").first.inner_text()
    follow(page, page.get_by_role("link", name="the text with its items marked"))
    assert page.locator(f"mark.item:has-text('{PHRASE}')").count() == 1

    # correct an action of the minutes already published: found by its reference
    with closing(sqlite3.connect(work)) as conn:
        action_id, reference, owner = conn.execute(
            "select id, reference, owner from actions where document_id = ? and status != 'done' order by start",
            [new_minutes["id"]],
        ).fetchone()
    page.goto(url + "-/officer")
    page.fill("#ref", reference)
    follow(page, page.locator('input[type=submit][value="Find"]'))
    assert page.locator("h1").inner_text() == f"Correct {reference}"
    page.fill("#owner", NEW_OWNER)
    page.select_option("#status", "done")
    page.fill("#note", "confirmed at the June meeting")
    follow(page, page.locator('input[type=submit][value="Save correction"]'))
    assert "Correction saved" in page.locator("section.content").inner_text()
    history = page.locator("table.rows-and-columns").inner_text()
    assert NEW_OWNER in history and "alice" in history and (owner or "") in history

    # publish
    page.goto(url + "-/officer")
    follow(page, page.locator('input[type=submit][value="Publish"]'))
    assert "1 draft left out" in page.locator(".officer-messages").inner_text()
    assert not watched.errors

    # the public site, read-only, from what was published
    assert PHRASE.lower().encode() not in public.read_bytes().lower()
    draft_id = document_id(str(next((root / "work" / "uploads").glob("*-cyps-2025-06-10-draft.txt"))))
    with running(public, log=root / "public.log") as site:
        page.goto(site + f"minutes/actions?id={action_id}")
        row = page.locator("table.rows-and-columns tbody tr")
        assert row.count() == 1
        assert row.locator("td.col-owner").inner_text() == NEW_OWNER
        assert row.locator("td.col-status").inner_text() == "done"
        assert "corrected to “done” by alice" in row.locator("td.col-status_reason").inner_text()
        page.goto(site + "minutes/overrides")
        assert "confirmed at the June meeting" in page.locator("table.rows-and-columns").inner_text()
        for path in ("minutes/items?_search=Quillfeather", "minutes/documents?_search=Quillfeather"):
            page.goto(site + path)
            assert page.locator("table.rows-and-columns tbody tr").count() == 0, path
        assert page.goto(site + f"-/document/{draft_id}").status == 404
        assert page.goto(site + "-/officer").status == 404
        assert page.goto(site + f"minutes/documents/{draft_id}").status == 404
