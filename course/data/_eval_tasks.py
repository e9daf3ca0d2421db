"""The course's evaluation task set: questions with one checkable answer each (course-authored data).

Two layers read it: the evaluation harness (:mod:`course.evaluation`), which sends the tasks to
models and checks the replies, and the offline sandbox (:mod:`course.llm.servers`), which answers
them with the SIMULATED rule below. Keeping the data here, below both, is what lets the sandbox
answer module 08's tasks without importing topic code.

SIMULATED rule: every sandbox model has a *simulated skill* between 0 and 1
(:data:`SIMULATED_SKILL`), chosen by the course to rank the models by size (not a benchmark score);
every task has a *difficulty*; a sandbox model answers a task correctly exactly when its skill is
at least the task's difficulty, and otherwise gives the task's listed wrong answer.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SIMULATED_SKILL", "TASKS", "Task"]


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
