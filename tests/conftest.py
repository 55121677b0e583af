"""Fixtures shared by every test: real documents from corpus/ and ../shared, and one spaCy pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
DEV = SHARED / "eval" / "dev"


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: ../shared must sit beside the repository")
    return path


@pytest.fixture(scope="session")
def shared_path():
    """A file under ../shared (dev set, seeds, realdocs), which sits beside every clone."""
    return lambda rel: _require(SHARED / rel)


@pytest.fixture(scope="session")
def corpus_path():
    """A file under corpus/ in this repository."""
    return lambda rel: _require(CORPUS / rel)


@pytest.fixture(scope="session")
def nlp():
    from pipeline.extract.nlp import build_nlp

    return build_nlp()


def gold(name: str) -> dict:
    """The gold annotation of a dev document, e.g. gold("dA-01")."""
    return json.loads(_require(DEV / f"{name}.json").read_text(encoding="utf-8"))
