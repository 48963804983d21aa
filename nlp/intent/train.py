"""Fine-tune the converted e5 encoder into an intent classifier and export it as int8 ONNX.

Mean-pooled, L2-normalised e5 embeddings (how e5 was trained) go through one linear layer; the encoder is
tuned with them, its word embeddings frozen: a few thousand short examples cannot move 42 M embedding
weights usefully, and words the examples never use keep the pretrained places the paraphrases rely on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nlp.encoder.build import encoder_identity
from nlp.encoder.quantise import INT8_FILE, export_module_int8
from nlp.intent.files import DESCRIPTION_FILE, FORMAT, KIND, TOKENIZER_FILES

log = logging.getLogger(__name__)

Example = tuple[str, str]
"""(text, intent)."""


@dataclass(kw_only=True)
class IntentTrainArgs:
    """Everything `train_intents` needs; keyword-only, one field per knob."""

    output_dir: str = field(metadata={"help": "Where the finished model dir goes."})
    encoder_dir: str = field(metadata={"help": "The built encoder (make encoder) to fine-tune."})
    epochs: float = field(default=4.0, metadata={"help": "Passes over the examples (fractions allowed)."})
    batch_size: int = field(default=32, metadata={"help": "Examples per optimisation step."})
    learning_rate: float = field(default=5e-5, metadata={"help": "AdamW learning rate of the encoder."})
    head_learning_rate: float = field(default=1e-3, metadata={"help": "AdamW learning rate of the head."})
    max_length: int = field(default=64, metadata={"help": "Tokens per example; longer ones are cut."})
    label_smoothing: float = field(
        default=0.1,
        metadata={"help": "Cross-entropy label smoothing: keeps confidences usable for fallback."},
    )
    scale: float = field(
        default=20.0, metadata={"help": "Logit scale on the unit-length embedding (a cosine classifier)."}
    )
    seed: int = field(default=42, metadata={"help": "Seed for initialisation, shuffling and dropout."})
    threads: int = field(default=2, metadata={"help": "torch threads for training."})

    def __post_init__(self) -> None:
        if self.epochs <= 0 or self.batch_size < 1 or self.max_length < 4:
            raise ValueError("epochs must be > 0, batch_size >= 1 and max_length >= 4")


@dataclass(frozen=True)
class IntentTrainResult:
    output_dir: Path
    labels: list[str]
    examples: int
    steps: int
    seconds: float
    train_accuracy: float
    skipped: bool = False


def read_examples(path: Path) -> list[Example]:
    """Examples from a JSON Lines file of {"text": ..., "intent": ...}; a bad line is an error naming it."""
    examples: list[Example] = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, intent = row["text"], row["intent"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: expected {{'text': ..., 'intent': ...}} ({exc})") from exc
            if not isinstance(text, str) or not isinstance(intent, str) or not text.strip() or not intent:
                raise ValueError(f"{path}:{number}: text and intent must be non-empty strings")
            examples.append((text.strip(), intent))
    return examples


def train_intents(examples: Sequence[Example], args: IntentTrainArgs) -> IntentTrainResult:
    """Fine-tune, export `model.int8.onnx` (token ids -> intent probabilities) and describe it in output_dir.

    A dir that already holds a model trained from the same examples, arguments and encoder is returned as is.
    """
    labels = sorted({intent for _, intent in examples})
    if len(labels) < 2:
        raise ValueError(f"need examples of at least two intents, got {labels or 'none'}")
    output, encoder_dir = Path(args.output_dir), Path(args.encoder_dir)
    wanted = _fingerprint(examples, args, encoder_identity(encoder_dir))
    finished = _finished(output, wanted)
    if finished is not None:
        return finished

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(
        prefix=".intents-", dir=output.parent if output.parent.exists() else None
    ) as tmp:
        scratch = Path(tmp)
        steps, accuracy = _fit_and_export(examples, labels, args, scratch)
        seconds = round(time.perf_counter() - started, 1)
        for name in TOKENIZER_FILES:
            shutil.copy2(encoder_dir / name, scratch / name)
        description = {
            "kind": KIND,
            "format": FORMAT,
            "labels": labels,
            "fingerprint": wanted,
            "encoder": encoder_identity(encoder_dir),
            "args": asdict(args),
            "examples": len(examples),
            "steps": steps,
            "seconds": seconds,
            "train_accuracy": accuracy,
        }
        (scratch / DESCRIPTION_FILE).write_text(
            json.dumps(description, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        if output.exists():
            shutil.rmtree(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(scratch, output)
    log.info(
        "intent model: %d intents, %d examples, %d steps, %.0f s", len(labels), len(examples), steps, seconds
    )
    return IntentTrainResult(output, labels, len(examples), steps, seconds, accuracy)


def _fingerprint(examples: Sequence[Example], args: IntentTrainArgs, encoder: dict[str, Any]) -> str:
    # Where the model goes and how many threads made it do not change the model.
    knobs = {k: v for k, v in asdict(args).items() if k not in ("output_dir", "encoder_dir", "threads")}
    payload = json.dumps([sorted(examples), knobs, encoder], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _finished(output: Path, fingerprint: str) -> IntentTrainResult | None:
    path = output / DESCRIPTION_FILE
    if not (path.is_file() and (output / INT8_FILE).is_file()):
        return None
    info = json.loads(path.read_text(encoding="utf-8"))
    if info.get("fingerprint") != fingerprint:
        return None
    return IntentTrainResult(
        output, info["labels"], info["examples"], info["steps"], info["seconds"], info["train_accuracy"], True
    )


def _fit_and_export(
    examples: Sequence[Example], labels: list[str], args: IntentTrainArgs, out: Path
) -> tuple[int, float]:
    import torch

    from nlp.encoder.batching import pad, truncate
    from nlp.encoder.tokenizer import QUERY_PREFIX, E5Tokenizer
    from nlp.encoder.training import adamw_with_warmup, take_step
    from nlp.intent.model import PooledClassifier, Probabilities

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    shuffler = random.Random(args.seed)
    tokenizer = E5Tokenizer.from_dir(Path(args.encoder_dir))
    model = PooledClassifier.from_encoder(Path(args.encoder_dir), num_labels=len(labels), scale=args.scale)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)

    encoded = tokenizer.encode_batch([text for text, _ in examples], prefix=QUERY_PREFIX)
    ids = [truncate(seq, args.max_length) for seq in encoded]
    targets = [labels.index(intent) for _, intent in examples]
    per_epoch = max(1, len(ids) // args.batch_size)
    total = max(1, round(args.epochs * per_epoch))
    optimizer, scheduler = adamw_with_warmup(
        (p for p in model.bert.parameters() if p.requires_grad),
        model.head.parameters(),
        learning_rate=args.learning_rate,
        head_learning_rate=args.head_learning_rate,
        steps=total,
    )

    model.train(True)
    step = 0
    while step < total:
        order = list(range(len(ids)))
        shuffler.shuffle(order)
        for start in range(0, per_epoch * args.batch_size, args.batch_size):
            if step >= total:
                break
            batch = order[start : start + args.batch_size]
            input_ids, mask = pad([ids[i] for i in batch], tokenizer.pad_id)
            logits = model(torch.from_numpy(input_ids), torch.from_numpy(mask))
            loss = torch.nn.functional.cross_entropy(
                logits, torch.tensor([targets[i] for i in batch]), label_smoothing=args.label_smoothing
            )
            take_step(loss, model, optimizer, scheduler)
            step += 1
            if step % 50 == 0:
                log.info("step %d/%d loss %.3f", step, total, loss.item())

    model.train(False)
    correct = 0
    with torch.no_grad():
        for start in range(0, len(ids), 64):
            chunk = list(range(start, min(start + 64, len(ids))))
            input_ids, mask = pad([ids[i] for i in chunk], tokenizer.pad_id)
            predicted = model(torch.from_numpy(input_ids), torch.from_numpy(mask)).argmax(-1).tolist()
            correct += sum(p == targets[i] for p, i in zip(predicted, chunk, strict=True))
    export_module_int8(Probabilities(model), out / INT8_FILE, output_name="probabilities")
    return step, round(correct / len(ids), 4)
