"""The sandbox's property model: schemas, page values, computed values (public entry points).

All functions are pure functions on plain dicts in Notion's response shapes; they raise
:class:`syncbridge.sandbox.errors.ValidationError` with Notion-style messages naming the path.
The implementation lives in ``props_schema`` (configurations), ``props_values`` (writes) and
``props_computed`` (formulas, rollups, timestamps, property items).
"""

from __future__ import annotations

from syncbridge.sandbox.props_computed import (
    property_item,
    python_value,
    recompute,
    response_properties,
)
from syncbridge.sandbox.props_context import PropertyContext
from syncbridge.sandbox.props_relations import (
    apply_backlink,
    dual_relation_edits,
    related_data_sources,
    sync_dual_relations,
)
from syncbridge.sandbox.props_schema import create_schema, find, update_schema
from syncbridge.sandbox.props_values import (
    READ_ONLY,
    convert_value,
    empty_value,
    new_page_properties,
    schema_with_new_options,
    update_page_properties,
)
from syncbridge.sandbox.query import filter_pages, sort_pages
from syncbridge.sandbox.rich_text import normalize_rich_text

__all__ = [
    "READ_ONLY",
    "PropertyContext",
    "apply_backlink",
    "convert_value",
    "create_schema",
    "dual_relation_edits",
    "empty_value",
    "filter_pages",
    "find",
    "new_page_properties",
    "normalize_rich_text",
    "property_item",
    "python_value",
    "recompute",
    "related_data_sources",
    "response_properties",
    "schema_with_new_options",
    "sort_pages",
    "sync_dual_relations",
    "update_page_properties",
    "update_schema",
]
