"""Which engine runs the local model, loaded once per process.

:mod:`course.local.engine` (numpy, the teaching engine) and :mod:`course.local.llamacpp`
(the optional fast path) both build on the engine module's pieces; this module picks one
of them, so neither engine module needs to import the other.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from course.local.engine import NumpyEngine
from course.local.llamacpp import LlamaCppEngine, llama_cpp_available
from course.local.model_file import model_path

_engines: dict[tuple, object] = {}
_engines_lock = threading.Lock()


def load_engine(kind: str | None = None, *, path: str | os.PathLike | None = None,
                context: int | None = None):
    """Return the engine for the local model, loading it once per process.

    Parameters
    ----------
    kind : {"auto", "numpy", "llama.cpp"}, optional
        ``"auto"`` (the default, or ``$COURSE_LOCAL_ENGINE``) takes llama.cpp when
        ``llama-cpp-python`` is installed and the numpy engine otherwise.
    path : path-like, optional
        A GGUF file instead of the installed model.
    context : int, optional
        Cap the context window.

    Raises
    ------
    LocalModelError
        Missing or corrupt model file, too little memory, or ``kind="llama.cpp"``
        without llama-cpp-python.
    """
    kind = kind or os.environ.get("COURSE_LOCAL_ENGINE", "auto")
    if kind not in ("auto", "numpy", "llama.cpp"):
        raise ValueError(f"unknown engine {kind!r}; choose 'auto', 'numpy' or 'llama.cpp'")
    if kind == "auto":
        kind = "llama.cpp" if llama_cpp_available() else "numpy"
    resolved = Path(model_path() if path is None else path)
    key = (kind, str(resolved), context)
    with _engines_lock:
        if key not in _engines:
            if kind == "numpy":
                _engines[key] = NumpyEngine(resolved, context=context)
            else:
                _engines[key] = LlamaCppEngine(resolved, context=context)
        return _engines[key]
