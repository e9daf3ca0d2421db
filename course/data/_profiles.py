"""Simulated provider profiles for the sandbox, with numbers taken from the datasets.

Each profile imitates one kind of inference provider. Its prices come from rows
of ``datasets/price_catalog.csv`` and its speeds from rows of
``datasets/provider_speed_claims.csv`` (vendor claims and third-party medians,
labelled as such there). Nothing here is measured: every profile is SIMULATED.
A model's time to first token (TTFT) is its speed row's sourced ``ttft_s`` where
there is one; otherwise an ASSUMED TTFT read from the same dataset (the median of
its independent measured medians, :func:`assumed_ttft`), and ``ttft_source`` says
which. TTFT is never derived from ``tokens_per_s``.
The datasets are the only copy of these figures: a missing file is a
:class:`course.DatasetError`, as for any other loader call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from course.data._datasets import load


@dataclass(frozen=True)
class ModelSpec:
    """Which dataset rows give one sandbox model its numbers."""

    name: str
    price: tuple[str, str]  # (provider, model id or canonical model) in price_catalog
    speed: tuple[str, str]  # (provider, model) in provider_speed_claims


@dataclass(frozen=True)
class ProfileSpec:
    """A simulated provider: a kind, a label and the models it serves."""

    name: str
    kind: str
    label: str
    models: tuple[ModelSpec, ...]


#: The simulated providers. Names are the course's own, not companies'.
#: ``price`` names a (provider, provider_model_id) row of price_catalog.csv and
#: ``speed`` a (provider, model) row of provider_speed_claims.csv.
PROFILE_SPECS: tuple[ProfileSpec, ...] = (
    ProfileSpec(
        "chip", "custom-chip",
        "SIMULATED fast custom-chip provider (Cerebras catalog prices and vendor speed claims)",
        (
            ModelSpec("llama-3.1-8b", ("cerebras", "cerebras/llama-3.1-8b"), ("Cerebras", "Llama 3.1 8B")),
            ModelSpec("llama-3.1-70b", ("cerebras", "cerebras/llama-3.1-70b"), ("Cerebras", "Llama 3.1 70B")),
        ),
    ),
    ProfileSpec(
        "gpucloud", "gpu-cloud",
        "SIMULATED GPU cloud (Together catalog price, speed the median across providers)",
        (
            ModelSpec("llama-3.1-405b", ("together_ai", "together_ai/meta-llama/Llama-3.1-405B-Instruct"),
                      ("median across providers", "Llama 3.1 405B")),
        ),
    ),
    ProfileSpec(
        "aggregator", "aggregator",
        "SIMULATED aggregator reselling other providers (their catalog prices; median speeds)",
        (
            ModelSpec("gpt-4o-mini", ("openai", "gpt-4o-mini"), ("median across providers", "GPT-4o-mini")),
            ModelSpec("llama-3.1-405b",
                      ("fireworks_ai", "fireworks_ai/accounts/fireworks/models/llama-v3p1-405b-instruct"),
                      ("median across providers", "Llama 3.1 405B")),
        ),
    ),
    ProfileSpec(
        "frontier", "lab-api",
        "SIMULATED closed frontier lab (OpenAI catalog price, speed the median across providers)",
        (
            ModelSpec("gpt-4o-mini", ("openai", "gpt-4o-mini"), ("median across providers", "GPT-4o-mini")),
        ),
    ),
)

@dataclass(frozen=True)
class SandboxModel:
    """One model served by one simulated provider, with its sourced numbers."""

    profile: str
    name: str
    kind: str
    input_usd_per_m: float
    output_usd_per_m: float
    tokens_per_s: float
    ttft_s: float
    price_source: str
    speed_source: str
    ttft_source: str = ""

    @property
    def id(self) -> str:
        """The name to pass to ``course.ask``: ``sandbox/<profile>/<model>``."""
        return f"sandbox/{self.profile}/{self.name}"

    @property
    def wire_name(self) -> str:
        """The model name on the wire (what the sandbox server receives)."""
        return f"{self.profile}/{self.name}"

    def simulated_ttft(self) -> float:
        """TTFT in seconds: the sourced figure, else the assumed one (``ttft_source`` says which)."""
        return self.ttft_s


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _text(value) -> str:
    """A loaded cell as the text the profiles compare and quote (blank for a missing value)."""
    if pd.isna(value):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _read(name: str) -> tuple[list[dict], str]:
    """The rows of dataset ``name`` (through :func:`course.load`) as text, and where they came from."""
    rows = [{key: _text(value) for key, value in record.items()} for record in load(name).to_dict("records")]
    return rows, f"datasets/{name}.csv"


def _find_price(rows: list[dict], provider: str, model_id: str) -> dict | None:
    """The row with this provider and exactly this provider_model_id."""
    for row in rows:
        if (row.get("provider", "").lower() == provider.lower()
                and row.get("provider_model_id", "") == model_id):
            return row
    return None


def _find_speed(rows: list[dict], provider: str, model: str) -> dict | None:
    matches = [r for r in rows if _key(r.get("provider", "")) == _key(provider)
               and _key(r.get("model", "")) == _key(model) and r.get("tokens_per_s")]
    return max(matches, key=lambda r: r.get("date", "")) if matches else None


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN -> None


#: The rows :func:`assumed_ttft` takes its median over.
ASSUMED_TTFT_ROWS = "independent rows with ttft_kind 'measured_median'"


def _assumed_from(rows: list[dict], file: str) -> tuple[float, str]:
    measured = [r for r in rows if r.get("ttft_kind") == "measured_median"
                and r.get("claim_type") == "independent" and _number(r.get("ttft_s")) is not None]
    if not measured:
        raise ValueError(f"{file} has no {ASSUMED_TTFT_ROWS}: no sourced default TTFT")
    values = sorted(_number(r["ttft_s"]) for r in measured)
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    models = sorted({r.get("model", "") for r in measured})
    dates = sorted(r.get("date", "") for r in measured)
    sources = sorted({r.get("source", "").split(" (")[0] for r in measured})
    label = (f"ASSUMED: median of {len(values)} measured median TTFTs of other hosts "
             f"({', '.join(models)}; {', '.join(sources)}; {dates[0]} to {dates[-1]}), {file}")
    return round(median, 6), label


def assumed_ttft() -> tuple[float, str]:
    """The TTFT assumed for a model with no sourced one, and its provenance label.

    It is the median of the ``ttft_s`` of the independent rows of
    ``provider_speed_claims`` whose ``ttft_kind`` is ``measured_median``: a sourced
    figure for *other* hosts, used as a stand-in and labelled ASSUMED wherever shown.

    Returns
    -------
    seconds : float
        The assumed time to first token.
    label : str
        Where it comes from, starting with ``"ASSUMED"``.

    Raises
    ------
    ValueError
        If the dataset has no such rows.

    Examples
    --------
    >>> seconds, label = assumed_ttft()
    >>> 0.1 < seconds < 2.0, label.startswith("ASSUMED")
    (True, True)
    """
    rows, file = _read("provider_speed_claims")
    return _assumed_from(rows, file)


def load_models() -> tuple[list[SandboxModel], list[str]]:
    """Resolve every profile against the datasets.

    Returns
    -------
    models : list of SandboxModel
        One per (profile, model) whose price row and speed claim were both found.
    skipped : list of str
        ``"profile/model: reason"`` for each model left out.
    """
    prices, price_file = _read("price_catalog")
    speeds, speed_file = _read("provider_speed_claims")
    default_ttft, default_label = _assumed_from(speeds, speed_file)
    models, skipped = [], []
    for profile in PROFILE_SPECS:
        for spec in profile.models:
            price = _find_price(prices, *spec.price)
            speed = _find_speed(speeds, *spec.speed)
            if price is None or speed is None:
                missing = "price row" if price is None else "speed claim"
                skipped.append(f"{profile.name}/{spec.name}: no {missing} for {spec.price if price is None else spec.speed}")
                continue
            tps = _number(speed.get("tokens_per_s"))
            source = speed.get("source") or speed.get("claim_type") or ""
            ttft = _number(speed.get("ttft_s"))
            if ttft is None:
                ttft, ttft_source = default_ttft, default_label
            else:
                kind = speed.get("ttft_kind") or speed.get("claim_type") or "given"
                ttft_source = (f"{kind}: {speed_file}: {speed.get('provider')} / {speed.get('model')} "
                               f"({speed.get('date', '')})")
            models.append(SandboxModel(
                profile=profile.name, name=spec.name, kind=profile.kind,
                input_usd_per_m=float(price["input_usd_per_m"]),
                output_usd_per_m=float(price["output_usd_per_m"]),
                tokens_per_s=tps, ttft_s=ttft, ttft_source=ttft_source,
                price_source=f"{price_file}: {price.get('provider')} / {price.get('provider_model_id')}"
                + (f" ({price['snapshot_date']})" if price.get("snapshot_date") else ""),
                speed_source=f"{speed_file}: {speed.get('provider')} / {speed.get('model')} "
                f"({speed.get('date', '')}{', ' + source if source else ''})",
            ))
    return models, skipped


def profile_label(name: str) -> str:
    """Return the SIMULATED label of profile ``name``."""
    for profile in PROFILE_SPECS:
        if profile.name == name:
            return profile.label
    raise KeyError(name)


def sandbox_table():
    """The sandbox's SIMULATED models as a table: one row per (profile, model), with sourced numbers.

    Returns
    -------
    pandas.DataFrame
        ``model`` (``sandbox/<profile>/<model>``), ``backend``, ``provider``, ``kind``, ``simulated``,
        ``input_usd_per_m``, ``output_usd_per_m``, ``tokens_per_s``, ``ttft_s``, ``ttft_source``,
        ``price_source`` and ``speed_source``. ``ttft_source`` starts with ``ASSUMED`` where the
        model has no sourced TTFT and :func:`assumed_ttft` stands in.

    Examples
    --------
    >>> table = sandbox_table()
    >>> bool(table["simulated"].all()), "sandbox/chip/llama-3.1-8b" in set(table["model"])
    (True, True)
    >>> bool(table["ttft_source"].str.startswith("ASSUMED").all())  # no sandbox model has a sourced TTFT
    True
    """
    return pd.DataFrame([
        {"model": m.id, "backend": "sandbox", "provider": f"sandbox-{m.profile}", "kind": m.kind,
         "simulated": True, "input_usd_per_m": m.input_usd_per_m, "output_usd_per_m": m.output_usd_per_m,
         "tokens_per_s": m.tokens_per_s, "ttft_s": m.ttft_s, "ttft_source": m.ttft_source,
         "price_source": m.price_source,
         "speed_source": m.speed_source + " | " + profile_label(m.profile)}
        for m in load_models()[0]
    ])

