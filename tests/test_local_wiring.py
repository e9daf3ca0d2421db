"""The embedded model, ``local/smollm2-135m``, reached like any provider: ask, compare, Router, budget, doctor."""

from __future__ import annotations

import math
import os

import pytest

import course
import course.local as local
from course.llm._errors import ProviderDownError
from course.llm._providers import EMBEDDED_MODEL, resolve

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

# The same worker as the other local-model tests: the weights load once per session.
pytestmark = pytest.mark.xdist_group("local-model")

QUESTION = "What is the capital of France? Answer in one word."


@pytest.fixture(scope="module")
def answer():
    return course.ask(QUESTION, model=EMBEDDED_MODEL, max_tokens=8)


def test_ask_returns_a_real_answer_offline_with_measured_tokens_per_second(answer):
    assert "Paris" in answer.text
    assert answer.backend == "local" and answer.provider == "self-hosted"
    assert not answer.simulated and answer.self_hosted
    assert answer.timings["engine"] in ("numpy", "llama.cpp")
    assert answer.tokens_per_s == answer.timings["decode_tokens_per_s"] > 0
    assert answer.ttft_s == answer.timings["ttft_s"] > 0
    assert answer.latency_s >= answer.ttft_s


def test_token_counts_come_from_the_models_own_tokenizer(answer):
    engine = local.load_engine()
    assert answer.tokens_in == len(engine.chat_tokens([{"role": "user", "content": QUESTION}]))
    assert answer.tokens_out == answer.timings["completion_tokens"] <= 8


def test_the_embedded_model_costs_nothing_per_token_and_says_it_is_self_hosted(answer):
    assert answer.cost_usd == 0.0 and not answer.cost_estimated
    assert "self-hosted on this machine" in answer._repr_html_()
    spent = course.budget().spent_usd
    calls = course.budget().calls
    course.ask("Name a colour.", model=EMBEDDED_MODEL, max_tokens=2)
    assert course.budget().calls == calls + 1
    assert course.budget().spent_usd == spent


def test_the_embedded_name_maps_to_the_in_process_server():
    target = resolve(EMBEDDED_MODEL)
    assert target.litellm_model == "openai/smollm2-135m"
    assert target.api_base == local.ensure_server()
    assert target.free and target.self_hosted and target.api_key


def test_other_local_names_still_need_a_local_server(monkeypatch):
    monkeypatch.setenv("COURSE_LOCAL_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on port 9
    with pytest.raises(ProviderDownError, match="no local server answers"):
        resolve("local/llama3.2")
    assert resolve(EMBEDDED_MODEL).self_hosted  # the embedded model ignores COURSE_LOCAL_BASE_URL


def test_a_missing_model_file_is_a_provider_down_error_saying_what_to_do(monkeypatch):
    def missing(engine=None):
        raise local.LocalModelError("The model file is missing. To install it, run `make lab`.")

    monkeypatch.setattr(local, "ensure_server", missing)
    with pytest.raises(ProviderDownError, match="make lab"):
        resolve(EMBEDDED_MODEL)


def test_compare_and_the_router_reach_the_embedded_model():
    table = course.compare("Say hi.", [EMBEDDED_MODEL], max_tokens=2)
    row = table.iloc[0]
    assert row["error"] is None or (isinstance(row["error"], float) and math.isnan(row["error"]))
    assert row["backend"] == "local" and row["cost_usd"] == 0.0 and row["tokens_out"] >= 1
    router = course.Router({EMBEDDED_MODEL: 50})
    assert router.plan()["model"].tolist() == [EMBEDDED_MODEL]
    routed = router.ask("Say hi.", max_tokens=2)
    assert routed.model == EMBEDDED_MODEL and routed.self_hosted


def test_doctor_reports_the_embedded_model_without_loading_it():
    checks = {c.topic: c for c in course.doctor().checks}
    line = checks["embedded local model"]
    assert line.ok
    assert "apache-2.0" in line.detail and "MB" in line.detail and "engine" in line.detail
