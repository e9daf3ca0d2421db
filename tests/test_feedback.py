"""Feedback never shows a hidden test, through ``course feedback`` or plain ``nbgrader generate_feedback``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from _class_fixtures import CLASS, EXPECTED, MODULE, ROOT, graded_class

from course.grading._feedback import (
    HideHiddenTests,
    feedback,
    hidden_lines,
    leaked_lines,
    strip_hidden,
    visible_text,
)

SOURCE = ROOT / "solutions" / MODULE / f"{MODULE}.ipynb"


def test_strip_hidden_keeps_visible_lines_only():
    """The hidden region and its markers go; what is around them stays."""
    src = '"""Doc."""\nassert x\n### BEGIN HIDDEN TESTS\nassert x == 4\n### END HIDDEN TESTS\nprint("ok")'
    assert strip_hidden(src) == '"""Doc."""\nassert x\nprint("ok")'


def test_hidden_lines_lists_module_00s_hidden_tests():
    """Each hidden block's lines, markers included, are what a feedback file must never show."""
    lines = hidden_lines(SOURCE)
    assert "### BEGIN HIDDEN TESTS" in lines
    assert any("course.per_million(0.06, per=1_000)" in line for line in lines)


def test_the_preprocessor_works_by_cell_and_leaves_the_learners_code_alone():
    """Test cells lose their hidden region and tracebacks; an answer with `import math` is untouched."""
    nb = nbformat.read(SOURCE, as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_a1")
    answer.source = "import math\ndavinci_per_million = 60.0"
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_a1_per_million")
    test.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="expected $0.06",
                                           traceback=["---", "assert math.isclose(davinci_per_million, 60.0)"])]
    nb, _ = HideHiddenTests().preprocess(nb, {})
    assert answer.source == "import math\ndavinci_per_million = 60.0"
    assert "HIDDEN" not in test.source and "math.isclose" not in test.source
    assert test.outputs[0]["traceback"] == ["AssertionError: expected $0.06"]
    shown = "\n".join(c.source for c in nb.cells)
    assert not [line for line in hidden_lines(SOURCE) if line != "import math" and line in shown]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return graded_class(tmp_path_factory)


def _assert_no_hidden_test(paths):
    secret = hidden_lines(SOURCE)
    for path in paths:
        html = Path(path).read_text(encoding="utf-8")
        text = visible_text(html)
        shown = [line for line in secret if line != "import math" and (line in text or line in html)]
        assert not shown, f"{path} shows hidden lines {shown}"


@pytest.mark.slow
@pytest.mark.xdist_group("class00")
def test_course_feedback_is_generated_and_released_for_everyone_without_hidden_tests(graded, tmp_path):
    """Every graded student gets feedback (none withheld), and none of it shows a hidden test."""
    root, _run, _err = graded
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    run = feedback(MODULE, root=root, release=True, exchange=exchange)
    graded_students = {s for s, k in CLASS.items() if EXPECTED[k] is not None}
    assert run.errors == {}
    assert set(run.files) == set(run.released) == graded_students
    files = list((root / "feedback").rglob("*.html")) + list(exchange.rglob("*.html"))
    assert len(files) == 2 * len(graded_students)
    _assert_no_hidden_test(files)
    # the learner still sees which parts failed, the visible tests' messages, and their own code
    wrong = visible_text((root / "feedback" / "s-wrong-answers" / MODULE / f"{MODULE}.html").read_text())
    assert "AssertionError" in wrong
    assert "Check the month's bill" in wrong  # the visible docstring of a grade cell
    assert "import math  # a hidden test's line too" in wrong  # their own import, shown, not withheld


@pytest.mark.slow
@pytest.mark.xdist_group("class00")
def test_plain_nbgrader_generate_feedback_with_the_course_config_shows_no_hidden_test(graded):
    """The formgrader's button runs the same command: the course's nbgrader_config.py makes it safe."""
    root, _run, _err = graded
    student = "s-wrong-answers"
    path = root / "feedback" / student / MODULE / f"{MODULE}.html"
    path.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", MODULE, "--student", student,
                           "--force", f"--CourseDirectory.root={root}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    _assert_no_hidden_test([path])
    assert "Check the month's bill" in visible_text(path.read_text(encoding="utf-8"))


def test_without_the_preprocessor_nbgraders_feedback_would_leak():
    """The check has teeth: nbgrader's autograded notebook holds the hidden lines the test looks for."""
    nb = nbformat.read(SOURCE, as_version=4)
    source = "\n".join(c.source for c in nb.cells)
    assert leaked_lines(source, hidden_lines(SOURCE))
