"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and upper-case letters without
I, O, Z, S, V). Position 1 is the registration authority, 2 the organisation type, 3–8 the
administrative division (GB/T 2260), 9–17 the organisation code (GB 11714) and 18 the check
character: ``C18 = 31 − (Σ Ci·Wi mod 31)``, with 31 written as ``0``, over the weights
``Wi = 3^(i−1) mod 31`` for i = 1..17.

>>> is_valid_credit_code("91350100M000100Y43")
True
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18


def check_character(body: str) -> str:
    """The check character for the first 17 characters of a code."""
    if len(body) != LENGTH - 1 or any(ch not in _VALUE for ch in body):
        raise ValueError(f"body must be 17 characters of {ALPHABET}; got (body={body!r})")
    total = sum(_VALUE[ch] * w for ch, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """What is wrong with ``code``, or ``None`` when it is a valid GB 32100 code."""
    if len(code) != LENGTH:
        return f"must be {LENGTH} characters, got {len(code)}"
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        return f"has characters outside the GB 32100 alphabet: {''.join(bad)}"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r} but GB 32100 gives {expected!r}"
    return None


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(code) is None
