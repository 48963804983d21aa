"""A planted word-of-mouth spike for the demo: a burst of damaged-packaging reviews of one product in the
last day, so `huisheng detect-alerts` (run by `make seed`) has a real rise to find and show."""

from __future__ import annotations

from datetime import timedelta

from huisheng.demo.activity import MARKETPLACE_SOURCE
from huisheng.demo.catalog import PHONE_ACCESSORIES
from huisheng.demo.shop import DemoShop
from huisheng.services import reviews

SPIKE_TEXTS = [
    "包装太差了，盒子压扁了，{p}外壳都裂了，很失望",
    "快递盒破了一个大洞，{p}包装袋也撕开了，像被人拆过",
    "外包装完全变形，{p}磕坏了，这么贵的东西包装这么敷衍",
    "包装简陋，连气泡膜都没有，{p}到手就有划痕",
    "盒子烂了，包装根本保护不了{p}，差评",
    "包装破损严重，{p}里面的配件都掉出来了，太糟糕了",
    "第二次买了，这次包装特别差，{p}盒子湿了还压坏了",
    "收到的时候包装盒都碎了，{p}也有磕碰，非常不满意",
    "包装差到离谱，泡沫都没有，{p}直接在箱子里晃，坏了",
    "外包装破了，{p}包装袋有污渍，质量把控太差",
    "包装盒被压塌，{p}变形了，失望，不会再买",
]


def seed_spike(shop: DemoShop) -> None:
    """Eleven packaging complaints about one product within the last 20 hours (marketplace reviews)."""
    product = next((p for p in shop.products if p.category == PHONE_ACCESSORIES), shop.products[0])
    for index, text in enumerate(SPIKE_TEXTS):
        review = reviews.store_review(
            shop.session,
            source=MARKETPLACE_SOURCE,
            external_id=f"demo-spike{index + 1:03d}",
            text=text.format(p=product.short_name),
            product_sku=product.sku,
            rating=1 if index % 3 else 2,
        )
        review.created_at = shop.now - timedelta(hours=1 + index * 1.7)
    shop.counts["reviews"] += len(SPIKE_TEXTS)
    shop.counts["reviews.spike"] = len(SPIKE_TEXTS)
