"""Words for matching actions to later passages: stems, concepts, TF-IDF and completion wording.

Everything here is a pure function of text plus the rule data in
``models/patterns/completion.json``. The stemmer is a small suffix stripper,
not a lemmatiser: "circulate", "circulated" and "circulating" share the stem
"circulat", which is all similarity needs, and it costs nothing per passage
(the spaCy model has no word vectors, so it would add time and no meaning).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from ..patterns import load_json

WORD_RE = re.compile(r"[a-z][a-z'’-]*[a-z]|[a-z]")
# (suffix, replacement), tried in order; the stem keeps at least three letters
SUFFIXES = (
    ("ational", "ate"), ("ation", "ate"), ("ations", "ate"), ("ings", ""), ("ing", ""), ("ies", "y"), ("ied", "y"),
    ("edly", ""), ("ed", ""), ("es", ""), ("ments", ""), ("ment", ""), ("s", ""),
)  # fmt: skip


@cache
def rules() -> dict:
    """The completion and similarity wording, compiled once per process."""
    data = load_json("completion.json")
    flags = re.I
    return {
        "done": [re.compile(p, flags) for p in data["done"]],
        "not_done": [re.compile(p, flags) for p in data["not_done"]],
        "progress": [re.compile(p, flags) for p in data["progress"]],
        "cell_done": [re.compile(p, flags) for p in data["status_cells"]["done"]],
        "cell_progress": [re.compile(p, flags) for p in data["status_cells"]["progress"]],
        "bring_back": [re.compile(p, flags) for p in data["bring_back"]],
        "subject": [re.compile(p, flags) for p in data["subject"]],
        "headers": {k: set(v) for k, v in data["action_log_headers"].items()},
        "stopwords": frozenset(data["stopwords"]),
        "concepts": _concepts(data["synonyms"]),
    }


def _concepts(groups: list[list[str]]) -> dict[str, str]:
    """Stem -> the stem of its synonym group's first word."""
    out: dict[str, str] = {}
    for group in groups:
        name = stem(group[0])
        for word in group:
            for part in word.split():
                out.setdefault(stem(part), name)
    return out


@cache
def stem(word: str) -> str:
    """A crude, stable stem: "circulated" -> "circulat", "briefings" -> "brief", "copies" -> "copy"."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'-")
    if len(w) <= 4:
        return w
    for suffix, repl in SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) + len(repl) >= 3 and not w.endswith("ss"):
            w = w[: len(w) - len(suffix)] + repl
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def stems(text: str) -> list[str]:
    """Content stems of ``text`` in order, stopwords dropped."""
    stop = rules()["stopwords"]
    return [stem(w) for w in WORD_RE.findall(text.lower()) if w not in stop and len(w) > 1]


def concepts(stem_list: Iterable[str]) -> set[str]:
    """Stems mapped to their synonym group ("slid" and "presentat" are one concept)."""
    table = rules()["concepts"]
    return {table.get(s, s) for s in stem_list}


@dataclass
class Idf:
    """Inverse document frequency over a set of texts (the passages and actions of one rebuild)."""

    n: int
    df: Counter
    weights: dict[str, float] = field(default_factory=dict)

    @classmethod
    def fit(cls, stem_lists: Iterable[Iterable[str]]) -> Idf:
        df: Counter = Counter()
        n = 0
        for lst in stem_lists:
            n += 1
            df.update(set(lst))
        return cls(n, df, {s: math.log((1 + n) / (1 + c)) + 1.0 for s, c in df.items()})

    def weight(self, s: str) -> float:
        w = self.weights.get(s)
        return w if w is not None else math.log(1 + self.n) + 1.0


def vector(stem_list: Iterable[str], idf: Idf) -> dict[str, float]:
    """A unit-length TF-IDF vector."""
    tf = Counter(stem_list)
    vec = {s: (1 + math.log(c)) * idf.weight(s) for s, c in tf.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {s: v / norm for s, v in vec.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two unit-length sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def coverage(action: set[str], passage: set[str], idf: Idf) -> float:
    """Share of the action's concepts (weighted by IDF) that the passage also speaks of."""
    total = sum(idf.weight(c) for c in action)
    if not total:
        return 0.0
    return sum(idf.weight(c) for c in action & passage) / total


def completion(text: str) -> str | None:
    """'done', 'progress' or None: what a passage says about the state of the thing it reports on.

    >>> completion("the slides had been circulated to members on 20 January 2025")
    'done'
    >>> completion("A reply had not yet been received.")
    'progress'
    """
    r = rules()
    low = text.lower()
    for pattern in r["done"]:
        for m in pattern.finditer(low):
            before = low[max(0, m.start() - 30) : m.start()]
            if not any(n.search(before) for n in r["not_done"]):
                return "done"
    if any(p.search(low) for p in r["progress"]):
        return "progress"
    return None


def cell_completion(cell: str) -> str | None:
    """'done', 'progress' or None for the Status cell of an action-log row ("Complete – circulated 20 January")."""
    r = rules()
    if any(p.search(cell) for p in r["cell_done"]):
        return "done"
    if any(p.search(cell) for p in r["cell_progress"]):
        return "progress"
    return completion(cell)


def asks_to_bring_back(action_text: str) -> bool:
    """Does the action ask for something to come back to a meeting ("a further report … be brought to the Committee")?"""
    return any(p.search(action_text) for p in rules()["bring_back"])


def subject(action_text: str) -> str | None:
    """What should come back: "an item on school place planning for the May meeting" -> "school place planning"."""
    for pattern in rules()["subject"]:
        m = pattern.search(action_text)
        if m and stems(m.group("subject")):
            return m.group("subject").strip()
    return None


def header_role(cell: str) -> str | None:
    """Which column of an action log a header cell names: 'ref', 'action', 'owner', 'due', 'status' or None."""
    key = re.sub(r"\s+", " ", cell.strip().lower().rstrip(":"))
    for role, names in rules()["headers"].items():
        if key in names:
            return role
    return None
