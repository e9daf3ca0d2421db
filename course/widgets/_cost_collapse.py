"""The cost calculator widget for module 01, the inference cost collapse.

The calculations live in :mod:`course.calculators._cost_collapse` and the plot in
:mod:`course.plots._cost_collapse`; this module only wires widgets to them. matplotlib and
ipywidgets are imported inside the function, so ``import course`` stays fast.
"""

from __future__ import annotations

import html
from typing import Any

from course.calculators._cost_collapse import bill_over_time, break_even_month
from course.calculators._units import cost_of_tokens
from course.plots._cost_collapse import plot_bill
from course.widgets._kit import calculator

__all__ = ["cost_calculator"]


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
            "cost_per_call_usd": cost_of_tokens(values["tokens_per_call"], values["price_per_m"]),
            "error": None,
        }
        fig = Figure(figsize=(7, 3.8), layout="constrained")
        plot_bill(bill, break_even=month, monthly_value=calls * values["value_per_call"],
                  ax=fig.subplots())
        return result, _summary_html(result), fig

    return calculator(inputs, compute)
