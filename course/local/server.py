"""The local model behind an OpenAI-compatible HTTP server on 127.0.0.1.

litellm (and every OpenAI client) reaches it like a provider::

    litellm.completion(model="openai/smollm2-135m", api_base=ensure_server(), api_key="local",
                       messages=[{"role": "user", "content": "Hi"}])

Routes: ``GET /v1/models`` and ``POST /v1/chat/completions`` (with ``stream``, ``max_tokens``,
``temperature`` (default 0: greedy, reproducible), ``top_p`` and ``seed``). Token counts in
``usage`` come from the model's own tokenizer. Measured timings come back three ways: a
``timings`` field in the JSON body, ``x-course-*`` response headers, and
:meth:`LocalServer.timing` by response id (as the sandbox does).

One request runs at a time; the others wait their turn (a lock) and report how long they
waited as ``queue_s``. Each has its own KV cache, so answers are never mixed up.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import OrderedDict

from course._base._loopback import JSONHandler, LoopbackServer
from course.local._errors import LocalModelError, LocalOutOfMemoryError
from course.local.engine import MODEL_NAME, ContextLengthError, render_chat
from course.local.loader import load_engine

#: Names a request may use for the model.
MODEL_ALIASES = (MODEL_NAME, f"local/{MODEL_NAME}", f"openai/{MODEL_NAME}")
#: Answer length when the request sets no ``max_tokens``.
DEFAULT_MAX_TOKENS = 256
#: The key litellm must send (any string works; the server checks none).
LOCAL_KEY = "local"


class LocalServer(LoopbackServer):
    """The local model's HTTP server (start, stop, base URL), like the sandbox's.

    Parameters
    ----------
    engine : object, optional
        An engine from :func:`course.local.loader.load_engine`; default: load the default one.

    Examples
    --------
    >>> with LocalServer() as srv:
    ...     srv.base_url.startswith("http://127.0.0.1:")
    True
    """

    name = "local model server"

    def __init__(self, engine=None):
        self.engine = engine if engine is not None else load_engine()
        self._run_lock = threading.Lock()  # one generation at a time; others queue here
        self._timings: OrderedDict[str, dict] = OrderedDict()
        self._timings_lock = threading.Lock()
        self.calls = 0

    # -- life cycle (start, stop, port, base_url: course._base._loopback) -----------------
    def _handler(self) -> type:
        return _handler_for(self)

    # -- measured timings -----------------------------------------------------------------
    def _record(self, response_id: str, timing: dict) -> None:
        with self._timings_lock:
            self._timings[response_id] = timing
            while len(self._timings) > 10_000:
                self._timings.popitem(last=False)

    def timing(self, response_id: str) -> dict | None:
        """Measured timings of a response (prefill/decode seconds and tokens/s, queue wait)."""
        with self._timings_lock:
            return self._timings.get(response_id)

    def __repr__(self) -> str:
        state = f"running at {self.base_url}" if self.running else "stopped"
        return f"<LocalServer {state}, {MODEL_NAME} on the {self.engine.name} engine>"


def _handler_for(server: LocalServer):
    class Handler(_Handler):
        srv = server

    return Handler


class _Handler(JSONHandler):
    srv: LocalServer
    server_version = "course-local-model/1"

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            eng = self.srv.engine
            self._json(200, {"object": "list", "data": [{
                "id": MODEL_NAME, "object": "model", "owned_by": "local", "engine": eng.name,
                "context_length": eng.context, "license": eng.config.license}]})
        else:
            self._error(404, f"no route {self.path}", "not_found")

    def do_POST(self) -> None:
        t_arrived = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            return self._error(400, "the request body is not JSON", "invalid_request_error")
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            return self._error(404, f"no route {self.path}", "not_found")
        name = str(body.get("model", ""))
        if name not in MODEL_ALIASES:
            return self._error(404, f"The model `{name}` is not served here; this server serves `{MODEL_NAME}`.",
                               "model_not_found")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return self._error(400, "`messages` must be a non-empty list", "invalid_request_error")
        eng = self.srv.engine
        try:
            max_tokens = next((body[k] for k in ("max_tokens", "max_completion_tokens") if body.get(k) is not None),
                              DEFAULT_MAX_TOKENS)
            max_tokens = int(max_tokens)
            temperature = float(body.get("temperature") if body.get("temperature") is not None else 0.0)
            top_p = float(body.get("top_p") if body.get("top_p") is not None else 1.0)
            seed = None if body.get("seed") is None else int(body["seed"])
        except (TypeError, ValueError) as exc:
            return self._error(400, f"bad sampling parameter: {exc}", "invalid_request_error")
        if max_tokens < 1:
            return self._error(400, "max_tokens must be at least 1", "invalid_request_error")
        prompt = eng.tokenizer.encode(render_chat(eng.config.chat_template, messages))
        if len(prompt) >= eng.context:
            err = ContextLengthError(len(prompt), eng.context)
            return self._error(400, str(err), "context_length_exceeded")
        self.srv.calls += 1
        response_id = "chatcmpl-local-" + uuid.uuid4().hex[:16]
        base = {"id": response_id, "created": int(time.time()), "model": MODEL_NAME,
                "system_fingerprint": f"course-local-{eng.name}"}
        stream = bool(body.get("stream"))
        kwargs = {"max_tokens": max_tokens, "temperature": temperature, "top_p": top_p, "seed": seed}
        if stream:
            return self._stream(body, prompt, kwargs, base, t_arrived)
        try:
            with self.srv._run_lock:
                t_start = time.perf_counter()
                gen = eng.generate(prompt, **kwargs)
        except LocalOutOfMemoryError as exc:
            return self._error(503, str(exc), "out_of_memory")
        except LocalModelError as exc:
            return self._error(500, str(exc), "local_model_error")
        timings = self._timings(base["id"], gen, t_arrived, t_start)
        self._json(200, {**base, "object": "chat.completion", "usage": _usage(gen), "timings": timings,
                         "choices": [{"index": 0, "finish_reason": gen.finish_reason,
                                      "message": {"role": "assistant", "content": gen.text}}]},
                   headers=_timing_headers(timings))

    def _timings(self, response_id: str, gen, t_arrived: float, t_start: float) -> dict:
        """The engine's timings plus the wait in the queue; kept by response id."""
        timings = {**gen.timings(), "queue_s": round(t_start - t_arrived, 6),
                   "latency_s": round(time.perf_counter() - t_arrived, 6),
                   "ttft_s": round(t_start - t_arrived + gen.prefill_s, 6)}
        self.srv._record(response_id, timings)
        return timings

    def _stream(self, body: dict, prompt: list[int], kwargs: dict, base: dict, t_arrived: float) -> None:
        eng = self.srv.engine
        chunk = dict(base, object="chat.completion.chunk")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        ids: list[int] = []
        sent = [""]  # text already sent

        def on_token(tok: int) -> None:
            ids.append(tok)
            text = eng.tokenizer.decode(ids)
            if text.endswith("\ufffd"):  # half of a multi-byte character: wait for the rest
                return
            delta = {"content": text[len(sent[0]):]}
            if not sent[0]:
                delta["role"] = "assistant"
            sent[0] = text
            self._event({**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})

        try:
            with self.srv._run_lock:
                t_start = time.perf_counter()
                gen = eng.generate(prompt, on_token=on_token, **kwargs)
        except (BrokenPipeError, ConnectionResetError):
            return
        except LocalModelError as exc:
            kind = "out_of_memory" if isinstance(exc, LocalOutOfMemoryError) else "local_model_error"
            self._event({"error": {"message": str(exc), "type": "server_error", "code": kind}})
            self.wfile.write(b"data: [DONE]\n\n")
            return
        timings = self._timings(base["id"], gen, t_arrived, t_start)
        rest = gen.text[len(sent[0]):]
        delta = {"content": rest} if rest else {}
        self._event({**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": gen.finish_reason}],
                     "timings": timings})
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event({**chunk, "choices": [], "usage": _usage(gen), "timings": timings})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _error(self, status: int, message: str, code: str) -> None:
        kind = "server_error" if status >= 500 else "invalid_request_error"
        self._json(status, {"error": {"message": message, "type": kind, "code": code}})


def _usage(gen) -> dict:
    return {"prompt_tokens": gen.prompt_tokens, "completion_tokens": gen.completion_tokens,
            "total_tokens": gen.prompt_tokens + gen.completion_tokens}


def _timing_headers(timings: dict) -> dict:
    keys = ("engine", "queue_s", "ttft_s", "prefill_s", "decode_s", "prefill_tokens_per_s", "decode_tokens_per_s")
    return {f"x-course-{k.replace('_', '-')}": str(timings[k]) for k in keys}
