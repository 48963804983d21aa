"""Sentiment from e5 with its top layers fine-tuned on cached lower-layer states (`nlp.encoder.states`).

The frozen-encoder heads plateau near 0.90 leave-one-domain-out whatever sits on them, so the missing points
must come from the encoder; tuning only its top layers costs a fraction of a full fine-tune on this CPU,
because the frozen lower layers' output is computed once per review.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from nlp.encoder.batching import length_sorted_batches
from nlp.encoder.pooling import mean_pooled
from nlp.encoder.training import adamw_with_warmup, take_step
from nlp.sentiment.data import bucketed_batches

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)

StateRows = Sequence[npt.NDArray[np.floating]]


@dataclass(kw_only=True)
class TopTuneArgs:
    """Knobs of one top-layer tuning; keyword-only, one field per knob."""

    first_tuned: int = field(default=9, metadata={"help": "Layers below this index stay frozen."})
    epochs: float = field(default=1.0, metadata={"help": "Passes over the rows (fractions allowed)."})
    batch_size: int = field(default=32, metadata={"help": "Rows per optimisation step."})
    learning_rate: float = field(default=5e-5, metadata={"help": "AdamW learning rate of the layers."})
    head_learning_rate: float = field(default=1e-3, metadata={"help": "AdamW learning rate of the head."})
    label_smoothing: float = field(default=0.1, metadata={"help": "Cross-entropy label smoothing."})
    scale: float = field(default=20.0, metadata={"help": "Logit scale on the unit-length embedding."})
    seed: int = field(default=42, metadata={"help": "Seed for the head, the batches and dropout."})
    threads: int = field(default=2, metadata={"help": "torch threads."})

    def __post_init__(self) -> None:
        if self.epochs <= 0 or self.batch_size < 1 or self.first_tuned < 1:
            raise ValueError("epochs must be > 0, batch_size >= 1 and first_tuned >= 1")


def _top_classifier_type() -> Any:
    import torch

    class TopClassifier(torch.nn.Module):
        """Logits = head(scale · mean-pooled unit vector of the tuned layers' output), a cosine classifier."""

        def __init__(self, layers: torch.nn.ModuleList, *, hidden: int, scale: float) -> None:
            super().__init__()
            self.layers = layers
            self.head = torch.nn.Linear(hidden, 2)
            self.scale = scale

        def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            logits: torch.Tensor = self.head(self.embed(states, mask) * self.scale)
            return logits

        def embed(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            """The sentence vector the head reads; with untuned layers, e5's own embedding."""
            # Eager attention adds this to the scores: 0 where a token is real, the dtype's minimum on padding.
            additive = (1.0 - mask[:, None, None, :].to(states.dtype)) * torch.finfo(states.dtype).min
            for layer in self.layers:
                out = layer(states, attention_mask=additive)
                states = out[0] if isinstance(out, tuple) else out
            return mean_pooled(states, mask)

    return TopClassifier


def top_classifier(encoder_dir: Path, *, first_tuned: int, scale: float = 20.0) -> Any:
    """A `TopClassifier` holding copies of the encoder's layers from `first_tuned` up and a new head."""
    import torch
    from transformers import BertModel

    bert = BertModel.from_pretrained(encoder_dir, add_pooling_layer=False, attn_implementation="eager")
    total = len(bert.encoder.layer)
    if not 0 < first_tuned < total:
        raise ValueError(f"first_tuned must be between 1 and {total - 1}")
    layers = torch.nn.ModuleList(copy.deepcopy(layer) for layer in bert.encoder.layer[first_tuned:])
    return _top_classifier_type()(layers, hidden=int(bert.config.hidden_size), scale=scale)


def init_head_from_probe(
    model: Any, vectors: npt.NDArray[np.floating], labels: Sequence[int], c: float
) -> None:
    """Set the head to a logistic regression on the untuned embeddings (the "LP" of LP-FT).

    Tuning then starts from a head that already works, so early gradients do not distort the pretrained
    features to fit a random head: what keeps fine-tuned models good out of distribution (Kumar et al.,
    ICLR 2022). `vectors` are unit-length embeddings from `model.embed` before tuning.
    """
    import torch
    from sklearn.linear_model import LogisticRegression

    probe = LogisticRegression(C=c, max_iter=2000).fit(np.asarray(vectors) * model.scale, list(labels))
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.zero_()
        model.head.weight[1] = torch.from_numpy(probe.coef_[0].astype(np.float32))
        model.head.bias[1] = float(probe.intercept_[0])


def interpolated(start: Any, tuned: Any, alpha: float) -> Any:
    """WiSE-FT: every weight at start + alpha · (tuned − start); alpha 0 is the probe, 1 the tuned model."""
    import torch

    out = copy.deepcopy(tuned)
    with torch.no_grad():
        for mixed, before, after in zip(
            out.parameters(), start.parameters(), tuned.parameters(), strict=True
        ):
            mixed.copy_(before + alpha * (after - before))
    out.train(False)
    return out


def pad_states(rows: StateRows) -> tuple[torch.Tensor, torch.Tensor]:
    """([batch, tokens, dim] float32 states right-padded with zeros, [batch, tokens] 0/1 mask)."""
    import torch

    width = max(len(r) for r in rows)
    states = np.zeros((len(rows), width, rows[0].shape[1]), dtype=np.float32)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        states[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return torch.from_numpy(states), torch.from_numpy(mask)


def tune_top(model: Any, rows: StateRows, labels: Sequence[int], args: TopTuneArgs) -> Any:
    """Train `model` (from `top_classifier`) on the rows' states and 0/1 labels; returns it in eval mode."""
    import torch

    if len(rows) != len(labels) or not rows:
        raise ValueError("need one label per row, and at least one row")
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    lengths = [len(r) for r in rows]
    per_epoch = max(1, -(-len(rows) // args.batch_size))
    total = max(1, round(args.epochs * per_epoch))
    optimizer, scheduler = adamw_with_warmup(
        model.layers.parameters(),
        model.head.parameters(),
        learning_rate=args.learning_rate,
        head_learning_rate=args.head_learning_rate,
        steps=total,
    )
    model.train(True)
    step, epoch = 0, 0
    while step < total:
        for batch in bucketed_batches(lengths, args.batch_size, seed=args.seed + epoch):
            if step >= total:
                break
            states, mask = pad_states([rows[i] for i in batch])
            loss = torch.nn.functional.cross_entropy(
                model(states, mask),
                torch.tensor([labels[i] for i in batch]),
                label_smoothing=args.label_smoothing,
            )
            take_step(loss, model, optimizer, scheduler)
            step += 1
            if step % 100 == 0:
                logger.info("step %d/%d loss %.3f", step, total, loss.item())
        epoch += 1
    model.train(False)
    return model


def embeddings(model: Any, rows: StateRows, *, batch_size: int = 64) -> npt.NDArray[np.float32]:
    """The sentence vector `model.embed` gives each row, in order; with untuned layers, e5's own."""
    return _per_row(lambda states, mask: model.embed(states, mask), rows, batch_size)


def positive_proba(model: Any, rows: StateRows, *, batch_size: int = 64) -> npt.NDArray[np.float64]:
    """P(positive) per row, in order."""
    import torch

    proba = _per_row(lambda states, mask: torch.softmax(model(states, mask), dim=-1)[:, 1:], rows, batch_size)
    return proba[:, 0].astype(np.float64)


def _per_row(run: Any, rows: StateRows, batch_size: int) -> npt.NDArray[np.float32]:
    """`run(states, mask)` over length-sorted batches of the rows, put back in the rows' order."""
    import torch

    out: npt.NDArray[np.float32] | None = None
    with torch.inference_mode():
        for chunk in length_sorted_batches(rows, batch_size):
            values = run(*pad_states([rows[i] for i in chunk])).float().numpy()
            if out is None:
                out = np.empty((len(rows), values.shape[1]), dtype=np.float32)
            out[chunk] = values
    return out if out is not None else np.empty((0, 1), dtype=np.float32)
