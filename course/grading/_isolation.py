"""What a kernel that runs a learner's code while grading may see: no keys, no ``.env``, no network.

Grading runs code the course did not write. So every kernel the grader starts:

- gets an environment with no secret in it (:func:`grading_environment`): every
  provider key the course knows, every ``*_API_KEY`` / ``*_TOKEN`` / ``*SECRET*``
  variable, and the settings that point model calls elsewhere are dropped;
  ``COURSE_NO_DOTENV=1`` tells the course's set-up not to read ``.env``, and
  ``COURSE_LLM_BACKEND=sandbox`` sends model calls to the offline sandbox;
- where the OS allows it (Linux, as root), runs inside fresh namespaces
  (:func:`jail_command`): a network namespace with only loopback up, a PID
  namespace (other processes' environments in ``/proc`` are out of sight), and a
  mount namespace in which every ``.env`` file above the course folder reads as
  empty. The kernel talks to the grader over Unix sockets, which cross network
  namespaces. Elsewhere :func:`network_isolation` says why it is off.

The same rules hold for ``course grade`` and plain ``nbgrader autograde`` (the
course's ``nbgrader_config.py`` names :class:`~course.grading._execute.SafeExecute`,
whose kernels are started by :class:`IsolatedKernelManager`).
"""

from __future__ import annotations

import fnmatch
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

#: Set in a grading kernel: the course's ``.env`` loader reads no file.
NO_DOTENV_VAR = "COURSE_NO_DOTENV"
#: Set in a grading kernel, so course code can tell it is being graded.
GRADING_VAR = "COURSE_GRADING"
#: Names of other variables that hold secrets, as shell patterns (case-insensitive).
SECRET_PATTERNS = ("*_API_KEY", "*_TOKEN", "*SECRET*", "*PASSWORD*", "*_KEY_ID", "*ACCESS_KEY*")
#: Settings that would send a graded notebook's model calls somewhere other than the sandbox.
ROUTING_VARS = ("COURSE_LOCAL_BASE_URL", "COURSE_DEFAULT_MODEL", "OPENAI_BASE_URL", "OPENAI_API_BASE")


def _known_secret_names() -> set[str]:
    from course._base._env import EXTRA_SECRET_VARS, PROVIDERS

    return {var for provider in PROVIDERS for var in provider.env_vars} | set(EXTRA_SECRET_VARS)


def is_secret_name(name: str) -> bool:
    """Return whether an environment variable's name says it holds a secret.

    Examples
    --------
    >>> [is_secret_name(n) for n in ("GROQ_API_KEY", "GITHUB_TOKEN", "MY_SECRET", "PATH")]
    [True, True, True, False]
    """
    upper = name.upper()
    return name in _known_secret_names() or any(fnmatch.fnmatchcase(upper, p) for p in SECRET_PATTERNS)


def grading_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """Return a copy of ``env`` (default ``os.environ``) fit for a kernel running a learner's code.

    Examples
    --------
    >>> env = grading_environment({"PATH": "/bin", "GROQ_API_KEY": "gsk_x", "COURSE_LLM_BACKEND": "live"})
    >>> sorted(env)
    ['COURSE_GRADING', 'COURSE_LLM_BACKEND', 'COURSE_NO_DOTENV', 'LITELLM_LOCAL_MODEL_COST_MAP', 'PATH']
    >>> env["COURSE_LLM_BACKEND"]
    'sandbox'
    """
    source = dict(os.environ if env is None else env)
    clean = {k: v for k, v in source.items() if not is_secret_name(k) and k not in ROUTING_VARS}
    clean.update({NO_DOTENV_VAR: "1", GRADING_VAR: "1", "COURSE_LLM_BACKEND": "sandbox",
                  "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    return clean


def scrub_process_environment() -> None:
    """Apply :func:`grading_environment` to this process (a grading worker) in place."""
    clean = grading_environment()
    for name in list(os.environ):
        if name not in clean:
            del os.environ[name]
    os.environ.update(clean)


_UNSHARE = ("unshare", "--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc")


@functools.lru_cache(maxsize=1)
def network_isolation() -> tuple[bool, str]:
    """Return (available, a sentence for the instructor) about running kernels without network.

    Available on Linux when ``unshare`` can create network, mount and PID
    namespaces (as root, or where unprivileged user namespaces allow it).
    ``COURSE_GRADING_NETWORK=allow`` turns it off on purpose.
    """
    if os.environ.get("COURSE_GRADING_NETWORK", "").lower() == "allow":
        return False, "network isolation is OFF: COURSE_GRADING_NETWORK=allow is set"
    if not sys.platform.startswith("linux"):
        return False, f"network isolation is OFF: it needs Linux network namespaces (this is {sys.platform})"
    if shutil.which("unshare") is None:
        return False, "network isolation is OFF: the `unshare` command (util-linux) is not installed"
    probe = subprocess.run([*_UNSHARE, sys.executable, "-m", "course.grading._jail", "--", "true"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        why = (probe.stderr.strip().splitlines() or ["unknown error"])[-1]
        return False, (f"network isolation is OFF: cannot create namespaces here ({why}); "
                       "run `course grade` as root on Linux to turn it on")
    return True, "network isolation is ON: kernels run with loopback only, no provider keys and no .env"


def dotenv_files(*starts: str | os.PathLike) -> list[str]:
    """Return every ``.env`` file in the given folders and their parents, and in the home folder."""
    found: list[str] = []
    folders = [Path.home()]
    for start in starts:
        here = Path(start).resolve()
        folders += [here, *here.parents]
    for folder in folders:
        candidate = folder / ".env"
        if candidate.is_file() and str(candidate) not in found:
            found.append(str(candidate))
    return found


def jail_command(cmd: list[str], *, hide: list[str]) -> list[str]:
    """Return ``cmd`` wrapped to run in new network, PID and mount namespaces with ``hide`` emptied."""
    args = [arg for path in hide for arg in ("--hide", path)]
    return [*_UNSHARE, sys.executable, "-m", "course.grading._jail", *args, "--", *cmd]


class IsolatedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels get :func:`grading_environment` and, where possible, no network."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._jailed = network_isolation()[0]
        if self._jailed:  # TCP on loopback does not cross namespaces; Unix sockets do
            self._ipc_dir = tempfile.mkdtemp(prefix="course-kernel-")
            self.transport = "ipc"
            self.ip = os.path.join(self._ipc_dir, "k")

    async def _async_pre_start_kernel(self, **kw):
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        kw["env"] = grading_environment(kw.get("env") or os.environ)
        if self._jailed:
            kernel_cmd = jail_command(kernel_cmd, hide=dotenv_files(kw.get("cwd") or os.getcwd(), os.getcwd()))
            # the kernel's PID is hidden behind `unshare`: interrupt it with a message, not a signal
            self.kernel_spec.interrupt_mode = "message"
        return kernel_cmd, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._jailed and not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
