"""read -> structure -> extract -> store, for a batch of files.

One bad file never stops a batch: its reason is recorded in ``ingest_errors``
and the next file goes on. Unchanged files (same sha256 at the same path)
are skipped before they are parsed, so re-running an ingest is cheap.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from . import store
from .document import Metadata
from .errors import BadManifest, PipelineError
from .run import run

EXTENSIONS = {".txt", ".html", ".htm", ".pdf", ".docx"}
MANIFEST_COLUMNS = ("path", "council", "committee", "meeting_date", "url")


@dataclass(frozen=True)
class Source:
    path: Path
    meta: Metadata = field(default_factory=Metadata)


@dataclass
class Summary:
    stored: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    items: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self, db_path: str | Path) -> str:
        return (
            f"{self.stored + self.replaced + self.unchanged + self.failed} files: {self.stored} new, "
            f"{self.replaced} replaced, {self.unchanged} unchanged, {self.failed} failed; "
            f"{self.items} items stored in {db_path}"
        )


def collect(paths: Iterable[Path], meta: Metadata | None = None) -> list[Source]:
    """Expand files and folders into sources; folders are searched recursively in sorted order."""
    meta = meta or Metadata()
    out: list[Source] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files = sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in EXTENSIONS and not f.name.startswith(".")
            )
            out += [Source(f, Metadata()) for f in files]
        else:
            out.append(Source(p, meta))  # a missing file is reported by ingest, not here
    return out


def read_manifest(path: Path) -> list[Source]:
    """Sources from a CSV with columns path,council,committee,meeting_date,url (paths relative to the CSV)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("path",) if c not in (reader.fieldnames or [])]
        if missing:
            raise BadManifest(f"{path}: missing column(s) {', '.join(missing)}; expected {','.join(MANIFEST_COLUMNS)}")
        out = []
        for row in reader:
            if not (row.get("path") or "").strip():
                continue
            values = {k: (row.get(k) or "").strip() or None for k in MANIFEST_COLUMNS[1:]}
            out.append(Source(path.parent / row["path"].strip(), Metadata(**values)))
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ingest_one(db, source: Source, nlp=None) -> tuple[str, int]:
    """Ingest one source; returns (outcome, number of items). Raises PipelineError for bad input."""
    try:
        data = source.path.read_bytes()
    except OSError as e:
        raise PipelineError(f"{source.path}: cannot read file ({e.strerror or e})") from None
    sha = hashlib.sha256(data).hexdigest()
    if store.stored_sha(db, str(source.path)) == sha:
        return "unchanged", 0
    doc = run(source.path, source.meta, data=data, nlp=nlp)
    return store.save(db, doc), len(doc.items)


def ingest_all(
    sources: list[Source],
    db_path: str | Path,
    *,
    progress: bool = False,
    echo: Callable[[str], None] = print,
) -> Summary:
    """Ingest every source into the database at ``db_path``; never stops on a bad file."""
    db = store.connect(db_path)
    summary = Summary()
    bar = tqdm(sources, unit="doc", disable=not progress, dynamic_ncols=True)
    for source in bar:
        bar.set_postfix_str(source.path.name[:40], refresh=False)
        try:
            outcome, n = ingest_one(db, source)
        except PipelineError as e:
            summary.failed += 1
            summary.errors.append(str(e))
            store.record_error(db, str(source.path), e, _safe_sha(source.path))
            (bar.write if progress else echo)(f"error: {e}")
            continue
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        summary.items += n
    db.close()
    return summary


def _safe_sha(path: Path) -> str | None:
    try:
        return _sha256(path)
    except OSError:
        return None
