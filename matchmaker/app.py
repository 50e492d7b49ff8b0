"""The application factory: settings, database engine and matcher are built here, not at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from matchmaker import apidoc, db, errors, scheduler
from matchmaker.accounts import api as accounts_api
from matchmaker.accounts import (
    auth,
    join_pages,
    login_pages,
    outbox_pages,
    registration_pages,
    security,
    token_pages,
)
from matchmaker.admin import factor_pages as admin_factor_pages
from matchmaker.admin import organisation_pages as admin_organisation_pages
from matchmaker.admin import pages as admin_pages
from matchmaker.alerts import pages as alert_pages
from matchmaker.engine import ewc_suggest, wording
from matchmaker.engine.embeddings import Embedder, LazyEmbedder
from matchmaker.engine.matching import Matcher, build_matcher
from matchmaker.infopoint import api as infopoint_api
from matchmaker.infopoint import pages as infopoint_pages
from matchmaker.listings import api as listings_api
from matchmaker.listings import (
    browse_pages,
    catalog_api,
    ewc_api,
    ewc_pages,
    expiry_pages,
    home_pages,
)
from matchmaker.listings import pages as listing_pages
from matchmaker.mailinglist import pages as mailinglist_pages
from matchmaker.members import api as members_api
from matchmaker.members import pages as member_pages
from matchmaker.network import pages as network_pages
from matchmaker.quality import pages as quality_pages
from matchmaker.reports import pages as reports_pages
from matchmaker.settings import Settings
from matchmaker.tables import Listing
from matchmaker.transfer import api as transfer_api
from matchmaker.transfer import jobs, seeding
from matchmaker.transfer import pages as import_pages
from matchmaker.web import docs_pages, render
from matchmaker.workshops import agenda_pages as workshop_agenda_pages
from matchmaker.workshops import pages as workshop_pages
from matchmaker.workspace import answer_pages, dashboard_pages, impact, match_pages, queue_pages
from matchmaker.workspace import api as workspace_api

log = logging.getLogger(__name__)


def prepare(settings: Settings, db_engine: Engine, matcher: Matcher) -> None:
    """What a start does to the database, once however many workers follow: the schema, the
    themes and emission factors, the demo seeds if asked for; then the index, saved."""
    log.info("%s", db.upgrade(db_engine))  # a new release's revisions, run at its start
    with Session(db_engine) as session:
        if (settings.seeds_dir / "themes.json").exists():
            seeding.ensure_themes(session, settings.seeds_dir)
        impact.seed(session)  # the emission factors, from the shipped CSV, once
        if settings.seed_on_start and session.exec(select(Listing.id)).first() is None:
            seeding.load(session, settings.seeds_dir, matcher)
        matcher.sync(session)


def prepare_for_workers(settings: Settings) -> None:
    """`prepare`, in a process of its own that exits before the workers start: the model
    it may load for the seeds is not kept in the supervisor's memory."""
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(target=_prepare, args=(settings,))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"preparing the database failed (exit code {child.exitcode})")


def _prepare(settings: Settings) -> None:
    prepare(settings, db.make_engine(settings.database_url), build_matcher(settings))


def worker_app() -> FastAPI:
    """One of `serve`'s several workers (uvicorn's factory): the database is prepared."""
    return create_app(Settings(), prepared=True)


def create_app(
    settings: Settings | None = None,
    *,
    db_engine: Engine | None = None,
    embedder: Embedder | None = None,
    prepared: bool = False,
) -> FastAPI:
    """The app; `prepared`: `prepare` ran before (several workers), so only the index is
    loaded, from the saved one or the stored vectors."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db_engine = app.state.db_engine
        matcher: Matcher = app.state.matcher
        wording.warm_up()  # scikit-learn, for the first suggestion, while the index loads
        if prepared:
            with Session(db_engine) as session:
                matcher.sync(session)
        else:
            prepare(settings, db_engine, matcher)
        if isinstance(matcher.embedder, LazyEmbedder):
            matcher.embedder.warm_up()  # the first search or write then need not wait for it
        daily = scheduler.daily_jobs(settings.daily_at, db_engine, matcher, settings)
        if settings.scheduler:
            daily.start()
        app.state.daily = daily
        yield
        daily.shutdown()
        app.state.code_suggester.stop()  # a build of the codes' vectors under way is dropped
        with Session(db_engine) as session:
            matcher.save(session)

    app = FastAPI(
        title="Circular Valley Matchmaker",
        summary="Offers and needs of the Uusimaa circular economy, matched across fi/sv/en.",
        lifespan=lifespan,
        dependencies=[Depends(auth.check_csrf)],
        docs_url=None,  # FastAPI's /docs loads Swagger UI from a CDN: web/docs_pages.py serves it
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.signer = security.Signer(
        settings.secret_key or security.load_or_create_secret(settings.instance_dir),
        max_age=settings.session_days * 86400,
    )
    app.state.db_engine = db_engine or db.make_engine(settings.database_url)
    app.state.login_limiter, app.state.reset_limiters = auth.make_limiters(
        app.state.db_engine, settings.login_attempts
    )
    app.state.matcher = build_matcher(settings, embedder)
    # the waste codes' vectors, in the matcher's space: made on first need (the listing form)
    app.state.code_suggester = ewc_suggest.Suggester(
        app.state.matcher.space, app.state.matcher.embedder, settings.instance_dir / "ewc"
    )
    # the pages' background work (an import), polled for progress through any worker
    app.state.jobs = jobs.Jobs(app.state.db_engine)
    errors.install(app)
    app.add_middleware(
        errors.BodyLimit,
        limit=settings.max_body_bytes,
        uploads=settings.max_upload_bytes,
        upload_prefix=("/api/import", "/import"),
    )
    # added last, so outermost: the body limit's 413 and the server's 500 get the headers too
    app.add_middleware(
        errors.SecurityHeaders, hsts_seconds=settings.hsts_seconds, session_cookie=auth.COOKIE
    )
    # JSON first, then the static files and the pages, in the order their paths are tried
    for api in (
        listings_api,
        catalog_api,
        ewc_api,
        accounts_api,
        workspace_api,
        transfer_api,
        members_api,
        infopoint_api,
    ):
        app.include_router(api.router)
    render.install(app)
    for pages in (
        home_pages,
        browse_pages,
        listing_pages,
        ewc_pages,
        expiry_pages,
        login_pages,
        registration_pages,
        join_pages,
        token_pages,
        queue_pages,
        match_pages,
        answer_pages,
        dashboard_pages,
        network_pages,
        member_pages,
        alert_pages,
        mailinglist_pages,
        quality_pages,
        infopoint_pages,
        outbox_pages,
        import_pages,
        admin_pages,
        admin_organisation_pages,
        workshop_pages,
        workshop_agenda_pages,
        admin_factor_pages,
        reports_pages,
        docs_pages,
    ):
        app.include_router(pages.router)
    apidoc.install(app)
    return app
