"""Plot for modules 02–03: which parts of each release are open (a heatmap over the licence table).

The classes come from :mod:`course.calculators._licences`; this module only draws them.
"""

from __future__ import annotations

from course.calculators._licences import COMPONENTS, openness_table
from course.plots._axes import axes

__all__ = ["licence_heatmap"]

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
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    table = openness_table(releases, data=data)
    parts = list(COMPONENTS)
    # 0 = not released, 1 = released, 0.5 = not checked
    grid = table[parts].astype("float64").fillna(0.5).to_numpy()
    ax = axes(ax, size=(6.5, 0.32 * len(table) + 1.4))
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
