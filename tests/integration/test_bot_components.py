"""The bot's own Rasa components, run in the Rasa env where they live (they import rasa)."""

from __future__ import annotations

import json
import subprocess
import textwrap
from typing import Any

import pytest

from tests.integration.conftest import RASA, RASA_ENV, ROOT, require_rasa

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def run_in_rasa_env(code: str) -> Any:
    """Runs `code` with bot/ on the path; whatever it prints as JSON comes back."""
    require_rasa()
    result = subprocess.run(
        [str(RASA.parent / "python"), "-c", textwrap.dedent(code)],
        cwd=ROOT / "bot",
        env={**RASA_ENV, "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_normalise_folds_traditional_and_full_width_without_moving_offsets() -> None:
    folded = run_in_rasa_env(
        """
        import json
        from components.chinese_tokenizer import normalise
        print(json.dumps([normalise(t) for t in ["我的訂單到哪了", "ＯＫ，好的", "發票　抬頭"]]))
        """
    )
    assert folded == ["我的订单到哪了", "ok,好的", "发票 抬头"]


def test_scaled_count_vectors_have_unit_length_and_sublinear_counts() -> None:
    rows = run_in_rasa_env(
        """
        import json
        import numpy as np
        import scipy.sparse
        from components.scaled_count_vectors import scale_rows
        counts = scipy.sparse.coo_matrix(np.array([[1, 3, 0], [0, 0, 0], [2, 0, 0]]))
        print(json.dumps(scale_rows(counts).toarray().round(6).tolist()))
        """
    )
    short, empty, single = rows
    assert short == pytest.approx([0.447214, 0.894427, 0.0])  # log(2) : log(4) = 1 : 2, then unit length
    assert empty == [0.0, 0.0, 0.0]
    assert single == [1.0, 0.0, 0.0]


def test_pinyin_features_match_a_homophone_typo_to_the_right_word() -> None:
    vectors = run_in_rasa_env(
        """
        import json, pathlib, tempfile
        from rasa.engine.graph import ExecutionContext, GraphSchema
        from rasa.engine.storage.local_model_storage import LocalModelStorage
        from rasa.engine.storage.resource import Resource
        from rasa.nlu.constants import TOKENS_NAMES
        from rasa.nlu.tokenizers.tokenizer import Token
        from rasa.shared.nlu.constants import TEXT
        from rasa.shared.nlu.training_data.message import Message
        from rasa.shared.nlu.training_data.training_data import TrainingData
        from components.pinyin_count_vectors import PinyinCountVectorsFeaturizer

        def message(*words):
            text = "".join(words)
            tokens, start = [], 0
            for word in words:
                tokens.append(Token(word, start))
                start += len(word)
            return Message(data={TEXT: text, TOKENS_NAMES[TEXT]: tokens})

        config = {**PinyinCountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "max_ngram": 4}
        featurizer = PinyinCountVectorsFeaturizer.create(
            config,
            LocalModelStorage(pathlib.Path(tempfile.mkdtemp())),
            Resource("pinyin"),
            ExecutionContext(GraphSchema({}), "test"),
        )
        featurizer.train(TrainingData([message("怎么", "退货"), message("运费", "多少")]))
        typo, right, other = message("怎么", "腿货"), message("怎么", "退货"), message("运费", "多少")
        featurizer.process([typo, right, other])
        sentence = lambda m: m.get_sparse_features(TEXT)[1].features.toarray().round(6).tolist()
        print(json.dumps([sentence(typo), sentence(right), sentence(other)]))
        """
    )
    typo, right, other = vectors
    assert typo == right  # 腿货 and 退货 are both "tuihuo"
    assert typo != other
    assert any(value > 0 for value in typo[0])


def test_rasa_checks_action_server_replies_with_the_pinned_jsonschema() -> None:
    # jsonschema is pinned to 3.2 for speed (scripts/setup_rasa.sh); Rasa must still refuse a malformed reply.
    result = run_in_rasa_env(
        """
        import json
        import jsonschema
        from rasa.core.actions.action import RemoteAction

        action = RemoteAction("action_order_status", None)
        good = {"events": [{"event": "slot", "name": "order_no", "value": "202411050012"}],
                "responses": [{"text": "您的订单已发货"}]}
        try:
            action._validate_action_result({"events": [{"name": "no event type"}], "responses": "文本"})
            refused = False
        except jsonschema.ValidationError:
            refused = True
        print(json.dumps({"version": jsonschema.__version__, "good": action._validate_action_result(good),
                          "refused": refused}))
        """
    )
    assert result == {"version": "3.2.0", "good": True, "refused": True}


def test_e5_intent_classifier_trains_through_the_product_cli_and_averages_with_diets_ranking() -> None:
    result = run_in_rasa_env(
        """
        import json, pathlib, tempfile
        from rasa.engine.graph import ExecutionContext, GraphSchema
        from rasa.engine.storage.local_model_storage import LocalModelStorage
        from rasa.engine.storage.resource import Resource
        from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
        from rasa.shared.nlu.training_data.message import Message
        from rasa.shared.nlu.training_data.training_data import TrainingData
        from components.e5_intent_classifier import E5IntentClassifier
        from components.chinese_tokenizer import normalise

        storage, resource = LocalModelStorage(pathlib.Path(tempfile.mkdtemp())), Resource("e5i")
        context = ExecutionContext(GraphSchema({}), "e5i")
        # One optimisation step: this checks the plumbing, not the accuracy (bot/README.md has that).
        config = {**E5IntentClassifier.get_default_config(), "epochs": 0.05, "train_threads": 1}
        examples = [("我的订单到哪了", "order_status"), ("怎么退货", "return_policy"), ("你好", "greet")]
        E5IntentClassifier.create(config, storage, resource, context).train(
            TrainingData([Message(data={TEXT: t, INTENT: i}) for t, i in examples])
        )
        classifier = E5IntentClassifier.load(config, storage, resource, context)
        e5 = dict(zip(classifier._classifier.labels,
                      classifier._classifier.probabilities([normalise("我的訂單到哪了")])[0].tolist()))
        diet = [{"name": "greet", "confidence": 0.9}, {"name": "order_status", "confidence": 0.1}]
        ranked = Message(data={TEXT: "我的訂單到哪了", INTENT: diet[0], INTENT_RANKING_KEY: diet})
        alone = Message(data={TEXT: "我的訂單到哪了"})
        blank = Message(data={TEXT: "  "})
        classifier.process([ranked, alone, blank])
        print(json.dumps({
            "labels": classifier._classifier.labels,
            "e5": e5,
            "ranked": ranked.get(INTENT_RANKING_KEY),
            "top": ranked.get(INTENT),
            "alone": alone.get(INTENT_RANKING_KEY),
            "blank": blank.get(INTENT),
        }))
        """
    )
    e5 = result["e5"]
    assert result["labels"] == ["greet", "order_status", "return_policy"]
    assert sum(e5.values()) == pytest.approx(1.0, abs=1e-4)
    mixed = {item["name"]: item["confidence"] for item in result["ranked"]}
    assert mixed["greet"] == pytest.approx(0.5 * e5["greet"] + 0.45, abs=1e-5)
    assert mixed["order_status"] == pytest.approx(0.5 * e5["order_status"] + 0.05, abs=1e-5)
    assert mixed["return_policy"] == pytest.approx(0.5 * e5["return_policy"], abs=1e-5)
    assert result["top"]["name"] == max(mixed, key=mixed.__getitem__)
    assert [item["confidence"] for item in result["ranked"]] == sorted(mixed.values(), reverse=True)
    # With no ranking before it, e5's own probabilities are the answer.
    assert {item["name"]: item["confidence"] for item in result["alone"]} == pytest.approx(e5, abs=1e-5)
    assert result["blank"] is None
