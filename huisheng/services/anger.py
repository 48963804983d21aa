"""The chat relay's anger handoff: which customer messages mean "a person, now", and when a form keeps them.

The review sentiment model alone cannot decide this: it reads 能退货吗 and 发票怎么开 as negative. A message is
angry when its anger cues (`nlp.anger`: insults, threats, fury, being stalled, sarcasm) reach `cue_score` and
the model does not read it as positive. Figures: README, "Chat turns and the anger handoff".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nlp.anger import AngerDetector, AngerThresholds

if TYPE_CHECKING:
    from huisheng.settings import ChatSettings

ANGER_REASON = "angry customer"


@dataclass(frozen=True, slots=True)
class AngerRule:
    """Hand over when the last `turns` customer messages were angry, unless a form in `exempt_forms` asks.

    `below`: the sentiment model's P(positive) must stay under it (it vetoes, it does not detect).
    `exempt_forms`: the complaint form opens a case with the anger in it, so it is not cut short.
    """

    cue_score: float = 2.0
    below: float = 0.7
    turns: int = 1
    exempt_forms: frozenset[str] = frozenset({"complaint_form"})

    @classmethod
    def from_settings(cls, chat: ChatSettings) -> AngerRule:
        return cls(
            cue_score=chat.anger_cue_score,
            below=chat.anger_below,
            turns=chat.anger_turns,
            exempt_forms=frozenset(chat.anger_exempt_forms),
        )


class AngerJudge:
    """Applies an `AngerRule` to customer messages with their stored sentiment scores."""

    def __init__(self, rule: AngerRule, detector: AngerDetector) -> None:
        self.rule = rule
        self.detector = detector
        self._thresholds = AngerThresholds(cue_score=rule.cue_score, positive_below=rule.below)

    def is_angry(self, text: str, positive: float | None) -> bool:
        """`positive` is the model's P(positive), None when it had nothing to read (emoji only)."""
        return self._thresholds.is_angry(self.detector.cues(text), positive)

    def all_angry(self, messages: Iterable[tuple[str, float | None]]) -> bool:
        """True when the last `turns` of these (text, P(positive)) messages, oldest first, were all angry."""
        recent = list(messages)[-self.rule.turns :]
        return len(recent) == self.rule.turns and all(self.is_angry(text, score) for text, score in recent)

    def exempts(self, active_form: str | None) -> bool:
        return active_form is not None and active_form in self.rule.exempt_forms
