"""Ask one model, or compare one prompt across several, through litellm.

Every call streams (``stream=True`` with usage), so time to first token is
measured the same way for every backend. Sandbox calls report the SIMULATED
timings of their profile (the server keeps them per response id); the wall-clock
time actually spent is kept in ``wall_s``.
"""

from __future__ import annotations

import asyncio
import html
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from course._base._env import redact
from course.calculators._units import cost_of_tokens
from course.llm._budget import budget as session_budget
from course.llm._errors import (
    LLMError,
    ProviderDownError,
    RateLimitedError,
    translate,
)
from course.llm._litellm import import_litellm
from course.llm._providers import Target, default_model, resolve
from course.llm.servers._answers import count_tokens

DEFAULT_MAX_TOKENS = 256
COLUMNS = ["model", "provider", "backend", "simulated", "latency_s", "ttft_s", "tokens_in",
           "tokens_out", "tokens_per_s", "cost_usd", "error", "text"]


@dataclass
class Answer:
    """One model's answer and what it took.

    ``latency_s`` runs from sending to the last token, ``ttft_s`` to the first one;
    ``tokens_per_s`` is output tokens over the time after the first token. For
    sandbox answers (``simulated`` is True) the timings and the cost are SIMULATED.
    """

    text: str
    model: str
    provider: str
    backend: str
    latency_s: float
    ttft_s: float
    tokens_in: int
    tokens_out: int
    tokens_per_s: float
    cost_usd: float
    simulated: bool
    wall_s: float
    attempts: int = 1
    finish_reason: str | None = None
    route: list = field(default_factory=list)  # filled by a Router: what was tried, in order

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict:
        """The fields as a plain dict (one row of :func:`compare`'s table)."""
        return asdict(self)

    def _repr_html_(self) -> str:
        badge = "<b style='color:#b35900'>SIMULATED (sandbox)</b> " if self.simulated else ""
        cost = "unknown" if math.isnan(self.cost_usd) else f"${self.cost_usd:.6f}"
        return (f"<div>{badge}<code>{html.escape(self.model)}</code> via {html.escape(self.provider)}"
                f"<blockquote>{html.escape(self.text)}</blockquote>"
                f"latency {self.latency_s:.3f} s · TTFT {self.ttft_s:.3f} s · "
                f"{self.tokens_in} tokens in, {self.tokens_out} out · {self.tokens_per_s:.1f} tokens/s · "
                f"cost {cost}</div>")


# -- prices ---------------------------------------------------------------------------
_registered: set[str] = set()
_register_lock = threading.Lock()


def _price_per_token(target: Target) -> tuple[float, float] | None:
    """(input, output) US dollars per token, or None if unknown."""
    if target.backend == "local":
        return (0.0, 0.0)
    litellm = import_litellm()
    if target.sandbox_model is not None:
        m = target.sandbox_model
        with _register_lock:
            if target.litellm_model not in _registered:
                litellm.register_model({target.litellm_model: {
                    "input_cost_per_token": cost_of_tokens(1, m.input_usd_per_m),
                    "output_cost_per_token": cost_of_tokens(1, m.output_usd_per_m),
                    "cache_read_input_token_cost": 0.0, "cache_creation_input_token_cost": 0.0,
                    "litellm_provider": "openai", "mode": "chat",
                }})
                _registered.add(target.litellm_model)
    elif target.backend == "sandbox":
        return None
    try:
        cost_in, cost_out = litellm.cost_per_token(model=target.litellm_model,
                                                   prompt_tokens=1, completion_tokens=1)
    except Exception:
        return None
    return (float(cost_in), float(cost_out))


def _cost(prices: tuple[float, float] | None, tokens_in: int, tokens_out: int) -> float:
    if prices is None:
        return math.nan
    return tokens_in * prices[0] + tokens_out * prices[1]


# -- one call -------------------------------------------------------------------------
def _messages(prompt, system: str | None) -> list[dict]:
    if isinstance(prompt, str):
        messages = [{"role": "user", "content": prompt}]
    else:
        messages = [dict(m) for m in prompt]
    if system:
        messages.insert(0, {"role": "system", "content": system})
    return messages


async def _stream_once(target: Target, messages: list[dict], *, max_tokens: int,
                       timeout: float) -> dict:
    litellm = import_litellm()
    kwargs = {"api_base": target.api_base} if target.api_base else {}
    if target.api_key:
        kwargs["api_key"] = target.api_key
    started = time.perf_counter()
    first = None
    parts: list[str] = []
    usage = None
    response_id = None
    finish = None
    stream = await litellm.acompletion(
        model=target.litellm_model, messages=messages, stream=True,
        stream_options={"include_usage": True}, max_tokens=max_tokens, timeout=timeout,
        max_retries=0, num_retries=0, **kwargs)
    async for chunk in stream:
        response_id = response_id or getattr(chunk, "id", None)
        if chunk.choices:
            choice = chunk.choices[0]
            content = getattr(choice.delta, "content", None)
            if content:
                if first is None:
                    first = time.perf_counter() - started
                parts.append(content)
            finish = getattr(choice, "finish_reason", None) or finish
        usage = getattr(chunk, "usage", None) or usage
    wall = time.perf_counter() - started
    text = "".join(parts)
    prompt_text = "\n".join(str(m.get("content", "")) for m in messages)
    tokens_in = getattr(usage, "prompt_tokens", None) or count_tokens(prompt_text)
    tokens_out = getattr(usage, "completion_tokens", None) or count_tokens(text)
    return {"text": text, "wall": wall, "ttft": first if first is not None else wall,
            "id": response_id, "tokens_in": int(tokens_in), "tokens_out": int(tokens_out),
            "finish": finish}


async def _acall(model: str | None, prompt, *, system: str | None = None,
                 max_tokens: int = DEFAULT_MAX_TOKENS, timeout: float | None = None,
                 retries: int = 2) -> Answer:
    model = model or default_model()
    target = resolve(model)
    messages = _messages(prompt, system)
    prices = await asyncio.to_thread(_price_per_token, target) if target.backend != "local" else (0.0, 0.0)
    box = None
    if target.backend == "sandbox":
        from course.llm.servers._sandbox import sandbox

        box = sandbox()
    if timeout is None:
        timeout = 10.0 if box is not None else 60.0
    spend = session_budget()
    charge = box is None or spend.count_sandbox
    estimate = _cost(prices, count_tokens("\n".join(str(m.get("content", "")) for m in messages)),
                     max_tokens)
    held = spend.reserve(estimate, model=model) if charge else 0.0
    attempt = 0
    try:
        while True:
            attempt += 1
            try:
                raw = await _stream_once(target, messages, max_tokens=max_tokens, timeout=timeout)
                break
            except Exception as exc:  # noqa: BLE001 - every failure becomes a course error
                error = translate(exc, model=model, provider=target.provider)
                if attempt > retries or not isinstance(error, (RateLimitedError, ProviderDownError)):
                    raise error from None
                wait = getattr(error, "retry_after_s", None)
                if wait is None:
                    wait = 0.5 * 2 ** (attempt - 1) * (box.time_scale if box else 1.0)
                await asyncio.sleep(min(wait, 10.0))
    except BaseException:
        if charge:
            spend.release(held)
        raise
    cost = _cost(prices, raw["tokens_in"], raw["tokens_out"])
    if charge:
        spend.settle(held, cost)
    latency, ttft = raw["wall"], raw["ttft"]
    simulated = box.timing(raw["id"]) if box is not None and raw["id"] else None
    if simulated:
        latency, ttft = simulated["latency_s"], simulated["ttft_s"]
    decode = latency - ttft
    tps = round(raw["tokens_out"] / decode, 6) if decode > 0 else math.nan
    latency, ttft = round(latency, 6), round(ttft, 6)
    return Answer(text=raw["text"], model=model, provider=target.provider, backend=target.backend,
                  latency_s=latency, ttft_s=ttft, tokens_in=raw["tokens_in"],
                  tokens_out=raw["tokens_out"], tokens_per_s=tps, cost_usd=cost,
                  simulated=target.simulated, wall_s=raw["wall"], attempts=attempt,
                  finish_reason=raw["finish"])


# -- running coroutines from synchronous code, including inside Jupyter ------------------
_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def run_sync(coro):
    """Run ``coro`` to completion on the course's background event loop.

    Jupyter already runs an event loop in the main thread, so ``asyncio.run``
    cannot be used there; a loop in a worker thread works everywhere.
    """
    global _loop
    with _loop_lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="course-llm-loop", daemon=True).start()
    return asyncio.run_coroutine_threadsafe(coro, _loop).result()


# -- public API ------------------------------------------------------------------------
async def aask(prompt, *, model: str | None = None, system: str | None = None,
               max_tokens: int = DEFAULT_MAX_TOKENS, timeout: float | None = None,
               retries: int = 2) -> Answer:
    """Async version of :func:`ask` (``await course.aask(...)`` in a notebook)."""
    return await _acall(model, prompt, system=system, max_tokens=max_tokens, timeout=timeout,
                        retries=retries)


def ask(prompt, *, model: str | None = None, system: str | None = None,
        max_tokens: int = DEFAULT_MAX_TOKENS, timeout: float | None = None,
        retries: int = 2) -> Answer:
    """Ask one model one question.

    Parameters
    ----------
    prompt : str or list of dict
        The question, or chat messages (``{"role": ..., "content": ...}``).
    model : str, optional
        ``provider/model`` as litellm writes it, ``sandbox/<profile>/<model>`` or
        ``local/<model>``. Default: a cheap model of a provider with a key, else a
        local server's model, else the sandbox (see ``course.models()``).
    system : str, optional
        A system message put before the prompt.
    max_tokens : int, default 256
        The most output tokens; also what the budget holds for the call.
    timeout : float, optional
        Seconds to wait for the provider (default 10 for the sandbox, 60 otherwise).
    retries : int, default 2
        Extra attempts after a rate limit (waiting ``Retry-After``) or a provider failure.

    Returns
    -------
    Answer
        ``text``, ``latency_s``, ``ttft_s``, ``tokens_in``, ``tokens_out``,
        ``tokens_per_s``, ``cost_usd``, ``simulated``, ... (renders in Jupyter).

    Raises
    ------
    MissingKeyError, UnknownModelError, ProviderDownError, RateLimitedError, BudgetExceededError
        All subclasses of ``LLMError``; no message contains a key.

    Examples
    --------
    >>> a = ask("What is a token?", model="sandbox/chip/llama-3.1-8b")
    >>> a.text[:34]
    '[sandbox] A token is a piece of te'
    >>> a.simulated, a.tokens_per_s
    (True, 1800.0)
    """
    return run_sync(aask(prompt, model=model, system=system, max_tokens=max_tokens,
                         timeout=timeout, retries=retries))


def _row(model: str, outcome) -> dict:
    if isinstance(outcome, Answer):
        row = outcome.to_dict()
        row["error"] = None
        return {k: row.get(k) for k in COLUMNS}
    if isinstance(outcome, LLMError):
        message = f"{type(outcome).__name__}: {outcome}"
    else:
        message = f"{type(outcome).__name__}: {redact(str(outcome))}"
    return {"model": model, "provider": None, "backend": None,
            "simulated": model.startswith("sandbox/"), "latency_s": math.nan, "ttft_s": math.nan,
            "tokens_in": None, "tokens_out": None, "tokens_per_s": math.nan, "cost_usd": math.nan,
            "error": message, "text": None}


async def acompare(prompt, models: Sequence[str], *, system: str | None = None,
                   max_tokens: int = DEFAULT_MAX_TOKENS, timeout: float | None = None,
                   retries: int = 2):
    """Async version of :func:`compare` (``await course.acompare(...)`` in a notebook)."""
    import pandas as pd

    models = [models] if isinstance(models, str) else list(models)
    outcomes = await asyncio.gather(
        *(_acall(m, prompt, system=system, max_tokens=max_tokens, timeout=timeout, retries=retries)
          for m in models),
        return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
            raise outcome
    frame = pd.DataFrame([_row(m, o) for m, o in zip(models, outcomes, strict=True)], columns=COLUMNS)
    for column in ("tokens_in", "tokens_out"):
        frame[column] = frame[column].astype("Int64")
    return frame


def compare(prompt, models: Sequence[str], *, system: str | None = None,
            max_tokens: int = DEFAULT_MAX_TOKENS, timeout: float | None = None,
            retries: int = 2):
    """Send one prompt to several models at once and tabulate what happened.

    The calls run concurrently (litellm's ``acompletion`` under ``asyncio.gather``),
    so the whole comparison takes about as long as the slowest model. A failed call
    keeps its row, with the reason in ``error``; the other rows are unaffected.

    Parameters
    ----------
    prompt : str or list of dict
    models : list of str
        Model names as for :func:`ask`.
    system, max_tokens, timeout, retries
        As for :func:`ask`, applied to every call.

    Returns
    -------
    pandas.DataFrame
        One row per model, in the order given: ``model, provider, backend, simulated,
        latency_s, ttft_s, tokens_in, tokens_out, tokens_per_s, cost_usd, error, text``.

    Examples
    --------
    >>> df = compare("What is latency?", ["sandbox/chip/llama-3.1-8b", "sandbox/nowhere/x"])
    >>> df["error"].isna().tolist()
    [True, False]
    """
    return run_sync(acompare(prompt, models, system=system, max_tokens=max_tokens,
                             timeout=timeout, retries=retries))
