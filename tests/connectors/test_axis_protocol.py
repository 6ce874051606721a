"""Request signing (HMAC-SHA256 over system id, timestamp, nonce and body hash)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from connectors.protocol import (
    DEFAULT_PROTOCOL,
    AuthenticationFailed,
    AxisHeaders,
    AxisProtocol,
    sign_request,
    string_to_sign,
    verify_request,
)

SECRET = "s3cret-for-tests"
NOW = 1_741_160_000


def _sign(body=b"{}", *, secret=SECRET, timestamp=NOW, protocol=DEFAULT_PROTOCOL, nonce="n1"):
    return sign_request(
        protocol=protocol,
        method="POST",
        path="/sendEdoc",
        body=body,
        system_id="sys.a",
        secret=secret,
        timestamp=timestamp,
        nonce=nonce,
    )


def _verify(
    headers, body=b"{}", *, now=NOW, seen=None, protocol=DEFAULT_PROTOCOL, path="/sendEdoc"
):
    seen = set() if seen is None else seen

    def remember(system_id, nonce, expires):
        if (system_id, nonce) in seen:
            return False
        seen.add((system_id, nonce))
        return True

    return verify_request(
        protocol=protocol,
        method="POST",
        path=path,
        body=body,
        headers=headers,
        secret_for={"sys.a": SECRET}.get,
        remember_nonce=remember,
        now=now,
    )


def test_signature_is_hmac_sha256_over_the_documented_string():
    headers = _sign(b"abc")
    body_hash = hashlib.sha256(b"abc").hexdigest()
    expected = hmac.new(
        SECRET.encode(),
        f"POST\n/sendEdoc\nsys.a\n{NOW}\nn1\n{body_hash}".encode(),
        hashlib.sha256,
    ).hexdigest()
    assert headers["XroadVnpt-sign-header"] == expected
    assert headers["XroadVnpt-hash-header"] == body_hash
    assert headers["systemid"] == "sys.a" and headers["timestamp"] == str(NOW)
    assert (
        string_to_sign(
            method="post", path="/p", system_id="s", timestamp="1", nonce="n", body_hash="h"
        )
        == b"POST\n/p\ns\n1\nn\nh"
    )


def test_valid_request_is_accepted_once():
    seen: set = set()
    headers = _sign()
    assert _verify(headers, seen=seen) == "sys.a"
    with pytest.raises(AuthenticationFailed) as exc:
        _verify(headers, seen=seen)
    assert exc.value.code == "replayed"


def test_fresh_nonces_make_each_request_unique():
    assert (
        _sign(nonce=None)["XroadVnpt-sign-header-key"]
        != _sign(nonce=None)["XroadVnpt-sign-header-key"]
    )


@pytest.mark.parametrize(
    ("headers", "kwargs", "code"),
    [
        (lambda: {}, {}, "auth_missing"),
        (lambda: {**_sign(), "timestamp": "yesterday"}, {}, "timestamp_invalid"),
        (lambda: _sign(timestamp=NOW - 301), {}, "timestamp_expired"),
        (lambda: _sign(timestamp=NOW + 301), {}, "timestamp_expired"),
        (lambda: {**_sign(), "systemid": "sys.unknown"}, {}, "unknown_system"),
        (lambda: _sign(secret="wrong"), {}, "bad_signature"),
        (lambda: _sign(b"{}"), {"body": b'{"x":1}'}, "body_hash_mismatch"),
        (lambda: _sign(), {"path": "/updateStatus"}, "bad_signature"),
    ],
)
def test_refusals(headers, kwargs, code):
    with pytest.raises(AuthenticationFailed) as exc:
        _verify(headers(), **kwargs)
    assert exc.value.code == code


def test_bad_requests_do_not_consume_nonces():
    seen: set = set()
    with pytest.raises(AuthenticationFailed):
        _verify(_sign(secret="wrong"), seen=seen)
    assert seen == set()
    _verify(_sign(), seen=seen)  # the same nonce with a good signature still works


def test_header_names_and_window_are_configurable():
    protocol = AxisProtocol(
        headers=AxisHeaders(signature="X-Sig", timestamp="X-Time"), replay_window=10
    )
    headers = _sign(protocol=protocol, timestamp=NOW - 5)
    assert "X-Sig" in headers and "X-Time" in headers
    assert _verify(headers, protocol=protocol) == "sys.a"
    with pytest.raises(AuthenticationFailed) as exc:
        _verify(_sign(protocol=protocol, timestamp=NOW - 11, nonce="n2"), protocol=protocol)
    assert exc.value.code == "timestamp_expired"
