"""Who must carry an action out: the agent of the action verb, read from the dependency parse.

"Members requested that the Director of Education agreed to circulate …" has
two names; the owner is the subject of *agreed to circulate*, not the first
name in the sentence. The rules follow ANNOTATION.md "Owner".
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from .nlp import OWNER_KEY

ASKING = {
    "ask",
    "request",
    "instruct",
    "invite",
    "authorise",
    "authorize",
    "task",
    "require",
    "urge",
    "delegate",
    "empower",
}
COMMITTING = {
    "agree",
    "undertake",
    "offer",
    "promise",
    "volunteer",
    "confirm",
    "undertook",
    "plan",
    "intend",
    "aim",
    "propose",
}
SAYING = {
    "advise",
    "tell",
    "inform",
    "confirm",
    "report",
    "state",
    "explain",
    "say",
    "assure",
    "indicate",
    "respond",
    "reply",
    "note",
    "announce",
}
SOURCE_PREPS = {"from", "with", "by"}
NOT_OWNERS = {
    "it", "this", "that", "these", "those", "there", "which", "who", "what", "he", "she", "they", "we", "i", "you",
    "report", "minutes", "item", "matter", "issue", "paper", "update", "letter", "information", "document",
}  # fmt: skip
INITIALS = re.compile(r"^[A-Z][A-Za-z]?[A-Z]{1,3}(?:/[A-Z]{2,4})*$")
ROLE_WORDS = {
    "officer", "officers", "clerk", "chair", "chairman", "chairwoman", "director", "head", "manager", "advisor", "adviser",
    "leader", "member", "members", "council", "board", "panel", "committee", "group", "executive", "secretary", "treasurer",
    "mayor", "speaker", "team", "service", "solicitor", "councillor", "councillors", "cllr", "staff", "partnership",
    "lead", "coordinator", "co-ordinator", "chairs", "cabinet", "forum", "commission", "engineer", "planner", "ward",
}  # fmt: skip
CUT_DEPS = {"relcl", "acl", "advcl", "punct", "appos", "prep"}


def _is_ownerish(span: Span, doc: Doc) -> bool:
    if not span.text.strip() or span.root.lower_ in NOT_OWNERS:
        return False
    if span.root.pos_ == "PRON":
        return False
    words = {t.lower_ for t in span}
    if words & ROLE_WORDS or INITIALS.match(span.root.text):
        return True
    if any(e.label_ in ("PERSON", "ORG") and e.start < span.end and span.start < e.end for e in doc.ents):
        return True
    return any(s.start < span.end and span.start < s.end for s in doc.spans.get(OWNER_KEY, []))


def _phrase(head: Token) -> Span:
    """The noun phrase headed by ``head``: its subtree less relative clauses and trailing asides."""
    doc = head.doc
    keep = {head.i}
    stack = [head]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in ("relcl", "acl", "advcl", "punct") and c.i > head.i:
                continue
            if c.dep_ == "prep" and c.lower_ not in ("of", "for", "with", "-", "–") and t is head:
                continue
            if c.dep_ == "prep" and c.lower_ == "with" and t is head and not _next_is_role(c):
                continue
            keep.add(c.i)
            stack.append(c)
    lo, hi = min(keep), max(keep)
    # a contiguous span: stop at the first gap so "Director, who …" keeps just "Director"
    i = head.i
    while i - 1 >= lo and i - 1 in keep:
        i -= 1
    j = head.i
    while j + 1 <= hi and j + 1 in keep:
        j += 1
    span = doc[i : j + 1]
    while len(span) and span[0].dep_ == "det" or len(span) and span[0].lower_ in ("the", "a", "an", "relevant"):
        if span[0].lower_ == "relevant" and len(span) > 1:
            break
        span = span[1:]
    while len(span) and (span[-1].is_punct or span[-1].lower_ in ("and", "or")):
        span = span[:-1]
    return span


def _next_is_role(prep: Token) -> bool:
    return any(t.lower_ in ROLE_WORDS for t in prep.subtree)


def _agent_of(verb: Token, doc: Doc, depth: int = 0) -> Span | None:
    if depth > 4:
        return None
    if verb.lemma_ in ASKING:
        # "requests the Policy Officer to investigate", "the Director was asked to confirm"
        for c in verb.children:
            if c.dep_ in ("dobj", "nsubjpass"):
                span = _phrase(c)
                if _is_ownerish(span, doc):
                    return span
    for c in verb.children:
        if c.dep_ == "nsubj":
            span = _phrase(c)
            if _is_ownerish(span, doc):
                return span
            if c.lower_ in NOT_OWNERS or c.pos_ in ("PRON",):
                break
            return None
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    for c in verb.children:
        if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ in SOURCE_PREPS and passive):
            for p in c.children:
                if p.dep_ == "pobj":
                    span = _phrase(p)
                    if _is_ownerish(span, doc):
                        return span
    if verb.dep_ in ("xcomp", "ccomp", "conj") and verb.head.i != verb.i:
        head = verb.head
        if head.lemma_ in ASKING:
            for c in head.children:
                if c.dep_ in ("dobj", "nsubjpass"):
                    span = _phrase(c)
                    if _is_ownerish(span, doc):
                        return span
            return None
        if head.lemma_ in COMMITTING or verb.dep_ == "conj":
            return _agent_of(head, doc, depth + 1)
    if verb.dep_ in ("acl", "relcl") and verb.head.pos_ in ("NOUN", "PROPN"):
        span = _phrase(verb.head)
        if _is_ownerish(span, doc) and span.start == 0:
            return span
    return None


def _main_verb(doc: Doc, start: int) -> Token | None:
    """The first full verb of the clause that begins at character ``start``."""
    for t in doc:
        if t.idx < start:
            continue
        if t.pos_ == "VERB" and t.dep_ not in ("amod", "aux", "auxpass"):
            return t
    for t in doc:
        if t.idx >= start and t.pos_ == "AUX" and t.dep_ == "ROOT":
            return t
    return None


def _sayer(doc: Doc, verb: Token) -> Span | None:
    """ "Officers told members that assurance would be sought": the speaker owns it."""
    t = verb
    while t.head.i != t.i:
        if t.dep_ == "ccomp" and t.head.lemma_ in SAYING:
            for c in t.head.children:
                if c.dep_ == "nsubj":
                    span = _phrase(c)
                    return span if _is_ownerish(span, doc) else None
        t = t.head
    return None


def find_owner(doc: Doc, body_start: int, *, allow_sayer: bool = False) -> str | None:
    """The owner of the clause starting at ``body_start`` (a character offset in ``doc``)."""
    verb = _main_verb(doc, body_start)
    if verb is None:
        return _leading_name(doc, body_start)
    span = _agent_of(verb, doc)
    if span is None and body_start == 0:
        span = _leading_owner(doc)
    if span is None and allow_sayer:
        span = _sayer(doc, verb)
    if span is None:
        return None
    return _tidy(span.text)


def _leading_owner(doc: Doc) -> Span | None:
    """Parish style "Clerk to write to the owner", which the parser often reads as a noun phrase."""
    for s in doc.spans.get(OWNER_KEY, []):
        if s.start == 0 or (s.start == 1 and doc[0].lower_ == "the"):
            nxt = doc[s.end] if s.end < len(doc) else None
            if nxt is not None and nxt.lower_ in ("to", "will", "would", "should", "and", "&", "/"):
                return s
    return None


def _leading_name(doc: Doc, start: int) -> str | None:
    s = _leading_owner(doc)
    return _tidy(s.text) if s is not None else None


def _tidy(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text).strip(" ,;:.-–")
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I)
    return text or None
