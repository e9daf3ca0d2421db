"""How long each solution notebook takes to run top to bottom, offline, in a fresh kernel."""

from __future__ import annotations

import os
import time

from bench._report import table
from course._base._paths import solutions_dir
from course.grading._build import assignments
from course.grading._check import grade_parts, run_notebook

GOAL_EACH_S = 60
GOAL_TOTAL_S = 300


def run(*, small: bool = False) -> tuple[str, dict]:
    os.environ.setdefault("COURSE_LLM_BACKEND", "sandbox")
    names = assignments()[:1] if small else assignments()
    rows, figures = [], {}
    for name in names:
        path = solutions_dir() / name / f"{name}.ipynb"
        start = time.perf_counter()
        nb = run_notebook(path, timeout=120)
        elapsed = time.perf_counter() - start
        parts = grade_parts(nb)
        figures[name] = elapsed
        rows.append([name, elapsed, f"{sum(p.passed for p in parts)}/{len(parts)}",
                     "yes" if elapsed < GOAL_EACH_S else "NO"])
    total = sum(figures.values())
    rows.append(["**all modules**", total, "", "yes" if total < GOAL_TOTAL_S else "NO"])
    body = table(["notebook", "seconds (kernel start + all cells)", "visible tests passing",
                  f"under {GOAL_EACH_S} s"], rows)
    body += f"\n\nGoals: each under {GOAL_EACH_S} s, the whole course under {GOAL_TOTAL_S} s (total {total:.1f} s)."
    return body, figures
