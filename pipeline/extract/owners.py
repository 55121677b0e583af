"""Who must carry an action out: the agent of the action verb, read from the dependency parse.

"Members requested that the feedback be shared with the Panel and the Director
agreed to follow this up" names three bodies; the owner is the one who agreed
to act, not the first name in the sentence. The rules follow ANNOTATION.md
"Owner"; each is a small function below, tried in order by :func:`find_owner`.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from ..patterns import load_json
from .nlp import OWNER_KEY, entities

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
    "empower",
    "mandate",
}
COMMITTING = {"agree", "undertake", "offer", "promise", "volunteer", "plan", "intend", "aim", "commit"}
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
    "announce",
}
RECEIVING = {
    "receive",
    "consider",
    "note",
    "review",
    "scrutinise",
    "scrutinize",
    "discuss",
    "debate",
    "see",
    "add",
    "hear",
}
CONSULTING = {
    "discuss",
    "agree",
    "liaise",
    "consult",
    "explore",
    "raise",
    "take",
    "work",
    "develop",
    "progress",
    "seek",
    "obtain",
    "sought",
    "request",
}
# "The minutes were approved by all members and will be published": who approved is not who publishes
APPROVING = {"approve", "agree", "accept", "adopt", "endorse", "ratify", "sign", "support", "confirm"}
ESTABLISHING = {"establish", "set", "create", "form", "convene", "constitute", "appoint"}
DECIDING = {"agree", "resolve", "decide", "note", "confirm"}
GRANTING = {"give", "grant", "delegate", "authorise", "authorize"}
NOT_OWNERS = {
    "it", "this", "that", "these", "those", "there", "which", "who", "what", "he", "she", "they", "we", "i", "you",
    "report", "minutes", "item", "matter", "issue", "paper", "update", "letter", "information", "document", "all",
}  # fmt: skip
INITIALS = re.compile(r"^[A-Z][A-Za-z]?[A-Z]{1,3}(?:/[A-Z]{2,4})*$")
PAREN_INITIALS = re.compile(r"\(([A-Z]{2,4})\)\s+(?:will|would|to|shall|should|agreed)\b")
ROLE_WORDS = {
    "officer", "officers", "clerk", "chair", "chairman", "chairwoman", "director", "head", "manager", "advisor", "adviser",
    "leader", "member", "members", "council", "board", "panel", "committee", "group", "executive", "secretary", "treasurer",
    "mayor", "speaker", "team", "service", "solicitor", "councillor", "councillors", "cllr", "staff", "partnership",
    "lead", "coordinator", "co-ordinator", "chairs", "cabinet", "forum", "commission", "engineer", "planner",
    "councilor", "o&s", "scrutiny", "party", "subgroup", "sub-group", "volunteers",
}  # fmt: skip
# verbs a subjunctive resolution puts straight after its doer ("that the Director of Housing report to Cabinet");
# the tagger often reads them as nouns after a title
SUBJUNCTIVE_VERBS = {
    "report", "review", "write", "circulate", "provide", "prepare", "arrange", "present", "bring", "submit", "consult",
    "contact", "liaise", "meet", "draft", "produce", "publish", "share", "seek", "send", "update", "investigate",
    "monitor", "develop", "progress", "respond", "reply", "commission", "undertake", "carry", "take", "plan",
    "order", "purchase", "obtain", "request", "ask", "pay", "book", "renew", "apply", "inform", "notify", "chase",
    "repair", "install", "invite", "organise", "organize", "attend", "check", "inspect", "email", "visit",
}  # fmt: skip


PERSONAL_PRONOUNS = {"he", "she"}


def _is_ownerish(span: Span) -> bool:
    doc = span.doc
    if not span.text.strip() or span.root.lower_ in NOT_OWNERS or span.root.pos_ == "PRON":
        return False
    words = {t.lower_ for t in span}
    if words & ROLE_WORDS or INITIALS.match(span.root.text):
        return True
    if any(e.label_ in ("PERSON", "ORG") and e.start < span.end and span.start < e.end for e in entities(doc)):
        return True
    return any(s.start <= span.root.i < s.end for s in doc.spans.get(OWNER_KEY, []))


def _phrase(head: Token) -> Span:
    """The noun phrase headed by ``head``: its subtree less relative clauses and trailing asides."""
    doc = head.doc
    keep = {head.i}
    stack = [head]
    while stack:
        t = stack.pop()
        for c in t.children:
            if (
                c.dep_ in ("relcl", "acl", "advcl", "punct", "prep")
                and c.i > head.i
                and t.i == head.i
                and not _kept_prep(c)
            ):
                continue
            if c.dep_ in ("relcl", "advcl") and c.i > head.i:
                continue
            keep.add(c.i)
            stack.append(c)
    i = j = head.i
    while i - 1 in keep:
        i -= 1
    while j + 1 in keep:
        j += 1
    span = doc[i : j + 1]
    while len(span) and (span[0].dep_ in ("det", "predet") or span[0].lower_ in ("the", "a", "an") or span[0].is_punct):
        span = span[1:]
    while len(span) and (span[-1].is_punct or span[-1].lower_ in ("and", "or", "to")):
        span = span[:-1]
    return span


def _kept_prep(prep: Token) -> bool:
    """ "Director of Legal Services", "Cabinet Member for Education", "… in conjunction with the Head of …"."""
    if prep.dep_ == "punct":
        return False
    if prep.lower_ in ("of", "for", "-", "–"):
        return True
    return prep.lower_ in ("with", "in") and any(t.lower_ in ROLE_WORDS for t in prep.subtree)


def _owner(token: Token) -> Span | None:
    span = _phrase(token)
    return span if len(span) and _is_ownerish(span) else None


def _children(verb: Token, *deps: str) -> list[Token]:
    return [c for c in verb.children if c.dep_ in deps]


def _agent_of(verb: Token, body_start: int, depth: int = 0) -> Span | None:
    """The doer of ``verb``: its subject, the "by"/"from" of a passive, or whoever was asked or agreed to do it."""
    if depth > 4:
        return None
    if verb.lemma_ in ASKING:
        # "requests the Policy Officer to investigate" names the doer; "X be asked to …" with no one named
        # to ask leaves it open (ANNOTATION.md), unless the request is an authorisation ("be authorised to")
        deps = ("dobj", "nsubjpass") if verb.lemma_ in ("authorise", "authorize", "empower", "mandate") else ("dobj",)
        # "the Clerk will ask the County Council for a quote": with nothing for them to do, the one asked is
        # not the doer
        if not _children(verb, "xcomp", "ccomp", "advcl") and _children(verb, "nsubj"):
            deps = ()
        for c in _children(verb, *deps):
            if span := _owner(c):
                return span
        if _children(verb, "nsubjpass"):
            return None
        for c in _children(verb, "ccomp"):
            # "To request that the Executive Director provides an update": the one the request names acts
            if c.idx >= body_start and (span := _agent_of(c, body_start, depth + 1)):
                return span
    if verb.lemma_ in DECIDING and not _children(verb, "nsubj"):
        # "To agree that the council will carry out …": the doer is in the agreed clause
        for c in _children(verb, "ccomp"):
            # "It was confirmed that the Team was rating the plan and this would be shared": the promise is the
            # clause with the modal, not the first one
            modal = next((t for t in c.subtree if t.dep_ == "aux" and t.lower_ in ("would", "will", "shall")), None)
            return _agent_of(modal.head if modal is not None else c, body_start, depth + 1)
    provider = _from_provider(verb)
    for c in _children(verb, "nsubj"):
        if c.idx < body_start:
            return None  # the deciding body named in a dropped lead-in is not the owner
        if c.lower_ in PERSONAL_PRONOUNS:
            return c.doc[c.i : c.i + 1]  # resolved against the text before, by find_owner
        span = _owner(c)
        if provider is not None and (span is None or verb.lemma_ in RECEIVING):
            return provider  # "Petitions 6b and 6c require a written response from the Cabinet Member"
        if span is None or (
            verb.lemma_ in RECEIVING
            and span.root.lower_ in ROLE_WORDS
            and not _is_person(span)
            and not _action_line_infinitive(verb)
        ):
            return None  # "Scrutiny would receive an update": a body that only receives is not the owner
        return span
    passive = bool(_children(verb, "nsubjpass", "auxpass"))
    if passive and verb.lemma_ in ESTABLISHING and any(t.dep_ == "xcomp" or t.dep_ == "advcl" for t in verb.children):
        # "a task and finish group be established, to report by March": the new body is given the work
        for c in _children(verb, "nsubjpass"):
            if span := _owner(c):
                return span
    if passive and verb.lemma_ in GRANTING and re.search(r"(?i)authorit|power|delegat", verb.doc.text):
        # "the Chief Executive be given delegated authority to …": the grantee acts
        for c in _children(verb, "nsubjpass"):
            if span := _owner(c):
                return span
    for c in verb.subtree if passive else verb.children:
        direct = c.head.i == verb.i
        if (c.dep_ == "agent" and direct) or (c.dep_ in ("prep", "dative") and passive and _source_prep(verb, c)):
            for p in _children(c, "pobj"):
                span = _owner(p)
                if span is not None and not (c.dep_ == "agent" and _receives_or_approves_only(verb)):
                    return span
    if passive:
        # "authority be given for the Clerk to renew the lease": the subject of the for-to clause acts
        for c in _children(verb, "advcl", "xcomp"):
            for subj in _children(c, "nsubj"):
                if subj.idx >= body_start and (span := _owner(subj)):
                    return span
    head = verb.head
    if verb.dep_ in ("xcomp", "ccomp", "conj", "advcl") and head.i != verb.i and head.idx >= body_start:
        if head.lemma_ in ASKING:
            for c in _children(head, "dobj", "nsubjpass"):
                if span := _owner(c):
                    return span
            return None
        own_subject = verb.dep_ == "conj" and _children(verb, "nsubj", "nsubjpass")
        if own_subject:
            # "the Team was RAG rating the plan and this would be shared": a conjunct with its own subject
            # does not borrow the first clause's doer
            return None
        if head.lemma_ in COMMITTING or verb.dep_ == "conj" or (verb.dep_ == "xcomp" and head.pos_ in ("VERB", "AUX")):
            return _agent_of(head, body_start, depth + 1)
    if verb.dep_ in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN") and head.idx >= body_start:
        span = _owner(head)
        if span is not None and span.start_char <= body_start + 4:
            return span
    return None


def _receives_or_approves_only(verb: Token) -> bool:
    """The "by" of "be considered by the Panel" is not a doer, nor that of "were approved by all members and
    will be published", where the work is in the coordinated clause; "a work programme to be agreed by the
    board" is the board's to agree."""
    return verb.lemma_ in RECEIVING or (verb.lemma_ in APPROVING and bool(_children(verb, "conj")))


def _action_line_infinitive(verb: Token) -> bool:
    """ "Members to review applications": an action line gives its doer work, whatever the verb."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


FROM_VERBS = {"require", "need", "request", "seek", "receive", "obtain", "get", "await", "expect"}


def _from_provider(verb: Token) -> Span | None:
    """Whoever a thing is required or received from is the one who must provide it."""
    if verb.lemma_ not in FROM_VERBS:
        return None
    for t in verb.subtree:
        if t.dep_ == "prep" and t.lower_ == "from":
            for p in _children(t, "pobj"):
                if span := _owner(p):
                    return span
    return None


def _source_prep(verb: Token, prep: Token) -> bool:
    """Which prepositions of a passive name the doer: "sought from officers", "discussed with the Advisor",
    "authority be given for the Director to submit"."""
    word = prep.lower_
    if word == "from":
        return verb.lemma_ in CONSULTING or verb.lemma_ in ("seek", "sought", "obtain", "request", "get")
    if word == "with":
        return verb.lemma_ in CONSULTING
    if word in ("for", "to"):
        return verb.lemma_ in GRANTING
    return False


def _is_person(span: Span) -> bool:
    return any(e.label_ == "PERSON" for e in entities(span)) or INITIALS.match(span.root.text) is not None


def _depth(t: Token) -> int:
    n = 0
    while t.head.i != t.i and n < 50:
        t, n = t.head, n + 1
    return n


def _main_verb(doc: Doc, start: int) -> Token | None:
    """The governing verb of the clause that begins at character ``start`` (the one nearest the root)."""
    # a verb the parser hung off the lead-in ("RESOLVED: to approve …") still governs the clause
    verbs = [
        t
        for t in doc
        if t.idx >= start
        and t.pos_ == "VERB"
        and (
            t.dep_ not in ("amod", "aux", "auxpass", "pcomp", "acl", "relcl")
            or (t.dep_ == "acl" and t.head.idx < start)
        )
    ]
    if not verbs:  # "a work programme … to be agreed by the board": the only verb hangs off a noun
        verbs = [t for t in doc if t.idx >= start and t.pos_ == "VERB" and t.dep_ not in ("amod", "aux", "auxpass")]
    if verbs:
        return min(verbs, key=lambda t: (_depth(t), t.i))
    for t in doc:
        if t.idx >= start and t.pos_ == "AUX" and t.dep_ == "ROOT":
            return t
    return None


def _committer(doc: Doc, start: int) -> Span | None:
    """ "… and the Director of Education agreed to follow this up": whoever agreed or undertook to act."""
    for t in doc:
        if t.idx >= start and t.lemma_ in COMMITTING | {"undertook"} and t.pos_ == "VERB":
            xcomp = _children(t, "xcomp")
            subj = _children(t, "nsubj")
            if xcomp and subj and (span := _owner(subj[0])) is not None:
                return span
    return None


def _sayer(verb: Token) -> Span | None:
    """ "Officers told members that assurance would be sought": the speaker owns it."""
    t = verb
    while t.head.i != t.i:
        if t.dep_ == "ccomp" and t.head.lemma_ in SAYING:
            for c in _children(t.head, "nsubj"):
                return _owner(c)
            return None
        t = t.head
    return None


def _leading_owner(doc: Doc, start: int) -> Span | None:
    """Parish style "Clerk to write to the owner", which the parser often reads as a noun phrase."""
    for s in doc.spans.get(OWNER_KEY, []):
        first = s.start_char
        lead = doc.text[start:first].strip().lower()
        if first >= start and lead in ("", "the"):
            nxt = doc[s.end] if s.end < len(doc) else None
            if nxt is None or nxt.lower_ in ("'s", "’s"):
                continue
            if nxt.lower_ in ("to", "will", "would", "should", "and", "&", "/", "agreed", "undertook"):
                return s
            # "that the Director of Resources report to Cabinet": a subjunctive the tagger read as a noun
            if nxt.pos_ == "VERB" or (
                nxt.pos_ == "NOUN"
                and nxt.i > s.root.i
                and (nxt.dep_ in ("ccomp", "ROOT", "conj") or nxt.lower_ in SUBJUNCTIVE_VERBS)
            ):
                return s
    return None


def find_owner(doc: Doc, body_start: int, *, allow_sayer: bool = False, context=None) -> str | None:
    """The owner of the clause starting at character ``body_start`` of ``doc``, as the text names them.

    :param context: a callable returning the parsed text before the sentence, used only to resolve "he"/"she".
    """
    m = PAREN_INITIALS.search(doc.text, body_start)
    if m and m.start() - body_start < 60:
        return m.group(1)  # "Old Smithy (GLL) will be looking into the matter"
    span = _modal_subject(doc, body_start) if allow_sayer else None
    span = span or _committer(doc, body_start) or _opening_request(doc, body_start)
    verb = _main_verb(doc, body_start)
    if span is None and verb is not None:
        span = _agent_of(verb, body_start)
    if span is None:
        span = _leading_owner(doc, body_start)
    if span is None and verb is not None:
        span = _coordinated_doer(verb, body_start)
    if span is None:
        span = _passive_agent(doc, body_start)
    if span is None and allow_sayer and verb is not None:
        span = _sayer(verb)
    if span is not None and len(span) == 1 and span[0].lower_ in PERSONAL_PRONOUNS:
        # "The Director said that …, and that she would report": the person is named earlier in the sentence
        span = _antecedent(doc[: span.start], before=body_start) or (
            _antecedent(context()) if context is not None else None
        )
    if span is None:
        return None
    span = _widen(span)
    if span.start_char < body_start <= span.end_char:
        span = doc.char_span(body_start, span.end_char, alignment_mode="expand") or span  # never reach into a lead-in
    return _tidy(span.text)


def _opening_request(doc: Doc, start: int) -> Span | None:
    """ "(and to) authorise the Assistant Town Clerk to progress them": a clause that opens by asking or
    authorising someone names its doer, however the tagger read the verb."""
    first = next((t for t in doc if t.idx >= start and t.lower_ != "to"), None)
    if first is None or (first.lower_ not in ASKING and first.lemma_.lower() not in ASKING):
        return None
    if not re.match(r"authori[sz]", first.lower_) and not _children(first, "xcomp", "ccomp", "advcl"):
        return None  # "ask the County Council for a quote" gives the Council nothing to do
    for obj in _children(first, "dobj"):
        if span := _owner(obj):
            return span
    return None


def _modal_subject(doc: Doc, start: int) -> Span | None:
    """ "The Chief Officer confirmed that officers would write to parents": the promise has its own doer."""
    modal = next(
        (t for t in doc if t.idx >= start and t.lower_ in ("would", "will", "shall") and t.dep_ == "aux"), None
    )
    if modal is None or modal.head.dep_ not in ("ccomp", "conj"):
        return None
    for subj in _children(modal.head, "nsubj"):
        if subj.lower_ not in PERSONAL_PRONOUNS and (span := _owner(subj)):
            return span
    return None


def _coordinated_doer(verb: Token, body_start: int) -> Span | None:
    """ "recommendations 1 and 2 be accepted, and the Director of Place prepare a plan", "the programme be approved
    and the Director be given delegated authority to …": the approval names no doer, the coordinated clause does."""
    for c in _children(verb, "conj"):
        if c.pos_ not in ("VERB", "AUX") and c.lemma_.lower() not in ASKING and c.lower_ not in ASKING:
            continue
        if c.lower_ in ASKING or c.lemma_.lower() in ASKING:
            # "to approve the proposals and to authorise the Assistant Town Clerk to progress them"
            for obj in _children(c, "dobj"):
                if span := _owner(obj):
                    return span
        span = _agent_of(c, body_start, depth=1)
        if span is not None and not (len(span) == 1 and span[0].lower_ in PERSONAL_PRONOUNS):
            return span
    return None


def _widen(span: Span) -> Span:
    """Prefer the longest role pattern the parse cut short: "Early Help" -> "Director of Education and Early Help"."""
    best = span
    for s in span.doc.spans.get(OWNER_KEY, []):
        if s.start < span.end and span.start < s.end and len(s) > len(best) and s.end >= span.end:
            best = span.doc[min(s.start, span.start) : max(s.end, span.end)]
    return best


def _passive_agent(doc: Doc, start: int) -> Span | None:
    """ "church footpath blocked to be chased up by clerk": a "by" agent of any passive verb in the clause."""
    for t in doc:
        if (
            t.idx >= start
            and t.dep_ == "agent"
            and _children(t.head, "auxpass")
            and not _receives_or_approves_only(t.head)
        ):
            for p in _children(t, "pobj"):
                if span := _owner(p):
                    return span
    return None


def _antecedent(doc: Doc | Span | None, before: int | None = None) -> Span | None:
    """The person "he" or "she" points back to: the last named person or role subject before it.

    :param before: only a subject ending before this character counts, and only a subject (not any name).
    """
    if doc is None:
        return None
    for t in reversed(doc):
        if before is not None and t.idx >= before:
            continue
        if (
            t.dep_ in ("nsubj", "nsubjpass")
            and (span := _owner(t)) is not None
            and span.root.lower_ not in ("members", "committee", "council", "board", "panel")
        ):
            return span
    if before is not None:
        return None
    people = [e for e in entities(doc) if e.label_ == "PERSON"]
    if people:
        return people[-1]
    return None


def _tidy(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text).strip(" ,;:.-–")
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I)
    return text or None


def is_commitment(doc: Doc, body_start: int) -> bool:
    """Does "… would/will …" promise something? "Officers would provide a briefing" and "the slides would be
    circulated" do; "This will provide a level of detail" and "Ofsted will be holding us to account" do not."""
    modal = next(
        (t for t in doc if t.idx >= body_start and t.lower_ in ("would", "will", "shall") and t.dep_ == "aux"), None
    )
    verb = modal.head if modal is not None else _main_verb(doc, body_start)
    if verb is None:
        return False
    if _children(verb, "auxpass"):
        return True
    if verb.lemma_ == "become" and any("item" in t.lower_ or "programme" in t.lower_ for t in verb.subtree):
        return True  # "it would become a standing item on the work programme"
    for c in _children(verb, "nsubj"):
        if c.lower_ in PERSONAL_PRONOUNS or PAREN_INITIALS.search(doc.text[c.idx : verb.idx + len(verb.text) + 12]):
            return True
        if any(a.lower_ == "new" for a in c.children if a.dep_ == "amod"):
            return False  # "The new service will provide 40 beds": what a new provision will do is a forecast
        return _owner(c) is not None
    return verb.dep_ in ("xcomp",)


SHORT_HEADS = set(load_json("owner_forms.json")["short_heads"])
TITLE_TAIL = (
    r"(?:\s+(?:of|for)\s+(?:the\s+)?|\s*[–-]\s*)[A-Z][\w'’]*(?:(?:\s+|\s*,\s*|\s+(?:and|&|of|for|the)\s+)[A-Z][\w'’]*)*"
)
QUALIFIERS = {"assistant", "deputy", "executive", "strategic", "corporate", "interim", "acting", "service", "senior"}


def expand_title(owner: str, before: str) -> str:
    """ "the Director" after "the Director of Children's Services" in the same item is that Director: minutes
    give a title in full once and shorten it after. A different qualified title ("Assistant Director of …")
    is a different person and is not used.

    :param before: the text of the agenda item up to the clause.
    """
    if owner.lower() not in SHORT_HEADS:
        return owner
    for m in reversed(list(re.finditer(r"\b" + re.escape(owner) + TITLE_TAIL, before))):
        word = re.findall(r"[\w'’]+", before[: m.start()])[-1:]
        if word and word[0].lower() in QUALIFIERS and word[0].lower() not in owner.lower().split():
            continue
        return _tidy(m.group(0)) or owner
    return owner
