"""Inter-agency exchange over the interconnection axis (trục liên thông văn bản), in edXML.

The glue between the app and the pure ``connectors`` library:

* outbox (``outbox``): messages queued in the transaction that decided to send them, sent by the
  exchange worker with retries and backoff; ``jobs`` turns the outgoing workflow's
  ``exchange.send_document`` / ``exchange.send_action`` and the incoming workflow's
  ``exchange.send_status`` jobs into outbox rows;
* inbound (``inbound``, ``receive``, ``actions``, ``status``): poll, fetch, keep the raw package,
  parse and validate, create the incoming document through the capture service, apply
  revocations/updates/replacements/take-backs and statuses, commit, then acknowledge;
* ``worker``: ``flask exchange sync`` / ``flask exchange worker``; ``api``, ``views``: the JSON
  API and the exchange log; ``demo``: the axis simulator beside ``make run``.
"""
from __future__ import annotations

from flask import Flask

__all__ = ["EXTENSION_KEY", "init_app"]

EXTENSION_KEY = "edoc.exchange"


def init_app(app: Flask) -> None:
    """Register tables, job handlers, API, pages, ``flask exchange``, nav entry and demo hooks.

    Safe to call twice (the second call does nothing), so tests may call it before the app
    factory does.
    """
    if EXTENSION_KEY in app.extensions:
        return
    app.extensions[EXTENSION_KEY] = True

    from flask_babel import lazy_gettext as _l

    from edoc.demo import add_demo_seeder
    from edoc.exchange import api, demo, jobs, models, views  # noqa: F401 - tables, handlers
    from edoc.exchange.cli import exchange_cli
    from edoc.extensions import csrf
    from edoc.web.nav import NavItem, add_nav_item

    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.cli.add_command(exchange_cli)
    add_nav_item(app, NavItem("exchange.index", _l("Liên thông"), "arrow-left-right",
                              frozenset({"clerk", "admin"}), order=70))
    add_demo_seeder(app, demo.seed_credentials)
    app.extensions.setdefault("edoc.demo_prepare", []).append(demo.prepare)
    app.extensions.setdefault("edoc.demo_background", []).append(demo.start)
