"""Named endpoints (seed 003's API registry): defined once, called by name with checked params.

An :class:`Endpoint` has a method, a path template with ``{params}``, the query parameters it
accepts (and which of them are required), a cache lifetime, a ``safe`` flag for the retry policy
and a rate limiter lane. :meth:`EndpointRegistry.build` turns a call's keyword arguments into a
path and query, rejecting missing and unknown parameters with an error naming both the endpoint
and the parameter.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from syncbridge.http.ratelimit import Lane
from syncbridge.rest.errors import EndpointError

__all__ = ["BuiltRequest", "Endpoint", "EndpointRegistry"]

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class BuiltRequest:
    """What calling an endpoint sends: method, concrete path, query and request options."""

    endpoint: Endpoint
    path: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Endpoint:
    """One named API operation.

    Attributes:
        name: the name it is called by.
        method: HTTP method.
        path: path template, e.g. ``/posts/{post_id}/comments``.
        query: query parameters it accepts.
        required: those of ``query`` that must be given.
        cache_ttl: seconds a GET answer is cached (None: not cached).
        safe: whether repeating it is harmless (None: GET/HEAD/OPTIONS are, the rest not).
        lane: rate limiter priority.
        description: free text for listings.
    """

    name: str
    method: str = "GET"
    path: str = "/"
    query: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    cache_ttl: float | None = None
    safe: bool | None = None
    lane: Lane = Lane.INTERACTIVE
    description: str = ""
    path_params: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        where = f"endpoint {self.name!r}"
        if not self.name:
            raise EndpointError("an endpoint needs a name")
        method = self.method.upper()
        if method not in _METHODS:
            raise EndpointError(f"{where}: unknown HTTP method {self.method!r}")
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "query", tuple(self.query))
        object.__setattr__(self, "required", tuple(self.required))
        if "{" in _PLACEHOLDER.sub("", self.path) or "}" in _PLACEHOLDER.sub("", self.path):
            raise EndpointError(f"{where}: unbalanced brace in path {self.path!r}")
        names = _PLACEHOLDER.findall(self.path)
        for name in names:
            if not _IDENTIFIER.match(name):
                raise EndpointError(f"{where}: path parameter {{{name}}} is not a valid name")
        if len(set(names)) != len(names):
            raise EndpointError(f"{where}: a path parameter appears twice in {self.path!r}")
        clash = set(names) & set(self.query)
        if clash:
            raise EndpointError(f"{where}: {sorted(clash)} both path and query parameters")
        stray = set(self.required) - set(self.query)
        if stray:
            raise EndpointError(f"{where}: required {sorted(stray)} not among query {self.query}")
        object.__setattr__(self, "path_params", tuple(names))

    @property
    def accepts(self) -> tuple[str, ...]:
        """Every parameter name a call may pass."""
        return self.path_params + self.query

    def build(self, params: Mapping[str, Any]) -> BuiltRequest:
        """Fill the template; raise EndpointError for unknown or missing parameters."""
        where = f"endpoint {self.name!r}"
        unknown = sorted(set(params) - set(self.accepts))
        if unknown:
            accepts = ", ".join(self.accepts) or "no parameters"
            raise EndpointError(
                f"{where}: unknown parameter(s) {', '.join(unknown)} (accepts: {accepts})"
            )
        missing = [p for p in (*self.path_params, *self.required) if params.get(p) is None]
        if missing:
            raise EndpointError(f"{where}: missing parameter(s) {', '.join(missing)}")
        path = _PLACEHOLDER.sub(lambda m: quote(str(params[m.group(1)]), safe=""), self.path)
        query = {k: params[k] for k in self.query if params.get(k) is not None}
        return BuiltRequest(self, path, query)


class EndpointRegistry:
    """Endpoints by name."""

    def __init__(self, endpoints: list[Endpoint] | tuple[Endpoint, ...] = ()) -> None:
        self._endpoints: dict[str, Endpoint] = {}
        for endpoint in endpoints:
            self.register(endpoint)

    def register(self, endpoint: Endpoint, *, replace: bool = False) -> Endpoint:
        """Add an endpoint; a second one of the same name is an error unless ``replace``."""
        if endpoint.name in self._endpoints and not replace:
            raise EndpointError(f"endpoint {endpoint.name!r} is already registered")
        self._endpoints[endpoint.name] = endpoint
        return endpoint

    def add(self, name: str, method: str = "GET", path: str = "/", **options: Any) -> Endpoint:
        """Define and register an endpoint in one call."""
        return self.register(Endpoint(name, method, path, **options))

    def unregister(self, name: str) -> None:
        """Remove an endpoint (EndpointError if unknown)."""
        self.get(name)
        del self._endpoints[name]

    def get(self, name: str) -> Endpoint:
        """The endpoint called ``name``; the error suggests close names."""
        try:
            return self._endpoints[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self._endpoints), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            known = ", ".join(sorted(self._endpoints)) or "none"
            raise EndpointError(f"unknown endpoint {name!r}{hint} (registered: {known})") from None

    def build(self, name: str, params: Mapping[str, Any]) -> BuiltRequest:
        """The request for calling ``name`` with ``params``."""
        return self.get(name).build(params)

    def __contains__(self, name: object) -> bool:
        return name in self._endpoints

    def __iter__(self) -> Iterator[Endpoint]:
        return iter(list(self._endpoints.values()))

    def __len__(self) -> int:
        return len(self._endpoints)
