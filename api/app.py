"""The HTTP app, built by ``create_app(settings)``: nothing happens at import."""

from functools import partial

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors
from api.routes import actuarial as actuarial_routes
from api.routes import claims as claim_routes
from api.routes import market as market_routes
from api.routes import policies as policy_routes
from api.routes import pricing as pricing_routes
from api.routes import quotes as quote_routes
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


class ProblemForTooLarge:
    """Answer Starlette's request-body limit in our error format.

    ``RequestBodyLimitMiddleware`` (inside this one) counts what is read, declared and
    streamed bodies alike, but answers in plain text; this turns its 413 into a problem
    response, so that every error SecondLock gives is ``application/problem+json``.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_problem(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                content_type = Headers(raw=message["headers"]).get("content-type", "")
                if not content_type.startswith(errors.PROBLEM_JSON):
                    replaced = True
                    detail = f"the request body is over the limit of {self.limit} bytes"
                    problem = errors.problem(413, "too-large", "Request too large", detail)
                    await problem(scope, receive, send)
                    return
            if not replaced:
                await send(message)

        await self.app(scope, receive, send_problem)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API over the database in ``settings`` (read from the environment if omitted)."""
    settings = settings or Settings()
    engine = build_engine(settings.database_url)
    app = FastAPI(title="SecondLock", version="0.1.0", description=DESCRIPTION)
    app.state.settings = settings
    app.state.engine = engine
    app.state.uow_factory = partial(UnitOfWork, session_factory(engine))
    errors.install(app)
    app.include_router(build_router())
    app.include_router(actuarial_routes.build_router())  # before /rating-models/{version}
    app.include_router(pricing_routes.build_router())
    app.include_router(market_routes.build_router())
    app.include_router(quote_routes.build_router())
    app.include_router(policy_routes.build_router())
    app.include_router(claim_routes.build_router())
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.body_max_bytes)
    app.add_middleware(ProblemForTooLarge, limit=settings.body_max_bytes)  # wraps the limit

    @app.get("/healthz", tags=["health"], summary="Is the API up and its database reachable?")
    def healthz() -> JSONResponse:
        ok = database_reachable(app.state.uow_factory)
        body = {"status": "ok" if ok else "degraded", "database": ok}
        return JSONResponse(body, status_code=200 if ok else 503)

    return app
