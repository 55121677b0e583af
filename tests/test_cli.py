"""The command line: JSON for one document, a batch ingest, clear one-line errors, documented commands."""

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def test_extract_prints_the_annotation_schema(shared_path):
    result = CliRunner().invoke(cli, ["extract", str(shared_path("eval/dev/dA-02.txt"))])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"kind", "text", "action", "owner", "due", "due_text", "start", "end"} <= set(out["items"][0])
    assert any(i["owner"] == "Policy and Improvement Officer" and i["action"] for i in out["items"])


def test_extract_takes_the_meeting_date_for_relative_due_dates(tmp_path):
    doc = tmp_path / "m.txt"
    doc.write_text("Minutes\n\nIt was agreed that the Clerk would write to the owner within 14 days.\n")
    result = CliRunner().invoke(cli, ["extract", str(doc), "--meeting-date", "2024-03-01", "--council", "X"])
    items = json.loads(result.output)["items"]
    assert [(i["owner"], i["due"], i["due_text"]) for i in items] == [("Clerk", "2024-03-15", "within 14 days")]


def test_extract_rejects_a_malformed_date():
    result = CliRunner().invoke(cli, ["extract", "x.txt", "--meeting-date", "15/01/2024"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_a_bad_file_gives_one_line_naming_it_and_a_nonzero_exit(tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", str(bad)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith("Error: ") and "broken.docx" in proc.stderr


def test_ingest_reports_a_one_line_summary(tmp_path, shared_path):
    result = CliRunner().invoke(cli, ["ingest", str(shared_path("eval/dev/dA-01.txt")), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines()[-1].startswith("1 files: 1 new, 0 replaced, 0 unchanged, 0 failed;")


def test_ingest_reads_a_manifest(tmp_path, shared_path):
    manifest = tmp_path / "manifest.csv"
    src = shared_path("eval/dev/dB-07.txt")
    manifest.write_text(
        f"path,council,committee,meeting_date,url\n{src},Monmouthshire County Council,Place Scrutiny Committee,2024-07-11,\n"
    )
    result = CliRunner().invoke(cli, ["ingest", "--manifest", str(manifest), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 0, result.output
    from pipeline import store

    db = store.connect(tmp_path / "m.db")
    assert [r["id"] for r in db["meetings"].rows] == [
        "monmouthshire-county-council/place-scrutiny-committee/2024-07-11"
    ]


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help, name
        assert f"python -m pipeline {name}" in readme, name
        assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0
