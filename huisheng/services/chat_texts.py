"""What the relay itself says to customers, in one place (the bot's own texts live in bot/domain.yml)."""

from __future__ import annotations

from crm_store.enums import MessageKind

HANDED_OVER_TEXT = "看得出您很着急，已为您转接人工客服（工单号 {ticket}），客服会尽快回复您，请稍候。"
UNAVAILABLE_TEXT = "抱歉，智能客服暂时无法回复，我们已记录您的消息，人工客服会尽快联系您。"
STAFF_ACK_TEXT = "已收到，客服马上回复您。"
STAFF_JOINED_TEXT = "客服 {name} 已接入，为您服务。"
BOT_BACK_TEXT = "已为您转回智能客服，有其他问题随时问我。"
RESOLVED_TEXT = "本次服务已结束，感谢您的耐心。如还有问题，直接发消息即可。"
RATING_REQUEST_TEXT = "请为本次人工服务打个分吧：1到5分，5分最满意。"
RATED_TEXT = "感谢您的评价，我们会继续努力！还有其他问题随时发消息给我。"

KIND_REPLIES: dict[MessageKind, str] = {
    MessageKind.IMAGE: "已收到您的图片。智能客服暂时看不懂图片，请用文字描述一下问题；需要人工请回复“转人工”。",
    MessageKind.VOICE: "已收到您的语音。智能客服暂时听不了语音，请用文字描述一下问题；需要人工请回复“转人工”。",
    MessageKind.VIDEO: "已收到您的视频。智能客服暂时看不了视频，请用文字描述一下问题；需要人工请回复“转人工”。",
    MessageKind.LOCATION: "已收到您的位置。如需修改收货地址，请发送订单号和完整的新地址。",
    MessageKind.LINK: "已收到您分享的链接。请用文字告诉我想咨询的问题，比如订单号或商品名。",
    MessageKind.EVENT: "您好，有什么可以帮您？",
}
