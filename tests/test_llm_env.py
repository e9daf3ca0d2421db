"""Keys from ``.env``, read with python-dotenv: comments and quotes never become part of a key."""

from __future__ import annotations

import doctest
import os

import pytest

import course._base._env
import course.llm._budget
import course.llm._providers
from course._base._env import load_dotenv


def test_an_inline_comment_never_becomes_part_of_a_key(tmp_path, monkeypatch):
    for var in ("GROQ_API_KEY", "OPENAI_API_KEY", "MISTRAL_API_KEY", "DEEPSEEK_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / ".env").write_text(
        "GROQ_API_KEY=gsk-value-one   # my groq key\n"
        "export OPENAI_API_KEY='sk-value two' # quoted, then a comment\n"
        "MISTRAL_API_KEY=\"abc#def\"\n"
        "DEEPSEEK_API_KEY=   # left empty on purpose\n", encoding="utf-8")
    names = load_dotenv(tmp_path / ".env")
    assert names == ["GROQ_API_KEY", "OPENAI_API_KEY", "MISTRAL_API_KEY"]
    assert os.environ["GROQ_API_KEY"] == "gsk-value-one"
    assert os.environ["OPENAI_API_KEY"] == "sk-value two"
    assert os.environ["MISTRAL_API_KEY"] == "abc#def"  # a # inside quotes is part of the value
    assert "DEEPSEEK_API_KEY" not in os.environ


def test_the_env_budget_and_provider_examples_run():
    for module in (course._base._env, course.llm._budget, course.llm._providers):
        failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert tried > 0 and failed == 0, module.__name__


def test_grading_kernels_do_not_load_dotenv(tmp_path, monkeypatch):
    """With COURSE_NO_DOTENV set (as in grading kernels) a .env file is ignored."""
    (tmp_path / ".env").write_text("COURSE_TEST_SECRET_KEY=from-dotenv\n")
    monkeypatch.delenv("COURSE_TEST_SECRET_KEY", raising=False)
    monkeypatch.setenv("COURSE_NO_DOTENV", "1")
    assert course._base._env.load_dotenv(tmp_path / ".env") == []
    assert "COURSE_TEST_SECRET_KEY" not in os.environ
    monkeypatch.delenv("COURSE_NO_DOTENV")
    assert course._base._env.load_dotenv(tmp_path / ".env") == ["COURSE_TEST_SECRET_KEY"]
    monkeypatch.delenv("COURSE_TEST_SECRET_KEY")


def test_grading_refuses_live_models_even_with_a_key(monkeypatch):
    """While grading, a live model is refused before any key is read; the sandbox still answers."""
    from course.llm._errors import ProviderDownError
    from course.llm._providers import resolve

    monkeypatch.setenv("GROQ_API_KEY", "gsk_" + "x" * 30)
    monkeypatch.setenv("COURSE_GRADING", "1")
    with pytest.raises(ProviderDownError, match="grading runs offline"):
        resolve("groq/openai/gpt-oss-20b")
    assert resolve("sandbox/chip/llama-3.1-8b").backend == "sandbox"
