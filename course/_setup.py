"""``course.setup()``: the first call of every module notebook."""

from __future__ import annotations

import os
import random

#: The one seed for everything random in the course (simulations, sampling, shuffles).
SEED = 2025


def setup(*, seed: int = SEED, quiet: bool = False) -> dict:
    """Prepare a notebook: read ``.env``, seed randomness, keep litellm offline.

    Parameters
    ----------
    seed : int, default 2025
        Seed for Python's and NumPy's random generators.
    quiet : bool, default False
        Do not print the one-line status.

    Returns
    -------
    dict
        ``backend`` ("sandbox", "local" or "live") and ``providers`` (names with keys).

    Examples
    --------
    >>> info = setup(quiet=True)
    >>> sorted(info)
    ['backend', 'providers']
    """
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from course import __version__
    from course._base._env import load_dotenv, provider_keys

    load_dotenv()
    random.seed(seed)
    try:
        import numpy

        numpy.random.seed(seed)
    except ImportError:  # pragma: no cover
        pass
    try:
        from course.llm._providers import backend_summary

        summary = backend_summary()
        backend, line = summary["backend"], summary["summary"]
    except Exception as err:  # pragma: no cover - reported, never fatal
        backend, line = "sandbox", f"(could not check providers: {type(err).__name__})"
    info = {"backend": backend, "providers": provider_keys(load_env_file=False)}
    if not quiet:
        print(f"Course toolkit {__version__} ready. Live calls: {line}.")
    return info
