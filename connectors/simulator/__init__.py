"""Axis simulator: a separate small WSGI app (the one place in connectors that uses Flask).

Run it with ``python -m connectors.simulator --db PATH --host 127.0.0.1 --port N``; in tests use
``connectors.simulator.testing.start``.
"""

from .app import create_simulator_app
from .demo import DEMO_PROVINCE, DEMO_WARD, demo_agencies
from .faults import FaultPlan
from .store import Agency, SimulatorStore

__all__ = [
    "DEMO_PROVINCE",
    "DEMO_WARD",
    "Agency",
    "FaultPlan",
    "SimulatorStore",
    "create_simulator_app",
    "demo_agencies",
]
