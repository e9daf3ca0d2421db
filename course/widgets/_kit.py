"""The one way the course's calculators wire ipywidgets to a tested function and a plot.

A calculator is a set of input widgets and a ``compute(values)`` function that
returns ``(result, summary_html, figure)``. Whenever an input changes, ``compute``
runs again and the summary and the plot are replaced. The plot is set as a PNG on
an ``Output`` widget directly, so it looks the same in a browser, in a kernel run
by nbclient (autograding) and in a plain Python process (tests), with no pyplot
state involved.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any


def png_output(fig, *, text: str = "<figure>") -> dict[str, Any]:
    """Return a Jupyter ``display_data`` output holding ``fig`` as a PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": text},
    }


def calculator(inputs: dict, compute: Callable[[dict], tuple[Any, str, Any]]):
    """Return an ipywidgets box of ``inputs`` that re-runs ``compute`` on every change.

    Parameters
    ----------
    inputs : dict of str to ipywidgets widget
        The input widgets, by the name ``compute`` reads their value under.
    compute : callable
        ``compute(values) -> (result, summary_html, figure)``. ``figure`` may be
        ``None`` (for example when the inputs are not valid): the last plot stays.

    Returns
    -------
    ipywidgets.VBox
        With ``.inputs``, ``.update()``, ``.result`` (the last result) and
        ``.figure`` (the last matplotlib Figure), for notebooks and tests.
    """
    import ipywidgets as widgets

    summary = widgets.HTML()
    plot = widgets.Output()
    box = widgets.VBox([widgets.VBox(list(inputs.values())), summary, plot])

    def update(change=None):
        result, summary_html, fig = compute({name: w.value for name, w in inputs.items()})
        box.result = result
        summary.value = summary_html
        if fig is not None:
            box.figure = fig
            plot.outputs = (png_output(fig),)

    for widget in inputs.values():
        widget.observe(update, names="value")
    box.inputs = inputs
    box.update = update
    box.result = None
    box.figure = None
    update()
    return box
