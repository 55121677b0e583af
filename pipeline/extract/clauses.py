"""Find the clauses that are items: resolutions, their sub-points, recommendations and undertakings.

This stage is cheap: regular expressions from ``models/patterns/triggers.json``
over blocks and sentences. Only the clauses it keeps reach spaCy (owners.py),
which is what makes extraction fast on long minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..document import Block, Document
from ..numbering import number_style, split_number
from ..patterns import load_json
from ..structure import is_procedural, item_at, section_at

_T = load_json("triggers.json")
LEADIN = re.compile(_T["leadin"], re.I)
RECOMMEND_LEADIN = re.compile(_T["recommend_leadin"], re.I)
BARE_OUTCOME = re.compile(_T["bare_outcome"])
NOT_ITEM = re.compile(_T["not_items"], re.I)
PAST_EVENT = re.compile(_T["past_event"], re.I)
FORECAST = re.compile(_T["forecast"], re.I)
ACTION_SUFFIX = re.compile(_T["action_suffix"])
SENTENCE_TRIGGERS = [
    (t["id"], t["kind"], t["body"], re.compile(t["re"], 0 if t.get("case") else re.I)) for t in _T["sentence"]
]
ACTION_LINE = re.compile(r"^\s*action(?:s)?\s*(?:by)?\s*[:\-–]+\s*(?P<who>.+?)\s*\.?\s*$", re.I)
WHO_ONLY = re.compile(r"^[A-Z][\w.'’\- ]{0,60}(?:\s*(?:/|&|,|and)\s*[A-Z][\w.'’\- ]{0,60})*$")

# a sentence ends at . ! ? followed by space and a capital/number, but not after these abbreviations
_ABBREV = r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bCllr)(?<!\bNo)(?<!\bCllrs)(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bSt)(?<!\bapprox)(?<!\bvs)(?<!\b[A-Z])"
SENTENCE_END = re.compile(_ABBREV + r"[.!?]+[\"'’”)]*\s+(?=[A-Z0-9(\"'‘“•·])|\s+(?=\d{1,2}\.\d{1,2}\s+[A-Z])")
INLINE_POINT = re.compile(r"(?:(?<=^)|(?<=[\s;:,]))\(?(?P<n>[a-z]|i{1,3}|iv|vi{0,3}|ix|x|\d{1,2})\)\s+")
LIST_CONTINUES = re.compile(r"^(?:that\b|to\b|the\b|[a-z])", re.I)
SPLIT_AND_THAT = re.compile(r"(?:,\s*|;\s*|\s+)and\s+(?:also\s+)?that\s+", re.I)
MODAL = re.compile(r"\b(?:would|will|should|be|to\s+be)\s+\w+", re.I)
SPLIT_AND = re.compile(r"\s+and\s+(?=(?:the|a|an|this|these|it|members|officers)\b)", re.I)
TRAILING = re.compile(r"[\s;,.:]*(?:\band\b|\bor\b)?[\s;,.:]*$", re.I)
APOLOGIES = re.compile(
    r"\bapolog|\bdeclar\w*\s+(?:of\s+)?(?:an?\s+)?(?:\w+\s+)?interest|\binterests?\s+(?:were|was)\s+declared", re.I
)


@dataclass(frozen=True)
class Candidate:
    """A clause that looks like an item, before owner, due date and action are decided."""

    kind: str
    text: str
    start: int  # span of the clause in Document.text
    end: int
    sentence: str  # the whole sentence, for the parser
    sentence_start: int
    rule: str
    owner_hint: str | None = None  # from an "Action: NAME" line
    forced_action: bool | None = None  # "– ACTION" suffix
    agenda_item: int | None = None
    section: str | None = None


def sentences(text: str) -> list[tuple[int, str]]:
    """Split a block into sentences, with their offsets."""
    out, pos = [], 0
    for m in SENTENCE_END.finditer(text):
        chunk = text[pos : m.end()]
        if chunk.strip():
            out.append((pos, chunk))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, text[pos:]))
    return out


def clean(text: str) -> str:
    """The clause as an item's text: no number, no lead-in punctuation, no final full stop."""
    number, rest = split_number(text.strip())
    text = rest if number else text
    text = text.strip().lstrip(":-–—, ").strip()
    text = ACTION_SUFFIX.sub("", text)
    text = TRAILING.sub("", text)
    return text.strip(" \"'")


class _Walker:
    """Walks a document's blocks, keeping the little state a reader of minutes keeps in their head."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.out: list[Candidate] = []
        self.list_kind: str | None = None  # set after a "RESOLVED that:" lead-in
        self.list_prefix = ""  # a lead-in that carries content, put in front of each sub-point
        self.list_style: str | None = None
        self.sub_prefix = ""
        self.sub_style: str | None = None

    def run(self) -> list[Candidate]:
        for block in self.doc.blocks:
            agenda = item_at(self.doc, block.char_start)
            if is_procedural(agenda):
                self.list_kind = None
                continue
            section = section_at(agenda, block.char_start)
            ctx = (agenda.index if agenda else None, section)
            if self._action_line(block):
                continue
            if block.kind == "heading" and self.list_kind and not (block.number and self._in_list(block)):
                self.list_kind = None
            if self.list_kind and self._in_list(block):
                self._list_item(block, ctx)
                continue
            self.list_kind = None
            if block.kind == "heading" and not BARE_OUTCOME.match(block.text.strip()) and not LEADIN.match(block.text):
                continue
            self._block(block, ctx)
        return self.out

    # -- lists -------------------------------------------------------------------------------
    def _in_list(self, block: Block) -> bool:
        if block.number is not None and number_style(block.number) not in ("minute",):
            return True
        return block.kind != "heading" and bool(LIST_CONTINUES.match(block.text)) and len(block.text) > 12

    def _list_item(self, block: Block, ctx) -> None:
        style = number_style(block.number)
        text = block.text
        body = clean(text)
        if self.list_style is None:
            self.list_style = style
        if style != self.list_style and self.sub_prefix and style == self.sub_style:
            prefix = self.sub_prefix
        elif style != self.list_style and self.sub_prefix and self.sub_style is None:
            self.sub_style = style
            prefix = self.sub_prefix
        else:
            self.sub_prefix, self.sub_style = "", None
            prefix = self.list_prefix
        if body.endswith(":") or text.rstrip().endswith((":", ":-")):
            # "Upon the establishment of the Board:" introduces sub-points; it is not an item itself
            self.sub_prefix = (prefix + " " + body.rstrip(":- ")).strip()
            self.sub_style = None
            return
        self._add_clauses(block, body, self.list_kind or "decision", "list", ctx, prefix=prefix)

    # -- blocks and sentences ------------------------------------------------------------------
    def _block(self, block: Block, ctx) -> None:
        text = block.text
        if BARE_OUTCOME.match(text.strip()):
            word = BARE_OUTCOME.match(text.strip()).group(1)
            self._emit("decision", word, block.char_start, block.char_end, text, block.char_start, "bare", ctx)
            return
        _, body_text = split_number(text)
        offset = len(text) - len(body_text)
        for sent_off, sent in sentences(body_text):
            self._sentence(block, offset + sent_off, sent, ctx)
        if ctx[1] == "decision" and not any(c.sentence_start >= block.char_start for c in self.out[-1:]):
            # ModernGov "Decision:" sections hold decisions even when worded plainly ("The Board noted …")
            if len(body_text.split()) >= 3 and not APOLOGIES.search(body_text):
                self._add_clauses(block, clean(body_text), "decision", "decision-section", ctx)

    def _sentence(self, block: Block, off: int, sent: str, ctx) -> None:
        start = block.char_start + off + (len(sent) - len(sent.lstrip()))
        sent = sent.strip()
        if not sent or APOLOGIES.search(sent) and re.search(r"\b(?:noted|received|accepted)\b", sent, re.I):
            return
        for pattern, kind in ((RECOMMEND_LEADIN, "recommendation"), (LEADIN, "decision")):
            m = pattern.match(sent)
            if m and m.group(0).strip():
                body = sent[m.end() :]
                if not clean(body) or body.rstrip().endswith((":", ":-", "–", "-", "that")):
                    self._open_list(kind, clean(body).rstrip(":-– "))
                    return
                self._add_clauses(block, body, kind, "leadin", ctx, sent=sent, sent_start=start, body_off=m.end())
                return
        if ctx[1] == "recommendations" and re.match(r"^(?:that|to)\b", sent, re.I):
            self._add_clauses(block, sent, "recommendation", "recommendations", ctx, sent=sent, sent_start=start)
            return
        for rule, kind, where, pattern in SENTENCE_TRIGGERS:
            m = pattern.search(sent)
            if not m:
                continue
            if not self._plausible(rule, kind, sent, m):
                continue
            if where == "after":
                body = sent[m.end() :]
                if not clean(body):
                    if rule in ("agreed-start", "body-agreed", "agreed-that"):
                        self._open_list(kind, "")
                    return
                self._add_clauses(block, body, kind, rule, ctx, sent=sent, sent_start=start, body_off=m.end())
            else:
                self._add_clauses(block, sent, kind, rule, ctx, sent=sent, sent_start=start)
            return

    def _plausible(self, rule: str, kind: str, sent: str, m: re.Match) -> bool:
        if kind == "undertaking" or rule in ("to-be-passive", "name-to-verb"):
            if NOT_ITEM.search(sent[: m.end() + 40]) or FORECAST.search(sent):
                return False
            if rule == "would-future" and PAST_EVENT.search(sent[m.start() : m.end()]):
                return False
            if rule == "would-future" and re.search(r"\b(?:if|whether|unless|how)\b[^,]*$", sent[: m.start()], re.I):
                return False
        return not (rule == "name-to-verb" and m.start() != 0)

    def _open_list(self, kind: str, prefix: str) -> None:
        self.list_kind = kind
        # "That Council:" or "RESOLVED that the Committee:-" only say who decides; drop them
        who_only = re.fullmatch(
            r"(?:that\s+)?(?:the\s+)?(?:\w+\s+){0,3}(?:committee|board|panel|council|cabinet)?", prefix, re.I
        )
        self.list_prefix = "" if not prefix or who_only else prefix
        self.list_style = None
        self.sub_prefix, self.sub_style = "", None

    def _add_clauses(
        self,
        block: Block,
        body: str,
        kind: str,
        rule: str,
        ctx,
        *,
        prefix: str = "",
        sent: str | None = None,
        sent_start: int | None = None,
        body_off: int = 0,
    ) -> None:
        """Split a body into its sub-points or coordinated clauses and emit each."""
        if sent is None:
            sent, sent_start = block.text, block.char_start
        forced = True if ACTION_SUFFIX.search(body) else None
        points = list(INLINE_POINT.finditer(body))
        if len(points) >= 2 and _looks_sequential([p.group("n") for p in points]):
            lead = clean(body[: points[0].start()])
            pieces = [
                (p.end(), points[i + 1].start() if i + 1 < len(points) else len(body)) for i, p in enumerate(points)
            ]
            for a, b in pieces:
                text = clean(body[a:b])
                full = (prefix + " " + lead + " " + text).strip() if lead and not lead.endswith(":") else text
                if lead.endswith(":"):
                    full = (lead.rstrip(":") + " " + text).strip()
                self._emit(
                    kind,
                    full,
                    *self._span(block, sent, sent_start, body_off + a, body_off + b),
                    sent,
                    sent_start,
                    rule,
                    ctx,
                    forced,
                )
            return
        for a, b in _split_coordinated(body):
            text = clean(body[a:b])
            if len(text) < 3:
                continue
            full = (prefix + " " + text).strip() if prefix else text
            self._emit(
                kind,
                full,
                *self._span(block, sent, sent_start, body_off + a, body_off + b),
                sent,
                sent_start,
                rule,
                ctx,
                forced,
            )

    def _span(self, block: Block, sent: str, sent_start: int, a: int, b: int) -> tuple[int, int]:
        return sent_start + a, min(sent_start + b, block.char_end)

    def _emit(self, kind, text, start, end, sent, sent_start, rule, ctx, forced=None) -> None:
        if not text or APOLOGIES.search(text) and len(text) < 120:
            return
        self.out.append(
            Candidate(
                kind=kind,
                text=text,
                start=start,
                end=max(end, start),
                sentence=sent,
                sentence_start=sent_start,
                rule=rule,
                forced_action=forced,
                agenda_item=ctx[0],
                section=ctx[1],
            )
        )

    def _action_line(self, block: Block) -> bool:
        """ "Action: Dawn Mitchell" names the owner of the item before it."""
        m = ACTION_LINE.match(block.text)
        if not m:
            return False
        who = m.group("who").strip()
        if WHO_ONLY.match(who) and len(who.split()) <= 8 and self.out:
            self.out[-1] = replace(self.out[-1], owner_hint=who, forced_action=True)
            return True
        return False


def _looks_sequential(numbers: list[str]) -> bool:
    firsts = {"a", "i", "1"}
    return numbers[0] in firsts and len(set(numbers)) == len(numbers)


def _split_coordinated(body: str) -> list[tuple[int, int]]:
    """ "agreed to note the changes and that the changes be submitted to …" is two items."""
    cuts = [m for m in SPLIT_AND_THAT.finditer(body)]
    if not cuts:
        for m in SPLIT_AND.finditer(body):
            left, right = body[: m.start()], body[m.end() :]
            if MODAL.search(left) and re.search(r"\b(?:would|will|should)\s+(?:be\s+)?\w+", right, re.I):
                cuts.append(m)
                break
    spans, pos = [], 0
    for m in cuts:
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(body)))
    return spans


def find_candidates(doc: Document) -> list[Candidate]:
    """Every clause of ``doc`` that looks like an item, in document order, duplicates removed."""
    return dedupe(_Walker(doc).run())


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def overlap(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    pool = list(tb)
    common = 0
    for t in ta:
        if t in pool:
            pool.remove(t)
            common += 1
    return 0.0 if not common else 2 * common / (len(ta) + len(tb))


def dedupe(cands: list[Candidate]) -> list[Candidate]:
    """A decision recorded under both "Decision:" and "Minutes:" (or as narrative and RESOLVED) is one item."""
    kept: list[Candidate] = []
    for c in cands:
        dup = next((i for i, k in enumerate(kept) if overlap(k.text, c.text) >= 0.8), None)
        if dup is None:
            kept.append(c)
        elif kept[dup].rule in ("decision-section",) and c.rule in ("leadin", "list"):
            kept[dup] = c
    return kept
