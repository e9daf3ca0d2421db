"""Inference-as-a-Service (module 04): cost and time per call, workloads, the provider landscape.

Pure calculators (:func:`call_cost`, :func:`workload_table`), the speed-claims table with each
provider's kind (:func:`provider_landscape`), a plot of it (:func:`plot_speed_claims`), the models a
live comparison should use (:func:`comparison_models`) and a widget wiring a workload to the
calculators (:func:`workload_explorer`). matplotlib and ipywidgets are imported inside functions.
"""

from __future__ import annotations

import math
import os

import pandas as pd

#: What kind of provider each ``provider`` of provider_speed_claims is.
PROVIDER_KINDS: dict[str, str] = {
    "Cerebras": "custom chip (wafer-scale engine)",
    "Groq": "custom chip (LPU)",
    "median across providers": "median of many providers",
}

WORKLOAD_COLUMNS = ["model", "kind", "simulated", "input_usd_per_m", "output_usd_per_m", "tokens_per_s",
                    "ttft_s", "ttft_from_speed", "seconds_per_call", "usd_per_call", "usd_per_month"]


def _check_count(name: str, value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(number) or number < 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return number


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
    tokens_in = _check_count("tokens_in", tokens_in)
    tokens_out = _check_count("tokens_out", tokens_out)
    price_in = _check_count("input_usd_per_m", input_usd_per_m)
    price_out = _check_count("output_usd_per_m", output_usd_per_m)
    return round((tokens_in * price_in + tokens_out * price_out) / 1_000_000, 12)


def _sandbox_models() -> pd.DataFrame:
    from course.llm._models import models

    return models(live=False, local=False)


def workload_table(models: pd.DataFrame | None = None, *, tokens_in: float, tokens_out: float,
                   calls_per_month: float = 0) -> pd.DataFrame:
    """Cost and time of one workload on each model: per call and per month.

    The time of a call is its time to first token plus ``tokens_out / tokens_per_s``. Where a
    model has no sourced time to first token, the time to write one token (``1 / tokens_per_s``)
    stands in for it, as in the sandbox, and ``ttft_from_speed`` says so.

    Parameters
    ----------
    models : pandas.DataFrame, optional
        One row per model with ``model``, ``input_usd_per_m``, ``output_usd_per_m`` and
        ``tokens_per_s`` (``ttft_s``, ``kind`` and ``simulated`` are optional). Default: the
        sandbox's SIMULATED models from ``course.models(live=False, local=False)``.
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
    >>> round(float(row["usd_per_call"]), 8), round(float(row["seconds_per_call"]), 4), bool(row["simulated"])
    (0.00012, 0.1117, True)
    """
    tokens_in = _check_count("tokens_in", tokens_in)
    tokens_out = _check_count("tokens_out", tokens_out)
    calls = _check_count("calls_per_month", calls_per_month)
    table = _sandbox_models() if models is None else pd.DataFrame(models).copy()
    if "model" not in table:
        raise ValueError("models needs a 'model' column (one row per model)")
    for column in ("input_usd_per_m", "output_usd_per_m", "tokens_per_s", "ttft_s"):
        table[column] = pd.to_numeric(table[column], errors="coerce") if column in table else math.nan
        table[column] = table[column].astype("float64")
    if "kind" not in table:
        table["kind"] = None
    if "simulated" not in table:
        table["simulated"] = table["model"].astype(str).str.startswith("sandbox/")
    table["ttft_from_speed"] = table["ttft_s"].isna() & table["tokens_per_s"].notna()
    ttft = table["ttft_s"].fillna(1.0 / table["tokens_per_s"])
    table["seconds_per_call"] = ttft + tokens_out / table["tokens_per_s"]
    table["usd_per_call"] = (tokens_in * table["input_usd_per_m"]
                             + tokens_out * table["output_usd_per_m"]) / 1_000_000
    table["usd_per_month"] = table["usd_per_call"] * calls
    return table[WORKLOAD_COLUMNS].reset_index(drop=True)


def provider_landscape() -> pd.DataFrame:
    """The speed claims of ``course.load("provider_speed_claims")`` with each provider's kind.

    Returns
    -------
    pandas.DataFrame
        ``provider, kind, model, tokens_per_s, ttft_s, date, claim_type, source``, fastest
        first. ``claim_type`` says whether a figure is the vendor's own (marketing) or an
        independent measurement.

    Examples
    --------
    >>> table = provider_landscape()
    >>> table.iloc[0][["provider", "kind", "claim_type"]].tolist()
    ['Cerebras', 'custom chip (wafer-scale engine)', 'vendor']
    """
    from course._data import load

    claims = load("provider_speed_claims")
    claims["kind"] = claims["provider"].map(PROVIDER_KINDS).fillna("other")
    columns = ["provider", "kind", "model", "tokens_per_s", "ttft_s", "date", "claim_type", "source"]
    return claims.sort_values("tokens_per_s", ascending=False, kind="stable")[columns].reset_index(drop=True)


def plot_speed_claims(table: pd.DataFrame | None = None, *, ax=None):
    """Bar chart of output tokens per second by provider and model, marking vendor claims.

    Parameters
    ----------
    table : pandas.DataFrame, optional
        Default :func:`provider_landscape`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_speed_claims()
    >>> len(ax.patches) == len(provider_landscape())
    True
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    table = provider_landscape() if table is None else table
    table = table.sort_values("tokens_per_s", kind="stable")
    labels = [f"{p}: {m} ({d:%b %Y})" for p, m, d in zip(table["provider"], table["model"],
                                                          pd.to_datetime(table["date"]), strict=True)]
    vendor = (table["claim_type"].astype(str) == "vendor").tolist()
    colours = ["#d95f02" if v else "#1b9e77" for v in vendor]
    ax.barh(labels, table["tokens_per_s"], color=colours, hatch=None)
    for patch, is_vendor in zip(ax.patches, vendor, strict=True):
        if is_vendor:
            patch.set_hatch("//")
    ax.set_xscale("log")
    ax.set_xlabel("output tokens per second (log scale)")
    ax.set_title("Claimed speeds: vendor claims (hatched, orange) vs independent medians (green)")
    ax.text(0, -0.22, "Source: course.load('provider_speed_claims'); dates, prompts and hardware differ.",
            transform=ax.transAxes, fontsize=8, color="#555555")
    return ax


def comparison_models(*, limit: int = 4) -> list[str]:
    """Models for a live comparison: cheap real ones when keys exist, else the sandbox's.

    With provider keys set (and ``$COURSE_LLM_BACKEND`` not ``sandbox``) it returns the cheap
    default model of each keyed provider, plus a local server's first model if one answers;
    otherwise the sandbox's SIMULATED models. Never shows a key.

    Parameters
    ----------
    limit : int, default 4
        The most models to return.

    Returns
    -------
    list of str
        Model names for ``course.compare``.

    Raises
    ------
    ValueError
        If ``limit`` is below 1.

    Examples
    --------
    >>> names = comparison_models(limit=2)   # with no keys: the first two sandbox models
    >>> len(names) <= 2
    True
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    from course.llm._providers import DEFAULT_MODELS, keyed_providers, local_models, local_server

    chosen: list[str] = []
    if os.environ.get("COURSE_LLM_BACKEND", "auto") != "sandbox":
        chosen = [DEFAULT_MODELS[name] for name in keyed_providers()]
        base = local_server()
        names = local_models(base) if base else []
        if names:
            chosen.append(f"local/{names[0]}")
    if not chosen:
        chosen = _sandbox_models()["model"].tolist()
    return chosen[:limit]


def workload_explorer(*, tokens_in: int = 1_500, tokens_out: int = 300, calls_per_month: int = 100_000,
                      models: pd.DataFrame | None = None):
    """An interactive table and chart: one workload's time and monthly bill on every model.

    The widget wires its inputs to :func:`workload_table` and draws the monthly bill per model.
    With the default models every number is SIMULATED (sandbox profiles: catalog prices, claimed
    speeds).

    Returns
    -------
    ipywidgets.VBox
        Has ``.inputs`` (name -> widget), ``.update()`` and ``.result`` (the latest table).

    Examples
    --------
    >>> box = workload_explorer()
    >>> box.inputs["calls_per_month"].value = 0
    >>> float(box.result["usd_per_month"].sum())
    0.0
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    from course._widgetkit import calculator

    style = {"description_width": "150px"}
    layout = widgets.Layout(width="420px")
    inputs = {
        "tokens_in": widgets.BoundedIntText(value=tokens_in, min=0, max=10_000_000, step=100,
                                            description="tokens in per call", style=style, layout=layout),
        "tokens_out": widgets.BoundedIntText(value=tokens_out, min=0, max=1_000_000, step=50,
                                             description="tokens out per call", style=style, layout=layout),
        "calls_per_month": widgets.BoundedIntText(value=calls_per_month, min=0, max=10**12, step=10_000,
                                                  description="calls per month", style=style,
                                                  layout=layout),
    }
    def compute(values):
        table = workload_table(models, **values)
        label = " (SIMULATED)" if table["simulated"].all() else ""
        rows = "".join(
            f"<tr><td>{r.model}</td><td>{r.seconds_per_call:.2f}</td><td>{r.usd_per_call:.6f}</td>"
            f"<td>{r.usd_per_month:,.2f}</td></tr>" for r in table.itertuples())
        summary = (f"<b>Time and cost per model{label}</b>"
                   "<table><tr><th>model</th><th>s per call</th><th>$ per call</th>"
                   f"<th>$ per month</th></tr>{rows}</table>")
        fig = Figure(figsize=(7, 3), layout="constrained")
        ax = fig.subplots()
        ax.barh(table["model"], table["usd_per_month"], color="#7570b3")
        ax.set_xlabel("US dollars per month" + label)
        return table, summary, fig

    return calculator(inputs, compute)
