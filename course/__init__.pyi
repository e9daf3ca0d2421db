"""Type stub of :mod:`course`: the lazily resolved public names, for editors and type checkers.

Keep in step with ``course._API`` (``tests/test_packaging.py`` checks it).
"""

from course._base._env import provider_keys as provider_keys
from course._doctor import doctor as doctor
from course._setup import setup as setup
from course.calculators._cost_collapse import (
    annual_decline_rate as annual_decline_rate,
)
from course.calculators._cost_collapse import (
    annual_fold_decline as annual_fold_decline,
)
from course.calculators._cost_collapse import (
    bill_over_time as bill_over_time,
)
from course.calculators._cost_collapse import (
    break_even_month as break_even_month,
)
from course.calculators._cost_collapse import (
    bytes_per_parameter as bytes_per_parameter,
)
from course.calculators._cost_collapse import (
    decline_rate_from_fold as decline_rate_from_fold,
)
from course.calculators._cost_collapse import (
    decline_rate_from_halving_months as decline_rate_from_halving_months,
)
from course.calculators._cost_collapse import (
    fold_decline as fold_decline,
)
from course.calculators._cost_collapse import (
    fold_from_decline_rate as fold_from_decline_rate,
)
from course.calculators._cost_collapse import (
    halving_time_months as halving_time_months,
)
from course.calculators._cost_collapse import (
    model_memory_gb as model_memory_gb,
)
from course.calculators._cost_collapse import (
    project_price as project_price,
)
from course.calculators._iaas import (
    call_cost as call_cost,
)
from course.calculators._iaas import (
    provider_landscape as provider_landscape,
)
from course.calculators._iaas import (
    workload_table as workload_table,
)
from course.calculators._licences import (
    LicenceDecision as LicenceDecision,
)
from course.calculators._licences import (
    licence_decision as licence_decision,
)
from course.calculators._licences import (
    openness as openness,
)
from course.calculators._licences import (
    openness_table as openness_table,
)
from course.calculators._market import (
    SwitchingResult as SwitchingResult,
)
from course.calculators._market import (
    cheapest_compliant as cheapest_compliant,
)
from course.calculators._market import (
    cheapest_per_provider as cheapest_per_provider,
)
from course.calculators._market import (
    dominated as dominated,
)
from course.calculators._market import (
    illustrative_models as illustrative_models,
)
from course.calculators._market import (
    illustrative_workload as illustrative_workload,
)
from course.calculators._market import (
    open_closed_price_ratio as open_closed_price_ratio,
)
from course.calculators._market import (
    pareto_frontier as pareto_frontier,
)
from course.calculators._market import (
    price_spread as price_spread,
)
from course.calculators._market import (
    providers_per_model as providers_per_model,
)
from course.calculators._market import (
    switching_savings as switching_savings,
)
from course.calculators._strategy import (
    SelfHostCost as SelfHostCost,
)
from course.calculators._strategy import (
    api_monthly_cost as api_monthly_cost,
)
from course.calculators._strategy import (
    blended_price as blended_price,
)
from course.calculators._strategy import (
    breakeven_over_time as breakeven_over_time,
)
from course.calculators._strategy import (
    breakeven_tokens as breakeven_tokens,
)
from course.calculators._strategy import (
    cost_curves as cost_curves,
)
from course.calculators._strategy import (
    self_host_cost as self_host_cost,
)
from course.calculators._strategy import (
    self_host_sensitivity as self_host_sensitivity,
)
from course.calculators._strategy import (
    tensor_parallel_gpus as tensor_parallel_gpus,
)
from course.calculators._strategy import (
    wilson_interval as wilson_interval,
)
from course.calculators._units import (
    cost_of_tokens as cost_of_tokens,
)
from course.calculators._units import (
    monthly_bill as monthly_bill,
)
from course.calculators._units import (
    per_million as per_million,
)
from course.data._catalog import canonical_model as canonical_model
from course.data._datasets import DatasetError as DatasetError
from course.data._datasets import datasets as datasets
from course.data._datasets import load as load
from course.data._eval_tasks import Task as Task
from course.evaluation._harness import check_answer as check_answer
from course.evaluation._harness import eval_tasks as eval_tasks
from course.evaluation._harness import evaluate as evaluate
from course.grading._check import check as check
from course.grading.answers import expect as expect
from course.llm._budget import budget as budget
from course.llm._client import (
    Answer as Answer,
)
from course.llm._client import (
    aask as aask,
)
from course.llm._client import (
    acompare as acompare,
)
from course.llm._client import (
    ask as ask,
)
from course.llm._client import (
    compare as compare,
)
from course.llm._errors import (
    BudgetExceededError as BudgetExceededError,
)
from course.llm._errors import (
    LLMError as LLMError,
)
from course.llm._errors import (
    MissingKeyError as MissingKeyError,
)
from course.llm._errors import (
    ProviderDownError as ProviderDownError,
)
from course.llm._errors import (
    ProviderTimeoutError as ProviderTimeoutError,
)
from course.llm._errors import (
    RateLimitedError as RateLimitedError,
)
from course.llm._errors import (
    UnknownModelError as UnknownModelError,
)
from course.llm._models import comparison_models as comparison_models
from course.llm._models import models as models
from course.llm._providers import (
    same_weights_models as same_weights_models,
)
from course.llm._router import Router as Router
from course.llm._router import RoutingError as RoutingError
from course.llm._router import route as route
from course.llm.servers._sandbox import sandbox as sandbox
from course.plots._cost_collapse import plot_bill as plot_bill
from course.plots._cost_collapse import plot_price_history as plot_price_history
from course.plots._iaas import plot_speed_claims as plot_speed_claims
from course.plots._licences import licence_heatmap as licence_heatmap
from course.plots._market import (
    plot_frontier as plot_frontier,
)
from course.plots._market import (
    plot_price_dispersion as plot_price_dispersion,
)
from course.plots._market import (
    plot_savings as plot_savings,
)
from course.plots._strategy import plot_self_host as plot_self_host
from course.plots._strategy import plot_sensitivity as plot_sensitivity
from course.widgets._cost_collapse import cost_calculator as cost_calculator
from course.widgets._iaas import workload_explorer as workload_explorer
from course.widgets._licences import licence_explorer as licence_explorer
from course.widgets._market import savings_explorer as savings_explorer
from course.widgets._strategy import self_host_calculator as self_host_calculator

__version__: str
__all__: list[str]
