"""K models answering one prompt concurrently (``course.compare``) against one after another."""

from __future__ import annotations

import os
import time

from bench._report import table

TIME_SCALE = 0.5


def run(*, small: bool = False, repeats: int = 3) -> tuple[str, dict]:
    os.environ["COURSE_LLM_BACKEND"] = "sandbox"
    import course
    from course.llm._budget import budget
    from course.llm.servers._sandbox import sandbox

    box = sandbox(time_scale=TIME_SCALE)
    models = sorted(f"sandbox/{name}" for name in box.models)  # every simulated model
    ks = [2] if small else [2, 4, len(models)]
    repeats = 1 if small else repeats
    rows, figures = [], {}
    budget(limit_usd=1_000.0, reset=True)  # the benchmark is not about the budget
    course.ask("warm up", model=models[0])
    for k in ks:
        chosen = models[:k]
        seq, con, ideal = [], [], []
        for i in range(repeats):
            prompt = f"What is throughput? (run {i})"
            singles = []
            for model in chosen:
                start = time.perf_counter()
                course.ask(prompt, model=model)
                singles.append(time.perf_counter() - start)
            seq.append(sum(singles))
            ideal.append(sum(singles) / max(singles))
            start = time.perf_counter()
            frame = course.compare(prompt, chosen)
            con.append(time.perf_counter() - start)
            assert frame["error"].isna().all() or (frame["error"] == "").all(), frame["error"].tolist()
        s, c = min(seq), min(con)
        best = max(ideal)
        figures[k] = s / c
        rows.append([k, s, c, s / c, best, (s / c) / best])
    body = table(["K models", "one after another s", "concurrent s", "speed-up",
                  "ideal (sum / slowest)", "share of ideal"], rows)
    body += (f"\n\nAgainst the offline sandbox on 127.0.0.1 (simulated latencies at {TIME_SCALE}x their simulated length, so that waiting on the network dominates as it does on real calls); "
             "best of each set of runs. The models' latencies differ, so the ideal speed-up is the sum "
             "of the single calls over the slowest one; it reaches K only when all take equally long.")
    return body, figures
