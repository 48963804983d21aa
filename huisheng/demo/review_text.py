"""Natural-sounding Chinese review texts built from fragments about 物流/质量/价格/服务/包装/口味/外观."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from huisheng.demo.catalog import APPLIANCES, BEAUTY, BOOKS, CLOTHING, FRUIT, PHONE_ACCESSORIES, SNACKS

Tone = Literal["positive", "negative", "mixed"]

# {d} is a degree word, {n} a small number, {p} what the customer calls the product.
POSITIVE: dict[str, tuple[str, ...]] = {
    "物流": (
        "物流{d}快，隔天就到了",
        "快递小哥{d}负责，直接送货上门",
        "发货速度{d}快",
        "顺丰发的，第二天就收到了",
        "物流给力，比预计的还早到",
        "下单当天就发货了",
    ),
    "质量": ("{p}质量{d}好", "做工{d}精细，没有瑕疵", "品质不错，是正品", "用了{n}个星期了，没出过问题"),
    "价格": ("价格{d}实惠", "性价比{d}高", "活动价买的，很划算", "比超市便宜不少", "这个价位买到这质量值了"),
    "服务": (
        "客服{d}耐心，有问必答",
        "客服回复{d}及时，态度也好",
        "售后处理很快，点赞",
        "商家还送了小礼物，很贴心",
    ),
    "包装": (
        "包装{d}严实，没有一点破损",
        "包装精美，送人很有面子",
        "包装很用心，里三层外三层",
        "盒子干净整洁",
    ),
    "口味": ("味道{d}好，一口接一口", "口感{d}棒，不会太甜", "吃起来很香，家里小孩很喜欢", "味道正宗"),
    "外观": ("颜值{d}高", "颜色和图片一样，{d}好看", "款式{d}时尚", "外观简洁大方，放家里很搭"),
}
NEGATIVE: dict[str, tuple[str, ...]] = {
    "物流": (
        "物流{d}慢，等了一个多星期才到",
        "快递员不送上门，还得自己去驿站取",
        "发货{d}慢，催了好几次",
        "物流信息{n}天都不更新",
        "快递太慢了，一个星期才到",
    ),
    "质量": ("{p}质量{d}差", "做工粗糙，线头到处都是", "用了{n}天就坏了", "感觉不是正品，和之前买的不一样"),
    "价格": ("价格偏贵，不值这个价", "刚买就降价了，{d}坑", "性价比{d}低", "同样的东西别家便宜一半"),
    "服务": (
        "客服回复{d}慢，半天没人理",
        "客服态度{d}差，问什么都敷衍",
        "申请退货{n}天了没人处理",
        "售后推来推去",
    ),
    "包装": (
        "包装{d}简陋，盒子都压扁了",
        "包装破了，东西都漏出来了",
        "外箱破损严重",
        "连个泡沫都没有，就一个袋子",
    ),
    "口味": ("味道{d}一般，有点难吃", "太甜了，吃了几口就腻", "口感发硬，不新鲜", "有股怪味"),
    "外观": ("颜色和图片差别{d}大", "外观有划痕", "样子跟图片完全不一样", "做出来{d}丑"),
}
# Some categories talk about quality and taste in their own words.
CATEGORY_POSITIVE: dict[tuple[str, str], tuple[str, ...]] = {
    ("质量", CLOTHING): ("面料{d}舒服，不起球", "尺码标准，穿着{d}合身", "洗了{n}次也没变形"),
    ("质量", BEAUTY): ("用着{d}温和，不过敏", "吸收{d}快，皮肤水水的", "用了{n}周效果明显"),
    ("质量", BOOKS): ("纸张{d}好，印刷清晰", "正版书，字迹清楚", "书角没有磕碰，品相很好"),
    ("质量", APPLIANCES): ("用着{d}顺手，噪音也小", "功能齐全，操作简单", "用了{n}个月了很稳定"),
    ("质量", PHONE_ACCESSORIES): ("充电{d}快，发热也不严重", "音质{d}好，降噪明显", "贴合度很高，不影响手感"),
    ("质量", SNACKS): ("日期{d}新鲜，都是这个月生产的", "分量足，独立包装很卫生", "{p}没有碎的，很完整"),
    ("质量", FRUIT): ("果子{d}新鲜，个头也大", "没有一个坏果", "冷链发的，到手还是凉的"),
    ("口味", FRUIT): ("{d}甜，汁水很多", "果肉脆甜，{d}好吃", "香味浓郁，比超市买的好吃"),
}
CATEGORY_NEGATIVE: dict[tuple[str, str], tuple[str, ...]] = {
    ("质量", CLOTHING): ("洗一次就起球了", "尺码偏小{d}多，穿不上", "面料{d}薄，还掉色"),
    ("质量", BEAUTY): ("用了脸上长痘", "{d}油腻，闷痘", "用了{n}周一点效果都没有"),
    ("质量", BOOKS): ("纸张{d}薄，还有错别字", "有几页印刷模糊", "书角都磕坏了"),
    ("质量", APPLIANCES): ("噪音{d}大，晚上没法用", "用了{n}天就坏了", "按键不灵敏"),
    ("质量", PHONE_ACCESSORIES): ("充电{d}慢，还发烫", "连接老是断", "用了{n}天就不能充电了"),
    ("质量", SNACKS): ("离过期只剩{n}天了", "好几包都漏气了", "分量{d}少，袋子一半是空气"),
    ("质量", FRUIT): ("坏了{n}个，{d}不新鲜", "个头很小，跟图片差太多", "烂了一半"),
    ("口味", FRUIT): ("一点都不甜，还有点酸涩", "水分{d}少，口感像木头", "没熟就发过来了"),
}
ASPECTS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    PHONE_ACCESSORIES: ("物流", "质量", "价格", "服务", "包装", "外观"),
    CLOTHING: ("物流", "质量", "价格", "服务", "外观"),
    SNACKS: ("物流", "质量", "价格", "包装", "口味"),
    BEAUTY: ("物流", "质量", "价格", "服务", "包装"),
    APPLIANCES: ("物流", "质量", "价格", "服务", "包装", "外观"),
    BOOKS: ("物流", "质量", "价格", "包装"),
    FRUIT: ("物流", "质量", "价格", "包装", "口味"),
}
POSITIVE_DEGREE = ("很", "非常", "特别", "超", "挺", "相当")
NEGATIVE_DEGREE = ("太", "很", "特别", "非常", "真的")
OPENERS: dict[Tone, tuple[str, ...]] = {
    "positive": (
        "",
        "",
        "第二次回购了，",
        "给家里人买的，",
        "朋友推荐的，",
        "用了一段时间才来评价，",
        "收到了，",
    ),
    "negative": ("", "", "第一次在这家买，", "失望，", "收到货了，说实话", "给差评，"),
    "mixed": ("", "收到了，", "怎么说呢，"),
}
CLOSERS: dict[Tone, tuple[str, ...]] = {
    "positive": ("", "会回购的。", "推荐购买！", "五星好评！", "下次还来。", "满意。"),
    "negative": ("", "不会再买了。", "差评！", "希望商家改进。", "已申请退货。", "不推荐。"),
    "mixed": ("总体还行吧。", "中规中矩。", "一般般。", "看以后吧。"),
}


@dataclass(frozen=True, slots=True)
class ReviewDraft:
    text: str
    rating: int
    tone: Tone


def pick_tone(rng: random.Random, *, unhappy_order: bool = False) -> Tone:
    if unhappy_order:
        return "negative" if rng.random() < 0.85 else "mixed"
    return rng.choices(("positive", "negative", "mixed"), weights=(65, 25, 10))[0]


def write_review(rng: random.Random, *, category: str, product_name: str, tone: Tone) -> ReviewDraft:
    """A review of 1–4 clauses whose rating agrees with its tone (4–5 good, 3 mixed, 1–2 bad)."""
    aspects = list(ASPECTS_BY_CATEGORY.get(category, ("物流", "质量", "价格", "服务")))
    chosen = rng.sample(aspects, min(len(aspects), rng.choice((1, 2, 2, 3, 3, 4))))
    if tone == "mixed" and len(chosen) < 2:
        chosen = rng.sample(aspects, 2)
    clauses = []
    for index, aspect in enumerate(chosen):
        good = tone == "positive" or (tone == "mixed" and index % 2 == 0)
        clauses.append(_clause(rng, aspect=aspect, category=category, product_name=product_name, good=good))
    rng.shuffle(clauses)
    ending = "！" if tone != "mixed" and rng.random() < 0.3 else "。"
    text = rng.choice(OPENERS[tone]) + "，".join(clauses) + ending + rng.choice(CLOSERS[tone])
    return ReviewDraft(text=text, rating=_rating(rng, tone), tone=tone)


def _clause(rng: random.Random, *, aspect: str, category: str, product_name: str, good: bool) -> str:
    general, special = (POSITIVE, CATEGORY_POSITIVE) if good else (NEGATIVE, CATEGORY_NEGATIVE)
    # A category's own wording replaces the general one: nobody says a mango "broke after 3 days".
    templates = special.get((aspect, category)) or general[aspect]
    degree = POSITIVE_DEGREE if good else NEGATIVE_DEGREE
    return rng.choice(templates).format(d=rng.choice(degree), n=rng.randrange(2, 8), p=product_name)


def _rating(rng: random.Random, tone: Tone) -> int:
    if tone == "positive":
        return 5 if rng.random() < 0.7 else 4
    if tone == "negative":
        return 1 if rng.random() < 0.6 else 2
    return 3
