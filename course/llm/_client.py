"""Ask one model, or compare one prompt across several, through litellm.

Every call streams (``stream=True`` with usage), so time to first token is
measured the same way for every backend. Sandbox calls report the SIMULATED
timings of their profile (the server keeps them per response id); the wall-clock
time actually spent is kept in ``wall_s``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import html
import math
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from course._base._env import redact
from course.calculators._units import cost_of_tokens
from course.llm._budget import budget as session_budget
from course.llm._budget import conservative_prices
from course.llm._errors import (
    BudgetExceededError,
    LLMError,
    ProviderDownError,
    RateLimitedError,
    UnknownModelError,
    translate,
)
from course.llm._litellm import import_litellm
from course.llm._providers import SANDBOX_DEFAULT, Target, default_model, resolve
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
    cost_estimated: bool = False  # True: no known price, charged at conservative_prices()
    route: list = field(default_factory=list)  # filled by a Router: what was tried, in order
    #: True for the course's embedded model: it ran on this machine, so ``cost_usd`` is 0
    #: (no API price) while the hardware, power and time are yours.
    self_hosted: bool = False
    #: The embedded model's own measurements (prefill/decode seconds and tokens/s, queue
    #: wait, engine), or None for other backends.
    timings: dict | None = None

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict:
        """The fields as a plain dict (one row of :func:`compare`'s table)."""
        return asdict(self)

    def _repr_html_(self) -> str:
        badge = "<b style='color:#b35900'>SIMULATED (sandbox)</b> " if self.simulated else ""
        cost = "unknown" if math.isnan(self.cost_usd) else f"${self.cost_usd:.6f}"
        if self.cost_estimated:
            cost += " (no known price: a conservative estimate)"
        if self.self_hosted:
            cost += " (self-hosted on this machine: no API price; your hardware and power are not counted)"
        return (f"<div>{badge}<code>{html.escape(self.model)}</code> via {html.escape(self.provider)}"
                f"<blockquote>{html.escape(self.text)}</blockquote>"
                f"latency {self.latency_s:.3f} s · TTFT {self.ttft_s:.3f} s · "
                f"{self.tokens_in} tokens in, {self.tokens_out} out · {self.tokens_per_s:.1f} tokens/s · "
                f"cost {cost}</div>")


# -- prices ---------------------------------------------------------------------------
_registered: set[str] = set()
_register_lock = threading.Lock()


def _price_per_token(target: Target) -> tuple[tuple[float, float], bool]:
    """(input, output) US dollars per token, and whether that is a conservative estimate.

    Sandbox models: their catalog prices (SIMULATED). Hosted models: litellm's price
    map. ``local/`` models: nothing on your own hardware (the embedded
    ``local/smollm2-135m``, Ollama, vLLM), the prices a LiteLLM proxy reports for its models. Whatever has no known price is charged at
    :func:`course.llm._budget.conservative_prices`, never at zero.
    """
    if target.backend == "local":
        if target.free:
            return (0.0, 0.0), False
        prices = target.server_prices
        if prices is not None and all(math.isfinite(p) for p in prices):
            return prices, False
        return conservative_prices(), True
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
        return conservative_prices(), True
    try:
        cost_in, cost_out = litellm.cost_per_token(model=target.litellm_model,
                                                   prompt_tokens=1, completion_tokens=1)
    except Exception:
        return conservative_prices(), True
    return (float(cost_in), float(cost_out)), False


def _cost(prices: tuple[float, float], tokens_in: int, tokens_out: int) -> float:
    return tokens_in * prices[0] + tokens_out * prices[1]


def _prompt_tokens(target: Target, messages: list[dict]) -> int:
    """Tokens in the prompt, for the budget's hold before the call.

    The sandbox counts with its own documented rule, so that rule is used for it;
    every other model is counted with litellm's ``token_counter`` (the model's own
    tokenizer where litellm has it, else tiktoken's), which does not under-count code
    or non-English text the way a words-based rule does.
    """
    if target.backend == "sandbox":
        return count_tokens("\n".join(str(m.get("content", "")) for m in messages))
    try:
        return int(import_litellm().token_counter(model=target.litellm_model, messages=messages))
    except Exception:  # noqa: BLE001 - an unknown tokenizer falls back to tiktoken's default
        return int(import_litellm().token_counter(messages=messages))


def _text_tokens(target: Target, text: str) -> int:
    """Tokens in an answer whose provider reported no usage (counted as for :func:`_prompt_tokens`)."""
    if target.backend == "sandbox":
        return count_tokens(text)
    try:
        return int(import_litellm().token_counter(model=target.litellm_model, text=text))
    except Exception:  # noqa: BLE001
        return int(import_litellm().token_counter(text=text))


# -- one call -------------------------------------------------------------------------
def _messages(prompt, system: str | None) -> list[dict]:
    if isinstance(prompt, str):
        messages = [{"role": "user", "content": prompt}]
    else:
        messages = [dict(m) for m in prompt]
    if system:
        messages.insert(0, {"role": "system", "content": system})
    return messages


def _reported_cost(stream) -> float | None:
    """The cost a LiteLLM proxy put in ``x-litellm-response-cost``, if it did."""
    hidden = getattr(stream, "_hidden_params", None) or {}
    headers = hidden.get("additional_headers") or {}
    for name in ("llm_provider-x-litellm-response-cost", "x-litellm-response-cost"):
        value = headers.get(name)
        if value not in (None, "", "None"):
            try:
                cost = float(value)
            except (TypeError, ValueError):
                continue
            if math.isfinite(cost) and cost > 0:
                return cost
    return None


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
    tokens_in = getattr(usage, "prompt_tokens", None) or _prompt_tokens(target, messages)
    tokens_out = getattr(usage, "completion_tokens", None) or _text_tokens(target, text)
    return {"text": text, "wall": wall, "ttft": first if first is not None else wall,
            "id": response_id, "tokens_in": int(tokens_in), "tokens_out": int(tokens_out),
            "finish": finish, "reported_cost": _reported_cost(stream)}


def _retry_wait(scale: float):
    """A tenacity wait: the provider's ``Retry-After`` when it sent one, else 0.5 s, 1 s, 2 s..."""
    def wait(state) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        after = getattr(error, "retry_after_s", None)
        if after is None:
            after = 0.5 * 2 ** (state.attempt_number - 1) * scale
        return min(max(0.0, after), 10.0)
    return wait


async def _acall(model: str | None, prompt, *, system: str | None = None,
                 max_tokens: int = DEFAULT_MAX_TOKENS, timeout: float | None = None,
                 retries: int = 2) -> Answer:
    from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

    model = model or default_model()
    target = resolve(model)
    messages = _messages(prompt, system)
    prices, estimated = await asyncio.to_thread(_price_per_token, target)
    box = None
    if target.backend == "sandbox":
        from course.llm.servers._sandbox import sandbox

        box = sandbox()
    if timeout is None:
        timeout = 10.0 if box is not None else 60.0
    spend = session_budget()
    charge = box is None or spend.count_sandbox
    tokens_in = await asyncio.to_thread(_prompt_tokens, target, messages)
    held = spend.reserve(_cost(prices, tokens_in, max_tokens), model=model) if charge else 0.0
    attempt = 0
    try:
        async for trying in AsyncRetrying(
                stop=stop_after_attempt(retries + 1), reraise=True,
                retry=retry_if_exception_type((RateLimitedError, ProviderDownError)),
                wait=_retry_wait(box.time_scale if box else 1.0)):
            with trying:
                attempt = trying.retry_state.attempt_number
                try:
                    raw = await _stream_once(target, messages, max_tokens=max_tokens, timeout=timeout)
                except Exception as exc:  # noqa: BLE001 - every failure becomes a course error
                    raise translate(exc, model=model, provider=target.provider) from None
    except BaseException:  # a failure, or a cancelled (interrupted) call: nothing was spent
        if charge:
            spend.release(held)
        raise
    cost = raw["reported_cost"] or _cost(prices, raw["tokens_in"], raw["tokens_out"])
    if raw["reported_cost"]:
        estimated = False
    if charge:
        spend.settle(held, cost, estimated=estimated)
    latency, ttft = raw["wall"], raw["ttft"]
    simulated = box.timing(raw["id"]) if box is not None and raw["id"] else None
    if simulated:
        latency, ttft = simulated["latency_s"], simulated["ttft_s"]
    decode = latency - ttft
    tps = round(raw["tokens_out"] / decode, 6) if decode > 0 else math.nan
    measured = None
    if target.self_hosted and raw["id"]:
        import course.local as local

        measured = local.timing(raw["id"])
        if measured:  # the engine's own clock: queue wait + prefill, and decode tokens/s
            ttft = measured["ttft_s"]
            tps = measured["decode_tokens_per_s"]
    latency, ttft = round(latency, 6), round(ttft, 6)
    return Answer(text=raw["text"], model=model, provider=target.provider, backend=target.backend,
                  latency_s=latency, ttft_s=ttft, tokens_in=raw["tokens_in"],
                  tokens_out=raw["tokens_out"], tokens_per_s=tps, cost_usd=cost,
                  simulated=target.simulated, wall_s=raw["wall"], attempts=attempt,
                  finish_reason=raw["finish"], cost_estimated=estimated,
                  self_hosted=target.self_hosted, timings=measured)


# -- running coroutines from synchronous code, including inside Jupyter ------------------
_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def run_sync(coro):
    """Run ``coro`` to completion on the course's background event loop.

    Jupyter already runs an event loop in the main thread, so ``asyncio.run``
    cannot be used there; a loop in a worker thread works everywhere.

    Interrupting the waiting thread (Jupyter's "interrupt kernel" raises
    ``KeyboardInterrupt`` in it) cancels the call in flight: its connection is
    closed, its budget hold is freed, and nothing more is spent.
    """
    global _loop
    with _loop_lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="course-llm-loop", daemon=True).start()
    finished = threading.Event()

    async def tracked():
        try:
            return await coro
        finally:
            finished.set()

    future = asyncio.run_coroutine_threadsafe(tracked(), _loop)
    try:
        while not future.done():  # short waits, so an interrupt is noticed at once
            concurrent.futures.wait([future], timeout=0.1)
        return future.result()
    except BaseException:
        if not future.done():
            future.cancel()  # cancels the task on the loop: the HTTP stream is closed
            finished.wait(5.0)
        raise


# -- public API ------------------------------------------------------------------------
async def aask(prompt, *, model: str | None = None, system: str | None = None,
               max_tokens: int = DEFAULT_MAX_TOKENS, timeout: float | None = None,
               retries: int = 2) -> Answer:
    """Async version of :func:`ask` (``await course.aask(...)`` in a notebook)."""
    if model is not None:
        return await _acall(model, prompt, system=system, max_tokens=max_tokens, timeout=timeout,
                            retries=retries)
    chosen = default_model()
    try:
        return await _acall(chosen, prompt, system=system, max_tokens=max_tokens, timeout=timeout,
                            retries=retries)
    except (BudgetExceededError, UnknownModelError):
        raise
    except LLMError as error:
        if chosen.startswith("sandbox/"):
            raise
        reason = f"{type(error).__name__}: {error}"
        print(f"Live call to {chosen} failed ({reason}). Answering with the offline sandbox "
              f"({SANDBOX_DEFAULT}) instead: this answer is SIMULATED.", file=sys.stderr)
        answer = await _acall(SANDBOX_DEFAULT, prompt, system=system, max_tokens=max_tokens,
                              timeout=timeout, retries=retries)
        answer.route = [{"model": chosen, "error": reason}, {"model": SANDBOX_DEFAULT, "error": None}]
        return answer


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
        local server's model, else the sandbox (see ``course.models()``). When the
        default is a live model and its call fails (no network, a refused key), the
        failure is printed and the sandbox answers instead (``simulated`` is True,
        ``route`` shows both); a model named here is never replaced.
    system : str, optional
        A system message put before the prompt.
    max_tokens : int, default 256
        The most output tokens; also what the budget holds for the call.
    timeout : float, optional
        Seconds to wait for the provider (default 10 for the sandbox, 60 otherwise).
    retries : int, default 2
        Extra attempts (with tenacity) after a rate limit, waiting the provider's
        ``Retry-After``, or after a provider failure.

    Returns
    -------
    Answer
        ``text``, ``latency_s``, ``ttft_s``, ``tokens_in``, ``tokens_out``,
        ``tokens_per_s``, ``cost_usd``, ``simulated``, ... (renders in Jupyter).

    Raises
    ------
    MissingKeyError, UnknownModelError, ProviderDownError, RateLimitedError, BudgetExceededError
        All subclasses of ``LLMError``; no message contains a key.
    KeyboardInterrupt
        Interrupting the cell cancels the call in flight (nothing more is spent).

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
