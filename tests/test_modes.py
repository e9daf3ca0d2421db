"""Every solution notebook runs to the end in the three ways a learner can meet the course.

- ``no-keys``: no provider key, no local server (calls go to the offline sandbox);
- ``keys-no-network``: a key for every provider, and every provider's base URL on a
  closed loopback port (what a learner with keys and no network gets, but fast and
  deterministic): each live call fails clearly, the default model falls back to the
  sandbox;
- ``keys-standins``: keys, and the providers served by loopback stand-ins speaking
  their real protocols (tests/standins), so litellm's real provider code runs.

One kernel per mode runs the notebooks one after another (``%reset -f`` and a new
working folder between them), which saves a kernel start and the imports per notebook.
Every output is checked for the keys: none may appear.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from course._base._env import PROVIDERS
from tests.conftest import ROOT
from tests.standins import BASE_VARS, StandIns

NOTEBOOKS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
MODES = ["no-keys", "keys-no-network", "keys-standins"]
FAKE = {p.name: f"sk-{p.name}-" + "MODEFAKEKEY" * 3 for p in PROVIDERS}
CELL_TIMEOUT = 180
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Kernel:
    """A Jupyter kernel with a given environment, running code and collecting outputs."""

    def __init__(self, env: dict[str, str]):
        from jupyter_client import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=env, cwd=str(ROOT))
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)

    def run(self, code: str) -> tuple[list[str], dict | None]:
        texts: list[str] = []
        error: dict | None = None

        def hook(msg):
            nonlocal error
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                texts.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                texts.extend(str(v) for v in content["data"].values())
            elif kind == "error":
                error = {"ename": content["ename"], "evalue": content["evalue"]}
                texts.append("\n".join(content["traceback"]))

        self.client.execute_interactive(code, timeout=CELL_TIMEOUT, output_hook=hook,
                                        allow_stdin=False)
        return texts, error

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def _environment(mode: str, standins: StandIns | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {v for p in PROVIDERS for v in (*p.env_vars, *p.base_vars)}
           and k not in ("COURSE_LLM_BACKEND", "COURSE_LOCAL_BASE_URL", "COURSE_LOCAL_API_KEY",
                         "COURSE_DEFAULT_MODEL", "OLLAMA_HOST")}
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env["OLLAMA_HOST"] = f"127.0.0.1:{_closed_port()}"  # no local server in any mode
    if mode == "keys-no-network":
        dead = f"http://127.0.0.1:{_closed_port()}"
        for p in PROVIDERS:
            env[p.env_vars[0]] = FAKE[p.name]
            env.update({var: dead for var in p.base_vars})
    elif mode == "keys-standins":
        assert standins is not None
        for p in PROVIDERS:
            if p.name in BASE_VARS:
                env[p.env_vars[0]] = FAKE[p.name]
        env.update(standins.env())
    return env


@pytest.fixture(scope="module")
def kernels():
    opened: dict[str, tuple[Kernel, StandIns | None]] = {}

    def get(mode: str):
        if mode not in opened:
            standins = StandIns().start() if mode == "keys-standins" else None
            opened[mode] = (Kernel(_environment(mode, standins)), standins)
        return opened[mode]

    yield get
    for kernel, standins in opened.values():
        kernel.close()
        if standins is not None:
            standins.stop()


def _cases():
    for mode in MODES:
        for path in NOTEBOOKS:
            module = path.parent.name
            marks = [pytest.mark.slow, pytest.mark.xdist_group(f"modes-{mode}")]
            yield pytest.param(mode, path, marks=marks, id=f"{mode}-{module}")


@pytest.mark.parametrize(("mode", "path"), list(_cases()))
def test_every_notebook_runs_to_the_end_and_never_shows_a_key(kernels, mode, path: Path):
    import nbformat

    kernel, standins = kernels(mode)
    before = len(standins.requests) if standins else 0
    kernel.run(f"%reset -f\nimport os\nos.chdir({str(path.parent)!r})\n"
               "import course\ncourse.budget(reset=True)")
    nb = nbformat.read(path, as_version=4)
    outputs: list[str] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        texts, error = kernel.run(cell.source)
        outputs.extend(texts)
        assert error is None, f"cell {index} raised {error['ename']}: {error['evalue'][:300]}"
    everything = "\n".join(outputs)
    for key in FAKE.values():
        assert key not in everything
    module = path.parent.name
    if module == "00_start_here" and mode == "keys-standins":  # the default model is live
        assert any(r["method"] == "POST" for r in standins.requests[before:])
        assert "[stand-in openrouter]" in everything
    if module == "00_start_here" and mode == "keys-no-network":  # failed clearly, sandbox answered
        assert "Answering with the offline sandbox" in everything and "[sandbox]" in everything
