"""Widget for modules 06–07: one workload's time and monthly bill on every model.

It wires its inputs to :func:`course.calculators._iaas.workload_table` with the one mechanism of
:mod:`course.widgets._kit`.
"""

from __future__ import annotations

import pandas as pd

from course.calculators._iaas import workload_table
from course.plots._iaas import plot_monthly_bill
from course.widgets._kit import calculator

__all__ = ["workload_explorer"]


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
        plot_monthly_bill(table, ax=fig.subplots())
        return table, summary, fig

    return calculator(inputs, compute)
