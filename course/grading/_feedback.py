"""Feedback that never shows hidden tests: ``course feedback MODULE``.

nbgrader's own feedback renders the autograded notebook, whose test cells hold the
full source, hidden tests included, and whose failures carry IPython tracebacks that
quote the failing hidden line, even with ``ClearHiddenTests``. Here a preprocessor
(:class:`HideHiddenTests`) runs before the HTML is rendered:

- each grade cell's source becomes its student-release version (the one in
  ``modules/``; where that is missing, the hidden region is cut the way
  ``nbgrader generate_assignment`` cuts it);
- each error in a grade cell is cut down to its last line, ``AssertionError: message``,
  so the learner still reads the teaching message but not the code that raised it.

After rendering, every feedback file is checked against the source notebook's hidden
lines; a file that still shows one is deleted and reported, never released.
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
    if not isinstance(notebook, dict):
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
    """Return the ``lines`` that appear in the HTML page, as raw markup or as visible text."""
    text = visible_text(html)
    return [line for line in lines if line in text or line in html]


class HideHiddenTests(Preprocessor):
    """Replace grade cells by their release version and cut their tracebacks to one line."""

    enabled = Bool(True).tag(config=True)
    release_root = Unicode("", help="the course's release folder (modules/); empty: cut hidden regions").tag(
        config=True)

    def _release_sources(self, resources) -> dict[str, str]:
        info = (resources or {}).get("nbgrader", {})
        if not self.release_root or not info:
            return {}
        path = Path(self.release_root) / info.get("assignment", "") / f"{info.get('notebook', '')}.ipynb"
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

    def preprocess(self, nb, resources):
        release = self._release_sources(resources)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            graded = bool(meta.get("grade")) or BEGIN in cell.source
            if not graded:
                continue
            gid = meta.get("grade_id")
            cell.source = strip_hidden(release.get(gid, cell.source))
            if BEGIN in cell.source or END in cell.source:  # unbalanced markers: show nothing
                cell.source = "# (test code hidden)"
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return nb, resources


@dataclass
class FeedbackRun:
    """What ``feedback`` generated, released and refused."""

    files: dict[str, list[Path]] = field(default_factory=dict)  # student -> HTML files
    released: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # student -> message
    exchange: Path | None = None


def _graded_students(root: Path, assignment: str) -> list[str]:
    from course.grading._grade import gradebook_submissions

    autograded = root / "autograded"
    return sorted(s for s in gradebook_submissions(root, assignment) if (autograded / s / assignment).is_dir())


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
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from course.grading._nbgrader import api as nbgrader_api
    from course.grading._nbgrader import load_config

    root = Path(root or repo_root()).resolve()
    release_dir = load_config(root).CourseDirectory.release_directory or "release"
    overrides = {
        "GenerateFeedback__preprocessors": [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor],
        "HideHiddenTests__release_root": str(root / release_dir),
    }
    if exchange:
        overrides["Exchange__root"] = str(Path(exchange).resolve())
    api = nbgrader_api(root, **overrides)
    run = FeedbackRun(exchange=Path(api.config.Exchange.root) if "root" in api.config.Exchange else None)
    secret = [line for src in sorted((root / "solutions" / assignment).glob("*.ipynb"))
              for line in hidden_lines(src)]
    for student in students or _graded_students(root, assignment):
        result = api.generate_feedback(assignment, student, force=True)
        folder = root / "feedback" / student / assignment
        if not result.get("success"):
            tail = (result.get("error") or result.get("log") or "").strip().splitlines()[-1:]
            run.errors[student] = f"nbgrader could not generate feedback: {' '.join(tail)}"
            continue
        files = sorted(folder.glob("*.html"))
        leaking = [p for p in files if leaked_lines(p.read_text(encoding="utf-8"), secret)]
        if leaking:
            for path in files:
                path.unlink()
            run.errors[student] = f"feedback withheld: {leaking[0].name} would show a hidden test"
            continue
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
