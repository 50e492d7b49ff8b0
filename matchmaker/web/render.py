"""Rendering for the HTML pages: templates, the UI language, full page or htmx fragment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.templating import Jinja2Templates

from matchmaker import errors
from matchmaker.accounts import auth
from matchmaker.settings import ROOT
from matchmaker.vocab import Role
from matchmaker.web import i18n

TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
HTMX_JS = "htmx-2.0.11.min.js"
# Language and fragment-or-page both depend on request headers; caches must key on them.
VARY = "HX-Request, Accept-Language, Cookie"


def make_templates(directory: Path = TEMPLATES_DIR) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt variable fails the tests, not the page
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["htmx_js"] = f"/static/{HTMX_JS}"
    return Jinja2Templates(env=env)


def install(app: FastAPI) -> None:
    """Templates, the static files, and the login redirect of the HTML pages."""
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(LoginNeeded)
    async def _login(request: Request, exc: LoginNeeded) -> Response:
        return Page(request, auth.VISITOR).redirect(login_url(exc.next))

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, exc: NotAllowed) -> Response:
        principal = getattr(request.state, "principal", auth.VISITOR)
        return Page(request, principal).forbidden(exc.help_key)

    @app.exception_handler(auth.CsrfRejected)
    async def _csrf(request: Request, exc: auth.CsrfRejected) -> Response:
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        with Session(request.app.state.db_engine) as session:  # the header still shows who it is
            principal = auth.get_principal(request, session)
        ui = Page(request, principal)
        return ui.forbidden(i18n.N_("error.csrf_help"), title=ui.t("error.csrf"))

    # errors.install answers every HTTPException in JSON; an address that is no page, or a page
    # asked for with a method it does not take, gets a page (the API and files keep JSON)
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code not in (404, 405) or errors.answers_json(request.url.path):
            return await errors.http_error(request, exc)
        with Session(request.app.state.db_engine) as session:  # rendered while it is open
            try:
                principal = auth.get_principal(request, session)  # who it is, for the header
            except (StarletteHTTPException, DBAPIError):  # a bad token, a broken database
                principal = auth.VISITOR
            ui = Page(request, principal)
            if exc.status_code == 404:
                return ui.not_found()
            return ui.method_not_allowed((exc.headers or {}).get("Allow", ""))

    # errors.install answers the API's storage failures; a page gets a page saying so
    @app.exception_handler(DBAPIError)
    async def _storage(request: Request, exc: DBAPIError) -> Response:
        if request.url.path.startswith("/api") or not errors.storage_failure(exc):
            return errors.unavailable(exc)
        errors.log.error("storage failure: %s", exc.orig)
        # as a visitor: the user's row was expired by the rollback, in a session now closed
        return Page(request, auth.VISITOR).unavailable()


class LoginNeeded(Exception):
    """A page for logged-in users only, asked for by a visitor: off to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next = next_url


class NotAllowed(Exception):
    """A logged-in user asked for a page their role does not open: the 403 page, and why."""

    def __init__(self, help_key: str) -> None:
        super().__init__(help_key)
        self.help_key = help_key


def login_url(next_url: str) -> str:
    return "/login?" + urlencode({"next": next_url}) if next_url != "/" else "/login"


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a path on this site, never another site.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so
    "/\t/evil.example" would be "//evil.example", another site: any control character,
    space or backslash, and anything that is not a plain absolute path, sends one home.
    """
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or any(c == "\\" or c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in value)
    ):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def is_htmx(request: Request) -> bool:
    """A fragment is wanted: an htmx request that is not restoring a page from history."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def url_with(request: Request, path: str | None = None, **changes: str | int | None) -> str:
    """This page's URL (or `path`, without this query) with some query parameters changed.

    A change to None removes the parameter.
    """
    kept = request.query_params.multi_items() if path is None else []
    params = [(k, v) for k, v in kept if k not in changes]
    params += [(k, str(v)) for k, v in changes.items() if v is not None and v != ""]
    query = urlencode(params)
    # never "//host" (another site), even for a 404 page's odd address
    base = safe_next(request.url.path) if path is None else path
    return f"{base}?{query}" if query else base


@dataclass
class NavLink:
    url: str
    label: str
    current: bool


@dataclass
class Account:
    name: str
    role: str


@dataclass
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


class Page:
    """What a page handler needs: the translator, and render/redirect in the right language."""

    def __init__(self, request: Request, principal: auth.Principal) -> None:
        self.request = request
        self.principal = principal
        self.lang, self.chosen = i18n.choose(request)
        self.t = i18n.Translator(self.lang)
        self.htmx = is_htmx(request)

    def require_login(self) -> auth.Principal:
        """The logged-in user, or off to the login page (and back here afterwards)."""
        if self.principal.user is None:
            raise LoginNeeded(self.here() if self.request.method == "GET" else "/")
        return self.principal

    def here(self) -> str:
        """This page's path and query, as a login's `next` keeps it (safe_next checks it)."""
        query = self.request.url.query
        return safe_next(self.request.url.path + (f"?{query}" if query else ""))

    def require_curator(self) -> auth.Principal:
        """A facilitator or an admin; a visitor logs in first, a member gets the 403 page."""
        principal = self.require_login()
        if not principal.curates:
            raise NotAllowed(i18n.N_("error.curators_only"))
        return principal

    def require_admin(self) -> auth.Principal:
        """An admin; a visitor logs in first, anyone else gets the 403 page."""
        principal = self.require_login()
        if principal.role != Role.admin:
            raise NotAllowed(i18n.N_("error.admins_only"))
        return principal

    def login_link(self) -> str:
        """The header's login link: back to this page afterwards (a GET page only)."""
        here = self.here() if self.request.method == "GET" else "/"
        return "/login" if here.startswith(("/login", "/register", "/reset")) else login_url(here)

    def account(self) -> Account | None:
        user = self.principal.user
        if user is None:
            return None
        return Account(user.name or user.email, self.t.label("role", user.role))

    def languages(self, here: str | None) -> list[LanguageLink]:
        """Links to this page in each language (`here`: the page a POST answered for)."""
        if self.request.method == "GET":
            here = None
        return [
            LanguageLink(
                code,
                i18n.Translator(code)(i18n.N_("language.self")),
                url_with(self.request, here, lang=code),
                code == self.lang,
            )
            for code in i18n.LANGUAGES
        ]

    def navigation(self, section: str) -> list[NavLink]:
        links = [
            NavLink("/", self.t("nav.home"), section == "home"),
            NavLink("/listings", self.t("nav.browse"), section == "browse"),
            NavLink("/info", self.t("nav.info"), section == "info"),
            NavLink("/listings/new", self.t("nav.post"), section == "post"),
            NavLink("/map", self.t("nav.map"), section == "map"),
        ]
        if self.principal.role == Role.member and self.principal.organisation_id:
            links.append(NavLink("/my", self.t("nav.my"), section == "my"))
            links.append(NavLink("/workshops", self.t("nav.workshops"), section == "workshops"))
        return links

    def workspace(self, section: str) -> list[NavLink]:
        """The facilitators' links, shown to facilitators and admins only."""
        if not self.principal.curates:
            return []
        links = [
            ("/matches", i18n.N_("nav.queue"), "queue"),
            ("/matches/board", i18n.N_("nav.board"), "board"),
            ("/dashboard", i18n.N_("nav.dashboard"), "dashboard"),
            ("/reports", i18n.N_("nav.reports"), "reports"),
            ("/network", i18n.N_("nav.network"), "network"),
            ("/import", i18n.N_("nav.import"), "import"),
            ("/outbox", i18n.N_("nav.outbox"), "outbox"),
            ("/mailings", i18n.N_("nav.mailings"), "mailings"),
            ("/invite", i18n.N_("nav.invite"), "invite"),
            ("/joins", i18n.N_("nav.joins"), "joins"),
            ("/admin/approvals", i18n.N_("nav.approvals"), "approvals"),
            ("/workshops", i18n.N_("nav.workshops"), "workshops"),
        ]
        if self.principal.role == Role.admin:
            links += [
                ("/admin/themes", i18n.N_("nav.themes"), "themes"),
                ("/admin/users", i18n.N_("nav.users"), "users"),
                ("/admin/organisations", i18n.N_("nav.organisations"), "organisations"),
                ("/admin/factors", i18n.N_("nav.factors"), "factors"),
            ]
        return [NavLink(url, self.t(key), section == name) for url, key, name in links]

    def render(
        self,
        page: str,
        fragment: str,
        *,
        status: int = 200,
        section: str = "",
        here: str | None = None,
        **context: Any,
    ) -> Response:
        """The full page, or for htmx the fragment the page includes, from the same URL.

        `section` marks the current menu item; `here` is the GET address of a page rendered
        in answer to a POST, so that the language links lead back to it.
        """
        templates: Jinja2Templates = self.request.app.state.templates
        fresh = Response()  # a visitor's first CSRF token comes in a cookie set here
        context.update(
            t=self.t,
            lang=self.lang,
            languages=self.languages(here),
            navigation=self.navigation(section),
            workspace=self.workspace(section),
            account=self.account(),
            login_link=self.login_link(),
            csrf_field=auth.CSRF_FIELD,
            csrf_token=auth.csrf_token(self.request, fresh),
        )
        context.setdefault("title", "")
        response = templates.TemplateResponse(
            self.request, fragment if self.htmx else page, context, status_code=status
        )
        for cookie in fresh.headers.getlist("set-cookie"):
            response.headers.append("set-cookie", cookie)
        return self._finish(response)

    def not_found(self) -> Response:
        """The 404 page: what the URL names does not exist, or not for this viewer."""
        return self.render(
            "errors/404.html", "errors/_404.html", status=404, title=self.t("error.not_found")
        )

    def method_not_allowed(self, allow: str) -> Response:
        """The 405 page: this address takes other requests (a form's POST, most often)."""
        response = self.render(
            "errors/405.html", "errors/_405.html", status=405, title=self.t("error.method")
        )
        if allow:
            response.headers["Allow"] = allow
        return response

    def forbidden(
        self, help_key: str = i18n.N_("error.forbidden_help"), *, title: str = ""
    ) -> Response:
        """The 403 page, saying why (`help_key`) and what to do instead."""
        return self.render(
            "errors/403.html",
            "errors/_403.html",
            status=403,
            title=title or self.t("error.forbidden"),
            help=self.t(help_key),
        )

    def unavailable(self) -> Response:
        """The 503 page: the storage is full or read-only, nothing was saved."""
        return self.render(
            "errors/503.html", "errors/_503.html", status=503, title=self.t("error.unavailable")
        )

    def redirect(self, url: str) -> Response:
        """303 to `url`; an htmx form post is sent there by a full navigation instead."""
        response: Response
        if self.htmx:  # quoted as RedirectResponse quotes a Location: no raw control characters
            quoted = quote(url, safe=":/%#?=@[]!$&'()*+,;")
            response = Response(status_code=204, headers={"HX-Redirect": quoted})
        else:
            response = RedirectResponse(url, status_code=303)
        return self._finish(response)

    def _finish(self, response: Response) -> Response:
        response.headers["Vary"] = VARY
        if self.chosen:
            response.set_cookie(
                i18n.COOKIE,
                self.lang,
                max_age=i18n.COOKIE_MAX_AGE,
                samesite="lax",
                httponly=True,
                secure=self.request.app.state.settings.cookie_secure,
            )
        return response


def get_page(request: Request, principal: auth.PrincipalDep) -> Page:
    page = Page(request, principal)
    if request.app.state.settings.login_required and request.url.path != "/login":
        page.require_login()
    return page


PageDep = Annotated[Page, Depends(get_page)]
