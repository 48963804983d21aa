#!/usr/bin/env bash
# 5-fold cross-validation of the bot's NLU; writes docs/nlu_report.md (macro-F1, per-intent P/R/F1, worst intents).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RASA="${RASA_BIN:-$ROOT/.venv-rasa/bin/rasa}"
FOLDS="${FOLDS:-5}"
OUT="$ROOT/bot/results/nlu-cv"
REPORT="$ROOT/docs/nlu_report.md"
export RASA_TELEMETRY_ENABLED=false

if [[ ! -x "$RASA" ]]; then
    echo "error: $RASA not found; run scripts/setup_rasa.sh first" >&2
    exit 1
fi

rm -rf "$OUT"
mkdir -p "$OUT"
cd "$ROOT/bot"
started=$(date +%s)
nice -n 10 "$RASA" test nlu --nlu data/nlu --config config.yml --cross-validation --folds "$FOLDS" \
    --out "$OUT" --no-plot
elapsed=$(($(date +%s) - started))
# The report writer needs only the standard library; the Rasa venv's Python is always there.
"$(dirname "$RASA")/python" "$ROOT/scripts/nlu_report_md.py" \
    --intent-report "$OUT/intent_report.json" --folds "$FOLDS" --seconds "$elapsed" --out "$REPORT"
echo "Wrote $REPORT"
