"""Autograding a synthetic class: plain sequential ``nbgrader autograde`` against ``course grade``.

The class: ``students`` learners x every module, a mix of correct submissions, wrong
ones (only the first half of the answers filled in) and looping ones (one answer
replaced by ``while True: pass``). Both graders get their own copy of the same
course folder and the same per-cell timeout, so they do the same work. ``course
grade`` grades every module with one pool of workers, each keeping a kernel booting
ahead. The floor is what a notebook cannot avoid once its kernel is up: running
its cells (the cells-only floor), measured in the same run for one submission of
each kind per module in an already started kernel.

The class size and the modules can be chosen: ``BENCH_STUDENTS=50`` (the default)
and ``BENCH_MODULES=00_start_here,01_cost_collapse`` (default: every module).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from bench._report import table
from course._base._paths import repo_root, solutions_dir
from course.grading._build import assignments
from course.grading._nbgrader import api as nbgrader_api

TIMEOUT = 5  # seconds per cell, for both graders
MIX = (("correct", 0.7), ("wrong", 0.2), ("looping", 0.1))


def _answer_cells(nb) -> list:
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]


def make_submission(module: str, kind: str):
    """A submission of ``kind`` built from the module's release and solution notebooks."""
    sol = nbformat.read(solutions_dir() / module / f"{module}.ipynb", as_version=4)
    rel = nbformat.read(repo_root() / "modules" / module / f"{module}.ipynb", as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in _answer_cells(sol)}
    ids = list(answers)
    keep = {"correct": ids, "wrong": ids[: len(ids) // 2], "looping": ids}[kind]
    for cell in _answer_cells(rel):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id in keep:
            cell.source = answers[grade_id]
    if kind == "looping" and ids:
        target = ids[len(ids) // 2]
        next(c for c in _answer_cells(rel) if c.metadata["nbgrader"]["grade_id"] == target).source = "while True:\n    pass"
    return rel


def kinds_for(students: int) -> list[str]:
    out = []
    for kind, share in MIX:
        out += [kind] * round(students * share)
    return (out + ["correct"] * students)[:students]


def build_class(root: Path, modules: list[str], students: int) -> int:
    (root / "solutions").mkdir(parents=True)
    shutil.copy(repo_root() / "nbgrader_config.py", root / "nbgrader_config.py")
    for module in modules:
        shutil.copytree(solutions_dir() / module, root / "solutions" / module)
    api = nbgrader_api(root)
    count = 0
    for module in modules:
        result = api.generate_assignment(module, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(result.get("error"))
        for index, kind in enumerate(kinds_for(students)):
            folder = root / "submitted" / f"s{index:03d}-{kind}" / module
            folder.mkdir(parents=True)
            nbformat.write(make_submission(module, kind), folder / f"{module}.ipynb")
            count += 1
    return count


def _cells_seconds(path: Path) -> float:
    """Seconds to run a notebook's cells in a kernel that is already up (kernel start excluded)."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    from course.grading._execute import SafeClient

    nb = nbformat.read(path, as_version=4)
    km = AsyncKernelManager(kernel_name="python3")
    run_sync(km.start_kernel)(cwd=str(path.parent), extra_arguments=["--HistoryManager.hist_file=:memory:"])
    try:
        client = SafeClient(nb, km=km, timeout=TIMEOUT, resources={"metadata": {"path": str(path.parent)}})
        client.start_new_kernel_client()  # waits until the kernel answers: its start is not timed
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start
    finally:
        run_sync(km.shutdown_kernel)(now=True)


def floor(modules: list[str]) -> float:
    """Mean seconds to run one submission's cells (kernel already started), over the class's mix."""
    total, weight = 0.0, 0.0
    os.environ.setdefault("COURSE_LLM_BACKEND", "sandbox")
    with tempfile.TemporaryDirectory() as tmp:
        for module in modules:
            for kind, share in MIX:
                path = Path(tmp) / f"{module}-{kind}.ipynb"
                nbformat.write(make_submission(module, kind), path)
                total += _cells_seconds(path) * share
                weight += share
    return total / weight


def plain_nbgrader(root: Path, modules: list[str]) -> float:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
           "COURSE_LLM_BACKEND": "sandbox", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    start = time.perf_counter()
    for module in modules:
        subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", module, "--force",
                        f"--Execute.timeout={TIMEOUT}"], cwd=root, env=env, check=False,
                       capture_output=True)
    return time.perf_counter() - start


def course_grade(root: Path, modules: list[str], workers: int | None) -> tuple[float, int]:
    from course.grading._grade import grade_modules

    os.environ.setdefault("COURSE_LLM_BACKEND", "sandbox")
    start = time.perf_counter()
    runs = grade_modules(modules, root=root, workers=workers, timeout=TIMEOUT, force=True, progress=False)
    return time.perf_counter() - start, sum(len(run.graded) for run in runs.values())


def run(*, small: bool = False, students: int | None = None, workers: int | None = None) -> tuple[str, dict]:
    chosen = [m for m in os.environ.get("BENCH_MODULES", "").split(",") if m]
    modules = assignments()[:1] if small else (chosen or assignments())
    students = students or (3 if small else int(os.environ.get("BENCH_STUDENTS", 50)))
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        base = Path(tmp) / "class"
        n = build_class(base, modules, students)
        plain_root, course_root = Path(tmp) / "plain", Path(tmp) / "course"
        shutil.copytree(base, plain_root)
        shutil.copytree(base, course_root)
        floor_s = floor(modules)
        plain_s = plain_nbgrader(plain_root, modules)
        course_s, graded = course_grade(course_root, modules, workers)
    used = workers or os.cpu_count()
    per_plain, per_course = plain_s / n, course_s / n
    latency = per_course * used  # each worker grades its share one notebook at a time
    speedup = plain_s / course_s
    rows = [["plain `nbgrader autograde` (sequential)", plain_s, per_plain, per_plain, per_plain / floor_s],
            [f"`course grade` ({used} workers, one pool for all modules)", course_s, per_course, latency,
             latency / floor_s]]
    body = table(["grader", "total s", "wall s per notebook", "s per notebook in one worker",
                  "per notebook in one worker / cells-only floor"], rows)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    body += (f"\n\n{n} submissions ({students} students x {len(modules)} modules; "
             f"{', '.join(f'{k} {int(s * 100)}%' for k, s in MIX)}), {graded} graded by `course grade`; "
             f"per-cell timeout {TIMEOUT} s. Cells-only floor (cells in a kernel already up, mean over the mix): "
             f"{floor_s:.2f} s per notebook. Speed-up: {speedup:.2f}x (goal at least 1.9x on 2 cores). "
             f"In each `course grade` worker a notebook took {latency / floor_s:.2f}x the cells-only floor "
             f"(goal within 1.3x). Load average when done: {load:.1f}.")
    return body, {"plain_s": plain_s, "course_s": course_s, "speedup": speedup, "floor_s": floor_s, "n": n}
