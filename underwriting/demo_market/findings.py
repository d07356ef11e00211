"""Hidden hazards found on each visit, their rectification deadlines and closure.

Hazards present at a visit are Poisson with mean ``findings_per_visit[class] × hazard_e ×
(interval / 90)^0.3`` per inspected share of the scope; the firm finds each with its
``detection`` rate. A general finding must be rectified in 7, 15 or 30 days, a major one in
30, 60 or 90 — but no later than the window's last day, the demo market's "today". The
enterprise closes it by the deadline with probability
``logistic(diligence_e + 2.5 (follow_up_f − 0.8) − 0.6 · major)``; otherwise it closes late
(1 + Exp(40) days after the deadline) with probability 0.9, or never. A closure after the
window's last day is not yet known (``closed_date`` is NULL).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from underwriting.demo_market.encoding import NO_DATE
from underwriting.demo_market.engagements import CATEGORIES, EngagementBook
from underwriting.demo_market.enterprises import EnterprisePanel
from underwriting.demo_market.firms import FirmPanel
from underwriting.demo_market.sectors import PROFILES
from underwriting.demo_market.streams import categorical_draws, logistic
from underwriting.demo_market.truth import HAZARD_CLASSES
from underwriting.demo_market.visits import VisitLog
from underwriting.demo_market.window import Window
from underwriting.vocabulary import HazardCategory as C

GENERAL_DEADLINES_DAYS = (7, 15, 30)
MAJOR_DEADLINES_DAYS = (30, 60, 90)
LATE_CLOSURE_PROBABILITY = 0.9
LATE_CLOSURE_MEAN_DAYS = 40.0

# fmt: off
#: What an inspector writes for a (general, major) hidden hazard of each category.
DESCRIPTIONS = {
    C.STRUCK_BY_OBJECTS: ("作业区上方物料堆放不稳", "交叉作业区未设防护棚"),
    C.VEHICLES: ("厂内机动车限速标识缺失", "叉车制动失灵仍在使用"),
    C.MACHINERY: ("设备传动部位防护罩缺失", "冲压设备安全联锁装置失效"),
    C.LIFTING: ("吊索具磨损未及时报废", "起重机限位器失效仍在作业"),
    C.ELECTRICAL: ("配电箱未设漏电保护", "防爆区域使用非防爆电气设备"),
    C.DROWNING: ("临水作业人员未穿救生衣", "船舶救生设备配备不足"),
    C.BURNS: ("高温作业区防护用品配备不足", "熔融金属吊运区域有积水"),
    C.FIRE: ("灭火器过期未更换", "消防通道被占用，自动喷淋系统停用"),
    C.FALLS_FROM_HEIGHT: ("临边防护栏杆高度不足", "高处作业未系安全带且无生命线"),
    C.COLLAPSE: ("堆土距基坑边缘过近", "深基坑未按方案支护且无监测"),
    C.ROOF_FALL: ("工作面支护间距超规程", "顶板离层未处理继续作业"),
    C.WATER_INRUSH: ("排水设备未定期试运转", "未按规定探放水"),
    C.EXPLOSIVES: ("爆炸物品领退记录不全", "危险品仓库超量存放"),
    C.GAS: ("瓦斯检查记录不全", "瓦斯传感器失效，超限未断电"),
    C.PRESSURE_EQUIPMENT: ("压力表超期未校验", "压力容器超期未检仍在使用"),
    C.DUST_EXPLOSION: ("除尘系统积尘未清理", "粉尘爆炸危险场所未设泄爆装置"),
    C.TOXIC_ASPHYXIATION: ("有限空间未设警示标识", "有限空间作业未检测未通风"),
    C.GENERAL: ("安全培训记录不完整", "未建立隐患排查治理制度"),
}
# fmt: on


@dataclass(frozen=True)
class FindingLog:
    """Findings in id order (by record, then within a record); arrays aligned.

    ``record`` indexes the visit log; ``category`` indexes ``CATEGORIES``; days are day
    numbers, ``closed_day`` is ``NO_DATE`` while open.
    """

    record: np.ndarray
    category: np.ndarray
    major: np.ndarray
    deadline_day: np.ndarray
    closed_day: np.ndarray

    def __len__(self) -> int:
        return len(self.record)


def draw_findings(
    visits: VisitLog,
    book: EngagementBook,
    firms: FirmPanel,
    enterprises: EnterprisePanel,
    window: Window,
    rng: np.random.Generator,
) -> FindingLog:
    """The findings of every service record, with deadlines and closure (module docstring)."""
    firm = book.firm[visits.engagement]
    enterprise = book.enterprise[visits.engagement]
    classes = enterprises.hazard_class[enterprise]
    present = _hazards_present(visits, book, enterprises.hazard[enterprise], classes)
    counts = rng.poisson(present * firms.detection[firm])
    record = np.repeat(np.arange(len(visits)), counts)
    category = categorical_draws(visits.inspected[record].astype(np.float64), rng)
    major_share = np.array([PROFILES[h].major_finding_share for h in HAZARD_CLASSES])
    major = rng.random(len(record)) < major_share[classes[record]]
    deadline = np.minimum(visits.visit_day[record] + _deadline_days(major, rng), window.end_day)
    on_time = logistic(
        enterprises.diligence[enterprise[record]]
        + 2.5 * (firms.follow_up[firm[record]] - 0.8)
        - 0.6 * major
    )
    closed = _closure_days(visits.visit_day[record], deadline, on_time, window, rng)
    return FindingLog(record, category, major, deadline, closed)


def _hazards_present(
    visits: VisitLog, book: EngagementBook, hazard: np.ndarray, classes: np.ndarray
) -> np.ndarray:
    """Mean hidden hazards in the inspected part of the scope at each visit."""
    per_visit = np.array([PROFILES[h].findings_per_visit for h in HAZARD_CLASSES])[classes]
    interval = book.interval_days[visits.engagement]
    share = visits.inspected.sum(axis=1) / book.scope[visits.engagement].sum(axis=1)
    return per_visit * hazard * (interval / 90.0) ** 0.3 * share


def _deadline_days(major: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    pick = rng.integers(0, 3, len(major))
    return np.where(
        major, np.array(MAJOR_DEADLINES_DAYS)[pick], np.array(GENERAL_DEADLINES_DAYS)[pick]
    )


def _closure_days(
    visit_day: np.ndarray,
    deadline: np.ndarray,
    on_time_probability: np.ndarray,
    window: Window,
    rng: np.random.Generator,
) -> np.ndarray:
    n = len(visit_day)
    u = rng.random(n)
    on_time = u < on_time_probability
    late = ~on_time & (rng.random(n) < LATE_CLOSURE_PROBABILITY)
    span = np.maximum(deadline - visit_day, 1)
    early_day = visit_day + 1 + np.floor(rng.random(n) * span).astype(np.int64)
    late_day = deadline + 1 + np.floor(rng.exponential(LATE_CLOSURE_MEAN_DAYS, n)).astype(np.int64)
    closed = np.where(on_time, early_day, np.where(late, late_day, NO_DATE))
    return np.where(closed > window.end_day, NO_DATE, closed)


def finding_descriptions(findings: FindingLog) -> list[str]:
    """The inspector's one-line description of each finding, by category and severity."""
    texts = [DESCRIPTIONS[c] for c in CATEGORIES]
    return [
        texts[c][int(m)]
        for c, m in zip(findings.category.tolist(), findings.major.tolist(), strict=True)
    ]
