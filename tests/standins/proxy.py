"""Start the real LiteLLM proxy (deploy/litellm-proxy/config.workshop.yaml) on 127.0.0.1.

Used by tests/test_proxy.py and bench/proxy.py. The proxy runs in its own process
group and is stopped by that group's id when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "litellm-proxy" / "config.workshop.yaml"


def missing() -> str | None:
    """Why the proxy cannot start here, or None."""
    if not (Path(sys.executable).parent / "litellm").exists():
        return "the litellm command is not installed: pip install -e '.[proxy]'"
    probe = subprocess.run([sys.executable, "-c", "import litellm.proxy.proxy_server"],
                           capture_output=True, text=True,
                           env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    if probe.returncode:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1][:200]
        return f"LiteLLM's proxy packages are missing: pip install -e '.[proxy]' ({last})"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_proxy(folder: Path, *, master_key: str, learners: dict[str, tuple[str, float]],
                  env: dict[str, str], timeout_s: float = 240):
    """Yield ``{"base", "log", "spend", "startup_s"}`` for a proxy serving ``config.workshop.yaml``.

    ``learners`` maps a learner to (key, budget in US dollars); ``env`` adds the
    upstream keys and base URLs (e.g. the stand-ins').
    """
    folder.mkdir(parents=True, exist_ok=True)
    keys = folder / "learners.csv"
    with keys.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "key_sha256", "max_budget_usd"])
        for name, (key, budget) in learners.items():
            writer.writerow([name, hashlib.sha256(key.encode()).hexdigest(), budget])
    shutil.copy(CONFIG, folder / "config.yaml")
    shutil.copy(CONFIG.parent / "learner_budgets.py", folder / "learner_budgets.py")
    port = _free_port()
    full_env = {**os.environ, **env, "LITELLM_MASTER_KEY": master_key,
                "LEARNER_KEYS_FILE": str(keys), "LEARNER_SPEND_FILE": str(folder / "spend.json"),
                "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False",
                "PYTHONPATH": str(folder), "NO_DOCS": "True", "DISABLE_ADMIN_UI": "True"}
    log_path = folder / "proxy.log"
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "litellm"), "--config", str(folder / "config.yaml"),
             "--host", "127.0.0.1", "--port", str(port), "--num_workers", "1"],
            cwd=folder, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if process.poll() is not None:
                    raise RuntimeError("the proxy exited: " + log_path.read_text()[-2000:])
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the proxy did not start in {timeout_s:g} s")
                try:
                    with urllib.request.urlopen(base + "/health/liveliness", timeout=1) as reply:
                        if reply.status == 200:
                            break
                except OSError:
                    time.sleep(0.5)
            yield {"base": base, "log": log_path, "spend": folder / "spend.json",
                   "startup_s": time.perf_counter() - started}
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
