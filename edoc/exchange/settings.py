"""The exchange settings, read from the app config with their defaults.

Until the lead declares them in ``edoc/config.py`` (which also reads ``EDOC_<NAME>`` from the
environment) they are read with ``config.get(name, default)``, falling back to the environment
variable ``EDOC_<NAME>`` so that ``make run`` (which sets ``EDOC_AXIS_URL``) works meanwhile.
:data:`SETTINGS_HELP` is the text for the settings table.
"""
from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app

__all__ = ["DEFAULTS", "SETTINGS_HELP", "setting"]

DEFAULTS: dict[str, Any] = {
    "AXIS_URL": "",
    "AXIS_SYSTEM_ID": "",
    "AXIS_SECRET": "",
    "AXIS_ORGAN_ID": "",
    "AXIS_POLL_SECONDS": 30,
    "AXIS_TIMEOUT": 30,
    "AXIS_RETRIES": 1,
    "AXIS_CONCURRENCY": 4,
    "AXIS_PREFETCH_PROCESSES": 2,
    "AXIS_BACKOFF_SECONDS": 5,
    "AXIS_MAX_BACKOFF_SECONDS": 600,
    "AXIS_INBOUND_MAX_ATTEMPTS": 10,
    "AXIS_SIGN_XML": False,
    "AXIS_XML_KEY_FILE": "",
    "AXIS_XML_CERT_FILE": "",
    "AXIS_XML_KEY_PASSPHRASE": "",
    "AXIS_DEMO_SIMULATOR": True,
}

SETTINGS_HELP: dict[str, tuple[type, str]] = {
    "AXIS_URL": (str, "Base URL of the interconnection axis (trục liên thông). Empty: exchange "
                      "off. `make run` points it at the simulator (`http://127.0.0.1:5080`)."),
    "AXIS_SYSTEM_ID": (str, "System id of the hosted agency on the axis, when credentials are "
                            "given in the config rather than with `flask exchange credentials`."),
    "AXIS_SECRET": (str, "Secret paired with AXIS_SYSTEM_ID (HMAC key; never logged)."),
    "AXIS_ORGAN_ID": (str, "OrganId the config credentials belong to. Empty: the only hosted "
                           "agency."),
    "AXIS_POLL_SECONDS": (int, "Seconds between two polls of the axis by `flask exchange worker`."),
    "AXIS_TIMEOUT": (int, "Read timeout of one axis request, in seconds."),
    "AXIS_RETRIES": (int, "Immediate retries of one axis request on a connection error or 5xx "
                          "(the outbox retries later anyway)."),
    "AXIS_CONCURRENCY": (int, "Threads that fetch, pre-store and acknowledge received messages "
                              "around the one that applies them in order."),
    "AXIS_PREFETCH_PROCESSES": (int, "Worker processes that fetch, parse, pre-store and check "
                                     "the signatures of received messages when at least 8 wait "
                                     "(other cores than the one applying them: two keep pace "
                                     "with it); 0: threads only."),
    "AXIS_BACKOFF_SECONDS": (int, "First delay before an outbox message that failed to go out "
                                  "is tried again; doubles on every failure."),
    "AXIS_MAX_BACKOFF_SECONDS": (int, "Longest delay between two tries of an outbox message."),
    "AXIS_INBOUND_MAX_ATTEMPTS": (int, "Tries of a received message that keeps failing for "
                                       "reasons on our side before it is refused (ack fail)."),
    "AXIS_SIGN_XML": (bool, "Sign outgoing edXML envelopes with XML-DSig (AXIS_XML_KEY_FILE and "
                            "AXIS_XML_CERT_FILE)."),
    "AXIS_XML_KEY_FILE": (str, "PEM private key for the XML-DSig of outgoing envelopes."),
    "AXIS_XML_CERT_FILE": (str, "PEM certificate (chain) for the XML-DSig of outgoing envelopes."),
    "AXIS_XML_KEY_PASSPHRASE": (str, "Passphrase of AXIS_XML_KEY_FILE, if encrypted."),
    "AXIS_DEMO_SIMULATOR": (bool, "`make run` starts the axis simulator beside the app and "
                                  "exchanges the demo province's documents through it."),
}

_TRUE = {"1", "true", "yes", "on"}


def setting(name: str, app: Flask | None = None) -> Any:
    app = app or current_app
    default = DEFAULTS[name]
    if name in app.config:
        return app.config[name]
    raw = os.environ.get(f"EDOC_{name}")
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in _TRUE
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            return default
    return raw
