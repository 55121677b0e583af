"""Bad input: every file in the bad corpus gets one line naming it and the reason, and the rest of the batch is stored.

One batch holds real minutes (text, HTML, PDF, DOCX from corpus/) beside every case of
badfiles.py, plus a FIFO, a directory named like a file, a file that is deleted while the
batch runs and one that cannot be opened. The batch must finish, record each failure in
ingest_errors with its path, sha256 (when the bytes could be read), reason and time, and
store every good document exactly as it would be stored on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import readers, store
from pipeline.cli import cli
from pipeline.errors import UnreadableDocument
from pipeline.ingest import Source, Summary, collect, ingest_all, process

from .badfiles import Case, many_pages_pdf, minutes_pdf, write_bad_corpus

GOOD = [
    "minutes/little-wrexley-pc-2025-01-21.txt",
    "minutes/northmoor-cyp-scrutiny-2025-01-14.txt",
    "html/fenmarsh-2024-07-11-place-scrutiny-item-6.html",
    "generated/kelsbury-tc-2025-04-08.pdf",
    "generated/ashcombe-cabinet-2025-02-19.docx",
]
# Failures that come from the file system rather than the bytes: (name, what the user is told).
UNREADABLE = {
    "fifo.txt": "not a regular file (a named pipe)",
    "folder.txt": "not a regular file (a directory)",
    "vanishing.txt": "cannot read file (No such file or directory)",
    "locked.txt": "cannot read file (Permission denied)",
}


@dataclass
class Batch:
    folder: Path
    cases: list[Case]
    good: list[Path]
    summary: Summary
    messages: list[str]
    db: sqlite3.Connection


@pytest.fixture(scope="module")
def batch(tmp_path_factory, corpus_path) -> Batch:
    folder = tmp_path_factory.mktemp("batch")
    cases = write_bad_corpus(folder)
    good = [folder / Path(rel).name for rel in GOOD]
    for rel, dest in zip(GOOD, good):
        shutil.copy(corpus_path(rel), dest)
    os.mkfifo(folder / "fifo.txt")  # reading it with plain read_bytes() would block for ever
    (folder / "folder.txt").mkdir()
    vanishing = folder / "vanishing.txt"
    vanishing.write_text("Minutes\n\nRESOLVED that the Clerk write to the Highways Authority.\n")
    locked = folder / "locked.txt"
    locked.write_text("Minutes\n\nRESOLVED that the Clerk write to the Highways Authority.\n")
    locked.chmod(0)
    # collect() lists regular files only, so the FIFO and the directory are named explicitly,
    # as a user typing `ingest fifo.txt` would
    sources = collect([folder]) + [Source(folder / "fifo.txt"), Source(folder / "folder.txt")]
    assert vanishing in [s.path for s in sources] and locked in [s.path for s in sources]

    messages: list[str] = []

    def echo(message: str) -> None:
        messages.append(message)
        vanishing.unlink(missing_ok=True)  # the batch has started; the file goes before its turn

    with pytest.MonkeyPatch.context() as mp:
        if os.access(locked, os.R_OK):  # root reads mode-000 files, so refuse it the way the kernel would
            real_open = os.open

            def refusing_open(path, flags, *args, **kwargs):
                if Path(path) == locked:
                    raise PermissionError(13, "Permission denied", str(path))
                return real_open(path, flags, *args, **kwargs)

            mp.setattr(os, "open", refusing_open)
        summary = ingest_all(sources, folder / "m.db", echo=echo)
    db = sqlite3.connect(folder / "m.db")
    db.row_factory = sqlite3.Row
    return Batch(folder, cases, good, summary, messages, db)


def test_the_batch_finishes_with_every_bad_file_failed_and_every_good_one_stored(batch):
    errors = [c for c in batch.cases if c.outcome == "error"]
    readable_but_odd = [c for c in batch.cases if c.outcome == "stored"]
    s = batch.summary
    assert (s.stored, s.replaced, s.unchanged) == (len(batch.good) + len(readable_but_odd), 0, 0)
    assert s.failed == len(errors) + len(UNREADABLE) == len(s.errors) == len(batch.messages)
    assert s.items == batch.db.execute("select count(*) from items").fetchone()[0] > 0
    assert s.line(batch.folder / "m.db").startswith(
        f"{s.stored + s.failed} files: {s.stored} new, 0 replaced, 0 unchanged, {s.failed} failed;"
    )


def test_each_bad_file_gets_one_line_naming_it_and_its_reason(batch):
    by_name = {Path(m.split(": ", 2)[1]).name: m for m in batch.messages}
    expected = {c.name: c.reason for c in batch.cases if c.outcome == "error"} | UNREADABLE
    assert set(by_name) == set(expected)
    for name, reason in expected.items():
        message = by_name[name]
        assert message.startswith(f"error: {batch.folder / name}: "), message
        assert reason in message, (name, message)
        assert "\n" not in message and "internal error" not in message


def test_each_failure_is_a_row_in_ingest_errors_with_path_sha256_reason_and_time(batch):
    rows = {Path(r["path"]).name: r for r in batch.db.execute("select * from ingest_errors")}
    expected = {c.name for c in batch.cases if c.outcome == "error"} | set(UNREADABLE)
    assert set(rows) == expected
    for name, row in rows.items():
        assert f"error: {row['reason']}" in batch.messages
        assert row["error"] in ("EmptyDocument", "UnreadableDocument", "UnsupportedFormat"), row["error"]
        assert dt.datetime.fromisoformat(row["at"]).tzinfo is not None
        if name in UNREADABLE:
            assert row["sha256"] is None  # the bytes were never read
        else:
            assert row["sha256"] == hashlib.sha256((batch.folder / name).read_bytes()).hexdigest()


def test_no_good_document_is_lost_or_changed_by_the_bad_ones(batch, nlp):
    for path in batch.good:
        alone = process(Source(path), path.read_bytes(), nlp=nlp)
        row = batch.db.execute("select * from documents where path = ?", [str(path)]).fetchone()
        assert row is not None, path
        assert (row["text"], row["n_items"], row["format"]) == (alone.text, len(alone.items), alone.format)
        stored = [
            r["text"]
            for r in batch.db.execute("select text from items where document_id = ? order by seq", [row["id"]])
        ]
        assert stored == [i.text for i in alone.items] and stored


def stored_text(batch, name: str) -> sqlite3.Row:
    row = batch.db.execute("select * from documents where path = ?", [str(batch.folder / name)]).fetchone()
    assert row is not None, f"{name} was not stored"
    return row


def test_every_readable_oddity_is_stored_with_its_text(batch):
    for case in (c for c in batch.cases if c.outcome == "stored"):
        assert case.reason in stored_text(batch, case.name)["text"], case


def test_pdf_bytes_named_docx_are_read_as_pdf(batch):
    row = stored_text(batch, "pdf-named.docx")
    assert row["format"] == "pdf" and "obtain three quotations" in row["text"] and row["n_items"] >= 1


def test_scripts_never_become_text_or_items(batch):
    row = stored_text(batch, "scripts.html")
    assert "obtain three quotations" in row["text"]
    for trace in ("tracker", "document.write", "alert(", "resign"):
        assert trace not in row["text"]
    items = [r["text"] for r in batch.db.execute("select text from items where document_id = ?", [row["id"]])]
    assert items and not any("resign" in t for t in items)


@pytest.mark.parametrize(
    "name, phrase",
    [
        ("cp1252.txt", "precept at \u00a39,850 \u2013 the \u201cbase budget\u201d plus \u20ac200"),
        ("cp1252.txt", "the Clerk\u2019s letter"),
        ("latin1.txt", "the caf\u00e9 \u00abLe Jardin\u00bb, \u00bd payable in advance"),
    ],
)
def test_western_code_pages_keep_pounds_and_quotes(batch, name, phrase):
    text = stored_text(batch, name)["text"]
    assert phrase in text
    assert "\ufffd" not in text and "Ã" not in text and "â€" not in text  # no replacement chars, no mojibake


def test_a_five_megabyte_line_is_stored_whole(batch):
    row = stored_text(batch, "long-line.txt")
    original = (batch.folder / "long-line.txt").read_text()
    assert len(row["text"]) >= len(original.strip()) - len(original.splitlines()) * 2
    assert row["text"].endswith(original.split()[-1]) and row["n_items"] >= 1


def test_ingest_errors_clear_when_the_file_is_fixed(batch, tmp_path):
    db_path = tmp_path / "m.db"
    broken = tmp_path / "minutes.txt"
    broken.write_bytes(b"")
    assert ingest_all([Source(broken)], db_path, echo=lambda _: None).failed == 1
    broken.write_text("Minutes\n\nRESOLVED that the Clerk write to the Highways Authority.\n")
    assert ingest_all([Source(broken)], db_path, echo=lambda _: None).stored == 1
    assert store.connect(db_path)["ingest_errors"].count == 0


# --- the page limit -------------------------------------------------------------------------


def test_the_page_limit_is_checked_before_any_page_is_parsed(tmp_path, monkeypatch):
    import pipeline.readers.pdf as pdf_reader

    def parse(*args, **kwargs):
        raise AssertionError("the PDF reader was called for a PDF over the page limit")

    monkeypatch.setattr(pdf_reader, "read_pdf", parse)
    with pytest.raises(UnreadableDocument, match=r"agenda\.pdf: PDF has 2001 pages, over the limit of 2000$"):
        readers.read(tmp_path / "agenda.pdf", data=many_pages_pdf(readers.MAX_PAGES + 1))


def test_max_pages_on_the_command_line_sets_the_limit(tmp_path):
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(minutes_pdf(pages=12))
    db = str(tmp_path / "m.db")
    refused = CliRunner().invoke(cli, ["ingest", str(pdf), "--db", db, "--max-pages", "10", "--no-progress"])
    assert refused.exit_code == 1
    assert refused.stderr.strip() == f"error: {pdf}: PDF has 12 pages, over the limit of 10"
    accepted = CliRunner().invoke(cli, ["ingest", str(pdf), "--db", db, "--no-progress"])
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.startswith("1 files: 1 new, 0 replaced, 0 unchanged, 0 failed;")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"Minutes of the meeting\n" * 100)
    with pytest.raises(UnreadableDocument, match=r"big\.txt: file is \d+ MiB, over the 0 MiB limit$"):
        readers.load(big, max_bytes=1000)
