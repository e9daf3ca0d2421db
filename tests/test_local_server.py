"""The local model's OpenAI-compatible server: litellm reaches it, streams, counts, times, queues."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request

import pytest

import course.local as local
from course.local.engine import KVCache
from course.local.loader import load_engine
from course.local.server import LocalServer

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

# One worker loads the model once (about 600 MB) for all the local-model tests.
pytestmark = pytest.mark.xdist_group("local-model")


@pytest.fixture(scope="module")
def srv():
    with LocalServer(load_engine("numpy")) as server:
        yield server


def _post(srv, body: dict) -> tuple[int, dict, dict]:
    req = urllib.request.Request(srv.base_url + "/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read()), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read()), dict(err.headers)


def _ask(question: str, **extra) -> dict:
    return {"model": "smollm2-135m", "messages": [{"role": "user", "content": question}], **extra}


def test_litellm_gets_a_real_answer_with_real_token_counts_and_timings(srv):
    import litellm

    eng = srv.engine
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    resp = litellm.completion(model="openai/smollm2-135m", api_base=srv.base_url, api_key="local",
                              messages=messages, max_tokens=12)
    assert resp.choices[0].message.content == "The capital of France is Paris."
    assert resp.usage.prompt_tokens == len(eng.chat_tokens(messages)) == 37
    assert resp.usage.completion_tokens == eng.count_tokens("The capital of France is Paris.") == 7
    timing = srv.timing(resp.id)
    assert timing["engine"] == "numpy" and timing["decode_tokens_per_s"] > 0 and timing["prefill_s"] > 0
    headers = resp._hidden_params["additional_headers"]
    assert float(headers["llm_provider-x-course-prefill-tokens-per-s"]) == timing["prefill_tokens_per_s"]


def test_litellm_streams_the_answer_and_gets_usage_at_the_end(srv):
    import litellm

    stream = litellm.completion(model="openai/smollm2-135m", api_base=srv.base_url, api_key="local",
                                messages=[{"role": "user", "content": "What is the capital of France?"}],
                                max_tokens=12, stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(pieces) >= 5 and "".join(pieces) == "The capital of France is Paris."
    assert chunks[-1].usage.completion_tokens == 7 and chunks[-1].usage.prompt_tokens == 37


def test_concurrent_requests_are_queued_and_never_mixed_up(srv):
    questions = ["What is the capital of France?", "What is 2+2?", "Name three colours."]
    alone = {q: _post(srv, _ask(q, max_tokens=6))[1]["choices"][0]["message"]["content"] for q in questions}
    results: dict[str, dict] = {}

    def call(q: str) -> None:
        results[q] = _post(srv, _ask(q, max_tokens=6))[1]

    threads = [threading.Thread(target=call, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert {q: r["choices"][0]["message"]["content"] for q, r in results.items()} == alone
    waits = sorted(r["timings"]["queue_s"] for r in results.values())
    assert waits[-1] > waits[0] + 0.1  # the last one waited for the others
    assert len({r["id"] for r in results.values()}) == 3


def test_a_prompt_longer_than_the_context_gets_http_400_with_the_numbers(srv, monkeypatch):
    monkeypatch.setattr(srv.engine, "context", 30)
    status, body, _ = _post(srv, _ask("What is the capital of France?"))
    assert status == 400 and body["error"]["code"] == "context_length_exceeded"
    assert "37 tokens" in body["error"]["message"] and "holds 30 tokens" in body["error"]["message"]


def test_running_out_of_memory_gets_http_503_saying_so(srv, monkeypatch):
    def no_room(cfg, capacity):
        raise local.LocalOutOfMemoryError(f"Out of memory: a KV cache for {capacity} tokens needs 1 TB.")

    monkeypatch.setattr(KVCache, "empty", staticmethod(no_room))
    status, body, _ = _post(srv, _ask("Hi", max_tokens=4))
    assert status == 503 and body["error"]["code"] == "out_of_memory"
    assert "Out of memory" in body["error"]["message"]


def test_an_unknown_model_or_bad_body_is_refused(srv):
    assert _post(srv, {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]})[0] == 404
    assert _post(srv, {"model": "smollm2-135m", "messages": []})[0] == 400
    assert _post(srv, _ask("Hi", max_tokens=0))[0] == 400


def test_models_route_lists_the_model_with_its_context_and_licence(srv):
    with urllib.request.urlopen(srv.base_url + "/models", timeout=10) as resp:
        data = json.loads(resp.read())["data"]
    assert data == [{"id": "smollm2-135m", "object": "model", "owned_by": "local", "engine": "numpy",
                     "context_length": 8192, "license": "apache-2.0"}]


def test_ensure_server_starts_once_per_process_and_status_reports_it(monkeypatch):
    monkeypatch.setenv("COURSE_LOCAL_ENGINE", "numpy")
    try:
        url = local.ensure_server()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert local.ensure_server() == url
        s = local.status()
        assert s["ok"] and s["server"] == url and s["file_mb"] == 98.4 and s["problem"] is None
    finally:
        local.stop_server()
    assert local.status()["server"] is None
