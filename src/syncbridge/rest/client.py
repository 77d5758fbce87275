"""REST and GraphQL clients over the shared HTTP stack (seed 003's REST/GraphQL/universal clients).

Both ride :func:`syncbridge.http.get_client`, so they share its pooled connections, rate
limiter, retry policy, circuit breaker, cache, auth and metrics. Answers are parsed JSON; every
failure is a typed exception, never a silent ``None`` (``None`` is returned only for an answer
that has no body, such as 204).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from syncbridge.http.auth import Auth
from syncbridge.http.client import HttpClient, get_client
from syncbridge.http.config import ClientConfig
from syncbridge.http.errors import ErrorMapper, ResponseFormatError
from syncbridge.http.metrics import MetricsHook
from syncbridge.http.ratelimit import Lane
from syncbridge.rest.endpoints import Endpoint, EndpointRegistry
from syncbridge.rest.errors import GraphQLError

__all__ = ["REST_CONFIG", "GraphQLClient", "RESTClient", "parse_json"]

REST_CONFIG = ClientConfig(rate=10.0, burst=10)
"""Defaults for generic APIs: 10 requests/s per credential and host, bursts of 10."""


def parse_json(response: httpx.Response) -> Any:
    """The JSON body; None when there is no body; ResponseFormatError when it is not JSON."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type")
        start = response.text[:120].strip()
        raise ResponseFormatError(
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"expected JSON, got {kind}: {start!r}",
            request=response.request,
            response=response,
        ) from None


def _config(config: ClientConfig, headers: Mapping[str, str] | None) -> ClientConfig:
    if not headers:
        return config
    merged = {**dict(config.headers), **headers}
    return config.with_(headers=tuple(sorted(merged.items())))


class RESTClient:
    """JSON over HTTP for one base URL, with named endpoints.

    Args:
        base_url: e.g. ``https://api.example.com``.
        auth: credentials (see :mod:`syncbridge.http.auth`).
        headers: default headers for every request.
        config: HTTP settings (default :data:`REST_CONFIG`).
        error_mapper: turns answers >= 400 into errors (default: by status).
        metrics: per-request metrics hook.
        endpoints: named endpoints (a new registry when omitted).
        http: an HttpClient to use instead of the shared one (tests).
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None = None,
        headers: Mapping[str, str] | None = None,
        config: ClientConfig = REST_CONFIG,
        error_mapper: ErrorMapper | None = None,
        metrics: MetricsHook | None = None,
        endpoints: EndpointRegistry | None = None,
        http: HttpClient | None = None,
    ) -> None:
        self.http = http or get_client(
            base_url,
            auth=auth,
            config=_config(config, headers),
            error_mapper=error_mapper,
            metrics=metrics,
        )
        self.endpoints = endpoints if endpoints is not None else EndpointRegistry()

    @property
    def base_url(self) -> str:
        """The base URL requests are relative to."""
        return self.http.base_url

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        safe: bool | None = None,
        lane: Lane = Lane.INTERACTIVE,
        cache_ttl: float | None = None,
        bypass_cache: bool = False,
        route: str | None = None,
    ) -> Any:
        """Send a request and return its parsed JSON body (see HttpClient.request)."""
        response = await self.http.request(
            method,
            path,
            route=route,
            params=params,
            json=json,
            headers=headers,
            safe=safe,
            lane=lane,
            cache_ttl=cache_ttl,
            bypass_cache=bypass_cache,
        )
        return parse_json(response)

    async def get(self, path: str, *, params: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        """GET ``path``; JSON answer."""
        return await self.request("GET", path, params=params, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        """POST ``json`` to ``path``; JSON answer."""
        return await self.request("POST", path, json=json, **kw)

    async def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        """PUT ``json`` to ``path``; JSON answer."""
        return await self.request("PUT", path, json=json, **kw)

    async def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        """PATCH ``json`` to ``path``; JSON answer."""
        return await self.request("PATCH", path, json=json, **kw)

    async def delete(self, path: str, **kw: Any) -> Any:
        """DELETE ``path``; JSON answer (None for an empty one)."""
        return await self.request("DELETE", path, **kw)

    def register_endpoint(self, endpoint: Endpoint, *, replace: bool = False) -> Endpoint:
        """Add a named endpoint to this client's registry."""
        return self.endpoints.register(endpoint, replace=replace)

    async def call(
        self,
        name: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        bypass_cache: bool = False,
        lane: Lane | None = None,
        **params: Any,
    ) -> Any:
        """Call a registered endpoint; ``params`` fill its path and query (checked first)."""
        built = self.endpoints.build(name, params)
        endpoint = built.endpoint
        return await self.request(
            endpoint.method,
            built.path,
            params=built.params or None,
            json=json,
            headers=headers,
            safe=endpoint.safe,
            lane=endpoint.lane if lane is None else lane,
            cache_ttl=endpoint.cache_ttl,
            bypass_cache=bypass_cache,
            route=endpoint.path,
        )

    async def aclose(self) -> None:
        """Close the pooled connections of this client's base URL and credential."""
        await self.http.aclose()


class GraphQLClient:
    """GraphQL over HTTP POST; ``errors`` in an answer raise :class:`GraphQLError`.

    Queries are marked safe (read-only, so 5xx and timeouts are retried); mutations are not.

    Args:
        url: the GraphQL endpoint, e.g. ``https://api.example.com/graphql``.
        auth, headers, config, error_mapper, metrics, http: as for :class:`RESTClient`.
    """

    def __init__(
        self,
        url: str,
        *,
        auth: Auth | None = None,
        headers: Mapping[str, str] | None = None,
        config: ClientConfig = REST_CONFIG,
        error_mapper: ErrorMapper | None = None,
        metrics: MetricsHook | None = None,
        http: HttpClient | None = None,
    ) -> None:
        parsed = httpx.URL(url)
        port = f":{parsed.port}" if parsed.port else ""
        origin = f"{parsed.scheme}://{parsed.host}{port}"
        self.path = parsed.raw_path.decode() or "/"
        self.rest = RESTClient(
            origin,
            auth=auth,
            headers=headers,
            config=config,
            error_mapper=error_mapper,
            metrics=metrics,
            http=http,
        )

    async def query(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        lane: Lane = Lane.INTERACTIVE,
    ) -> Any:
        """Run a query; its ``data``."""
        return await self._execute(query, variables, operation_name, safe=True, lane=lane)

    async def mutation(
        self,
        mutation: str,
        variables: Mapping[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        lane: Lane = Lane.PUSH,
    ) -> Any:
        """Run a mutation (never repeated after a 5xx or timeout); its ``data``."""
        return await self._execute(mutation, variables, operation_name, safe=False, lane=lane)

    async def _execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        *,
        safe: bool,
        lane: Lane,
    ) -> Any:
        body: dict[str, Any] = {"query": document}
        if variables:
            body["variables"] = dict(variables)
        if operation_name:
            body["operationName"] = operation_name
        response = await self.rest.http.request(
            "POST", self.path, json=body, safe=safe, lane=lane, route=self.path
        )
        answer = parse_json(response)
        if not isinstance(answer, dict) or not ("data" in answer or "errors" in answer):
            raise ResponseFormatError(
                f"POST {response.request.url}: not a GraphQL answer (no data or errors)",
                request=response.request,
                response=response,
            )
        if answer.get("errors"):
            errors = answer["errors"]
            raise GraphQLError(
                errors if isinstance(errors, list) else [errors],
                data=answer.get("data"),
                operation=operation_name,
                response=response,
            )
        return answer.get("data")

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self.rest.aclose()
