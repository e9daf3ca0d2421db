"""A synthetic class for the instructor-tool tests: a temporary course folder with module 00.

``make_course(root)`` copies module 00's source notebook into ``root/solutions``, runs
nbgrader's ``generate_assignment`` there (gradebook and release in ``root``), and
``submit(root, student, scenario)`` writes one student's submission, named by scenario:

========================  ===============================================================
scenario                  submission
========================  ===============================================================
``solution``              every answer right (full marks)
``untouched-release``     the release as handed out (scores 0)
``wrong-answers``         A1 right, A2 (which starts ``import math``), B1 and B2 wrong
``infinite-loop``         A2 loops forever; the other answers right
``interrupt-loop``        A2 loops and swallows ``KeyboardInterrupt``; A1 right
``edited-tests``          wrong answers, with every test cell replaced by ``pass``
``killed-kernel``         A1 ends the kernel's process; the other answers right (scores 0)
``snoop``                 every answer right, and A1 also prints the environment, reads
                          ``.env``, calls a live model and opens a socket (full marks)
``corrupt-json``          the notebook file is not JSON
``missing-notebook``      the submission folder holds no notebook
========================  ===============================================================

The class is graded with a provider key in the grader's environment and a ``.env``
holding another key in the course folder: the ``snoop`` student must see neither,
and nobody's grade may change because of them (``tests/test_isolation.py``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = "00_start_here"
NOTEBOOK = f"{MODULE}.ipynb"

#: Points per grade cell of module 00, and the total.
POINTS = {
    "test_a1_per_million": 1.0,
    "test_a2_monthly_bill": 2.0,
    "test_b1_no_key_behaviour": 1.0,
    "test_b2_safe_key_places": 1.0,
    "test_b3_sandbox_in_use": 1.0,
    "test_b3_local_model_ready": 1.0,
}
MAX_SCORE = sum(POINTS.values())

WRONG = {
    "answer_a2": "import math  # a hidden test's line too: it must not withhold feedback\ndavinci_monthly_bill = 15",
    "answer_b1": 'b1_answer = "a"',
    "answer_b2": 'b2_answer = {"cell"}',
    # the report's text, not True/False: "yes" and an install hint are not flags
    "answer_b3": ('lines = {check.topic: check for check in course.doctor().checks}\n'
                  'calls_use_sandbox = lines["offline sandbox in use"].detail\n'
                  'local_model_ready = lines["embedded local model"].detail'),
}
LOOP = "while True:\n    pass"
INTERRUPT_LOOP = (
    "import time\n"
    "while True:\n"
    "    try:\n"
    "        time.sleep(0.05)\n"
    "    except KeyboardInterrupt:\n"
    "        pass"
)

KILL = "import os\nos._exit(0)"
#: Fake keys: one in the grader's environment, one in the course folder's .env.
ENV_KEY = "gsk_grader_env_0123456789abcdef"
DOTENV_KEY = "gsk_course_dotenv_0123456789abcdef"
#: What the snoop student's A1 cell runs (after its right answer); it prints one line per probe.
SNOOP = """
import json, os, socket, pathlib
print("SNOOP-ENV", json.dumps(dict(os.environ)))
for folder in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents]:
    if (folder / ".env").is_file():
        print("SNOOP-DOTENV", folder, repr((folder / ".env").read_text()))
try:
    import course
    course.setup(quiet=True)
    print("SNOOP-AFTER-SETUP", json.dumps(dict(os.environ)))
except Exception as err:
    print("SNOOP-SETUP-ERROR", type(err).__name__)
try:
    reply = course.ask("Say hi", model="groq/llama-3.1-8b-instant")
    print("SNOOP-LIVE-CALL answered", str(reply)[:80])
except Exception as err:
    print("SNOOP-LIVE-CALL refused", type(err).__name__)
try:
    socket.create_connection(("192.0.2.1", 80), timeout=2).close()
    print("SNOOP-NET connected")
except OSError as err:
    print("SNOOP-NET refused", err)
print("SNOOP-IFACES", [name for _, name in socket.if_nameindex()])
"""

#: Per-cell limit in the tests: short, yet above module 00's slowest honest cell (its sandbox
#: call imports litellm: 2-3 s alone, over 20 s with the 2 cores shared by a dozen processes).
TIMEOUT = int(os.environ.get("COURSE_TEST_CELL_TIMEOUT", "40"))

#: scenario -> the score it must get (None: it cannot be graded)
EXPECTED = {
    "solution": MAX_SCORE,
    "untouched-release": 0.0,
    "wrong-answers": 1.0,
    "infinite-loop": MAX_SCORE - 2.0,
    "interrupt-loop": 1.0,  # the kernel is stopped at A2: later parts are not run
    "edited-tests": 1.0,
    "killed-kernel": 0.0,  # the kernel died in A1: no test ran
    "snoop": MAX_SCORE,
    "corrupt-json": None,
    "missing-notebook": None,
}


def make_course(root: Path, *, module: str = MODULE, timeout: int = TIMEOUT):
    """Create a course folder holding ``module`` generated for release; return its NbGraderAPI."""
    from course.grading._nbgrader import api as nbgrader_api

    root = Path(root)
    shutil.copytree(ROOT / "solutions" / module, root / "solutions" / module,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    api = nbgrader_api(root, Execute__timeout=timeout)
    result = api.generate_assignment(module, force=True, create=True)
    assert result["success"], result.get("error") or result.get("log")
    return api


def _cells_by_id(nb: dict) -> dict[str, dict]:
    return {c["metadata"]["nbgrader"]["grade_id"]: c for c in nb["cells"]
            if "grade_id" in c.get("metadata", {}).get("nbgrader", {})}


def notebook_for(root: Path, scenario: str, *, module: str = MODULE) -> dict:
    """Return the submitted notebook (as JSON data) for a scenario."""
    release = json.loads((Path(root) / "modules" / module / f"{module}.ipynb").read_text())
    solution = json.loads((ROOT / "solutions" / module / f"{module}.ipynb").read_text())
    answers = {gid: "".join(c["source"]) for gid, c in _cells_by_id(solution).items()
               if c["metadata"]["nbgrader"].get("solution")}
    answers = {gid: src.replace("### BEGIN SOLUTION\n", "").replace("\n### END SOLUTION", "")
               for gid, src in answers.items()}
    if scenario == "untouched-release":
        return release
    if scenario in {"wrong-answers", "edited-tests"}:
        answers.update(WRONG)
    if scenario == "infinite-loop":
        answers["answer_a2"] = LOOP
    if scenario == "interrupt-loop":
        answers["answer_a2"] = INTERRUPT_LOOP
    if scenario == "killed-kernel":
        answers["answer_a1"] = KILL
    if scenario == "snoop":
        answers["answer_a1"] += "\n" + SNOOP
    for gid, cell in _cells_by_id(release).items():
        if gid in answers:
            cell["source"] = answers[gid]
        if scenario == "edited-tests" and cell["metadata"]["nbgrader"].get("grade"):
            cell["source"] = "pass  # tests deleted by the student"
    return release


def submit(root: Path, student: str, scenario: str, *, module: str = MODULE) -> Path:
    """Write ``student``'s submission of ``module`` for ``scenario``; return its folder."""
    folder = Path(root) / "submitted" / student / module
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    path = folder / f"{module}.ipynb"
    # nbgrader submit and collect write these; release_feedback needs them.
    (folder / "timestamp.txt").write_text("2026-11-23 09:00:00.000000 UTC", encoding="utf-8")
    (folder / "submission_secret.txt").write_text(f"secret-{student}", encoding="utf-8")
    if scenario == "corrupt-json":
        path.write_text('{"cells": [ this is not JSON', encoding="utf-8")
    elif scenario != "missing-notebook":
        path.write_text(json.dumps(notebook_for(root, scenario, module=module), indent=1), encoding="utf-8")
    return folder


def make_class(root: Path, scenarios: dict[str, str], *, module: str = MODULE, timeout: int = TIMEOUT):
    """Create a course folder and one submission per ``student: scenario``; return the API."""
    api = make_course(root, module=module, timeout=timeout)
    for student, scenario in scenarios.items():
        submit(root, student, scenario, module=module)
    return api


#: One synthetic class per scenario (student id = "s-" + scenario).
CLASS = {f"s-{scenario}": scenario for scenario in EXPECTED}
_GRADED: dict[str, tuple] = {}


def graded_class(tmp_path_factory, *, workers: int = 2):
    """Return (root, ClassGrade, captured stderr) for CLASS graded once per test process.

    Test files share it through this cache (a fixture defined in several files would be
    built once per file); mark users ``xdist_group("class00")`` so they share a worker.
    """
    import contextlib
    import io
    import os

    from course.grading._grade import grade_class

    key = str(tmp_path_factory.getbasetemp())
    if key not in _GRADED:
        root = tmp_path_factory.mktemp("class00") / "course"
        make_class(root, CLASS)
        (root / ".env").write_text(f"GROQ_API_KEY={DOTENV_KEY}\nOPENAI_API_KEY={DOTENV_KEY}\n", encoding="utf-8")
        err = io.StringIO()
        before = {var: os.environ.get(var) for var in ("GROQ_API_KEY", "COURSE_LLM_BACKEND")}
        os.environ.update({"GROQ_API_KEY": ENV_KEY, "COURSE_LLM_BACKEND": "live"})
        try:
            with contextlib.redirect_stderr(err):
                run = grade_class(MODULE, root=root, workers=workers, timeout=TIMEOUT)
        finally:
            for var, value in before.items():
                if value is None:
                    os.environ.pop(var, None)
                else:
                    os.environ[var] = value
        _GRADED[key] = (root, run, err.getvalue())
    return _GRADED[key]
