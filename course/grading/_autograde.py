"""Autograde one submission with nbgrader, one clear result per student.

Submissions live where nbgrader expects them:
``submitted/<student>/<module>/<module>.ipynb`` under the course folder. Each
student gets a :class:`StudentResult`: ``graded`` with per-part scores, or
``error`` / ``missing`` with a message that says what to fix. One student's
broken notebook never stops the others from being graded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from course.grading.gradebook import submission_scores


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
    scores = submission_scores(root, assignment, student)
    return StudentResult(student, assignment, "graded", scores.score, scores.max_score, scores.parts,
                         log=log_text)
