"""How each hazard class looks in the demo market: its share of enterprises, their size,
standardisation, major hazard sources, IoT monitoring, what inspections find, and the scope
and price of a service contract.

Shares and sizes are judgement calibrated to the shape of China's work-safety market (most
clients are general industry and construction; mines, fireworks and explosives makers are
few but large or dangerous); ``fixtures/README.md`` gives the reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from underwriting.vocabulary import HazardCategory as C
from underwriting.vocabulary import HazardClass as H


@dataclass(frozen=True)
class SectorProfile:
    """Market structure of one hazard class.

    ``grade_mix`` is P(standardisation grade 1, 2, 3, none); ``major_hazard_probability``
    is P(at least one major hazard source), the count then being 1 + Poisson(``extra``);
    ``findings_per_visit`` is the mean number of hidden hazards present at a 90-day visit
    of an average enterprise; ``fee_base`` is CNY per year for hazard inspection of a
    100-employee enterprise every 90 days; ``scope`` is the typical inspection scope, of
    which the first ``core`` categories are nearly always contracted.
    """

    label: str
    share: float
    employees_median: float
    employees_sigma: float
    major_hazard_probability: float
    major_hazard_extra: float
    iot_probability: float
    findings_per_visit: float
    major_finding_share: float
    fee_base: float
    grade_mix: tuple[float, float, float, float]
    high_hazard: bool
    scope: tuple[C, ...]
    core: int


# fmt: off
#                       share  median  sigma  MHS p  extra  IoT p  finds  major  fee CNY
_NUMBERS = {
    H.MINING:              (0.050,  300,  0.9,  0.50,  1.0,  0.85,  3.0,  0.07,  60_000),
    H.HAZARDOUS_CHEMICALS: (0.090,  120,  0.9,  0.60,  2.0,  0.75,  2.5,  0.06,  45_000),
    H.FIREWORKS:           (0.015,   50,  0.8,  0.30,  0.5,  0.35,  2.0,  0.06,  25_000),
    H.TRANSPORT:           (0.070,   80,  1.0,  0.05,  0.5,  0.30,  1.5,  0.03,  20_000),
    H.CONSTRUCTION:        (0.200,  150,  0.9,  0.02,  0.5,  0.25,  2.5,  0.04,  30_000),
    H.CIVIL_EXPLOSIVES:    (0.015,  150,  0.7,  0.70,  1.5,  0.60,  2.0,  0.06,  40_000),
    H.METAL_SMELTING:      (0.040,  300,  1.0,  0.40,  1.0,  0.45,  2.5,  0.05,  45_000),
    H.FISHERY:             (0.020,   20,  0.8,  0.02,  0.5,  0.20,  1.5,  0.03,  12_000),
    H.LIGHT_MANUFACTURING: (0.280,   60,  0.9,  0.03,  0.3,  0.08,  1.2,  0.02,  15_000),
    H.HEAVY_MANUFACTURING: (0.220,  150,  0.9,  0.08,  0.5,  0.15,  1.8,  0.03,  25_000),
}

#: P(standardisation grade 1, 2, 3, none): compulsory and long-enforced standardisation in
#: mines, chemicals and explosives; most small general-industry firms are unrated.
_GRADE_MIX = {
    H.MINING:              (0.05, 0.45, 0.40, 0.10),
    H.HAZARDOUS_CHEMICALS: (0.03, 0.30, 0.50, 0.17),
    H.FIREWORKS:           (0.00, 0.15, 0.55, 0.30),
    H.TRANSPORT:           (0.02, 0.15, 0.40, 0.43),
    H.CONSTRUCTION:        (0.02, 0.10, 0.30, 0.58),
    H.CIVIL_EXPLOSIVES:    (0.10, 0.50, 0.35, 0.05),
    H.METAL_SMELTING:      (0.05, 0.35, 0.45, 0.15),
    H.FISHERY:             (0.00, 0.05, 0.25, 0.70),
    H.LIGHT_MANUFACTURING: (0.01, 0.06, 0.33, 0.60),
    H.HEAVY_MANUFACTURING: (0.02, 0.12, 0.40, 0.46),
}

#: Typical inspection scope per class, most characteristic first; (scope, core count).
_SCOPES = {
    H.MINING: ((C.ROOF_FALL, C.WATER_INRUSH, C.GAS, C.EXPLOSIVES, C.ELECTRICAL, C.VEHICLES,
                C.MACHINERY, C.LIFTING, C.TOXIC_ASPHYXIATION, C.COLLAPSE, C.FALLS_FROM_HEIGHT), 6),
    H.HAZARDOUS_CHEMICALS: ((C.FIRE, C.PRESSURE_EQUIPMENT, C.TOXIC_ASPHYXIATION, C.ELECTRICAL,
                             C.BURNS, C.MACHINERY, C.FALLS_FROM_HEIGHT, C.LIFTING, C.VEHICLES,
                             C.DUST_EXPLOSION), 5),
    H.FIREWORKS: ((C.EXPLOSIVES, C.FIRE, C.ELECTRICAL, C.MACHINERY, C.VEHICLES,
                   C.STRUCK_BY_OBJECTS), 3),
    H.TRANSPORT: ((C.VEHICLES, C.LIFTING, C.DROWNING, C.FIRE, C.ELECTRICAL, C.FALLS_FROM_HEIGHT,
                   C.STRUCK_BY_OBJECTS), 3),
    H.CONSTRUCTION: ((C.FALLS_FROM_HEIGHT, C.STRUCK_BY_OBJECTS, C.COLLAPSE, C.LIFTING,
                      C.MACHINERY, C.ELECTRICAL, C.FIRE, C.VEHICLES, C.TOXIC_ASPHYXIATION), 5),
    H.CIVIL_EXPLOSIVES: ((C.EXPLOSIVES, C.FIRE, C.ELECTRICAL, C.MACHINERY, C.BURNS,
                          C.VEHICLES), 3),
    H.METAL_SMELTING: ((C.BURNS, C.TOXIC_ASPHYXIATION, C.LIFTING, C.PRESSURE_EQUIPMENT,
                        C.MACHINERY, C.ELECTRICAL, C.FIRE, C.DUST_EXPLOSION,
                        C.STRUCK_BY_OBJECTS), 4),
    H.FISHERY: ((C.DROWNING, C.MACHINERY, C.FIRE, C.FALLS_FROM_HEIGHT, C.TOXIC_ASPHYXIATION,
                 C.STRUCK_BY_OBJECTS), 2),
    H.LIGHT_MANUFACTURING: ((C.MACHINERY, C.ELECTRICAL, C.FIRE, C.DUST_EXPLOSION,
                             C.STRUCK_BY_OBJECTS, C.FALLS_FROM_HEIGHT, C.TOXIC_ASPHYXIATION,
                             C.VEHICLES), 3),
    H.HEAVY_MANUFACTURING: ((C.MACHINERY, C.LIFTING, C.ELECTRICAL, C.FIRE, C.PRESSURE_EQUIPMENT,
                             C.STRUCK_BY_OBJECTS, C.FALLS_FROM_HEIGHT, C.VEHICLES, C.BURNS), 4),
}
# fmt: on

_LABELS = {
    H.MINING: "矿山",
    H.HAZARDOUS_CHEMICALS: "危险化学品",
    H.FIREWORKS: "烟花爆竹",
    H.TRANSPORT: "交通运输",
    H.CONSTRUCTION: "建筑施工",
    H.CIVIL_EXPLOSIVES: "民用爆炸物品",
    H.METAL_SMELTING: "金属冶炼",
    H.FISHERY: "渔业生产",
    H.LIGHT_MANUFACTURING: "一般行业（轻工）",
    H.HEAVY_MANUFACTURING: "一般行业（重工）",
}

HIGH_HAZARD_CLASSES = (H.MINING, H.HAZARDOUS_CHEMICALS, H.FIREWORKS, H.CIVIL_EXPLOSIVES)

PROFILES = MappingProxyType(
    {
        h: SectorProfile(
            _LABELS[h],
            *_NUMBERS[h],
            _GRADE_MIX[h],
            h in HIGH_HAZARD_CLASSES,
            *_SCOPES[h],
        )
        for h in H
    }
)

#: Inspection intervals a contract may require (days), and their probabilities for the
#: high-hazard classes (monthly inspection is common where the law demands it) and the rest.
INSPECTION_INTERVALS_DAYS = (30, 60, 90, 180)
HIGH_HAZARD_INTERVAL_MIX = (0.35, 0.35, 0.25, 0.05)
GENERAL_INTERVAL_MIX = (0.05, 0.15, 0.50, 0.30)

#: Employees are lognormal per class, capped here (a very large state-owned group).
EMPLOYEES_CAP = 20_000

#: How a standardisation grade (1, 2, 3, none) scales the enterprise's latent hazard (what an
#: inspection would find) and shifts its diligence in closing rectifications.
GRADE_HAZARD_FACTOR = (0.8, 1.0, 1.2, 1.6)
GRADE_DILIGENCE_SHIFT = (0.6, 0.3, 0.0, -0.3)

#: Uplift of the annual fee for each service kind beyond hazard inspection.
SERVICE_FEE_UPLIFT = MappingProxyType(
    {
        "hazard_inspection": 0.0,
        "safety_assessment": 0.6,
        "standardisation": 0.4,
        "training": 0.15,
        "emergency_drill": 0.15,
    }
)
