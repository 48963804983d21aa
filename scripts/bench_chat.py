"""Sends N scripted conversations to a running bot and reports per-turn latency (p50/p95) and turns/second.

    .venv/bin/python scripts/bench_chat.py --target rasa --url http://127.0.0.1:5005 -n 50
    .venv/bin/python scripts/bench_chat.py --target api  --url http://127.0.0.1:8000 -n 50

`rasa` posts to Rasa's relay channel (with HUISHENG_RASA_TOKEN, as the relay does); `api` is the widget's round
trip: a signed visitor, then each message through Huisheng's endpoint, which also stores every turn and scores
its sentiment. Only loopback URLs are accepted: this is a load generator.

`--cpu-ports 5005 8000 5055` also reports the CPU each server spent per turn (user + system time of the process
listening on each port, read before and after the run), which is what caps turns/s on a small machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlparse

import httpx
import psutil

from huisheng.clients.rasa import WEBHOOK_PATH

# Order numbers of other customers are not revealed, so the script asks about one it does not own:
# the bot must still look it up (and refuse), which is the realistic cost.
SCRIPT = (
    "你好",
    "我的订单202400000001到哪了",
    "退货政策是怎样的",
    "可以开发票吗",
    "怎么付款",
    "谢谢",
)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True, slots=True)
class Result:
    latencies: list[float]
    failures: int


def run_conversation(client: httpx.Client, target: str, index: int) -> Result:
    visitor = f"bench-{index:05d}-{uuid.uuid4().hex[:8]}"
    latencies: list[float] = []
    failures = 0
    headers = {"Authorization": f"Bearer {os.environ.get('HUISHENG_RASA_TOKEN', '')}"}
    if target == "api":
        token = client.post("/api/chat/visitors", json={}).json()["visitor_token"]
        headers = {"Authorization": f"Bearer {token}"}
    for number, text in enumerate(SCRIPT):
        if target == "rasa":
            request = (WEBHOOK_PATH, {"sender": f"web:{visitor}", "message": text})
        else:
            request = ("/api/chat/messages", {"text": text, "client_id": f"{visitor}-{number}"})
        started = time.perf_counter()
        try:
            response = client.post(request[0], json=request[1], headers=headers)
            response.raise_for_status()
        except httpx.HTTPError:
            failures += 1
            continue
        latencies.append(time.perf_counter() - started)
    return Result(latencies, failures)


def listening_processes(ports: list[int]) -> dict[int, psutil.Process]:
    """The process listening on each port (all must be found: a missing server would read as free)."""
    found: dict[int, psutil.Process] = {}
    for connection in psutil.net_connections(kind="tcp"):
        port = connection.laddr.port if connection.laddr else None
        if connection.status == psutil.CONN_LISTEN and port in ports and connection.pid:
            found[port] = psutil.Process(connection.pid)
    missing = sorted(set(ports) - set(found))
    if missing:
        raise SystemExit(f"nothing listens on port(s) {missing}")
    return found


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", choices=["rasa", "api"], default="rasa")
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("-n", "--conversations", type=int, default=30)
    parser.add_argument("-c", "--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument(
        "--cpu-ports", type=int, nargs="*", default=[], help="ports whose listening process's CPU to report"
    )
    args = parser.parse_args()
    if urlparse(args.url).hostname not in LOOPBACK:
        parser.error("only loopback URLs (127.0.0.1, localhost) may be benchmarked")

    with httpx.Client(base_url=args.url, timeout=args.timeout) as client:
        run_conversation(client, args.target, -1)  # warm-up: first-turn model loading is not steady state
        servers = listening_processes(args.cpu_ports)
        cpu_before = {port: cpu_seconds(process) for port, process in servers.items()}
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            results = list(
                pool.map(lambda i: run_conversation(client, args.target, i), range(args.conversations))
            )
        elapsed = time.perf_counter() - started
        cpu_spent = {port: cpu_seconds(process) - cpu_before[port] for port, process in servers.items()}

    latencies = [value for result in results for value in result.latencies]
    failures = sum(result.failures for result in results)
    if not latencies:
        print("every turn failed: is the server running?", file=sys.stderr)
        return 1
    print("| target | conversations | turns | concurrency | p50 ms | p95 ms | turns/s | failed |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {args.target} | {args.conversations} | {len(latencies)} | {args.concurrency} "
        f"| {percentile(latencies, 0.5) * 1000:.0f} | {percentile(latencies, 0.95) * 1000:.0f} "
        f"| {len(latencies) / elapsed:.1f} | {failures} |"
    )
    print(f"(mean {statistics.mean(latencies) * 1000:.0f} ms over {elapsed:.1f} s)")
    for port, seconds in cpu_spent.items():
        name = " ".join(servers[port].cmdline()[:4])[:80]
        print(f"CPU per turn, port {port} ({name}): {seconds / len(latencies) * 1000:.1f} ms")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
