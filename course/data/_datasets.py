"""Datasets: find them, read their datasheets, load them as typed, validated frames.

Every ``datasets/NAME.csv`` has a datasheet ``datasets/NAME.md``. Its ``## Columns``
table says, for each column in order, a type, a unit and a description::

    | column | type | unit | description |
    |---|---|---|---|
    | model | string | | ... |
    | input_usd_per_m | float | USD per million tokens | ... |
    | mmlu | float? | percent | a trailing ``?`` allows blanks |
    | status | category: confirmed, secondary | | allowed values after the colon |

Types and what they load as:

==============================  ==============================================
``string``                      text (pandas' default string dtype)
``int``                         ``int64`` (``Int64`` when blanks are allowed)
``float``                       ``float64`` (a blank is ``NaN``)
``bool``                        ``bool`` from ``true``/``false`` (``boolean`` with blanks)
``date``                        ``datetime64`` from ``YYYY-MM-DD``
``url``                         text that starts with ``http://`` or ``https://``
``category: a, b``              pandas ``category`` whose categories are the listed values
==============================  ==============================================

A bad cell raises :class:`DatasetError` naming the file, the CSV line, the column
and the value, so a typo in a hand-edited CSV is found at once.
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from course._base._paths import datasets_dir

__all__ = ["DatasetError", "Column", "Datasheet", "datasets", "load", "read_datasheet",
           "validate_csv", "validate_all"]

TYPES = ("string", "int", "float", "bool", "date", "url", "category")
REQUIRED_SECTIONS = ("Columns", "Source", "Licence", "Retrieved", "How it was made")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^https?://\S+$")
_INT = re.compile(r"^[+-]?\d+$")


class DatasetError(ValueError):
    """A dataset or its datasheet does not follow the course's data format.

    The message names the file and, for a bad cell, the CSV line number (the
    header is line 1), the column and the offending value.
    """


DatasetError.__module__ = "course"  # tracebacks name the public door, as httpx does


@dataclass(frozen=True)
class Column:
    """One row of a datasheet's Columns table."""

    name: str
    type: str
    nullable: bool = False
    allowed: tuple[str, ...] = ()
    unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class Datasheet:
    """What a datasheet ``NAME.md`` says: title, columns and its ``##`` sections."""

    name: str
    path: Path
    columns: tuple[Column, ...]
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        """The column names, in the order the CSV must have them."""
        return [c.name for c in self.columns]


def _parse_type(text: str, where: str) -> tuple[str, bool, tuple[str, ...]]:
    """Split ``'category?: a, b'`` into ``('category', True, ('a', 'b'))``."""
    head, _, rest = text.partition(":")
    head = head.strip()
    nullable = head.endswith("?")
    kind = head.rstrip("?").strip()
    if kind not in TYPES:
        raise DatasetError(f"{where}: unknown type {text!r} (expected one of {', '.join(TYPES)})")
    allowed: tuple[str, ...] = ()
    if kind == "category":
        allowed = tuple(v.strip() for v in rest.split(",") if v.strip())
        if not allowed:
            raise DatasetError(f"{where}: a category type must list its values, as 'category: a, b'")
    elif rest.strip():
        raise DatasetError(f"{where}: only a category type takes values after a colon, got {text!r}")
    return kind, nullable, allowed


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def read_datasheet(path: str | Path) -> Datasheet:
    """Parse a datasheet and return its columns and sections.

    Parameters
    ----------
    path : str or Path
        The datasheet, ``datasets/NAME.md``.

    Returns
    -------
    Datasheet

    Raises
    ------
    DatasetError
        If the Columns table is missing, malformed, or uses an unknown type.

    Examples
    --------
    >>> sheet = read_datasheet(datasets_dir() / "claims.md")
    >>> sheet.column_names[:2]
    ['claim_id', 'claim']
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: datasheet not found (every datasets/NAME.csv needs NAME.md)")
    sections: dict[str, str] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    if "Columns" not in sections:
        raise DatasetError(f"{path}: no '## Columns' section")
    rows = [ln for ln in sections["Columns"].splitlines() if ln.strip().startswith("|")]
    if len(rows) < 3:
        raise DatasetError(f"{path}: the Columns table needs a header, a separator and at least one row")
    header = [h.lower() for h in _cells(rows[0])]
    if header[:4] != ["column", "type", "unit", "description"]:
        raise DatasetError(f"{path}: the Columns table header must be 'column | type | unit | description'")
    columns = []
    for row in rows[2:]:
        cells = _cells(row)
        if len(cells) < 4:
            raise DatasetError(f"{path}: Columns row {row!r} has fewer than 4 cells")
        name = cells[0].strip("`")
        kind, nullable, allowed = _parse_type(cells[1].strip("`"), f"{path}: column {name!r}")
        columns.append(Column(name, kind, nullable, allowed, cells[2], " | ".join(cells[3:])))
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise DatasetError(f"{path}: a column is listed twice in the Columns table")
    return Datasheet(path.stem, path, tuple(columns), {k: v.strip() for k, v in sections.items()})


def _convert(value: str, col: Column, where: str):
    """Return ``value`` converted for ``col``, or raise a DatasetError naming ``where``."""
    if value == "":
        if col.nullable:
            return None
        raise DatasetError(f"{where}: column {col.name!r} is blank but its type {col.type!r} allows no blanks")

    def bad(expected: str):
        return DatasetError(f"{where}: column {col.name!r} has {value!r}, expected {expected}")

    if col.type == "string":
        return value
    if col.type == "int":
        if not _INT.match(value):
            raise bad("a whole number")
        return int(value)
    if col.type == "float":
        try:
            number = float(value)
        except ValueError:
            raise bad("a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise bad("a finite number")
        return number
    if col.type == "bool":
        if value not in ("true", "false"):
            raise bad("true or false")
        return value == "true"
    if col.type == "date":
        try:
            if not _DATE.match(value):
                raise ValueError
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise bad("a date as YYYY-MM-DD") from None
    if col.type == "url":
        if not _URL.match(value):
            raise bad("an http(s) URL")
        return value
    if col.type == "category":
        if value not in col.allowed:
            raise bad("one of " + ", ".join(col.allowed))
        return value
    raise AssertionError(col.type)  # pragma: no cover - _parse_type rejects other types


def _series(values: list, col: Column) -> pd.Series:
    if col.type == "int":
        return pd.Series(values, dtype="Int64" if col.nullable else "int64")
    if col.type == "float":
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    if col.type == "bool":
        return pd.Series(values, dtype="boolean" if col.nullable else "bool")
    if col.type == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype="object")), name=col.name)
    if col.type == "category":
        return pd.Series(pd.Categorical(values, categories=list(col.allowed)))
    return pd.Series(values)  # text: pandas infers its default string dtype


def validate_csv(csv_path: str | Path, datasheet: str | Path | None = None) -> pd.DataFrame:
    """Check a CSV against its datasheet and return it as a typed DataFrame.

    Parameters
    ----------
    csv_path : str or Path
        The CSV file.
    datasheet : str or Path, optional
        Its datasheet; by default the ``.md`` file beside the CSV.

    Returns
    -------
    pandas.DataFrame
        One column per datasheet row, in datasheet order, with the dtypes listed
        in this module's docstring.

    Raises
    ------
    DatasetError
        On a wrong header (columns missing, extra or out of order), a row with the
        wrong number of cells, or a cell that breaks its column's type, allowed
        values or non-blank rule. The message names file, line, column and value.

    Examples
    --------
    >>> frame = validate_csv(datasets_dir() / "hardware_trends.csv")
    >>> str(frame["annual_change_pct"].dtype)
    'float64'
    """
    csv_path = Path(csv_path)
    sheet = read_datasheet(datasheet if datasheet is not None else csv_path.with_suffix(".md"))
    expected = sheet.column_names
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != expected:
            missing = [c for c in expected if c not in (header or [])]
            extra = [c for c in (header or []) if c not in expected]
            raise DatasetError(
                f"{csv_path}: line 1: the header does not match the datasheet {sheet.path.name}"
                f" (missing {missing}, unexpected {extra}; expected order {expected})"
            )
        values: dict[str, list] = {c: [] for c in expected}
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            if not row:
                continue
            if len(row) != len(expected):
                raise DatasetError(
                    f"{csv_path}: line {start}: {len(row)} cells, expected {len(expected)}"
                )
            for col, cell in zip(sheet.columns, row, strict=True):
                values[col.name].append(_convert(cell, col, f"{csv_path}: line {start}"))
    return pd.DataFrame({c.name: _series(values[c.name], c) for c in sheet.columns})


def datasets() -> list[str]:
    """Return the names of the course's datasets (each ``datasets/NAME.csv``).

    Examples
    --------
    >>> "price_history" in datasets()
    True
    """
    return sorted(p.stem for p in datasets_dir().glob("*.csv"))


_CACHE: dict[str, tuple[tuple[float, float], pd.DataFrame]] = {}


def load(name: str) -> pd.DataFrame:
    """Load a course dataset as a validated, typed DataFrame.

    Parameters
    ----------
    name : str
        The dataset name, e.g. ``"price_history"`` (see :func:`datasets`).

    Returns
    -------
    pandas.DataFrame
        A fresh copy each call: editing it never changes what the next call returns.
        Dates are ``datetime64``, money ``float64`` (US dollars per million tokens),
        booleans ``bool`` and category columns pandas ``category``.

    Raises
    ------
    DatasetError
        If there is no such dataset or it breaks its datasheet.

    Examples
    --------
    >>> prices = load("price_history")
    >>> float(prices.loc[prices["model"] == "gpt-4o", "input_usd_per_m"].iloc[0])
    5.0
    """
    csv_path = datasets_dir() / f"{name}.csv"
    if not csv_path.is_file():
        raise DatasetError(f"no dataset {name!r}; the datasets are: {', '.join(datasets())}")
    md_path = csv_path.with_suffix(".md")
    stamp = (csv_path.stat().st_mtime, md_path.stat().st_mtime if md_path.exists() else 0.0)
    cached = _CACHE.get(str(csv_path))
    if cached is None or cached[0] != stamp:
        cached = (stamp, validate_csv(csv_path, md_path))
        _CACHE[str(csv_path)] = cached
    return cached[1].copy()


def validate_all(folder: str | Path | None = None) -> dict[str, int]:
    """Validate every CSV in ``folder`` (default: the course's datasets) against its datasheet.

    Returns
    -------
    dict
        Dataset name -> number of rows.

    Raises
    ------
    DatasetError
        At the first CSV that breaks its datasheet (or has none).

    Examples
    --------
    >>> validate_all()["claims"] > 0
    True
    """
    folder = Path(folder) if folder is not None else datasets_dir()
    return {p.stem: len(validate_csv(p)) for p in sorted(folder.glob("*.csv"))}
