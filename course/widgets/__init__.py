"""The interactive explorers, all built with the one mechanism in :mod:`course.widgets._kit`:
input widgets wired to a calculator and a plot. No arithmetic lives here.
"""
