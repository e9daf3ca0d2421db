"""Pure calculators, one module per topic: units and token costs, the cost collapse, licences,
the market, inference-as-a-service and self-hosting strategy.

No matplotlib, ipywidgets or litellm here: these are the functions the exercises and
tests call directly. They may read datasets through :mod:`course.data`.
"""
