"""The officers' instance, in-process: login required everywhere, upload checks, corrections, publish (issue 7)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from datasette.app import Datasette
from datasette.plugins import pm
from datasette.utils import tilde_encode
from datasette_auth_passwords.utils import hash_password

from pipeline import store
from pipeline.document import Metadata
from pipeline.ingest import Source
from pipeline.publish import METADATA, officer, plugin
from pipeline.publish.sample import build

REPO = Path(__file__).resolve().parents[2]
FINAL = REPO / "corpus" / "minutes" / "kelsbury-tc-2025-04-08.txt"
PDF = REPO / "corpus" / "generated" / "kelsbury-tc-2025-04-08.pdf"
PASSWORD = "correct horse battery staple"
MAX_MB = 0.5
DRAFT = b"""KELSBURY TOWN COUNCIL

Minutes of the Meeting of Kelsbury Town Council held on Tuesday 10th June 2025 at 7.00 pm

1. Pemberley Yurt Festival

RESOLVED that the Town Clerk write to the Pemberley Yurt Festival organisers by 30 June 2025.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An officers' Datasette over a working database holding one final set of minutes."""
    root = tmp_path_factory.mktemp("officer")
    db_path = root / "minutes.db"
    build([Source(FINAL, Metadata(council="Kelsbury Town Council", meeting_date="2025-04-08"))], db_path)
    os.environ[officer.PASSWORD_HASH_ENV] = hash_password(PASSWORD)
    meta = officer.officer_metadata(
        json.loads(METADATA.read_text(encoding="utf-8")),
        user="alice",
        public_db=root / "public" / "minutes.db",
        uploads=root / "uploads",
        max_upload_mb=MAX_MB,
    )
    registered = [m for m in (plugin, officer) if not pm.is_registered(m)]
    for m in registered:
        pm.register(m, name=m.PLUGIN)
    try:
        ds = Datasette([str(db_path)], metadata=meta)
        asyncio.run(ds.invoke_startup())
        yield ds, root
    finally:
        for m in registered:  # the public site's in-process tests must never see the officer plugin
            pm.unregister(m)
        os.environ.pop(officer.PASSWORD_HASH_ENV, None)


def call(ds, method: str, path: str, **kwargs) -> httpx.Response:
    return asyncio.run(getattr(ds.client, method)(path, **kwargs))


def token(response: httpx.Response) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', response.text).group(1)


@pytest.fixture(scope="module")
def session(site) -> dict[str, str]:
    """Cookies of a logged-in officer, got through datasette-auth-passwords' own login form."""
    ds, _ = site
    page = call(ds, "get", "/-/login")
    cookies = {"ds_csrftoken": page.cookies["ds_csrftoken"]}
    r = call(
        ds,
        "post",
        "/-/login",
        cookies=cookies,
        data={"csrftoken": token(page), "username": "alice", "password": PASSWORD},
    )
    assert r.status_code == 302, r.text
    return {**cookies, "ds_actor": r.cookies["ds_actor"]}


def upload(ds, session, name: str, data: bytes, **fields) -> httpx.Response:
    home = call(ds, "get", "/-/officer", cookies=session)
    form = {"csrftoken": token(home), "council": "Kelsbury Town Council", "draft": "1", **fields}
    return call(ds, "post", "/-/officer/upload", cookies=session, data=form, files={"file": (name, data)})


def rows(site, sql: str, params=()) -> list[tuple]:
    _, root = site
    with closing(sqlite3.connect(root / "minutes.db")) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.mark.parametrize("path", ["/-/officer", "/", "/minutes/documents", "/minutes/items.json", "/-/document/x"])
def test_every_page_needs_a_login(site, path):
    ds, _ = site
    r = call(ds, "get", path)
    assert (r.status_code, r.headers["location"]) == (302, "/-/login")


def test_posts_without_a_login_are_refused(site):
    ds, _ = site
    r = call(ds, "post", "/-/officer/publish", data={"x": "1"})
    assert r.status_code == 403


def test_a_wrong_password_does_not_log_in(site):
    ds, _ = site
    page = call(ds, "get", "/-/login")
    r = call(
        ds,
        "post",
        "/-/login",
        cookies={"ds_csrftoken": page.cookies["ds_csrftoken"]},
        data={"csrftoken": token(page), "username": "alice", "password": "guess"},
    )
    assert "Invalid username or password" in r.text and "ds_actor" not in r.cookies


def test_a_forged_actor_cookie_is_no_login(site):
    ds, _ = site
    r = call(ds, "get", "/-/officer", cookies={"ds_actor": '{"a": {"id": "root"}}'})
    assert r.status_code == 302


def test_upload_stores_a_draft_with_the_clis_ingest(site, session):
    ds, root = site
    r = upload(ds, session, "june minutes (draft).txt", DRAFT, meeting_date="2025-06-10")
    assert r.status_code == 302 and r.headers["location"].startswith("/-/officer/drafts/")
    saved = next((root / "uploads").glob("*-june_minutes_draft_.txt"))
    assert saved.read_bytes() == DRAFT
    assert rows(site, "select draft, meeting_date, n_actions from documents where path = ?", [str(saved)]) == [
        (1, "2025-06-10", 1)
    ]
    preview = call(ds, "get", r.headers["location"], cookies=session)
    assert "Pemberley Yurt Festival organisers" in preview.text and "KTC/2025-06-10/1" in preview.text
    home = call(ds, "get", "/-/officer", cookies=session)
    assert "Minutes of the Meeting of Kelsbury Town Council held on Tuesday 10th June 2025" in home.text


def test_the_format_is_read_from_the_bytes(site, session):
    ds, root = site
    r = upload(ds, session, "kelsbury.txt", PDF.read_bytes(), draft="0")
    assert r.status_code == 200 and "1 new" in r.text
    assert rows(site, "select format, draft from documents where path like '%-kelsbury.txt'") == [("pdf", 0)]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("minutes.pdf", os.urandom(4096).replace(b"%PDF-", b""), "binary data, not text, HTML, PDF or DOCX"),
        ("minutes.docx", b"PK\x03\x04" + b"\x00" * 200, "corrupt zip archive (not a readable DOCX)"),
        ("minutes.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 200, "legacy Word/Office binary (.doc) is not supported"),
        ("minutes.txt", b"  \n\n", "the file is empty"),
        ("", b"", "choose a file to upload"),
    ],
)
def test_bad_uploads_are_refused_on_the_page(site, session, name, data, message):
    ds, root = site
    before = rows(site, "select count(*) from documents")
    r = upload(ds, session, name, data)
    assert r.status_code == 400
    assert message in re.search(r'<div class="officer-errors" role="alert">(.*?)</div>', r.text, re.S).group(1)
    assert rows(site, "select count(*) from documents") == before
    assert rows(site, "select count(*) from ingest_errors") == [(0,)]


def test_a_file_that_fails_in_the_reader_is_reported_and_forgotten(site, session):
    ds, root = site
    truncated = PDF.read_bytes()[:1500]
    r = upload(ds, session, "cut-short.pdf", truncated)
    assert r.status_code == 400 and "corrupt or truncated PDF" in r.text
    assert rows(site, "select count(*) from ingest_errors") == [(0,)]
    assert not list((root / "uploads").glob("*-cut-short.pdf"))


def test_an_upload_over_the_limit_is_refused_before_it_is_read(site, session):
    ds, _ = site
    r = upload(ds, session, "huge.txt", b"RESOLVED that the Clerk act.\n" * int(MAX_MB * 2**20 / 10))
    assert r.status_code == 413 and "over the 0.5 MB upload limit" in r.text


def test_an_upload_without_the_csrf_token_is_refused(site, session):
    ds, _ = site
    r = call(
        ds, "post", "/-/officer/upload", cookies=session, data={"csrftoken": "forged"}, files={"file": ("m.txt", DRAFT)}
    )
    assert r.status_code == 403
    r = call(ds, "post", "/-/officer/publish", cookies=session, data={"csrftoken": "forged"})
    assert r.status_code == 403


def test_a_correction_is_kept_with_the_officer_and_the_time(site, session):
    ds, _ = site
    action_id, owner = rows(
        site, "select id, owner from actions where document_id = ? order by start", [store.document_id(str(FINAL))]
    )[0]
    path = f"/-/officer/actions/{tilde_encode(action_id)}"
    page = call(ds, "get", path, cookies=session)
    assert page.status_code == 200
    r = call(
        ds,
        "post",
        path,
        cookies=session,
        data={"csrftoken": token(page), "owner": "Deputy Town Clerk", "due": "next week", "note": ""},
    )
    assert r.status_code == 400 and "due: &#39;next week&#39; is not a date in YYYY-MM-DD form" in r.text
    r = call(
        ds, "post", path, cookies=session, data={"csrftoken": token(page), "owner": "Events Officer", "note": "moved"}
    )
    assert r.status_code == 302
    overrides = rows(site, "select action_id, field, value, previous, who, note from overrides order by id")
    assert overrides[-1] == (action_id, "owner", "Events Officer", "Deputy Town Clerk", "alice", "moved")
    assert overrides[0] == (action_id, "owner", "Deputy Town Clerk", owner, "alice", None)
    assert rows(site, "select owner from actions where id = ?", [action_id]) == [("Events Officer",)]
    shown = call(ds, "get", r.headers["location"], cookies=session)
    assert "Correction saved" in shown.text and "Events Officer" in shown.text


def test_publish_writes_the_public_database_without_drafts(site, session):
    ds, root = site
    upload(ds, session, "another.txt", DRAFT.replace(b"Pemberley", b"Lambton"), meeting_date="2025-06-11")
    home = call(ds, "get", "/-/officer", cookies=session)
    r = call(ds, "post", "/-/officer/publish", cookies=session, data={"csrftoken": token(home)})
    assert r.status_code == 200 and "published" in r.text, r.text
    public = root / "public" / "minutes.db"
    data = public.read_bytes().lower()
    assert b"pemberley" not in data and b"lambton" not in data
    assert rows(site, "select count(*) from documents where draft = 1 and text like '%Pemberley%'") == [(1,)]
    with closing(sqlite3.connect(public)) as conn:
        assert conn.execute("select count(*) from documents where draft = 1").fetchone() == (0,)
        assert conn.execute("select count(*) from overrides").fetchone()[0] >= 1


def test_the_officer_command_needs_a_password_hash(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pipeline.cli import cli

    monkeypatch.delenv(officer.PASSWORD_HASH_ENV, raising=False)
    result = CliRunner().invoke(cli, ["officer", "--db", str(tmp_path / "minutes.db")])
    assert result.exit_code == 1
    assert "MINUTES_OFFICER_PASSWORD_HASH is not set to a password hash" in result.output
    monkeypatch.setenv(officer.PASSWORD_HASH_ENV, hash_password("x"))
    result = CliRunner().invoke(cli, ["officer", "--db", str(tmp_path / "minutes.db")])
    assert result.exit_code == 1 and "no such database" in result.output


def test_the_officer_metadata_keeps_the_hash_out_of_the_file():
    meta = officer.officer_metadata(
        {"title": "T", "plugins": {"council-minutes": {"database": "minutes"}}},
        user="bob",
        public_db=Path("p.db"),
        uploads=Path("u"),
    )
    assert meta["plugins"]["datasette-auth-passwords"] == {"bob_password_hash": {"$env": officer.PASSWORD_HASH_ENV}}
    assert meta["plugins"]["council-minutes"] == {"database": "minutes"}
    assert meta["allow"] == {"id": "*"}
