"""Servers that speak the OpenAI wire protocol on 127.0.0.1: the offline sandbox.

Infrastructure only: depends on :mod:`course.data` (profiles, task answers) and
:mod:`course._base`, never on the rest of :mod:`course.llm` or on topic code.
"""
