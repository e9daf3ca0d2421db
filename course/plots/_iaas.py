"""Plot for modules 06–07: the providers' claimed speeds, vendor claims marked apart from measurements.

The table comes from :func:`course.calculators._iaas.provider_landscape`; this module only draws it.
"""

from __future__ import annotations

import pandas as pd

from course.calculators._iaas import provider_landscape
from course.plots._axes import add_note, axes

__all__ = ["plot_monthly_bill", "plot_speed_claims"]


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
    ax = axes(ax, size=(8, 4))
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
    add_note(ax, "Source: course.load('provider_speed_claims'); dates, prompts and hardware differ.")
    return ax


def plot_monthly_bill(table: pd.DataFrame, *, ax=None):
    """Horizontal bars of each model's monthly bill, from :func:`course.workload_table`.

    The x label says SIMULATED when every row is a sandbox model.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from course.calculators._iaas import workload_table
    >>> ax = plot_monthly_bill(workload_table(tokens_in=1_000, tokens_out=200, calls_per_month=10))
    >>> ax.get_xlabel()
    'US dollars per month (SIMULATED)'
    """
    ax = axes(ax, size=(7, 3))
    label = " (SIMULATED)" if table["simulated"].all() else ""
    ax.barh(table["model"], table["usd_per_month"], color="#7570b3")
    ax.set_xlabel("US dollars per month" + label)
    return ax
