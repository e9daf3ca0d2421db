"""A small evaluation harness: the course's own task set, run through the course's LLM layer.

Each task is a question with one checkable answer (a number, or one word from a short list),
written by the course about the course's own material. :func:`evaluate` sends every task to every
model with ``course.compare`` and reports accuracy, cost and cost per correct answer.

Against the offline sandbox the results are SIMULATED, deterministically, by the rule documented in
:mod:`course.data._eval_tasks` (where the tasks live, so the sandbox can answer them too):

- every sandbox model has a *simulated skill* between 0 and 1 (``SIMULATED_SKILL``), chosen by the
  course to rank the models by size; it is not a benchmark score and not a measurement;
- every task has a *difficulty* between 0 and 1;
- a sandbox model answers a task correctly exactly when its skill is at least the task's difficulty,
  and otherwise gives the task's listed wrong answer (a typical slip, such as a unit error).

So the same model served by two sandbox providers gets the same answers (same weights) at different
prices and speeds, and a run gives the same table on every machine. Against live models the same
tasks and checks give real, non-deterministic results.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict

import pandas as pd

from course.data._eval_tasks import TASKS, Task
from course.llm._client import compare
from course.llm.servers._answers import MARKER

__all__ = ["Task", "check_answer", "eval_tasks", "evaluate"]


_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?|-?\.\d+")


def _task_list(tasks) -> list[Task]:
    if tasks is None:
        return list(TASKS)
    if isinstance(tasks, Task):
        return [tasks]
    by_id = {t.task_id: t for t in TASKS}
    chosen = []
    for item in tasks:
        if isinstance(item, Task):
            chosen.append(item)
        elif item in by_id:
            chosen.append(by_id[item])
        else:
            raise ValueError(f"unknown task {item!r}; choose from {sorted(by_id)} or pass Task objects")
    if not chosen:
        raise ValueError("tasks is empty: pass None for the course's whole task set")
    return chosen


def eval_tasks() -> pd.DataFrame:
    """Return the course's evaluation tasks as a table (one row per task).

    Examples
    --------
    >>> t = eval_tasks()
    >>> len(t), t["task_id"].is_unique
    (15, True)
    """
    return pd.DataFrame([asdict(t) for t in TASKS])


def _first_number(text: str) -> float | None:
    match = _NUMBER.search(text.replace("$", ""))
    if match is None:
        return None
    try:
        return float(match.group().replace(",", ""))
    except ValueError:
        return None


def check_answer(task: Task | str, text: str) -> bool:
    """Return whether a model's reply answers ``task`` correctly.

    The sandbox's ``[sandbox]`` marker is ignored. A number task is correct when the first number in the
    reply is within ``task.rel_tol`` of the answer (commas and ``$`` are ignored). A word task is correct
    when the reply names the right option and no other.

    Examples
    --------
    >>> check_answer("per-thousand", "[sandbox] 60")
    True
    >>> check_answer("per-thousand", "$60.00 per million")
    True
    >>> check_answer("per-thousand", "0.06")
    False
    >>> check_answer("open-weight-term", "Open-weight.")
    True
    """
    if isinstance(task, str):
        task = _task_list([task])[0]
    reply = str(text or "").replace(MARKER.strip(), "").strip().lower()
    if task.kind == "number":
        got = _first_number(reply)
        want = float(task.answer)
        return got is not None and abs(got - want) <= task.rel_tol * abs(want)
    named = {opt for opt in task.options if re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", reply)}
    return named == {task.answer}


def evaluate(
    models: Sequence[str] | str,
    tasks=None,
    *,
    per_task: bool = False,
    max_tokens: int = 32,
) -> pd.DataFrame:
    """Run the evaluation tasks through several models and score them.

    Every task goes to all models at once with ``course.compare``, so a failed call (rate limit,
    missing key) costs that model the task but does not stop the run.

    Parameters
    ----------
    models : list of str
        Model names as for ``course.ask``: ``sandbox/<profile>/<model>`` (SIMULATED, offline),
        ``local/<model>`` or a live provider's model.
    tasks : list of str or Task, optional
        Task ids from :func:`eval_tasks` or your own :class:`Task` objects. Default: all course tasks.
    per_task : bool, default False
        Return one row per (model, task) instead of the summary.
    max_tokens : int, default 32
        The most output tokens per answer.

    Returns
    -------
    pandas.DataFrame
        Summary, one row per model in the order given: ``model``, ``simulated``, ``tasks``, ``correct``,
        ``errors`` (failed calls), ``accuracy`` (correct / tasks), ``cost_usd`` (total),
        ``cost_per_correct_usd`` (total cost / correct answers; NaN with none correct) and
        ``mean_latency_s``. With ``per_task=True``: ``model``, ``task_id``, ``reply``, ``correct``,
        ``cost_usd``, ``latency_s``, ``error``, ``simulated``.

    Raises
    ------
    ValueError
        If no model is given or a task id is unknown.

    Examples
    --------
    >>> df = evaluate(["sandbox/chip/llama-3.1-8b", "sandbox/gpucloud/llama-3.1-405b"], ["fold-280", "per-thousand"])
    >>> df[["model", "correct", "accuracy"]].values.tolist()
    [['sandbox/chip/llama-3.1-8b', 1, 0.5], ['sandbox/gpucloud/llama-3.1-405b', 2, 1.0]]
    """
    names = [models] if isinstance(models, str) else list(models)
    if not names:
        raise ValueError("give at least one model, e.g. ['sandbox/chip/llama-3.1-8b']")
    chosen = _task_list(tasks)
    rows = []
    for task in chosen:
        frame = compare(task.prompt(), names, max_tokens=max_tokens)
        for record in frame.to_dict("records"):
            failed = record["error"] is not None and not (isinstance(record["error"], float))
            rows.append(
                {
                    "model": record["model"],
                    "task_id": task.task_id,
                    "reply": record["text"],
                    "correct": (not failed) and check_answer(task, record["text"]),
                    "cost_usd": 0.0 if failed else float(record["cost_usd"]),
                    "latency_s": float("nan") if failed else float(record["latency_s"]),
                    "error": record["error"] if failed else None,
                    "simulated": bool(record["simulated"]),
                }
            )
    detail = pd.DataFrame(rows)
    if per_task:
        return detail
    summary = []
    for name in names:
        part = detail[detail["model"] == name]
        correct = int(part["correct"].sum())
        cost = float(part["cost_usd"].sum())
        summary.append(
            {
                "model": name,
                "simulated": bool(part["simulated"].all()),
                "tasks": len(part),
                "correct": correct,
                "errors": int(part["error"].notna().sum()),
                "accuracy": correct / len(part),
                "cost_usd": cost,
                "cost_per_correct_usd": cost / correct if correct else float("nan"),
                "mean_latency_s": float(part["latency_s"].mean()),
            }
        )
    return pd.DataFrame(summary)
