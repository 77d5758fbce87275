"""Block content: validating appended/updated blocks and the shapes Notion answers with.

Pure functions on plain dicts; the block tree itself lives in the workspace.
"""

from __future__ import annotations

import re
from typing import Any

from syncbridge.sandbox.block_kinds import BUILDERS
from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.ids import require_id
from syncbridge.sandbox.props_context import PropertyContext
from syncbridge.sandbox.rich_text import normalize_rich_text

TEXT_BLOCKS = (
    "paragraph",
    "heading_1",
    "heading_2",
    "heading_3",
    "to_do",
    "bulleted_list_item",
    "numbered_list_item",
    "toggle",
    "quote",
    "callout",
    "code",
)
# Created by the workspace when a page or database is created under a page, never appended.
CONTAINER_BLOCKS = ("child_page", "child_database")
APPENDABLE = (*TEXT_BLOCKS, *BUILDERS)
MAX_CHILDREN = 100
MAX_DEPTH = 2  # nesting levels in one append, as Notion allows (columns do not count)

CODE_LANGUAGES = frozenset(
    [
        "abap",
        "arduino",
        "bash",
        "basic",
        "c",
        "clojure",
        "coffeescript",
        "c++",
        "c#",
        "css",
        "dart",
        "diff",
        "docker",
        "elixir",
        "elm",
        "erlang",
        "flow",
        "fortran",
        "f#",
        "gherkin",
        "glsl",
        "go",
        "graphql",
        "groovy",
        "haskell",
        "html",
        "java",
        "javascript",
        "json",
        "julia",
        "kotlin",
        "latex",
        "less",
        "lisp",
        "livescript",
        "lua",
        "makefile",
        "markdown",
        "markup",
        "matlab",
        "mermaid",
        "nix",
        "objective-c",
        "ocaml",
        "pascal",
        "perl",
        "php",
        "powershell",
        "prolog",
        "protobuf",
        "python",
        "r",
        "reason",
        "ruby",
        "rust",
        "sass",
        "scala",
        "scheme",
        "scss",
        "shell",
        "sql",
        "swift",
        "typescript",
        "vb.net",
        "verilog",
        "vhdl",
        "webassembly",
        "xml",
        "yaml",
    ]
) | {"plain text", "visual basic", "java/c/c++/c#"}


def block_type(item: Any, where: str) -> str:
    """The block type of one requested block (``type`` key, else the single content key)."""
    if not isinstance(item, dict):
        raise ValidationError(f"body failed validation: {where} should be an object.")
    declared = item.get("type")
    if declared is not None:
        if declared not in item:
            raise ValidationError(f"body failed validation: {where}.{declared} should be defined.")
        kind = declared
    else:
        keys = [k for k in item if k not in ("object", "children")]
        if len(keys) != 1:
            raise ValidationError(
                f"body failed validation: {where} should have exactly one block type key, "
                f"instead had {sorted(keys)}."
            )
        kind = keys[0]
    if kind not in APPENDABLE:
        raise ValidationError(
            f"body failed validation: {where}.type should be one of {', '.join(APPENDABLE)}, "
            f'instead was `"{kind}"`.'
        )
    return str(kind)


def content(
    kind: str,
    raw: Any,
    where: str,
    *,
    current: dict[str, Any] | None = None,
    ctx: PropertyContext | None = None,
) -> dict[str, Any]:
    """Validated response-shape content of a ``kind`` block; ``current`` merges an update."""
    path = f"{where}.{kind}"
    if not isinstance(raw, dict):
        raise ValidationError(f"body failed validation: {path} should be an object.")
    base = dict(current) if current is not None else _defaults(kind)
    if kind in BUILDERS:
        body = {k: v for k, v in raw.items() if k not in ("children", "type")}
        return BUILDERS[kind](kind, body, base, path)
    for key, value in raw.items():
        base[key] = _field(kind, key, value, path, ctx)
    return base


def _field(kind: str, key: str, value: Any, path: str, ctx: PropertyContext | None) -> Any:
    where = f"{path}.{key}"
    if key in ("rich_text", "caption"):
        return normalize_rich_text(value, path=where, ctx=ctx)
    if key == "color":
        return _string(value, where, 100)
    if (key == "checked" and kind == "to_do") or (
        key == "is_toggleable" and kind.startswith("heading")
    ):
        if not isinstance(value, bool):
            raise ValidationError(f"body failed validation: {where} should be a boolean.")
        return value
    if key == "language" and kind == "code":
        if value not in CODE_LANGUAGES:
            raise ValidationError(
                f"body failed validation: {where} should be a known language, "
                f'instead was `"{value}"`.'
            )
        return value
    if key == "icon" and kind in ("callout", "paragraph"):
        return _icon(value, where)
    if key == "children":
        return value  # handled by the workspace (nested append)
    raise ValidationError(f"body failed validation: {where} is not a property of a {kind} block.")


def _defaults(kind: str) -> dict[str, Any]:
    base: dict[str, Any] = {"rich_text": []}
    if kind == "paragraph":
        base["icon"] = None
    if kind.startswith("heading"):
        base["is_toggleable"] = False
    if kind == "to_do":
        base["checked"] = False
    if kind == "code":
        return {"caption": [], "rich_text": [], "language": "plain text"}
    if kind == "callout":
        base["icon"] = {"type": "emoji", "emoji": "💡"}
        base["color"] = "gray_background"
        return base
    base["color"] = "default"
    return base


_NATIVE_ICON = re.compile(r"^https://www\.notion\.so/icons/([a-z0-9-]+)_([a-z]+)\.svg$")


def _icon(value: Any, where: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationError(f"body failed validation: {where} should be an object or null.")
    if isinstance(value.get("emoji"), str):
        return {"type": "emoji", "emoji": value["emoji"]}
    for kind in ("external", "file"):
        if isinstance(value.get(kind), dict):
            link = _string(value[kind].get("url"), f"{where}.{kind}.url", 2000)
            native = _NATIVE_ICON.match(link)
            if native:  # Notion turns links to its own icon set into native icons
                return {"type": "icon", "icon": {"name": native[1], "color": native[2]}}
            return {
                "type": kind,
                kind: {"url": link, **({"expiry_time": None} if kind == "file" else {})},
            }
    if isinstance(value.get("file_upload"), dict):
        fid = require_id(value["file_upload"].get("id"), f"body.{where}.file_upload.id")
        return {
            "type": "file",
            "file": {"url": f"https://files.sandbox.invalid/{fid}", "expiry_time": None},
        }
    if isinstance(value.get("custom_emoji"), dict):
        ref = value["custom_emoji"]
        cid = require_id(ref.get("id"), f"body.{where}.custom_emoji.id")
        name = ref.get("name") if isinstance(ref.get("name"), str) else "custom"
        link = (
            ref.get("url")
            if isinstance(ref.get("url"), str)
            else f"https://files.sandbox.invalid/{cid}"
        )
        return {"type": "custom_emoji", "custom_emoji": {"id": cid, "name": name, "url": link}}
    if isinstance(value.get("icon"), dict):
        name = _string(value["icon"].get("name"), f"{where}.icon.name", 100)
        color = value["icon"].get("color", "gray")
        return {"type": "icon", "icon": {"name": name, "color": color}}
    raise ValidationError(
        f"body failed validation: {where} should be an emoji, external, file_upload, "
        "custom_emoji or icon object."
    )


def _string(value: Any, where: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValidationError(
            f"body failed validation: {where} should be a string, instead was `{value!r}`."
        )
    if value == "":
        raise ValidationError(
            f"body failed validation: {where} should be a non-empty string; use null to unset."
        )
    if len(value) > limit:
        raise ValidationError(
            f"body failed validation: {where}.length should be ≤ {limit}, instead was {len(value)}."
        )
    return value


def icon_or_cover(value: Any, where: str) -> dict[str, Any] | None:
    """A page/database ``icon`` or ``cover`` in response shape (emoji or external)."""
    return _icon(value, where)


def plain_text(rich: list[dict[str, Any]]) -> str:
    """Concatenated ``plain_text`` of a rich text array."""
    return "".join(str(item.get("plain_text", "")) for item in rich)
