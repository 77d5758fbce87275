"""The property codec: Notion property JSON ⇄ Python values ⇄ SQL column values.

``decode`` turns a page property value into a Python value, ``encode`` turns a Python value
(or Notion JSON) into the request shape, ``columns_for``/``to_columns``/``from_columns`` map
values onto typed SQL columns. See docs/type-mapping.md for the table of every type.
"""

from syncbridge.notion.codec.errors import CodecError, ReadOnlyPropertyError
from syncbridge.notion.codec.registry import (
    columns_for,
    decode,
    decode_rich,
    encode,
    from_columns,
    is_truncated,
    is_writable,
    join_property_items,
    to_columns,
)
from syncbridge.notion.codec.sql import sqlalchemy_type
from syncbridge.notion.codec.values import (
    ColumnSpec,
    DateValue,
    FileValue,
    RichText,
    SqlType,
    UniqueIdValue,
    UserId,
)

__all__ = [
    "CodecError",
    "ColumnSpec",
    "DateValue",
    "FileValue",
    "ReadOnlyPropertyError",
    "RichText",
    "SqlType",
    "UniqueIdValue",
    "UserId",
    "columns_for",
    "decode",
    "decode_rich",
    "encode",
    "from_columns",
    "is_truncated",
    "is_writable",
    "join_property_items",
    "sqlalchemy_type",
    "to_columns",
]
