"""One place that sets nbgrader up in-process for a course folder.

Starting an nbgrader process costs about 3 s here (most of it importing
jsonschema's grammar), so the course drives nbgrader's Python API inside one
process instead of running its command line once per notebook.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from course._base._paths import repo_root

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def _ensure_bin_on_path() -> None:
    # nbgrader runs `alembic` as a subprocess when it creates a gradebook.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def load_config(root: Path | None = None, **overrides):
    """Return the course's nbgrader ``Config`` with ``CourseDirectory.root`` set to ``root``.

    ``overrides`` are ``"Class.trait": value`` pairs written with double underscores,
    e.g. ``Execute__timeout=5``.
    """
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(repo_root())).load_config()
    config = Config(config)
    config.CourseDirectory.root = str(Path(root or repo_root()).resolve())
    for key, value in overrides.items():
        cls, trait = key.split("__", 1)
        setattr(getattr(config, cls), trait, value)
    return config


def api(root: Path | None = None, **overrides):
    """Return an ``NbGraderAPI`` for the course folder ``root`` (default: the repository)."""
    _ensure_bin_on_path()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(root, **overrides)
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)
