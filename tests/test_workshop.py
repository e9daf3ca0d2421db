"""A workshop end to end on a real JupyterHub: release, fetch, submit, collect, grade, feedback.

``deploy/workshop/start.sh`` (what ``make workshop`` runs) starts JupyterHub on 127.0.0.1 with
configurable-http-proxy from npm, a shared workshop password, an instructor and four learner
accounts, and nbgrader's exchange in a shared folder. The test then lives the workshop of
``docs/instructor.md``, command for command:

- through the hub's REST API (the ``workshop-admin`` service token): list the accounts, make a
  token for each user, start their servers, measure each server's memory;
- the instructor, in their course folder (a subprocess with the environment the hub gives the
  instructor's server): imports the class list, generates and releases module 00;
- three scripted learners through their own server: fetch module 00 with nbgrader's assignment
  API (what the Assignments tab calls), write their answers through the contents API, run the
  self-check (``python -m course check``) and submit. One answers as in ``solutions/``, one gets
  two parts wrong, one's notebook loops forever;
- the instructor collects, grades with ``python -m course grade``, runs ``course report`` and
  releases the feedback (``course feedback --no-release`` then ``nbgrader release_feedback``);
- each learner fetches their feedback, which must show no hidden test, and each learner's score
  in the gradebook is what the grading rules give: a part's points when its tests pass.

A fourth learner logs in through the hub's login page in headless Chromium, opens module 00,
runs it and presses Validate (a screenshot goes to ``artifacts/``).

Skipped, with the reason shown, without JupyterHub or configurable-http-proxy
(``make workshop-proxy``; ``.ci/run`` installs it). Every process and user the test made is
gone afterwards. Timings and memory go to ``artifacts/workshop-measurements.json``.
"""

from __future__ import annotations

import html
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHP = ROOT / ".workshop" / "node_modules" / ".bin" / "configurable-http-proxy"
START = ROOT / "deploy" / "workshop" / "start.sh"
MODULE = "00_start_here"
COURSE_ID = "osai-econ"
INSTRUCTOR = "instructor"
LEARNERS = ["learner01", "learner02", "learner03", "learner04"]  # learner04: the browser check
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.workshop, pytest.mark.slow, pytest.mark.xdist_group("workshop")]


def _why_skip() -> str:
    if not CHP.is_file():
        return f"no configurable-http-proxy at {CHP.relative_to(ROOT)} (make workshop-proxy; .ci/run does it)"
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "JupyterHub is not installed (pip install -e '.[workshop]')"
    return ""


import requests  # noqa: E402  (a dependency of JupyterHub and litellm)

# The instructor's commands, as docs/instructor.md shows them ("python" is the course's Python).
INSTRUCTOR_RELEASES = [
    "nbgrader db student import learners.csv",
    f"nbgrader generate_assignment {MODULE} --force",
    f"nbgrader release_assignment {MODULE} --force",
]
SELF_CHECK = f"python -m course check {MODULE}/{MODULE}.ipynb"
INSTRUCTOR_GRADES = [
    f"nbgrader collect {MODULE}",
    f"python -m course grade {MODULE} --root . --timeout 60 --no-progress",
    f"python -m course report {MODULE} --root .",
    f"python -m course feedback {MODULE} --root . --no-release",
    f"nbgrader release_feedback {MODULE}",
]

MEASURED: dict = {}


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Hub:
    """The running hub: its URL, state folder and admin token, with REST helpers."""

    def __init__(self, url: str, state: Path, token: str, password: str):
        self.url, self.state, self.token, self.password = url, state, token, password
        self.user_tokens: dict[str, str] = {}
        self.pids: set[int] = set()  # every user's server seen, to make sure none outlives the test

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        r = requests.request(method, f"{self.url}/hub/api{path}", timeout=60,
                             headers={"Authorization": f"token {self.token}"}, **kwargs)
        return r

    def server(self, user: str, method: str, path: str, **kwargs) -> requests.Response:
        """A request to ``user``'s own server, with that user's token."""
        return requests.request(method, f"{self.url}/user/{user}{path}", timeout=120,
                                headers={"Authorization": f"token {self.user_tokens[user]}"}, **kwargs)

    def home(self, user: str) -> Path:
        return self.state / "home" / user

    def env(self, user: str) -> dict[str, str]:
        """The environment the hub gives ``user``'s server (deploy/workshop/jupyterhub_config.py)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "COURSE_", "PYTEST"))}
        env.update({
            "HOME": str(self.home(user)), "USER": user, "JUPYTERHUB_USER": user,
            "JUPYTER_CONFIG_PATH": str(self.state / "jupyter"), "JUPYTER_PLATFORM_DIRS": "1",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True", "COURSE_ROOT": str(ROOT), "COURSE_LLM_BACKEND": "sandbox",
            "PATH": str(Path(sys.executable).parent) + os.pathsep + "/usr/local/bin:/usr/bin:/bin",
        })
        return env

    def run_as(self, user: str, command: str, cwd: Path | None = None, timeout: int = 600):
        """Run a command line as ``user`` would in a terminal of their server."""
        cmd = shlex.split(command)
        if cmd[0] == "python":
            cmd[0] = sys.executable
        return subprocess.run(cmd, cwd=cwd or self.home(user), env=self.env(user), timeout=timeout,
                              capture_output=True, text=True)

    def server_pid(self, user: str) -> int:
        model = self.api("GET", f"/users/{user}").json()
        pid = int(model["servers"][""]["state"]["pid"])
        self.pids.add(pid)
        return pid


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """deploy/workshop/start.sh on free ports in a temporary state folder; stopped and cleaned after."""
    if _why_skip():
        pytest.skip(_why_skip())
    state = tmp_path_factory.mktemp("workshop")
    port, hub_port, api_port = _free_ports(3)
    token, password = secrets.token_hex(24), secrets.token_urlsafe(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "COURSE_"))}
    env.update({"WORKSHOP_DIR": str(state), "WORKSHOP_PORT": str(port), "WORKSHOP_HUB_PORT": str(hub_port),
                "WORKSHOP_PROXY_API_PORT": str(api_port), "WORKSHOP_LEARNERS": str(len(LEARNERS)),
                "WORKSHOP_PASSWORD": password, "WORKSHOP_ADMIN_TOKEN": token,
                "WORKSHOP_PYTHON": sys.executable})
    log = open(state / "hub.log", "w")  # noqa: SIM115  (closed below)
    started = time.monotonic()
    proc = subprocess.Popen(["bash", str(START)], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    h = Hub(f"http://127.0.0.1:{port}", state, token, password)
    try:
        deadline = time.time() + 120
        while True:
            try:
                if h.api("GET", "/users").status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("the workshop hub did not start:\n" + (state / "hub.log").read_text()[-4000:])
            time.sleep(0.5)
        MEASURED["hub_start_s"] = round(time.monotonic() - started, 1)
        yield h
    finally:
        try:  # the users the test made: stop their servers, then delete them from the hub
            for user in [INSTRUCTOR, *LEARNERS]:
                h.api("DELETE", f"/users/{user}/server")
            for user in [INSTRUCTOR, *LEARNERS]:
                for _ in range(60):
                    if h.api("DELETE", f"/users/{user}").status_code in (204, 404):
                        break
                    time.sleep(1)
        except requests.RequestException:
            pass
        os.killpg(proc.pid, signal.SIGTERM)  # the hub stops its proxy and any server left
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # anything still in the hub's session
        except ProcessLookupError:
            pass
        log.close()
        left = _kill_trees(h.pids)  # servers run in sessions of their own: the hub should have stopped them
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(state / "hub.log", ARTIFACTS / "workshop-hub.log")
        (ARTIFACTS / "workshop-measurements.json").write_text(json.dumps(MEASURED, indent=1), encoding="utf-8")
    assert left == [], f"servers still running after the hub stopped: {left}"


def _kill_trees(pids) -> list[int]:
    """Kill what is left of each process tree in ``pids``; return the pids that were still alive."""
    import psutil

    left = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            tree = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        left.append(pid)
        for p in tree:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
    return left


def _solution_answers() -> dict[str, str]:
    """Each answer cell of solutions/00 without the solution markers, by grade_id."""
    nb = json.loads((ROOT / "solutions" / MODULE / f"{MODULE}.ipynb").read_text(encoding="utf-8"))
    answers = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":
            src = "".join(cell["source"])
            answers[meta["grade_id"]] = src.replace("### BEGIN SOLUTION\n", "").replace("\n### END SOLUTION", "")
    return answers


def _points() -> dict[str, float]:
    """Each graded part of module 00 and its points, as the release notebook declares them."""
    nb = json.loads((ROOT / "modules" / MODULE / f"{MODULE}.ipynb").read_text(encoding="utf-8"))
    return {c["metadata"]["nbgrader"]["grade_id"]: float(c["metadata"]["nbgrader"]["points"])
            for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


def _hidden_lines() -> list[str]:
    """The lines of solutions/00's hidden tests that the student release never shows."""
    nb = json.loads((ROOT / "solutions" / MODULE / f"{MODULE}.ipynb").read_text(encoding="utf-8"))
    release = (ROOT / "modules" / MODULE / f"{MODULE}.ipynb").read_text(encoding="utf-8")
    lines, hidden = [], False
    for cell in nb["cells"]:
        for line in "".join(cell["source"]).split("\n"):
            if "BEGIN HIDDEN TESTS" in line:
                hidden = True
            elif "END HIDDEN TESTS" in line:
                hidden = False
            elif hidden and line.strip() and json.dumps(line.strip())[1:-1] not in release:
                lines.append(line.strip())
    return lines


ANSWERS = _solution_answers()
LOOP = "while True:\n    pass"
# Each scripted learner: their answers, and the parts they must lose.
SCRIPTS = {
    "learner01": ({}, set()),  # answers as in solutions/
    "learner02": ({"answer_a2": "davinci_monthly_bill = 15",  # per-thousand price times millions of tokens
                   "answer_b2": 'b2_answer = {"env", "cell"}'},  # a key pasted in a cell is not safe
                  {"test_a2_monthly_bill", "test_b2_safe_key_places"}),
    "learner03": ({"answer_a2": LOOP}, {"test_a2_monthly_bill"}),  # loops forever; the rest still runs
}


def _answered(nb: dict, answers: dict[str, str]) -> dict:
    seen = set()
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
            seen.add(gid)
    assert seen == set(answers), f"no answer cells for {set(answers) - seen}"
    return nb


def _release(hub: Hub) -> Path:
    """The instructor imports the class list, generates module 00 and releases it; returns the course folder."""
    course = hub.home(INSTRUCTOR) / "course"
    for cmd in INSTRUCTOR_RELEASES:
        done = hub.run_as(INSTRUCTOR, cmd, cwd=course)
        assert done.returncode == 0, f"{cmd}:\n{done.stdout}\n{done.stderr}"
    assert (hub.state / "exchange" / COURSE_ID / "outbound" / MODULE / f"{MODULE}.ipynb").is_file()
    return course


def _start_servers(hub: Hub, users: list[str]) -> None:
    for user in users:
        r = hub.api("POST", f"/users/{user}/tokens", json={"note": "workshop test", "expires_in": 3600})
        assert r.status_code == 201, r.text
        hub.user_tokens[user] = r.json()["token"]
        r = hub.api("POST", f"/users/{user}/server")
        assert r.status_code in (201, 202), r.text
    deadline = time.time() + 180
    for user in users:
        while not hub.api("GET", f"/users/{user}").json()["servers"].get("", {}).get("ready"):
            assert time.time() < deadline, f"{user}'s server did not start:\n" + (hub.state / "hub.log").read_text()[-3000:]
            time.sleep(0.5)
        hub.server_pid(user)


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (kernels), in MB."""
    import psutil

    proc = psutil.Process(pid)
    return round(sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20, 1)


def _assignment(hub: Hub, user: str) -> dict:
    r = hub.server(user, "GET", "/assignments", params={"course_id": COURSE_ID})
    assert r.status_code == 200, r.text
    found = [a for a in r.json()["value"] if a["assignment_id"] == MODULE]
    return {a["status"]: a for a in found}


def _action(hub: Hub, user: str, action: str) -> None:
    """POST to nbgrader's assignment API on the learner's server, as the Assignments tab does."""
    r = hub.server(user, "POST", f"/assignments/{action}", data={"course_id": COURSE_ID, "assignment_id": MODULE})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body.get("success", True), body


def test_workshop_release_fetch_submit_collect_grade_feedback(hub):
    """Three scripted learners through a real hub: each score is what the rules give; no hidden test leaks."""
    flow_started = time.monotonic()
    users = [INSTRUCTOR, *SCRIPTS]
    assert {u["name"] for u in hub.api("GET", "/users").json()} >= set(users)
    _start_servers(hub, users)
    MEASURED["servers_ready_s"] = round(time.monotonic() - flow_started, 1)
    MEASURED["server_rss_mb_idle"] = {u: _rss_mb(hub.server_pid(u)) for u in users}
    assert all(hub.server(u, "GET", "/api/status").status_code == 200 for u in users)

    # Instructor: the class list, then module 00 generated and released to the exchange.
    course = _release(hub)

    # Learners: fetch, answer through the contents API, self-check, submit.
    path = f"{MODULE}/{MODULE}.ipynb"
    for learner, (wrong, _lost) in SCRIPTS.items():
        assert "released" in _assignment(hub, learner)
        _action(hub, learner, "fetch")
        assert "fetched" in _assignment(hub, learner)
        r = hub.server(learner, "GET", f"/api/contents/{path}", params={"content": 1})
        assert r.status_code == 200, r.text
        nb = _answered(r.json()["content"], {**ANSWERS, **wrong})
        r = hub.server(learner, "PUT", f"/api/contents/{path}", json={"type": "notebook", "content": nb})
        assert r.status_code == 200, r.text
    MEASURED["release_and_fetch_s"] = round(time.monotonic() - flow_started, 1)
    checks_started = time.monotonic()
    checks = {learner: hub.run_as(learner, SELF_CHECK) for learner in SCRIPTS}
    MEASURED["self_checks_s"] = round(time.monotonic() - checks_started, 1)
    out = {learner: done.stdout + done.stderr for learner, done in checks.items()}
    assert checks["learner01"].returncode == 0, out["learner01"]
    assert "FAIL" not in out["learner01"] and "PASS" in out["learner01"]
    assert checks["learner02"].returncode != 0 and "FAIL  test_a2_monthly_bill" in out["learner02"], out["learner02"]
    assert checks["learner03"].returncode != 0 and "FAIL  test_a2_monthly_bill" in out["learner03"], out["learner03"]
    for learner in SCRIPTS:
        _action(hub, learner, "submit")
        assert "submitted" in _assignment(hub, learner)
    MEASURED["learners_done_s"] = round(time.monotonic() - flow_started, 1)

    # Instructor: collect, grade, report, feedback.
    graded_started = time.monotonic()
    transcript = []
    for cmd in INSTRUCTOR_GRADES:
        done = hub.run_as(INSTRUCTOR, cmd, cwd=course)
        transcript.append(f"$ {cmd}\n{done.stdout}\n{done.stderr}")
        assert done.returncode == 0, transcript[-1]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "workshop-instructor.log").write_text("\n".join(transcript), encoding="utf-8")
    shutil.copytree(course / "grading" / "logs" / MODULE, ARTIFACTS / "workshop-grading-logs", dirs_exist_ok=True)
    MEASURED["grading_s"] = round(time.monotonic() - graded_started, 1)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted(SCRIPTS)
    assert (course / "grading" / "reports" / MODULE / "scores.csv").is_file()

    # Every score is what the rules give: a part's points when its tests pass, else 0.
    from nbgrader.api import Gradebook

    points = _points()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for learner, (_wrong, lost) in SCRIPTS.items():
            parts = {gid: gb.find_grade(gid, MODULE, MODULE, learner).score for gid in points}
            assert parts == {gid: (0.0 if gid in lost else p) for gid, p in points.items()}, transcript[1]
            assert gb.find_submission(MODULE, learner).score == sum(points.values()) - sum(points[g] for g in lost)

    # Learners: fetch their feedback; it shows no hidden test.
    hidden = _hidden_lines()
    assert hidden, "solutions/00 has hidden tests to look for"
    for learner in SCRIPTS:
        _action(hub, learner, "fetch_feedback")
        feedback = sorted((hub.home(learner) / MODULE / "feedback").glob(f"*/{MODULE}.html"))
        assert len(feedback) == 1, f"{learner}: {feedback}"
        rel = feedback[0].relative_to(hub.home(learner)).as_posix()
        r = hub.server(learner, "GET", f"/api/contents/{rel}", params={"content": 1, "format": "text"})
        assert r.status_code == 200, r.text
        page = r.json()["content"]
        assert learner in page or MODULE in page
        assert "BEGIN HIDDEN TESTS" not in page
        leaked = [line for line in hidden if line in page or html.escape(line) in page
                  or html.escape(line, quote=False) in page]
        assert leaked == [], f"{learner}'s feedback shows hidden tests: {leaked}"
    MEASURED["flow_s"] = round(time.monotonic() - flow_started, 1)
    MEASURED["server_rss_mb_after"] = {u: _rss_mb(hub.server_pid(u)) for u in users}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "workshop-measurements.json").write_text(json.dumps(MEASURED, indent=1), encoding="utf-8")
    print(json.dumps(MEASURED, indent=1))


def test_the_instructor_guide_shows_every_command_the_workshop_test_runs():
    """docs/instructor.md's workshop flow lists the test's commands, in the same order."""
    guide = (ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")
    flow = guide[guide.index("### The flow"):guide.index("### What was measured")]
    commands = [" ".join(line.split("#")[0].split()) for line in flow.splitlines()]
    wanted = [*INSTRUCTOR_RELEASES, SELF_CHECK, *INSTRUCTOR_GRADES]
    found = [c for c in commands if c in wanted]
    assert found == wanted


def _why_no_browser() -> str:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium; .ci/run does it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return ""


@pytest.mark.browser
def test_a_learner_logs_in_runs_module_00_and_validates_in_chromium(hub):
    """learner04 logs in on the hub's page, opens module 00, runs it, and Validate says it passes."""
    if _why_no_browser():
        pytest.skip(_why_no_browser())
    from playwright.sync_api import sync_playwright

    learner = "learner04"
    # JupyterLab renders every cell (not only those near the viewport), so the prompts can be read.
    for config in (".jupyter", ".config/jupyter"):
        settings = hub.home(learner) / config / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    path = f"{MODULE}/{MODULE}.ipynb"
    if not (hub.state / "exchange" / COURSE_ID / "outbound" / MODULE).is_dir():
        _release(hub)  # this test run alone
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        try:
            page.goto(f"{hub.url}/hub/login")
            page.fill("#username_input", learner)
            page.fill("#password_input", hub.password)
            page.click("#login_submit")
            page.wait_for_url(f"**/user/{learner}/lab**", timeout=180_000)
            page.locator(".jp-LabShell").wait_for()

            # The module is fetched (the Assignments tab's Fetch) and answered as in solutions/.
            r = hub.api("POST", f"/users/{learner}/tokens", json={"note": "workshop test", "expires_in": 3600})
            hub.user_tokens[learner] = r.json()["token"]
            _action(hub, learner, "fetch")
            nb = hub.server(learner, "GET", f"/api/contents/{path}", params={"content": 1}).json()["content"]
            r = hub.server(learner, "PUT", f"/api/contents/{path}",
                           json={"type": "notebook", "content": _answered(nb, ANSWERS)})
            assert r.status_code == 200, r.text

            page.goto(f"{hub.url}/user/{learner}/lab/tree/{path}")
            page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
            page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for()
            page.locator(".jp-NotebookPanel .jp-Cell").first.click()
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            deadline, prompts = time.time() + 240, []
            while time.time() < deadline:
                prompts = page.evaluate(
                    "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
                    ".map(p => p.textContent.trim())")
                if prompts and not any("*" in t for t in prompts) and prompts[-1][:2] not in ("", "[ ", "[]"):
                    break
                time.sleep(1)
            else:
                raise AssertionError(f"module 00 did not finish running; prompts: {prompts}")
            assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
            MEASURED["browser_learner_rss_mb_after_run"] = _rss_mb(hub.server_pid(learner))

            page.locator(".jp-Toolbar", has_text="Validate").get_by_text("Validate", exact=True).first.click()
            dialog = page.locator(".jp-Dialog", has_text="Validation Results")
            dialog.wait_for(timeout=180_000)
            assert "Success! Your notebook passes all the tests." in dialog.inner_text()
        finally:
            page.screenshot(path=str(ARTIFACTS / "workshop-learner-validate.png"))
            browser.close()
    (ARTIFACTS / "workshop-measurements.json").write_text(json.dumps(MEASURED, indent=1), encoding="utf-8")
