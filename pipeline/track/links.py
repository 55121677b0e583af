"""Link each action to the later passages that speak of it.

A later document of the same body is cut into passages: sentences, action-log
rows ("44/1 | Circulate revised EHCP figures | Director … | 31/03/2025 | Complete")
and agenda-item headings. Each (action, passage) pair is scored on five signals:

- ``minute_ref``: the passage cites the action's minute ("Minute 44(b) – …", a row
  whose Ref is "44/1", "In relation to action 44/2, …"); a citation at the start of
  a line carries on to the line's later sentences;
- ``shared_owner``: the passage names the action's owner (an action log's Owner cell);
- ``lexical``: TF-IDF cosine between stems of the action and of the passage;
- ``semantic``: share of the action's concepts (stems folded through the synonym
  groups in ``models/patterns/completion.json``) the passage also has;
- ``completion``: wording that reports the thing done or in progress.

A heading of a later meeting whose title covers what an action asked to be brought
back ("an item on school place planning for the May meeting" → "75. School Place
Planning") is evidence with the ``agenda_item`` signal. A passage that is itself a
new action of the later meeting counts only when it cites the action (a new deadline
for an old action: ``rescheduled``). Each passage goes to the action(s) it fits best.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from . import words
from .meetings import Doc

REF_RE = re.compile(
    r"\b(?:minutes?|min\.?|actions?|items?|ref\.?|reference)\s+(?:no\.?\s*)?(?P<num>\d{1,4}(?:[./]\d{1,3})?)(?!\d)"
    r"(?:\s*\((?P<sub>[a-z]{1,4}|\d{1,2})\))?",
    re.I,
)
CELL_REF_RE = re.compile(r"^\s*(?P<num>\d{1,4}(?:[./]\d{1,3})?)\s*(?:\((?P<sub>[a-z]{1,4})\))?\s*$", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[A-Z“\"‘(])")
ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "cllr",
    "no",
    "st",
    "e.g",
    "i.e",
    "etc",
    "rev",
    "prof",
    "approx",
    "para",
    "min",
}
SUB_LABEL_RE = re.compile(r"(?:^|\s)\(?(?P<label>[a-z]{1,4}|\d{1,2})[.)]\s*$")

# weights of the score and the thresholds for a link; docs/tracking.md explains them
W_REF, W_CONTENT, W_OWNER = 0.45, 0.45, 0.10
MIN_CONTENT_WITH_REF = 0.12
MIN_CONTENT_ALONE = 0.45
MIN_CONTENT_WITH_OWNER = 0.30
MIN_SCORE = 0.30
KEEP_NEAR_BEST = 0.8  # a passage also links to actions within 80% of its best match
MIN_SUBJECT_COVER = 0.66
MEETINGS_AHEAD = 12  # later meetings searched for evidence of one action


def minute_key(number: str | None) -> str | None:
    """ "43." -> "43", "Minute 115/24" -> "115/24", "25.04.01" stays."""
    if not number:
        return None
    n = number.strip().rstrip(".").strip()
    n = re.sub(r"^(?:minute|min\.?|item)\s+", "", n, flags=re.I)
    return n or None


@dataclass(frozen=True)
class Ref:
    """A citation of a minute in a later passage."""

    num: str  # as cited: "44", "44/2", "115/24"
    sub: str | None = None  # "(b)"


@dataclass
class Passage:
    """A sentence, action-log row or heading of a later document, and what matching needs to know of it."""

    document_id: str
    start: int
    end: int
    text: str
    kind: str  # "sentence" | "row" | "heading"
    refs: tuple[Ref, ...] = ()
    cells: dict[str, str] = field(default_factory=dict)  # action-log row cells by column role
    stems: list[str] = field(default_factory=list)
    vec: dict[str, float] = field(default_factory=dict)
    concepts: set[str] = field(default_factory=set)
    completion: str | None = None
    new_item_due: str | None = None  # set when the passage is itself a new action of its meeting
    new_item: bool = False


def sub_label(text: str, start: int) -> str | None:
    """The list label printed just before an item: "(b) the Head of …" -> "b"."""
    m = SUB_LABEL_RE.search(text[max(0, start - 12) : start])
    return m.group("label").lower() if m else None


def _sentences(line: str, offset: int) -> list[tuple[int, int]]:
    """Sentence spans in one line of text ("Mr.", "Cllr." and initials do not end a sentence)."""
    spans, begin = [], 0
    for m in SENTENCE_END.finditer(line):
        word = re.findall(r"[\w.]+$", line[: m.start()].rstrip(".!?\"”’'"))
        w = word[0].lower() if word else ""
        if w in ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
            continue
        spans.append((offset + begin, offset + m.start()))
        begin = m.end()
    if line[begin:].strip():
        spans.append((offset + begin, offset + len(line.rstrip())))
    return spans


def passages(doc_id: str, text: str, headings: list[tuple[int, int]], skip_before: int = 0) -> list[Passage]:
    """Cut a document into sentences, action-log rows and headings, each with the minute references it carries."""
    out: list[Passage] = []
    heading_spans = set(headings)
    header: list[str | None] | None = None
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip() or end <= skip_before:
            continue
        if (start, end) in heading_spans or any(hs <= start and end <= he for hs, he in heading_spans):
            out.append(Passage(doc_id, start, end, line.strip(), "heading"))
            header = None
            continue
        if line.count("|") >= 2:
            rows = _table_rows(line, start, header)
            for row_start, row_end, cells in rows:
                roles = [words.header_role(c) for c in cells]
                if sum(r is not None for r in roles) >= 2 and "action" in roles:
                    header = roles
                    continue
                named = {r: c for r, c in zip(header or [], cells) if r}
                refs: tuple[Ref, ...] = ()
                m = CELL_REF_RE.match(named.get("ref") or (cells[0] if header is None else ""))
                if m:
                    refs = (Ref(m.group("num"), (m.group("sub") or "").lower() or None),)
                out.append(
                    Passage(doc_id, row_start, row_end, text[row_start:row_end].strip(), "row", refs=refs, cells=named)
                )
            continue
        header = None
        carried: tuple[Ref, ...] = ()
        for s, e in _sentences(line, start):
            sentence = text[s:e]
            own = tuple(Ref(m.group("num"), (m.group("sub") or "").lower() or None) for m in REF_RE.finditer(sentence))
            carried = own or carried
            out.append(Passage(doc_id, s, e, sentence, "sentence", refs=carried))
    return out


def _table_rows(line: str, offset: int, header: list[str | None] | None) -> list[tuple[int, int, list[str]]]:
    """The rows in one line of "a | b | c" text: one row, or several a text wrapper joined into one line.

    A joined line reads "Ref | Action | … | Status 43/1 | Circulate … | … | Complete 44/1 | …": every
    n-1 cells, one cell holds the end of a row and, after its last space, the first cell of the next.
    """
    pieces = []  # (start, end) of each cell in the line
    pos = 0
    for part in line.split("|"):
        pieces.append((pos, pos + len(part)))
        pos += len(part) + 1
    cells_text = [line[a:b].strip() for a, b in pieces]
    n = len(header) if header else 0
    if not n:
        while n < len(cells_text) and words.header_role(cells_text[n]):
            n += 1
        if n < len(cells_text) and " " in cells_text[n] and words.header_role(cells_text[n].rsplit(" ", 1)[0]):
            n += 1  # "Status 43/1": the last header cell joined to the first row
    if n < 2 or len(pieces) <= n or (len(pieces) - 1) % (n - 1) != 0:
        return [(offset, offset + len(line.rstrip()), [line[a:b].strip() for a, b in pieces])]
    rows = []
    row_start = pieces[0][0]
    cells: list[str] = []
    for i, (a, b) in enumerate(pieces):
        cell = line[a:b]
        if len(cells) == n - 1 and i < len(pieces) - 1:
            cut = cell.rstrip().rfind(" ")
            if cut <= 0:
                return [(offset, offset + len(line.rstrip()), [line[x:y].strip() for x, y in pieces])]
            cells.append(cell[:cut].strip())
            rows.append((offset + row_start, offset + a + cut, cells))
            cells, row_start = [cell[cut:].strip()], a + cut + 1
        else:
            cells.append(cell.strip())
    rows.append((offset + row_start, offset + len(line.rstrip()), cells))
    return rows


def prepare(p: Passage, idf: words.Idf) -> None:
    """Fill a passage's stems, vector, concepts and completion (in place, once per rebuild)."""
    basis = (p.cells.get("action") or p.text) if p.kind == "row" else p.text
    p.stems = words.stems(basis)
    p.vec = words.vector(p.stems, idf)
    p.concepts = words.concepts(p.stems)
    if p.kind == "row":
        status = p.cells.get("status")
        p.completion = words.cell_completion(status) if status else words.completion(p.text)
    elif p.kind == "sentence":
        p.completion = words.completion(p.text)


@dataclass
class ActionFeatures:
    """What links need to know about one action."""

    item_id: str
    document_id: str
    body: str | None
    council_id: str | None
    meeting_date: str
    minute: str | None
    sub: str | None
    owner_id: str | None
    text: str
    due: str | None = None
    stems: list[str] = field(default_factory=list)
    vec: dict[str, float] = field(default_factory=dict)
    concepts: set[str] = field(default_factory=set)
    subject_concepts: set[str] = field(default_factory=set)  # what should be brought back, if anything


@dataclass(frozen=True)
class Link:
    """An action linked to a later passage that speaks of it."""

    item_id: str
    document_id: str
    meeting_date: str
    start: int
    end: int
    passage: str
    kind: str
    score: float
    signals: tuple[str, ...]
    completion: str | None
    new_due: str | None = None


def _ref_score(a: ActionFeatures, refs: tuple[Ref, ...], minute_doc: dict[str, str]) -> float:
    """1 when the passage cites the action's minute (and sub-point, if it names one), 0.6 for another sub-point."""
    if not a.minute:
        return 0.0
    best = 0.0
    for r in refs:
        num, sub = r.num, r.sub
        if num not in minute_doc and re.fullmatch(r"\d+/\d{1,2}", num) and num.split("/")[0] in minute_doc:
            num, sub = num.split("/")[0], None  # "44/2": the second action of minute 44, not minute "44/2"
        if num != a.minute or minute_doc.get(num) != a.document_id:
            continue
        if not sub or sub == a.sub:
            best = max(best, 1.0)
        else:
            # "Minute 44(b)" names a sub-point: another one's, or a list point when the action is narrative
            best = max(best, 0.6 if a.sub else 0.5)
    return best


def score_pair(
    a: ActionFeatures, p: Passage, idf: words.Idf, minute_doc: dict[str, str], owner_ids: set[str]
) -> tuple[float, tuple[str, ...]] | None:
    """(score, signals) when passage ``p`` speaks of action ``a``, else None."""
    ref = _ref_score(a, p.refs, minute_doc)
    if p.new_item and not ref:
        return None  # a new action of the later meeting, not a report on this one
    lexical = words.cosine(a.vec, p.vec)
    semantic = words.coverage(a.concepts, p.concepts, idf)
    content = max(lexical, semantic)
    owner = bool(a.owner_id and a.owner_id in owner_ids)
    if not (
        (ref and content >= MIN_CONTENT_WITH_REF)
        or content >= MIN_CONTENT_ALONE
        or (owner and content >= MIN_CONTENT_WITH_OWNER)
    ):
        return None
    score = round(min(1.0, W_REF * ref + W_CONTENT * content + W_OWNER * owner), 3)
    if score < MIN_SCORE:
        return None
    signals = []
    if ref:
        signals.append("minute_ref")
    if p.kind == "row":
        signals.append("action_log")
    if owner:
        signals.append("shared_owner")
    if lexical >= 0.15:
        signals.append("lexical")
    if semantic >= 0.3:
        signals.append("semantic")
    if p.completion:
        signals.append("completion")
    if p.new_item and p.new_item_due:
        signals.append("rescheduled")
    return score, tuple(signals)


def heading_score(a: ActionFeatures, p: Passage) -> float:
    """How well a later agenda item's title covers what the action asked to be brought back (0 when not)."""
    if not a.subject_concepts or len(a.subject_concepts) < 2:
        return 0.0
    cover = len(a.subject_concepts & p.concepts) / len(a.subject_concepts)
    return cover if cover >= MIN_SUBJECT_COVER and len(a.subject_concepts & p.concepts) >= 2 else 0.0


def link_actions(
    actions: list[ActionFeatures],
    docs: list[Doc],
    doc_passages: dict[str, list[Passage]],
    idf: words.Idf,
    owners_in: dict[tuple[str, int], set[str]],
    minute_docs: dict[str, list[tuple[str, str, str]]],
) -> list[Link]:
    """Every link from an action to a later passage of its body, best matches only.

    :param owners_in: (document id, passage start) -> owner ids the passage names.
    :param minute_docs: body -> [(meeting date, minute key, document id)] of its stored minutes, for
        resolving a citation to the most recent earlier meeting that had that minute.
    """
    by_body: dict[str | None, list[Doc]] = defaultdict(list)
    for d in docs:
        if d.meeting_date:
            by_body[d.body].append(d)
    actions_by_body: dict[str | None, list[ActionFeatures]] = defaultdict(list)
    for a in actions:
        actions_by_body[a.body].append(a)
    links: list[Link] = []
    for body, body_actions in actions_by_body.items():
        if body is None:
            continue
        body_docs = sorted(by_body.get(body, []), key=lambda d: (d.meeting_date, d.id))
        dates = sorted({d.meeting_date for d in body_docs})
        index: dict[str, list[int]] = defaultdict(list)  # concept -> actions
        by_minute: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(body_actions):
            for c in a.concepts | a.subject_concepts:
                index[c].append(i)
            if a.minute:
                by_minute[a.minute].append(i)
        rank = {date: n for n, date in enumerate(dates)}
        for d in body_docs:
            # actions of earlier meetings, and not too many meetings back
            eligible = {
                i
                for i, a in enumerate(body_actions)
                if a.meeting_date < d.meeting_date
                and rank[d.meeting_date] - rank.get(a.meeting_date, 0) <= MEETINGS_AHEAD
            }
            if not eligible:
                continue
            # the minute each citation means: the latest earlier meeting of this body that had it
            minute_doc: dict[str, str] = {}
            for date, minute, doc_id in minute_docs.get(body, []):
                if date < d.meeting_date:
                    minute_doc[minute] = doc_id
            for p in doc_passages.get(d.id, []):
                candidates: set[int] = set()
                for c in p.concepts:
                    candidates.update(index.get(c, ()))
                for r in p.refs:
                    candidates.update(by_minute.get(r.num, ()))
                    candidates.update(by_minute.get(r.num.split("/")[0], ()))
                candidates &= eligible
                scored: list[tuple[float, ActionFeatures, tuple[str, ...], str | None]] = []
                for i in sorted(candidates):
                    a = body_actions[i]
                    if p.kind == "heading":
                        cover = heading_score(a, p)
                        if cover:
                            scored.append((round(0.5 + 0.5 * cover, 3), a, ("agenda_item", "completion"), "done"))
                        continue
                    hit = score_pair(a, p, idf, minute_doc, owners_in.get((d.id, p.start), set()))
                    if hit:
                        scored.append((hit[0], a, hit[1], p.completion))
                if not scored:
                    continue
                best = max(s for s, *_ in scored)
                for s, a, signals, completion in scored:
                    if s >= KEEP_NEAR_BEST * best:
                        links.append(
                            Link(
                                item_id=a.item_id, document_id=d.id, meeting_date=d.meeting_date, start=p.start,
                                end=p.end, passage=p.text, kind=p.kind, score=s, signals=signals,
                                completion=completion, new_due=p.new_item_due if "rescheduled" in signals else None,
                            )
                        )  # fmt: skip
    return sorted(links, key=lambda link: (link.item_id, link.meeting_date, link.start))
