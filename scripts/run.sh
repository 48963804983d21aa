#!/usr/bin/env bash
# Starts Huisheng on the embedded default: the API (and, when installed, the Rasa bot beside it).
set -euo pipefail
cd "$(dirname "$0")/.."

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

exec_api() {
    .venv/bin/huisheng serve "$@"
}

exec_api "$@"
