#!/usr/bin/env bash
# Create the separate Rasa 3.6 environment (.venv-rasa/); Rasa needs Python <3.11 and old pins (docs: notes/rasa.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${RASA_VENV:-$ROOT/.venv-rasa}"
RASA_SPEC="rasa[jieba]==3.6.21"
# opencc: bot/components normalises traditional to simplified Chinese before tokenising.
# pypinyin: bot/components counts the pinyin of each token, so homophone typos (腿货/退货) match.
# onnxruntime, tokenizers: bot/components/e5_intent_classifier.py serves the fine-tuned e5 intent model
# through nlp.intent.runtime, which this env sees by a link to nlp/ alone (below), never the product's stack.
# jsonschema 3.2, the oldest Rasa allows: Rasa checks every reply of the action server with
# jsonschema.validate, which first checks the schema itself against its metaschema; 4.x checks it against
# draft 2020-12 in 23 ms, 3.2 against draft 7 in 2.3 ms, and a chat turn gets 2–3 replies (bot/README.md).
EXTRA_SPECS=("psycopg2-binary" "opencc>=1.1.9,<2" "pypinyin>=0.51,<1" "onnxruntime==1.20.1" "tokenizers==0.23.3"
    "jsonschema==3.2.0")
# The stamp records what was installed; a changed spec reinstalls, an unchanged one skips the 2.7 GB install.
STAMP="$VENV/.huisheng-installed"
# Every package pinned to a set known to work together: Rasa's own ranges admit releases that break it.
CONSTRAINTS="$ROOT/bot/requirements-rasa.lock"
WANT="$RASA_SPEC ${EXTRA_SPECS[*]} $(sha256sum "$CONSTRAINTS" | cut -c1-16)"
export RASA_TELEMETRY_ENABLED=false
export PIP_DISABLE_PIP_VERSION_CHECK=1

find_python310() {
    local candidate
    if command -v pyenv >/dev/null 2>&1; then
        candidate="$(pyenv root)/versions/3.10.13/bin/python"
        if [[ -x "$candidate" ]]; then echo "$candidate"; return 0; fi
        # Any other 3.10.x pyenv build is fine too.
        for candidate in "$(pyenv root)"/versions/3.10.*/bin/python; do
            if [[ -x "$candidate" ]]; then echo "$candidate"; return 0; fi
        done
    fi
    if command -v python3.10 >/dev/null 2>&1; then command -v python3.10; return 0; fi
    return 1
}

# The pure nlp library (and nothing else of the repo) on the env's path, through a folder holding one link:
# the checkout may move, so this is rewritten on every run.
link_nlp() {
    local site
    site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    mkdir -p "$VENV/huisheng-nlp"
    ln -sfn "$ROOT/nlp" "$VENV/huisheng-nlp/nlp"
    echo "$VENV/huisheng-nlp" >"$site/huisheng-nlp.pth"
}

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" && -x "$VENV/bin/rasa" ]]; then
    link_nlp
    echo "Rasa env up to date at $VENV (delete $STAMP to force a reinstall)"
    exit 0
fi

PY="$(find_python310)" || {
    echo "error: no Python 3.10 found (pyenv 3.10.x or python3.10 on PATH); Rasa 3.6 needs Python <3.11" >&2
    exit 1
}
echo "Using $PY ($("$PY" --version 2>&1))"

if [[ ! -x "$VENV/bin/python" ]]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade "pip<25" wheel
"$VENV/bin/python" -m pip install -c "$CONSTRAINTS" "$RASA_SPEC" "${EXTRA_SPECS[@]}"
"$VENV/bin/python" -m pip check
link_nlp
echo "$WANT" >"$STAMP"
echo "Rasa installed: $("$VENV/bin/rasa" --version 2>/dev/null | head -n 1 || true)"
