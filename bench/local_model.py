"""The local model (SmolLM2-135M, 4-bit GGUF): prefill and decode tokens/s, batching, memory.

Measures the course's numpy engine and, when ``llama-cpp-python`` is installed, llama.cpp in
the same run, so their ratio holds even on a busy machine. Decode runs a fixed number of
tokens (stop tokens ignored) so every row does the same work.
"""

from __future__ import annotations

import os
import resource
import time

from bench._report import table

QUESTION = ("Explain in a few sentences why running a small open-weight language model on a laptop "
            "costs money even though the model itself is free to download.")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _measure(eng, prompt: list[int], decode_tokens: int, batch_sizes: tuple[int, ...]) -> dict:
    single = eng.generate(prompt, max_tokens=decode_tokens, ignore_stop=True)
    out = {"prefill_tps": single.prefill_tokens_per_s, "decode_tps": single.decode_tokens_per_s,
           "prompt_tokens": single.prompt_tokens, "batch": {}}
    for b in batch_sizes:
        t0 = time.perf_counter()
        gens = eng.generate_batch([prompt] * b, max_tokens=decode_tokens, ignore_stop=True)
        wall = time.perf_counter() - t0
        tokens = sum(g.completion_tokens for g in gens)
        # numpy decodes the batch together (one shared clock); llama.cpp here runs one after another.
        decode_s = gens[0].decode_s if eng.name == "numpy" else sum(g.decode_s for g in gens)
        steps = sum(g.decode_steps for g in gens)  # tokens decoded after the prefill, all sequences
        out["batch"][b] = {"tokens": tokens, "wall_s": wall, "tps": steps / decode_s}
    return out


def run(*, small: bool = False) -> tuple[str, dict]:
    from course.local.llamacpp import llama_cpp_available
    from course.local.loader import load_engine

    decode_tokens = 4 if small else 32
    batch_sizes = (1, 2) if small else (1, 4, 16)
    rss0 = _peak_rss_mb()
    t0 = time.perf_counter()
    numpy_eng = load_engine("numpy")
    load_s = time.perf_counter() - t0
    prompt = numpy_eng.chat_tokens([{"role": "user", "content": QUESTION}])
    results = {"numpy": _measure(numpy_eng, prompt, decode_tokens, batch_sizes)}
    rss_numpy = _peak_rss_mb()
    if llama_cpp_available():
        results["llama.cpp"] = _measure(load_engine("llama.cpp"), prompt, decode_tokens, batch_sizes)
    mem = numpy_eng.memory()

    rows = []
    for name, r in results.items():
        rows.append([name, r["prompt_tokens"], round(r["prefill_tps"], 1), round(r["decode_tps"], 1)]
                    + [round(r["batch"][b]["tps"], 1) for b in batch_sizes])
    heads = (["engine", "prompt tokens", "prefill tok/s", "decode tok/s"]
             + [f"decode tok/s, batch {b}" for b in batch_sizes])
    body = table(heads, rows)
    npr = results["numpy"]
    body += (f"\n\nnumpy engine: prefill runs {npr['prefill_tps'] / npr['decode_tps']:.1f}x the decode rate; "
             f"batch {batch_sizes[-1]} gives {npr['batch'][batch_sizes[-1]]['tps'] / npr['batch'][1]['tps']:.1f}x "
             f"the decode tokens/s of batch 1 ({decode_tokens} tokens per sequence, same prompt).")
    if "llama.cpp" in results:
        lc = results["llama.cpp"]
        body += (f"\nllama.cpp / numpy: prefill {lc['prefill_tps'] / npr['prefill_tps']:.1f}x, "
                 f"decode {lc['decode_tps'] / npr['decode_tps']:.1f}x (llama.cpp batches run one after another).")
    else:
        body += "\nllama.cpp: not installed (`make local-fast`), so no ratio in this run."
    body += (f"\n\nMemory: weights {mem['file_bytes'] / 1e6:.0f} MB on disk (4-bit, "
             f"{mem['bits_per_weight_in_file']} bits/weight with scales and the 8-bit embedding), "
             f"{mem['fp32_bytes'] / 1e6:.0f} MB as float32 in the numpy engine (FP16 would be "
             f"{mem['fp16_bytes'] / 1e6:.0f} MB); KV cache {mem['kv_bytes_per_token'] / 1e3:.0f} KB per token. "
             f"Peak RSS of this process: {rss_numpy:.0f} MB after the numpy engine "
             f"(from {rss0:.0f} MB before loading; load took {load_s:.1f} s), {_peak_rss_mb():.0f} MB at the end. "
             f"BLAS threads: {numpy_eng.threads} (COURSE_LOCAL_THREADS); machine load average "
             f"{os.getloadavg()[0]:.1f} at the end.")
    figures = {"results": results, "memory": mem, "peak_rss_mb": _peak_rss_mb(), "load_s": load_s}
    return body, figures
