"""Price units: per token, per thousand, per million; the cost of tokens at a price; a month's bill.

Course convention: money is in US dollars per million tokens unless a name says otherwise.
"""

from __future__ import annotations


def cost_of_tokens(tokens, price_per_million):
    """Return the US dollars ``tokens`` tokens cost at ``price_per_million`` dollars per million tokens.

    The one place the course writes ``tokens * price / 1,000,000``: every calculator, widget and
    the LLM layer's cost estimates call it. Works on numbers, NumPy arrays and pandas Series alike.

    Parameters
    ----------
    tokens : float or array-like
        Number of tokens.
    price_per_million : float or array-like
        US dollars per million tokens.

    Returns
    -------
    float or array-like
        US dollars.

    Examples
    --------
    >>> cost_of_tokens(1_000, 3.0)
    0.003
    >>> cost_of_tokens(250_000_000, 0.6)
    150.0
    """
    return tokens * price_per_million / 1_000_000


def per_million(price: float, *, per: int = 1_000) -> float:
    """Convert a price quoted per ``per`` tokens into dollars per million tokens.

    Parameters
    ----------
    price : float
        The quoted price in dollars.
    per : int, default 1000
        How many tokens the quoted price is for (1 for a per-token price).

    Returns
    -------
    float
        Dollars per million tokens.

    Raises
    ------
    ValueError
        If ``price`` is negative or ``per`` is not positive.

    Examples
    --------
    >>> per_million(0.06)          # GPT-3 davinci, $0.06 per 1K tokens
    60.0
    >>> per_million(1.5e-7, per=1)
    0.15
    """
    if per <= 0:
        raise ValueError(f"per must be a positive number of tokens, got {per!r}")
    if price < 0:
        raise ValueError(f"a price cannot be negative, got {price!r}")
    return round(price * 1_000_000 / per, 12)


def monthly_bill(tokens_per_month: float, usd_per_million: float) -> float:
    """Return the dollars a month of ``tokens_per_month`` tokens costs at ``usd_per_million``.

    Examples
    --------
    >>> monthly_bill(250_000_000, 0.6)
    150.0
    """
    if tokens_per_month < 0 or usd_per_million < 0:
        raise ValueError("tokens and prices cannot be negative")
    return round(cost_of_tokens(tokens_per_month, usd_per_million), 10)
