"""Filling a workspace with the sample quickly: built once per process, then copied."""

from __future__ import annotations

import marshal
import threading

from syncbridge.sandbox.sample import seed_sample_workspace
from syncbridge.sandbox.workspace import Workspace

_template: tuple[bytes, dict[str, str]] | None = None
_template_lock = threading.Lock()


def seed_sample(ws: Workspace) -> dict[str, str]:
    """Replace ``ws``'s contents with the sample workspace; returns its ids by name.

    The sample is built once per process (``sample.seed_sample_workspace``) and copied after
    that (``marshal`` round trip of plain JSON data), so a fresh sandbox costs milliseconds.
    Every copy has the same ids and times; no webhook events are sent. (``/_sandbox/reset``
    re-seeds for real, so old ids are gone after it.)
    """
    global _template
    with _template_lock:
        if _template is None:
            scratch = Workspace(ws.clock)
            ids = seed_sample_workspace(scratch)
            _template = (marshal.dumps(scratch.export_state()), ids)
    ws.import_state(marshal.loads(_template[0]), dirty=True)
    return dict(_template[1])
