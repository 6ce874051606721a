"""Digital signatures in edoc: the glue between the app and the pure ``signing`` library.

Keys of users and agencies (PKCS#12 in the object store, PKCS#11 tokens, remote services), the
signer's signature and the agency's seal on a document's PDF, verification reports in Vietnamese,
batch signing, signature/seal images, the test PKI of the demo, pages and API.

Public service API (all flush, the caller commits):

* :func:`edoc.signatures.services.apply_signer_signature` ``(doc, signer_user, secret)``
* :func:`edoc.signatures.services.apply_agency_seal` ``(doc, actor, secret=None)``
* :func:`edoc.signatures.batch.sign_batch` ``(document_ids, signer, secret)``
* :func:`edoc.signatures.verification.verify_pdf_bytes` ``(data)``,
  :func:`~edoc.signatures.verification.verify_document` ``(doc)``,
  :func:`~edoc.signatures.verification.record_verification` ``(document_file)``
"""
from __future__ import annotations

from typing import Any

from flask import Flask

__all__ = [
    "apply_agency_seal",
    "apply_signer_signature",
    "init_app",
    "record_verification",
    "sign_batch",
    "verify_document",
    "verify_pdf_bytes",
]

EXTENSION_KEY = "edoc.signatures"


def init_app(app: Flask) -> None:
    """Register models, pages, API, ``flask signing`` commands, template helpers, the demo step.

    Safe to call twice (the second call does nothing), so tests may call it before the app
    factory does.
    """
    if EXTENSION_KEY in app.extensions:
        return
    app.extensions[EXTENSION_KEY] = True

    from edoc.demo import add_demo_seeder
    from edoc.extensions import csrf
    from edoc.signatures import api, models, views  # noqa: F401 - models register tables
    from edoc.signatures.cli import signing_cli
    from edoc.signatures.demo import seed_signatures
    from edoc.signatures.keys import close_key_cache
    from edoc.signatures.templating import register_template_helpers
    from edoc.web.nav import NavItem, add_nav_item

    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.cli.add_command(signing_cli)
    app.teardown_appcontext(close_key_cache)
    register_template_helpers(app)
    add_demo_seeder(app, seed_signatures)

    from flask_babel import lazy_gettext as _l

    add_nav_item(app, NavItem("signatures.account", _l("Chữ ký số"), "pen",
                              frozenset({"leader"}), order=80))
    add_nav_item(app, NavItem("signatures.seal", _l("Con dấu"), "award",
                              frozenset({"clerk", "admin"}), order=81))


def __getattr__(name: str) -> Any:
    # The services are imported lazily: ``import edoc.signatures`` must not pull in the models
    # before the app factory wants them.
    if name in ("apply_signer_signature", "apply_agency_seal"):
        from edoc.signatures import services

        return getattr(services, name)
    if name == "sign_batch":
        from edoc.signatures.batch import sign_batch

        return sign_batch
    if name in ("verify_pdf_bytes", "verify_document", "record_verification"):
        from edoc.signatures import verification

        return getattr(verification, name)
    raise AttributeError(name)
