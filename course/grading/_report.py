"""The class report after a workshop: ``course report MODULE``.

Reads nbgrader's gradebook (so manual grades given in formgrader count) and writes,
under ``grading/reports/<module>/`` in the course folder:

- ``scores.csv``: one row per student, one column per graded part (``grade_id``),
  then ``total`` and ``max_score``;
- ``score_distribution.png``: a histogram of the students' total scores;
- ``hardest_questions.png``: the mean score of each part as a fraction of its points,
  hardest first.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from course._base._paths import repo_root


@dataclass
class ClassReport:
    """Where a class report was written, and its table."""

    scores: object  # pandas.DataFrame: index student, columns grade ids + total + max_score
    max_points: dict[str, float]
    csv: Path
    distribution_png: Path
    hardest_png: Path

    def part_fractions(self):
        """Return the mean score of each part as a fraction of its points, hardest first."""
        parts = list(self.max_points)
        fractions = self.scores[parts].mean() / self.scores[parts].columns.map(self.max_points).to_numpy()
        return fractions.sort_values()


def class_scores(assignment: str, *, root: str | os.PathLike | None = None):
    """Return (per-part scores table, points per part) for a module, from the gradebook.

    Parameters
    ----------
    assignment : str
        The module folder name, e.g. ``"00_start_here"``.
    root : path, optional
        The course folder holding ``gradebook.db`` (default: the repository).

    Returns
    -------
    (pandas.DataFrame, dict)
        One row per graded student (index ``student``), one column per ``grade_id`` in
        the order of the notebook, then ``total`` and ``max_score``; and each part's points.
    """
    import pandas as pd

    from course.grading.gradebook import class_scores as gradebook_scores

    root = Path(root or repo_root()).resolve()
    students, max_points = gradebook_scores(root, assignment)
    rows = [{"student": student, **scores.parts} for student, scores in students.items()]
    columns = ["student", *max_points]
    table = pd.DataFrame(rows, columns=columns).set_index("student").sort_index()
    table = table.fillna(0.0)
    table["total"] = [students[s].score for s in table.index]
    table["max_score"] = sum(max_points.values())
    return table, max_points


def class_report(
    assignment: str,
    *,
    root: str | os.PathLike | None = None,
    out: str | os.PathLike | None = None,
) -> ClassReport:
    """Write the per-question scores CSV and the two plots of a graded module.

    Parameters
    ----------
    assignment : str
        The module folder name.
    root : path, optional
        The course folder (default: the repository).
    out : path, optional
        Where to write (default ``<root>/grading/reports/<assignment>``).

    Returns
    -------
    ClassReport
        The table and the paths written.

    Raises
    ------
    ValueError
        If nobody has been graded on the module yet.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    root = Path(root or repo_root()).resolve()
    out = Path(out or root / "grading" / "reports" / assignment)
    table, max_points = class_scores(assignment, root=root)
    if table.empty:
        raise ValueError(f"nobody has been graded on {assignment} yet: run `course grade {assignment}` first")
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "scores.csv"
    table.to_csv(csv_path, float_format="%g")
    report = ClassReport(table, max_points, csv_path, out / "score_distribution.png", out / "hardest_questions.png")

    total = table["max_score"].iloc[0]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = [x - 0.5 for x in range(int(total) + 2)] if float(total).is_integer() and total <= 40 else 10
    ax.hist(table["total"], bins=bins, color="#3b6ea8", edgecolor="white")
    ax.set_xlabel(f"total score (out of {total:g})")
    ax.set_ylabel("students")
    ax.set_title(f"{assignment}: score distribution ({len(table)} students, mean {table['total'].mean():.1f})")
    fig.tight_layout()
    fig.savefig(report.distribution_png, dpi=120)
    plt.close(fig)

    fractions = report.part_fractions()
    fig, ax = plt.subplots(figsize=(6, 0.45 * len(fractions) + 1.2))
    ax.barh(list(fractions.index)[::-1], list(fractions.to_numpy())[::-1], color="#c0504d")
    ax.set_xlim(0, 1)
    ax.set_xlabel("mean score as a fraction of the part's points")
    ax.set_title(f"{assignment}: hardest questions first")
    fig.tight_layout()
    fig.savefig(report.hardest_png, dpi=120)
    plt.close(fig)
    return report


def add_arguments(parser) -> None:
    parser.add_argument("module", help="module folder name, e.g. 01_cost_collapse")
    parser.add_argument("--root", help="course folder (default: the repository)")
    parser.add_argument("--out", help="folder to write into (default: grading/reports/MODULE)")


def main(args) -> int:
    try:
        report = class_report(args.module, root=args.root, out=args.out)
    except ValueError as err:
        print(f"course report: {err}", file=sys.stderr)
        return 1
    print(report.scores.to_string(float_format=lambda x: f"{x:g}"))
    print("\nmean score per part (fraction of its points), hardest first:")
    for gid, frac in report.part_fractions().items():
        print(f"  {gid:<40} {frac:.0%}")
    print(f"\nwrote {report.csv}\n      {report.distribution_png}\n      {report.hardest_png}")
    return 0
