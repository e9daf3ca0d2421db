"""Tests for course.data._audit: unsourced, old and disagreeing rows across the datasets."""

from __future__ import annotations

import pandas as pd

from course.data._audit import as_of_date, audit, audit_dataset, format_findings

SHEET = """# tiny
One row is a test.

## Columns
| column | type | unit | description |
|---|---|---|---|
| name | string | | a name |
| date | date | | when |
| source_url | url? | | where |
| price_check | category: agrees, disagrees, no match | | the check |

## Source
Made up for a test.

## Licence
MIT.

## Retrieved
As of 2026-11-20. Checked 2026-11-29.

## How it was made
By hand.
"""


def _tiny(tmp_path):
    (tmp_path / "tiny.md").write_text(SHEET, encoding="utf-8")
    return pd.DataFrame({
        "name": ["fresh", "old", "unsourced", "disputed"],
        "date": pd.to_datetime(["2026-10-01", "2024-01-01", "2026-11-01", "2026-11-19"]),
        "source_url": ["https://a.example", "https://b.example", None, "https://c.example"],
        "price_check": ["agrees", "no match", "agrees", "disagrees"],
    })


def test_audit_finds_the_unsourced_the_old_and_the_disputed_row(tmp_path):
    """Each kind of finding names the CSV line (header = line 1) of the one row that has it."""
    findings = audit_dataset("tiny", frame=_tiny(tmp_path), folder=tmp_path, max_age_days=365)
    assert {(f.kind, f.line) for f in findings} == {("old", 3), ("no source", 4), ("disagrees", 5)}


def test_the_age_limit_is_measured_from_the_datasheets_as_of_date(tmp_path):
    """2026-10-01 is 50 days before the as-of date: old at a 30-day limit, not at 365."""
    frame = _tiny(tmp_path)
    assert as_of_date("tiny", tmp_path) == pd.Timestamp("2026-11-20")
    strict = audit_dataset("tiny", frame=frame, folder=tmp_path, max_age_days=30)
    assert {f.line for f in strict if f.kind == "old"} == {2, 3}


def test_the_committed_catalogs_price_disagreements_are_all_listed():
    """The audit lists exactly the catalog rows whose price_check is 'disagrees'."""
    from course.data._datasets import load

    catalog = load("price_catalog")
    found = [f for f in audit(names=["price_catalog"]) if f.kind == "disagrees"]
    assert len(found) == (catalog["price_check"] == "disagrees").sum() > 0


def test_course_datasets_audit_prints_a_summary_per_dataset(capsys):
    """`course datasets audit` exits 0 and prints counts per dataset and kind."""
    from course.cli import main

    assert main(["datasets", "audit", "--max-age-days", "365"]) == 0
    out = capsys.readouterr().out
    assert "price_catalog:" in out and "disagrees" in out


def test_format_findings_says_when_there_is_nothing():
    """No findings is said in words, not an empty string."""
    assert format_findings([]) == "no findings"
