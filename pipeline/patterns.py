"""Load the rule data that ships in ``models/patterns/``: the code holds no council wording."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .errors import BadPatternFile, NoPatterns

MODELS = Path(__file__).resolve().parent.parent / "models"
PATTERNS = MODELS / "patterns"


@cache
def load_json(name: str) -> Any:
    """One JSON file of rules, e.g. ``structure.json``."""
    path = PATTERNS / name
    if not path.is_file():
        raise NoPatterns(f"{path}: pattern file missing")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise BadPatternFile(f"{path}: line {e.lineno}: {e.msg}") from None


@cache
def load_jsonl(name: str) -> tuple[dict[str, Any], ...]:
    """A spaCy-style pattern file: one JSON object per line with ``label`` and ``pattern``."""
    path = PATTERNS / name
    if not path.is_file():
        raise NoPatterns(f"{path}: pattern file missing")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise BadPatternFile(f"{path}: line {n}: {e.msg}") from None
        if "label" not in row or "pattern" not in row:
            raise BadPatternFile(f"{path}: line {n}: needs 'label' and 'pattern'")
        rows.append(row)
    if not rows:
        raise NoPatterns(f"{path}: no patterns")
    return tuple(rows)
