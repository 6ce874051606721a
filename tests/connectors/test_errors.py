"""Connector errors survive pickling (a worker process raises them to the poller)."""

from __future__ import annotations

import pickle

from connectors import EnvelopeInvalid, RemoteRejected, TransportError


def test_errors_pickle_with_their_details():
    for error in (EnvelopeInvalid("attachment_zip_invalid", "corrupt", details={"n": [1]}),
                  TransportError("server_error", "HTTP 502", details={"attempts": 2},
                                 http_status=502),
                  RemoteRejected("already_acknowledged")):
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert type(copy) is type(error)
        assert (copy.code, copy.message, dict(copy.details), str(copy)) == (
            error.code, error.message, dict(error.details), str(error))
        assert getattr(copy, "http_status", None) == getattr(error, "http_status", None)
        assert copy.details is not error.details
