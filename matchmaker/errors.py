"""Every error becomes a 4xx with a sentence a person can act on; oversized bodies stop early."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's words when the body is not UTF-8 or not decodable at all
            return JSONResponse(
                {"detail": "the request body could not be read: send UTF-8 encoded JSON"},
                status_code=400,
            )
        return await http_exception_handler(request, exc)

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return _reply(422, [{"field": exc.field, "message": exc.message}])

    @app.exception_handler(Conflict)
    async def _conflict(_: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(NotFound)
    async def _missing(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)


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


class SecurityHeaders:
    """Adds the CSP (no inline script anywhere) and the other protective headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                path = scope.get("path", "")
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS:
                    # /docs runs Swagger UI from inline script: it keeps its own defaults
                    if name == b"content-security-policy" and path in ("/docs", "/redoc"):
                        continue
                    if name not in present:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
