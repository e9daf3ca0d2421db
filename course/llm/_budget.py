"""A spending budget per session: refuse calls that could go past it.

Before a call, the budget *reserves* the most the call can cost (its prompt at the
input price plus ``max_tokens`` at the output price). After the call it charges
the actual cost and frees the rest. A call that does not fit is refused before
anything is sent. Sandbox calls cost simulated money at catalog prices and count
too (switch that off with ``count_sandbox=False``).
"""

from __future__ import annotations

import math
import threading

from course.llm._errors import BudgetExceededError

DEFAULT_LIMIT_USD = 0.50

#: An unpriced model is charged as if it cost what this model costs in litellm's bundled
#: price map (a frontier-class list price), so an unknown price is never free.
UNPRICED_REFERENCE_MODEL = "gpt-4o"


def conservative_prices() -> tuple[float, float]:
    """(input, output) US dollars per token charged for a model with no known price.

    The list price of :data:`UNPRICED_REFERENCE_MODEL` in litellm's bundled price map
    (the map, not a number of ours: it changes with the pinned litellm version).

    Examples
    --------
    >>> cin, cout = conservative_prices()
    >>> cin > 0 and cout > cin
    True
    """
    from course.llm._litellm import import_litellm

    entry = import_litellm().model_cost[UNPRICED_REFERENCE_MODEL]
    return float(entry["input_cost_per_token"]), float(entry["output_cost_per_token"])


class Budget:
    """Money a session may spend on model calls, in US dollars.

    Parameters
    ----------
    limit_usd : float, default 0.50
    count_sandbox : bool, default True
        Charge sandbox calls (SIMULATED prices) against the budget too.

    Examples
    --------
    >>> b = Budget(0.01)
    >>> hold = b.reserve(0.004, model="m")
    >>> b.settle(hold, 0.003)
    >>> round(b.remaining_usd, 6)
    0.007
    >>> b.reserve(0.02, model="m")
    Traceback (most recent call last):
    ...
    course.BudgetExceededError: budget reached: this session has spent $0.003000 of its $0.01 budget, and a call to 'm' could cost up to $0.020000. Raise the limit with course.budget(limit_usd=...) or start over with course.budget(reset=True).
    """

    def __init__(self, limit_usd: float = DEFAULT_LIMIT_USD, *, count_sandbox: bool = True):
        self.limit_usd = float(limit_usd)
        self.count_sandbox = count_sandbox
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget all spending (the limit stays)."""
        self.spent_usd = 0.0
        self.reserved_usd = 0.0
        self.calls = 0
        self.refused = 0
        self.unpriced_calls = 0  # calls charged at conservative_prices(): their real price is unknown

    @property
    def remaining_usd(self) -> float:
        """What can still be spent (the limit minus spent and reserved money)."""
        return self.limit_usd - self.spent_usd - self.reserved_usd

    def reserve(self, estimate_usd: float, *, model: str) -> float:
        """Hold ``estimate_usd`` for a call, or refuse it. Returns the amount held."""
        estimate = 0.0 if not math.isfinite(estimate_usd) else max(0.0, estimate_usd)
        with self._lock:
            if self.spent_usd + self.reserved_usd + estimate > self.limit_usd or (
                    self.spent_usd >= self.limit_usd):
                self.refused += 1
                raise BudgetExceededError(
                    f"budget reached: this session has spent ${self.spent_usd:.6f} of its "
                    f"${self.limit_usd:g} budget, and a call to {model!r} could cost up to "
                    f"${estimate:.6f}. Raise the limit with course.budget(limit_usd=...) or "
                    "start over with course.budget(reset=True).", model=model)
            self.reserved_usd += estimate
            return estimate

    def settle(self, held: float, cost_usd: float | None, *, estimated: bool = False) -> None:
        """Free the hold and charge ``cost_usd``.

        ``estimated`` marks a cost worked out at :func:`conservative_prices` because
        the model's price is unknown; None or NaN (no estimate at all) charges the
        whole hold, so an unpriced call is never free.
        """
        with self._lock:
            self.reserved_usd = max(0.0, self.reserved_usd - held)
            self.calls += 1
            if cost_usd is None or not math.isfinite(cost_usd):
                self.unpriced_calls += 1
                self.spent_usd += held
            else:
                self.unpriced_calls += int(estimated)
                self.spent_usd += cost_usd

    def release(self, held: float) -> None:
        """Free the hold of a call that failed (failed calls cost nothing)."""
        with self._lock:
            self.reserved_usd = max(0.0, self.reserved_usd - held)

    def __repr__(self) -> str:
        return (f"Budget(spent=${self.spent_usd:.6f} of ${self.limit_usd:g}, "
                f"{self.calls} calls, {self.refused} refused)")

    def _repr_html_(self) -> str:
        share = 0 if self.limit_usd <= 0 else min(1.0, self.spent_usd / self.limit_usd)
        note = " (sandbox calls count, at SIMULATED prices)" if self.count_sandbox else ""
        unpriced = (f"; {self.unpriced_calls} calls had no known price and were charged at "
                    f"{UNPRICED_REFERENCE_MODEL}'s list price" if self.unpriced_calls else "")
        return (f"<b>Session budget</b>: spent ${self.spent_usd:.6f} of ${self.limit_usd:g} "
                f"({share:.0%}){note}; {self.calls} calls, {self.refused} refused{unpriced}.")


_session = Budget()


def budget(limit_usd: float | None = None, *, count_sandbox: bool | None = None,
           reset: bool = False) -> Budget:
    """Show or change this session's spending budget.

    Parameters
    ----------
    limit_usd : float, optional
        A new limit in US dollars (default limit: $0.50).
    count_sandbox : bool, optional
        Whether sandbox calls (SIMULATED prices) count against the budget.
    reset : bool, default False
        Forget what was spent so far.

    Returns
    -------
    Budget
        The session's budget (it renders itself in Jupyter).

    Examples
    --------
    >>> b = budget(limit_usd=0.50, reset=True)
    >>> b.spent_usd
    0.0
    """
    if limit_usd is not None:
        if limit_usd < 0:
            raise ValueError("a budget is a non-negative number of US dollars")
        _session.limit_usd = float(limit_usd)
    if count_sandbox is not None:
        _session.count_sandbox = count_sandbox
    if reset:
        _session.reset()
    return _session
