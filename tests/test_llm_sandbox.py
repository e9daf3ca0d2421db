"""The offline sandbox speaks the OpenAI chat-completions protocol over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from course.data._profiles import PROFILE_SPECS, load_models
from course.llm.servers._answers import MARKER, count_tokens
from course.llm.servers._sandbox import Sandbox


@pytest.fixture(scope="module")
def box():
    with Sandbox(time_scale=0.01, hang_s=2) as sb:
        yield sb


def _post(box, body: dict, timeout: float = 5):
    request = urllib.request.Request(box.base_url + "/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer sk-test-echo-0000"})
    return urllib.request.urlopen(request, timeout=timeout)


def _chat(prompt: str, model: str = "chip/llama-3.1-8b", **extra) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": prompt}], **extra}


def test_models_endpoint_lists_every_profile_model_as_simulated(box):
    with urllib.request.urlopen(box.base_url + "/models", timeout=5) as reply:
        data = json.load(reply)["data"]
    assert {m["id"] for m in data} == set(box.models)
    assert all(m["simulated"] for m in data)


def test_a_plain_completion_is_marked_deterministic_and_counts_tokens(box):
    first = json.load(_post(box, _chat("What is a token?")))
    second = json.load(_post(box, _chat("What is a token?")))
    text = first["choices"][0]["message"]["content"]
    assert text.startswith(MARKER)
    assert text == second["choices"][0]["message"]["content"]
    assert first["usage"]["prompt_tokens"] == count_tokens("What is a token?")
    assert first["usage"]["completion_tokens"] == count_tokens(text)


def test_streaming_sends_sse_chunks_usage_and_done(box):
    reply = _post(box, _chat("What is latency?", stream=True, stream_options={"include_usage": True}))
    assert reply.headers["Content-Type"] == "text/event-stream"
    events = [line[6:] for line in reply.read().decode().splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text.startswith(MARKER + "Latency is")
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == count_tokens(text)
    assert box.timing(chunks[0]["id"])["latency_s"] > box.timing(chunks[0]["id"])["ttft_s"]


def test_streaming_without_include_usage_sends_no_usage_chunk(box):
    reply = _post(box, _chat("What is latency?", stream=True))
    events = [line for line in reply.read().decode().splitlines() if line.startswith("data: {")]
    assert all("usage" not in json.loads(e[6:]) for e in events)


def test_max_tokens_truncates_the_answer_with_finish_reason_length(box):
    body = json.load(_post(box, _chat("What is a token?", max_tokens=8)))
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] <= 8


def test_an_unknown_model_is_a_404_naming_the_available_ones(box):
    with pytest.raises(urllib.error.HTTPError) as info:
        _post(box, _chat("hi", model="chip/nope"))
    assert info.value.code == 404
    assert "chip/llama-3.1-8b" in json.load(info.value)["error"]["message"]


@pytest.mark.parametrize("kind, status", [("429", 429), ("500", 500), ("401", 401)])
def test_a_prompt_marker_injects_an_http_fault(box, kind, status):
    with pytest.raises(urllib.error.HTTPError) as info:
        _post(box, _chat(f"What is a token? [fault:{kind}]"))
    assert info.value.code == status
    if status == 429:
        assert info.value.headers["Retry-After"] == "1"
        assert info.value.headers["retry-after-ms"] == "10"  # 1 s at time scale 0.01


def test_a_timeout_fault_hangs_past_the_client_timeout(box):
    with pytest.raises(OSError):  # socket.timeout / URLError(timeout)
        _post(box, _chat("hi [fault:timeout]"), timeout=0.3)


def test_a_slow_fault_adds_simulated_time(box):
    fast = json.load(_post(box, _chat("What is a token?")))
    slow = json.load(_post(box, _chat("What is a token? [fault:slow]")))
    fast_t, slow_t = box.timing(fast["id"]), box.timing(slow["id"])
    assert slow_t["ttft_s"] >= fast_t["ttft_s"] + 1.0
    # a slow answer also streams at a tenth of the speed: ten times the decode time
    assert slow_t["latency_s"] - slow_t["ttft_s"] == pytest.approx(10 * (fast_t["latency_s"] - fast_t["ttft_s"]))


def test_a_profile_fault_applies_for_the_given_number_of_calls_then_clears(box):
    box.set_fault("chip", "500", times=2)
    for _ in range(2):
        with pytest.raises(urllib.error.HTTPError):
            _post(box, _chat("What is a token?"))
    assert json.load(_post(box, _chat("What is a token?")))["choices"]
    # other profiles are unaffected by a profile fault
    box.set_fault("chip", "429")
    assert json.load(_post(box, _chat("What is a token?", model="frontier/gpt-4o-mini")))["choices"]
    box.clear_faults()


def test_set_fault_rejects_unknown_profiles_and_kinds(box):
    with pytest.raises(ValueError, match="profile"):
        box.set_fault("nowhere", "500")
    with pytest.raises(ValueError, match="fault"):
        box.set_fault("chip", "418")


def test_every_profile_resolves_against_the_datasets_with_named_rows():
    models, skipped = load_models()
    assert skipped == []
    assert len(models) == sum(len(p.models) for p in PROFILE_SPECS)
    for m in models:
        assert m.price_source.startswith(("datasets/price_catalog.csv", "fixture"))
        assert m.speed_source.startswith(("datasets/provider_speed_claims.csv", "fixture"))
        # a TTFT is sourced or labelled ASSUMED (a sourced default), never one token's time
        assert m.ttft_source.startswith(("ASSUMED", "measured_median", "vendor_claim"))
        assert m.simulated_ttft() == m.ttft_s and m.ttft_s != pytest.approx(1 / m.tokens_per_s)
        assert m.tokens_per_s > 0 and m.input_usd_per_m >= 0


def test_the_sandbox_stops_and_frees_its_port():
    sb = Sandbox().start()
    url = sb.base_url
    sb.stop()
    assert not sb.running
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/models", timeout=1)
