"""Suite-wide set-up for ``pytest`` from the repo root: the tests in ``tests/`` and the doctests
of ``course/`` run offline, keyless and quiet unless a test is marked ``live``."""

from __future__ import annotations

import doctest
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
# nbgrader starts alembic as a subprocess: the venv's bin/ must be on PATH.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

# ``python -m course`` runs the CLI when imported: not a module to collect doctests from.
collect_ignore = ["course/__main__.py"]

_from_module = doctest.DocTestFinder._from_module


def _defined_here(self, module, obj) -> bool:
    """Find each public name's doctests in the module that defines it.

    ``course.__getattr__`` sets ``__module__ = "course"`` on the names it hands out (so ``help``
    shows ``course.X``); doctest would then look for their examples in ``course`` and skip them,
    depending on test order. A function belongs to the module whose globals it runs in; a class
    to the module whose globals its methods run in.
    """
    if getattr(obj, "__module__", None) == "course":
        if hasattr(obj, "__globals__"):
            return obj.__globals__ is module.__dict__
        if isinstance(obj, type):
            methods = [f for f in vars(obj).values() if hasattr(f, "__globals__")]
            return bool(methods) and methods[0].__globals__ is module.__dict__
    return _from_module(self, module, obj)


doctest.DocTestFinder._from_module = _defined_here


@pytest.fixture(autouse=True)
def _offline_and_keyless(request, monkeypatch):
    """Every test but a ``live`` one runs with no provider key and the offline sandbox."""
    if request.node.get_closest_marker("live"):
        return
    from course._base._env import EXTRA_SECRET_VARS, PROVIDERS

    for provider in PROVIDERS:
        for var in provider.env_vars:
            monkeypatch.delenv(var, raising=False)
    for var in (*EXTRA_SECRET_VARS, "COURSE_LOCAL_BASE_URL", "COURSE_DEFAULT_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COURSE_LLM_BACKEND", "sandbox")
