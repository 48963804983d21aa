"""Arguments of sentiment training, one field per knob, with help text (in the style of transformers' examples)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(kw_only=True)
class ReviewDataArgs:
    """The data, split and calibration fields every sentiment trainer shares."""

    train_files: list[str] = field(
        metadata={
            "help": "CSV files with columns label (1 positive, 0 negative), text and optional category."
        }
    )
    output_dir: str = field(metadata={"help": "Where the finished model dir goes."})
    validation_fraction: float = field(
        default=0.05,
        metadata={"help": "Share of each domain held out for validation and threshold calibration."},
    )
    exclude_domains: list[str] = field(
        default_factory=list,
        metadata={"help": "Domains (category value, or file stem when no category) left out of training."},
    )
    max_train_samples: int | None = field(
        default=None, metadata={"help": "Cap on training rows, drawn evenly across domains (quick runs)."}
    )
    target_precision: float = field(
        default=0.95, metadata={"help": "Validation precision the positive and negative regions must keep."}
    )
    seed: int = field(default=42, metadata={"help": "Seed for splits, subsampling and initialisation."})
    resume: bool = field(
        default=True, metadata={"help": "Continue from, or return, what output_dir already holds."}
    )

    def __post_init__(self) -> None:
        if not self.train_files:
            raise ValueError("train_files must name at least one CSV file")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(kw_only=True)
class SentimentTrainArgs(ReviewDataArgs):
    """Everything `train_sentiment` needs (a small BERT from scratch, or fine-tuning); keyword-only."""

    # data
    max_length: int = field(
        default=128, metadata={"help": "Tokens per review; longer reviews are truncated."}
    )
    # model
    init_from: str | None = field(
        default=None,
        metadata={
            "help": "Local HF checkpoint dir to fine-tune; if unset, a small BERT is trained from scratch."
        },
    )
    min_char_count: int = field(
        default=2, metadata={"help": "A character enters the vocabulary when seen at least this often."}
    )
    hidden_size: int = field(default=256, metadata={"help": "Width of the from-scratch encoder."})
    num_layers: int = field(default=2, metadata={"help": "Transformer layers of the from-scratch encoder."})
    num_heads: int = field(default=4, metadata={"help": "Attention heads of the from-scratch encoder."})
    dropout: float = field(default=0.1, metadata={"help": "Hidden and attention dropout."})
    # optimisation
    epochs: float = field(
        default=2.0, metadata={"help": "Passes over the training rows (fractions allowed)."}
    )
    batch_size: int = field(default=64, metadata={"help": "Reviews per optimisation step."})
    learning_rate: float | None = field(
        default=None,
        metadata={"help": "AdamW learning rate; default 3e-4 from scratch, 3e-5 with --init-from."},
    )
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay."})
    warmup_ratio: float = field(default=0.06, metadata={"help": "Share of steps with linear warm-up."})
    distill_alpha: float = field(
        default=0.5,
        metadata={
            "help": "Weight of the TF-IDF teacher's out-of-fold soft targets in the loss (0 = plain labels)."
        },
    )
    ensemble_weight: float = field(
        default=0.5,
        metadata={
            "help": "Weight of the transformer when averaged with a TF-IDF head shipped beside it; 1 = no head."
        },
    )
    residual: bool = field(
        default=False,
        metadata={
            "help": "Train the transformer to correct the TF-IDF head's logit (score = sigmoid(head logit + "
            "transformer logit)) instead of averaging; the distillation term is then not used."
        },
    )
    save_steps: int = field(default=200, metadata={"help": "Write a resumable checkpoint every N steps."})
    num_threads: int = field(default=2, metadata={"help": "torch CPU threads (the machine is shared)."})
    progress: bool = field(default=True, metadata={"help": "Show a tqdm progress bar."})

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 <= self.distill_alpha <= 1.0 or not 0.0 <= self.ensemble_weight <= 1.0:
            raise ValueError("distill_alpha and ensemble_weight must lie in [0, 1]")
        if self.max_length < 8 or self.batch_size < 1 or self.epochs <= 0:
            raise ValueError("max_length >= 8, batch_size >= 1 and epochs > 0 are required")

    @property
    def lr(self) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        return 3e-5 if self.init_from else 3e-4

    @property
    def uses_tfidf(self) -> bool:
        return self.distill_alpha > 0 or self.ensemble_weight < 1 or self.residual

    @property
    def ships_head(self) -> bool:
        return self.ensemble_weight < 1 or self.residual

    @property
    def needs_soft_targets(self) -> bool:
        return self.distill_alpha > 0 or self.residual


@dataclass(kw_only=True)
class FrozenTrainArgs(ReviewDataArgs):
    """A head on frozen e5 embeddings averaged with TF-IDF (the shipped model); minutes, not hours, on a CPU."""

    encoder_dir: str = field(metadata={"help": "The built e5 encoder dir (make encoder)."})
    cache_dir: str = field(
        metadata={"help": "Embedding cache root: a stopped run resumes from what is embedded there."}
    )
    c: float = field(
        default=0.0003, metadata={"help": "Inverse regularisation of the e5 logistic regression."}
    )
    balance_domains: bool = field(
        default=True, metadata={"help": "Give every domain the same total weight in the e5 head."}
    )
    ensemble_weight: float = field(
        default=0.5, metadata={"help": "Weight of the e5 head against the TF-IDF head (1 = e5 alone)."}
    )
    num_threads: int = field(default=2, metadata={"help": "ONNX Runtime threads for embedding."})

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 <= self.ensemble_weight <= 1.0:
            raise ValueError("ensemble_weight must lie in [0, 1]")
        if self.c <= 0 or self.num_threads < 1:
            raise ValueError("c > 0 and num_threads >= 1 are required")
