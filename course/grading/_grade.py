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
import sqlite3
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course._base._paths import repo_root
from course.grading._autograde import StudentResult, precheck, source_notebooks

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


def _db_url(root: Path) -> str:
    from course.grading._nbgrader import load_config

    url = load_config(root).CourseDirectory.get("db_url", "")
    return url or f"sqlite:///{root / 'gradebook.db'}"


def _gradebook_query(root: Path, sql: str, params: tuple) -> list[tuple] | None:
    """Run a read-only query on an SQLite gradebook; None when it is not SQLite."""
    url = _db_url(root)
    if not url.startswith("sqlite:///"):
        return None
    db = Path(url[len("sqlite:///"):])
    if not db.exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    except sqlite3.Error:
        return []
    finally:
        con.close()


def gradebook_submissions(root: Path, assignment: str) -> set[str]:
    """Return the students with a graded submission of ``assignment`` in the gradebook.

    An SQLite gradebook is read with :mod:`sqlite3` directly, so the parent process
    does not import nbgrader; another database goes through nbgrader's API.
    """
    rows = _gradebook_query(
        root, "SELECT s.student_id FROM submitted_assignment s JOIN assignment a ON s.assignment_id = a.id "
              "WHERE a.name = ?", (assignment,))
    if rows is not None:
        return {r[0] for r in rows}
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(_db_url(root)) as gb:
        try:
            return {s.student.id for s in gb.assignment_submissions(assignment)}
        except MissingEntry:
            return set()


def _assignment_known(root: Path, assignment: str) -> bool:
    rows = _gradebook_query(root, "SELECT 1 FROM assignment WHERE name = ?", (assignment,))
    if rows is not None:
        return bool(rows)
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(_db_url(root)) as gb:
        try:
            gb.find_assignment(assignment)
            return True
        except MissingEntry:
            return False


# --------------------------------------------------------------------------- workers
_WORKER_API = None


def _init_worker(root: str, timeout: int | None, stderr_path: str | None = None) -> None:
    """Run once in each worker: import nbgrader and build the API it reuses for every student."""
    global _WORKER_API
    import logging
    import warnings

    if stderr_path:  # kernels inherit it: keep their chatter out of the progress bar
        fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    # Grades never depend on a provider or a key: model calls in graded notebooks go to the sandbox.
    os.environ["COURSE_LLM_BACKEND"] = "sandbox"
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    warnings.filterwarnings("ignore")  # SQLAlchemy and jupyter_client chatter belongs in no log
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    from course.grading._nbgrader import api as nbgrader_api

    overrides = {"Execute__timeout": timeout} if timeout else {}
    _WORKER_API = nbgrader_api(Path(root), **overrides)


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
    from tqdm.auto import tqdm

    start = time.perf_counter()
    root = Path(root or repo_root()).resolve()
    if not _assignment_known(root, assignment):
        raise ValueError(f"{assignment} is not in the gradebook ({_db_url(root)}): generate it first "
                         f"(nbgrader generate_assignment {assignment}, or course build)")
    notebooks = source_notebooks(root, assignment)
    log_dir = root / "grading" / "logs" / assignment
    run = ClassGrade(assignment, log_dir=log_dir)
    state = _load_state(root, assignment)
    in_gradebook = gradebook_submissions(root, assignment)

    todo: dict[str, str] = {}  # student -> fingerprint
    for student in _students(root, assignment, students):
        folder = root / "submitted" / student / assignment
        digest = fingerprint(folder)
        problem = precheck(folder, notebooks)
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
        todo[student] = digest

    run.workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    log_dir.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=len(todo), desc=f"grading {assignment}", unit="student", file=sys.stderr,
               disable=not progress or not todo, dynamic_ncols=True)
    pending = list(todo)
    for _round in range(2):  # a second round regrades students whose worker died
        if not pending:
            break
        crashed: list[str] = []
        import multiprocessing

        with ProcessPoolExecutor(max_workers=min(run.workers, len(pending)),
                                 mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_init_worker,
                                 initargs=(str(root), timeout, str(log_dir / "workers.stderr"))) as pool:
            futures = {pool.submit(_grade_in_worker, assignment, s, notebooks): s for s in pending}
            for future in as_completed(futures):
                student = futures[future]
                log = ""
                try:
                    data, log = future.result()
                    result = _result_from(data)
                except BrokenProcessPool:
                    if _round == 0:
                        crashed.append(student)
                        continue
                    result = StudentResult(student, assignment, "error",
                                           message="the grading worker died while grading this submission")
                except Exception as err:  # never let one student stop the batch
                    result = StudentResult(student, assignment, "error", message=f"{type(err).__name__}: {err}")
                run.results.append(result)
                _write_log(log_dir, result, log)
                state[student] = {"fingerprint": todo[student], **_as_dict(result)}
                _save_state(root, assignment, state)
                bar.update(1)
                bar.set_postfix_str(f"{student}: {result.status}", refresh=False)
        pending = crashed
    bar.close()
    _save_state(root, assignment, state)
    run.results.sort(key=lambda r: r.student)
    run.seconds = time.perf_counter() - start
    _write_summary(log_dir, run)
    return run


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
    parser.add_argument("module", help="module folder name, e.g. 01_cost_collapse")
    parser.add_argument("--workers", type=int, help="worker processes (default: number of CPUs)")
    parser.add_argument("--force", action="store_true", help="regrade submissions already graded and unchanged")
    parser.add_argument("--student", action="append", dest="students", metavar="S",
                        help="grade only this student (repeatable; use it to shard a class across machines)")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default from nbgrader_config.py)")
    parser.add_argument("--root", help="course folder (default: the repository)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def main(args) -> int:
    try:
        run = grade_class(args.module, root=args.root, students=args.students, workers=args.workers,
                          timeout=args.timeout, force=args.force, progress=not args.no_progress)
    except ValueError as err:
        print(f"course grade: {err}", file=sys.stderr)
        return 2
    print(run.table())
    if run.problems:
        print(f"{len(run.problems)} of {len(run.results)} submissions could not be graded: "
              f"see {run.log_dir}", file=sys.stderr)
    return 0
