#!/usr/bin/env bash
# Start the workshop JupyterHub on 127.0.0.1 (`make workshop` runs this; Ctrl-C stops the hub,
# its proxy and every learner's server).
#
#   WORKSHOP_DIR       state folder (default .workshop/hub): hub database, homes, the exchange
#   WORKSHOP_PORT      public port (default 8000); the hub uses PORT+1 and the proxy's API PORT+2
#   WORKSHOP_LEARNERS  number of learner accounts, learner01..learnerNN (default 3)
#   WORKSHOP_PASSWORD  shared password (default: generated once into WORKSHOP_DIR/password)
#   WORKSHOP_ADMIN_TOKEN  token of the `workshop-admin` API service (default: generated once
#                      into WORKSHOP_DIR/admin-token)
#   WORKSHOP_PROXY_URL, WORKSHOP_KEYS_CSV  live models through the LiteLLM proxy (see
#                      deploy/workshop/jupyterhub_config.py and docs/instructor.md)
#   WORKSHOP_PYTHON    the course's Python (default .venv/bin/python)
#
# What it sets up before starting the hub (only what is missing, so a restart keeps the state):
#   WORKSHOP_DIR/exchange                     nbgrader's exchange, shared by every server
#   WORKSHOP_DIR/jupyter/nbgrader_config.py   course id + exchange, read by every server
#   WORKSHOP_DIR/home/instructor/course/      the instructor's course folder: nbgrader_config.py,
#                                             solutions/, learners.csv
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
PY="${WORKSHOP_PYTHON:-$REPO/.venv/bin/python}"
export WORKSHOP_DIR="$(mkdir -p "${WORKSHOP_DIR:-$REPO/.workshop/hub}" && cd "${WORKSHOP_DIR:-$REPO/.workshop/hub}" && pwd)"
export WORKSHOP_PORT="${WORKSHOP_PORT:-8000}"
export WORKSHOP_LEARNERS="${WORKSHOP_LEARNERS:-3}"
export LITELLM_LOCAL_MODEL_COST_MAP=True
export PATH="$(dirname "$PY"):$PATH"

if [ ! -x "$REPO/.workshop/node_modules/.bin/configurable-http-proxy" ]; then
    echo "start.sh: no configurable-http-proxy; run 'make workshop-proxy' (npm install into .workshop/)" >&2
    exit 1
fi

umask 077
secret() {  # a value from the environment, or one generated once into WORKSHOP_DIR/<file>
    local file="$WORKSHOP_DIR/$1"
    [ -s "$file" ] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(24))' > "$file"
    cat "$file"
}
export WORKSHOP_PASSWORD="${WORKSHOP_PASSWORD:-$(secret password)}"
export WORKSHOP_ADMIN_TOKEN="${WORKSHOP_ADMIN_TOKEN:-$(secret admin-token)}"
umask 022

# nbgrader's exchange: every server reads and writes it.
mkdir -p "$WORKSHOP_DIR/exchange" "$WORKSHOP_DIR/jupyter" "$WORKSHOP_DIR/home"
chmod ugo+rwx "$WORKSHOP_DIR/exchange"
cat > "$WORKSHOP_DIR/jupyter/nbgrader_config.py" <<PYCONF
# Written by deploy/workshop/start.sh: read by every server of the workshop hub.
import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "osai-econ"
c.Exchange.root = "$WORKSHOP_DIR/exchange"
# Every server runs as the hub's system user, so nbgrader cannot tell learners apart by their
# login name: a learner's submissions and feedback carry their hub name instead.
_user = os.environ.get("JUPYTERHUB_USER", "")
if _user and _user != "instructor":
    c.CourseDirectory.student_id = _user
# Files in the exchange all belong to the hub's user: nothing to cross-check on collect.
c.CollectApp.check_owner = False
PYCONF

# The instructor's course folder: the course's nbgrader settings and sources, and the class list.
COURSE="$WORKSHOP_DIR/home/instructor/course"
if [ ! -d "$COURSE" ]; then
    mkdir -p "$COURSE"
    cp "$REPO/nbgrader_config.py" "$COURSE/"
    cp -r "$REPO/solutions" "$COURSE/solutions"
    {
        echo "id,first_name,last_name,email"
        for i in $(seq 1 "$WORKSHOP_LEARNERS"); do printf 'learner%02d,Learner,%02d,\n' "$i" "$i"; done
    } > "$COURSE/learners.csv"
fi

echo "Workshop hub: http://127.0.0.1:$WORKSHOP_PORT  (users: instructor, learner01..learner$(printf %02d "$WORKSHOP_LEARNERS"))"
[ -s "$WORKSHOP_DIR/password" ] && echo "Shared password: in $WORKSHOP_DIR/password"
cd "$WORKSHOP_DIR"
exec "$PY" -m jupyterhub -f "$REPO/deploy/workshop/jupyterhub_config.py"
