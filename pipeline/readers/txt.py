"""Plain text: minutes saved from a web page or pasted out of a PDF.

Pasted PDF text has hard line wraps, words hyphenated across lines, bullets
and numbers at the start of lines, and numbers alone on a line ("6.1" then
the paragraph). This reader rebuilds paragraphs and list items from that.
"""

from __future__ import annotations

import re
from pathlib import Path

import charset_normalizer

from ..document import Block, Document, assemble
from ..numbering import is_bullet, split_number

# UK council text is UTF-8 or a Western single-byte code page; letting the
# detector consider every code page makes it "find" Cyrillic in short files.
WESTERN = ["cp1252", "latin_1", "iso8859_15", "utf_16", "utf_8"]
HEADING_MAX_WORDS = 14
_BLANK = re.compile(r"^[\s\u00a0\u200b\ufeff]*$")
_END_PUNCT = re.compile(r"[.;:,?!)\]\"'’”\-–]$")


def decode(data: bytes) -> str:
    """Decode bytes whose encoding nobody declared; "£" and curly quotes must survive."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data, cp_isolation=WESTERN).best()
    if best is not None and best.encoding not in ("utf_8", "utf_16"):
        # cp1252 is a superset of Latin-1's printable range and adds curly quotes: prefer it
        encoding = "cp1252" if best.encoding in ("latin_1", "iso8859_15") else best.encoding
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            return str(best)
    return data.decode("cp1252", errors="replace")


def read_txt(data: bytes, path: Path) -> Document:
    text = decode(data)
    return Document(source=str(path), sha256="", format="txt", text="", blocks=()).with_(
        **dict(zip(("text", "blocks"), assemble(blocks_from_text(text))))
    )


def blocks_from_text(text: str) -> list[Block]:
    """Split text into blocks: blank lines end a block, and so does a numbered or bulleted line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    drafts: list[Block] = []
    pending_number: str | None = None
    for group in _rejoin(_groups(text.split("\n"))):
        for number, lines in _pieces(group):
            body = join_lines(lines)
            if number and not body:
                pending_number = number  # a number alone on its line numbers the next paragraph
                continue
            if pending_number and not number:
                number, pending_number = pending_number, None
            drafts.append(Block(text=body, kind=_kind(number, body, len(lines)), number=number))
    return drafts


def _groups(lines: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for line in lines:
        if _BLANK.match(line):
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(line.replace("\u00a0", " ").rstrip())
    return [g for g in groups if g]


_CONNECTOR = re.compile(r"\b(?:of|on|the|and|to|for|in|with|a|an|by|at|from|that|be|or|its|their)$", re.I)
WRAP_WIDTH = 50  # a line at least this long with no closing punctuation was probably hard-wrapped


def _rejoin(groups: list[list[str]]) -> list[list[str]]:
    """Undo blank lines inserted inside a paragraph when text was pasted from a PDF."""
    out: list[list[str]] = []
    for group in groups:
        if out and split_number(group[0])[0] is None and _continues(out[-1], group[0]):
            out[-1] = out[-1] + group
        else:
            out.append(group)
    return out


def _continues(prev_group: list[str], nxt: str) -> bool:
    prev = prev_group[-1].rstrip()
    if not prev or _END_PUNCT.search(prev) or prev.endswith(":"):
        return False
    if nxt.lstrip()[:1].islower() or _CONNECTOR.search(prev) or prev.endswith("-"):
        return True
    # only a paragraph that is itself hard-wrapped is trusted to continue on a long line
    return len(prev_group) > 1 and len(prev) >= WRAP_WIDTH and len(prev.split()) >= 8


SHORT_LINE = 0.6  # a line shorter than this share of the group's widest stopped early: the next is a new line


def _pieces(group: list[str]) -> list[tuple[str | None, list[str]]]:
    pieces: list[tuple[str | None, list[str]]] = []
    width = max(len(line.strip()) for line in group)
    prev = ""
    for line in group:
        number, rest = split_number(line)
        broke = (
            pieces
            and width >= WRAP_WIDTH
            and len(prev) < SHORT_LINE * width
            and line.strip()[:1].isupper()
            and not _CONNECTOR.search(prev)
            and not prev.endswith(("-", ","))
        )
        if number is not None or not pieces or broke:
            pieces.append((number, [rest.strip()] if rest.strip() else []))
        else:
            pieces[-1][1].append(line.strip())
        prev = line.strip()
    return pieces


def join_lines(lines: list[str]) -> str:
    """Join hard-wrapped lines, mending words hyphenated across a line end."""
    out = ""
    for line in lines:
        line = re.sub(r"[ \t]+", " ", line.strip())
        if not line:
            continue
        if not out:
            out = line
        elif re.search(r"[a-z]-$", out) and line[:1].islower():
            out = out[:-1] + line
        else:
            out = out + " " + line
    return out


def _kind(number: str | None, body: str, n_lines: int) -> str:
    if number and (is_bullet(number) or number.endswith(")") or not _looks_like_heading(body)):
        return "list_item"
    if n_lines == 1 and _looks_like_heading(body):
        return "heading"
    return "list_item" if number else "para"


def _looks_like_heading(body: str) -> bool:
    words = body.split()
    return (
        0 < len(words) <= HEADING_MAX_WORDS
        and not _END_PUNCT.search(body)
        and body[:1].isupper()
        or (body.isupper() and len(words) <= HEADING_MAX_WORDS)
        or (body.endswith(":") and len(words) <= 6 and body[:1].isupper())
    )
