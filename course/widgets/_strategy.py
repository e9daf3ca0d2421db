"""The self-host calculator widget for module 08: call an API or self-host?

It only wires inputs to the tested functions of :mod:`course.calculators._strategy` and the plot of
:mod:`course.plots._strategy`. matplotlib and ipywidgets are imported inside the function, so
``import course`` stays fast.
"""

from __future__ import annotations

import html

from course.calculators._strategy import breakeven_tokens, self_host_cost
from course.calculators._units import cost_of_tokens
from course.plots._strategy import ASSUMPTION_NOTE, plot_self_host
from course.widgets._kit import calculator

__all__ = ["self_host_calculator"]


def _summary(result: dict) -> str:
    own, api, even = result["self_host"], result["api_usd"], result["breakeven_tokens"]
    where = ("self-hosting is never cheaper at these assumptions" if even is None
             else f"self-hosting breaks even at {even / 1e6:,.0f} million tokens a month")
    cheaper = "self-hosting" if own.total_usd <= api else "the API"
    return (f"<b>At {own.monthly_tokens / 1e6:,.0f} million tokens a month, {cheaper} is cheaper:</b> "
            f"API ${api:,.2f} vs self-host ${own.total_usd:,.2f} "
            f"(${own.usd_per_m:,.4g} per million tokens on {own.gpus:,.2f} GPUs on average); {where}."
            f"<br><i>{html.escape(ASSUMPTION_NOTE)}.</i>")


def self_host_calculator(
    *,
    monthly_tokens: float = 500_000_000,
    api_usd_per_m: float = 0.60,
    gpu_hourly_usd: float = 2.0,
    tokens_per_s_per_gpu: float = 1_000.0,
    utilisation: float = 0.5,
    min_gpus: int = 2,
    overhead_monthly_usd: float = 0.0,
):
    """Return an interactive self-host-or-API calculator with a plot.

    It wires its inputs to :func:`course.self_host_cost` and :func:`course.breakeven_tokens` and draws
    :func:`plot_self_host`. The default GPU price ($2 per GPU-hour) and throughput (1,000 tokens/s per
    GPU) are **placeholders, not facts**: type in a quote you got and a throughput you measured.
    The default API price, $0.60/M, is Cerebras's list price for Llama 3.1 70B in the course's
    ``price_catalog`` dataset (from litellm 1.106.2's price map).

    Returns
    -------
    ipywidgets.VBox
        With ``.inputs`` (name -> widget), ``.update()`` and ``.result``: a dict with ``self_host``
        (a :class:`course.SelfHostCost`), ``api_usd``, ``breakeven_tokens`` (float or None) and
        ``error`` (a message or None).

    Examples
    --------
    >>> calc = self_host_calculator(api_usd_per_m=2.0, min_gpus=1)
    >>> round(calc.result["breakeven_tokens"] / 1e6)
    730
    >>> calc.inputs["api_usd_per_m"].value = 1.0
    >>> calc.result["breakeven_tokens"] is None
    True
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    style = {"description_width": "230px"}
    layout = widgets.Layout(width="520px")
    inputs = {
        "monthly_tokens": widgets.BoundedFloatText(
            value=monthly_tokens, min=0, max=1e14, step=10_000_000,
            description="tokens per month", style=style, layout=layout),
        "api_usd_per_m": widgets.BoundedFloatText(
            value=api_usd_per_m, min=0.0001, max=1e4, step=0.01,
            description="API price ($ / M tokens)", style=style, layout=layout),
        "gpu_hourly_usd": widgets.BoundedFloatText(
            value=gpu_hourly_usd, min=0, max=1e4, step=0.1,
            description="ASSUMPTION: GPU price ($ / hour)", style=style, layout=layout),
        "tokens_per_s_per_gpu": widgets.BoundedFloatText(
            value=tokens_per_s_per_gpu, min=1, max=1e7, step=50,
            description="ASSUMPTION: tokens/s per GPU", style=style, layout=layout),
        "utilisation": widgets.FloatSlider(
            value=utilisation, min=0.05, max=1.0, step=0.05, readout_format=".2f",
            continuous_update=False, description="utilisation (0-1)", style=style, layout=layout),
        "min_gpus": widgets.BoundedIntText(
            value=min_gpus, min=1, max=1024, step=1,
            description="GPUs to hold the model", style=style, layout=layout),
        "overhead_monthly_usd": widgets.BoundedFloatText(
            value=overhead_monthly_usd, min=0, max=1e8, step=500,
            description="engineering overhead ($ / month)", style=style, layout=layout),
    }
    def compute(values):
        options = {k: values[k] for k in ("gpu_hourly_usd", "tokens_per_s_per_gpu", "utilisation",
                                          "min_gpus", "overhead_monthly_usd")}
        try:
            own = self_host_cost(values["monthly_tokens"], **options)
            even = breakeven_tokens(values["api_usd_per_m"], **options)
        except ValueError as err:
            result = {"self_host": None, "api_usd": None, "breakeven_tokens": None, "error": str(err)}
            return result, f"<b>Check the inputs:</b> {html.escape(str(err))}", None
        api = cost_of_tokens(values["monthly_tokens"], values["api_usd_per_m"])
        result = {"self_host": own, "api_usd": api, "breakeven_tokens": even, "error": None}
        fig = Figure(figsize=(7.5, 4.2), layout="constrained")
        marker = values["monthly_tokens"] if values["monthly_tokens"] > 0 else None
        plot_self_host(api_usd_per_m=values["api_usd_per_m"], monthly_tokens=marker, ax=fig.subplots(),
                       **options)
        return result, _summary(result), fig

    return calculator(inputs, compute)
