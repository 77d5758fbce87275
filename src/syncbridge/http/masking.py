"""Secret masking for log lines and error messages.

``mask(text)`` replaces, anywhere in a string:

* Notion-style tokens (``ntn_…``, ``secret_…``) and other well-known token shapes;
* the credential after ``Bearer``/``Basic``/``Token`` and in ``Authorization:``-like header lines;
* values of secret-looking query parameters (``?api_key=…&token=…``) and ``user:pass@`` in URLs;
* every secret registered with :func:`register_secret` (each auth object registers its own), so
  even a token of an unknown shape never reaches a log.

:class:`MaskingFilter` applies ``mask`` to every record; :func:`install_filter` puts it on the
``syncbridge`` logger and its handlers; :func:`install_record_factory` (done when
``syncbridge.http`` is imported) masks every ``syncbridge.*`` record as it is created.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"

# Notion's prefixes match anywhere (a token glued to other text is still a token); the short
# generic ones only at a word start, so "task-manager" is not read as an "sk-" key.
_TOKEN_SHAPES = re.compile(
    r"(?P<prefix>ntn_|secret_|\b(?:sk-|ghp_|gho_|xox[abpr]-))[A-Za-z0-9_\-]{6,}",
)
# Repeated scheme words ("Bearer Bearer x") must not leave the credential itself unmasked.
# "Bearer" in any case; "Basic", "Digest", "Token" capitalised only, so prose like "token
# endpoint" or "basic checks" stays readable; a credential is at least 8 characters.
_SCHEME_CREDENTIAL = re.compile(
    r"(?P<prefix>\b(?:(?:(?i:bearer)|Basic|Digest|Token)\s+)+)[^\s'\",;]{8,}"
)
_HEADER_LINE = re.compile(
    r"(?P<prefix>[\"']?\b(?:authorization|proxy-authorization|x-api-key|api-key|apikey|x-auth-token"
    r"|cookie|set-cookie)[\"']?\s*[:=]\s*[\"']?)(?:(?:Bearer|Basic|Token)\s+)*[^\s'\",;]+",
    re.I,
)
_QUERY_SECRET = re.compile(
    r"(?P<prefix>[?&;](?:api[_-]?key|apikey|key|token|access[_-]?token|refresh[_-]?token"
    r"|client[_-]?secret|secret|password|passwd|pwd|auth|signature|sig|code)=)[^&\s#'\"]+",
    re.I,
)
_URL_USERINFO = re.compile(r"(?P<prefix>[a-z][a-z0-9+.\-]*://)[^/\s:@]+:[^/\s@]+@", re.I)

_registered: set[str] = set()
_lock = threading.Lock()
# Shorter values would mask ordinary words; real secrets are longer than this.
_MIN_REGISTERED = 6


def register_secret(secret: str) -> None:
    """Mask this exact value wherever it appears from now on (ignored when too short)."""
    if len(secret) >= _MIN_REGISTERED:
        with _lock:
            _registered.add(secret)


def unregister_secret(secret: str) -> None:
    """Stop masking this exact value (e.g. a revoked key; tests)."""
    with _lock:
        _registered.discard(secret)


def mask(text: str) -> str:
    """Return ``text`` with every secret it contains replaced by ``***``."""
    if not text:
        return text
    with _lock:
        # Longest first, so a secret containing another is masked whole.
        secrets = sorted(_registered, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _URL_USERINFO.sub(lambda m: m["prefix"] + MASK + "@", text)
    text = _HEADER_LINE.sub(lambda m: m["prefix"] + MASK, text)
    text = _SCHEME_CREDENTIAL.sub(lambda m: m["prefix"] + MASK, text)
    text = _QUERY_SECRET.sub(lambda m: m["prefix"] + MASK, text)
    return _TOKEN_SHAPES.sub(lambda m: m["prefix"] + MASK, text)


class MaskingFilter(logging.Filter):
    """Masks secrets in a record's message, arguments and formatted traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


_factory_installed = False


def install_record_factory(prefix: str = "syncbridge") -> None:
    """Mask every log record of the ``prefix`` loggers when it is created (idempotent).

    Unlike a filter, this reaches records of every child logger whatever handlers the
    application configures, so no ``syncbridge.*`` log line can carry a secret. Records of other
    loggers are untouched; the previous record factory is kept and called first.
    """
    global _factory_installed
    with _lock:
        if _factory_installed:
            return
        _factory_installed = True
    previous = logging.getLogRecordFactory()
    masking = MaskingFilter()
    dotted = prefix + "."

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.name == prefix or record.name.startswith(dotted):
            masking.filter(record)
        return record

    logging.setLogRecordFactory(factory)


def install_filter(logger: logging.Logger | None = None) -> MaskingFilter:
    """Install one MaskingFilter on ``logger`` (default ``syncbridge``) and on its handlers.

    A logger's filters do not see records of its child loggers, its handlers' filters do; so
    logging setup should call this again after adding handlers. Idempotent.
    """
    target = logger or logging.getLogger("syncbridge")
    existing = next((f for f in target.filters if isinstance(f, MaskingFilter)), None)
    flt = existing or MaskingFilter()
    if existing is None:
        target.addFilter(flt)
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(flt)
    return flt
