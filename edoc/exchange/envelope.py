"""Building and parsing edXML with the app's settings (profile, optional XML-DSig)."""
from __future__ import annotations

from pathlib import Path

from connectors.edxml import (
    DEFAULT_CONFIG,
    EdocMessage,
    EdxmlConfig,
    StatusMessage,
    build_message,
    parse_message,
    sign_envelope,
)
from edoc.exchange.settings import setting

__all__ = ["build", "edxml_config", "parse"]


def edxml_config() -> EdxmlConfig:
    return DEFAULT_CONFIG


def build(msg: EdocMessage | StatusMessage) -> bytes:
    """The message's bytes, validated against the XSD, signed when AXIS_SIGN_XML is on."""
    data = build_message(msg, config=edxml_config())
    if setting("AXIS_SIGN_XML"):
        key = Path(setting("AXIS_XML_KEY_FILE")).read_bytes()
        cert = Path(setting("AXIS_XML_CERT_FILE")).read_bytes()
        passphrase = setting("AXIS_XML_KEY_PASSPHRASE") or None
        data = sign_envelope(data, key=key, cert=cert,
                             passphrase=passphrase.encode("utf-8") if passphrase else None,
                             config=edxml_config())
    return data


def parse(data: bytes) -> EdocMessage | StatusMessage:
    """Parse and validate (XSD); raises ``connectors.EnvelopeInvalid`` with a stable code."""
    return parse_message(data, config=edxml_config())
