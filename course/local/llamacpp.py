"""The optional fast path: the same model run by llama.cpp (through ``llama-cpp-python``).

llama.cpp multiplies the 4-bit weights directly, in C with SIMD, so it reads 98 MB per
token instead of the numpy engine's 538 MB and decodes 3.7 times faster here (bench/results.md).
It has no wheel on PyPI for Linux: ``make local-fast`` compiles it from source (measured: 25
minutes on 2 busy cores; a C/C++ compiler and cmake are needed). Without it, the course uses the
numpy engine of :mod:`course.local.engine`; the two agree on every clearly chosen next token of
the tested prompts (see that module).

This class offers the same methods as :class:`course.local.engine.NumpyEngine`, and uses
the same tokenizer and chat template (read from the GGUF file), so the two are
interchangeable behind the server.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from course.local._errors import LocalModelError
from course.local.engine import Config, ContextLengthError, Generation, Tokenizer, render_chat
from course.local.model_file import GGUFFile, model_path


def llama_cpp_available() -> bool:
    """Whether ``llama-cpp-python`` is installed (checked without importing it).

    Examples
    --------
    >>> isinstance(llama_cpp_available(), bool)
    True
    """
    return importlib.util.find_spec("llama_cpp") is not None


class LlamaCppEngine:
    """SmolLM2 run by llama.cpp, with the numpy engine's interface.

    Parameters
    ----------
    path : path-like, optional
        A GGUF file; default the installed model.
    context : int, optional
        The context window (default: the model's).
    threads : int, optional
        CPU threads (default ``$COURSE_LOCAL_THREADS`` or 1, as the numpy engine).
    """

    name = "llama.cpp"

    def __init__(self, path: str | os.PathLike | None = None, *, context: int | None = None,
                 threads: int | None = None):
        if not llama_cpp_available():
            raise LocalModelError("llama-cpp-python is not installed: run `make local-fast` (it compiles "
                                  "llama.cpp: 10 to 25 minutes on 2 cores) or use the numpy engine.")
        t0 = time.perf_counter()
        self.file = GGUFFile.open(model_path() if path is None else path)
        self.config = Config.from_metadata(self.file.metadata)
        self.context = min(self.config.context, int(context)) if context else self.config.context
        self.tokenizer = Tokenizer(self.file.metadata)
        self.params = sum(t.n_weights for t in self.file.tensors.values())
        self.threads = int(threads or os.environ.get("COURSE_LOCAL_THREADS") or 1)
        from llama_cpp import Llama

        try:
            self.llama = Llama(model_path=str(Path(self.file.path)), n_ctx=self.context, n_batch=512,
                               n_threads=self.threads, n_threads_batch=self.threads, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise LocalModelError(f"llama.cpp could not load {self.file.path} ({exc}). "
                                  "Reinstall the model with `make lab`.") from exc
        self._lock = threading.Lock()
        self.load_s = time.perf_counter() - t0

    def memory(self) -> dict:
        """Bytes of the weights on disk and in memory (llama.cpp keeps them 4-bit)."""
        cfg = self.config
        return {"params": self.params, "file_bytes": self.file.file_bytes,
                "bits_per_weight_in_file": round(self.file.file_bytes * 8 / self.params, 2),
                "fp32_bytes": self.params * 4, "fp16_bytes": self.params * 2,
                "kv_bytes_per_token": cfg.n_layers * 2 * cfg.n_kv_heads * cfg.head_dim * 2}  # f16 cache

    def chat_tokens(self, messages: list[dict]) -> list[int]:
        """Token ids of chat messages rendered with the model's chat template, ready to answer."""
        return self.tokenizer.encode(render_chat(self.config.chat_template, messages))

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is."""
        return self.tokenizer.count(text)

    def llama_tokenize(self, text: str) -> list[int]:
        """llama.cpp's own tokenization of ``text`` (control tokens parsed), for comparison."""
        return list(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def generate(self, prompt: list[int], *, max_tokens: int = 64, temperature: float = 0.0,
                 top_p: float = 1.0, seed: int | None = None, ignore_stop: bool = False,
                 on_token: Callable[[int], None] | None = None) -> Generation:
        """Answer one prompt (token ids); ``temperature=0`` is greedy."""
        if not prompt:
            raise LocalModelError("A prompt must have at least one token.")
        if len(prompt) >= self.context:
            raise ContextLengthError(len(prompt), self.context)
        budget = min(max_tokens, self.context - len(prompt))
        out: list[int] = []
        finish, steps = "length", 0
        with self._lock:
            self.llama.reset()
            if seed is not None:
                self.llama.set_seed(int(seed))
            t0 = time.perf_counter()
            prefill_s = None
            stream = self.llama.generate(list(prompt), temp=float(temperature), top_p=float(top_p), top_k=0,
                                         min_p=0.0, repeat_penalty=1.0, reset=True)
            for tok in stream:
                if prefill_s is None:
                    prefill_s, t1 = time.perf_counter() - t0, time.perf_counter()
                else:
                    steps += 1
                if tok in self.config.stop_ids and not ignore_stop:
                    finish = "stop"
                    break
                out.append(int(tok))
                if on_token is not None:
                    on_token(int(tok))
                if len(out) >= budget:
                    break
            decode_s = time.perf_counter() - t1
        return Generation(len(prompt), out, self.tokenizer.decode(out), finish, prefill_s, decode_s, steps,
                          engine="llama.cpp")

    def generate_batch(self, prompts: list[list[int]], *, max_tokens: int = 64, temperature: float = 0.0,
                       top_p: float = 1.0, seed: int | None = None, ignore_stop: bool = False,
                       on_token: Callable[[int, int], None] | None = None) -> list[Generation]:
        """Answer several prompts one after another (llama-cpp-python's high-level API has no batching)."""
        gens = []
        for i, p in enumerate(prompts):
            cb = None if on_token is None else (lambda tok, i=i: on_token(i, tok))
            gens.append(self.generate(p, max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                                      seed=seed, ignore_stop=ignore_stop, on_token=cb))
        return gens
