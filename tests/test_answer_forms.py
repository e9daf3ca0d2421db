"""Every module's grade cells accept every reasonable form of a right answer, and no cheat.

Each module's solution notebook runs once in a kernel, with every grade cell replaced by a
runner that executes the cell's source several times, once per *form* of the answers:

- ``as_written``: the solution's own values;
- ``numpy``: every number as a numpy scalar (``numpy.int64``, ``numpy.float64``, ``numpy.bool_``),
  as pandas returns them;
- ``typographic``: every string wrapped in curly quotes with a full stop, as pasted from a document;
- ``always_equal``: every answer replaced by an object whose ``__eq__`` says yes to everything;
- ``unanswered``: every name an answer cell defines removed, as in the untouched release.

The runner swaps the answer variables of the cell (names the solution cells define and the
grade cell reads), runs the source, records pass or fail and restores the values, so the
rest of the notebook runs as written. A second run per module points the kernel at a copy
of the datasets with some values changed (``COURSE_ROOT``): the solution must still score
full marks, since the hidden tests compute their expected values from the data.
"""

from __future__ import annotations

import ast
import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course.grading._build import assignments

ROOT = Path(__file__).resolve().parent.parent
MODULES = assignments()
PASSING_FORMS = ("as_written", "numpy", "typographic")
CHEATING_FORMS = ("always_equal", "unanswered")
MARKER = "ANSWER-FORMS-RESULTS:"

# Defined in the kernel before the first cell: the forms, and the runner grade cells are replaced by.
KERNEL_PRELUDE = r'''
import numpy as _forms_np

def _forms_numpy(value):
    if type(value) is bool:
        return _forms_np.bool_(value)
    if type(value) is int:
        return _forms_np.int64(value)
    if type(value) is float:
        return _forms_np.float64(value)
    if type(value) is dict:
        return {key: _forms_numpy(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_forms_numpy(item) for item in value)
    return value

def _forms_typographic(value):
    if type(value) is str:
        return "\u201c" + value + ".\u201d"
    if type(value) is dict:
        return {key: _forms_typographic(item) for key, item in value.items()}
    if type(value) in (list, tuple, set, frozenset):
        return type(value)(_forms_typographic(item) for item in value)
    return value

class _FormsAlwaysEqual:
    """A cheat: equal to everything, callable, indexable, true and ordered every way."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    def __hash__(self): return 0
    def __bool__(self): return True
    def __call__(self, *args, **kwargs): return self
    def __getitem__(self, key): return self
    def __contains__(self, item): return True

_FORMS_MISSING = object()
_FORMS = {
    "as_written": lambda value: value,
    "numpy": _forms_numpy,
    "typographic": _forms_typographic,
    "always_equal": lambda value: _FormsAlwaysEqual(),
}
_FORMS_RESULTS = {form: {} for form in [*_FORMS, "unanswered"]}

def _forms_run(grade_id, source, answers, defined):
    namespace = globals()
    saved = {name: namespace.get(name, _FORMS_MISSING) for name in set(answers) | set(defined)}
    code = compile(source, grade_id, "exec")
    for form in _FORMS_RESULTS:
        try:
            if form == "unanswered":
                for name in defined:
                    namespace.pop(name, None)
            else:
                for name in answers:
                    if saved[name] is not _FORMS_MISSING:
                        namespace[name] = _FORMS[form](saved[name])
            exec(code, namespace)
            outcome = "pass"
        except BaseException as error:  # a grade cell fails on any exception
            outcome = f"{type(error).__name__}: {error}"[:300]
        finally:
            for name, value in saved.items():
                if value is _FORMS_MISSING:
                    namespace.pop(name, None)
                else:
                    namespace[name] = value
        _FORMS_RESULTS[form][grade_id] = outcome
'''


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _names(source: str, context: type) -> set[str]:
    """Top-level names a cell stores (``ast.Store``) or reads (``ast.Load``), functions included."""
    tree = ast.parse(source)
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, context)}
    if context is ast.Store:
        names |= {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    return names


def instrument(nb, probe: str | None = None):
    """The notebook with every grade cell replaced by a runner over all forms, and a report at the end."""
    defined: set[str] = set()  # names any answer cell so far defines
    cells = [nbformat.v4.new_code_cell(KERNEL_PRELUDE)]
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            defined |= _names(cell.source, ast.Store)
        if cell.cell_type == "code" and meta.get("grade"):
            answers = (defined & _names(cell.source, ast.Load)) - _names(cell.source, ast.Store)
            cell = nbformat.v4.new_code_cell(
                f"_forms_run({meta['grade_id']!r}, {cell.source!r}, {sorted(answers)!r}, {sorted(defined)!r})")
        cells.append(cell)
    report = "import json as _forms_json\n"
    report += f"_FORMS_RESULTS['probe'] = repr({probe})\n" if probe else ""
    report += f"print({MARKER!r} + _forms_json.dumps(_FORMS_RESULTS))"
    cells.append(nbformat.v4.new_code_cell(report))
    return nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)


def run_forms(module: str, *, probe: str | None = None) -> dict[str, dict[str, str]]:
    """Execute the instrumented solution of ``module``; return form -> grade_id -> outcome."""
    nb = nbformat.read(ROOT / "solutions" / module / f"{module}.ipynb", as_version=4)
    client = NotebookClient(instrument(nb, probe), timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(ROOT / "solutions" / module)}})
    executed = client.execute()
    errors = [(i, out.get("ename"), out.get("evalue", "")[:200]) for i, c in enumerate(executed.cells)
              if c.cell_type == "code" for out in c.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors, f"cells of the solution that raised: {errors}"
    text = "".join(out.get("text", "") for out in executed.cells[-1].outputs if out.get("name") == "stdout")
    return json.loads(text.split(MARKER, 1)[1])


def grade_ids(module: str) -> set[str]:
    nb = nbformat.read(ROOT / "solutions" / module / f"{module}.ipynb", as_version=4)
    return {_nbgrader(c)["grade_id"] for c in nb.cells if _nbgrader(c).get("grade")}


_cache: dict[str, dict] = {}


def results(module: str) -> dict[str, dict[str, str]]:
    if module not in _cache:
        _cache[module] = run_forms(module)
    return _cache[module]


def params():
    return [pytest.param(m, marks=[pytest.mark.slow, pytest.mark.xdist_group(f"forms-{m}")]) for m in MODULES]


@pytest.mark.parametrize("form", PASSING_FORMS)
@pytest.mark.parametrize("module", params())
def test_solution_scores_full_marks_in_every_reasonable_form(module, form):
    outcomes = results(module)[form]
    assert set(outcomes) == grade_ids(module), "every grade cell ran"
    failed = {gid: why for gid, why in outcomes.items() if why != "pass"}
    assert not failed, f"{form} answers lose points: {failed}"


@pytest.mark.parametrize("form", CHEATING_FORMS)
@pytest.mark.parametrize("module", params())
def test_cheating_forms_score_zero_on_every_part(module, form):
    outcomes = results(module)[form]
    assert set(outcomes) == grade_ids(module), "every grade cell ran"
    passed = sorted(gid for gid, why in outcomes.items() if why == "pass")
    assert not passed, f"{form} answers score on: {passed}"


# ---- a data refresh: change some values in a copy of the datasets --------------------------------


def _rewrite_csv(path: Path, match: dict[str, str], change) -> int:
    """Apply ``change(row)`` to the rows of a CSV whose columns equal ``match``; return how many changed."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0])
    hits = [row for row in rows if all(row[k] == v for k, v in match.items())]
    for row in hits:
        change(row)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(hits)


def _scale(*columns: str, by: float):
    def change(row):
        for column in columns:
            if row[column] not in ("", None):
                row[column] = repr(round(float(row[column]) * by, 10))
    return change


def _set(column: str, value: str):
    def change(row):
        row[column] = value
    return change


PRICE_COLUMNS = ("input_usd_per_m", "output_usd_per_m", "blended_usd_per_m")
# module -> [(dataset file, rows to match, change)], and an expression the kernel evaluates to show it saw the change.
REFRESH = {
    "01_cost_collapse": (
        [("price_history.csv", {"model": "Gemini 1.5 Flash-8B"}, _scale(*PRICE_COLUMNS, by=0.9)),
         ("price_history.csv", {"model": "gpt-4o-mini"}, _scale(*PRICE_COLUMNS, by=1.2)),
         ("price_history.csv", {"model": "gpt-4o"}, _scale(*PRICE_COLUMNS, by=0.9)),
         ("price_history.csv", {"model": "o1"}, _scale(*PRICE_COLUMNS, by=0.8)),
         ("cost_decline_rates.csv", {"rate_id": "a16z-llmflation"}, _scale("fold", by=1.2)),
         ("hardware_trends.csv", {"metric": "ML hardware cost at fixed performance"}, _scale("annual_change_pct", by=0.9))],
        'course.load("price_history").query("model == \'gpt-4o-mini\'")["blended_usd_per_m"].iloc[0]',
    ),
    "02_open_weights": (
        [("model_licences.csv", {"release": "Gemma 4 31B"}, _set("valid_from", "2026-04-20")),
         ("model_licences.csv", {"release": "Qwen2.5-7B"}, _set("licence_type", "custom-conditions"))],
        'str(course.load("model_licences").set_index("release").loc["Gemma 4 31B", "valid_from"].date())',
    ),
    "03_licences_in_practice": (
        [("model_licences.csv", {"release": "Qwen2.5-72B"}, _set("mau_threshold", "150000000"))],
        'course.load("model_licences").set_index("release").loc["Qwen2.5-72B", "mau_threshold"]',
    ),
    "04_commoditisation": (
        [("price_catalog.csv", {"canonical_model": "DeepSeek-R1", "provider": "sambanova"}, _scale(*PRICE_COLUMNS, by=1.2))],
        'course.price_spread(course.load("price_catalog"), "DeepSeek-R1")',
    ),
    "05_value_capture": (
        [("price_catalog.csv", {"open_weights": "true"}, _scale(*PRICE_COLUMNS, by=0.8)),
         ("market_open_vs_closed.csv", {"metric": "share of tokens", "model_type": "closed"}, _set("value", "75")),
         ("market_open_vs_closed.csv", {"metric": "share of tokens", "model_type": "open"}, _set("value", "25"))],
        'course.open_closed_price_ratio(course.load("price_catalog"))',
    ),
    "08_strategy": (
        [("price_catalog.csv", {"canonical_model": "Llama 3.1 70B"}, _scale(*PRICE_COLUMNS, by=1.25)),
         ("price_catalog.csv", {"canonical_model": "gpt-4o", "provider": "openai"}, _scale(*PRICE_COLUMNS, by=0.8))],
        'course.load("price_catalog").query("canonical_model == \'Llama 3.1 70B\'")["blended_usd_per_m"].max()',
    ),
    "10_course_checklist": (
        [("price_history.csv", {"model": "Gemini 1.5 Flash-8B"}, _scale(*PRICE_COLUMNS, by=0.9)),
         ("hardware_trends.csv", {"metric": "ML hardware cost at fixed performance"}, _set("annual_change_pct", "-25")),
         ("model_licences.csv", {"release": "Llama 3.1 70B"}, _set("mau_threshold", "900000000")),
         ("model_licences.csv", {"release": "Mistral Large 2411"}, _set("licence_type", "permissive")),
         ("model_licences.csv", {"release": "Gemma 3 27B"}, _set("training_code_open", "true")),
         ("model_licences.csv", {"release": "Gemma 3 27B"}, _set("training_data_open", "true")),
         ("price_catalog.csv", {"canonical_model": "Llama 3.1 70B", "provider": "cerebras"}, _scale(*PRICE_COLUMNS, by=1.5)),
         ("market_open_vs_closed.csv", {"metric": "share of revenue", "model_type": "closed"}, _set("value", "95")),
         ("market_open_vs_closed.csv", {"metric": "share of revenue", "model_type": "open"}, _set("value", "5"))],
        'course.load("model_licences").set_index("release").loc["Llama 3.1 70B", "mau_threshold"]',
    ),
    "06_inference_as_a_service": (
        [("provider_speed_claims.csv", {"provider": "Anyscale", "model": "Llama 2 70B"}, _set("ttft_s", "0.3")),
         ("provider_speed_claims.csv", {"provider": "Groq", "model": "Llama 2 70B", "claim_type": "independent"},
          _set("tokens_per_s", "60"))],
        'course.load("provider_speed_claims").query("ttft_kind == \'measured_median\'")'
        '.sort_values("ttft_s")["provider"].iloc[0]',
    ),
    "07_routing": (
        [("price_catalog.csv", {"provider_model_id": "together_ai/meta-llama/Llama-3.1-405B-Instruct"},
          _scale(*PRICE_COLUMNS, by=1.2))],
        'course.workload_table(tokens_in=3_000, tokens_out=300, calls_per_month=200_000)'
        '.set_index("model").loc["sandbox/gpucloud/llama-3.1-405b", "usd_per_month"]',
    ),
    "09_self_hosting": (
        [("price_catalog.csv", {"canonical_model": "Llama 3.2 1B"}, _scale(*PRICE_COLUMNS, by=1.5)),
         ("price_catalog.csv", {"canonical_model": "Llama 3.2 3B"}, _scale(*PRICE_COLUMNS, by=1.5))],
        'course.load("price_catalog").query("canonical_model == \'Llama 3.2 1B\'")["output_usd_per_m"].min()',
    ),
}


def refreshed_root(tmp_path: Path, module: str) -> Path:
    """A course root whose datasets are a changed copy; everything else links to the repository."""
    root = tmp_path / "course"
    root.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in {"datasets", ".git", ".venv"}:
            (root / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "datasets", root / "datasets")
    for name, match, change in REFRESH[module][0]:
        assert _rewrite_csv(root / "datasets" / name, match, change), f"no row of {name} matches {match}"
    return root


@pytest.mark.parametrize("module", [pytest.param(m, marks=[pytest.mark.slow, pytest.mark.xdist_group(f"forms-{m}")])
                                    for m in REFRESH])
def test_solution_keeps_full_marks_after_a_data_refresh(module, tmp_path, monkeypatch):
    """Hidden tests compute expected values from the data: changed data, same full marks."""
    import course

    expression = REFRESH[module][1]
    today = repr(eval(expression, {"course": course}))  # noqa: S307 - our own constant expression
    monkeypatch.setenv("COURSE_ROOT", str(refreshed_root(tmp_path, module)))
    outcomes = run_forms(module, probe=expression)
    assert outcomes["probe"] != today, "the kernel did not read the changed copy of the datasets"
    failed = {gid: why for gid, why in outcomes["as_written"].items() if why != "pass"}
    assert not failed, f"after the data change, the solution loses points: {failed}"
