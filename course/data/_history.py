"""Build ``datasets/provider_history.csv``: providers and prices of open models over time.

Every litellm release on PyPI ships a dated copy of its price map
(``litellm/model_prices_and_context_window_backup.json``, MIT). Reading one release
per quarter gives a history of the market: which sellers listed which open-weight
model, and at what price, on each release's date.

The build, step by step (``course datasets history`` runs all of it):

1. :func:`release_dates` reads each release's upload time from PyPI's JSON simple index
   (``https://pypi.org/simple/litellm/``, PEP 700). That is the release's own date: the
   wheels carry none (their zip entries are stamped 1980-01-01).
2. :func:`quarterly_releases` picks the last release uploaded in each quarter.
3. :func:`download_wheel` fetches each with ``pip download --no-deps`` into a cache folder
   outside the repository; :func:`read_price_map` opens the wheel as a zip (nothing is
   installed) and reads the JSON.
4. :func:`summarise_release` reuses the catalog's rules (:func:`course.data._catalog.listing_rows`:
   canonical names, provider kinds, retired listings left out) and counts, per open model,
   the live providers and their minimum and median prices.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
import subprocess
import sys
import urllib.request
import zipfile
from collections import defaultdict
from pathlib import Path

from course.data._catalog import (
    CHIP_CLOUD,
    GPU_CLOUD,
    HYPERSCALER,
    MODEL_LAB,
    PRICE_MAP_NAME,
    UNCLASSIFIED,
    listing_rows,
)

__all__ = ["HISTORY_COLUMNS", "COMPROMISED", "release_dates", "quarterly_releases", "download_wheel",
           "read_price_map", "summarise_release", "history_csv_text", "build_history", "default_cache_dir"]

INDEX_URL = "https://pypi.org/simple/litellm/"

#: Releases never to download: litellm 1.82.7 and 1.82.8 were compromised on PyPI.
COMPROMISED = frozenset({"1.82.7", "1.82.8"})

#: The summary row of a release, counting sellers of any open model.
ALL_OPEN = "(all open models)"

HISTORY_COLUMNS = [
    "release_date", "litellm_version", "canonical_model", "family", "n_providers",
    "n_model_lab", "n_gpu_cloud", "n_custom_chip_cloud", "n_hyperscaler", "n_unclassified", "n_resellers",
    "min_input_usd_per_m", "median_input_usd_per_m", "min_output_usd_per_m", "median_output_usd_per_m",
    "min_blended_usd_per_m", "median_blended_usd_per_m", "source_url",
]

_KIND_COLUMNS = {MODEL_LAB: "n_model_lab", GPU_CLOUD: "n_gpu_cloud", CHIP_CLOUD: "n_custom_chip_cloud",
                 HYPERSCALER: "n_hyperscaler", UNCLASSIFIED: "n_unclassified"}

_VERSION = re.compile(r"^litellm-(\d+(?:\.\d+)*)-")


def default_cache_dir() -> Path:
    """Return ``~/.cache/course-history``: where downloads go, outside the repository."""
    return Path.home() / ".cache" / "course-history"


def release_dates(index: dict) -> dict[str, str]:
    """Return ``{version: YYYY-MM-DD}`` from PyPI's JSON simple index for litellm.

    A release's date is the earliest ``upload-time`` of its wheels. Yanked files,
    pre-releases (``1.2.3.dev1``, ``.post``, ``rc``) and sdist-only releases are left out.

    Examples
    --------
    >>> release_dates({"files": [
    ...     {"filename": "litellm-1.0.0-py3-none-any.whl", "upload-time": "2023-11-14T02:33:55Z"},
    ...     {"filename": "litellm-1.0.1.tar.gz", "upload-time": "2023-11-15T00:00:00Z"},
    ...     {"filename": "litellm-1.0.2-py3-none-any.whl", "upload-time": "2023-11-16T00:00:00Z",
    ...      "yanked": True}]})
    {'1.0.0': '2023-11-14'}
    """
    dates: dict[str, str] = {}
    for entry in index.get("files", []):
        name = entry.get("filename", "")
        match = _VERSION.match(name)
        if not match or not name.endswith(".whl") or entry.get("yanked"):
            continue
        day = str(entry.get("upload-time", ""))[:10]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            version = match.group(1)
            dates[version] = min(day, dates.get(version, day))
    return dates


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def quarterly_releases(dates: dict[str, str], *, since: str = "2023-01-01",
                       until: str | None = None) -> list[tuple[str, str]]:
    """Pick the last release uploaded in each calendar quarter, as ``(version, date)`` pairs.

    Compromised releases (:data:`COMPROMISED`) are never picked. Quarters without a
    release are simply missing. Sorted by date.

    Examples
    --------
    >>> quarterly_releases({"1.0.0": "2024-01-05", "1.1.0": "2024-03-30", "1.82.7": "2024-03-31",
    ...                     "1.2.0": "2024-04-02"})
    [('1.1.0', '2024-03-30'), ('1.2.0', '2024-04-02')]
    """
    last: dict[tuple[int, int], tuple[str, str]] = {}
    for version, day in dates.items():
        if version in COMPROMISED or day < since or (until is not None and day > until):
            continue
        quarter = (int(day[:4]), (int(day[5:7]) - 1) // 3)
        best = last.get(quarter)
        if best is None or (day, _version_key(version)) > (best[1], _version_key(best[0])):
            last[quarter] = (version, day)
    return sorted(last.values(), key=lambda pair: pair[1])


def fetch_index(cache_dir: Path) -> dict:
    """Fetch litellm's JSON simple index from PyPI (one request) and keep a copy in ``cache_dir``."""
    request = urllib.request.Request(INDEX_URL, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (a fixed https URL)
        text = response.read().decode("utf-8")
    cache_dir.mkdir(parents=True, exist_ok=True)
    (cache_dir / "litellm-simple-index.json").write_text(text, encoding="utf-8")
    return json.loads(text)


def download_wheel(version: str, cache_dir: Path) -> Path:
    """Download litellm ``version``'s wheel into ``cache_dir`` with pip (no dependencies) and return it.

    A wheel already in the folder is reused. Compromised releases are refused.
    """
    if version in COMPROMISED:
        raise ValueError(f"litellm {version} was a compromised release; it is never downloaded")
    cache_dir.mkdir(parents=True, exist_ok=True)
    found = sorted(cache_dir.glob(f"litellm-{version}-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        f"litellm=={version}", "-d", str(cache_dir)], check=True)
        found = sorted(cache_dir.glob(f"litellm-{version}-*.whl"))
    if not found:
        raise FileNotFoundError(f"pip did not leave a litellm {version} wheel in {cache_dir}")
    return found[0]


def read_price_map(wheel: str | Path) -> dict | None:
    """Read the bundled price map from a litellm wheel without installing it; None if it has none.

    Early releases (before about November 2023) do not bundle the map.
    """
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith("/" + PRICE_MAP_NAME)]
        if not names:
            return None
        return json.loads(archive.read(sorted(names, key=len)[0]))


def _number(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:.6f}".rstrip("0").rstrip(".") or "0"


def summarise_release(price_map: dict, *, version: str, release_date: str) -> list[dict]:
    """Summarise one release's price map: one row per open model, plus one :data:`ALL_OPEN` row.

    Counting rules (the catalog's): listings retired on or before ``release_date`` are
    left out; a provider counts once per model, at its cheapest listing (by blended
    price); resold listings (gateways) are counted in ``n_resellers`` only, never in
    ``n_providers`` or the prices.

    Examples
    --------
    >>> entry = lambda p, i, o: {"litellm_provider": p, "mode": "chat",
    ...                          "input_cost_per_token": i, "output_cost_per_token": o}
    >>> rows = summarise_release({
    ...     "groq/llama-3.3-70b-versatile": entry("groq", 5.9e-7, 7.9e-7),
    ...     "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo": entry("together_ai", 8.8e-7, 8.8e-7),
    ...     "openrouter/meta-llama/llama-3.3-70b-instruct": entry("openrouter", 1e-7, 1e-7),
    ...     "gpt-4o": entry("openai", 2.5e-6, 1e-5)}, version="9.9", release_date="2026-01-01")
    >>> [(r["canonical_model"], r["n_providers"], r["n_resellers"], r["min_blended_usd_per_m"]) for r in rows]
    [('(all open models)', '2', '1', ''), ('Llama 3.3 70B', '2', '1', '0.64')]
    """
    per_model: dict[str, dict[str, dict]] = defaultdict(dict)
    resellers: dict[str, set[str]] = defaultdict(set)
    family: dict[str, str] = {}
    for row in listing_rows(price_map, snapshot_date=release_date):
        if not row["open_weights"]:
            continue
        name = row["canonical_model"]
        family[name] = row["family"]
        if row["resells"]:
            resellers[name].add(row["provider"])
            continue
        best = per_model[name].get(row["provider"])
        if best is None or row["blended"] < best["blended"]:
            per_model[name][row["provider"]] = row
    source = f"https://pypi.org/project/litellm/{version}/"

    def summary(name: str, fam: str, sellers: dict[str, dict], resold: set[str], prices: bool) -> dict:
        out = {"release_date": release_date, "litellm_version": version, "canonical_model": name,
               "family": fam, "n_providers": str(len(sellers)), "n_resellers": str(len(resold - set(sellers))),
               "source_url": source}
        for kind, column in _KIND_COLUMNS.items():
            out[column] = str(sum(1 for r in sellers.values() if r["provider_kind"] == kind))
        for key in ("input", "output", "blended"):
            values = [r[key] for r in sellers.values()]
            out[f"min_{key}_usd_per_m"] = _number(min(values)) if prices and values else ""
            out[f"median_{key}_usd_per_m"] = _number(statistics.median(values)) if prices and values else ""
        return out

    all_sellers = {p: r for sellers in per_model.values() for p, r in sellers.items()}
    all_resold = set().union(*resellers.values()) if resellers else set()
    rows = [summary(ALL_OPEN, "(all)", all_sellers, all_resold, prices=False)]
    for name in sorted(set(per_model) | set(resellers)):
        rows.append(summary(name, family[name], per_model.get(name, {}), resellers.get(name, set()), prices=True))
    return rows


def history_csv_text(rows: list[dict]) -> str:
    """Return the CSV text for ``rows`` (``\\n`` line endings, header first)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def build_history(path: str | Path, *, cache_dir: str | Path | None = None, index: dict | None = None,
                  since: str = "2023-01-01", until: str | None = None, extra_versions: tuple[str, ...] = (),
                  log=print) -> Path:
    """Download one litellm release per quarter, summarise each and write the history CSV.

    Parameters
    ----------
    path : str or Path
        Where to write the CSV.
    cache_dir : str or Path, optional
        Where wheels are downloaded; by default :func:`default_cache_dir`.
    index : dict, optional
        PyPI's JSON simple index for litellm; fetched (one request) when not given.
    since, until : str, optional
        ISO dates bounding the releases picked.
    extra_versions : tuple of str
        Releases to add to the quarterly ones (e.g. the catalog's pinned version).
    log : callable
        Called with one line of progress per release.
    """
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    index = index if index is not None else fetch_index(cache)
    dates = release_dates(index)
    picked = dict(quarterly_releases(dates, since=since, until=until))
    for version in extra_versions:
        if version in COMPROMISED:
            raise ValueError(f"litellm {version} was a compromised release")
        picked[version] = dates[version]
    rows: list[dict] = []
    for version, day in sorted(picked.items(), key=lambda pair: (pair[1], _version_key(pair[0]))):
        price_map = read_price_map(download_wheel(version, cache))
        if price_map is None:
            log(f"litellm {version} ({day}): no bundled price map, skipped")
            continue
        summary = summarise_release(price_map, version=version, release_date=day)
        log(f"litellm {version} ({day}): {len(summary) - 1} open models, "
            f"{summary[0]['n_providers']} providers of open models")
        rows.extend(summary)
    out = Path(path)
    out.write_text(history_csv_text(rows), encoding="utf-8")
    return out
