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

__all__ = ["canonical_model", "model_family", "price_map_path", "litellm_version",
           "build_catalog_rows", "catalog_csv_text", "write_catalog", "CATALOG_COLUMNS", "PROVIDERS"]

# --------------------------------------------------------------------------------------
# 1. Which providers we keep, and the name the course uses for each.
#    litellm's own provider label -> course provider name. Anything else is skipped.
# --------------------------------------------------------------------------------------
PROVIDERS: dict[str, str] = {
    # model developers selling their own models
    "openai": "openai",
    "anthropic": "anthropic",
    "gemini": "gemini",                       # Google AI Studio / Gemini API
    "vertex_ai-language-models": "vertex_ai",  # Gemini on Google Cloud
    "mistral": "mistral",
    "deepseek": "deepseek",
    # clouds and inference providers that serve open-weight models
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "vertex_ai-llama_models": "vertex_ai",
    "azure_ai": "azure_ai",
    "groq": "groq",
    "cerebras": "cerebras",
    "sambanova": "sambanova",
    "together_ai": "together_ai",
    "fireworks_ai": "fireworks_ai",
    "deepinfra": "deepinfra",
    "nebius": "nebius",
    "hyperbolic": "hyperbolic",
    "novita": "novita",
    "lambda_ai": "lambda_ai",
    "nscale": "nscale",
}

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
_SERVING = r"(?:-(?:instruct|chat|it|hf|turbo|versatile|fp8|fp8-dynamic|fp8-fast|maas|v1|v1:0|1:0))*"


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
    (rf"llama-(3|3\.1|3\.2|3\.3)-(\d+b){_SERVING}", "Llama {1} {2:size}", "Llama", True),
    (rf"llama-?4-(scout|maverick)(?:-17b-\d+e)?{_SERVING}(?:-basic)?", "Llama 4 {1:title}", "Llama", True),
    # ---- OpenAI's open-weight models ----
    (rf"gpt-oss-(20b|120b){_SERVING}", "gpt-oss-{1}", "gpt-oss", True),
    # ---- DeepSeek (open weights, MIT). R1 distills keep their base model's licence. ----
    (rf"deepseek-r1-distill-(llama|qwen)-(\d+(?:\.\d+)?b){_SERVING}",
     "DeepSeek-R1-Distill-{1:title}-{2:size}", "DeepSeek", True),
    # "-0324", "-0528": later checkpoints under the same name; kept apart on purpose.
    (rf"deepseek-(v3|r1|v3\.1|v3\.2)(-\d{{4}})?{_SERVING}", "DeepSeek-{1:upper}{2}", "DeepSeek", True),
    # ---- Qwen (Alibaba) ----
    (rf"qwen-?v?(2\.5|3)(-coder)?-(\d+(?:\.\d+)?b)(?:-(a\d+b))?{_SERVING}",
     "Qwen{1}{2:coder} {3:size}{4:dash_size}", "Qwen", True),
    (rf"qwq-32b{_SERVING}", "QwQ-32B", "Qwen", True),
    # ---- Mistral's Apache-2.0 models ----
    (rf"mistral-7b{_SERVING}(?:-v0[.:]\d)?", "Mistral 7B", "Mistral", True),
    (rf"mixtral-(8x7b|8x22b){_SERVING}(?:-v0[.:]\d)?", "Mixtral {1:lower_x}", "Mistral", True),
    (r"(?:open-)?mistral-nemo(?:-instruct)?(?:-2407)?", "Mistral NeMo", "Mistral", True),
    # ---- Google Gemma (open weights, Gemma Terms of Use) ----
    (rf"gemma-?(2|3)-(\d+b){_SERVING}", "Gemma {1} {2:size}", "Gemma", True),
    # ---- Moonshot Kimi K2 (open weights, modified MIT) ----
    (rf"kimi-k2{_SERVING}(-0905)?", "Kimi K2{1}", "Kimi", True),
    # ---- Closed models, for contrast ----
    # gpt-4o, gpt-4o-mini, gpt-4.1-nano, gpt-4-turbo, gpt-3.5-turbo, gpt-5 ...; a dated
    # snapshot (gpt-4o-2024-08-06, gpt-4-0613) maps to its family name.
    (r"(gpt-\d(?:\.\d)?o?(?:-mini|-nano|-turbo)?)(?:-\d{4}-\d{2}-\d{2}|-\d{4})?", "{1}", "GPT", False),
    (r"(o[134](?:-mini|-pro)?)(?:-\d{4}-\d{2}-\d{2})?", "{1}", "o-series", False),
    # claude-sonnet-4-5-20250929 -> Claude Sonnet 4.5 ; claude-3-5-sonnet-20241022 -> Claude Sonnet 3.5
    (r"claude-(opus|sonnet|haiku)-(\d)(?:-(\d))?(?:-\d{8})?(?:-v\d:\d)?", "Claude {1:title} {2}{3:dot}", "Claude", False),
    (r"claude-(\d)(?:-(\d))?-(opus|sonnet|haiku)(?:-\d{8})?(?:-v\d:\d)?", "Claude {3:title} {1}{2:dot}", "Claude", False),
    # gemini-2.5-flash, gemini-2.5-flash-lite, gemini-1.5-flash-8b, gemini-3.1-pro-preview
    (r"gemini-(\d(?:\.\d)?)-(pro|flash|flash-lite|flash-8b)(?:-preview)?(?:-\d{2}-\d{4})?(?:-\d{3})?",
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


def _match(model_id: str):
    tidy = _tidy(model_id)
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
]


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


def build_catalog_rows(price_map: dict, *, snapshot_date: str, version: str) -> list[dict]:
    """Turn litellm's price map into catalog rows (dicts keyed by ``CATALOG_COLUMNS``).

    Kept: chat models of the providers in ``PROVIDERS`` whose id :func:`canonical_model`
    knows and that have positive input and output prices. Dropped: unknown ids,
    fine-tunes (``ft:``), Bedrock's region-prefixed duplicates, free or unpriced rows.
    Rows are sorted by provider, then canonical model, then id, so the output is stable.

    Parameters
    ----------
    price_map : dict
        The parsed JSON.
    snapshot_date : str
        ISO date recorded in every row (when the snapshot was taken).
    version : str
        The litellm version the JSON came from.

    Examples
    --------
    >>> rows = build_catalog_rows(
    ...     {"groq/llama-3.3-70b-versatile": {"litellm_provider": "groq", "mode": "chat",
    ...      "input_cost_per_token": 5.9e-07, "output_cost_per_token": 7.9e-07,
    ...      "max_input_tokens": 128000}},
    ...     snapshot_date="2026-01-01", version="0.0")
    >>> rows[0]["canonical_model"], rows[0]["input_usd_per_m"], rows[0]["blended_usd_per_m"]
    ('Llama 3.3 70B', '0.59', '0.64')
    """
    _dt.date.fromisoformat(snapshot_date)  # fail early on a malformed date
    rows = []
    for model_id, info in price_map.items():
        if not isinstance(info, dict) or info.get("mode") != "chat":
            continue
        provider = PROVIDERS.get(str(info.get("litellm_provider")))
        if provider is None or model_id.startswith("ft:"):
            continue
        if provider == "bedrock" and (_REGION_PREFIX.match(model_id) or "/" in model_id):
            continue
        found = _match(model_id)
        if found is None:
            continue
        name, family, open_weights = found
        price_in = _per_million(info.get("input_cost_per_token"))
        price_out = _per_million(info.get("output_cost_per_token"))
        if price_in is None or price_out is None:
            continue
        window = info.get("max_input_tokens") or info.get("max_tokens")
        source = info.get("source")
        rows.append({
            "provider": provider,
            "provider_model_id": model_id,
            "canonical_model": name,
            "family": family,
            "open_weights": "true" if open_weights else "false",
            "input_usd_per_m": _number(price_in),
            "output_usd_per_m": _number(price_out),
            "context_window": str(int(window)) if isinstance(window, (int, float)) and window > 0 else "",
            "snapshot_date": snapshot_date,
            "litellm_version": version,
            "blended_usd_per_m": _number(round((3 * price_in + price_out) / 4, 6)),
            "litellm_provider": str(info["litellm_provider"]),
            "provider_pricing_url": source if isinstance(source, str) and source.startswith("http") else "",
            # every row comes from this exact litellm release
            "source_url": f"https://pypi.org/project/litellm/{version}/",
        })
    # The same id can appear under two litellm labels (bedrock and bedrock_converse): keep one.
    unique = {}
    for row in sorted(rows, key=lambda r: (r["provider"], r["canonical_model"], r["provider_model_id"],
                                           r["litellm_provider"])):
        unique.setdefault((row["provider"], row["provider_model_id"]), row)
    return list(unique.values())


def catalog_csv_text(rows: list[dict]) -> str:
    """Return the CSV text for ``rows`` (``\\n`` line endings, header first)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CATALOG_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_catalog(path: str | Path | None = None, *, snapshot_date: str | None = None,
                  price_map_file: str | Path | None = None) -> Path:
    """Rebuild ``price_catalog.csv`` from the installed litellm and return its path.

    Parameters
    ----------
    path : str or Path, optional
        Where to write; by default ``datasets/price_catalog.csv``.
    snapshot_date : str, optional
        ISO date to record; by default today's date.
    price_map_file : str or Path, optional
        A price map to read instead of the installed litellm's (for tests).
    """
    path = Path(path) if path is not None else datasets_dir() / "price_catalog.csv"
    source = Path(price_map_file) if price_map_file is not None else price_map_path()
    price_map = json.loads(source.read_text(encoding="utf-8"))
    snapshot_date = snapshot_date or _dt.date.today().isoformat()
    rows = build_catalog_rows(price_map, snapshot_date=snapshot_date, version=litellm_version())
    path.write_text(catalog_csv_text(rows), encoding="utf-8")
    return path
