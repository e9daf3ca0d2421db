"""Provider keys and the ``.env`` file: discovered by name, never shown.

Keys come from the environment or from a ``.env`` file in the working folder or
one of its parents. Nothing here prints, logs or returns a key's value: only the
names of the providers whose keys are present.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Provider:
    """A hosted provider the course can call through litellm."""

    name: str
    env_vars: tuple[str, ...]
    litellm_prefix: str
    kind: str  # "gpu-cloud", "custom-chip", "aggregator", "lab-api"
    #: Variables naming another base URL for the provider's API (litellm reads the same
    #: ones); the course passes the first one set to litellm as ``api_base``.
    base_vars: tuple[str, ...] = ()


#: Hosted providers, in the order the course presents them.
PROVIDERS: tuple[Provider, ...] = (
    Provider("openrouter", ("OPENROUTER_API_KEY",), "openrouter", "aggregator", ("OPENROUTER_API_BASE",)),
    Provider("groq", ("GROQ_API_KEY",), "groq", "custom-chip", ("GROQ_API_BASE",)),
    Provider("cerebras", ("CEREBRAS_API_KEY",), "cerebras", "custom-chip", ("CEREBRAS_API_BASE",)),
    Provider("together", ("TOGETHERAI_API_KEY", "TOGETHER_API_KEY", "TOGETHER_AI_API_KEY"), "together_ai",
             "gpu-cloud", ("TOGETHER_AI_API_BASE",)),
    Provider("fireworks", ("FIREWORKS_AI_API_KEY", "FIREWORKS_API_KEY"), "fireworks_ai", "gpu-cloud",
             ("FIREWORKS_API_BASE",)),
    Provider("deepseek", ("DEEPSEEK_API_KEY",), "deepseek", "lab-api", ("DEEPSEEK_API_BASE",)),
    Provider("mistral", ("MISTRAL_API_KEY",), "mistral", "lab-api", ("MISTRAL_API_BASE",)),
    Provider("openai", ("OPENAI_API_KEY",), "openai", "lab-api", ("OPENAI_BASE_URL", "OPENAI_API_BASE")),
    Provider("anthropic", ("ANTHROPIC_API_KEY",), "anthropic", "lab-api",
             ("ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL")),
    Provider("gemini", ("GEMINI_API_KEY", "GOOGLE_API_KEY"), "gemini", "lab-api", ("GEMINI_API_BASE",)),
)

def find_dotenv(start: Path | None = None) -> Path | None:
    """Return the nearest ``.env`` in ``start`` (default: the working folder) or its parents."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / ".env"
        if candidate.is_file():
            return candidate
    return None


def load_dotenv(path: Path | None = None, *, override: bool = False) -> list[str]:
    """Load ``KEY=value`` lines from a ``.env`` file into ``os.environ``, with python-dotenv.

    The file is parsed by :func:`dotenv.dotenv_values`, so quoting, ``export`` and
    inline comments (``KEY=value  # note``) follow the usual ``.env`` rules: a comment
    never becomes part of a key. Values already in the environment win unless
    ``override`` is true. Returns the names set (never the values). Blank values are
    skipped, so the lines copied from ``.env.example`` do nothing until filled in.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".env").write_text("COURSE_DOCTEST_KEY=abc  # my key\\nEMPTY=\\n")
    >>> load_dotenv(d / ".env")
    ['COURSE_DOCTEST_KEY']
    >>> os.environ.pop("COURSE_DOCTEST_KEY")
    'abc'
    """
    if os.environ.get("COURSE_NO_DOTENV"):
        return []  # set for grading kernels: student code never sees the instructor's keys
    path = path or find_dotenv()
    if path is None:
        return []
    from dotenv import dotenv_values

    names = []
    for name, value in dotenv_values(path, interpolate=False, encoding="utf-8").items():
        if not value or (name in os.environ and not override):
            continue
        os.environ[name] = value
        names.append(name)
    return names


def provider_keys(*, load_env_file: bool = True) -> list[str]:
    """Return the names of the providers whose API keys are set (never the keys).

    Parameters
    ----------
    load_env_file : bool, default True
        Read a ``.env`` file first (see :func:`load_dotenv`).

    Returns
    -------
    list of str
        Provider names such as ``"groq"``, in the order of :data:`PROVIDERS`.

    Examples
    --------
    >>> isinstance(provider_keys(load_env_file=False), list)
    True
    """
    if load_env_file:
        load_dotenv()
    return [p.name for p in PROVIDERS if any(os.environ.get(v) for v in p.env_vars)]


#: Other variables holding secrets (e.g. the key of a local vLLM server), redacted too.
EXTRA_SECRET_VARS: tuple[str, ...] = ("COURSE_LOCAL_API_KEY",)


def secret_values() -> list[str]:
    """Return the values of every provider key that is set, for redaction only."""
    values = []
    names = [var for provider in PROVIDERS for var in provider.env_vars] + list(EXTRA_SECRET_VARS)
    for var in names:
        value = os.environ.get(var)
        if value and len(value) >= 8:
            values.append(value)
    return values


def redact(text: str) -> str:
    """Replace any provider key that appears in ``text`` with ``[redacted]``.

    Examples
    --------
    >>> os.environ["GROQ_API_KEY"] = "gsk_doctest_0123456789"
    >>> redact("bad key gsk_doctest_0123456789")
    'bad key [redacted]'
    >>> _ = os.environ.pop("GROQ_API_KEY")
    """
    for value in secret_values():
        text = text.replace(value, "[redacted]")
    return text
