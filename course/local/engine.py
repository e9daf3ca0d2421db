"""The course's teaching engine: a small language model run by numpy, step by step.

This file runs SmolLM2-135M-Instruct (a "llama"-architecture transformer with 30 layers)
with nothing but numpy, the ``tokenizers`` package and the file reader of
:mod:`course.local.model_file`. It is written to be read: each step says where the time
and the memory of inference go. llama.cpp runs the same model about three times faster
(see :mod:`course.local.llamacpp`). The two agree on the next token wherever llama.cpp's
choice is clear: on the course's test prompts (``tests/data/local_greedy.json``, recorded from
llama.cpp), the engine ranks llama.cpp's token first at every step where llama.cpp's best two
tokens are more than half a logit apart. Closer than that, the order in which each engine adds
up its float products can decide (llama.cpp also rounds activations to 8 bits).

The path of one token
---------------------
1. **Embedding**: the token id picks one row (576 numbers) of the embedding table.
2. **30 layers**, each:
   a. RMSNorm (scale the vector to unit root-mean-square, times learned weights);
   b. attention: project to 9 query heads and 3 key/value heads of 64 numbers (grouped-query
      attention: 3 query heads share each key/value head), rotate queries and keys by
      their position (RoPE), store keys and values in the **KV cache**, and mix the
      values of all earlier positions weighted by query-key similarity;
   c. RMSNorm again, then the feed-forward block (SwiGLU: ``down(silu(gate(x)) * up(x))``).
   Each adds its result to the running vector (the "residual stream").
3. **Output head**: a last RMSNorm, then a product with the embedding table again (the
   weights are tied) gives one score (logit) per vocabulary entry: 49,152 of them.
4. **Sampling**: the highest score (greedy), or a random draw from the softmax of the
   scores divided by a temperature.

Where the time goes
-------------------
Almost all of it in matrix products against the weights: about 134 million multiply-adds
per token (106 M in the layers, 28 M in the output head). Generating one token at a time
(**decode**) reads every weight, 538 MB in float32, for just one row of work: memory
bandwidth, not arithmetic, sets the speed. Reading the prompt (**prefill**) pushes all its
tokens through each weight matrix at once, so it runs many times more tokens per second.
**Batching** several requests' decode steps together gets the same effect: one read of
the weights serves every sequence in the batch. That is why providers, who batch
thousands of requests, sell tokens so cheaply.

Where the memory goes
---------------------
The file stores weights in 4-bit blocks (98 MB). This engine expands them once, at load,
to float32 (538 MB; FP16 would be 269 MB) because numpy multiplies float32 fast and 4-bit
not at all; llama.cpp instead multiplies the 4-bit blocks directly. The KV cache adds
30 layers x 2 (K and V) x 3 heads x 64 numbers x 4 bytes = 46 KB per token of context.

numpy 2 and float64
-------------------
A numpy float64 scalar (``np.sqrt(64)``, a ``np.float64`` from a file) multiplied with a
float32 array makes the result float64 and the engine 20 times slower. Every constant
here is a Python float or a float32 array; a test asserts the dtypes.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from course.local._errors import LocalModelError, LocalOutOfMemoryError
from course.local.model_file import GGUFFile, model_path

#: The name under which the course serves the model.
MODEL_NAME = "smollm2-135m"

_F32 = np.float32
#: Longest piece of prompt pushed through the network at once (bounds the attention's memory).
PREFILL_CHUNK = 512


class ContextLengthError(LocalModelError):
    """The prompt (plus room for one answer token) does not fit in the context window."""

    def __init__(self, prompt_tokens: int, context: int):
        self.prompt_tokens = prompt_tokens
        self.context = context
        super().__init__(f"The prompt has {prompt_tokens} tokens, but the local model's context window "
                         f"holds {context} tokens (prompt and answer together). Shorten the prompt "
                         f"by at least {prompt_tokens - context + 1} tokens.")


@dataclass(frozen=True)
class Config:
    """The model's shape, read from the GGUF metadata."""

    name: str
    license: str
    n_layers: int
    dim: int
    ffn_dim: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    vocab_size: int
    context: int
    rope_base: float
    eps: float
    stop_ids: tuple[int, ...]
    chat_template: str

    @classmethod
    def from_metadata(cls, md: dict) -> Config:
        """Read the ``llama.*`` keys of a GGUF file."""
        arch = md.get("general.architecture")
        if arch != "llama":
            raise LocalModelError(f"The course's engine runs llama-architecture models; this file is {arch!r}.")
        dim, n_heads = int(md["llama.embedding_length"]), int(md["llama.attention.head_count"])
        eos = int(md["tokenizer.ggml.eos_token_id"])
        tokens = md["tokenizer.ggml.tokens"]
        # Generation stops at the end-of-sequence token and at the other end markers.
        stops = {eos} | {i for i, t in enumerate(tokens[:64]) if t in ("<|endoftext|>", "<|im_end|>", "<|eot_id|>")}
        return cls(
            name=str(md.get("general.name", "?")), license=str(md.get("general.license", "?")),
            n_layers=int(md["llama.block_count"]), dim=dim, ffn_dim=int(md["llama.feed_forward_length"]),
            n_heads=n_heads, n_kv_heads=int(md.get("llama.attention.head_count_kv", n_heads)),
            head_dim=dim // n_heads, vocab_size=len(tokens), context=int(md["llama.context_length"]),
            rope_base=float(md.get("llama.rope.freq_base", 10000.0)),
            eps=float(md["llama.attention.layer_norm_rms_epsilon"]),
            stop_ids=tuple(sorted(stops)), chat_template=str(md.get("tokenizer.chat_template", "")),
        )


class Tokenizer:
    """The model's byte-level BPE tokenizer, rebuilt from the vocabulary inside the GGUF file.

    Examples
    --------
    >>> tok = load_tokenizer()
    >>> ids = tok.encode("<|im_start|>user\\nHi 2024!")
    >>> ids[0], len(ids), tok.decode(ids)
    (1, 10, 'user\\nHi 2024!')
    """

    def __init__(self, md: dict):
        from tokenizers import AddedToken, decoders, models, pre_tokenizers
        from tokenizers import Tokenizer as HFTokenizer

        if md.get("tokenizer.ggml.model") != "gpt2":
            raise LocalModelError("The course's engine reads byte-level BPE (gpt2-style) vocabularies only.")
        tokens = list(md["tokenizer.ggml.tokens"])
        merges = [tuple(m.split(" ", 1)) for m in md["tokenizer.ggml.merges"]]
        tk = HFTokenizer(models.BPE({t: i for i, t in enumerate(tokens)}, merges))
        # SmolLM2 ("smollm" pre-tokenizer): every digit is its own piece, then GPT-2's byte-level split.
        tk.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ])
        tk.decoder = decoders.ByteLevel()
        types = md.get("tokenizer.ggml.token_type")
        types = [1] * len(tokens) if types is None else types
        control = [t for t, kind in zip(tokens, types, strict=True) if int(kind) == 3]  # 3 = control token
        tk.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in control])
        self._tk = tk
        self.vocab_size = len(tokens)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``; control tokens such as ``<|im_start|>`` are single tokens."""
        return self._tk.encode(text, add_special_tokens=False).ids

    def decode(self, ids, *, skip_special: bool = True) -> str:
        """Text of token ids (control tokens dropped unless ``skip_special=False``)."""
        return self._tk.decode([int(i) for i in ids], skip_special_tokens=skip_special)

    def count(self, text: str) -> int:
        """How many tokens ``text`` is."""
        return len(self.encode(text))


def render_chat(template: str, messages: list[dict], *, add_generation_prompt: bool = True) -> str:
    """Render chat messages with the model's own chat template (Jinja, from the GGUF metadata).

    Examples
    --------
    >>> t = "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}"
    >>> render_chat(t, [{"role": "user", "content": "hi"}])
    '<user>hi'
    """
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    clean = [{"role": str(m.get("role", "user")), "content": _content_text(m.get("content"))} for m in messages]
    return env.from_string(template).render(messages=clean, add_generation_prompt=add_generation_prompt)


def _content_text(content) -> str:
    if isinstance(content, list):  # OpenAI "parts": keep the text parts
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


@dataclass
class KVCache:
    """Keys and values of every earlier position of one sequence, per layer.

    Without it, each new token would recompute keys and values for the whole text:
    the cost of a token would grow with the length of the text, not stay flat.
    Layout: ``k[layer, position, kv_head, head_dim]`` in float32.
    """

    k: np.ndarray
    v: np.ndarray
    length: int = 0

    @classmethod
    def empty(cls, cfg: Config, capacity: int) -> KVCache:
        shape = (cfg.n_layers, capacity, cfg.n_kv_heads, cfg.head_dim)
        try:
            return cls(np.zeros(shape, _F32), np.zeros(shape, _F32))
        except MemoryError as exc:
            mb = 2 * np.prod(shape) * 4 / 1e6
            raise LocalOutOfMemoryError(f"Out of memory: a KV cache for {capacity} tokens needs {mb:,.0f} MB. "
                                  f"Ask for fewer tokens (max_tokens) or a shorter prompt.") from exc

    @property
    def capacity(self) -> int:
        return self.k.shape[1]

    @property
    def nbytes(self) -> int:
        return self.k.nbytes + self.v.nbytes


@dataclass
class Generation:
    """One finished generation with its measured timings.

    ``prefill_s`` is the time to read the prompt and produce the first token's scores;
    ``decode_s`` the time of every later step. In a batch, both are for the whole batch.
    """

    prompt_tokens: int
    tokens: list[int]
    text: str
    finish_reason: str  # "stop" (a stop token) or "length" (max_tokens reached)
    prefill_s: float
    decode_s: float
    decode_steps: int  # forward passes after the prefill (the stop token included)
    batch_size: int = 1
    engine: str = "numpy"

    @property
    def completion_tokens(self) -> int:
        return len(self.tokens)

    @property
    def prefill_tokens_per_s(self) -> float:
        return self.prompt_tokens * self.batch_size / self.prefill_s if self.prefill_s > 0 else float("nan")

    @property
    def decode_tokens_per_s(self) -> float:
        return self.decode_steps * self.batch_size / self.decode_s if self.decode_s > 0 else float("nan")

    def timings(self) -> dict:
        """The measurements as a plain dict (what the server reports)."""
        return {"engine": self.engine, "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "batch_size": self.batch_size,
                "prefill_s": round(self.prefill_s, 6), "decode_s": round(self.decode_s, 6),
                "prefill_tokens_per_s": round(self.prefill_tokens_per_s, 2),
                "decode_tokens_per_s": round(self.decode_tokens_per_s, 2)}


@dataclass
class _Layer:
    attn_norm: np.ndarray
    wqkv: np.ndarray  # (n_heads + 2 n_kv_heads) * head_dim rows: q, k and v in one matrix
    wo: np.ndarray
    ffn_norm: np.ndarray
    w_gate_up: np.ndarray  # gate and up in one matrix: one product instead of two
    w_down: np.ndarray


def _available_memory_bytes() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class NumpyEngine:
    """SmolLM2 in numpy: load once, then :meth:`generate` or :meth:`generate_batch`.

    Parameters
    ----------
    path : path-like, optional
        A GGUF file; default :func:`course.local.model_file.model_path`.
    context : int, optional
        Cap the context window (default: the model's, 8192 tokens).
    threads : int, optional
        BLAS threads for the weight products (default ``$COURSE_LOCAL_THREADS`` or 1).
        One token's products are small: on a shared or busy machine extra threads wait
        on each other (measured here: 20 times slower with 2 threads on 2 busy cores).

    Examples
    --------
    >>> from course.local.loader import load_engine
    >>> eng = load_engine("numpy")
    >>> g = eng.generate(eng.chat_tokens([{"role": "user", "content": "What is 2+2?"}]), max_tokens=8)
    >>> g.finish_reason in ("stop", "length"), g.completion_tokens <= 8, g.prefill_s > 0
    (True, True, True)
    """

    name = "numpy"

    def __init__(self, path: str | os.PathLike | None = None, *, context: int | None = None,
                 threads: int | None = None):
        t0 = time.perf_counter()
        self.threads = int(threads or os.environ.get("COURSE_LOCAL_THREADS") or 1)
        self.file = GGUFFile.open(model_path() if path is None else path)
        md = self.file.metadata
        try:
            self.config = cfg = Config.from_metadata(md)
        except KeyError as exc:
            raise LocalModelError(f"The model file {self.file.path} lacks the metadata key {exc}: it is not a "
                                  "complete llama model. Reinstall it with `make lab`.") from exc
        self.context = min(cfg.context, int(context)) if context else cfg.context
        self.tokenizer = Tokenizer(md)
        self.params = sum(t.n_weights for t in self.file.tensors.values())
        need, have = self.params * 4, _available_memory_bytes()
        if have is not None and need > have:
            raise LocalOutOfMemoryError(
                f"Out of memory: the engine needs {need / 1e6:,.0f} MB for its float32 weights, and only "
                f"{have / 1e6:,.0f} MB are free. Close other notebooks or install llama-cpp-python "
                "(`make local-fast`), which keeps the 4-bit weights.")
        try:
            self._load_weights()
        except MemoryError as exc:
            raise LocalOutOfMemoryError(
                f"Out of memory while expanding the weights to float32 ({need / 1e6:,.0f} MB). "
                "Close other notebooks or use `make local-fast`.") from exc
        except KeyError as exc:
            raise LocalModelError(f"The model file {self.file.path} lacks the tensor {exc}. "
                                  "Reinstall it with `make lab`.") from exc
        # RoPE: position p turns the pair (x[2i], x[2i+1]) by the angle p * base^(-2i/head_dim).
        half = cfg.head_dim // 2
        inv_freq = cfg.rope_base ** (-np.arange(half, dtype=np.float64) * 2 / cfg.head_dim)
        angles = np.arange(self.context, dtype=np.float64)[:, None] * inv_freq[None, :]
        self._cos, self._sin = np.cos(angles).astype(_F32), np.sin(angles).astype(_F32)
        self._scale = float(1.0 / np.sqrt(cfg.head_dim))  # a Python float: stays float32 in products
        self._lock = threading.Lock()
        from threadpoolctl import ThreadpoolController

        self._blas = ThreadpoolController()
        self.load_s = time.perf_counter() - t0

    # -- loading: dequantise once -------------------------------------------------------
    def _load_weights(self) -> None:
        f, cfg = self.file, self.config
        self.embed = f.dequantize("token_embd.weight")  # (vocab, dim), also the output head
        self.out_norm = f.dequantize("output_norm.weight")
        self.head = f.dequantize("output.weight") if "output.weight" in f.tensors else self.embed
        self.layers = []
        for i in range(cfg.n_layers):
            def w(name: str, i: int = i) -> np.ndarray:
                return f.dequantize(f"blk.{i}.{name}.weight")

            self.layers.append(_Layer(
                attn_norm=w("attn_norm"),
                wqkv=np.concatenate([w("attn_q"), w("attn_k"), w("attn_v")]),
                wo=w("attn_output"),
                ffn_norm=w("ffn_norm"),
                w_gate_up=np.concatenate([w("ffn_gate"), w("ffn_up")]),
                w_down=w("ffn_down"),
            ))

    def memory(self) -> dict:
        """Bytes of the weights on disk (4-bit) and in memory (float32), and of the KV cache per token.

        Examples
        --------
        >>> from course.local.loader import load_engine
        >>> m = load_engine("numpy").memory()
        >>> m["params"], round(m["fp32_bytes"] / m["file_bytes"], 1)
        (134515008, 5.5)
        """
        cfg = self.config
        arrays = [self.embed, self.out_norm] + [a for layer in self.layers for a in vars(layer).values()]
        if self.head is not self.embed:
            arrays.append(self.head)
        return {"params": self.params, "file_bytes": self.file.file_bytes,
                "bits_per_weight_in_file": round(self.file.file_bytes * 8 / self.params, 2),
                "fp32_bytes": int(sum(a.nbytes for a in arrays)), "fp16_bytes": self.params * 2,
                "kv_bytes_per_token": cfg.n_layers * 2 * cfg.n_kv_heads * cfg.head_dim * 4}

    # -- text in and out ----------------------------------------------------------------------
    def chat_tokens(self, messages: list[dict]) -> list[int]:
        """Token ids of chat messages rendered with the model's chat template, ready to answer."""
        return self.tokenizer.encode(render_chat(self.config.chat_template, messages))

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is, by the model's own tokenizer."""
        return self.tokenizer.count(text)

    # -- the network ----------------------------------------------------------------------------
    @staticmethod
    def _rmsnorm(x: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
        return x * (1.0 / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)) * weight

    def _rope(self, x: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Turn each pair (x[2i], x[2i+1]) of each head by its position's angle. x: (N, heads, head_dim)."""
        cos = self._cos[positions][:, None, :]
        sin = self._sin[positions][:, None, :]
        even, odd = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = even * cos - odd * sin
        out[..., 1::2] = even * sin + odd * cos
        return out

    def _attend(self, q: np.ndarray, k: np.ndarray, v: np.ndarray, start: int) -> np.ndarray:
        """Causal grouped-query attention of T new queries over the S cached positions.

        q: (T, n_heads, hd); k, v: (S, n_kv, hd); the new queries sit at positions start..start+T-1.
        Cost: T x S x head_dim per head, so prefill grows with the square of the prompt length.
        """
        cfg = self.config
        T, S, group = q.shape[0], k.shape[0], cfg.n_heads // cfg.n_kv_heads
        qh = q.reshape(T, cfg.n_kv_heads, group, cfg.head_dim).transpose(1, 2, 0, 3)  # (kv, g, T, hd)
        kh = k.transpose(1, 2, 0)[:, None]  # (kv, 1, hd, S)
        vh = v.transpose(1, 0, 2)[:, None]  # (kv, 1, S, hd)
        scores = (qh @ kh) * self._scale  # (kv, g, T, S)
        if T > 1:  # a query may not look at later positions
            future = np.arange(S)[None, :] > (start + np.arange(T))[:, None]
            scores = np.where(future, _F32(-np.inf), scores)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        out = scores @ vh  # (kv, g, T, hd)
        return out.transpose(2, 0, 1, 3).reshape(T, cfg.n_heads * cfg.head_dim)

    def _forward(self, chunks: list[np.ndarray], caches: list[KVCache]) -> np.ndarray:
        """Push new tokens of one or more sequences through the network; return each sequence's last logits.

        All rows of all sequences share each weight product (that is the batching);
        only attention runs per sequence, over that sequence's own KV cache.
        """
        with self._blas.limit(limits=self.threads, user_api="blas"):
            return self._forward_unlimited(chunks, caches)

    def _forward_unlimited(self, chunks: list[np.ndarray], caches: list[KVCache]) -> np.ndarray:
        cfg = self.config
        lengths = [len(c) for c in chunks]
        ends = np.cumsum(lengths)
        spans = list(zip(ends - lengths, ends, strict=True))
        positions = np.concatenate([np.arange(c.length, c.length + n) for c, n in zip(caches, lengths, strict=True)])
        x = self.embed[np.concatenate(chunks)]  # (N, dim): a row lookup, no arithmetic
        nq, nkv = cfg.n_heads * cfg.head_dim, cfg.n_kv_heads * cfg.head_dim
        for li, layer in enumerate(self.layers):
            # attention block
            h = self._rmsnorm(x, layer.attn_norm, cfg.eps)
            qkv = h @ layer.wqkv.T  # a weight product: reads 0.9 MB of float32 per layer
            q = self._rope(qkv[:, :nq].reshape(-1, cfg.n_heads, cfg.head_dim), positions)
            k = self._rope(qkv[:, nq:nq + nkv].reshape(-1, cfg.n_kv_heads, cfg.head_dim), positions)
            v = qkv[:, nq + nkv:].reshape(-1, cfg.n_kv_heads, cfg.head_dim)
            mixed = np.empty((x.shape[0], nq), _F32)
            for (s, e), cache in zip(spans, caches, strict=True):
                p0, p1 = cache.length, cache.length + (e - s)
                cache.k[li, p0:p1], cache.v[li, p0:p1] = k[s:e], v[s:e]  # remember for later tokens
                mixed[s:e] = self._attend(q[s:e], cache.k[li, :p1], cache.v[li, :p1], p0)
            x = x + mixed @ layer.wo.T
            # feed-forward block (SwiGLU): 3 x 576 x 1536 weights, two thirds of the layer's work
            h = self._rmsnorm(x, layer.ffn_norm, cfg.eps)
            gate, up = np.split(h @ layer.w_gate_up.T, 2, axis=1)
            x = x + ((gate / (1.0 + np.exp(-gate))) * up) @ layer.w_down.T
        for cache, n in zip(caches, lengths, strict=True):
            cache.length += n
        last = self._rmsnorm(x[ends - 1], self.out_norm, cfg.eps)
        return last @ self.head.T  # (sequences, vocab): the output head, 113 MB of float32 per step

    def _prefill(self, prompts: list[list[int]], caches: list[KVCache]) -> np.ndarray:
        """Read the prompts: all at once when short, else each in chunks of ``PREFILL_CHUNK`` tokens.

        Chunks bound the attention scores' memory (heads x chunk x context x 4 bytes: at most
        9 x 512 x 8192 x 4 = 151 MB) instead of growing with the square of the prompt.
        """
        if sum(len(p) for p in prompts) <= PREFILL_CHUNK:
            return self._forward([np.asarray(p, dtype=np.int64) for p in prompts], caches)
        rows = []
        for p, cache in zip(prompts, caches, strict=True):
            for start in range(0, len(p), PREFILL_CHUNK):
                logits = self._forward([np.asarray(p[start:start + PREFILL_CHUNK], dtype=np.int64)], [cache])
            rows.append(logits[0])
        return np.stack(rows)

    # -- generation -----------------------------------------------------------------------------
    def generate(self, prompt: list[int], *, max_tokens: int = 64, temperature: float = 0.0,
                 top_p: float = 1.0, seed: int | None = None, ignore_stop: bool = False,
                 on_token: Callable[[int], None] | None = None) -> Generation:
        """Answer one prompt (token ids). ``temperature=0`` is greedy; ``on_token`` sees each new id.

        ``ignore_stop=True`` generates exactly ``max_tokens`` tokens (for measuring speed).
        """
        callback = None if on_token is None else (lambda _i, tok: on_token(tok))
        return self.generate_batch([prompt], max_tokens=max_tokens, temperature=temperature,
                                   top_p=top_p, seed=seed, ignore_stop=ignore_stop, on_token=callback)[0]

    def generate_batch(self, prompts: list[list[int]], *, max_tokens: int = 64, temperature: float = 0.0,
                       top_p: float = 1.0, seed: int | None = None, ignore_stop: bool = False,
                       on_token: Callable[[int, int], None] | None = None) -> list[Generation]:
        """Answer several prompts together: one prefill pass, then decode steps shared by the batch.

        Each sequence keeps its own KV cache and stops on its own; the others go on.
        Calls from several threads are served one after another (a lock), never mixed.

        Raises
        ------
        ContextLengthError
            When a prompt leaves no room for an answer in the context window.
        """
        if not prompts:
            return []
        for p in prompts:
            if not p:
                raise LocalModelError("A prompt must have at least one token.")
            if len(p) >= self.context:
                raise ContextLengthError(len(p), self.context)
            bad = [t for t in p if not 0 <= int(t) < self.config.vocab_size]
            if bad:
                raise LocalModelError(f"Token ids out of the vocabulary (0..{self.config.vocab_size - 1}): {bad[:5]}")
        rng = np.random.default_rng(seed)
        with self._lock:
            caches = [KVCache.empty(self.config, min(self.context, len(p) + max_tokens)) for p in prompts]
            budgets = [min(max_tokens, c.capacity - len(p) + 1) for c, p in zip(caches, prompts, strict=True)]
            out: list[list[int]] = [[] for _ in prompts]
            finish = ["length"] * len(prompts)
            active = [i for i in range(len(prompts)) if budgets[i] > 0]
            t0 = time.perf_counter()
            try:
                logits = self._prefill(prompts, caches)
            except MemoryError as exc:
                raise LocalOutOfMemoryError(
                    f"Out of memory while reading a prompt of {max(len(p) for p in prompts)} tokens "
                    f"(batch of {len(prompts)}). Use a shorter prompt or a smaller batch.") from exc
            prefill_s, steps = time.perf_counter() - t0, 0
            t1 = time.perf_counter()
            rows = list(range(len(prompts)))  # row of `logits` for each active sequence
            while active:
                nxt = self._sample(logits[[rows[i] for i in active]], temperature, top_p, rng)
                still = []
                for i, tok in zip(active, nxt, strict=True):
                    if tok in self.config.stop_ids and not ignore_stop:
                        finish[i] = "stop"
                        continue
                    out[i].append(tok)
                    if on_token is not None:
                        on_token(i, tok)
                    if len(out[i]) < budgets[i] and caches[i].length < caches[i].capacity:
                        still.append(i)
                active = still
                if active:
                    logits = self._forward([np.array([out[i][-1]]) for i in active], [caches[i] for i in active])
                    rows = {i: r for r, i in enumerate(active)}
                    steps += 1
            decode_s = time.perf_counter() - t1
        gens = [Generation(len(p), toks, self.tokenizer.decode(toks), fin, prefill_s, decode_s, steps,
                           batch_size=len(prompts)) for p, toks, fin in zip(prompts, out, finish, strict=True)]
        return gens

    @staticmethod
    def _sample(logits: np.ndarray, temperature: float, top_p: float, rng: np.random.Generator) -> list[int]:
        if temperature <= 0:
            return [int(i) for i in logits.argmax(axis=-1)]
        picks = []
        for row in logits:
            z = row / float(temperature)
            p = np.exp((z - z.max()).astype(np.float64))  # float64 here only: 49,152 numbers, once a token
            p /= p.sum()
            if top_p < 1.0:  # keep the smallest set of tokens whose probabilities add up to top_p
                order = np.argsort(-p)
                keep = order[: int(np.searchsorted(np.cumsum(p[order]), top_p)) + 1]
                kept = np.zeros_like(p)
                kept[keep] = p[keep]
                p = kept / kept.sum()
            picks.append(int(rng.choice(len(p), p=p)))
        return picks


def load_tokenizer(path: str | os.PathLike | None = None) -> Tokenizer:
    """The model's tokenizer alone (reads the GGUF metadata, not the weights)."""
    return Tokenizer(GGUFFile.open(model_path() if path is None else path).metadata)
