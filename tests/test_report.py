"""``course report``: per-question scores CSV and the two plots, from the gradebook."""

from __future__ import annotations

import pandas as pd
import pytest
from _class_fixtures import CLASS, EXPECTED, MAX_SCORE, MODULE, POINTS, graded_class, make_course

from course.grading._report import class_report

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("class00")]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root, _run, _err = graded_class(tmp_path_factory)
    return class_report(MODULE, root=root, out=tmp_path_factory.mktemp("report"))


def test_scores_csv_has_one_row_per_graded_student_and_one_column_per_part(report):
    """student x grade_id, then total and max_score; broken submissions have no row."""
    table = pd.read_csv(report.csv, index_col="student")
    assert list(table.columns) == [*POINTS, "total", "max_score"]
    assert set(table.index) == {s for s, k in CLASS.items() if EXPECTED[k] is not None}
    for student in table.index:
        assert table.loc[student, "total"] == EXPECTED[CLASS[student]]
        assert table.loc[student, list(POINTS)].sum() == table.loc[student, "total"]
    assert (table["max_score"] == MAX_SCORE).all()
    assert table.loc["s-solution", "test_a2_monthly_bill"] == 2
    assert table.loc["s-infinite-loop", "test_a2_monthly_bill"] == 0


def test_plots_are_written_as_png(report):
    """The score distribution and the hardest-questions chart open as PNG images."""
    for path in (report.distribution_png, report.hardest_png):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hardest_question_comes_first(report):
    """Part A2 (which only the full solution gets) is the hardest in the synthetic class."""
    fractions = report.part_fractions()
    assert fractions.index[0] == "test_a2_monthly_bill"
    assert fractions.iloc[0] == pytest.approx(2 / 8)  # the solution and the snoop, of 8 graded
    assert fractions.is_monotonic_increasing


def test_report_before_grading_says_to_grade_first(tmp_path):
    """A module with nobody graded yet gives a clear message, not an empty chart."""
    make_course(tmp_path)
    with pytest.raises(ValueError, match="course grade"):
        class_report(MODULE, root=tmp_path)
