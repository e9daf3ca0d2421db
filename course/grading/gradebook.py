"""The only door to nbgrader's gradebook: who was graded, and with what scores.

Every read of the gradebook in the course goes through this module, and it goes
through nbgrader's own :class:`nbgrader.api.Gradebook` (no SQL of our own), so a
course that keeps its gradebook in another database than SQLite works the same.
Scores are computed here and nowhere else: a part's score is its grade's
``score`` (manual grades from formgrader included), a submission's score is the
sum over its parts, and parts worth no points are left out.

Examples
--------
>>> from pathlib import Path
>>> db_url(Path("/tmp/course")).endswith("/tmp/course/gradebook.db")
True
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Scores", "assignment_known", "class_scores", "db_url", "graded_students", "open_gradebook",
           "submission_scores"]


@dataclass
class Scores:
    """One submission's scores: the total, the maximum and each part's (by ``grade_id``)."""

    score: float = 0.0
    max_score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)


def db_url(root: str | os.PathLike) -> str:
    """Return the gradebook's database URL for the course folder ``root``.

    ``CourseDirectory.db_url`` from the course's ``nbgrader_config.py`` when it is
    set, else ``sqlite:///<root>/gradebook.db`` (nbgrader's default).
    """
    from course.grading._nbgrader import load_config

    root = Path(root).resolve()
    url = load_config(root).CourseDirectory.get("db_url", "")
    return url or f"sqlite:///{root / 'gradebook.db'}"


@contextmanager
def open_gradebook(root: str | os.PathLike):
    """Open the course folder's gradebook with nbgrader's API (closed on exit).

    An SQLite gradebook that does not exist yet is not created: the context yields
    ``None`` instead, so reading an ungraded course leaves no empty database behind.
    """
    url = db_url(root)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        yield None
        return
    from nbgrader.api import Gradebook

    with Gradebook(url) as gb:
        yield gb


def assignment_known(root: str | os.PathLike, assignment: str) -> bool:
    """Return whether ``assignment`` was generated into the gradebook (so it can be graded)."""
    from nbgrader.api import MissingEntry

    with open_gradebook(root) as gb:
        if gb is None:
            return False
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return False
        return True


def graded_students(root: str | os.PathLike, assignment: str) -> set[str]:
    """Return the students with a submission of ``assignment`` in the gradebook."""
    from nbgrader.api import MissingEntry

    with open_gradebook(root) as gb:
        if gb is None:
            return set()
        try:
            return {s.student.id for s in gb.assignment_submissions(assignment)}
        except MissingEntry:
            return set()


def _scores_of(submission) -> Scores:
    parts = {grade.name: float(grade.score or 0.0)
             for nb in submission.notebooks for grade in nb.grades if grade.max_score}
    max_score = sum(float(grade.max_score) for nb in submission.notebooks for grade in nb.grades
                    if grade.max_score)
    return Scores(sum(parts.values()), max_score, parts)


def submission_scores(root: str | os.PathLike, assignment: str, student: str) -> Scores:
    """Return one student's scores on ``assignment``.

    Raises
    ------
    LookupError
        If the student has no graded submission of it.
    """
    from nbgrader.api import MissingEntry

    with open_gradebook(root) as gb:
        try:
            if gb is None:
                raise MissingEntry()
            return _scores_of(gb.find_submission(assignment, student))
        except MissingEntry:
            raise LookupError(f"{student} has no graded submission of {assignment}") from None


def class_scores(root: str | os.PathLike, assignment: str) -> tuple[dict[str, Scores], dict[str, float]]:
    """Return every graded student's scores and each part's points, in the notebook's order.

    Returns
    -------
    (dict, dict)
        ``student -> Scores`` and ``grade_id -> points`` (parts worth points only).

    Raises
    ------
    ValueError
        If ``assignment`` is not in the gradebook.
    """
    from nbgrader.api import MissingEntry

    with open_gradebook(root) as gb:
        try:
            if gb is None:
                raise MissingEntry()
            found = gb.find_assignment(assignment)
        except MissingEntry:
            raise ValueError(f"{assignment} is not in the gradebook ({db_url(root)})") from None
        points = {cell.name: float(cell.max_score)
                  for nb in found.notebooks for cell in nb.grade_cells if cell.max_score}
        students = {s.student.id: _scores_of(s) for s in gb.assignment_submissions(assignment)}
    return students, points
