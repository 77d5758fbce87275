"""Secrets never survive masking: in log records, error messages, URLs and headers."""

from __future__ import annotations

import logging
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from syncbridge.http import errors
from syncbridge.http.auth import ApiKeyAuth, BearerAuth
from syncbridge.http.masking import (
    MaskingFilter,
    install_filter,
    mask,
    register_secret,
    unregister_secret,
)

ALNUM = string.ascii_letters + string.digits
secret_body = st.text(alphabet=ALNUM, min_size=12, max_size=50)
noise = st.text(alphabet=string.printable, max_size=80)


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(["ntn_", "secret_"]), body=secret_body, before=noise, after=noise)
def test_notion_tokens_in_any_text_are_masked(
    prefix: str, before: str, body: str, after: str
) -> None:
    token = prefix + body
    assume(body not in before + prefix[:-1] and body not in after)  # the noise is not the secret
    assert token not in mask(before + token + after)
    assert body not in mask(before + token + after)


@settings(max_examples=200, deadline=None)
@given(
    scheme=st.sampled_from(["Bearer ", "bearer  ", "Basic ", "Token "]),
    body=st.text(alphabet=ALNUM + "-._~+/=", min_size=10, max_size=60),
    before=noise,
    after=st.text(alphabet=" \n\t,;'\"", max_size=5) | st.just(""),
)
def test_scheme_credentials_are_masked(scheme: str, body: str, before: str, after: str) -> None:
    assume(body not in before and body not in after)
    text = before + " " + scheme + body + after
    assert body not in mask(text)


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(["api_key", "apikey", "token", "access_token", "key", "client_secret"]),
    value=st.text(alphabet=ALNUM + "-._~%", min_size=8, max_size=40),
    other=st.text(alphabet=ALNUM, min_size=1, max_size=10),
)
def test_secret_query_parameters_are_masked(name: str, value: str, other: str) -> None:
    url = f"https://api.example.com/v1/x?page={other}&{name}={value}&q=1"
    # The value must not occur in the rest of the line (e.g. "access_t" inside the name).
    assume(value not in f"GET https://api.example.com/v1/x?page={other}&{name}=***&q=1 -> 500")
    masked = mask(f"GET {url} -> 500")
    assert value not in masked
    assert f"page={other}" in masked


@settings(max_examples=200, deadline=None)
@given(body=st.text(alphabet=ALNUM + "!#$&*()", min_size=8, max_size=40), before=noise, after=noise)
def test_registered_secrets_of_any_shape_are_masked(body: str, before: str, after: str) -> None:
    secret = "Q" + body  # any shape at all, not a known token prefix
    register_secret(secret)
    try:
        assert secret not in mask(before + secret + after)
    finally:
        unregister_secret(secret)  # do not leave masks behind for other tests


@pytest.mark.parametrize(
    "line",
    [
        "Authorization: Bearer abc.def.ghi",
        "{'authorization': 'Bearer abc.def.ghi'}",
        '"Authorization": "abc.def.ghi"',
        "x-api-key=abc.def.ghi",
        "https://user:abc.def.ghi@db.example.com/x",
    ],
)
def test_header_lines_and_userinfo_are_masked(line: str) -> None:
    assert "abc.def.ghi" not in mask(line)


@pytest.mark.parametrize(
    "text",
    [
        "GET https://api.notion.com/v1/pages/abc?page_size=10 -> 404 object_not_found",
        "synced database task-manager-2024 (tasks) in 3.2 s",
        "OAuth2 token endpoint refused; basic checks passed",
    ],
)
def test_plain_text_is_left_alone(text: str) -> None:
    assert mask(text) == text


def test_generic_key_shapes_are_masked_at_a_word_start() -> None:
    assert mask("key sk-abcdefghijkl used") == "key sk-*** used"
    assert mask("ghp_abcdefghijklmnop") == "ghp_***"


def test_error_messages_never_contain_the_secret() -> None:
    auth = BearerAuth("tok-" + "x" * 30)  # registered, though of no known shape
    err = errors.StatusError(
        "GET https://h/x?api_key=k3y-k3y-k3y -> 401 (sent Bearer tok-" + "x" * 30 + ")",
        status_code=401,
    )
    assert "x" * 30 not in str(err)
    assert "k3y-k3y-k3y" not in str(err)
    assert "x" * 30 not in repr(err)
    assert "x" * 30 not in repr(auth)


def test_filter_masks_messages_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    key = ApiKeyAuth("zz-secret-api-key-123")
    logger = logging.getLogger("syncbridge.test_masking")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="syncbridge.test_masking"):
        logger.info("calling with %s and ntn_%s", "zz-secret-api-key-123", "A" * 20)
        try:
            raise RuntimeError("failed with zz-secret-api-key-123")
        except RuntimeError:
            logger.exception("boom")
    text = caplog.text
    assert "zz-secret-api-key-123" not in text
    assert "A" * 20 not in text
    assert "calling with ***" in text
    assert key.fingerprint not in ("", None)


def test_install_filter_is_idempotent_and_reaches_handlers() -> None:
    logger = logging.getLogger("syncbridge.test_install")
    handler = logging.NullHandler()
    logger.addHandler(handler)
    try:
        first = install_filter(logger)
        second = install_filter(logger)
        assert first is second
        assert logger.filters.count(first) == 1
        assert handler.filters == [first]
    finally:
        logger.removeHandler(handler)
        logger.removeFilter(first)


def test_every_syncbridge_logger_is_masked_without_any_setup(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import syncbridge.http  # noqa: F401  (importing the stack installs the record factory)

    with caplog.at_level(logging.INFO):
        logging.getLogger("syncbridge.deep.child.module").info("token ntn_%s", "B" * 24)
        logging.getLogger("other_library").info("token ntn_%s", "C" * 24)
    assert "B" * 24 not in caplog.text
    assert "ntn_***" in caplog.text
    assert "C" * 24 in caplog.text  # other loggers are left alone
