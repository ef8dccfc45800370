"""``GET /api/v1/openapi.json``, built from the models the endpoints validate with."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, jsonify
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from hub.api.models import ErrorOut
from hub.api.spec import REGISTRY, Route

bp = Blueprint("openapi", __name__)
REF = "#/components/schemas/{model}"
_cache: dict[str, Any] = {}

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Invalid input",
    401: "No or bad token",
    403: "Wrong role, device or counter",
    404: "Unknown id",
    409: "State conflict",
    413: "Body over the limit",
    429: "Too many attempts",
    503: "Unavailable",
}


def _models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = [ErrorOut]
    for route in REGISTRY:
        for model in (route.body, route.query):
            if model is not None:
                found.append(model)
        inner = getattr(route.response, "__args__", (route.response,))[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            found.append(inner)
    return list(dict.fromkeys(found))


def _response_schema(response: Any) -> dict[str, Any]:
    if response is None:
        return {}
    if isinstance(response, type) and issubclass(response, BaseModel):
        return {"$ref": REF.format(model=response.__name__)}
    inner = response.__args__[0]
    return {"type": "array", "items": {"$ref": REF.format(model=inner.__name__)}}


def _parameters(route: Route) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for _conv, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", route.rule):
        maxlen = re.search(rf"maxlength=(\d+)\):{name}>", route.rule)
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if maxlen:
            schema["maxLength"] = int(maxlen.group(1))
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    if route.query is not None:
        schema = TypeAdapter(route.query).json_schema(by_alias=True, ref_template=REF)
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    return params


def _operation(route: Route) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": route.summary,
        "operationId": route.endpoint.replace(".", "_"),
        "tags": list(route.tags),
        "parameters": _parameters(route),
        "responses": {},
    }
    if not route.access.public:
        op["security"] = [{"bearer": []}]
        who = list(route.access.roles) + [f"device:{d}" for d in route.access.devices]
        op["description"] = "Allowed: " + ", ".join(who)
    elif route.access.note:
        op["description"] = "No token: " + route.access.note
    if route.body is not None:
        op["requestBody"] = {
            "required": not route.optional_body,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=route.body.__name__)}}
            },
        }
    ok: dict[str, Any] = {"description": STATUS_TEXT.get(route.status, "OK")}
    if route.response is not None and route.status != 204:
        ok["content"] = {"application/json": {"schema": _response_schema(route.response)}}
    op["responses"][str(route.status)] = ok
    if route.status == 200 and route.endpoint.endswith("call_next"):
        op["responses"]["204"] = {"description": "Nobody waits"}
    if route.endpoint.endswith("issue_ticket"):
        op["responses"]["200"] = {
            "description": "Same key again: the ticket already issued for it",
            "content": {"application/json": {"schema": _response_schema(route.response)}},
        }
    if route.endpoint.endswith("create_rating"):
        op["responses"]["200"] = {
            "description": "Same key again: the first answer",
            "content": {"application/json": {"schema": _response_schema(route.response)}},
        }
    codes = set(route.errors) | {400, 413} if route.body is not None else set(route.errors)
    if route.query is not None:
        codes.add(400)
    if not route.access.public:
        codes |= {401, 403}
    codes.add(503)  # every operation needs the database (database_unavailable)
    for code in sorted(codes):
        op["responses"][str(code)] = {
            "description": STATUS_TEXT.get(code, "Error"),
            "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorOut")}}},
        }
    return op


def build_spec() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered endpoint."""
    _, defs = models_json_schema(
        [(m, "validation") for m in _models()], ref_template=REF, by_alias=True
    )
    paths: dict[str, dict[str, Any]] = {}
    for route in REGISTRY:
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", route.rule)
        paths.setdefault(path, {})[route.method] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "motcua hub API",
            "version": "1",
            "description": "Queue tickets, counters, ratings and statistics of a one-stop "
            'service centre. Errors are {"error": {"code", "message"}}.',
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/api/v1/openapi.json")
def openapi_json():  # noqa: ANN201 - Flask response
    if "spec" not in _cache:
        _cache["spec"] = build_spec()
    return jsonify(_cache["spec"])
