"""The switching widget for modules 04–05, commoditisation.

The numbers come from :func:`course.calculators._market.switching_savings` and the plot from
:func:`course.plots._market.plot_savings`; this module only wires inputs to them, with the one
mechanism of :mod:`course.widgets._kit`. ipywidgets and matplotlib are imported inside the function.
"""

from __future__ import annotations

import pandas as pd

from course.calculators._market import illustrative_models, illustrative_workload, switching_savings
from course.plots._market import plot_savings
from course.widgets._kit import calculator

__all__ = ["savings_explorer"]


def savings_explorer(table: pd.DataFrame | None = None, workload: pd.DataFrame | None = None, *,
                     baseline: str = "closed"):
    """Widget: set each task's tokens per month and quality floor; see the cheapest compliant
    model per task and the saving against an all-closed baseline, with a plot.

    The calculation is :func:`course.switching_savings`; the widget only collects the inputs.

    Parameters
    ----------
    table : pandas.DataFrame, optional
        Models with ``model``, ``usd_per_m``, ``score`` and ``open_weights``; by default
        :func:`course.illustrative_models` (made-up prices and scores, labelled as such).
    workload : pandas.DataFrame, optional
        Starting tasks (``task``, ``tokens_per_month``, ``quality_floor``); by default
        :func:`course.illustrative_workload`.
    baseline : str, default "closed"
        Passed on to :func:`course.switching_savings`.

    Returns
    -------
    ipywidgets.VBox
        A calculator box (:func:`course.widgets._kit.calculator`): ``.inputs`` maps
        ``(task, "tokens_per_month")`` (in millions) and ``(task, "quality_floor")`` to their widgets;
        ``.result`` is the :class:`SwitchingResult` for the current inputs, or None when a floor
        cannot be met (``.summary`` then says so).

    Examples
    --------
    >>> box = savings_explorer()
    >>> box.inputs[("code review", "quality_floor")].value = 95.0
    >>> "no model" in box.summary.value, box.result is None
    (True, True)
    >>> box.inputs[("code review", "quality_floor")].value = 80.0
    >>> round(box.result.saving_share, 2)
    0.83
    """
    import ipywidgets as w
    from matplotlib.figure import Figure

    table = illustrative_models() if table is None else table
    workload = illustrative_workload() if workload is None else workload
    note = None
    if "note" in table.columns:
        note = "Prices and scores: " + "; ".join(sorted(set(map(str, table["note"].dropna()))))
    style = {"description_width": "initial"}
    inputs, rows = {}, []
    for _, task in workload.iterrows():
        name = task["task"]
        inputs[(name, "tokens_per_month")] = w.BoundedFloatText(
            value=float(task["tokens_per_month"]) / 1e6, min=0, max=1e7, step=10,
            description="million tokens / month", style=style, layout=w.Layout(width="260px"))
        inputs[(name, "quality_floor")] = w.FloatSlider(
            value=float(task["quality_floor"]), min=50, max=100, step=1, description="quality floor",
            style=style, continuous_update=False)
        rows.append(w.HBox([w.HTML(f"<b>{name}</b>", layout=w.Layout(width="150px")),
                            inputs[(name, "tokens_per_month")], inputs[(name, "quality_floor")]]))

    def compute(values):
        tasks = list(dict.fromkeys(name for name, _ in values))
        current = pd.DataFrame([{"task": name, "tokens_per_month": values[(name, "tokens_per_month")] * 1e6,
                                 "quality_floor": values[(name, "quality_floor")]} for name in tasks])
        try:
            outcome = switching_savings(current, table, baseline=baseline)
        except ValueError as err:
            raise ValueError(f"{err}: lower the floor.") from err
        fig = Figure(figsize=(7.5, 4), layout="constrained")
        plot_savings(outcome, note=note, ax=fig.subplots())
        return outcome, outcome._repr_html_() + (f"<p><i>{note}</i></p>" if note else ""), fig

    return calculator(inputs, compute, arrange=w.VBox(rows))
