"""The demo step: the demo province's agencies and leaders get test certificates and images.

Runs inside ``flask edoc seed-demo`` and ``make run`` (which seeds the demo), in development
only: tests call :func:`provision_demo` themselves, and production never gets test keys.
"""
from __future__ import annotations

import logging

from flask import current_app

from edoc.signatures.settings import test_pki_dir
from edoc.signatures.testpki import TestPkiResult, describe, provision_test_pki

logger = logging.getLogger(__name__)


def provision_demo(demo) -> TestPkiResult:
    agencies = [demo.ward.agency, demo.province.agency]
    result = provision_test_pki(test_pki_dir(), agencies=agencies)
    for line in describe(result):
        logger.info("%s", line)
    return result


def seed_signatures(demo) -> None:
    """Demo seeder (see :func:`edoc.demo.add_demo_seeder`); idempotent."""
    if current_app.config.get("ENV") != "development":
        return
    provision_demo(demo)
