"""Properties that hold for any input: read, structure and extract raise nothing but PipelineError,
and every span they produce lies inside the document and covers the text it claims to.

The fuzz tests at the end feed the readers mutated PDF, DOCX, HTML and text files. Each test
is bounded by ``max_examples`` so the whole file runs in CI in a few seconds; a reader that
loops on some input fails the test (``time_limit``) instead of hanging it.
"""

from __future__ import annotations

import io
import signal
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline.document import Document
from pipeline.errors import PipelineError
from pipeline.extract import extract
from pipeline.readers import read
from pipeline.structure import structure

from .badfiles import CP1252_TEXT, minutes_docx, minutes_pdf, scripts_html

SECONDS_PER_EXAMPLE = 20  # far above any real document of this size; only a loop gets near it
# Pieces of real minutes, so random text reaches the structure and extraction rules, not just the reader.
FRAGMENTS = [
    "RESOLVED that ", "RESOLVED:", "It was AGREED that ", "RECOMMENDED to Council that ", "the Clerk ",
    "the Director of Finance agreed to circulate ", " write to the Highways Authority", " by 31 March 2025",
    " within 28 days", " before the next meeting", "Action: Clerk", "Decision:", "Minutes:", "(a) ", "(ii) ",
    "1. ", "12.3 ", "77/21 ", "• ", "- ", ". ", "; ", ", and ", "Cllr Smith ", "Apologies", "\n", "\n\n",
    "\r\n", "\t", "\f", "\u00a0", "\u200b", "\ufeff", "£9,850", "“quoted”", "-\n",
]  # fmt: skip
minutes_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60).map("".join)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Hang(BaseException):
    """A reader ran far too long on one input (BaseException, so no reader's ``except Exception`` hides it)."""


@contextmanager
def time_limit(seconds: int):
    def fire(signum, frame):
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_spans_inside(doc: Document) -> None:
    n = len(doc.text)
    for b in doc.blocks:
        assert 0 <= b.char_start <= b.char_end <= n, b
        assert doc.text[b.char_start : b.char_end] == b.text, b
    for a in doc.agenda_items:
        assert 0 <= a.char_start <= a.char_end <= n, a
        for s in a.sections:
            assert 0 <= s.char_start <= s.char_end <= n, s
    for i in doc.items:
        assert 0 <= i.char_start <= i.char_end <= n, i


def pipeline_on(data: bytes, name: str, nlp) -> Document | None:
    """read -> structure -> extract, None when the input is refused with a PipelineError."""
    with time_limit(SECONDS_PER_EXAMPLE):
        try:
            doc = read(Path(name), data=data)
        except PipelineError as e:
            assert str(e).startswith(f"{name}: ") and "\n" not in str(e), str(e)
            return None
        assert_spans_inside(doc)
        doc = structure(doc)
        assert_spans_inside(doc)
        doc = extract(doc, nlp)
    assert_spans_inside(doc)
    return doc


@PROPERTY
@given(text=st.text())
def test_any_unicode_text_is_read_structured_and_extracted_without_crashing(text, nlp):
    pipeline_on(text.encode("utf-8"), "minutes.txt", nlp)


@PROPERTY
@given(text=minutes_like, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_minutes_like_text_gives_items_whose_spans_lie_inside_the_document(text, encoding, nlp):
    doc = pipeline_on(text.encode(encoding), "minutes.txt", nlp)
    event(f"items found: {bool(doc and doc.items)}")  # --hypothesis-show-statistics: how often extraction ran
    if doc is not None:
        for item in doc.items:
            assert item.text.strip(), item  # an item always has words, and they come from its span


def test_the_property_strategies_do_reach_extraction(nlp):
    # guards the tests above: the fragments must make items, or the span property checks nothing
    doc = pipeline_on(
        b"1. Roads\n\nRESOLVED that the Clerk write to the Highways Authority by 31 March 2025.\n", "m.txt", nlp
    )
    assert doc is not None and [i.owner for i in doc.items] == ["Clerk"]


# --- fuzzing the readers -------------------------------------------------------------------


SEEDS = {
    "minutes.pdf": minutes_pdf(),
    "minutes.docx": minutes_docx(),
    "minutes.html": scripts_html(n_scripts=4),
    "minutes.txt": CP1252_TEXT.encode("cp1252"),
}


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """``seed`` with a few bytes overwritten, a slice cut out or repeated, or cut short."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["overwrite", "delete", "repeat", "truncate", "insert"]))
        if op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[at : at + len(chunk)] = chunk
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 64))] * draw(st.integers(1, 20))
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
    return bytes(data)


def read_or_refuse(data: bytes, name: str) -> None:
    with time_limit(SECONDS_PER_EXAMPLE):
        try:
            doc = read(Path(name), data=data)
        except PipelineError as e:
            assert str(e).startswith(f"{name}: ") and "\n" not in str(e), str(e)
            return
    assert_spans_inside(doc)


@FUZZ
@given(st.data())
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_readers_survive_mutated_files(name, data):
    read_or_refuse(data.draw(mutated(SEEDS[name])), name)


@FUZZ
@given(
    prefix=st.sampled_from(
        [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<html>", b"\xef\xbb\xbf", b"\xff\xfe", b"\xd0\xcf\x11\xe0"]
    ),
    body=st.binary(max_size=4096),
)
def test_readers_survive_random_bytes_behind_any_signature(prefix, body):
    read_or_refuse(prefix + body, "download.bin")


def _with_document_xml(docx_bytes: bytes, xml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, xml if info.filename == "word/document.xml" else src.read(info))
    return out.getvalue()


DOCX_XML = zipfile.ZipFile(io.BytesIO(SEEDS["minutes.docx"])).read("word/document.xml")


@FUZZ
@given(st.data())
def test_the_docx_reader_survives_broken_xml_inside_a_valid_zip(data):
    # byte mutations of a zip mostly break its checksums; this reaches python-docx and the XML walk
    read_or_refuse(_with_document_xml(SEEDS["minutes.docx"], data.draw(mutated(DOCX_XML))), "minutes.docx")
