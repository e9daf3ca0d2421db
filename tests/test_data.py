"""Tests for course.data._datasets: datasheets, typed loading, validation, and the sourced figures.

Figures checked here are hard-coded from shared/facts.md; each comment names the section
and row they come from, so a change to a CSV that drifts from the fact sheet fails here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

import course
from course._base._paths import datasets_dir
from course.data._datasets import (
    REQUIRED_SECTIONS,
    DatasetError,
    datasets,
    load,
    read_datasheet,
    validate_all,
    validate_csv,
)

ALL_CSVS = sorted(datasets_dir().glob("*.csv"))
OURS = ["price_history", "price_catalog", "market_open_vs_closed", "hardware_trends",
        "provider_speed_claims", "claims"]


# ---------------------------------------------------------------------------------------
# Every dataset against its datasheet
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("csv_path", ALL_CSVS, ids=lambda p: p.stem)
def test_every_csv_validates_against_its_datasheet(csv_path):
    """Each datasets/NAME.csv has NAME.md, and every row obeys its Columns table."""
    frame = validate_csv(csv_path)
    assert len(frame) > 0
    assert list(frame.columns) == read_datasheet(csv_path.with_suffix(".md")).column_names


@pytest.mark.parametrize("csv_path", ALL_CSVS, ids=lambda p: p.stem)
def test_every_datasheet_has_the_sections_style_asks_for(csv_path):
    """A datasheet says what a row is and has Columns, Source, Licence, Retrieved, How it was made."""
    sheet = read_datasheet(csv_path.with_suffix(".md"))
    missing = [s for s in REQUIRED_SECTIONS if not sheet.sections.get(s)]
    assert not missing, f"{sheet.path.name} lacks (or has empty) sections {missing}"
    intro = sheet.path.read_text(encoding="utf-8").split("\n## ")[0].splitlines()
    assert intro[0] == f"# {csv_path.stem}", "the title must be '# NAME'"
    assert any(line.strip() for line in intro[1:]), "say what one row is under the title"


@pytest.mark.parametrize("csv_path", ALL_CSVS, ids=lambda p: p.stem)
def test_no_source_is_blank(csv_path):
    """Every row names a source: columns called source/source_url are never blank."""
    frame = validate_csv(csv_path)
    source_cols = [c for c in frame.columns if c in ("source", "source_url")]
    for col in source_cols:
        blank = frame[col].isna() | (frame[col].astype("string").str.strip() == "")
        assert not blank.any(), f"{csv_path.name}: blank {col} in rows {list(frame.index[blank])}"
    if csv_path.stem in OURS:
        assert "source_url" in frame.columns, "each of the course's own datasets cites a URL per row"


@pytest.mark.parametrize("csv_path", ALL_CSVS, ids=lambda p: p.stem)
def test_prices_are_positive(csv_path):
    """Every *_usd_per_m figure present is a positive number of dollars per million tokens."""
    frame = validate_csv(csv_path)
    for col in [c for c in frame.columns if c.endswith("_usd_per_m")]:
        present = frame[col].dropna()
        assert (present > 0).all(), f"{csv_path.name}: non-positive {col}: {present[present <= 0].tolist()}"


PRICE_COLUMNS = {"input_usd_per_m", "output_usd_per_m", "blended_usd_per_m"}
PRICED_CSVS = [p for p in ALL_CSVS if PRICE_COLUMNS <= set(p.read_text(encoding="utf-8").splitlines()[0].split(","))]


def test_the_priced_datasets_are_the_price_tables():
    assert {"price_history", "price_catalog"} <= {p.stem for p in PRICED_CSVS}


@pytest.mark.parametrize("csv_path", PRICED_CSVS, ids=lambda p: p.stem)
def test_blended_price_is_three_to_one_weighting(csv_path):
    """blended = (3 x input + output) / 4 wherever input and output are both given."""
    frame = validate_csv(csv_path)
    both = frame.dropna(subset=["input_usd_per_m", "output_usd_per_m"])
    expected = (3 * both["input_usd_per_m"] + both["output_usd_per_m"]) / 4
    assert len(both) > 0
    pd.testing.assert_series_equal(both["blended_usd_per_m"], expected, check_names=False, atol=1e-6)


def test_validate_all_covers_every_csv():
    """validate_all checks each CSV in the folder and reports its row count."""
    counts = validate_all()
    assert sorted(counts) == [p.stem for p in ALL_CSVS]
    assert set(OURS) <= set(counts)


# ---------------------------------------------------------------------------------------
# The loader
# ---------------------------------------------------------------------------------------
def test_load_gives_dates_money_bools_and_categories_their_dtypes():
    """course.load returns datetime dates, float64 money, bool flags and category columns."""
    prices = course.load("price_history")
    assert pd.api.types.is_datetime64_any_dtype(prices["date"])
    assert prices["input_usd_per_m"].dtype == "float64"
    assert prices["open_weights"].dtype == "bool"
    assert isinstance(prices["status"].dtype, pd.CategoricalDtype)
    assert list(prices["status"].cat.categories) == ["confirmed", "secondary"]
    catalog = course.load("price_catalog")
    assert str(catalog["context_window"].dtype) == "Int64"


def test_load_returns_a_fresh_copy_each_time():
    """Editing a loaded frame never changes what the next load returns (the cache is private)."""
    first = load("hardware_trends")
    first.loc[0, "annual_change_pct"] = 999.0
    assert load("hardware_trends").loc[0, "annual_change_pct"] != 999.0


def test_unknown_dataset_raises_dataset_error_listing_the_names():
    """Asking for a dataset that does not exist says which ones do."""
    with pytest.raises(DatasetError, match="price_history"):
        load("no_such_dataset")


def test_datasets_lists_the_csv_names():
    """course.datasets() lists every datasets/*.csv by name."""
    assert course.datasets() == datasets() == [p.stem for p in ALL_CSVS]


# ---------------------------------------------------------------------------------------
# Validation failures are loud and precise
# ---------------------------------------------------------------------------------------
SHEET = """\
    # tiny
    One row is a test.

    ## Columns
    | column | type | unit | description |
    |---|---|---|---|
    | model | string | | name |
    | price | float | USD per million tokens | a price |
    | mmlu | float? | percent | may be blank |
    | day | date | | ISO date |
    | open | bool | | true/false |
    | status | category: confirmed, secondary | | allowed values |
    | note | category?: a, b | | blank allowed |
    | source_url | url | | never blank |

    ## Source
    test
    """
GOOD = "model,price,mmlu,day,open,status,note,source_url\n"
GOOD_ROW = "m1,1.5,,2024-01-02,true,confirmed,,https://example.org\n"


def _write(tmp_path, rows: str, sheet: str = SHEET):
    (tmp_path / "tiny.md").write_text(textwrap.dedent(sheet), encoding="utf-8")
    path = tmp_path / "tiny.csv"
    path.write_text(GOOD + rows, encoding="utf-8")
    return path


def test_a_good_tiny_dataset_loads_with_its_types(tmp_path):
    """The format parser handles every type, including '?' and 'category?:'."""
    frame = validate_csv(_write(tmp_path, GOOD_ROW))
    assert frame.loc[0, "price"] == 1.5 and pd.isna(frame.loc[0, "mmlu"])
    assert frame.loc[0, "day"] == pd.Timestamp("2024-01-02")
    assert bool(frame.loc[0, "open"]) is True
    assert list(frame["note"].cat.categories) == ["a", "b"]


@pytest.mark.parametrize(
    ("bad_row", "column", "value"),
    [
        ("m2,cheap,,2024-01-02,true,confirmed,,https://example.org\n", "price", "cheap"),
        ("m2,1,,2024-13-02,true,confirmed,,https://example.org\n", "day", "2024-13-02"),
        ("m2,1,,02/01/2024,true,confirmed,,https://example.org\n", "day", "02/01/2024"),
        ("m2,1,,2024-01-02,yes,confirmed,,https://example.org\n", "open", "yes"),
        ("m2,1,,2024-01-02,true,rumour,,https://example.org\n", "status", "rumour"),
        ("m2,1,,2024-01-02,true,confirmed,c,https://example.org\n", "note", "c"),
        ("m2,1,,2024-01-02,true,confirmed,,example.org\n", "source_url", "example.org"),
    ],
)
def test_a_bad_cell_names_file_line_column_and_value(tmp_path, bad_row, column, value):
    """A malformed row raises DatasetError naming the file, CSV line 3, the column and the value."""
    path = _write(tmp_path, GOOD_ROW + bad_row)
    with pytest.raises(DatasetError) as err:
        validate_csv(path)
    message = str(err.value)
    assert "tiny.csv" in message and "line 3" in message
    assert repr(column) in message and repr(value) in message


def test_a_blank_in_a_required_column_is_rejected(tmp_path):
    """Only columns typed with '?' may be blank; a blank source_url fails on its line."""
    path = _write(tmp_path, "m2,1,,2024-01-02,true,confirmed,,\n")
    with pytest.raises(DatasetError, match=r"line 2: column 'source_url' is blank"):
        validate_csv(path)


def test_a_header_that_differs_from_the_datasheet_is_rejected(tmp_path):
    """Columns must match the datasheet exactly, in order."""
    path = _write(tmp_path, GOOD_ROW)
    path.write_text(GOOD.replace("model,price", "price,model") + GOOD_ROW, encoding="utf-8")
    with pytest.raises(DatasetError, match="line 1: the header does not match"):
        validate_csv(path)


def test_a_row_with_too_few_cells_is_rejected(tmp_path):
    """A short row is reported with its line number."""
    with pytest.raises(DatasetError, match="line 2: 3 cells, expected 8"):
        validate_csv(_write(tmp_path, "m1,1,\n"))


def test_an_unknown_type_in_a_datasheet_is_rejected(tmp_path):
    """A datasheet type outside the format's list is an error, not silently a string."""
    path = _write(tmp_path, GOOD_ROW, SHEET.replace("| float? |", "| decimal? |"))
    with pytest.raises(DatasetError, match="unknown type 'decimal\\?'"):
        validate_csv(path)


def test_a_csv_without_a_datasheet_is_rejected(tmp_path):
    """Every CSV needs its NAME.md."""
    path = tmp_path / "orphan.csv"
    path.write_text(GOOD + GOOD_ROW, encoding="utf-8")
    with pytest.raises(DatasetError, match="datasheet not found"):
        validate_csv(path)


# ---------------------------------------------------------------------------------------
# The figures match shared/facts.md
# ---------------------------------------------------------------------------------------
def _price(model: str, date: str) -> pd.Series:
    prices = load("price_history")
    row = prices[(prices["model"] == model) & (prices["date"] == pd.Timestamp(date))]
    assert len(row) == 1, f"expected one price_history row for {model} on {date}"
    return row.iloc[0]


@pytest.mark.parametrize(
    ("model", "date", "price_in", "price_out", "status"),
    [
        ("GPT-3 (davinci)", "2021-11-01", 60, 60, "confirmed"),         # facts §2 "GPT-3 davinci | 2021-11 | 60 / 60"
        ("GPT-3 (davinci)", "2022-09-01", 20, 20, "secondary"),         # facts §2 "2022-09-01 cut | 20 / 20"
        ("gpt-3.5-turbo", "2023-03-01", 2, 2, "confirmed"),             # facts §2 "gpt-3.5-turbo | 2023-03-01 | 2 / 2"
        ("gpt-4 (8K)", "2023-03-14", 30, 60, "secondary"),              # facts §2 "gpt-4 (8K) | 2023-03-14 | 30 / 60"
        ("gpt-4-turbo (1106)", "2023-11-06", 10, 30, "secondary"),      # facts §2 "gpt-4-turbo (1106) | 10 / 30"
        ("Claude 3 Opus", "2024-03-04", 15, 75, "confirmed"),           # facts §2 "Claude 3 ... 15/75"
        ("Claude 3 Sonnet", "2024-03-04", 3, 15, "secondary"),          # facts §2 "3/15 ... Sonnet secondary"
        ("Claude 3 Haiku", "2024-03-04", 0.25, 1.25, "confirmed"),      # facts §2 "0.25/1.25"
        ("gpt-4o", "2024-05-13", 5, 15, "confirmed"),                   # facts §2 "gpt-4o | 2024-05-13 | 5 / 15"
        ("gpt-4o-mini", "2024-07-18", 0.15, 0.60, "secondary"),         # facts §2 "gpt-4o-mini | 0.15 / 0.60"
        ("Gemini 1.5 Flash-8B", "2024-10-03", 0.0375, 0.15, "confirmed"),  # facts corrections: list price $0.0375 / $0.15
        ("o1", "2024-12-01", 15, 60, "secondary"),                      # facts §2 "o1 | 2024-12 | 15 / 60"
        ("DeepSeek-V3 (deepseek-chat)", "2025-08-01", 0.27, 1.10, "confirmed"),      # facts §2 "0.27 / 1.10"
        ("DeepSeek-R1 (deepseek-reasoner)", "2025-08-01", 0.55, 2.19, "confirmed"),  # facts §2 "0.55 / 2.19"
        ("DeepSeek-V3.1 (deepseek-chat)", "2025-09-05", 0.56, 1.68, "confirmed"),    # facts §2 "from 2025-09-05 | 0.56 / 1.68"
        ("DeepSeek-V3.1 (deepseek-reasoner)", "2025-09-05", 0.56, 1.68, "confirmed"),
    ],
)
def test_price_history_matches_facts(model, date, price_in, price_out, status):
    """Each list price and its status is the one shared/facts.md gives."""
    row = _price(model, date)
    assert (row["input_usd_per_m"], row["output_usd_per_m"]) == pytest.approx((price_in, price_out))
    assert row["status"] == status


@pytest.mark.parametrize(
    ("model", "date", "cached"),
    [
        ("DeepSeek-V3 (deepseek-chat)", "2025-08-01", 0.07),          # facts §2 "cache hit input 0.07"
        ("DeepSeek-R1 (deepseek-reasoner)", "2025-08-01", 0.14),      # facts §2 "cache hit input 0.14"
        ("DeepSeek-V3.1 (deepseek-chat)", "2025-09-05", 0.07),        # facts §2 "cache hit 0.07"
    ],
)
def test_deepseek_cache_hit_prices_match_facts(model, date, cached):
    """DeepSeek's cache-hit input prices are carried as facts.md gives them."""
    assert _price(model, date)["cached_input_usd_per_m"] == pytest.approx(cached)


def test_the_280x_decline_can_be_reproduced_from_price_history():
    """At MMLU >= 64.8, $20 (GPT-3.5, Nov 2022) falls to the $0.07 blend of Flash-8B: more than 280x."""
    prices = load("price_history")
    level = prices[prices["mmlu_at_least"] >= 64.8].sort_values("date")  # facts §1: GPT-3.5 level, MMLU 64.8
    start, end = level.iloc[0], level.loc[level["blended_usd_per_m"].idxmin()]
    assert start["blended_usd_per_m"] == 20.0                             # facts §1: "$20.00 ... (Nov 2022)"
    assert round(end["blended_usd_per_m"], 2) == 0.07                     # facts §1: "$0.07 (Oct 2024)"
    assert start["blended_usd_per_m"] / round(end["blended_usd_per_m"], 2) > 280
    months = (end["date"].year - start["date"].year) * 12 + end["date"].month - start["date"].month
    assert months == 23                                                   # facts §1: "about 23 months", not 18


def test_gpt3_launch_price_was_60_not_20():
    """GPT-3's first public price is $60/M; the $20 row is a later cut (facts §1 row 2)."""
    gpt3 = load("price_history").query("model == 'GPT-3 (davinci)'").sort_values("date")
    assert gpt3["blended_usd_per_m"].tolist() == [60.0, 20.0]
    assert gpt3["event"].tolist() == ["public API", "price cut"]


MARKET = [
    # (metric, model_type, value, status): facts §4
    ("OpenRouter share of total LLM API spending", "all", 1, "confirmed"),   # "just under 1%"
    ("share of tokens", "closed", 80, "confirmed"),                          # "about 80% of tokens"
    ("share of tokens", "open", 20, "confirmed"),                            # "about 20% of tokens"
    ("share of revenue", "closed", 96, "confirmed"),                         # "about 96% ... of revenue"
    ("share of revenue", "open", 4, "confirmed"),                            # "about 4% of revenue"
    ("average price, closed relative to open", "closed", 6, "confirmed"),    # "about 6x ... 6x confirmed"
    ("average price, open as a share of closed", "open", 15.66, "secondary"),  # "15.66% secondary"
    ("performance relative to closed models", "open", 90, "confirmed"),      # "about 90% or more"
    ("time for open models to match the best closed model", "open", 13, "secondary"),  # "about 13 weeks | secondary"
    ("average price reduction from switching to open models", "all", 70, "confirmed"),  # "over 70%"
    ("additional consumer savings in 2025 from optimal switching", "all", 24.8, "confirmed"),  # "$24.8 billion"
    ("additional consumer savings in 2025, low end of range", "all", 20.1, "confirmed"),       # "$20.1-48.3 billion"
    ("additional consumer savings in 2025, high end of range", "all", 48.3, "confirmed"),
]


@pytest.mark.parametrize(("metric", "model_type", "value", "status"), MARKET)
def test_market_figures_match_facts(metric, model_type, value, status):
    """Each Nagle & Yue figure and its status is the one shared/facts.md section 4 gives."""
    market = load("market_open_vs_closed")
    row = market[(market["metric"] == metric) & (market["model_type"] == model_type)]
    row = row[row["source"].str.contains("SSRN|Linux Foundation|MIT Sloan")].iloc[:1]  # the study's own row comes first
    assert len(row) == 1
    assert row.iloc[0]["value"] == pytest.approx(value)
    assert row.iloc[0]["status"] == status


def test_market_figures_leave_out_press_only_numbers():
    """Figures facts.md marks as press-only (e.g. 89.6% on GPQA) are not presented as findings."""
    market = load("market_open_vs_closed")
    assert not (market["status"] == "press-only").any()
    assert 89.6 not in market["value"].tolist()


@pytest.mark.parametrize(
    ("metric", "pct"),
    [
        ("ML hardware cost at fixed performance", -30),   # facts §1: "cost at fixed performance falls about 30% per year"
        ("ML hardware energy efficiency", 40),            # facts §1: "energy efficiency improves about 40% per year"
        ("ML hardware performance", 43),                  # facts §1: "hardware performance grows 43% per year"
    ],
)
def test_hardware_trends_match_facts(metric, pct):
    """The AI Index hardware trends are carried with their sign and marked as hardware."""
    trends = load("hardware_trends").set_index("metric")
    assert trends.loc[metric, "annual_change_pct"] == pct
    assert trends.loc[metric, "driver"] == "hardware"


@pytest.mark.parametrize(
    ("provider", "model", "tps", "ttft", "claim_type"),
    [
        ("Cerebras", "Llama 3.1 405B", 969, 0.24, "vendor"),   # facts §5: "969 tokens/s, time to first token 0.24 s"
        ("Cerebras", "Llama 3.1 8B", 1800, None, "vendor"),    # facts §5: "8B at 1,800 t/s"
        ("Cerebras", "Llama 3.1 70B", 450, None, "vendor"),    # facts §5: "70B at 450 t/s"
        ("Groq", "Mixtral 8x7B", 480, None, "vendor"),         # facts §5: "Mixtral 8x7B 480 t/s"
        ("Groq", "Llama 2 70B", 300, None, "vendor"),          # facts §5: "Llama 2 70B 300 t/s"
        ("Groq", "Llama 2 7B", 750, None, "vendor"),           # facts §5: "Llama 2 7B 750 t/s"
        ("median across providers", "Llama 3.1 405B", 27.9, None, "independent"),      # facts §5 AA medians
        ("median across providers", "Gemini 1.5 Flash-8B", 285, None, "independent"),
        ("median across providers", "GPT-4o-mini", 112, None, "independent"),
    ],
)
def test_speed_claims_match_facts(provider, model, tps, ttft, claim_type):
    """Speed claims carry facts.md's figures and are flagged vendor or independent."""
    claims = load("provider_speed_claims")
    row = claims[(claims["provider"] == provider) & (claims["model"] == model) & (claims["claim_type"] == claim_type)
                 & (claims["source"] != LLMPERF)]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["tokens_per_s"] == pytest.approx(tps)
    assert (pd.isna(row["ttft_s"]) if ttft is None else row["ttft_s"] == pytest.approx(ttft))
    assert row["claim_type"] == claim_type


LLMPERF = ("Anyscale LLMPerf Leaderboard (Llama 2 70B chat; 550 tokens in, 150 out, 5 concurrent requests, "
           "from AWS us-west-2)")


@pytest.mark.parametrize(
    ("provider", "tps", "ttft", "claim_type"),
    [   # LLMPerf README medians, 70B models (2023-12-19; Groq 2024-01-10)
        ("Anyscale", 66, 0.21, "vendor"), ("Amazon Bedrock", 21, 0.39, "independent"),
        ("Fireworks", 40, 0.51, "independent"), ("Groq", 185, 0.22, "independent"),
        ("Lepton AI", 33, 0.93, "independent"), ("Perplexity", 30, 0.37, "independent"),
        ("Replicate", 10, 1.19, "independent"), ("Together", 65, 0.63, "independent"),
    ],
)
def test_llmperf_ttft_medians_are_carried_as_measured(provider, tps, ttft, claim_type):
    """Each LLMPerf row keeps the leaderboard's median TTFT and throughput, labelled measured, dated, sourced."""
    claims = load("provider_speed_claims")
    row = claims[(claims["provider"] == provider) & (claims["source"] == LLMPERF)]
    assert len(row) == 1
    row = row.iloc[0]
    assert (row["model"], row["tokens_per_s"], row["ttft_s"]) == ("Llama 2 70B", tps, pytest.approx(ttft))
    assert row["ttft_kind"] == "measured_median" and row["claim_type"] == claim_type
    assert row["source_url"] == "https://github.com/ray-project/llmperf-leaderboard"
    assert str(row["date"].date()) == ("2024-01-10" if provider == "Groq" else "2023-12-19")


def test_every_speed_claim_ttft_has_a_kind_and_no_kind_without_a_ttft():
    claims = load("provider_speed_claims")
    assert (claims["ttft_s"].notna() == claims["ttft_kind"].notna()).all()


@pytest.mark.parametrize(
    ("model", "blended"),
    [("Llama 3.1 405B", 3.50), ("Gemini 1.5 Flash-8B", 0.07), ("GPT-4o-mini", 0.26)],  # facts §5 AA medians
)
def test_artificial_analysis_median_prices_match_facts(model, blended):
    """The Artificial Analysis median blended prices are the ones facts.md section 5 gives."""
    claims = load("provider_speed_claims").query("provider == 'median across providers'")
    assert claims.set_index("model").loc[model, "blended_usd_per_m"] == pytest.approx(blended)


@pytest.mark.parametrize(
    ("claim_id", "verdict"),
    [
        ("gpt3-launch-20", "false"),        # facts §1: "GPT-3 launched at $20/M" is a widely repeated error
        ("280x-18-months", "misleading"),   # facts §1: report says ~18 months; the dates span ~23
        ("providers-27-to-90", "unsupported"),  # facts §1: "NOT FOUND in any primary source"
        ("algorithms-40pct", "false"),      # facts §1: "40% a year comes from algorithms alone" is wrong
        ("r1-5pct-of-o1", "unsupported"),   # facts §3: o1's training cost was never published
        ("mistral-large-apache", "false"),  # facts §3: Mistral Large 2407/2411 use the Mistral Research License
    ],
)
def test_claims_table_carries_the_known_errors(claim_id, verdict):
    """The fact-check table holds the repeated errors facts.md marks, each with its verdict."""
    claims = load("claims").set_index("claim_id")
    assert claims.loc[claim_id, "verdict"] == verdict
    assert claims.index.is_unique


# ---------------------------------------------------------------------------------------
# Public API and import cost
# ---------------------------------------------------------------------------------------
def test_import_course_does_not_import_pandas():
    """`import course` stays light: pandas loads only when a dataset is first used."""
    code = ("import sys, course; assert 'pandas' not in sys.modules, 'pandas imported'; "
            "course.DatasetError; assert 'pandas' in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_dataset_names_are_in_the_public_api():
    """load, datasets, canonical_model and DatasetError are public and documented."""
    for name in ("load", "datasets", "canonical_model", "DatasetError"):
        assert name in course.__all__
        assert getattr(course, name).__doc__


# ---------------------------------------------------------------------------------------
# As-of dates, validity windows, per-source rows and capability scores (issue 16)
# ---------------------------------------------------------------------------------------
REFRESHED = ["price_history", "model_licences", "market_open_vs_closed", "hardware_trends",
             "provider_speed_claims", "claims"]


@pytest.mark.parametrize("name", REFRESHED)
def test_each_refreshed_datasheet_states_its_as_of_date(name):
    """The Retrieved section of each hand-curated datasheet opens with 'As of YYYY-MM-DD'."""
    retrieved = read_datasheet(datasets_dir() / f"{name}.md").sections["Retrieved"]
    first = retrieved.splitlines()[0]
    assert first.startswith("As of 20"), first
    pd.Timestamp(first[len("As of "):len("As of ") + 10])  # a real date


def test_no_price_history_row_is_dated_after_its_as_of_date():
    """No price takes effect after the date the table says it is current to."""
    prices = load("price_history")
    assert prices["date"].max() <= pd.Timestamp("2026-11-29")
    assert prices["date"].max() >= pd.Timestamp("2026-01-01"), "the table should reach into 2026"


def test_every_capability_score_names_its_source():
    """A row with an MMLU or GPQA figure has a capability_source_url; GPQA is a percentage."""
    prices = load("price_history")
    scored = prices[prices["mmlu_at_least"].notna() | prices["gpqa_diamond"].notna()]
    assert scored["capability_source_url"].notna().all()
    assert prices["gpqa_diamond"].dropna().between(0, 100).all()
    assert prices["gpqa_diamond"].notna().sum() >= 5


def test_flash_8b_is_still_the_cheapest_gpt35_level_price():
    """Filling in MMLU scores for 2023-2024 models adds points at GPT-3.5 level but keeps Flash-8B cheapest."""
    prices = load("price_history")
    level = prices[prices["mmlu_at_least"] >= 64.8]
    assert len(level) > 2
    assert level.loc[level["blended_usd_per_m"].idxmin(), "model"] == "Gemini 1.5 Flash-8B"


def test_licence_validity_windows_are_ordered():
    """valid_from is on or before valid_to, and no licence starts after the as-of date."""
    lic = load("model_licences")
    both = lic.dropna(subset=["valid_from", "valid_to"])
    assert (both["valid_from"] <= both["valid_to"]).all()
    assert (lic["valid_from"].dropna() <= pd.Timestamp("2026-11-29")).all()
    dated = lic.dropna(subset=["release_date", "valid_from"])
    assert (dated["valid_from"] >= dated["release_date"]).all(), "a licence cannot apply before the release exists"


@pytest.mark.parametrize(("release", "licence_type"), [
    ("Gemma 3 27B", "custom-conditions"),    # Gemma Terms of Use, still in force for Gemma 1-3
    ("Gemma 4 31B", "permissive"),           # Gemma 4 moved to Apache 2.0 (2026)
    ("Mistral Large 2411", "research-non-commercial"),
    ("Mistral Large 3", "permissive"),       # Mistral 3 family is Apache 2.0 (2025-12-02)
])
def test_gemma_and_mistral_changed_terms_between_releases(release, licence_type):
    """The two families facts.md flags: later releases come under different terms from earlier ones."""
    lic = load("model_licences").set_index("release")
    assert lic.loc[release, "licence_type"] == licence_type


def test_a_figure_from_two_sources_has_one_row_per_source():
    """No source gives the same figure twice; the price ratio carries both the paper's and the blog's row."""
    market = load("market_open_vs_closed")
    assert not market.duplicated(["metric", "model_type", "source"]).any()
    ratio = market[market["metric"] == "average price, closed relative to open"]
    assert ratio["source_url"].nunique() == 2


def test_nagle_yue_rows_state_their_data_window():
    """Every figure from the Nagle & Yue study says it covers May to September 2025."""
    market = load("market_open_vs_closed")
    study = market[market["source"].str.contains("Nagle|Linux Foundation|MIT Sloan")]
    assert (study["data_window"] == "2025-05 to 2025-09 (OpenRouter)").all()


def test_confirmed_2025_2026_prices_cite_the_providers_own_site():
    """A price marked confirmed since 2025 links to the provider's own page, never a third-party copy."""
    from urllib.parse import urlparse

    own = {"OpenAI": ("openai.com",), "Anthropic": ("anthropic.com", "claude.com"),
           "Google": ("ai.google.dev", "google.com"), "DeepSeek": ("deepseek.com",), "Mistral AI": ("mistral.ai",)}
    prices = load("price_history")
    recent = prices[(prices["status"] == "confirmed") & (prices["date"] >= pd.Timestamp("2025-01-01"))]
    assert len(recent) >= 10
    for _, row in recent.iterrows():
        host = urlparse(row["source_url"]).hostname
        assert host.endswith(own[row["provider"]]), f"{row['model']}: {host}"


def test_mit_sloan_prices_put_the_gap_near_8x_while_the_abstract_says_6x():
    """The summaries disagree on the price gap, and each figure sits in its own sourced row."""
    market = load("market_open_vs_closed")
    avg = market[market["metric"] == "average price per million tokens"].set_index("model_type")
    assert avg.loc[["closed", "open"], "unit"].eq("USD per million tokens").all()
    assert 7.5 < avg.loc["closed", "value"] / avg.loc["open", "value"] < 8.5       # $1.86 / $0.23
    abstract = market[(market["metric"] == "average price, closed relative to open")
                      & market["source_url"].str.contains("ssrn")]
    assert abstract["value"].tolist() == [6]
    share = market[market["metric"] == "average price, open as a share of closed"]
    assert share["value"].eq(15.66).all() and share["source"].nunique() == 2       # the paper's text and EE Times
