"""Anger cues in chat messages: what counts, what negation cancels, what a blocker hides, and the veto."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.anger import DEFAULT_ANGER_LEXICON, AngerCues, AngerDetector, AngerLexicon, AngerThresholds

THRESHOLDS = AngerThresholds(cue_score=2.0, positive_below=0.7)


@pytest.fixture(scope="module")
def detector() -> AngerDetector:
    return AngerDetector.from_file(DEFAULT_ANGER_LEXICON)


def _angry(detector: AngerDetector, text: str, positive: float | None = 0.05) -> bool:
    return THRESHOLDS.is_angry(detector.cues(text), positive)


@pytest.mark.parametrize(
    "text",
    [
        "我想退货，衣服太小了",
        "衣服质量太差了，我要投诉",
        "怎么还没发货啊，都三天了",
        "有点失望，颜色和图片不一样",
        "退款多久能到账？",
        "好的",
    ],
)
def test_requests_complaints_and_mild_dissatisfaction_are_not_angry(
    detector: AngerDetector, text: str
) -> None:
    assert not _angry(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "你们这什么破店，骗子！",
        "再不退款我就去12315投诉你们",
        "气死我了，第三次问了还是没人管",
        "说了八百遍了，你们听不懂人话吗",
        "laji客服",
    ],
)
def test_insults_threats_and_fury_are_angry(detector: AngerDetector, text: str) -> None:
    assert _angry(detector, text)


def test_sarcasm_about_a_slow_refund_is_angry(detector: AngerDetector) -> None:
    cues = detector.cues("呵呵，你们的效率真高啊，一个退款退了一个月")
    assert {"呵呵", "效率真高"} <= set(cues.cues)
    assert THRESHOLDS.is_angry(cues, positive=0.2)


@pytest.mark.parametrize(
    "text", ["没生气，就想问问进度", "不会投诉你们的，放心", "我不想给差评，能帮我处理一下吗"]
)
def test_a_negation_right_before_a_cue_cancels_it(detector: AngerDetector, text: str) -> None:
    cues = detector.cues(text)
    assert cues.score == 0 and any(cue.startswith("not:") for cue in cues.cues)


@pytest.mark.parametrize("text", ["不要再敷衍我了", "别骗我", "你们这不就是虚假宣传吗"])
def test_an_imperative_or_rhetorical_negation_keeps_the_cue(detector: AngerDetector, text: str) -> None:
    assert detector.cues(text).score >= 2.0


@pytest.mark.parametrize(
    "text", ["有垃圾袋卖吗", "滚筒洗衣机几公斤", "这个空气炸锅几升的", "我老妈的生日礼物"]
)
def test_blocked_words_that_contain_a_cue_are_not_cues(detector: AngerDetector, text: str) -> None:
    assert detector.cues(text).score == 0


def test_a_latin_cue_inside_a_longer_word_does_not_count(detector: AngerDetector) -> None:
    assert detector.cues("usb线能单独买吗").score == 0
    assert detector.cues("sb客服").score >= 2.0


def test_degree_words_scale_a_cue(detector: AngerDetector) -> None:
    assert detector.cues("有点生气").score < detector.cues("生气").score < detector.cues("非常生气").score


def test_traditional_characters_and_emoji_are_read(detector: AngerDetector) -> None:
    assert _angry(detector, "氣死我了，退款拖了一個月")
    assert detector.cues("😡").score > 0 and _angry(detector, "😡😡", positive=None)


def test_a_message_the_model_reads_as_positive_is_vetoed() -> None:
    cues = AngerCues(score=4.5, cues=("不愧是你们", "佩服佩服"))
    assert not THRESHOLDS.is_angry(cues, positive=0.96)
    assert THRESHOLDS.is_angry(cues, positive=None)


def test_the_lexicon_file_format(tmp_path: Path) -> None:
    path = tmp_path / "anger.txt"
    path.write_text(
        "# comment\n骗子 3\n呵呵\n骗子短信 0\nre:[!！]{2,} 1\nneg:不\nkeep:别\ndeg:有点 0.5\n", "utf-8"
    )
    lexicon = AngerLexicon.load(path)
    assert lexicon.phrases == {"骗子": 3.0, "呵呵": 1.0, "骗子短信": 0.0}
    assert [(p.pattern, w) for p, w in lexicon.patterns] == [("[!！]{2,}", 1.0)]
    assert (lexicon.negations, lexicon.keeps, dict(lexicon.degrees)) == (
        frozenset({"不"}),
        frozenset({"别"}),
        {"有点": 0.5},
    )
    assert AngerDetector(lexicon).cues("骗子短信又来了！！").cues == ("re:[!！]{2,}",)


def test_a_bad_weight_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "anger.txt"
    path.write_text("骗子 3\n垃圾 很多\n", "utf-8")
    with pytest.raises(ValueError, match=r"anger.txt:2"):
        AngerLexicon.load(path)
