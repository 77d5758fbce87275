"""The public codec functions: one ``TypeCodec`` per Notion property type, looked up by type."""

from __future__ import annotations

from typing import Any

from syncbridge.notion.codec.base import Prop, TypeCodec
from syncbridge.notion.codec.choice import (
    CheckboxCodec,
    MultiSelectCodec,
    NumberCodec,
    SelectCodec,
)
from syncbridge.notion.codec.computed import (
    ButtonCodec,
    FormulaCodec,
    RollupCodec,
    UniqueIdCodec,
    VerificationCodec,
)
from syncbridge.notion.codec.dates import DateCodec, TimestampCodec
from syncbridge.notion.codec.errors import CodecError, ReadOnlyPropertyError
from syncbridge.notion.codec.other import PlaceCodec, RawCodec
from syncbridge.notion.codec.refs import (
    FilesCodec,
    PeopleCodec,
    RelationCodec,
    UserCodec,
)
from syncbridge.notion.codec.text import RichTextCodec, StringCodec
from syncbridge.notion.codec.values import ColumnSpec

CODECS: dict[str, TypeCodec] = {
    "title": RichTextCodec(),
    "rich_text": RichTextCodec(),
    "number": NumberCodec(),
    "select": SelectCodec(),
    "status": SelectCodec(),
    "multi_select": MultiSelectCodec(),
    "date": DateCodec(),
    "people": PeopleCodec(),
    "files": FilesCodec(),
    "checkbox": CheckboxCodec(),
    "url": StringCodec(max_length=2000),
    "email": StringCodec(max_length=200),
    "phone_number": StringCodec(max_length=200),
    "relation": RelationCodec(),
    "place": PlaceCodec(),
    "formula": FormulaCodec(),
    "rollup": RollupCodec(),
    "created_time": TimestampCodec(),
    "last_edited_time": TimestampCodec(),
    "created_by": UserCodec(),
    "last_edited_by": UserCodec(),
    "unique_id": UniqueIdCodec(),
    "verification": VerificationCodec(),
    "button": ButtonCodec(),
}
RAW = RawCodec()
_NOT_TYPE_KEYS = frozenset({"id", "name", "description", "type", "object", "has_more"})


def _type_of(obj: Any, what: str) -> str:
    """The property type of a schema entry or property value (inferred if ``type`` is absent)."""
    if not isinstance(obj, dict):
        raise CodecError("?", "?", f"expected a {what} object, got {type(obj).__name__}")
    kind = obj.get("type")
    if isinstance(kind, str) and kind:
        return kind
    keys = [key for key in obj if key not in _NOT_TYPE_KEYS]
    if len(keys) != 1:
        name = str(obj.get("name") or obj.get("id") or "?")
        raise CodecError(name, "?", f"the {what} has no 'type'")
    return str(keys[0])


def _prop(obj: dict[str, Any], what: str, name: str | None = None) -> Prop:
    kind = _type_of(obj, what)
    return Prop(name or str(obj.get("name") or obj.get("id") or "?"), kind)


def decode_as(name: str | None, prop_value: dict[str, Any]) -> Any:
    """``decode`` with the property's name for error messages."""
    prop = _prop(prop_value, "property value", name)
    return CODECS.get(prop.type, RAW).decode(prop, prop_value.get(prop.type), prop_value)


def decode(prop_value: dict[str, Any], *, name: str | None = None) -> Any:
    """A page property value (response JSON) → its Python value; empty values → ``None``.

    Unknown types decode to their inner JSON unchanged. ``name`` only improves error messages.
    """
    return decode_as(name, prop_value)


def decode_rich(prop_value: dict[str, Any], *, name: str | None = None) -> list[dict[str, Any]]:
    """The full rich text items (annotations, links, mentions) of a title/rich_text value."""
    prop = _prop(prop_value, "property value", name)
    if prop.type not in ("title", "rich_text"):
        raise prop.error("decode_rich needs a title or rich_text value")
    items = prop_value.get(prop.type) or []
    if not isinstance(items, list):
        raise prop.expected("a list of rich text items", items)
    return list(items)


def is_truncated(prop_value: dict[str, Any]) -> bool:
    """True when a page object listed only part of the value (relation ``has_more``).

    Fetch the rest with ``GET /v1/pages/{id}/properties/{property_id}``.
    """
    return bool(prop_value.get("has_more"))


LIST_ITEM_TYPES = frozenset({"title", "rich_text", "people", "relation"})


def join_property_items(prop_type: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """All pages of a list property's ``property_item`` results → one page property value.

    ``GET /v1/pages/{id}/properties/{property_id}`` pages through title, rich_text, people and
    relation values one element per item (the list's ``property_item.type`` names the type);
    the joined value is what ``decode`` takes, complete past the 25 a page object carries.
    """
    first = items[0] if items and isinstance(items[0], dict) else {}
    prop = Prop(str(first.get("id", "?")), prop_type)
    if prop_type not in LIST_ITEM_TYPES:
        raise prop.error("only title, rich_text, people and relation come as property item lists")
    for item in items:
        if not isinstance(item, dict) or item.get("type") != prop_type or prop_type not in item:
            raise prop.expected(f"a {prop_type} property item", item)
    joined: dict[str, Any] = {"type": prop_type, prop_type: [item[prop_type] for item in items]}
    if prop_type == "relation":
        joined["has_more"] = False
    return joined


def columns_for(prop_schema: dict[str, Any]) -> list[ColumnSpec]:
    """The SQL columns of a data source property (schema entry), main column first.

    The schema alone decides the columns, so a property empty in every row still gets them.
    """
    return list(CODECS.get(_type_of(prop_schema, "schema entry"), RAW).columns)


def to_columns(prop_schema: dict[str, Any], value: Any) -> dict[str, Any]:
    """A decoded Python value → ``{suffix: SQL value}`` for every column of ``columns_for``."""
    prop = _prop(prop_schema, "schema entry")
    columns = CODECS.get(prop.type, RAW).to_columns(prop, value)
    # Plain str, not RichText/UserId: database drivers adapt by exact type.
    return {k: str(v) if isinstance(v, str) else v for k, v in columns.items()}


def from_columns(prop_schema: dict[str, Any], columns: dict[str, Any]) -> Any:
    """``{suffix: SQL value}`` (as read back from any dialect) → the Python value."""
    prop = _prop(prop_schema, "schema entry")
    return CODECS.get(prop.type, RAW).from_columns(prop, columns)


def is_writable(prop_type: str) -> bool:
    """Whether pages can set this property type (False for computed and unknown types)."""
    codec = CODECS.get(prop_type)
    return codec is not None and codec.writable


def encode(prop_schema: dict[str, Any], value: Any) -> dict[str, Any]:
    """A value → the request-shape property value, e.g. ``{"select": {"name": "Done"}}``.

    ``value`` is a plain Python value (mapped through the schema's type) or Notion property
    JSON of that type (request or response shape), which is validated and canonicalised.

    Raises:
        ReadOnlyPropertyError: the type is computed by Notion.
        CodecError: the value does not fit the type, or the type is unknown.
    """
    prop = _prop(prop_schema, "schema entry")
    codec = CODECS.get(prop.type)
    if codec is None:
        raise prop.error("unknown property type; syncbridge cannot write it")
    if not codec.writable:
        raise ReadOnlyPropertyError(prop.name, prop.type)
    other = value.get("type") if isinstance(value, dict) else None
    if isinstance(other, str) and other != prop.type and other in CODECS:
        raise prop.error(f"got a {other} property value")
    if isinstance(value, dict) and prop.type in value:
        return {prop.type: codec.canonical(prop, value[prop.type])}
    return {prop.type: codec.encode(prop, value)}
