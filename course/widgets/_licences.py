"""A heat-map of what each release opens, and a licence explorer widget.

Both only present :mod:`course._licences`; the decisions are made there.
matplotlib and ipywidgets are imported inside the functions that need them.
"""

from __future__ import annotations

from course._licences import COMPONENTS, DEPLOYMENTS, licence_decision, openness_table

__all__ = ["licence_heatmap", "licence_explorer"]

_LABELS = {
    "weights": "weights",
    "training_code": "training code",
    "training_data": "training data",
    "checkpoints": "checkpoints",
    "eval_code": "eval code",
}


def licence_heatmap(releases=None, *, ax=None, data=None):
    """Draw releases × components: released, not released, or not checked.

    Parameters
    ----------
    releases : list of str, optional
        Which releases, top to bottom; by default all of ``model_licences``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure sized to the number of releases.
    data : pandas.DataFrame, optional
        The licence table; by default ``course.load("model_licences")``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = licence_heatmap(["OLMo 7B", "Llama 3.1 405B", "GPT-4o"])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['OLMo 7B (fully open)', 'Llama 3.1 405B (open weights)', 'GPT-4o (closed)']
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    table = openness_table(releases, data=data)
    parts = list(COMPONENTS)
    # 0 = not released, 1 = released, 0.5 = not checked
    grid = table[parts].astype("float64").fillna(0.5).to_numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 0.32 * len(table) + 1.4))
    colours = ListedColormap(["#d9d9d9", "#f2f2f2", "#2b8a3e"])
    ax.imshow(grid, cmap=colours, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(parts)), [_LABELS[p] for p in parts], rotation=30, ha="right")
    ax.set_yticks(range(len(table)), [f"{r} ({c})" for r, c in zip(table.index, table["class"], strict=True)])
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if grid[i, j] == 0.5:
                ax.text(j, i, "?", ha="center", va="center", fontsize=8, color="#555555")
    ax.set_xticks([x - 0.5 for x in range(1, len(parts))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(table))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.legend(
        handles=[Patch(color="#2b8a3e", label="released"), Patch(color="#d9d9d9", label="not released"),
                 Patch(facecolor="#f2f2f2", edgecolor="#999999", label="? not checked")],
        loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8,
    )
    ax.set_title("What each release opens (source: model_licences)", fontsize=10)
    return ax


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
        The controls and the output. Its ``.decision()`` returns the decision for
        the current inputs.

    Examples
    --------
    >>> box = licence_explorer()
    >>> box.decision().allowed
    True
    """
    import ipywidgets as w

    from course._licences import _frame

    frame = _frame(data)
    style = {"description_width": "initial"}
    pick = w.Dropdown(options=list(frame["release"]), value=release, description="Release", style=style)
    users = w.BoundedIntText(value=1_000_000, min=0, max=10_000_000_000, step=1_000_000,
                             description="Monthly active users", style=style)
    deployment = w.ToggleButtons(options=list(DEPLOYMENTS), value="hosted-api", description="Deployment",
                                 style=style)
    region = w.Dropdown(options=["US", "EU", "other"], value="US", description="Company based in",
                        style=style)
    purpose = w.ToggleButtons(options=["commercial", "research"], value="commercial",
                              description="Purpose", style=style)
    fine_tuned = w.Checkbox(value=False, description="Our own fine-tune", indent=False)
    multimodal = w.Checkbox(value=False, description="Multimodal (image input)", indent=False)
    revenue = w.BoundedFloatText(value=0.0, min=0, max=1e12, step=1e6,
                                 description="Monthly revenue (USD)", style=style)
    out = w.HTML()
    controls = [pick, users, revenue, deployment, region, purpose, fine_tuned, multimodal]

    def decision():
        return licence_decision(
            pick.value, monthly_users=users.value, deployment=deployment.value, region=region.value,
            fine_tuned=fine_tuned.value, multimodal=multimodal.value,
            monthly_revenue_usd=revenue.value or None, purpose=purpose.value, data=frame,
        )

    def refresh(_change=None):
        out.value = decision()._repr_html_()

    for control in controls:
        control.observe(refresh, names="value")
    refresh()
    box = w.VBox([w.HBox([pick, region]), w.HBox([users, revenue]), deployment, purpose,
                  w.HBox([fine_tuned, multimodal]), out])
    box.decision = decision
    box.output = out
    box.controls = dict(zip(
        ["release", "monthly_users", "monthly_revenue_usd", "deployment", "region", "purpose",
         "fine_tuned", "multimodal"], controls, strict=True))
    return box
