"""The OpenAPI document tells the truth about errors: their shapes, and which each route gives.

FastAPI documents the 2xx answer and a 422 of its own shape. The app answers every error in
errors.py's shapes, and which errors a route can give follows from what it depends on: this
module reads that from the route table, so that a new route is documented as it behaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from matchmaker import errors
from matchmaker.accounts import auth
from matchmaker.deps import get_session

REF = "#/components/schemas/{model}"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# What each dependency can answer when it refuses the request.
REFUSALS: dict[Callable[..., Any], dict[int, str]] = {
    auth.get_principal: {401: "The API token is not valid (revoked or mistyped)."},
    auth.browsing_allowed: {
        401: "A login is needed to browse (the service is set so), or the API token is not valid."
    },
    auth.require_user: {401: "Log in first: a session cookie or an API token."},
    auth.require_curator: {403: "Only facilitators and admins may do this."},
    auth.require_admin: {403: "Only admins may do this."},
}
NOT_ALLOWED = (
    "Not allowed: the role does not allow it, or a browser's session cookie came without the "
    "page's CSRF token."
)


def install(app: FastAPI) -> None:
    """Make `app.openapi()` describe every route's error answers."""
    generate = app.openapi
    described: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        doc = generate()  # FastAPI caches it until the routes change
        if not described or described[0] is not doc:
            describe(app, doc)
            described[:] = [doc]
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def describe(app: FastAPI, doc: dict[str, Any]) -> None:
    """Add the error answers to `doc` (FastAPI's document of `app`), in place."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    _, defs = models_json_schema(
        [(m, "serialization") for m in (errors.ErrorDetail, errors.InputErrors)], ref_template=REF
    )
    schemas.update(defs["$defs"])
    for model in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422, never sent
        schemas.pop(model, None)
    for context, method in _operations(app):
        path = str(context.path_format)
        operation = doc["paths"][path][method.lower()]
        responses: dict[str, Any] = operation.setdefault("responses", {})
        if "422" in responses:
            responses["422"] = _answer(
                errors.InputErrors, "The input is not valid: each field why."
            )
        for status, description in sorted(answers(context, method).items()):
            responses.setdefault(str(status), _answer(errors.ErrorDetail, description))
        if path.startswith("/api/") and not errors.is_public_api(method, path):
            for answer in responses.values():
                answer.setdefault("headers", {})["Cache-Control"] = {"$ref": NO_STORE_REF}
        operation["responses"] = dict(sorted(responses.items()))
    doc["components"].setdefault("headers", {})["NoStore"] = NO_STORE


NO_STORE_REF = "#/components/headers/NoStore"
NO_STORE = {
    "description": "`no-store`: this answer is private, a cache must not keep it.",
    "required": True,
    "schema": {"type": "string", "const": "no-store"},
}


def answers(context: RouteContext, method: str) -> dict[int, str]:
    """The error answers (status -> when) of one operation, from what its route depends on."""
    found: dict[int, str] = {}
    calls = {d.call for d in _dependencies(context.dependant)}
    for call, refusals in REFUSALS.items():
        if call in calls:
            found.update(refusals)
    if method in UNSAFE:
        found[403] = NOT_ALLOWED  # the CSRF check, and the rules in the handlers
    if any(p.name.endswith("_id") for p in context.dependant.path_params):
        found[404] = "The id in the path names nothing (this viewer may see)."
    body = context.body_field
    if body is not None:
        found[400] = "The body could not be read: send UTF-8 encoded JSON."
        found[413] = "The body is larger than the service accepts."
        model = body.field_info.annotation
        if (
            isinstance(model, type)
            and issubclass(model, BaseModel)
            and "version" in model.model_fields
        ):
            found[409] = "Someone changed it since the version sent: reload and redo the edit."
    if get_session in calls and method in UNSAFE:
        found[503] = "The storage is full or read-only: nothing was saved; try again later."
    elif get_session in calls:
        found[503] = "The storage could not be read (an I/O error): try again later."
    return found


def _operations(app: FastAPI) -> Iterator[tuple[RouteContext, str]]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in sorted(context.methods or ()):
                yield context, method


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def _answer(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
    }
