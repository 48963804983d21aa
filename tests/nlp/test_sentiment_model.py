"""Training a tiny sentiment model in the test, saving, reloading, resuming, and predicting on bad input."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp.sentiment import train as train_module
from nlp.sentiment.evaluate import evaluate_csv
from nlp.sentiment.predict import SentimentClassifier, SentimentResult
from nlp.sentiment.tfidf import TfidfSentiment
from nlp.sentiment.thresholds import Sentiment
from nlp.sentiment.train import TrainResult, train_sentiment
from tests.nlp.sentiment_helpers import NEGATIVE, POSITIVE, tiny_args, write_reviews_csv


@pytest.fixture(scope="module")
def reviews_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_reviews_csv(tmp_path_factory.mktemp("data") / "reviews.csv")


@pytest.fixture(scope="module")
def trained(reviews_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    return train_sentiment(tiny_args(reviews_csv, tmp_path_factory.mktemp("model") / "out"))


@pytest.fixture(scope="module")
def classifier(trained: TrainResult) -> SentimentClassifier:
    return SentimentClassifier.from_dir(trained.output_dir, batch_size=4, num_threads=1)


def test_saved_dir_is_a_self_describing_hf_model(trained: TrainResult) -> None:
    out = Path(trained.output_dir)
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    tokenizer_config = json.loads((out / "tokenizer_config.json").read_text(encoding="utf-8"))

    assert config["id2label"] == {"0": "negative", "1": "positive"}
    assert set(config["huisheng_sentiment"]["thresholds"]) == {"negative_below", "positive_from"}
    assert tokenizer_config["model_max_length"] == 32
    assert (out / "model.safetensors").is_file() and (out / "MODEL_CARD.md").is_file()
    assert not (out / "checkpoint").exists()


def test_reloaded_copy_predicts_identically(classifier: SentimentClassifier, tmp_path: Path) -> None:
    texts = [*POSITIVE, *NEGATIVE, "iPhone 5G 很好"]
    classifier.scorer.model.save_pretrained(str(tmp_path))
    classifier.scorer.tokenizer.save_pretrained(str(tmp_path))

    copy = SentimentClassifier.from_dir(tmp_path, batch_size=3)

    assert copy.scorer.model.config.id2label == {0: "negative", 1: "positive"}
    assert copy.thresholds == classifier.thresholds
    assert copy.predict_scores(texts) == pytest.approx(classifier.predict_scores(texts), abs=1e-6)


def test_tiny_model_learns_the_training_phrases(classifier: SentimentClassifier) -> None:
    results = classifier.predict([f"{POSITIVE[0]}水果0", f"{NEGATIVE[0]}水果0"])

    assert [r.label2 for r in results] == [Sentiment.POSITIVE, Sentiment.NEGATIVE]


def test_batching_does_not_change_scores(classifier: SentimentClassifier, trained: TrainResult) -> None:
    texts = [*POSITIVE, "好", *NEGATIVE, "物流很快但是包装破了，客服也不回复"]
    one_by_one = SentimentClassifier.from_dir(trained.output_dir, batch_size=1)

    assert one_by_one.predict_scores(texts) == pytest.approx(classifier.predict_scores(texts), abs=1e-5)


def test_empty_text_is_rejected_with_value_error(classifier: SentimentClassifier) -> None:
    with pytest.raises(ValueError, match="#1 is empty"):
        classifier.predict(["好", ""])


def test_single_string_instead_of_list_is_rejected(classifier: SentimentClassifier) -> None:
    with pytest.raises(TypeError, match="list of texts"):
        classifier.predict("很好")


def test_no_texts_give_no_results(classifier: SentimentClassifier) -> None:
    assert classifier.predict([]) == []


def test_whitespace_only_text_is_neutral_at_one_half(classifier: SentimentClassifier) -> None:
    [result] = classifier.predict([" \t\n\u3000 "])

    assert (result.label3, result.score, result.label2) == (Sentiment.NEUTRAL, 0.5, Sentiment.POSITIVE)


@pytest.mark.parametrize(
    "text",
    ["很好" * 5000, "Great product, fast shipping!", "\x00\x01\ufffd\x7f\x1b[0m", "\udcff\ud800", "🙂🙂🙂"],
    ids=["10000-chars", "english", "control-junk", "lone-surrogates", "emoji"],
)
def test_odd_texts_get_a_score_in_range(classifier: SentimentClassifier, text: str) -> None:
    [result] = classifier.predict([text])

    assert 0.0 <= result.score <= 1.0
    assert result.label3 in set(Sentiment)


def test_apredict_runs_from_an_event_loop(classifier: SentimentClassifier) -> None:
    async def both() -> list[list[SentimentResult]]:
        return list(await asyncio.gather(classifier.apredict(POSITIVE), classifier.apredict(NEGATIVE)))

    positive, negative = asyncio.run(both())

    assert positive == classifier.predict(POSITIVE)
    assert negative == classifier.predict(NEGATIVE)


def test_evaluate_csv_reports_accuracy_confusion_and_speed(
    classifier: SentimentClassifier, reviews_csv: Path
) -> None:
    report = evaluate_csv(classifier, reviews_csv)

    assert report.count == 80
    assert sum(map(sum, report.confusion)) == 80
    assert 0.5 < report.accuracy <= 1.0
    assert report.reviews_per_second > 0
    assert "macro-F1" in report.format()


def test_finished_output_dir_returns_stored_result_without_training(
    trained: TrainResult, reviews_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(train_module, "_fit", _must_not_run)

    again = train_sentiment(tiny_args(reviews_csv, Path(trained.output_dir)))

    assert again == trained
    with pytest.raises(ValueError, match="other arguments"):
        train_sentiment(tiny_args(reviews_csv, Path(trained.output_dir), seed=7))


def test_interrupted_training_resumes_from_checkpoint(
    reviews_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = tiny_args(reviews_csv, tmp_path / "out")
    with monkeypatch.context() as patch:
        patch.setattr(train_module, "_save_model", _interrupt)
        with pytest.raises(KeyboardInterrupt):
            train_sentiment(args)
    assert (tmp_path / "out" / "checkpoint" / "state.pt").is_file()
    resumed_steps: list[int] = []
    original = train_module._load_state

    def recording_load_state(*args: Any) -> int:
        resumed_steps.append(original(*args))
        return resumed_steps[-1]

    monkeypatch.setattr(train_module, "_load_state", recording_load_state)

    result = train_sentiment(args)

    assert resumed_steps == [result.steps] and result.steps > 0
    assert not (tmp_path / "out" / "checkpoint").exists()


def test_ensemble_head_is_saved_as_plain_arrays_and_used(reviews_csv: Path, tmp_path: Path) -> None:
    result = train_sentiment(tiny_args(reviews_csv, tmp_path / "out", distill_alpha=0.5, ensemble_weight=0.5))
    classifier = SentimentClassifier.from_dir(result.output_dir)
    model_scores, head_scores, _ = classifier.score_parts(POSITIVE)

    assert head_scores is not None and classifier.head_weight == pytest.approx(0.5)
    assert classifier.predict_scores(POSITIVE) == pytest.approx(list(0.5 * model_scores + 0.5 * head_scores))


def test_tfidf_head_round_trip_keeps_scores(tmp_path: Path) -> None:
    texts, labels = [*POSITIVE, *NEGATIVE], [1] * 5 + [0] * 5
    head = TfidfSentiment(min_df=1).fit(texts, labels)
    loaded = TfidfSentiment.load(head.save(tmp_path))

    assert list(loaded.predict_proba(texts)) == pytest.approx(list(head.predict_proba(texts)))


def test_foreign_model_dir_without_our_settings_gets_default_thresholds(
    trained: TrainResult, tmp_path: Path
) -> None:
    foreign = tmp_path / "foreign"
    shutil.copytree(trained.output_dir, foreign)
    config = json.loads((foreign / "config.json").read_text(encoding="utf-8"))
    del config["huisheng_sentiment"]
    config["id2label"], config["label2id"] = {"0": "NEG", "1": "POS"}, {"NEG": 0, "POS": 1}
    (foreign / "config.json").write_text(json.dumps(config), encoding="utf-8")

    classifier = SentimentClassifier.from_dir(foreign)

    assert classifier.scorer.max_length == 32  # from the saved tokenizer's model_max_length
    assert classifier.scorer.roles.positive == (1,) and classifier.head is None
    assert len(classifier.predict(["很好"])) == 1


def _must_not_run(*args: object, **kwargs: object) -> int:
    raise AssertionError("training ran again")


def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def test_residual_model_adds_its_logit_to_the_head_logit(reviews_csv: Path, tmp_path: Path) -> None:
    result = train_sentiment(tiny_args(reviews_csv, tmp_path / "out", residual=True))
    classifier = SentimentClassifier.from_dir(result.output_dir)
    model_scores, head_scores, _ = classifier.score_parts(NEGATIVE)

    assert classifier.residual and head_scores is not None
    logit = np.log(model_scores / (1 - model_scores)) + np.log(head_scores / (1 - head_scores))
    assert classifier.predict_scores(NEGATIVE) == pytest.approx(list(1 / (1 + np.exp(-logit))))
