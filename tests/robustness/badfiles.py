"""Write a corpus of bad input files, the kinds councils really publish and a few hostile ones.

Every file is generated here (reportlab, zipfile, python-docx), so no binary is committed
and each case says what is wrong with it and what a user should be told::

    cases = write_bad_corpus(tmp_path / "bad")
    for case in cases:
        print(case.name, case.outcome, case.reason)

A case whose ``outcome`` is "error" must fail with a one-line message containing ``reason``;
one whose outcome is "stored" is awkward but readable, and must be stored with its text intact.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

# Minutes with one decision and one action each good rendering must yield.
MINUTES = [
    "ASHFORD BRIDGE PARISH COUNCIL",
    "Minutes of the meeting held on Tuesday 4th March 2025",
    "1. Apologies for absence - none.",
    "2. Village hall roof",
    "RESOLVED that the Clerk obtain three quotations for the roof repairs by 30th April 2025.",
    "3. Date of next meeting - 1st April 2025.",
]
# Text in a Western code page: the pound sign, curly quotes, an en dash and a euro sign all
# live in 0x80-0xFF, where UTF-8 decoding fails and a wrong guess mangles them.
CP1252_TEXT = (
    "4. Precept\n\nIt was resolved to set the precept at \u00a39,850 \u2013 the \u201cbase budget\u201d "
    "plus \u20ac200 for the twinning visit.\n\n"
    "5. Footpaths\n\nIt was agreed that the Clerk\u2019s letter to the County Council be sent by 31st March 2025.\n"
)
# Latin-1 has no curly quotes or euro; it has the pound sign, accents and guillemets.
LATIN1_TEXT = (
    "6. Caf\u00e9 licence\n\nThe Council agreed a fee of \u00a3120 for the caf\u00e9 \u00abLe Jardin\u00bb, "
    "\u00bd payable in advance.\n\nRESOLVED that the Clerk write to the caf\u00e9 owner by 14th March 2025.\n"
)
LONG_LINE_BYTES = 5 * 2**20
DEFAULT_PAGES = 2500  # over readers.MAX_PAGES (2000)


@dataclass(frozen=True)
class Case:
    """One bad file: its name in the folder, what must happen to it, and what the user is told."""

    name: str
    outcome: str  # "error": refused with a one-line reason; "stored": read despite its quirks
    reason: str  # a phrase the error message contains, or what the stored text must contain
    why: str  # what is wrong with the file, for docs and test ids


# words for appendix pages, each page a different sentence (lines repeated on every page are running heads)
APPENDIX_WORDS = ("the", "council", "noted", "report", "on", "roads", "parks", "budget", "housing", "planning", "grant")


def minutes_pdf(lines: list[str] = MINUTES, *, pages: int = 1, encrypt: str | None = None) -> bytes:
    """A text PDF of ``lines`` then ``pages - 1`` appendix pages, optionally encrypted with a user password.

    Each appendix page says something different: lines repeated on every page would be
    dropped as running headers.
    """
    rng = random.Random(pages)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1, encrypt=encrypt)
    for page in range(pages):
        text = canvas.beginText(72, 770)
        text.setFont("Helvetica", 11)
        for line in lines if page == 0 else [" ".join(rng.choices(APPENDIX_WORDS, k=12)).capitalize() + "."]:
            text.textLine(line)
        canvas.drawText(text)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def many_pages_pdf(pages: int) -> bytes:
    """A PDF with ``pages`` pages that share one content stream, so it is small and quick to write.

    reportlab takes seconds for thousands of pages; a hand-written page tree takes milliseconds and
    is just as valid (pdfium and pdfminer both count its pages).
    """
    content = b"BT /F1 11 Tf 72 770 Td (Page of a very long agenda pack) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)) + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>"
    objects += [page] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages holding only a picture of text, the way a scanner saves them: no text layer at all."""
    rng = random.Random(7)
    width, height = 200, 280
    # a grey "page" with dark speckles where the words would be; PPM needs no imaging library
    pixels = bytearray(b"\xf0" * (width * height))
    for _ in range(4000):
        pixels[rng.randrange(len(pixels))] = 0x20
    ppm = b"P5 %d %d 255\n" % (width, height) + bytes(pixels)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1)
    image = ImageReader(_ppm_to_png(ppm, width, height))
    for _ in range(pages):
        canvas.drawImage(image, 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _ppm_to_png(ppm: bytes, width: int, height: int) -> io.BytesIO:
    """A greyscale PNG of the PPM's pixels, written with zlib (reportlab reads PNG without Pillow)."""
    import zlib

    pixels = ppm.split(b"\n", 1)[1]
    rows = b"".join(b"\x00" + pixels[y * width : (y + 1) * width] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    return io.BytesIO(png)


def minutes_docx(lines: list[str] = MINUTES) -> bytes:
    """A small, valid Word file of ``lines``."""
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def zip_bomb_docx(expanded: int = 128 * 2**20) -> bytes:
    """A DOCX whose document.xml inflates to ``expanded`` bytes from a few hundred kilobytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(minutes_docx())) as good, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in good.infolist():
            if info.filename != "word/document.xml":
                z.writestr(info, good.read(info))
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * 2**20
            for _ in range(expanded // len(chunk)):
                member.write(chunk)
    return buf.getvalue()


def lying_zip_bomb_docx(expanded: int = 64 * 2**20) -> bytes:
    """A zip bomb whose headers claim document.xml is 1 KB, so a size check on the headers passes."""
    data = bytearray(zip_bomb_docx(expanded))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("word/document.xml")
    # rewrite the uncompressed size in the local header's zip64 extra field and in the central directory
    small = struct.pack("<Q", 1024)
    local_extra = info.header_offset + 30 + len(info.filename.encode())
    zip64 = data.find(b"\x01\x00", local_extra)
    data[zip64 + 4 : zip64 + 12] = small
    central = _central_entry(data, info.filename.encode())
    name_end = central + 46 + len(info.filename.encode())
    if struct.unpack("<I", data[central + 24 : central + 28])[0] == 0xFFFFFFFF:
        zip64 = data.find(b"\x01\x00", name_end)
        data[zip64 + 4 : zip64 + 12] = small
    else:
        data[central + 24 : central + 28] = struct.pack("<I", 1024)
    return bytes(data)


def _central_entry(data: bytearray, name: bytes) -> int:
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos + 1)) != -1:
        n = struct.unpack("<H", data[pos + 28 : pos + 30])[0]
        if data[pos + 46 : pos + 46 + n] == name:
            return pos
    raise ValueError(f"{name!r} not in the central directory")


def scripts_html(n_scripts: int = 2000) -> bytes:
    """A council page buried in scripts, one of which writes text that looks like a decision."""
    script = "<script>var tracker = {id: %d}; document.write('RESOLVED that the Clerk resign');</script>\n"
    head = "".join(script % i for i in range(n_scripts // 2))
    body = "".join(script % i for i in range(n_scripts // 2, n_scripts))
    paragraphs = "".join(f"<p>{line}</p>\n" for line in MINUTES)
    return (
        f"<!DOCTYPE html><html><head><title>Minutes</title>{head}</head>"
        f"<body>{body}<div id='content'>{paragraphs}</div><script>alert('x')</script></body></html>"
    ).encode()


def long_line_text(size: int = LONG_LINE_BYTES) -> bytes:
    """Ordinary minutes, then one line of ``size`` bytes: words, numbers and stray punctuation, never a newline."""
    words = ["the", "Council", "noted", "12.3", "(a)", "that", "item", "-", "and;", "budget?"]
    rng = random.Random(11)
    line = []
    total = 0
    while total < size:
        word = rng.choice(words)
        line.append(word)
        total += len(word) + 1
    return ("\n".join(MINUTES) + "\n\n" + " ".join(line) + "\n").encode()


def garbage(size: int = 64 * 1024, seed: int = 3) -> bytes:
    """Random bytes, as from a failed download."""
    return random.Random(seed).randbytes(size)


def write_bad_corpus(folder: Path, *, pages: int = DEFAULT_PAGES) -> list[Case]:
    """Write every bad file into ``folder`` and return the cases, in file-name order."""
    folder.mkdir(parents=True, exist_ok=True)
    good_pdf = minutes_pdf()
    good_docx = minutes_docx()
    files: list[tuple[Case, bytes]] = [
        (Case("empty.txt", "error", "empty file", "zero bytes"), b""),
        (Case("blank.txt", "error", "empty file", "only spaces and newlines"), b" \r\n\t\n  \n"),
        (
            Case("truncated.pdf", "error", "corrupt or truncated PDF", "a PDF cut off a third of the way through"),
            good_pdf[: len(good_pdf) // 3],
        ),
        (Case("encrypted.pdf", "error", "encrypted PDF", "a PDF that needs a password"), minutes_pdf(encrypt="secret")),
        (Case("scanned.pdf", "error", "no text layer", "page images only, no text layer"), scanned_pdf()),
        (
            Case("agenda-pack.pdf", "error", f"PDF has {pages} pages, over the limit", f"{pages} pages"),
            many_pages_pdf(pages),
        ),
        (Case("not-a-zip.docx", "error", "corrupt zip", "zip signature, then garbage"), b"PK\x03\x04" + garbage(4096)),
        (
            Case("truncated.docx", "error", "corrupt zip archive", "a DOCX cut in half"),
            good_docx[: len(good_docx) // 2],
        ),
        (Case("zip-bomb.docx", "error", "zip bomb", "document.xml inflates to 128 MB"), zip_bomb_docx()),
        (
            Case("lying-zip-bomb.docx", "error", "corrupt DOCX", "headers claim 1 KB, the data inflates to 64 MB"),
            lying_zip_bomb_docx(),
        ),
        (
            Case("legacy.docx", "error", "legacy Word", "an old binary .doc renamed"),
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + garbage(4096),
        ),
        (Case("garbage.txt", "error", "binary data", "random bytes"), garbage()),
        (Case("garbage.pdf", "error", "binary data", "random bytes named .pdf"), garbage(seed=4)),
        (Case("pdf-named.docx", "stored", "obtain three quotations", "PDF bytes with a .docx name"), good_pdf),
        (
            Case("scripts.html", "stored", "obtain three quotations", "2,000 <script> elements around the minutes"),
            scripts_html(),
        ),
        (
            Case("cp1252.txt", "stored", "\u00a39,850 \u2013 the \u201cbase budget\u201d", "Windows-1252 bytes"),
            CP1252_TEXT.encode("cp1252"),
        ),
        (
            Case("latin1.txt", "stored", "caf\u00e9 \u00abLe Jardin\u00bb, \u00bd", "Latin-1 bytes"),
            LATIN1_TEXT.encode("latin-1"),
        ),
        (Case("long-line.txt", "stored", "obtain three quotations", "one 5 MB line with no newline"), long_line_text()),
    ]
    for case, data in files:
        (folder / case.name).write_bytes(data)
    return sorted((case for case, _ in files), key=lambda c: c.name)
