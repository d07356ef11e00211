"""Rows of the ``incident`` table (``underwriting/db/tables/losses.py``), each with a short
Chinese account of what happened, reported by the enterprise itself."""

from __future__ import annotations

from types import MappingProxyType

from underwriting.demo_market.accident_types import ACCIDENT_TYPES, TYPE_LABELS
from underwriting.demo_market.encoding import iso_timestamps
from underwriting.demo_market.enterprises import EnterprisePanel
from underwriting.demo_market.history import History
from underwriting.demo_market.severity import GRADES
from underwriting.demo_market.truth import HAZARD_CLASSES
from underwriting.vocabulary import HazardClass as H

#: Where in an enterprise of each class an accident typically happens.
SCENES = MappingProxyType(
    {
        H.MINING: "井下采掘工作面",
        H.HAZARDOUS_CHEMICALS: "生产装置区",
        H.FIREWORKS: "药物混合工房",
        H.TRANSPORT: "货运场站",
        H.CONSTRUCTION: "施工现场",
        H.CIVIL_EXPLOSIVES: "装药生产线",
        H.METAL_SMELTING: "冶炼车间",
        H.FISHERY: "作业渔船",
        H.LIGHT_MANUFACTURING: "生产车间",
        H.HEAVY_MANUFACTURING: "加工车间",
    }
)


def incident_description(
    scene: str, label: str, deaths: int, serious: int, minor: int, loss_fen: int
) -> str:
    """E.g. ``施工现场发生高处坠落事故，造成1人重伤，直接经济损失约8.62万元。``"""
    hurt = [
        f"{n}人{what}" for n, what in ((deaths, "死亡"), (serious, "重伤"), (minor, "轻伤")) if n
    ]
    casualties = "造成" + "、".join(hurt) if hurt else "未造成人员伤亡"
    return f"{scene}发生{label}事故，{casualties}，直接经济损失约{loss_fen / 1e6:.2f}万元。"


def incident_rows(history: History, enterprises: EnterprisePanel) -> list[dict]:
    outcomes = history.outcomes
    enterprise_ids = enterprises.ids[history.incident_enterprise].tolist()
    scenes = [
        SCENES[HAZARD_CLASSES[c]]
        for c in enterprises.hazard_class[history.incident_enterprise].tolist()
    ]
    columns = zip(
        enterprise_ids,
        iso_timestamps(history.occurred_second),
        outcomes.accident_type.tolist(),
        outcomes.deaths.tolist(),
        outcomes.serious.tolist(),
        outcomes.minor.tolist(),
        outcomes.loss_text,
        outcomes.loss_fen.tolist(),
        outcomes.grade.tolist(),
        scenes,
        strict=True,
    )
    rows = []
    for i, (eid, at, kind, deaths, serious, minor, loss, fen, grade, scene) in enumerate(
        columns, start=1
    ):
        accident_type = ACCIDENT_TYPES[kind]
        label = TYPE_LABELS[accident_type]
        rows.append(
            {
                "id": i,
                "enterprise_id": eid,
                "occurred_at": at,
                "accident_type": accident_type.value,
                "deaths": deaths,
                "serious_injuries": serious,
                "minor_injuries": minor,
                "direct_loss": loss,
                "grade": GRADES[grade].value,
                "description": incident_description(scene, label, deaths, serious, minor, fen),
                "reported_by_id": eid,
            }
        )
    return rows
