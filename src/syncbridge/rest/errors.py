"""Errors of the REST/GraphQL layer (on top of :mod:`syncbridge.http.errors`).

::

    ValueError
    └── EndpointError        an endpoint is defined or called wrongly (unknown name, bad params)
    HTTPError                (syncbridge.http.errors: transport, status, circuit, format errors)
    └── GraphQLError         a GraphQL answer carried ``errors``; ``.errors`` and partial ``.data``
"""

from __future__ import annotations

from typing import Any

import httpx

from syncbridge.http.errors import HTTPError

__all__ = ["EndpointError", "GraphQLError"]


class EndpointError(ValueError):
    """An endpoint definition or call is invalid; the message names the endpoint and parameter."""


class GraphQLError(HTTPError):
    """The server answered a GraphQL operation with ``errors`` (terminal: same query, same errors).

    Attributes:
        errors: the ``errors`` list as sent.
        data: the partial ``data`` sent alongside, if any.
    """

    def __init__(
        self,
        errors: list[Any],
        *,
        data: Any = None,
        operation: str | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        messages = "; ".join(
            str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors[:5]
        )
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        name = f"GraphQL operation {operation!r}" if operation else "GraphQL operation"
        super().__init__(
            f"{name} failed: {messages}{more}",
            request=response.request if response is not None else None,
            response=response,
        )
        self.errors = errors
        self.data = data
