"""Commoditisation in numbers (modules 04–05): providers, price spreads, frontiers and switching.

Pure functions over pandas frames. The price functions read ``course.load("price_catalog")``
(one row per provider listing); the frontier and switching functions read any small table
with a model name, a price and a quality score. Plots and the widget live in
:mod:`course.widgets._market`.

Two rules run through the module:

* **One price per provider.** A provider may list the same model twice (DeepInfra sells
  ``Llama-3.3-70B-Instruct`` and a cheaper ``-Turbo`` tier). A buyer picks the cheaper one,
  so every comparison first keeps each provider's cheapest listing of a model
  (:func:`cheapest_per_provider`).
* **Blended prices.** Prices are US dollars per million tokens, blended 3:1 input to output,
  the AI Index's convention (the catalog's ``blended_usd_per_m`` column).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from course.calculators._units import cost_of_tokens

__all__ = [
    "cheapest_per_provider", "providers_per_model", "price_spread", "open_closed_price_ratio",
    "pareto_frontier", "dominated", "cheapest_compliant", "switching_savings", "SwitchingResult",
    "illustrative_models", "illustrative_workload",
]

PRICE = "blended_usd_per_m"
_CATALOG_COLUMNS = ("provider", "canonical_model", "open_weights", PRICE)


# --------------------------------------------------------------------------- catalog


def _catalog(catalog: pd.DataFrame | None) -> pd.DataFrame:
    if catalog is None:
        from course.data._datasets import load

        catalog = load("price_catalog")
    if not isinstance(catalog, pd.DataFrame):
        raise ValueError(f"catalog should be a pandas DataFrame such as course.load('price_catalog'), "
                         f"not {type(catalog).__name__}")
    missing = [c for c in _CATALOG_COLUMNS if c not in catalog.columns]
    if missing:
        raise ValueError(f"catalog is missing columns {missing}; use course.load('price_catalog')")
    if "resells" in catalog.columns:
        # Gateways and resellers pass on another seller's model: counting them would inflate
        # "providers per model" and the spreads (datasets/price_catalog.md, provider kinds).
        catalog = catalog[~catalog["resells"].fillna(False).astype(bool)]
    return catalog


def cheapest_per_provider(catalog: pd.DataFrame | None = None, model: str | None = None) -> pd.DataFrame:
    """Keep each provider's cheapest listing of each model.

    Parameters
    ----------
    catalog : pandas.DataFrame, optional
        The price catalog; by default ``course.load("price_catalog")``.
    model : str, optional
        Keep only this canonical model.

    Returns
    -------
    pandas.DataFrame
        Columns ``canonical_model``, ``provider``, ``open_weights``, ``provider_model_id`` (when the
        catalog has it) and ``blended_usd_per_m``; one row per (model, provider), sorted by model then price.

    Raises
    ------
    ValueError
        If ``model`` is not in the catalog.

    Examples
    --------
    DeepInfra lists Llama 3.3 70B twice; only its cheaper ``-Turbo`` listing is kept.

    >>> rows = cheapest_per_provider(model="Llama 3.3 70B")
    >>> rows["provider"].is_unique, rows["blended_usd_per_m"].is_monotonic_increasing
    (True, True)
    """
    frame = _catalog(catalog)
    if model is not None:
        _check_model(frame, model)
        frame = frame[frame["canonical_model"] == model]
    columns = ["canonical_model", "provider", "open_weights"]
    columns += ["provider_model_id"] if "provider_model_id" in frame.columns else []
    columns += [PRICE]
    rows = frame[columns].copy()
    rows["provider"] = rows["provider"].astype(str)
    rows = rows.sort_values(["canonical_model", "provider", PRICE], kind="stable")
    rows = rows.drop_duplicates(["canonical_model", "provider"], keep="first")
    return rows.sort_values(["canonical_model", PRICE, "provider"], kind="stable").reset_index(drop=True)


def _check_model(frame: pd.DataFrame, model: str) -> None:
    if model not in set(frame["canonical_model"]):
        close = sorted(m for m in set(frame["canonical_model"]) if str(model).lower()[:5] in m.lower())
        hint = f"; did you mean one of {close[:6]}?" if close else ""
        raise ValueError(f"no model named {model!r} in the catalog (use its canonical_model name){hint}")


def providers_per_model(catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Count the distinct providers that sell each canonical model themselves.

    Resold listings (the catalog's ``resells`` column: a gateway's listing, or a GPU cloud
    reselling a closed model) are left out, so a reseller does not inflate the count. A catalog
    without a ``resells`` column counts every listing's provider.

    Parameters
    ----------
    catalog : pandas.DataFrame, optional
        The price catalog; by default ``course.load("price_catalog")``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``canonical_model``, with columns ``open_weights`` and ``n_providers``;
        sorted by ``n_providers`` (most first), then by name. A model listed only by
        resellers is left out.

    Examples
    --------
    >>> import pandas as pd
    >>> tiny = pd.DataFrame({"provider": ["lab", "cloud", "gateway"],
    ...                      "canonical_model": ["M", "M", "M"], "open_weights": [True] * 3,
    ...                      "blended_usd_per_m": [1.0, 0.8, 1.0], "resells": [False, False, True]})
    >>> int(providers_per_model(tiny).loc["M", "n_providers"])
    2
    """
    frame = _catalog(catalog)
    table = (frame.assign(provider=frame["provider"].astype(str))
             .groupby("canonical_model", sort=True)
             .agg(open_weights=("open_weights", "first"), n_providers=("provider", "nunique")))
    table["open_weights"] = table["open_weights"].astype(bool)
    table["n_providers"] = table["n_providers"].astype("int64")
    return table.sort_values(["n_providers"], ascending=False, kind="stable")


def price_spread(catalog: pd.DataFrame | None, model: str) -> float:
    """Return how many times dearer the dearest provider is than the cheapest, for one model.

    Each provider counts once, at its cheapest listing of the model; the spread is the
    highest of those blended prices divided by the lowest (1.0 when every provider
    charges the same, or only one sells it).

    Parameters
    ----------
    catalog : pandas.DataFrame or None
        The price catalog; None loads ``course.load("price_catalog")``.
    model : str
        A canonical model name, such as ``"Llama 3.3 70B"``.

    Returns
    -------
    float
        max / min of the providers' blended prices.

    Raises
    ------
    ValueError
        If the model is not in the catalog.

    Examples
    --------
    >>> price_spread(None, "Llama 3.3 70B") > 1
    True
    >>> price_spread(None, "Claude Sonnet 4.5")
    1.0
    """
    prices = cheapest_per_provider(catalog, model)[PRICE]
    return float(prices.max() / prices.min())


def open_closed_price_ratio(catalog: pd.DataFrame | None = None, *, detail: bool = False):
    """Median price of open-weight models divided by the median price of closed models.

    The method, in three steps:

    1. for each model, keep each provider's cheapest listing (:func:`cheapest_per_provider`);
    2. take the median of those prices: one typical price per canonical model;
    3. take the median of the model prices over open-weight models and over closed models,
       and divide open by closed.

    Every model counts once, whatever its size and however many providers sell it.
    Nothing weights a model by how much it is used, and models are not matched by
    capability, so this is a different measure from a usage-weighted average price.

    Parameters
    ----------
    catalog : pandas.DataFrame, optional
        The price catalog; by default ``course.load("price_catalog")``.
    detail : bool, default False
        Also return the two medians.

    Returns
    -------
    float, or (float, dict)
        The ratio open / closed (below 1 when open models are cheaper); with ``detail=True``
        also ``{"open": median, "closed": median, "n_open": ..., "n_closed": ...}``.

    Raises
    ------
    ValueError
        If the catalog has no open or no closed models.

    Examples
    --------
    >>> round(open_closed_price_ratio(), 3)
    0.057
    >>> ratio, medians = open_closed_price_ratio(detail=True)
    >>> medians["open"], medians["closed"]
    (0.2, 3.5)
    """
    per_model = (cheapest_per_provider(catalog)
                 .groupby("canonical_model")
                 .agg(open_weights=("open_weights", "first"), price=(PRICE, "median")))
    is_open = per_model["open_weights"].astype(bool)
    if not is_open.any() or is_open.all():
        raise ValueError("the catalog needs both open-weight and closed models to compare them")
    open_median = float(per_model.loc[is_open, "price"].median())
    closed_median = float(per_model.loc[~is_open, "price"].median())
    ratio = open_median / closed_median
    if detail:
        return ratio, {"open": open_median, "closed": closed_median,
                       "n_open": int(is_open.sum()), "n_closed": int((~is_open).sum())}
    return ratio


# --------------------------------------------------------------------------- frontier


def _scored(df: pd.DataFrame, price: str, quality: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, not {type(df).__name__}")
    for col in (price, quality):
        if col not in df.columns:
            raise ValueError(f"no column {col!r}; the table has {list(df.columns)} "
                             f"(pass price=... and quality=... to name yours)")
    values = df[[price, quality]].apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():
        raise ValueError(f"every row needs a number in {price!r} and {quality!r}")
    if (values[price] < 0).any():
        raise ValueError(f"prices in {price!r} cannot be negative")
    return values


def _dominators(values: pd.DataFrame, price: str, quality: str) -> list[list]:
    """For each row, the index labels of the rows that dominate it."""
    p, q = values[price].to_numpy(), values[quality].to_numpy()
    labels = list(values.index)
    out = []
    for i in range(len(values)):
        out.append([labels[j] for j in range(len(values))
                     if j != i and p[j] <= p[i] and q[j] >= q[i] and (p[j] < p[i] or q[j] > q[i])])
    return out


def dominated(df: pd.DataFrame, *, price: str = "usd_per_m", quality: str = "score",
              model: str = "model") -> pd.DataFrame:
    """Return the dominated rows: another row is at most as dear and at least as good.

    Row A dominates row B when A's price <= B's price and A's quality >= B's quality,
    and A is strictly better on at least one of the two. Two rows with the same price
    and the same quality do not dominate each other.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per model.
    price, quality : str
        Column names of the price (lower is better) and the quality score (higher is better).
    model : str, default "model"
        Column naming each row, used for ``dominated_by``; the index is used if it is missing.

    Returns
    -------
    pandas.DataFrame
        The dominated rows of ``df`` (same columns, same order), plus ``dominated_by``: the
        cheapest row that dominates it (ties: the better one).

    Raises
    ------
    ValueError
        If a column is missing or a price or score is not a number.

    Examples
    --------
    >>> t = pd.DataFrame({"model": ["A", "B", "C"], "usd_per_m": [1.0, 2.0, 3.0],
    ...                   "score": [70, 80, 75]})
    >>> dominated(t)[["model", "dominated_by"]].to_dict("records")
    [{'model': 'C', 'dominated_by': 'B'}]
    """
    values = _scored(df, price, quality)
    names = df[model] if model in df.columns else pd.Series(df.index, index=df.index)
    doms = _dominators(values, price, quality)
    keep = [i for i, d in enumerate(doms) if d]
    out = df.iloc[keep].copy()
    best = []
    for i in keep:
        ranked = sorted(doms[i], key=lambda lab: (values.loc[lab, price], -values.loc[lab, quality]))
        best.append(names.loc[ranked[0]])
    out["dominated_by"] = best
    return out


def pareto_frontier(df: pd.DataFrame, *, price: str = "usd_per_m", quality: str = "score") -> pd.DataFrame:
    """Return the rows no other row dominates (see :func:`dominated`), cheapest first.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per model.
    price, quality : str
        Column names of the price (lower is better) and the quality score (higher is better).

    Returns
    -------
    pandas.DataFrame
        The frontier rows, sorted by price (then by quality, best first). Along the
        frontier, each step up in price buys a higher score.

    Examples
    --------
    >>> t = pd.DataFrame({"model": ["A", "B", "C"], "usd_per_m": [1.0, 2.0, 3.0],
    ...                   "score": [70, 80, 75]})
    >>> list(pareto_frontier(t)["model"])
    ['A', 'B']
    """
    values = _scored(df, price, quality)
    doms = _dominators(values, price, quality)
    keep = [i for i, d in enumerate(doms) if not d]
    out = df.iloc[keep]
    order = values.iloc[keep].sort_values([price, quality], ascending=[True, False], kind="stable").index
    return out.loc[order]


# --------------------------------------------------------------------------- switching


def cheapest_compliant(table: pd.DataFrame, quality_floor: float, *, which: str = "any",
                       price: str = "usd_per_m", quality: str = "score",
                       open_col: str = "open_weights") -> pd.Series | None:
    """Return the cheapest row whose quality is at least ``quality_floor``, or None.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per model, with price, quality and (for ``which``) open-weights columns.
    quality_floor : float
        The lowest acceptable score.
    which : {"any", "open", "closed"}, default "any"
        Which models may be chosen.
    price, quality, open_col : str
        Column names.

    Returns
    -------
    pandas.Series or None
        The chosen row (ties on price: the higher score, then the first row); None when no
        model is good enough.

    Examples
    --------
    >>> t = illustrative_models()
    >>> cheapest_compliant(t, 80)["model"], cheapest_compliant(t, 80, which="closed")["model"]
    ('Open-L', 'Closed-M')
    >>> cheapest_compliant(t, 99) is None
    True
    """
    values = _scored(table, price, quality)
    if which not in ("any", "open", "closed"):
        raise ValueError(f"which should be 'any', 'open' or 'closed', not {which!r}")
    mask = values[quality] >= quality_floor
    if which != "any":
        if open_col not in table.columns:
            raise ValueError(f"which={which!r} needs a boolean column {open_col!r}")
        is_open = table[open_col].astype(bool)
        mask &= is_open if which == "open" else ~is_open
    if not mask.any():
        return None
    ranked = values[mask].sort_values([price, quality], ascending=[True, False], kind="stable")
    return table.loc[ranked.index[0]]


def _workload(workload) -> pd.DataFrame:
    if isinstance(workload, Mapping):
        rows = []
        for task, spec in workload.items():
            try:
                tokens, floor = spec
            except (TypeError, ValueError):
                raise ValueError(f"workload[{task!r}] should be (tokens_per_month, quality_floor), "
                                 f"not {spec!r}") from None
            rows.append({"task": task, "tokens_per_month": tokens, "quality_floor": floor})
        workload = pd.DataFrame(rows)
    if not isinstance(workload, pd.DataFrame):
        raise ValueError("workload should be a DataFrame with columns task, tokens_per_month, "
                         "quality_floor, or a dict {task: (tokens_per_month, quality_floor)}")
    missing = [c for c in ("task", "tokens_per_month", "quality_floor") if c not in workload.columns]
    if missing:
        raise ValueError(f"workload is missing columns {missing}")
    tokens = pd.to_numeric(workload["tokens_per_month"], errors="coerce")
    if tokens.isna().any() or (tokens < 0).any():
        raise ValueError("tokens_per_month must be numbers of tokens, zero or more")
    return workload.reset_index(drop=True)


@dataclass(frozen=True)
class SwitchingResult:
    """What a workload costs on the cheapest compliant models, against a baseline.

    Attributes
    ----------
    per_task : pandas.DataFrame
        One row per task: ``task``, ``tokens_per_month``, ``quality_floor``, ``model``,
        ``usd_per_m``, ``cost_usd``, ``baseline_model``, ``baseline_usd_per_m``,
        ``baseline_cost_usd``, ``saving_usd``.
    cost_usd, baseline_cost_usd, saving_usd : float
        Monthly totals in US dollars.
    saving_share : float
        ``saving_usd / baseline_cost_usd`` (0 when the baseline costs nothing).
    """

    per_task: pd.DataFrame
    cost_usd: float
    baseline_cost_usd: float
    saving_usd: float
    saving_share: float

    def _repr_html_(self) -> str:
        table = self.per_task.to_html(index=False, float_format=lambda x: f"{x:,.2f}")
        return (f"<p>Monthly cost <b>${self.cost_usd:,.2f}</b> against a baseline of "
                f"<b>${self.baseline_cost_usd:,.2f}</b>: saving <b>${self.saving_usd:,.2f}</b> "
                f"({self.saving_share:.0%}).</p>{table}")


def switching_savings(workload, table: pd.DataFrame, *, baseline: str = "closed",
                      price: str = "usd_per_m", quality: str = "score", model: str = "model",
                      open_col: str = "open_weights") -> SwitchingResult:
    """Price a workload on the cheapest compliant model per task, against a baseline.

    Each task has a monthly token volume and a quality floor. Its cost is
    ``tokens_per_month / 1e6 * price`` on the cheapest model (open or closed) whose score is
    at least the floor. The baseline serves each task with the cheapest *closed* model that
    meets the floor (``baseline="closed"``, an all-closed buyer), or with one named model for
    every task (``baseline="<model name>"``).

    Parameters
    ----------
    workload : pandas.DataFrame or dict
        Columns ``task``, ``tokens_per_month``, ``quality_floor``; or
        ``{task: (tokens_per_month, quality_floor)}``.
    table : pandas.DataFrame
        One row per model: name, price in US dollars per million tokens, quality score and
        open-weights flag.
    baseline : str, default "closed"
        ``"closed"`` or the name of one model in ``table``.
    price, quality, model, open_col : str
        Column names in ``table``.

    Returns
    -------
    SwitchingResult

    Raises
    ------
    ValueError
        If no model (or no closed model, for the baseline) meets a task's floor, or the
        baseline model is unknown.

    Examples
    --------
    >>> r = switching_savings({"chat": (100_000_000, 70)}, illustrative_models())
    >>> r.per_task.loc[0, "model"], r.per_task.loc[0, "baseline_model"]
    ('Open-S', 'Closed-S')
    >>> round(r.cost_usd, 2), round(r.baseline_cost_usd, 2), round(r.saving_share, 2)
    (10.0, 40.0, 0.75)
    """
    work = _workload(workload)
    _scored(table, price, quality)
    if model not in table.columns:
        raise ValueError(f"no column {model!r} naming the models")
    fixed = None
    if baseline != "closed":
        match = table[table[model] == baseline]
        if match.empty:
            raise ValueError(f"baseline should be 'closed' or a model in the table, not {baseline!r}")
        fixed = match.iloc[0]
    rows = []
    for _, task in work.iterrows():
        floor = float(task["quality_floor"])
        best = cheapest_compliant(table, floor, price=price, quality=quality, open_col=open_col)
        if best is None:
            raise ValueError(f"no model in the table reaches the quality floor {floor:g} "
                             f"of task {task['task']!r}")
        base = fixed
        if base is None:
            base = cheapest_compliant(table, floor, which="closed", price=price, quality=quality,
                                      open_col=open_col)
            if base is None:
                raise ValueError(f"no closed model reaches the quality floor {floor:g} of task "
                                 f"{task['task']!r}, so there is no all-closed baseline")
        tokens = float(task["tokens_per_month"])
        cost, base_cost = cost_of_tokens(tokens, float(best[price])), cost_of_tokens(tokens, float(base[price]))
        rows.append({
            "task": task["task"], "tokens_per_month": task["tokens_per_month"], "quality_floor": floor,
            "model": best[model], "usd_per_m": float(best[price]), "cost_usd": cost,
            "baseline_model": base[model], "baseline_usd_per_m": float(base[price]),
            "baseline_cost_usd": base_cost, "saving_usd": base_cost - cost,
        })
    per_task = pd.DataFrame(rows)
    total, base_total = float(per_task["cost_usd"].sum()), float(per_task["baseline_cost_usd"].sum())
    share = (base_total - total) / base_total if base_total > 0 else 0.0
    return SwitchingResult(per_task, total, base_total, base_total - total, share)


# --------------------------------------------------------------------------- illustrative data

ILLUSTRATIVE_NOTE = "illustrative, not real scores"


def illustrative_models() -> pd.DataFrame:
    """A small, made-up market of six models: illustrative, NOT real prices or scores.

    The names are invented on purpose (``Closed-L``, ``Open-M``, ...) so that no real model
    is given a score it never earned. Use it to practise frontiers and switching; the
    module's real prices come from ``course.load("price_catalog")``.

    Returns
    -------
    pandas.DataFrame
        Columns ``model``, ``open_weights``, ``usd_per_m`` (blended, US dollars per
        million tokens), ``score`` (0-100, higher is better) and ``note``.

    Examples
    --------
    >>> t = illustrative_models()
    >>> list(t["model"])
    ['Closed-L', 'Closed-M', 'Closed-S', 'Open-L', 'Open-M', 'Open-S']
    >>> set(t["note"])
    {'illustrative, not real scores'}
    """
    return pd.DataFrame({
        "model": ["Closed-L", "Closed-M", "Closed-S", "Open-L", "Open-M", "Open-S"],
        "open_weights": [False, False, False, True, True, True],
        "usd_per_m": [10.0, 3.0, 0.4, 0.9, 0.3, 0.1],
        "score": [90.0, 84.0, 72.0, 85.0, 78.0, 70.0],
        "note": [ILLUSTRATIVE_NOTE] * 6,
    })


def illustrative_workload() -> pd.DataFrame:
    """A made-up monthly workload of three tasks (illustrative), for the widget and examples.

    Examples
    --------
    >>> illustrative_workload()["task"].tolist()
    ['support chat', 'document summaries', 'code review']
    """
    return pd.DataFrame({
        "task": ["support chat", "document summaries", "code review"],
        "tokens_per_month": [400_000_000, 150_000_000, 50_000_000],
        "quality_floor": [70.0, 78.0, 88.0],
    })

