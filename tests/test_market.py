"""Modules 04–05's toolkit: providers per model, price spreads, the open/closed ratio, frontiers,
switching savings, the plots and the savings widget.

Catalog figures are computed from the shipped price_catalog, so a data refresh does not break them.
"""

from __future__ import annotations

import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import course  # noqa: E402
from course.calculators import _market  # noqa: E402
from course.calculators._market import (  # noqa: E402
    cheapest_compliant,
    cheapest_per_provider,
    dominated,
    illustrative_models,
    illustrative_workload,
    open_closed_price_ratio,
    pareto_frontier,
    price_spread,
    providers_per_model,
    switching_savings,
)
from course.plots import _market as _market_plots  # noqa: E402
from course.plots._market import (  # noqa: E402
    plot_frontier,
    plot_price_dispersion,
    plot_savings,
)
from course.widgets import _market as _market_widgets  # noqa: E402
from course.widgets._market import (  # noqa: E402
    savings_explorer,
)

CATALOG = course.load("price_catalog")


def tiny_catalog() -> pd.DataFrame:
    """Two providers list model M (one of them twice); one sells closed model C."""
    return pd.DataFrame({
        "provider": ["p1", "p1", "p2", "dev"],
        "canonical_model": ["M", "M", "M", "C"],
        "open_weights": [True, True, True, False],
        "blended_usd_per_m": [1.0, 9.0, 3.0, 10.0],
    })


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------- catalog measures


def test_a_provider_counts_once_at_its_cheapest_listing():
    """A provider listing a model twice keeps only its cheaper listing."""
    rows = cheapest_per_provider(tiny_catalog(), "M")
    assert list(rows["provider"]) == ["p1", "p2"]
    assert list(rows["blended_usd_per_m"]) == [1.0, 3.0]


def test_providers_per_model_counts_distinct_providers():
    """Two listings by one provider count as one provider."""
    table = providers_per_model(tiny_catalog())
    assert table.loc["M", "n_providers"] == 2
    assert table.loc["C", "n_providers"] == 1
    assert list(table.index) == ["M", "C"], "most providers first"
    assert not table.loc["C", "open_weights"] and table.loc["M", "open_weights"]


def test_providers_per_model_leaves_out_resold_listings():
    """A gateway reselling a model does not count as one more provider of it."""
    tiny = tiny_catalog().assign(resells=[False, False, False, False])
    gateway = pd.DataFrame({"provider": ["gw"], "canonical_model": ["M"], "open_weights": [True],
                            "blended_usd_per_m": [2.0], "resells": [True]})
    table = providers_per_model(pd.concat([tiny, gateway], ignore_index=True))
    assert table.loc["M", "n_providers"] == 2


def test_providers_per_model_counts_the_catalogs_own_sellers():
    """On the shipped catalog the count equals the distinct non-resold providers of each model."""
    live = CATALOG[~CATALOG["resells"].astype(bool)]
    expected = live.groupby("canonical_model", observed=True)["provider"].nunique()
    table = providers_per_model(CATALOG)
    assert table["n_providers"].to_dict() == expected[expected > 0].to_dict()
    resold = CATALOG[CATALOG["resells"].astype(bool) & (CATALOG["canonical_model"] == "Llama 3.3 70B")]
    assert len(resold) > 0 and table.loc["Llama 3.3 70B", "n_providers"] < \
        CATALOG.loc[CATALOG["canonical_model"] == "Llama 3.3 70B", "provider"].nunique()


def test_open_models_have_more_providers_than_closed_at_the_median():
    """Open-weight models are sold by more providers than closed ones at the median."""
    table = providers_per_model(CATALOG)
    medians = table.groupby("open_weights")["n_providers"].median()
    assert medians[True] > medians[False]


def test_price_spread_ignores_a_providers_dearer_listing():
    """The spread is max/min over providers' cheapest listings, not over all listings."""
    assert price_spread(tiny_catalog(), "M") == pytest.approx(3.0)
    # gpt-4o: OpenAI lists an older, dearer snapshot; one provider means no spread.
    assert price_spread(CATALOG, "gpt-4o") == 1.0


def test_price_spread_is_dearest_over_cheapest_provider_price():
    """Llama 3.3 70B and DeepSeek-R1: max / min of each provider's cheapest listing in the catalog."""
    for model in ["Llama 3.3 70B", "DeepSeek-R1"]:
        rows = CATALOG[CATALOG["canonical_model"] == model]
        per_provider = rows.groupby("provider", observed=True)["blended_usd_per_m"].min()
        assert price_spread(None, model) == pytest.approx(per_provider.max() / per_provider.min())
        assert price_spread(None, model) > 1


def test_price_spread_rejects_an_unknown_model_with_a_hint():
    """A misspelt model name raises ValueError suggesting canonical names."""
    with pytest.raises(ValueError, match="canonical_model"):
        price_spread(CATALOG, "llama-3.3-70b")


def test_open_closed_ratio_is_the_ratio_of_median_model_prices():
    """The ratio is the median open model's median price over the median closed model's."""
    ratio, medians = open_closed_price_ratio(CATALOG, detail=True)
    sellers = CATALOG[~CATALOG["resells"].astype(bool)]
    per_model = sellers.groupby(["canonical_model", "open_weights"])["blended_usd_per_m"].median()
    by_kind = per_model.groupby(level="open_weights").median()
    assert medians["open"] == pytest.approx(by_kind[True]) and medians["closed"] == pytest.approx(by_kind[False])
    assert ratio == pytest.approx(by_kind[True] / by_kind[False]) and ratio < 1
    assert medians["n_open"] + medians["n_closed"] == sellers["canonical_model"].nunique()


def test_open_closed_ratio_weights_every_model_once():
    """A model with many providers counts once: its median price, not each listing."""
    frame = pd.DataFrame({
        "provider": ["a", "b", "c", "d", "dev"],
        "canonical_model": ["O1", "O1", "O1", "O2", "C"],
        "open_weights": [True, True, True, True, False],
        "blended_usd_per_m": [1.0, 1.0, 1.0, 3.0, 4.0],
    })
    # per-model medians: O1 = 1, O2 = 3; open median 2 -> 2/4 (a median over listings would give 1/4)
    assert open_closed_price_ratio(frame) == pytest.approx(0.5)


def test_open_closed_ratio_needs_both_kinds():
    """A catalog with no closed model cannot give a ratio."""
    frame = tiny_catalog()
    with pytest.raises(ValueError, match="both"):
        open_closed_price_ratio(frame[frame["open_weights"]])


def test_catalog_functions_reject_a_frame_without_the_columns():
    """A table that is not the price catalog gets a ValueError naming the missing columns."""
    with pytest.raises(ValueError, match="missing columns"):
        providers_per_model(pd.DataFrame({"model": ["x"]}))


# ------------------------------------------------------------------- frontier


TABLE = pd.DataFrame({
    "model": ["A", "B", "C", "D", "E", "F"],
    "usd_per_m": [1.0, 2.0, 2.0, 3.0, 3.0, 0.5],
    "score": [70.0, 80.0, 78.0, 80.0, 85.0, 60.0],
})


def test_dominated_uses_at_most_as_dear_and_at_least_as_good():
    """Same price but lower score is dominated (C by B); same score but dearer is dominated (D by B)."""
    out = dominated(TABLE)
    assert set(out["model"]) == {"C", "D"}
    assert dict(zip(out["model"], out["dominated_by"], strict=True)) == {"C": "B", "D": "B"}


def test_identical_models_do_not_dominate_each_other():
    """Equal price and equal score: neither is strictly better, so both stay on the frontier."""
    twins = pd.DataFrame({"model": ["X", "Y"], "usd_per_m": [1.0, 1.0], "score": [50.0, 50.0]})
    assert dominated(twins).empty
    assert list(pareto_frontier(twins)["model"]) == ["X", "Y"]


def test_frontier_is_the_complement_of_the_dominated_set_sorted_by_price():
    """Frontier and dominated rows split the table; the frontier rises in score as price rises."""
    front = pareto_frontier(TABLE)
    assert list(front["model"]) == ["F", "A", "B", "E"]
    assert set(front["model"]) | set(dominated(TABLE)["model"]) == set(TABLE["model"])
    assert front["score"].is_monotonic_increasing


def test_frontier_accepts_other_column_names():
    """price= and quality= name the columns."""
    renamed = TABLE.rename(columns={"usd_per_m": "price", "score": "gpqa"})
    assert set(dominated(renamed, price="price", quality="gpqa")["model"]) == {"C", "D"}


def test_frontier_rejects_missing_scores():
    """A row without a score cannot be placed: ValueError, not a silent drop."""
    bad = TABLE.assign(score=[70.0, None, 78.0, 80.0, 85.0, 60.0])
    with pytest.raises(ValueError, match="number"):
        dominated(bad)
    with pytest.raises(ValueError, match="no column"):
        pareto_frontier(TABLE, quality="mmlu")


# ------------------------------------------------------------------- switching


def test_cheapest_compliant_respects_the_floor_and_the_kind():
    """The cheapest model at or above the floor; which= limits it to open or closed."""
    t = illustrative_models()
    assert cheapest_compliant(t, 85)["model"] == "Open-L"  # exactly at the floor counts
    assert cheapest_compliant(t, 85, which="closed")["model"] == "Closed-L"
    assert cheapest_compliant(t, 60, which="open")["model"] == "Open-S"
    assert cheapest_compliant(t, 91) is None
    with pytest.raises(ValueError, match="which"):
        cheapest_compliant(t, 60, which="cheap")


def test_switching_savings_per_task_and_totals():
    """Each task on its cheapest compliant model against the cheapest compliant closed model."""
    r = switching_savings(illustrative_workload(), illustrative_models())
    assert list(r.per_task["model"]) == ["Open-S", "Open-M", "Closed-L"]
    assert list(r.per_task["baseline_model"]) == ["Closed-S", "Closed-M", "Closed-L"]
    # 400M x 0.1 + 150M x 0.3 + 50M x 10 = 40 + 45 + 500; baseline 160 + 450 + 500
    assert r.cost_usd == pytest.approx(585.0)
    assert r.baseline_cost_usd == pytest.approx(1110.0)
    assert r.saving_usd == pytest.approx(525.0)
    assert r.saving_share == pytest.approx(525 / 1110)
    assert "saving" in r._repr_html_()


def test_switching_savings_accepts_a_dict_and_a_fixed_baseline_model():
    """{task: (tokens, floor)} works; baseline='Closed-L' prices every task on that model."""
    r = switching_savings({"chat": (10_000_000, 70)}, illustrative_models(), baseline="Closed-L")
    assert r.baseline_cost_usd == pytest.approx(100.0)
    assert r.cost_usd == pytest.approx(1.0)


def test_switching_savings_explains_an_unreachable_floor():
    """A floor no model meets raises ValueError naming the task."""
    with pytest.raises(ValueError, match="code review"):
        switching_savings({"code review": (1e6, 99)}, illustrative_models())
    with pytest.raises(ValueError, match="baseline"):
        switching_savings({"chat": (1e6, 70)}, illustrative_models(), baseline="Nope")


def test_switching_savings_rejects_negative_tokens():
    """Token volumes must be zero or more."""
    with pytest.raises(ValueError, match="tokens_per_month"):
        switching_savings({"chat": (-5, 70)}, illustrative_models())


def test_illustrative_models_are_labelled_and_have_invented_names():
    """Every row says it is illustrative; no real model name is given a made-up score."""
    t = illustrative_models()
    assert set(t["note"]) == {"illustrative, not real scores"}
    assert not set(t["model"]) & set(CATALOG["canonical_model"])


# ------------------------------------------------------------------- plots and widget


def test_dispersion_plot_draws_one_dot_per_provider():
    """Each model's dots are its providers; tick labels give the counts."""
    ax = plot_price_dispersion(CATALOG, ["Llama 3.3 70B"], closed=["gpt-4.1"])
    sizes = [len(c.get_offsets()) for c in ax.collections]
    expected = [len(cheapest_per_provider(CATALOG, m)) for m in ["Llama 3.3 70B", "gpt-4.1"]]
    assert sizes == expected
    assert ax.get_yscale() == "log"
    assert f"{expected[0]} providers" in ax.get_xticklabels()[0].get_text()


def test_frontier_plot_marks_dominated_models_and_shows_the_note():
    """Dominated points are drawn apart, and the illustrative label appears under the plot."""
    ax = plot_frontier(illustrative_models())
    texts = [t.get_text() for t in ax.texts]
    assert "illustrative, not real scores" in texts
    dominated_points = [c for c in ax.collections if c.get_label() == "dominated"]
    assert len(dominated_points[0].get_offsets()) == 2


def test_plot_savings_draws_two_bars_per_task():
    """Baseline and switched cost side by side."""
    r = switching_savings(illustrative_workload(), illustrative_models())
    ax = plot_savings(r)
    assert len(ax.patches) == 6
    with pytest.raises(ValueError):
        plot_savings("not a result")


def test_savings_explorer_recomputes_when_inputs_change():
    """Moving a slider changes the result; an impossible floor shows a message, not a traceback."""
    box = savings_explorer()
    before = box.result.cost_usd
    assert box.plot.outputs and "image/png" in box.plot.outputs[0]["data"]
    box.inputs[("support chat", "tokens_per_month")].value = 800.0
    assert box.result.cost_usd == pytest.approx(before + 40.0)
    box.inputs[("code review", "quality_floor")].value = 99.0
    assert "no model" in box.summary.value and box.result is None
    assert box.plot.outputs == ()
    assert "illustrative" in savings_explorer().summary.value


# ------------------------------------------------------------------- API and docs


def test_public_names_are_exported():
    """Every public name of the three modules is in course.__all__ and resolves to it."""
    for module in (_market, _market_plots, _market_widgets):
        for name in module.__all__:
            assert name in course.__all__
            assert getattr(course, name) is getattr(module, name)


def test_import_course_stays_light():
    """Using the market functions does not import matplotlib or ipywidgets."""
    code = ("import sys, course; course.price_spread(None, 'Llama 3.3 70B'); "
            "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_ratio_and_spread_are_finite_for_every_model():
    """No zero prices sneak in: every model's spread is a finite number of at least 1."""
    for model in CATALOG.loc[~CATALOG["resells"].astype(bool), "canonical_model"].unique():
        spread = price_spread(CATALOG, model)
        assert math.isfinite(spread) and spread >= 1.0


def test_frontier_plot_shares_one_label_between_tied_models_and_hides_an_empty_dominated_legend():
    """Two models at the same point get one label; with nothing dominated there is no 'dominated' entry."""
    twins = pd.DataFrame({"model": ["T", "U"], "usd_per_m": [2.0, 2.0], "score": [81.0, 81.0]})
    ax = plot_frontier(twins)
    texts = [t.get_text() for t in ax.texts]
    assert "T, U" in texts
    assert "dominated" not in [c.get_label() for c in ax.collections]
