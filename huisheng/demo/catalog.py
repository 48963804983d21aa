"""What the demo shop 回声小店 sells: about forty products in seven categories, and the carriers it ships with."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

SHOP_NAME = "回声小店"


@dataclass(frozen=True, slots=True)
class DemoProduct:
    sku: str
    name: str
    category: str
    price: Decimal
    stock: int
    description: str
    # What customers call it in a review ("这个充电宝"), shorter than the listing name.
    short_name: str


def _p(
    sku: str, name: str, category: str, price: str, stock: int, description: str, short: str
) -> DemoProduct:
    return DemoProduct(sku, name, category, Decimal(price), stock, description, short)


PHONE_ACCESSORIES = "手机配件"
CLOTHING = "服装"
SNACKS = "零食"
BEAUTY = "美妆护肤"
APPLIANCES = "家电"
BOOKS = "图书"
FRUIT = "水果"

CATEGORIES = (PHONE_ACCESSORIES, CLOTHING, SNACKS, BEAUTY, APPLIANCES, BOOKS, FRUIT)

PRODUCTS: tuple[DemoProduct, ...] = (
    _p(
        "HS-PHN-001",
        "20000毫安快充充电宝 PD22.5W",
        PHONE_ACCESSORIES,
        "129.00",
        320,
        "双向快充，支持苹果/安卓，可带上飞机。",
        "充电宝",
    ),
    _p(
        "HS-PHN-002",
        "氮化镓65W三口充电器",
        PHONE_ACCESSORIES,
        "149.00",
        210,
        "两C一A，笔记本手机一头搞定，折叠插脚。",
        "充电器",
    ),
    _p(
        "HS-PHN-003",
        "真无线蓝牙耳机 主动降噪版",
        PHONE_ACCESSORIES,
        "299.00",
        150,
        "40dB主动降噪，单次续航8小时，支持无线充电。",
        "耳机",
    ),
    _p(
        "HS-PHN-004",
        "iPhone 15 磁吸透明手机壳",
        PHONE_ACCESSORIES,
        "39.90",
        800,
        "军规防摔，不发黄，支持MagSafe。",
        "手机壳",
    ),
    _p(
        "HS-PHN-005",
        "钢化膜高清防指纹（2片装）",
        PHONE_ACCESSORIES,
        "19.90",
        1200,
        "9H硬度，附贴膜神器，贴歪包退。",
        "钢化膜",
    ),
    _p(
        "HS-PHN-006",
        "编织Type-C数据线 1.5米 两条装",
        PHONE_ACCESSORIES,
        "29.90",
        950,
        "支持60W快充，尼龙编织耐弯折。",
        "数据线",
    ),
    _p(
        "HS-CLO-001",
        "纯棉圆领短袖T恤 男女同款",
        CLOTHING,
        "59.00",
        600,
        "新疆长绒棉，220g重磅，S-3XL多色可选。",
        "T恤",
    ),
    _p("HS-CLO-002", "加绒连帽卫衣 秋冬款", CLOTHING, "139.00", 340, "内里加绒，宽松版型，不起球。", "卫衣"),
    _p(
        "HS-CLO-003",
        "高腰直筒牛仔裤 女款",
        CLOTHING,
        "169.00",
        260,
        "微弹面料，显瘦不勒腰，九分长度。",
        "牛仔裤",
    ),
    _p(
        "HS-CLO-004",
        "轻薄羽绒服 90白鸭绒",
        CLOTHING,
        "399.00",
        120,
        "可收纳便携，防风面料，立领设计。",
        "羽绒服",
    ),
    _p(
        "HS-CLO-005",
        "冰丝防晒衣 UPF50+",
        CLOTHING,
        "89.00",
        450,
        "凉感透气，连帽带面罩，夏季户外必备。",
        "防晒衣",
    ),
    _p(
        "HS-CLO-006",
        "运动速干袜 5双装",
        CLOTHING,
        "35.00",
        1000,
        "吸汗防臭，加厚毛巾底，跑步健身适用。",
        "袜子",
    ),
    _p(
        "HS-SNK-001",
        "每日坚果 30包礼盒装",
        SNACKS,
        "89.90",
        500,
        "六种坚果果干科学配比，独立小包装，锁鲜。",
        "坚果",
    ),
    _p(
        "HS-SNK-002",
        "内蒙古风干牛肉干 500g",
        SNACKS,
        "118.00",
        280,
        "手撕风干，原味/香辣可选，无添加淀粉。",
        "牛肉干",
    ),
    _p("HS-SNK-003", "麻辣小龙虾味辣条 大礼包", SNACKS, "29.90", 900, "20包混合口味，童年的味道。", "辣条"),
    _p(
        "HS-SNK-004",
        "低糖全麦面包 整箱2kg",
        SNACKS,
        "45.80",
        400,
        "代餐饱腹，高纤维，早餐好搭档。",
        "全麦面包",
    ),
    _p(
        "HS-SNK-005",
        "云南鲜花饼 10枚装",
        SNACKS,
        "39.90",
        350,
        "玫瑰花瓣现烤，酥皮掉渣，香而不腻。",
        "鲜花饼",
    ),
    _p(
        "HS-SNK-006",
        "冻干草莓脆 100g×3罐",
        SNACKS,
        "59.00",
        300,
        "整颗草莓冻干，酸甜酥脆，零添加蔗糖。",
        "草莓脆",
    ),
    _p(
        "HS-BTY-001",
        "玻尿酸补水保湿面膜 20片",
        BEAUTY,
        "99.00",
        700,
        "深层补水，敏感肌可用，蚕丝膜布。",
        "面膜",
    ),
    _p("HS-BTY-002", "氨基酸洗面奶 120g", BEAUTY, "69.00", 650, "温和不紧绷，绵密泡沫，男女通用。", "洗面奶"),
    _p(
        "HS-BTY-003",
        "清爽防晒霜 SPF50+ PA++++",
        BEAUTY,
        "128.00",
        380,
        "轻薄不油腻，防水防汗，不假白。",
        "防晒霜",
    ),
    _p("HS-BTY-004", "丝绒雾面口红 #复古红", BEAUTY, "159.00", 240, "显白不拔干，持久不掉色。", "口红"),
    _p(
        "HS-BTY-005", "烟酰胺美白精华液 30ml", BEAUTY, "239.00", 180, "5%烟酰胺，提亮肤色，淡化痘印。", "精华"
    ),
    _p(
        "HS-BTY-006",
        "男士控油洁面啫喱 150ml",
        BEAUTY,
        "59.00",
        420,
        "清爽控油，去黑头，薄荷清凉。",
        "洁面啫喱",
    ),
    _p(
        "HS-APL-001",
        "无线手持吸尘器 大吸力",
        APPLIANCES,
        "899.00",
        60,
        "25000Pa吸力，续航50分钟，除螨刷头。",
        "吸尘器",
    ),
    _p(
        "HS-APL-002",
        "空气炸锅 5L 可视窗口",
        APPLIANCES,
        "329.00",
        110,
        "无油低脂，可视烹饪，一键菜单。",
        "空气炸锅",
    ),
    _p(
        "HS-APL-003",
        "电热水壶 1.7L 304不锈钢",
        APPLIANCES,
        "119.00",
        260,
        "无缝内胆，防干烧，五分钟烧开。",
        "电热水壶",
    ),
    _p(
        "HS-APL-004",
        "桌面小风扇 USB充电静音",
        APPLIANCES,
        "79.00",
        500,
        "三档风速，可摇头，办公室宿舍适用。",
        "小风扇",
    ),
    _p(
        "HS-APL-005",
        "智能恒温电饭煲 4L",
        APPLIANCES,
        "459.00",
        90,
        "IH电磁加热，24小时预约，不粘内胆。",
        "电饭煲",
    ),
    _p(
        "HS-BOK-001",
        "《三体》全集（典藏版 三册）",
        BOOKS,
        "93.00",
        300,
        "刘慈欣代表作，雨果奖获奖作品。",
        "三体",
    ),
    _p("HS-BOK-002", "《活着》余华 精装", BOOKS, "35.00", 420, "一个人和他命运之间的友情。", "活着"),
    _p(
        "HS-BOK-003",
        "Python编程：从入门到实践（第3版）",
        BOOKS,
        "89.00",
        200,
        "零基础入门，配套项目实战。",
        "Python书",
    ),
    _p("HS-BOK-004", "儿童绘本 0-3岁 精选10册", BOOKS, "128.00", 160, "硬壳撕不烂，亲子共读。", "绘本"),
    _p(
        "HS-BOK-005",
        "《人类简史》尤瓦尔·赫拉利",
        BOOKS,
        "68.00",
        260,
        "从动物到上帝，一部人类简史。",
        "人类简史",
    ),
    _p(
        "HS-FRT-001",
        "四川爱媛38号果冻橙 5斤装",
        FRUIT,
        "39.90",
        600,
        "皮薄多汁，现摘现发，坏果包赔。",
        "果冻橙",
    ),
    _p("HS-FRT-002", "海南金煌芒 5斤大果", FRUIT, "49.90", 400, "果肉细腻无丝，香甜软糯。", "芒果"),
    _p("HS-FRT-003", "新疆阿克苏冰糖心苹果 10斤", FRUIT, "69.90", 350, "糖心脆甜，产地直发。", "苹果"),
    _p("HS-FRT-004", "丹东99草莓 3斤礼盒", FRUIT, "128.00", 150, "个大饱满，冷链配送，顺丰包邮。", "草莓"),
    _p("HS-FRT-005", "云南阳光玫瑰青提 2斤", FRUIT, "59.90", 280, "无籽脆甜，玫瑰香味浓郁。", "青提"),
    _p(
        "HS-FRT-006",
        "智利进口车厘子 JJ级 2斤",
        FRUIT,
        "159.00",
        120,
        "果径28-30mm，空运直达，冷链保鲜。",
        "车厘子",
    ),
)

# Carrier and how its tracking numbers look: (prefix, number of digits after it).
CARRIERS: dict[str, tuple[str, int]] = {
    "顺丰速运": ("SF", 13),
    "中通快递": ("78", 12),
    "圆通速递": ("YT", 13),
    "京东物流": ("JDV", 12),
    "EMS": ("11", 11),
}
