"""Non-text block types: media, embeds, tables, columns, links, synced blocks and the rest.

Each ``build_<group>`` turns a request's content object into the response shape Notion sends
(as seen in the recorded traffic), raising ``ValidationError`` naming the path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.ids import require_id
from syncbridge.sandbox.rich_text import normalize_rich_text

JSON = dict[str, Any]
MEDIA = ("image", "video", "file", "pdf", "audio")
MAX_URL = 2000


def fail(path: str, problem: str) -> ValidationError:
    """A body validation error for ``path``."""
    return ValidationError(f"body failed validation: {path} {problem}")


def url(value: Any, path: str) -> str:
    """A non-empty URL of at most 2,000 characters."""
    if not isinstance(value, str) or not value:
        raise fail(path, f"should be a non-empty string, instead was `{value!r}`.")
    if len(value) > MAX_URL:
        raise fail(f"{path}.length", f"should be ≤ {MAX_URL}, instead was {len(value)}.")
    return value


def _caption(raw: JSON, base: JSON, path: str) -> list[JSON]:
    if "caption" not in raw:
        return list(base.get("caption", []))
    return normalize_rich_text(raw["caption"], path=f"{path}.caption")


def media(kind: str, raw: JSON, base: JSON, path: str) -> JSON:
    """image, video, file, pdf, audio: an external URL or an uploaded file."""
    out: JSON = {"caption": _caption(raw, base, path)}
    if "external" in raw:
        ext = raw["external"]
        link = url(ext.get("url") if isinstance(ext, dict) else None, f"{path}.external.url")
        out.update({"type": "external", "external": {"url": link}})
    elif "file_upload" in raw:
        ref = raw["file_upload"]
        fid = require_id(
            ref.get("id") if isinstance(ref, dict) else None, f"body.{path}.file_upload.id"
        )
        out.update(
            {
                "type": "file",
                "file": {"url": f"https://files.sandbox.invalid/{fid}", "expiry_time": None},
            }
        )
    elif base.get("type"):
        out.update({"type": base["type"], base["type"]: base[base["type"]]})
    else:
        raise fail(path, "should have `external` (with a url) or `file_upload`.")
    if kind == "file":  # Notion names a file block after its URL unless told otherwise
        given = raw.get("name", base.get("name"))
        link = str(out[out["type"]]["url"])
        out["name"] = (
            given if isinstance(given, str) and given else link.rstrip("/").rsplit("/", 1)[-1]
        )
    return out


def linked(kind: str, raw: JSON, base: JSON, path: str) -> JSON:
    """embed and bookmark: a URL and a caption."""
    return {
        "caption": _caption(raw, base, path),
        "url": url(raw.get("url", base.get("url")), f"{path}.url"),
    }


def equation(kind: str, raw: JSON, base: JSON, path: str) -> JSON:
    """A block equation (expression ≤ 1,000 characters)."""
    expr = raw.get("expression", base.get("expression"))
    if not isinstance(expr, str) or not expr:
        raise fail(f"{path}.expression", "should be a non-empty string.")
    if len(expr) > 1000:
        raise fail(f"{path}.expression.length", f"should be ≤ 1000, instead was {len(expr)}.")
    return {"expression": expr}


def empty(kind: str, raw: JSON, base: JSON, path: str) -> JSON:
    """divider, breadcrumb, column_list, tab: no content of their own."""
    return {}


def toc(kind: str, raw: JSON, base: JSON, path: str) -> JSON:
    """table_of_contents: a colour."""
    color = raw.get("color", base.get("color", "default"))
    if not isinstance(color, str) or not color:
        raise fail(f"{path}.color", "should be a colour name.")
    return {"color": color}


def table(kind: str, raw: JSON, base: JSON, path: str) -> JSON:
    """A table: width and header flags (rows are its table_row children)."""
    width = raw.get("table_width", base.get("table_width"))
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise fail(f"{path}.table_width", f"should be a positive integer, instead was `{width!r}`.")
    out: JSON = {"table_width": width}
    for flag in ("has_column_header", "has_row_header"):
        value = raw.get(flag, base.get(flag, False))
        if not isinstance(value, bool):
            raise fail(f"{path}.{flag}", "should be a boolean.")
        out[flag] = value
    return out


def table_row(kind: str, raw: JSON, base: JSON, path: str) -> JSON:
    """A table row: one rich text array per cell."""
    cells = raw.get("cells", base.get("cells"))
    if not isinstance(cells, list):
        raise fail(f"{path}.cells", "should be an array of rich text arrays.")
    return {
        "cells": [normalize_rich_text(c, path=f"{path}.cells[{n}]") for n, c in enumerate(cells)]
    }


def column(kind: str, raw: JSON, base: JSON, path: str) -> JSON:
    """A column of a column_list, optionally with a width ratio."""
    ratio = raw.get("width_ratio", base.get("width_ratio"))
    if ratio is None:
        return {}
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 < ratio <= 1:
        raise fail(f"{path}.width_ratio", "should be a number in (0, 1].")
    return {"width_ratio": ratio}


def link_to_page(kind: str, raw: JSON, base: JSON, path: str) -> JSON:
    """A link to a page, database or data source."""
    for key in ("page_id", "database_id", "data_source_id"):
        if key in raw:
            return {"type": key, key: require_id(raw[key], f"body.{path}.{key}")}
    raise fail(path, "should have page_id or database_id.")


def synced_block(kind: str, raw: JSON, base: JSON, path: str) -> JSON:
    """An original synced block (``synced_from: null``) or a copy of one."""
    source = raw.get("synced_from", base.get("synced_from"))
    if source is None:
        return {"synced_from": None}
    ref = source.get("block_id") if isinstance(source, dict) else None
    return {
        "synced_from": {
            "type": "block_id",
            "block_id": require_id(ref, f"body.{path}.synced_from.block_id"),
        }
    }


Builder = Callable[[str, JSON, JSON, str], JSON]
BUILDERS: dict[str, Builder] = {
    **dict.fromkeys(MEDIA, media),
    "embed": linked,
    "bookmark": linked,
    "equation": equation,
    "divider": empty,
    "breadcrumb": empty,
    "column_list": empty,
    "tab": empty,
    "table_of_contents": toc,
    "table": table,
    "table_row": table_row,
    "column": column,
    "link_to_page": link_to_page,
    "synced_block": synced_block,
}
