"""``course doctor``: is this machine ready for the course?

Reports package versions, which providers have keys (names only, never a key),
whether a local model server answers, the embedded local model, which backend live calls will use, and
whether every dataset and its datasheet is present.
"""

from __future__ import annotations

import html
import platform
from dataclasses import dataclass, field
from importlib import metadata

PACKAGES = ("jupyterlab", "nbgrader", "ipywidgets", "pandas", "matplotlib", "litellm", "tenacity")


@dataclass
class Check:
    """One line of the doctor's report."""

    topic: str
    ok: bool
    detail: str


@dataclass
class DoctorReport:
    """Everything ``course doctor`` found; prints as text and renders as a table in Jupyter."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def __str__(self) -> str:
        width = max(len(c.topic) for c in self.checks)
        lines = [f"{'ok ' if c.ok else 'NO '} {c.topic:<{width}}  {c.detail}" for c in self.checks]
        lines.append("All good: the course is ready." if self.ok else "Some checks failed: see the NO lines.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{'✅' if c.ok else '❌'}</td><td><b>{html.escape(c.topic)}</b></td>"
            f"<td>{html.escape(c.detail)}</td></tr>" for c in self.checks
        )
        return f"<table>{rows}</table>"


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def package_checks() -> list[Check]:
    checks = [Check("python", True, platform.python_version())]
    for name in PACKAGES:
        version = _version(name)
        checks.append(Check(name, version is not None, version or "not installed: run `make lab` or `pip install -e .`"))
    return checks


def llm_checks() -> list[Check]:
    from course._base._env import provider_keys

    keys = provider_keys()
    checks = [Check("provider keys", True, ", ".join(keys) + " (names only)" if keys else "none (that is fine: the course runs offline)")]
    try:
        from course.llm._providers import backend_summary

        summary = backend_summary()
        local = summary.get("local_server")
        checks.append(Check("local model server", True, f"answers at {local}" if local else "none found (Ollama on localhost:11434, or COURSE_LOCAL_BASE_URL)"))
        checks.append(Check("live calls will use", True, summary["summary"]))
        checks.append(Check("offline sandbox in use", True, "yes" if summary["backend"] == "sandbox" else "no"))
    except Exception as err:  # the doctor reports, it does not crash
        checks.append(Check("live calls", False, f"could not work out the backend: {type(err).__name__}: {err}"))
    return checks


def local_model_checks() -> list[Check]:
    """The embedded model (``local/smollm2-135m``): file found, size, licence, engine (weights not loaded)."""
    try:
        from course.local import status

        info = status()
    except Exception as err:  # the doctor reports, it does not crash
        return [Check("embedded local model", False, f"{type(err).__name__}: {err}")]
    if not info["ok"]:
        return [Check("embedded local model", False, info["problem"])]
    engine = info["engine"] + ("" if info["llama_cpp"] else " (teaching engine; `make local-fast` adds llama.cpp)")
    return [Check("embedded local model", True,
                  f"{info['model']}: {info['path']} ({info['file_mb']} MB, licence {info['licence']}), "
                  f"engine {engine}; call it as course.ask(..., model='local/{info['model']}')")]


def dataset_checks() -> list[Check]:
    from course._base._paths import datasets_dir

    folder = datasets_dir()
    csvs = sorted(folder.glob("*.csv"))
    if not csvs:
        return [Check("datasets", False, f"no CSV files in {folder}")]
    missing = [p.stem for p in csvs if not p.with_suffix(".md").is_file()]
    if missing:
        return [Check("datasets", False, f"no datasheet for: {', '.join(missing)}")]
    try:
        from course.data._datasets import load

        for path in csvs:
            load(path.stem)
    except Exception as err:
        return [Check("datasets", False, f"{type(err).__name__}: {err}")]
    return [Check("datasets", True, f"{len(csvs)} present and valid: {', '.join(p.stem for p in csvs)}")]


def doctor() -> DoctorReport:
    """Check the set-up and return a report (it prints as text and renders in Jupyter).

    Never shows a key: only the names of the providers that have one.

    Examples
    --------
    >>> report = doctor()
    >>> report.ok
    True
    """
    return DoctorReport(package_checks() + llm_checks() + local_model_checks() + dataset_checks())


def add_arguments(parser) -> None:
    pass


def main(args) -> int:
    report = doctor()
    print(report)
    return 0 if report.ok else 1
