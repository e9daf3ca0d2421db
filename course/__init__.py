"""Open Source AI & Economics: the course toolkit.

Everything a notebook calls is listed in ``__all__`` and documented with
``help()``. Names are resolved lazily, so ``import course`` stays fast and never
imports litellm, matplotlib or pandas; the module behind a name is imported the
first time the name is used. ``course/__init__.pyi`` declares the same names for
editors and type checkers. The layers behind the names are described in
``docs/architecture.md``.

Examples
--------
>>> import course
>>> course.per_million(0.002, per=1_000)
2.0
"""

from __future__ import annotations

import importlib
import types

__version__ = "0.1.0"

# Public name -> private module that defines it. One line per name keeps edits small.
_API: dict[str, str] = {
    # set-up and environment
    "setup": "course._setup",
    "doctor": "course._doctor",
    "provider_keys": "course._base._env",
    # the LLM layer (modules 06–07): live providers, local servers or the offline sandbox
    "ask": "course.llm._client",
    "aask": "course.llm._client",
    "compare": "course.llm._client",
    "acompare": "course.llm._client",
    "Answer": "course.llm._client",
    "Router": "course.llm._router",
    "route": "course.llm._router",
    "budget": "course.llm._budget",
    "sandbox": "course.llm.servers._sandbox",
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
    "per_million": "course.calculators._units",
    "monthly_bill": "course.calculators._units",
    "cost_of_tokens": "course.calculators._units",
    # datasets: typed, validated loaders and the price-catalog canonicalisation
    "load": "course.data._datasets",
    "datasets": "course.data._datasets",
    "DatasetError": "course.data._datasets",
    "canonical_model": "course.data._catalog",
    # module 01: the inference cost collapse
    "fold_decline": "course.calculators._cost_collapse",
    "annual_fold_decline": "course.calculators._cost_collapse",
    "annual_decline_rate": "course.calculators._cost_collapse",
    "decline_rate_from_fold": "course.calculators._cost_collapse",
    "fold_from_decline_rate": "course.calculators._cost_collapse",
    "halving_time_months": "course.calculators._cost_collapse",
    "decline_rate_from_halving_months": "course.calculators._cost_collapse",
    "project_price": "course.calculators._cost_collapse",
    "bill_over_time": "course.calculators._cost_collapse",
    "break_even_month": "course.calculators._cost_collapse",
    "bytes_per_parameter": "course.calculators._cost_collapse",
    "model_memory_gb": "course.calculators._cost_collapse",
    "plot_price_history": "course.plots._cost_collapse",
    "plot_bill": "course.plots._cost_collapse",
    "cost_calculator": "course.widgets._cost_collapse",
    # licences and openness (modules 02–03)
    "licence_decision": "course.calculators._licences",
    "LicenceDecision": "course.calculators._licences",
    "openness": "course.calculators._licences",
    "openness_table": "course.calculators._licences",
    "licence_heatmap": "course.plots._licences",
    "licence_explorer": "course.widgets._licences",
    # commoditisation and who captures the value (modules 04–05)
    "cheapest_per_provider": "course.calculators._market",
    "providers_per_model": "course.calculators._market",
    "price_spread": "course.calculators._market",
    "open_closed_price_ratio": "course.calculators._market",
    "pareto_frontier": "course.calculators._market",
    "dominated": "course.calculators._market",
    "cheapest_compliant": "course.calculators._market",
    "switching_savings": "course.calculators._market",
    "SwitchingResult": "course.calculators._market",
    "illustrative_models": "course.calculators._market",
    "illustrative_workload": "course.calculators._market",
    "plot_price_dispersion": "course.plots._market",
    "plot_frontier": "course.plots._market",
    "plot_savings": "course.plots._market",
    "savings_explorer": "course.widgets._market",
    # inference-as-a-service (modules 06–07)
    "call_cost": "course.calculators._iaas",
    "workload_table": "course.calculators._iaas",
    "provider_landscape": "course.calculators._iaas",
    "plot_speed_claims": "course.plots._iaas",
    "comparison_models": "course.llm._models",
    "workload_explorer": "course.widgets._iaas",
    # strategy (module 08): self-host or API, evaluation harness
    "self_host_cost": "course.calculators._strategy",
    "SelfHostCost": "course.calculators._strategy",
    "breakeven_tokens": "course.calculators._strategy",
    "breakeven_over_time": "course.calculators._strategy",
    "cost_curves": "course.calculators._strategy",
    "api_monthly_cost": "course.calculators._strategy",
    "blended_price": "course.calculators._strategy",
    "tensor_parallel_gpus": "course.calculators._strategy",
    "self_host_sensitivity": "course.calculators._strategy",
    "plot_sensitivity": "course.plots._strategy",
    "wilson_interval": "course.calculators._strategy",
    "same_weights_models": "course.llm._providers",
    "plot_self_host": "course.plots._strategy",
    "self_host_calculator": "course.widgets._strategy",
    "evaluate": "course.evaluation._harness",
    "eval_tasks": "course.evaluation._harness",
    "check_answer": "course.evaluation._harness",
    "Task": "course.data._eval_tasks",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    try:
        module_name = _API[name]
    except KeyError:
        raise AttributeError(f"module 'course' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), name)
    if isinstance(value, type | types.FunctionType):
        # As httpx does: help(course.X) and reprs name the public door, not the private module.
        value.__module__ = __name__
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
