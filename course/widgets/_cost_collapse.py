"""Plots and the ipywidgets calculator for module 01, the inference cost collapse.

The calculations live in :mod:`course._cost_collapse`; this module only draws them and wires widgets
to them. matplotlib and ipywidgets are imported inside the functions, so ``import course`` stays fast.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from course._cost_collapse import bill_over_time, break_even_month
from course._widgetkit import calculator

__all__ = ["cost_calculator", "plot_bill", "plot_price_history"]

PRICE_HISTORY_SOURCE = "Source: course dataset price_history (list prices; sources per row in datasets/price_history.md)"
PROJECTION_NOTE = "Projection: assumes the price keeps falling at the same rate every month"


def _new_axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    return ax


def _note(ax, text: str) -> None:
    """Write a small note (a source, a caveat) under the axes, below the x label."""
    ax.annotate(text, (0, 0), xycoords="axes fraction", xytext=(0, -32), textcoords="offset points",
                ha="left", va="top", fontsize=7, color="0.4")


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
        from course._data import load

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

    ax = _new_axes(ax)
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
    _note(ax, source)
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
    >>> from course._cost_collapse import bill_over_time
    >>> ax = plot_bill(bill_over_time(1e8, 2.0, annual_decline=0.9), break_even=8)
    >>> ax.get_xlabel()
    'month (0 = now)'
    """
    missing = [c for c in ("month", "bill_usd") if c not in bill.columns]
    if missing:
        raise ValueError(f"the bill has no column {missing}: make it with course.bill_over_time")
    ax = _new_axes(ax)
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
    _note(ax, PROJECTION_NOTE)
    return ax


def _summary_html(result: dict[str, Any]) -> str:
    bill = result["bill"]
    month = result["break_even_month"]
    if month is None:
        verdict = f"Does not break even within {len(bill)} months."
    elif month == 0:
        verdict = "Breaks even now (month 0)."
    else:
        verdict = f"Breaks even in month {month}."
    shown = bill[bill["month"].isin([0, 6, 12, 18, 24, 30, len(bill) - 1])]
    rows = "".join(
        f"<tr><td>{int(r.month)}</td><td>{r.price_usd_per_m:,.4g}</td><td>{r.bill_usd:,.2f}</td></tr>"
        for r in shown.itertuples()
    )
    return (
        f"<b>{verdict}</b> Cost per call today: ${result['cost_per_call_usd']:,.6g}.<br>"
        "<table><tr><th>month</th><th>$ per M tokens</th><th>bill ($)</th></tr>"
        f"{rows}</table>"
    )


def cost_calculator(
    *,
    monthly_tokens: float = 100_000_000,
    price_per_m: float = 2.0,
    annual_decline: float = 0.9,
    tokens_per_call: int = 2_000,
    value_per_call: float = 0.001,
    months: int = 36,
):
    """Return an interactive calculator: the monthly bill over time and the break-even month.

    The widget only wires its inputs to :func:`course.bill_over_time` and
    :func:`course.break_even_month`, and draws the result with :func:`plot_bill`. The number of calls
    a month is ``monthly_tokens / tokens_per_call``.

    Parameters
    ----------
    monthly_tokens, price_per_m, annual_decline, tokens_per_call, value_per_call : float
        Starting values of the inputs (price in dollars per million tokens; annual decline as a
        fraction, 0.9 for 10x a year; value per call in dollars).
    months : int, default 36
        The horizon of the bill and of the break-even search.

    Returns
    -------
    ipywidgets.VBox
        Display it in a notebook. Besides the usual widget API it has ``.inputs`` (name -> input
        widget), ``.update()`` (recompute now) and ``.result``, a dict with ``bill`` (a DataFrame),
        ``break_even_month`` (int or None), ``cost_per_call_usd`` and ``error`` (a message or None).

    Examples
    --------
    >>> calc = cost_calculator()
    >>> calc.result["break_even_month"]
    8
    >>> calc.inputs["annual_decline"].value = 0.0
    >>> calc.result["break_even_month"] is None
    True
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    style = {"description_width": "170px"}
    layout = widgets.Layout(width="460px")
    inputs = {
        "monthly_tokens": widgets.BoundedFloatText(
            value=monthly_tokens, min=1, max=1e15, step=1_000_000,
            description="tokens per month", style=style, layout=layout),
        "price_per_m": widgets.BoundedFloatText(
            value=price_per_m, min=0, max=1e6, step=0.01,
            description="price today ($ / M tokens)", style=style, layout=layout),
        "annual_decline": widgets.FloatSlider(
            value=annual_decline, min=0.0, max=0.99, step=0.01, readout_format=".2f",
            continuous_update=False, description="annual decline (0.9 = 10x)",
            style=style, layout=layout),
        "tokens_per_call": widgets.BoundedIntText(
            value=tokens_per_call, min=1, max=10_000_000, step=100,
            description="tokens per call", style=style, layout=layout),
        "value_per_call": widgets.BoundedFloatText(
            value=value_per_call, min=0, max=1e6, step=0.0001,
            description="value per call ($)", style=style, layout=layout),
    }
    def compute(values):
        calls = values["monthly_tokens"] / values["tokens_per_call"]
        try:
            bill = bill_over_time(values["monthly_tokens"], values["price_per_m"],
                                  annual_decline=values["annual_decline"], months=months)
            month = break_even_month(
                calls_per_month=calls, tokens_per_call=values["tokens_per_call"],
                price_per_m=values["price_per_m"], annual_decline=values["annual_decline"],
                value_per_call=values["value_per_call"], horizon_months=months)
        except ValueError as err:
            result = {"bill": None, "break_even_month": None, "cost_per_call_usd": None, "error": str(err)}
            return result, f"<b>Check the inputs:</b> {html.escape(str(err))}", None
        result = {
            "bill": bill,
            "break_even_month": month,
            "cost_per_call_usd": values["tokens_per_call"] / 1_000_000 * values["price_per_m"],
            "error": None,
        }
        fig = Figure(figsize=(7, 3.8), layout="constrained")
        plot_bill(bill, break_even=month, monthly_value=calls * values["value_per_call"],
                  ax=fig.subplots())
        return result, _summary_html(result), fig

    return calculator(inputs, compute)
