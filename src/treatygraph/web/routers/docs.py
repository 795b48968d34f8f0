"""``/docs``: the HTTP API documented for people, offline.

FastAPI's own docs page loads Swagger UI from a CDN; this one is rendered on the server from
the same OpenAPI document (``/openapi.json``) and needs no script at all.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response

from treatygraph.web.deps import TemplatesDep

router = APIRouter(tags=["docs"])

_METHODS = ("get", "head", "post", "put", "delete", "patch")


def operations(openapi: dict[str, Any]) -> list[dict[str, Any]]:
    """The operations of an OpenAPI document, in path order, with what a reader needs."""
    found = []
    for path, item in sorted(openapi.get("paths", {}).items()):
        for method in _METHODS:
            operation = item.get(method)
            if operation is None or (method == "head" and "get" in item):
                continue
            parameters = [
                {
                    "name": p.get("name", ""),
                    "where": p.get("in", ""),
                    "required": bool(p.get("required")),
                    "type": _type(p.get("schema", {})),
                    "description": p.get("description", ""),
                }
                for p in operation.get("parameters", [])
            ]
            responses = [
                {
                    "status": status,
                    "description": response.get("description", ""),
                    "media_types": sorted(response.get("content", {})),
                }
                for status, response in sorted(operation.get("responses", {}).items())
            ]
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tags": operation.get("tags", []),
                    "parameters": parameters,
                    "responses": responses,
                    "anchor": re.sub(r"[^a-z0-9]+", "-", f"{method}-{path}".lower()).strip("-"),
                }
            )
    return found


def _type(schema: dict[str, Any]) -> str:
    if "type" in schema:
        return str(schema["type"])
    options = [str(s.get("type")) for s in schema.get("anyOf", []) if s.get("type") != "null"]
    return " or ".join(options) or "any"


@router.get("/docs", response_class=Response, include_in_schema=False)
async def docs(request: Request, templates: TemplatesDep) -> Response:
    """Every operation of the API with its parameters and responses (HTML, no scripts)."""
    openapi = request.app.openapi()
    page = {"info": openapi.get("info", {}), "operations": operations(openapi)}
    return templates.TemplateResponse(request, "docs.html", page)
