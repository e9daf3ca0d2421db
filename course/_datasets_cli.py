"""``course datasets``: list the datasets, rebuild the derived ones, or audit them all.

* ``course datasets`` (or ``list``) shows each dataset with its row count and as-of date;
* ``course datasets refresh`` rebuilds ``price_catalog.csv`` from the installed litellm;
* ``course datasets history`` rebuilds ``provider_history.csv`` from one litellm release per
  quarter, downloaded with pip into ``~/.cache/course-history`` (needs network access to PyPI);
* ``course datasets audit`` lists rows without a source URL, rows older than ``--max-age-days``
  before their dataset's as-of date, and price cross-check disagreements.

The hand-edited CSVs are only validated here.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``course datasets`` arguments to ``parser``."""
    parser.add_argument("action", nargs="?", choices=["list", "refresh", "history", "audit"], default="list",
                        help="'list' (default) shows each dataset; 'refresh' rebuilds price_catalog.csv; "
                             "'history' rebuilds provider_history.csv from litellm's releases; "
                             "'audit' lists unsourced, old and disagreeing rows")
    parser.add_argument("--snapshot-date", metavar="YYYY-MM-DD", default=None,
                        help="refresh: date recorded in the rebuilt catalog (default: the litellm release's date)")
    parser.add_argument("--cache-dir", metavar="DIR", default=None,
                        help="history: where to download litellm wheels (default: ~/.cache/course-history)")
    parser.add_argument("--index-file", metavar="JSON", default=None,
                        help="history: a saved copy of PyPI's JSON simple index for litellm, instead of fetching it")
    parser.add_argument("--max-age-days", type=int, default=365,
                        help="audit: flag rows dated more than this many days before their dataset's as-of date")


def main(args: argparse.Namespace) -> int:
    """Run ``course datasets``; return 0 on success, 1 if a dataset fails validation."""
    from course._base._paths import datasets_dir
    from course.data._datasets import DatasetError, datasets, load, read_datasheet

    if args.action == "refresh":
        from course.data._catalog import litellm_version, write_catalog

        path = write_catalog(snapshot_date=args.snapshot_date)
        frame = load("price_catalog")
        print(f"wrote {path} from litellm {litellm_version()}: {len(frame)} rows, "
              f"{frame['provider'].nunique()} providers, {frame['canonical_model'].nunique()} models")
        return 0

    if args.action == "history":
        import json
        from pathlib import Path

        from course.data._catalog import litellm_version
        from course.data._history import build_history

        index = json.loads(Path(args.index_file).read_text(encoding="utf-8")) if args.index_file else None
        path = build_history(datasets_dir() / "provider_history.csv", cache_dir=args.cache_dir, index=index,
                             extra_versions=(litellm_version(),))
        print(f"wrote {path}: {len(load('provider_history'))} rows")
        return 0

    if args.action == "audit":
        from course.data._audit import audit, format_findings

        findings = audit(max_age_days=args.max_age_days)
        print(format_findings(findings))
        return 0

    status = 0
    for name in datasets():
        try:
            rows = f"{len(load(name)):5d} rows"
            sheet = read_datasheet(datasets_dir() / f"{name}.md")
            intro = sheet.path.read_text(encoding="utf-8").split("\n## ")[0].splitlines()[1:]
            summary = " ".join(line.strip() for line in intro if line.strip())
        except DatasetError as err:
            rows, summary, status = "INVALID", str(err), 1
        print(f"{name:24s} {rows}  {summary[:90]}")
    return status
