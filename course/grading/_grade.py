"""Grade a whole class in parallel: ``course grade MODULE``.

Plain ``nbgrader autograde`` grades one submission after another, and every
``nbgrader`` process pays about 3 s of start-up (importing jsonschema's grammar)
before it runs a notebook. Here a few persistent worker processes each import
nbgrader once and then grade many students through its in-process API, so the cost
per student is what cannot be avoided: starting a kernel and running the cells.

What happens to each student (one :class:`~course.grading._autograde.StudentResult` each):

- a submission that cannot be graded as it is (no notebook, not JSON) is reported
  at once by the parent process, with a message that says what to fix;
- a submission already graded whose files have not changed since is skipped
  (``force=True`` regrades it): the run can be stopped and started again;
- everything else goes to the workers. A looping answer is stopped by the course's
  executor (``course.grading.SafeExecute``); a worker that fails or dies turns into
  an ``error`` result for that student, never into a stopped batch.

Grading kernels run isolated (:mod:`course.grading._isolation`): no provider keys,
no ``.env``, model calls to the sandbox and, where the OS allows, no network; each
worker keeps a kernel booting ahead (:class:`~course.grading._execute.KernelPool`).
Several modules (``course grade M1 M2 ...``) share one pool of workers.

Workers write to nbgrader's gradebook themselves (SQLite), so formgrader and
``nbgrader export`` see the results. The gradebook's short write transactions rarely
collide; a student whose grading hits "database is locked" is graded again.

Files written under the course folder (``grading/`` is git-ignored):

- ``grading/logs/<module>/<student>.log``: the result and nbgrader's log, per student;
- ``grading/state/<module>.json``: what was graded, from which files (for resuming).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course._base._paths import repo_root
from course.grading._autograde import StudentResult, precheck, source_notebooks
from course.grading.gradebook import assignment_known, db_url, graded_students

#: How often a student is regraded when the gradebook was locked by another worker.
LOCK_RETRIES = 4


@dataclass
class ClassGrade:
    """The outcome of grading one module for a class."""

    assignment: str
    results: list[StudentResult] = field(default_factory=list)
    workers: int = 1
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)
    log_dir: Path | None = None

    def by_student(self) -> dict[str, StudentResult]:
        """Return the results keyed by student id."""
        return {r.student: r for r in self.results}

    @property
    def graded(self) -> list[StudentResult]:
        return [r for r in self.results if r.status == "graded"]

    @property
    def problems(self) -> list[StudentResult]:
        return [r for r in self.results if r.status != "graded"]

    def table(self) -> str:
        """Return the summary table printed at the end of ``course grade``."""
        width = max([len("student")] + [len(r.student) for r in self.results])
        lines = [f"{'student':<{width}}  {'status':<7}  {'score':>11}  {'time':>6}  note",
                 f"{'-' * width}  {'-' * 7}  {'-' * 11}  {'-' * 6}  ----"]
        for r in sorted(self.results, key=lambda r: r.student):
            score = f"{r.score:g} / {r.max_score:g}" if r.status == "graded" else "-"
            seconds = "skip" if r.student in self.skipped else f"{r.seconds:.1f}s"
            note = r.message or ("unchanged since last run" if r.student in self.skipped else "")
            lines.append(f"{r.student:<{width}}  {r.status:<7}  {score:>11}  {seconds:>6}  {note}")
        lines.append(f"{len(self.graded)} graded ({len(self.skipped)} unchanged, skipped), "
                     f"{len(self.problems)} could not be graded; "
                     f"{self.seconds:.1f} s with {self.workers} worker(s)")
        if self.log_dir:
            lines.append(f"per-student logs: {self.log_dir}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


# --------------------------------------------------------------------------- state
def fingerprint(folder: Path) -> str:
    """Return a hash of every file in a submission folder (names and contents)."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if ".ipynb_checkpoints" in path.parts:
                continue
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _state_path(root: Path, assignment: str) -> Path:
    return root / "grading" / "state" / f"{assignment}.json"


def _load_state(root: Path, assignment: str) -> dict[str, dict]:
    path = _state_path(root, assignment)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_state(root: Path, assignment: str, state: dict[str, dict]) -> None:
    path = _state_path(root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


# --------------------------------------------------------------------------- workers
_WORKER_API = None


def _init_worker(root: str, timeout: int | None, stderr_path: str | None = None,
                 notebook_timeout: int | None = None) -> None:
    """Run once in each worker: isolate, import nbgrader, build the API and a kernel pool it reuses."""
    global _WORKER_API
    import logging
    import warnings
    from multiprocessing.util import Finalize

    if stderr_path:  # kernels inherit it: keep their chatter out of the progress bar
        fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    # Grades never depend on a provider, a key or .env: graded notebooks see none of them.
    from course.grading._isolation import scrub_process_environment

    scrub_process_environment()
    warnings.filterwarnings("ignore")  # SQLAlchemy and jupyter_client chatter belongs in no log
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    from course.grading._execute import KernelPool, install_pool
    from course.grading._nbgrader import api as nbgrader_api

    overrides = {"Execute__timeout": timeout} if timeout else {}
    if notebook_timeout:
        overrides["SafeExecute__notebook_timeout"] = notebook_timeout
    _WORKER_API = nbgrader_api(Path(root), **overrides)
    pool = KernelPool(cwd=root)
    pool.fill()  # the first kernel boots while nbgrader gets ready
    install_pool(pool)
    Finalize(pool, pool.close, exitpriority=10)  # atexit does not run in pool workers; this does


def _grade_in_worker(assignment: str, student: str, notebooks: list[str]) -> tuple[dict, str]:
    """Autograde one student in a worker; return (result as a dict, nbgrader's log)."""
    from course.grading._autograde import grade_one

    api = _WORKER_API
    start = time.perf_counter()
    log = io.StringIO()
    for attempt in range(LOCK_RETRIES + 1):
        result = grade_one(api, assignment, student, notebooks=notebooks, force=True)
        log.write(result.log)
        if "database is locked" not in result.message or attempt == LOCK_RETRIES:
            break
        log.write(f"\n[course grade] gradebook locked; grading again (attempt {attempt + 2})\n")
        time.sleep(0.2 + random.random() * (attempt + 1))
    result.seconds = time.perf_counter() - start
    result.log = ""
    return _as_dict(result), log.getvalue()


# --------------------------------------------------------------------------- driver
def _write_log(log_dir: Path, result: StudentResult, text: str) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    head = [f"student: {result.student}", f"module: {result.assignment}", f"status: {result.status}"]
    if result.status == "graded":
        head.append(f"score: {result.score:g} / {result.max_score:g}")
        head += [f"  {gid}: {score:g}" for gid, score in result.parts.items()]
    if result.message:
        head.append(f"message: {result.message}")
    (log_dir / f"{result.student}.log").write_text("\n".join(head) + "\n\n" + (text or ""), encoding="utf-8")


def _as_dict(result: StudentResult) -> dict:
    data = asdict(result)
    data.pop("log", None)
    return data


def _result_from(data: dict) -> StudentResult:
    return StudentResult(**{k: v for k, v in data.items() if k in StudentResult.__dataclass_fields__})


def _students(root: Path, assignment: str, students: list[str] | None) -> list[str]:
    if students:
        return list(dict.fromkeys(students))
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if p.is_dir() and (p / assignment).exists())


def grade_class(
    assignment: str,
    *,
    root: str | os.PathLike | None = None,
    students: list[str] | None = None,
    workers: int | None = None,
    timeout: int | None = None,
    notebook_timeout: int | None = None,
    force: bool = False,
    progress: bool = True,
) -> ClassGrade:
    """Autograde every submission of a module, in parallel, resuming where a run stopped.

    Parameters
    ----------
    assignment : str
        The module folder name, e.g. ``"00_start_here"``. It must have been generated
        in the course folder (``nbgrader generate_assignment`` / ``course build``), so
        that its source is in the gradebook.
    root : path, optional
        The course folder holding ``submitted/`` and ``gradebook.db`` (default: the repository).
    students : list of str, optional
        Grade only these students (default: every folder under ``submitted/`` that
        holds this module). Giving each machine its own list shards a large class.
    workers : int, optional
        Worker processes (default: the number of CPUs, at most one per student).
    timeout : int, optional
        Seconds a cell may run (default: ``nbgrader_config.py``'s ``Execute.timeout``).
    notebook_timeout : int, optional
        Seconds a whole notebook may run (default: ``SafeExecute.notebook_timeout``, 600).
    force : bool, default False
        Regrade students whose submission is unchanged since they were last graded.
    progress : bool, default True
        Show a progress bar on standard error.

    Returns
    -------
    ClassGrade
        One result per student, the wall time and where the logs are.

    Raises
    ------
    ValueError
        If the module is not in the course folder's gradebook.

    Notes
    -----
    Workers are started with ``spawn`` (no state copied from the caller, which may
    hold kernels or threads): a script that calls this at import time needs the usual
    ``if __name__ == "__main__":`` guard.

    Examples
    --------
    >>> run = grade_class("00_start_here", workers=2)  # doctest: +SKIP
    >>> print(run.table())  # doctest: +SKIP
    """
    return grade_modules([assignment], root=root, students=students, workers=workers, timeout=timeout,
                         notebook_timeout=notebook_timeout, force=force, progress=progress)[assignment]


def grade_modules(
    assignments: list[str],
    *,
    root: str | os.PathLike | None = None,
    students: list[str] | None = None,
    workers: int | None = None,
    timeout: int | None = None,
    notebook_timeout: int | None = None,
    force: bool = False,
    progress: bool = True,
) -> dict[str, ClassGrade]:
    """Autograde several modules of a class with one pool of workers (see :func:`grade_class`).

    Every submission of every module is one task for the same workers, so a worker
    that finishes a short module goes on with another module's students instead of
    waiting, and the workers and their kernels are started once.

    Returns
    -------
    dict
        ``module -> ClassGrade``, in the order given. Each ``ClassGrade.seconds`` is
        the wall time of the whole run.
    """
    import multiprocessing

    from tqdm.auto import tqdm

    start = time.perf_counter()
    root = Path(root or repo_root()).resolve()
    assignments = list(dict.fromkeys(assignments))
    for assignment in assignments:
        if not assignment_known(root, assignment):
            raise ValueError(f"{assignment} is not in the gradebook ({db_url(root)}): generate it first "
                             f"(nbgrader generate_assignment {assignment}, or course build)")
    runs: dict[str, ClassGrade] = {}
    states: dict[str, dict] = {}
    notebooks: dict[str, list[str]] = {}
    todo: dict[tuple[str, str], str] = {}  # (module, student) -> fingerprint
    for assignment in assignments:
        notebooks[assignment] = source_notebooks(root, assignment)
        log_dir = root / "grading" / "logs" / assignment
        run = runs[assignment] = ClassGrade(assignment, log_dir=log_dir)
        state = states[assignment] = _load_state(root, assignment)
        in_gradebook = graded_students(root, assignment)
        log_dir.mkdir(parents=True, exist_ok=True)
        for student in _students(root, assignment, students):
            folder = root / "submitted" / student / assignment
            digest = fingerprint(folder)
            problem = precheck(folder, notebooks[assignment])
            if problem:
                status = "missing" if "missing" in problem or "no submission" in problem else "error"
                result = StudentResult(student, assignment, status, message=problem)
                run.results.append(result)
                _write_log(log_dir, result, "")
                state[student] = {"fingerprint": digest, **_as_dict(result)}
                continue
            previous = state.get(student, {})
            if (not force and previous.get("fingerprint") == digest and previous.get("status") == "graded"
                    and student in in_gradebook):
                result = _result_from({k: v for k, v in previous.items() if k != "fingerprint"})
                run.results.append(result)
                run.skipped.append(student)
                continue
            todo[(assignment, student)] = digest

    n_workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    for run in runs.values():
        run.workers = n_workers
    label = assignments[0] if len(assignments) == 1 else f"{len(assignments)} modules"
    bar = tqdm(total=len(todo), desc=f"grading {label}", unit="student", file=sys.stderr,
               disable=not progress or not todo, dynamic_ncols=True)
    stderr_log = root / "grading" / "logs" / "workers.stderr"
    pending = list(todo)
    for _round in range(2):  # a second round regrades students whose worker died
        if not pending:
            break
        crashed: list[tuple[str, str]] = []
        with ProcessPoolExecutor(max_workers=min(n_workers, len(pending)),
                                 mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_init_worker,
                                 initargs=(str(root), timeout, str(stderr_log), notebook_timeout)) as pool:
            futures = {pool.submit(_grade_in_worker, a, s, notebooks[a]): (a, s) for a, s in pending}
            for future in as_completed(futures):
                assignment, student = futures[future]
                log = ""
                try:
                    data, log = future.result()
                    result = _result_from(data)
                except BrokenProcessPool:
                    if _round == 0:
                        crashed.append((assignment, student))
                        continue
                    result = StudentResult(student, assignment, "error",
                                           message="the grading worker died while grading this submission")
                except Exception as err:  # never let one student stop the batch
                    result = StudentResult(student, assignment, "error", message=f"{type(err).__name__}: {err}")
                runs[assignment].results.append(result)
                _write_log(runs[assignment].log_dir, result, log)
                states[assignment][student] = {"fingerprint": todo[(assignment, student)], **_as_dict(result)}
                _save_state(root, assignment, states[assignment])
                bar.update(1)
                bar.set_postfix_str(f"{student}: {result.status}", refresh=False)
        pending = crashed
    bar.close()
    seconds = time.perf_counter() - start
    for assignment, run in runs.items():
        _save_state(root, assignment, states[assignment])
        run.results.sort(key=lambda r: r.student)
        run.seconds = seconds
        _write_summary(run.log_dir, run)
    return runs


def _write_summary(log_dir: Path, run: ClassGrade) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "summary.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "status", "score", "max_score", "seconds", "skipped", "message"])
        for r in run.results:
            writer.writerow([r.student, r.status, r.score, r.max_score, round(r.seconds, 2),
                             r.student in run.skipped, r.message])


# --------------------------------------------------------------------------- CLI
def add_arguments(parser) -> None:
    parser.add_argument("modules", nargs="+", metavar="module",
                        help="module folder name(s), e.g. 01_cost_collapse; several share one worker pool")
    parser.add_argument("--workers", type=int, help="worker processes (default: number of CPUs)")
    parser.add_argument("--force", action="store_true", help="regrade submissions already graded and unchanged")
    parser.add_argument("--student", action="append", dest="students", metavar="S",
                        help="grade only this student (repeatable; use it to shard a class across machines)")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default from nbgrader_config.py)")
    parser.add_argument("--notebook-timeout", type=int, help="seconds per notebook (default 600)")
    parser.add_argument("--root", help="course folder (default: the repository)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def main(args) -> int:
    from course.grading._isolation import network_isolation

    print(f"course grade: {network_isolation()[1]}", file=sys.stderr)
    try:
        runs = grade_modules(args.modules, root=args.root, students=args.students, workers=args.workers,
                             timeout=args.timeout, notebook_timeout=args.notebook_timeout, force=args.force,
                             progress=not args.no_progress)
    except ValueError as err:
        print(f"course grade: {err}", file=sys.stderr)
        return 2
    for run in runs.values():
        if len(runs) > 1:
            print(f"\n== {run.assignment}")
        print(run.table())
        if run.problems:
            print(f"{len(run.problems)} of {len(run.results)} submissions of {run.assignment} could not be "
                  f"graded: see {run.log_dir}", file=sys.stderr)
    return 0
