"""Is an item an action: must someone do something after the meeting? (ANNOTATION.md "Action")."""

from __future__ import annotations

import re

from ..patterns import load_json

_A = load_json("actions.json")
ACTION = [re.compile(p) for p in _A["action"]]
NO_ACTION = [re.compile(p) for p in _A["no_action"]]
UNDERTAKING_NO_ACTION = [re.compile(p) for p in _A["undertaking_no_action"]]
ACRONYM = re.compile(r"\b[A-Z]{3,}s?\b")
NOTED_OUTCOME = re.compile(
    r"[\-–—]\s*(?:noted|received|no\s+objections?|objection|object(?:ed)?|refused|support(?:ed)?)\s*\.?$"
)
CAPS_VERB = re.compile(r"\b" + load_json("triggers.json")["caps_verbs"] + r"\b")
STRONG_NO_ACTION = [re.compile(p) for p in _A["strong_no_action"]]


# "Clerk to write …", "Officers will engage …": these forms name someone who must act, whatever the verb
DOER_RULES = {
    "name-to-verb",
    "action-line",
    "undertook",
    "would-future",
    "were-to",
    "to-be-passive",
    "will-be-on-agenda",
}


def is_action(text: str, kind: str, forced: bool | None = None, rule: str = "") -> bool:
    """Decide ``action`` from the clause's wording.

    Noting, receiving, approving minutes and electing open a clause and settle it
    ("To note that the plan will review …" asks nothing of anyone), so those win
    when they lead; otherwise any action cue (circulate, report back, write to,
    delegate, pay …) makes it an action.
    """
    if forced:
        return True
    # "SEND" (special educational needs) must not read as the verb "send": acronyms are not cues
    # … but "The Board ASKED the Director to …" is a verb in capitals
    text = CAPS_VERB.sub(lambda m: m.group(0).lower(), text)
    low = ACRONYM.sub("acronym", text).lower().strip()
    if rule == "outcome-line" and NOTED_OUTCOME.search(low):
        return False  # "Email from CALC re training – noted": the outcome closes the matter, whatever it mentions
    if any(p.search(low) for p in UNDERTAKING_NO_ACTION):
        return False
    if any(p.search(low) for p in STRONG_NO_ACTION):
        return False
    if any(p.search(low) for p in ACTION):
        return True
    if any(p.search(low) for p in NO_ACTION):
        return False
    return kind == "undertaking" or rule in DOER_RULES
