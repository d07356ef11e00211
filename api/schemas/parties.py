"""Organisations and the firm and enterprise profiles on them."""

from datetime import date, datetime
from typing import Annotated

from pydantic import AliasPath, Field, StrictInt

from api.schemas.types import CreditCode, Id, Input, IsoDate, Name, Output
from underwriting.vocabulary import (
    CreditColour,
    HazardClass,
    OrgKind,
    QualificationKind,
    StandardisationGrade,
)


class OrganisationCreate(Input):
    kind: OrgKind
    name: Name
    credit_code: CreditCode


class OrganisationRead(Output):
    id: int
    kind: OrgKind
    name: str
    credit_code: str
    created_at: datetime


class FirmCreate(Input):
    """The firm profile of an organisation of kind ``firm``."""

    organisation_id: Id
    qualification_kind: QualificationKind
    qualification_expiry_date: IsoDate
    credit_colour: CreditColour
    safety_engineers: Annotated[StrictInt, Field(ge=0, le=100_000)]
    founded_year: Annotated[StrictInt, Field(ge=1949, le=2100)]


class PartyRead(Output):
    """A profile read with its organisation's name and credit code."""

    id: int
    name: str = Field(validation_alias=AliasPath("organisation", "name"))
    credit_code: str = Field(validation_alias=AliasPath("organisation", "credit_code"))


class FirmRead(PartyRead):
    qualification_kind: QualificationKind
    qualification_expiry_date: date
    credit_colour: CreditColour
    safety_engineers: int
    founded_year: int
    created_at: datetime


class EnterpriseCreate(Input):
    """The profile of an organisation of kind ``enterprise``."""

    organisation_id: Id
    hazard_class: HazardClass
    region_code: Annotated[
        str,
        Field(pattern=r"^[1-8]\d{5}$", description="GB/T 2260 division code", examples=["320500"]),
    ]
    employees: Annotated[StrictInt, Field(ge=1, le=2_000_000)]
    standardisation_grade: StandardisationGrade
    major_hazard_sources: Annotated[StrictInt, Field(ge=0, le=10_000)]
    established_date: Annotated[
        IsoDate | None, Field(description="成立日期 on the business licence")
    ] = None


class EnterpriseRead(PartyRead):
    hazard_class: HazardClass
    region_code: str
    employees: int
    standardisation_grade: StandardisationGrade
    major_hazard_sources: int
    established_date: date | None
    created_at: datetime
