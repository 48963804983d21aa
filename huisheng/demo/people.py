"""Who shops at the demo store: Chinese names, phone numbers, emails, addresses, channel ids and the staff."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from crm_store.enums import CustomerTier, StaffRole

# Common surnames, roughly by frequency (the first ones are drawn more often), with pinyin for emails.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("高", "gao"),
    ("林", "lin"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("许", "xu"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
    ("彭", "peng"),
    ("曾", "zeng"),
    ("肖", "xiao"),
    ("田", "tian"),
    ("董", "dong"),
    ("袁", "yuan"),
    ("潘", "pan"),
    ("蒋", "jiang"),
    ("蔡", "cai"),
    ("余", "yu"),
    ("杜", "du"),
    ("叶", "ye"),
    ("程", "cheng"),
    ("苏", "su"),
    ("魏", "wei"),
    ("吕", "lv"),
    ("丁", "ding"),
    ("沈", "shen"),
    ("姚", "yao"),
    ("卢", "lu"),
    ("姜", "jiang"),
    ("崔", "cui"),
    ("钟", "zhong"),
    ("谭", "tan"),
    ("陆", "lu"),
    ("范", "fan"),
    ("金", "jin"),
    ("石", "shi"),
    ("廖", "liao"),
    ("贾", "jia"),
    ("夏", "xia"),
    ("韦", "wei"),
    ("方", "fang"),
    ("白", "bai"),
    ("邹", "zou"),
    ("孟", "meng"),
    ("熊", "xiong"),
    ("秦", "qin"),
    ("邱", "qiu"),
    ("江", "jiang"),
    ("薛", "xue"),
    ("欧阳", "ouyang"),
)
GIVEN_CHARS: tuple[tuple[str, str], ...] = (
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀", "xiu"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("英", "ying"),
    ("华", "hua"),
    ("玉", "yu"),
    ("红", "hong"),
    ("建", "jian"),
    ("文", "wen"),
    ("辉", "hui"),
    ("斌", "bin"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("凯", "kai"),
    ("鹏", "peng"),
    ("婷", "ting"),
    ("雪", "xue"),
    ("琳", "lin"),
    ("晨", "chen"),
    ("欣", "xin"),
    ("怡", "yi"),
    ("子", "zi"),
    ("涵", "han"),
    ("梓", "zi"),
    ("轩", "xuan"),
    ("思", "si"),
    ("雨", "yu"),
    ("佳", "jia"),
    ("嘉", "jia"),
    ("俊", "jun"),
    ("博", "bo"),
    ("诺", "nuo"),
    ("可", "ke"),
    ("馨", "xin"),
    ("晓", "xiao"),
    ("海", "hai"),
    ("志", "zhi"),
    ("东", "dong"),
    ("亮", "liang"),
    ("飞", "fei"),
    ("春", "chun"),
    ("兰", "lan"),
    ("梅", "mei"),
    ("燕", "yan"),
    ("琴", "qin"),
    ("倩", "qian"),
    ("颖", "ying"),
    ("慧", "hui"),
    ("丹", "dan"),
    ("阳", "yang"),
    ("帆", "fan"),
    ("瑶", "yao"),
    ("泽", "ze"),
    ("睿", "rui"),
)
WECHAT_NICKNAMES = (
    "阳光男孩",
    "小确幸",
    "岁月静好",
    "追风少年",
    "橘子汽水",
    "一只猫",
    "快乐每一天",
    "平安是福",
    "南风",
    "Lucky",
    "Amy",
    "晴天",
    "小太阳",
    "花开富贵",
    "宝妈",
    "老张",
    "Kevin",
    "木子",
    "糖糖",
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
EMAIL_DOMAINS = ("163.com", "126.com", "sina.com", "foxmail.com", "gmail.com", "outlook.com", "139.com")

# (province, city, districts); municipalities repeat their name as the city and print it once.
CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("北京市", "北京市", ("朝阳区", "海淀区", "东城区", "丰台区")),
    ("上海市", "上海市", ("浦东新区", "徐汇区", "静安区", "闵行区")),
    ("天津市", "天津市", ("和平区", "南开区", "河西区")),
    ("重庆市", "重庆市", ("渝中区", "江北区", "南岸区")),
    ("广东省", "广州市", ("天河区", "越秀区", "番禺区", "海珠区")),
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区", "龙岗区")),
    ("浙江省", "杭州市", ("西湖区", "余杭区", "滨江区", "拱墅区")),
    ("江苏省", "南京市", ("鼓楼区", "玄武区", "江宁区")),
    ("江苏省", "苏州市", ("姑苏区", "吴中区", "相城区")),
    ("四川省", "成都市", ("武侯区", "锦江区", "青羊区", "双流区")),
    ("湖北省", "武汉市", ("洪山区", "江汉区", "武昌区")),
    ("陕西省", "西安市", ("雁塔区", "碑林区", "未央区")),
    ("湖南省", "长沙市", ("岳麓区", "天心区", "开福区")),
    ("山东省", "青岛市", ("市南区", "崂山区", "黄岛区")),
    ("福建省", "厦门市", ("思明区", "湖里区", "集美区")),
    ("河南省", "郑州市", ("金水区", "二七区", "中原区")),
    ("辽宁省", "沈阳市", ("和平区", "沈河区", "浑南区")),
    ("云南省", "昆明市", ("五华区", "盘龙区", "官渡区")),
)
STREETS = (
    "建设路",
    "人民路",
    "解放路",
    "中山路",
    "新华路",
    "学府路",
    "科技路",
    "长江路",
    "黄河路",
    "文化路",
    "东风路",
    "和平路",
    "滨江大道",
    "世纪大道",
    "青年路",
    "南京路",
    "幸福路",
    "工业大道",
)
COMPOUNDS = (
    "阳光花园",
    "锦绣家园",
    "翠苑小区",
    "万科城",
    "碧桂园",
    "保利花园",
    "金地名苑",
    "世纪新城",
    "绿地国际花都",
    "幸福里",
    "龙湖春江郦城",
    "华润城",
    "融创玖璋台",
    "学府佳苑",
    "滨江公寓",
)
OFFICES = ("创业大厦", "国贸中心", "软件园", "科技大厦", "金融广场", "创意产业园")

TIER_WEIGHTS: dict[CustomerTier, int] = {
    CustomerTier.REGULAR: 75,
    CustomerTier.SILVER: 14,
    CustomerTier.GOLD: 8,
    CustomerTier.VIP: 3,
}

_OPENID_CHARS = string.ascii_letters + string.digits + "_-"


@dataclass(frozen=True, slots=True)
class DemoStaff:
    username: str
    display_name: str
    role: StaffRole


STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("zhang.min", "张敏", StaffRole.AGENT),
    DemoStaff("li.na", "李娜", StaffRole.AGENT),
    DemoStaff("wang.lei", "王磊", StaffRole.AGENT),
    DemoStaff("chen.jing", "陈静", StaffRole.AGENT),
    DemoStaff("zhao.qiang", "赵强", StaffRole.SUPERVISOR),
    DemoStaff("liu.yang", "刘洋", StaffRole.MANAGER),
    DemoStaff("admin", "系统管理员", StaffRole.ADMIN),
)
STAFF_EMAIL_DOMAIN = "huisheng.example"
# Every demo account's console password, outside production only (like the dev-<username>-token tokens).
DEMO_PASSWORD = "huisheng-demo-2026"


@dataclass(frozen=True, slots=True)
class PersonName:
    hanzi: str
    pinyin: str


def person_name(rng: random.Random) -> PersonName:
    # Triangular draw favours the common surnames at the front of the list.
    surname, surname_py = SURNAMES[int(rng.triangular(0, len(SURNAMES), 0))]
    chars = rng.sample(GIVEN_CHARS, 2 if rng.random() < 0.7 else 1)
    return PersonName(
        surname + "".join(c for c, _ in chars),
        surname_py + "".join(p for _, p in chars),
    )


def mobile_phone(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def email_for(rng: random.Random, name: PersonName) -> str:
    if rng.random() < 0.35:
        return f"{rng.randrange(10**5, 10**10)}@qq.com"
    suffix = rng.choice(("", str(rng.randrange(1970, 2006)), str(rng.randrange(1, 999))))
    return f"{name.pinyin}{suffix}@{rng.choice(EMAIL_DOMAINS)}"


def address(rng: random.Random) -> str:
    province, city, districts = rng.choice(CITIES)
    place = province if province == city else province + city
    street = f"{rng.choice(STREETS)}{rng.randrange(1, 400)}号"
    if rng.random() < 0.2:
        return f"{place}{rng.choice(districts)}{street}{rng.choice(OFFICES)}{rng.randrange(2, 30)}层"
    unit = (
        f"{rng.randrange(1, 30)}栋{rng.randrange(1, 5)}单元{rng.randrange(1, 33)}{rng.randrange(1, 5):02d}室"
    )
    return f"{place}{rng.choice(districts)}{street}{rng.choice(COMPOUNDS)}{unit}"


def web_visitor_id(rng: random.Random) -> str:
    return f"web-{rng.getrandbits(64):016x}"


def wechat_openid(rng: random.Random) -> str:
    """28 characters starting with 'o', the shape WeChat official accounts hand out."""
    return "o" + "".join(rng.choice(_OPENID_CHARS) for _ in range(27))


def wechat_nickname(rng: random.Random, name: PersonName) -> str:
    return rng.choice(WECHAT_NICKNAMES) if rng.random() < 0.5 else name.hanzi


def tier(rng: random.Random) -> CustomerTier:
    return rng.choices(list(TIER_WEIGHTS), weights=list(TIER_WEIGHTS.values()))[0]
