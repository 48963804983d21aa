"""Runs the Rasa CLI with every graph node timed, to show which component or policy a chat turn's CPU goes to.

    cd bot && ../.venv-rasa/bin/python ../scripts/profile_rasa_nodes.py --out /tmp/nodes.json -- \\
        run --enable-api -m models/huisheng.tar.gz ...

Each call of a node of the model's graph (tokenizer, featurizers, classifiers, each policy, the ensemble) adds
the process CPU time (user + system, all threads: TensorFlow's and ONNX Runtime's included) spent inside it.
Nodes run one at a time within a graph run, so the deltas do not overlap; drive the server one conversation at
a time (`scripts/bench_chat.py -c 1`) to keep other requests' work out of them. The totals are written as JSON
on SIGUSR1 and at exit, and SIGUSR2 forgets what was counted so far (send it after a warm-up);
`--report FILE --turns N` prints them per turn, largest first. `--pstats FILE` also runs cProfile on the
server's event-loop thread, for the CPU spent outside the graph (tracker store, events, action calls).
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import json
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# Per node: (process CPU seconds, wall seconds) of every call.
_calls: dict[str, list[tuple[float, float]]] = defaultdict(list)


def _install(out: Path, pstats: Path | None) -> None:
    from rasa.engine.graph import GraphNode  # only in the Rasa environment

    original = GraphNode.__call__

    def timed(self: Any, *inputs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return original(self, *inputs)
        finally:
            _calls[self._node_name].append((time.process_time() - cpu, time.perf_counter() - wall))

    GraphNode.__call__ = timed  # type: ignore[method-assign]
    # Everything else the server does on its event loop (tracker store, events, HTTP to the action server)
    # shows only in a profile of the whole thread.
    profiler = cProfile.Profile() if pstats else None

    def dump(*_: object) -> None:
        out.write_text(json.dumps(_calls, sort_keys=True), encoding="utf-8")
        if profiler is not None and pstats is not None:
            profiler.dump_stats(pstats)  # stops the profiler: start it again
            profiler.enable()

    def reset(*_: object) -> None:
        _calls.clear()
        if profiler is not None:
            profiler.clear()

    signal.signal(signal.SIGUSR1, dump)
    signal.signal(signal.SIGUSR2, reset)
    atexit.register(dump)
    if profiler is not None:
        profiler.enable()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(path: Path, turns: int) -> None:
    nodes = json.loads(path.read_text(encoding="utf-8"))
    cpu = {name: sum(c for c, _ in calls) for name, calls in nodes.items()}
    total = sum(cpu.values())
    print(f"{'node':<58} {'CPU ms/turn':>11} {'share':>6} {'calls/turn':>10} {'wall p50/p95 ms':>16}")
    for name in sorted(nodes, key=lambda n: -cpu[n]):
        walls = [1000 * w for _, w in nodes[name]]
        print(
            f"{name:<58} {1000 * cpu[name] / turns:11.1f} {cpu[name] / total:6.1%} "
            f"{len(walls) / turns:10.2f} {_percentile(walls, 0.5):7.1f} /{_percentile(walls, 0.95):7.1f}"
        )
    print(f"{'all graph nodes':<58} {1000 * total / turns:11.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="where the server writes its node totals (JSON)")
    parser.add_argument("--report", type=Path, help="print a totals file per turn instead of running Rasa")
    parser.add_argument("--turns", type=int, default=1, help="turns the totals cover (with --report)")
    parser.add_argument("--pstats", type=Path, help="also profile the server's main thread into this file")
    args, rasa_args = parser.parse_known_args()
    if args.report:
        report(args.report, args.turns)
        return
    if args.out is None:
        parser.error("--out is required to run Rasa")
    _install(args.out, args.pstats)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *[arg for arg in rasa_args if arg != "--"]]
    rasa_main()


if __name__ == "__main__":
    main()
