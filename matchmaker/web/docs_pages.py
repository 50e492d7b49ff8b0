"""/docs: Swagger UI from the vendored files in static/, started by a static script of ours.

No file comes from another host, so the page works offline, and no script is inline, so it
keeps the CSP every page has (errors.SecurityHeaders).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import swagger_ui_default_parameters
from fastapi.responses import Response
from starlette.templating import Jinja2Templates

# static/<this>/ holds swagger-ui-dist's files as npm ships them (README: Licence and data)
SWAGGER_UI = "swagger-ui-5.35.0"

router = APIRouter()


@router.get("/docs", include_in_schema=False)
def swagger_ui(request: Request) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    # FastAPI's own settings for Swagger UI; no validator badge, which would ask
    # validator.swagger.io about the document
    config = {
        **swagger_ui_default_parameters,
        "url": request.app.openapi_url,
        "validatorUrl": None,
    }
    files = f"/static/{SWAGGER_UI}"
    return templates.TemplateResponse(
        request,
        "docs/swagger_ui.html",
        {
            "title": request.app.title,
            "config": config,
            "openapi_url": request.app.openapi_url,
            "swagger_css": f"{files}/swagger-ui.css",
            "swagger_js": f"{files}/swagger-ui-bundle.js",
            "favicon": f"{files}/favicon-32x32.png",
        },
    )
