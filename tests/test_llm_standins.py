"""Live calls end to end without the public network.

Every hosted provider's endpoint is served by a stand-in on 127.0.0.1 speaking the
provider's real wire protocol (``tests/standins``), so litellm's real provider code
runs: request building, streaming, usage and cost. Also: keys with no network at
all (a closed loopback port), Ollama detection, unpriced models, token estimates,
retries after ``Retry-After`` and interrupting a call.
"""

from __future__ import annotations

import _thread
import hashlib
import logging
import math
import socket
import threading
import time

import pytest

import course
from course._base._env import PROVIDERS
from course.llm import _providers
from course.llm._budget import conservative_prices
from course.llm._client import _prompt_tokens, ask
from course.llm._errors import LLMError, ProviderDownError
from course.llm._litellm import import_litellm
from course.llm._providers import DEFAULT_MODELS, live_in_price_map, resolve
from tests.standins import BASE_VARS, OLLAMA_MODELS, StandIns

FAKE = {p.name: f"sk-{p.name}-" + "FAKEKEYFORTESTS" * 2 for p in PROVIDERS}
STANDIN_PROVIDERS = [p for p in BASE_VARS]


def _clear(monkeypatch):
    for p in PROVIDERS:
        for var in (*p.env_vars, *p.base_vars):
            monkeypatch.delenv(var, raising=False)
    for var in ("COURSE_LOCAL_BASE_URL", "COURSE_LOCAL_API_KEY", "COURSE_DEFAULT_MODEL", "OLLAMA_HOST"):
        monkeypatch.delenv(var, raising=False)
    _providers._probe_cache.clear()


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def standins(monkeypatch):
    """Stand-ins for every provider, a fake key for each, litellm routed to them."""
    _clear(monkeypatch)
    with StandIns() as s:
        for p in PROVIDERS:
            if p.name in BASE_VARS:
                monkeypatch.setenv(p.env_vars[0], FAKE[p.name])
        for var, url in s.env().items():
            monkeypatch.setenv(var, url)
        monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{closed_port()}")
        monkeypatch.setenv("COURSE_LLM_BACKEND", "auto")
        course.budget(limit_usd=0.50, reset=True)
        yield s
    _providers._probe_cache.clear()


@pytest.mark.parametrize("provider", STANDIN_PROVIDERS)
def test_each_providers_default_model_streams_through_litellm_with_usage_and_cost(standins, provider):
    model = DEFAULT_MODELS[provider]
    answer = ask("What is a token?", model=model, max_tokens=64)
    assert answer.text.startswith(f"[stand-in {provider}]")
    assert answer.backend == "live" and not answer.simulated and answer.provider == provider
    seen = [r for r in standins.requests if r["method"] == "POST"]
    assert len(seen) == 1 and seen[0]["provider"] == provider and seen[0]["stream"]
    assert seen[0]["key_sha256"] == hashlib.sha256(FAKE[provider].encode()).hexdigest()
    if seen[0]["usage_requested"] or provider == "anthropic":  # Anthropic always streams usage
        assert answer.tokens_out == len(answer.text.split())  # the stand-in's usage, not an estimate
    else:  # litellm drops stream_options for some providers (Cerebras): count the answer
        assert answer.tokens_out == import_litellm().token_counter(model=model, text=answer.text)
    if provider == "openrouter":  # litellm 1.110.2's price map lists no OpenRouter model
        assert answer.cost_estimated and not live_in_price_map(model)
        per_in, per_out = conservative_prices()
    else:
        assert not answer.cost_estimated and live_in_price_map(model)
        per_in, per_out = import_litellm().cost_per_token(model=model, prompt_tokens=1,
                                                          completion_tokens=1)
    assert answer.cost_usd == pytest.approx(answer.tokens_in * per_in + answer.tokens_out * per_out)
    assert answer.cost_usd > 0
    assert course.budget().spent_usd == pytest.approx(answer.cost_usd)


def test_anthropic_is_called_with_its_own_messages_protocol(standins):
    ask("Hello", model=DEFAULT_MODELS["anthropic"], system="Be brief.")
    (post,) = [r for r in standins.requests if r["method"] == "POST"]
    assert post["path"] == "/v1/messages" and post["stream"]


def test_compare_across_stand_in_providers_fills_every_row(standins):
    models = [DEFAULT_MODELS[p] for p in ("groq", "together", "anthropic")]
    table = course.compare("What is latency?", models, max_tokens=32)
    assert table["error"].isna().all(), table["error"].tolist()
    assert (table["cost_usd"] > 0).all() and not table["simulated"].any()


def test_a_rate_limit_is_retried_after_the_providers_retry_after(standins):
    standins.faults["groq"] = ["429"]
    started = time.perf_counter()
    answer = ask("Hi", model=DEFAULT_MODELS["groq"], retries=2)
    assert answer.attempts == 2
    assert time.perf_counter() - started >= 0.2  # the stand-in's Retry-After: 0.2


def test_interrupting_a_call_cancels_it_and_frees_its_budget_hold(standins):
    standins.faults["groq"] = ["hang"]

    def interrupt_once_the_request_is_in_flight():
        deadline = time.monotonic() + 60
        while not any(r["method"] == "POST" for r in standins.requests) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        _thread.interrupt_main()  # what Jupyter's "interrupt the kernel" does

    threading.Thread(target=interrupt_once_the_request_is_in_flight, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        ask("Hi", model=DEFAULT_MODELS["groq"], timeout=60)
    interrupted = time.perf_counter()
    deadline = time.monotonic() + 3
    while standins.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert standins.disconnects == 1  # the connection was closed: no answer will be paid for
    assert time.perf_counter() - interrupted < 3  # at once, not at the 60 s timeout
    assert course.budget().reserved_usd == 0 and course.budget().spent_usd == 0


def test_an_unpriced_model_is_charged_a_stated_conservative_estimate(standins):
    answer = ask("Hi", model="openai/not-in-the-price-map-xyz", max_tokens=16)
    cost_in, cost_out = conservative_prices()
    assert answer.cost_estimated
    assert answer.cost_usd == pytest.approx(answer.tokens_in * cost_in + answer.tokens_out * cost_out)
    assert answer.cost_usd > 0
    budget = course.budget()
    assert budget.spent_usd == pytest.approx(answer.cost_usd) and budget.unpriced_calls == 1
    assert "conservative estimate" in answer._repr_html_()


def test_live_budget_holds_count_tokens_with_litellms_token_counter():
    code = "def f(x):\n    return {k: v**2 for k, v in x.items() if v % 3 == 0}  # dict"
    messages = [{"role": "user", "content": code}]
    target = resolve("sandbox/chip/llama-3.1-8b")
    live = target.__class__("openai/gpt-4o-mini", "live", "openai", "openai/gpt-4o-mini")
    counted = _prompt_tokens(live, messages)
    assert counted == import_litellm().token_counter(model="openai/gpt-4o-mini", messages=messages)
    assert counted > len(code.split()) * 4 / 3  # a words rule under-counts code


def test_keys_with_no_network_fail_clearly_and_never_show_a_key(monkeypatch, capsys, caplog):
    _clear(monkeypatch)
    dead = f"http://127.0.0.1:{closed_port()}"
    for p in PROVIDERS:
        monkeypatch.setenv(p.env_vars[0], FAKE[p.name])
        for var in p.base_vars:
            monkeypatch.setenv(var, dead)
    monkeypatch.setenv("OLLAMA_HOST", dead)
    monkeypatch.setenv("COURSE_LLM_BACKEND", "auto")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ProviderDownError) as raised:
        ask("Hi", model=DEFAULT_MODELS["groq"], retries=0)
    assert "groq" in str(raised.value)
    table = course.compare("Hi", [DEFAULT_MODELS[p] for p in ("openai", "anthropic", "mistral")],
                           retries=0)
    assert table["error"].str.startswith("ProviderDownError").all(), table["error"].tolist()
    answer = ask("What is a token?", retries=0)  # the default model needs an answer: the sandbox
    assert answer.simulated and answer.route[0]["error"].startswith("ProviderDownError")
    printed = capsys.readouterr()
    assert "answering with the offline sandbox" in printed.err.lower()
    everything = printed.out + printed.err + caplog.text + str(raised.value) + table.to_string() + repr(answer)
    for key in FAKE.values():
        assert key not in everything


def test_no_key_appears_in_logs_or_outputs_of_successful_calls(standins, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    answer = ask("Hi", model=DEFAULT_MODELS["openai"])
    text = capsys.readouterr()
    everything = text.out + text.err + caplog.text + repr(answer) + answer._repr_html_() + str(answer.to_dict())
    assert FAKE["openai"] not in everything


def test_an_ollama_server_is_found_by_its_tags_and_called(monkeypatch):
    _clear(monkeypatch)
    monkeypatch.setenv("COURSE_LLM_BACKEND", "auto")
    course.budget(reset=True)
    with StandIns() as s:
        monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{s.port}/ollama")
        assert _providers.local_server() == s.base_url("ollama") + "/v1"
        assert _providers.ollama_models() == list(OLLAMA_MODELS)
        assert _providers.default_model() == f"local/{OLLAMA_MODELS[0]}"
        answer = ask("What is a token?")
        assert answer.backend == "local" and answer.provider == "ollama"
        assert answer.text.startswith("[stand-in ollama]")
        assert answer.cost_usd == 0 and not answer.cost_estimated  # your own hardware
        assert any(r["path"] == "/api/tags" for r in s.requests)
    _providers._probe_cache.clear()


def test_no_ollama_means_no_local_server(monkeypatch):
    _clear(monkeypatch)
    monkeypatch.setenv("COURSE_LLM_BACKEND", "auto")
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{closed_port()}")
    assert _providers.local_server() is None
    assert _providers.default_model() == _providers.SANDBOX_DEFAULT


def test_a_configured_local_server_is_probed_with_its_key(monkeypatch):
    _clear(monkeypatch)
    with StandIns() as s:
        monkeypatch.setenv("COURSE_LOCAL_BASE_URL", s.base_url("openai"))
        assert _providers.local_server() is None  # the server refuses a list without a key
        _providers._probe_cache.clear()
        monkeypatch.setenv("COURSE_LOCAL_API_KEY", FAKE["openai"])
        assert _providers.local_server() == s.base_url("openai")
        gets = [r for r in s.requests if r["method"] == "GET" and r["path"].endswith("/models")]
        assert not gets[0]["has_key"] and gets[-1]["has_key"]
    _providers._probe_cache.clear()


def test_a_failed_named_model_is_never_silently_replaced(monkeypatch):
    _clear(monkeypatch)
    monkeypatch.setenv("GROQ_API_KEY", FAKE["groq"])
    monkeypatch.setenv("GROQ_API_BASE", f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(LLMError):
        ask("Hi", model=DEFAULT_MODELS["groq"], retries=0)
    assert math.isclose(course.budget().reserved_usd, 0.0)


def test_same_weights_across_hosts_are_live_priced_listings_of_one_model(standins):
    names = _providers.same_weights_models("gpt-oss-120b")
    assert names == ["groq/openai/gpt-oss-120b", "cerebras/gpt-oss-120b", "together_ai/openai/gpt-oss-120b"]
    assert all(live_in_price_map(m) for m in names)  # fireworks' listing is retired in the map
    table = course.compare("What is a token?", names, max_tokens=32)
    assert table["error"].isna().all() and (table["cost_usd"] > 0).all()
    assert table["provider"].tolist() == ["groq", "cerebras", "together"]


def test_same_weights_without_two_keyed_hosts_is_the_simulated_comparison(monkeypatch):
    _clear(monkeypatch)
    monkeypatch.setenv("COURSE_LLM_BACKEND", "auto")
    monkeypatch.setenv("GROQ_API_KEY", FAKE["groq"])  # one host is no comparison
    names = _providers.same_weights_models()
    assert names == list(_providers.SANDBOX_SAME_WEIGHTS)
    assert {n.rsplit("/", 1)[1] for n in names} == {"llama-3.1-405b"} and len(names) == 2
