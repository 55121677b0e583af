"""Extract items (decisions, recommendations, undertakings) with action, owner and due date.

``extract(doc)`` is the stage function: clauses.py finds candidate clauses
with cheap patterns, then only those sentences are parsed by spaCy to find
the owner; actions.py and dates.py decide the rest.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ..document import Document, Item
from ..structure import item_at
from . import classify
from .actions import is_action
from .clauses import Candidate, find_candidates, parseable
from .dates import find_due, next_meeting_date

__all__ = ["extract", "find_candidates"]

# "(b) requests the Policy Officer to investigate": a sub-point that opens with the verb reads to the tagger
# like a plural noun ("requests"); giving it back the subject its lead-in dropped makes it parse as a clause.
STANDIN_SUBJECT = "The Committee "
PARSE_LIMIT = 2000
# narrative "would"/"will" sentences are kept only when the parse shows a promise (see owners.is_commitment)
COMMITMENT_RULES = {"would-future"}
VERB_FIRST = re.compile(r"^[a-z]+s\b(?!\s+(?:of|to\b))")


def extract(doc: Document, nlp=None) -> Document:
    """Return ``doc`` with its items found (pure apart from the cached spaCy model).

    :param nlp: a spaCy pipeline from :func:`pipeline.extract.nlp.build_nlp`; built on first use.
    """
    from .nlp import build_nlp, parse
    from .owners import expand_title, find_owner, is_commitment

    cands = find_candidates(doc)
    if not cands:
        return doc.with_(items=())
    meeting = doc.meta.meeting_date
    base = dt.date.fromisoformat(meeting) if meeting else None
    nxt = next_meeting_date(doc.text, base)
    cands = [_with_subject(c) for c in cands]
    actions = [is_action(c.text, c.kind, c.forced_action, c.rule) for c in cands]
    # the trained classifier, where switched on, drops doubtful narrative candidates and breaks action ties
    cands, actions = classify.apply(cands, actions)
    sentences = to_parse(cands, actions)
    parsed = {}
    if sentences:
        nlp = nlp or build_nlp()
        # a "sentence" can be a whole page when a file has no full stops; the owner is named near the clause's
        # start, and parsing 280 KB at once costs seconds and a gigabyte, so the parser sees at most PARSE_LIMIT
        parsed = dict(zip(sentences, parse(nlp, (parseable(s[:PARSE_LIMIT]) for s in sentences))))
    items = []
    for c, action in zip(cands, actions):
        if c.rule in COMMITMENT_RULES and not is_commitment(parsed[c.sentence], c.body_start):
            continue
        owner = due = due_text = None
        if action:
            owner = c.owner_hint or find_owner(
                parsed[c.sentence],
                c.body_start,
                allow_sayer=c.rule in ("would-future", "to-be-passive"),
                context=lambda c=c: nlp(c.context) if c.context else None,
            )
            if owner:
                agenda = item_at(doc, c.start)
                owner = expand_title(owner, doc.text[agenda.char_start if agenda else 0 : c.start])
        due_info = find_due(c.due_scope or c.text, meeting, nxt)
        if c.due_scope and due_info.text is None:
            # "Agreed that the Annual Meeting be held on 13th May. Clerk to arrange.": the date is the decision's
            due_info = find_due(c.text, meeting, nxt)
        due_text = due_info.text
        if action:
            due = due_info.value
        items.append(
            Item(
                kind=c.kind,
                text=c.text,
                action=action,
                char_start=c.start,
                char_end=c.end,
                owner=owner,
                due=due,
                due_text=due_text,
                agenda_item=c.agenda_item,
                section=c.section,
                rule=c.rule,
            )
        )
    return doc.with_(items=tuple(items))


def to_parse(cands: list[Candidate], actions: list[bool]) -> list[str]:
    """The distinct sentences whose parse a rule reads, in order: those of the commitment rules, and of
    actions whose owner no "Action:" line named. Only these are parsed (the parser is most of extraction's time).
    """
    return list(
        dict.fromkeys(
            c.sentence
            for c, action in zip(cands, actions)
            if c.rule in COMMITMENT_RULES or (action and not c.owner_hint)
        )
    )


def _with_subject(c: Candidate) -> Candidate:
    if c.body_start == 0 and c.sentence == c.text and VERB_FIRST.match(c.text):
        return replace(c, sentence=STANDIN_SUBJECT + c.sentence, body_start=len(STANDIN_SUBJECT))
    return c
