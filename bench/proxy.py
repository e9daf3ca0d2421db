"""The LiteLLM proxy hop: K concurrent calls through it against one, and its cost per call.

    python -m bench.proxy            # needs the proxy extra: pip install -e '.[proxy]'

The real proxy (deploy/litellm-proxy/config.workshop.yaml) runs on 127.0.0.1 in front of
the loopback provider stand-ins (tests/standins), which answer after ``UPSTREAM_DELAY_S``
to stand for a provider's latency. Measured with the course's own calls (``course.ask``,
``course.compare``), so the numbers include the course's client and litellm.
Not part of ``python -m bench``: starting the proxy alone takes a minute or more here.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

UPSTREAM_DELAY_S = 0.5
MASTER = "sk-" + "bench-master-" + "0" * 16  # built at run time: no key-shaped literal
LEARNER = ("sk-" + "bench-learner-" + "0" * 16, 100.0)


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def run(*, repeats: int = 8, ks: tuple[int, ...] = (1, 4, 8, 16)) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    from tests.standins import StandIns
    from tests.standins.proxy import missing, running_proxy

    reason = missing()
    if reason:
        return f"skipped: {reason}"
    import course
    from course.llm import _providers

    with StandIns(delay_s=UPSTREAM_DELAY_S) as standins, tempfile.TemporaryDirectory() as tmp:
        upstream = {"GROQ_API_KEY": "gsk_" + "benchupstream" * 2, **standins.env()}
        with running_proxy(Path(tmp), master_key=MASTER, learners={"bench": LEARNER},
                           env=upstream) as proxy:
            os.environ.update(upstream)
            os.environ.update({"COURSE_LOCAL_BASE_URL": proxy["base"] + "/v1",
                               "COURSE_LOCAL_API_KEY": LEARNER[0], "COURSE_LLM_BACKEND": "auto"})
            _providers._probe_cache.clear()
            course.budget(limit_usd=1_000.0, reset=True)
            via_proxy, direct = "local/gpt-oss-20b", "groq/openai/gpt-oss-20b"
            for model in (via_proxy, direct):  # warm up both paths (and compare's pandas import)
                course.ask("warm up", model=model, max_tokens=16)
            course.compare("warm up", [via_proxy, direct], max_tokens=16)
            rows = []
            times = {m: [_timed(lambda m=m, i=i: course.ask(f"Hi {i}", model=m, max_tokens=16))
                         for i in range(repeats)] for m in (direct, via_proxy)}
            one_direct, one_proxy = (statistics.median(times[m]) for m in (direct, via_proxy))
            rows.append(f"| one call, direct to the provider stand-in | {one_direct:.3f} s |")
            rows.append(f"| one call through the proxy | {one_proxy:.3f} s |")
            rows.append(f"| proxy overhead per call (median difference) | {one_proxy - one_direct:.3f} s |")
            for k in ks:
                walls = [_timed(lambda k=k, i=i: course.compare(f"Run {i}", [via_proxy] * k, max_tokens=16))
                         for i in range(max(3, repeats // 2))]
                wall = statistics.median(walls)
                rows.append(f"| {k} concurrent calls through the proxy | {wall:.3f} s "
                            f"({wall / one_proxy:.2f}x one call) |")
    header = (f"Upstream stand-in delay {UPSTREAM_DELAY_S} s; proxy startup {proxy['startup_s']:.0f} s; "
              f"medians of {repeats} calls.\n\n| measurement | wall time |\n|---|---|\n")
    return header + "\n".join(rows)


if __name__ == "__main__":
    print(run())
