"""The shop-editable policy file (shop_policy.yml): one Chinese answer per topic, quoted by the bot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from huisheng.errors import InvalidInputError, NotFoundError


@dataclass(frozen=True)
class ShopPolicy:
    """Answers by topic (shipping, returns, refund, invoice, payment, address_change, products, ...)."""

    answers: Mapping[str, str]

    def answer(self, topic: str) -> str:
        try:
            return self.answers[topic]
        except KeyError:
            raise NotFoundError(f"the shop policy has no answer for '{topic}'") from None

    @property
    def topics(self) -> list[str]:
        return sorted(self.answers)


def load_policy(path: Path | str) -> ShopPolicy:
    """Reads and checks the file, so a shop owner's typo is reported by name instead of answered blank."""
    file = Path(path)
    try:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"shop policy file {file} does not exist") from None
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"shop policy file {file} is not valid YAML: {exc}") from None
    if not isinstance(loaded, dict):
        raise InvalidInputError(f"shop policy file {file} must map topics to answer texts")
    answers: dict[str, str] = {}
    for topic, text in loaded.items():
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError(f"shop policy topic '{topic}' needs a non-empty answer text")
        answers[str(topic)] = text.strip()
    return ShopPolicy(answers=answers)
