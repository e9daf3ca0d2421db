"""Inference-as-a-Service (modules 06 and 07): cost and time per call, workloads, the provider landscape.

Pure calculators: :func:`call_cost`, :func:`workload_table` (by default over the sandbox's SIMULATED
models, read from the data layer) and the speed-claims table with each provider's kind
(:func:`provider_landscape`). The plot is in :mod:`course.plots._iaas`, the widget in
:mod:`course.widgets._iaas`, and the models a live comparison should use in :mod:`course.llm._models`.
"""

from __future__ import annotations

import math

import pandas as pd

from course._base._validators import non_negative
from course.calculators._units import cost_of_tokens
from course.data._datasets import load
from course.data._profiles import assumed_ttft, sandbox_table

#: What kind of provider each ``provider`` of provider_speed_claims is.
PROVIDER_KINDS: dict[str, str] = {
    "Cerebras": "custom chip (wafer-scale engine)",
    "Groq": "custom chip (LPU)",
    "median across providers": "median of many providers",
    "Anyscale": "GPU cloud",
    "Fireworks": "GPU cloud",
    "Together": "GPU cloud",
    "Lepton AI": "GPU cloud",
    "Replicate": "GPU cloud",
    "Perplexity": "GPU cloud (API of an answer-engine company)",
    "Amazon Bedrock": "hyperscaler marketplace",
}

WORKLOAD_COLUMNS = ["model", "kind", "simulated", "input_usd_per_m", "output_usd_per_m", "tokens_per_s",
                    "ttft_s", "ttft_source", "seconds_per_call", "usd_per_call", "usd_per_month"]


def call_cost(tokens_in: float, tokens_out: float, *, input_usd_per_m: float,
              output_usd_per_m: float) -> float:
    """Return the US dollars one call costs from its usage and the provider's prices.

    Input (prompt) tokens are billed at the input price, output (generated) tokens at the
    output price; both prices are in dollars per million tokens.

    Parameters
    ----------
    tokens_in, tokens_out : float
        The call's usage: prompt tokens and generated tokens.
    input_usd_per_m, output_usd_per_m : float
        List prices in US dollars per million tokens.

    Returns
    -------
    float
        Dollars for the call.

    Raises
    ------
    ValueError
        If a count or a price is negative or not a number.

    Examples
    --------
    >>> call_cost(1_000_000, 0, input_usd_per_m=0.15, output_usd_per_m=0.60)
    0.15
    >>> call_cost(2_000, 500, input_usd_per_m=0.15, output_usd_per_m=0.60)
    0.0006
    """
    tokens_in = non_negative("tokens_in", tokens_in)
    tokens_out = non_negative("tokens_out", tokens_out)
    price_in = non_negative("input_usd_per_m", input_usd_per_m)
    price_out = non_negative("output_usd_per_m", output_usd_per_m)
    return round(cost_of_tokens(tokens_in, price_in) + cost_of_tokens(tokens_out, price_out), 12)


def workload_table(models: pd.DataFrame | None = None, *, tokens_in: float, tokens_out: float,
                   calls_per_month: float = 0) -> pd.DataFrame:
    """Cost and time of one workload on each model: per call and per month.

    The time of a call is its time to first token (TTFT) plus ``tokens_out / tokens_per_s``.
    Where a model has no TTFT, the sourced default of
    :func:`course.data._profiles.assumed_ttft` (the median of the independent measured medians
    in ``provider_speed_claims``) stands in, and ``ttft_source`` says so (it starts with
    ``"ASSUMED"``). A TTFT is never derived from the output speed.

    Parameters
    ----------
    models : pandas.DataFrame, optional
        One row per model with ``model``, ``input_usd_per_m``, ``output_usd_per_m`` and
        ``tokens_per_s`` (``ttft_s``, ``ttft_source``, ``kind`` and ``simulated`` are optional).
        Default: the sandbox's SIMULATED models (the sandbox rows of ``course.models()``).
    tokens_in, tokens_out : float
        Tokens of one call: prompt and answer.
    calls_per_month : float, default 0
        Calls a month, for ``usd_per_month``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`WORKLOAD_COLUMNS`, one row per model, in the order given.
        A model without a speed gets NaN seconds; one without prices gets NaN dollars.

    Raises
    ------
    ValueError
        If a count is negative, or ``models`` lacks the ``model`` column.

    Examples
    --------
    >>> table = workload_table(tokens_in=1_000, tokens_out=200, calls_per_month=10_000)
    >>> row = table.set_index("model").loc["sandbox/chip/llama-3.1-8b"]
    >>> round(float(row["usd_per_call"]), 8), bool(row["simulated"]), row["ttft_source"].startswith("ASSUMED")
    (0.00012, True, True)
    >>> seconds, _ = assumed_ttft()
    >>> bool(abs(row["seconds_per_call"] - (seconds + 200 / 1800)) < 1e-9)
    True
    """
    tokens_in = non_negative("tokens_in", tokens_in)
    tokens_out = non_negative("tokens_out", tokens_out)
    calls = non_negative("calls_per_month", calls_per_month)
    table = sandbox_table() if models is None else pd.DataFrame(models).copy()
    if "model" not in table:
        raise ValueError("models needs a 'model' column (one row per model)")
    for column in ("input_usd_per_m", "output_usd_per_m", "tokens_per_s", "ttft_s"):
        table[column] = pd.to_numeric(table[column], errors="coerce") if column in table else math.nan
        table[column] = table[column].astype("float64")
    if "kind" not in table:
        table["kind"] = None
    if "simulated" not in table:
        table["simulated"] = table["model"].astype(str).str.startswith("sandbox/")
    given = table["ttft_s"].notna()
    if "ttft_source" not in table:
        table["ttft_source"] = None
    table["ttft_source"] = table["ttft_source"].where(table["ttft_source"].notna() | ~given, "given")
    if not given.all():
        seconds, label = assumed_ttft()
        table.loc[~given, "ttft_s"] = seconds
        table.loc[~given, "ttft_source"] = label
    table["seconds_per_call"] = table["ttft_s"] + tokens_out / table["tokens_per_s"]
    table["usd_per_call"] = (cost_of_tokens(tokens_in, table["input_usd_per_m"])
                             + cost_of_tokens(tokens_out, table["output_usd_per_m"]))
    table["usd_per_month"] = table["usd_per_call"] * calls
    return table[WORKLOAD_COLUMNS].reset_index(drop=True)


def provider_landscape() -> pd.DataFrame:
    """The speed claims of ``course.load("provider_speed_claims")`` with each provider's kind.

    Returns
    -------
    pandas.DataFrame
        ``provider, kind, model, tokens_per_s, ttft_s, ttft_kind, date, claim_type, source``, fastest
        first. ``claim_type`` says whether a figure is the vendor's own (marketing) or an
        independent measurement.

    Examples
    --------
    >>> table = provider_landscape()
    >>> table.iloc[0][["provider", "kind", "claim_type"]].tolist()
    ['Cerebras', 'custom chip (wafer-scale engine)', 'vendor']
    """
    claims = load("provider_speed_claims")
    claims["kind"] = claims["provider"].map(PROVIDER_KINDS).fillna("other")
    columns = ["provider", "kind", "model", "tokens_per_s", "ttft_s", "ttft_kind", "date", "claim_type", "source"]
    return claims.sort_values("tokens_per_s", ascending=False, kind="stable")[columns].reset_index(drop=True)
