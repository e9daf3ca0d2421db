"""Route a prompt to the cheapest model that is good enough and fast enough.

The router does not know how good a model is: the caller passes quality scores,
taken from a sourced table (a benchmark or leaderboard named in the notebook).
Prices and expected latencies are filled in from the sandbox profiles or
litellm's price map when the caller leaves them out.
"""

from __future__ import annotations

import math

from course.calculators._units import cost_of_tokens, per_million
from course.llm._client import DEFAULT_MAX_TOKENS, Answer, _acall, run_sync
from course.llm._errors import BudgetExceededError, LLMError
from course.llm.servers._answers import count_tokens

EXPECTED_TOKENS_OUT = 200


class RoutingError(LLMError):
    """No candidate met the constraints, or every eligible candidate failed."""

    def __init__(self, message: str, *, attempts: list | None = None):
        self.attempts = attempts or []
        super().__init__(message)


RoutingError.__module__ = "course"  # tracebacks name the public door, as httpx does


def _known_numbers(model: str, expected_tokens_out: int) -> dict:
    """Prices ($/M) and an expected latency (s) for ``model`` when they are known."""
    prefix, _, rest = model.partition("/")
    if prefix == "sandbox":
        from course.data._profiles import load_models

        for m in load_models()[0]:
            if m.id == model:
                return {"input_usd_per_m": m.input_usd_per_m, "output_usd_per_m": m.output_usd_per_m,
                        "latency_s": m.simulated_ttft() + expected_tokens_out / m.tokens_per_s}
        return {}
    if prefix == "local":
        from course.llm._client import _price_per_token
        from course.llm._providers import resolve

        try:
            (cost_in, cost_out), estimated = _price_per_token(resolve(model))
        except LLMError:
            return {}
        if estimated:  # the server did not say: leave the price for the caller to give
            return {}
        return {"input_usd_per_m": cost_in * 1e6, "output_usd_per_m": cost_out * 1e6}
    from course.llm._litellm import import_litellm

    try:
        cost_in, cost_out = import_litellm().cost_per_token(model=model, prompt_tokens=1,
                                                            completion_tokens=1)
    except Exception:
        return {}
    return {"input_usd_per_m": per_million(cost_in, per=1), "output_usd_per_m": per_million(cost_out, per=1)}


class Router:
    """Pick the cheapest candidate meeting a quality floor and a latency limit, with fallbacks.

    Parameters
    ----------
    candidates : pandas.DataFrame, list of dict, or dict of model -> quality
        One row per model: ``model`` and ``quality`` (your scores, from a sourced
        table), optionally ``input_usd_per_m``, ``output_usd_per_m`` and ``latency_s``
        (expected seconds per call). Missing prices and latencies are filled in for
        sandbox models (profile numbers) and priced live models (litellm's map).
    min_quality : float, optional
        Skip candidates scoring below this.
    max_latency_s : float, optional
        Skip candidates expected to take longer (an unknown latency does not qualify).
    expected_tokens_out : int, default 200
        Output length used to estimate cost and latency per call.

    Examples
    --------
    >>> r = Router({"sandbox/chip/llama-3.1-8b": 60, "sandbox/frontier/gpt-4o-mini": 80},
    ...            min_quality=70)
    >>> r.plan()["model"].tolist()[0]
    'sandbox/frontier/gpt-4o-mini'
    """

    def __init__(self, candidates, *, min_quality: float | None = None,
                 max_latency_s: float | None = None, expected_tokens_out: int = EXPECTED_TOKENS_OUT):
        import pandas as pd

        if isinstance(candidates, dict):
            candidates = [{"model": m, "quality": q} for m, q in candidates.items()]
        table = pd.DataFrame(candidates).copy()
        if "model" not in table:
            raise ValueError("candidates need a 'model' column")
        if min_quality is not None and "quality" not in table:
            raise ValueError("a quality floor needs a 'quality' column: pass scores from a sourced table")
        self.candidates = table.reset_index(drop=True)
        self.min_quality = min_quality
        self.max_latency_s = max_latency_s
        self.expected_tokens_out = expected_tokens_out

    def plan(self, prompt: str | None = None):
        """Every candidate with its estimated cost, whether it qualifies and why not.

        Returns
        -------
        pandas.DataFrame
            Sorted cheapest first among the eligible ones (``eligible`` True), then
            the rest; ``reason`` says why a candidate is left out.
        """
        table = self.candidates.copy()
        for column in ("quality", "input_usd_per_m", "output_usd_per_m", "latency_s"):
            if column not in table:
                table[column] = math.nan
        table = table.astype({c: "float64" for c in
                              ("quality", "input_usd_per_m", "output_usd_per_m", "latency_s")})
        for i, model in table["model"].items():
            known = _known_numbers(model, self.expected_tokens_out)
            for column, value in known.items():
                if math.isnan(table.at[i, column]):
                    table.at[i, column] = value
        tokens_in = count_tokens(prompt) if prompt else 0
        table["est_cost_usd"] = (cost_of_tokens(tokens_in, table["input_usd_per_m"])
                                 + cost_of_tokens(self.expected_tokens_out, table["output_usd_per_m"]))
        reasons = []
        for _, row in table.iterrows():
            reason = ""
            if self.min_quality is not None and not row["quality"] >= self.min_quality:
                reason = f"quality {row['quality']:g} below {self.min_quality:g}"
            elif self.max_latency_s is not None and not row["latency_s"] <= self.max_latency_s:
                reason = ("latency unknown: add a latency_s column" if math.isnan(row["latency_s"])
                          else f"latency {row['latency_s']:.2f} s above {self.max_latency_s:g} s")
            elif math.isnan(row["est_cost_usd"]):
                reason = "price unknown: add input_usd_per_m and output_usd_per_m"
            reasons.append(reason)
        table["eligible"] = [not r for r in reasons]
        table["reason"] = reasons
        table["_quality_desc"] = -table["quality"].fillna(-math.inf)
        table = table.sort_values(["eligible", "est_cost_usd", "_quality_desc"],
                                  ascending=[False, True, True], kind="stable")
        return table.drop(columns="_quality_desc").reset_index(drop=True)

    async def aask(self, prompt, *, max_tokens: int = DEFAULT_MAX_TOKENS, timeout: float | None = None,
                   retries: int = 0, **options) -> Answer:
        """Async version of :meth:`ask`."""
        plan = self.plan(prompt if isinstance(prompt, str) else None)
        chosen = plan[plan["eligible"]]["model"].tolist()
        if not chosen:
            raise RoutingError("no candidate meets the constraints: "
                               + "; ".join(f"{m}: {r}" for m, r in zip(plan["model"], plan["reason"], strict=True)))
        attempts = []
        for model in chosen:
            try:
                answer = await _acall(model, prompt, max_tokens=max_tokens, timeout=timeout,
                                      retries=retries, **options)
            except BudgetExceededError:
                raise
            except LLMError as error:
                attempts.append({"model": model, "error": f"{type(error).__name__}: {error}"})
                continue
            attempts.append({"model": model, "error": None})
            answer.route = attempts
            return answer
        raise RoutingError("every eligible candidate failed: "
                           + "; ".join(f"{a['model']}: {a['error']}" for a in attempts), attempts=attempts)

    def ask(self, prompt, *, max_tokens: int = DEFAULT_MAX_TOKENS, timeout: float | None = None,
            retries: int = 0, **options) -> Answer:
        """Send ``prompt`` to the cheapest eligible model, falling back in cost order on errors.

        A rate limit, an outage, a timeout, a missing key or an unknown model moves on
        to the next candidate; a reached budget stops at once. ``answer.route``
        lists what was tried.

        Raises
        ------
        RoutingError
            No candidate qualifies, or all of them failed (``.attempts`` says how).
        BudgetExceededError
            The session budget refused a call.
        """
        return run_sync(self.aask(prompt, max_tokens=max_tokens, timeout=timeout, retries=retries,
                                  **options))

    def __repr__(self) -> str:
        return (f"Router({len(self.candidates)} candidates, min_quality={self.min_quality}, "
                f"max_latency_s={self.max_latency_s})")

    def _repr_html_(self) -> str:
        return f"<b>{self!r}</b>" + self.plan().to_html(index=False)


def route(prompt, candidates, *, min_quality: float | None = None, max_latency_s: float | None = None,
          **options) -> Answer:
    """One-shot routing: ``Router(candidates, ...).ask(prompt)``.

    Examples
    --------
    >>> a = route("What is a router?", {"sandbox/chip/llama-3.1-8b": 60,
    ...           "sandbox/chip/llama-3.1-70b": 75}, min_quality=70)
    >>> a.model
    'sandbox/chip/llama-3.1-70b'
    """
    expected = options.pop("expected_tokens_out", EXPECTED_TOKENS_OUT)
    return Router(candidates, min_quality=min_quality, max_latency_s=max_latency_s,
                  expected_tokens_out=expected).ask(prompt, **options)
