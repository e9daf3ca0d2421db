"""Plot for module 08: the monthly cost of calling an API against self-hosting.

The numbers come from :mod:`course.calculators._strategy`; this module only draws them.
"""

from __future__ import annotations

import numpy as np

from course.calculators._strategy import breakeven_tokens, cost_curves
from course.plots._axes import add_note, axes

__all__ = ["plot_self_host", "plot_sensitivity"]

ASSUMPTION_NOTE = ("GPU price and throughput are ASSUMPTIONS (enter your own quote and benchmark); "
                   "a month is 730 hours")


def plot_self_host(
    *,
    api_usd_per_m: float,
    gpu_hourly_usd: float,
    tokens_per_s_per_gpu: float,
    utilisation: float = 0.5,
    min_gpus: int = 1,
    overhead_monthly_usd: float = 0.0,
    monthly_tokens: float | None = None,
    volumes=None,
    ax=None,
):
    """Plot the monthly cost of an API and of self-hosting against the monthly volume.

    The two lines come from :func:`course.cost_curves`; the break-even from
    :func:`course.breakeven_tokens` is marked, and so is ``monthly_tokens`` if given. Both axes are
    logarithmic.

    Parameters
    ----------
    api_usd_per_m, gpu_hourly_usd, tokens_per_s_per_gpu, utilisation, min_gpus, overhead_monthly_usd
        As for :func:`course.self_host_cost` and :func:`course.breakeven_tokens`.
    monthly_tokens : float, optional
        Your workload's volume, drawn as a vertical line.
    volumes : sequence of float, optional
        Volumes to draw; default 60 points from 10 million to 100 billion tokens a month.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_self_host(api_usd_per_m=2.0, gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000)
    >>> ax.get_xlabel()
    'tokens per month'
    """
    options = dict(gpu_hourly_usd=gpu_hourly_usd, tokens_per_s_per_gpu=tokens_per_s_per_gpu,
                   utilisation=utilisation, min_gpus=min_gpus, overhead_monthly_usd=overhead_monthly_usd)
    if volumes is None:
        volumes = np.logspace(7, 11, 60)
    curves = cost_curves(volumes, api_usd_per_m=api_usd_per_m, **options)
    even = breakeven_tokens(api_usd_per_m, **options)
    ax = axes(ax)
    ax.plot(curves["monthly_tokens"], curves["api_usd"], label=f"API at ${api_usd_per_m:g}/M")
    ax.plot(curves["monthly_tokens"], curves["self_host_usd"],
            label=f"self-host (assumed ${gpu_hourly_usd:g}/GPU-hour, {tokens_per_s_per_gpu:g} tokens/s/GPU)")
    if even is not None:
        ax.axvline(even, color="tab:red", linestyle=":", label=f"break-even: {even / 1e6:,.0f}M tokens/month")
    if monthly_tokens is not None:
        ax.axvline(monthly_tokens, color="tab:green", linestyle="--",
                   label=f"your workload: {monthly_tokens / 1e6:,.0f}M tokens/month")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("tokens per month")
    ax.set_ylabel("cost ($ per month)")
    ax.set_title("API or self-host: monthly cost by volume")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3, which="both")
    add_note(ax, ASSUMPTION_NOTE)
    return ax


def plot_sensitivity(table, *, ax=None):
    """Draw :func:`course.self_host_sensitivity` as a tornado chart of the monthly saving.

    Each bar spans the saving of self-hosting (API cost minus self-hosting cost) when one input is
    halved or doubled; bars that cross the zero line flip the decision and are drawn in red.

    Parameters
    ----------
    table : pandas.DataFrame
        The result of :func:`course.self_host_sensitivity`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from course.calculators._strategy import self_host_sensitivity
    >>> t = self_host_sensitivity(3e9, api_usd_per_m=4.0, gpu_hourly_usd=2.5, tokens_per_s_per_gpu=1_500)
    >>> plot_sensitivity(t).get_xlabel()
    'monthly saving of self-hosting ($; below 0 the API is cheaper)'
    """
    ax = axes(ax)
    rows = table.iloc[::-1]
    for y, (_, row) in enumerate(rows.iterrows()):
        left = min(row["saving_low_usd"], row["saving_high_usd"])
        width = abs(row["saving_high_usd"] - row["saving_low_usd"])
        ax.barh(y, width, left=left, color="tab:red" if row["flips"] else "tab:grey")
        ax.annotate(f"x{row['low'] / row['base']:g}" if row["base"] else "", (row["saving_low_usd"], y),
                    fontsize=7, ha="center", va="bottom")
    ax.set_yticks(range(len(rows)), rows["input"])
    ax.axvline(0, color="black", linewidth=1)
    base = table["base_saving_usd"].iloc[0]
    ax.axvline(base, color="tab:blue", linestyle="--", label=f"base case: {base:,.0f} $/month")
    ax.set_xlabel("monthly saving of self-hosting ($; below 0 the API is cheaper)")
    ax.set_title("Which assumption flips the decision? (each input halved and doubled; red = flips)")
    ax.legend(fontsize=8)
    add_note(ax, ASSUMPTION_NOTE)
    return ax
