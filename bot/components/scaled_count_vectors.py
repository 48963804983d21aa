"""Count-vector features with sublinear counts and unit length, so DIET sees short and long messages alike."""

from __future__ import annotations

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from sklearn.preprocessing import normalize


def scale_rows(matrix: scipy.sparse.spmatrix | None) -> scipy.sparse.coo_matrix | None:
    """log(1 + count), then each row divided by its L2 norm (rows of zeros stay zero)."""
    if matrix is None:
        return None
    scaled = scipy.sparse.csr_matrix(matrix, dtype=np.float64)
    scaled.data = np.log1p(scaled.data)
    return normalize(scaled, norm="l2", copy=False).tocoo()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class ScaledCountVectorsFeaturizer(CountVectorsFeaturizer):
    """CountVectorsFeaturizer whose rows are scaled like sublinear TF without IDF.

    Raw character n-gram counts grow with message length, so a long complaint and a two-character reply
    reach DIET at very different magnitudes; scaling each row keeps what the message contains and drops
    how long it is. The vocabulary, its persistence and every option are CountVectorsFeaturizer's own.
    """

    def _create_features(
        self, attribute: str, all_tokens: list[list[str]]
    ) -> tuple[list[scipy.sparse.spmatrix | None], list[scipy.sparse.spmatrix | None]]:
        sequence, sentence = super()._create_features(attribute, all_tokens)
        return [scale_rows(m) for m in sequence], [scale_rows(m) for m in sentence]
