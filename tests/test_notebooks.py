"""Every module, graded by nbgrader: the solution scores full marks and runs cleanly
offline; the untouched student release scores zero on every part."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _class_fixtures import MODULE as CLASS_MODULE
from _class_fixtures import graded_class

from course.grading._build import assignments
from course.grading._grade import grade_class
from course.grading._nbgrader import api as nbgrader_api
from tests._submissions import release, solution, submit
from tests.conftest import copy_solution

MODULES = assignments()
_cache: dict[str, tuple[Path, dict, dict]] = {}
_factory: list = []


def grade_module(module: str, tmp_root: Path):
    """Generate, submit the solution and the release, grade both (once per module per worker).

    Module 00 reuses the instructor-tool tests' class (graded once per suite), whose
    ``s-solution`` and ``s-untouched-release`` students are these two submissions.
    """
    if module == CLASS_MODULE and module not in _cache:
        root, run, _err = graded_class(_factory[-1])
        results = run.by_student()
        _cache[module] = (root, {"solution": results["s-solution"], "release": results["s-untouched-release"]},
                          {"solution": "s-solution", "release": "s-untouched-release"})
    if module not in _cache:
        root = tmp_root / module
        (root / "solutions").mkdir(parents=True)
        copy_solution(root, module)
        result = nbgrader_api(root).generate_assignment(module, force=True, create=True)
        assert result["success"], result.get("error")
        submit(root, module, "solution", solution(module))
        submit(root, module, "release", release(module))
        results = grade_class(module, root=root, progress=False).by_student()
        _cache[module] = (root, results, {"solution": "solution", "release": "release"})
    return _cache[module]


@pytest.fixture(scope="module")
def tmp_root(tmp_path_factory):
    _factory.append(tmp_path_factory)  # for module 00's shared class
    return tmp_path_factory.mktemp("modules")


def params():
    return [pytest.param(m, marks=[pytest.mark.slow, pytest.mark.xdist_group("class00" if m == CLASS_MODULE else f"nb-{m}")])
            for m in MODULES]


def test_there_are_modules_to_grade():
    assert "00_start_here" in MODULES


@pytest.mark.parametrize("module", params())
def test_solution_scores_full_marks(module, tmp_root):
    _, results, _names = grade_module(module, tmp_root)
    result = results["solution"]
    assert result.status == "graded", result.message
    assert result.max_score > 0
    lost = {k: v for k, v in result.parts.items() if v == 0}
    assert result.score == result.max_score, f"parts that failed: {sorted(lost)}"


@pytest.mark.parametrize("module", params())
def test_untouched_release_scores_zero_on_every_part(module, tmp_root):
    _, results, _names = grade_module(module, tmp_root)
    result = results["release"]
    assert result.status == "graded", result.message
    scored = {k: v for k, v in result.parts.items() if v}
    assert not scored, f"parts that score without an answer: {sorted(scored)}"


@pytest.mark.parametrize("module", params())
def test_solution_runs_offline_without_errors(module, tmp_root):
    root, _, names = grade_module(module, tmp_root)
    graded = root / "autograded" / names["solution"] / module / f"{module}.ipynb"
    nb = json.loads(graded.read_text(encoding="utf-8"))
    errors = [
        (index, out.get("ename"), out.get("evalue", "")[:200])
        for index, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
        for out in cell.get("outputs", []) if out.get("output_type") == "error"
    ]
    assert not errors, f"cells that raised: {errors}"


@pytest.mark.parametrize("module", MODULES)
def test_module_follows_the_skeleton(module):
    nb = solution(module)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "In this module you will" in markdown
    assert "In this module we" in markdown
    assert "What to read next" in markdown
    setup = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
    assert setup and setup[0].metadata["nbgrader"]["locked"], "a locked set-up cell with grade_id 'setup'"
    assert "course.setup()" in setup[0].source
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded, "at least one graded part"
    for cell in graded:
        first = cell.source.lstrip().splitlines()[0]
        assert first.startswith('"""'), f"{cell.metadata['nbgrader']['grade_id']}: first line should be a docstring"


#: A module is split when it runs over about this many cells (issue #19: about 60 cells or 75 minutes).
MAX_CELLS = 65


@pytest.mark.parametrize("module", MODULES)
def test_no_module_runs_over_about_sixty_cells(module):
    cells = len(solution(module).cells)
    assert cells <= MAX_CELLS, f"{module} has {cells} cells: split it (docs/authoring.md)"


def _conventions(module: str) -> tuple[int, str]:
    nb = solution(module)
    for index, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "conventions":
            return index, cell.source
    raise AssertionError(f"{module} has no locked 'conventions' cell")


@pytest.mark.parametrize("module", MODULES)
def test_conventions_are_stated_before_the_first_part_and_the_same_in_every_module(module):
    index, text = _conventions(module)
    _, reference = _conventions(MODULES[0])
    assert text == reference, "the conventions cell differs from module 00's: state one convention course-wide"
    assert "fractions between 0 and 1" in text
    nb = solution(module)
    first_part = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "## Part " in c.source)
    assert index < first_part, "state the conventions before the first question"
    assert nb.cells[index].metadata["nbgrader"]["locked"]


@pytest.mark.parametrize("module", MODULES)
def test_every_grade_cell_reads_the_answer_through_course_expect(module):
    nb = solution(module)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    without = [c.metadata["nbgrader"]["grade_id"] for c in graded if "course.expect." not in c.source]
    assert not without, f"grade cells that compare raw answers: {without}"
    raw_checks = [c.metadata["nbgrader"]["grade_id"] for c in graded if "(int, float)" in c.source]
    assert not raw_checks, f"isinstance(x, (int, float)) refuses numpy numbers: {raw_checks}"
