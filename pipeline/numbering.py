"""Paragraph numbering as minutes print it: ``1)``, ``(a)``, ``(iv)``, ``1.1``, ``77/21``, ``1772.``, bullets.

Shared by every reader (to split the number off a block) and by ``structure``
(to tell a minute number from a sub-point).
"""

from __future__ import annotations

import re

BULLETS = "•·▪◦●○■□➢➤►‣⁃-–*"

_NUMBER = re.compile(
    rf"""^\s*(?P<num>
        [{re.escape(BULLETS)}]                                 # bullet
      | (?:Minute|Min\.?|Item|No\.?)\s*\d+[A-Za-z]?(?:/\d{{2,4}})?[.:]?   # "Minute 43", "Item 5"
      | [A-Z]{{1,4}}\d{{0,3}}/\d{{1,4}}(?:/\d{{2,4}})?    # "CAB/12/24", "HW12/23"
      | \d{{1,4}}/\d{{2,4}}(?:\.\d+)?\.?             # "77/21", "43/2024"
      | \d{{1,3}}(?:\.\d{{1,3}}){{1,3}}\.?           # "1.1", "19.09.01", "6.2."
      | \d{{1,4}}[.)](?!\d)                         # "1." "1)" "1772."
      | \(\d{{1,3}}\)                               # "(1)"
      | \(?[a-z]\)                                  # "a)" "(a)"
      | \(?(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)\)   # "(iv)" "iv)"
      | (?:[a-hj-z]|i|ii|iii|iv|v|vi|vii|viii|ix|x)\.(?=\s)  # "a." "iv."
      | \d{{1,2}}[a-z](?=\s)                        # "6a"
      | \d{{1,3}}(?=\s{{2,}}|\t)                    # "1          Present"
    )(?=\s|$)\s*""",
    re.VERBOSE,
)

_MINUTE = re.compile(r"^(?:[A-Z]{1,4}\d{0,3}/)?\d{1,4}/\d{2,4}|^\d{2,4}\.?$|^(?:Minute|Min|Item|No)\b", re.I)
_LETTER = re.compile(r"^\(?([a-z])[).]$")
_ROMAN = re.compile(r"^\(?(i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)[).]$")


def split_number(text: str) -> tuple[str | None, str]:
    """Split a leading paragraph number or bullet off ``text``.

    >>> split_number("(a) that the report be noted")
    ('(a)', 'that the report be noted')
    >>> split_number("77/21 Minutes of the last meeting")
    ('77/21', 'Minutes of the last meeting')
    >>> split_number("2024 was a busy year")
    (None, '2024 was a busy year')
    """
    m = _NUMBER.match(text)
    if not m:
        return None, text
    rest = text[m.end() :]
    if not rest.strip() and m.group("num") in BULLETS:
        return None, text
    return m.group("num").strip(), rest


def is_bullet(number: str | None) -> bool:
    return bool(number) and number in BULLETS


def is_minute_number(number: str | None) -> bool:
    """True for numbers that name an agenda item ("77/21", "1772", "Minute 43"), not a sub-point."""
    return bool(number) and bool(_MINUTE.match(number))


def number_style(number: str | None) -> str | None:
    """The family a number belongs to, so sibling sub-points can be grouped.

    Returns one of "bullet", "letter", "roman", "decimal", "dotted", "paren", "minute" or None.
    """
    if not number:
        return None
    if is_bullet(number):
        return "bullet"
    if _ROMAN.match(number) and number.strip("().") not in ("i", "v", "x") or number in ("(i)", "i)"):
        return "roman"
    if _LETTER.match(number):
        return "letter"
    if _ROMAN.match(number):
        return "roman"
    if is_minute_number(number):
        return "minute"
    if re.match(r"^\d+(\.\d+)+\.?$", number):
        return "dotted"
    if re.match(r"^\(\d+\)$", number):
        return "paren"
    if re.match(r"^\d+[.)]?$", number):
        return "decimal"
    return None
