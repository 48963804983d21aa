#!/usr/bin/env bash
# Train the Rasa model only when bot config, domain or data changed; the inputs' hash is kept beside the model.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BOT="$ROOT/bot"
RASA="${RASA_BIN:-$ROOT/.venv-rasa/bin/rasa}"
MODELS="$BOT/models"
MODEL="$MODELS/huisheng.tar.gz"
HASH_FILE="$MODELS/huisheng.inputs.sha256"
export RASA_TELEMETRY_ENABLED=false
# torch's OpenMP threads while `rasa train` tunes the e5 intent model (huisheng train-intents): passive waits,
# or they spin against TensorFlow and other jobs.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"

if [[ ! -x "$RASA" ]]; then
    echo "error: $RASA not found; run scripts/setup_rasa.sh first" >&2
    exit 1
fi

# The jieba user dictionary, our components, and the e5 intent model's tuning code and encoder build shape the
# model, so they are inputs too.
inputs_hash() {
    (
        cd "$ROOT"
        find bot/config.yml bot/domain.yml bot/data bot/components nlp/resources/jieba_dict nlp/intent \
            nlp/encoder data/models/e5-small/encoder_build.json -type f \
            -not -name "*.pyc" | LC_ALL=C sort |
            xargs sha256sum
        # The installed Rasa version (setup_rasa.sh's stamp): a new Rasa needs a new model.
        cat "$(dirname "$(dirname "$RASA")")/.huisheng-installed" 2>/dev/null || true
    ) | sha256sum | cut -d' ' -f1
}

want="$(inputs_hash)"
if [[ "${1:-}" != "--force" && -f "$MODEL" && -f "$HASH_FILE" && "$(cat "$HASH_FILE")" == "$want" ]]; then
    echo "Model $MODEL is up to date (inputs unchanged; pass --force to retrain)"
    exit 0
fi

mkdir -p "$MODELS"
cd "$BOT"
# nice: the machine is shared, and training is the heaviest thing the bot does.
nice -n 10 "$RASA" train --config config.yml --domain domain.yml --data data \
    --out models --fixed-model-name huisheng
echo "$want" >"$HASH_FILE"
echo "Trained $MODEL"
