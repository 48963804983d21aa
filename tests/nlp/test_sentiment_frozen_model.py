"""The shipped kind of sentiment model: heads on frozen int8 e5, trained on a tiny set with the real encoder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp.encoder.build import BuildReport, encoder_identity
from nlp.encoder.runtime import OnnxE5Encoder
from nlp.sentiment import train_frozen
from nlp.sentiment.args import FrozenTrainArgs
from nlp.sentiment.e5_head import E5Head
from nlp.sentiment.predict import FROZEN_FILE, SentimentClassifier
from nlp.sentiment.thresholds import Sentiment
from nlp.sentiment.train import TrainResult
from nlp.sentiment.train_frozen import encoder_cache, train_frozen_sentiment
from tests.nlp.sentiment_helpers import NEGATIVE, POSITIVE, write_reviews_csv


def frozen_args(data: Path, root: Path, encoder_dir: Path, **overrides: Any) -> FrozenTrainArgs:
    settings: dict[str, Any] = {
        "train_files": [str(data)],
        "output_dir": str(root / "model"),
        "encoder_dir": str(encoder_dir),
        "cache_dir": str(root / "cache"),
        "validation_fraction": 0.2,
        "c": 1.0,  # 64 rows: the shipped C (0.0003) is for 60k
        "num_threads": 1,
    }
    settings.update(overrides)
    return FrozenTrainArgs(**settings)


@pytest.fixture(scope="module")
def reviews_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_reviews_csv(tmp_path_factory.mktemp("data") / "reviews.csv")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("frozen")


@pytest.fixture(scope="module")
def trained(reviews_csv: Path, root: Path, built: BuildReport) -> TrainResult:
    return train_frozen_sentiment(frozen_args(reviews_csv, root, built.out_dir))


@pytest.fixture(scope="module")
def classifier(trained: TrainResult, built: BuildReport) -> SentimentClassifier:
    return SentimentClassifier.from_dir(trained.output_dir, encoder_dir=built.out_dir)


def test_training_writes_a_model_dir_that_explains_itself(trained: TrainResult, built: BuildReport) -> None:
    model = Path(trained.output_dir)
    description = json.loads((model / FROZEN_FILE).read_text(encoding="utf-8"))

    assert {"e5_head.npz", "tfidf_head.npz", "MODEL_CARD.md", "training_result.json"} <= {
        p.name for p in model.iterdir()
    }
    assert description["encoder"] == encoder_identity(built.out_dir)
    assert description["thresholds"] == trained.thresholds
    assert trained.train_examples + trained.validation_examples == 80


def test_the_trained_model_separates_unseen_praise_from_complaints(classifier: SentimentClassifier) -> None:
    results = classifier.predict(["东西很好，非常满意，还会再买", "质量太差，用两天就坏了，很失望"])

    assert [r.label2 for r in results] == [Sentiment.POSITIVE, Sentiment.NEGATIVE]
    assert results[0].score > results[1].score


def test_the_score_is_the_mean_of_the_e5_and_tfidf_heads(classifier: SentimentClassifier) -> None:
    e5_scores, tfidf_scores, _ = classifier.score_parts(POSITIVE + NEGATIVE)

    assert tfidf_scores is not None
    expected = 0.5 * e5_scores + 0.5 * tfidf_scores
    assert classifier.predict_scores(POSITIVE + NEGATIVE) == pytest.approx(expected.tolist())


def test_a_second_run_embeds_nothing_and_returns_the_stored_result(
    trained: TrainResult, reviews_csv: Path, root: Path, built: BuildReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(OnnxE5Encoder, "from_dir", _must_not_load)

    again = train_frozen_sentiment(frozen_args(reviews_csv, root, built.out_dir))

    assert again == trained


def test_new_head_settings_reuse_the_cached_embeddings(
    trained: TrainResult, reviews_csv: Path, root: Path, built: BuildReport
) -> None:
    chunks = sorted((root / "cache").rglob("chunk-*.npz"))

    other = train_frozen_sentiment(
        frozen_args(reviews_csv, root, built.out_dir, output_dir=str(root / "other"), ensemble_weight=1.0)
    )

    assert sorted((root / "cache").rglob("chunk-*.npz")) == chunks
    assert other.validation_accuracy == other.validation_accuracy_transformer  # e5 head alone


def test_a_stopped_run_embeds_only_what_the_cache_lacks(
    reviews_csv: Path, tmp_path: Path, built: BuildReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = frozen_args(reviews_csv, tmp_path, built.out_dir)
    texts = [f"已经嵌入的第{i}条" for i in range(3)]
    encoder = OnnxE5Encoder.from_dir(built.out_dir)
    encoder_cache(tmp_path / "cache", encoder_identity(built.out_dir)).fill(texts[:2], encoder.embed)
    embedded: list[str] = []
    original = OnnxE5Encoder.embed

    def counting(self: OnnxE5Encoder, batch: list[str], **kwargs: Any) -> np.ndarray:
        embedded.extend(batch)
        return original(self, batch, **kwargs)

    monkeypatch.setattr(OnnxE5Encoder, "embed", counting)

    vectors = train_frozen.embed_all(args, texts)

    assert embedded == texts[2:]
    assert vectors.shape == (3, 384)


def test_a_rerun_with_other_arguments_into_the_same_dir_is_refused(
    trained: TrainResult, reviews_csv: Path, root: Path, built: BuildReport
) -> None:
    with pytest.raises(ValueError, match="other arguments"):
        train_frozen_sentiment(frozen_args(reviews_csv, root, built.out_dir, c=0.5))


def test_loading_without_the_encoder_says_how_to_get_it(trained: TrainResult) -> None:
    with pytest.raises(FileNotFoundError, match="make encoder"):
        SentimentClassifier.from_dir(trained.output_dir)


def test_loading_on_a_different_encoder_build_is_refused(
    trained: TrainResult, built: BuildReport, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    for path in Path(trained.output_dir).iterdir():
        (model / path.name).write_bytes(path.read_bytes())
    description = json.loads((model / FROZEN_FILE).read_text(encoding="utf-8"))
    description["encoder"]["vocabulary"] = "full"
    (model / FROZEN_FILE).write_text(json.dumps(description), encoding="utf-8")

    with pytest.raises(ValueError, match="rebuild the encoder"):
        SentimentClassifier.from_dir(model, encoder_dir=built.out_dir)


def test_a_description_missing_a_key_is_refused_in_words(trained: TrainResult, tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    description = json.loads((Path(trained.output_dir) / FROZEN_FILE).read_text(encoding="utf-8"))
    del description["e5_head"]
    (model / FROZEN_FILE).write_text(json.dumps(description), encoding="utf-8")

    with pytest.raises(ValueError, match="lacks e5_head"):
        SentimentClassifier.from_dir(model, encoder_dir=tmp_path)


def test_the_e5_head_round_trips_through_plain_arrays(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(40, 6)).astype(np.float32)
    labels = (vectors[:, 0] > 0).astype(int)
    head = E5Head.fit(vectors, labels, c=1.0)

    loaded = E5Head.load(head.save(tmp_path))

    assert loaded.predict_proba(vectors) == pytest.approx(head.predict_proba(vectors).tolist())
    with pytest.raises(ValueError, match="width 6"):
        loaded.predict_proba(vectors[:, :5])


def _must_not_load(*args: object, **kwargs: object) -> OnnxE5Encoder:
    raise AssertionError("the encoder was loaded again")
