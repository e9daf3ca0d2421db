# A workshop JupyterHub on one machine: `make workshop` (deploy/workshop/start.sh) starts it.
#
# Everything comes from the environment that start.sh sets (see its header):
#   WORKSHOP_DIR        state folder: hub database, cookie secret, homes, the nbgrader exchange
#   WORKSHOP_PORT       public port on 127.0.0.1 (default 8000)
#   WORKSHOP_LEARNERS   learner accounts learner01..learnerNN (default 3); the instructor is `instructor`
#   WORKSHOP_PASSWORD   the shared workshop password (required; never logged)
#   WORKSHOP_ADMIN_TOKEN  API token of the `workshop-admin` service (admin role), for scripts and tests
#   WORKSHOP_PROXY_URL  optional: the LiteLLM proxy's OpenAI-compatible URL (…/v1); with it, learners'
#                       servers call real models through the proxy, each with their own virtual key
#   WORKSHOP_KEYS_CSV   optional, with WORKSHOP_PROXY_URL: `user,key` lines (deploy/litellm-proxy/make-keys.sh)
#
# Isolation, plainly: every user's server runs as the hub's own system user (root in CI), each in its
# own home folder under WORKSHOP_DIR/home. Users cannot see each other through the hub, but a learner's
# code can read any file the hub's user can. That is fine for a workshop on a machine you wipe after
# (and for CI); for learners you do not trust, use real system users (LocalProcessSpawner, or The
# Littlest JupyterHub) or Kubernetes (deploy/jupyterhub/z2jh-config.yaml), which are configuration only.
import csv
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
STATE = Path(os.environ["WORKSHOP_DIR"]).resolve()
PORT = int(os.environ.get("WORKSHOP_PORT", "8000"))
LEARNERS = [f"learner{i:02d}" for i in range(1, int(os.environ.get("WORKSHOP_LEARNERS", "3")) + 1)]
INSTRUCTOR = "instructor"
BIN = Path(sys.executable).parent  # the course's virtualenv: the same Python for hub and learners

# --- hub, proxy, state -------------------------------------------------------------------------
c.JupyterHub.bind_url = f"http://127.0.0.1:{PORT}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{int(os.environ.get('WORKSHOP_HUB_PORT', PORT + 1))}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(os.environ.get('WORKSHOP_PROXY_API_PORT', PORT + 2))}"
c.ConfigurableHTTPProxy.command = [str(REPO / ".workshop" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server
c.JupyterHub.cleanup_proxy = True

# --- accounts: one shared workshop password, a fixed list of names -----------------------------
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["WORKSHOP_PASSWORD"]
c.Authenticator.allowed_users = {INSTRUCTOR, *LEARNERS}
c.Authenticator.admin_users = {INSTRUCTOR}
c.JupyterHub.services = [{"name": "workshop-admin", "api_token": os.environ["WORKSHOP_ADMIN_TOKEN"]}]
c.JupyterHub.load_roles = [{"name": "admin", "services": ["workshop-admin"]}]

# --- learners' servers: JupyterLab from the course's virtualenv, one home each -----------------
c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: see "Isolation" above
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None"]
if os.geteuid() == 0:
    c.Spawner.args.append("--allow-root")
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": f"{BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
    # nbgrader reads WORKSHOP_DIR/jupyter/nbgrader_config.py: course id and the shared exchange.
    "JUPYTER_CONFIG_PATH": str(STATE / "jupyter"),
    "JUPYTER_PLATFORM_DIRS": "1",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # litellm never fetches its price map
    "COURSE_ROOT": str(REPO),  # datasets and the course's own files
    "COURSE_LLM_BACKEND": "sandbox",  # offline by default
}

# --- live models through the LiteLLM proxy (configuration only: not exercised by the tests) -----
PROXY_URL = os.environ.get("WORKSHOP_PROXY_URL", "")
if PROXY_URL:
    c.Spawner.environment.update({"COURSE_LLM_BACKEND": "local", "COURSE_LOCAL_BASE_URL": PROXY_URL})
    keys_csv = os.environ.get("WORKSHOP_KEYS_CSV", "")
    KEYS = {}
    if keys_csv:
        with open(keys_csv, newline="", encoding="utf-8") as f:
            KEYS = {row[0]: row[1] for row in csv.reader(f) if len(row) >= 2 and row[0] not in ("user", "learner")}

    def _give_each_learner_their_key(spawner):
        """Each server gets its own virtual key (budget set when the key was made), never a file."""
        key = KEYS.get(spawner.user.name)
        if key:
            spawner.environment["COURSE_LOCAL_API_KEY"] = key
        else:  # no key for this user: stay on the offline sandbox
            spawner.environment["COURSE_LLM_BACKEND"] = "sandbox"

    c.Spawner.pre_spawn_hook = _give_each_learner_their_key
