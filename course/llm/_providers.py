"""Which backend a call goes to: a live provider, a local server, or the sandbox.

Model names follow litellm's ``provider/model`` convention, plus two of the
course's own prefixes:

``sandbox/<profile>/<model>``
    the offline sandbox (always available), e.g. ``sandbox/chip/llama-3.1-8b``;
``local/<model>``
    a local OpenAI-compatible server: ``$COURSE_LOCAL_BASE_URL`` (llama.cpp,
    vLLM; optional key in ``$COURSE_LOCAL_API_KEY``) or Ollama on localhost:11434;
anything else
    a hosted provider through litellm, e.g. ``groq/openai/gpt-oss-20b``; its key
    comes from the environment or ``.env`` (see :data:`course._base._env.PROVIDERS`).

``$COURSE_LLM_BACKEND`` (``auto``, ``live``, ``local`` or ``sandbox``) picks the
backend of the default model; ``$COURSE_DEFAULT_MODEL`` names it outright.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from dataclasses import dataclass, field

from course._base._env import PROVIDERS, Provider, load_dotenv
from course.data._profiles import SandboxModel, load_models
from course.llm._errors import MissingKeyError, ProviderDownError, UnknownModelError

OLLAMA_URL = "http://localhost:11434/v1"

#: A cheap default model per provider (names from litellm 1.106.2's price map; change freely).
DEFAULT_MODELS: dict[str, str] = {
    "openrouter": "openrouter/openai/gpt-oss-20b",
    "groq": "groq/openai/gpt-oss-20b",
    "cerebras": "cerebras/llama3.1-8b",
    "together": "together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
    "fireworks": "fireworks_ai/accounts/fireworks/models/gpt-oss-20b",
    "deepseek": "deepseek/deepseek-chat",
    "mistral": "mistral/mistral-small-latest",
    "openai": "openai/gpt-4o-mini",
    "anthropic": "anthropic/claude-haiku-4-5",
    "gemini": "gemini/gemini-2.5-flash-lite",
}
SANDBOX_DEFAULT = "sandbox/chip/llama-3.1-8b"


@dataclass(frozen=True)
class Target:
    """Where one model name sends a call (the key is kept out of ``repr``)."""

    model: str
    backend: str  # "sandbox", "local" or "live"
    provider: str
    litellm_model: str
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)
    sandbox_model: SandboxModel | None = None

    @property
    def simulated(self) -> bool:
        return self.backend == "sandbox"


def _provider_by_prefix(prefix: str) -> Provider | None:
    for provider in PROVIDERS:
        if prefix in (provider.litellm_prefix, provider.name):
            return provider
    return None


def _key_for(provider: Provider) -> str | None:
    for var in provider.env_vars:
        if os.environ.get(var):
            return os.environ[var]
    return None


_probe_cache: dict[str, tuple[float, bool]] = {}


def _probe(base_url: str, *, timeout: float = 0.3) -> bool:
    """True if an OpenAI-compatible server answers ``GET <base_url>/models`` (cached 30 s)."""
    now = time.monotonic()
    cached = _probe_cache.get(base_url)
    if cached and now - cached[0] < 30:
        return cached[1]
    try:
        with urllib.request.urlopen(base_url.rstrip("/") + "/models", timeout=timeout) as reply:
            ok = reply.status == 200
    except (OSError, ValueError):
        ok = False
    _probe_cache[base_url] = (now, ok)
    return ok


def local_server() -> str | None:
    """Return the base URL of a reachable local server, or None.

    ``$COURSE_LOCAL_BASE_URL`` is trusted as configured (probed, too); otherwise
    Ollama's OpenAI-compatible endpoint on localhost:11434 is probed for 0.3 s.
    """
    configured = os.environ.get("COURSE_LOCAL_BASE_URL")
    if configured:
        return configured.rstrip("/") if _probe(configured) else None
    if os.environ.get("COURSE_LLM_BACKEND", "auto") == "sandbox":
        return None
    return OLLAMA_URL if _probe(OLLAMA_URL) else None


def local_models(base_url: str) -> list[str]:
    """Model names a local server lists (empty if it does not answer)."""
    try:
        with urllib.request.urlopen(base_url.rstrip("/") + "/models", timeout=1.0) as reply:
            return [m["id"] for m in json.load(reply).get("data", [])]
    except (OSError, ValueError, KeyError):
        return []


def resolve(model: str) -> Target:
    """Work out the backend, provider and litellm arguments for ``model``.

    Raises
    ------
    MissingKeyError
        A hosted provider of the course is named but no key for it is set.
    UnknownModelError
        The name cannot be routed to any provider.
    ProviderDownError
        ``local/...`` is asked for but no local server answers.
    """
    if not isinstance(model, str) or not model.strip():
        raise UnknownModelError(f"a model name is a non-empty string, got {model!r}")
    model = model.strip()
    prefix, _, rest = model.partition("/")
    if prefix == "sandbox":
        from course.llm.servers._sandbox import SANDBOX_KEY, sandbox

        box = sandbox()
        return Target(model, "sandbox", f"sandbox-{rest.partition('/')[0]}", f"openai/{rest}",
                      api_base=box.base_url, api_key=SANDBOX_KEY, sandbox_model=box.models.get(rest))
    if prefix == "local":
        base = local_server()
        if base is None:
            raise ProviderDownError(
                "no local server answers: start Ollama (localhost:11434) or set COURSE_LOCAL_BASE_URL",
                model=model)
        name = "ollama" if base == OLLAMA_URL else "local"
        return Target(model, "local", name, f"openai/{rest}", api_base=base,
                      api_key=os.environ.get("COURSE_LOCAL_API_KEY") or "no-key")
    load_dotenv()
    provider = _provider_by_prefix(prefix) if rest else None
    if provider is not None:
        key = _key_for(provider)
        if key is None:
            raise MissingKeyError(
                f"no API key for {provider.name}: set {provider.env_vars[0]} in your .env file "
                f"(or call a sandbox model such as {SANDBOX_DEFAULT!r})", model=model)
        return Target(model, "live", provider.name, model, api_key=key)
    from course.llm._litellm import import_litellm

    litellm = import_litellm()
    try:
        _, provider_name, _, _ = litellm.get_llm_provider(model)
    except Exception:
        raise UnknownModelError(
            f"no provider serves {model!r}: write it as 'provider/model' (e.g. "
            f"{DEFAULT_MODELS['groq']!r}) or use a sandbox model such as {SANDBOX_DEFAULT!r}",
            model=model) from None
    provider = _provider_by_prefix(provider_name)
    if provider is not None and _key_for(provider) is None:
        raise MissingKeyError(f"no API key for {provider.name}: set {provider.env_vars[0]} in your "
                              ".env file", model=model)
    return Target(model, "live", provider_name, model,
                  api_key=_key_for(provider) if provider else None)


def keyed_providers() -> list[str]:
    """Names of the hosted providers whose keys are set (never the keys)."""
    load_dotenv()
    return [p.name for p in PROVIDERS if _key_for(p)]


def default_model() -> str:
    """The model ``course.ask`` uses when none is named.

    ``$COURSE_DEFAULT_MODEL`` if set; else, per ``$COURSE_LLM_BACKEND`` (default
    ``auto``): the cheap default of the first provider with a key, then the first
    model of a local server, then :data:`SANDBOX_DEFAULT`.
    """
    if os.environ.get("COURSE_DEFAULT_MODEL"):
        return os.environ["COURSE_DEFAULT_MODEL"]
    choice = os.environ.get("COURSE_LLM_BACKEND", "auto")
    if choice in ("auto", "live"):
        for name in keyed_providers():
            return DEFAULT_MODELS[name]
    if choice in ("auto", "local"):
        base = local_server()
        names = local_models(base) if base else []
        if names:
            return f"local/{names[0]}"
    return SANDBOX_DEFAULT


def backend_summary() -> dict:
    """Say which backend calls will use, for ``course doctor``. Never shows a key.

    Does not import litellm or start the sandbox; may probe localhost for 0.3 s.

    Returns
    -------
    dict
        ``backend`` ("live", "local" or "sandbox"), ``default_model``,
        ``providers_with_keys`` (names), ``local_server`` (URL or None),
        ``sandbox_models`` (count) and ``summary`` (one line for humans).

    Examples
    --------
    >>> sorted(backend_summary())  # doctest: +NORMALIZE_WHITESPACE
    ['backend', 'default_model', 'local_server', 'providers_with_keys', 'sandbox_models', 'summary']
    """
    keys = keyed_providers()
    local = local_server()
    model = default_model()
    backend = model.partition("/")[0]
    backend = backend if backend in ("sandbox", "local") else "live"
    count = len(load_models()[0])
    if backend == "live":
        line = f"live calls via {', '.join(keys) or 'litellm'} (default {model})"
    elif backend == "local":
        line = f"local server at {local} (default {model})"
    else:
        line = f"offline sandbox, {count} SIMULATED models (default {model}); no key and no local server"
    return {"backend": backend, "default_model": model, "providers_with_keys": keys,
            "local_server": local, "sandbox_models": count, "summary": line}
