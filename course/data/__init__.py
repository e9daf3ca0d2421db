"""The data layer: the dataset registry, datasheet schema and typed loaders, the price-catalog
build, the sandbox's provider profiles and the course's evaluation task set.

Depends only on :mod:`course._base`. ``course.load`` and ``course.datasets`` are the public doors.
"""
