"""``course datasets audit``: find the rows of every dataset that a careful reader should check first.

Three kinds of finding, over every ``datasets/NAME.csv``:

* ``no source``: the row's source URL is blank (or the dataset has no ``source_url`` column);
* ``old``: the row's date is more than ``max_age_days`` before the dataset's as-of date;
* ``disagrees``: a cross-check column (a column whose name ends in ``_check``, such as the
  catalog's ``price_check``) says two sources disagree.

A dataset's as-of date is the first ``YYYY-MM-DD`` in its datasheet's ``## Retrieved``
section (``As of 2026-11-29 ...``). A row's date is the first ``date`` column of the
datasheet (``snapshot_date``, ``date``, ``release_date`` ...); rows with a blank date
are not judged for age.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from course._base._paths import datasets_dir
from course.data._datasets import datasets, load, read_datasheet

__all__ = ["Finding", "as_of_date", "audit_dataset", "audit", "format_findings"]

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Finding:
    """One row (or one dataset) to check: where it is, which kind of finding, and why."""

    dataset: str
    line: int | None  # CSV line (the header is line 1); None for the whole dataset
    kind: str         # "no source", "old" or "disagrees"
    detail: str


def as_of_date(name: str, folder: Path | None = None) -> pd.Timestamp | None:
    """Return dataset ``name``'s as-of date: the first ISO date in its datasheet's Retrieved section.

    Examples
    --------
    >>> as_of_date("price_catalog") is not None
    True
    """
    sheet = read_datasheet((folder or datasets_dir()) / f"{name}.md")
    found = _ISO.search(sheet.sections.get("Retrieved", ""))
    return pd.Timestamp(found.group(0)) if found else None


def audit_dataset(name: str, *, max_age_days: int = 365, frame: pd.DataFrame | None = None,
                  folder: Path | None = None) -> list[Finding]:
    """Audit one dataset; return its findings in CSV order.

    Parameters
    ----------
    name : str
        The dataset, e.g. ``"price_catalog"``.
    max_age_days : int, default 365
        A row dated more than this many days before the as-of date is ``old``.
    frame : pandas.DataFrame, optional
        The loaded dataset (by default ``course.load(name)``); for tests.
    folder : Path, optional
        Where the datasheet is (by default the course's datasets folder).
    """
    folder = folder or datasets_dir()
    sheet = read_datasheet(folder / f"{name}.md")
    frame = load(name) if frame is None else frame
    findings: list[Finding] = []
    line = pd.Series(range(2, len(frame) + 2), index=frame.index)

    if "source_url" not in frame.columns:
        findings.append(Finding(name, None, "no source", "the dataset has no source_url column"))
    else:
        for i in frame.index[frame["source_url"].isna() | (frame["source_url"].astype(str).str.strip() == "")]:
            findings.append(Finding(name, int(line[i]), "no source", "blank source_url"))

    as_of = as_of_date(name, folder)
    date_columns = [c.name for c in sheet.columns if c.type == "date"]
    if as_of is not None and date_columns:
        column = date_columns[0]
        cutoff = as_of - pd.Timedelta(days=max_age_days)
        for i in frame.index[frame[column].notna() & (frame[column] < cutoff)]:
            age = (as_of - frame.at[i, column]).days
            findings.append(Finding(name, int(line[i]), "old",
                                    f"{column} {frame.at[i, column].date()} is {age} days before as-of {as_of.date()}"))

    for column in [c for c in frame.columns if c.endswith("_check")]:
        for i in frame.index[frame[column].astype(str) == "disagrees"]:
            label = frame.at[i, "provider_model_id"] if "provider_model_id" in frame.columns else ""
            findings.append(Finding(name, int(line[i]), "disagrees", f"{column}: {label}".rstrip(": ")))
    return sorted(findings, key=lambda f: (f.line or 0, f.kind))


def audit(*, max_age_days: int = 365, names: list[str] | None = None) -> list[Finding]:
    """Audit every dataset (or ``names``) and return all findings.

    Examples
    --------
    >>> kinds = {f.kind for f in audit(names=["price_catalog"])}
    >>> "disagrees" in kinds
    True
    """
    found: list[Finding] = []
    for name in names or datasets():
        found.extend(audit_dataset(name, max_age_days=max_age_days))
    return found


def format_findings(findings: list[Finding], *, show: int = 5) -> str:
    """Summarise findings per dataset and kind, listing the first ``show`` of each."""
    if not findings:
        return "no findings"
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.dataset, f.kind), []).append(f)
    lines = []
    for (dataset, kind), items in sorted(groups.items()):
        lines.append(f"{dataset}: {len(items)} {kind}")
        for f in items[:show]:
            where = f"line {f.line}" if f.line is not None else "dataset"
            lines.append(f"    {where}: {f.detail}")
        if len(items) > show:
            lines.append(f"    ... and {len(items) - show} more")
    return "\n".join(lines)
