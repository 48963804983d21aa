"""The demo shop's canned replies (快捷回复), written the way a shop's service team would keep them."""

from __future__ import annotations

from huisheng.demo.shop import DEMO_ACTOR, DemoShop
from huisheng.services import canned_replies

# (title, shortcut, body): placeholders are filled from the case when a reply is picked.
REPLIES: tuple[tuple[str, str, str], ...] = (
    ("问候", "hi", "{客户名}您好，我是{店铺名}的客服{客服名}，很高兴为您服务，请问有什么可以帮您？"),
    ("致歉", "sorry", "非常抱歉给您带来不好的体验，{客户名}，我们一定尽快为您处理。"),
    (
        "查询物流",
        "wl",
        "{客户名}您好，订单 {订单号} 的物流我已经帮您催促快递，有最新进展会第一时间通知您。",
    ),
    (
        "退货流程",
        "th",
        "订单 {订单号} 可以申请七天无理由退货：请在订单页点“申请售后”，寄回时备注工单号 {工单号}，"
        "我们收到后 1–3 个工作日内退款。",
    ),
    ("退款到账", "tk", "退款已提交，原路退回一般 1–3 个工作日到账，信用卡可能需要 7 个工作日，请您留意。"),
    ("补发", "bf", "给您添麻烦了！订单 {订单号} 缺少的商品我们今天安排补发，单号出来后会发给您。"),
    ("发票", "fp", "电子发票会在订单确认收货后 24 小时内发到您的邮箱，如需专票请告诉我抬头和税号。"),
    ("结束语", "bye", "感谢您的耐心，{客户名}！如果还有问题随时联系我们，祝您生活愉快～"),
)


def seed_canned_replies(shop: DemoShop) -> None:
    taken = {reply.title for reply in canned_replies.list_replies(shop.session)}
    for title, shortcut, body in REPLIES:
        if title in taken:
            continue
        canned_replies.create_reply(shop.session, title=title, body=body, shortcut=shortcut, actor=DEMO_ACTOR)
        shop.counts["canned_replies"] += 1
