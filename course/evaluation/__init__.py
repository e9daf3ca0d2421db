"""The course's evaluation harness (module 08): its task set run through the LLM layer.

Sits above :mod:`course.llm` because it calls models; the task data it runs lives in
:mod:`course.data._eval_tasks`, where the sandbox reads it too.
"""
