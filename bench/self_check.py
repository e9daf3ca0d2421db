"""Self-check latency: ``course.check("a1")`` on one part, against the whole-notebook check.

The part check reads the saved notebook's test cell for that part and runs it
against the kernel's variables; the whole-notebook check runs the saved notebook in
a fresh kernel. Both on module 00's release with the right answer in the namespace.
"""

from __future__ import annotations

import statistics
import time

from bench._report import table
from course._base._paths import repo_root

MODULE = "00_start_here"
PART = "a1"
GOAL_S = 0.5


def run(*, small: bool = False) -> tuple[str, dict]:
    from course.grading._check import check_part, run_notebook

    notebook = repo_root() / "modules" / MODULE / f"{MODULE}.ipynb"
    namespace = {"davinci_per_million": 60.0}
    start = time.perf_counter()
    first = check_part(PART, notebook=notebook, namespace=namespace)
    first_s = time.perf_counter() - start
    assert first.passed, first
    times = []
    for _ in range(5 if small else 50):
        start = time.perf_counter()
        check_part(PART, notebook=notebook, namespace=namespace)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    rows = [[f'`course.check("{PART}")`, first call', first_s * 1000, first_s / GOAL_S],
            [f'`course.check("{PART}")`, median of {len(times)}', median * 1000, median / GOAL_S]]
    whole_s = None
    if not small:  # a fresh kernel and every cell: seconds, not milliseconds
        start = time.perf_counter()
        run_notebook(notebook, timeout=60)
        whole_s = time.perf_counter() - start
        rows.append(["whole notebook in a fresh kernel (`course.check()`)", whole_s * 1000, whole_s / GOAL_S])
    body = table(["check", "milliseconds", "/ 0.5 s goal"], rows)
    verdict = "met" if max(first_s, median) < GOAL_S else "NOT met"
    body += (f"\n\nModule {MODULE}, part {PART}, right answer in the namespace. Goal: one part under "
             f"{GOAL_S} s: {verdict} ({first_s * 1000:.1f} ms first call, {median * 1000:.2f} ms median).")
    return body, {"first_s": first_s, "median_s": median, "whole_s": whole_s}
