"""The obvious alternative to the pipeline's extractor, for the throughput benchmark.

The pipeline finds candidate clauses with cheap patterns and sends through spaCy
only those of their sentences whose parse a rule reads (and leaves the entity
recogniser for the few a rule asks entities of). The alternative parses every sentence of the document
with the full ``en_core_web_sm`` pipeline first (what one writes when the parse
comes first and the rules work on it), then applies the very same extraction
rules to the parses it needs. Both give the same items; the difference is what
the parsing costs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pipeline.document import Document
from pipeline.extract import PARSE_LIMIT, extract
from pipeline.extract.clauses import find_candidates, sentences


def every_sentence(doc: Document) -> list[str]:
    """Each sentence of each block, split as the extractor splits them, in document order."""
    return [sentence for block in doc.blocks for _, sentence in sentences(block.text)]


class Parsed:
    """A stand-in for the spaCy pipeline whose ``pipe`` answers from parses made beforehand."""

    def __init__(self, parsed: dict, nlp):
        self.parsed = parsed
        self.nlp = nlp

    def __call__(self, text: str):
        return self.parsed[text] if text in self.parsed else self.nlp(text)

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator:
        texts = list(texts)
        # a list item's text with its lead-in, say, is no sentence of a block: parsed (whole) when asked for
        missing = [t for t in dict.fromkeys(texts) if t not in self.parsed]
        self.parsed.update(zip(missing, self.nlp.pipe(missing, batch_size=batch_size)))
        return (self.parsed[text] for text in texts)


def extract_full_parse(doc: Document, nlp) -> Document:
    """``extract`` with every sentence of ``doc`` parsed by the full model first.

    Texts the rules ask for that are not sentences of a block are parsed, by the full model too, when asked for
    (finding them beforehand would mean finding the candidate clauses twice, which the alternative need not do).
    """
    wanted = list(dict.fromkeys(s.strip()[:PARSE_LIMIT] for s in every_sentence(doc)))
    parsed = dict(zip(wanted, nlp.pipe(wanted, batch_size=64)))
    return extract(doc, Parsed(parsed, nlp))


def _parsed(doc: Document) -> tuple[set[str], list[str]]:
    """(the candidates' distinct sentences, those the pipeline parses)."""
    from pipeline.extract import _with_subject, to_parse
    from pipeline.extract.actions import is_action

    cands = [_with_subject(c) for c in find_candidates(doc)]
    return {c.sentence for c in cands}, to_parse(
        cands, [is_action(c.text, c.kind, c.forced_action, c.rule) for c in cands]
    )


def sentence_counts(doc: Document) -> tuple[int, int]:
    """(sentences in the document, distinct sentences the pipeline sends to spaCy)."""
    return len(every_sentence(doc)), len(_parsed(doc)[1])


def parsed_words(doc: Document) -> tuple[int, int]:
    """(words in the candidates' sentences, words in those the pipeline parses).

    A parse is read for an action without an owner named by a pattern, and for the commitment
    rules ("would …") that check the parse; the other candidates' sentences are not parsed.
    """
    candidates, parsed = _parsed(doc)
    return sum(len(s.split()) for s in candidates), sum(len(s.split()) for s in parsed)
