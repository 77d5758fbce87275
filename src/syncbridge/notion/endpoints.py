"""The endpoint namespaces of :class:`~syncbridge.notion.client.NotionClient`.

Names and keyword arguments follow the official SDK (``notion_client.api_endpoints``), so code
moves over by changing one import: ``client.pages.update(page_id=…, properties=…)``. Every
method also takes ``lane=`` (rate-limit priority) and GETs take ``cache=False`` to skip the
response cache. Keyword arguments other than path ids become the JSON body (POST/PATCH) or
the query string (GET); Notion validates them, so a misspelt key fails loudly instead of being
dropped.

Which requests are repeated after a 5xx or a timeout (``safe``): every GET, the read-only POSTs
(queries, search), and a PATCH that only sets a page's properties, icon, cover or trash flag.
Creates, appends, deletes and schema updates are never blindly repeated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from syncbridge.http.ratelimit import Lane

if TYPE_CHECKING:
    from syncbridge.notion.client import NotionClient

__all__ = [
    "BlocksChildrenEndpoint",
    "BlocksEndpoint",
    "CommentsEndpoint",
    "CustomEmojisEndpoint",
    "DataSourcesEndpoint",
    "DatabasesEndpoint",
    "FileUploadsEndpoint",
    "PagesEndpoint",
    "PagesPropertiesEndpoint",
    "UsersEndpoint",
    "ViewsEndpoint",
    "ViewsQueriesEndpoint",
]

Json = dict[str, Any]
INTERACTIVE = Lane.INTERACTIVE

# Setting these is idempotent: sending the same PATCH twice leaves the page as sending it once.
_IDEMPOTENT_PAGE_KEYS = frozenset(
    {"properties", "icon", "cover", "in_trash", "archived", "is_locked"}
)


def path_id(name: str, value: object) -> str:
    """Check an id that goes into a URL path; bad ones fail here, naming the argument."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if any(ch in value for ch in "/?#") or any(ch.isspace() for ch in value):
        raise ValueError(f"{name} is not a Notion id: {value!r}")
    return value


class Endpoint:
    """A namespace of calls bound to one client."""

    def __init__(self, client: NotionClient) -> None:
        self._client = client


class UsersEndpoint(Endpoint):
    """``/v1/users``."""

    async def me(self, *, lane: Lane = INTERACTIVE, cache: bool = True) -> Json:
        """The bot user of the token."""
        return await self._client.request("GET", "users/me", lane=lane, cache=cache)

    async def list(self, *, lane: Lane = INTERACTIVE, cache: bool = True, **query: Any) -> Json:
        """One page of workspace users (``start_cursor``, ``page_size``)."""
        return await self._client.request("GET", "users", query=query, lane=lane, cache=cache)

    async def retrieve(self, user_id: str, *, lane: Lane = INTERACTIVE, cache: bool = True) -> Json:
        """One user."""
        path = f"users/{path_id('user_id', user_id)}"
        return await self._client.request("GET", path, lane=lane, cache=cache)


class DatabasesEndpoint(Endpoint):
    """``/v1/databases``: containers of data sources (the tables themselves under 2022-06-28)."""

    async def create(self, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Create a database (``parent``, ``title``, ``initial_data_source`` …)."""
        return await self._client.request("POST", "databases", body=body, lane=lane)

    async def retrieve(
        self, database_id: str, *, lane: Lane = INTERACTIVE, cache: bool = True
    ) -> Json:
        """A database; under 2025-09-03 it lists its ``data_sources``."""
        path = f"databases/{path_id('database_id', database_id)}"
        return await self._client.request("GET", path, lane=lane, cache=cache, kind="schema")

    async def update(self, database_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Update title, description, icon, cover, parent, ``in_trash`` (and schema pre-2025)."""
        path = f"databases/{path_id('database_id', database_id)}"
        return await self._client.request("PATCH", path, body=body, lane=lane)

    async def query(self, database_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Query rows through the database (API version 2022-06-28)."""
        path = f"databases/{path_id('database_id', database_id)}/query"
        return await self._client.query("POST", path, body=body, lane=lane)


class DataSourcesEndpoint(Endpoint):
    """``/v1/data_sources``: the tables of a database (API version 2025-09-03)."""

    async def create(self, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Add a data source to a database (``parent``, ``properties``, ``title``)."""
        return await self._client.request("POST", "data_sources", body=body, lane=lane)

    async def retrieve(
        self, data_source_id: str, *, lane: Lane = INTERACTIVE, cache: bool = True
    ) -> Json:
        """A data source with its schema (``properties``)."""
        path = f"data_sources/{path_id('data_source_id', data_source_id)}"
        return await self._client.request("GET", path, lane=lane, cache=cache, kind="schema")

    async def update(self, data_source_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Change the schema (``properties``; ``None`` removes one), title, icon, trash."""
        path = f"data_sources/{path_id('data_source_id', data_source_id)}"
        return await self._client.request("PATCH", path, body=body, lane=lane)

    async def query(self, data_source_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """One page of rows (``filter``, ``sorts``, ``start_cursor``, ``page_size`` …)."""
        path = f"data_sources/{path_id('data_source_id', data_source_id)}/query"
        return await self._client.query("POST", path, body=body, lane=lane)

    async def list_templates(
        self, data_source_id: str, *, lane: Lane = INTERACTIVE, cache: bool = True, **query: Any
    ) -> Json:
        """Page templates of a data source."""
        path = f"data_sources/{path_id('data_source_id', data_source_id)}/templates"
        return await self._client.request("GET", path, query=query, lane=lane, cache=cache)


class PagesPropertiesEndpoint(Endpoint):
    """``/v1/pages/{id}/properties/{property_id}``."""

    async def retrieve(
        self,
        page_id: str,
        property_id: str,
        *,
        lane: Lane = INTERACTIVE,
        cache: bool = False,
        **query: Any,
    ) -> Json:
        """One property's value as property items (paginated for long relations and text).

        Not cached by default: a page write cannot evict every property item of the page.
        """
        path = (
            f"pages/{path_id('page_id', page_id)}/properties/{path_id('property_id', property_id)}"
        )
        return await self._client.request(
            "GET", path, query=query, lane=lane, cache=cache, kind="page"
        )


class PagesEndpoint(Endpoint):
    """``/v1/pages``."""

    def __init__(self, client: NotionClient) -> None:
        super().__init__(client)
        self.properties = PagesPropertiesEndpoint(client)

    async def create(self, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Create a page (never repeated blindly: Notion has no idempotency key)."""
        return await self._client.request("POST", "pages", body=body, lane=lane)

    async def retrieve(
        self, page_id: str, *, lane: Lane = INTERACTIVE, cache: bool = True, **query: Any
    ) -> Json:
        """A page with its properties (``filter_properties`` trims them)."""
        path = f"pages/{path_id('page_id', page_id)}"
        return await self._client.request(
            "GET", path, query=query, lane=lane, cache=cache, kind="page"
        )

    async def update(self, page_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Set properties, icon, cover, ``in_trash``; repeated after a 5xx when only those."""
        path = f"pages/{path_id('page_id', page_id)}"
        safe = bool(body) and set(body) <= _IDEMPOTENT_PAGE_KEYS
        return await self._client.request("PATCH", path, body=body, lane=lane, safe=safe)

    async def move(self, page_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Move a page to a new ``parent``."""
        path = f"pages/{path_id('page_id', page_id)}/move"
        return await self._client.request("POST", path, body=body, lane=lane)

    async def retrieve_markdown(
        self, page_id: str, *, lane: Lane = INTERACTIVE, cache: bool = True, **query: Any
    ) -> Json:
        """A page's content as Markdown."""
        path = f"pages/{path_id('page_id', page_id)}/markdown"
        return await self._client.request(
            "GET", path, query=query, lane=lane, cache=cache, kind="page"
        )

    async def update_markdown(self, page_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Change a page's content as Markdown (large writes may answer an ``async_task``)."""
        path = f"pages/{path_id('page_id', page_id)}/markdown"
        return await self._client.request("PATCH", path, body=body, lane=lane)


class BlocksChildrenEndpoint(Endpoint):
    """``/v1/blocks/{id}/children``."""

    async def list(
        self, block_id: str, *, lane: Lane = INTERACTIVE, cache: bool = True, **query: Any
    ) -> Json:
        """One page of a block's children (``start_cursor``, ``page_size``)."""
        path = f"blocks/{path_id('block_id', block_id)}/children"
        return await self._client.request("GET", path, query=query, lane=lane, cache=cache)

    async def append(self, block_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Append ≤ 100 ``children`` (see ``blocks.append_blocks`` for more); never repeated."""
        path = f"blocks/{path_id('block_id', block_id)}/children"
        return await self._client.request("PATCH", path, body=body, lane=lane)


class BlocksEndpoint(Endpoint):
    """``/v1/blocks``."""

    def __init__(self, client: NotionClient) -> None:
        super().__init__(client)
        self.children = BlocksChildrenEndpoint(client)

    async def retrieve(
        self, block_id: str, *, lane: Lane = INTERACTIVE, cache: bool = True
    ) -> Json:
        """One block."""
        path = f"blocks/{path_id('block_id', block_id)}"
        return await self._client.request("GET", path, lane=lane, cache=cache)

    async def update(self, block_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Change a block's content (body keyed by its type) or ``in_trash``."""
        path = f"blocks/{path_id('block_id', block_id)}"
        return await self._client.request("PATCH", path, body=body, lane=lane)

    async def delete(self, block_id: str, *, lane: Lane = INTERACTIVE) -> Json:
        """Move a block (or page) to the trash."""
        path = f"blocks/{path_id('block_id', block_id)}"
        return await self._client.request("DELETE", path, lane=lane)


class CommentsEndpoint(Endpoint):
    """``/v1/comments``."""

    async def create(self, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Comment on a page (``parent``) or in a discussion (``discussion_id``)."""
        return await self._client.request("POST", "comments", body=body, lane=lane)

    async def list(self, *, lane: Lane = INTERACTIVE, cache: bool = True, **query: Any) -> Json:
        """Open comments of a block or page (``block_id``, ``start_cursor``, ``page_size``)."""
        return await self._client.request("GET", "comments", query=query, lane=lane, cache=cache)

    async def retrieve(
        self, comment_id: str, *, lane: Lane = INTERACTIVE, cache: bool = True
    ) -> Json:
        """One comment."""
        path = f"comments/{path_id('comment_id', comment_id)}"
        return await self._client.request("GET", path, lane=lane, cache=cache)

    async def update(self, comment_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Edit a comment."""
        path = f"comments/{path_id('comment_id', comment_id)}"
        return await self._client.request("PATCH", path, body=body, lane=lane)

    async def delete(self, comment_id: str, *, lane: Lane = INTERACTIVE) -> Json:
        """Delete a comment."""
        path = f"comments/{path_id('comment_id', comment_id)}"
        return await self._client.request("DELETE", path, lane=lane)


class ViewsQueriesEndpoint(Endpoint):
    """``/v1/views/{id}/queries``."""

    async def create(self, view_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Run a view's query; results are read with ``results``."""
        path = f"views/{path_id('view_id', view_id)}/queries"
        return await self._client.request("POST", path, body=body, lane=lane)

    async def results(
        self, view_id: str, query_id: str, *, lane: Lane = INTERACTIVE, **query: Any
    ) -> Json:
        """One page of a view query's results."""
        path = f"views/{path_id('view_id', view_id)}/queries/{path_id('query_id', query_id)}"
        return await self._client.request("GET", path, query=query, lane=lane, cache=False)

    async def delete(self, view_id: str, query_id: str, *, lane: Lane = INTERACTIVE) -> Json:
        """Drop a view query."""
        path = f"views/{path_id('view_id', view_id)}/queries/{path_id('query_id', query_id)}"
        return await self._client.request("DELETE", path, lane=lane)


class ViewsEndpoint(Endpoint):
    """``/v1/views``."""

    def __init__(self, client: NotionClient) -> None:
        super().__init__(client)
        self.queries = ViewsQueriesEndpoint(client)

    async def create(self, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Create a view of a data source."""
        return await self._client.request("POST", "views", body=body, lane=lane)

    async def retrieve(self, view_id: str, *, lane: Lane = INTERACTIVE, cache: bool = True) -> Json:
        """One view."""
        path = f"views/{path_id('view_id', view_id)}"
        return await self._client.request("GET", path, lane=lane, cache=cache, kind="schema")

    async def update(self, view_id: str, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Change a view's name, filter, sorts or configuration."""
        path = f"views/{path_id('view_id', view_id)}"
        return await self._client.request("PATCH", path, body=body, lane=lane)

    async def delete(self, view_id: str, *, lane: Lane = INTERACTIVE) -> Json:
        """Delete a view."""
        path = f"views/{path_id('view_id', view_id)}"
        return await self._client.request("DELETE", path, lane=lane)

    async def list(self, *, lane: Lane = INTERACTIVE, cache: bool = True, **query: Any) -> Json:
        """Views of a database or data source."""
        return await self._client.request("GET", "views", query=query, lane=lane, cache=cache)


class FileUploadsEndpoint(Endpoint):
    """``/v1/file_uploads`` (without ``send``: multipart bodies are not supported here)."""

    async def create(self, *, lane: Lane = INTERACTIVE, **body: Any) -> Json:
        """Start an upload (``mode``, ``filename``, ``external_url`` …)."""
        return await self._client.request("POST", "file_uploads", body=body, lane=lane)

    async def complete(self, file_upload_id: str, *, lane: Lane = INTERACTIVE) -> Json:
        """Finish a multi-part upload."""
        path = f"file_uploads/{path_id('file_upload_id', file_upload_id)}/complete"
        return await self._client.request("POST", path, lane=lane)

    async def retrieve(
        self, file_upload_id: str, *, lane: Lane = INTERACTIVE, cache: bool = False
    ) -> Json:
        """One upload and its status (not cached by default: the status changes)."""
        path = f"file_uploads/{path_id('file_upload_id', file_upload_id)}"
        return await self._client.request("GET", path, lane=lane, cache=cache)

    async def list(self, *, lane: Lane = INTERACTIVE, cache: bool = False, **query: Any) -> Json:
        """Uploads (``status``, ``start_cursor``, ``page_size``)."""
        return await self._client.request(
            "GET", "file_uploads", query=query, lane=lane, cache=cache
        )


class CustomEmojisEndpoint(Endpoint):
    """``/v1/custom_emojis``."""

    async def list(self, *, lane: Lane = INTERACTIVE, cache: bool = True, **query: Any) -> Json:
        """The workspace's custom emojis."""
        return await self._client.request(
            "GET", "custom_emojis", query=query, lane=lane, cache=cache
        )
