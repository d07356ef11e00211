"""The closed vocabularies of the book of business (DESIGN.md section 1).

Every enum value is the string stored in the database and sent over the API. The Chinese
terms are given beside each so that a regulator's form can be matched to a field.
"""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    """What an organisation is. ``platform`` is the operator of SecondLock (or the regulator
    acting through it); it holds the admin keys. DESIGN.md lists the other three."""

    PLATFORM = "platform"
    INSURER = "insurer"
    FIRM = "firm"  # 安全技术服务机构
    ENTERPRISE = "enterprise"  # 生产经营单位


class Role(StrEnum):
    ADMIN = "admin"
    UNDERWRITER = "underwriter"
    ADJUSTER = "adjuster"
    ACTUARY = "actuary"
    FIRM = "firm"
    ENTERPRISE = "enterprise"


#: Which organisation kind may hold a key of each role.
ROLE_ORG_KIND: dict[Role, OrgKind] = {
    Role.ADMIN: OrgKind.PLATFORM,
    Role.UNDERWRITER: OrgKind.INSURER,
    Role.ADJUSTER: OrgKind.INSURER,
    Role.ACTUARY: OrgKind.INSURER,
    Role.FIRM: OrgKind.FIRM,
    Role.ENTERPRISE: OrgKind.ENTERPRISE,
}

INSURER_STAFF = frozenset({Role.UNDERWRITER, Role.ADJUSTER, Role.ACTUARY})


class CreditColour(StrEnum):
    """Regulator credit rating of a firm (信用等级), best to worst."""

    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


class QualificationKind(StrEnum):
    """The firm's qualification (资质) under the Ministry of Emergency Management's rules."""

    SAFETY_ASSESSMENT = "safety_assessment"  # 安全评价机构资质
    TESTING_INSPECTION = "testing_inspection"  # 安全生产检测检验机构资质
    SAFETY_CONSULTING = "safety_consulting"  # 安全生产技术服务（咨询）
    OCCUPATIONAL_HEALTH = "occupational_health"  # 职业卫生技术服务机构资质


class HazardClass(StrEnum):
    """The eight compulsory work-safety-liability sectors plus general industry."""

    MINING = "mining"  # 矿山
    HAZARDOUS_CHEMICALS = "hazardous_chemicals"  # 危险化学品
    FIREWORKS = "fireworks"  # 烟花爆竹
    TRANSPORT = "transport"  # 交通运输
    CONSTRUCTION = "construction"  # 建筑施工
    CIVIL_EXPLOSIVES = "civil_explosives"  # 民用爆炸物品
    METAL_SMELTING = "metal_smelting"  # 金属冶炼
    FISHERY = "fishery"  # 渔业生产
    LIGHT_MANUFACTURING = "light_manufacturing"  # 一般行业（轻工）
    HEAVY_MANUFACTURING = "heavy_manufacturing"  # 一般行业（重工）


class StandardisationGrade(StrEnum):
    """Work-safety standardisation grade (安全生产标准化等级)."""

    GRADE_1 = "1"  # 一级
    GRADE_2 = "2"  # 二级
    GRADE_3 = "3"  # 三级
    NONE = "none"  # 未达标


class ServiceKind(StrEnum):
    HAZARD_INSPECTION = "hazard_inspection"  # 隐患排查
    SAFETY_ASSESSMENT = "safety_assessment"  # 安全评价
    STANDARDISATION = "standardisation"  # 安全生产标准化咨询
    TRAINING = "training"  # 安全培训
    EMERGENCY_DRILL = "emergency_drill"  # 应急演练


class HazardCategory(StrEnum):
    """What an inspection looks at. Each GB 6441 accident type maps onto one or more of
    these, which is how a claim finds the records that bear on it."""

    STRUCK_BY_OBJECTS = "struck_by_objects"  # 物体打击
    VEHICLES = "vehicles"  # 车辆
    MACHINERY = "machinery"  # 机械
    LIFTING = "lifting"  # 起重
    ELECTRICAL = "electrical"  # 电气
    DROWNING = "drowning"  # 淹溺
    BURNS = "burns"  # 灼烫
    FIRE = "fire"  # 消防
    FALLS_FROM_HEIGHT = "falls_from_height"  # 高处作业
    COLLAPSE = "collapse"  # 坍塌
    ROOF_FALL = "roof_fall"  # 冒顶片帮
    WATER_INRUSH = "water_inrush"  # 透水
    EXPLOSIVES = "explosives"  # 爆破与火药
    GAS = "gas"  # 瓦斯
    PRESSURE_EQUIPMENT = "pressure_equipment"  # 锅炉压力容器
    DUST_EXPLOSION = "dust_explosion"  # 粉尘防爆
    TOXIC_ASPHYXIATION = "toxic_asphyxiation"  # 有限空间、中毒和窒息
    GENERAL = "general"  # 综合管理


class FindingSeverity(StrEnum):
    GENERAL = "general"  # 一般隐患
    MAJOR = "major"  # 重大隐患


class AccidentType(StrEnum):
    """The 20 accident categories of GB 6441-1986 《企业职工伤亡事故分类》."""

    STRUCK_BY_OBJECT = "struck_by_object"  # 物体打击
    VEHICLE = "vehicle"  # 车辆伤害
    MACHINERY = "machinery"  # 机械伤害
    LIFTING = "lifting"  # 起重伤害
    ELECTROCUTION = "electrocution"  # 触电
    DROWNING = "drowning"  # 淹溺
    BURNS = "burns"  # 灼烫
    FIRE = "fire"  # 火灾
    FALL_FROM_HEIGHT = "fall_from_height"  # 高处坠落
    COLLAPSE = "collapse"  # 坍塌
    ROOF_FALL = "roof_fall"  # 冒顶片帮
    WATER_INRUSH = "water_inrush"  # 透水
    BLASTING = "blasting"  # 放炮
    GUNPOWDER_EXPLOSION = "gunpowder_explosion"  # 火药爆炸
    GAS_EXPLOSION = "gas_explosion"  # 瓦斯爆炸
    BOILER_EXPLOSION = "boiler_explosion"  # 锅炉爆炸
    VESSEL_EXPLOSION = "vessel_explosion"  # 容器爆炸
    OTHER_EXPLOSION = "other_explosion"  # 其它爆炸
    POISONING_ASPHYXIATION = "poisoning_asphyxiation"  # 中毒和窒息
    OTHER_INJURY = "other_injury"  # 其它伤害


class ModelStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    ACTIVE = "active"
    RETIRED = "retired"


class QuoteDecision(StrEnum):
    ACCEPT = "accept"
    REFER = "refer"
    DECLINE = "decline"


class QuoteStatus(StrEnum):
    OPEN = "open"
    BOUND = "bound"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class PolicyStatus(StrEnum):
    IN_FORCE = "in_force"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class PolicyTransactionKind(StrEnum):
    NEW_BUSINESS = "new_business"
    ENDORSEMENT = "endorsement"
    CANCELLATION = "cancellation"
    REINSTATEMENT = "reinstatement"
    RENEWAL = "renewal"
    EXTENDED_REPORTING = "extended_reporting"
    REVERSAL = "reversal"  # undoes a later transaction before an out-of-sequence one


class ClaimStatus(StrEnum):
    """Where a claim stands. ``referred``: a settlement waits for an adjuster's approval;
    ``settled``: paid; ``reopened``: settled, denied or closed, then opened again with a
    reason code, and may be settled once more (a supplementary payment)."""

    OPEN = "open"
    REFERRED = "referred"
    SETTLED = "settled"
    DENIED = "denied"
    CLOSED = "closed"
    REOPENED = "reopened"


#: Claim statuses a settlement may be asked in.
SETTLEABLE = frozenset({ClaimStatus.OPEN, ClaimStatus.REOPENED})


class DenialCode(StrEnum):
    """Why a claim is denied (拒赔理由)."""

    NOT_COVERED = "not_covered"
    EXCLUSION = "exclusion"
    NO_LIABILITY = "no_liability"
    LATE_NOTICE = "late_notice"
    MISREPRESENTATION = "misrepresentation"


class ClosureCode(StrEnum):
    """Why a claim is closed (结案)."""

    PAID_IN_FULL = "paid_in_full"
    WITHDRAWN = "withdrawn"
    NO_PAYMENT_DUE = "no_payment_due"
    DUPLICATE = "duplicate"


class ReopenCode(StrEnum):
    """Why a settled, denied or closed claim is opened again (重开)."""

    NEW_INFORMATION = "new_information"
    ADDITIONAL_DAMAGES = "additional_damages"
    LITIGATION = "litigation"
    COVERAGE_RECONSIDERED = "coverage_reconsidered"
    ERROR_CORRECTION = "error_correction"


class BacktestStatus(StrEnum):
    """A backtest is ``queued``, ``running``, then ``finished`` or ``failed``."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class SettlementStatus(StrEnum):
    """A settlement is ``pending`` an adjuster's approval, ``paid``, or ``withdrawn``."""

    PENDING = "pending"
    PAID = "paid"
    WITHDRAWN = "withdrawn"


class LedgerAccount(StrEnum):
    """Accounts of the double-entry ledger; the legs of one transaction sum to zero."""

    PREMIUM_RECEIVABLE = "premium_receivable"
    PREMIUM_WRITTEN = "premium_written"
    CASE_RESERVE = "case_reserve"
    RESERVE_EXPENSE = "reserve_expense"
    CLAIMS_PAID = "claims_paid"
    CASH = "cash"
    RECOVERIES = "recoveries"
    #: The case reserve for defence costs (the expense reserve); ``case_reserve`` is indemnity.
    EXPENSE_RESERVE = "expense_reserve"
    #: Defence costs paid; ``claims_paid`` is indemnity.
    DEFENCE_PAID = "defence_paid"
