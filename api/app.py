"""The HTTP app, built by ``create_app(settings)``: nothing happens at import."""

from functools import partial

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from api import errors
from api.routes.book import build_router
from underwriting.db.engine import build_engine, session_factory
from underwriting.db.uow import UnitOfWork
from underwriting.health import database_reachable
from underwriting.settings import Settings

DESCRIPTION = """\
SecondLock prices and settles the professional-liability insurance of safety technical
service firms (安全技术服务机构) from their audited service quality and their clients'
hazard metrics. Authenticate with `Authorization: Bearer <api key>`. Money is a decimal
string in CNY, dates are ISO 8601, errors are `application/problem+json` (RFC 9457).
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API over the database in ``settings`` (read from the environment if omitted)."""
    settings = settings or Settings()
    engine = build_engine(settings.database_url)
    app = FastAPI(
        title="SecondLock",
        version="0.1.0",
        description=DESCRIPTION,
        max_body_size=settings.body_max_bytes,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.uow_factory = partial(UnitOfWork, session_factory(engine))
    errors.install(app)
    app.include_router(build_router())

    @app.get("/healthz", tags=["health"], summary="Is the API up and its database reachable?")
    def healthz() -> JSONResponse:
        ok = database_reachable(app.state.uow_factory)
        body = {"status": "ok" if ok else "degraded", "database": ok}
        return JSONResponse(body, status_code=200 if ok else 503)

    return app
