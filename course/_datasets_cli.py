"""``course datasets``: list the datasets, or ``course datasets refresh`` to rebuild the derived ones.

Only ``price_catalog.csv`` is derived (from the price map inside the installed litellm);
the other CSVs are edited by hand from sourced figures and are only validated here.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``course datasets`` arguments to ``parser``."""
    parser.add_argument("action", nargs="?", choices=["list", "refresh"], default="list",
                        help="'list' (default) shows each dataset; 'refresh' rebuilds price_catalog.csv")
    parser.add_argument("--snapshot-date", metavar="YYYY-MM-DD", default=None,
                        help="date recorded in the rebuilt catalog (default: today)")


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
