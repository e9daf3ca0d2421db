"""Build submissions of a module by scenario, from its student release.

Each scenario fills the release's answer cells (found by ``grade_id``) the way a
learner might, so the fixtures follow the notebooks when they change.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def release(module: str):
    return nbformat.read(ROOT / "modules" / module / f"{module}.ipynb", as_version=4)


def solution(module: str):
    return nbformat.read(ROOT / "solutions" / module / f"{module}.ipynb", as_version=4)


def with_answers(module: str, answers: dict[str, str], *, tests: dict[str, str] | None = None):
    """The release with ``answers`` (grade_id -> source) and, to tamper, ``tests`` replaced."""
    nb = release(module)
    replace = {**answers, **(tests or {})}
    seen = set()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replace:
            cell.source = replace[grade_id]
            seen.add(grade_id)
    missing = set(replace) - seen
    if missing:
        raise KeyError(f"no cells with grade_id {sorted(missing)} in {module}")
    return nb


def submit(root: Path, module: str, student: str, nb=None, *, text: str | None = None) -> Path:
    """Write a submission where nbgrader looks for it; ``text`` writes raw (e.g. corrupt) content."""
    folder = root / "submitted" / student / module
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{module}.ipynb"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    elif nb is not None:
        nbformat.write(nb, path)
    return path


# Module 00's answers, correct and wrong, by grade_id.
M00 = "00_start_here"
M00_RIGHT = {
    "answer_a1": "davinci_per_million = 60.0",
    "answer_a2": "davinci_monthly_bill = 15_000.0",
    "answer_b1": 'b1_answer = "b"',
    "answer_b2": 'b2_answer = {"env", "dotenv"}',
    "answer_b3": ('lines = {check.topic: check for check in course.doctor().checks}\n'
                  'calls_use_sandbox = lines["offline sandbox in use"].detail == "yes"\n'
                  'local_model_ready = lines["embedded local model"].ok'),
}
M00_POINTS = {"test_a1_per_million": 1, "test_a2_monthly_bill": 2,
              "test_b1_no_key_behaviour": 1, "test_b2_safe_key_places": 1,
              "test_b3_sandbox_in_use": 1, "test_b3_local_model_ready": 1}
LOOP = "while True:\n    pass"
LOOP_IGNORING_INTERRUPT = (
    "import time\n"
    "while True:\n"
    "    try:\n"
    "        time.sleep(0.2)\n"
    "    except KeyboardInterrupt:\n"
    "        pass"
)
