"""The attachment decoder answers exactly as binascii's strict mode, however it gets there."""

from __future__ import annotations

import base64
import binascii
import random

import pytest

from connectors.edxml import attachments


def _reference(raw: bytes):
    try:
        return binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error:
        return "error"


def _ours(raw: bytes):
    try:
        return attachments._strict_b64decode(raw)
    except binascii.Error:
        return "error"


@pytest.mark.parametrize("raw", [
    b"", b"QQ==", b"QUI=", b"QUJD", b"QQ", b"QUI", b"Q", b"QQ=", b"QQ===", b"QUJD=", b"=QUJD",
    b"QU=I", b"QQ==QQ==", b"QU JD", b"QUJD\n", b"QR==", b"QUJ=", b"Q===", b"====",
    b"QUJD====", b"QUJ-", b"QUJ_", b"\xff\xfe==", b"QUJDRA", b"QUJDRA=", b"QUJDRA==",
])
def test_edge_cases_as_binascii_strict(raw):
    assert _ours(raw) == _reference(raw)


def test_random_strings_as_binascii_strict():
    rng = random.Random(102)
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    for _ in range(3000):
        size = rng.randrange(0, 13)
        raw = bytes(rng.choice(alphabet + b"=" * 8 + b" -_\n") for _ in range(size))
        assert _ours(raw) == _reference(raw), raw


def test_large_payload():
    data = random.Random(5).randbytes(3_000_001)
    assert attachments.decode_base64(base64.b64encode(data).decode("ascii")) == data
