"""Latency the e5 featurizer adds per chat message (p50/p95), for the OpenMP thread count of this process.

Run it with the Rasa env's Python from bot/, once per thread count (OpenMP fixes it when the engine loads):

    cd bot && OMP_NUM_THREADS=1 ../.venv-rasa/bin/python ../scripts/bench_e5_featurizer.py
    cd bot && OMP_NUM_THREADS=2 ../.venv-rasa/bin/python ../scripts/bench_e5_featurizer.py

The messages are the held-out paraphrases (bot/tests/nlu_holdout.yml): customer questions of chat length,
which the model never trained on. Each is timed through the component's `process`, normalisation included,
with the embedding cache emptied, so the figures are for a message the bot has not seen before.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nlu", default="tests/nlu_holdout.yml", help="NLU file whose texts are timed")
    parser.add_argument("-n", type=int, default=200, help="how many messages to time")
    args = parser.parse_args()

    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    sys.path.insert(0, os.getcwd())  # components/ is imported from bot/, as Rasa does
    # Imported here: Rasa takes ~20 s to import and --help need not wait for it.
    from components.e5_featurizer import E5SentenceFeaturizer, embed
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.message import Message

    texts = [example.get(TEXT) for example in load_data(args.nlu).intent_examples][: args.n]
    featurizer = E5SentenceFeaturizer.create(
        E5SentenceFeaturizer.get_default_config(),
        LocalModelStorage(Path(tempfile.mkdtemp())),
        Resource("e5"),
        ExecutionContext(GraphSchema({}), node_name="e5"),
    )
    started = time.perf_counter()
    featurizer.process([Message(data={TEXT: "你好"})])  # loads the engine; not a message's cost
    load_ms = (time.perf_counter() - started) * 1000
    embed.cache_clear()

    timings_ms = []
    for text in texts:
        message = Message(data={TEXT: text})
        started = time.perf_counter()
        featurizer.process([message])
        timings_ms.append((time.perf_counter() - started) * 1000)
    timings_ms.sort()
    p95 = timings_ms[min(len(timings_ms) - 1, round(0.95 * len(timings_ms)))]
    print(
        f"threads={os.environ.get('OMP_NUM_THREADS', 'default')} messages={len(texts)} "
        f"mean_chars={statistics.mean(len(t) for t in texts):.1f} engine_load_ms={load_ms:.0f} "
        f"p50_ms={statistics.median(timings_ms):.1f} p95_ms={p95:.1f} max_ms={timings_ms[-1]:.1f}"
    )


if __name__ == "__main__":
    main()
