"""syncbridge.rest: REST and GraphQL clients and named endpoints over the shared HTTP stack."""

from __future__ import annotations

from syncbridge.rest.client import REST_CONFIG, GraphQLClient, RESTClient, parse_json
from syncbridge.rest.endpoints import BuiltRequest, Endpoint, EndpointRegistry
from syncbridge.rest.errors import EndpointError, GraphQLError

__all__ = [
    "REST_CONFIG",
    "BuiltRequest",
    "Endpoint",
    "EndpointError",
    "EndpointRegistry",
    "GraphQLClient",
    "GraphQLError",
    "RESTClient",
    "parse_json",
]
