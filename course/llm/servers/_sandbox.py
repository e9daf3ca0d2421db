"""The offline sandbox: a real OpenAI-compatible HTTP server on 127.0.0.1.

litellm reaches it as ``openai/<profile>/<model>`` with
``api_base=http://127.0.0.1:<port>/v1``, so the same client code runs as for a
real provider. It serves the simulated profiles of :mod:`course.data._profiles`,
answers from the course glossary, and can inject faults.

Faults
------
Per call, put a marker in the prompt: ``[fault:429]`` (rate limit, with
``Retry-After``), ``[fault:500]`` (server error), ``[fault:slow]`` (ten times
slower, one extra simulated second before the first token), ``[fault:timeout]``
(no answer until the client gives up) or ``[fault:401]`` (key rejected).
Per profile, call :meth:`Sandbox.set_fault`, optionally for the next ``times``
calls only.

Time
----
Simulated seconds are slept as ``seconds * time_scale`` (default 0.05, or
``$COURSE_SANDBOX_TIME_SCALE``) so calls take a fraction of a second. The
simulated timings themselves are kept per response id and reported by the client,
so reported tokens/s match the profile.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections import OrderedDict

from course._base._loopback import JSONHandler, LoopbackServer
from course.data._profiles import SandboxModel, load_models, profile_label
from course.llm.servers._answers import answer_for, count_tokens, truncate_tokens

#: Fault kinds the sandbox can inject.
FAULTS = ("429", "500", "slow", "timeout", "401")
_FAULT_MARK = re.compile(r"\[fault:(429|500|slow|timeout|401)\]", re.IGNORECASE)
#: The dummy key litellm sends to the sandbox (the sandbox accepts any key).
SANDBOX_KEY = "sandbox-no-key-needed"


class Sandbox(LoopbackServer):
    """A running (or stopped) sandbox server.

    Parameters
    ----------
    time_scale : float, optional
        Real seconds slept per simulated second. Default ``$COURSE_SANDBOX_TIME_SCALE`` or 0.05.
    hang_s : float, default 30
        How long (real seconds) a ``timeout`` fault hangs at most; stopping the
        server ends the hang at once.

    Examples
    --------
    >>> with Sandbox() as sb:
    ...     sb.base_url.startswith("http://127.0.0.1:")
    True
    """

    name = "sandbox"

    def __init__(self, *, time_scale: float | None = None, hang_s: float = 30.0):
        if time_scale is None:
            time_scale = float(os.environ.get("COURSE_SANDBOX_TIME_SCALE", "0.05"))
        self.time_scale = time_scale
        self.hang_s = hang_s
        models, self.skipped = load_models()
        self.models: dict[str, SandboxModel] = {m.wire_name: m for m in models}
        self._faults: dict[str, list] = {}
        self._timings: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.calls = 0

    # -- life cycle (start, stop, port, base_url: course._base._loopback) ---------------
    def _handler(self) -> type:
        return _handler_for(self)

    def start(self) -> Sandbox:
        """Start serving on a free port of 127.0.0.1 in a background thread."""
        self._stopping.clear()
        return super().start()

    def stop(self) -> None:
        """Stop the server (hanging requests end at once)."""
        self._stopping.set()
        super().stop()

    # -- faults -----------------------------------------------------------------------
    def set_fault(self, profile: str, kind: str | None, *, times: int | None = None) -> None:
        """Make every call to ``profile`` fail with ``kind`` (None clears it).

        Parameters
        ----------
        profile : str
            A profile name such as ``"chip"`` (see :meth:`profiles`).
        kind : {"429", "500", "slow", "timeout", "401"} or None
        times : int, optional
            Only the next ``times`` calls fail; afterwards the profile recovers.
        """
        if profile not in {m.profile for m in self.models.values()}:
            raise ValueError(f"no sandbox profile {profile!r}; choose from {sorted(self.profiles())}")
        kind = None if kind is None else str(kind)
        if kind is not None and kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; choose from {FAULTS}")
        with self._lock:
            if kind is None:
                self._faults.pop(profile, None)
            else:
                self._faults[profile] = [kind, times]

    def clear_faults(self) -> None:
        """Remove every per-profile fault."""
        with self._lock:
            self._faults.clear()

    def _fault_for(self, profile: str, prompt: str) -> str | None:
        mark = _FAULT_MARK.search(prompt)
        if mark:
            return mark.group(1).lower()
        with self._lock:
            entry = self._faults.get(profile)
            if entry is None:
                return None
            kind, times = entry
            if times is not None:
                if times <= 1:
                    del self._faults[profile]
                else:
                    entry[1] = times - 1
            return kind

    # -- simulated timings --------------------------------------------------------------
    def _record(self, response_id: str, timing: dict) -> None:
        with self._lock:
            self._timings[response_id] = timing
            while len(self._timings) > 10_000:
                self._timings.popitem(last=False)

    def timing(self, response_id: str) -> dict | None:
        """Simulated ``ttft_s`` and ``latency_s`` of a response, by its id."""
        with self._lock:
            return self._timings.get(response_id)

    def profiles(self) -> dict[str, str]:
        """Profile name -> its SIMULATED label."""
        return {m.profile: profile_label(m.profile) for m in self.models.values()}

    def _repr_html_(self) -> str:
        state = f"running at {self.base_url}" if self.running else "stopped"
        rows = "".join(
            f"<tr><td>{m.id}</td><td>{m.kind}</td><td>{m.input_usd_per_m:g} / {m.output_usd_per_m:g}</td>"
            f"<td>{m.tokens_per_s:g}</td></tr>" for m in self.models.values()
        )
        faults = ", ".join(f"{p}: {k[0]}" for p, k in self._faults.items()) or "none"
        return (f"<b>Course sandbox (SIMULATED providers)</b>, {state}; time scale {self.time_scale:g}; "
                f"faults: {faults}<table><tr><th>model</th><th>kind</th><th>$/M in / out</th>"
                f"<th>tokens/s</th></tr>{rows}</table>")

    def __repr__(self) -> str:
        state = f"running at {self.base_url}" if self.running else "stopped"
        return f"<Sandbox {state}, {len(self.models)} simulated models>"


def _handler_for(sandbox: Sandbox):
    class Handler(_Handler):
        box = sandbox

    return Handler


class _Handler(JSONHandler):
    box: Sandbox
    server_version = "course-sandbox/1"

    # -- routes ---------------------------------------------------------------------------
    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            data = [{"id": name, "object": "model", "owned_by": f"sandbox-{m.profile}", "simulated": True}
                    for name, m in self.box.models.items()]
            self._json(200, {"object": "list", "data": data})
        else:
            self._error(404, f"no route {self.path}", "not_found")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            return self._error(400, "the request body is not JSON", "invalid_request_error")
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            return self._error(404, f"no route {self.path}", "not_found")
        self.box.calls += 1
        name = str(body.get("model", ""))
        model = self.box.models.get(name)
        if model is None:
            return self._error(404, f"The model `{name}` does not exist in the sandbox. "
                               f"Available: {', '.join(self.box.models)}", "model_not_found")
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", [])
                           if isinstance(m, dict))
        fault = self.box._fault_for(model.profile, prompt)
        scale = self.box.time_scale
        if fault == "429":
            retry_s = 1.0
            return self._error(429, "Rate limit reached (SIMULATED by the course sandbox). "
                               f"Retry after {retry_s:g} s.", "rate_limit_exceeded",
                               headers={"Retry-After": f"{retry_s:g}",
                                        "retry-after-ms": f"{retry_s * scale * 1000:.0f}"})
        if fault == "500":
            return self._error(500, "Internal server error (SIMULATED by the course sandbox).",
                               "server_error")
        if fault == "401":
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            return self._error(401, f"Incorrect API key provided: {key}.", "invalid_api_key")
        if fault == "timeout":
            self.box._stopping.wait(self.box.hang_s)
            self.close_connection = True
            return None
        self._complete(body, model, prompt, slow=(fault == "slow"))
        return None

    # -- a completion ---------------------------------------------------------------------
    def _complete(self, body: dict, model: SandboxModel, prompt: str, *, slow: bool) -> None:
        users = [str(m.get("content", "")) for m in body.get("messages", [])
                 if isinstance(m, dict) and m.get("role") == "user"]
        text = answer_for(_FAULT_MARK.sub("", users[-1] if users else prompt), model=model.wire_name)
        max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
        finish = "stop"
        if max_tokens is not None and count_tokens(text) > int(max_tokens):
            text, finish = truncate_tokens(text, int(max_tokens)), "length"
        tokens_in, tokens_out = count_tokens(prompt), count_tokens(text)
        tps = model.tokens_per_s / (10 if slow else 1)
        ttft = model.simulated_ttft() + (1.0 if slow else 0.0)
        latency = ttft + tokens_out / tps
        response_id = "chatcmpl-sandbox-" + uuid.uuid4().hex[:16]
        self.box._record(response_id, {"ttft_s": ttft, "latency_s": latency, "slow": slow})
        usage = {"prompt_tokens": tokens_in, "completion_tokens": tokens_out,
                 "total_tokens": tokens_in + tokens_out}
        base = {"id": response_id, "created": int(time.time()), "model": model.wire_name,
                "system_fingerprint": "course-sandbox-simulated"}
        scale = self.box.time_scale
        if not body.get("stream"):
            time.sleep(latency * scale)
            self._json(200, {**base, "object": "chat.completion", "usage": usage, "choices": [
                {"index": 0, "finish_reason": finish,
                 "message": {"role": "assistant", "content": text}}]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = dict(base, object="chat.completion.chunk")
        time.sleep(ttft * scale)
        words = text.split(" ")
        pieces = [" ".join(words[i:i + 6]) for i in range(0, len(words), 6)]
        pause = (latency - ttft) * scale / max(1, len(pieces))
        for i, piece in enumerate(pieces):
            delta = {"content": piece if i == 0 else " " + piece}
            if i == 0:
                delta["role"] = "assistant"
            self._event({**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
            time.sleep(pause)
        self._event({**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event({**chunk, "choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _error(self, status: int, message: str, code: str, headers: dict | None = None) -> None:
        kind = {429: "rate_limit_error", 500: "server_error", 401: "authentication_error"}.get(
            status, "invalid_request_error")
        self._json(status, {"error": {"message": message, "type": kind, "code": code}}, headers)


_current: Sandbox | None = None
_current_lock = threading.Lock()


def sandbox(*, time_scale: float | None = None, start: bool = True) -> Sandbox:
    """Return the course's sandbox, starting it on first use.

    Parameters
    ----------
    time_scale : float, optional
        Change the real seconds slept per simulated second.
    start : bool, default True
        Start the server if it is not running.

    Returns
    -------
    Sandbox
        Also a context manager: ``with course.sandbox() as sb: ...`` stops it at the end.

    Examples
    --------
    >>> sb = sandbox()
    >>> sorted(sb.profiles())
    ['aggregator', 'chip', 'frontier', 'gpucloud']
    >>> sb.stop()
    """
    global _current
    with _current_lock:
        if _current is None:
            _current = Sandbox(time_scale=time_scale)
        elif time_scale is not None:
            _current.time_scale = time_scale
        if start:
            _current.start()
        return _current
