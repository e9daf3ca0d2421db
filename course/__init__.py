"""Open Source AI & Economics: the course toolkit.

Everything a notebook calls is listed in ``__all__`` and documented with
``help()``. Names are resolved lazily, so ``import course`` stays fast and never
imports litellm, matplotlib or pandas; the module behind a name is imported the
first time the name is used.

Examples
--------
>>> import course
>>> course.per_million(0.002, per=1_000)
2.0
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Public name -> private module that defines it. One line per name keeps edits small.
_API: dict[str, str] = {
    # set-up and environment
    "setup": "course._setup",
    "doctor": "course._doctor",
    "provider_keys": "course._env",
    # the LLM layer (module 04): live providers, local servers or the offline sandbox
    "ask": "course.llm._client",
    "aask": "course.llm._client",
    "compare": "course.llm._client",
    "acompare": "course.llm._client",
    "Answer": "course.llm._client",
    "Router": "course.llm._router",
    "route": "course.llm._router",
    "budget": "course.llm._budget",
    "sandbox": "course.llm._sandbox",
    "models": "course.llm._models",
    "LLMError": "course.llm._errors",
    "MissingKeyError": "course.llm._errors",
    "UnknownModelError": "course.llm._errors",
    "ProviderDownError": "course.llm._errors",
    "ProviderTimeoutError": "course.llm._errors",
    "RateLimitedError": "course.llm._errors",
    "BudgetExceededError": "course.llm._errors",
    "RoutingError": "course.llm._router",
    # grading, for learners
    "check": "course.grading._check",
    "expect": "course.grading.answers",
    # prices and units
    "per_million": "course._units",
    "monthly_bill": "course._units",
    # datasets: typed, validated loaders and the price-catalog canonicalisation
    "load": "course._data",
    "datasets": "course._data",
    "DatasetError": "course._data",
    "canonical_model": "course._catalog",
    # module 01: the inference cost collapse
    "fold_decline": "course._cost_collapse",
    "annual_fold_decline": "course._cost_collapse",
    "annual_decline_rate": "course._cost_collapse",
    "decline_rate_from_fold": "course._cost_collapse",
    "fold_from_decline_rate": "course._cost_collapse",
    "halving_time_months": "course._cost_collapse",
    "decline_rate_from_halving_months": "course._cost_collapse",
    "project_price": "course._cost_collapse",
    "bill_over_time": "course._cost_collapse",
    "break_even_month": "course._cost_collapse",
    "bytes_per_parameter": "course._cost_collapse",
    "model_memory_gb": "course._cost_collapse",
    "plot_price_history": "course._cost_collapse_widgets",
    "plot_bill": "course._cost_collapse_widgets",
    "cost_calculator": "course._cost_collapse_widgets",
    # licences and openness (module 02)
    "licence_decision": "course._licences",
    "LicenceDecision": "course._licences",
    "openness": "course._licences",
    "openness_table": "course._licences",
    "licence_heatmap": "course._licences_widgets",
    "licence_explorer": "course._licences_widgets",
    # commoditisation and who captures the value (module 03)
    "cheapest_per_provider": "course._market",
    "providers_per_model": "course._market",
    "price_spread": "course._market",
    "open_closed_price_ratio": "course._market",
    "pareto_frontier": "course._market",
    "dominated": "course._market",
    "cheapest_compliant": "course._market",
    "switching_savings": "course._market",
    "SwitchingResult": "course._market",
    "illustrative_models": "course._market",
    "illustrative_workload": "course._market",
    "plot_price_dispersion": "course._market_widgets",
    "plot_frontier": "course._market_widgets",
    "plot_savings": "course._market_widgets",
    "savings_explorer": "course._market_widgets",
    # inference-as-a-service (module 04)
    "call_cost": "course._iaas",
    "workload_table": "course._iaas",
    "provider_landscape": "course._iaas",
    "plot_speed_claims": "course._iaas",
    "comparison_models": "course._iaas",
    "workload_explorer": "course._iaas",
    # strategy (module 05): self-host or API, evaluation harness
    "self_host_cost": "course._strategy",
    "SelfHostCost": "course._strategy",
    "breakeven_tokens": "course._strategy",
    "breakeven_over_time": "course._strategy",
    "cost_curves": "course._strategy",
    "api_monthly_cost": "course._strategy",
    "blended_price": "course._strategy",
    "plot_self_host": "course._strategy_widgets",
    "self_host_calculator": "course._strategy_widgets",
    "evaluate": "course._evaluate",
    "eval_tasks": "course._evaluate",
    "check_answer": "course._evaluate",
    "Task": "course._evaluate",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    try:
        module_name = _API[name]
    except KeyError:
        raise AttributeError(f"module 'course' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
