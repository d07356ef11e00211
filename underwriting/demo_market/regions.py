"""Where the demo market's organisations are: real prefecture-level city codes of GB/T 2260
(行政区划代码), with the industrial centres each hazard class clusters in.

A code's first two digits are its province; positions 3–8 of a credit code repeat the code
of the registering authority's area (GB 32100-2015).
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from underwriting.demo_market.streams import categorical_draws
from underwriting.demo_market.truth import HAZARD_CLASSES
from underwriting.vocabulary import HazardClass as H

# fmt: off
#: (GB/T 2260 code, city name as used in company names).
CITIES: tuple[tuple[str, str], ...] = (
    ("110100", "北京"), ("120100", "天津"), ("130100", "石家庄"), ("130200", "唐山"),
    ("130400", "邯郸"), ("140100", "太原"), ("140200", "大同"), ("140400", "长治"),
    ("150200", "包头"), ("150600", "鄂尔多斯"), ("210100", "沈阳"), ("210200", "大连"),
    ("210800", "营口"), ("220100", "长春"), ("230100", "哈尔滨"), ("310100", "上海"),
    ("320100", "南京"), ("320200", "无锡"), ("320500", "苏州"), ("320700", "连云港"),
    ("330100", "杭州"), ("330200", "宁波"), ("330900", "舟山"), ("340100", "合肥"),
    ("340400", "淮南"), ("340500", "马鞍山"), ("350100", "福州"), ("350200", "厦门"),
    ("350900", "宁德"), ("360100", "南昌"), ("360300", "萍乡"), ("370100", "济南"),
    ("370200", "青岛"), ("370500", "东营"), ("410100", "郑州"), ("410300", "洛阳"),
    ("420100", "武汉"), ("430100", "长沙"), ("430181", "浏阳"), ("440100", "广州"),
    ("440300", "深圳"), ("440800", "湛江"), ("441300", "惠州"), ("450100", "南宁"),
    ("460100", "海口"), ("500100", "重庆"), ("510100", "成都"), ("520100", "贵阳"),
    ("520200", "六盘水"), ("530100", "昆明"), ("610100", "西安"), ("610800", "榆林"),
    ("620100", "兰州"), ("640100", "银川"), ("650100", "乌鲁木齐"),
)

#: The centres of each clustered class: coal (长治, 大同, 鄂尔多斯, 榆林, 淮南, 六盘水),
#: petrochemical parks (东营, 连云港, 宁波, 惠州, 营口, 天津), fireworks (浏阳, 萍乡),
#: steel (唐山, 邯郸, 马鞍山, 包头), fishing ports (舟山, 宁德, 湛江, 青岛, 海口).
CLUSTERS = MappingProxyType({
    H.MINING: ("140400", "140200", "150600", "610800", "340400", "520200", "410300"),
    H.HAZARDOUS_CHEMICALS: ("370500", "320700", "330200", "441300", "210800", "120100"),
    H.FIREWORKS: ("430181", "360300"),
    H.CIVIL_EXPLOSIVES: ("430100", "140100", "510100", "370100", "610100"),
    H.METAL_SMELTING: ("130200", "130400", "340500", "150200", "210100"),
    H.FISHERY: ("330900", "350900", "440800", "370200", "460100"),
})
# fmt: on

#: Probability that an enterprise of a clustered class sits in one of its centres.
CLUSTER_PROBABILITY = 0.7

CITY_CODES: tuple[str, ...] = tuple(code for code, _ in CITIES)
CITY_NAMES: tuple[str, ...] = tuple(name for _, name in CITIES)


def province_of(city_index: np.ndarray) -> np.ndarray:
    """The two-digit province code (as an int) of each city index."""
    return np.array([int(code[:2]) for code in CITY_CODES])[city_index]


def city_probabilities() -> np.ndarray:
    """P(city | class), classes × ``CITIES``: clustered classes concentrate in their centres,
    the rest spread evenly."""
    even = np.full(len(CITIES), 1.0 / len(CITIES))
    rows = []
    for hazard_class in HAZARD_CLASSES:
        centres = CLUSTERS.get(hazard_class, ())
        row = even.copy()
        if centres:
            in_centre = np.isin(CITY_CODES, centres)
            row = (1 - CLUSTER_PROBABILITY) * even
            row[in_centre] += CLUSTER_PROBABILITY / in_centre.sum()
        rows.append(row)
    return np.array(rows)


def draw_cities(class_index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A city index for each organisation of the given hazard classes."""
    return categorical_draws(city_probabilities()[class_index], rng)
