"""Declaring an endpoint once: its route, who may call it, what it takes and returns.

:func:`endpoint` registers a Flask view that authenticates, validates the
body and query with pydantic, and records the same models for the OpenAPI
description, so the description cannot drift from the behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel, ValidationError

from hub import errors, jsonio
from hub.accounts import Actor
from hub.context import current_hub
from hub.responses import has_nul


@dataclass(frozen=True)
class Access:
    """Who may call an endpoint.

    ``public`` endpoints need no token (some are capability URLs: knowing a
    ticket's long random id is the permission). Otherwise the bearer must be a
    user with one of ``roles`` or a device of one of ``devices``.
    """

    roles: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    public: bool = False
    note: str = ""


PUBLIC = Access(public=True)


@dataclass
class Route:
    """One documented endpoint."""

    rule: str
    method: str
    summary: str
    access: Access
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    errors: tuple[int, ...]
    tags: tuple[str, ...]
    endpoint: str = ""
    optional_body: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


REGISTRY: list[Route] = []


def _resolve_actor() -> Actor | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized(
            "Tiêu đề Authorization phải có dạng 'Bearer TOKEN'", code="bad_authorization"
        )
    actor = current_hub().tokens.resolve(token.strip())
    if actor is None:
        raise errors.Unauthorized("Mã đăng nhập không hợp lệ hoặc đã hết hạn", code="bad_token")
    return actor


def authorize(access: Access) -> Actor | None:
    """Check the bearer token against ``access``; returns the actor (or None if public)."""
    actor = _resolve_actor()
    if actor is not None:
        actor = replace(actor, address=(request.remote_addr or "unknown")[:64])
    if access.public:
        return actor
    if actor is None:
        raise errors.Unauthorized()
    allowed = (actor.kind == "user" and actor.role in access.roles) or (
        actor.kind == "device" and actor.role in access.devices
    )
    if not allowed:
        raise errors.Forbidden()
    return actor


def _validation_message(err: ValidationError, where: str) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or where
    kind = first["type"]
    if kind == "missing":
        text = "thiếu trường bắt buộc"
    elif kind in ("extra_forbidden", "unexpected_keyword_argument"):
        text = "trường không được hỗ trợ"
    elif kind == "json_invalid":
        text = "JSON không hợp lệ"
    else:
        text = first["msg"]
    more = f" (và {len(err.errors()) - 1} lỗi khác)" if len(err.errors()) > 1 else ""
    return f"{loc}: {text}{more}"


def parse_body(model: type[BaseModel]) -> BaseModel:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise errors.BadRequest("Thiếu nội dung JSON", code="invalid_json")
    mimetype = request.mimetype or ""
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise errors.BadRequest("Nội dung phải là application/json", code="invalid_json")
    try:
        decoded = jsonio.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise errors.BadRequest("Nội dung không phải JSON hợp lệ", code="invalid_json") from None
    if has_nul(decoded):
        raise errors.BadRequest("Nội dung có ký tự NUL", code="invalid_body")
    try:
        return model.model_validate_json(raw)
    except ValidationError as err:
        raise errors.BadRequest(_validation_message(err, "body"), code="invalid_body") from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        if len(values) > 1:
            raise errors.BadRequest(f"{key}: chỉ được truyền một lần", code="invalid_query")
        data[key] = values[0]
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise errors.BadRequest(_validation_message(err, "query"), code="invalid_query") from None


def endpoint(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    access: Access,
    body: type[BaseModel] | None = None,
    optional_body: bool = False,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    errors_: tuple[int, ...] = (),
    tags: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a JSON endpoint on ``bp`` and in the OpenAPI registry.

    The view receives ``actor``, and ``body`` / ``query`` (validated models)
    when declared, plus the URL's variables. With ``optional_body``, a request
    without a body gets the body model's defaults.
    """

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def view(**kwargs: Any) -> Any:
            actor = authorize(access)
            g.actor = actor
            if body is not None:
                empty = optional_body and not request.get_data(cache=True).strip()
                kwargs["body"] = body() if empty else parse_body(body)
            if query is not None:
                kwargs["query"] = parse_query(query)
            result = fn(actor=actor, **kwargs)
            if isinstance(result, Response):
                return result
            if result is None:
                return Response(status=204 if status in (200, 204) else status)
            return jsonify(result), status

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        REGISTRY.append(
            Route(
                rule=(bp.url_prefix or "") + rule,
                method=method.lower(),
                summary=summary,
                access=access,
                body=body,
                query=query,
                response=response,
                status=status,
                errors=errors_,
                tags=tags or (bp.name,),
                endpoint=f"{bp.name}.{fn.__name__}",
                optional_body=optional_body,
            )
        )
        return view

    return decorate
