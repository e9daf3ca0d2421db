"""``course.check("a1")``: one part's visible tests, run in the live kernel against its variables, at once."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from course.grading._check import check, check_part, find_part, visible_tests

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "modules" / "00_start_here" / "00_start_here.ipynb"


def test_a_part_is_found_by_its_grade_id_or_the_start_of_it():
    cells = visible_tests(RELEASE)
    assert find_part("a1", cells)[0] == "test_a1_per_million"
    assert find_part("test_b2_safe_key_places", cells)[0] == "test_b2_safe_key_places"
    with pytest.raises(ValueError, match="no part 'z9'"):
        find_part("z9", cells)
    with pytest.raises(ValueError, match="several parts"):
        find_part("test_", cells)


def test_part_check_runs_the_visible_tests_against_the_given_variables():
    right = check_part("a1", notebook=RELEASE, namespace={"davinci_per_million": 60.0})
    wrong = check_part("a1", notebook=RELEASE, namespace={"davinci_per_million": 0.06})
    missing = check_part("a1", notebook=RELEASE, namespace={})
    assert right.passed and right.parts[0].grade_id == "test_a1_per_million"
    assert not wrong.passed and "still the price per thousand" in wrong.parts[0].message
    assert not missing.passed and missing.parts[0].message.startswith("NameError")


def test_part_check_leaves_the_learners_variables_as_they_were():
    namespace = {"b2_answer": {"env"}}
    assert check_part("b2", notebook=RELEASE, namespace=namespace).passed
    assert namespace == {"b2_answer": {"env"}}  # the test's own names (options, chosen) stay out


def test_an_unknown_part_is_a_clear_message_not_a_crash():
    report = check_part("q7", notebook=RELEASE, namespace={})
    assert not report.passed and "its parts are: test_a1_per_million" in report.error


@pytest.mark.slow
def test_in_a_live_kernel_a_part_check_answers_in_well_under_half_a_second(tmp_path):
    """Inside a real kernel, with the open notebook found from JupyterLab's variable."""
    from nbclient import NotebookClient

    probe = (
        "import os, time, course\n"
        f"os.environ['JPY_SESSION_NAME'] = {str(RELEASE)!r}\n"
        "davinci_per_million = 0.06\n"
        "t = time.perf_counter(); first = course.check('a1'); t_first = time.perf_counter() - t\n"
        "davinci_per_million = 60.0\n"
        "t = time.perf_counter(); second = course.check('a1'); t_second = time.perf_counter() - t\n"
        "import json\n"
        "print(json.dumps({'first': [first.passed, first.parts[0].message], 'second': second.passed,\n"
        "                  'seconds': [t_first, t_second], 'leaked': 'options' in dir()}))\n"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)])
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = json.loads(nb.cells[0].outputs[-1]["text"])
    assert out["first"][0] is False and "per thousand" in out["first"][1]
    assert out["second"] is True
    assert max(out["seconds"]) < 0.5, out["seconds"]
    assert out["leaked"] is False


def test_check_with_a_notebook_path_still_runs_the_whole_notebook(monkeypatch):
    """A path (or nothing) keeps the fresh-kernel check; a part name goes to the live kernel."""
    seen = []
    monkeypatch.setattr("course.grading._check.run_notebook", lambda path, timeout: seen.append(path) or
                        nbformat.read(RELEASE, as_version=4))
    report = check(str(RELEASE))
    assert seen == [RELEASE.resolve()]
    assert [p.grade_id for p in report.parts][:1] == ["test_a1_per_million"]
    assert check("a1", notebook=RELEASE).parts[0].grade_id == "test_a1_per_million"
    assert len(seen) == 1
