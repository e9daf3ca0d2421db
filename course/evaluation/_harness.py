"""A small evaluation harness: the course's own task set, run through the course's LLM layer.

Each task is a question with one checkable answer (a number, or one word from a short list),
written by the course about the course's own material. :func:`evaluate` sends every task to every
model with ``course.compare`` and reports accuracy, cost and cost per correct answer.

Against the offline sandbox the results are SIMULATED, deterministically:

- every sandbox model has a *simulated skill* between 0 and 1 (:data:`SIMULATED_SKILL`), chosen by the
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
from dataclasses import asdict, dataclass

import pandas as pd

__all__ = [
    "SIMULATED_SKILL",
    "TASKS",
    "Task",
    "check_answer",
    "eval_tasks",
    "evaluate",
    "simulated_answer",
]


@dataclass(frozen=True)
class Task:
    """One evaluation task: a question with a checkable answer."""

    task_id: str
    topic: str
    question: str
    answer: str  # the correct answer, as the checker reads it
    kind: str  # "number" (compared with a relative tolerance) or "word" (one of ``options``)
    wrong: str  # the SIMULATED wrong answer a weaker sandbox model gives
    difficulty: float  # 0 to 1, used only by the sandbox simulation
    options: tuple[str, ...] = ()
    rel_tol: float = 0.01

    def prompt(self) -> str:
        """The prompt sent to a model: the question and how to answer."""
        if self.kind == "number":
            how = "Reply with the number only, no units and no explanation."
        else:
            how = f"Reply with one of: {', '.join(self.options)}. No explanation."
        return f"{self.question}\n{how}"


# The course's task set. Answers follow from the course's sources (shared fact sheet) or from
# arithmetic; the wrong answers are the slips the course warns about.
TASKS: tuple[Task, ...] = (
    Task("fold-280", "cost collapse",
         "A price fell from $20 to $0.07 per million tokens. How many times cheaper is it? Round to a whole number.",
         "286", "number", "280", 0.62),
    Task("per-thousand", "units",
         "A model costs $0.06 per thousand tokens. What is that in dollars per million tokens?",
         "60", "number", "0.06", 0.12),
    Task("blend-3-1", "units",
         "Input costs $0.04 and output $0.15 per million tokens. What is the 3:1 blended price in dollars "
         "per million tokens? Round to two decimals.",
         "0.07", "number", "0.1", 0.55, rel_tol=0.05),
    Task("decline-10x", "cost collapse",
         "A price falls 10x every year. What fraction of the price is lost each year? Answer as a decimal.",
         "0.9", "number", "0.1", 0.30),
    Task("memory-fp16", "self-hosting",
         "How many gigabytes do the weights of a 70-billion-parameter model take at 16-bit precision?",
         "140", "number", "70", 0.20),
    Task("memory-int4", "self-hosting",
         "How many gigabytes do the weights of a 70-billion-parameter model take at 4-bit precision?",
         "35", "number", "140", 0.48),
    Task("monthly-bill", "units",
         "An application uses 250 million tokens a month at $2 per million tokens. What is the monthly bill in dollars?",
         "500", "number", "500000000", 0.08),
    Task("gpu-month", "self-hosting",
         "One GPU rented at $2 per hour runs for a 730-hour month. What does the month cost in dollars?",
         "1460", "number", "48", 0.25),
    Task("call-cost", "units",
         "A call sends 1,000 input tokens at $3 per million and receives 500 output tokens at $15 per million. "
         "What does the call cost in dollars?",
         "0.0105", "number", "0.0165", 0.70),
    Task("llama-mau", "licences",
         "Above how many million monthly active users does the Llama 3.1 Community License require a separate "
         "licence from Meta? Answer in millions.",
         "700", "number", "100", 0.40),
    Task("mistral-7b-licence", "licences",
         "Which licence are the weights of Mistral 7B released under?",
         "apache-2.0", "word", "llama", 0.35, options=("apache-2.0", "mit", "llama", "proprietary")),
    Task("open-weight-term", "openness",
         "A model's weights can be downloaded, but its training data and training code are not published. "
         "Is it open-weight or open-source?",
         "open-weight", "word", "open-source", 0.78, options=("open-weight", "open-source")),
    Task("halving", "cost collapse",
         "A price halves every 12 months. What fraction of it is lost per year? Answer as a decimal.",
         "0.5", "number", "0.25", 0.15),
    Task("bill-next-year", "cost collapse",
         "A workload costs $1,000 a month today and its price falls 10x a year. What will the same workload cost "
         "a month in one year, in dollars?",
         "100", "number", "900", 0.45),
    Task("breakeven", "self-hosting",
         "Self-hosting costs a fixed $1,460 a month and the API costs $2 per million tokens. At how many million "
         "tokens a month do the two cost the same?",
         "730", "number", "2920", 0.88),
)

#: SIMULATED skill of each sandbox model (by model name, whatever the provider), chosen by the course
#: to order the models by size. Not a benchmark score.
SIMULATED_SKILL: dict[str, float] = {
    "llama-3.1-8b": 0.33,
    "llama-3.1-70b": 0.65,
    "gpt-4o-mini": 0.75,
    "llama-3.1-405b": 0.85,
}

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?|-?\.\d+")
_MARKER = "[sandbox]"


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
    reply = str(text or "").replace(_MARKER, "").strip().lower()
    if task.kind == "number":
        got = _first_number(reply)
        want = float(task.answer)
        return got is not None and abs(got - want) <= task.rel_tol * abs(want)
    named = {opt for opt in task.options if re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", reply)}
    return named == {task.answer}


def simulated_answer(prompt: str, model: str | None) -> str | None:
    """Return the sandbox's SIMULATED reply to an evaluation task, or None if ``prompt`` is not one.

    ``model`` is the sandbox's model name (``"chip/llama-3.1-8b"`` or just ``"llama-3.1-8b"``). A model
    answers correctly when its :data:`SIMULATED_SKILL` is at least the task's difficulty, otherwise it
    gives the task's wrong answer. A model without a skill, or no model, answers correctly.

    Examples
    --------
    >>> task = TASKS[0]
    >>> simulated_answer(task.prompt(), "chip/llama-3.1-8b"), simulated_answer(task.prompt(), "gpucloud/llama-3.1-405b")
    ('280', '286')
    >>> simulated_answer("What is a token?", "chip/llama-3.1-8b") is None
    True
    """
    lowered = prompt.lower()
    for task in TASKS:
        if task.question.lower() in lowered:
            skill = SIMULATED_SKILL.get(str(model or "").split("/")[-1])
            if skill is None or skill >= task.difficulty:
                return task.answer
            return task.wrong
    return None


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
    from course.llm._client import compare

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
