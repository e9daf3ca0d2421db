"""The bottom layer: paths, environment (``.env``, provider keys, redaction) and input validators.

Depends on nothing else in :mod:`course` and imports only the standard library, so
every other layer can use it.
"""
