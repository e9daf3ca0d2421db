"""Grading end to end through nbgrader, on module 00, one student per scenario: part by part.

The class is the one shared with the other instructor-tool tests (``_class_fixtures``),
graded once per test process, so a broken, looping, killed or tampered submission is
seen not to stop the others from being graded.
"""

from __future__ import annotations

import json

import pytest
from _class_fixtures import CLASS, MODULE, POINTS, graded_class

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("class00")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    _root, run, _err = graded_class(tmp_path_factory)
    return {student[len("s-"):]: result for student, result in run.by_student().items()}


def _autograded(tmp_path_factory, scenario: str) -> dict:
    root, _run, _err = graded_class(tmp_path_factory)
    path = root / "autograded" / f"s-{scenario}" / MODULE / f"{MODULE}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_student_gets_a_result(graded):
    assert set(graded) == set(CLASS.values())


def test_solution_scores_full_marks_on_every_part(graded):
    result = graded["solution"]
    assert result.status == "graded"
    assert result.parts == POINTS
    assert result.score == result.max_score == sum(POINTS.values())


def test_untouched_release_scores_zero_on_every_part(graded):
    assert graded["untouched-release"].parts == {k: 0.0 for k in POINTS}


def test_wrong_answers_lose_exactly_their_points(graded):
    assert graded["wrong-answers"].parts == {**{k: 0.0 for k in POINTS}, "test_a1_per_million": 1.0}


def test_an_infinite_loop_times_out_scores_zero_and_later_parts_are_still_graded(graded):
    assert graded["infinite-loop"].parts == {**POINTS, "test_a2_monthly_bill": 0.0}


def test_a_loop_that_catches_keyboard_interrupt_is_stopped_and_later_parts_are_not_run(graded, tmp_path_factory):
    result = graded["interrupt-loop"]
    assert result.parts == {**{k: 0.0 for k in POINTS}, "test_a1_per_million": 1.0}
    cells = _autograded(tmp_path_factory, "interrupt-loop")["cells"]
    names = [o.get("ename") for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert "CellTimeoutError" in names and "NotRun" in names


def test_edited_test_cells_are_graded_with_the_original_tests(graded):
    assert graded["edited-tests"].parts == {**{k: 0.0 for k in POINTS}, "test_a1_per_million": 1.0}


def test_a_kernel_killed_by_the_answer_scores_zero_and_says_why(graded, tmp_path_factory):
    result = graded["killed-kernel"]
    assert result.status == "graded", result.message
    assert result.parts == {k: 0.0 for k in POINTS}
    cells = _autograded(tmp_path_factory, "killed-kernel")["cells"]
    names = [o.get("ename") for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert "DeadKernel" in names


def test_a_corrupt_notebook_gets_a_clear_error(graded):
    result = graded["corrupt-json"]
    assert result.status == "error"
    assert "not valid notebook JSON" in result.message
    assert "00_start_here.ipynb" in result.message


def test_a_missing_notebook_gets_a_clear_message(graded):
    result = graded["missing-notebook"]
    assert result.status == "missing"
    assert "00_start_here.ipynb is missing" in result.message
