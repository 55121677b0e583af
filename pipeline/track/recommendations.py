"""Recommendation -> decision: which minute adopted, amended or rejected a recommendation.

A recommendation ("RECOMMENDED to Council that: (a) the revenue budget … be approved",
a report's "3.1 That the Board …") is decided by its target body at a later meeting,
or, for a report, at the meeting it went to. The deciding minute is found by

- ``minute_ref``: it cites the recommending minute ("Revenue Budget … (Cabinet Minute 115/24)");
- ``as_recommended``: it says so ("RESOLVED that, as recommended by Cabinet, …",
  "RESOLVED that the recommendations in the report be approved", "(a) as recommended");

and each recommendation is paired with the decision in that minute that says the same thing
(``lexical``; ``label`` when "(a) as recommended" names it). Without either signal a pair
needs near-identical wording. The outcome is ``rejected`` ("be not accepted"), ``amended``
("subject to", "as amended", or a figure the recommendation did not have) or ``adopted``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from . import words
from .links import minute_key, sub_label
from .meetings import Doc

TARGET_RE = re.compile(
    r"RECOMMEND(?:ED|S|ATION)?S?\s+(?:to\s+(?:the\s+)?(?:full\s+)?(?P<body>[A-Z][\w&'’ ]{1,60}?))?\s*(?:that\b|:|\n)",
    re.I,
)
LIST_LEADIN_RE = re.compile(r"\bRECOMMEND(?:ED|S)\b[^.]*?(?:that|:)\s*:?\s*$")
STOP_RE = re.compile(r"^(?:RESOLVED|AGREED|It\s+was|The\s+(?:Committee|Cabinet|Council|Board|Panel)\b)")
POINT_RE = re.compile(
    r"^\s*(?:\((?P<a>[a-z]{1,4}|\d{1,2})\)|(?P<b>\d{1,2}(?:\.\d{1,2})?)[.)]?|(?P<c>[a-z])[.)])\s+(?P<text>\S.*)$"
)
# "(Cabinet Minute 115/24)": only the number counts; matching the body's name in front of it as well
# tried the pattern at every capital letter, which made this the slowest step of the rebuild
CITE_RE = re.compile(r"Minute\s+(?:No\.?\s*)?(?P<num>\d{1,4}(?:/\d{1,3})?)", re.I)
AS_RECOMMENDED_RE = re.compile(
    r"\bas\s+recommended\b|\brecommendations?\s+(?:of|from|in|contained\s+in|set\s+out\s+in|made\s+by)\s+(?:the\s+)?[\w\s]{0,40}?\s*(?:be|are|were|is)\s+(?:approved|agreed|adopted|accepted|endorsed)",
    re.I,
)
RECOMMENDED_PHRASE_RE = re.compile(
    r",?\s*\bas\s+recommended(?:\s+(?:by|in)\s+(?:the\s+)?[\w\s]{1,40}?)?(?=[,;.]|$)|\bthe\s+recommendations?\b.*?\b(?:be|are)\s+(?:approved|agreed|adopted|accepted|endorsed)\b",
    re.I,
)
REJECTED_RE = re.compile(
    r"\bnot\s+(?:be\s+)?(?:approved|accepted|agreed|adopted|supported|endorsed)\b|\bbe\s+not\s+\w+ed\b|\breject(?:ed)?\b|\bdeclined?\b|\brefused?\b",
    re.I,
)
AMENDED_RE = re.compile(
    r"\bsubject\s+to\b|\bas\s+amended\b|\bamendments?\b|\bwith\s+the\s+following\b|\bexcept\b", re.I
)
NUMBER_RE = re.compile(r"£?\d[\d,]*(?:\.\d+)?%?")
MIN_PAIR_CITED = 0.2
MIN_PAIR_UNCITED = 0.6
MEETINGS_AHEAD = 3


@dataclass(frozen=True)
class Clause:
    """A recommendation or decision: a stored item, or a point of a RECOMMENDED list the extractor missed."""

    document_id: str
    start: int
    end: int
    text: str
    item_id: str | None = None
    minute: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class RecLink:
    """A recommendation and the decision that settled it."""

    rec: Clause
    decision: Clause
    rec_doc: Doc
    decision_doc: Doc
    outcome: str  # "adopted" | "amended" | "rejected"
    score: float
    signals: tuple[str, ...]
    reason: str


def target_body(text: str, start: int) -> str | None:
    """To whom a recommendation goes: "RECOMMENDED to Council that:" -> "Council"; None for a report's own body."""
    window = text[max(0, start - 700) : start]
    found = None
    for m in TARGET_RE.finditer(window):
        found = m.group("body")
    return found.strip() if found else None


def list_points(text: str, start: int, end: int) -> list[Clause]:
    """The points of every "RECOMMENDED … that:" list in text[start:end], for minutes whose items lack them.

    A point is a line after the lead-in that carries a list label, starts in lower case ("the revenue
    budget … be approved;"), or follows a point that ended with ";", "and" or "or" (readers keep the
    label out of the text, so the wording is what is left to go on).
    """
    out: list[Clause] = []
    pos = start
    in_list = False
    open_end = False
    for line in text[start:end].split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        if LIST_LEADIN_RE.search(line):
            in_list, open_end = True, True
            continue
        m = POINT_RE.match(line)
        body = m.group("text") if m else line.strip()
        if in_list and (m or body[:1].islower() or open_end) and not STOP_RE.match(body):
            s = line_start + line.index(body)
            clean = re.sub(r"\s*(?:[;,]\s*(?:and|or)?|\.)\s*$", "", body)
            out.append(
                Clause(
                    "", s, s + len(clean), clean, label=(m.group("a") or m.group("b") or m.group("c")) if m else None
                )
            )
            open_end = bool(re.search(r"(?:;|\band|\bor|:)\s*$", body))
            continue
        in_list = False
    return out


def _numbers(text: str) -> set[str]:
    return {n.strip(".,").replace(",", "") for n in NUMBER_RE.findall(text)}


@lru_cache(maxsize=4096)  # asked once per (recommendation, decision) pair
def is_wholesale(decision: str) -> bool:
    """Does the decision adopt recommendations by reference only ("the recommendations in the report be approved")?"""
    m = RECOMMENDED_PHRASE_RE.search(decision)
    return bool(m) and len(words.stems(RECOMMENDED_PHRASE_RE.sub(" ", decision))) < 3


def outcome_of(decision: str, recs: list[str]) -> str:
    """'rejected', 'amended' or 'adopted', from the decision's wording and its figures."""
    if REJECTED_RE.search(decision):
        return "rejected"
    if AMENDED_RE.search(decision):
        return "amended"
    given = set().union(*(_numbers(r) for r in recs)) if recs else set()
    new = {n for n in _numbers(decision) - given if not re.fullmatch(r"\d{1,4}", n)}
    if given and new:
        return "amended"  # a figure the recommendation did not have: "1.99%" for "2.99%"
    return "adopted"


@dataclass(frozen=True)
class _Minute:
    """One agenda item of a possible deciding meeting, read once per rebuild rather than once per recommendation."""

    cited: frozenset[str]  # minute numbers it cites ("Cabinet Minute 115/24" -> "115/24")
    as_recommended: bool
    decisions: tuple[Clause, ...]  # the decisions that start inside it, in document order


class _Decisions:
    """Decisions indexed by what a recommendation is matched on: council, deciding body, meeting date, minute.

    Each recommendation then looks at the minutes of at most ``MEETINGS_AHEAD`` meetings of its
    target bodies, instead of every document of the council.
    """

    def __init__(
        self,
        docs: list[Doc],
        decisions: dict[str, list[Clause]],
        agendas: dict[str, list[tuple[int, int, str | None, str]]],
        committee_names: dict[str, str],
    ) -> None:
        self._decisions = decisions
        self._agendas = agendas
        self._minutes: dict[str, list[_Minute]] = {}
        # (council, body) -> [(meeting date, position in ``docs``, doc)], in date order; the position keeps
        # the order of ``docs`` among documents of one date, as a stable sort of ``docs`` would
        self._by_body: dict[tuple[str | None, str | None], list[tuple[str, int, Doc]]] = defaultdict(list)
        self._named: dict[str | None, set[tuple[str, str | None]]] = defaultdict(set)  # council -> (name, body)
        self._as_council: dict[str | None, set[str | None]] = defaultdict(set)  # bodies of councils meeting as one
        for n, d in enumerate(docs):
            name = (committee_names.get(d.committee_id or "") or "").lower()
            if name:
                self._named[d.council_id].add((name, d.body))
            if d.committee_id is None:
                self._as_council[d.council_id].add(d.body)
            if d.meeting_date:
                self._by_body[(d.council_id, d.body)].append((d.meeting_date, n, d))
        for rows in self._by_body.values():
            rows.sort(key=lambda r: (r[0], r[1]))

    def target_bodies(self, target: str | None, rec_doc: Doc) -> set[str | None]:
        """The bodies that may decide: the named one ("Council", "Cabinet") when it is in the store, else the recommender's own."""
        if not target:
            return {rec_doc.body}
        t = target.lower().strip()
        found = {
            body
            for name, body in self._named.get(rec_doc.council_id, ())
            if name == t or name == f"full {t}" or t == f"full {name}" or name.endswith(" " + t)
        }
        if t in ("council", "full council", "the council"):
            found |= self._as_council.get(rec_doc.council_id, set())  # a parish or town council meeting as itself
        return found or {rec_doc.body}

    def later(self, rec_doc: Doc, bodies: set[str | None]) -> list[Doc]:
        """Documents of ``bodies`` from the first ``MEETINGS_AHEAD`` meetings after the recommendation's (a
        report's own body may decide on the same day), in date order."""
        if not rec_doc.meeting_date:
            return []
        found: list[tuple[str, int, Doc]] = []
        for body in bodies:
            rows = self._by_body.get((rec_doc.council_id, body), [])
            dates = [r[0] for r in rows]
            pos = (bisect_left if body == rec_doc.body else bisect_right)(dates, rec_doc.meeting_date)
            ahead: set[str] = set()
            for row in rows[pos:]:
                if row[2].id == rec_doc.id:
                    continue
                if row[0] not in ahead:
                    if len(ahead) == MEETINGS_AHEAD:
                        break
                    ahead.add(row[0])
                found.append(row)
        found.sort(key=lambda r: (r[0], r[1]))
        meetings = sorted({r[0] for r in found})[:MEETINGS_AHEAD]
        return [d for date, _, d in found if date in meetings]

    def minutes(self, d: Doc) -> list[_Minute]:
        if d.id not in self._minutes:
            out = []
            decisions = self._decisions.get(d.id, [])
            by_start = sorted(range(len(decisions)), key=lambda k: decisions[k].start)
            starts = [decisions[k].start for k in by_start]
            for start, end, _number, title in self._agendas.get(d.id, []):
                minute_text = d.text[start:end]
                inside = sorted(by_start[bisect_left(starts, start) : bisect_left(starts, end)])
                out.append(
                    _Minute(
                        frozenset(minute_key(m.group("num")) for m in CITE_RE.finditer(f"{title}\n{minute_text}")),
                        bool(AS_RECOMMENDED_RE.search(minute_text)),
                        tuple(decisions[k] for k in inside),  # in the order given
                    )
                )
            self._minutes[d.id] = out
        return self._minutes[d.id]


def link_recommendations(
    recs: list[tuple[Doc, Clause]],
    decisions: dict[str, list[Clause]],
    docs: list[Doc],
    agendas: dict[str, list[tuple[int, int, str | None, str]]],
    committee_names: dict[str, str],
) -> list[RecLink]:
    """Link each recommendation to the decision that settled it, if one is in the store.

    :param decisions: document id -> its decision clauses.
    :param agendas: document id -> [(start, end, minute number, title)] of its agenda items.
    :param committee_names: committee id -> name.
    """
    out: list[RecLink] = []
    vectors: dict[str, dict[str, float]] = {}
    idf = words.Idf.fit(
        [words.stems(c.text) for _, c in recs] + [words.stems(c.text) for cs in decisions.values() for c in cs]
    )
    index = _Decisions(docs, decisions, agendas, committee_names)
    for rec_doc, rec in recs:
        bodies = index.target_bodies(target_body(rec_doc.text, rec.start), rec_doc)
        best: tuple[float, Clause, Doc, tuple[str, ...]] | None = None
        rec_vec = words.vector(words.stems(rec.text), idf)
        for d in index.later(rec_doc, bodies):
            for minute in index.minutes(d):
                signals: list[str] = []
                if rec.minute and rec.minute in minute.cited:
                    signals.append("minute_ref")
                elif minute.cited and rec_doc.body != d.body:
                    continue  # "(Cabinet Minute 118/24)" settles that minute's recommendations, not this one's
                if minute.as_recommended:
                    signals.append("as_recommended")
                for c in minute.decisions:
                    if c.text not in vectors:
                        vectors[c.text] = words.vector(words.stems(c.text), idf)
                    hit = pair_score(rec, c, words.cosine(rec_vec, vectors[c.text]), signals)
                    if hit and (best is None or hit[0] > best[0]):
                        best = (hit[0], c, d, hit[1])
            if best:
                break  # the first meeting that decided it
        if not best:
            continue
        score, dec, d, signals = best
        out.append(RecLink(rec, dec, rec_doc, d, "", score, signals, ""))
    # the outcome compares a decision with every recommendation it settled ("rents by 2.7% and garages by 5%")
    by_decision: dict[tuple[str, int], list[RecLink]] = {}
    for link in out:
        by_decision.setdefault((link.decision.document_id, link.decision.start), []).append(link)
    final = []
    for link in out:
        siblings = [x.rec.text for x in by_decision[(link.decision.document_id, link.decision.start)]]
        outcome = outcome_of(link.decision.text, siblings)
        body = committee_names.get(link.decision_doc.committee_id or "", link.decision_doc.council or "the council")
        reason = f"{outcome} by {body} on {link.decision_doc.meeting_date}: “{_short(link.decision.text)}”"
        final.append(
            RecLink(link.rec, link.decision, link.rec_doc, link.decision_doc, outcome, link.score, link.signals, reason)
        )
    return final


def pair_score(
    rec: Clause, decision: Clause, similarity: float, minute_signals: list[str]
) -> tuple[float, tuple[str, ...]] | None:
    """(score, signals) for a recommendation and a decision of a minute with ``minute_signals``, or None.

    A cited minute's decision needs only some shared wording (or to adopt "the recommendations"
    wholesale); an uncited one must say nearly the same thing.
    """
    signals = list(minute_signals)
    if similarity >= 0.15:
        signals.append("lexical")
    wholesale = is_wholesale(decision.text)
    if wholesale and rec.label and decision.label == rec.label:
        signals.append("label")  # "(a) as recommended"
    cited = "minute_ref" in signals or "as_recommended" in signals
    if cited and wholesale and ("label" in signals or not decision.label):
        score = 0.6 + 0.2 * ("minute_ref" in signals) + 0.2 * ("label" in signals)
    elif cited and similarity >= MIN_PAIR_CITED:
        score = 0.4 + 0.6 * similarity
    elif similarity >= MIN_PAIR_UNCITED:
        score = 0.6 * similarity
    else:
        return None
    return round(min(score, 1.0), 3), tuple(signals)


def _short(text: str, n: int = 100) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def decision_clause(item: dict, text: str) -> Clause:
    """A stored decision item as a clause, with its list label ("(a) as recommended")."""
    return Clause(
        item["document_id"], item["start"], item["end"], item["text"], item["id"], minute_key(item.get("minute_number")),
        sub_label(text, item["start"]),
    )  # fmt: skip


def minute_at(agendas: list[tuple[int, int, str | None, str]], pos: int) -> str | None:
    """The number of the last numbered agenda item starting at or before ``pos`` (a lead-in the structure
    took for a heading, such as "RECOMMENDED to Council that", has no number of its own)."""
    found = None
    for start, _end, number, _title in sorted(agendas):
        if start > pos:
            break
        if number:
            found = minute_key(number)
    return found


def rec_clauses(doc: Doc, items: list[dict], agendas: list[tuple[int, int, str | None, str]]) -> list[Clause]:
    """A document's recommendations: its recommendation items, the items that sit in a "RECOMMENDED … that:"
    list whatever kind they were given, and the points of such a list that no item covers."""
    points = list_points(doc.text, 0, len(doc.text))
    out: list[Clause] = []
    for i in items:
        in_list = any(p.start < i["end"] and i["start"] < p.end for p in points)
        if i["kind"] == "recommendation" or in_list:
            minute = minute_key(i.get("minute_number")) or minute_at(agendas, i["start"])
            out.append(
                Clause(doc.id, i["start"], i["end"], i["text"], i["id"], minute, sub_label(doc.text, i["start"]))
            )
    covered = [(i["start"], i["end"]) for i in items]
    for p in points:
        if any(s < p.end and p.start < e for s, e in covered):
            continue
        out.append(Clause(doc.id, p.start, p.end, p.text, None, minute_at(agendas, p.start), p.label))
    return sorted(out, key=lambda c: c.start)
