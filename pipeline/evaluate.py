"""Score the extractor against gold files in one process, with the shared scorer's own rules.

``make eval`` runs ``../shared/eval/score.py`` exactly as the contract says
(one subprocess per document). This module imports that same scorer and runs
the extractor in-process, which makes a tuning loop take seconds, and lets
the README report the documents kept out of tuning separately.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .document import Metadata
from .errors import PipelineError

SCORER = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "score.py"

# Dev documents never looked at while writing rules: their score is the check on overfitting.
HELD_OUT = ("dA-04", "dA-10", "dB-03", "dB-09", "dB-12")


def load_scorer(path: Path = SCORER) -> ModuleType:
    spec = importlib.util.spec_from_file_location("shared_score", path)
    if spec is None or spec.loader is None:
        raise PipelineError(f"{path}: scorer not found (../shared must sit beside the repository)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Report:
    summary: dict
    logs: dict[str, list[str]]

    def lines(self) -> list[str]:
        s = self.summary
        out = [f"documents {s['documents']}  failed {s['failed_documents']}"]
        for key in ("items", "actions", "follow_up"):
            v = s[key]
            out.append(f"{key:10s} P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}")
        out.append(
            f"owner accuracy {s['owner_accuracy']:.3f}  due accuracy {s['due_accuracy']:.3f}  "
            f"kind accuracy {s['kind_accuracy']:.3f}"
        )
        return out


def source_of(gold: dict, gold_path: Path) -> Path:
    """Gold sources are relative to the gold folder (shared dev set) or to corpus/ (this repo's gold)."""
    for base in (gold_path.parent, gold_path.parent.parent):
        candidate = (base / gold["source"]).resolve()
        if candidate.exists():
            return candidate
    return (gold_path.parent / gold["source"]).resolve()


def evaluate(gold_files: list[Path], nlp=None, scorer: ModuleType | None = None) -> Report:
    """Run the extractor on each gold file's source and tally with the shared scorer."""
    from .run import run

    scorer = scorer or load_scorer()
    tally = scorer.Tally()
    logs: dict[str, list[str]] = {}
    failures = 0
    for gp in gold_files:
        gold = json.loads(gp.read_text(encoding="utf-8"))
        log: list[str] = []
        meta = Metadata(
            council=gold.get("council"), committee=gold.get("committee"), meeting_date=gold.get("meeting_date")
        )
        try:
            doc = run(source_of(gold, gp), meta, nlp=nlp)
            pred = [i.to_json() for i in doc.items]
        except PipelineError as e:
            failures += 1
            log.append(f"  FAILED: {e}")
            pred = []
        tally.add(gold["items"], pred, log)
        logs[gold["id"]] = log
    summary = tally.summary()
    summary["documents"] = len(gold_files)
    summary["failed_documents"] = failures
    return Report(summary, logs)
