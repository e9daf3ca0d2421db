"""Feedback that never shows hidden tests: ``course feedback MODULE``.

nbgrader's own feedback renders the autograded notebook, whose test cells hold the
full source, hidden tests included, and whose failures carry IPython tracebacks that
quote the failing hidden line, even with ``ClearHiddenTests``. Here a preprocessor
(:class:`HideHiddenTests`) works cell by cell before the HTML is rendered:

- every grade cell, and every cell whose source holds a ``BEGIN/END HIDDEN TESTS``
  marker, gets the source of its student-release version (the one in ``modules/``,
  found by ``grade_id``; where that is missing, the hidden region is cut the way
  ``nbgrader generate_assignment`` cuts it);
- each error in such a cell is cut down to its last line, ``AssertionError: message``,
  so the learner still reads the teaching message but not the code that raised it;
- an output of any other cell that quotes a line of a hidden test (code that prints
  ``In[...]``, say) is replaced by a note.

The course's ``nbgrader_config.py`` puts the same preprocessor in
``GenerateFeedback.preprocessors``, so plain ``nbgrader generate_feedback`` and the
formgrader's button produce the same safe feedback. What a learner writes in their
own cells (``import math``, say) is theirs to see and never withholds feedback.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from traitlets import Bool, Unicode

from course._base._paths import repo_root

BEGIN, END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def strip_hidden(source: str) -> str:
    """Return ``source`` without its ``### BEGIN/END HIDDEN TESTS`` regions (as in the release)."""
    lines, hidden = [], False
    for line in source.split("\n"):
        if BEGIN in line:
            hidden = True
        elif END in line:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def hidden_lines(notebook: dict | str | os.PathLike) -> list[str]:
    """Return every non-blank line inside a hidden-tests region of a source notebook (stripped).

    The delimiter lines themselves are included: a file showing them has leaked.
    """
    if not isinstance(notebook, dict):  # a NotebookNode is a dict
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found: list[str] = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        hidden = False
        for line in source.split("\n"):
            if BEGIN in line:
                hidden = True
            if hidden and line.strip():
                found.append(line.strip())
            if END in line:
                hidden = False
    return found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(html: str) -> str:
    """Return the text a browser would show for an HTML page (tags removed, entities decoded)."""
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def leaked_lines(html: str, lines: list[str]) -> list[str]:
    """Return the ``lines`` that appear in the HTML page, as raw markup or as visible text (for tests)."""
    text = visible_text(html)
    return [line for line in lines if line in text or line in html]


HIDDEN_OUTPUT_NOTE = "(output hidden: it quoted a hidden test)"


def _output_text(output) -> str:
    parts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", [])]
    for value in (output.get("data") or {}).values():
        parts.append(value if isinstance(value, str) else "".join(value) if isinstance(value, list) else "")
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


class HideHiddenTests(Preprocessor):
    """Give test cells their release source, cut their tracebacks, drop outputs that quote hidden tests."""

    enabled = Bool(True).tag(config=True)
    release_root = Unicode("", help="the course's release folder (default: CourseDirectory.root / "
                           "release_directory); where no release is found, hidden regions are cut").tag(
        config=True)

    def _release_folder(self) -> str:
        if self.release_root:
            return self.release_root
        course = self.config.get("CourseDirectory", {})  # nbgrader passes its configuration down
        root, release = course.get("root"), course.get("release_directory") or "release"
        return os.path.join(root, release) if root else ""

    def _release_sources(self, resources) -> dict[str, str]:
        info = (resources or {}).get("nbgrader", {})
        folder = self._release_folder()
        if not folder or not info:
            return {}
        path = Path(folder) / info.get("assignment", "") / f"{info.get('notebook', '')}.ipynb"
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        sources = {}
        for cell in nb.get("cells", []):
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid:
                src = cell.get("source", "")
                sources[gid] = "".join(src) if isinstance(src, list) else src
        return sources

    @staticmethod
    def is_test_cell(cell) -> bool:
        """A grade cell that is not an answer, or any cell holding a hidden-tests marker."""
        meta = cell.get("metadata", {}).get("nbgrader", {})
        return (bool(meta.get("grade")) and not meta.get("solution")) or BEGIN in cell.source or END in cell.source

    def preprocess(self, nb, resources):
        release = self._release_sources(resources)
        # lines worth hiding in other cells' outputs: not imports a learner may write too
        secret = [line for line in hidden_lines(nb) if len(line) >= 8 and not line.startswith(("import ", "from "))]
        for cell in nb.cells:
            if self.is_test_cell(cell):
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                cell.source = strip_hidden(release.get(gid, cell.source))
                if BEGIN in cell.source or END in cell.source:  # unbalanced markers: show nothing
                    cell.source = "# (test code hidden)"
                for output in cell.get("outputs", []):
                    if output.get("output_type") == "error":
                        output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
            elif secret and cell.get("outputs"):
                cell.outputs = [
                    new_output("stream", name="stdout", text=HIDDEN_OUTPUT_NOTE + "\n")
                    if any(line in _output_text(out) for line in secret) else out
                    for out in cell.outputs
                ]
        return nb, resources


#: ``GenerateFeedback.preprocessors`` for the course (also set in ``nbgrader_config.py``).
FEEDBACK_PREPROCESSORS = [
    "nbgrader.preprocessors.GetGrades",
    "course.grading._feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]


@dataclass
class FeedbackRun:
    """What ``feedback`` generated, released and refused."""

    files: dict[str, list[Path]] = field(default_factory=dict)  # student -> HTML files
    released: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # student -> message
    exchange: Path | None = None


def _graded_students(root: Path, assignment: str) -> list[str]:
    from course.grading.gradebook import graded_students

    autograded = root / "autograded"
    return sorted(s for s in graded_students(root, assignment) if (autograded / s / assignment).is_dir())


def feedback(
    assignment: str,
    *,
    root: str | os.PathLike | None = None,
    students: list[str] | None = None,
    release: bool = False,
    exchange: str | os.PathLike | None = None,
) -> FeedbackRun:
    """Generate feedback HTML for each graded student, without hidden tests; optionally release it.

    Parameters
    ----------
    assignment : str
        The module folder name, e.g. ``"00_start_here"``.
    root : path, optional
        The course folder (default: the repository).
    students : list of str, optional
        Default: every student graded on the module.
    release : bool, default False
        Also copy the feedback to the nbgrader exchange (``nbgrader release_feedback``),
        where learners fetch it with ``nbgrader fetch_feedback`` or the Assignments tab.
    exchange : path, optional
        The exchange folder (default: ``Exchange.root`` from the configuration).

    Returns
    -------
    FeedbackRun
        The files written per student, who got it released, and per-student errors.
    """
    from course.grading._nbgrader import api as nbgrader_api
    from course.grading._nbgrader import load_config

    root = Path(root or repo_root()).resolve()
    release_dir = load_config(root).CourseDirectory.release_directory or "release"
    overrides = {
        "GenerateFeedback__preprocessors": FEEDBACK_PREPROCESSORS,
        "HideHiddenTests__release_root": str(root / release_dir),
    }
    if exchange:
        overrides["Exchange__root"] = str(Path(exchange).resolve())
    api = nbgrader_api(root, **overrides)
    run = FeedbackRun(exchange=Path(api.config.Exchange.root) if "root" in api.config.Exchange else None)
    for student in students or _graded_students(root, assignment):
        result = api.generate_feedback(assignment, student, force=True)
        folder = root / "feedback" / student / assignment
        if not result.get("success"):
            tail = (result.get("error") or result.get("log") or "").strip().splitlines()[-1:]
            run.errors[student] = f"nbgrader could not generate feedback: {' '.join(tail)}"
            continue
        files = sorted(folder.glob("*.html"))
        run.files[student] = files
        missing = [n for n in ("timestamp.txt", "submission_secret.txt") if not (folder / n).exists()]
        if release and missing:
            run.errors[student] = (f"generated, but not released: the submission has no {' or '.join(missing)} "
                                   "(nbgrader submit and collect write them; it was not collected through the exchange)")
        elif release:
            with warnings.catch_warnings():  # nbgrader passes a misspelt keyword ("authentictor")
                warnings.simplefilter("ignore", DeprecationWarning)
                released = api.release_feedback(assignment, student)
            if released.get("success"):
                run.released.append(student)
            else:
                tail = (released.get("error") or released.get("log") or "").strip().splitlines()[-1:]
                run.errors[student] = f"generated, but not released: {' '.join(tail)}"
    return run


def add_arguments(parser) -> None:
    parser.add_argument("module", help="module folder name, e.g. 01_cost_collapse")
    parser.add_argument("--student", action="append", dest="students", metavar="S",
                        help="only this student (repeatable)")
    parser.add_argument("--no-release", action="store_true",
                        help="generate the HTML files only; do not copy them to the exchange")
    parser.add_argument("--exchange", help="nbgrader exchange folder (default: Exchange.root from the config)")
    parser.add_argument("--root", help="course folder (default: the repository)")


def main(args) -> int:
    from course.grading._nbgrader import load_config

    release = not args.no_release
    if release:
        exchange = Path(args.exchange or load_config(args.root and Path(args.root)).Exchange.get(
            "root", "/srv/nbgrader/exchange"))
        if not exchange.is_dir():
            print(f"course feedback: no exchange at {exchange}; generating only "
                  "(set one up as in docs/instructor.md, or pass --exchange DIR)", file=sys.stderr)
            release = False
    run = feedback(args.module, root=args.root, students=args.students, release=release,
                   exchange=args.exchange)
    for student, files in sorted(run.files.items()):
        state = "released" if student in run.released else "generated"
        print(f"{student}: {state} {', '.join(str(p) for p in files)}")
    for student, message in sorted(run.errors.items()):
        print(f"{student}: ERROR: {message}", file=sys.stderr)
    if not run.files and not run.errors:
        print(f"nobody has been graded on {args.module} yet: run `course grade {args.module}` first",
              file=sys.stderr)
    return 1 if run.errors else 0
