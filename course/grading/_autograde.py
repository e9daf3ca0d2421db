"""Autograde submissions with nbgrader, one clear result per student.

Submissions live where nbgrader expects them:
``submitted/<student>/<module>/<module>.ipynb`` under the course folder. Each
student gets a :class:`StudentResult`: ``graded`` with per-part scores, or
``error`` / ``missing`` with a message that says what to fix. One student's
broken notebook never stops the others from being graded.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from course._base._paths import repo_root


@dataclass
class StudentResult:
    """The outcome of grading one student's submission of one module."""

    student: str
    assignment: str
    status: str  # "graded", "error" or "missing"
    score: float = 0.0
    max_score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    message: str = ""
    #: Wall time spent grading it, in seconds (0 when it was not run).
    seconds: float = 0.0
    #: nbgrader's log for this submission (kept out of reprs and comparisons).
    log: str = field(default="", repr=False, compare=False)

    def __str__(self) -> str:
        if self.status == "graded":
            return f"{self.student}: {self.score:g} / {self.max_score:g}"
        return f"{self.student}: {self.status.upper()}: {self.message}"


def precheck(submission_dir: Path, notebooks: list[str]) -> str:
    """Return a message when a submission cannot be graded as it is, else ``""``."""
    if not submission_dir.is_dir():
        return f"no submission folder {submission_dir}"
    for name in notebooks:
        path = submission_dir / name
        if not path.is_file():
            return f"{name} is missing from the submission"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            return f"{name} is not a text file, so it is not a notebook"
        except json.JSONDecodeError as err:
            return f"{name} is not valid notebook JSON (line {err.lineno}, column {err.colno}): {err.msg}"
        if not isinstance(data, dict) or "cells" not in data:
            return f"{name} is JSON but not a notebook (it has no 'cells')"
    return ""


def source_notebooks(root: Path, assignment: str) -> list[str]:
    """Return the notebook file names of a module's source (what each student must submit)."""
    source = root / "solutions" / assignment
    return sorted(p.name for p in source.glob("*.ipynb"))


def read_scores(api, assignment: str, student: str) -> tuple[float, float, dict[str, float]]:
    """Return (score, max_score, per-part scores) from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url) as gb:
        submission = gb.find_submission(assignment, student)
        parts = {}
        for nb in submission.notebooks:
            for grade in nb.grades:
                if grade.max_score:
                    parts[grade.name] = float(grade.score or 0.0)
        return float(submission.score or 0.0), float(submission.max_score or 0.0), parts


def grade_one(api, assignment: str, student: str, *, notebooks: list[str], force: bool = True) -> StudentResult:
    """Autograde one student's submission with an existing ``NbGraderAPI``."""
    root = Path(api.coursedir.root)
    folder = root / "submitted" / student / assignment
    problem = precheck(folder, notebooks)
    if problem:
        status = "missing" if "missing" in problem or "no submission" in problem else "error"
        return StudentResult(student, assignment, status, message=problem)
    try:
        result = api.autograde(assignment, student, force=force, create=True)
    except Exception as err:  # nbgrader raised instead of reporting
        return StudentResult(student, assignment, "error", message=f"{type(err).__name__}: {err}")
    log_text = "\n".join(filter(None, [result.get("log"), result.get("error")]))
    if not result.get("success"):
        log = (result.get("error") or result.get("log") or "").strip().splitlines()
        tail = " | ".join(line.strip() for line in log[-3:])
        return StudentResult(student, assignment, "error", message=f"nbgrader could not grade it: {tail}",
                             log=log_text)
    score, max_score, parts = read_scores(api, assignment, student)
    return StudentResult(student, assignment, "graded", score, max_score, parts, log=log_text)


def autograde(
    assignment: str,
    *,
    root: str | Path | None = None,
    students: list[str] | None = None,
    timeout: int | None = None,
    force: bool = True,
) -> list[StudentResult]:
    """Autograde every submission of ``assignment`` (one after another, in this process).

    Parameters
    ----------
    assignment : str
        The module folder name, e.g. ``"00_start_here"``. The module must have been
        generated in this course folder (its source is in the gradebook).
    root : path, optional
        The course folder (default: the repository).
    students : list of str, optional
        Default: every folder under ``submitted/``.
    timeout : int, optional
        Per-cell time limit in seconds (default: ``nbgrader_config.py``'s).
    force : bool, default True
        Regrade submissions that were already graded.
    """
    from course.grading._nbgrader import api as nbgrader_api

    root = Path(root or repo_root()).resolve()
    overrides = {"Execute__timeout": timeout} if timeout else {}
    api = nbgrader_api(root, **overrides)
    notebooks = source_notebooks(root, assignment)
    if students is None:
        submitted = root / "submitted"
        students = sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []
    return [grade_one(api, assignment, s, notebooks=notebooks, force=force) for s in students]


def add_arguments(parser) -> None:
    parser.add_argument("module", help="module folder name, e.g. 01_cost_collapse")
    parser.add_argument("--student", action="append", dest="students", help="grade only this student (repeatable)")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default from nbgrader_config.py)")
    parser.add_argument("--root", help="course folder (default: the repository)")


def main(args) -> int:
    results = autograde(args.module, root=args.root, students=args.students, timeout=args.timeout)
    for result in results:
        print(result)
    errors = [r for r in results if r.status != "graded"]
    if errors:
        print(f"{len(errors)} of {len(results)} submissions could not be graded (see above)", file=sys.stderr)
    return 0
