"""Training of the sentiment model: small character BERT from scratch (or a local checkpoint), resumable."""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp.sentiment.args import ReviewDataArgs, SentimentTrainArgs
from nlp.sentiment.card import write_model_card
from nlp.sentiment.data import Review, bucketed_batches, load_reviews, split_validation, subsample_balanced
from nlp.sentiment.metrics import binary_metrics
from nlp.sentiment.predict import CONFIG_KEY, SentimentClassifier
from nlp.sentiment.preprocess import PREPROCESS_VERSION
from nlp.sentiment.tfidf import HEAD_FILE, TfidfSentiment, out_of_fold_proba
from nlp.sentiment.thresholds import calibrate_thresholds
from nlp.sentiment.vocab import build_char_vocab, load_char_tokenizer, write_vocab

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

ID2LABEL = {0: "negative", 1: "positive"}
RESULT_FILE = "training_result.json"
_CHECKPOINT = "checkpoint"
_STATE = "state.pt"
_IGNORED_FOR_RESUME = {"resume", "progress", "num_threads", "save_steps"}


@dataclass(frozen=True)
class TrainResult:
    """What a finished run produced; also stored as output_dir/training_result.json."""

    output_dir: str
    validation_accuracy: float
    validation_macro_f1: float
    validation_accuracy_transformer: float
    validation_accuracy_tfidf: float | None
    thresholds: dict[str, float]
    train_examples: int
    validation_examples: int
    steps: int
    parameters: int
    train_seconds: float
    domains: list[str]
    args: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, output: Path) -> None:
        (output / RESULT_FILE).write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )


def train_sentiment(args: SentimentTrainArgs) -> TrainResult:
    """Train, calibrate and save a HF model dir in `args.output_dir`; rerunning resumes or returns the result."""
    import torch
    from transformers import set_seed

    output = Path(args.output_dir)
    finished = finished_result(output, args, ignored=_IGNORED_FOR_RESUME)
    if finished is not None:
        return finished
    torch.set_num_threads(args.num_threads)
    set_seed(args.seed)
    checkpoint_dir = output / _CHECKPOINT
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    _guard_checkpoint_args(checkpoint_dir, args)

    reviews = [r for r in load_reviews(args.train_files) if r.domain not in set(args.exclude_domains)]
    train, validation = split_validation(reviews, args.validation_fraction, args.seed)
    if args.max_train_samples is not None:
        train = subsample_balanced(train, args.max_train_samples, args.seed)
    logger.info("sentiment training: %d train / %d validation reviews", len(train), len(validation))

    model, tokenizer = _model_and_tokenizer(args, train, checkpoint_dir)
    soft_targets = _teacher(args, train, output, checkpoint_dir)
    started = time.monotonic()
    steps = _fit(args, model, tokenizer, train, soft_targets, checkpoint_dir)
    _save_model(args, model, tokenizer, output)
    result = _calibrate_and_describe(args, output, train, validation, steps, time.monotonic() - started)
    shutil.rmtree(checkpoint_dir, ignore_errors=True)
    return result


def finished_result(output: Path, args: ReviewDataArgs, *, ignored: Collection[str]) -> TrainResult | None:
    """The stored result when `output` holds a model finished with these arguments (those in `ignored` may
    differ); a model finished with other arguments is refused rather than overwritten."""
    path = output / RESULT_FILE
    if not (args.resume and path.is_file()):
        return None
    stored = json.loads(path.read_text(encoding="utf-8"))
    if _comparable(stored["args"], ignored) != _comparable(args.to_dict(), ignored):
        raise ValueError(f"{output} holds a model trained with other arguments; pick a new --output-dir")
    logger.info("%s already holds the finished model; nothing to do", output)
    return TrainResult(**stored)


def _comparable(arguments: dict[str, Any], ignored: Collection[str]) -> dict[str, Any]:
    return {k: v for k, v in arguments.items() if k not in ignored}


def _guard_checkpoint_args(checkpoint_dir: Path, args: SentimentTrainArgs) -> None:
    path = checkpoint_dir / "args.json"
    if args.resume and path.is_file():
        stored = json.loads(path.read_text(encoding="utf-8"))
        if _comparable(stored, _IGNORED_FOR_RESUME) != _comparable(args.to_dict(), _IGNORED_FOR_RESUME):
            raise ValueError(f"checkpoint in {checkpoint_dir} was made with other arguments; use --no-resume")
        return
    for stale in checkpoint_dir.iterdir():  # a fresh start: forget older state
        stale.unlink() if stale.is_file() else shutil.rmtree(stale)
    path.write_text(json.dumps(args.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")


def _model_and_tokenizer(
    args: SentimentTrainArgs, train: list[Review], checkpoint_dir: Path
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        BertConfig,
        BertForSequenceClassification,
    )

    labels: dict[str, Any] = {
        "num_labels": 2,
        "id2label": ID2LABEL,
        "label2id": {name: i for i, name in ID2LABEL.items()},
    }
    tokenizer: PreTrainedTokenizerBase
    if args.init_from:
        tokenizer = AutoTokenizer.from_pretrained(args.init_from, model_max_length=args.max_length)
        model = AutoModelForSequenceClassification.from_pretrained(
            args.init_from, ignore_mismatched_sizes=True, **labels
        )
        return model, tokenizer
    if not (checkpoint_dir / "vocab.txt").is_file():  # on resume the vocabulary must stay the same
        write_vocab(build_char_vocab((r.text for r in train), min_count=args.min_char_count), checkpoint_dir)
    tokenizer = load_char_tokenizer(checkpoint_dir, max_length=args.max_length)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=args.hidden_size,
        num_hidden_layers=args.num_layers,
        num_attention_heads=args.num_heads,
        intermediate_size=4 * args.hidden_size,
        hidden_dropout_prob=args.dropout,
        attention_probs_dropout_prob=args.dropout,
        max_position_embeddings=args.max_length,
        pad_token_id=tokenizer.pad_token_id,
        **labels,
    )
    return BertForSequenceClassification(config), tokenizer


def _teacher(
    args: SentimentTrainArgs, train: list[Review], output: Path, checkpoint_dir: Path
) -> np.ndarray | None:
    """Fit the TF-IDF head shipped beside the model and the out-of-fold soft targets (both cached)."""
    if not args.uses_tfidf:
        return None
    texts, labels = [r.text for r in train], [r.label for r in train]
    if args.ships_head and not (checkpoint_dir / HEAD_FILE).is_file():
        TfidfSentiment().fit(texts, labels).save(checkpoint_dir)
    if not args.needs_soft_targets:
        return None
    cached = checkpoint_dir / "soft_targets.npy"
    if cached.is_file():
        stored: np.ndarray = np.load(cached)
        return stored
    targets = out_of_fold_proba(texts, labels, folds=3, seed=args.seed)
    np.save(cached, targets)
    return targets


def _fit(
    args: SentimentTrainArgs,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    train: list[Review],
    soft_targets: np.ndarray | None,
    checkpoint_dir: Path,
) -> int:
    import torch
    from tqdm.auto import tqdm

    encoded: list[list[int]] = tokenizer(
        [r.text for r in train], truncation=True, max_length=args.max_length
    )["input_ids"]
    labels = torch.tensor([r.label for r in train], dtype=torch.long)
    soft = torch.tensor(soft_targets if soft_targets is not None else labels.numpy(), dtype=torch.float32)
    # residual mode: the head's out-of-fold logit is added to the transformer's, which learns the correction
    offset = torch.logit(soft.clamp(1e-4, 1 - 1e-4)) if args.residual else torch.zeros_like(soft)
    alpha = 0.0 if args.residual else args.distill_alpha
    lengths = [len(ids) for ids in encoded]
    steps_per_epoch = math.ceil(len(encoded) / args.batch_size)
    total_steps = max(1, math.ceil(args.epochs * steps_per_epoch))
    decay = [p for n, p in model.named_parameters() if not n.endswith("bias") and "LayerNorm" not in n]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
    )
    scheduler = _linear_warmup_decay(optimizer, int(args.warmup_ratio * total_steps), total_steps)
    step = _load_state(checkpoint_dir / _STATE, model, optimizer, scheduler)
    pad_id = tokenizer.pad_token_id or 0
    model.train()
    bar = tqdm(total=total_steps, initial=step, disable=not args.progress, desc="train", unit="step")
    batches: list[list[int]] = []
    while step < total_steps:
        epoch, position = divmod(step, steps_per_epoch)
        if position == 0 or not batches:
            batches = bucketed_batches(lengths, args.batch_size, args.seed + epoch)
        batch = batches[position]
        ids, mask = _pad([encoded[i] for i in batch], pad_id)
        logits = model(input_ids=ids, attention_mask=mask).logits
        margin = logits[:, 1] - logits[:, 0] + offset[batch]
        log_p = torch.stack(
            [-torch.nn.functional.softplus(margin), -torch.nn.functional.softplus(-margin)], 1
        )
        hard = torch.nn.functional.nll_loss(log_p, labels[batch])
        target = soft[batch]
        distilled = -(target * log_p[:, 1] + (1 - target) * log_p[:, 0]).mean()
        loss = (1 - alpha) * hard + alpha * distilled
        torch.autograd.backward(loss)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.3f}", epoch=epoch)
        if step % args.save_steps == 0 or step % steps_per_epoch == 0:
            _save_state(checkpoint_dir / _STATE, model, optimizer, scheduler, step)
    bar.close()
    model.train(False)
    return step


def _linear_warmup_decay(optimizer: Any, warmup: int, total: int) -> Any:
    """Linear warm-up then linear decay to 0 (the same schedule as transformers' linear scheduler)."""
    import torch

    def factor(step: int) -> float:
        if step < warmup:
            return step / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _pad(sequences: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    import torch

    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = torch.tensor(sequence)
        mask[row, : len(sequence)] = 1
    return ids, mask


def _save_state(path: Path, model: Any, optimizer: Any, scheduler: Any, step: int) -> None:
    import torch

    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "step": step,
        "torch_rng": torch.get_rng_state(),
    }
    partial = path.with_suffix(".tmp")
    torch.save(state, partial)
    partial.replace(path)  # atomic: an interrupted save never corrupts the last good checkpoint


def _load_state(path: Path, model: Any, optimizer: Any, scheduler: Any) -> int:
    import torch

    if not path.is_file():
        return 0
    state = torch.load(path, weights_only=True)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["torch_rng"])
    logger.info("resuming sentiment training at step %d", state["step"])
    return int(state["step"])


def _save_model(args: SentimentTrainArgs, model: Any, tokenizer: Any, output: Path) -> None:
    settings: dict[str, Any] = {
        "max_length": args.max_length,
        "preprocess": PREPROCESS_VERSION,
        "ensemble_weight": args.ensemble_weight,
        "combine": "residual" if args.residual else "average",
        "tfidf_head": None,
    }
    head = output / _CHECKPOINT / HEAD_FILE
    if args.ships_head and head.is_file():
        shutil.copyfile(head, output / HEAD_FILE)
        settings["tfidf_head"] = HEAD_FILE
    setattr(model.config, CONFIG_KEY, settings)
    model.save_pretrained(str(output))
    tokenizer.save_pretrained(str(output))
    vocab = output / _CHECKPOINT / "vocab.txt"
    if vocab.is_file():
        shutil.copyfile(vocab, output / "vocab.txt")


def _calibrate_and_describe(
    args: SentimentTrainArgs,
    output: Path,
    train: list[Review],
    validation: list[Review],
    steps: int,
    seconds: float,
) -> TrainResult:
    """Score validation with the saved dir itself, store thresholds in config.json, write card and result."""
    classifier = SentimentClassifier.from_dir(output, batch_size=args.batch_size)
    texts, gold = [r.text for r in validation], [r.label for r in validation]
    model_scores, head_scores, _ = classifier.score_parts(texts)
    scores = np.asarray(classifier.predict_scores(texts))
    thresholds = calibrate_thresholds(scores.tolist(), gold, target_precision=args.target_precision)
    config_path = output / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config[CONFIG_KEY]["thresholds"] = thresholds.to_dict()
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    metrics = binary_metrics(gold, (scores >= 0.5).astype(int).tolist())
    result = TrainResult(
        output_dir=str(output),
        validation_accuracy=metrics.accuracy,
        validation_macro_f1=metrics.macro_f1,
        validation_accuracy_transformer=binary_metrics(
            gold, (model_scores >= 0.5).astype(int).tolist()
        ).accuracy,
        validation_accuracy_tfidf=(
            None
            if head_scores is None
            else binary_metrics(gold, (head_scores >= 0.5).astype(int).tolist()).accuracy
        ),
        thresholds=thresholds.to_dict(),
        train_examples=len(train),
        validation_examples=len(validation),
        steps=steps,
        parameters=classifier.scorer.parameters(),
        train_seconds=round(seconds, 1),
        domains=sorted({r.domain for r in train}),
        args=args.to_dict(),
    )
    write_model_card(output, result.to_dict(), train, validation)
    result.save(output)
    return result
