"""Stand-ins for the trained model and the Rasa server, for unit tests about what our code does with them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from huisheng.clients.rasa import WEBHOOK_PATH, RasaClient
from huisheng.runtime import Runtime
from huisheng.services.analysis import TextAnalyzer
from huisheng.services.chat import ChatService
from huisheng.services.staff_desk import StaffDesk
from nlp.aspects import AspectAnalyzer
from nlp.keywords import KeywordExtractor
from nlp.segment import Segmenter
from nlp.sentiment.predict import SentimentResult
from nlp.sentiment.thresholds import ThreeWayThresholds

NEGATIVE_WORDS = ("差", "烂", "再也不买", "气死", "垃圾")


class KeywordSentiment:
    """Scores 0.02 when a negative word appears, else 0.95: tests choose the sentiment by the words they use."""

    thresholds = ThreeWayThresholds(negative_below=0.35, positive_from=0.65)

    def predict_scores(self, texts: Sequence[str]) -> list[float]:
        return [0.02 if any(w in t for w in NEGATIVE_WORDS) else 0.95 for t in texts]

    def predict(self, texts: Sequence[str]) -> list[SentimentResult]:
        return [
            SentimentResult(self.thresholds.decide(s), s, self.thresholds.decide(s))
            for s in self.predict_scores(texts)
        ]


_segmenter: Segmenter | None = None


class FixedSentiment(KeywordSentiment):
    """Scores every text the same: for tests about what a given model score leads to."""

    def __init__(self, score: float):
        self.score = score

    def predict_scores(self, texts: Sequence[str]) -> list[float]:
        return [self.score for _ in texts]


def stub_analyzer(classifier: KeywordSentiment | None = None) -> TextAnalyzer:
    global _segmenter
    if _segmenter is None:  # building jieba's dictionary takes a second; share it across tests
        _segmenter = Segmenter()
    classifier = classifier or KeywordSentiment()
    return TextAnalyzer(
        segmenter=_segmenter,
        keywords=KeywordExtractor(_segmenter),
        aspects=AspectAnalyzer(_segmenter, clause_scorer=classifier.predict_scores),
        classifier=classifier,  # type: ignore[arg-type]
        version="keyword-stub@0",
    )


Answer = str | dict[str, Any]


class FakeRasa:
    """Answers the REST webhook like Rasa does; records what it was sent and the events it was given.

    An answer is a text, or a dict such as {"text": …, "buttons": [{"title": …, "payload": …}]}.
    """

    def __init__(
        self,
        answer: Callable[[str], Sequence[Answer]] | None = None,
        *,
        down: bool = False,
        delay: float = 0.0,
        active_loop: str | None = None,
    ):
        self.active_loop = active_loop  # the form the tracker reports as asking
        self.received: list[dict[str, Any]] = []
        self.events: list[tuple[str, str]] = []
        self.answer = answer or (lambda text: [f"收到: {text}"])
        self.down = down
        self.delay = delay

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == WEBHOOK_PATH:
            payload = json.loads(request.content)
            self.received.append(payload)
            if self.delay:
                time.sleep(self.delay)
            answers = [{"text": a} if isinstance(a, str) else a for a in self.answer(payload["message"])]
            return httpx.Response(200, json=[{"recipient_id": payload["sender"], **a} for a in answers])
        if request.url.path.endswith("/tracker/events"):
            sender = request.url.path.split("/")[2]
            self.events.append((sender, json.loads(request.content)["event"]))
            return httpx.Response(200, json={})
        if request.url.path.endswith("/tracker"):
            return httpx.Response(
                200,
                json={
                    "latest_message": {"intent": {"name": "order_status", "confidence": 0.91}},
                    "active_loop": {"name": self.active_loop} if self.active_loop else {},
                },
            )
        return httpx.Response(404)


RATING_BUTTONS = [{"title": f"{n}分", "payload": f'/rate_service{{"rating":"{n}"}}'} for n in (5, 4, 3, 2, 1)]
CHOICE_BUTTONS = [{"title": "转人工", "payload": "/affirm"}, {"title": "不用了", "payload": "/deny"}]


def shop_answers(text: str) -> list[Answer]:
    """A bot that offers quick replies for 改地址, the rating question for 再见, and echoes the rest."""
    if text == "改地址":
        return [{"text": "需要转人工吗？", "buttons": CHOICE_BUTTONS}]
    if text == "再见":
        return [{"text": "请为本次服务打分", "buttons": RATING_BUTTONS}]
    return [f"收到: {text}"]


def install_fake_rasa(runtime: Runtime, rasa: FakeRasa) -> ChatService:
    """Gives the runtime a chat relay and a staff desk that talk to `rasa`, with the keyword sentiment stub."""
    analyzer = stub_analyzer()
    client = RasaClient("http://rasa.test", transport=rasa.transport())
    runtime._chat = ChatService(
        session_scope=runtime.session, analyzer=lambda: analyzer, rasa=client, delivery=runtime.delivery
    )
    runtime._desk = StaffDesk(session_scope=runtime.session, delivery=runtime.delivery, rasa=client)
    return runtime._chat
