"""Rating models (actuaries) and price indications (underwriters) under ``/v1``."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path

from api.deps import CurrentPrincipal, UowFactory
from api.schemas.pricing import (
    IndicationCreate,
    IndicationRead,
    RatingModelCreate,
    RatingModelRead,
    TierRead,
    TierWhatIf,
)
from api.schemas.types import BIGINT_MAX
from underwriting import indications, rating_models, tiers

Version = Annotated[str, Path(min_length=1, max_length=32)]
FirmId = Annotated[int, Path(alias="id", ge=1, le=BIGINT_MAX)]


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.post(
        "/rating-models",
        status_code=201,
        response_model=RatingModelRead,
        tags=["rating models"],
        summary="Publish a model version as a draft",
    )
    def create_model(body: RatingModelCreate, principal: CurrentPrincipal, uows: UowFactory):
        """Actuaries and admins. The document is validated parameter by parameter; a bad
        one is a 422 naming its path, e.g. `document.severity.mining.sigma`."""
        return rating_models.create_draft(uows, principal, body.document)

    @router.put(
        "/rating-models/{version}",
        response_model=RatingModelRead,
        tags=["rating models"],
        summary="Replace a draft's document",
    )
    def replace_model(
        version: Version, body: RatingModelCreate, principal: CurrentPrincipal, uows: UowFactory
    ):
        """Only a draft changes; an approved version is a 409: publish a new version."""
        return rating_models.replace_draft(uows, principal, version, body.document)

    @router.get(
        "/rating-models",
        response_model=list[RatingModelRead],
        tags=["rating models"],
        summary="Every model version, oldest first",
    )
    def list_models(principal: CurrentPrincipal, uows: UowFactory):
        return rating_models.list_models(uows, principal)

    @router.get(
        "/rating-models/{version}",
        response_model=RatingModelRead,
        tags=["rating models"],
        summary="One model version",
    )
    def read_model(version: Version, principal: CurrentPrincipal, uows: UowFactory):
        return rating_models.get_model(uows, principal, version)

    @router.post(
        "/rating-models/{version}/{action}",
        response_model=RatingModelRead,
        tags=["rating models"],
        summary="approve, activate or retire a version",
    )
    def move_model(
        version: Version,
        action: Literal["approve", "activate", "retire"],
        principal: CurrentPrincipal,
        uows: UowFactory,
    ):
        """draft → approved → active → retired. Parameters never change once approved."""
        return rating_models.transition(uows, principal, version, action)

    @router.post(
        "/pricing/indications",
        response_model=IndicationRead,
        tags=["pricing"],
        summary="Price a firm under a grid of options, with worksheets",
    )
    def indicate(body: IndicationCreate, principal: CurrentPrincipal, uows: UowFactory):
        """Insurer staff. Rated with the model active on `effective_date` and the book as
        of today; each option comes with the worksheet that explains and reproduces it."""
        indication = indications.indicate(uows, principal, body.model_dump())
        return IndicationRead.model_validate(indication, from_attributes=True)

    @router.get(
        "/firms/{id}/tier",
        response_model=TierRead,
        tags=["tiers"],
        summary="The firm's premium tier, why, and where it stands",
    )
    def read_tier(ident: FirmId, principal: CurrentPrincipal, uows: UowFactory):
        """The firm itself or insurer staff. Drivers are the quality metrics' contributions
        to the firm's relativity against the market, largest first."""
        return tiers.firm_tier(uows, principal, ident)

    @router.post(
        "/firms/{id}/tier/what-if",
        response_model=TierRead,
        tags=["tiers"],
        summary="The tier and premium hypothetical quality metrics would give",
    )
    def tier_what_if(
        ident: FirmId, body: TierWhatIf, principal: CurrentPrincipal, uows: UowFactory
    ):
        """Nothing is stored: try an audit score of 90 or a follow-up closure of 0.95 and
        see the tier and premium move."""
        return tiers.what_if(uows, principal, ident, body.model_dump())

    return router
