"""The ``course`` command line and the learner's self-check."""

from __future__ import annotations

import subprocess
import sys

import pytest

import course
from course.cli import COMMANDS, main
from course.grading._check import CHECKING_ENV, check
from tests.conftest import ROOT


def run(*args):
    return subprocess.run([sys.executable, "-m", "course", *args], capture_output=True, text=True, cwd=ROOT)


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_an_unknown_command_exits_with_usage_error(capsys):
    assert main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err


def test_doctor_command_reports_ready_offline():
    out = run("doctor")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "offline sandbox" in out.stdout and "datasets" in out.stdout


def test_doctor_reports_missing_datasets_clearly(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    report = course.doctor()
    assert not report.ok
    assert "no CSV files" in str(report)


@pytest.mark.slow
@pytest.mark.xdist_group("check")
def test_self_check_exits_zero_on_the_solution_and_one_on_the_release():
    good = run("check", "solutions/00_start_here/00_start_here.ipynb")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "PASS" in good.stdout and "FAIL" not in good.stdout
    bad = run("check", "modules/00_start_here/00_start_here.ipynb")
    assert bad.returncode == 1
    assert sum(line.lstrip().startswith("FAIL") for line in bad.stdout.splitlines()) == 6  # module 00's grade cells


def test_self_check_of_a_corrupt_notebook_says_so(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{ not json")
    report = check(path)
    assert not report.passed
    assert "could not run broken.ipynb" in report.error


def test_self_check_inside_a_notebook_being_checked_does_nothing(monkeypatch):
    monkeypatch.setenv(CHECKING_ENV, "1")
    assert check("anything.ipynb") is None
