"""The text reader: encodings, hard line wraps, numbering and bullets."""

from pathlib import Path

import pytest

from pipeline.errors import EmptyDocument, UnsupportedFormat
from pipeline.readers import read, sniff
from pipeline.readers.txt import blocks_from_text, decode

MINUTES = "77/21 Budget monitoring\n\nRESOLVED that the Committee:\n(a) notes the report; and\n(b) asks the Head of Finance to report back in June.\n"


def test_windows_1252_pound_and_curly_quotes_survive():
    raw = "The Council’s grant of £500 was “approved”.".encode("cp1252")
    assert decode(raw) == "The Council’s grant of £500 was “approved”."


def test_latin_1_pound_survives():
    assert decode("Cost: £120 + VAT for the café".encode("latin-1")) == "Cost: £120 + VAT for the café"


def test_utf8_with_bom_is_read_without_the_bom():
    assert decode("Minutes".encode("utf-8-sig")) == "Minutes"


def test_hard_wrapped_lines_join_and_hyphenation_mends():
    blocks = blocks_from_text("The Director agreed to circu-\nlate the report to all\nmembers of the Panel.\n")
    assert [b.text for b in blocks] == ["The Director agreed to circulate the report to all members of the Panel."]


def test_numbers_and_bullets_split_into_blocks():
    blocks = blocks_from_text(MINUTES + "\n• first point\n· second point\n1.1 That the Board note\n1772. Minutes\n")
    assert [(b.number, b.text[:12]) for b in blocks] == [
        ("77/21", "Budget monit"),
        (None, "RESOLVED tha"),
        ("(a)", "notes the re"),
        ("(b)", "asks the Hea"),
        ("•", "first point"),
        ("·", "second point"),
        ("1.1", "That the Boa"),
        ("1772.", "Minutes"),
    ]


def test_number_alone_on_a_line_numbers_the_next_paragraph():
    blocks = blocks_from_text("6.2\n\nRESOLVED: That the report be noted.\n")
    assert [(b.number, b.text) for b in blocks] == [("6.2", "RESOLVED: That the report be noted.")]


def test_every_block_span_points_at_its_text(shared_path):
    doc = read(shared_path("seeds/003_ded8bdc069ab6141.txt"))
    assert doc.format == "txt" and len(doc.sha256) == 64
    for b in doc.blocks:
        assert doc.text[b.char_start : b.char_end] == b.text


def test_format_is_sniffed_from_bytes_not_extension(tmp_path: Path):
    lying = tmp_path / "minutes.pdf"
    lying.write_text(MINUTES, encoding="utf-8")
    assert read(lying).format == "txt"
    assert sniff(b"<!DOCTYPE html><html><body><p>x</p></body></html>") == "html"


def test_empty_file_is_a_clear_error(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    with pytest.raises(EmptyDocument, match=r"empty\.txt: empty file"):
        read(empty)


def test_binary_garbage_is_refused(tmp_path: Path):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(UnsupportedFormat, match="binary data"):
        read(junk)
