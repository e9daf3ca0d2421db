"""Every learning goal of every module is graded.

Each solution notebook lists its goals as bullets under "In this module you will:" and maps them,
in notebook metadata ``course.goals``, to the grade cells that test them:
``{"course": {"goals": {"<bullet text exactly>": ["<grade_id>", ...]}}}``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
HEADING = "In this module you will:"


def goal_bullets(notebook: dict) -> list[str]:
    """The bullets under the first "In this module you will:" of a Markdown cell, in order."""
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        at = text.find(HEADING)
        if at < 0:
            continue
        bullets = []
        for line in text[at + len(HEADING):].lstrip("*").splitlines()[1:]:
            if line.startswith(("- ", "* ")):
                bullets.append(line[2:].strip())
            elif bullets and line.startswith("  ") and line.strip():
                bullets[-1] += " " + line.strip()  # a bullet continued on the next line
            elif bullets or line.strip():
                break
        return bullets
    return []


def graded_cells(notebook: dict) -> dict[str, float]:
    """grade_id -> points of every nbgrader grade cell."""
    cells = {}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            cells[meta["grade_id"]] = float(meta.get("points", 0) or 0)
    return cells


def goal_problems(notebook: dict) -> list[str]:
    """Why a notebook's goal mapping is incomplete or wrong (empty when it is right)."""
    bullets = goal_bullets(notebook)
    if not bullets:
        return [f'no bullets under "{HEADING}"']
    goals = notebook.get("metadata", {}).get("course", {}).get("goals")
    if not isinstance(goals, dict):
        return ["notebook metadata has no course.goals mapping"]
    graded = graded_cells(notebook)
    problems = [f"goal not in metadata: {b!r}" for b in bullets if b not in goals]
    problems += [f"metadata goal is not a bullet (texts must match exactly): {g!r}" for g in goals if g not in bullets]
    for goal, ids in goals.items():
        if not isinstance(ids, list) or not ids:
            problems.append(f"goal maps to no grade cell: {goal!r}")
            continue
        for gid in ids:
            if gid not in graded:
                problems.append(f"{goal!r} maps to {gid!r}, which is not a grade cell")
            elif graded[gid] <= 0:
                problems.append(f"{goal!r} maps to {gid!r}, which has no points")
    return problems


def _notebook(cells: list[dict], goals=None) -> dict:
    meta = {} if goals is None else {"course": {"goals": goals}}
    return {"cells": cells, "metadata": meta}


_INTRO = {"cell_type": "markdown", "metadata": {},
          "source": ["# Module\n", "\n", "**In this module you will:**\n", "- price a token;\n",
                     "- compare two hosts.\n", "\n", "Then more text."]}


def _grade(gid: str, points: float) -> dict:
    return {"cell_type": "code", "source": [], "metadata": {"nbgrader": {"grade": True, "grade_id": gid,
                                                                         "points": points}}}


def test_goal_bullets_are_read_exactly_and_stop_at_the_list_end():
    assert goal_bullets(_notebook([_INTRO])) == ["price a token;", "compare two hosts."]


def test_a_complete_mapping_passes_and_each_gap_is_named():
    cells = [_INTRO, _grade("test_a", 1), _grade("test_b", 0)]
    good = {"price a token;": ["test_a"], "compare two hosts.": ["test_a"]}
    assert goal_problems(_notebook(cells, good)) == []
    assert goal_problems(_notebook(cells)) == ["notebook metadata has no course.goals mapping"]
    missing = goal_problems(_notebook(cells, {"price a token;": ["test_a"]}))
    assert missing == ["goal not in metadata: 'compare two hosts.'"]
    zero = goal_problems(_notebook(cells, {**good, "compare two hosts.": ["test_b"]}))
    assert zero == ["'compare two hosts.' maps to 'test_b', which has no points"]
    unknown = goal_problems(_notebook(cells, {**good, "compare two hosts.": ["test_z"]}))
    assert unknown == ["'compare two hosts.' maps to 'test_z', which is not a grade cell"]
    reworded = goal_problems(_notebook(cells, {"price a token": ["test_a"], "compare two hosts.": ["test_a"]}))
    assert "goal not in metadata: 'price a token;'" in reworded


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.parent.name for p in NOTEBOOKS])
def test_every_module_goal_maps_to_a_graded_cell_with_points(path: Path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    bullets = goal_bullets(notebook)
    # The skeleton asks for 3 to 5 goals; the course checklist has one goal per course goal, six.
    most = 6 if path.parent.name.endswith("_course_checklist") else 5
    assert 3 <= len(bullets) <= most, f"{path.name}: {len(bullets)} goals; the skeleton asks for 3 to {most}"
    assert not goal_problems(notebook), f"{path.name}: " + "; ".join(goal_problems(notebook))


def test_every_solution_notebook_is_checked():
    assert NOTEBOOKS, "no solution notebooks found"
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+", p.parent.name) for p in NOTEBOOKS)
