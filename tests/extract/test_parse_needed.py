"""The extractor's cheaper parse (pipeline/extract/nlp.py, extract.to_parse) finds exactly what the full one does.

It parses only the sentences whose parse a rule reads and leaves the entity recogniser until an owner
rule asks for entities; both must leave every item of the dev set as the full pipeline makes it.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest

from pipeline.document import Metadata
from pipeline.extract import extract, find_candidates
from pipeline.extract.nlp import entities, parse
from pipeline.readers import read
from pipeline.structure import structure
from tests.conftest import DEV


class FullParse:
    """Every candidate sentence parsed up front by the whole pipeline, entity recogniser included."""

    def __init__(self, nlp, doc):
        texts = list(dict.fromkeys(c.sentence for c in find_candidates(doc)))
        texts += ["The Committee " + t for t in texts]  # the stand-in subject extract gives verb-first points
        texts = [t[:2000] for t in texts]
        self.nlp = nlp
        self.parsed = dict(zip(texts, nlp.pipe(texts)))

    def __call__(self, text):
        return self.parsed.get(text) or self.nlp(text)

    def pipe(self, texts, batch_size=64):
        return (self(t) for t in texts)


def dev_docs():
    docs = []
    for path in sorted(DEV.glob("*.txt")):
        docs.append(structure(read(path, Metadata())))
    return docs


@pytest.fixture(scope="module")
def docs():
    return dev_docs()


def test_the_dev_set_gets_the_same_items_as_with_the_full_pipeline(nlp, docs):
    assert len(docs) >= 20
    for doc in docs:
        assert extract(doc, nlp).items == extract(doc, FullParse(nlp, doc)).items, doc.source


def test_entities_asked_for_late_still_decide_owners(nlp, tmp_path):
    # "Jane Smith" has no role word, initials or owner pattern: only the recogniser's PERSON makes her the owner
    path = tmp_path / "minutes.txt"
    path.write_text(
        "Minutes of the meeting\n\n1. Footpaths\n\nJane Smith agreed to write to the landowner about the stile.\n",
        encoding="utf-8",
    )
    doc = structure(read(path, Metadata(meeting_date="2025-03-04")))
    (item,) = extract(doc, nlp).items
    assert item.owner == "Jane Smith"
    assert item == extract(doc, FullParse(nlp, doc)).items[0]
    with mock.patch("pipeline.extract.owners.entities", lambda obj: ()):
        assert extract(doc, nlp).items[0].owner is None


def test_parse_leaves_out_the_recogniser_until_entities_are_asked_for(nlp):
    text = "Councillor Jane Smith of Acme Holdings Ltd agreed to write to the Environment Agency in London."
    (doc,) = parse(nlp, [text])
    assert not doc.has_annotation("ENT_IOB")
    full = nlp(text)
    want = [(e.text, e.label_) for e in full.ents]
    assert any(label == "PERSON" for _, label in want)
    assert [(e.text, e.label_) for e in entities(doc)] == want
    assert [(e.text, e.label_) for e in entities(doc[0:4])] == [(e.text, e.label_) for e in full[0:4].ents]
    # the rest of the annotation is the full pipeline's
    assert [(t.pos_, t.tag_, t.dep_, t.head.i, t.lemma_) for t in doc] == [
        (t.pos_, t.tag_, t.dep_, t.head.i, t.lemma_) for t in full
    ]
    assert [(s.start, s.end) for s in doc.spans["owners"]] == [(s.start, s.end) for s in full.spans["owners"]]


def test_extraction_reads_entities_only_through_nlp_entities():
    # a parse from nlp.parse has no entities until nlp.entities runs the recogniser: ``.ents`` read directly
    # would silently see none, and the dev set (whose owners never depend on entities) would not show it
    from pathlib import Path

    import pipeline.extract

    folder = Path(pipeline.extract.__file__).parent
    direct = [
        f"{path.name}:{n}"
        for path in sorted(folder.glob("*.py"))
        if path.name != "nlp.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.ents\b", line)
    ]
    assert direct == []
