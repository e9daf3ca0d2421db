"""Where the course's folders are.

The package is installed in editable mode from the repository, so the folders sit
beside ``course/``. ``COURSE_ROOT`` overrides the guess (useful on JupyterHub,
where the package may be installed elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """Return the repository root: ``$COURSE_ROOT`` or the folder holding ``course/``.

    Examples
    --------
    >>> (repo_root() / "course").is_dir()
    True
    """
    env = os.environ.get("COURSE_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]  # course/_base/_paths.py -> the repository


def datasets_dir() -> Path:
    """Return the folder of the course's CSV datasets and datasheets."""
    return repo_root() / "datasets"


def solutions_dir() -> Path:
    """Return the folder of the instructor (nbgrader source) notebooks."""
    return repo_root() / "solutions"


def modules_dir() -> Path:
    """Return the folder of the generated student notebooks."""
    return repo_root() / "modules"
