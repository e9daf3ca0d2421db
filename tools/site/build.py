"""Build the course website: the student notebooks executed offline, the datasheets,
the instructor guide and the README's module table, rendered by Sphinx with MyST-NB.

Why Sphinx + MyST-NB and not Jupyter Book 2 (mystmd): ``myst build --html`` fetches its
site theme (book-theme) from api.mystmd.org and GitHub on every fresh machine, and the
theme is not published on PyPI or npm (mystmd issue #210, "Bundle the default
book-theme ... enabling offline use", is open). Sphinx, MyST-NB and sphinx-book-theme
(the engine of Jupyter Book 1) install from PyPI with every asset they serve, so the
site builds and displays with no network.

Only ``modules/`` (the student releases) is read: never ``solutions/``. Each notebook
is copied to a temporary folder outside the repository (so no ``.env`` is found) and
executed there with every key-like variable removed and the offline sandbox forced.
Then, in the copy:

- each answer cell is cleared and preceded by an exercise note (answer it in JupyterLab);
- each check cell is cleared and folded (its outputs would only say "not answered yet");
- a cell that failed because it uses an unanswered exercise says so instead of a traceback;
- a widget (it needs a live kernel) becomes a note to use it in JupyterLab, followed by
  what it showed when it was drawn (its plot and text), taken from the saved widget state;
- a "how to run this module" note follows the title.

Examples
--------
    python -m tools.site                  # builds _build/site/html
    python -m tools.site --out /tmp/site  # elsewhere
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = ROOT / "_build" / "site"
CELL_TIMEOUT_S = 120
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD)", re.IGNORECASE)

RUN_COMMANDS = """\
make lab    # set up .venv (first time) and open the course in JupyterLab
make test   # set up .venv with the dev extras and run every test
"""


def _run_note(where: str) -> str:
    return (
        "```{admonition} Run it yourself\n:class: note\n"
        "This page is a read-only copy. To run it, clone the repository and use the two commands:\n\n"
        f"    {RUN_COMMANDS.replace(chr(10), chr(10) + '    ').rstrip()}\n\n"
        f"{where}\n```\n"
    )


def module_note(module: str) -> str:
    """The "how to run" note at the top of a module page."""
    return _run_note(
        f"This module's notebook is `modules/{module}/{module}.ipynb`: `make lab` opens module 00; "
        "open this one from JupyterLab's file browser, run it from top to bottom, and answer the "
        "exercises in its answer cells. Check your work with `course.check()` in a cell."
    )


EXERCISE_NOTE = (
    "```{admonition} Exercise: answer in JupyterLab\n:class: tip\n"
    "The cell below is an answer cell. In JupyterLab, replace its `raise NotImplementedError()` "
    "with your answer and run it; the check cell after it tells you whether it is right.\n```\n"
)
NEEDS_ANSWER = (
    "This cell uses your answer to an exercise above. "
    "Run it in JupyterLab after answering to see its output.\n"
)
WIDGET_NOTE = (
    "*In JupyterLab this cell shows interactive controls: run the notebook there to use them "
    "(they need a live Python kernel).*"
)
WIDGET_SNAPSHOT_NOTE = " *Below is what it shows for the values in the cell.*"
CHECK_PROMPTS = {"code_prompt_show": "Show the check cell (it runs in JupyterLab)",
                 "code_prompt_hide": "Hide the check cell"}


@dataclass
class ModuleStats:
    """What the build did to one module notebook (for the report and the tests)."""

    module: str
    exercises: int = 0
    checks: int = 0
    needs_answer: list[int] = field(default_factory=list)
    widgets: int = 0
    images: int = 0
    seconds: float = 0.0


def clean_env() -> dict[str, str]:
    """The build's environment: no key-like variable, the offline sandbox forced."""
    env = {k: v for k, v in os.environ.items() if not SECRET_NAME.search(k)}
    env.update(
        COURSE_LLM_BACKEND="sandbox",
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    env.pop("COURSE_LOCAL_BASE_URL", None)
    env.pop("COURSE_DEFAULT_MODEL", None)
    return env


def student_modules() -> list[str]:
    """Module folder names under ``modules/`` that hold their notebook."""
    return sorted(p.parent.name for p in (ROOT / "modules").glob("*/*.ipynb") if p.stem == p.parent.name)


def _execute(args: tuple[str, str]) -> tuple[str, dict, float]:
    """Execute one student notebook copy in ``workdir`` (runs in a worker process)."""
    module, workdir = args
    import nbformat
    from nbclient import NotebookClient

    os.environ.clear()
    os.environ.update(clean_env())
    folder = Path(workdir) / "modules" / module
    folder.mkdir(parents=True)
    shutil.copy2(ROOT / "modules" / module / f"{module}.ipynb", folder)
    nb = nbformat.read(folder / f"{module}.ipynb", as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=CELL_TIMEOUT_S, allow_errors=True, store_widget_state=True,
                   kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return module, nb, time.perf_counter() - start


def execute_all(modules: list[str], jobs: int) -> dict[str, tuple[dict, float]]:
    """Execute the student notebooks, ``jobs`` at a time, in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="course-site-") as tmp:
        with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
            done = pool.map(_execute, [(m, tmp) for m in modules])
            return {m: (nb, secs) for m, nb, secs in done}


def _md_cell(text: str):
    from nbformat.v4 import new_markdown_cell

    return new_markdown_cell(text)


def widget_snapshot(state: dict, model_id: str) -> list[dict]:
    """The static outputs a drawn widget showed: its Output widgets' outputs and HTML text.

    Walks the widget tree from ``model_id`` through ``children`` in order.

    Examples
    --------
    >>> state = {"box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_html", "IPY_MODEL_out"]}},
    ...          "html": {"model_name": "HTMLModel", "state": {"value": "<b>3 GPUs</b>"}},
    ...          "out": {"model_name": "OutputModel", "state": {"outputs": [
    ...              {"output_type": "display_data", "data": {"image/png": "iVBO"}, "metadata": {}}]}}}
    >>> [list(o["data"]) for o in widget_snapshot(state, "box")]
    [['text/html'], ['image/png']]
    """
    from nbformat.v4 import new_output

    model = state.get(model_id)
    if model is None:
        return []
    name, attrs = model.get("model_name"), model.get("state", {})
    if name == "OutputModel":
        return [copy.deepcopy(o) for o in attrs.get("outputs", [])]
    if name == "HTMLModel" and attrs.get("value"):
        return [new_output("display_data", data={"text/html": attrs["value"]})]
    found = []
    for child in attrs.get("children", []):
        found += widget_snapshot(state, str(child).removeprefix("IPY_MODEL_"))
    return found


def annotate(module: str, nb) -> ModuleStats:
    """Turn an executed student notebook into its web page (see the module docstring)."""
    from nbformat.v4 import new_output

    stats = ModuleStats(module)
    widgets = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    widgets = widgets.get("state", {})
    cells = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            stats.exercises += 1
            cells.append(_md_cell(EXERCISE_NOTE))
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        elif meta.get("grade") and cell.cell_type == "code":
            stats.checks += 1
            cell.outputs, cell.execution_count = [], None
            cell.metadata.setdefault("tags", []).append("hide-input")
            cell.metadata["mystnb"] = dict(CHECK_PROMPTS)
        elif cell.cell_type == "code":
            if any(o.get("output_type") == "error" for o in cell.outputs):
                stats.needs_answer.append(index)
                cell.outputs = [new_output("stream", name="stdout", text=NEEDS_ANSWER)]
            outputs = []
            for out in cell.outputs:
                view = out.get("data", {}).get(WIDGET_MIME)
                if view:
                    stats.widgets += 1
                    shown = widget_snapshot(widgets, view["model_id"])
                    out["data"] = {"text/markdown": WIDGET_NOTE + (WIDGET_SNAPSHOT_NOTE if shown else "")}
                    outputs += [out, *shown]
                else:
                    outputs.append(out)
            cell.outputs = outputs
            stats.images += sum(1 for o in outputs if {"image/png", "image/svg+xml"} & set(o.get("data", {})))
        cells.append(cell)
        if index == 0:
            cells.append(_md_cell(module_note(module)))
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return stats


def _readme_landing() -> str:
    """The landing page: the README's title, intro, commands and module table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text.split("\n## Live calls", 1)[0]
    head = head.replace("](datasets/)", "](datasets/index.md)")
    toc = "\n".join(
        ["", "```{toctree}", ":hidden:", ":caption: Modules", "",
         *(f"modules/{m}/{m}" for m in student_modules()), "```", "",
         "```{toctree}", ":hidden:", ":caption: Reference", "", "datasets/index", "instructor", "```", ""]
    )
    return (
        head.rstrip() + "\n\n"
        "This website shows every module executed offline, with its tables and plots. "
        "The answer cells are left for you: run the notebooks in JupyterLab to do the exercises. "
        "The datasets' [datasheets](datasets/index.md) and the [instructor guide](instructor.md) are here too.\n"
        + toc
    )


def _datasheet_page(md: Path) -> str:
    name = md.stem
    text = md.read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    csv = md.with_suffix(".csv")
    where = f"The data file is `datasets/{csv.name}`"
    if csv.is_file():
        where += f" ({{download}}`download it <{csv.name}>`)"
    where += f"; in a notebook, `course.load(\"{name}\")` returns it as a DataFrame."
    return f"{title}\n\n{_run_note(where)}\n{body}"


def stage(src: Path, executed: dict[str, tuple[dict, float]]) -> list[ModuleStats]:
    """Fill the Sphinx source folder ``src`` with every page of the site."""
    import nbformat

    if src.exists():
        shutil.rmtree(src)
    (src / "datasets").mkdir(parents=True)
    (src / "index.md").write_text(_readme_landing(), encoding="utf-8")
    guide = (ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")
    title, _, body = guide.partition("\n")
    (src / "instructor.md").write_text(
        f"{title}\n\n{_run_note('This guide is `docs/instructor.md` in the repository.')}\n{body}",
        encoding="utf-8")
    sheets = sorted((ROOT / "datasets").glob("*.md"))
    for md in sheets:
        (src / "datasets" / md.name).write_text(_datasheet_page(md), encoding="utf-8")
        if md.with_suffix(".csv").is_file():
            shutil.copy2(md.with_suffix(".csv"), src / "datasets")
    (src / "datasets" / "index.md").write_text(
        "# Datasets\n\nEach dataset has a datasheet: its columns and units, sources, licence and date.\n\n"
        + _run_note("The files are in `datasets/`; `course.load(NAME)` loads one in a notebook.")
        + "\n```{toctree}\n:maxdepth: 1\n\n" + "\n".join(md.stem for md in sheets) + "\n```\n",
        encoding="utf-8")
    stats = []
    for module, (nb, seconds) in executed.items():
        nb = copy.deepcopy(nb)
        s = annotate(module, nb)
        s.seconds = seconds
        stats.append(s)
        out = src / "modules" / module / f"{module}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    return stats


def render(src: Path, html: Path) -> None:
    """Run Sphinx on ``src`` into ``html``; warnings fail the build."""
    if html.exists():
        shutil.rmtree(html)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
           "-c", str(HERE), "-d", str(src.parent / "doctrees"), str(src), str(html)]
    subprocess.run(cmd, check=True, env=clean_env())


def folder_size(path: Path) -> tuple[int, int]:
    """``(bytes, files)`` under ``path``."""
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def build(out: Path = DEFAULT_OUT, *, jobs: int = 2) -> dict:
    """Build the site into ``out/html``; return timings, sizes and per-module stats."""
    out = Path(out)
    t0 = time.perf_counter()
    executed = execute_all(student_modules(), jobs)
    t1 = time.perf_counter()
    stats = stage(out / "src", executed)
    render(out / "src", out / "html")
    t2 = time.perf_counter()
    size, files = folder_size(out / "html")
    report = {
        "html": str(out / "html"),
        "execute_s": round(t1 - t0, 1),
        "render_s": round(t2 - t1, 1),
        "total_s": round(t2 - t0, 1),
        "bytes": size,
        "files": files,
        "modules": [s.__dict__ for s in stats],
    }
    (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tools.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="build folder (html/ goes inside)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once")
    args = parser.parse_args(argv)
    report = build(args.out, jobs=args.jobs)
    print(f"site: {report['html']}/index.html  ({report['files']} files, "
          f"{report['bytes'] / 1e6:.1f} MB; executed in {report['execute_s']} s, "
          f"rendered in {report['render_s']} s)")
    for m in report["modules"]:
        print(f"  {m['module']}: {m['exercises']} exercises, {m['images']} plots, "
              f"{m['widgets']} widgets, {len(m['needs_answer'])} cells waiting for an answer")
    return 0
