"""The pipeline for one document: read -> (infer metadata) -> structure -> extract."""

from __future__ import annotations

from pathlib import Path

from .document import Document, Metadata
from .extract import extract
from .meta import infer_meta
from .readers import MAX_PAGES, read
from .structure import structure


def run(
    path: str | Path,
    meta: Metadata | None = None,
    *,
    data: bytes | None = None,
    nlp=None,
    infer: bool = True,
    max_pages: int = MAX_PAGES,
) -> Document:
    """Read, structure and extract one file. Raises a PipelineError subclass on bad input.

    :param infer: fill gaps in ``meta`` (council, committee, meeting date) from the document's own header,
        so "within 14 days" resolves even when nobody passed ``--meeting-date``.
    """
    doc = read(path, meta, data=data, max_pages=max_pages)
    if infer:
        doc = doc.with_(meta=infer_meta(doc))
    return extract(structure(doc), nlp)
