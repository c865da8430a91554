"""Builders for synthetic test inputs (importable from any test: `from factories import ...`)."""

from __future__ import annotations

import random

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id_number(area: str = "110101", birth: str = "19850312", seq: str | None = None, rng=None) -> str:
    """A GB 11643 ID number with a correct check character (synthetic, not a real person)."""
    rng = rng or random.Random(7)
    seq = seq or f"{rng.randrange(0, 1000):03d}"
    body = area + birth + seq
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]
