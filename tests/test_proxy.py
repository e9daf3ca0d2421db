"""The real LiteLLM proxy, started from deploy/litellm-proxy/config.workshop.yaml.

The proxy (``litellm --config ...``, installed with the ``proxy`` extra) runs on
127.0.0.1 in front of the provider stand-ins (tests/standins), with a master key
and two learner keys with budgets. The course talks to it as a learner does:
``COURSE_LOCAL_BASE_URL`` and ``COURSE_LOCAL_API_KEY``, calling ``local/<model>``.
Skipped, with the reason, when the proxy's packages are not installed.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.request

import pytest

import course
from course.llm import _providers
from course.llm._errors import BudgetExceededError
from course.llm._litellm import import_litellm
from tests.standins import StandIns
from tests.standins.proxy import missing, running_proxy

MASTER = "sk-master-" + "FAKEFORTESTS" * 2
LEARNERS = {"ada": ("sk-ada-" + "FAKEFORTESTS" * 2, 5.0), "bob": ("sk-bob-" + "FAKEFORTESTS" * 2, 0.000001)}
UPSTREAM = {"GROQ_API_KEY": "gsk_" + "UPSTREAMFAKE" * 3, "TOGETHERAI_API_KEY": "tg_" + "UPSTREAMFAKE" * 3,
            "OPENAI_API_KEY": "sk-" + "UPSTREAMFAKE" * 3}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("proxy")]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    reason = missing()
    if reason:
        pytest.skip(reason)
    with StandIns() as standins:
        env = {**UPSTREAM, **standins.env()}
        with running_proxy(tmp_path_factory.mktemp("proxy"), master_key=MASTER, learners=LEARNERS,
                           env=env) as proxy:
            yield {**proxy, "standins": standins}


@pytest.fixture
def learner(proxy, monkeypatch):
    def use(name: str):
        monkeypatch.setenv("COURSE_LOCAL_BASE_URL", proxy["base"] + "/v1")
        monkeypatch.setenv("COURSE_LOCAL_API_KEY", LEARNERS[name][0])
        monkeypatch.setenv("COURSE_LLM_BACKEND", "auto")
        _providers._probe_cache.clear()
        course.budget(limit_usd=1.0, reset=True)
    yield use
    _providers._probe_cache.clear()


def test_the_course_finds_the_proxy_only_with_a_learner_key(proxy, learner, monkeypatch):
    learner("ada")
    assert _providers.local_server() == proxy["base"] + "/v1"
    assert "gpt-oss-20b" in _providers.local_models(proxy["base"] + "/v1")
    monkeypatch.setenv("COURSE_LOCAL_API_KEY", "sk-" + "not-a-learner-key")
    _providers._probe_cache.clear()
    assert _providers.local_server() is None


def test_a_learner_call_through_the_proxy_reaches_the_provider_and_is_priced(proxy, learner):
    learner("ada")
    before = len(proxy["standins"].requests)
    answer = course.ask("What is a token?", model="local/gpt-oss-20b", max_tokens=32)
    assert answer.backend == "local" and answer.provider == "proxy"
    assert answer.text.startswith("[stand-in groq]")
    upstream = [r for r in proxy["standins"].requests[before:] if r["method"] == "POST"]
    assert upstream[-1]["key_sha256"] == hashlib.sha256(UPSTREAM["GROQ_API_KEY"].encode()).hexdigest()
    cost_in, cost_out = import_litellm().cost_per_token(model="groq/openai/gpt-oss-20b",
                                                        prompt_tokens=answer.tokens_in,
                                                        completion_tokens=answer.tokens_out)
    assert not answer.cost_estimated
    assert answer.cost_usd == pytest.approx(cost_in + cost_out) and answer.cost_usd > 0
    assert course.budget().spent_usd == pytest.approx(answer.cost_usd)


def test_a_learner_whose_budget_is_spent_is_refused_clearly(proxy, learner):
    learner("bob")
    course.ask("Hi", model="local/gpt-oss-20b", max_tokens=16)  # spends past bob's $0.000001
    spend = proxy["spend"]
    deadline = time.monotonic() + 60  # the proxy books spend in a callback after answering
    while time.monotonic() < deadline and "bob" not in (spend.read_text() if spend.exists() else ""):
        time.sleep(0.2)
    with pytest.raises(BudgetExceededError) as refused:
        course.ask("Hi again", model="local/gpt-oss-20b", max_tokens=16, retries=0)
    message = str(refused.value)
    assert "budget of your key is spent" in message and "instructor" in message
    assert LEARNERS["bob"][0] not in message


def test_no_key_reaches_the_proxy_log_or_the_learners_errors(proxy, learner):
    learner("ada")
    course.ask("Hi", model="local/gpt-oss-120b", max_tokens=16)
    text = proxy["log"].read_text()
    for key in [MASTER, *UPSTREAM.values(), *(k for k, _ in LEARNERS.values())]:
        assert key not in text


def test_the_master_key_can_call_and_list_models(proxy):
    request = urllib.request.Request(proxy["base"] + "/v1/models",
                                     headers={"Authorization": f"Bearer {MASTER}"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        names = {m["id"] for m in json.load(reply)["data"]}
    assert {"gpt-oss-20b", "gpt-oss-120b", "gpt-oss-120b-together", "gpt-4o-mini"} <= names
