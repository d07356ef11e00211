"""Chinese names and unified social credit codes for the demo market's organisations and
people. Every name is invented; any likeness to a real company is chance.

A credit code (GB 32100-2015) is built as a real one is: ``9`` (registered by market
regulation), ``1`` (enterprise), the GB/T 2260 code of the city, a nine-character
organisation code whose last character is its GB 11714 check, and the GB 32100 check
character from ``underwriting.credit_code``.
"""

from __future__ import annotations

import numpy as np

from underwriting.credit_code import check_character
from underwriting.demo_market.truth import HAZARD_CLASSES
from underwriting.vocabulary import HazardClass as H
from underwriting.vocabulary import QualificationKind as Q

PLATFORM_NAME = "第二把锁（北京）安全科技有限公司"
PLATFORM_CITY = "110100"
#: Three insurers' provincial branches, fictional names in the usual style.
INSURERS: tuple[tuple[str, str], ...] = (
    ("中安联合财产保险股份有限公司江苏分公司", "320100"),
    ("泰盛财产保险股份有限公司山东分公司", "370100"),
    ("瑞衡财产保险股份有限公司广东分公司", "440100"),
)

# fmt: off
TRADE_NAMES = (
    "宏达", "华盛", "鑫源", "恒泰", "金鼎", "永安", "瑞丰", "隆基", "昌盛", "东方", "中联", "天成",
    "远航", "信诚", "汇通", "国泰", "新兴", "兴业", "鼎盛", "聚源", "华瑞", "安泰", "宏远", "博远",
    "万通", "明德", "锦程", "嘉禾", "祥和", "盛世", "荣昌", "正阳", "富达", "众诚", "海源", "金盛",
    "润泽", "开元", "宝丰", "德胜", "同创", "凯达", "辰光", "鸿运", "泰和", "启明", "振华", "顺达",
    "晨阳", "银河", "天宇", "立信", "通达", "安盛", "中恒", "美达", "金石", "永固", "合力", "协和",
    "星源", "恒通", "光明", "广源", "佳诚", "东升", "北辰", "大地", "丰泽", "华宇", "瑞祥", "德隆",
)

INDUSTRY_SUFFIXES = {
    H.MINING: ("煤业有限责任公司", "矿业有限公司", "煤矿有限公司", "矿业集团有限公司"),
    H.HAZARDOUS_CHEMICALS: ("化工有限公司", "石化有限公司", "化学工业有限公司", "精细化工有限公司"),
    H.FIREWORKS: ("烟花制造有限公司", "鞭炮烟花有限公司", "花炮有限公司"),
    H.TRANSPORT: ("物流有限公司", "运输有限公司", "危险货物运输有限公司", "港口装卸有限公司"),
    H.CONSTRUCTION: ("建设工程有限公司", "建筑工程有限公司", "建工集团有限公司",
                     "市政工程有限公司"),
    H.CIVIL_EXPLOSIVES: ("民爆器材有限公司", "爆破工程有限公司", "爆破器材有限公司"),
    H.METAL_SMELTING: ("钢铁有限公司", "冶金有限公司", "有色金属有限公司", "特钢有限公司"),
    H.FISHERY: ("水产有限公司", "远洋渔业有限公司", "海洋渔业有限公司"),
    H.LIGHT_MANUFACTURING: ("食品有限公司", "纺织有限公司", "服装有限公司", "家具有限公司",
                            "电子科技有限公司", "包装制品有限公司", "印刷有限公司"),
    H.HEAVY_MANUFACTURING: ("机械制造有限公司", "重工有限公司", "汽车零部件有限公司",
                            "装备制造有限公司", "铸造有限公司", "建材有限公司"),
}

FIRM_SUFFIXES = {
    Q.SAFETY_ASSESSMENT: ("安全评价有限公司", "安全技术评价咨询有限公司"),
    Q.TESTING_INSPECTION: ("安全检测检验有限公司", "检测技术有限公司"),
    Q.SAFETY_CONSULTING: ("安全技术服务有限公司", "安全科技有限公司", "安全生产技术咨询有限公司"),
    Q.OCCUPATIONAL_HEALTH: ("职业卫生技术服务有限公司", "环境与职业健康检测有限公司"),
}

SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
)
GIVEN_CHARACTERS = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "文", "志", "红", "海", "林", "波",
    "辉", "鹏", "宇", "晨", "浩", "婷", "欣", "佳", "俊", "峰", "斌", "亮", "东", "飞", "凯", "琳",
)
# fmt: on

#: GB 11714 weights of the eight body characters of an organisation code.
_ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def person_names(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` Chinese personal names: a surname and one or two given characters."""
    surnames = rng.integers(0, len(SURNAMES), count)
    firsts = rng.integers(0, len(GIVEN_CHARACTERS), count)
    seconds = rng.integers(-len(GIVEN_CHARACTERS) // 2, len(GIVEN_CHARACTERS), count)
    return [
        SURNAMES[s] + GIVEN_CHARACTERS[f] + (GIVEN_CHARACTERS[g] if g >= 0 else "")
        for s, f, g in zip(surnames.tolist(), firsts.tolist(), seconds.tolist(), strict=True)
    ]


def _unique_names(stems: list[tuple[str, tuple[str, ...]]], rng: np.random.Generator) -> list[str]:
    """``city + trade name + suffix`` for each (city, suffixes), redrawing on a clash."""
    taken: set[str] = set()
    names = []
    for city, suffixes in stems:
        while True:
            trade = TRADE_NAMES[int(rng.integers(len(TRADE_NAMES)))]
            name = city + trade + suffixes[int(rng.integers(len(suffixes)))]
            if name not in taken:
                break
        taken.add(name)
        names.append(name)
    return names


def enterprise_names(
    class_index: np.ndarray, city_names: list[str], rng: np.random.Generator
) -> list[str]:
    """Distinct company names of the enterprises' industries (e.g. ``唐山宏达钢铁有限公司``)."""
    suffixes = [INDUSTRY_SUFFIXES[HAZARD_CLASSES[c]] for c in class_index.tolist()]
    return _unique_names(list(zip(city_names, suffixes, strict=True)), rng)


def firm_names(
    qualifications: list[Q], city_names: list[str], rng: np.random.Generator
) -> list[str]:
    """Distinct service-firm names fitting each firm's qualification."""
    suffixes = [FIRM_SUFFIXES[q] for q in qualifications]
    return _unique_names(list(zip(city_names, suffixes, strict=True)), rng)


def organisation_code(digits: str) -> str:
    """The nine-character GB 11714 organisation code of eight digits (check 10 → ``X``)."""
    total = sum(int(d) * w for d, w in zip(digits, _ORGANISATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return digits + {10: "X", 11: "0"}.get(check, str(check))


def credit_codes(city_codes: list[str], rng: np.random.Generator) -> list[str]:
    """A distinct, valid GB 32100 credit code for each organisation registered in a city."""
    taken: set[str] = set()
    codes = []
    for city in city_codes:
        while True:
            digits = "".join(str(d) for d in rng.integers(0, 10, 8).tolist())
            body = "91" + city + organisation_code(digits)
            code = body + check_character(body)
            if code not in taken:
                break
        taken.add(code)
        codes.append(code)
    return codes
