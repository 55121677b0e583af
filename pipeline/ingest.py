"""read -> structure -> extract -> store, for a batch of files.

One bad file never stops a batch: its reason is recorded in ``ingest_errors``
and the next file goes on. Unchanged files (same sha256 at the same path)
are skipped before they are parsed, so re-running an ingest is cheap, and
re-running one that was killed picks up where it stopped. Documents whose
files have gone are reported, and removed only when asked (``prune``).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from . import store
from .document import Document, Metadata
from .errors import BadManifest, PipelineError
from .readers import MAX_PAGES, load
from .run import run

EXTENSIONS = {".txt", ".html", ".htm", ".pdf", ".docx"}
MANIFEST_COLUMNS = ("path", "council", "committee", "meeting_date", "url", "draft")
DRAFT_VALUES = {"1": True, "yes": True, "y": True, "true": True, "draft": True, "0": False, "no": False, "n": False}
DRAFT_VALUES |= {"false": False, "final": False}


@dataclass(frozen=True)
class Source:
    path: Path
    meta: Metadata = field(default_factory=Metadata)


@dataclass
class Summary:
    """What a batch did, for the one-line report and for tests."""

    stored: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    items: int = 0
    missing: int = 0  # stored documents under the given folders whose files are gone, kept
    pruned: int = 0  # such documents removed because prune was asked for
    errors: list[str] = field(default_factory=list)

    def line(self, db_path: str | Path) -> str:
        out = (
            f"{self.stored + self.replaced + self.unchanged + self.failed} files: {self.stored} new, "
            f"{self.replaced} replaced, {self.unchanged} unchanged, {self.failed} failed; "
            f"{self.items} items stored in {db_path}"
        )
        if self.pruned:
            out += f"; {_documents(self.pruned)} missing from disk pruned"
        if self.missing:
            out += f"; {_documents(self.missing)} missing from disk kept (--prune removes them)"
        return out


def _documents(n: int) -> str:
    return f"{n} stored document{'' if n == 1 else 's'}"


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
            out += [Source(f, Metadata(draft=meta.draft)) for f in files]  # a folder of drafts is all drafts
        else:
            out.append(Source(p, meta))  # a missing file is reported by ingest, not here
    return out


def read_manifest(path: Path) -> list[Source]:
    """Sources from a CSV with columns path,council,committee,meeting_date,url,draft (paths relative to the CSV).

    ``draft`` is optional: yes/true/1/draft marks a draft, no/false/0/final a final document, and an
    empty cell keeps what is stored (a new document is final).
    """
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("path",) if c not in (reader.fieldnames or [])]
        if missing:
            raise BadManifest(f"{path}: missing column(s) {', '.join(missing)}; expected {','.join(MANIFEST_COLUMNS)}")
        out = []
        for n, row in enumerate(reader, start=2):
            if not (row.get("path") or "").strip():
                continue
            values = {k: (row.get(k) or "").strip() or None for k in MANIFEST_COLUMNS[1:-1]}
            flag = (row.get("draft") or "").strip().lower()
            if flag and flag not in DRAFT_VALUES:
                raise BadManifest(f"{path}: line {n}: draft is {flag!r}; use yes or no (or leave it empty)")
            out.append(Source(path.parent / row["path"].strip(), Metadata(**values, draft=DRAFT_VALUES.get(flag))))
    return out


def process(source: Source, data: bytes, *, nlp=None, max_pages: int = MAX_PAGES) -> Document:
    """Read, structure and extract one source's bytes. Raises a PipelineError subclass on bad input."""
    return run(source.path, source.meta, data=data, nlp=nlp, max_pages=max_pages)


def ingest_all(
    sources: list[Source],
    db_path: str | Path,
    *,
    progress: bool = False,
    echo: Callable[[str], None] = print,
    jobs: int = 1,
    scheduler: str | None = None,
    max_pages: int = MAX_PAGES,
    folders: Iterable[Path] = (),
    prune: bool = False,
) -> Summary:
    """Ingest every source into the database at ``db_path``; never stops on a bad file.

    :param jobs: worker processes; with more than one, or a Dask ``scheduler`` address, documents
        are read and extracted by :func:`pipeline.parallel.run_many` and stored here, in order.
    :param max_pages: PDFs with more pages are refused before they are parsed.
    :param folders: the folders the sources came from; stored documents under them whose files
        are gone are counted in ``Summary.missing``, or deleted when ``prune`` is true.
    :raises StoreLocked: when another writer keeps the database locked past the busy timeout.
    """
    db = store.connect(db_path)
    summary = Summary()
    bar = tqdm(total=len(sources), unit="doc", disable=not progress, dynamic_ncols=True)
    say = bar.write if progress else echo

    def fail(source: Source, error: Exception, sha: str | None) -> None:
        if not isinstance(error, PipelineError):  # recorded as error "InternalError" (see store.record_error)
            detail = " ".join(str(error).split())[:200] or "no detail"
            error = RuntimeError(f"{source.path}: internal error ({type(error).__name__}: {detail}); please report it")
        message = " ".join(str(error).split())  # one line, whatever a library put in it
        summary.failed += 1
        summary.errors.append(message)
        store.record_error(db, str(source.path), error, sha, draft=bool(source.meta.draft))
        say(f"error: {message}")
        bar.update()

    def keep(doc: Document) -> None:
        outcome = store.save(db, doc)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        summary.items += len(doc.items) if outcome != "unchanged" else 0
        bar.update()

    try:
        changed = _changed(db, sources, summary, fail, bar)
        if jobs > 1 or scheduler:
            from .parallel import run_many

            # every file is hashed (and unchanged ones skipped) before any work is sent out;
            # the workers read the files again, so no bytes are held here meanwhile
            todo = [(source, sha) for source, _, sha in changed]
            results = run_many([s for s, _ in todo], jobs=jobs, scheduler=scheduler, max_pages=max_pages)
            for (source, result), (_, sha) in zip(results, todo):
                if isinstance(result, Exception):
                    fail(source, result, sha)
                else:
                    keep(result)
        else:
            for source, data, sha in changed:
                bar.set_postfix_str(source.path.name[:40], refresh=False)
                try:
                    doc = process(source, data, max_pages=max_pages)
                except Exception as e:  # a bug on one document is reported like a bad file, and the batch goes on
                    fail(source, e, sha)
                    continue
                keep(doc)
        missing = store.missing_documents(db, folders)
        if prune and missing:
            summary.pruned = store.prune(db, [doc_id for doc_id, _ in missing])
        elif missing:
            summary.missing = len(missing)
    finally:
        bar.close()
        db.close()
    return summary


def _changed(
    db, sources: list[Source], summary: Summary, fail: Callable[[Source, Exception, str | None], None], bar: tqdm
) -> Iterator[tuple[Source, bytes, str]]:
    """(source, bytes, sha256) of each source that differs from what is stored; unreadable ones go to ``fail``."""
    for source in sources:
        try:
            data = load(source.path)
        except PipelineError as e:
            fail(source, e, None)
            continue
        sha = hashlib.sha256(data).hexdigest()
        if store.stored_sha(db, str(source.path)) == sha:
            if source.meta.draft is not None:  # same bytes, but now marked (or no longer marked) a draft
                store.set_draft(db, store.document_id(str(source.path)), source.meta.draft)
            summary.unchanged += 1
            bar.update()
            continue
        yield source, data, sha
