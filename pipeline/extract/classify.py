"""A small trained text classifier that second-guesses the rules where they are least sure.

``models/item_classifier`` (written by ``make train``, see :mod:`pipeline.train`) is a spaCy bag-of-words
text classifier on its own blank English tokenizer, with two labels: ``ITEM`` (this sentence records a
decision or a commitment) and ``ACTION`` (someone must do something after the meeting). It loads from disk
and needs nothing downloaded.

The rules stay primary. The model has two uses, each switched on or off on its own so its gain can be
measured against the rules alone (docs/extraction.md, "Models"):

- ``items``: a filter on narrative "would"/"will" candidates ("officers would …"): such a candidate is
  dropped when the model is confident it is not an item;
- ``actions``: a tie-breaker for the action flag of a candidate that no explicit marker settled, flipped
  only when the model is confident the other way.

Which uses are on: :func:`configured` (the CLI's ``--rules-only``) first, then the environment variable
``MINUTES_MODELS`` ("none", "items", "actions" or "items,actions"), then :data:`DEFAULT_USES`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import PipelineError
from .clauses import Candidate

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "item_classifier"
ITEM, ACTION = "ITEM", "ACTION"
LABELS = (ITEM, ACTION)
USES = ("items", "actions")
ENV = "MINUTES_MODELS"
# what `evaluate --compare` scores side by side
COMPARED = {"rules only": (), "items": ("items",), "actions": ("actions",), "items+actions": ("items", "actions")}
# Off by default: neither use beat the rules where it was not trained, on the held-out dev documents and in
# leave-documents-out validation; the action tie-breaker lost there (docs/extraction.md, "Models").
DEFAULT_USES: frozenset[str] = frozenset()
# The candidate rule the filter may overrule: narrative "would"/"will" sentences, the rules' main remaining error
# (docs/extraction.md). Widening it to the other narrative rules (were-to, to-be-passive, requested, name-to-verb,
# undertook) cost true items in leave-documents-out validation.
FILTERED_RULES = frozenset({"would-future"})
DROP_BELOW = 0.2  # P(ITEM) under which a narrative candidate is dropped
FLIP_MARGIN = 0.85  # P(ACTION) beyond which (or below 1 - it) the model overrules the rules' action flag
FIRM_ACTION_RULES = frozenset({"action-suffix", "action-tag", "elected", "bare", "outcome-line"})


class ModelMissing(PipelineError):
    """A model directory under models/ is missing or unreadable; run `make train`."""


_override: frozenset[str] | None = None
_model_override = None


@contextmanager
def configured(uses: frozenset[str] | set[str] | tuple[str, ...] | None = None, model=None) -> Iterator[None]:
    """Within the block, use exactly ``uses`` (empty: rules only), and ``model`` instead of the shipped one."""
    global _override, _model_override
    saved = _override, _model_override
    _override = None if uses is None else frozenset(uses)
    _model_override = model
    try:
        yield
    finally:
        _override, _model_override = saved


def active_uses() -> frozenset[str]:
    if _override is not None:
        return _override
    value = os.environ.get(ENV)
    if value is None:
        return DEFAULT_USES
    uses = frozenset(u.strip() for u in value.split(",") if u.strip() and u.strip() != "none")
    unknown = uses - set(USES)
    if unknown:
        raise PipelineError(f"{ENV}={value}: unknown use {', '.join(sorted(unknown))} (known: none, {', '.join(USES)})")
    return uses


@cache
def load(path: Path = MODEL_DIR):
    """The trained classifier, loaded once per process from ``path``."""
    import spacy

    if not (path / "config.cfg").exists():
        raise ModelMissing(f"{path}: no trained classifier here; run `make train`")
    try:
        return spacy.load(path)
    except (OSError, ValueError) as e:
        raise ModelMissing(f"{path}: cannot load the classifier ({e.__class__.__name__}); run `make train`") from None


def scores(model, texts: list[str]) -> list[dict[str, float]]:
    return [doc.cats for doc in model.pipe(texts, batch_size=256)]


@dataclass(frozen=True)
class Verdict:
    keep: bool
    action: bool


def apply(cands: list[Candidate], actions: list[bool]) -> tuple[list[Candidate], list[bool]]:
    """The candidates and action flags after the active uses of the model; unchanged when none is on."""
    uses = active_uses()
    if not uses or not cands:
        return cands, actions
    model = _model_override or load()
    judged = [i for i, c in enumerate(cands) if _judged(c, uses)]
    cats = dict(zip(judged, scores(model, [text_of(cands[i]) for i in judged])))
    out_c, out_a = [], []
    for i, (c, action) in enumerate(zip(cands, actions)):
        v = verdict(c, action, cats.get(i), uses)
        if v.keep:
            out_c.append(c)
            out_a.append(v.action)
    return out_c, out_a


def _judged(c: Candidate, uses: frozenset[str]) -> bool:
    if "items" in uses and c.rule in FILTERED_RULES:
        return True
    return "actions" in uses and c.forced_action is None and c.rule not in FIRM_ACTION_RULES


def verdict(c: Candidate, action: bool, cats: dict[str, float] | None, uses: frozenset[str]) -> Verdict:
    if cats is None:
        return Verdict(True, action)
    if "items" in uses and c.rule in FILTERED_RULES and cats[ITEM] < DROP_BELOW:
        return Verdict(False, action)
    if "actions" in uses and c.forced_action is None and c.rule not in FIRM_ACTION_RULES:
        if not action and cats[ACTION] > FLIP_MARGIN:
            return Verdict(True, True)
        if action and cats[ACTION] < 1 - FLIP_MARGIN:
            return Verdict(True, False)
    return Verdict(True, action)


def text_of(c: Candidate) -> str:
    """What the model reads: the clause as the item would give it (training saw the same texts)."""
    return c.text
