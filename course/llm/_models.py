"""What can be called right now: sandbox, local and keyed live models, in one table."""

from __future__ import annotations

import os

from course.calculators._units import per_million
from course.data._profiles import sandbox_table
from course.llm._providers import DEFAULT_MODELS, keyed_providers, local_models, local_server

COLUMNS = ["model", "backend", "provider", "kind", "simulated", "input_usd_per_m", "output_usd_per_m",
           "tokens_per_s", "ttft_s", "ttft_source", "price_source", "speed_source"]


def models(*, live: bool = True, local: bool = True):
    """List the models calls can use now, with their prices and (simulated) speeds.

    Parameters
    ----------
    live : bool, default True
        Include the default model of every provider whose key is set (prices from
        litellm's bundled price map; speeds unknown until measured).
    local : bool, default True
        Include the models of a local server (Ollama or ``$COURSE_LOCAL_BASE_URL``).

    Returns
    -------
    pandas.DataFrame
        One row per model. Sandbox rows are SIMULATED providers whose prices and
        speeds come from the rows named in ``price_source`` and ``speed_source``.

    Examples
    --------
    >>> table = models(live=False, local=False)
    >>> bool(table["simulated"].all()), "sandbox/chip/llama-3.1-8b" in set(table["model"])
    (True, True)
    """
    import pandas as pd

    rows = sandbox_table().to_dict("records")
    base = local_server() if local else None
    for name in local_models(base) if base else []:
        rows.append({"model": f"local/{name}", "backend": "local", "provider": base, "kind": "local",
                     "simulated": False, "input_usd_per_m": 0.0, "output_usd_per_m": 0.0,
                     "price_source": "your own hardware (no per-token price)"})
    keyed = keyed_providers() if live else []
    if keyed:
        from course.llm._litellm import import_litellm

        litellm = import_litellm()
        from course._base._env import PROVIDERS

        kinds = {p.name: p.kind for p in PROVIDERS}
        for name in keyed:
            model = DEFAULT_MODELS[name]
            try:
                cost_in, cost_out = litellm.cost_per_token(model=model, prompt_tokens=1,
                                                           completion_tokens=1)
                prices = {"input_usd_per_m": per_million(cost_in, per=1), "output_usd_per_m": per_million(cost_out, per=1),
                          "price_source": "litellm bundled price map"}
            except Exception:
                prices = {"price_source": "not in litellm's price map"}
            rows.append({"model": model, "backend": "live", "provider": name, "kind": kinds[name],
                         "simulated": False, **prices})
    return pd.DataFrame(rows, columns=COLUMNS)


def comparison_models(*, limit: int = 4) -> list[str]:
    """Models for a live comparison: cheap real ones when keys exist, else the sandbox's.

    With provider keys set (and ``$COURSE_LLM_BACKEND`` not ``sandbox``) it returns the cheap
    default model of each keyed provider, plus a local server's first model if one answers;
    otherwise the sandbox's SIMULATED models. Never shows a key.

    Parameters
    ----------
    limit : int, default 4
        The most models to return.

    Returns
    -------
    list of str
        Model names for ``course.compare``.

    Raises
    ------
    ValueError
        If ``limit`` is below 1.

    Examples
    --------
    >>> names = comparison_models(limit=2)   # with no keys: the first two sandbox models
    >>> len(names) <= 2
    True
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    chosen: list[str] = []
    if os.environ.get("COURSE_LLM_BACKEND", "auto") != "sandbox":
        chosen = [DEFAULT_MODELS[name] for name in keyed_providers()]
        base = local_server()
        names = local_models(base) if base else []
        if names:
            chosen.append(f"local/{names[0]}")
    if not chosen:
        chosen = sandbox_table()["model"].tolist()
    return chosen[:limit]
