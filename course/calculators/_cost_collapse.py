"""Calculators for module 01, the inference cost collapse.

Pure functions: a price decline as a ratio, an annual rate and a halving time; prices and bills
projected forward; the month a borderline use case breaks even; and the memory a model's weights need.

Conventions
-----------
- Prices are in US dollars per million tokens ("$/M") unless a name says otherwise.
- A decline *rate* is a fraction of the price lost per year: 0.9 means the price falls to a tenth in a
  year, which is a *fold* decline of 10x per year. ``decline_rate_from_fold`` and
  ``fold_from_decline_rate`` convert between the two.
- Between whole years a price is assumed to fall geometrically (the same fraction every month), so a
  decline of 0.9 a year is a fall to ``0.1 ** (1 / 12)`` of the price each month.
- A year is 365.25 days when two dates are given.
- GB means 10**9 bytes (the unit GPU vendors quote), not GiB (2**30 bytes).
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

from course._base._validators import non_negative, positive
from course.calculators._units import cost_of_tokens

__all__ = [
    "annual_decline_rate",
    "annual_fold_decline",
    "bill_over_time",
    "break_even_month",
    "bytes_per_parameter",
    "decline_rate_from_fold",
    "decline_rate_from_halving_months",
    "fold_decline",
    "fold_from_decline_rate",
    "halving_time_months",
    "model_memory_gb",
    "project_price",
]

DAYS_PER_YEAR = 365.25
MONTHS_PER_YEAR = 12
BYTES_PER_GB = 1e9

# Bytes needed to store one parameter at each precision (weights only).
_PRECISION_BYTES: dict[str, float] = {
    "fp32": 4.0,
    "fp16": 2.0,
    "bf16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
}

DateLike = str | date | datetime | pd.Timestamp


# --------------------------------------------------------------------------- checks


def _decline(value: float) -> float:
    value = float(value)
    if math.isnan(value) or value >= 1:
        raise ValueError(
            "annual_decline is the fraction of the price lost in a year and must be below 1 "
            f"(0.9 means 10x cheaper a year), got {value!r}; a percentage such as 90 should be 0.9"
        )
    return value


def _timestamp(name: str, value: DateLike) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} is not a date: {value!r}") from err
    if pd.isna(stamp):
        raise ValueError(f"{name} is not a date: {value!r}")
    return stamp


def _years(years: float | None, start: DateLike | None, end: DateLike | None) -> float:
    """Return the length of the period, from ``years`` or from two dates."""
    if years is not None:
        if start is not None or end is not None:
            raise ValueError("give either years=... or start=... and end=..., not both")
        return positive("years", years)
    if start is None or end is None:
        raise ValueError("give the period: years=... or both start=... and end=...")
    t0, t1 = _timestamp("start", start), _timestamp("end", end)
    if t1 <= t0:
        raise ValueError(f"end ({t1.date()}) must come after start ({t0.date()})")
    return (t1 - t0).total_seconds() / 86_400 / DAYS_PER_YEAR


# --------------------------------------------------------------------------- declines


def fold_decline(old_price: float, new_price: float) -> float:
    """Return how many times cheaper ``new_price`` is than ``old_price``.

    Parameters
    ----------
    old_price : float
        The earlier price, in any unit (the same as ``new_price``). Must be positive.
    new_price : float
        The later price. Must be positive.

    Returns
    -------
    float
        ``old_price / new_price``: above 1 when the price fell, below 1 when it rose.

    Raises
    ------
    ValueError
        If a price is zero, negative or not finite.

    Examples
    --------
    The AI Index 2025 (ch. 1): GPT-3.5-level capability cost $20/M in Nov 2022 and $0.07/M in
    Oct 2024, "more than 280-fold" cheaper.

    >>> round(fold_decline(20, 0.07), 1)
    285.7
    """
    return positive("old_price", old_price) / positive("new_price", new_price)


def annual_fold_decline(
    old_price: float,
    new_price: float,
    *,
    years: float | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> float:
    """Return the fold decline per year between two prices (e.g. 10.0 for "10x cheaper a year").

    Parameters
    ----------
    old_price, new_price : float
        The earlier and the later price, in the same unit. Must be positive.
    years : float, optional
        The time between the two prices, in years.
    start, end : str, datetime.date, datetime.datetime or pandas.Timestamp, optional
        The dates of the two prices, instead of ``years`` (a year is 365.25 days).

    Returns
    -------
    float
        ``fold_decline(old_price, new_price) ** (1 / years)``.

    Raises
    ------
    ValueError
        If a price is not positive, if neither or both of ``years`` and the dates are given, if a date
        cannot be read, or if ``end`` is not after ``start``.

    Examples
    --------
    a16z's "LLMflation": $60/M to $0.06/M in three years is 1,000x, or 10x a year.

    >>> round(annual_fold_decline(60, 0.06, years=3), 6)
    10.0
    >>> round(annual_fold_decline(20, 0.07, start="2022-11-30", end="2024-10-03"), 1)
    21.5
    """
    span = _years(years, start, end)
    return fold_decline(old_price, new_price) ** (1 / span)


def annual_decline_rate(
    old_price: float,
    new_price: float,
    *,
    years: float | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> float:
    """Return the fraction of the price lost per year between two prices (0.9 for 10x a year).

    Parameters
    ----------
    old_price, new_price : float
        The earlier and the later price, in the same unit. Must be positive.
    years : float, optional
        The time between the two prices, in years.
    start, end : str, datetime.date, datetime.datetime or pandas.Timestamp, optional
        The dates of the two prices, instead of ``years`` (a year is 365.25 days).

    Returns
    -------
    float
        ``1 - (new_price / old_price) ** (1 / years)``: between 0 and 1 when the price fell,
        negative when it rose.

    Raises
    ------
    ValueError
        As for :func:`annual_fold_decline`.

    Examples
    --------
    >>> round(annual_decline_rate(60, 0.06, years=3), 6)
    0.9
    >>> round(annual_decline_rate(20, 0.07, start="2022-11-30", end="2024-10-03"), 3)
    0.954
    >>> round(annual_decline_rate(1, 2, years=1), 6)   # the price doubled
    -1.0
    """
    return decline_rate_from_fold(
        annual_fold_decline(old_price, new_price, years=years, start=start, end=end)
    )


def decline_rate_from_fold(fold_per_year: float) -> float:
    """Convert a fold decline per year (10 for "10x a year") into a decline rate (0.9).

    Examples
    --------
    >>> decline_rate_from_fold(10)
    0.9
    >>> round(decline_rate_from_fold(900), 4)     # the top of Epoch AI's 9x-900x range
    0.9989
    """
    return 1 - 1 / positive("fold_per_year", fold_per_year)


def fold_from_decline_rate(annual_decline: float) -> float:
    """Convert a decline rate per year (0.9) into a fold decline per year (10x).

    Examples
    --------
    >>> round(fold_from_decline_rate(0.9), 6)
    10.0
    >>> round(fold_from_decline_rate(0.3), 3)     # 30% a year is about 1.43x a year
    1.429
    """
    return 1 / (1 - _decline(annual_decline))


def halving_time_months(annual_decline: float) -> float:
    """Return the number of months in which a price halves at a given annual decline rate.

    Parameters
    ----------
    annual_decline : float
        Fraction of the price lost per year, between 0 and 1 (0.9 for 10x a year).

    Returns
    -------
    float
        ``12 * ln(2) / -ln(1 - annual_decline)`` months.

    Raises
    ------
    ValueError
        If ``annual_decline`` is not strictly between 0 and 1 (a price that does not fall never halves).

    Examples
    --------
    >>> round(halving_time_months(0.9), 2)       # 10x a year: halves about every 3.6 months
    3.61
    >>> round(halving_time_months(0.5), 6)
    12.0
    """
    rate = _decline(annual_decline)
    if rate <= 0:
        raise ValueError(f"a price that does not fall never halves: annual_decline={rate!r}")
    return MONTHS_PER_YEAR * math.log(2) / -math.log1p(-rate)


def decline_rate_from_halving_months(halving_months: float) -> float:
    """Return the annual decline rate of a price that halves every ``halving_months`` months.

    The inverse of :func:`halving_time_months`. A quantity that doubles every two years (the usual
    statement of Moore's law) makes the cost of a fixed amount fall about 29% a year.

    Examples
    --------
    >>> round(decline_rate_from_halving_months(24), 3)
    0.293
    >>> round(decline_rate_from_halving_months(12), 6)
    0.5
    """
    months = positive("halving_months", halving_months)
    return 1 - 0.5 ** (MONTHS_PER_YEAR / months)


# --------------------------------------------------------------------------- projections


def project_price(price: float, *, annual_decline: float, months: float) -> float:
    """Return the price after ``months`` months if it keeps falling at ``annual_decline`` a year.

    Parameters
    ----------
    price : float
        Today's price, in any unit ($/M in the course). Must not be negative.
    annual_decline : float
        Fraction of the price lost per year, below 1 (0.9 for 10x a year; negative for a rise).
    months : float
        How far ahead; may be fractional. Must not be negative.

    Returns
    -------
    float
        ``price * (1 - annual_decline) ** (months / 12)``.

    Raises
    ------
    ValueError
        If ``price`` or ``months`` is negative or ``annual_decline`` is 1 or more.

    Examples
    --------
    >>> round(project_price(10.0, annual_decline=0.9, months=12), 6)
    1.0
    >>> round(project_price(10.0, annual_decline=0.9, months=6), 4)
    3.1623
    """
    price = non_negative("price", price)
    months = non_negative("months", months)
    return price * (1 - _decline(annual_decline)) ** (months / MONTHS_PER_YEAR)


def bill_over_time(
    monthly_tokens: float,
    price_per_m: float,
    *,
    annual_decline: float,
    months: int = 36,
) -> pd.DataFrame:
    """Return the monthly bill for a steady workload while its price falls.

    Parameters
    ----------
    monthly_tokens : float
        Tokens used each month (the same every month).
    price_per_m : float
        Today's price, in dollars per million tokens.
    annual_decline : float
        Fraction of the price lost per year, below 1 (0.9 for 10x a year).
    months : int, default 36
        Number of months in the table; month 0 is this month.

    Returns
    -------
    pandas.DataFrame
        One row per month with columns ``month`` (0 to ``months - 1``), ``price_usd_per_m`` and
        ``bill_usd``.

    Raises
    ------
    ValueError
        If an amount is negative, ``months`` is not a positive whole number or ``annual_decline``
        is 1 or more.

    Examples
    --------
    >>> bill = bill_over_time(100_000_000, 2.0, annual_decline=0.9, months=13)
    >>> bill.loc[[0, 12], "bill_usd"].round(6).tolist()
    [200.0, 20.0]
    """
    tokens = non_negative("monthly_tokens", monthly_tokens)
    price = non_negative("price_per_m", price_per_m)
    rate = _decline(annual_decline)
    if isinstance(months, bool) or int(months) != months or months < 1:
        raise ValueError(f"months must be a positive whole number, got {months!r}")
    month = list(range(int(months)))
    prices = [project_price(price, annual_decline=rate, months=m) for m in month]
    return pd.DataFrame(
        {
            "month": month,
            "price_usd_per_m": prices,
            "bill_usd": [cost_of_tokens(tokens, p) for p in prices],
        }
    )


def break_even_month(
    *,
    calls_per_month: float,
    tokens_per_call: float,
    price_per_m: float,
    annual_decline: float,
    value_per_call: float,
    horizon_months: int = 36,
    fixed_monthly_usd: float = 0.0,
) -> int | None:
    """Return the first month in which a use case's value covers its cost, or None.

    A use case breaks even in the first month ``m`` (0 = this month) in which the value of a month's
    calls is at least what they cost::

        calls_per_month * value_per_call >= calls_per_month * cost_per_call(m) + fixed_monthly_usd

    where ``cost_per_call(m) = tokens_per_call / 1e6 * project_price(price_per_m, ...)``. With no fixed
    cost this is the first month in which the cost per call falls to or below the value per call.

    Parameters
    ----------
    calls_per_month : float
        Calls made each month. Must be positive.
    tokens_per_call : float
        Tokens per call (input and output together, at the blended price). Must be positive.
    price_per_m : float
        Today's price, in dollars per million tokens.
    annual_decline : float
        Fraction of the price lost per year, below 1 (0.9 for 10x a year).
    value_per_call : float
        What one call is worth to the business, in dollars.
    horizon_months : int, default 36
        Months 0 to ``horizon_months - 1`` are searched.
    fixed_monthly_usd : float, default 0.0
        A monthly cost that does not fall with token prices (hosting, staff), in dollars.

    Returns
    -------
    int or None
        The break-even month, or None if it does not come within the horizon.

    Raises
    ------
    ValueError
        If an amount is negative, a count is not positive or ``annual_decline`` is 1 or more.

    Examples
    --------
    A call of 2,000 tokens at $10/M costs 2 cents; if it is worth 0.5 cents the price must fall 4x.
    At 10x a year that takes 0.6 years, so the case breaks even in month 8.

    >>> break_even_month(calls_per_month=10_000, tokens_per_call=2_000, price_per_m=10.0,
    ...                  annual_decline=0.9, value_per_call=0.005)
    8
    >>> break_even_month(calls_per_month=10_000, tokens_per_call=2_000, price_per_m=10.0,
    ...                  annual_decline=0.0, value_per_call=0.005) is None
    True
    """
    calls = positive("calls_per_month", calls_per_month)
    tokens = positive("tokens_per_call", tokens_per_call)
    price = non_negative("price_per_m", price_per_m)
    rate = _decline(annual_decline)
    value = non_negative("value_per_call", value_per_call)
    fixed = non_negative("fixed_monthly_usd", fixed_monthly_usd)
    if isinstance(horizon_months, bool) or int(horizon_months) != horizon_months or horizon_months < 1:
        raise ValueError(f"horizon_months must be a positive whole number, got {horizon_months!r}")
    for month in range(int(horizon_months)):
        cost = calls * cost_of_tokens(tokens, project_price(price, annual_decline=rate, months=month))
        cost += fixed
        worth = calls * value
        # A small tolerance so that an exact break-even is not lost to rounding.
        if cost <= worth or math.isclose(cost, worth, rel_tol=1e-9, abs_tol=1e-12):
            return month
    return None


# --------------------------------------------------------------------------- memory


def bytes_per_parameter(precision: str | int = "fp16") -> float:
    """Return the bytes one parameter takes at a precision.

    Parameters
    ----------
    precision : str or int, default "fp16"
        One of ``"fp32"``, ``"fp16"``, ``"bf16"``, ``"fp8"``, ``"int8"``, ``"int4"`` (any case), or
        a number of bits such as 4.

    Returns
    -------
    float
        Bytes per parameter: 2 at FP16, 1 at INT8, 0.5 at INT4.

    Raises
    ------
    ValueError
        If the precision is unknown or the number of bits is not positive.

    Examples
    --------
    >>> [bytes_per_parameter(p) for p in ("fp16", "int8", "int4")]
    [2.0, 1.0, 0.5]
    >>> bytes_per_parameter(4)
    0.5
    """
    if isinstance(precision, bool):
        raise ValueError(f"precision must be a name such as 'int4' or a number of bits, got {precision!r}")
    if isinstance(precision, int | float):
        return positive("bits", precision) / 8
    key = str(precision).strip().lower()
    if key not in _PRECISION_BYTES:
        known = ", ".join(repr(k) for k in _PRECISION_BYTES)
        raise ValueError(f"unknown precision {precision!r}: use one of {known} or a number of bits")
    return _PRECISION_BYTES[key]


def model_memory_gb(
    params_billion: float,
    *,
    precision: str | int = "fp16",
    overhead: float = 0.0,
) -> float:
    """Return the memory a model's weights need, in GB (10**9 bytes).

    Parameters
    ----------
    params_billion : float
        Number of parameters, in billions (70 for a 70B model).
    precision : str or int, default "fp16"
        ``"fp16"``, ``"int8"``, ``"int4"`` (or another name :func:`bytes_per_parameter` knows), or
        a number of bits.
    overhead : float, default 0.0
        Extra memory as a fraction of the weights (0.2 adds 20% for the KV cache and activations).
        The default counts the weights only.

    Returns
    -------
    float
        ``params_billion * bytes_per_parameter(precision) * (1 + overhead)`` GB. GB here is 10**9
        bytes; divide by 1.073741824 for GiB.

    Raises
    ------
    ValueError
        If ``params_billion`` is not positive, ``overhead`` is negative or the precision is unknown.

    Examples
    --------
    >>> [model_memory_gb(n) for n in (8, 70, 405)]
    [16.0, 140.0, 810.0]
    >>> model_memory_gb(70, precision="int4")
    35.0
    >>> model_memory_gb(8, precision=8, overhead=0.2)
    9.6
    """
    params = positive("params_billion", params_billion)
    extra = non_negative("overhead", overhead)
    # params_billion * 1e9 parameters * bytes each / 1e9 bytes per GB
    return round(params * bytes_per_parameter(precision) * (1 + extra), 9)
