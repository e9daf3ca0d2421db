"""Tests for course.data._catalog: the canonical-name table and the price-catalog build."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from course import canonical_model
from course._base._paths import datasets_dir
from course.data._catalog import (
    KINDS,
    SNAPSHOT_DATES,
    build_catalog_rows,
    catalog_csv_text,
    checkpoint,
    closed_model_labels,
    genai_prices_lookup,
    litellm_version,
    model_family,
    price_map_path,
    provider_kind,
    write_catalog,
)
from course.data._datasets import load, read_datasheet


# ---------------------------------------------------------------------------------------
# canonical_model
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("provider_model_id", "expected"),
    [
        # one open model, many spellings
        ("groq/llama-3.3-70b-versatile", "Llama 3.3 70B"),
        ("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", "Llama 3.3 70B"),
        ("fireworks_ai/accounts/fireworks/models/llama-v3p3-70b-instruct", "Llama 3.3 70B"),
        ("deepinfra/meta-llama/Llama-3.3-70B-Instruct", "Llama 3.3 70B"),
        ("cerebras/llama-3.3-70b", "Llama 3.3 70B"),
        ("meta.llama3-3-70b-instruct-v1:0", "Llama 3.3 70B"),
        ("sambanova/Meta-Llama-3.3-70B-Instruct", "Llama 3.3 70B"),
        ("ovhcloud/Meta-Llama-3_3-70B-Instruct", "Llama 3.3 70B"),
        ("lambda_ai/llama3.3-70b-instruct-fp8", "Llama 3.3 70B"),
        ("vertex_ai/meta/llama-3.3-70b-instruct-maas", "Llama 3.3 70B"),
        ("cerebras/llama3.1-8b", "Llama 3.1 8B"),
        ("together_ai/meta-llama/Llama-4-Scout-17B-16E-Instruct", "Llama 4 Scout"),
        # gpt-oss
        ("groq/openai/gpt-oss-120b", "gpt-oss-120b"),
        ("fireworks_ai/accounts/fireworks/models/gpt-oss-120b", "gpt-oss-120b"),
        ("openai.gpt-oss-20b-1:0", "gpt-oss-20b"),
        # DeepSeek
        ("deepseek/deepseek-r1", "DeepSeek-R1"),
        ("together_ai/deepseek-ai/DeepSeek-V3", "DeepSeek-V3"),
        ("fireworks_ai/accounts/fireworks/models/deepseek-v3p1", "DeepSeek-V3.1"),
        ("together_ai/deepseek-ai/DeepSeek-R1-0528", "DeepSeek-R1"),      # dated checkpoints merge
        ("fireworks_ai/accounts/fireworks/models/deepseek-r1-distill-llama-70b", "DeepSeek-R1-Distill-Llama-70B"),
        ("together_ai/deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "DeepSeek-R1-Distill-Qwen-1.5B"),
        # Qwen
        ("together_ai/Qwen/Qwen2.5-72B-Instruct-Turbo", "Qwen2.5 72B"),
        ("fireworks_ai/accounts/fireworks/models/qwen2p5-72b-instruct", "Qwen2.5 72B"),
        ("fireworks_ai/accounts/fireworks/models/qwen3-235b-a22b", "Qwen3 235B-A22B"),
        ("cerebras/qwen-3-32b", "Qwen3 32B"),
        ("together_ai/Qwen/Qwen2.5-Coder-32B-Instruct", "Qwen2.5-Coder 32B"),
        # Mistral
        ("together_ai/mistralai/Mixtral-8x7B-Instruct-v0.1", "Mixtral 8x7B"),
        ("fireworks_ai/accounts/fireworks/models/mixtral-8x22b-instruct", "Mixtral 8x22B"),
        ("together_ai/mistralai/Mistral-7B-Instruct-v0.3", "Mistral 7B"),
        ("mistral/open-mistral-nemo", "Mistral NeMo"),
        ("nebius/mistralai/Mistral-Nemo-Instruct-2407", "Mistral NeMo"),
        # closed models
        ("gpt-4o", "gpt-4o"),
        ("gpt-4o-2024-05-13", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-4-0613", "gpt-4"),
        ("o1-2024-12-17", "o1"),
        ("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5"),
        ("claude-3-5-sonnet-20241022", "Claude Sonnet 3.5"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "Claude Haiku 3"),
        ("gemini/gemini-2.5-flash", "Gemini 2.5 Flash"),
        ("gemini-2.5-flash-lite-preview-09-2025", "Gemini 2.5 Flash-Lite"),
        ("gemini/gemini-1.5-flash-8b", "Gemini 1.5 Flash-8B"),
        # newer open families and older spellings the history reads
        ("vertex_ai/google/gemma-4-26b-a4b-it-maas", "Gemma 4 26B-A4B"),
        ("scaleway/qwen/qwen3.5-397b-a17b", "Qwen3.5 397B-A17B"),
        ("moonshot/kimi-k2.5", "Kimi K2.5"),
        ("meta.llama2-13b-chat-v1", "Llama 2 13B"),
        ("groq/llama2-70b-4096", "Llama 2 70B"),
        ("groq/llama3-70b-8192", "Llama 3 70B"),
        ("mistral/open-mixtral-8x7b", "Mixtral 8x7B"),
    ],
)
def test_canonical_model_maps_spelling_variants_to_one_name(provider_model_id, expected):
    """Each provider's spelling of a model maps to the course's one canonical name."""
    assert canonical_model(provider_model_id) == expected


@pytest.mark.parametrize(
    "provider_model_id",
    [
        "fireworks_ai/accounts/fireworks/models/dobby-unhinged-llama-3-3-70b-new",  # a fine-tune
        "deepinfra/Sao10K/L3.3-70B-Euryale-v2.3",                                  # a fine-tune
        "nebius/nvidia/Llama-3.3-Nemotron-Super-49B-v1",                           # a derivative
        "groq/openai/gpt-oss-safeguard-20b",                                       # a different model
        "deepseek-chat",                  # an alias whose model changes over time
        "gpt-4o-mini-search-preview",     # a different product
        "gemini/gemini-2.5-pro-preview-tts",
        "my-own-model",
        "moonshot/kimi-k3",               # open-weight status not sourced by the course
        "deepseek/deepseek-v4-flash",
    ],
)
def test_canonical_model_returns_none_for_unknown_or_derived_models(provider_model_id):
    """Ids the table does not know, fine-tunes and derivatives are not mistaken for a base model."""
    assert canonical_model(provider_model_id) is None


def test_model_family_says_which_models_have_open_weights():
    """Llama, gpt-oss and DeepSeek are open-weight families; GPT, Claude and Gemini are not."""
    assert model_family("groq/llama-3.3-70b-versatile") == ("Llama", True)
    assert model_family("groq/openai/gpt-oss-120b") == ("gpt-oss", True)
    assert model_family("deepseek/deepseek-r1") == ("DeepSeek", True)
    assert model_family("gpt-4o") == ("GPT", False)
    assert model_family("claude-opus-4-5") == ("Claude", False)
    assert model_family("gemini/gemini-2.5-pro") == ("Gemini", False)
    assert model_family("unknown") is None


# ---------------------------------------------------------------------------------------
# build_catalog_rows on a small, hand-made price map
# ---------------------------------------------------------------------------------------
def _entry(provider, price_in, price_out, mode="chat", **extra):
    return {"litellm_provider": provider, "mode": mode, "input_cost_per_token": price_in,
            "output_cost_per_token": price_out, **extra}


TINY_MAP = {
    "sample_spec": {"mode": "one of: chat, embedding"},
    "groq/llama-3.3-70b-versatile": _entry("groq", 5.9e-07, 7.9e-07, max_input_tokens=128000),
    "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo": _entry("together_ai", 8.8e-07, 8.8e-07,
                                                                  source="https://www.together.ai/pricing"),
    "meta.llama3-3-70b-instruct-v1:0": _entry("bedrock_converse", 7.2e-07, 7.2e-07),
    "us.meta.llama3-3-70b-instruct-v1:0": _entry("bedrock_converse", 7.2e-07, 7.2e-07),  # region copy
    "ft:gpt-4o-2024-08-06": _entry("openai", 3.75e-06, 1.5e-05),                        # fine-tune
    "gpt-4o": _entry("openai", 2.5e-06, 1e-05),
    "azure/eu/gpt-4o-2024-08-06": _entry("azure", 2.75e-06, 1.1e-05),                   # region copy
    "text-embedding-3-small": _entry("openai", 2e-08, 0, mode="embedding"),              # not chat
    "groq/free-model": _entry("groq", 0, 0),                                             # unknown
    "cerebras/llama-3.3-70b": _entry("cerebras", 0, 0),                                  # no price
    "ollama/llama-3.3-70b": _entry("ollama", 1e-07, 1e-07),                              # local runtime
    "someone/llama-3.3-70b": _entry("someone", 1e-07, 1e-07),                            # unknown seller
    "gw/openai/gpt-4o": _entry("gw", 2.5e-06, 1e-05),                                    # resells a closed model
    "gw/meta-llama/llama-3.3-70b-instruct": _entry("gw", 6e-07, 6e-07),
    "together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo": _entry(                 # retired on the snapshot day
        "together_ai", 8.8e-07, 8.8e-07, deprecation_date="2026-01-02"),
    "groq/llama-3.1-8b-instant": _entry("groq", 5e-08, 8e-08, deprecation_date="2026-06-30"),  # retires later
}


def test_build_keeps_priced_live_chat_models_of_every_seller():
    """Fine-tunes, region copies, non-chat, unpriced, unknown models, local runtimes and retired rows are dropped."""
    rows = build_catalog_rows(TINY_MAP, snapshot_date="2026-01-02", version="9.9")
    assert [(r["provider"], r["provider_model_id"]) for r in rows] == [
        ("bedrock", "meta.llama3-3-70b-instruct-v1:0"),
        ("groq", "groq/llama-3.1-8b-instant"),
        ("groq", "groq/llama-3.3-70b-versatile"),
        ("gw", "gw/meta-llama/llama-3.3-70b-instruct"),
        ("gw", "gw/openai/gpt-4o"),
        ("openai", "gpt-4o"),
        ("someone", "someone/llama-3.3-70b"),
        ("together_ai", "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo"),
    ]


def test_a_listing_retired_on_or_before_the_snapshot_is_left_out_and_a_later_date_is_kept():
    """deprecation_date on the snapshot day drops the row; a later one is kept and recorded."""
    rows = {r["provider_model_id"]: r for r in build_catalog_rows(TINY_MAP, snapshot_date="2026-01-02", version="9.9")}
    assert "together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo" not in rows
    assert rows["groq/llama-3.1-8b-instant"]["deprecation_date"] == "2026-06-30"
    earlier = build_catalog_rows(TINY_MAP, snapshot_date="2026-01-01", version="9.9")
    assert "together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo" in {r["provider_model_id"] for r in earlier}


def test_every_row_is_labelled_with_a_provider_kind_and_resold_rows_are_flagged():
    """Labs, clouds and chip clouds serve; a seller of another lab's closed model is a gateway and resells."""
    rows = {r["provider_model_id"]: r for r in build_catalog_rows(TINY_MAP, snapshot_date="2026-01-02", version="9.9")}
    assert rows["gpt-4o"]["provider_kind"] == "model lab" and rows["gpt-4o"]["resells"] == "false"
    assert rows["groq/llama-3.3-70b-versatile"]["provider_kind"] == "custom-chip cloud"
    assert rows["meta.llama3-3-70b-instruct-v1:0"]["provider_kind"] == "hyperscaler marketplace"
    assert rows["together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo"]["provider_kind"] == "GPU cloud"
    gateway = rows["gw/meta-llama/llama-3.3-70b-instruct"]
    assert (gateway["provider_kind"], gateway["resells"]) == ("aggregator or gateway", "true")
    unknown = rows["someone/llama-3.3-70b"]
    assert (unknown["provider_kind"], unknown["resells"]) == ("unclassified", "false")


def test_resellers_do_not_count_as_providers_of_a_model():
    """Four sellers list Llama 3.3 70B themselves and one gateway resells it: four providers, not five."""
    frame = pd.DataFrame(build_catalog_rows(TINY_MAP, snapshot_date="2026-01-02", version="9.9"))
    llama = frame[frame["canonical_model"] == "Llama 3.3 70B"]
    assert llama["provider"].nunique() == 5
    assert llama.loc[llama["resells"] == "false", "provider"].nunique() == 4


def test_dated_checkpoints_take_their_model_name_in_every_family():
    """One policy: a dated checkpoint merges into its model, and the date is kept apart."""
    pairs = [("gpt-4o-2024-08-06", "gpt-4o", "2024-08-06"),
             ("together_ai/deepseek-ai/DeepSeek-R1-0528", "DeepSeek-R1", "0528"),
             ("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "20250929"),
             ("groq/moonshotai/kimi-k2-instruct-0905", "Kimi K2", "0905"),
             ("fireworks_ai/accounts/fireworks/models/qwen3-235b-a22b-instruct-2507", "Qwen3 235B-A22B", "2507"),
             ("vertex_ai/claude-3-5-haiku@20241022", "Claude Haiku 3.5", "20241022"),
             ("groq/llama3-70b-8192", "Llama 3 70B", "")]   # a context length is not a checkpoint
    for model_id, name, date in pairs:
        assert (canonical_model(model_id), checkpoint(model_id)) == (name, date), model_id
    frame = load("price_catalog")
    dated = frame[frame["checkpoint"].notna()]
    assert len(dated) > 20
    assert all(canonical_model(i) == n for i, n in zip(dated["provider_model_id"], dated["canonical_model"], strict=True))


def test_the_cross_check_flags_prices_more_than_ten_percent_apart():
    """A second source within 10% agrees, beyond it disagrees, and no match is said so."""
    second = {"groq/llama-3.3-70b-versatile": (0.59, 0.85),            # output 7.6% higher: agrees
              "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo": (0.88, 0.99),  # 12.5% higher: disagrees
              "gpt-4o": (2.75, 10.0)}                                  # exactly 10%: agrees
    rows = {r["provider_model_id"]: r for r in build_catalog_rows(
        TINY_MAP, snapshot_date="2026-01-02", version="9.9", cross_check=lambda label, mid: second.get(mid))}
    assert rows["groq/llama-3.3-70b-versatile"]["price_check"] == "agrees"
    assert rows["together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo"]["price_check"] == "disagrees"
    assert rows["gpt-4o"]["price_check"] == "agrees"
    assert rows["gpt-4o"]["genai_prices_input_usd_per_m"] == "2.75"
    assert rows["someone/llama-3.3-70b"]["price_check"] == "no match"


def test_genai_prices_lookup_reads_a_providers_price_on_a_date():
    """genai-prices gives Groq's Llama 3.3 70B at its list price; an unknown provider has no match."""
    pytest.importorskip("genai_prices")
    lookup = genai_prices_lookup("2026-11-20")
    assert lookup("groq", "groq/llama-3.3-70b-versatile") == pytest.approx((0.59, 0.79))
    assert lookup("someone", "someone/llama-3.3-70b") is None


def test_every_chat_provider_in_the_installed_map_has_a_kind_in_the_datasheet():
    """The datasheet's provider table lists every chat label of the pinned litellm, with the build's kind."""
    price_map = json.loads(price_map_path().read_text(encoding="utf-8"))
    closed = closed_model_labels(price_map)
    labels = {str(v.get("litellm_provider")) for v in price_map.values()
              if isinstance(v, dict) and v.get("mode") == "chat"}
    text = (datasets_dir() / "price_catalog.md").read_text(encoding="utf-8")
    for label in labels:
        name, kind = provider_kind(label, closed)
        assert f"| {label} | {name} | {kind} |" in text, label
    assert set(load("price_catalog")["provider_kind"].astype(str)) <= set(KINDS)


def test_a_bad_row_in_the_catalog_fails_loudly(tmp_path):
    """A provider kind the datasheet does not list is rejected with the line and the value."""
    from course.data._datasets import DatasetError, validate_csv

    lines = COMMITTED.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("provider_kind")] = "pawn shop"
    bad = tmp_path / "price_catalog.csv"
    bad.write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="pawn shop"):
        validate_csv(bad, datasets_dir() / "price_catalog.md")


def test_build_converts_per_token_prices_to_dollars_per_million():
    """5.9e-07 dollars per token is $0.59 per million; the 3:1 blend and context are recorded."""
    rows = {r["provider"]: r for r in build_catalog_rows(TINY_MAP, snapshot_date="2026-01-02", version="9.9")}
    groq = rows["groq"]
    assert (groq["input_usd_per_m"], groq["output_usd_per_m"], groq["blended_usd_per_m"]) == ("0.59", "0.79", "0.64")
    assert groq["context_window"] == "128000" and rows["openai"]["context_window"] == ""
    assert groq["snapshot_date"] == "2026-01-02" and groq["litellm_version"] == "9.9"
    assert rows["together_ai"]["provider_pricing_url"] == "https://www.together.ai/pricing"
    assert groq["source_url"] == "https://pypi.org/project/litellm/9.9/"
    assert rows["openai"]["open_weights"] == "false" and groq["open_weights"] == "true"


def test_build_output_does_not_depend_on_the_order_of_the_price_map():
    """The same entries in another order give byte-identical CSV text."""
    reordered = dict(reversed(list(TINY_MAP.items())))
    first = catalog_csv_text(build_catalog_rows(TINY_MAP, snapshot_date="2026-01-02", version="9.9"))
    second = catalog_csv_text(build_catalog_rows(reordered, snapshot_date="2026-01-02", version="9.9"))
    assert first == second


def test_build_rejects_a_malformed_snapshot_date():
    """The snapshot date is an ISO date, checked before anything is built."""
    with pytest.raises(ValueError):
        build_catalog_rows(TINY_MAP, snapshot_date="23/11/2026", version="9.9")


# ---------------------------------------------------------------------------------------
# The committed catalog and the installed litellm
# ---------------------------------------------------------------------------------------
COMMITTED = datasets_dir() / "price_catalog.csv"


def _committed_meta() -> tuple[str, str]:
    frame = load("price_catalog")
    assert frame["snapshot_date"].nunique() == 1 and frame["litellm_version"].nunique() == 1
    return frame["snapshot_date"].iloc[0].date().isoformat(), frame["litellm_version"].iloc[0]


def test_build_from_the_installed_litellm_is_deterministic():
    """Two builds from the installed price map give the same bytes."""
    price_map = json.loads(price_map_path().read_text(encoding="utf-8"))
    build = lambda: catalog_csv_text(build_catalog_rows(price_map, snapshot_date="2026-01-02",  # noqa: E731
                                                        version=litellm_version()))
    assert build() == build()


def test_refresh_reproduces_the_committed_catalog(tmp_path):
    """With the litellm version the CSV records, a rebuild reproduces the committed file exactly."""
    snapshot_date, version = _committed_meta()
    if litellm_version() != version:
        pytest.skip(f"installed litellm {litellm_version()} differs from the catalog's {version}; "
                    "run `course datasets refresh` to rebuild it")
    out = write_catalog(tmp_path / "price_catalog.csv", snapshot_date=snapshot_date)
    assert out.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")


def test_the_snapshot_date_is_the_litellm_releases_date():
    """Every row carries the pinned release's PyPI upload date, not the day the file was built."""
    snapshot_date, version = _committed_meta()
    assert SNAPSHOT_DATES[version] == snapshot_date
    assert version == "1.110.2" and snapshot_date == "2026-11-20"


def test_no_committed_row_is_retired_as_of_the_snapshot():
    """Live rows only: any recorded retirement date is after the snapshot date."""
    frame = load("price_catalog")
    dated = frame.dropna(subset=["deprecation_date"])
    assert len(dated) > 0 and (dated["deprecation_date"] > dated["snapshot_date"]).all()


def test_catalog_lists_one_row_per_provider_and_id():
    """No (provider, provider_model_id) pair appears twice, and every row has a canonical name."""
    frame = load("price_catalog")
    assert not frame.duplicated(["provider", "provider_model_id"]).any()
    assert frame["canonical_model"].notna().all()
    assert frame["canonical_model"].tolist() == [canonical_model(i) for i in frame["provider_model_id"]]


def test_catalog_file_stays_small():
    """The committed catalog is well under 1 MB (house style for datasets)."""
    assert COMMITTED.stat().st_size < 300_000


def _llama_spread(frame: pd.DataFrame) -> tuple[int, float]:
    llama = frame[(frame["canonical_model"] == "Llama 3.3 70B") & ~frame["resells"]]
    cheapest = llama.groupby("provider", observed=True)["blended_usd_per_m"].min()
    return len(cheapest), cheapest.max() / cheapest.min()


def _open_closed_ratio(frame: pd.DataFrame) -> float:
    frame = frame[~frame["resells"]]
    per_model = frame.groupby(["canonical_model", "open_weights"])["blended_usd_per_m"].median().reset_index()
    return (per_model.loc[per_model["open_weights"], "blended_usd_per_m"].median()
            / per_model.loc[~per_model["open_weights"], "blended_usd_per_m"].median())


def test_catalog_answers_the_course_questions_sensibly():
    """Several providers serve Llama 3.3 70B at different prices; open models are cheaper at the median."""
    frame = load("price_catalog")
    providers, spread = _llama_spread(frame)
    assert providers >= 5 and spread > 1.5
    assert 0 < _open_closed_ratio(frame) < 1


def test_datasheet_notes_match_the_committed_catalog():
    """The figures quoted in price_catalog.md's notes are the ones the CSV gives (refresh both together)."""
    frame = load("price_catalog")
    notes = read_datasheet(datasets_dir() / "price_catalog.md").sections["Notes"]
    providers, spread = _llama_spread(frame)
    assert f"**{providers} providers**" in notes
    assert f"**{spread:.1f}x spread**" in notes
    ratio = re.search(r"open/closed = \*\*([0-9.]+)\*\*", notes)
    assert ratio and float(ratio.group(1)) == pytest.approx(_open_closed_ratio(frame), abs=0.0005)


# ---------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------
def test_course_datasets_lists_every_dataset(capsys):
    """`course datasets` prints each dataset with its row count and exits 0."""
    from course.cli import main

    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in ("price_history", "price_catalog", "claims"):
        assert re.search(rf"^{name}\s+\d+ rows", out, re.MULTILINE), out


@pytest.mark.parametrize("module_name", ["course.data._catalog", "course.data._history", "course.data._audit"])
def test_docstring_examples_pass(module_name):
    """The numpydoc Examples of the catalog, history and audit modules are doctests and pass."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module_name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
