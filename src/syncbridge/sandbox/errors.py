"""Notion-style API errors raised inside the sandbox and rendered as Notion's error object.

NotionAPIError(status, code, message)
├── ValidationError        400 validation_error
├── InvalidRequestURL      400 invalid_request_url
├── InvalidRequest         400 invalid_request
├── InvalidJSON            400 invalid_json
├── MissingVersion         400 missing_version
├── Unauthorized           401 unauthorized
├── RestrictedResource     403 restricted_resource
├── ObjectNotFound         404 object_not_found
├── ConflictError          409 conflict_error
├── RateLimited            429 rate_limited
└── InternalServerError    500 internal_server_error
"""

from __future__ import annotations

from typing import Any


class NotionAPIError(Exception):
    """An error the sandbox answers with, as ``{object: "error", status, code, message}``."""

    status: int = 500
    code: str = "internal_server_error"

    def __init__(self, message: str, *, additional_data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.additional_data = additional_data

    def body(self, request_id: str) -> dict[str, Any]:
        """The JSON error object Notion sends."""
        out: dict[str, Any] = {
            "object": "error",
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": request_id,
        }
        if self.additional_data is not None:
            out["additional_data"] = self.additional_data
        return out


class ValidationError(NotionAPIError):
    status, code = 400, "validation_error"


class InvalidRequestURL(NotionAPIError):
    status, code = 400, "invalid_request_url"


class InvalidRequest(NotionAPIError):
    status, code = 400, "invalid_request"


class InvalidJSON(NotionAPIError):
    status, code = 400, "invalid_json"


class MissingVersion(NotionAPIError):
    status, code = 400, "missing_version"


class Unauthorized(NotionAPIError):
    status, code = 401, "unauthorized"


class RestrictedResource(NotionAPIError):
    status, code = 403, "restricted_resource"


class ObjectNotFound(NotionAPIError):
    status, code = 404, "object_not_found"


class ConflictError(NotionAPIError):
    status, code = 409, "conflict_error"


class RateLimited(NotionAPIError):
    status, code = 429, "rate_limited"


class InternalServerError(NotionAPIError):
    status, code = 500, "internal_server_error"
