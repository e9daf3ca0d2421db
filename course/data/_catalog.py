"""Build ``datasets/price_catalog.csv`` from the price map that ships inside litellm.

litellm carries a JSON file, ``model_prices_and_context_window_backup.json``, with
per-token prices for thousands of (provider, model) pairs. Providers spell the same
open model in many ways, so before we can compare them we map each spelling to one
*canonical* name with :func:`canonical_model`. That function is a table of regular
expressions, read from top to bottom; it is meant to be read (and extended) by learners.

The build never imports litellm: it finds the package folder with
``importlib.util.find_spec`` and reads the JSON (about 25 ms). It is deterministic:
the same JSON and the same ``snapshot_date`` always give the same bytes.
"""

from __future__ import annotations

import csv
import datetime as _dt
import importlib.metadata
import importlib.util
import io
import json
import re
from pathlib import Path

from course._base._paths import datasets_dir

__all__ = ["canonical_model", "model_family", "checkpoint", "price_map_path", "litellm_version",
           "provider_kind", "resells", "is_retired", "listing_rows", "build_catalog_rows",
           "genai_prices_lookup", "catalog_csv_text", "write_catalog", "CATALOG_COLUMNS", "PROVIDERS",
           "PROVIDER_TABLE", "KINDS", "SNAPSHOT_DATES"]

# --------------------------------------------------------------------------------------
# 1. Who sells: litellm's provider label -> (the course's provider name, provider kind).
#    Labels of one seller are merged (Bedrock's three APIs, Vertex AI's model gardens).
#    A label missing here keeps its own name; its kind follows the rule in provider_kind().
# --------------------------------------------------------------------------------------
MODEL_LAB = "model lab"
GPU_CLOUD = "GPU cloud"
CHIP_CLOUD = "custom-chip cloud"
HYPERSCALER = "hyperscaler marketplace"
GATEWAY = "aggregator or gateway"
LOCAL = "local runtime"
UNCLASSIFIED = "unclassified"
#: Every provider kind, in the order the datasheet lists them.
KINDS = (MODEL_LAB, GPU_CLOUD, CHIP_CLOUD, HYPERSCALER, GATEWAY, LOCAL, UNCLASSIFIED)

PROVIDER_TABLE: dict[str, tuple[str, str]] = {
    # model labs selling their own models through their own API
    "openai": ("openai", MODEL_LAB),
    "anthropic": ("anthropic", MODEL_LAB),
    "gemini": ("gemini", MODEL_LAB),                  # Google AI Studio / Gemini API
    "palm": ("gemini", MODEL_LAB),                    # Google's API before Gemini
    "mistral": ("mistral", MODEL_LAB),
    "codestral": ("mistral", MODEL_LAB),
    "text-completion-codestral": ("mistral", MODEL_LAB),
    "deepseek": ("deepseek", MODEL_LAB),
    "xai": ("xai", MODEL_LAB),
    "ai21": ("ai21", MODEL_LAB),
    "cohere_chat": ("cohere", MODEL_LAB),
    "cohere": ("cohere", MODEL_LAB),
    "amazon_nova": ("amazon_nova", MODEL_LAB),
    "meta": ("meta", MODEL_LAB),
    "meta_llama": ("meta_llama", MODEL_LAB),          # Meta's Llama API
    "moonshot": ("moonshot", MODEL_LAB),
    "minimax": ("minimax", MODEL_LAB),
    "zai": ("zai", MODEL_LAB),
    "bigmodel": ("zai", MODEL_LAB),                   # Zhipu's China platform
    "inception": ("inception", MODEL_LAB),
    "perplexity": ("perplexity", MODEL_LAB),
    "xiaomi_mimo": ("xiaomi_mimo", MODEL_LAB),
    "sarvam": ("sarvam", MODEL_LAB),
    "gigachat": ("gigachat", MODEL_LAB),
    "cognition": ("cognition", MODEL_LAB),
    "v0": ("v0", MODEL_LAB),                          # Vercel's own v0 models
    # clouds that rent GPUs and sell open models per token
    "together_ai": ("together_ai", GPU_CLOUD),
    "fireworks_ai": ("fireworks_ai", GPU_CLOUD),
    "deepinfra": ("deepinfra", GPU_CLOUD),
    "nebius": ("nebius", GPU_CLOUD),
    "hyperbolic": ("hyperbolic", GPU_CLOUD),
    "novita": ("novita", GPU_CLOUD),
    "lambda_ai": ("lambda_ai", GPU_CLOUD),
    "nscale": ("nscale", GPU_CLOUD),
    "baseten": ("baseten", GPU_CLOUD),
    "crusoe": ("crusoe", GPU_CLOUD),
    "friendliai": ("friendliai", GPU_CLOUD),
    "gmi": ("gmi", GPU_CLOUD),
    "ovhcloud": ("ovhcloud", GPU_CLOUD),
    "scaleway": ("scaleway", GPU_CLOUD),
    "replicate": ("replicate", GPU_CLOUD),
    "anyscale": ("anyscale", GPU_CLOUD),
    "featherless_ai": ("featherless_ai", GPU_CLOUD),
    "wandb": ("wandb", GPU_CLOUD),                    # W&B Inference on CoreWeave
    "cloudflare": ("cloudflare", GPU_CLOUD),          # Workers AI
    "fal_ai": ("fal_ai", GPU_CLOUD),
    "nlp_cloud": ("nlp_cloud", GPU_CLOUD),
    "gradient_ai": ("gradient_ai", GPU_CLOUD),        # DigitalOcean Gradient
    # clouds built on their own inference chips
    "groq": ("groq", CHIP_CLOUD),
    "cerebras": ("cerebras", CHIP_CLOUD),
    "sambanova": ("sambanova", CHIP_CLOUD),
    # hyperscalers' and data platforms' model marketplaces
    "bedrock": ("bedrock", HYPERSCALER),
    "bedrock_converse": ("bedrock", HYPERSCALER),
    "bedrock_mantle": ("bedrock", HYPERSCALER),
    "sagemaker": ("sagemaker", HYPERSCALER),
    "azure": ("azure", HYPERSCALER),                  # Azure OpenAI
    "azure_ai": ("azure_ai", HYPERSCALER),            # Azure AI Foundry's model catalogue
    "vertex_ai": ("vertex_ai", HYPERSCALER),
    "vertex_ai-language-models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-llama_models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-anthropic_models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-ai21_models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-deepseek_models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-minimax_models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-mistral_models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-moonshot_models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-openai_models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-qwen_models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-zai_models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-chat-models": ("vertex_ai", HYPERSCALER),
    "vertex_ai-code-chat-models": ("vertex_ai", HYPERSCALER),
    "oci": ("oci", HYPERSCALER),                      # Oracle Cloud
    "watsonx": ("watsonx", HYPERSCALER),              # IBM Cloud
    "dashscope": ("alibaba_cloud", HYPERSCALER),      # Alibaba Cloud Model Studio
    "qwen_ai_platform": ("alibaba_cloud", HYPERSCALER),
    "volcengine": ("volcengine", HYPERSCALER),        # ByteDance's cloud
    "tencent": ("tencent", HYPERSCALER),
    "databricks": ("databricks", HYPERSCALER),
    "snowflake": ("snowflake", HYPERSCALER),
    # routers that pass a request on to another provider's capacity
    "openrouter": ("openrouter", GATEWAY),
    "vercel_ai_gateway": ("vercel_ai_gateway", GATEWAY),
    "aihubmix": ("aihubmix", GATEWAY),
    "huggingface": ("huggingface", GATEWAY),          # Hugging Face Inference Providers
    "github_copilot": ("github_copilot", GATEWAY),
    "microsoft_365_copilot": ("microsoft_365_copilot", GATEWAY),
    "heroku": ("heroku", GATEWAY),
    "kyma": ("kyma", GATEWAY),
    "opencode_go": ("opencode_go", GATEWAY),
    "hostinger_router": ("hostinger_router", GATEWAY),
    "clf_ai_gateway": ("clf_ai_gateway", GATEWAY),
    "llamagate": ("llamagate", GATEWAY),
    # software that runs a model on your own machine (no one sells tokens)
    "ollama": ("ollama", LOCAL),
    "ollama_chat": ("ollama", LOCAL),
    "lemonade": ("lemonade", LOCAL),
}

#: litellm's provider label -> the course's provider name (kept for older callers).
PROVIDERS: dict[str, str] = {label: name for label, (name, _kind) in PROVIDER_TABLE.items()}


def provider_kind(label: str, closed_model_labels: frozenset[str] | set[str] = frozenset()) -> tuple[str, str]:
    """Return ``(provider name, provider kind)`` for one of litellm's provider labels.

    Labels in ``PROVIDER_TABLE`` get the name and kind written there. Any other label
    keeps its own name, and its kind follows one rule: a seller that lists another
    lab's closed model (a GPT, Claude or Gemini model) cannot be running it on its own
    hardware, so it is an ``"aggregator or gateway"``; otherwise it is ``"unclassified"``.

    Parameters
    ----------
    label : str
        litellm's ``litellm_provider`` value, e.g. ``"bedrock_converse"``.
    closed_model_labels : set of str, optional
        Labels that list a closed model in the price map being read.

    Examples
    --------
    >>> provider_kind("bedrock_converse")
    ('bedrock', 'hyperscaler marketplace')
    >>> provider_kind("somegateway", {"somegateway"})
    ('somegateway', 'aggregator or gateway')
    >>> provider_kind("newcloud")
    ('newcloud', 'unclassified')
    """
    if label in PROVIDER_TABLE:
        return PROVIDER_TABLE[label]
    return label, GATEWAY if label in closed_model_labels else UNCLASSIFIED


def resells(kind: str, open_weights: bool) -> bool:
    """Whether a listing is resold capacity rather than the seller's own serving.

    Gateways always resell. A GPU cloud or an unclassified seller listing a closed model
    must be passing the request on to the model's owner. Labs and hyperscalers serve
    what they list. Resold listings do not count as providers of a model.

    Examples
    --------
    >>> resells("aggregator or gateway", True), resells("GPU cloud", False), resells("GPU cloud", True)
    (True, True, False)
    """
    return kind == GATEWAY or (not open_weights and kind in (GPU_CLOUD, UNCLASSIFIED))


# Amazon Bedrock repeats many models under region prefixes ("us.", "eu.", ...):
# the same model at the same price, so we keep only the plain id.
_REGION_PREFIX = re.compile(r"^(?:us|eu|apac|ap|au|jp|ca|global|us-gov)\.")

# --------------------------------------------------------------------------------------
# 2. Canonical names.
#    _tidy() first reduces an id to a comparable spelling; then RULES are tried in
#    order and the first full match wins.
# --------------------------------------------------------------------------------------

# Serving details that providers append but that do not change the model:
# "-Instruct", "-Turbo" (Together's serving tier), "-versatile" (Groq), "-fp8", ...
_SERVING = r"(?:-(?:instruct|chat|it|hf|turbo|versatile|fp8|fp8-dynamic|fp8-fast|instant|maas|v1|v1:0|1:0|preview|4096|8192|32768))*"


def _tidy(model_id: str) -> str:
    """Reduce a provider's model id to a lower-case spelling that the RULES can match.

    >>> _tidy("fireworks_ai/accounts/fireworks/models/llama-v3p3-70b-instruct")
    'llama-3.3-70b-instruct'
    >>> _tidy("bedrock/meta.llama3-3-70b-instruct-v1:0")
    'llama-3.3-70b-instruct-v1:0'
    """
    s = model_id.strip().lower()
    s = s.rsplit("/", 1)[-1]                       # drop "provider/org/" paths
    s = re.sub(r"^(?:meta|openai|anthropic|deepseek|mistral|qwen)\.", "", s)  # Bedrock vendor prefix
    s = re.sub(r"(?<=\d)p(?=\d)", ".", s)          # Fireworks writes 3.3 as 3p3
    s = s.replace("_", ".")                        # OVHcloud writes 3.3 as 3_3
    s = re.sub(r"^meta-llama", "llama", s)          # "Meta-Llama-3.1-8B" -> "llama-3.1-8b"
    s = re.sub(r"^llama-?v?(\d)[.-](\d)-", r"llama-\1.\2-", s)  # llama3-3-, llama-v3.3-, llama-3-3-
    s = re.sub(r"^llama-?v?(\d)-", r"llama-\1-", s)  # llama3-8b, llama-v3-8b -> llama-3-8b
    return s


# Each rule: (regular expression on the tidied id, canonical name template, family, open weights).
# Templates use the regex's groups: "{1}" is group 1, "{1:size}" upper-cases a size like 70b.
RULES: list[tuple[str, str, str, bool]] = [
    # ---- Meta Llama (open weights, Llama Community License) ----
    (rf"llama-2-(7b|13b|70b){_SERVING}", "Llama 2 {1:size}", "Llama", True),
    (rf"llama-(3|3\.1|3\.2|3\.3)-(\d+b){_SERVING}", "Llama {1} {2:size}", "Llama", True),
    (rf"llama-?4-(scout|maverick)(?:-17b-\d+e)?{_SERVING}(?:-basic)?", "Llama 4 {1:title}", "Llama", True),
    # ---- OpenAI's open-weight models ----
    (rf"gpt-oss-(20b|120b){_SERVING}", "gpt-oss-{1}", "gpt-oss", True),
    # ---- DeepSeek (open weights, MIT). R1 distills keep their base model's licence. ----
    (rf"deepseek-r1-distill-(llama|qwen)-(\d+(?:\.\d+)?b){_SERVING}",
     "DeepSeek-R1-Distill-{1:title}-{2:size}", "DeepSeek", True),
    (rf"deepseek-(v3|r1|v3\.1|v3\.2){_SERVING}", "DeepSeek-{1:upper}", "DeepSeek", True),
    # ---- Qwen (Alibaba) ----
    (rf"qwen-?v?(2\.5|3|3\.5|3\.6)(-coder)?-(\d+(?:\.\d+)?b)(?:-(a\d+b))?{_SERVING}",
     "Qwen{1}{2:coder} {3:size}{4:dash_size}", "Qwen", True),
    (rf"qwq-32b{_SERVING}", "QwQ-32B", "Qwen", True),
    # ---- Mistral's Apache-2.0 models ----
    (rf"(?:open-)?mistral-7b{_SERVING}(?:-v0[.:]\d)?", "Mistral 7B", "Mistral", True),
    (rf"(?:open-)?mixtral-(8x7b|8x22b){_SERVING}(?:-v0[.:]\d)?", "Mixtral {1:lower_x}", "Mistral", True),
    (r"(?:open-)?mistral-nemo(?:-instruct)?", "Mistral NeMo", "Mistral", True),
    # ---- Google Gemma (open weights, Gemma Terms of Use; Gemma 4 per model_licences.csv) ----
    (rf"gemma-(2b|7b){_SERVING}", "Gemma {1:size}", "Gemma", True),
    (rf"gemma-?(2|3|4)-(\d+b)(?:-(a\d+b))?{_SERVING}", "Gemma {1} {2:size}{3:dash_size}", "Gemma", True),
    # ---- Moonshot Kimi K2 and K2.5 (open weights, modified MIT) ----
    (rf"kimi-k2(\.5)?{_SERVING}", "Kimi K2{1}", "Kimi", True),
    # ---- Closed models, for contrast ----
    # gpt-4o, gpt-4o-mini, gpt-4.1-nano, gpt-4-turbo, gpt-3.5-turbo, gpt-5 ...
    (r"(gpt-\d(?:\.\d)?o?(?:-mini|-nano|-turbo)?)", "{1}", "GPT", False),
    (r"(o[134](?:-mini|-pro)?)", "{1}", "o-series", False),
    # claude-sonnet-4-5 -> Claude Sonnet 4.5 ; claude-3-5-sonnet -> Claude Sonnet 3.5
    (r"claude-(opus|sonnet|haiku)-(\d)(?:-(\d))?(?:-v\d:\d)?", "Claude {1:title} {2}{3:dot}", "Claude", False),
    (r"claude-(\d)(?:-(\d))?-(opus|sonnet|haiku)(?:-v\d:\d)?", "Claude {3:title} {1}{2:dot}", "Claude", False),
    # gemini-2.5-flash, gemini-2.5-flash-lite, gemini-1.5-flash-8b, gemini-3.1-pro-preview
    (r"gemini-(\d(?:\.\d)?)-(pro|flash|flash-lite|flash-8b)(?:-preview)?(?:-\d{3})?",
     "Gemini {1} {2:gemini_tier}", "Gemini", False),
]

_COMPILED = [(re.compile(p), t, f, o) for p, t, f, o in RULES]

_FORMATS = {
    "": lambda g: g,
    "size": lambda g: g.upper(),
    "upper": lambda g: g.upper(),
    "lower_x": lambda g: g.upper().replace("X", "x"),       # 8X7B -> 8x7B
    "title": lambda g: g[:1].upper() + g[1:],
    "coder": lambda g: "-Coder" if g else "",
    "dot": lambda g: f".{g}" if g else "",                    # minor version, if any
    "dash_size": lambda g: f"-{g.upper()}" if g else "",      # MoE active size: -A22B
    "gemini_tier": lambda g: {"pro": "Pro", "flash": "Flash", "flash-lite": "Flash-Lite",
                              "flash-8b": "Flash-8B"}[g],
}


def _fill(template: str, match: re.Match) -> str:
    """Fill ``{1}``, ``{2:size}``, ... in ``template`` from the regex match's groups."""
    def one(field: re.Match) -> str:
        value = match.group(int(field.group(1))) or ""
        return _FORMATS[field.group(2) or ""](value)
    return re.sub(r"\{(\d+)(?::(\w+))?\}", one, template)


# A dated checkpoint: "-2024-08-06", "-20250929", "-251201" (YYMMDD), "-09-2025", "-0528" (MMDD),
# "-2507" (YYMM) or "@001". Four digits count only when they read as a month and day or a
# year and month, so Groq's "-8192" (a context length) is not a checkpoint.
_CHECKPOINT = re.compile(
    r"(?:@(\d{3,8})|-(\d{4}-\d{2}-\d{2}|20\d{6}|2[3-9](?:0[1-9]|1[0-2])\d{2}|(?:0[1-9]|1[0-2])-20\d{2}"
    r"|(?:0[1-9]|1[0-2])[0-3]\d|2[3-9](?:0[1-9]|1[0-2])))(?=$|[-:@])")


def checkpoint(provider_model_id: str) -> str:
    """Return the dated-checkpoint part of a model id, or ``""`` when it has none.

    The course's policy for dated checkpoints is **merge**: ``gpt-4o-2024-08-06``,
    ``DeepSeek-R1-0528`` and ``claude-sonnet-4-5-20250929`` all take their undated
    model's canonical name, for every family alike; the date is kept in the catalog's
    ``checkpoint`` column, so a learner can still tell the listings apart.

    Examples
    --------
    >>> checkpoint("together_ai/deepseek-ai/DeepSeek-R1-0528"), checkpoint("gpt-4o-2024-08-06")
    ('0528', '2024-08-06')
    >>> checkpoint("groq/llama3-70b-8192"), checkpoint("vertex_ai/claude-3-5-haiku@20241022")
    ('', '20241022')
    """
    found = _CHECKPOINT.findall(_tidy(provider_model_id))
    return "-".join(a or b for a, b in found)


def _match(model_id: str):
    tidy = _CHECKPOINT.sub("", _tidy(model_id))
    for pattern, template, family, open_weights in _COMPILED:
        m = pattern.fullmatch(tidy)
        if m:
            return _fill(template, m), family, open_weights
    return None


def canonical_model(provider_model_id: str) -> str | None:
    """Return the one name the course uses for a provider's model id, or None if unknown.

    The id is first tidied (lower case, provider path dropped, ``3p3`` and ``3_3``
    read as ``3.3``), then matched against the table ``RULES`` in this module, top
    to bottom. Serving details that do not change the model (``-Instruct``,
    ``-Turbo``, ``-versatile``, ``-fp8``, a Bedrock ``-v1:0``) are ignored. Fine-tunes
    and derivatives (``dobby-unhinged-llama-3-3-70b``, ``Llama-3.3-Nemotron``) are not
    the base model and return None.

    Parameters
    ----------
    provider_model_id : str
        An id as litellm or a provider spells it.

    Returns
    -------
    str or None
        The canonical name, e.g. ``"Llama 3.3 70B"``; None for ids the table does not know.

    Examples
    --------
    >>> canonical_model("groq/llama-3.3-70b-versatile")
    'Llama 3.3 70B'
    >>> canonical_model("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo")
    'Llama 3.3 70B'
    >>> canonical_model("fireworks_ai/accounts/fireworks/models/llama-v3p3-70b-instruct")
    'Llama 3.3 70B'
    >>> canonical_model("gpt-4o-2024-08-06")
    'gpt-4o'
    >>> canonical_model("claude-sonnet-4-5-20250929")
    'Claude Sonnet 4.5'
    >>> canonical_model("my-own-finetune") is None
    True
    """
    found = _match(provider_model_id)
    return found[0] if found else None


def model_family(provider_model_id: str) -> tuple[str, bool] | None:
    """Return ``(family, open_weights)`` for a model id, or None if it is unknown.

    Examples
    --------
    >>> model_family("deepinfra/meta-llama/Llama-3.3-70B-Instruct")
    ('Llama', True)
    >>> model_family("gemini/gemini-2.5-flash")
    ('Gemini', False)
    """
    found = _match(provider_model_id)
    return (found[1], found[2]) if found else None


# --------------------------------------------------------------------------------------
# 3. Reading litellm's price map and writing the catalog.
# --------------------------------------------------------------------------------------
PRICE_MAP_NAME = "model_prices_and_context_window_backup.json"

CATALOG_COLUMNS = [
    "provider", "provider_model_id", "canonical_model", "family", "open_weights",
    "input_usd_per_m", "output_usd_per_m", "context_window", "snapshot_date", "litellm_version",
    # appended after the agreed columns:
    "blended_usd_per_m", "litellm_provider", "provider_pricing_url", "source_url",
    # added with litellm 1.110.2 (issue 16):
    "provider_kind", "resells", "checkpoint", "deprecation_date",
    "genai_prices_input_usd_per_m", "genai_prices_output_usd_per_m", "price_check",
]

#: Two sources disagree when an input or output price differs by more than this share
#: of the lower of the two.
PRICE_CHECK_TOLERANCE = 0.10

#: litellm provider label -> genai-prices provider id, for the cross-check.
GENAI_PRICES_PROVIDERS: dict[str, str] = {
    "openai": "openai", "anthropic": "anthropic", "gemini": "google", "mistral": "mistral",
    "deepseek": "deepseek", "xai": "x-ai", "cohere_chat": "cohere", "moonshot": "moonshotai",
    "minimax": "minimax", "zai": "zai", "meta_llama": "meta", "perplexity": "perplexity",
    "groq": "groq", "cerebras": "cerebras", "together_ai": "together", "fireworks_ai": "fireworks",
    "novita": "novita", "ovhcloud": "ovhcloud", "baseten": "baseten", "cloudflare": "cloudflare",
    "databricks": "databricks", "bedrock": "aws", "bedrock_converse": "aws", "azure": "azure",
    "vertex_ai-language-models": "google",
    "hyperbolic": "huggingface_hyperbolic", "nebius": "huggingface_nebius",
    "nscale": "huggingface_nscale", "sambanova": "huggingface_sambanova",
}

# Copies of one listing under a region path: "azure/eu/gpt-4o", "bedrock/us-east-1/...".
_AZURE_REGION = re.compile(r"^azure/(?:eu|us|global|apac|[a-z]+-?[a-z]*\d?)/")


def price_map_path() -> Path:
    """Return the path of the price map inside the installed litellm, without importing it.

    Raises
    ------
    FileNotFoundError
        If litellm is not installed or does not ship the file.
    """
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("litellm is not installed; run `make lab` or `pip install -e .`")
    path = Path(list(spec.submodule_search_locations)[0]) / PRICE_MAP_NAME
    if not path.is_file():
        raise FileNotFoundError(f"litellm does not ship {PRICE_MAP_NAME} at {path}")
    return path


def litellm_version() -> str:
    """Return the installed litellm's version string (read from its metadata, not imported)."""
    return importlib.metadata.version("litellm")


def _per_million(per_token) -> float | None:
    if not isinstance(per_token, (int, float)) or per_token <= 0:
        return None
    return round(per_token * 1_000_000, 6)


def _number(x: float) -> str:
    """Format a price without float noise: 0.15, 2.5, 60 (never 0.15000000000000002)."""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def closed_model_labels(price_map: dict) -> set[str]:
    """Return the provider labels that list at least one closed model in ``price_map``."""
    labels = set()
    for model_id, info in price_map.items():
        if isinstance(info, dict) and info.get("mode") == "chat":
            found = _match(model_id)
            if found is not None and not found[2]:
                labels.add(str(info.get("litellm_provider")))
    return labels


def is_retired(info: dict, snapshot_date: str) -> bool:
    """True when litellm marks the listing retired on or before ``snapshot_date``.

    Examples
    --------
    >>> is_retired({"deprecation_date": "2025-06-30"}, "2026-11-20"), is_retired({}, "2026-11-20")
    (True, False)
    """
    when = info.get("deprecation_date")
    return isinstance(when, str) and _DATE.fullmatch(when) is not None and when <= snapshot_date


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def listing_rows(price_map: dict, *, snapshot_date: str) -> list[dict]:
    """Read the live, priced chat listings of known models from a price map (no cross-check).

    This is the part of the catalog build that :mod:`course.data._history` reuses for
    older releases. Rows carry ``provider``, ``provider_model_id``, ``canonical_model``,
    ``family``, ``open_weights`` (bool), ``input``/``output``/``blended`` (floats, USD per
    million), ``provider_kind``, ``resells`` (bool), ``checkpoint`` and ``info`` (the raw entry).

    Dropped: non-chat entries, OpenAI fine-tunes (``ft:``), region copies (Bedrock's
    ``us.``/``eu.`` prefixes and region paths, Azure's ``azure/eu/``), local runtimes, ids
    :func:`canonical_model` does not know, rows without positive input and output prices,
    and listings retired on or before ``snapshot_date`` (:func:`is_retired`).
    """
    closed = closed_model_labels(price_map)
    rows = []
    for model_id, info in price_map.items():
        if not isinstance(info, dict) or info.get("mode") != "chat" or model_id.startswith("ft:"):
            continue
        label = str(info.get("litellm_provider"))
        provider, kind = provider_kind(label, closed)
        if kind == LOCAL or is_retired(info, snapshot_date):
            continue
        if provider == "bedrock" and (_REGION_PREFIX.match(model_id)
                                      or ("/" in model_id and not model_id.startswith("bedrock_mantle/"))):
            continue
        if _AZURE_REGION.match(model_id):
            continue
        found = _match(model_id)
        if found is None:
            continue
        price_in = _per_million(info.get("input_cost_per_token"))
        price_out = _per_million(info.get("output_cost_per_token"))
        if price_in is None or price_out is None:
            continue
        name, family, open_weights = found
        rows.append({
            "provider": provider, "provider_model_id": model_id, "canonical_model": name,
            "family": family, "open_weights": open_weights, "input": price_in, "output": price_out,
            "blended": round((3 * price_in + price_out) / 4, 6), "litellm_provider": label,
            "provider_kind": kind, "resells": resells(kind, open_weights),
            "checkpoint": checkpoint(model_id), "info": info,
        })
    return rows


def build_catalog_rows(price_map: dict, *, snapshot_date: str, version: str,
                       cross_check=None) -> list[dict]:
    """Turn litellm's price map into catalog rows (dicts keyed by ``CATALOG_COLUMNS``).

    Kept: live chat listings of every provider in the map whose id :func:`canonical_model`
    knows and that have positive input and output prices (see :func:`listing_rows` for
    what is dropped). Each row is labelled with its provider kind and whether it is
    resold, and cross-checked against a second source when ``cross_check`` is given.
    Rows are sorted by provider, then canonical model, then id, so the output is stable.

    Parameters
    ----------
    price_map : dict
        The parsed JSON.
    snapshot_date : str
        ISO date recorded in every row: the litellm release's date.
    version : str
        The litellm version the JSON came from.
    cross_check : callable, optional
        ``cross_check(litellm_provider, provider_model_id)`` returns ``(input, output)``
        in USD per million tokens from a second source, or None when it has no match.
        :func:`genai_prices_lookup` builds one from the ``genai-prices`` package.

    Examples
    --------
    >>> rows = build_catalog_rows(
    ...     {"groq/llama-3.3-70b-versatile": {"litellm_provider": "groq", "mode": "chat",
    ...      "input_cost_per_token": 5.9e-07, "output_cost_per_token": 7.9e-07,
    ...      "max_input_tokens": 128000}},
    ...     snapshot_date="2026-01-01", version="0.0")
    >>> rows[0]["canonical_model"], rows[0]["input_usd_per_m"], rows[0]["blended_usd_per_m"]
    ('Llama 3.3 70B', '0.59', '0.64')
    >>> rows[0]["provider_kind"], rows[0]["resells"], rows[0]["price_check"]
    ('custom-chip cloud', 'false', 'no match')
    """
    _dt.date.fromisoformat(snapshot_date)  # fail early on a malformed date
    rows = []
    for listing in listing_rows(price_map, snapshot_date=snapshot_date):
        info = listing["info"]
        window = info.get("max_input_tokens") or info.get("max_tokens")
        source = info.get("source")
        deprecation = info.get("deprecation_date")
        other = cross_check(listing["litellm_provider"], listing["provider_model_id"]) if cross_check else None
        check = "no match"
        if other is not None:
            check = "agrees"
            for ours, theirs in zip((listing["input"], listing["output"]), other, strict=True):
                if abs(ours - theirs) > PRICE_CHECK_TOLERANCE * min(ours, theirs) + 1e-9:
                    check = "disagrees"
        rows.append({
            "provider": listing["provider"],
            "provider_model_id": listing["provider_model_id"],
            "canonical_model": listing["canonical_model"],
            "family": listing["family"],
            "open_weights": "true" if listing["open_weights"] else "false",
            "input_usd_per_m": _number(listing["input"]),
            "output_usd_per_m": _number(listing["output"]),
            "context_window": str(int(window)) if isinstance(window, (int, float)) and window > 0 else "",
            "snapshot_date": snapshot_date,
            "litellm_version": version,
            "blended_usd_per_m": _number(listing["blended"]),
            "litellm_provider": listing["litellm_provider"],
            "provider_pricing_url": source if isinstance(source, str) and source.startswith("http") else "",
            # every row comes from this exact litellm release
            "source_url": f"https://pypi.org/project/litellm/{version}/",
            "provider_kind": listing["provider_kind"],
            "resells": "true" if listing["resells"] else "false",
            "checkpoint": listing["checkpoint"],
            "deprecation_date": deprecation if isinstance(deprecation, str) and _DATE.fullmatch(deprecation) else "",
            "genai_prices_input_usd_per_m": _number(other[0]) if other is not None else "",
            "genai_prices_output_usd_per_m": _number(other[1]) if other is not None else "",
            "price_check": check,
        })
    # The same id can appear under two litellm labels (bedrock and bedrock_converse): keep one.
    unique = {}
    for row in sorted(rows, key=lambda r: (r["provider"], r["canonical_model"], r["provider_model_id"],
                                           r["litellm_provider"])):
        unique.setdefault((row["provider"], row["provider_model_id"]), row)
    return list(unique.values())


def genai_prices_lookup(on_date: str):
    """Return a cross-check function reading prices from the ``genai-prices`` package.

    The function answers ``(litellm_provider, provider_model_id)`` with the
    ``(input, output)`` price in USD per million tokens that genai-prices gives that
    provider's model on ``on_date`` (the last price whose start date is on or before
    it), or None when genai-prices has no such provider or model. Only the provider
    itself is searched: genai-prices' fallbacks to another provider are not used.

    Raises
    ------
    ModuleNotFoundError
        If genai-prices is not installed (``pip install -e ".[dev]"``).
    """
    from genai_prices.data import providers  # a large table: imported only here
    from genai_prices.types import ConditionalPrice, StartDateConstraint

    by_id = {p.id: p for p in providers}
    day = _dt.date.fromisoformat(on_date)

    def number(value):
        value = getattr(value, "base", value)  # tiered prices: the base tier
        return float(value) if value is not None else None

    def lookup(label: str, model_id: str):
        provider = by_id.get(GENAI_PRICES_PROVIDERS.get(label, ""))
        if provider is None:
            return None
        ref = model_id.split("/", 1)[1] if model_id.startswith(label + "/") else model_id
        model = provider.find_model(ref)
        if model is None and "/" in ref:
            model = provider.find_model(ref.rsplit("/", 1)[-1])
        if model is None:
            return None
        prices = model.prices
        if isinstance(prices, list):
            active = [c for c in prices if isinstance(c, ConditionalPrice)
                      and (c.constraint is None
                           or (isinstance(c.constraint, StartDateConstraint) and c.constraint.start_date <= day))]
            if not active:
                return None
            prices = active[-1].prices
        pair = number(getattr(prices, "input_mtok", None)), number(getattr(prices, "output_mtok", None))
        return pair if None not in pair and min(pair) > 0 else None

    return lookup


def catalog_csv_text(rows: list[dict]) -> str:
    """Return the CSV text for ``rows`` (``\\n`` line endings, header first)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CATALOG_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_catalog(path: str | Path | None = None, *, snapshot_date: str | None = None,
                  price_map_file: str | Path | None = None, cross_check: bool = True) -> Path:
    """Rebuild ``price_catalog.csv`` from the installed litellm and return its path.

    Parameters
    ----------
    path : str or Path, optional
        Where to write; by default ``datasets/price_catalog.csv``.
    snapshot_date : str, optional
        ISO date to record; by default :data:`SNAPSHOT_DATES` for the installed litellm
        (its upload date on PyPI), else today's date.
    price_map_file : str or Path, optional
        A price map to read instead of the installed litellm's (for tests).
    cross_check : bool, default True
        Cross-check prices against genai-prices (:func:`genai_prices_lookup`).
    """
    path = Path(path) if path is not None else datasets_dir() / "price_catalog.csv"
    source = Path(price_map_file) if price_map_file is not None else price_map_path()
    price_map = json.loads(source.read_text(encoding="utf-8"))
    version = litellm_version()
    snapshot_date = snapshot_date or SNAPSHOT_DATES.get(version) or _dt.date.today().isoformat()
    check = genai_prices_lookup(snapshot_date) if cross_check else None
    rows = build_catalog_rows(price_map, snapshot_date=snapshot_date, version=version, cross_check=check)
    path.write_text(catalog_csv_text(rows), encoding="utf-8")
    return path


#: litellm version -> the date its files were uploaded to PyPI (``upload-time`` in PyPI's
#: JSON simple index, https://pypi.org/simple/litellm/, PEP 700). The wheel itself
#: carries no date: its zip entries are stamped 1980-01-01 for reproducible builds.
SNAPSHOT_DATES: dict[str, str] = {
    "1.106.2": "2026-10-21",
    "1.110.2": "2026-11-20",
}
