#!/usr/bin/env bash
# Starts Huisheng on the embedded default: the bot's action server and Rasa server in the background,
# the API in the foreground. Ctrl-C stops all three. Logs of the background two go to data/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false

mkdir -p data/logs
# The secrets the three processes share: made once into data/secrets.env (0600) outside production;
# production sets HUISHENG_APP_SECRET_KEY, HUISHENG_RASA_TOKEN and HUISHENG_RASA_ACTION_TOKEN itself.
eval "$(.venv/bin/huisheng dev-secrets)"
endpoints="$(.venv/bin/huisheng bot-endpoints)"
read -r action_port api_port < <(.venv/bin/python -c \
    'from huisheng.settings import load_settings; s = load_settings(); print(s.rasa.action_port, s.app.port)')
# Where Rasa pushes bot messages produced outside a customer's request (bot/channels/relay.py).
export HUISHENG_BOT_PUSH_URL="http://127.0.0.1:${api_port}/api/bot/messages"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [[ -x .venv-rasa/bin/rasa && -f bot/models/huisheng.tar.gz ]]; then
    # Loopback only, and it runs actions only for a caller with HUISHENG_RASA_ACTION_TOKEN (Rasa).
    .venv/bin/python -m bot.action_server --port "$action_port" >data/logs/actions.log 2>&1 &
    pids+=($!)
    # --auth-token guards Rasa's HTTP API (trackers); the relay channel checks the same token.
    (cd bot && exec ../.venv-rasa/bin/rasa run --enable-api --auth-token "$HUISHENG_RASA_TOKEN" \
        -m models/huisheng.tar.gz --endpoints "$endpoints" --credentials credentials.yml \
        --interface 127.0.0.1 --port 5005) >data/logs/rasa.log 2>&1 &
    pids+=($!)
    echo "bot: action server on 127.0.0.1:$action_port, Rasa on 127.0.0.1:5005 (ready in about a minute; logs in data/logs/)"
else
    echo "bot: not installed (run 'make run'); the API answers chat with an apology until it is" >&2
fi

.venv/bin/huisheng serve "$@"
