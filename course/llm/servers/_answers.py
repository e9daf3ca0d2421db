"""What the sandbox says: deterministic answers from a small course glossary.

The same prompt always gets the same answer, marked ``[sandbox]`` so nobody
mistakes it for a real model's output. Tokens are counted with a simple,
documented rule rather than a real tokenizer, so counts are the same everywhere.
"""

from __future__ import annotations

import math
import re

from course.data._eval_tasks import SIMULATED_SKILL, TASKS

#: Every sandbox answer starts with this marker.
MARKER = "[sandbox] "

#: Glossary of the course, in our own words: term -> definition.
GLOSSARY: dict[str, str] = {
    "token": "A token is a piece of text, often part of a word, that a model reads or writes; "
    "providers bill input and output tokens separately, usually in US dollars per million tokens.",
    "inference": "Inference is running a trained model to produce an answer; for a language model "
    "it means reading the prompt and then generating output tokens one at a time.",
    "inference-as-a-service": "Inference-as-a-Service means renting model answers through an API "
    "and paying per token, instead of buying and running the hardware yourself.",
    "open weights": "An open-weight model publishes its trained parameters so anyone can download "
    "and run it; the licence still decides what you may do with it.",
    "latency": "Latency is the time from sending a request to receiving the whole answer; it adds "
    "the time to first token and the time to generate the remaining tokens.",
    "time to first token": "Time to first token (TTFT) is how long a user waits before the first "
    "piece of the answer arrives; it matters most for chat and other interactive uses.",
    "throughput": "Throughput, measured in output tokens per second, is how fast a model writes "
    "once it has started; custom inference chips compete mainly on it.",
    "router": "A router sends each request to one of several models, for example the cheapest one "
    "that is good enough, and falls back to another when a call fails.",
    "rate limit": "A rate limit caps how many requests or tokens a provider accepts per minute; "
    "beyond it the provider answers HTTP 429 and the client should wait and retry.",
    "lock-in": "Lock-in is the cost of switching away from a provider; an abstraction layer that "
    "speaks one API to many providers keeps that cost low.",
    "aggregator": "An aggregator resells many providers' models behind one API and one bill, "
    "and can route a request to whichever provider is available or cheapest.",
    "gpu cloud": "A GPU cloud rents general-purpose accelerators and serves open-weight models on "
    "them, usually competing on price per token.",
    "custom chip": "A custom inference chip is designed for serving models rather than training "
    "them, trading flexibility for very high tokens per second.",
    "price": "A price per million tokens times the tokens used gives the cost of a call: "
    "cost = tokens_in * input_price / 1e6 + tokens_out * output_price / 1e6.",
}

_WORD = re.compile(r"\S+")


def count_tokens(text: str) -> int:
    """Count tokens the sandbox way: 4 tokens for every 3 words, rounded up.

    Real tokenizers give about 1.3 tokens per English word; this rule is close to
    that and identical on every machine.

    Examples
    --------
    >>> count_tokens("one two three")
    4
    >>> count_tokens("")
    0
    """
    return math.ceil(len(_WORD.findall(text)) * 4 / 3)


def truncate_tokens(text: str, max_tokens: int) -> str:
    """Cut ``text`` to at most ``max_tokens`` tokens (by the rule of :func:`count_tokens`).

    Examples
    --------
    >>> truncate_tokens("a b c d e f", 4)
    'a b c'
    """
    words = _WORD.findall(text)
    keep = max(0, math.floor(max_tokens * 3 / 4))
    return " ".join(words[:keep]) if keep < len(words) else text


def simulated_answer(prompt: str, model: str | None) -> str | None:
    """Return the sandbox's SIMULATED reply to an evaluation task, or None if ``prompt`` is not one.

    ``model`` is the sandbox's model name (``"chip/llama-3.1-8b"`` or just ``"llama-3.1-8b"``). A model
    answers correctly when its :data:`SIMULATED_SKILL` is at least the task's difficulty, otherwise it
    gives the task's wrong answer. A model without a skill, or no model, answers correctly.

    Examples
    --------
    >>> task = TASKS[0]
    >>> simulated_answer(task.prompt(), "chip/llama-3.1-8b"), simulated_answer(task.prompt(), "gpucloud/llama-3.1-405b")
    ('280', '286')
    >>> simulated_answer("What is a token?", "chip/llama-3.1-8b") is None
    True
    """
    lowered = prompt.lower()
    for task in TASKS:
        if task.question.lower() in lowered:
            skill = SIMULATED_SKILL.get(str(model or "").split("/")[-1])
            if skill is None or skill >= task.difficulty:
                return task.answer
            return task.wrong
    return None


def answer_for(prompt: str, *, model: str | None = None) -> str:
    """Return the sandbox's deterministic answer to ``prompt``.

    A task of the course's evaluation set (``course.eval_tasks()``) gets the
    SIMULATED answer of ``model`` (the sandbox model name, e.g.
    ``"chip/llama-3.1-8b"``): right or wrong by the documented rule of
    :func:`simulated_answer`. Otherwise the longest glossary term
    found in the prompt (case-insensitive) picks the answer; without one, the
    sandbox says what it can talk about.

    Examples
    --------
    >>> answer_for("What is a token?")[:31]
    '[sandbox] A token is a piece of'
    >>> answer_for("What is a token?") == answer_for("What is a token?")
    True
    """
    evaluated = simulated_answer(prompt, model)
    if evaluated is not None:
        return MARKER + evaluated
    lowered = prompt.lower()
    hits = [term for term in GLOSSARY if term in lowered]
    if hits:
        term = max(hits, key=lambda t: (len(t), t))
        return MARKER + GLOSSARY[term]
    topics = ", ".join(sorted(GLOSSARY))
    return (
        MARKER + "This is a simulated model with a fixed glossary, not a real language model. "
        f"Ask it about one of: {topics}."
    )
