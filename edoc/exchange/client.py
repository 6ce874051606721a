"""An :class:`connectors.client.AxisClient` for a hosted agency, built from the settings."""
from __future__ import annotations

import urllib3

from connectors.client import AxisClient
from edoc.auth.models import Agency
from edoc.exchange.credentials import credentials_for
from edoc.exchange.settings import setting

__all__ = ["NotConfigured", "axis_enabled", "client_for"]


class NotConfigured(Exception):
    """No axis URL, or no credentials for this agency (``code``: why)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def axis_enabled() -> bool:
    return bool(setting("AXIS_URL"))


def client_for(agency: Agency) -> AxisClient:
    url = setting("AXIS_URL")
    if not url:
        raise NotConfigured("axis_not_configured")
    creds = credentials_for(agency)
    if creds is None:
        raise NotConfigured("no_credentials")
    timeout = float(setting("AXIS_TIMEOUT"))
    threads = max(1, int(setting("AXIS_CONCURRENCY")))
    pool = urllib3.PoolManager(num_pools=2, maxsize=threads + 1)
    return AxisClient(url, creds.system_id, creds.secret, timeout=timeout,
                      connect_timeout=min(5.0, timeout), retries=int(setting("AXIS_RETRIES")),
                      backoff=0.2, max_backoff=2.0, pool=pool)

