"""Policy themes for items, from the agenda item's title, the item's own words and the body that met.

Ten themes (SEND and children's services, adult social care, health, housing, planning,
finance and budget, transport and highways, environment and climate, community safety,
governance) are defined by word lists in ``models/patterns/themes.json``. A word found in
the agenda item's title counts ``title_weight`` times as much as one found in the item's
text, because the title says what the business is about while the text may mention other
things in passing ("report back to the next meeting"); the committee's name ("Health and
Wellbeing Board") counts least and mostly decides items with no telling words of their own.
Titles that are section labels or catch-alls ("RECOMMENDATIONS", "Matters arising",
"Correspondence") are ignored. Governance has a weight below one,
so it wins only when nothing more specific is said: an item under "Recommendations of the
Overview and Scrutiny Committee – Review of Fly-tipping" is about the environment.

:func:`theme_for` is pure and cheap (a few compiled regexes per theme); the store calls it
once per item at ingest and keeps the result in ``items.theme``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import cache, lru_cache

from .errors import BadPatternFile
from .patterns import PATTERNS, load_json

THEMES_FILE = "themes.json"


@dataclass(frozen=True)
class Theme:
    """One theme: its name as shown on the site, its weight and its compiled words."""

    name: str
    weight: float
    words: tuple[re.Pattern[str], ...]
    # per word, a piece of text it cannot match without (see needle()), so most searches are never started
    needles: tuple[tuple[str, bool] | None, ...] = ()


def word_pattern(word: str) -> re.Pattern[str]:
    """Compile one entry of a theme's word list (syntax in themes.json's ``_doc``).

    >>> bool(word_pattern("fly-tipping").search("reports of fly tipping"))
    True
    >>> bool(word_pattern("SEND").search("we will send it"))
    False
    """
    if word.startswith("re:"):
        return re.compile(word[3:])
    acronym = any(c.isupper() for c in word) and not any(c.islower() for c in word)
    prefix = word.endswith("*")
    body = word.rstrip("*")
    parts = []
    for token in re.split(r"(\s+|-)", body):
        if not token:
            continue
        if token.isspace():
            parts.append(r"\s+")
        elif token == "-":
            parts.append(r"[-\s]?")
        else:
            parts.append(re.escape(token))
    pattern = r"(?<!\w)" + "".join(parts) + (r"\w*" if prefix else r"(?!\w)")
    # typographic apostrophes: "children’s" is written both ways
    pattern = pattern.replace("'", "['’]")
    return re.compile(pattern, 0 if acronym else re.IGNORECASE)


# the only characters that match an ASCII letter case-insensitively in re but do not lower() to that one letter:
# dotless i and long s lower to themselves, dotted capital I to "i" plus a combining dot
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f]")


def needle(word: str) -> tuple[str, bool] | None:
    """(text, case-sensitive) that every match of ``word_pattern(word)`` contains, or None (a regex word).

    The longest plain ASCII piece of the word, lower-cased unless the word is an acronym; a text
    without it (lower-cased, for the others) cannot match, which is checked far faster than searched.

    >>> needle("special educational need*")
    ('educational', False)
    >>> needle("SEND")
    ('SEND', True)
    """
    if word.startswith("re:"):
        return None
    acronym = any(c.isupper() for c in word) and not any(c.islower() for c in word)
    pieces = [t for t in re.split(r"[\s\-*']+", word) if t and t.isascii() and t.isalnum()]
    if not pieces:
        return None
    piece = max(pieces, key=len)
    return (piece, True) if acronym else (piece.lower(), False)


@dataclass(frozen=True)
class Rules:
    """Everything themes.json holds, compiled."""

    themes: tuple[Theme, ...]  # in tie-break order
    title_weight: float
    body_weight: float
    min_score: float
    ignore_titles: re.Pattern[str]


@cache
def rules() -> Rules:
    """The compiled rules of themes.json (read once per process)."""
    data = load_json(THEMES_FILE)
    try:
        return Rules(
            themes=tuple(
                Theme(
                    t["name"],
                    float(t.get("weight", 1.0)),
                    tuple(word_pattern(w) for w in t["words"]),
                    tuple(needle(w) for w in t["words"]),
                )
                for t in data["themes"]
            ),
            title_weight=float(data["title_weight"]),
            body_weight=float(data["body_weight"]),
            min_score=float(data["min_score"]),
            ignore_titles=re.compile("|".join(f"(?:{p})" for p in data["ignore_titles"]), re.IGNORECASE),
        )
    except (KeyError, TypeError, ValueError, re.error) as e:
        raise BadPatternFile(f"{PATTERNS / THEMES_FILE}: {type(e).__name__}: {e}") from None


def theme_names() -> list[str]:
    """Every theme's name, in the order of themes.json."""
    return [t.name for t in rules().themes]


def scores(title: str | None, text: str | None, body: str | None = None) -> list[tuple[str, float]]:
    """Each theme that scores above zero with its score, best first (ties in themes.json order)."""
    r = rules()
    if title and r.ignore_titles.fullmatch(title.strip().rstrip(":").strip()):
        title = None
    out = []
    per_part = [_hits(part) if part else None for part in (title, text, body)]
    for order, theme in enumerate(r.themes):
        hits = [h[order] if h else 0 for h in per_part]
        score = theme.weight * (r.title_weight * hits[0] + hits[1] + r.body_weight * hits[2])
        if score > 0:
            out.append((order, theme.name, score))
    out.sort(key=lambda x: (-x[2], x[0]))
    return [(name, score) for _, name, score in out]


@lru_cache(maxsize=4096)
def _hits(part: str) -> tuple[int, ...]:
    """How many of each theme's words ``part`` contains.

    Cached: a document's items share their committee's name and, item by item, their agenda title.
    """
    lowered = None if _FOLDS_TO_ASCII.search(part) else part.lower()
    out = []
    for theme in rules().themes:
        n = 0
        for pattern, need in zip(theme.words, theme.needles):
            if need is not None and (need[0] not in part if need[1] else lowered and need[0] not in lowered):
                continue
            if pattern.search(part):
                n += 1
        out.append(n)
    return tuple(out)


def theme_for(title: str | None, text: str | None, body: str | None = None) -> str | None:
    """The theme of an item, or None when no theme scores at least ``min_score``.

    :param title: the title of the agenda item the item belongs to.
    :param text: the item's text.
    :param body: the name of the committee, board or council that met.

    >>> theme_for("SEND Sufficiency and the Written Statement of Action", "officers to circulate the figures")
    "SEND and children's services"
    >>> theme_for("Apologies for absence", "apologies were received")
    'governance'
    >>> theme_for(None, "the next meeting") is None
    True
    """
    ranked = scores(title, text, body)
    if not ranked or ranked[0][1] < rules().min_score:
        return None
    return ranked[0][0]


def backfill(conn: sqlite3.Connection) -> int:
    """Give every stored item without a theme its theme, adding ``items.theme`` if the table lacks it.

    For databases ingested before the store assigned themes; returns how many items changed.
    Runs in one transaction.
    """
    columns = {r[1] for r in conn.execute("pragma table_info(items)")}
    rows = conn.execute(
        "select i.id, i.agenda_item_title, i.text, coalesce(k.name, c.name) from items i "
        "left join committees k on k.id = i.committee_id left join councils c on c.id = i.council_id"
        + (" where i.theme is null" if "theme" in columns else "")
    ).fetchall()
    conn.execute("begin immediate")
    try:
        if "theme" not in columns:
            conn.execute("alter table items add column theme text")
        conn.executemany("update items set theme = ? where id = ?", [(theme_for(t, x, b), i) for i, t, x, b in rows])
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return len(rows)
