"""Mapping any sequence-classification model's `id2label` onto positive / negative."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

_NEGATIVE = ("neg", "负", "消极", "差评", "bad")
_POSITIVE = ("pos", "正", "积极", "好评", "good")
_NEUTRAL = ("neu", "中性", "中立")


@dataclass(frozen=True, slots=True)
class LabelRoles:
    """Class ids that mean positive and negative; any other class (e.g. neutral) counts half to the score."""

    positive: tuple[int, ...]
    negative: tuple[int, ...]


def label_roles(id2label: Mapping[int, str], *, positive_labels: tuple[str, ...] | None = None) -> LabelRoles:
    """Guess roles from label names ("positive", "NEG", "积极", …); binary `LABEL_0/1` means 1 = positive."""
    names = {int(i): str(name).strip().lower() for i, name in id2label.items()}
    if positive_labels is not None:
        wanted = {label.lower() for label in positive_labels}
        positive = tuple(i for i, name in sorted(names.items()) if name in wanted)
        negative = tuple(i for i in sorted(names) if i not in positive)
        if not positive or not negative:
            raise ValueError(f"positive_labels {positive_labels} do not split the model's labels {id2label}")
        return LabelRoles(positive, negative)
    roles: dict[int, str] = {}
    for i, name in names.items():
        # negative first: "negative" would otherwise never be checked against "pos"-like words
        if any(word in name for word in _NEGATIVE):
            roles[i] = "negative"
        elif any(word in name for word in _POSITIVE):
            roles[i] = "positive"
        elif any(word in name for word in _NEUTRAL):
            roles[i] = "neutral"
    positive = tuple(sorted(i for i, role in roles.items() if role == "positive"))
    negative = tuple(sorted(i for i, role in roles.items() if role == "negative"))
    if positive and negative:
        return LabelRoles(positive, negative)
    if sorted(names) == [0, 1]:
        return LabelRoles(positive=(1,), negative=(0,))
    raise ValueError(
        f"cannot tell which of the labels {id2label} are positive; pass positive_labels=(...) explicitly"
    )
