"""Calculators for module 08, strategy: call an API or self-host an open-weight model?

Pure functions. Self-hosting is modelled as renting GPUs by the hour:

- a GPU serves at most ``tokens_per_s_per_gpu`` tokens a second (its sustained throughput with
  batching, measured on your own workload) and on average does ``utilisation`` of that, because
  traffic is not flat;
- the smallest set of GPUs that holds the model (``min_gpus``) runs all month; above that, GPU-hours
  grow with the volume (hourly billing lets you add and remove GPUs as load changes);
- engineering and operations cost ``overhead_monthly_usd`` a month whatever the volume.

An API costs its price per million tokens times the volume. So self-hosting has a fixed cost and a
lower cost per token, and there is one monthly volume above which it is the cheaper option, unless
the GPUs cost more per token than the API even when busy.

Conventions
-----------
- Prices in US dollars per million tokens ("$/M"); one blended price per option (mix input and
  output prices yourself, e.g. the 3:1 blend of :func:`blended_price`).
- A month is 730 hours (24 x 365 / 12, the figure cloud providers bill by).
- GPU prices and throughputs are **assumptions**: enter your own quote and your own benchmark.
  The course does not ship a GPU price as a fact.
"""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass

import pandas as pd

from course._base._validators import fraction, non_negative, positive, whole
from course.calculators._cost_collapse import _decline, project_price
from course.calculators._units import cost_of_tokens

__all__ = [
    "HOURS_PER_MONTH",
    "SelfHostCost",
    "api_monthly_cost",
    "blended_price",
    "breakeven_over_time",
    "breakeven_tokens",
    "cost_curves",
    "self_host_cost",
    "self_host_sensitivity",
    "tensor_parallel_gpus",
    "wilson_interval",
]

HOURS_PER_MONTH = 730
SECONDS_PER_HOUR = 3_600


# --------------------------------------------------------------------------- API side


def blended_price(input_usd_per_m: float, output_usd_per_m: float, *, input_share: float = 0.75) -> float:
    """Return one price per million tokens from an input and an output price.

    Parameters
    ----------
    input_usd_per_m, output_usd_per_m : float
        List prices in dollars per million tokens.
    input_share : float, default 0.75
        The share of tokens that are input. The default is the AI Index's 3:1 blend.

    Returns
    -------
    float
        ``input_share * input + (1 - input_share) * output``.

    Examples
    --------
    Gemini 1.5 Flash-8B at its list prices (``price_history``: Google's pricing page, 2024-10),
    $0.0375 in and $0.15 out; the AI Index 2025 rounds the blend to $0.07.

    >>> round(blended_price(0.0375, 0.15), 6)
    0.065625
    """
    share = non_negative("input_share", input_share)
    if share > 1:
        raise ValueError(f"input_share is a fraction between 0 and 1, got {input_share!r}")
    return share * non_negative("input_usd_per_m", input_usd_per_m) + (1 - share) * non_negative(
        "output_usd_per_m", output_usd_per_m
    )


def api_monthly_cost(
    requests_per_month: float,
    *,
    tokens_in: float,
    tokens_out: float,
    input_usd_per_m: float,
    output_usd_per_m: float,
) -> float:
    """Return a month's API bill for a workload of similar requests, in dollars.

    Examples
    --------
    A million requests of 1,500 tokens in and 300 out at $0.15 / $0.60 per million:

    >>> round(api_monthly_cost(1_000_000, tokens_in=1_500, tokens_out=300,
    ...                        input_usd_per_m=0.15, output_usd_per_m=0.60), 2)
    405.0
    """
    requests = non_negative("requests_per_month", requests_per_month)
    cost_in = cost_of_tokens(non_negative("tokens_in", tokens_in), non_negative("input_usd_per_m", input_usd_per_m))
    cost_out = cost_of_tokens(non_negative("tokens_out", tokens_out),
                              non_negative("output_usd_per_m", output_usd_per_m))
    return requests * (cost_in + cost_out)


# --------------------------------------------------------------------------- self-hosting


@dataclass(frozen=True)
class SelfHostCost:
    """A month of self-hosting at one volume (see :func:`self_host_cost`)."""

    monthly_tokens: float
    gpus: float  # average GPUs running over the month (at least min_gpus)
    gpu_hours: float
    gpu_usd: float
    overhead_usd: float
    total_usd: float
    usd_per_m: float  # total cost per million tokens served (inf when nothing is served)
    capacity_tokens: float  # tokens those GPU-hours can serve at the assumed utilisation

    def to_dict(self) -> dict:
        return asdict(self)

    def _repr_html_(self) -> str:
        per_m = "n/a" if math.isinf(self.usd_per_m) else f"${self.usd_per_m:,.4f}"
        return (
            "<div><b>Self-hosting, one month</b> (GPU price and throughput are <i>assumptions</i>)"
            f"<br>{self.monthly_tokens:,.0f} tokens on {self.gpus:,.2f} GPUs on average "
            f"({self.gpu_hours:,.0f} GPU-hours)"
            f"<br>GPUs ${self.gpu_usd:,.2f} + overhead ${self.overhead_usd:,.2f} = "
            f"<b>${self.total_usd:,.2f}</b>, or {html.escape(per_m)} per million tokens</div>"
        )


def _gpu_capacity(tokens_per_s_per_gpu: float, utilisation: float) -> float:
    """Tokens one GPU serves in a month at the given utilisation."""
    return (
        positive("tokens_per_s_per_gpu", tokens_per_s_per_gpu)
        * fraction("utilisation", utilisation)
        * SECONDS_PER_HOUR
        * HOURS_PER_MONTH
    )


def self_host_cost(
    monthly_tokens: float,
    *,
    gpu_hourly_usd: float,
    tokens_per_s_per_gpu: float | None = None,
    utilisation: float = 0.5,
    min_gpus: int = 1,
    overhead_monthly_usd: float = 0.0,
    whole_replicas: bool = False,
    replica_tokens_per_s: float | None = None,
) -> SelfHostCost:
    """Return what serving ``monthly_tokens`` a month on rented GPUs costs.

    GPU-hours = ``max(min_gpus * 730, monthly_tokens / (tokens_per_s_per_gpu * utilisation * 3600))``;
    the month costs GPU-hours times ``gpu_hourly_usd`` plus ``overhead_monthly_usd``.

    Parameters
    ----------
    monthly_tokens : float
        Tokens served a month (input and output together).
    gpu_hourly_usd : float
        What one GPU costs per hour. An **assumption**: use your own quote.
    tokens_per_s_per_gpu : float
        Sustained tokens per second one GPU serves for this model with batching. An **assumption**:
        measure it on your own workload.
    utilisation : float, default 0.5
        Average fraction of that throughput actually used (0 to 1).
    min_gpus : int, default 1
        GPUs needed to hold one copy of the model; they run all month.
    overhead_monthly_usd : float, default 0.0
        Engineering and operations per month (people, monitoring), in dollars.
    whole_replicas : bool, default False
        Grow capacity in whole model replicas of ``min_gpus`` GPUs each (as a real deployment
        does: a replica serves requests only when it holds the whole model), rather than in
        fractions of a GPU.
    replica_tokens_per_s : float, optional
        A throughput you **measured** for one whole replica (for example the tokens per second of
        the local model on your machine), instead of ``tokens_per_s_per_gpu``; each GPU of the
        replica is then credited ``replica_tokens_per_s / min_gpus``. Give one of the two.

    Returns
    -------
    SelfHostCost
        ``gpus``, ``gpu_hours``, ``gpu_usd``, ``overhead_usd``, ``total_usd``, ``usd_per_m``
        (dollars per million tokens) and ``capacity_tokens``.

    Raises
    ------
    ValueError
        If an amount is negative, a rate is not positive, ``utilisation`` is above 1 or
        ``min_gpus`` is not a positive whole number.

    Examples
    --------
    Assumptions for illustration only: $2 per GPU-hour, 1,000 tokens/s, 50% utilisation.
    One GPU then serves 1,314 million tokens a month for $1,460.

    >>> c = self_host_cost(1_314_000_000, gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000)
    >>> round(c.gpus, 6), round(c.total_usd, 2), round(c.usd_per_m, 4)
    (1.0, 1460.0, 1.1111)
    >>> round(self_host_cost(100_000_000, gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000).usd_per_m, 2)
    14.6

    In whole replicas of 4 GPUs, 1.5 replicas' worth of traffic needs 2 replicas (8 GPUs):

    >>> self_host_cost(1.5 * 4 * 1_314_000_000, gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000,
    ...                min_gpus=4, whole_replicas=True).gpus
    8.0

    A measured 40 tokens/s for one single-GPU replica, busy half the time, serves 52.56 million
    tokens a month, so 100 million need two replicas:

    >>> self_host_cost(100_000_000, gpu_hourly_usd=0.5, replica_tokens_per_s=40, whole_replicas=True).gpus
    2.0
    """
    tokens = non_negative("monthly_tokens", monthly_tokens)
    hourly = non_negative("gpu_hourly_usd", gpu_hourly_usd)
    overhead = non_negative("overhead_monthly_usd", overhead_monthly_usd)
    floor = whole("min_gpus", min_gpus)
    if (tokens_per_s_per_gpu is None) == (replica_tokens_per_s is None):
        raise ValueError("give one of tokens_per_s_per_gpu and replica_tokens_per_s")
    if replica_tokens_per_s is not None:
        tokens_per_s_per_gpu = positive("replica_tokens_per_s", replica_tokens_per_s) / floor
    per_gpu = _gpu_capacity(tokens_per_s_per_gpu, utilisation)
    if whole_replicas:
        gpus = float(floor * max(1, math.ceil(tokens / (floor * per_gpu))))
    else:
        gpus = max(float(floor), tokens / per_gpu)
    gpu_hours = gpus * HOURS_PER_MONTH
    gpu_usd = gpu_hours * hourly
    total = gpu_usd + overhead
    per_m = total / (tokens / 1_000_000) if tokens > 0 else math.inf
    return SelfHostCost(
        monthly_tokens=tokens,
        gpus=gpus,
        gpu_hours=gpu_hours,
        gpu_usd=gpu_usd,
        overhead_usd=overhead,
        total_usd=total,
        usd_per_m=per_m,
        capacity_tokens=gpus * per_gpu,
    )


def breakeven_tokens(
    api_usd_per_m: float,
    *,
    gpu_hourly_usd: float,
    tokens_per_s_per_gpu: float,
    utilisation: float = 0.5,
    min_gpus: int = 1,
    overhead_monthly_usd: float = 0.0,
) -> float | None:
    """Return the monthly volume above which self-hosting costs no more than the API.

    Below the volume ``min_gpus`` can serve, self-hosting costs a fixed
    ``F = min_gpus * 730 * gpu_hourly_usd + overhead``, so it breaks even at ``F / api price``
    if that volume fits on ``min_gpus``. Above it, each token costs
    ``g = gpu_hourly_usd / (tokens_per_s_per_gpu * utilisation * 3600)`` on the GPUs, and the break-even
    is ``overhead / (api price per token - g)``. If the busy GPUs cost as much per token as the API or
    more, self-hosting never wins and the answer is None. Past the break-even, self-hosting stays cheaper.

    Parameters
    ----------
    api_usd_per_m : float
        The API's (blended) price in dollars per million tokens.
    gpu_hourly_usd, tokens_per_s_per_gpu, utilisation, min_gpus, overhead_monthly_usd
        As for :func:`self_host_cost` (GPU price and throughput are assumptions).

    Returns
    -------
    float or None
        Tokens a month, or None when self-hosting is never cheaper.

    Raises
    ------
    ValueError
        As for :func:`self_host_cost`, or if the API price is not positive.

    Examples
    --------
    With the assumptions of :func:`self_host_cost`'s example and an API at $2/M, one GPU ($1,460 a
    month) breaks even at 730 million tokens a month:

    >>> breakeven_tokens(2.0, gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000)
    730000000.0
    >>> breakeven_tokens(1.0, gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000) is None  # GPU costs $1.11/M
    True
    """
    price = cost_of_tokens(1, positive("api_usd_per_m", api_usd_per_m))  # dollars per token
    hourly = non_negative("gpu_hourly_usd", gpu_hourly_usd)
    overhead = non_negative("overhead_monthly_usd", overhead_monthly_usd)
    floor = whole("min_gpus", min_gpus)
    per_gpu = _gpu_capacity(tokens_per_s_per_gpu, utilisation)
    fixed = floor * HOURS_PER_MONTH * hourly + overhead
    first = fixed / price
    if first <= floor * per_gpu * (1 + 1e-12):
        return first
    gpu_per_token = hourly * HOURS_PER_MONTH / per_gpu
    margin = price - gpu_per_token
    if margin <= 0:
        return None
    return overhead / margin


def cost_curves(
    monthly_tokens,
    *,
    api_usd_per_m: float,
    gpu_hourly_usd: float,
    tokens_per_s_per_gpu: float,
    utilisation: float = 0.5,
    min_gpus: int = 1,
    overhead_monthly_usd: float = 0.0,
) -> pd.DataFrame:
    """Return the monthly cost of the API and of self-hosting at several volumes.

    Returns
    -------
    pandas.DataFrame
        One row per volume: ``monthly_tokens``, ``api_usd``, ``self_host_usd``, ``gpus`` and
        ``cheaper`` (``"api"`` or ``"self-host"``; a tie counts as ``"self-host"``).

    Examples
    --------
    >>> df = cost_curves([1e8, 1e9], api_usd_per_m=2.0, gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000)
    >>> df["cheaper"].tolist()
    ['api', 'self-host']
    """
    price = positive("api_usd_per_m", api_usd_per_m)
    rows = []
    for tokens in list(monthly_tokens):
        own = self_host_cost(
            tokens,
            gpu_hourly_usd=gpu_hourly_usd,
            tokens_per_s_per_gpu=tokens_per_s_per_gpu,
            utilisation=utilisation,
            min_gpus=min_gpus,
            overhead_monthly_usd=overhead_monthly_usd,
        )
        api = cost_of_tokens(own.monthly_tokens, price)
        rows.append(
            {
                "monthly_tokens": own.monthly_tokens,
                "api_usd": api,
                "self_host_usd": own.total_usd,
                "gpus": own.gpus,
                "cheaper": "self-host" if own.total_usd <= api else "api",
            }
        )
    return pd.DataFrame(rows, columns=["monthly_tokens", "api_usd", "self_host_usd", "gpus", "cheaper"])


def breakeven_over_time(
    api_usd_per_m: float,
    *,
    annual_decline: float,
    gpu_hourly_usd: float,
    tokens_per_s_per_gpu: float,
    utilisation: float = 0.5,
    min_gpus: int = 1,
    overhead_monthly_usd: float = 0.0,
    gpu_annual_decline: float = 0.0,
    months: int = 37,
) -> pd.DataFrame:
    """Return how the break-even volume moves as API prices (and, optionally, GPU prices) fall.

    Both prices are projected with :func:`course.project_price`; throughput, utilisation and overhead
    stay as given.

    Parameters
    ----------
    api_usd_per_m : float
        Today's API price, dollars per million tokens.
    annual_decline : float
        Fraction of the API price lost per year (0.9 for 10x a year).
    gpu_hourly_usd, tokens_per_s_per_gpu, utilisation, min_gpus, overhead_monthly_usd
        As for :func:`breakeven_tokens` (assumptions).
    gpu_annual_decline : float, default 0.0
        Fraction of the GPU hourly price lost per year. The AI Index 2025 (ch. 1) reports that ML
        hardware cost at fixed performance falls about 30% a year; rental prices need not follow.
    months : int, default 37
        Rows for months 0 to ``months - 1``.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``api_usd_per_m``, ``gpu_hourly_usd`` and ``breakeven_tokens`` (NaN when
        self-hosting is never cheaper that month).

    Examples
    --------
    At 10x a year, after 12 months the API costs $0.20/M and one GPU at $2/h no longer breaks even:

    >>> df = breakeven_over_time(2.0, annual_decline=0.9, gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000)
    >>> round(df.loc[0, "breakeven_tokens"] / 1e6), bool(df.loc[12, "breakeven_tokens"] > 0)
    (730, False)
    """
    rate = _decline(annual_decline)
    gpu_rate = _decline(gpu_annual_decline)
    count = whole("months", months)
    rows = []
    for month in range(count):
        api = project_price(api_usd_per_m, annual_decline=rate, months=month)
        gpu = project_price(gpu_hourly_usd, annual_decline=gpu_rate, months=month)
        volume = breakeven_tokens(
            api,
            gpu_hourly_usd=gpu,
            tokens_per_s_per_gpu=tokens_per_s_per_gpu,
            utilisation=utilisation,
            min_gpus=min_gpus,
            overhead_monthly_usd=overhead_monthly_usd,
        )
        rows.append(
            {
                "month": month,
                "api_usd_per_m": api,
                "gpu_hourly_usd": gpu,
                "breakeven_tokens": math.nan if volume is None else volume,
            }
        )
    return pd.DataFrame(rows, columns=["month", "api_usd_per_m", "gpu_hourly_usd", "breakeven_tokens"])


def tensor_parallel_gpus(memory_gb: float, *, gpu_memory_gb: float, attention_heads: int) -> int:
    """Return the fewest GPUs that hold one copy of a model split by tensor parallelism.

    Tensor parallelism gives each GPU the same number of attention heads, so the number of GPUs
    must divide ``attention_heads``. The answer is the smallest divisor of ``attention_heads`` that
    is at least ``ceil(memory_gb / gpu_memory_gb)``. (Serving engines such as vLLM refuse a
    tensor-parallel size that does not divide the head count.)

    Parameters
    ----------
    memory_gb : float
        Memory one copy needs (weights plus KV cache and activations), e.g. from
        :func:`course.model_memory_gb`.
    gpu_memory_gb : float
        Memory of one GPU.
    attention_heads : int
        The model's number of attention heads (``num_attention_heads`` in its ``config.json``).

    Returns
    -------
    int
        GPUs per model replica.

    Raises
    ------
    ValueError
        If an input is not positive, or the model does not fit even with one head per GPU.

    Examples
    --------
    >>> tensor_parallel_gpus(168, gpu_memory_gb=80, attention_heads=64)  # 3 would leave 64/3 heads
    4
    >>> tensor_parallel_gpus(19.2, gpu_memory_gb=80, attention_heads=32)
    1
    """
    heads = whole("attention_heads", attention_heads)
    at_least = math.ceil(positive("memory_gb", memory_gb) / positive("gpu_memory_gb", gpu_memory_gb))
    for gpus in range(at_least, heads + 1):
        if heads % gpus == 0:
            return gpus
    raise ValueError(f"{memory_gb} GB does not fit on {heads} GPUs of {gpu_memory_gb} GB")


def wilson_interval(correct: int, total: int, *, z: float = 1.96) -> tuple[float, float]:
    """Return the Wilson score interval for an accuracy of ``correct`` out of ``total``.

    Unlike ``p +/- z * sqrt(p(1-p)/n)`` it stays inside 0 to 1 and is honest for small ``total``,
    such as an evaluation on 15 tasks. ``z=1.96`` gives a 95% interval.

    Parameters
    ----------
    correct : int
        Tasks answered correctly (0 to ``total``).
    total : int
        Tasks in the evaluation (at least 1).
    z : float, default 1.96
        Standard normal quantile of the confidence level.

    Returns
    -------
    tuple of float
        ``(low, high)``, fractions between 0 and 1.

    Examples
    --------
    >>> low, high = wilson_interval(14, 15)
    >>> round(low, 3), round(high, 3)
    (0.702, 0.988)
    >>> wilson_interval(0, 15)[0]
    0.0
    """
    n = whole("total", total)
    k = int(correct)
    if isinstance(correct, bool) or k != correct or not 0 <= k <= n:
        raise ValueError(f"correct must be a whole number from 0 to total ({n}), got {correct!r}")
    z = positive("z", z)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


SENSITIVITY_INPUTS = ("api_usd_per_m", "gpu_hourly_usd", "tokens_per_s_per_gpu", "utilisation",
                      "overhead_monthly_usd", "monthly_tokens")


def self_host_sensitivity(
    monthly_tokens: float,
    *,
    api_usd_per_m: float,
    factors: tuple[float, float] = (0.5, 2.0),
    **self_host_options,
) -> pd.DataFrame:
    """Return which assumption, moved on its own, flips the API-or-self-host decision.

    Each input of :data:`SENSITIVITY_INPUTS` is multiplied by each factor in turn (``utilisation`` is
    capped at 1), the others held at their base values, and the monthly saving of self-hosting
    (API cost minus self-hosting cost, from :func:`self_host_cost`) recomputed. A row ``flips``
    when a factor changes the sign of the saving, i.e. the decision.

    Parameters
    ----------
    monthly_tokens : float
        The base workload, tokens a month.
    api_usd_per_m : float
        The base API price, dollars per million tokens.
    factors : tuple of float, default (0.5, 2.0)
        The low and high multipliers applied to each input.
    **self_host_options
        The other keywords of :func:`self_host_cost` (``gpu_hourly_usd``, ``tokens_per_s_per_gpu``,
        ``utilisation``, ``min_gpus``, ``overhead_monthly_usd``, ``whole_replicas``).

    Returns
    -------
    pandas.DataFrame
        One row per input: ``input``, ``base``, ``low``, ``high``, ``saving_low_usd``,
        ``saving_high_usd``, ``base_saving_usd``, ``flips`` (bool); sorted by the swing, largest first.

    Examples
    --------
    >>> t = self_host_sensitivity(3e9, api_usd_per_m=4.0, gpu_hourly_usd=2.5, tokens_per_s_per_gpu=1_500,
    ...                           utilisation=0.4, min_gpus=4, overhead_monthly_usd=6_000)
    >>> t.loc[~t["flips"], "input"].tolist()  # one replica has room to spare at this volume
    ['tokens_per_s_per_gpu', 'utilisation']
    """
    low_factor, high_factor = (positive("factor", f) for f in factors)
    base = {"monthly_tokens": non_negative("monthly_tokens", monthly_tokens),
            "api_usd_per_m": non_negative("api_usd_per_m", api_usd_per_m),
            "utilisation": 0.5, "overhead_monthly_usd": 0.0, **self_host_options}

    def saving(values: dict) -> float:
        options = {k: v for k, v in values.items() if k not in ("monthly_tokens", "api_usd_per_m")}
        own = self_host_cost(values["monthly_tokens"], **options).total_usd
        return values["monthly_tokens"] / 1_000_000 * values["api_usd_per_m"] - own

    base_saving = saving(base)
    rows = []
    for name in SENSITIVITY_INPUTS:
        if base.get(name) is None:
            continue
        moved = []
        for factor in (low_factor, high_factor):
            value = base[name] * factor
            if name == "utilisation":
                value = min(1.0, value)
            moved.append((value, saving({**base, name: value})))
        (low, s_low), (high, s_high) = moved
        rows.append({"input": name, "base": base[name], "low": low, "high": high,
                     "saving_low_usd": s_low, "saving_high_usd": s_high, "base_saving_usd": base_saving,
                     "flips": (s_low < 0) != (base_saving < 0) or (s_high < 0) != (base_saving < 0)})
    table = pd.DataFrame(rows)
    swing = (table["saving_high_usd"] - table["saving_low_usd"]).abs()
    return table.assign(_swing=swing).sort_values("_swing", ascending=False, kind="stable").drop(
        columns="_swing").reset_index(drop=True)
