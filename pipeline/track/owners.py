"""One owner per person, role or body within a council, whatever form the minutes use.

- "the Director of Education and Early Help" and, later in the same minutes, "the
  Director" are one owner: a bare role head is read as the nearest full title with
  that head in the same document (before it, else after it).
- "Cllr Smith" and "Councillor J Smith" are one: titles are dropped and people are
  keyed by surname and initials; a name without initials joins the one person of that
  surname when there is only one.
- "Amanda Kershaw (Director of Children's Services)" and "Head of Legal and Democratic
  Services (Monitoring Officer)" in the text make a person or a second title an alias
  of the role.
- "the Chair" belongs to one committee, so each committee's Chair is its own owner.

The raw form is always kept (``item_owners.raw``). Rule data: ``models/patterns/owner_forms.json``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from ..patterns import load_json
from ..store import slug

DASHES = re.compile(r"\s*[–—]\s*|\s+-\s+")
CAP_WORD = r"[A-Z][\w'’&.-]*"
TITLE_WORD = r"[A-Z][\w'’&-]*"  # a word of a title: no full stop, which ends the sentence
CONNECTOR = r"(?:and|&|of|for|the|in|on)"
ROLE_WORDS = re.compile(
    r"\b(?:officer|director|head|member|chair\w*|vice-chair\w*|leader|clerk|mayor|manager|executive|representative|treasurer"
    r"|secretary|governor|lead|advis[eo]r|commissioner|solicitor|chief|portfolio|monitoring|convenor|convener|deputy"
    r"|coordinator|co-ordinator|engineer|planner|auditor|accountant|controller|superintendent|inspector)\b",
    re.I,
)
NOT_ROLE_PAREN = re.compile(
    r"^(?:item|minute|appendix|page|para|paragraph|section|see|exempt|[a-z]|[ivx]+|\d+)\b", re.I
)
INITIALS_ONLY = re.compile(r"^[A-Z]{1,5}$")


@cache
def forms() -> dict:
    """The rule data of owner_forms.json, compiled once per process."""
    data = load_json("owner_forms.json")
    titles = sorted(data["titles"], key=len, reverse=True)
    return {
        "titles": re.compile(r"^(?:(?:" + "|".join(re.escape(t) for t in titles) + r")\.?\s+)+", re.I),
        "short_heads": set(data["short_heads"]),
        "committee_roles": set(data["committee_roles"]),
        "suffix_roles": set(data["suffix_roles"]),
        "body_heads": set(data["body_heads"]),
        "head_re": re.compile(
            r"(?<![\w'’-])(?P<head>(?i:"
            + "|".join(re.escape(h) for h in sorted(data["short_heads"], key=len, reverse=True))
            + rf"))[ \t]+(?:of|for|–|-|—)[ \t]+(?P<rest>(?:the[ \t]+)?{TITLE_WORD}(?:[ \t]+{CONNECTOR}[ \t]+{TITLE_WORD}|[ \t]+{TITLE_WORD})*)"
        ),
    }


def clean(raw: str) -> str:
    """Tidy a name as written: no leading article, one kind of dash, single spaces."""
    s = raw.replace("’", "'").strip()
    s = DASHES.sub(" – ", s)
    s = re.sub(r"\s+", " ", s).strip(" ,.;:")
    s = re.sub(r"^(?:the|his|her|their)\s+", "", s, flags=re.I)
    return s[:1].upper() + s[1:] if s else s


def key(name: str) -> str:
    """Comparison key for a role or body: lower case, no articles, no punctuation."""
    s = clean(name).lower()
    s = re.sub(r"\bthe\b", " ", s)
    s = re.sub(r"[^\w&' ]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _head(name: str) -> str:
    """The head noun phrase: the words before "of", "for", "on", a dash or a comma."""
    head = re.split(r"\s+(?:of|for|on|with|in)\s+|\s+–\s+|,", clean(name).lower() if name else "", maxsplit=1)[0]
    return key(head)


def is_person(name: str) -> bool:
    """Does ``name`` name a person ("Cllr Smith", "Councillor J Smith", "Amanda Kershaw")?"""
    c = clean(name)
    if forms()["titles"].match(c):
        rest = forms()["titles"].sub("", c)
        return bool(rest) and rest[0].isupper() and not ROLE_WORDS.search(rest)
    words = c.split()
    return (
        2 <= len(words) <= 4
        and all(re.fullmatch(r"[A-Z][a-z'’-]+|[A-Z]\.?|O'[A-Z][a-z]+|Mc[A-Z][a-z]+", w) for w in words)
        and not ROLE_WORDS.search(c)
        and _head(c).split()[-1] not in forms()["body_heads"]
    )


def kind_of(name: str) -> str:
    """'person', 'role' or 'body'."""
    if is_person(name):
        return "person"
    head = _head(name)
    last = head.split()[-1] if head else ""
    if last in forms()["body_heads"] or head in forms()["body_heads"]:
        return "body"
    return "role"


def person_key(name: str) -> tuple[str, str] | None:
    """(surname, initials) of a person: "Councillor Mrs J Whitlock" -> ("whitlock", "j"), "Ellery N" -> ("ellery", "n")."""
    rest = forms()["titles"].sub("", clean(name).replace(".", ". ")).replace(".", " ")
    words = rest.split()
    if not words:
        return None
    if len(words) >= 2 and len(words[-1]) == 1 and words[-1].isupper():
        return words[0].lower(), "".join(w[0] for w in words[1:]).lower()
    return words[-1].lower(), "".join(w[0] for w in words[:-1]).lower()


def split_joint(raw: str) -> list[tuple[str, str]]:
    """[(name, 'lead' | 'joint' | 'consulted')] for one owner string.

    "the Director, in consultation with the Cabinet Member" is led by the Director; "Cllr Kershaw and
    the Clerk" are joint owners. "Head of Legal and Democratic Services" stays one title: an "and" splits
    only when a person stands on one side of it.
    """
    parts = re.split(r",?\s+in\s+consultation\s+with\s+", raw, flags=re.I)
    out: list[tuple[str, str]] = []
    for n, part in enumerate(parts):
        sides = re.split(r"\s+(?:and|&)\s+", part)
        if len(sides) == 2 and (is_person(sides[0]) or is_person(sides[1])) and all(clean(x) for x in sides):
            first = "lead" if n == 0 else "consulted"
            out += [(clean(sides[0]), first), (clean(sides[1]), "joint" if n == 0 else "consulted")]
        else:
            out.append((clean(part), "lead" if n == 0 else "consulted"))
    return [(name, role) for name, role in out if name]


def role_mentions(text: str) -> list[tuple[int, str]]:
    """Full titles with a short head in ``text``, with their offsets: (120, "Director of Children's Services")."""
    out = []
    for m in forms()["head_re"].finditer(text):
        before = text[max(0, m.start() - 20) : m.start()].split()
        # "Assistant Director – …" is not a mention of "Director …": the head is part of a longer title
        if (
            before
            and before[-1][:1].isupper()
            and before[-1].lower() not in ("the", "a", "an")
            and not before[-1].endswith((".", ":", ";", ","))
        ):
            continue
        name = clean(f"{m.group('head')} {text[m.end('head') : m.start('rest')].strip()} {m.group('rest')}")
        out.append((m.start(), name))
    return out


def expand_short(
    name: str, text: str, pos: int, mentions: list[tuple[int, str]] | None = None, known: list[str] = ()
) -> str:
    """A bare head ("the Director") read as the nearest full title with that head in the same document.

    The nearest one before ``pos`` wins; failing that, the first after it; failing both, the one title
    with that head among ``known`` (the council's other documents), if there is exactly one; else ``name``.
    """
    head = key(name)
    if head not in forms()["short_heads"]:
        return name
    mentions = role_mentions(text) if mentions is None else mentions
    same = [(p, n) for p, n in mentions if _head(n) == head and key(n) != head]
    before = [(p, n) for p, n in same if p < pos]
    if before:
        return before[-1][1]
    after = [(p, n) for p, n in same if p >= pos]
    if after:
        return after[0][1]
    elsewhere = {key(n): n for n in known if _head(n) == head and key(n) != head}
    return next(iter(elsewhere.values())) if len(elsewhere) == 1 else name


PAIR_RE = re.compile(
    rf"(?<![\w'’-])(?P<left>{CAP_WORD}(?:[ \t]+(?:{CONNECTOR}[ \t]+)?{CAP_WORD}){{0,7}})[ \t]*\((?P<right>[^()\n]{{2,90}})\)"
)


def attendance_pairs(text: str) -> list[tuple[str, str]]:
    """(person or title, title) pairs written as "Amanda Kershaw (Director of Children's Services)",
    "Head of Legal and Democratic Services (Monitoring Officer)", "Mrs C Naylor (Chair, Northmoor Schools Forum)"."""
    out = []
    for m in PAIR_RE.finditer(text):
        left = re.sub(r"^(?:Present|Officers|Also|In attendance|Apologies)\b\W*", "", m.group("left")).strip()
        left = re.sub(rf"^(?:(?:The|A|An|And|{CONNECTOR})\s+)+", "", left)
        people = re.split(r"\s+(?:and|&)\s+", left)
        if len(people) > 1 and all(is_person(x) for x in people):
            left = people[-1]  # "Mr Iwan Pritchard & Mrs Sian Morgan (Clerk)": the title is the last one's
        right = m.group("right").strip()
        if not left or NOT_ROLE_PAREN.match(right) or INITIALS_ONLY.match(right) or not ROLE_WORDS.search(right):
            continue
        first, _, rest = right.partition(",")
        role = first.strip()
        rest = rest.strip()
        if (
            key(role) in forms()["committee_roles"]
            and rest
            and rest[:1].isupper()
            and not rest.lower().startswith("in the")
        ):
            role = f"{role} of {rest}"  # "Chair, Northmoor Schools Forum"
        if left.split()[0].lower() in ("councillors", "cllrs"):
            left = left.split(None, 1)[1] if " " in left else left
        out.append((clean(left), clean(role)))
    return out


@dataclass(frozen=True)
class Owner:
    """One person, role or body of a council, with every form it was written in."""

    id: str
    council_id: str | None
    name: str
    kind: str  # "person" | "role" | "body"
    committee_id: str | None = None  # set for committee roles (a committee's Chair)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawOwner:
    """An owner string to normalise, with where it was written (for "the Director" and "the Chair")."""

    item_id: str
    raw: str
    document_id: str
    committee_id: str | None
    pos: int


@dataclass
class OwnerBook:
    """Normalises owner strings within one council; call :meth:`resolve` then :meth:`owners`."""

    council_id: str | None
    texts: dict[str, str]  # document id -> text
    committees: dict[str, str | None]  # document id -> committee id
    _mentions: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    _role_alias: dict[str, str] = field(default_factory=dict)  # role key -> role key it stands for
    _person_roles: dict[tuple[str, str], set[tuple[str | None, str]]] = field(default_factory=lambda: defaultdict(set))
    _person_names: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    _role_names: dict[tuple[str | None, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    _known_roles: set[str] = field(default_factory=set)
    _titles: list[str] = field(default_factory=list)  # every full title written in the council's documents

    def __post_init__(self) -> None:
        for doc_id, text in self.texts.items():
            self._mentions[doc_id] = role_mentions(text)
            for _, name in self._mentions[doc_id]:
                self._known_roles.add(key(name))
            for left, role in attendance_pairs(text):
                scope = self._scope(role, self.committees.get(doc_id))
                self._role_names[(scope, key(role))].append(role)
                self._known_roles.add(key(role))
                if is_person(left):
                    pk = person_key(left)
                    if pk:
                        self._person_roles[pk].add((scope, key(role)))
                        self._person_names[pk].add(left)
                elif kind_of(left) == "role" and kind_of(role) == "role" and key(left) != key(role):
                    # "Head of Legal and Democratic Services (Monitoring Officer)": the second title stands for the first
                    self._role_alias.setdefault(key(role), key(left))
                    self._role_names[(None, key(left))].append(left)
                    self._known_roles.add(key(left))

        self._titles = sorted(
            {n for names in self._role_names.values() for n in names}
            | {n for ms in self._mentions.values() for _, n in ms}
        )

    def _scope(self, name: str, committee_id: str | None) -> str | None:
        return (
            committee_id
            if _head(name) in forms()["committee_roles"] or key(name) in forms()["committee_roles"]
            else None
        )

    def canonical(self, raw: str, document_id: str | None = None, pos: int = 0) -> tuple[str, str, str | None, str]:
        """(kind, key, committee scope, display name) for one owner string as written in a document."""
        name = clean(raw)
        kind = kind_of(name)
        committee = self.committees.get(document_id) if document_id else None
        if kind == "role" and document_id in self.texts:
            name = expand_short(name, self.texts[document_id], pos, self._mentions.get(document_id), self._titles)
        if kind == "role" and key(name) in forms()["suffix_roles"]:
            longer = sorted(r for r in self._known_roles if r.endswith(" " + key(name)))
            if len(longer) == 1:
                name = next((n for (_, k), ns in self._role_names.items() if k == longer[0] for n in ns), name)
        if kind == "person":
            pk = person_key(name)
            return ("person", "|".join(pk) if pk else key(name), None, name)
        k = key(name)
        if k in self._role_alias:
            k = self._role_alias[k]  # "Monitoring Officer" is the title written before it in brackets
            name = self._role_names[(None, k)][0]
        return (kind, k, self._scope(name, committee), name)

    def resolve(self, raws: list[RawOwner]) -> list[tuple[RawOwner, str, str, str]]:
        """(raw owner, part as written, lead | joint | consulted, owner id) for every part of every raw owner.

        All of a council's owners are resolved together, because "Cllr Smith" can only join
        "Councillor J Smith" once every Smith is known. Call :meth:`owners` afterwards.
        """
        self._resolved: list[tuple[RawOwner, str, str, tuple[str, str, str | None, str]]] = []
        for r in raws:
            for part, role in split_joint(r.raw):
                self._resolved.append((r, part, role, self.canonical(part, r.document_id, r.pos)))
        self._finish()
        return [(r, part, role, oid) for (r, part, role, _), oid in zip(self._resolved, self.assigned)]

    def _finish(self) -> None:
        """Give every resolved owner string its owner id, merging people and title holders."""
        people: dict[str, set[str]] = defaultdict(set)  # surname -> initials seen
        for pk in self._person_roles:
            people[pk[0]].add(pk[1])
        for *_, (kind, k, _, _) in self._resolved:
            if kind == "person":
                surname, initials = k.split("|")
                people[surname].add(initials)

        def person_target(k: str) -> str:
            surname, initials = k.split("|")
            known = sorted(i for i in people[surname] if i)
            if not initials and len(known) == 1:
                initials = known[0]  # "Cllr Smith" is the one J Smith
            for other in known:
                if (
                    initials
                    and other != initials
                    and other.startswith(initials)
                    and len([o for o in known if o.startswith(initials)]) == 1
                ):
                    initials = other  # "J Smith" is "J M Smith" when there is only one
            return f"{surname}|{initials}"

        self._ids: dict[tuple[str, str, str | None], str] = {}
        self._names: dict[str, list[str]] = defaultdict(list)
        self._aliases: dict[str, set[str]] = defaultdict(set)
        self._kinds: dict[str, str] = {}
        self._scopes: dict[str, str | None] = {}
        self.assigned: list[str] = []
        for _raw, part, _role, (kind, k, scope, name) in self._resolved:
            if kind == "person":
                k = person_target(k)
                roles = self._person_roles.get(tuple(k.split("|")), set())  # type: ignore[arg-type]
                if len(roles) == 1:
                    scope, role_key = next(iter(roles))
                    kind, k = "role", role_key  # a person with one title is that title's holder
                    name = self._role_names[(scope, role_key)][0]
            owner_id = self._owner_id(kind, k, scope, name)
            self._names[owner_id].append(name)
            self._aliases[owner_id].add(clean(part))
            self.assigned.append(owner_id)
        for pk, roles in self._person_roles.items():
            if len(roles) == 1:
                scope, role_key = next(iter(roles))
                oid = self._ids.get(("role", role_key, scope))
                if oid:
                    self._aliases[oid].update(self._person_names[pk])

    def _owner_id(self, kind: str, k: str, scope: str | None, name: str) -> str:
        ident = (kind, k, scope)
        if ident not in self._ids:
            base = scope or self.council_id or "unknown"
            self._ids[ident] = f"{base}/{slug(k.replace('|', ' '))}"
            self._kinds[self._ids[ident]] = kind
            self._scopes[self._ids[ident]] = scope
        return self._ids[ident]

    def owners(self) -> list[Owner]:
        """The council's owners, each with its display name and every form it was written in."""
        out = []
        for owner_id, names in self._names.items():
            kind = self._kinds[owner_id]
            # the fullest form wins: "Councillor J Smith" over "Cllr Smith", "Director of X" over "Director"
            name = max(names, key=lambda n: (len(n.split()), names.count(n), -names.index(n)))
            if kind == "person":
                name = re.sub(r"^Cllr\.?\s", "Councillor ", name)
            out.append(
                Owner(
                    id=owner_id,
                    council_id=self.council_id,
                    name=name,
                    kind=kind,
                    committee_id=self._scopes[owner_id],
                    aliases=tuple(sorted(self._aliases[owner_id] - {name})),
                )
            )
        return sorted(out, key=lambda o: o.id)

    def id_for(self, raw: str, document_id: str | None = None, pos: int = 0) -> str | None:
        """The owner id a later mention ("Head of SEND Services" in an action-log row) refers to, if known."""
        if not raw.strip():
            return None
        kind, k, scope, _ = self.canonical(raw, document_id, pos)
        if kind == "person":
            for (kd, kk, _scope), oid in self._ids.items():
                if kd == "person" and kk.split("|")[0] == k.split("|")[0]:
                    return oid
            roles = self._person_roles.get(tuple(k.split("|")), set())  # type: ignore[arg-type]
            if len(roles) == 1:
                sc, rk = next(iter(roles))
                return self._ids.get(("role", rk, sc))
            return None
        return self._ids.get((kind, k, scope)) or self._ids.get((kind, k, None))
