"""``course grade``: a synthetic class graded in parallel, logged, resumable, in nbgrader's gradebook."""

from __future__ import annotations

import json

import pytest
from _class_fixtures import CLASS, EXPECTED, MAX_SCORE, MODULE, TIMEOUT, graded_class, make_course

from course.grading._grade import fingerprint, grade_class

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("class00")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return graded_class(tmp_path_factory)


def test_every_scenario_gets_its_score_or_a_clear_error(graded):
    """Right, wrong, looping (incl. KeyboardInterrupt-catching), edited-test, corrupt and missing submissions."""
    _root, run, _err = graded
    results = run.by_student()
    assert set(results) == set(CLASS)
    for student, scenario in CLASS.items():
        result = results[student]
        if EXPECTED[scenario] is None:
            assert result.status in {"error", "missing"}, (scenario, result)
            assert result.message
        else:
            assert result.status == "graded", (scenario, result.message)
            assert result.score == EXPECTED[scenario], (scenario, result.parts)
            assert result.max_score == MAX_SCORE
    assert "not valid notebook JSON" in results["s-corrupt-json"].message
    assert results["s-missing-notebook"].status == "missing"


def test_class_is_graded_by_parallel_workers_with_a_progress_bar(graded):
    """Two workers grade the class, and a tqdm bar on stderr counts the students."""
    _root, run, err = graded
    assert run.workers == 2
    assert f"grading {MODULE}" in err
    assert "8/8" in err  # the eight gradable submissions; the two broken ones never reach a worker


def test_each_student_has_a_log_and_the_summary_lists_everyone(graded):
    """Per-student logs (errors included) and a summary CSV; the table names every student."""
    root, run, _err = graded
    logs = root / "grading" / "logs" / MODULE
    for student in CLASS:
        assert (logs / f"{student}.log").is_file(), student
    assert "not valid notebook JSON" in (logs / "s-corrupt-json.log").read_text()
    assert "CellTimeoutError" in (logs / "s-interrupt-loop.log").read_text() or \
        "timed out" in (logs / "s-interrupt-loop.log").read_text().lower()
    summary = (logs / "summary.csv").read_text()
    table = run.table()
    for student in CLASS:
        assert student in summary and student in table


def test_results_land_in_nbgraders_gradebook(graded):
    """formgrader and `nbgrader export` read the gradebook: every graded student is in it."""
    from nbgrader.api import Gradebook

    root, _run, _err = graded
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(MODULE)}
    expected = {f"s-{k}": v for k, v in EXPECTED.items() if v is not None}
    assert scores == expected


def test_rerun_skips_unchanged_submissions_and_regrades_changed_ones(graded):
    """Resumable: nothing changed -> nothing regraded; one file changed -> only it is regraded."""
    root, _run, _err = graded
    again = grade_class(MODULE, root=root, timeout=TIMEOUT, progress=False)
    assert sorted(again.skipped) == sorted(s for s, k in CLASS.items() if EXPECTED[k] is not None)
    assert again.by_student()["s-solution"].score == MAX_SCORE

    path = root / "submitted" / "s-untouched-release" / MODULE / f"{MODULE}.ipynb"
    before = fingerprint(path.parent)
    path.write_text(json.dumps(json.loads(path.read_text()), indent=2))  # same answers, new bytes
    assert fingerprint(path.parent) != before
    changed = grade_class(MODULE, root=root, timeout=TIMEOUT, progress=False)
    assert "s-untouched-release" not in changed.skipped
    assert len(changed.skipped) == len(again.skipped) - 1
    assert changed.by_student()["s-untouched-release"].score == 0


def test_force_regrades_an_unchanged_submission(graded):
    """--force (with --student, as a shard would) regrades even when nothing changed."""
    root, _run, _err = graded
    run = grade_class(MODULE, root=root, students=["s-wrong-answers"], force=True, timeout=TIMEOUT, progress=False)
    assert run.skipped == []
    assert [(r.student, r.score) for r in run.results] == [("s-wrong-answers", EXPECTED["wrong-answers"])]


def test_cli_prints_the_summary_table(graded, capsys):
    """`course grade MODULE --root DIR` ends with the summary table (here: everything unchanged)."""
    from course.cli import main

    root, _run, _err = graded
    assert main(["grade", MODULE, "--root", str(root), "--no-progress", "--timeout", str(TIMEOUT)]) == 0
    out = capsys.readouterr().out
    full = f"{MAX_SCORE:g} / {MAX_SCORE:g}"
    assert "student" in out and "s-solution" in out and full in out, out


def test_a_module_missing_from_the_gradebook_is_a_clear_error(tmp_path):
    """Grading a module that was never generated says what to do instead of failing per student."""
    make_course(tmp_path)
    with pytest.raises(ValueError, match="generate it first"):
        grade_class("99_nope", root=tmp_path, progress=False)
