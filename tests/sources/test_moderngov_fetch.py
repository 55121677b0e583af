"""Fetching a ModernGov site end to end, against the fake site on 127.0.0.1 (issue 8).

The fake serves a county council's scrutiny committee (five meetings: one before the dates
asked for, two minuted in the web service's HTML, one with minutes only as a file, one not
yet minuted) and a board whose two meetings link the same minutes file.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing

import pytest
from click.testing import CliRunner
from fake_moderngov import COUNCIL, USER_AGENT, health_board_pdf

from pipeline import store
from pipeline.cli import cli
from pipeline.ingest import collect, ingest_all

pytestmark = pytest.mark.issue(8)

RESTRICTED = ("QUILLWORT-7741", "MARSHWORT-2290", "Ravenscar")  # words only in restricted items and documents


def fetcher_rows(db_path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql).fetchall()


def dump(db_path) -> str:
    """Every row of every table, as SQL text."""
    with closing(sqlite3.connect(db_path)) as conn:
        return "\n".join(conn.iterdump())


def test_a_fetch_stores_each_minuted_meeting_in_the_same_tables_as_files(fetcher):
    summary = fetcher()
    assert (summary.meetings, summary.stored, summary.no_minutes, summary.duplicates, summary.failed) == (6, 4, 1, 1, 0)
    docs = fetcher.rows("select * from documents order by meeting_date")
    assert [(d["path"], d["format"], d["meeting_date"]) for d in docs] == [
        (fetcher.path(101), "html", "2025-01-14"),
        (fetcher.path(102), "html", "2025-03-11"),
        (fetcher.path(201), "pdf", "2025-03-26"),
        (fetcher.path(103), "docx", "2025-05-13"),
    ]
    first = docs[0]
    assert first["council_id"] == "northmoor-county-council"
    assert first["committee_id"] == "northmoor-county-council/children-and-young-people-scrutiny-committee"
    assert first["url"] == f"{fetcher.site.url}/ieListDocuments.aspx?CId=10&MId=101"
    assert first["title"] == "Minutes - Children and Young People Scrutiny Committee - Tuesday, 14th January, 2025"
    numbers = [
        a["number"]
        for a in fetcher.rows("select number from agenda_items where document_id = ? order by idx", (first["id"],))
    ]
    assert numbers == ["40.", "41.", "42.", "43.", "44.", "45.", "46.", "47.", "49."]  # 48 is restricted
    items = fetcher.rows("select * from items where document_id = ?", (first["id"],))
    circulate = [i for i in items if "agreed to circulate revised EHCP" in i["source_text"]]
    assert [(i["owner"], i["due"], i["minute_number"]) for i in circulate] == [
        ("Director of Children's Services", "2025-03-31", "44.")
    ]
    assert all(d["n_items"] > 0 for d in docs)
    assert store.check(store.connect(fetcher.db_path)) == []


def test_restricted_items_and_documents_are_never_fetched_or_stored(fetcher):
    fetcher()
    text = dump(fetcher.db_path)
    assert [word for word in RESTRICTED if word in text] == []
    with closing(sqlite3.connect(fetcher.db_path)) as conn:
        for table in ("items_fts", "documents_fts"):
            assert (
                conn.execute(f"select count(*) from {table} where {table} match 'quillwort OR marshwort'").fetchone()[0]
                == 0
            )
    assert [k for k in fetcher.site.requested("doc:") if k in ("doc:990", "doc:991")] == []
    withheld = fetcher.rows("select meeting_id, withheld from sources where kind = 'meeting' and withheld is not null")
    assert withheld == [{"meeting_id": "101", "withheld": "48"}, {"meeting_id": "102", "withheld": "63"}]


def test_the_service_quirks_are_undone(fetcher):
    """Titles encoded twice, dd/mm/yyyy dates, http:// links without the port, a date range ignored."""
    summary = fetcher()
    assert {r["name"] for r in fetcher.rows("select name from committees")} == {
        "Children and Young People Scrutiny Committee",
        "Health & Wellbeing Board",
    }
    titles = {r["title"] for r in fetcher.rows("select title from agenda_items")}
    assert {"SEND Sufficiency & the Written Statement of Action", "Children's Social Care Workforce"} <= titles
    assert {r["date"] for r in fetcher.rows("select date from meetings")} == {
        "2025-01-14", "2025-03-11", "2025-03-26", "2025-05-13",
    }  # fmt: skip
    # the XML links to http://127.0.0.1/mgConvert2PDF.aspx?ID=801; the file came from the site's own address
    [pdf] = fetcher.rows("select url, status from sources where url like '%ID=801'")
    assert pdf == {"url": f"{fetcher.site.url}/mgConvert2PDF.aspx?ID=801", "status": "ok"}
    # GetMeetings listed a November 2024 meeting although January to December 2025 was asked for, day first
    [listing] = [h.target for h in fetcher.site.hits if h.key == "GetMeetings:10"]
    assert listing.endswith("GetMeetings?lCommitteeId=10&sFromDate=01/01/2025&sToDate=31/12/2025")
    assert summary.outside_range == 1 and "GetMeeting:99" not in fetcher.site.requested()


def test_only_this_meetings_own_minutes_files_are_downloaded(fetcher):
    fetcher()
    downloaded = fetcher.site.requested("doc:")
    # agenda frontsheets and packs (470, 500, 510, 511) and the previous meeting's minutes (480, 512) are left alone
    assert sorted(downloaded) == ["doc:501", "doc:801", "doc:802"]


def test_requests_are_polite(fetcher):
    fetcher()
    assert {h.user_agent for h in fetcher.site.hits} == {USER_AGENT}
    assert len(fetcher.waits) == len(fetcher.site.hits) - 1  # a pause before every request but the first
    assert all(0 < w <= 0.5 for w in fetcher.waits)


def test_a_second_run_asks_conditionally_and_stores_only_what_changed(fetcher):
    fetcher()
    first_hits, first_bytes = len(fetcher.site.hits), fetcher.site.sent()
    before = {d["path"]: d for d in fetcher.rows("select path, sha256, ingested_at from documents")}
    fetcher.site.run = 2
    summary = fetcher()
    second = fetcher.site.hits[first_hits:]
    assert {h.key: h.status for h in second if h.key.startswith("GetMeeting:")} == {
        "GetMeeting:101": 304, "GetMeeting:102": 200, "GetMeeting:103": 200, "GetMeeting:104": 304,
        "GetMeeting:201": 304, "GetMeeting:202": 304,
    }  # fmt: skip
    assert [h.key for h in second if h.key.startswith("doc:")] == ["doc:502"]  # only the new approved minutes
    assert sum(h.bytes for h in second) < first_bytes / 2
    assert (summary.stored, summary.replaced, summary.not_modified, summary.failed) == (0, 2, 4, 0)
    after = {d["path"]: d for d in fetcher.rows("select path, sha256, ingested_at from documents")}
    assert after.keys() == before.keys()
    for unchanged in (fetcher.path(101), fetcher.path(201)):
        assert after[unchanged] == before[unchanged]
    for changed in (fetcher.path(102), fetcher.path(103)):
        assert after[changed]["sha256"] != before[changed]["sha256"]
    [amended] = fetcher.rows("select text from documents where path = ?", (fetcher.path(102),))
    assert "be published on the Council's website by 30 April 2025" in amended["text"]


def test_draft_minutes_are_superseded_by_the_approved_ones_and_kept_as_history(fetcher):
    fetcher(committee="10")
    [draft] = fetcher.rows("select format, sha256 from documents where meeting_date = '2025-05-13'")
    fetcher.site.run = 2
    fetcher(committee="10")
    [approved] = fetcher.rows("select id, format, sha256 from documents where meeting_date = '2025-05-13'")
    assert (draft["format"], approved["format"]) == ("docx", "pdf")
    history = fetcher.rows(
        "select sha256, minutes_status, superseded_at is not null as superseded from source_versions where path = ? "
        "order by first_seen, rowid",
        (fetcher.path(103),),
    )
    assert history == [
        {"sha256": draft["sha256"], "minutes_status": "draft", "superseded": 1},
        {"sha256": approved["sha256"], "minutes_status": "published", "superseded": 0},
    ]
    # search finds the meeting's minutes once, not once per version
    hits = fetcher.rows(
        "select count(*) as n from documents_fts where documents_fts match 'foster AND carers' "
        "and rowid in (select rowid from documents where meeting_date = '2025-05-13')"
    )
    assert hits == [{"n": 1}]
    assert fetcher.rows("select minutes_status from sources where meeting_id = '103' and kind = 'meeting'") == [
        {"minutes_status": "published"}
    ]


def test_the_same_file_linked_from_two_meetings_is_stored_once(fetcher):
    summary = fetcher(committee="Health and Wellbeing Board")  # the site writes "Health & Wellbeing Board"
    assert (summary.stored, summary.duplicates) == (1, 1)
    assert [d["path"] for d in fetcher.rows("select path from documents")] == [fetcher.path(201)]
    [row] = fetcher.rows("select status, path, duplicate_of from sources where meeting_id = '202' and kind = 'meeting'")
    assert row == {"status": "duplicate", "path": None, "duplicate_of": fetcher.path(201)}


def test_a_file_already_ingested_from_a_folder_is_not_stored_again(fetcher, tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    (folder / "hwb-2025-03-26.pdf").write_bytes(health_board_pdf())
    ingest_all(collect([folder]), fetcher.db_path)
    summary = fetcher(committee="20")
    assert (summary.stored, summary.duplicates) == (0, 2)
    assert [d["path"] for d in fetcher.rows("select path from documents")] == [str(folder / "hwb-2025-03-26.pdf")]


def test_a_site_without_validators_still_stores_nothing_unchanged(fetcher):
    fetcher.site.validators = False
    fetcher()
    before = fetcher.rows("select path, sha256, ingested_at from documents order by path")
    hits = len(fetcher.site.hits)
    summary = fetcher()
    assert all(h.status == 200 for h in fetcher.site.hits[hits:])  # everything asked for in full ...
    assert (summary.stored, summary.replaced, summary.unchanged, summary.items) == (0, 0, 4, 0)  # ... nothing stored
    assert fetcher.rows("select path, sha256, ingested_at from documents order by path") == before


def test_minutes_deleted_from_the_database_are_fetched_again(fetcher):
    fetcher(committee="10")
    db = store.connect(fetcher.db_path)
    store.prune(db, [store.document_id(fetcher.path(101))])
    db.close()
    summary = fetcher(committee="10")
    assert (summary.stored, summary.not_modified) == (1, 3)
    assert [h.conditional for h in fetcher.site.hits if h.key == "GetMeeting:101"] == [False, False]
    assert fetcher.rows("select count(*) as n from documents where path = ?", (fetcher.path(101),)) == [{"n": 1}]


# --- faults -------------------------------------------------------------------------------------


def test_a_firewall_refusing_one_meeting_is_recorded_on_one_line_and_the_run_goes_on(fetcher):
    fetcher.site.fail("GetMeeting:102", "403")
    summary = fetcher()
    assert (summary.stored, summary.failed) == (3, 1)
    assert fetcher.site.requested("GetMeeting:102") == ["GetMeeting:102"]  # a 403 is not retried
    url = f"{fetcher.site.url}/mgWebService.asmx/GetMeeting?lMeetingId=102"
    [error] = fetcher.rows("select path, error, reason from ingest_errors")
    assert error["path"] == fetcher.path(102) and error["error"] == "FetchFailed"
    assert error["reason"].startswith(f"{url}: HTTP 403") and "\n" not in error["reason"]
    assert fetcher.messages == [f"error: {error['reason']}"]
    [source] = fetcher.rows("select status, error from sources where url = ?", (url,))
    assert source == {"status": "failed", "error": error["reason"]}
    fetcher.site.heal()
    summary = fetcher()
    assert (summary.stored, summary.not_modified, summary.failed) == (1, 5, 0)
    assert fetcher.rows("select * from ingest_errors") == []


def test_a_site_that_keeps_refusing_is_not_asked_again_in_the_same_run(fetcher):
    for meeting in ("101", "102", "103"):
        fetcher.site.fail(f"GetMeeting:{meeting}", "403")
    summary = fetcher()
    assert (summary.failed, summary.skipped, summary.stored) == (3, 1, 0)
    assert fetcher.site.requested("GetMeeting") == [
        "GetMeetings:10",
        "GetMeeting:101",
        "GetMeeting:102",
        "GetMeeting:103",
    ]
    assert summary.errors[-1] == (
        f"{fetcher.site.url}: stopped asking after 3 refusals in a row (HTTP 403); the rest of the site was not "
        "fetched: try later, or download the minutes by hand and ingest the files"
    )
    assert len(fetcher.rows("select path from ingest_errors")) == 4
    fetcher.site.heal()
    summary = fetcher()
    assert (summary.stored, summary.failed, summary.skipped) == (4, 0, 0)
    assert fetcher.rows("select path from ingest_errors") == []


def test_timeouts_are_retried_with_bounded_backoff_then_recorded(fetcher):
    fetcher.site.fail("GetMeeting:101", "timeout")
    summary = fetcher(timeout=0.3, retries=2)
    assert fetcher.site.requested("GetMeeting:101") == ["GetMeeting:101"] * 3
    assert (summary.stored, summary.failed) == (3, 1)
    assert summary.errors == [
        f"{fetcher.site.url}/mgWebService.asmx/GetMeeting?lMeetingId=101: timed out after 0.3 s (3 attempts)"
    ]
    backoff = [w for w in fetcher.waits if w > 0.5]
    assert backoff == [2.0, 4.0]


def test_a_flaky_server_is_retried_until_it_answers(fetcher):
    fetcher.site.fail("GetMeeting:102", "flaky")
    summary = fetcher(retries=3)
    assert [h.status for h in fetcher.site.hits if h.key == "GetMeeting:102"] == [503, 503, 200]
    assert (summary.stored, summary.failed) == (4, 0)


def test_malformed_xml_is_recorded_and_what_was_stored_is_kept(fetcher):
    fetcher(committee="10")
    stored = fetcher.rows("select sha256 from documents where path = ?", (fetcher.path(102),))
    fetcher.site.run = 2
    fetcher.site.fail("GetMeeting:102", "malformed")
    summary = fetcher(committee="10")
    assert summary.failed == 1 and "malformed XML from the web service" in summary.errors[0]
    assert fetcher.rows("select sha256 from documents where path = ?", (fetcher.path(102),)) == stored
    assert store.check(store.connect(fetcher.db_path)) == []
    fetcher.site.heal()  # the failed meeting is asked for in full next time, and its amendment arrives
    summary = fetcher(committee="10")
    assert [h.conditional for h in fetcher.site.hits if h.key == "GetMeeting:102"][-1] is False
    assert (summary.replaced, summary.failed) == (1, 0)


def test_a_login_page_served_as_200_is_not_taken_for_a_meeting(fetcher):
    fetcher.site.fail("GetMeeting:101", "html")
    summary = fetcher(committee="10")
    assert summary.failed == 1
    assert summary.errors[0].endswith("not a ModernGov meeting response (the document element is <html>)")


def test_when_the_approved_minutes_cannot_be_downloaded_the_draft_stays(fetcher):
    fetcher(committee="10")
    draft = fetcher.rows("select sha256 from documents where path = ?", (fetcher.path(103),))
    fetcher.site.run = 2
    fetcher.site.fail("doc:502", "500")
    summary = fetcher(committee="10", retries=1)
    assert fetcher.site.requested("doc:502") == ["doc:502", "doc:502"]
    assert summary.failed == 1 and "mgConvert2PDF.aspx?ID=502: HTTP 500" in summary.errors[0]
    assert fetcher.rows("select sha256 from documents where path = ?", (fetcher.path(103),)) == draft


# --- the command --------------------------------------------------------------------------------


def test_fetch_moderngov_command_prints_a_one_line_summary(fake, tmp_path):
    db = tmp_path / "m.db"
    args = ["fetch", "moderngov", "--site", fake.url, "--committee", "Health & Wellbeing Board", "--from", "2025-01-01",
            "--to", "2025-12-31", "--db", str(db), "--delay", "0", "--council", COUNCIL, "--user-agent", USER_AGENT]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    items = len(fetcher_rows(db, "select id from items"))
    assert items > 0
    assert result.stdout.strip().startswith(
        f"2 meetings: 1 new, 0 replaced, 0 unchanged, 0 not modified, 0 without minutes, 1 duplicates, 0 failed; "
        f"{items} items stored in {db}; "
    )
    assert {h.user_agent for h in fake.hits} == {USER_AGENT}


def test_a_blocked_site_gives_one_line_and_exit_status_1(fake, tmp_path):
    fake.fail("GetCommittees", "403")
    args = ["fetch", "moderngov", "--site", fake.url, "--db", str(tmp_path / "m.db"), "--delay", "0"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {fake.url}/mgWebService.asmx/GetCommittees?lDays=0: HTTP 403 Forbidden "
        "(the site refused the request; it may block automated access from this network)"
    )


def test_an_unknown_committee_is_named(fake, tmp_path):
    args = ["fetch", "moderngov", "--site", fake.url, "--committee", "Wellbeing", "--db", str(tmp_path / "m.db")]
    result = CliRunner().invoke(cli, [*args, "--delay", "0"])
    assert result.exit_code == 1
    assert "no committee 'Wellbeing' among the site's 3 committees; did you mean 'Health & Wellbeing Board'?" in (
        result.stderr
    )


def test_a_fetch_from_another_directory_updates_the_same_documents(fetcher, tmp_path):
    fetcher(committee="10")
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        fetcher.site.run = 2
        fetcher(committee="10")
    finally:
        os.chdir(here)
    assert len(fetcher.rows("select id from documents")) == 3
