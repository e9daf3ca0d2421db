"""Plots over the calculators' results, one module per topic, sharing one axes/note helper
(:mod:`course.plots._axes`). Every plot takes ``ax=None`` and returns the Axes.
"""
