"""One life cycle and one request-handler base for the course's HTTP servers on 127.0.0.1
(the sandbox, the local model).

Examples
--------
>>> from http.server import BaseHTTPRequestHandler
>>> class Hello(LoopbackServer):
...     name = "hello"
...     def _handler(self):
...         return BaseHTTPRequestHandler
>>> with Hello() as srv:
...     srv.base_url.startswith("http://127.0.0.1:")
True
>>> srv.running
False
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JSONHandler(BaseHTTPRequestHandler):
    """A quiet HTTP/1.1 handler that answers JSON and server-sent events (OpenAI's wire format)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet: no request log in notebooks
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):  # the client went away (a timeout)
            pass

    def _event(self, payload: dict) -> None:
        """Send one server-sent event carrying ``payload`` as JSON."""
        self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
        self.wfile.flush()

    def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        """Send ``payload`` as a JSON response with ``status`` and extra ``headers``."""
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


class LoopbackServer:
    """A threaded HTTP server on a free port of 127.0.0.1, started and stopped in the background.

    Subclasses set :attr:`name` and return their request handler class from :meth:`_handler`.
    """

    #: Shown in the thread's name and in errors.
    name = "server"

    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def _handler(self) -> type:
        raise NotImplementedError

    def start(self):
        """Serve on a free port of 127.0.0.1 in a background thread; return ``self``."""
        if self.running:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=f"course-{self.name}",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self._server = None
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server accepts requests."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The TCP port on 127.0.0.1."""
        if self._server is None:
            raise RuntimeError(f"the {self.name} is not running: call start()")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL, ending in ``/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"
