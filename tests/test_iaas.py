"""Modules 06 and 07 helpers: cost of a call, workload tables, the provider landscape, its plot,
the models a comparison uses, and the workload explorer widget. Offline: sandbox only."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import course  # noqa: E402
from course.calculators._iaas import (  # noqa: E402
    WORKLOAD_COLUMNS,
    call_cost,
    provider_landscape,
    workload_table,
)
from course.data._profiles import assumed_ttft  # noqa: E402
from course.llm._models import comparison_models  # noqa: E402
from course.plots._iaas import plot_speed_claims  # noqa: E402
from course.widgets._iaas import workload_explorer  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- call_cost


def test_call_cost_bills_input_and_output_at_their_own_prices():
    """1,200 tokens in at $0.15/M plus 300 out at $0.60/M (GPT-4o mini's list prices) is $0.00036."""
    assert math.isclose(call_cost(1_200, 300, input_usd_per_m=0.15, output_usd_per_m=0.60), 0.00036)


def test_call_cost_of_a_million_tokens_is_the_price_per_million():
    assert call_cost(1_000_000, 0, input_usd_per_m=3.5, output_usd_per_m=99) == 3.5
    assert call_cost(0, 1_000_000, input_usd_per_m=99, output_usd_per_m=0.6) == 0.6


def test_call_cost_swapping_prices_changes_the_answer():
    """Input and output prices are not interchangeable (a learner's common slip)."""
    right = call_cost(1_200, 300, input_usd_per_m=0.15, output_usd_per_m=0.60)
    swapped = call_cost(1_200, 300, input_usd_per_m=0.60, output_usd_per_m=0.15)
    assert not math.isclose(right, swapped)


@pytest.mark.parametrize("kwargs", [
    {"tokens_in": -1, "tokens_out": 0, "input_usd_per_m": 1, "output_usd_per_m": 1},
    {"tokens_in": 1, "tokens_out": 0, "input_usd_per_m": -0.1, "output_usd_per_m": 1},
    {"tokens_in": 1, "tokens_out": float("nan"), "input_usd_per_m": 1, "output_usd_per_m": 1},
    {"tokens_in": "many", "tokens_out": 1, "input_usd_per_m": 1, "output_usd_per_m": 1},
])
def test_call_cost_rejects_negative_or_non_numbers(kwargs):
    with pytest.raises(ValueError):
        call_cost(kwargs.pop("tokens_in"), kwargs.pop("tokens_out"), **kwargs)


def test_call_cost_agrees_with_what_a_sandbox_call_reports():
    """The toolkit's own cost (litellm's cost functions, catalog prices) matches the formula."""
    answer = course.ask("What is a token?", model="sandbox/frontier/gpt-4o-mini")
    expected = call_cost(answer.tokens_in, answer.tokens_out, input_usd_per_m=0.15, output_usd_per_m=0.60)
    assert math.isclose(answer.cost_usd, expected, rel_tol=1e-9)


# --------------------------------------------------------------------------- workload_table


def test_workload_table_defaults_to_the_simulated_sandbox_models():
    table = workload_table(tokens_in=1_000, tokens_out=200)
    assert list(table.columns) == WORKLOAD_COLUMNS
    assert table["simulated"].all()
    assert set(table["model"]) == set(course.models(live=False, local=False)["model"])


def test_workload_table_time_is_assumed_ttft_plus_tokens_over_speed():
    """With no sourced TTFT, the sourced default stands in (never 1 / speed), and the table says so."""
    table = workload_table(tokens_in=400, tokens_out=150).set_index("model")
    row = table.loc["sandbox/chip/llama-3.1-70b"]
    seconds, label = assumed_ttft()
    assert row["ttft_source"] == label and label.startswith("ASSUMED")
    assert math.isclose(row["ttft_s"], seconds)
    assert math.isclose(row["seconds_per_call"], seconds + 150 / 450)
    assert not math.isclose(row["ttft_s"], 1 / 450)


def test_assumed_ttft_is_the_median_of_the_independent_measured_medians():
    claims = course.load("provider_speed_claims")
    measured = claims[(claims["ttft_kind"] == "measured_median") & (claims["claim_type"] == "independent")]
    assert len(measured) >= 3
    seconds, label = assumed_ttft()
    assert math.isclose(seconds, float(measured["ttft_s"].median()))
    assert f"median of {len(measured)}" in label


def test_assumed_ttft_needs_measured_rows():
    from course.data._profiles import _assumed_from

    with pytest.raises(ValueError, match="no sourced default TTFT"):
        _assumed_from([{"ttft_s": "0.24", "ttft_kind": "vendor_claim", "claim_type": "vendor"}], "x.csv")
    seconds, _ = _assumed_from([{"ttft_s": str(v), "ttft_kind": "measured_median", "claim_type": "independent",
                                 "model": "m", "date": "2024-01-01", "source": "s"} for v in (0.2, 0.4, 0.9, 1.0)],
                               "x.csv")
    assert math.isclose(seconds, 0.65)


def test_workload_table_uses_a_given_ttft():
    models = pd.DataFrame([{"model": "cerebras-405b-claim", "input_usd_per_m": 6.0, "output_usd_per_m": 12.0,
                            "tokens_per_s": 969.0, "ttft_s": 0.24}])
    row = workload_table(models, tokens_in=1_000, tokens_out=969, calls_per_month=10).iloc[0]
    assert row["ttft_source"] == "given"
    assert math.isclose(row["seconds_per_call"], 1.24)
    assert math.isclose(row["usd_per_call"], (1_000 * 6 + 969 * 12) / 1e6)
    assert math.isclose(row["usd_per_month"], 10 * row["usd_per_call"])
    assert not row["simulated"]


def test_workload_table_keeps_a_given_ttft_source_and_fills_only_the_missing():
    models = pd.DataFrame([
        {"model": "measured", "tokens_per_s": 100.0, "ttft_s": 0.3, "ttft_source": "LLMPerf median"},
        {"model": "unknown", "tokens_per_s": 100.0},
    ])
    table = workload_table(models, tokens_in=10, tokens_out=100).set_index("model")
    assert table.loc["measured", "ttft_source"] == "LLMPerf median"
    assert math.isclose(table.loc["measured", "seconds_per_call"], 1.3)
    assert table.loc["unknown", "ttft_source"].startswith("ASSUMED")


def test_workload_table_monthly_bill_of_the_module_batch_job():
    """Module 06, C3 (and 07, C2): 200,000 calls of 3,000 in and 300 out on the $3/M aggregator 405B: $1,980."""
    table = workload_table(tokens_in=3_000, tokens_out=300, calls_per_month=200_000).set_index("model")
    assert math.isclose(table.loc["sandbox/aggregator/llama-3.1-405b", "usd_per_month"], 1_980.0)
    assert math.isclose(table.loc["sandbox/gpucloud/llama-3.1-405b", "usd_per_month"], 2_310.0)


def test_workload_table_leaves_unknown_numbers_as_nan():
    row = workload_table([{"model": "mystery"}], tokens_in=10, tokens_out=10).iloc[0]
    assert math.isnan(row["usd_per_call"]) and math.isnan(row["seconds_per_call"])


def test_workload_table_rejects_bad_inputs():
    with pytest.raises(ValueError, match="tokens_out"):
        workload_table(tokens_in=10, tokens_out=-5)
    with pytest.raises(ValueError, match="'model' column"):
        workload_table([{"name": "x"}], tokens_in=10, tokens_out=10)


def test_workload_table_does_not_change_the_table_passed_in():
    models = pd.DataFrame([{"model": "m", "input_usd_per_m": 1.0, "output_usd_per_m": 2.0, "tokens_per_s": 10.0}])
    before = models.copy()
    workload_table(models, tokens_in=1, tokens_out=1)
    pd.testing.assert_frame_equal(models, before)


# --------------------------------------------------------------------------- landscape and plot


def test_provider_landscape_labels_every_provider_and_claim():
    table = provider_landscape()
    assert len(table) == len(course.load("provider_speed_claims"))
    assert "other" not in set(table["kind"]), "every provider in the dataset should have a kind"
    kinds = dict(zip(table["provider"], table["kind"], strict=True))
    assert kinds["Groq"] == "custom chip (LPU)"
    assert kinds["Cerebras"].startswith("custom chip")
    assert set(table["claim_type"].astype(str)) == {"vendor", "independent"}
    assert table["tokens_per_s"].is_monotonic_decreasing


def test_plot_speed_claims_draws_one_hatched_bar_per_vendor_claim():
    table = provider_landscape()
    fig, ax = plt.subplots()
    assert plot_speed_claims(ax=ax) is ax
    assert len(ax.patches) == len(table)
    hatched = sum(bool(p.get_hatch()) for p in ax.patches)
    assert hatched == int((table["claim_type"].astype(str) == "vendor").sum())
    assert ax.get_xscale() == "log"


# --------------------------------------------------------------------------- comparison_models


def test_comparison_models_without_keys_are_sandbox_models(monkeypatch):
    monkeypatch.setattr("course.llm._models.keyed_providers", lambda: [])
    monkeypatch.setattr("course.llm._models.local_server", lambda: None)
    names = comparison_models(limit=3)
    assert names == course.models(live=False, local=False)["model"].tolist()[:3]


def test_comparison_models_use_keyed_providers_cheap_defaults(monkeypatch):
    """With keys, the same notebook cell compares real cheap models (no key is ever returned)."""
    from course.llm._providers import DEFAULT_MODELS

    monkeypatch.delenv("COURSE_LLM_BACKEND", raising=False)
    monkeypatch.setattr("course.llm._models.keyed_providers", lambda: ["groq", "deepseek"])
    monkeypatch.setattr("course.llm._models.local_server", lambda: None)
    assert comparison_models() == [DEFAULT_MODELS["groq"], DEFAULT_MODELS["deepseek"]]


def test_comparison_models_forced_sandbox_ignores_keys(monkeypatch):
    monkeypatch.setenv("COURSE_LLM_BACKEND", "sandbox")
    monkeypatch.setattr("course.llm._models.keyed_providers", lambda: ["groq"])
    assert all(name.startswith("sandbox/") for name in comparison_models())


def test_comparison_models_rejects_a_zero_limit():
    with pytest.raises(ValueError, match="limit"):
        comparison_models(limit=0)


# --------------------------------------------------------------------------- widget


def test_workload_explorer_recomputes_when_an_input_changes():
    box = workload_explorer(tokens_in=3_000, tokens_out=300, calls_per_month=200_000)
    first = box.result.set_index("model")["usd_per_month"]
    assert math.isclose(first["sandbox/aggregator/llama-3.1-405b"], 1_980.0)
    assert "SIMULATED" in box.children[1].value
    box.inputs["calls_per_month"].value = 100_000
    second = box.result.set_index("model")["usd_per_month"]
    assert math.isclose(second["sandbox/aggregator/llama-3.1-405b"], 990.0)
    assert box.figure is not None and len(box.children[2].outputs) == 1


# --------------------------------------------------------------------------- public API


def test_module_04_names_are_public():
    for name in ("call_cost", "workload_table", "provider_landscape", "plot_speed_claims",
                 "comparison_models", "workload_explorer"):
        assert name in course.__all__
        assert callable(getattr(course, name))
