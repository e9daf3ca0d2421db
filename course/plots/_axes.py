"""The one axes and note helper every course plot uses.

matplotlib is imported only when a new figure is needed, so importing a plot module stays cheap.
"""

from __future__ import annotations

__all__ = ["add_note", "axes"]


def axes(ax=None, *, size: tuple[float, float] = (8, 4.5)):
    """Return ``ax``, or the Axes of a new constrained-layout figure of ``size`` inches.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = axes(size=(4, 3))
    >>> [float(inches) for inches in ax.figure.get_size_inches()]
    [4.0, 3.0]
    >>> axes(ax) is ax
    True
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def add_note(ax, text: str, *, offset: float = -32) -> None:
    """Write a small grey note (a source, a caveat) under the axes, ``offset`` points below them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = axes()
    >>> add_note(ax, "Source: example")
    >>> ax.texts[-1].get_text()
    'Source: example'
    """
    ax.annotate(text, (0, 0), xycoords="axes fraction", xytext=(0, offset), textcoords="offset points",
                ha="left", va="top", fontsize=7, color="0.4")
