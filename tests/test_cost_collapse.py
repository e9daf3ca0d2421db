"""Module 01's toolkit: price declines, projections, break-even, model memory, plots and the calculator.

Figures come from shared/facts.md (AI Index 2025, a16z "LLMflation", Epoch AI, OpenAI price pages).
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import course  # noqa: E402
from course.calculators import _cost_collapse  # noqa: E402
from course.calculators._cost_collapse import (  # noqa: E402
    annual_decline_rate,
    annual_fold_decline,
    bill_over_time,
    break_even_month,
    bytes_per_parameter,
    decline_rate_from_fold,
    decline_rate_from_halving_months,
    fold_decline,
    fold_from_decline_rate,
    halving_time_months,
    model_memory_gb,
    project_price,
)
from course.plots import _cost_collapse as _cost_collapse_plots  # noqa: E402
from course.plots._cost_collapse import plot_bill, plot_price_history  # noqa: E402
from course.widgets import _cost_collapse as _cost_collapse_widgets  # noqa: E402
from course.widgets._cost_collapse import cost_calculator  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- fold decline


def test_ai_index_decline_is_more_than_280_fold():
    """$20/M (Nov 2022) to $0.07/M (Oct 2024) is ~285.7x, the AI Index's 'more than 280-fold'."""
    fold = fold_decline(20.0, 0.07)
    assert fold > 280
    assert math.isclose(fold, 285.714, rel_tol=1e-4)


def test_fold_decline_below_one_when_price_rose():
    """gpt-3.5-turbo ($2/M) to gpt-4 8K input ($30/M): the frontier price rose 15x."""
    assert math.isclose(fold_decline(2.0, 30.0), 1 / 15)


@pytest.mark.parametrize("old, new", [(0, 1), (1, 0), (-1, 1), (1, -0.5), (float("nan"), 1)])
def test_fold_decline_rejects_non_positive_prices(old, new):
    with pytest.raises(ValueError, match="positive"):
        fold_decline(old, new)


# --------------------------------------------------------------------------- annual rates


def test_ten_x_per_year_is_ninety_percent_decline():
    assert math.isclose(decline_rate_from_fold(10), 0.9)
    assert math.isclose(fold_from_decline_rate(0.9), 10)


def test_llmflation_thousand_fold_in_three_years_is_ten_x_per_year():
    """a16z: GPT-3 at $60/M to Llama 3.2 3B at $0.06/M, 1,000x in 3 years, is 10x a year."""
    assert math.isclose(annual_fold_decline(60, 0.06, years=3), 10)
    assert math.isclose(annual_decline_rate(60, 0.06, years=3), 0.9)


def test_annual_rate_from_dates_matches_rate_from_years():
    by_dates = annual_decline_rate(20, 0.07, start="2022-11-30", end="2024-10-03")
    years = (pd.Timestamp("2024-10-03") - pd.Timestamp("2022-11-30")).days / 365.25
    assert math.isclose(by_dates, annual_decline_rate(20, 0.07, years=years))
    assert 0.95 < by_dates < 0.96  # about 21.5x a year over the ~23 months


@pytest.mark.parametrize(
    "start, end",
    [
        ("2022-11-30", "2024-10-03"),
        (dt.date(2022, 11, 30), dt.date(2024, 10, 3)),
        (dt.datetime(2022, 11, 30), dt.datetime(2024, 10, 3)),
        (pd.Timestamp("2022-11-30"), pd.Timestamp("2024-10-03")),
    ],
)
def test_annual_rate_accepts_strings_dates_datetimes_and_timestamps(start, end):
    assert math.isclose(
        annual_fold_decline(20, 0.07, start=start, end=end),
        annual_fold_decline(20, 0.07, start="2022-11-30", end="2024-10-03"),
    )


def test_annual_rate_is_negative_when_price_rose():
    assert math.isclose(annual_decline_rate(1, 2, years=1), -1.0)


def test_end_date_before_start_date_is_an_error():
    with pytest.raises(ValueError, match="after start"):
        annual_decline_rate(20, 0.07, start="2024-10-03", end="2022-11-30")


def test_same_start_and_end_date_is_an_error():
    with pytest.raises(ValueError, match="after start"):
        annual_decline_rate(20, 0.07, start="2024-10-03", end="2024-10-03")


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"start": "2022-11-30"}, {"years": 2, "start": "2022-11-30", "end": "2024-10-03"}],
)
def test_period_must_be_years_or_two_dates(kwargs):
    with pytest.raises(ValueError, match="years"):
        annual_decline_rate(20, 0.07, **kwargs)


def test_unreadable_date_is_an_error():
    with pytest.raises(ValueError, match="not a date"):
        annual_decline_rate(20, 0.07, start="last autumn", end="2024-10-03")


@pytest.mark.parametrize("years", [0, -1])
def test_non_positive_years_is_an_error(years):
    with pytest.raises(ValueError, match="years"):
        annual_decline_rate(20, 0.07, years=years)


def test_epoch_range_nine_to_nine_hundred_x_is_89_to_99_9_percent():
    """Epoch AI: prices fell 9x to 900x a year depending on the task."""
    assert math.isclose(decline_rate_from_fold(9), 8 / 9)
    assert math.isclose(decline_rate_from_fold(900), 1 - 1 / 900)


def test_decline_rate_of_one_or_a_percentage_is_an_error():
    with pytest.raises(ValueError, match="0.9"):
        fold_from_decline_rate(90)
    with pytest.raises(ValueError, match="below 1"):
        fold_from_decline_rate(1.0)


# --------------------------------------------------------------------------- halving time


def test_halving_time_of_ten_x_per_year_is_about_3_6_months():
    assert math.isclose(halving_time_months(0.9), 3.61, abs_tol=0.01)


def test_halving_time_of_fifty_percent_a_year_is_twelve_months():
    assert math.isclose(halving_time_months(0.5), 12)


def test_hardware_thirty_percent_a_year_halves_in_about_23_months():
    """AI Index 2025: ML hardware cost at fixed performance falls about 30% a year."""
    assert math.isclose(halving_time_months(0.3), 23.3, abs_tol=0.05)


@pytest.mark.parametrize("rate", [0, -0.1, 1, 1.5])
def test_halving_time_needs_a_falling_price(rate):
    with pytest.raises(ValueError):
        halving_time_months(rate)


def test_doubling_every_two_years_is_about_29_percent_a_year():
    """The usual statement of Moore's law, turned into a cost decline."""
    assert math.isclose(decline_rate_from_halving_months(24), 0.293, abs_tol=5e-4)


@pytest.mark.parametrize("rate", [0.3, 0.9, 0.99])
def test_halving_time_and_its_inverse_round_trip(rate):
    assert math.isclose(decline_rate_from_halving_months(halving_time_months(rate)), rate)


# --------------------------------------------------------------------------- projections


def test_price_after_a_year_at_ten_x_is_a_tenth():
    assert math.isclose(project_price(2.0, annual_decline=0.9, months=12), 0.2)


def test_price_after_zero_months_is_unchanged():
    assert project_price(2.0, annual_decline=0.9, months=0) == 2.0


def test_projected_price_falls_geometrically_between_years():
    half_year = project_price(1.0, annual_decline=0.9, months=6)
    assert math.isclose(half_year, 0.1**0.5)


def test_project_price_is_keyword_only():
    with pytest.raises(TypeError):
        project_price(2.0, 0.9, 12)  # type: ignore[misc]


@pytest.mark.parametrize(
    "price, rate, months", [(-1, 0.9, 12), (1, 0.9, -1), (1, 1.0, 12), (1, 90, 12)]
)
def test_project_price_rejects_bad_input(price, rate, months):
    with pytest.raises(ValueError):
        project_price(price, annual_decline=rate, months=months)


def test_bill_over_time_has_one_row_per_month_and_documented_columns():
    bill = bill_over_time(100_000_000, 2.0, annual_decline=0.9)
    assert list(bill.columns) == ["month", "price_usd_per_m", "bill_usd"]
    assert bill["month"].tolist() == list(range(36))


def test_bill_starts_at_todays_bill_and_falls_ten_x_in_a_year():
    bill = bill_over_time(100_000_000, 2.0, annual_decline=0.9, months=13)
    assert math.isclose(bill.loc[0, "bill_usd"], course.monthly_bill(100_000_000, 2.0))
    assert math.isclose(bill.loc[12, "bill_usd"], 20.0)
    assert bill["bill_usd"].is_monotonic_decreasing


def test_bill_with_no_decline_is_flat():
    bill = bill_over_time(1_000_000, 5.0, annual_decline=0.0, months=4)
    assert bill["bill_usd"].tolist() == [5.0] * 4


@pytest.mark.parametrize("months", [0, -3, 2.5, True])
def test_bill_months_must_be_a_positive_whole_number(months):
    with pytest.raises(ValueError, match="months"):
        bill_over_time(1_000_000, 5.0, annual_decline=0.5, months=months)


def test_bill_rejects_negative_tokens_and_prices():
    with pytest.raises(ValueError, match="negative"):
        bill_over_time(-1, 5.0, annual_decline=0.5)
    with pytest.raises(ValueError, match="negative"):
        bill_over_time(1, -5.0, annual_decline=0.5)


# --------------------------------------------------------------------------- break-even

BASE_CASE = dict(
    calls_per_month=10_000, tokens_per_call=2_000, price_per_m=10.0, annual_decline=0.9
)


def test_break_even_is_zero_when_already_viable():
    assert break_even_month(**BASE_CASE, value_per_call=0.05) == 0


def test_break_even_when_price_must_fall_four_fold_at_ten_x_a_year():
    """2,000 tokens at $10/M cost $0.02; worth $0.005 needs 4x, i.e. 7.2 months: month 8."""
    assert break_even_month(**BASE_CASE, value_per_call=0.005) == 8


def test_break_even_is_none_when_value_never_reached():
    case = {**BASE_CASE, "annual_decline": 0.0}
    assert break_even_month(**case, value_per_call=0.005) is None


def test_break_even_is_none_when_beyond_the_horizon():
    """A 1,000x fall takes three years at 10x a year: not within 24 months, found within 40."""
    assert break_even_month(**BASE_CASE, value_per_call=0.02 / 1000, horizon_months=24) is None
    assert break_even_month(**BASE_CASE, value_per_call=0.02 / 1000, horizon_months=40) == 36


def test_break_even_on_an_exact_month_counts_that_month():
    """Cost per call falls exactly to the value at month 12: that month counts ('to or below')."""
    assert break_even_month(**BASE_CASE, value_per_call=0.002) == 12


def test_break_even_matches_the_first_month_cost_per_call_is_below_value():
    bill = bill_over_time(20_000_000, 10.0, annual_decline=0.9)
    cost_per_call = bill["price_usd_per_m"] * 2_000 / 1e6
    expected = int(bill.loc[cost_per_call <= 0.003, "month"].iloc[0])
    assert break_even_month(**BASE_CASE, value_per_call=0.003) == expected


def test_fixed_monthly_cost_delays_break_even():
    plain = break_even_month(**BASE_CASE, value_per_call=0.005)
    with_fixed = break_even_month(**BASE_CASE, value_per_call=0.005, fixed_monthly_usd=20.0)
    assert with_fixed is not None and with_fixed > plain


def test_break_even_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        break_even_month(10_000, 2_000, 10.0, 0.9, 0.005)  # type: ignore[misc]


@pytest.mark.parametrize(
    "change",
    [
        {"calls_per_month": 0},
        {"tokens_per_call": -5},
        {"price_per_m": -1},
        {"annual_decline": 1.0},
        {"value_per_call": -0.01},
        {"horizon_months": 0},
    ],
)
def test_break_even_rejects_bad_input(change):
    case = {**BASE_CASE, "value_per_call": 0.005, **change}
    with pytest.raises(ValueError):
        break_even_month(**case)


# --------------------------------------------------------------------------- memory


def test_bytes_per_parameter_at_fp16_int8_int4():
    assert [bytes_per_parameter(p) for p in ("fp16", "int8", "int4")] == [2.0, 1.0, 0.5]
    assert bytes_per_parameter("FP16") == 2.0
    assert bytes_per_parameter(4) == 0.5


@pytest.mark.parametrize(
    "precision, expected",
    [("fp16", [16, 140, 810]), ("int8", [8, 70, 405]), ("int4", [4, 35, 202.5])],
)
def test_memory_of_8b_70b_405b_at_each_precision(precision, expected):
    got = [model_memory_gb(n, precision=precision) for n in (8, 70, 405)]
    assert got == pytest.approx(expected)


def test_memory_of_70b_at_int4_is_35_gb():
    assert model_memory_gb(70, precision="int4") == pytest.approx(35.0)


def test_memory_gb_is_decimal_not_gib():
    """GB is 10**9 bytes: 8B parameters at FP16 are 16e9 bytes = 16 GB (about 14.9 GiB)."""
    assert model_memory_gb(8) == pytest.approx(16e9 / 1e9)


def test_memory_overhead_adds_a_fraction():
    assert model_memory_gb(70, precision="int8", overhead=0.2) == pytest.approx(84.0)


@pytest.mark.parametrize("precision", ["int3", "half", 0, -8, True])
def test_unknown_precision_is_an_error(precision):
    with pytest.raises(ValueError):
        model_memory_gb(8, precision=precision)


@pytest.mark.parametrize("kwargs", [{"params_billion": 0}, {"params_billion": -7}, {"params_billion": 8, "overhead": -0.1}])
def test_memory_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError):
        model_memory_gb(**kwargs)


# --------------------------------------------------------------------------- plots


@pytest.fixture
def small_history():
    """A small frame in the shape of price_history (values from shared/facts.md section 2)."""
    return pd.DataFrame(
        {
            "model": ["gpt-3.5-turbo", "gpt-4", "gpt-4o-mini", "Gemini 1.5 Flash-8B", "open-x"],
            "provider": ["OpenAI", "OpenAI", "OpenAI", "Google", "Example"],
            "date": pd.to_datetime(
                ["2023-03-01", "2023-03-14", "2024-07-18", "2024-10-03", "2024-11-01"]
            ),
            "input_usd_per_m": [2.0, 30.0, 0.15, 0.04, 0.1],
            "output_usd_per_m": [2.0, 60.0, 0.60, 0.15, 0.1],
            "blended_usd_per_m": [2.0, 37.5, 0.2625, 0.0675, 0.1],
            "open_weights": [False, False, False, False, True],
            "mmlu": [70.0, 86.4, 82.0, 75.0, None],
        }
    )


def test_price_history_plot_is_log_scale_with_one_labelled_point_per_row(small_history):
    ax = plot_price_history(small_history)
    assert ax.get_yscale() == "log"
    labels = {t.get_text() for t in ax.texts}
    assert set(small_history["model"]) <= labels
    plotted = sum(len(c.get_offsets()) for c in ax.collections)
    assert plotted == len(small_history)


def test_price_history_plot_notes_its_source(small_history):
    ax = plot_price_history(small_history, source="Source: test data")
    assert any("Source" in t.get_text() for t in ax.texts)


def test_price_history_plot_draws_on_given_axes(small_history):
    fig, ax = plt.subplots()
    assert plot_price_history(small_history, ax=ax) is ax


def test_price_history_plot_keeps_constant_capability(small_history):
    ax = plot_price_history(small_history, min_capability=80, label=True)
    labels = {t.get_text() for t in ax.texts}
    assert {"gpt-4", "gpt-4o-mini"} <= labels
    assert "gpt-3.5-turbo" not in labels and "open-x" not in labels


def test_price_history_plot_uses_mmlu_at_least_when_present(small_history):
    """price_history names its capability column mmlu_at_least; the plot finds it by itself."""
    frame = small_history.rename(columns={"mmlu": "mmlu_at_least"})
    ax = plot_price_history(frame, min_capability=80)
    labels = {t.get_text() for t in ax.texts}
    assert {"gpt-4", "gpt-4o-mini"} <= labels and "gpt-3.5-turbo" not in labels


def test_price_history_plot_gives_points_at_the_same_place_one_label(small_history):
    twin = small_history.iloc[[4]].assign(model="open-y")
    ax = plot_price_history(pd.concat([small_history, twin], ignore_index=True))
    assert "open-x\nopen-y" in {t.get_text() for t in ax.texts}


def test_price_history_labels_stay_inside_the_axes_when_there_is_room(small_history):
    ax = plot_price_history(small_history)
    fig = ax.figure
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    for text in ax.texts:
        if text.get_text() in set(small_history["model"]):
            box = text.get_window_extent(renderer)
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1 + 1, text.get_text()


def test_price_history_plot_missing_column_is_an_error(small_history):
    with pytest.raises(ValueError, match="column"):
        plot_price_history(small_history, price="no_such_price")


def test_price_history_plot_loads_the_dataset_by_default():
    try:
        from course.data._datasets import load

        frame = load("price_history")
    except Exception as err:  # the dataset is built in another issue
        pytest.skip(f"price_history not available yet: {err}")
    ax = plot_price_history()
    assert ax.get_yscale() == "log"
    assert len(ax.texts) >= len(frame[frame["blended_usd_per_m"] > 0])


def test_bill_plot_marks_break_even_month():
    bill = bill_over_time(100_000_000, 2.0, annual_decline=0.9)
    ax = plot_bill(bill, break_even=8, monthly_value=50.0)
    vertical = [ln for ln in ax.lines if list(ln.get_xdata()) == [8, 8]]
    assert vertical, "expected a vertical line at month 8"
    assert "break-even: month 8" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_bill_plot_draws_on_given_axes_and_returns_them():
    fig, ax = plt.subplots()
    assert plot_bill(bill_over_time(1e6, 1.0, annual_decline=0.5), ax=ax) is ax


# --------------------------------------------------------------------------- the calculator


def test_calculator_computes_bill_and_break_even_on_construction():
    calc = cost_calculator()
    assert calc.result["error"] is None
    assert len(calc.result["bill"]) == 36
    assert calc.result["break_even_month"] == 8
    assert "month 8" in calc.children[1].value


def test_calculator_recomputes_when_an_input_changes():
    calc = cost_calculator()
    first_bill = calc.result["bill"]
    calc.inputs["annual_decline"].value = 0.0
    assert calc.result["break_even_month"] is None
    assert "Does not break even" in calc.children[1].value
    calc.inputs["price_per_m"].value = 20.0
    assert calc.result["bill"].loc[0, "bill_usd"] == pytest.approx(10 * first_bill.loc[0, "bill_usd"])


def test_calculator_agrees_with_the_calculators():
    calc = cost_calculator(monthly_tokens=5e7, price_per_m=3.0, annual_decline=0.7,
                           tokens_per_call=1_000, value_per_call=0.0005)
    expected = break_even_month(calls_per_month=5e4, tokens_per_call=1_000, price_per_m=3.0,
                                annual_decline=0.7, value_per_call=0.0005)
    assert calc.result["break_even_month"] == expected
    pd.testing.assert_frame_equal(calc.result["bill"],
                                  bill_over_time(5e7, 3.0, annual_decline=0.7))


def test_calculator_plot_updates_when_an_input_changes():
    calc = cost_calculator()
    plot = calc.children[2]
    before = plot.outputs[0]["data"]["image/png"]
    calc.inputs["value_per_call"].value = 0.1
    after = plot.outputs[0]["data"]["image/png"]
    assert len(plot.outputs) == 1 and after != before


def test_calculator_reports_bad_input_instead_of_raising():
    calc = cost_calculator()
    calc.inputs["annual_decline"].max = 1.0
    calc.inputs["annual_decline"].value = 1.0
    assert calc.result["error"] and "below 1" in calc.result["error"]
    assert "Check the inputs" in calc.children[1].value


# --------------------------------------------------------------------------- package


def test_public_names_are_exported_by_course():
    for module in (_cost_collapse, _cost_collapse_plots, _cost_collapse_widgets):
        for name in module.__all__:
            assert name in course.__all__
            assert getattr(course, name) is getattr(module, name)


def test_importing_course_does_not_import_matplotlib_or_ipywidgets():
    code = (
        "import sys, course; course.fold_decline(20, 0.07); course.model_memory_gb(8);"
        "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

