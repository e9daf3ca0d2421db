"""Tests for module 08 (strategy): self-host or API calculators, the calculator widget and the evaluation harness."""

from __future__ import annotations

import math

import matplotlib
import pytest

import course
from course.calculators import _strategy
from course.data import _eval_tasks as _evaluate
from course.llm.servers._answers import answer_for

matplotlib.use("Agg")

GPU = dict(gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000.0, utilisation=0.5)
ONE_GPU_MONTH_TOKENS = 1_000 * 0.5 * 3_600 * 730  # 1.314 billion


# --------------------------------------------------------------------------- self_host_cost


def test_one_busy_gpu_costs_730_hours_of_its_price():
    cost = course.self_host_cost(ONE_GPU_MONTH_TOKENS, **GPU)
    assert cost.gpus == pytest.approx(1.0)
    assert cost.total_usd == pytest.approx(1_460.0)
    assert cost.usd_per_m == pytest.approx(1_460.0 / 1_314.0)


def test_small_volume_still_pays_for_the_gpus_that_hold_the_model():
    cost = course.self_host_cost(100_000_000, min_gpus=2, **GPU)
    assert cost.gpus == 2
    assert cost.total_usd == pytest.approx(2 * 730 * 2.0)
    assert cost.usd_per_m == pytest.approx(2_920.0 / 100)


def test_gpu_hours_grow_with_volume_above_the_minimum():
    cost = course.self_host_cost(3 * ONE_GPU_MONTH_TOKENS, min_gpus=2, overhead_monthly_usd=1_000, **GPU)
    assert cost.gpus == pytest.approx(3.0)
    assert cost.total_usd == pytest.approx(3 * 1_460 + 1_000)


def test_lower_utilisation_needs_more_gpus():
    busy = course.self_host_cost(5e9, gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000, utilisation=1.0)
    idle = course.self_host_cost(5e9, gpu_hourly_usd=2.0, tokens_per_s_per_gpu=1_000, utilisation=0.25)
    assert idle.gpus == pytest.approx(4 * busy.gpus)


def test_zero_volume_has_no_price_per_token():
    assert math.isinf(course.self_host_cost(0, **GPU).usd_per_m)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(utilisation=50), "fraction"),
        (dict(utilisation=0), "positive"),
        (dict(tokens_per_s_per_gpu=0), "positive"),
        (dict(min_gpus=1.5), "whole"),
        (dict(gpu_hourly_usd=-1), "negative"),
        (dict(overhead_monthly_usd=-5), "negative"),
    ],
)
def test_bad_self_host_inputs_raise_clear_errors(kwargs, message):
    options = {**GPU, **kwargs}
    with pytest.raises(ValueError, match=message):
        course.self_host_cost(1e9, **options)


# --------------------------------------------------------------------------- breakeven_tokens


def test_breakeven_inside_the_first_gpus_is_fixed_cost_over_api_price():
    assert course.breakeven_tokens(2.0, **GPU) == pytest.approx(730e6)


def test_at_the_breakeven_both_options_cost_the_same():
    for price, overhead in [(2.0, 0.0), (1.5, 20_000.0), (5.0, 3_000.0)]:
        volume = course.breakeven_tokens(price, overhead_monthly_usd=overhead, min_gpus=2, **GPU)
        own = course.self_host_cost(volume, overhead_monthly_usd=overhead, min_gpus=2, **GPU)
        assert own.total_usd == pytest.approx(volume / 1e6 * price)


def test_breakeven_beyond_the_first_gpus_uses_the_per_token_margin():
    volume = course.breakeven_tokens(1.5, overhead_monthly_usd=20_000, **GPU)
    gpu_per_token = 1_460 / ONE_GPU_MONTH_TOKENS
    assert volume == pytest.approx(20_000 / (1.5e-6 - gpu_per_token))
    assert volume > ONE_GPU_MONTH_TOKENS


def test_self_hosting_never_wins_when_busy_gpus_cost_more_per_token_than_the_api():
    assert course.breakeven_tokens(1.0, **GPU) is None


def test_self_hosting_stays_cheaper_past_the_breakeven():
    volume = course.breakeven_tokens(1.5, overhead_monthly_usd=20_000, min_gpus=2, **GPU)
    table = course.cost_curves([volume * f for f in (0.5, 0.99, 1.01, 2, 10, 100)], api_usd_per_m=1.5,
                               overhead_monthly_usd=20_000, min_gpus=2, **GPU)
    assert table["cheaper"].tolist() == ["api", "api", "self-host", "self-host", "self-host", "self-host"]


def test_breakeven_rises_as_api_prices_fall_until_self_hosting_never_pays():
    table = course.breakeven_over_time(4.0, annual_decline=0.9, months=25, **GPU)
    volumes = table["breakeven_tokens"]
    assert volumes.iloc[0] == pytest.approx(365e6)
    assert table.loc[12, "api_usd_per_m"] == pytest.approx(0.4)
    assert volumes.dropna().is_monotonic_increasing
    assert math.isnan(volumes.iloc[12])


def test_falling_gpu_prices_pull_the_breakeven_down():
    flat = course.breakeven_over_time(4.0, annual_decline=0.0, months=13, **GPU)
    cheaper = course.breakeven_over_time(4.0, annual_decline=0.0, gpu_annual_decline=0.3, months=13, **GPU)
    assert cheaper.loc[12, "breakeven_tokens"] == pytest.approx(0.7 * flat.loc[12, "breakeven_tokens"])


def test_api_monthly_cost_prices_input_and_output_separately():
    cost = course.api_monthly_cost(1_000, tokens_in=1_000, tokens_out=500,
                                   input_usd_per_m=3, output_usd_per_m=15)
    assert cost == pytest.approx(1_000 * 0.0105)


def test_blended_price_uses_the_3_to_1_convention():
    assert course.blended_price(0.04, 0.15) == pytest.approx(0.0675)
    assert course.blended_price(1, 3, input_share=0.5) == pytest.approx(2)
    with pytest.raises(ValueError, match="input_share"):
        course.blended_price(1, 3, input_share=1.5)


# --------------------------------------------------------------------------- plot and widget


def test_plot_marks_the_breakeven_and_the_workload():
    ax = course.plot_self_host(api_usd_per_m=2.0, monthly_tokens=5e8, **GPU)
    labels = [line.get_label() for line in ax.get_lines()]
    assert any("break-even: 730M" in label for label in labels)
    assert any("your workload: 500M" in label for label in labels)
    assert ax.get_xscale() == "log"


def test_calculator_recomputes_when_an_input_changes():
    calc = course.self_host_calculator(api_usd_per_m=2.0, min_gpus=1, monthly_tokens=1e9)
    assert calc.result["breakeven_tokens"] == pytest.approx(730e6)
    assert "self-hosting is cheaper" in calc.children[1].value
    assert "ASSUMPTION" in calc.children[1].value
    assert calc.figure is not None
    calc.inputs["api_usd_per_m"].value = 1.0
    assert calc.result["breakeven_tokens"] is None
    assert "never cheaper" in calc.children[1].value


# --------------------------------------------------------------------------- evaluation harness


def test_task_ids_are_unique_and_every_correct_answer_passes_its_own_check():
    tasks = course.eval_tasks()
    assert tasks["task_id"].is_unique and len(tasks) >= 10
    for task in _evaluate.TASKS:
        assert course.check_answer(task, task.answer), task.task_id
        assert not course.check_answer(task, task.wrong), task.task_id


@pytest.mark.parametrize(
    "task_id, reply, ok",
    [
        ("gpu-month", "The month costs $1,460.", True),
        ("gpu-month", "48", False),
        ("gpu-month", "no idea", False),
        ("open-weight-term", "open-weight or open-source", False),
        ("open-weight-term", "Open-source", False),
        ("mistral-7b-licence", "Apache-2.0", True),
    ],
)
def test_answer_checking(task_id, reply, ok):
    assert course.check_answer(task_id, reply) is ok


def test_simulated_skill_decides_each_answer():
    task = next(t for t in _evaluate.TASKS if t.task_id == "open-weight-term")
    assert _evaluate.SIMULATED_SKILL["llama-3.1-405b"] >= task.difficulty > _evaluate.SIMULATED_SKILL["gpt-4o-mini"]
    assert answer_for(task.prompt(), model="gpucloud/llama-3.1-405b") == "[sandbox] open-weight"
    assert answer_for(task.prompt(), model="frontier/gpt-4o-mini") == "[sandbox] open-source"


def test_glossary_answers_are_unchanged_for_other_prompts():
    assert answer_for("What is a token?", model="chip/llama-3.1-8b").startswith("[sandbox] A token is")


def test_sandbox_evaluation_is_deterministic_and_ranks_models_by_skill():
    models = ["sandbox/chip/llama-3.1-8b", "sandbox/chip/llama-3.1-70b",
              "sandbox/gpucloud/llama-3.1-405b", "sandbox/aggregator/llama-3.1-405b"]
    first = course.evaluate(models)
    again = course.evaluate(models)
    assert first.drop(columns="mean_latency_s").equals(again.drop(columns="mean_latency_s"))
    assert first["simulated"].all()
    assert first["accuracy"].tolist() == pytest.approx([6 / 15, 12 / 15, 14 / 15, 14 / 15])
    # the same weights at two providers: same answers, different prices
    assert first.loc[2, "correct"] == first.loc[3, "correct"]
    assert first.loc[2, "cost_usd"] > first.loc[3, "cost_usd"]
    assert first["cost_per_correct_usd"].tolist() == pytest.approx(
        (first["cost_usd"] / first["correct"]).tolist())


def test_a_failing_model_keeps_its_row_and_scores_nothing():
    table = course.evaluate(["sandbox/chip/llama-3.1-8b", "sandbox/nowhere/x"], ["per-thousand"])
    broken = table.iloc[1]
    assert broken["errors"] == 1 and broken["correct"] == 0
    assert math.isnan(broken["cost_per_correct_usd"])


def test_per_task_rows_show_each_reply():
    rows = course.evaluate("sandbox/chip/llama-3.1-8b", ["fold-280", "per-thousand"], per_task=True)
    assert rows["reply"].tolist() == ["[sandbox] 280", "[sandbox] 60"]
    assert rows["correct"].tolist() == [False, True]


def test_unknown_task_or_no_model_raise():
    with pytest.raises(ValueError, match="unknown task"):
        course.evaluate(["sandbox/chip/llama-3.1-8b"], ["nope"])
    with pytest.raises(ValueError, match="at least one model"):
        course.evaluate([])


def test_strategy_module_exports_what_the_api_lists():
    for name in ("self_host_cost", "breakeven_tokens", "breakeven_over_time", "cost_curves"):
        assert course._API[name] == "course.calculators._strategy"
        assert name in _strategy.__all__
