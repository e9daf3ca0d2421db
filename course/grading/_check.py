"""Self-check: run a notebook's visible tests and say pass or fail for each part.

Two checks:

- ``course.check("a1")`` inside a notebook checks one part at once: it reads that
  part's test cell from the saved notebook and runs it against the kernel's current
  variables (no new kernel, well under a second);
- ``course check NOTEBOOK`` (or ``course.check()`` with no part) runs the saved
  notebook top to bottom in a fresh kernel, as the grader will, and reports every
  graded part: the final check before submitting.

From a terminal the whole-notebook check exits non-zero when a part fails, unlike
``nbgrader validate``, which prints failures but exits 0. Hidden tests are not in
the student notebooks, so a pass here is necessary, not sufficient.
"""

from __future__ import annotations

import html
import importlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: Set in the kernel a check starts, so ``course.check()`` inside the notebook does not recurse.
CHECKING_ENV = "COURSE_CHECKING"
DEFAULT_TIMEOUT = 30


@dataclass
class PartResult:
    """One graded part (an nbgrader grade cell) of a notebook."""

    grade_id: str
    points: float
    passed: bool
    message: str = ""


@dataclass
class CheckReport:
    """The result of checking one notebook."""

    notebook: str
    parts: list[PartResult] = field(default_factory=list)
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and all(p.passed for p in self.parts)

    @property
    def score(self) -> float:
        return sum(p.points for p in self.parts if p.passed)

    @property
    def max_score(self) -> float:
        return sum(p.points for p in self.parts)

    def __str__(self) -> str:
        lines = [f"Checked {self.notebook}"]
        if self.error:
            lines.append(f"  ERROR: {self.error}")
        width = max((len(p.grade_id) for p in self.parts), default=10)
        for p in self.parts:
            mark = "PASS" if p.passed else "FAIL"
            line = f"  {mark}  {p.grade_id:<{width}}  {p.points:g} pt"
            if p.message and not p.passed:
                line += f"  {p.message}"
            lines.append(line)
        lines.append(f"  Visible tests: {self.score:g} / {self.max_score:g} points"
                     + ("" if self.passed else "  (fix the FAIL lines, save, and check again)"))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td style='color:{'green' if p.passed else 'crimson'}'><b>{'PASS' if p.passed else 'FAIL'}</b></td>"
            f"<td><code>{html.escape(p.grade_id)}</code></td><td>{p.points:g}</td>"
            f"<td>{'' if p.passed else html.escape(p.message)}</td></tr>"
            for p in self.parts
        )
        error = f"<p style='color:crimson'>{html.escape(self.error)}</p>" if self.error else ""
        return (f"<div><b>Self-check of {html.escape(self.notebook)}</b>{error}"
                f"<table><tr><th></th><th>part</th><th>points</th><th>message</th></tr>{rows}</table>"
                f"<p>Visible tests: {self.score:g} / {self.max_score:g} points</p></div>")


def _first_error(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            text = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
            return text.splitlines()[0][:300] if text else "error"
    return ""


def grade_parts(nb) -> list[PartResult]:
    """Return pass/fail for every graded cell of an executed notebook."""
    parts = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            message = _first_error(cell)
            parts.append(PartResult(meta.get("grade_id", "?"), float(meta.get("points", 0)), not message, message))
    return parts


def run_notebook(path: Path, *, timeout: int = DEFAULT_TIMEOUT):
    """Execute a copy of the notebook at ``path`` in a fresh kernel and return it."""
    import nbformat

    from course.grading._execute import SafeClient

    nb = nbformat.read(path, as_version=4)
    previous = os.environ.get(CHECKING_ENV)
    os.environ[CHECKING_ENV] = "1"
    try:
        client = SafeClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    finally:
        if previous is None:
            os.environ.pop(CHECKING_ENV, None)
        else:
            os.environ[CHECKING_ENV] = previous
    return nb


def _current_notebook() -> Path | None:
    for var in ("JPY_SESSION_NAME", "__vsc_ipynb_file__"):
        value = os.environ.get(var)
        if value and value.endswith(".ipynb") and Path(value).exists():
            return Path(value)
    return None


def visible_tests(notebook: dict | os.PathLike | str) -> list[tuple[str, float, str]]:
    """Return ``(grade_id, points, source)`` for every test cell of a notebook, in order."""
    if not isinstance(notebook, dict):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            source = cell.get("source", "")
            found.append((meta.get("grade_id", "?"), float(meta.get("points", 0)),
                          "".join(source) if isinstance(source, list) else source))
    return found


def find_part(part: str, cells: list[tuple[str, float, str]]) -> tuple[str, float, str]:
    """Return the test cell ``part`` names: its grade_id, the start of it, or the start without ``test_``.

    Examples
    --------
    >>> cells = [("test_a1_per_million", 1.0, ""), ("test_a2_monthly_bill", 2.0, "")]
    >>> find_part("a1", cells)[0]
    'test_a1_per_million'
    >>> find_part("test_a2", cells)[0]
    'test_a2_monthly_bill'
    """
    wanted = part.strip().lower()
    for rule in (lambda gid: gid == wanted, lambda gid: gid.startswith(wanted),
                 lambda gid: gid.startswith(f"test_{wanted}")):
        matches = [cell for cell in cells if rule(cell[0].lower())]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueError(f"{part!r} names several parts ({', '.join(m[0] for m in matches)}): be more precise")
    raise ValueError(f"no part {part!r} in this notebook; its parts are: {', '.join(c[0] for c in cells)}")


def _namespace() -> dict:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is not None:
        return shell.user_ns
    import __main__

    return vars(__main__)


def check_part(part: str, *, notebook: str | os.PathLike | None = None,
               namespace: dict | None = None) -> CheckReport:
    """Run one part's visible tests against the live kernel's variables, at once.

    The test cell comes from the saved notebook (save first if you edited it); the
    answers come from the kernel, as they are now. Nothing is added to your variables.

    Parameters
    ----------
    part : str
        The part: its test cell's ``grade_id`` (``"test_a1_per_million"``) or the start
        of it (``"a1"``, ``"test_a1"``).
    notebook : path, optional
        The notebook holding the tests. Inside JupyterLab it defaults to the open notebook.
    namespace : dict, optional
        Where the answers are (default: the IPython user namespace).

    Returns
    -------
    CheckReport
        One part: PASS, or FAIL with the test's message.

    Examples
    --------
    >>> import json, tempfile
    >>> cell = {"cell_type": "code", "source": "assert x == 2, 'x should be 2'",
    ...         "metadata": {"nbgrader": {"grade": True, "solution": False, "grade_id": "test_q1", "points": 1}}}
    >>> path = Path(tempfile.mkdtemp()) / "nb.ipynb"
    >>> _ = path.write_text(json.dumps({"cells": [cell]}))
    >>> check_part("q1", notebook=path, namespace={"x": 3}).parts[0].message
    'AssertionError: x should be 2'
    >>> check_part("q1", notebook=path, namespace={"x": 2}).passed
    True
    """
    path = Path(notebook) if notebook else _current_notebook()
    if path is None:
        raise ValueError(f"say which notebook holds part {part!r}, e.g. course.check({part!r}, "
                         "notebook='01_cost_collapse.ipynb')")
    report = CheckReport(notebook=Path(path).name)
    try:
        grade_id, points, source = find_part(part, visible_tests(path))
    except FileNotFoundError:
        report.error = f"no notebook at {path}"
        return report
    except ValueError as err:
        report.error = str(err)
        return report
    scope = dict(_namespace() if namespace is None else namespace)  # the test's own names stay out
    # Every module's locked set-up cell imports the toolkit, and grade cells read answers with it.
    scope.setdefault("course", sys.modules.get("course") or importlib.import_module("course"))
    try:
        exec(compile(source, f"<test {grade_id}>", "exec"), scope)  # noqa: S102 - the notebook's own test
    except Exception as err:  # a failed test is a result, not a crash
        text = f"{type(err).__name__}: {err}".strip()
        report.parts.append(PartResult(grade_id, points, False, text.splitlines()[0][:300]))
    else:
        report.parts.append(PartResult(grade_id, points, True))
    return report


def check(part: str | os.PathLike | None = None, *, notebook: str | os.PathLike | None = None,
          timeout: int = DEFAULT_TIMEOUT) -> CheckReport | None:
    """Check one part at once in the live kernel, or the whole notebook in a fresh kernel.

    Save the notebook first: both checks read the saved file.

    Parameters
    ----------
    part : str or path, optional
        A part such as ``"a1"`` (see :func:`check_part`): its visible tests run now,
        against the kernel's variables. A notebook path (``*.ipynb``) or nothing: the
        whole notebook runs top to bottom in a fresh kernel, as the grader will.
    notebook : path, optional
        The notebook to check. Inside JupyterLab it defaults to the open notebook.
    timeout : int, default 30
        Seconds a cell may run before it is stopped (whole-notebook check).

    Returns
    -------
    CheckReport or None
        ``None`` when called from a notebook that is itself being checked.

    Examples
    --------
    >>> report = check("a1")  # doctest: +SKIP
    >>> report = check("modules/00_start_here/00_start_here.ipynb")  # doctest: +SKIP
    >>> report.passed  # doctest: +SKIP
    False
    """
    if os.environ.get(CHECKING_ENV):
        return None  # we are the notebook being checked
    if part is not None and not str(part).endswith(".ipynb") and not Path(part).is_file():
        return check_part(str(part), notebook=notebook)
    notebook = part if part is not None else notebook
    path = Path(notebook) if notebook else _current_notebook()
    if path is None:
        raise ValueError("say which notebook to check, e.g. course.check('01_cost_collapse.ipynb')")
    path = path.resolve()
    report = CheckReport(notebook=path.name)
    try:
        nb = run_notebook(path, timeout=timeout)
    except FileNotFoundError:
        report.error = f"no notebook at {path}"
        return report
    except Exception as err:  # malformed JSON, missing kernel, ...
        report.error = f"could not run {path.name}: {type(err).__name__}: {err}"
        return report
    report.parts = grade_parts(nb)
    if not report.parts:
        report.error = "this notebook has no graded parts"
    return report


def add_arguments(parser) -> None:
    parser.add_argument("notebooks", nargs="+", help="notebook files to check")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per cell")


def main(args) -> int:
    failed = False
    for notebook in args.notebooks:
        report = check(notebook, timeout=args.timeout)
        print(report)
        failed = failed or not report.passed
    return 1 if failed else 0
