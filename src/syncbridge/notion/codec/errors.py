"""Errors raised by the property codec.

::

    CodecError (ValueError)          a value cannot be decoded, encoded or stored
    └── ReadOnlyPropertyError        a write to a type Notion computes itself
"""

from __future__ import annotations


class CodecError(ValueError):
    """A property value is invalid for its type; the message names the property and why."""

    def __init__(self, prop: str, prop_type: str, problem: str) -> None:
        self.prop = prop
        self.prop_type = prop_type
        super().__init__(f"property {prop!r} ({prop_type}): {problem}")


class ReadOnlyPropertyError(CodecError):
    """The property's type is computed by Notion (formula, rollup, timestamps, …); not settable."""

    def __init__(self, prop: str, prop_type: str) -> None:
        super().__init__(prop, prop_type, f"{prop_type} properties are read-only in the Notion API")
