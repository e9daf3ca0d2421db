"""Plots for modules 04–05, commoditisation: price dispersion, the price-quality frontier, savings.

The numbers come from :mod:`course.calculators._market`; this module only draws them.
"""

from __future__ import annotations

import pandas as pd

from course.calculators._market import (
    PRICE,
    SwitchingResult,
    cheapest_per_provider,
    dominated,
    pareto_frontier,
)
from course.plots._axes import add_note, axes

__all__ = ["plot_frontier", "plot_price_dispersion", "plot_savings"]

DISPERSION_OPEN = ("Llama 3.3 70B", "gpt-oss-120b", "DeepSeek-R1")
DISPERSION_CLOSED = ("gpt-4.1", "o3", "Claude Sonnet 4.5", "Gemini 2.5 Pro")
CATALOG_NOTE = ("Source: course dataset price_catalog (litellm 1.106.2 price map); "
                "each provider's cheapest listing, blended 3:1 input:output")
_OPEN, _CLOSED = "#1c7ed6", "#e8590c"


def plot_price_dispersion(catalog: pd.DataFrame | None = None, models=DISPERSION_OPEN, *,
                          closed=DISPERSION_CLOSED, ax=None):
    """Strip plot: one dot per provider for each model, open-weight models beside closed ones.

    Each dot is one provider's cheapest listing of the model (blended US dollars per million
    tokens, log scale); a box shows the quartiles where a model has three providers or more.
    Open-weight models sold by many providers spread out; a closed model's resellers charge
    the developer's price.

    Parameters
    ----------
    catalog : pandas.DataFrame, optional
        The price catalog; by default ``course.load("price_catalog")``.
    models : sequence of str
        Open-weight models to show (canonical names).
    closed : sequence of str
        Closed models to show beside them.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_price_dispersion()
    >>> [t.get_text().split("\\n")[0] for t in ax.get_xticklabels()][:3]
    ['Llama 3.3 70B', 'gpt-oss-120b', 'DeepSeek-R1']
    """
    names = list(models) + list(closed)
    if not names:
        raise ValueError("choose at least one model to plot")
    rows = pd.concat([cheapest_per_provider(catalog, name) for name in names], ignore_index=True)
    ax = axes(ax, size=(9, 4.8))
    labels = []
    for x, name in enumerate(names):
        prices = rows.loc[rows["canonical_model"] == name, PRICE].to_numpy()
        is_open = bool(rows.loc[rows["canonical_model"] == name, "open_weights"].iloc[0])
        colour = _OPEN if is_open else _CLOSED
        if len(prices) >= 3:
            ax.boxplot([prices], positions=[x], widths=0.5, showfliers=False, manage_ticks=False,
                       medianprops={"color": colour}, boxprops={"color": "0.6"},
                       whiskerprops={"color": "0.6"}, capprops={"color": "0.6"})
        # Spread dots sideways, evenly and without randomness, so equal prices stay visible.
        n = len(prices)
        offsets = [0.0] if n == 1 else [-0.18 + 0.36 * i / (n - 1) for i in range(n)]
        ax.scatter([x + o for o in offsets], sorted(prices), s=28, color=colour, alpha=0.85,
                   edgecolor="white", linewidth=0.5, zorder=3)
        labels.append(f"{name}\n({n} provider{'s' if n != 1 else ''})")
    ax.set_xticks(range(len(names)), labels, fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("blended price, US$ per million tokens (log scale)")
    ax.set_title("Same model, many prices: open-weight models (blue) against closed models (orange)",
                 fontsize=10)
    ax.grid(axis="y", which="both", alpha=0.25)
    add_note(ax, CATALOG_NOTE, offset=-42)
    return ax


def plot_frontier(df: pd.DataFrame, *, price: str = "usd_per_m", quality: str = "score",
                  model: str = "model", ax=None, logx: bool = True, note: str | None = None):
    """Scatter price against quality; join the Pareto frontier and grey out dominated models.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per model. If it has a ``note`` column (for example
        ``"illustrative, not real scores"``), its text is shown under the plot.
    price, quality, model : str
        Column names: price (lower is better), score (higher is better), name.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    logx : bool, default True
        Use a log scale for price.
    note : str, optional
        A source or caveat to print under the axes (overrides the ``note`` column).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from course.calculators._market import illustrative_models
    >>> ax = plot_frontier(illustrative_models())
    >>> ax.get_xlabel()
    'price, US$ per million tokens (log scale)'
    """
    front = pareto_frontier(df, price=price, quality=quality)
    losers = dominated(df, price=price, quality=quality, model=model)
    ax = axes(ax, size=(7.5, 4.5))
    ax.step(front[price], front[quality], where="post", color="0.5", linewidth=1, zorder=1,
            label="frontier: nothing cheaper is as good")
    if "open_weights" in df.columns:
        for flag, colour, label in ((True, _OPEN, "open weights"), (False, _CLOSED, "closed")):
            part = front[front["open_weights"].astype(bool) == flag]
            ax.scatter(part[price], part[quality], color=colour, s=40, zorder=3, label=label)
    else:
        ax.scatter(front[price], front[quality], color=_OPEN, s=40, zorder=3, label="on the frontier")
    if len(losers):
        ax.scatter(losers[price], losers[quality], color="0.6", marker="x", s=40, zorder=3,
                   label="dominated")
    # Models at the same point share one label ("T, U").
    spots = df.groupby([price, quality], sort=False)[model].agg(lambda names: ", ".join(map(str, names)))
    for (x, y), text in spots.items():
        ax.annotate(text, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=8)
    ax.margins(x=0.08, y=0.08)
    if logx:
        from matplotlib.ticker import FuncFormatter, NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("price, US$ per million tokens" + (" (log scale)" if logx else ""))
    ax.set_ylabel(quality)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    text = note
    if text is None and "note" in df.columns:
        text = "; ".join(sorted(set(map(str, df["note"].dropna()))))
    if text:
        add_note(ax, text, offset=-36)
    ax.set_title("Price against quality", fontsize=10)
    return ax


def plot_savings(result: SwitchingResult, *, ax=None, note: str | None = None):
    """Bar chart: each task's monthly cost on the cheapest compliant model against the baseline.

    Parameters
    ----------
    result : SwitchingResult
        From :func:`course.switching_savings`.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    note : str, optional
        A caveat to print under the axes (e.g. that the prices and scores are illustrative).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from course.calculators._market import switching_savings, illustrative_models, illustrative_workload
    >>> ax = plot_savings(switching_savings(illustrative_workload(), illustrative_models()))
    >>> len(ax.patches)
    6
    """
    if not isinstance(result, SwitchingResult):
        raise ValueError("plot_savings needs the result of course.switching_savings(...)")
    table = result.per_task
    ax = axes(ax, size=(7.5, 4))
    xs = range(len(table))
    ax.bar([x - 0.2 for x in xs], table["baseline_cost_usd"], width=0.4, color=_CLOSED,
           label="baseline")
    ax.bar([x + 0.2 for x in xs], table["cost_usd"], width=0.4, color=_OPEN,
           label="cheapest compliant model")
    for x, (_, row) in zip(xs, table.iterrows(), strict=True):
        ax.annotate(row["baseline_model"], (x - 0.2, row["baseline_cost_usd"]), xytext=(0, 2),
                    textcoords="offset points", ha="center", fontsize=7)
        ax.annotate(row["model"], (x + 0.2, row["cost_usd"]), xytext=(0, 2),
                    textcoords="offset points", ha="center", fontsize=7)
    ax.set_xticks(list(xs), list(table["task"]), fontsize=8)
    ax.set_ylabel("US$ per month")
    ax.set_title(f"Saving ${result.saving_usd:,.0f} a month ({result.saving_share:.0%}) "
                 f"against the baseline", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    if note:
        add_note(ax, note, offset=-30)
    return ax
