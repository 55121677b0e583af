"""The pipeline for one document: read -> structure -> extract."""

from __future__ import annotations

from pathlib import Path

from .document import Document, Metadata
from .extract import extract
from .readers import read
from .structure import structure


def run(path: str | Path, meta: Metadata | None = None, *, data: bytes | None = None, nlp=None) -> Document:
    """Read, structure and extract one file. Raises a PipelineError subclass on bad input."""
    return extract(structure(read(path, meta, data=data)), nlp)
