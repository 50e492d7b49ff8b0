"""Every error becomes a 4xx (or a 503) with a sentence a person can act on; the headers."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    """Every error answer but 422: one sentence saying what went wrong and what to do."""

    detail: str


class FieldError(BaseModel):
    field: str = Field(description="the input at fault, dotted when nested; `body` for all of it")
    message: str


class InputErrors(ErrorDetail):
    """A 422: each input at fault and why; `detail` joins them in one line."""

    errors: list[FieldError]


def answer(description: str) -> dict[str, Any]:
    """An error answer for a route's `responses=`, in the shape this module sends."""
    return {"model": ErrorDetail, "description": description}


class InputError(ValueError):
    """Input that passed the schema but not the database's facts (an unknown theme...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class NotFound(LookupError):
    """A row the request names does not exist."""


class Conflict(RuntimeError):
    """An edit made against an older version of the row."""


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return "the request body is not valid JSON (or not UTF-8 text)"
    msg = str(error.get("msg", "is invalid"))
    return msg.removeprefix("Value error, ")


def _reply(status: int, errors: list[dict[str, str]]) -> JSONResponse:
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return JSONResponse({"detail": summary, "errors": errors}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(tuple(e.get("loc", ()))), "message": _message(e)} for e in exc.errors()
        ]
        return _reply(422, errors)

    # web/render.py answers a page address's 404 and 405 with a page, and the rest with this
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return await http_error(request, exc)

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return _reply(422, [{"field": exc.field, "message": exc.message}])

    @app.exception_handler(Conflict)
    async def _conflict(_: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(NotFound)
    async def _missing(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(DBAPIError)
    async def _storage(_: Request, exc: DBAPIError) -> JSONResponse:
        return unavailable(exc)


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """An HTTPException as JSON; the router's and FastAPI's own ones in words that help."""
    path, headers = request.url.path, exc.headers
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        # FastAPI's words when the body is not UTF-8 or not decodable at all
        detail = "the request body could not be read: send UTF-8 encoded JSON"
    elif exc.status_code == 404 and exc.detail == "Not Found":  # no route, or no such file
        detail = f"there is nothing at {path}"
        if path.startswith("/api/"):
            detail += ": the API's addresses are listed at /docs"
    elif exc.status_code == 405 and exc.detail == "Method Not Allowed":
        allowed = (headers or {}).get("Allow", "")
        detail = f"{request.method} is not allowed on {path}; it allows {allowed}"
    else:
        return await http_exception_handler(request, exc)
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)


def answers_json(path: str) -> bool:
    """Whether `path` is the API's, the OpenAPI document's or a static file's: its errors are
    JSON. Any other address is a page's, and its errors are pages."""
    return path == "/openapi.json" or any(
        path == prefix or path.startswith(prefix + "/") for prefix in ("/api", "/static")
    )


# What SQLite says when it cannot write (or read) its file, and PostgreSQL's SQLSTATEs for it:
# disk_full, insufficient_resources, io_error, read_only_sql_transaction.
_SQLITE_STORAGE = ("database or disk is full", "readonly database", "disk i/o error")
_PG_STORAGE = {"53100", "53000", "58030", "25006"}
UNAVAILABLE = (
    "the service cannot store anything right now (its disk is full or read-only): nothing "
    "was saved; try again later, and tell the service's administrator if it lasts"
)


def storage_failure(exc: BaseException) -> bool:
    """Whether `exc` is the storage failing (full, read-only, broken), not a bug of ours."""
    if not isinstance(exc, DBAPIError):
        return False
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return state in _PG_STORAGE or any(m in str(exc.orig).lower() for m in _SQLITE_STORAGE)


def unavailable(exc: DBAPIError) -> JSONResponse:
    """The API's 503 for a storage failure; any other database error stays a 500 (a bug)."""
    if not storage_failure(exc):
        raise exc
    log.error("storage failure: %s", exc.orig)
    return JSONResponse({"detail": UNAVAILABLE}, status_code=503)


class BodyLimit:
    """Refuses a body over `limit` bytes with 413 before it is read into memory."""

    def __init__(
        self, app: ASGIApp, limit: int, uploads: int = 0, upload_prefix: str | tuple[str, ...] = ""
    ) -> None:
        self.app, self.default = app, limit
        self.uploads, self.upload_prefix = max(uploads, limit), upload_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = bool(self.upload_prefix) and scope["path"].startswith(self.upload_prefix)
        limit = self.uploads if upload else self.default
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = json.dumps(
            {"detail": f"the request body is larger than the limit of {limit:,} bytes"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
# The API answers that are the same for every visitor; a cache may keep these (when asked for
# without credentials), and no other API answer.
PUBLIC_API = re.compile(r"/api/(themes|organisations(/[^/]+)?)")
SERVER_ERROR = "something went wrong on our side (it is logged): try again later"


def is_public_api(method: str, path: str) -> bool:
    return method in ("GET", "HEAD") and PUBLIC_API.fullmatch(path) is not None


class SecurityHeaders:
    """The CSP (no inline script anywhere) and the other protective headers on every answer,
    errors included; `Cache-Control: no-store` on private ones; HSTS when configured.

    Private: anything asked for with credentials (an API token or the session cookie, which
    also carries the page's CSRF token), anything that sets a cookie, and every API answer
    but the public catalogue. Static files are the same for everyone and stay cacheable.
    """

    def __init__(self, app: ASGIApp, *, hsts_seconds: int = 0, session_cookie: str = "") -> None:
        self.app = app
        self.hsts = f"max-age={hsts_seconds}".encode() if hsts_seconds > 0 else b""
        self.cookie = f"{session_cookie}=".encode() if session_cookie else b""

    def _private(self, scope: Scope) -> bool:
        path: str = scope.get("path", "")
        if path.startswith("/static/"):
            return False
        headers = dict(scope.get("headers", []))
        if headers.get(b"authorization", b"").strip():
            return True
        if self.cookie and any(
            c.strip().startswith(self.cookie) for c in headers.get(b"cookie", b"").split(b";")
        ):
            return True
        return path.startswith("/api/") and not is_public_api(scope.get("method", ""), path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = self._private(scope)
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS:
                    if name not in present:
                        headers.append((name, value))
                if self.hsts and b"strict-transport-security" not in present:
                    headers.append((b"strict-transport-security", self.hsts))
                if private or b"set-cookie" in present:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            # The server's own 500 would bypass these headers: answer it here, then let the
            # server log the exception as before.
            if not started:
                if scope.get("path", "").startswith("/api"):
                    await JSONResponse({"detail": SERVER_ERROR}, 500)(scope, receive, with_headers)
                else:
                    await PlainTextResponse(SERVER_ERROR, 500)(scope, receive, with_headers)
            raise
