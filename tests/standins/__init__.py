"""Loopback stand-ins for hosted model providers, speaking their real wire protocols.

One threaded HTTP server on 127.0.0.1 answers, under a path prefix per provider:

- OpenAI-compatible chat completions (``POST <prefix>/chat/completions``, JSON or
  server-sent events with a final ``usage`` chunk when ``stream_options.include_usage``),
  as OpenAI, Groq (``/openai/v1``), Together, OpenRouter, Cerebras, DeepSeek,
  Mistral and Fireworks serve them;
- Anthropic's Messages API (``POST <prefix>/v1/messages``, JSON or its named SSE
  events ``message_start`` ... ``message_stop``), checking ``x-api-key``;
- Ollama's native model list (``GET <prefix>/api/tags``) next to its
  OpenAI-compatible ``/v1`` endpoints;
- ``GET .../models`` (the OpenAI model list).

Every request is recorded (path, provider, whether a key came with it, and the
key's SHA-256, never the key). Faults are scripted per provider as a list used
up one request at a time: ``"429"`` (with ``Retry-After: 0.2``), ``"500"``,
``"hang"`` (send nothing until the client goes away; ``disconnects`` counts
clients that did).

The stand-ins exist so that litellm's real provider code runs end to end, cost
calculation included, in CI without the public network.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from http.server import ThreadingHTTPServer

from course._base._loopback import JSONHandler

#: Provider -> (path prefix the stand-in serves it under, wire protocol).
PROVIDERS: dict[str, tuple[str, str]] = {
    "openai": ("/openai/v1", "openai"),
    "groq": ("/groq/openai/v1", "openai"),
    "together": ("/together/v1", "openai"),
    "openrouter": ("/openrouter/api/v1", "openai"),
    "cerebras": ("/cerebras/v1", "openai"),
    "deepseek": ("/deepseek/v1", "openai"),
    "mistral": ("/mistral/v1", "openai"),
    "fireworks": ("/fireworks/inference/v1", "openai"),
    "anthropic": ("/anthropic", "anthropic"),
    "ollama": ("/ollama", "ollama"),
}

#: The env var litellm (and the course) read for each provider's base URL.
BASE_VARS: dict[str, str] = {
    "openai": "OPENAI_BASE_URL",
    "groq": "GROQ_API_BASE",
    "together": "TOGETHER_AI_API_BASE",
    "openrouter": "OPENROUTER_API_BASE",
    "cerebras": "CEREBRAS_API_BASE",
    "deepseek": "DEEPSEEK_API_BASE",
    "mistral": "MISTRAL_API_BASE",
    "fireworks": "FIREWORKS_API_BASE",
    "anthropic": "ANTHROPIC_API_BASE",
}

#: Models the Ollama stand-in lists.
OLLAMA_MODELS = ("llama3.2:1b", "qwen2.5:0.5b")


def reply_text(provider: str, model: str, prompt: str) -> str:
    """The deterministic answer of a stand-in (marked, so nobody mistakes it for a model)."""
    return (f"[stand-in {provider}] {model} answers: a token is a piece of text a model reads "
            f"or writes; you asked {len(prompt.split())} words.")


def _words(text: str) -> int:
    return max(1, len(text.split()))


class StandIns:
    """Run the stand-ins on a free port of 127.0.0.1 (a context manager).

    Examples
    --------
    >>> with StandIns() as s:
    ...     s.base_url("groq").startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, *, delay_s: float = 0.0):
        self.delay_s = delay_s
        self.requests: list[dict] = []
        self.faults: dict[str, list[str]] = {}
        self.disconnects = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> StandIns:
        handler = type("Handler", (_Handler,), {"standins": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="standins").start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StandIns:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return self._server.server_address[1]

    def base_url(self, provider: str) -> str:
        """The base URL to give litellm for ``provider``."""
        return f"http://127.0.0.1:{self.port}{PROVIDERS[provider][0]}"

    def env(self) -> dict[str, str]:
        """Base-URL variables routing every hosted provider here."""
        return {var: self.base_url(p) for p, var in BASE_VARS.items()}

    def record(self, entry: dict) -> None:
        with self._lock:
            self.requests.append(entry)


def _split(path: str) -> tuple[str | None, str]:
    path = path.split("?", 1)[0]
    for name, (prefix, _) in sorted(PROVIDERS.items(), key=lambda kv: -len(kv[1][0])):
        if path.startswith(prefix + "/") or path == prefix:
            return name, path[len(prefix):] or "/"
    return None, path


class _Handler(JSONHandler):
    """The providers' wire formats, on the course's quiet JSON/SSE handler (``_json``, ``_event``)."""

    standins: StandIns

    def _key(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return self.headers.get("x-api-key") or (auth[7:] if auth.startswith("Bearer ") else None)

    def _note(self, provider: str | None, rest: str, body: dict | None = None) -> None:
        key = self._key()
        self.standins.record({"provider": provider, "path": rest, "method": self.command,
                              "has_key": bool(key),
                              "key_sha256": hashlib.sha256(key.encode()).hexdigest() if key else None,
                              "model": (body or {}).get("model"),
                              "stream": bool((body or {}).get("stream")),
                              "usage_requested": bool(((body or {}).get("stream_options") or {})
                                                      .get("include_usage"))})

    def do_GET(self) -> None:
        provider, rest = _split(self.path)
        self._note(provider, rest)
        if provider == "ollama" and rest == "/api/tags":
            models = [{"name": m, "model": m, "size": 1_000_000_000, "details": {"format": "gguf"}}
                      for m in OLLAMA_MODELS]
            return self._json(200, {"models": models})
        if provider not in (None, "ollama") and not self._key():
            return self._json(401, {"error": {"message": "missing API key", "type": "invalid_api_key"}})
        if provider is not None and rest.rstrip("/").endswith("/models"):
            names = OLLAMA_MODELS if provider == "ollama" else ("stand-in-model",)
            return self._json(200, {"object": "list", "data": [
                {"id": m, "object": "model", "owned_by": provider} for m in names]})
        return self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    def do_POST(self) -> None:
        provider, rest = _split(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self._note(provider, rest, body)
        if provider is None:
            return self._json(404, {"error": {"message": f"no route {self.path}"}})
        if not self._key() and provider != "ollama":
            return self._json(401, {"error": {"message": "missing API key", "type": "invalid_api_key"}})
        with self.standins._lock:
            queue = self.standins.faults.get(provider) or []
            fault = queue.pop(0) if queue else None
        if fault == "429":
            return self._json(429, {"error": {"message": "rate limited (stand-in)",
                                              "type": "rate_limit_exceeded"}},
                              headers={"Retry-After": "0.2"})
        if fault == "500":
            return self._json(500, {"error": {"message": "server error (stand-in)", "type": "server_error"}})
        if fault == "hang":
            return self._hang()
        if self.standins.delay_s:
            time.sleep(self.standins.delay_s)
        if rest.endswith("/messages") and PROVIDERS[provider][1] == "anthropic":
            return self._anthropic(provider, body)
        if rest.endswith("/chat/completions"):
            return self._openai(provider, body)
        return self._json(404, {"error": {"message": f"no route {self.path}"}})

    def _hang(self) -> None:
        """Say nothing; notice when the client hangs up."""
        self.connection.settimeout(0.05)
        while not self.standins._stop.is_set():
            try:
                if self.connection.recv(1) == b"":
                    with self.standins._lock:
                        self.standins.disconnects += 1
                    break
            except TimeoutError:
                continue
            except OSError:
                with self.standins._lock:
                    self.standins.disconnects += 1
                break
        self.close_connection = True

    # -- OpenAI-compatible ---------------------------------------------------------------
    def _openai(self, provider: str, body: dict) -> None:
        model = str(body.get("model"))
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        text = reply_text(provider, model, prompt)
        usage = {"prompt_tokens": _words(prompt) + 7, "completion_tokens": _words(text),
                 "total_tokens": _words(prompt) + 7 + _words(text)}
        rid = "chatcmpl-" + uuid.uuid4().hex[:20]
        base = {"id": rid, "created": int(time.time()), "model": model}
        if not body.get("stream"):
            return self._json(200, {**base, "object": "chat.completion", "usage": usage, "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]})
        self._sse_start()
        chunk = {**base, "object": "chat.completion.chunk"}
        words = text.split(" ")
        for i in range(0, len(words), 4):
            piece = " ".join(words[i:i + 4])
            delta = {"role": "assistant", "content": piece} if i == 0 else {"content": " " + piece}
            self._event({**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
        self._event({**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event({**chunk, "choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    # -- Anthropic Messages API -----------------------------------------------------------
    def _anthropic(self, provider: str, body: dict) -> None:
        model = str(body.get("model"))
        parts = [body.get("system") or ""]
        for m in body.get("messages", []):
            content = m.get("content", "")
            parts.append(content if isinstance(content, str) else
                         " ".join(c.get("text", "") for c in content if isinstance(c, dict)))
        prompt = "\n".join(str(p) for p in parts if p)
        text = reply_text(provider, model, prompt)
        tokens_in, tokens_out = _words(prompt) + 7, _words(text)
        mid = "msg_" + uuid.uuid4().hex[:20]
        if not body.get("stream"):
            return self._json(200, {"id": mid, "type": "message", "role": "assistant", "model": model,
                                    "content": [{"type": "text", "text": text}],
                                    "stop_reason": "end_turn", "stop_sequence": None,
                                    "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out}})
        self._sse_start()
        self._named("message_start", {"type": "message_start", "message": {
            "id": mid, "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": tokens_in, "output_tokens": 1}}})
        self._named("content_block_start", {"type": "content_block_start", "index": 0,
                                            "content_block": {"type": "text", "text": ""}})
        words = text.split(" ")
        for i in range(0, len(words), 4):
            piece = " ".join(words[i:i + 4])
            self._named("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {
                "type": "text_delta", "text": piece if i == 0 else " " + piece}})
        self._named("content_block_stop", {"type": "content_block_stop", "index": 0})
        self._named("message_delta", {"type": "message_delta",
                                      "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                      "usage": {"output_tokens": tokens_out}})
        self._named("message_stop", {"type": "message_stop"})

    # -- wire helpers ---------------------------------------------------------------------
    def _sse_start(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _named(self, event: str, payload: dict) -> None:
        self.wfile.write(f"event: {event}\ndata: {json.dumps(payload)}\n\n".encode())
        self.wfile.flush()


def main() -> None:  # pragma: no cover - `python -m tests.standins` for manual runs and the bench
    import sys

    with StandIns(delay_s=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0) as s:
        print(json.dumps({"port": s.port, **s.env()}), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    main()
