"""Which GB 6441-1986 accident types happen in each hazard class, and how often.

The weights are shares of incidents by type (they need not sum to 1; they are normalised).
They follow the published breakdowns in shape: falls from height are about half of
construction accidents and struck-by-object about a seventh (MOHURD's annual reports on
房屋市政工程生产安全事故); roof fall, haulage and gas dominate coal mining (国家矿山安全
监察局 accident analyses); poisoning/asphyxiation, fire and explosion dominate hazardous
chemicals; explosions dominate fireworks and civil explosives; drowning dominates fishery;
machinery injury dominates manufacturing.

Large losses come disproportionately from mass-casualty types: an incident whose loss lies in
the class's Pareto tail draws its type with ``TAIL_BOOST`` applied, so the marginal loss
distribution stays exactly the class severity of ``truth.SEVERITY``.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from underwriting.demo_market.streams import categorical_draws
from underwriting.demo_market.truth import HAZARD_CLASSES
from underwriting.vocabulary import AccidentType as A
from underwriting.vocabulary import HazardClass as H

ACCIDENT_TYPES: tuple[A, ...] = tuple(A)

# fmt: off
TYPE_WEIGHTS = MappingProxyType({
    H.MINING: {A.ROOF_FALL: 25, A.VEHICLE: 15, A.MACHINERY: 10, A.STRUCK_BY_OBJECT: 10,
               A.BLASTING: 7, A.FALL_FROM_HEIGHT: 6, A.GAS_EXPLOSION: 5, A.COLLAPSE: 5,
               A.WATER_INRUSH: 4, A.ELECTROCUTION: 4, A.POISONING_ASPHYXIATION: 4,
               A.OTHER_INJURY: 5},
    H.HAZARDOUS_CHEMICALS: {A.POISONING_ASPHYXIATION: 22, A.FIRE: 16, A.OTHER_EXPLOSION: 12,
                            A.BURNS: 12, A.VESSEL_EXPLOSION: 8, A.MACHINERY: 8,
                            A.FALL_FROM_HEIGHT: 6, A.STRUCK_BY_OBJECT: 5, A.VEHICLE: 5,
                            A.ELECTROCUTION: 3, A.OTHER_INJURY: 3},
    H.FIREWORKS: {A.GUNPOWDER_EXPLOSION: 45, A.FIRE: 20, A.BURNS: 15, A.MACHINERY: 5,
                  A.STRUCK_BY_OBJECT: 5, A.VEHICLE: 5, A.OTHER_INJURY: 5},
    H.TRANSPORT: {A.VEHICLE: 55, A.DROWNING: 8, A.LIFTING: 8, A.STRUCK_BY_OBJECT: 8,
                  A.FALL_FROM_HEIGHT: 6, A.MACHINERY: 5, A.FIRE: 4, A.OTHER_INJURY: 6},
    H.CONSTRUCTION: {A.FALL_FROM_HEIGHT: 45, A.STRUCK_BY_OBJECT: 14, A.LIFTING: 10,
                     A.COLLAPSE: 9, A.MACHINERY: 6, A.ELECTROCUTION: 6, A.VEHICLE: 4,
                     A.POISONING_ASPHYXIATION: 2, A.FIRE: 2, A.OTHER_INJURY: 2},
    H.CIVIL_EXPLOSIVES: {A.GUNPOWDER_EXPLOSION: 30, A.BLASTING: 15, A.FIRE: 12, A.BURNS: 10,
                         A.MACHINERY: 10, A.STRUCK_BY_OBJECT: 8, A.VEHICLE: 5,
                         A.OTHER_INJURY: 10},
    H.METAL_SMELTING: {A.BURNS: 25, A.LIFTING: 15, A.POISONING_ASPHYXIATION: 12,
                       A.MACHINERY: 12, A.OTHER_EXPLOSION: 8, A.STRUCK_BY_OBJECT: 8,
                       A.FALL_FROM_HEIGHT: 8, A.ELECTROCUTION: 4, A.VEHICLE: 4,
                       A.VESSEL_EXPLOSION: 2, A.OTHER_INJURY: 2},
    H.FISHERY: {A.DROWNING: 50, A.MACHINERY: 10, A.STRUCK_BY_OBJECT: 10, A.FALL_FROM_HEIGHT: 8,
                A.FIRE: 5, A.POISONING_ASPHYXIATION: 5, A.OTHER_INJURY: 12},
    H.LIGHT_MANUFACTURING: {A.MACHINERY: 35, A.STRUCK_BY_OBJECT: 12, A.FALL_FROM_HEIGHT: 8,
                            A.FIRE: 8, A.VEHICLE: 8, A.ELECTROCUTION: 6, A.BURNS: 6,
                            A.POISONING_ASPHYXIATION: 4, A.LIFTING: 3, A.OTHER_EXPLOSION: 3,
                            A.OTHER_INJURY: 7},
    H.HEAVY_MANUFACTURING: {A.MACHINERY: 28, A.LIFTING: 15, A.STRUCK_BY_OBJECT: 14,
                            A.FALL_FROM_HEIGHT: 10, A.VEHICLE: 8, A.BURNS: 6, A.ELECTROCUTION: 5,
                            A.POISONING_ASPHYXIATION: 4, A.VESSEL_EXPLOSION: 2,
                            A.BOILER_EXPLOSION: 1, A.OTHER_INJURY: 7},
})
# fmt: on

#: Multiplier on a type's weight when the loss is in the Pareto tail.
TAIL_BOOST = MappingProxyType(
    {
        A.GAS_EXPLOSION: 6.0,
        A.WATER_INRUSH: 6.0,
        A.GUNPOWDER_EXPLOSION: 5.0,
        A.OTHER_EXPLOSION: 5.0,
        A.VESSEL_EXPLOSION: 5.0,
        A.BOILER_EXPLOSION: 5.0,
        A.FIRE: 4.0,
        A.COLLAPSE: 4.0,
        A.ROOF_FALL: 3.0,
        A.POISONING_ASPHYXIATION: 3.0,
        A.BLASTING: 3.0,
        A.DROWNING: 2.0,
    }
)

#: Types that can be property damage only (no casualty) when the loss is modest.
PROPERTY_ONLY_TYPES = (A.FIRE, A.OTHER_EXPLOSION, A.VESSEL_EXPLOSION, A.BOILER_EXPLOSION)

#: The Chinese name of each type, as GB 6441 writes it.
# fmt: off
TYPE_LABELS = MappingProxyType({
    A.STRUCK_BY_OBJECT: "物体打击", A.VEHICLE: "车辆伤害", A.MACHINERY: "机械伤害",
    A.LIFTING: "起重伤害", A.ELECTROCUTION: "触电", A.DROWNING: "淹溺", A.BURNS: "灼烫",
    A.FIRE: "火灾", A.FALL_FROM_HEIGHT: "高处坠落", A.COLLAPSE: "坍塌", A.ROOF_FALL: "冒顶片帮",
    A.WATER_INRUSH: "透水", A.BLASTING: "放炮", A.GUNPOWDER_EXPLOSION: "火药爆炸",
    A.GAS_EXPLOSION: "瓦斯爆炸", A.BOILER_EXPLOSION: "锅炉爆炸", A.VESSEL_EXPLOSION: "容器爆炸",
    A.OTHER_EXPLOSION: "其它爆炸", A.POISONING_ASPHYXIATION: "中毒和窒息",
    A.OTHER_INJURY: "其它伤害",
})
# fmt: on


def type_probabilities(*, in_tail: bool) -> np.ndarray:
    """P(type | class) as a classes × ``ACCIDENT_TYPES`` matrix, rows summing to 1."""
    weights = np.array(
        [[TYPE_WEIGHTS[h].get(a, 0.0) for a in ACCIDENT_TYPES] for h in HAZARD_CLASSES],
        dtype=np.float64,
    )
    if in_tail:
        weights *= np.array([TAIL_BOOST.get(a, 1.0) for a in ACCIDENT_TYPES])
    return weights / weights.sum(axis=1, keepdims=True)


def draw_accident_types(
    class_index: np.ndarray, in_tail: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Index into ``ACCIDENT_TYPES`` for each incident, by its class and loss layer."""
    layers = np.stack([type_probabilities(in_tail=False), type_probabilities(in_tail=True)])
    return categorical_draws(layers[in_tail.astype(np.intp), class_index], rng)
