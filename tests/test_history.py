"""Tests for course.data._history: picking litellm releases and summarising their price maps."""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from course.data._datasets import load
from course.data._history import (
    ALL_OPEN,
    COMPROMISED,
    HISTORY_COLUMNS,
    build_history,
    download_wheel,
    quarterly_releases,
    read_price_map,
    release_dates,
    summarise_release,
)


def _entry(provider, price_in, price_out, **extra):
    return {"litellm_provider": provider, "mode": "chat", "input_cost_per_token": price_in,
            "output_cost_per_token": price_out, **extra}


MAP = {
    "groq/llama-3.3-70b-versatile": _entry("groq", 5.9e-07, 7.9e-07),
    "deepinfra/meta-llama/Llama-3.3-70B-Instruct": _entry("deepinfra", 2.3e-07, 4e-07),
    "deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo": _entry("deepinfra", 1e-07, 3.2e-07),  # cheaper tier
    "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo": _entry("together_ai", 8.8e-07, 8.8e-07,
                                                                  deprecation_date="2026-01-01"),  # retired
    "openrouter/meta-llama/llama-3.3-70b-instruct": _entry("openrouter", 1.2e-07, 3e-07),  # a gateway
    "gpt-4o": _entry("openai", 2.5e-06, 1e-05),                                            # closed
    "cerebras/gpt-oss-120b": _entry("cerebras", 3.5e-07, 7.5e-07),
}


def test_summary_counts_each_live_seller_once_and_leaves_out_resellers():
    """Groq and DeepInfra sell Llama 3.3 70B; Together's listing is retired and OpenRouter resells."""
    rows = {r["canonical_model"]: r for r in summarise_release(MAP, version="9.9", release_date="2026-06-01")}
    llama = rows["Llama 3.3 70B"]
    assert (llama["n_providers"], llama["n_resellers"]) == ("2", "1")
    assert (llama["n_custom_chip_cloud"], llama["n_gpu_cloud"]) == ("1", "1")
    # DeepInfra counts at its cheaper -Turbo listing: blended (3*0.10 + 0.32)/4 = 0.155
    assert llama["min_blended_usd_per_m"] == "0.155"
    assert llama["median_input_usd_per_m"] == "0.345"     # median of 0.10 and 0.59
    assert "gpt-4o" not in rows                            # open models only
    assert rows[ALL_OPEN]["n_providers"] == "3" and rows[ALL_OPEN]["min_blended_usd_per_m"] == ""


def test_a_listing_counts_again_before_its_retirement_date():
    """The same map read at an earlier date still has Together as a seller."""
    rows = {r["canonical_model"]: r for r in summarise_release(MAP, version="9.9", release_date="2025-12-31")}
    assert rows["Llama 3.3 70B"]["n_providers"] == "3"


def test_release_dates_read_the_upload_time_and_skip_yanked_and_sdist_files():
    """A release's date is its earliest wheel upload; yanked files and source archives do not count."""
    index = {"files": [
        {"filename": "litellm-1.2.0-py3-none-any.whl", "upload-time": "2024-03-02T10:00:00Z"},
        {"filename": "litellm-1.2.0-cp310-abi3-win_amd64.whl", "upload-time": "2024-03-01T23:00:00Z"},
        {"filename": "litellm-1.3.0.tar.gz", "upload-time": "2024-03-05T00:00:00Z"},
        {"filename": "litellm-1.4.0-py3-none-any.whl", "upload-time": "2024-03-06T00:00:00Z", "yanked": "bad"},
    ]}
    assert release_dates(index) == {"1.2.0": "2024-03-01"}


def test_quarterly_releases_pick_the_last_of_each_quarter_and_never_a_compromised_one():
    """One release per quarter, the latest; 1.82.7 and 1.82.8 are never picked."""
    dates = {"1.80.0": "2026-01-10", "1.81.0": "2026-03-20", "1.82.7": "2026-03-25", "1.82.8": "2026-03-26",
             "1.83.0": "2026-04-02", "1.90.0": "2026-09-30"}
    assert quarterly_releases(dates) == [("1.81.0", "2026-03-20"), ("1.83.0", "2026-04-02"),
                                         ("1.90.0", "2026-09-30")]
    assert {"1.82.7", "1.82.8"} == set(COMPROMISED)


def test_download_refuses_a_compromised_release(tmp_path):
    """The compromised releases are refused before pip is ever run."""
    with pytest.raises(ValueError, match="compromised"):
        download_wheel("1.82.8", tmp_path)


def _fake_wheel(folder, version, price_map):
    path = folder / f"litellm-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"litellm-{version}.dist-info/METADATA", f"Name: litellm\nVersion: {version}\n")
        if price_map is not None:
            archive.writestr("litellm/model_prices_and_context_window_backup.json", json.dumps(price_map))
    return path


def test_build_history_reads_cached_wheels_and_skips_releases_without_a_map(tmp_path):
    """With wheels in the cache no download happens; a wheel without a map is skipped and said so."""
    _fake_wheel(tmp_path, "1.0.0", None)
    _fake_wheel(tmp_path, "1.1.0", MAP)
    index = {"files": [{"filename": "litellm-1.0.0-py3-none-any.whl", "upload-time": "2025-01-05T00:00:00Z"},
                       {"filename": "litellm-1.1.0-py3-none-any.whl", "upload-time": "2025-04-05T00:00:00Z"}]}
    said = []
    out = build_history(tmp_path / "history.csv", cache_dir=tmp_path, index=index, log=said.append)
    frame = pd.read_csv(out)
    assert list(frame.columns) == HISTORY_COLUMNS
    assert set(frame["litellm_version"]) == {"1.1.0"} and set(frame["release_date"]) == {"2025-04-05"}
    assert any("1.0.0" in line and "no bundled price map" in line for line in said)
    assert read_price_map(tmp_path / "litellm-1.0.0-py3-none-any.whl") is None


def test_committed_history_has_one_summary_row_per_release_and_grows():
    """Every release has one (all open models) row; sellers of open models grew from the first to the last."""
    history = load("provider_history")
    summary = history[history["canonical_model"] == ALL_OPEN].sort_values("release_date")
    assert summary["release_date"].is_unique and len(summary) >= 8
    assert summary["n_providers"].iloc[-1] > summary["n_providers"].iloc[0]
    kinds = ["n_model_lab", "n_gpu_cloud", "n_custom_chip_cloud", "n_hyperscaler", "n_unclassified"]
    assert (history[kinds].sum(axis=1) == history["n_providers"]).all()
    models = history[(history["canonical_model"] != ALL_OPEN) & (history["n_providers"] > 0)]
    assert (models["min_blended_usd_per_m"] <= models["median_blended_usd_per_m"]).all()
    resold_only = history[history["n_providers"] == 0]
    assert resold_only["min_blended_usd_per_m"].isna().all() and (resold_only["n_resellers"] > 0).all()
    assert not set(history["litellm_version"]) & COMPROMISED
