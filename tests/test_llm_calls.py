"""ask, compare, the router and the budget, through litellm against the sandbox on 127.0.0.1.

Offline by construction: provider keys are removed from the environment, the working
folder has no ``.env``, and name resolution of any host other than localhost fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest

import course
from course._base._env import PROVIDERS
from course.llm import _budget, backend_summary
from course.llm._errors import translate
from course.llm.servers._sandbox import sandbox

CHIP = "sandbox/chip/llama-3.1-8b"
CHIP70 = "sandbox/chip/llama-3.1-70b"
GPU = "sandbox/gpucloud/llama-3.1-405b"
MINI = "sandbox/frontier/gpt-4o-mini"
AGG = "sandbox/aggregator/gpt-4o-mini"
# litellm's own pydantic deprecation noise, not ours
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm.*")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", None}


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No real keys, no .env, no public network; a fresh budget and a fault-free sandbox."""
    for provider in PROVIDERS:
        for var in provider.env_vars:
            monkeypatch.delenv(var, raising=False)
    for var in ("COURSE_LOCAL_BASE_URL", "COURSE_LOCAL_API_KEY", "COURSE_DEFAULT_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COURSE_LLM_BACKEND", "sandbox")
    monkeypatch.chdir(tmp_path)
    real = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host not in LOCAL_HOSTS:
            raise OSError(f"test tried to reach the network: {host}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    _budget.budget(limit_usd=_budget.DEFAULT_LIMIT_USD, count_sandbox=True, reset=True)
    box = sandbox(time_scale=0.05)
    box.clear_faults()
    yield box
    box.clear_faults()


# -- ask --------------------------------------------------------------------------------------
def test_ask_returns_a_marked_simulated_answer_with_profile_speed_and_catalog_cost():
    answer = course.ask("What is a token?", model=CHIP)
    spec = sandbox().models["chip/llama-3.1-8b"]
    assert answer.text.startswith("[sandbox] ") and answer.simulated
    assert answer.tokens_per_s == pytest.approx(spec.tokens_per_s)
    expected = (answer.tokens_in * spec.input_usd_per_m + answer.tokens_out * spec.output_usd_per_m) / 1e6
    assert answer.cost_usd == pytest.approx(expected)
    assert 0 < answer.ttft_s < answer.latency_s
    assert "SIMULATED" in answer._repr_html_()


def test_the_same_prompt_gets_the_same_answer_tokens_and_timings():
    a, b = (course.ask("What is throughput?", model=GPU) for _ in range(2))
    assert (a.text, a.tokens_in, a.tokens_out, a.latency_s, a.ttft_s, a.cost_usd) == (
        b.text, b.tokens_in, b.tokens_out, b.latency_s, b.ttft_s, b.cost_usd)


def test_without_keys_or_local_server_the_default_model_is_the_sandbox():
    summary = backend_summary()
    assert summary["backend"] == "sandbox" and summary["providers_with_keys"] == []
    assert course.ask("What is inference?").model == summary["default_model"]


def test_ask_works_inside_a_running_event_loop_like_jupyter():
    import asyncio

    async def notebook_cell():
        sync = course.ask("What is a router?", model=CHIP)  # a sync call inside a running loop
        async_ = await course.aask("What is a router?", model=CHIP)
        table = await course.acompare("What is a router?", [CHIP, MINI])
        return sync, async_, table

    sync, async_, table = asyncio.run(notebook_cell())
    assert sync.text == async_.text and table["error"].isna().all()


# -- errors -------------------------------------------------------------------------------------
def test_a_missing_key_names_the_variable_to_set():
    with pytest.raises(course.MissingKeyError, match="GROQ_API_KEY"):
        course.ask("hi", model="groq/openai/gpt-oss-20b")


def test_an_unknown_sandbox_model_or_provider_is_an_unknown_model_error():
    with pytest.raises(course.UnknownModelError, match="does not serve"):
        course.ask("hi", model="sandbox/chip/no-such-model")
    with pytest.raises(course.UnknownModelError):
        course.ask("hi", model="no-such-provider-xyz/model")


def test_a_rate_limit_is_retried_after_retry_after_then_succeeds():
    sandbox().set_fault("chip", "429", times=1)
    answer = course.ask("What is a token?", model=CHIP, retries=2)
    assert answer.attempts == 2


def test_a_rate_limit_without_retries_is_a_rate_limited_error_with_retry_after():
    with pytest.raises(course.RateLimitedError) as info:
        course.ask("What is a token? [fault:429]", model=CHIP, retries=0)
    assert info.value.retry_after_s == pytest.approx(0.05)  # 1 s at time scale 0.05
    assert "rate limit" in str(info.value)


def test_a_server_error_is_a_provider_down_error_after_the_retries():
    sandbox().set_fault("chip", "500")
    with pytest.raises(course.ProviderDownError, match="down or failing"):
        course.ask("What is a token?", model=CHIP, retries=1)


def test_a_hang_past_the_timeout_is_a_timeout_error_without_sdk_retries():
    started = time.perf_counter()
    with pytest.raises(course.ProviderTimeoutError):
        course.ask("hi [fault:timeout]", model=CHIP, timeout=0.5, retries=0)
    assert time.perf_counter() - started < 2.0  # one attempt, not the SDK's three


def test_a_slow_profile_reports_its_slowness():
    normal = course.ask("What is a token?", model=CHIP)
    sandbox().set_fault("chip", "slow")
    slow = course.ask("What is a token?", model=CHIP)
    assert slow.ttft_s >= normal.ttft_s + 1.0 and slow.tokens_per_s < normal.tokens_per_s


def test_no_key_reaches_a_message_or_repr_when_a_key_is_rejected(monkeypatch):
    secret = "sk-" + "local-SECRET-do-not-leak-0123456789"  # built at run time: no key-shaped literal in the repo
    monkeypatch.setenv("COURSE_LOCAL_BASE_URL", sandbox().base_url)
    monkeypatch.setenv("COURSE_LOCAL_API_KEY", secret)
    with pytest.raises(course.MissingKeyError) as info:  # the sandbox echoes the key, as OpenAI does
        course.ask("hi [fault:401]", model="local/chip/llama-3.1-8b", retries=0)
    assert secret not in str(info.value) and secret not in repr(info.value)
    assert secret not in "".join(traceback.format_exception(info.value))


def test_translated_provider_errors_redact_a_key_echoed_by_the_provider(monkeypatch):
    from course.llm._litellm import import_litellm

    secret = "gsk_fake_key_that_must_never_show_42"
    monkeypatch.setenv("GROQ_API_KEY", secret)
    litellm = import_litellm()
    for exc in (litellm.AuthenticationError(f"bad key {secret}", "groq", "m"),
                litellm.InternalServerError(f"boom {secret}", "groq", "m"),
                litellm.BadRequestError(f"weird {secret}", "m", "groq")):
        error = translate(exc, model="groq/m", provider="groq")
        assert isinstance(error, course.LLMError)
        assert secret not in str(error) and secret not in repr(error)


# -- compare -------------------------------------------------------------------------------------
def test_compare_returns_one_row_per_model_with_the_documented_columns():
    table = course.compare("What is latency?", [CHIP, GPU, MINI])
    assert list(table["model"]) == [CHIP, GPU, MINI]
    for column in ("latency_s", "ttft_s", "tokens_in", "tokens_out", "tokens_per_s", "cost_usd", "error"):
        assert column in table
    assert table["error"].isna().all()
    assert table.set_index("model").loc[GPU, "tokens_per_s"] == pytest.approx(27.9)


def test_compare_keeps_successful_results_when_some_calls_fail():
    sandbox().set_fault("gpucloud", "500")
    table = course.compare("What is latency?", [CHIP, GPU, "sandbox/chip/nope", "groq/x", MINI],
                           retries=0).set_index("model")
    assert table.loc[[CHIP, MINI], "error"].isna().all()
    assert table.loc[CHIP, "text"].startswith("[sandbox]")
    assert table.loc[GPU, "error"].startswith("ProviderDownError")
    assert table.loc["sandbox/chip/nope", "error"].startswith("UnknownModelError")
    assert table.loc["groq/x", "error"].startswith("MissingKeyError")


def test_compare_runs_the_calls_concurrently():
    box = sandbox(time_scale=0.2)
    try:
        models = [GPU, AGG, "sandbox/aggregator/llama-3.1-405b", MINI]
        course.compare("What is a router?", models)  # warm up clients
        one_by_one = 0.0
        for model in models:
            started = time.perf_counter()
            course.ask("What is a router?", model=model)
            one_by_one += time.perf_counter() - started
        started = time.perf_counter()
        course.compare("What is a router?", models)
        together = time.perf_counter() - started
    finally:
        box.time_scale = 0.05
    assert together < 0.7 * one_by_one


# -- budget ---------------------------------------------------------------------------------------
def test_the_budget_counts_successful_calls_and_refuses_past_the_limit():
    budget = course.budget(limit_usd=0.0005, reset=True)
    answer = course.ask("What is a token?", model=GPU, max_tokens=60)  # at most ~$0.00024
    assert budget.spent_usd == pytest.approx(answer.cost_usd)
    course.ask("What is a token?", model=GPU, max_tokens=60)
    with pytest.raises(course.BudgetExceededError, match=r"budget reached.*course.budget"):
        course.ask("What is a token?", model=GPU, max_tokens=60)
    assert budget.refused == 1 and budget.spent_usd <= budget.limit_usd


def test_failed_calls_cost_nothing_and_free_their_hold():
    budget = course.budget(reset=True)
    with pytest.raises(course.ProviderDownError):
        course.ask("hi [fault:500]", model=GPU, retries=0)
    assert budget.spent_usd == 0 and budget.reserved_usd == 0


def test_sandbox_spending_can_be_left_out_of_the_budget():
    budget = course.budget(limit_usd=0.0, count_sandbox=False, reset=True)
    assert course.ask("What is a token?", model=GPU).cost_usd > 0
    assert budget.spent_usd == 0


def test_compare_past_the_budget_keeps_the_rows_that_fit():
    course.budget(limit_usd=0.0003, reset=True)
    table = course.compare("What is a token?", [CHIP, GPU, GPU], max_tokens=60)
    errors = table["error"].fillna("")
    assert errors[0] == "" and table.loc[0, "text"].startswith("[sandbox]")
    assert errors.str.startswith("BudgetExceededError").sum() == 1


# -- router ---------------------------------------------------------------------------------------
QUALITY = {CHIP: 60.0, CHIP70: 75.0, GPU: 85.0, MINI: 80.0}  # made-up test scores, not course data


def test_the_router_picks_the_cheapest_model_meeting_the_quality_floor():
    plan = course.Router(QUALITY, min_quality=70).plan("What is a router?")
    assert plan.loc[0, "model"] == MINI  # $0.15/$0.60 beats $0.60/$0.60 and $3.50/$3.50
    assert not plan.set_index("model").loc[CHIP, "eligible"]
    assert course.route("What is a router?", QUALITY, min_quality=70).model == MINI


def test_the_router_respects_the_latency_limit():
    plan = course.Router(QUALITY, min_quality=80, max_latency_s=3).plan().set_index("model")
    assert plan.loc[MINI, "eligible"] and not plan.loc[GPU, "eligible"]
    assert "latency" in plan.loc[GPU, "reason"]


def test_the_router_falls_back_in_cost_order_on_errors():
    sandbox().set_fault("frontier", "429")
    answer = course.Router(QUALITY, min_quality=70).ask("What is a router?")
    assert answer.model == CHIP70
    assert [step["model"] for step in answer.route] == [MINI, CHIP70]
    assert answer.route[0]["error"].startswith("RateLimitedError")


def test_the_router_says_why_when_nothing_qualifies_or_everything_fails():
    with pytest.raises(course.RoutingError, match="quality"):
        course.route("hi", QUALITY, min_quality=99)
    sandbox().set_fault("chip", "500")
    with pytest.raises(course.RoutingError, match="every eligible candidate failed") as info:
        course.route("hi", {CHIP: 1, CHIP70: 1})
    assert len(info.value.attempts) == 2


def test_the_router_needs_quality_scores_from_the_caller():
    with pytest.raises(ValueError, match="sourced"):
        course.Router([{"model": CHIP}], min_quality=50)


def test_models_lists_the_sandbox_with_sources():
    table = course.models()
    sandbox_rows = table[table["backend"] == "sandbox"]
    assert set(sandbox_rows["model"]) >= {CHIP, GPU, MINI}
    assert sandbox_rows["price_source"].str.len().gt(0).all()


# -- staying offline --------------------------------------------------------------------------------
def test_importing_course_does_not_import_litellm():
    code = "import course, sys; course.ask; print('litellm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_litellm_and_a_sandbox_call_never_touch_the_network(tmp_path):
    code = (
        "import socket\n"
        "real = socket.getaddrinfo\n"
        "def guard(host, *a, **k):\n"
        "    if host not in ('127.0.0.1', 'localhost', '::1'):\n"
        "        raise SystemExit('NETWORK: ' + str(host))\n"
        "    return real(host, *a, **k)\n"
        "socket.getaddrinfo = guard\n"
        "import course\n"
        "print(course.ask('What is a token?', model='sandbox/chip/llama-3.1-8b').text[:9])\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in {var for p in PROVIDERS for var in p.env_vars}}
    env.update(COURSE_LLM_BACKEND="sandbox", COURSE_ROOT=str(Path(course.__file__).parent.parent))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=180)  # importing litellm takes a while on a busy machine
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "[sandbox]" and "NETWORK" not in out.stderr
