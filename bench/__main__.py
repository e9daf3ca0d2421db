"""Run the benchmarks, print their tables and write bench/results.md.

    python -m bench                 # all of them
    python -m bench imports notebooks concurrent grading selfcheck local
    python -m bench --small         # a tiny input each: the smoke test uses this
"""

from __future__ import annotations

import argparse
import importlib
import sys

from bench._report import write_results

BENCHES = {
    "imports": ("bench.import_time", "Import time"),
    "notebooks": ("bench.notebooks", "Module run time (solution notebooks, offline)"),
    "concurrent": ("bench.concurrent", "Concurrent live calls (sandbox)"),
    "grading": ("bench.grading", "Autograding a class: plain nbgrader against course grade"),
    "selfcheck": ("bench.self_check", "Self-check latency (one part, in the live kernel)"),
    "local": ("bench.local_model", "Local model (SmolLM2-135M): prefill, decode, batching, memory"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHES)} (default: all)")
    parser.add_argument("--small", action="store_true", help="tiny inputs (smoke test)")
    parser.add_argument("--output", help="write results here instead of bench/results.md")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHES)
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {sorted(BENCHES)}")
    sections = []
    for name in names:
        module_name, title = BENCHES[name]
        module = importlib.import_module(module_name)
        print(f"== {title}", flush=True)
        body, _ = module.run(small=args.small)
        print(body + "\n", flush=True)
        sections.append((title, body))
    kwargs = {"path": __import__("pathlib").Path(args.output)} if args.output else {}
    print(f"wrote {write_results(sections, **kwargs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
