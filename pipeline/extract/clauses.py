"""Find the clauses that are items: resolutions, their sub-points, recommendations and undertakings.

This stage is cheap: regular expressions from ``models/patterns/triggers.json``
over blocks and sentences. Only the clauses it keeps reach spaCy (owners.py),
which is what makes extraction fast on long minutes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from ..document import Block, Document
from ..numbering import number_style, split_number
from ..patterns import load_json
from ..structure import is_procedural, item_at, section_at, section_label

_T = load_json("triggers.json")
LEADIN = re.compile(_T["leadin"], re.I)
RECOMMEND_LEADIN = re.compile(_T["recommend_leadin"], re.I)
BARE_OUTCOME = re.compile(_T["bare_outcome"])
NOT_ITEM = re.compile(_T["not_items"], re.I)
REFERS_BACK = re.compile(_T["refers_back"], re.I)
REPORT_SECTION = re.compile(_T["report_sections"])
IS_RECOMMENDED = re.compile(_T["is_recommended"], re.I)
MINUTES_MARKER = re.compile(_T["minutes_markers"])
PAST_EVENT = re.compile(_T["past_event"], re.I)
FORECAST = re.compile(_T["forecast"], re.I)
ACTION_SUFFIX = re.compile(_T["action_suffix"])
OUTCOME_LINE = re.compile(_T["outcome_line"], re.I)
TITLE_DASH = re.compile(_T["title_dash"])
RESOLUTION_CLAUSE = re.compile(_T["resolution_clause"], re.I)
DECISION_RECORD = re.compile(_T["decision_record"], re.I)
LABEL_VALUE = re.compile(_T["label_value"])
OUTCOME_WORD = re.compile(_T["outcome_word"], re.I)
OUTCOME_END = re.compile(_T["outcome_end"], re.I)
EMBEDDED_LEADIN = re.compile(_T["embedded_leadin"])
ACTION_LINE_SPLIT = re.compile(_T["action_line_split"] + "|" + _T["semicolon_doer"], re.I)
SEMICOLON_DOER = re.compile(_T["semicolon_doer"])
# "The Board APPROVED the plan and ASKED the Director to …": board minutes put each decision's verb in capitals
CAPS_VERB = re.compile(r"\b" + _T["caps_verbs"] + r"\b")
SPLIT_CAPS = re.compile(r"[,;]?\s+and\s+(?=" + _T["caps_verbs"] + r"\b)")
LABEL = re.compile(r"^[A-Z][\w &/'’,()-]{1,40}?\s*(?::|\s[-–—])\s+(?=\S)")
DATED_ENTRY = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}\b")
SENTENCE_TRIGGERS = [
    (t["id"], t["kind"], t["body"], re.compile(t["re"], 0 if t.get("case") else re.I)) for t in _T["sentence"]
]
RULE_PATTERNS = {rule: p for rule, _, _, p in SENTENCE_TRIGGERS}
NAME_TO_VERB = next(p for rule, _, _, p in SENTENCE_TRIGGERS if rule == "name-to-verb")
# a paragraph that opens by recounting the previous meeting reports what was promised then, not now
LAST_MEETING = re.compile(
    r"^(?:matters\s+arising\W+)?(?:in|at|during|following)\s+(?:the|its|their)\s+(?:last|previous|(?:\w+\s+){0,2}?meeting\s+(?:held\s+)?on\b)"
    r"|^(?:(?:it\s+was\s+)?(?:noted|recalled|reported)\s+that\s+)?at\s+(?:the|its)\s+(?:last|previous)\s+meeting\b",
    re.I,
)
RECOUNTED_RULES = {"undertook", "were-to"}
NARRATIVE_RULES = {"would-future", "undertook", "to-be-passive", "will-be-on-agenda", "were-to"}
ACTION_LINE = re.compile(r"^\s*actions?\s*(?:by)?\s*[:\-–]+\s*(?P<who>.+?)\s*\.?\s*$", re.I)
# "… invitations will be issued. MG Action.": initials, then the word, close the item they own
INITIALS_ACTION = re.compile(
    r"^\s*(?P<who>[A-Z]{2,4}(?:\s*(?:/|&|,|and)\s*[A-Z]{2,4})*)\s*[:\-–]?\s*(?i:action)\.?\s*$"
)
INLINE_ACTION = re.compile(
    r"\(\s*(?:actions?(?:\s+by)?|owner|lead(?:\s+officer)?|responsible(?:\s+officer)?)\s*[:\-–]\s*(?P<who>[^()]{1,60}?)\s*\)",
    re.I,
)
WHO_ONLY = re.compile(r"^[A-Z][\w.'’\- ]{0,60}(?:\s*(?:/|&|,|and)\s*[A-Z][\w.'’\- ]{0,60})*$")

# a sentence ends at . ! ? followed by space and a capital/number, but not after these abbreviations
_ABBREV = r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bCllr)(?<!\bNo)(?<!\bCllrs)(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bSt)(?<!\bapprox)(?<!\bvs)(?<!\b[A-Z])"
# the lookahead is implied by what follows the lookbehinds; put first, it spares testing them at every character
SENTENCE_END = re.compile(
    r"(?=[.!?])" + _ABBREV + r"[.!?]+[\"'’”)]*\s+(?=[A-Z0-9(\"'‘“•·])|\s+(?=\d{1,2}\.\d{1,2}\s+[A-Z])|\s+[•·▪]\s+"
)
INLINE_POINT = re.compile(r"(?:(?<=^)|(?<=[\s;:,]))\(?(?P<n>[a-z]|i{1,3}|iv|vi{0,3}|ix|x|\d{1,2})\)\s+")
LIST_CONTINUES = re.compile(r"^(?:[Tt]hat\b|[Tt]o\b|[a-z])")
SPLIT_AND_THAT = re.compile(r"(?:,\s*|;\s*|\s+)and\s+(?:also\s+)?that\s+", re.I)
SPLIT_AND_TO = re.compile(
    r"(?:,\s*|;\s*|\s+)and\s+(?:also\s+)?to\s+(?=(?:agree|request|ask|instruct|approve|delegate|authori[sz]e|recommend|invite"
    r"|endorse|defer|note)\b)",
    re.I,
)
# "agreed to purchase four bins and asked the Clerk to report the hotspots": a second decision, with its own doer
SPLIT_AND_ASKED = re.compile(
    r",?\s+and\s+(?=(?:asked|requested|instructed|invited|authori[sz]ed|directed)\s+(?:the\s+)?[A-Z])"
)
SPLIT_AND = re.compile(r"\s+and\s+(?=(?:the|a|an|this|these|it|members|officers)\b)", re.I)
MODAL = re.compile(r"\b(?:would|will|should|be|to\s+be)\s+\w+", re.I)
TRAILING = re.compile(r"[\s;,.:•·▪]*(?:\band\b|\bor\b)?[\s;,.:•·▪]*$", re.I)
PARENTHETICAL = re.compile(r"^\s*\([^)]{1,40}\)\s*")
APOLOGIES = re.compile(
    r"\bapolog|\bdeclar\w*\s+(?:of\s+)?(?:an?\s+)?(?:\w+\s+)?interest|\binterests?\s+(?:were|was)\s+declared", re.I
)
WHO_DECIDES = re.compile(
    r"(?:that\s+)?(?:the\s+)?(?:[\w&]+\s+){0,3}?(?:committee|board|panel|council|cabinet|sub-committee)?\s*[:\-–]*",
    re.I,
)
RULE_RANK = {"leadin": 3, "list": 3, "decision-section": 2, "recommendations": 3}


@dataclass(frozen=True)
class Candidate:
    """A clause that looks like an item, before owner, due date and action are decided."""

    kind: str
    text: str
    start: int  # span of the clause in Document.text
    end: int
    sentence: str  # what the parser sees: the sentence, or the item text for list items
    body_start: int  # where the clause begins inside ``sentence``
    rule: str
    owner_hint: str | None = None  # from an "Action: NAME" line
    forced_action: bool | None = None  # "– ACTION" suffix or an "Action:" line
    agenda_item: int | None = None
    section: str | None = None
    split: bool = False  # cut out of a longer sentence by coordination
    due_scope: str | None = None  # text the due date is read from, when not the item's own
    context: str = ""  # the text just before the sentence, to resolve "She agreed to …"


def is_report(text: str) -> bool:
    """An officer's report to a meeting, not its minutes: report sections (Executive Summary, Purpose of the
    Report, Recommendations, Financial Implications …) and nothing a minute-taker writes (RESOLVED, Present,
    Apologies, "a correct record")."""
    sections = {m.group(1).lower().split()[0] for m in REPORT_SECTION.finditer(text)}
    return len(sections) >= 2 and not MINUTES_MARKER.search(text)


def parseable(sentence: str) -> str:
    """The sentence as the parser should see it: capitalised decision verbs ("NOTED") in lower case, which the
    tagger reads as verbs rather than proper nouns. Same length, so offsets still hold."""
    return CAPS_VERB.sub(lambda m: m.group(0).lower(), sentence)


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


def _who_only(prefix: str) -> bool:
    """ "That Council:" or "RESOLVED that the Committee:-" only say who decides."""
    return not prefix.strip() or bool(WHO_DECIDES.fullmatch(prefix.strip()))


@dataclass
class _List:
    kind: str
    prefix: str = ""
    style: str | None = None
    sub_prefix: str = ""
    sub_style: str | None = None
    pending: Candidate | None = None  # a lead-in with content, kept if no sub-points follow
    emitted: int = 0
    last: str | None = None  # the number of the last sub-point, to see the list resume after an aside
    agenda: int | None = None


class _Walker:
    """Walks a document's blocks, keeping the little state a reader of minutes keeps in their head."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.out: list[Candidate] = []
        self.list: _List | None = None
        self.decision_context: int | None = None  # agenda item whose decision record we are in
        self.context = ""
        self.is_report = is_report(doc.text)
        self.closed: _List | None = None  # the list an aside interrupted

    def run(self) -> list[Candidate]:
        blocks = self.doc.blocks
        for i, block in enumerate(blocks):
            agenda = item_at(self.doc, block.char_start)
            if is_procedural(agenda):
                self._close_list()
                continue
            section = section_at(agenda, block.char_start)
            ctx = (agenda.index if agenda else None, section)
            if DECISION_RECORD.match(block.text):
                self.decision_context = ctx[0]
                continue
            if self._action_line(block):
                continue
            starts_item = agenda is not None and agenda.char_start == block.char_start and agenda.title
            if self.list and not starts_item and self._in_list(block):
                self._list_item(block, ctx)
                continue
            self._close_list()
            if self._resumes_list(block, ctx):
                self.list, self.closed = self.closed, None
                self._list_item(block, ctx)
                continue
            if block.kind == "heading" or starts_item:
                self.closed = None
            if self._orphan_list_starts(blocks, i, ctx):
                self.list = _List(kind="recommendation" if section == "recommendations" else "decision")
                self._list_item(block, ctx)
                continue
            if block.kind == "heading" and not self._heading_has_content(block):
                continue
            self._block(block, ctx)
            self.context = block.text[-400:]
        self._close_list()
        return self.out

    def _heading_has_content(self, block: Block) -> bool:
        """ "Park inspection- clerk to get quotes" is printed like a title but carries an item."""
        text = split_number(block.text)[1]
        if BARE_OUTCOME.match(text.strip()) or LEADIN.match(text) or OUTCOME_LINE.match(text):
            return True
        if IS_RECOMMENDED.match(text):
            return True  # "Council is recommended to approve: -" printed as a heading over the list
        if len(text.split()) > 8 and re.search(r"[a-z)][.!?]\s+[A-Z]", text):
            return True  # "Mark Jones will contact the police. ACTION: MJ": two sentences are not a title
        dash = TITLE_DASH.match(text)
        return bool(dash) and len(text[dash.end() :].split()) >= 2

    # -- lists -------------------------------------------------------------------------------
    def _close_list(self) -> None:
        if self.list and self.list.pending and not self.list.emitted:
            self.out.append(self.list.pending)
        if self.list and self.list.last:
            self.closed = self.list
        self.list = None

    def _resumes_list(self, block: Block, ctx) -> bool:
        """ "a) That the CBSO be commissioned …", a paragraph explaining it, then "b) That …": the list goes on."""
        lst = self.closed
        if lst is None or block.number is None or lst.agenda != ctx[0]:
            return False
        style = number_style(block.number)
        if style != lst.style or style not in ("letter", "decimal", "paren"):
            return False
        a, b = lst.last.strip("().").lower(), block.number.strip("().").lower()
        if a.isdigit() and b.isdigit():
            return int(b) == int(a) + 1
        return len(a) == len(b) == 1 and ord(b) == ord(a) + 1

    def _in_list(self, block: Block) -> bool:
        if section_label(block):
            return False
        style = number_style(block.number)
        if block.number is not None and style not in ("minute", None):
            lst = self.list
            if lst and lst.style and style != lst.style and not lst.sub_prefix and style != lst.sub_style:
                # a deeper level ((a) under 1.) continues the list; a new sequence of another kind does not
                return style in ("letter", "roman") and lst.style in ("decimal", "dotted", "paren", "letter")
            return True
        return block.kind != "heading" and bool(LIST_CONTINUES.match(block.text)) and len(block.text) > 12

    def _orphan_list_starts(self, blocks: tuple[Block, ...], i: int, ctx) -> bool:
        """A lettered list of "that …" clauses closing an item is a resolution even when RESOLVED was lost.

        Also the numbered points of a ModernGov decision record ("Decision Maker: Cabinet", then 1.1, 1.2 …).
        """
        block = blocks[i]
        style = number_style(block.number)
        if style is None or style in ("minute", "bullet"):
            return False
        in_record = self.decision_context is not None and self.decision_context == ctx[0]
        first = block.number.strip("().").lower() in ("a", "i", "1", "1.1")
        if not (first or in_record):
            return False
        run = [block]
        for b in blocks[i + 1 :]:
            if b.number is None or number_style(b.number) != style:
                break
            run.append(b)
        clauses = sum(1 for b in run if RESOLUTION_CLAUSE.search(b.text) or _starts_with_decision_verb(b.text))
        if in_record or ctx[1] in ("decision", "resolved", "recommendations"):
            return clauses >= 1
        return len(run) >= 2 and clauses >= 2 and clauses * 2 >= len(run)

    def _list_item(self, block: Block, ctx) -> None:
        lst = self.list
        assert lst is not None
        style = number_style(block.number)
        if block.number and (lst.style is None or style == lst.style):
            lst.last, lst.agenda = block.number, ctx[0]
        text = block.text
        body = clean(text)
        if lst.style is None:
            lst.style = style
        if style != lst.style and lst.sub_prefix and style == lst.sub_style:
            prefix = lst.sub_prefix
        elif style != lst.style and lst.sub_prefix and lst.sub_style is None:
            lst.sub_style = style
            prefix = lst.sub_prefix
        else:
            lst.sub_prefix, lst.sub_style = "", None
            prefix = lst.prefix
        if text.rstrip().endswith((":", ":-", ":–")):
            # "Upon the establishment of the Board:" introduces sub-points; it is not an item itself
            lst.sub_prefix = (prefix + " " + body.rstrip(":-– ")).strip()
            lst.sub_style = None
            return
        before = len(self.out)
        label = LABEL.match(body)
        rest = body[label.end() :] if label else ""
        lead = label and (LEADIN.match(rest) or RECOMMEND_LEADIN.match(rest))
        if lead and lead.group(0).strip() and rest[:30] in block.text:
            # "b) Internal audit: RESOLVED that the report be accepted. Clerk to action.": a sub-point that is
            # its own minute, with a subject, a resolution and perhaps an action line
            at = block.text.find(rest[:30])
            for sent_off, sent in sentences(block.text[at:]):
                self._sentence(block, at + sent_off, sent, ctx)
        else:
            self._add_clauses(block, body, lst.kind, "list", ctx, prefix=prefix, split=False)
        lst.emitted += len(self.out) - before

    def _open_list(self, kind: str, prefix: str, pending: Candidate | None = None, style: str | None = None) -> None:
        self._close_list()
        self.list = _List(kind=kind, prefix="" if _who_only(prefix) else prefix, pending=pending, style=style)

    # -- blocks and sentences ------------------------------------------------------------------
    def _block(self, block: Block, ctx) -> None:
        text = block.text
        if BARE_OUTCOME.match(text.strip()):
            word = BARE_OUTCOME.match(text.strip()).group(1)
            self._emit("decision", word, block.char_start, block.char_end, word, 0, "bare", ctx)
            return
        _, body_text = split_number(text)
        offset = len(text) - len(body_text)
        m = OUTCOME_LINE.match(body_text)
        one_sentence = len(sentences(body_text)) == 1  # "Letter re hedge – Clerk to write. Email re training – noted."
        if m and len(body_text) < 200 and not LEADIN.match(body_text) and one_sentence:
            # parish style "Agars- signed", "H15/0575 extension - support"
            self._emit(
                "decision",
                clean(body_text),
                block.char_start + offset,
                block.char_end,
                clean(body_text),
                0,
                "outcome-line",
                ctx,
            )
            return
        before = len(self.out)
        dash = TITLE_DASH.match(body_text)
        if dash and not LEADIN.match(body_text):
            rest = body_text[dash.end() :]
            word = OUTCOME_WORD.match(rest)
            if word:
                # "Payments grass cutting £768, pkf £528-agreed": the outcome closes the line's business
                text = body_text[: dash.end() + word.end()]
                self._emit(
                    "decision",
                    clean(text),
                    block.char_start + offset,
                    block.char_start + offset + len(text),
                    clean(text),
                    0,
                    "outcome-line",
                    ctx,
                )
                offset += dash.end() + word.end()
                body_text = body_text[dash.end() + word.end() :]
            elif OUTCOME_END.match(rest) and len(rest.split()) <= 15 and one_sentence:
                # "Accounts- accounts for 2020/21 signed off"
                self._emit(
                    "decision",
                    clean(rest),
                    block.char_start + offset + dash.end(),
                    block.char_end,
                    clean(rest),
                    0,
                    "outcome-line",
                    ctx,
                )
                return
            else:
                offset += dash.end()  # "Park inspection- clerk to get quotes": the title is not part of the clause
                body_text = rest
        for sent_off, sent in sentences(body_text):
            self._sentence(block, offset + sent_off, sent, ctx)
        in_decision = ctx[1] == "decision" or (self.decision_context is not None and self.decision_context == ctx[0])
        if in_decision and len(self.out) == before and not self.list:
            # ModernGov "Decision:" sections hold decisions even when worded plainly ("The Board noted …")
            plain = clean(body_text)
            if (
                len(plain.split()) >= 3
                and not APOLOGIES.search(plain)
                and not LABEL_VALUE.match(plain)
                and not DATED_ENTRY.match(plain)
                and not section_label(block)
            ):
                if len(_split_coordinated(body_text)) > 1:
                    # "To note the update, and to agree that a further report be submitted": two decisions
                    self._add_clauses(
                        block, body_text, "decision", "decision-section", ctx, sent=body_text,
                        sent_start=block.char_start + offset,
                    )  # fmt: skip
                    return
                self._emit(
                    "decision", plain, block.char_start + offset, block.char_end, plain, 0, "decision-section", ctx
                )

    def _sentence(self, block: Block, off: int, sent: str, ctx) -> None:
        tag = INLINE_ACTION.search(sent)
        who = tag.group("who").strip() if tag else ""
        if not tag or not WHO_ONLY.match(who) or re.search(r"\bto\s+[a-z]", who):
            self._sentence_body(block, off, sent, ctx)
            return
        # "… would be an action they could take forward (Action: Rebecca Cresswell)": the tag records a
        # commitment, however tentative the wording, and names its owner
        sent = sent[: tag.start()] + " " * (tag.end() - tag.start()) + sent[tag.end() :]
        before = len(self.out)
        self._sentence_body(block, off, sent, ctx)
        if len(self.out) == before:
            start = block.char_start + off + (len(sent) - len(sent.lstrip()))
            body = sent.strip()
            self._emit("undertaking", clean(body), start, start + len(body), body, 0, "action-tag", ctx)
        self.out[before:] = [replace(c, owner_hint=who, forced_action=True) for c in self.out[before:]]

    def _sentence_body(self, block: Block, off: int, sent: str, ctx) -> None:
        start = block.char_start + off + (len(sent) - len(sent.lstrip()))
        sent = sent.strip()
        label = LABEL.match(sent)
        lead = label and (LEADIN.match(sent[label.end() :]) or RECOMMEND_LEADIN.match(sent[label.end() :]))
        if lead and lead.group(0).strip():
            # "Payments: RESOLVED to approve the payments listed": the subject label is not part of the item
            start += label.end()
            sent = sent[label.end() :]
        dash = TITLE_DASH.match(sent)
        if dash and NAME_TO_VERB.match(sent[dash.end() :]):
            # "NALC Award Scheme – Clerk to circulate the guidance": a subject line, then the parish action line
            start += dash.end()
            sent = sent[dash.end() :]
        if self._action_hint(sent):
            return
        if not sent or APOLOGIES.search(sent) and re.search(r"\b(?:noted|received|accepted)\b", sent, re.I):
            return
        for pattern, kind in ((RECOMMEND_LEADIN, "recommendation"), (LEADIN, "decision")):
            m = pattern.match(sent)
            if m and m.group(0).strip():
                self._leadin(block, sent, start, m.end(), kind, ctx)
                return
        if IS_RECOMMENDED.match(sent):
            self._open_list("recommendation", "")  # a report's "Council is recommended to approve: -", then the list
            return
        outcome = OUTCOME_LINE.match(sent)
        if outcome and off > 0 and len(sent) < 200 and not self.list:
            # the second of several "subject – outcome" entries in one paragraph
            self._emit("decision", clean(sent), start, start + len(sent), clean(sent), 0, "outcome-line", ctx)
            return
        if ctx[1] == "recommendations" and re.match(r"^(?:that|to)\b", sent, re.I) and sent.rstrip().endswith(":"):
            self._open_list("recommendation", clean(sent).rstrip(":-– "))  # "That the Board agree the following:"
            return
        if ctx[1] == "recommendations" and re.match(r"^(?:that|to)\b", sent, re.I):
            self._add_clauses(
                block, sent, "recommendation", "recommendations", ctx, sent=sent, sent_start=start, split=False
            )
            return
        for rule, kind, where, pattern in SENTENCE_TRIGGERS:
            m = pattern.search(sent)
            if not m or not self._plausible(rule, kind, sent, m, block):
                continue
            if where == "after" and re.match(r"(?i)\s*(?:whether|if|why|how|what|when|who|about)\b", sent[m.end() :]):
                return  # "Members asked whether the figures would be published" is a question, not an outcome
            if where == "after":
                head = re.sub(r"(?i)[\s,;]*(?:and|but)?[\s,;]*$", "", sent[: m.start()])
                # a request answered in the same sentence by an agreed decision is one item, the decision
                answered = rule in ("agreed-that", "body-agreed") and re.search(
                    r"(?i)\b(?:requested|asked\s+for)\b", head
                )
                if len(head.split()) >= 4 and not answered:
                    # "Officers told members that assurance would be sought and it was AGREED that …"
                    self._sentence(block, off, head, ctx)
                body_off = m.end()
                if not clean(sent[body_off:]):
                    if rule in ("agreed-start", "body-agreed", "agreed-that"):
                        self._open_list(kind, "")
                    return
                self._leadin(block, sent, start, body_off, kind, ctx, rule=rule)
            elif rule == "name-to-verb":
                self._action_line_clauses(block, sent, start, kind, m, ctx)
            elif rule == "undertook" and not re.search(
                r"[A-Za-z]", re.sub(r"(?i)\b(?:it\s+was|and|also|then)\b|[,;–-]", "", sent[: m.start()].split(",")[-1])
            ):
                # "Donation requested, agreed to pay £65": nobody undertook anything; the meeting decided
                self._add_clauses(
                    block,
                    sent[m.start() :],
                    "decision",
                    "agreed-start",
                    ctx,
                    sent=sent,
                    sent_start=start,
                    body_off=m.start(),
                )
            else:
                cut = _comma_splice(sent, m) if rule == "would-future" else 0
                self._add_clauses(block, sent[cut:], kind, rule, ctx, sent=sent, sent_start=start, body_off=cut)
            return
        if ACTION_SUFFIX.search(sent):
            # "Petitions 6b and 6c require a written response … – ACTION"
            self._add_clauses(block, sent, "decision", "action-suffix", ctx, sent=sent, sent_start=start, split=False)

    def _leadin(self, block: Block, sent: str, start: int, body_off: int, kind: str, ctx, rule: str = "leadin") -> None:
        """Handle what follows "RESOLVED that" / "It was AGREED that": one clause, inline points, or a list."""
        body = sent[body_off:]
        embedded = EMBEDDED_LEADIN.search(body)
        if embedded and embedded.start() > 0:
            # "agreed that the Strategy be amended as tabled, Resolved to RECOMMEND: (to Council)" then the list
            self._add_clauses(
                block, body[: embedded.start()], kind, rule, ctx, sent=sent, sent_start=start, body_off=body_off
            )
            self._open_list("recommendation", "")
            return
        if re.match(r"(?i)\s*and\b", body):
            return  # "Unanimously agreed and signed by the Chair": nothing was resolved here
        paren = PARENTHETICAL.match(body)
        if paren and not INLINE_POINT.match(body):
            body_off += paren.end()  # "Resolved to RECOMMEND: (to Council)"
            body = sent[body_off:]
        body_clean = clean(body)
        points = list(INLINE_POINT.finditer(body))
        if points and points[0].group("n") in ("a", "i", "1") and _looks_sequential([p.group("n") for p in points]):
            lead = clean(body[: points[0].start()])
            prefix = "" if _who_only(lead) else lead.rstrip(":-– ")
            for j, p in enumerate(points):
                end = points[j + 1].start() if j + 1 < len(points) else len(body)
                text = clean(body[p.end() : end])
                full = (prefix + " " + text).strip() if prefix else text
                self._emit(kind, full, start + body_off + p.end(), start + body_off + end, full, 0, rule, ctx)
            # the sub-points may go on in the blocks below: "(b) the Director …"
            self._open_list(kind, prefix, style=number_style(points[0].group(0).strip()))
            self.list.emitted = len(points)
            return
        if REFERS_BACK.match(body_clean):
            return  # "RESOLVED – As set out in the decision above": the item was recorded where it was decided
        if not body_clean and sent.rstrip().endswith("."):
            return  # "Agreed." closing a proposal: the outcome of what came before, not a lead-in
        if (
            not body_clean
            or body_clean.lower() == "that"  # "RESOLVED – That" over a list of (i), (ii) …
            or _who_only(body_clean.rstrip(":-– "))
            and body.rstrip().endswith((":", ":-", "–", "-"))
        ):
            self._open_list(kind, "")
            return
        if body.rstrip().endswith((":", ":-", ":–")):
            # "RESOLVED that the minutes be approved subject to the following changes:" — an item
            # itself unless sub-points follow, in which case it is their lead-in
            pending = self._candidate(
                kind, body_clean.rstrip(":-– "), start + body_off, start + len(sent), sent, body_off, rule, ctx
            )
            self._open_list(kind, body_clean.rstrip(":-– "), pending=pending)
            return
        self._add_clauses(block, body, kind, rule, ctx, sent=sent, sent_start=start, body_off=body_off)

    def _action_line_clauses(self, block: Block, sent: str, start: int, kind: str, m: re.Match, ctx) -> None:
        """ "Clerk to arrange a meeting during August and report back by the next meeting": one item per action,
        each owned by the Clerk; an action line that carries out the decision just agreed is folded into it."""
        who = re.match(r"^(.*?)\s+(?:to|will|should)\s", sent)
        owner = who.group(1) if who else None
        cuts = [(0, len(sent))]
        parts = list(ACTION_LINE_SPLIT.finditer(sent))
        if parts:
            bounds = [0] + [p.start() for p in parts] + [len(sent)]
            starts = [0] + [p.end() for p in parts]
            cuts = [(starts[i], bounds[i + 1]) for i in range(len(starts))]
        for n, (a, b) in enumerate(cuts):
            text = clean(sent[a:b])
            if n == 0 and self._fold_into_agreed(text, owner, ctx, start):
                continue
            self._emit(kind, text, start + a, start + b, sent, a, "name-to-verb", ctx, split=len(cuts) > 1)
            if n > 0 and owner and not NAME_TO_VERB.match(text):
                self.out[-1] = replace(self.out[-1], owner_hint=owner)

    def _fold_into_agreed(self, text: str, owner: str | None, ctx, start: int) -> bool:
        """ "Agreed that a meeting be arranged … Clerk to arrange a meeting during August": one item, agreed wording."""
        if not self.out or not owner:
            return False
        prev = self.out[-1]
        gap = self.doc.text[prev.end : start]
        # only an action line that follows the decision directly (a "Proposed … seconded …" line aside) carries it out
        if len(re.sub(r"(?i)proposed[^.]*seconded[^.]*\.?|[\s.;,]", "", gap)) > 3:
            return False
        if prev.agenda_item != ctx[0] or prev.rule not in (
            "agreed-that",
            "agreed-start",
            "body-agreed",
            "leadin",
            "passed-that",
            "list",
        ):
            return False
        shared = set(_content_words(prev.text)) & set(_content_words(text))
        # "Clerk to arrange." after a decision names who carries it out; longer lines must be about the same thing
        if not shared and len(text.split()) > len(owner.split()) + 3:
            return False
        self.out[-1] = replace(prev, owner_hint=prev.owner_hint or owner, due_scope=text, forced_action=True)
        return True

    def _plausible(self, rule: str, kind: str, sent: str, m: re.Match, block: Block | None = None) -> bool:
        if self.is_report and rule in NARRATIVE_RULES:
            return False  # an officer's report forecasts ("the annual report will be published"); it minutes nothing
        if rule in RECOUNTED_RULES and block is not None and LAST_MEETING.match(split_number(block.text)[1]):
            return False  # "At the last meeting … the Officer agreed to look into it": history, reported back on
        if rule in NARRATIVE_RULES or rule == "name-to-verb":
            if NOT_ITEM.search(sent[: m.end() + 40]) or FORECAST.search(sent):
                return False
            if re.search(r"\bsuggest(?:ed|ion|s)\b", sent[: m.start()], re.I):
                return False  # proposals the minutes do not record as agreed are not items
            # "The service had already begun the draft … and would be sent": the clause is history
            clause = re.split(r"(?i)\b(?:that|but|however)\b", sent[: m.start()])[-1]
            if rule == "would-future" and PAST_EVENT.search(clause + sent[m.start() : m.end()]):
                return False
            if rule == "would-future" and re.search(
                r"\b(?:if|whether|unless|how|what|why)\b[^,]*$", sent[: m.start()], re.I
            ):
                return False
        if rule == "name-to-verb" and m.start() != 0:
            return False
        if rule == "to-be-passive" and re.search(r"(?i)\bfor\s+(?:it|this|them|him|her)\s*$", sent[: m.start()]):
            return False  # "an arena for it to be brought to the table" describes, it does not decide
        if rule == "was-adopted" and re.search(r"(?i)\b(?:what|which|whatever)\s+$", sent[: m.start()]):
            return False  # "This will help if there is any departure from what was agreed" names an earlier decision
        if rule == "was-adopted" and PAST_EVENT.search(sent[: m.end()]):
            return False  # "The service had already begun … and it was agreed by Cabinet": history, not this meeting
        if rule == "was-adopted" and re.match(
            r"(?i)\s+(?:at|by)\s+(?:the\s+|a\s+)?(?:\w+\s+){0,4}?(?:meeting|cabinet|council\b(?!\s+members))",
            sent[m.end() :],
        ):
            return False  # "was approved at the January Amenities Committee meeting": an earlier decision
        if rule == "would-future" and re.search(
            r"(?i)\b(?:be\s+held|take\s+place)\b", m.group(0) + sent[m.end() : m.end() + 12]
        ):
            # "The Bonfire will be held on 5th November" is a fixture; "the Speaker informed the Council that
            # a meeting would be held … to explain" is a commitment
            if not re.search(
                r"(?i)\b(?:informed|advised|confirmed|agreed|reported|announced|said|stated|undertook|told)\b",
                sent[: m.start()],
            ):
                return False
        return True

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
        split: bool = True,
    ) -> None:
        """Emit a body as one item, or one per coordinated clause in running text."""
        list_item = sent is None
        if list_item:
            sent_start = block.char_start + (block.text.find(body[:20]) if body[:20] in block.text else 0)
        forced = True if ACTION_SUFFIX.search(body) else None
        spans = _split_coordinated(body) if split else [(0, len(body))]
        for a, b in spans:
            text = clean(body[a:b])
            if len(text) < 3:
                continue
            full = (prefix + " " + text).strip() if prefix else text
            if len(spans) > 1 and rule in NARRATIVE_RULES and not RULE_PATTERNS[rule].search(text):
                continue  # "… said that the targets were achievable, and that she would report": only the promise
            if list_item:
                self._emit(kind, full, sent_start + a, sent_start + b, full, 0, rule, ctx, forced, split=len(spans) > 1)
            else:
                self._emit(
                    kind,
                    full,
                    sent_start + body_off + a,
                    sent_start + body_off + b,
                    sent,
                    body_off + a,
                    rule,
                    ctx,
                    forced,
                    split=len(spans) > 1,
                )

    def _candidate(
        self, kind, text, start, end, sentence, body_start, rule, ctx, forced=None, split=False
    ) -> Candidate:
        return Candidate(
            kind=kind,
            text=text,
            start=start,
            end=max(end, start),
            sentence=sentence,
            body_start=body_start,
            rule=rule,
            forced_action=forced,
            agenda_item=ctx[0],
            section=ctx[1],
            split=split,
        )

    def _emit(self, kind, text, start, end, sentence, body_start, rule, ctx, forced=None, split=False) -> None:
        if not text or APOLOGIES.search(text) and len(text) < 120:
            return
        end = min(end, len(self.doc.text))
        cand = self._candidate(kind, text, start, end, sentence, body_start, rule, ctx, forced, split)
        # what a reader saw just before this sentence: earlier sentences of the block, else the block before
        block_start = max((b.char_start for b in self.doc.blocks if b.char_start <= start), default=0)
        before = self.doc.text[block_start : start - body_start if sentence != text else start].strip()
        self.out.append(replace(cand, context=(before or self.context)[-400:]))

    def _action_line(self, block: Block) -> bool:
        return self._action_hint(block.text)

    def _action_hint(self, text: str) -> bool:
        """ "Action: Dawn Mitchell" (a line or a sentence) names the owner of the item before it."""
        m = ACTION_LINE.match(text) or INITIALS_ACTION.match(text)
        if not m:
            return False
        who = m.group("who").strip()
        if re.search(r"\bto\s+[a-z]", who):
            return False  # "Action: HR to submit the form" is an action line, not a name
        if WHO_ONLY.match(who) and len(who.split()) <= 8 and self.out:
            self.out[-1] = replace(self.out[-1], owner_hint=who, forced_action=True)
            return True
        return False


STOPWORDS = set(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "and",
        "or",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "be",
        "is",
        "was",
        "were",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "from",
        "as",
        "any",
        "all",
    ]
)


def _content_words(text: str) -> list[str]:
    """Words with their inflection cut ("arranged" = "arrange"), but not shortened to a prefix: "planting" and
    "planter" are different things."""
    words = re.findall(r"[a-z]+", text.lower())
    return [re.sub(r"(?:ing|ed|es|e|s)$", "", w) for w in words if w not in STOPWORDS and len(w) > 2]


def _starts_with_decision_verb(text: str) -> bool:
    return bool(
        re.match(
            r"(?i)(?:to\s+)?(?:note|notes|receive|receives|approve|approves|agree|agrees|endorse|delegate|authorise|authorize"
            r"|request|requests|ask|asks|adopt|refer|defer|provide|recommend|appoint|establish|accept|confirm|instruct)\b",
            text.strip(),
        )
    )


def _comma_splice(sent: str, m: re.Match) -> int:
    """ "Pot holes are appearing again, there is road planing to fill them, Councillors will fill these in": when
    whole clauses run on with commas, the promise starts at the clause that names its doer."""
    comma = sent.rfind(", ", 0, m.start())
    if comma < 0:
        return 0
    seg = sent[comma + 2 : m.start()]
    left = sent[:comma]
    if seg[:1].isupper() and len(seg.split()) <= 6 and re.search(r"\b(?:is|are|was|were|has|have|had)\b", left):
        return comma + 2
    return 0


def _looks_sequential(numbers: list[str]) -> bool:
    return bool(numbers) and numbers[0] in {"a", "i", "1"} and len(set(numbers)) == len(numbers)


def _split_coordinated(body: str) -> list[tuple[int, int]]:
    """ "agreed to note the changes and that the changes be submitted to …" is two items."""
    # "Photographs to be invited; CC to explore a collaboration": a new doer after a semicolon is a new action
    cuts = sorted(
        [
            *SPLIT_AND_THAT.finditer(body),
            *SPLIT_AND_TO.finditer(body),
            *SPLIT_AND_ASKED.finditer(body),
            *SEMICOLON_DOER.finditer(body),
            *SPLIT_CAPS.finditer(body),
        ],
        key=lambda m: m.start(),
    )
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
    return _overlap(Counter(_tokens(a)), Counter(_tokens(b)))


def _overlap(ca: Counter, cb: Counter) -> float:
    """Dice coefficient of two token multisets."""
    na, nb = ca.total(), cb.total()
    if not na or not nb:
        return 0.0
    if len(ca) > len(cb):
        ca, cb = cb, ca
    common = 0
    for token, n in ca.items():
        if m := cb.get(token):
            common += n if n < m else m
    return 0.0 if not common else 2 * common / (na + nb)


def _no_that(text: str) -> str:
    return re.sub(r"(?i)^that\s+", "", text)  # a leading "That" may be kept or dropped (ANNOTATION.md)


def dedupe(cands: list[Candidate]) -> list[Candidate]:
    """A decision recorded twice (under "Decision:" and "Minutes:", as narrative and RESOLVED) is one item.

    The formal wording (a RESOLVED clause or list point) is kept over a narrative one.
    """
    kept: list[Candidate] = []
    bags: list[Counter] = []  # kept[i]'s tokens, counted once rather than at every comparison
    sizes: list[int] = []
    for c in cands:
        bag = Counter(_tokens(_no_that(c.text)))  # a leading "That" may be kept or dropped
        n = bag.total()
        dup = next(
            (
                i
                for i, k in enumerate(kept)
                # the shorter text bounds the overlap (same float division): below 0.8 it is never a duplicate
                if (t := n + sizes[i])
                and 2 * min(n, sizes[i]) / t >= 0.8
                and ((s := _overlap(bags[i], bag)) >= 0.95 or (s >= 0.8 and k.agenda_item == c.agenda_item))
            ),
            None,
        )
        if dup is None:
            kept.append(c)
            bags.append(bag)
            sizes.append(n)
        elif RULE_RANK.get(c.rule, 1) > RULE_RANK.get(kept[dup].rule, 1):
            kept[dup] = replace(c, owner_hint=c.owner_hint or kept[dup].owner_hint)
            bags[dup], sizes[dup] = bag, n
    return kept
