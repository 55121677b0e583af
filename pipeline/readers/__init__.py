"""Read a file into a :class:`~pipeline.document.Document`, choosing the reader from its bytes.

The extension is never trusted: councils publish PDFs named ``.doc`` and Word
files named ``.pdf``, and ModernGov pages saved as ``.txt``.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

from ..document import Document, Metadata
from ..errors import EmptyDocument, UnreadableDocument, UnsupportedFormat

MAX_BYTES = 200 * 1024 * 1024  # larger files are refused before any parsing
MAX_PAGES = 2000  # a PDF longer than this is refused (configurable per call)

_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<div", b"<p>", b"<table", b"<meta")


def sniff(data: bytes) -> str:
    """Name the format of ``data``: "pdf", "docx", "html" or "txt".

    :raises UnsupportedFormat: for zips that are not Word files and binary data.
    """
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" in z.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            raise UnsupportedFormat("corrupt zip archive (not a readable DOCX)") from None
        raise UnsupportedFormat("zip archive that is not a Word document")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFormat("legacy Word/Office binary (.doc) is not supported; save it as .docx")
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(lowered.startswith(m) for m in _HTML_MARKERS) or (b"<html" in lowered and b"</" in data[:65536].lower()):
        return "html"
    if _looks_binary(head):
        raise UnsupportedFormat("binary data, not text, HTML, PDF or DOCX")
    return "txt"


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        # UTF-16 text has NULs too; let the text reader's decoder decide
        return not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"))
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > max(8, len(head) // 20)


def load(path: str | Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, refusing anything that could hang or exhaust memory.

    A FIFO named ``minutes.txt`` would block a plain ``read_bytes()`` forever and a device
    would never end, so the file is opened without blocking and must be a regular file;
    one that grows past ``max_bytes`` while it is read is refused too.

    :raises UnreadableDocument: missing, unreadable, not a regular file, or too large.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise UnreadableDocument(f"{path}: cannot read file ({e.strerror or e})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableDocument(f"{path}: not a regular file ({_file_kind(info.st_mode)})")
        if info.st_size > max_bytes:
            raise UnreadableDocument(f"{path}: file is {_mib(info.st_size)} MiB, over the {_mib(max_bytes)} MiB limit")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise UnreadableDocument(f"{path}: cannot read file ({e.strerror or e})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise UnreadableDocument(f"{path}: file grew past the {_mib(max_bytes)} MiB limit while it was read")
    return data


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))
    kinds += ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a file")


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f}"


def count_pdf_pages(data: bytes) -> int | None:
    """The page count a PDF declares, read by pdfium without parsing any page; None if pdfium cannot open it.

    pdfplumber builds an object per page just to count them, which takes seconds for an
    agenda pack of thousands; pdfium reads the page tree's /Count.
    """
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return None  # encrypted or damaged: the PDF reader explains which
    try:
        return len(pdf)
    finally:
        pdf.close()


def read(
    path: str | Path,
    meta: Metadata | None = None,
    *,
    data: bytes | None = None,
    max_pages: int = MAX_PAGES,
) -> Document:
    """Read one file (or its ``data``) into a Document of blocks.

    :param meta: what is known from outside the text; the reader's own findings fill its gaps.
    :param max_pages: a PDF with more pages is refused before any page is parsed.
    :raises PipelineError: with a one-line message starting with the path.
    """
    path = Path(path)
    if data is None:
        data = load(path)
    elif len(data) > MAX_BYTES:
        raise UnreadableDocument(f"{path}: file is {_mib(len(data))} MiB, over the {_mib(MAX_BYTES)} MiB limit")
    if not data.strip():
        raise EmptyDocument(f"{path}: empty file")
    try:
        fmt = sniff(data)
    except UnsupportedFormat as e:
        raise UnsupportedFormat(f"{path}: {e}") from None
    if fmt == "pdf" and (pages := count_pdf_pages(data)) is not None and pages > max_pages:
        raise UnreadableDocument(f"{path}: PDF has {pages} pages, over the limit of {max_pages}")
    reader = _reader(fmt)
    try:
        doc = reader(data, path, max_pages=max_pages) if fmt == "pdf" else reader(data, path)
    except (EmptyDocument, UnreadableDocument, UnsupportedFormat):
        raise
    except Exception as e:  # a reader library failing on bad bytes is a bad file, not a crash
        raise UnreadableDocument(f"{path}: cannot read {fmt.upper()} ({type(e).__name__}: {_first_line(e)})") from e
    if not doc.text.strip():
        raise EmptyDocument(f"{path}: no text found in {fmt.upper()}")
    doc = doc.with_(sha256=hashlib.sha256(data).hexdigest(), source=str(path), format=fmt)
    if meta is not None:
        doc = doc.with_(meta=meta.merged(doc.meta))
    return doc


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[0][:200] if text else "no detail"


def _reader(fmt: str):
    # imported lazily: pdfplumber and python-docx cost time to import and most runs need one format
    if fmt == "pdf":
        from .pdf import read_pdf

        return read_pdf
    if fmt == "docx":
        from .docx import read_docx

        return read_docx
    if fmt == "html":
        from .html import read_html

        return read_html
    from .txt import read_txt

    return read_txt
