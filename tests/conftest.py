"""Fixtures for the tests in ``tests/``; the suite-wide offline set-up is the root ``conftest.py``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def course_dir(tmp_path):
    """An empty nbgrader course folder (a temporary copy of the course's layout)."""
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    return root


def copy_solution(root: Path, module: str) -> None:
    """Copy one module's source notebook folder into a temporary course folder."""
    shutil.copytree(ROOT / "solutions" / module, root / "solutions" / module)
