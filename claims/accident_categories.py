"""Which hazard categories an accident type puts in question (DESIGN.md section 3, item 3).

An incident is classed by GB 6441-1986 《企业职工伤亡事故分类》 into one of 20 accident
types; a service record says which hazard categories a visit inspected. A claim finds the
records that bear on it through this table: for each accident type, the categories whose
inspection checklist holds the controls that would have prevented it.

| accident type (GB 6441) | hazard categories an inspection covers |
|---|---|
| struck_by_object 物体打击 | struck_by_objects, falls_from_height (1) |
| vehicle 车辆伤害 | vehicles |
| machinery 机械伤害 | machinery |
| lifting 起重伤害 | lifting |
| electrocution 触电 | electrical |
| drowning 淹溺 | drowning |
| burns 灼烫 | burns |
| fire 火灾 | fire, electrical (2) |
| fall_from_height 高处坠落 | falls_from_height |
| collapse 坍塌 | collapse |
| roof_fall 冒顶片帮 | roof_fall |
| water_inrush 透水 | water_inrush |
| blasting 放炮 | explosives |
| gunpowder_explosion 火药爆炸 | explosives |
| gas_explosion 瓦斯爆炸 | gas, dust_explosion, fire (3) |
| boiler_explosion 锅炉爆炸 | pressure_equipment |
| vessel_explosion 容器爆炸 | pressure_equipment |
| other_explosion 其它爆炸 | dust_explosion, gas, pressure_equipment (4) |
| poisoning_asphyxiation 中毒和窒息 | toxic_asphyxiation |
| other_injury 其它伤害 | general |

Why the rows with more than one category:

1. Most 物体打击 is an object falling from height; the controls against it (安全帽, 安全网,
   toe boards, edge and opening protection) sit on the work-at-height checklist (高处作业,
   JGJ 59-2011), beside the struck-by checklist proper.
2. Electrical faults are among the largest recorded causes of fire in China, so a fire puts the
   electrical inspection in question as well as the fire-safety one (消防).
3. GB 6441 defines 瓦斯爆炸 as the explosion of methane *or coal dust* mixed with air on
   contact with an ignition source: ventilation and gas monitoring (gas), coal-dust
   suppression (dust_explosion) and ignition control, hot work included (fire).
4. 其它爆炸 covers the explosions of combustible gases and vapours (gas), of combustible
   dusts (dust_explosion) and of liquefied gases and vessels outside boilers and pressure
   vessels proper (pressure_equipment).

The categories of a row are listed most specific first; an assessment reports them in this
order. Values are plain strings, those of ``underwriting.vocabulary.AccidentType`` and
``HazardCategory`` (claims is pure and cannot import them; a unit test holds the two in step).

>>> ACCIDENT_CATEGORIES["fire"]
('fire', 'electrical')
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["ACCIDENT_CATEGORIES", "ACCIDENT_TYPES", "HAZARD_CATEGORIES"]

#: The hazard categories an inspection covers (``underwriting.vocabulary.HazardCategory``).
HAZARD_CATEGORIES: frozenset[str] = frozenset(
    {
        "struck_by_objects",
        "vehicles",
        "machinery",
        "lifting",
        "electrical",
        "drowning",
        "burns",
        "fire",
        "falls_from_height",
        "collapse",
        "roof_fall",
        "water_inrush",
        "explosives",
        "gas",
        "pressure_equipment",
        "dust_explosion",
        "toxic_asphyxiation",
        "general",
    }
)

#: GB 6441 accident type → the hazard categories it puts in question, most specific first.
ACCIDENT_CATEGORIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "struck_by_object": ("struck_by_objects", "falls_from_height"),
        "vehicle": ("vehicles",),
        "machinery": ("machinery",),
        "lifting": ("lifting",),
        "electrocution": ("electrical",),
        "drowning": ("drowning",),
        "burns": ("burns",),
        "fire": ("fire", "electrical"),
        "fall_from_height": ("falls_from_height",),
        "collapse": ("collapse",),
        "roof_fall": ("roof_fall",),
        "water_inrush": ("water_inrush",),
        "blasting": ("explosives",),
        "gunpowder_explosion": ("explosives",),
        "gas_explosion": ("gas", "dust_explosion", "fire"),
        "boiler_explosion": ("pressure_equipment",),
        "vessel_explosion": ("pressure_equipment",),
        "other_explosion": ("dust_explosion", "gas", "pressure_equipment"),
        "poisoning_asphyxiation": ("toxic_asphyxiation",),
        "other_injury": ("general",),
    }
)

#: The 20 accident types of GB 6441-1986, in the standard's order.
ACCIDENT_TYPES: tuple[str, ...] = tuple(ACCIDENT_CATEGORIES)
