#!/usr/bin/env bash
# Starts Huisheng on the embedded default: the bot's action server and Rasa server in the background,
# the API in the foreground. Ctrl-C stops all three. Logs of the background two go to data/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false

mkdir -p data/logs
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [[ -x .venv-rasa/bin/rasa && -f bot/models/huisheng.tar.gz ]]; then
    .venv/bin/python -m rasa_sdk --actions bot.actions --port 5055 >data/logs/actions.log 2>&1 &
    pids+=($!)
    (cd bot && exec ../.venv-rasa/bin/rasa run --enable-api -m models/huisheng.tar.gz \
        --endpoints endpoints.yml --credentials credentials.yml \
        --interface 127.0.0.1 --port 5005) >data/logs/rasa.log 2>&1 &
    pids+=($!)
    echo "bot: action server on :5055, Rasa on :5005 (ready in about a minute; logs in data/logs/)"
else
    echo "bot: not installed (run 'make run'); the API answers chat with an apology until it is" >&2
fi

.venv/bin/huisheng serve "$@"
