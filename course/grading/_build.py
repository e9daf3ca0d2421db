"""Regenerate ``modules/`` (student notebooks) from ``solutions/`` with nbgrader.

nbgrader's ``generate_assignment`` clears the solution regions and hidden tests,
locks the read-only cells and records checksums. The build runs it in a temporary
course folder, then writes the notebooks into ``modules/`` with no outputs and no
execution counts, keeping nbgrader's cell metadata. ``--check`` builds into a
temporary folder and reports any difference from what is committed.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from course._base._paths import modules_dir, solutions_dir


class BuildError(RuntimeError):
    """nbgrader could not generate a module's student version."""


def assignments(source: Path | None = None) -> list[str]:
    """Return the module folders under ``solutions/`` that hold a notebook."""
    source = Path(source or solutions_dir())
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def clean_notebook_text(text: str) -> str:
    """Return notebook JSON with outputs, execution counts and run metadata removed.

    nbgrader's cell metadata is kept. The result is formatted the way nbformat
    writes notebooks, so a rebuild gives byte-identical files.
    """
    import nbformat

    nb = nbformat.reads(text, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in ("execution", "collapsed", "scrolled", "ExecuteTime"):
            cell.metadata.pop(key, None)
    nb.metadata.pop("widgets", None)
    return nbformat.writes(nb) + "\n"


def build(
    names: list[str] | None = None,
    *,
    source: Path | None = None,
    dest: Path | None = None,
) -> list[Path]:
    """Generate the student notebooks for ``names`` (default: every module) into ``dest``.

    Parameters
    ----------
    names : list of str, optional
        Module folder names such as ``"00_start_here"``.
    source, dest : Path, optional
        The solutions folder and the folder to write into (default ``modules/``).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    BuildError
        If nbgrader reports a problem (for example a malformed solution region).
    """
    from course.grading._nbgrader import api as nbgrader_api

    source = Path(source or solutions_dir())
    dest = Path(dest or modules_dir())
    names = names or assignments(source)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="course-build-") as tmp:
        tmp = Path(tmp)
        for name in names:
            shutil.copytree(source / name, tmp / "solutions" / name,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        api = nbgrader_api(tmp)
        for name in names:
            result = api.generate_assignment(name, force=True, create=True)
            if not result.get("success"):
                raise BuildError(f"nbgrader could not build {name}:\n{result.get('error') or result.get('log')}")
            out_dir = dest / name
            if out_dir.exists():
                shutil.rmtree(out_dir)
            out_dir.mkdir(parents=True)
            for path in sorted((tmp / "modules" / name).rglob("*")):
                if path.is_dir():
                    continue
                target = out_dir / path.relative_to(tmp / "modules" / name)
                target.parent.mkdir(parents=True, exist_ok=True)
                if path.suffix == ".ipynb":
                    target.write_text(clean_notebook_text(path.read_text(encoding="utf-8")), encoding="utf-8")
                else:
                    shutil.copy2(path, target)
                written.append(target)
    return written


def drift(names: list[str] | None = None) -> list[str]:
    """Return the files in ``modules/`` that differ from a fresh build (empty when in step)."""
    current = modules_dir()
    with tempfile.TemporaryDirectory(prefix="course-drift-") as tmp:
        fresh = Path(tmp)
        build(names, dest=fresh)
        built = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
        names = names or assignments()
        committed = {
            p.relative_to(current)
            for name in names if (current / name).exists()
            for p in (current / name).rglob("*")
            if p.is_file() and ".ipynb_checkpoints" not in p.parts
        }
        problems = [f"missing from modules/: {p}" for p in sorted(built - committed)]
        problems += [f"not generated from solutions/: {p}" for p in sorted(committed - built)]
        problems += [f"differs from a fresh build: {p}" for p in sorted(built & committed)
                     if not filecmp.cmp(fresh / p, current / p, shallow=False)]
        return problems


def add_arguments(parser) -> None:
    parser.add_argument("modules", nargs="*", help="module folders to build (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="build into a temporary folder and fail if modules/ differs")


def main(args) -> int:
    names = args.modules or None
    if args.check:
        problems = drift(names)
        for line in problems:
            print(line)
        if problems:
            print("modules/ has drifted from solutions/: run `make modules`", file=sys.stderr)
            return 1
        print("modules/ is in step with solutions/")
        return 0
    try:
        for path in build(names):
            print(f"wrote {path}")
    except BuildError as err:
        print(err, file=sys.stderr)
        return 1
    return 0
