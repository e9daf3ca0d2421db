"""The one set of input validators the calculators use: each returns the cleaned value or raises
:class:`ValueError` naming the argument and the value, in words a learner can act on.

Examples
--------
>>> positive("price", "2.5")
2.5
>>> non_negative("tokens", -1)
Traceback (most recent call last):
...
ValueError: tokens cannot be negative (or NaN or infinite), got -1.0
"""

from __future__ import annotations

import math

__all__ = ["fraction", "non_negative", "number", "positive", "whole"]


def number(name: str, value) -> float:
    """``value`` as a float, or a ValueError saying ``name`` must be a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None


def positive(name: str, value) -> float:
    """A positive, finite number."""
    value = number(name, value)
    if not value > 0 or math.isinf(value):
        raise ValueError(f"{name} must be a positive, finite number, got {value!r}")
    return value


def non_negative(name: str, value) -> float:
    """Zero or a positive, finite number."""
    value = number(name, value)
    if not value >= 0 or math.isinf(value):
        raise ValueError(f"{name} cannot be negative (or NaN or infinite), got {value!r}")
    return value


def fraction(name: str, value) -> float:
    """A share above 0 and at most 1 (0.5 for 50%).

    Examples
    --------
    >>> fraction("utilisation", 50)
    Traceback (most recent call last):
    ...
    ValueError: utilisation is a fraction between 0 and 1 (0.5 for 50%), got 50.0
    """
    value = positive(name, value)
    if value > 1:
        raise ValueError(f"{name} is a fraction between 0 and 1 (0.5 for 50%), got {value!r}")
    return value


def whole(name: str, value) -> int:
    """A whole number of at least 1 (``True`` and ``1.5`` are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)
