"""The course website builder: ``python -m tools.site`` (see ``build.py``)."""
