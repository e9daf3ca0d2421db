"""A real call to a real provider: run only with a key, e.g.

    GROQ_API_KEY=... .venv/bin/python -m pytest tests/test_llm_live.py -m live

It is skipped when no provider key is set (the default in CI). It spends a fraction
of a cent: one short prompt with ``max_tokens=16`` to the provider's cheap default
model (``course.llm._providers.DEFAULT_MODELS``).
"""

from __future__ import annotations

import math

import pytest

import course
from course.llm._providers import DEFAULT_MODELS, keyed_providers

pytestmark = [pytest.mark.live, pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm.*")]


# Read once, at collection: keys that other tests set in this worker later are fakes.
KEYED_AT_START = keyed_providers()


def test_a_keyed_provider_answers_through_the_same_code_path():
    keyed = KEYED_AT_START
    if not keyed:
        pytest.skip("no provider key set (see .env.example); live tests are opt-in")
    model = DEFAULT_MODELS[keyed[0]]
    answer = course.ask("Say hello in one word.", model=model, max_tokens=16, timeout=60)
    assert answer.backend == "live" and not answer.simulated
    assert answer.tokens_out > 0 and answer.latency_s >= answer.ttft_s > 0
    assert math.isnan(answer.cost_usd) or answer.cost_usd >= 0
    assert "[sandbox]" not in answer.text
