"""Simulated provider profiles for the sandbox, with numbers taken from the datasets.

Each profile imitates one kind of inference provider. Its prices come from rows
of ``datasets/price_catalog.csv`` and its speeds from rows of
``datasets/provider_speed_claims.csv`` (vendor claims and third-party medians,
labelled as such there). Nothing here is measured: every profile is SIMULATED.

If a dataset file is missing (a fresh checkout before the datasets are built),
a small fixture with the same figures, copied from the course's fact sheet, is
used instead and the ``source`` columns say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from course._base._paths import datasets_dir
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

# Used only when a dataset file is absent. Figures: litellm 1.106.2's bundled price map
# (prices) and the course fact sheet, section 5 (speeds).
_FIXTURE_PRICES = [
    {"provider": "cerebras", "provider_model_id": "cerebras/llama-3.1-8b", "canonical_model": "llama-3.1-8b",
     "input_usd_per_m": "0.10", "output_usd_per_m": "0.10"},
    {"provider": "cerebras", "provider_model_id": "cerebras/llama-3.1-70b", "canonical_model": "llama-3.1-70b",
     "input_usd_per_m": "0.60", "output_usd_per_m": "0.60"},
    {"provider": "together_ai", "provider_model_id": "together_ai/meta-llama/Llama-3.1-405B-Instruct",
     "canonical_model": "llama-3.1-405b", "input_usd_per_m": "3.50", "output_usd_per_m": "3.50"},
    {"provider": "fireworks_ai", "provider_model_id": "fireworks_ai/accounts/fireworks/models/llama-v3p1-405b-instruct",
     "canonical_model": "llama-3.1-405b", "input_usd_per_m": "3.00", "output_usd_per_m": "3.00"},
    {"provider": "openai", "provider_model_id": "gpt-4o-mini", "canonical_model": "gpt-4o-mini",
     "input_usd_per_m": "0.15", "output_usd_per_m": "0.60"},
]
_FIXTURE_SPEEDS = [
    {"provider": "Cerebras", "model": "Llama 3.1 8B", "tokens_per_s": "1800", "ttft_s": "", "date": "2024-08"},
    {"provider": "Cerebras", "model": "Llama 3.1 70B", "tokens_per_s": "450", "ttft_s": "", "date": "2024-08"},
    {"provider": "median across providers", "model": "Llama 3.1 405B", "tokens_per_s": "27.9",
     "ttft_s": "", "date": "2025-02"},
    {"provider": "median across providers", "model": "GPT-4o-mini", "tokens_per_s": "112",
     "ttft_s": "", "date": "2025-02"},
]


@dataclass(frozen=True)
class SandboxModel:
    """One model served by one simulated provider, with its sourced numbers."""

    profile: str
    name: str
    kind: str
    input_usd_per_m: float
    output_usd_per_m: float
    tokens_per_s: float
    ttft_s: float | None
    price_source: str
    speed_source: str

    @property
    def id(self) -> str:
        """The name to pass to ``course.ask``: ``sandbox/<profile>/<model>``."""
        return f"sandbox/{self.profile}/{self.name}"

    @property
    def wire_name(self) -> str:
        """The model name on the wire (what the sandbox server receives)."""
        return f"{self.profile}/{self.name}"

    def simulated_ttft(self) -> float:
        """TTFT in seconds: the sourced claim, else the time to write one token."""
        return self.ttft_s if self.ttft_s is not None else 1.0 / self.tokens_per_s


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _text(value) -> str:
    """A loaded cell as the text the profiles compare and quote (blank for a missing value)."""
    if pd.isna(value):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _read(name: str, fixture: list[dict]) -> tuple[list[dict], str]:
    """The rows of dataset ``name`` (through :func:`course.load`) as text, or ``fixture`` without it."""
    if not (datasets_dir() / f"{name}.csv").is_file():
        return fixture, "fixture"
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


def load_models() -> tuple[list[SandboxModel], list[str]]:
    """Resolve every profile against the datasets.

    Returns
    -------
    models : list of SandboxModel
        One per (profile, model) whose price row and speed claim were both found.
    skipped : list of str
        ``"profile/model: reason"`` for each model left out.
    """
    prices, price_file = _read("price_catalog", _FIXTURE_PRICES)
    speeds, speed_file = _read("provider_speed_claims", _FIXTURE_SPEEDS)
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
            models.append(SandboxModel(
                profile=profile.name, name=spec.name, kind=profile.kind,
                input_usd_per_m=float(price["input_usd_per_m"]),
                output_usd_per_m=float(price["output_usd_per_m"]),
                tokens_per_s=tps, ttft_s=_number(speed.get("ttft_s")),
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
        ``input_usd_per_m``, ``output_usd_per_m``, ``tokens_per_s``, ``ttft_s``, ``price_source``
        and ``speed_source``.

    Examples
    --------
    >>> table = sandbox_table()
    >>> bool(table["simulated"].all()), "sandbox/chip/llama-3.1-8b" in set(table["model"])
    (True, True)
    """
    return pd.DataFrame([
        {"model": m.id, "backend": "sandbox", "provider": f"sandbox-{m.profile}", "kind": m.kind,
         "simulated": True, "input_usd_per_m": m.input_usd_per_m, "output_usd_per_m": m.output_usd_per_m,
         "tokens_per_s": m.tokens_per_s, "ttft_s": m.ttft_s, "price_source": m.price_source,
         "speed_source": m.speed_source + " | " + profile_label(m.profile)}
        for m in load_models()[0]
    ])

