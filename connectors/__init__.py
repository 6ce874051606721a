"""Pure connector library: edXML messages (``connectors.edxml``), the axis HTTP client
(``connectors.client``) and, as a separate Flask app, the axis simulator
(``connectors.simulator``). Never imports edoc, flask (outside the simulator) or sqlalchemy."""

from .errors import ENVELOPE_CODES, ConnectorError, EnvelopeInvalid, RemoteRejected, TransportError

__all__ = [
    "ENVELOPE_CODES",
    "ConnectorError",
    "EnvelopeInvalid",
    "RemoteRejected",
    "TransportError",
]
