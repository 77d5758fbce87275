"""The ``/v1`` routes: thin adapters from HTTP to ``Workspace`` methods."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from syncbridge.sandbox import versions
from syncbridge.sandbox.errors import (
    InvalidJSON,
    InvalidRequest,
    InvalidRequestURL,
    MissingVersion,
    Unauthorized,
    ValidationError,
)
from syncbridge.sandbox.ids import new_id
from syncbridge.sandbox.workspace import Workspace

MAX_BODY_BYTES = 500 * 1024
JSON = dict[str, Any]


def request_id(request: Request) -> str:
    """The request's id (assigned by the middleware, else here)."""
    rid = getattr(request.state, "request_id", None)
    if not isinstance(rid, str):
        rid = new_id()
        request.state.request_id = rid
    return rid


def _guard(request: Request) -> tuple[Workspace, str]:
    """Auth and Notion-Version (repeated here so the routes stand even without middleware)."""
    tokens: tuple[str, ...] = request.app.state.config.tokens
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer ") or auth[7:] not in tokens:
        raise Unauthorized("API token is invalid.")
    version = getattr(request.state, "notion_version", None) or request.headers.get(
        "notion-version"
    )
    if not version:
        raise MissingVersion(
            "Notion-Version header failed validation: Notion-Version header should be defined, "
            "instead was `undefined`."
        )
    return request.app.state.workspace, versions.check(version)


async def _body(request: Request) -> JSON:
    try:
        raw = await request.body()
    except ClientDisconnect:
        # The client went away mid-request (e.g. a killed worker): answered, nobody reads it.
        raise InvalidRequest("The client disconnected before sending the whole body.") from None
    if len(raw) > MAX_BODY_BYTES:
        raise ValidationError(
            f"Request body too large: {len(raw)} bytes; "
            f"the limit is {MAX_BODY_BYTES} bytes (500 KB)."
        )
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidJSON("Error parsing JSON body.") from None
    if not isinstance(data, dict):
        raise ValidationError("body failed validation: body should be an object.")
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def answer(request: Request, payload: JSON, *, wrote: bool = False) -> JSONResponse:
    """The JSON answer with ``request_id`` and the ``x-notion-request-id`` header."""
    rid = request_id(request)
    if wrote:
        request.app.state.workspace.flush()
    return JSONResponse({**payload, "request_id": rid}, headers={"x-notion-request-id": rid})


def _filter_properties(request: Request) -> list[str] | None:
    values = request.query_params.getlist("filter_properties") + request.query_params.getlist(
        "filter_properties[]"
    )
    return values or None


router = APIRouter(prefix="/v1")


@router.get("/users/me")
async def users_me(request: Request) -> JSONResponse:
    ws, _ = _guard(request)
    return answer(request, ws.me())


@router.get("/users")
async def users_list(request: Request) -> JSONResponse:
    ws, version = _guard(request)
    q = request.query_params
    return answer(request, ws.list_users(q.get("start_cursor"), q.get("page_size"), version))


@router.get("/users/{user_id}")
async def users_retrieve(request: Request, user_id: str) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.retrieve_user(user_id, version))


@router.post("/databases")
async def databases_create(request: Request) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.create_database(await _body(request), version), wrote=True)


@router.get("/databases/{database_id}")
async def databases_retrieve(request: Request, database_id: str) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.retrieve_database(database_id, version))


@router.patch("/databases/{database_id}")
async def databases_update(request: Request, database_id: str) -> JSONResponse:
    ws, version = _guard(request)
    return answer(
        request, ws.update_database(database_id, await _body(request), version), wrote=True
    )


@router.post("/databases/{database_id}/query")
async def databases_query(request: Request, database_id: str) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.query_database(database_id, await _body(request), version))


@router.post("/data_sources")
async def data_sources_create(request: Request) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.create_data_source(await _body(request), version), wrote=True)


@router.get("/data_sources/{data_source_id}")
async def data_sources_retrieve(request: Request, data_source_id: str) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.retrieve_data_source(data_source_id, version))


@router.patch("/data_sources/{data_source_id}")
async def data_sources_update(request: Request, data_source_id: str) -> JSONResponse:
    ws, version = _guard(request)
    body = await _body(request)
    return answer(request, ws.update_data_source(data_source_id, body, version), wrote=True)


@router.get("/data_sources/{data_source_id}/templates")
async def data_sources_templates(request: Request, data_source_id: str) -> JSONResponse:
    ws, _ = _guard(request)
    rid = request_id(request)
    # Recorded answers of this endpoint carry no request_id in the body.
    return JSONResponse(ws.list_templates(data_source_id), headers={"x-notion-request-id": rid})


@router.post("/data_sources/{data_source_id}/query")
async def data_sources_query(request: Request, data_source_id: str) -> Response:
    ws, version = _guard(request)
    body = await _body(request)
    rid = request_id(request)
    data = ws.query_json(
        data_source_id, body, version, filter_properties=_filter_properties(request), request_id=rid
    )
    return Response(data, media_type="application/json", headers={"x-notion-request-id": rid})


@router.post("/pages")
async def pages_create(request: Request) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.create_page(await _body(request), version), wrote=True)


@router.get("/pages/{page_id}")
async def pages_retrieve(request: Request, page_id: str) -> JSONResponse:
    ws, version = _guard(request)
    page = ws.retrieve_page(page_id, version, filter_properties=_filter_properties(request))
    return answer(request, page)


@router.patch("/pages/{page_id}")
async def pages_update(request: Request, page_id: str) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.update_page(page_id, await _body(request), version), wrote=True)


@router.post("/pages/{page_id}/move")
async def pages_move(request: Request, page_id: str) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.move_page(page_id, await _body(request), version), wrote=True)


@router.get("/pages/{page_id}/properties/{property_id:path}")
async def pages_property(request: Request, page_id: str, property_id: str) -> JSONResponse:
    ws, version = _guard(request)
    q = request.query_params
    item = ws.retrieve_page_property(
        page_id, property_id, q.get("start_cursor"), q.get("page_size"), version
    )
    return answer(request, item)


@router.get("/blocks/{block_id}")
async def blocks_retrieve(request: Request, block_id: str) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.retrieve_block(block_id, version))


@router.patch("/blocks/{block_id}")
async def blocks_update(request: Request, block_id: str) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.update_block(block_id, await _body(request), version), wrote=True)


@router.delete("/blocks/{block_id}")
async def blocks_delete(request: Request, block_id: str) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.delete_block(block_id, version), wrote=True)


@router.get("/blocks/{block_id}/children")
async def blocks_children_list(request: Request, block_id: str) -> JSONResponse:
    ws, version = _guard(request)
    q = request.query_params
    result = ws.list_children(block_id, q.get("start_cursor"), q.get("page_size"), version)
    return answer(request, result)


@router.patch("/blocks/{block_id}/children")
async def blocks_children_append(request: Request, block_id: str) -> JSONResponse:
    ws, version = _guard(request)
    body = await _body(request)
    return answer(request, ws.append_children(block_id, body, version), wrote=True)


@router.post("/search")
async def search(request: Request) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.search(await _body(request), version))


@router.post("/comments")
async def comments_create(request: Request) -> JSONResponse:
    ws, version = _guard(request)
    return answer(request, ws.create_comment(await _body(request), version), wrote=True)


@router.get("/comments")
async def comments_list(request: Request) -> JSONResponse:
    ws, _ = _guard(request)
    q = request.query_params
    result = ws.list_comments(q.get("block_id"), q.get("start_cursor"), q.get("page_size"))
    return answer(request, result)


@router.get("/comments/{comment_id}")
async def comments_retrieve(request: Request, comment_id: str) -> JSONResponse:
    ws, _ = _guard(request)
    return answer(request, ws.retrieve_comment(comment_id))


@router.api_route(
    "/{path:path}",
    methods=["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"],
    include_in_schema=False,  # a catch-all, not an endpoint (and one operation id per method)
)
async def unknown_route(request: Request, path: str) -> JSONResponse:
    _guard(request)
    raise InvalidRequestURL("Invalid request URL.")
