"""What is committed: clean notebooks with nbgrader metadata, no secrets, no .env."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from course._base._env import PROVIDERS
from tests.conftest import ROOT

# The shapes of real provider keys (OpenAI, Anthropic, Groq, Google, OpenRouter, ...).
KEY_SHAPES = re.compile(
    r"(sk-[A-Za-z0-9_-]{20,}|sk-ant-[A-Za-z0-9_-]{20,}|gsk_[A-Za-z0-9]{20,}"
    r"|AIza[0-9A-Za-z_-]{30,}|sk-or-v1-[0-9a-f]{20,}|fw_[A-Za-z0-9]{20,}|csk-[a-z0-9]{20,})"
)


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return out.stdout.split()


def tracked_notebooks() -> list[str]:
    return [f for f in tracked_files() if f.endswith(".ipynb")]


def test_committed_notebooks_have_no_outputs_or_execution_counts():
    dirty = []
    for name in tracked_notebooks():
        nb = json.loads((ROOT / name).read_text(encoding="utf-8"))
        for index, cell in enumerate(nb["cells"]):
            if cell.get("outputs") or cell.get("execution_count"):
                dirty.append(f"{name} cell {index}")
    assert not dirty, "strip outputs (make modules does it): " + ", ".join(dirty)


def test_committed_notebooks_keep_nbgrader_metadata_on_graded_cells():
    for name in tracked_notebooks():
        if not name.startswith(("solutions/", "modules/")):
            continue
        nb = json.loads((ROOT / name).read_text(encoding="utf-8"))
        graded = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
        assert graded, f"{name} has no nbgrader grade cells"
        for cell in graded:
            meta = cell["metadata"]["nbgrader"]
            assert meta.get("grade_id") and meta.get("points", 0) > 0, f"{name}: {meta}"


def test_no_tracked_file_contains_something_shaped_like_an_api_key():
    found = []
    for name in tracked_files():
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if KEY_SHAPES.search(text):
            found.append(name)
    assert not found, f"files with key-shaped strings: {found}"


def test_the_key_pattern_does_catch_a_key():
    assert KEY_SHAPES.search("OPENAI_API_KEY=sk-" + "a" * 40)
    assert KEY_SHAPES.search("gsk_" + "B" * 40)


def test_env_file_is_ignored_and_never_tracked():
    assert ".env" not in tracked_files()
    out = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert out.returncode == 0, ".env must be git-ignored"


def test_env_example_lists_every_provider_key_name_with_no_values():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = {line.split("=")[0] for line in text.splitlines() if "=" in line and not line.startswith("#")}
    for provider in PROVIDERS:
        assert provider.env_vars[0] in names, provider.name
    values = [line for line in text.splitlines()
              if "=" in line and not line.startswith("#") and line.split("=", 1)[1].strip()]
    assert not values, f".env.example must not hold values: {values}"


def test_grading_scratch_folders_are_ignored():
    for name in ("submitted/x", "autograded/x", "feedback/x", "release/x", "gradebook.db"):
        out = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT)
        assert out.returncode == 0, f"{name} should be git-ignored"
