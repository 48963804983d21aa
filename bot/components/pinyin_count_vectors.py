"""Count-vector features over the pinyin of each token, so homophone typos share features with the right word."""

from __future__ import annotations

from components.scaled_count_vectors import ScaledCountVectorsFeaturizer
from pypinyin import lazy_pinyin
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT


def to_pinyin(token: str) -> str:
    """The token's toneless pinyin, syllables run together (退货 → tuihuo); other characters pass through."""
    return "".join(lazy_pinyin(token))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class PinyinCountVectorsFeaturizer(ScaledCountVectorsFeaturizer):
    """ScaledCountVectorsFeaturizer that counts n-grams of the tokens' pinyin instead of their characters.

    Customers type with pinyin input methods, so their typos are mostly homophones: 腿货 for 退货, 运废 for
    运费, 机器银 for 机器人, or the pinyin itself (zhuan ren gong). Character features see unrelated
    characters; pinyin n-grams see the same sound. Only the message text is converted: intent labels stay
    as they are.
    """

    def _process_tokens(self, tokens: list[str], attribute: str = TEXT) -> list[str]:
        tokens = super()._process_tokens(tokens, attribute)
        if attribute != TEXT:
            return tokens
        return [to_pinyin(token) for token in tokens]
