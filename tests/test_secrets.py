"""Keys stay secret: never printed, never in a notebook's outputs, never in an error."""

from __future__ import annotations

import json
import os

import pytest

import course
from course._base._env import load_dotenv, provider_keys, redact
from course.grading._check import run_notebook
from tests.conftest import ROOT

FAKE_KEY = "gsk_" + "FAKEKEYFORTESTS" * 3  # built at run time: no key-shaped literal in the repo


def test_provider_keys_names_providers_never_values(monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", FAKE_KEY)
    names = provider_keys(load_env_file=False)
    assert names == ["groq"]
    assert FAKE_KEY not in repr(names)


def test_doctor_shows_provider_names_but_never_a_key(monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", FAKE_KEY)
    report = course.doctor()
    text = str(report) + report._repr_html_()
    assert "groq" in text
    assert FAKE_KEY not in text


def test_dotenv_loads_keys_without_overriding_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MISTRAL_API_KEY", "from-environment")
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    (tmp_path / ".env").write_text("MISTRAL_API_KEY=from-file\nDEEPSEEK_API_KEY='abc12345'\nOPENAI_API_KEY=\n")
    names = load_dotenv(tmp_path / ".env")
    assert names == ["DEEPSEEK_API_KEY"]
    assert os.environ["MISTRAL_API_KEY"] == "from-environment"
    assert os.environ["DEEPSEEK_API_KEY"] == "abc12345"
    assert "OPENAI_API_KEY" not in os.environ or os.environ["OPENAI_API_KEY"] != ""
    monkeypatch.delenv("DEEPSEEK_API_KEY")


def test_redact_removes_every_set_key_from_a_message(monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", FAKE_KEY)
    assert redact(f"401: invalid key {FAKE_KEY}") == "401: invalid key [redacted]"


@pytest.mark.slow
def test_a_key_in_the_environment_never_reaches_a_notebooks_outputs(monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", FAKE_KEY)
    monkeypatch.setenv("COURSE_LLM_BACKEND", "sandbox")  # a fake key must not send calls out
    nb = run_notebook(ROOT / "solutions" / "00_start_here" / "00_start_here.ipynb", timeout=60)
    outputs = json.dumps([cell.get("outputs", []) for cell in nb.cells])
    assert "groq" in outputs  # the doctor cell ran and named the provider...
    assert FAKE_KEY not in outputs  # ...but never showed its key
