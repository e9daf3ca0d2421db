"""The licence explorer widget for modules 02–03.

It only collects inputs and shows the decision of
:func:`course.calculators._licences.licence_decision`, with the one mechanism of
:mod:`course.widgets._kit`. ipywidgets is imported inside the function.
"""

from __future__ import annotations

from course.calculators._licences import DEPLOYMENTS, licence_decision, licence_table
from course.widgets._kit import calculator

__all__ = ["licence_explorer"]


def licence_explorer(*, data=None, release="Llama 3.1 405B"):
    """Pick a release and a deployment; see whether it is allowed, and why.

    The widget only collects inputs and shows the :class:`LicenceDecision` that
    :func:`course.licence_decision` returns for them.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        The licence table; by default ``course.load("model_licences")``.
    release : str, default "Llama 3.1 405B"
        The release selected at first.

    Returns
    -------
    ipywidgets.VBox
        A calculator box (:func:`course.widgets._kit.calculator`): ``.inputs`` maps ``release``,
        ``monthly_users``, ``monthly_revenue_usd``, ``deployment``, ``region``, ``purpose``,
        ``fine_tuned`` and ``multimodal`` to their widgets; ``.result`` is the decision for the
        current inputs and ``.summary`` shows it.

    Examples
    --------
    >>> box = licence_explorer()
    >>> box.result.allowed
    True
    """
    import ipywidgets as w

    frame = licence_table(data)
    style = {"description_width": "initial"}
    inputs = {
        "release": w.Dropdown(options=list(frame["release"]), value=release, description="Release",
                              style=style),
        "monthly_users": w.BoundedIntText(value=1_000_000, min=0, max=10_000_000_000, step=1_000_000,
                                          description="Monthly active users", style=style),
        "monthly_revenue_usd": w.BoundedFloatText(value=0.0, min=0, max=1e12, step=1e6,
                                                  description="Monthly revenue (USD)", style=style),
        "deployment": w.ToggleButtons(options=list(DEPLOYMENTS), value="hosted-api",
                                      description="Deployment", style=style),
        "region": w.Dropdown(options=["US", "EU", "other"], value="US", description="Company based in",
                             style=style),
        "purpose": w.ToggleButtons(options=["commercial", "research"], value="commercial",
                                   description="Purpose", style=style),
        "fine_tuned": w.Checkbox(value=False, description="Our own fine-tune", indent=False),
        "multimodal": w.Checkbox(value=False, description="Multimodal (image input)", indent=False),
    }

    def compute(values):
        choice = dict(values)
        name = choice.pop("release")
        choice["monthly_revenue_usd"] = choice["monthly_revenue_usd"] or None
        decision = licence_decision(name, data=frame, **choice)
        return decision, decision._repr_html_(), None

    arrange = w.VBox([w.HBox([inputs["release"], inputs["region"]]),
                      w.HBox([inputs["monthly_users"], inputs["monthly_revenue_usd"]]),
                      inputs["deployment"], inputs["purpose"],
                      w.HBox([inputs["fine_tuned"], inputs["multimodal"]])])
    return calculator(inputs, compute, arrange=arrange)
