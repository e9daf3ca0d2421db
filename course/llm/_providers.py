"""Which backend a call goes to: a live provider, a local server, or the sandbox.

Model names follow litellm's ``provider/model`` convention, plus two of the
course's own prefixes:

``sandbox/<profile>/<model>``
    the offline sandbox (always available), e.g. ``sandbox/chip/llama-3.1-8b``;
``local/smollm2-135m``
    the course's embedded open-weight model (:mod:`course.local`), started on
    127.0.0.1 in this process on first use: offline, no key, no API price;
``local/<model>``
    any other name: a server you or your instructor run: ``$COURSE_LOCAL_BASE_URL`` (an
    OpenAI-compatible server such as llama.cpp or vLLM, or a workshop's LiteLLM
    proxy; its key in ``$COURSE_LOCAL_API_KEY`` is sent as ``Authorization: Bearer``)
    or Ollama (``$OLLAMA_HOST``, default localhost:11434, found by its ``/api/tags``);
anything else
    a hosted provider through litellm, e.g. ``groq/openai/gpt-oss-20b``; its key
    comes from the environment or ``.env`` (see :data:`course._base._env.PROVIDERS`),
    and its base URL from the provider's ``*_API_BASE`` variable when one is set.

``$COURSE_LLM_BACKEND`` (``auto``, ``live``, ``local`` or ``sandbox``) picks the
backend of the default model; ``$COURSE_DEFAULT_MODEL`` names it outright.
"""

from __future__ import annotations

import json
import math
import os
import time
import urllib.request
from dataclasses import dataclass, field

from course._base._env import PROVIDERS, Provider, load_dotenv
from course.data._profiles import SandboxModel, load_models
from course.llm._errors import MissingKeyError, ProviderDownError, UnknownModelError

#: Model-name prefixes that answer while a notebook is graded: nothing leaves the machine.
GRADING_MODELS = ("sandbox/", "local/smollm2")

OLLAMA_URL = "http://localhost:11434/v1"  # Ollama's OpenAI-compatible endpoint by default

#: A cheap default model per provider: live (no past ``deprecation_date``) in the price map of
#: the pinned litellm (1.110.2). That map lists no OpenRouter model at all, so OpenRouter's
#: calls are charged at the budget's conservative estimate (see course.llm._budget).
DEFAULT_MODELS: dict[str, str] = {
    "openrouter": "openrouter/openai/gpt-oss-20b",
    "groq": "groq/openai/gpt-oss-20b",
    "cerebras": "cerebras/gpt-oss-120b",
    "together": "together_ai/openai/gpt-oss-120b",
    "fireworks": "fireworks_ai/accounts/fireworks/models/gpt-oss-20b",
    "deepseek": "deepseek/deepseek-v3.2",
    "mistral": "mistral/mistral-small-latest",
    "openai": "openai/gpt-4o-mini",
    "anthropic": "anthropic/claude-haiku-4-5",
    "gemini": "gemini/gemini-2.5-flash-lite",
}

#: The same open weights served by several of the course's providers (litellm names).
#: ``same_weights_models`` keeps the ones that are keyed and live in the price map.
SAME_WEIGHTS: dict[str, dict[str, str]] = {
    "gpt-oss-120b": {
        "groq": "groq/openai/gpt-oss-120b",
        "cerebras": "cerebras/gpt-oss-120b",
        "together": "together_ai/openai/gpt-oss-120b",
        "fireworks": "fireworks_ai/accounts/fireworks/models/gpt-oss-120b",
    },
    "llama-3.3-70b": {
        "groq": "groq/llama-3.3-70b-versatile",
        "together": "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "fireworks": "fireworks_ai/accounts/fireworks/models/llama-v3p3-70b-instruct",
        "cerebras": "cerebras/llama-3.3-70b",
    },
}
#: The sandbox's stand-in for the lesson: one open model on two SIMULATED hosts.
SANDBOX_SAME_WEIGHTS = ("sandbox/gpucloud/llama-3.1-405b", "sandbox/aggregator/llama-3.1-405b")
SANDBOX_DEFAULT = "sandbox/chip/llama-3.1-8b"
#: The course's own open-weight model, SmolLM2-135M-Instruct, served on 127.0.0.1 by
#: :mod:`course.local` (no Ollama and no ``$COURSE_LOCAL_BASE_URL`` needed).
EMBEDDED_MODEL = "local/smollm2-135m"


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
    #: (input, output) US dollars per token a local server reported (a LiteLLM proxy's
    #: ``/model/info``), or None.
    server_prices: tuple[float, float] | None = None
    #: True for a server on your own hardware that charges nothing per token (Ollama, vLLM).
    free: bool = False
    #: True for the course's embedded model (:mod:`course.local`), run in this very process.
    self_hosted: bool = False

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


_probe_cache: dict[str, tuple[float, object]] = {}


def _get_json(url: str, *, timeout: float, key: str | None = None):
    """GET ``url`` (with ``Authorization: Bearer <key>`` when given); the parsed JSON or None."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return json.load(reply) if reply.status == 200 else None
    except (OSError, ValueError):
        return None


def _cached(url: str, key: str | None, timeout: float):
    """:func:`_get_json`, remembered for 30 s (probes run on every default-model lookup)."""
    now = time.monotonic()
    cached = _probe_cache.get(url)
    if cached and now - cached[0] < 30:
        return cached[1]
    value = _get_json(url, timeout=timeout, key=key)
    _probe_cache[url] = (now, value)
    return value


def _local_key() -> str | None:
    return os.environ.get("COURSE_LOCAL_API_KEY") or None


def _probe(base_url: str, *, timeout: float = 0.3) -> bool:
    """True if an OpenAI-compatible server lists models at ``GET <base_url>/models``.

    The request carries ``$COURSE_LOCAL_API_KEY`` as a bearer token: a LiteLLM proxy
    (and a vLLM server started with ``--api-key``) refuses an unauthenticated list.
    """
    return _cached(base_url.rstrip("/") + "/models", _local_key(), timeout) is not None


def ollama_url() -> str:
    """Ollama's base URL: ``$OLLAMA_HOST`` (``host:port`` or a URL), else localhost:11434."""
    host = os.environ.get("OLLAMA_HOST", "").strip() or "localhost:11434"
    if "://" not in host:
        host = "http://" + host
    return host.rstrip("/").removesuffix("/v1")


def ollama_models(*, timeout: float = 0.3) -> list[str]:
    """The models an Ollama server has pulled (its ``GET /api/tags``); empty if none answers."""
    tags = _cached(ollama_url() + "/api/tags", None, timeout)
    try:
        return [m["name"] for m in tags["models"]] if tags else []
    except (KeyError, TypeError):
        return []


def local_server() -> str | None:
    """Return the base URL of a reachable local server, or None.

    ``$COURSE_LOCAL_BASE_URL`` is probed (with its key) and used if it answers;
    otherwise an Ollama server is looked for at :func:`ollama_url` (its native
    ``/api/tags``, 0.3 s) and its OpenAI-compatible ``/v1`` endpoint is returned.
    """
    configured = os.environ.get("COURSE_LOCAL_BASE_URL")
    if configured:
        return configured.rstrip("/") if _probe(configured) else None
    if os.environ.get("COURSE_LLM_BACKEND", "auto") == "sandbox":
        return None
    base = ollama_url()
    return base + "/v1" if _cached(base + "/api/tags", None, 0.3) is not None else None


def _is_ollama(base_url: str) -> bool:
    return not os.environ.get("COURSE_LOCAL_BASE_URL") and base_url == ollama_url() + "/v1"


def local_models(base_url: str) -> list[str]:
    """Model names a local server lists (empty if it does not answer)."""
    if _is_ollama(base_url):
        return ollama_models(timeout=1.0)
    listing = _get_json(base_url.rstrip("/") + "/models", timeout=1.0, key=_local_key())
    try:
        return [m["id"] for m in listing.get("data", [])] if listing else []
    except (AttributeError, KeyError, TypeError):
        return []


def server_prices(base_url: str) -> dict[str, tuple[float, float]] | None:
    """Per-token prices a LiteLLM proxy reports for its models, or None for other servers.

    Asks ``GET /model/info`` (LiteLLM proxy only; with the learner's key) and reads
    ``model_info.input_cost_per_token`` / ``output_cost_per_token`` per ``model_name``.
    A model listed without a price maps to ``(nan, nan)``. None means the server is
    not a LiteLLM proxy (Ollama, vLLM, llama.cpp: your own hardware, no per-token price).
    """
    root = base_url.rstrip("/").removesuffix("/v1")
    info = _cached(root + "/model/info", _local_key(), 1.0)
    if not isinstance(info, dict) or not isinstance(info.get("data"), list):
        return None
    prices: dict[str, tuple[float, float]] = {}
    for entry in info["data"]:
        meta = entry.get("model_info") or {}
        cin, cout = meta.get("input_cost_per_token"), meta.get("output_cost_per_token")
        try:
            prices[entry["model_name"]] = (float(cin), float(cout))
        except (KeyError, TypeError, ValueError):
            prices.setdefault(entry.get("model_name", ""), (math.nan, math.nan))
    return prices


def _base_for(provider: Provider) -> str | None:
    for var in provider.base_vars:
        if os.environ.get(var):
            return os.environ[var]
    return None


def _embedded_target(model: str) -> Target:
    """The embedded model: start :mod:`course.local`'s server once, reach it as ``openai/...``.

    It runs on the learner's own machine, so no API price applies (``free``); the
    hardware, the electricity and the time are the learner's (``self_hosted``).
    """
    import course.local as local

    try:
        base = local.ensure_server()
    except local.LocalModelError as exc:
        raise ProviderDownError(f"the embedded local model cannot start: {exc}", model=model) from None
    return Target(model, "local", "self-hosted", f"openai/{local.MODEL_NAME}", api_base=base,
                  api_key="local", free=True, self_hosted=True)


def resolve(model: str) -> Target:
    """Work out the backend, provider and litellm arguments for ``model``.

    Raises
    ------
    MissingKeyError
        A hosted provider of the course is named but no key for it is set.
    UnknownModelError
        The name cannot be routed to any provider.
    ProviderDownError
        ``local/...`` is asked for but no local server answers, or a live model is
        asked for while a notebook is being graded (grading runs offline).
    """
    if not isinstance(model, str) or not model.strip():
        raise UnknownModelError(f"a model name is a non-empty string, got {model!r}")
    model = model.strip()
    if os.environ.get("COURSE_GRADING") and not model.startswith(GRADING_MODELS):
        raise ProviderDownError("grading runs offline: only the sandbox and the course's own local "
                                "model answer", model=model)
    prefix, _, rest = model.partition("/")
    if prefix == "sandbox":
        from course.llm.servers._sandbox import SANDBOX_KEY, sandbox

        box = sandbox()
        return Target(model, "sandbox", f"sandbox-{rest.partition('/')[0]}", f"openai/{rest}",
                      api_base=box.base_url, api_key=SANDBOX_KEY, sandbox_model=box.models.get(rest))
    if model == EMBEDDED_MODEL:
        return _embedded_target(model)
    if prefix == "local":
        base = local_server()
        if base is None:
            raise ProviderDownError(
                "no local server answers: start Ollama (localhost:11434) or set COURSE_LOCAL_BASE_URL",
                model=model)
        if _is_ollama(base):
            return Target(model, "local", "ollama", f"openai/{rest}", api_base=base, api_key="no-key",
                          free=True)
        prices = server_prices(base)
        return Target(model, "local", "proxy" if prices is not None else "local", f"openai/{rest}",
                      api_base=base, api_key=_local_key() or "no-key",
                      server_prices=(prices or {}).get(rest) if prices is not None else None,
                      free=prices is None)
    load_dotenv()
    provider = _provider_by_prefix(prefix) if rest else None
    if provider is not None:
        key = _key_for(provider)
        if key is None:
            raise MissingKeyError(
                f"no API key for {provider.name}: set {provider.env_vars[0]} in your .env file "
                f"(or call a sandbox model such as {SANDBOX_DEFAULT!r})", model=model)
        return Target(model, "live", provider.name, model, api_key=key, api_base=_base_for(provider))
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
                  api_key=_key_for(provider) if provider else None,
                  api_base=_base_for(provider) if provider else None)


def live_in_price_map(model: str, *, today: str | None = None) -> bool:
    """True if litellm's bundled price map prices ``model`` and has not retired it.

    A model is retired once the map's ``deprecation_date`` is past (``today``,
    ISO date, defaults to the current date).

    Examples
    --------
    >>> live_in_price_map("groq/openai/gpt-oss-120b", today="2026-11-29")
    True
    >>> live_in_price_map("cerebras/llama3.1-8b", today="2026-11-29")  # retired 2026-05-27
    False
    """
    import datetime

    from course.llm._litellm import import_litellm

    cost_map = import_litellm().model_cost
    entry = cost_map.get(model) or cost_map.get(model.partition("/")[2])  # "openai/gpt-4o-mini"
    if not entry or entry.get("input_cost_per_token") is None or entry.get("output_cost_per_token") is None:
        return False
    retired = entry.get("deprecation_date")
    today = today or datetime.date.today().isoformat()
    return not retired or str(retired) > today


def same_weights_models(weights: str = "gpt-oss-120b", *, limit: int = 4) -> list[str]:
    """The same open weights on several hosts, for a like-for-like comparison.

    With provider keys (and ``$COURSE_LLM_BACKEND`` not ``sandbox``): the listings of
    ``weights`` in :data:`SAME_WEIGHTS` whose provider has a key and that are live in
    litellm's price map, so price, TTFT, tokens/s and answers compare hosts, not models.
    Without any: :data:`SANDBOX_SAME_WEIGHTS`, one model on two SIMULATED hosts.

    Parameters
    ----------
    weights : str, default "gpt-oss-120b"
        A key of :data:`SAME_WEIGHTS` ("gpt-oss-120b" or "llama-3.3-70b").
    limit : int, default 4
        The most listings to return.

    Returns
    -------
    list of str
        Model names for ``course.compare``.

    Examples
    --------
    >>> same_weights_models()  # no keys: the SIMULATED comparison
    ['sandbox/gpucloud/llama-3.1-405b', 'sandbox/aggregator/llama-3.1-405b']
    """
    if weights not in SAME_WEIGHTS:
        raise ValueError(f"weights must be one of {sorted(SAME_WEIGHTS)}, got {weights!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    chosen: list[str] = []
    if os.environ.get("COURSE_LLM_BACKEND", "auto") != "sandbox":
        keyed = set(keyed_providers())
        chosen = [model for provider, model in SAME_WEIGHTS[weights].items()
                  if provider in keyed and live_in_price_map(model)]
    if len(chosen) < 2:  # one host is no comparison
        chosen = list(SANDBOX_SAME_WEIGHTS)
    return chosen[:limit]


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
