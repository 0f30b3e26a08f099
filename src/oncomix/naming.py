"""The order in which names of subtypes and factors are read: ST2 before ST10, ST1.2 before ST1.10, Factor2
before Factor10 (numbers compared as numbers). Every table, figure and card lists them so."""

from __future__ import annotations

import re
from collections.abc import Iterable


def reading_key(name: str) -> list:
    """Sort key of one name: its text and number parts, the numbers as integers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name))]


def subtype_order(names: Iterable) -> list[str]:
    """The distinct names (as text) in reading order."""
    return sorted({str(name) for name in names}, key=reading_key)
