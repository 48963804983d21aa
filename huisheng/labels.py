"""Chinese names of what the store holds (statuses, roles, categories), for pages and messages alike."""

from __future__ import annotations

from crm_store.enums import (
    Channel,
    ConversationStatus,
    CustomerTier,
    EscalationCategory,
    EscalationEventKind,
    EscalationStatus,
    MessageSender,
    OrderStatus,
    Priority,
    ResolutionReason,
    SentimentLabel,
    StaffRole,
)

STATUS_LABELS = {
    EscalationStatus.NEW: "待处理",
    EscalationStatus.ASSIGNED: "已分配",
    EscalationStatus.IN_PROGRESS: "处理中",
    EscalationStatus.RESOLVED: "已解决",
    EscalationStatus.CLOSED: "已关闭",
}
RESOLUTION_LABELS = {
    ResolutionReason.SOLVED: "问题已解决",
    ResolutionReason.REFUNDED: "已退款",
    ResolutionReason.REPLACED: "已补发/换货",
    ResolutionReason.EXPLAINED: "已解释说明",
    ResolutionReason.DUPLICATE: "重复工单",
    ResolutionReason.NO_RESPONSE: "客户无回应",
    ResolutionReason.INVALID: "无效/骚扰",
}
CATEGORY_LABELS = {
    EscalationCategory.COMPLAINT: "投诉",
    EscalationCategory.HANDOFF: "转人工",
    EscalationCategory.REVIEW_FOLLOW_UP: "差评回访",
    EscalationCategory.REFUND: "退款",
    EscalationCategory.LOGISTICS: "物流",
    EscalationCategory.OTHER: "其他",
}
PRIORITY_LABELS = {
    Priority.URGENT: "紧急",
    Priority.HIGH: "高",
    Priority.NORMAL: "普通",
    Priority.LOW: "低",
}
ROLE_LABELS = {
    StaffRole.AGENT: "客服",
    StaffRole.SUPERVISOR: "主管",
    StaffRole.MANAGER: "经理",
    StaffRole.ADMIN: "管理员",
}
CHANNEL_LABELS = {Channel.WEB: "网站", Channel.WECHAT: "微信"}
TIER_LABELS = {
    CustomerTier.REGULAR: "普通",
    CustomerTier.SILVER: "银卡",
    CustomerTier.GOLD: "金卡",
    CustomerTier.VIP: "VIP",
}
ORDER_STATUS_LABELS = {
    OrderStatus.PENDING_PAYMENT: "待付款",
    OrderStatus.PAID: "已付款",
    OrderStatus.SHIPPED: "已发货",
    OrderStatus.DELIVERED: "已签收",
    OrderStatus.COMPLETED: "已完成",
    OrderStatus.CANCELLED: "已取消",
    OrderStatus.REFUND_REQUESTED: "退款中",
    OrderStatus.REFUNDED: "已退款",
}
SENTIMENT_LABELS = {
    SentimentLabel.POSITIVE: "正面",
    SentimentLabel.NEUTRAL: "中性",
    SentimentLabel.NEGATIVE: "负面",
}
CONVERSATION_STATUS_LABELS = {
    ConversationStatus.BOT: "机器人接待",
    ConversationStatus.WAITING_FOR_STAFF: "等待人工",
    ConversationStatus.WITH_STAFF: "人工接待中",
    ConversationStatus.CLOSED: "已结束",
}
SENDER_LABELS = {
    MessageSender.CUSTOMER: "客户",
    MessageSender.BOT: "机器人",
    MessageSender.STAFF: "客服",
    MessageSender.SYSTEM: "系统",
}
EVENT_LABELS = {
    EscalationEventKind.CREATED: "创建工单",
    EscalationEventKind.ASSIGNED: "分配",
    EscalationEventKind.STATUS_CHANGED: "状态变更",
    EscalationEventKind.PRIORITY_CHANGED: "优先级变更",
    EscalationEventKind.NOTE: "内部备注",
    EscalationEventKind.JOINED: "客户再次要求人工",
}
# The bot's intents (bot/domain.yml), as staff read them beside a customer's message.
INTENT_LABELS = {
    "greet": "问候",
    "goodbye": "告别",
    "thank": "致谢",
    "affirm": "肯定",
    "deny": "否定",
    "bot_challenge": "问是否机器人",
    "order_status": "查订单",
    "shipping_info": "物流咨询",
    "return_policy": "退换政策",
    "refund_status": "退款进度",
    "change_address": "改地址",
    "invoice": "发票",
    "payment_issue": "支付问题",
    "product_info": "商品咨询",
    "complain": "投诉",
    "request_human": "转人工",
    "rate_service": "评价服务",
    "out_of_scope": "超出范围",
}

# Why the bot handed a conversation over, as the bot, the relay and the demo name it.
HANDOFF_REASON_LABELS = {
    "customer asked for a person": "客户要求人工",
    "customer_request": "客户要求人工",
    "bot did not understand twice in a row": "机器人连续两次没听懂",
    "negative sentiment on consecutive turns": "客户连续表达不满",
    "angry customer": "客户情绪激动",
    "complaint": "投诉",
    "bulk_purchase": "大宗采购咨询",
}

# Every catalogue by the name templates use for it.
ALL = {
    "status": STATUS_LABELS,
    "resolution": RESOLUTION_LABELS,
    "category": CATEGORY_LABELS,
    "priority": PRIORITY_LABELS,
    "role": ROLE_LABELS,
    "channel": CHANNEL_LABELS,
    "tier": TIER_LABELS,
    "order_status": ORDER_STATUS_LABELS,
    "sentiment": SENTIMENT_LABELS,
    "conversation_status": CONVERSATION_STATUS_LABELS,
    "sender": SENDER_LABELS,
    "event": EVENT_LABELS,
    "intent": INTENT_LABELS,
}
