"""Scripted customer-service chats and escalation texts for the demo shop, with intents and sentiment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crm_store.enums import EscalationCategory, SentimentLabel

# Which of the customer's orders a script talks about, if any.
Needs = Literal["none", "shipped", "unshipped", "refund"]


@dataclass(frozen=True, slots=True)
class Line:
    """One turn: the customer's lines carry the intent and sentiment the bot would have recorded."""

    customer: bool
    text: str
    intent: str | None = None
    sentiment: SentimentLabel | None = None


@dataclass(frozen=True, slots=True)
class Script:
    needs: Needs
    lines: tuple[Line, ...]
    # Why the customer was handed to a person, for scripts that end in the staff queue.
    handover_reason: str | None = None


POS, NEU, NEG = SentimentLabel.POSITIVE, SentimentLabel.NEUTRAL, SentimentLabel.NEGATIVE


def c(text: str, intent: str, sentiment: SentimentLabel = NEU) -> Line:
    return Line(True, text, intent, sentiment)


def b(text: str) -> Line:
    return Line(False, text)


# Slots: {order_no}, {carrier}, {tracking_no}, {product}.
CLOSED_SCRIPTS: tuple[Script, ...] = (
    Script(
        "shipped",
        (
            c("你好，我的订单{order_no}到哪了？", "order_status"),
            b("您好！订单{order_no}已由{carrier}发出，运单号{tracking_no}，一般1-3天送达。"),
            c("好的，谢谢", "thank", POS),
            b("不客气，祝您生活愉快！"),
        ),
    ),
    Script(
        "shipped",
        (
            c("在吗", "greet"),
            b("您好，我是回声小店的智能客服小回，请问有什么可以帮您？"),
            c("{order_no}什么时候能到", "order_status"),
            b("订单{order_no}正在{carrier}派送途中，运单号{tracking_no}，请保持电话畅通。"),
            c("好嘞", "affirm", POS),
        ),
    ),
    Script(
        "none",
        (
            c("你们一般多久发货？发什么快递？", "shipping_info"),
            b("下单后48小时内发货，默认中通快递，满99元可选顺丰。"),
            c("包邮吗", "shipping_info"),
            b("全场满49元包邮，新疆、西藏等偏远地区除外。"),
            c("明白了", "affirm"),
        ),
    ),
    Script(
        "none",
        (
            c("衣服尺码不合适可以退吗", "return_policy"),
            b("支持7天无理由退换货，商品保持完好、吊牌未拆即可，在订单页点“申请售后”就行。"),
            c("运费谁出", "return_policy"),
            b("质量问题由我们承担运费；无理由退货的运费需要您自理，买了运费险的可以理赔。"),
            c("好的谢谢", "thank", POS),
        ),
    ),
    Script(
        "none",
        (
            c("能开发票吗？", "invoice"),
            b("可以的，支持电子普通发票，确认收货后在订单详情页申请，1-3个工作日开出。"),
            c("公司报销要专票", "invoice"),
            b("增值税专用发票请提供公司名称、税号、开户行和账号，财务同事会联系您。"),
            c("好的", "affirm"),
        ),
    ),
    Script(
        "unshipped",
        (
            c("订单{order_no}地址写错了，能改吗", "change_address", NEG),
            b("订单{order_no}还没有发货，可以修改。请告诉我新的收货地址。"),
            c("改到公司地址，我在订单备注里写了", "change_address"),
            b("好的，已为您提交修改，发货前会按新地址寄出。"),
            c("谢谢，辛苦了", "thank", POS),
        ),
    ),
    Script(
        "none",
        (
            c("{product}还有货吗？", "product_info"),
            b("{product}目前有现货，今天16点前下单当天发出。"),
            c("好，我去下单", "affirm", POS),
        ),
    ),
    Script(
        "refund",
        (
            c("我申请退款的订单{order_no}什么时候到账", "refund_status", NEG),
            b("订单{order_no}的退款已受理，会原路退回，一般1-7个工作日到账。"),
            c("好吧，那我再等等", "affirm"),
        ),
    ),
    Script(
        "none",
        (
            c("付款的时候一直提示失败", "payment_issue", NEG),
            b("很抱歉给您带来不便。请确认银行卡余额和限额，或者换微信支付/支付宝再试一次。"),
            c("换了支付宝可以了", "affirm", POS),
            b("太好了，感谢您的耐心！"),
        ),
    ),
)

WAITING_SCRIPTS: tuple[Script, ...] = (
    Script(
        "shipped",
        (
            c("我的快递{order_no}三天了物流都没更新，怎么回事？", "order_status", NEG),
            b("非常抱歉，订单{order_no}由{carrier}承运，运单号{tracking_no}，我帮您催一下。"),
            c("每次都说催，有用吗？转人工！", "request_human", NEG),
        ),
        handover_reason="customer_request",
    ),
    Script(
        "refund",
        (
            c("收到的东西是坏的，订单{order_no}我要退款", "complain", NEG),
            b("很抱歉给您带来不好的体验，您可以在订单页申请售后，上传照片后我们会尽快处理。"),
            c("我要找人工客服", "request_human", NEG),
        ),
        handover_reason="customer_request",
    ),
    Script(
        "none",
        (
            c("你们客服到底有没有人？问了半天都是机器人", "request_human", NEG),
            b("抱歉让您久等了，正在为您转接人工客服，请稍候。"),
        ),
        handover_reason="customer_request",
    ),
    Script(
        "none",
        (
            c("买的{product}质量太差了，我要投诉", "complain", NEG),
            b("非常抱歉，您的反馈很重要，我马上为您转接人工客服处理。"),
        ),
        handover_reason="complaint",
    ),
    Script(
        "none",
        (
            c("想批量采购{product}，一百件以上有优惠吗", "product_info"),
            b("大宗采购需要专人对接，我帮您转给人工客服。"),
        ),
        handover_reason="bulk_purchase",
    ),
)

CSAT_COMMENTS: dict[int, tuple[str, ...]] = {
    5: ("回复很快，问题解决了", "小回很聪明", "非常满意", ""),
    4: ("还不错", "解决了，就是等得有点久", ""),
    3: ("一般", "答非所问了一次", ""),
    2: ("机器人听不懂我说什么", "绕了半天才说清楚"),
    1: ("完全没解决问题", "太差了，还是要找人工"),
}
CSAT_WEIGHTS = {5: 45, 4: 30, 3: 12, 2: 7, 1: 6}

ESCALATION_TEXTS: dict[EscalationCategory, tuple[str, ...]] = {
    EscalationCategory.COMPLAINT: (
        "收到的{product}有质量问题，对客服的处理不满意，要求投诉。",
        "快递员态度恶劣，把包裹直接扔在门口，东西摔坏了。",
        "商品与描述严重不符，客户要求给个说法。",
    ),
    EscalationCategory.REFUND: (
        "订单{order_no}申请退款三天了还没有处理，客户很着急。",
        "订单{order_no}里的{product}收到就坏了，客户要求全额退款。",
    ),
    EscalationCategory.LOGISTICS: (
        "订单{order_no}物流五天没有更新，{carrier}运单号{tracking_no}。",
        "订单{order_no}显示已签收，但客户说本人没有收到。",
    ),
}
RESOLUTIONS = (
    "已补发新品，客户表示满意。",
    "已全额退款并致歉。",
    "已联系快递加急派送，客户已签收。",
    "已发放20元无门槛优惠券作为补偿，客户接受。",
    "核实为快递放在驿站，已告知取件码。",
)
