"""Plots for module 01, the inference cost collapse: price history and a bill over time.

The numbers come from :mod:`course.calculators._cost_collapse`; this module only draws them.
"""

from __future__ import annotations

import pandas as pd

from course.plots._axes import add_note, axes

__all__ = ["plot_bill", "plot_price_history"]

PRICE_HISTORY_SOURCE = "Source: course dataset price_history (list prices; sources per row in datasets/price_history.md)"
PROJECTION_NOTE = "Projection: assumes the price keeps falling at the same rate every month"


# Where a label may sit, tried in order: (dx, dy) in points, horizontal and vertical alignment.
_LABEL_SPOTS = [
    (4, 2, "left", "bottom"),
    (4, -3, "left", "top"),
    (-4, 2, "right", "bottom"),
    (-4, -3, "right", "top"),
    (4, 10, "left", "bottom"),
    (4, -11, "left", "top"),
    (-4, 10, "right", "bottom"),
    (-4, -11, "right", "top"),
]


def _label_points(ax, data: pd.DataFrame, price: str) -> None:
    """Label each point with its model; points at the same place share one label.

    Each label takes the first spot in ``_LABEL_SPOTS`` that overlaps no earlier label and no point
    and stays inside the axes; where none is free, the spot that overlaps least. Call it once the
    axes' scales are set.
    """
    groups = data.groupby(["date", price], sort=True)["model"].agg(lambda m: "\n".join(map(str, m)))
    # Leave room on the right for the last labels.
    first, last = data["date"].min(), data["date"].max()
    span = max(last - first, pd.Timedelta(days=30))
    ax.set_xlim(first - span * 0.03, last + span * 0.12)
    texts = [
        ax.annotate(text, (when, value), xytext=(4, 2), textcoords="offset points", fontsize=7,
                    ha="left", va="bottom", linespacing=1.0)
        for (when, value), text in groups.items()
    ]
    fig = ax.figure
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if get_renderer is None:  # a canvas that cannot measure text: keep the default spot
        return
    fig.draw_without_rendering()  # run the layout so that positions are final
    renderer = get_renderer()
    radius = 4 * fig.dpi / 72
    points = ax.transData.transform(
        [(ax.xaxis.convert_units(w), v) for w, v in groups.index.to_list()]
    )
    marks = [(x - radius, y - radius, x + radius, y + radius) for x, y in points]
    labels: list[tuple[float, float, float, float]] = []
    legend = ax.get_legend()
    if legend is not None:
        box = legend.get_window_extent(renderer)
        labels.append((box.x0, box.y0, box.x1, box.y1))
    inside = ax.bbox
    for i, text in enumerate(texts):
        taken = labels + marks[:i] + marks[i + 1 :]  # the spots are offset from the label's own point
        best = None
        for spot in _LABEL_SPOTS:
            _move(text, spot)
            box = text.get_window_extent(renderer)
            overlap = sum(
                max(0.0, min(box.x1, x1) - max(box.x0, x0)) * max(0.0, min(box.y1, y1) - max(box.y0, y0))
                for x0, y0, x1, y1 in taken
            )
            outside = box.width * box.height - max(
                0.0, min(box.x1, inside.x1) - max(box.x0, inside.x0)
            ) * max(0.0, min(box.y1, inside.y1) - max(box.y0, inside.y0))
            score = overlap + 2 * outside  # a label cut off by the edge is worse than a crowded one
            if best is None or score < best[0]:
                best = (score, spot)
            if score == 0:
                break
        _move(text, best[1])
        box = text.get_window_extent(renderer)
        labels.append((box.x0, box.y0, box.x1, box.y1))


def _move(text, spot: tuple[float, float, str, str]) -> None:
    dx, dy, ha, va = spot
    text.set_position((dx, dy))
    text.set_horizontalalignment(ha)
    text.set_verticalalignment(va)


def plot_price_history(
    df: pd.DataFrame | None = None,
    *,
    ax=None,
    price: str = "blended_usd_per_m",
    capability: str | None = None,
    min_capability: float | None = None,
    label: bool = True,
    source: str = PRICE_HISTORY_SOURCE,
):
    """Plot prices over time on a log scale, one labelled point per model.

    Parameters
    ----------
    df : pandas.DataFrame, optional
        Rows with at least ``model``, ``date`` and the ``price`` column; by default
        ``course.load("price_history")``. With an ``open_weights`` column, open-weight and closed
        models are drawn in different markers.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    price : str, default "blended_usd_per_m"
        The price column, in dollars per million tokens (e.g. ``"input_usd_per_m"``).
    capability : str, optional
        The capability column used by ``min_capability``; by default ``mmlu_at_least`` (the lowest
        MMLU score a row is known to reach, as in ``price_history``) or else ``mmlu``.
    min_capability : float, optional
        Keep only models scoring at least this on ``capability`` (64.8 on MMLU is GPT-3.5's level in
        the AI Index 2025), so that the plot compares constant capability.
    label : bool, default True
        Write each model's name beside its point.
    source : str
        The source note written under the plot.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If a needed column is missing, or no row is left to plot.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> frame = pd.DataFrame({"model": ["a", "b"], "date": ["2022-11-30", "2024-10-03"],
    ...                       "blended_usd_per_m": [20.0, 0.07]})
    >>> plot_price_history(frame).get_yscale()
    'log'
    """
    import matplotlib.dates as mdates

    if df is None:
        from course.data._datasets import load

        df = load("price_history")
    if capability is None:
        capability = "mmlu_at_least" if "mmlu_at_least" in df.columns else "mmlu"
    needed = ["model", "date", price] + ([capability] if min_capability is not None else [])
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(f"the frame has no column {missing}; it has {list(df.columns)}")

    data = df.copy()
    data["date"] = pd.to_datetime(data["date"])
    data = data[data[price].notna() & (data[price] > 0)]
    if min_capability is not None:
        data = data[data[capability].notna() & (data[capability] >= min_capability)]
    if data.empty:
        raise ValueError("no rows with a positive price left to plot")
    data = data.sort_values("date")

    ax = axes(ax)
    if "open_weights" in data.columns:
        is_open = data["open_weights"].fillna(False).astype(bool)
        groups = [(data[~is_open], "o", "closed weights"), (data[is_open], "^", "open weights")]
    else:
        groups = [(data, "o", None)]
    for rows, marker, name in groups:
        if not rows.empty:
            ax.scatter(rows["date"], rows[price], marker=marker, label=name, zorder=3)
    ax.set_yscale("log")
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("date")
    ax.set_ylabel(f"{price.replace('_usd_per_m', '')} price ($ per million tokens, log scale)")
    title = "Price per million tokens over time"
    if min_capability is not None:
        title += f" ({capability.replace('_at_least', '')} \u2265 {min_capability:g})"
    ax.set_title(title)
    if len(groups) > 1:
        ax.legend(loc="lower left", fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    add_note(ax, source)
    if label:
        _label_points(ax, data, price)
    return ax


def plot_bill(
    bill: pd.DataFrame,
    *,
    break_even: int | None = None,
    monthly_value: float | None = None,
    ax=None,
    log: bool = False,
):
    """Plot a monthly bill over time, with the break-even month marked.

    Parameters
    ----------
    bill : pandas.DataFrame
        A table from :func:`course.bill_over_time` (columns ``month`` and ``bill_usd``).
    break_even : int, optional
        The month to mark, e.g. from :func:`course.break_even_month`.
    monthly_value : float, optional
        What a month of the use case is worth, in dollars: drawn as a horizontal line.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    log : bool, default False
        Use a log scale for the bill.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from course.calculators._cost_collapse import bill_over_time
    >>> ax = plot_bill(bill_over_time(1e8, 2.0, annual_decline=0.9), break_even=8)
    >>> ax.get_xlabel()
    'month (0 = now)'
    """
    missing = [c for c in ("month", "bill_usd") if c not in bill.columns]
    if missing:
        raise ValueError(f"the bill has no column {missing}: make it with course.bill_over_time")
    ax = axes(ax)
    ax.plot(bill["month"], bill["bill_usd"], marker=".", label="monthly bill (projected)")
    if monthly_value is not None:
        ax.axhline(monthly_value, color="tab:green", linestyle="--", label="monthly value")
    if break_even is not None:
        ax.axvline(break_even, color="tab:red", linestyle=":", label=f"break-even: month {break_even}")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("month (0 = now)")
    ax.set_ylabel("bill ($ per month)")
    ax.set_title("Monthly bill as the price falls")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    add_note(ax, PROJECTION_NOTE)
    return ax
