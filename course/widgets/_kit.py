"""The one way the course's calculators wire ipywidgets to a tested function and a plot.

A calculator is a set of input widgets and a ``compute(values)`` function that
returns ``(result, summary_html, figure)``; ``compute`` only calls a calculator and a
plot. Whenever an input changes, ``compute`` runs again and the summary and the plot
are replaced. Every explorer of the course (cost, self-host, workload, savings,
licence) is built this way. The plot is set as a PNG on
an ``Output`` widget directly, so it looks the same in a browser, in a kernel run
by nbclient (autograding) and in a plain Python process (tests), with no pyplot
state involved.
"""

from __future__ import annotations

import base64
import html
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


def calculator(inputs: dict, compute: Callable[[dict], tuple[Any, str, Any]], *, arrange=None):
    """Return an ipywidgets box of ``inputs`` that re-runs ``compute`` on every change.

    Parameters
    ----------
    inputs : dict of hashable to ipywidgets widget
        The input widgets, by the name ``compute`` reads their value under.
    compute : callable
        ``compute(values) -> (result, summary_html, figure)``. ``figure`` may be
        ``None``: the last plot stays. If ``compute`` raises ``ValueError`` (inputs
        that have no answer), the message is shown, the plot is cleared and
        ``result`` is None.
    arrange : ipywidgets widget, optional
        The inputs laid out (rows, labels); by default one below the other.

    Returns
    -------
    ipywidgets.VBox
        With ``.inputs``, ``.update()``, ``.result`` (the last result), ``.figure``
        (the last matplotlib Figure), ``.summary`` (the HTML widget) and ``.plot``
        (the Output widget), for notebooks and tests.

    Examples
    --------
    >>> import ipywidgets as widgets
    >>> box = calculator({"x": widgets.FloatText(value=2.0)},
    ...                  lambda v: (v["x"] ** 2, f"square: {v['x'] ** 2}", None))
    >>> box.result, box.summary.value
    (4.0, 'square: 4.0')
    >>> box.inputs["x"].value = 3.0
    >>> box.result
    9.0
    """
    import ipywidgets as widgets

    summary = widgets.HTML()
    plot = widgets.Output()
    box = widgets.VBox([arrange or widgets.VBox(list(inputs.values())), summary, plot])

    def update(change=None):
        try:
            result, summary_html, fig = compute({name: w.value for name, w in inputs.items()})
        except ValueError as err:
            box.result, box.figure = None, None
            summary.value = f"<p style='color:#c92a2a'>{html.escape(str(err))}</p>"
            plot.outputs = ()
            return
        box.result = result
        summary.value = summary_html
        if fig is not None:
            box.figure = fig
            plot.outputs = (png_output(fig),)

    for widget in inputs.values():
        widget.observe(update, names="value")
    box.inputs = inputs
    box.update = update
    box.summary = summary
    box.plot = plot
    box.result = None
    box.figure = None
    update()
    return box
