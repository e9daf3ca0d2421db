"""Notebook execution that a looping answer cannot stall.

nbgrader (through nbclient) interrupts a cell that runs past its timeout. A loop
that catches ``KeyboardInterrupt`` ignores the interrupt; nbclient then waits on a
kernel that never answers and the submission gets no grade at all. Here, when the
kernel does not answer the interrupt within a short grace period, the kernel is
stopped and the notebook ends there: the looping cell is recorded as timed out and
every later cell as not run, so the submission still gets a clear, complete result
(the parts before the loop keep their points) and the batch goes on.

Two more limits and one speed-up:

- a wall-clock limit per notebook (``SafeExecute.notebook_timeout``) as well as
  the per-cell one: once it is spent, the running cell is stopped and the rest of
  the notebook is not run;
- every kernel is started by :class:`~course.grading._isolation.IsolatedKernelManager`
  (no keys, no ``.env``, no network where the OS allows it);
- a :class:`KernelPool` installed in a grading worker (:func:`install_pool`) hands
  out a kernel started while the previous notebook ran, so a notebook does not wait
  for its kernel to boot.
"""

from __future__ import annotations

import os
import time
from queue import Empty

from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbclient.util import ensure_async
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Integer

from course.grading._isolation import IsolatedKernelManager

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

TIMEOUT_MESSAGE = (
    "CellTimeoutError: this cell ran longer than {timeout} s and was stopped. "
    "Look for a loop that never ends."
)
HUNG_NOTE = " It ignored the interrupt, so the kernel was shut down and the cells after it were not run."
NOT_RUN_MESSAGE = "NotRun: not run, because an earlier cell ran past the time limit and ignored the interrupt."
DEAD_MESSAGE = "DeadKernel: the kernel stopped while this cell ran (it crashed or was killed)."
NOT_RUN_DEAD = "NotRun: not run, because the kernel stopped in an earlier cell."
OVERTIME_MESSAGE = "NotRun: not run, because the notebook ran past its {limit} s limit."


class KernelHung(Exception):
    """Raised inside execution when a timed-out cell ignores the interrupt."""

    def __init__(self, index: int) -> None:
        super().__init__(f"cell {index} ignored the interrupt")
        self.index = index


def _error(ename: str, message: str):
    return new_output("error", ename=ename, evalue=message, traceback=[message])


class KernelDied(KernelHung):
    """Raised when the kernel died (or was killed by the code) while a cell ran."""

    def __init__(self, index: int) -> None:
        Exception.__init__(self, f"the kernel died in cell {index}")
        self.index = index


class NotebookOverTime(Exception):
    """Raised before a cell when the notebook's wall-clock limit is spent."""

    def __init__(self, index: int) -> None:
        super().__init__(f"the notebook's time ran out before cell {index}")
        self.index = index


class _StopOnHang:
    """Mixin for nbclient clients: interrupt on timeout; stop the notebook when ignored or over time."""

    #: Seconds to wait for an interrupted cell before giving up on the kernel.
    interrupt_grace: float = 3.0
    #: Seconds a whole notebook may run (None or 0: no limit); a configurable trait in the subclasses.
    notebook_timeout: int | None = 600
    _deadline: float | None = None

    def _start_clock(self) -> None:
        limit = self.notebook_timeout
        self._deadline = time.monotonic() + limit if limit and limit > 0 else None

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if self._deadline is None:
            return timeout
        left = max(1, int(self._deadline - time.monotonic() + 0.999))
        return left if timeout is None else min(timeout, left)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if self._deadline is not None and time.monotonic() >= self._deadline and cell.cell_type == "code":
            raise NotebookOverTime(cell_index)
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            cell.outputs.append(_error("DeadKernel", DEAD_MESSAGE))
            raise KernelDied(cell_index) from None

    execute_cell = run_sync(async_execute_cell)

    async def _async_handle_timeout(self, timeout, cell=None):
        self.log.error("Cell timed out after %s s; interrupting the kernel", timeout)
        await ensure_async(self.km.interrupt_kernel())
        message = TIMEOUT_MESSAGE.format(timeout=timeout)
        try:
            # The interrupted cell's own reply: the kernel is responsive again.
            await ensure_async(self.kc.shell_channel.get_msg(timeout=self.interrupt_grace))
        except Empty:
            self.log.error("The kernel ignored the interrupt; stopping this notebook")
            if cell is not None:
                cell.outputs.append(_error("CellTimeoutError", message + HUNG_NOTE))
            self.shutdown_kernel = "immediate"
            index = next((i for i, c in enumerate(self.nb.cells) if c is cell), -1)
            raise KernelHung(index) from None
        if cell is not None:
            cell.outputs.append(_error("CellTimeoutError", message))
        return {"content": {"status": "error", "ename": "CellTimeoutError",
                            "evalue": message, "traceback": [message]}}

    def _mark_not_run(self, index: int, message: str = NOT_RUN_MESSAGE) -> None:
        for cell in self.nb.cells[index + 1:]:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [_error("NotRun", message)]
                cell.execution_count = None

    def _stopped(self, err: Exception) -> None:
        if isinstance(err, NotebookOverTime):
            self._mark_not_run(err.index - 1, OVERTIME_MESSAGE.format(limit=self.notebook_timeout))
        elif isinstance(err, KernelDied):
            self._mark_not_run(err.index, NOT_RUN_DEAD)
        else:
            self._mark_not_run(err.index)


class SafeExecute(_StopOnHang, Execute):
    """nbgrader's ``Execute`` preprocessor: isolated kernels, stopped loops, a notebook time limit.

    In a process that installed a :class:`KernelPool`, each notebook runs in a kernel
    from the pool (moved to the notebook's folder first); otherwise in a new one.
    """

    notebook_timeout = Integer(600, allow_none=True,
                               help="Seconds a whole notebook may run (None or 0: no limit)").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", IsolatedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        pool = _POOL if km is None else None
        if pool is not None:
            km = pool.take()
        try:
            return self._run(nb, resources, km, chdir=pool is not None)
        except (KernelHung, NotebookOverTime) as stop:
            self._stopped(stop)
            return self.nb, self.resources
        finally:
            if pool is not None:
                pool.discard(km, self.kc)
                self.kc = None

    def _run(self, nb, resources, km, *, chdir: bool):
        # nbconvert's ExecutePreprocessor.preprocess, plus the clock and the move to the notebook's folder
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        with self.setup_kernel():
            assert self.kc
            self._start_clock()
            info_msg = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
            path = (self.resources.get("metadata") or {}).get("path")
            if chdir and path:
                # no name is bound in the learner's namespace
                self.wait_for_reply(self.kc.execute(f"__import__('os').chdir({str(path)!r})", silent=True,
                                                    store_history=False))
            for index, cell in enumerate(self.nb.cells):
                self.preprocess_cell(cell, resources, index)
        self.set_widgets_metadata()
        return self.nb, self.resources


class SafeClient(_StopOnHang, NotebookClient):
    """A plain nbclient client with the same timeout handling, for self-checks."""

    notebook_timeout = Integer(600, allow_none=True,
                               help="Seconds a whole notebook may run (None or 0: no limit)").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_errors", True)
        super().__init__(*args, **kwargs)

    async def async_execute(self, reset_kc=False, **kwargs):
        self._start_clock()
        try:
            return await super().async_execute(reset_kc=reset_kc, **kwargs)
        except (KernelHung, NotebookOverTime) as stop:
            self._stopped(stop)
            return self.nb

    execute = run_sync(async_execute)


class KernelPool:
    """Kernels started ahead of need: taking one starts the next, which boots while the first works.

    One pool serves one process (a grading worker); :func:`install_pool` makes
    :class:`SafeExecute` use it. Kernels are started in a neutral folder and moved to
    each notebook's folder before its first cell.

    Parameters
    ----------
    kernel_name : str, default "python3"
    size : int, default 1
        Kernels kept booting ahead.
    """

    def __init__(self, kernel_name: str = "python3", size: int = 1, cwd: str | None = None) -> None:
        self.kernel_name = kernel_name
        self.size = size
        self.cwd = cwd or os.getcwd()
        self._ready: list = []
        self.started = 0

    def _start(self):
        km = IsolatedKernelManager(kernel_name=self.kernel_name)
        run_sync(km.start_kernel)(cwd=self.cwd, extra_arguments=["--HistoryManager.hist_file=:memory:"])
        self.started += 1
        return km

    def fill(self) -> None:
        """Start kernels until ``size`` are booting or ready."""
        while len(self._ready) < self.size:
            self._ready.append(self._start())

    def take(self):
        """Return a started kernel manager (the caller owns it) and start its replacement."""
        self.fill()
        km = self._ready.pop(0)
        self.fill()
        return km

    def discard(self, km, kc=None) -> None:
        """Stop a kernel taken from the pool once its notebook is done."""
        if kc is not None:
            kc.stop_channels()
        try:
            if run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=True)
        except RuntimeError:
            pass
        run_sync(km.cleanup_resources)()

    def close(self) -> None:
        """Stop the kernels still waiting in the pool."""
        while self._ready:
            self.discard(self._ready.pop())


_POOL: KernelPool | None = None


def install_pool(pool: KernelPool | None) -> None:
    """Make :class:`SafeExecute` in this process take its kernels from ``pool`` (None: start its own)."""
    global _POOL
    _POOL = pool
