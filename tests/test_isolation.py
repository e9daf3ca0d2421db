"""Grading kernels run a learner's code with no keys, no ``.env``, the sandbox only and no network.

The shared class (``_class_fixtures``) is graded with a provider key in the grader's
environment, ``COURSE_LLM_BACKEND=live`` and a ``.env`` holding keys in the course
folder. Its ``snoop`` student prints the environment, reads every ``.env`` it can
find, calls a live model and opens a socket to a non-loopback address.
"""

from __future__ import annotations

import json
import os

import pytest
from _class_fixtures import CLASS, DOTENV_KEY, ENV_KEY, EXPECTED, MAX_SCORE, MODULE, graded_class

from course.grading._isolation import grading_environment, is_secret_name, network_isolation


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return graded_class(tmp_path_factory)


def _snoop_lines(root) -> dict[str, list[str]]:
    path = root / "autograded" / "s-snoop" / MODULE / f"{MODULE}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "".join("".join(out.get("text", "")) for cell in nb["cells"] if cell["cell_type"] == "code"
                   for out in cell.get("outputs", []) if out.get("output_type") == "stream")
    lines: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("SNOOP-"):
            tag, _, rest = line.partition(" ")
            lines.setdefault(tag, []).append(rest)
    return lines


def test_grading_environment_drops_every_secret_and_forces_the_sandbox():
    env = grading_environment({"PATH": "/bin", "GROQ_API_KEY": "k", "COURSE_LOCAL_API_KEY": "k",
                               "GITHUB_TOKEN": "t", "DB_SECRET_URL": "s", "HF_TOKEN": "t",
                               "COURSE_DEFAULT_MODEL": "openai/gpt-4o", "COURSE_LLM_BACKEND": "live"})
    assert env == {"PATH": "/bin", "COURSE_NO_DOTENV": "1", "COURSE_GRADING": "1",
                   "COURSE_LLM_BACKEND": "sandbox", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    assert not is_secret_name("HOME")


@pytest.mark.slow
@pytest.mark.xdist_group("class00")
def test_a_snooping_submission_sees_no_key_and_the_class_is_still_graded(graded):
    root, run, _err = graded
    results = run.by_student()
    assert results["s-snoop"].score == MAX_SCORE
    for student, scenario in CLASS.items():  # a key in the grader's environment changed nobody's grade
        if EXPECTED[scenario] is not None:
            assert results[student].score == EXPECTED[scenario], student
    lines = _snoop_lines(root)
    env = json.loads(lines["SNOOP-ENV"][0])
    after_setup = json.loads(lines["SNOOP-AFTER-SETUP"][0])
    for seen in (env, after_setup):
        assert not [name for name in seen if is_secret_name(name)]
        assert seen["COURSE_LLM_BACKEND"] == "sandbox"
        assert seen["COURSE_NO_DOTENV"] == "1"
    assert lines["SNOOP-LIVE-CALL"][0].startswith("refused")
    everything = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                           for p in (root / "autograded").rglob("*.ipynb"))
    everything += "\n".join(p.read_text(encoding="utf-8") for p in (root / "grading" / "logs").rglob("*.log"))
    assert ENV_KEY not in everything and DOTENV_KEY not in everything


@pytest.mark.slow
@pytest.mark.xdist_group("class00")
def test_with_namespaces_the_kernel_has_no_network_and_reads_no_dotenv(graded):
    available, why = network_isolation()
    if not available:
        pytest.skip(why)
    root, _run, err = graded
    lines = _snoop_lines(root)
    assert lines["SNOOP-IFACES"] == ["['lo']"]
    assert lines["SNOOP-NET"][0].startswith("refused")
    assert all(DOTENV_KEY not in line for line in lines.get("SNOOP-DOTENV", []))
    assert (root / ".env").read_text().startswith("GROQ_API_KEY=")  # hidden from the kernel, not emptied


def test_course_grade_says_whether_network_isolation_is_on(tmp_path, capsys):
    from _class_fixtures import make_course

    from course.cli import main

    make_course(tmp_path)
    assert main(["grade", MODULE, "--root", str(tmp_path), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "network isolation is ON" in err or "network isolation is OFF" in err
    assert ("ON" in err) == network_isolation()[0]


def test_network_isolation_can_be_turned_off_and_says_so(monkeypatch):
    network_isolation.cache_clear()
    monkeypatch.setenv("COURSE_GRADING_NETWORK", "allow")
    try:
        available, why = network_isolation()
        assert not available and "COURSE_GRADING_NETWORK=allow" in why
    finally:
        monkeypatch.delenv("COURSE_GRADING_NETWORK")
        network_isolation.cache_clear()
    assert os.environ.get("COURSE_GRADING_NETWORK") is None


def _notebook(*sources):
    import nbformat

    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in sources],
                                    metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                             "language": "python"}})


@pytest.mark.slow
def test_a_notebook_past_its_wall_clock_limit_is_stopped_even_when_each_cell_is_short(tmp_path):
    from course.grading._execute import SafeExecute

    nb = _notebook("import time\ntime.sleep(1.5)", "time.sleep(1.5)", "time.sleep(1.5)", "print('late')")
    executor = SafeExecute(timeout=30, notebook_timeout=2)
    executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    last = nb.cells[-1].outputs
    assert last and last[0]["ename"] == "NotRun" and "2 s limit" in last[0]["evalue"]
    assert not any(o.get("text") == "late\n" for c in nb.cells for o in c.outputs)


@pytest.mark.slow
def test_a_pooled_kernel_was_started_ahead_and_runs_in_the_notebooks_folder(tmp_path):
    from course.grading._execute import KernelPool, SafeExecute, install_pool

    pool = KernelPool(cwd=str(tmp_path.parent))
    install_pool(pool)
    try:
        nb = _notebook("print('os' in dir())", "import os\nprint(os.getcwd())\nprint(os.environ.get('COURSE_GRADING'))")
        SafeExecute(timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
        assert pool.started == 2  # the one this notebook ran in, and the next one, booting meanwhile
        assert nb.cells[0].outputs[0]["text"] == "False\n"  # moving folders bound no name
        assert nb.cells[1].outputs[0]["text"] == f"{tmp_path}\n1\n"
    finally:
        install_pool(None)
        pool.close()
