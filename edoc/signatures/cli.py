"""``flask signing ...``: the test PKI, registering keys, verifying a PDF from the shell."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from edoc.errors import EdocError

signing_cli = AppGroup("signing", help="Digital signatures: test PKI, keys, verification.")


def _owner(username: str | None, organ_id: str | None):
    """(purpose, agency, user) named by --user or --agency."""
    from edoc.auth.models import Agency, User
    from edoc.extensions import db
    from edoc.signatures.models import CredentialPurpose

    if bool(username) == bool(organ_id):
        raise click.UsageError("give exactly one of --user or --agency")
    if username:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.UsageError(f"no user {username!r}")
        return CredentialPurpose.SIGNER, user.agency, user
    agency = db.session.scalar(select(Agency).where(Agency.organ_id == organ_id))
    if agency is None:
        raise click.UsageError(f"no agency with organ id {organ_id!r}")
    return CredentialPurpose.SEAL, agency, None


def _fail(err: EdocError) -> None:
    raise click.ClickException(f"{err.code}: {err.message}")


@signing_cli.command("test-pki")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Where the CA and key files go (default: SIGNING_TEST_PKI_DIR or "
                   "instance/pki).")
@click.option("--key-type", type=click.Choice(["rsa2048", "ec-p256"]), default="rsa2048",
              show_default=True)
@click.option("--user", "usernames", multiple=True,
              help="Also give a certificate to this user (leaders get one anyway).")
def test_pki_command(directory: Path | None, key_type: str, usernames: tuple[str, ...]) -> None:
    """Create the demo/test PKI and register its keys (idempotent; passphrase edoc-demo)."""
    from edoc.auth.models import User
    from edoc.extensions import db
    from edoc.signatures.settings import is_test_environment, test_pki_dir
    from edoc.signatures.testpki import describe, provision_test_pki

    configured = test_pki_dir()
    directory = directory or configured
    users = []
    for name in usernames:
        user = db.session.scalar(select(User).where(User.username == name))
        if user is None:
            raise click.UsageError(f"no user {name!r}")
        users.append(user)
    try:
        result = provision_test_pki(directory, users=users, key_type=key_type)  # type: ignore[arg-type]
    except EdocError as err:
        _fail(err)
    db.session.commit()
    for line in describe(result):
        click.echo(line)
    if not is_test_environment():
        click.echo("warning: ENV is production: the test root is NOT trusted; add "
                   f"{directory / 'root-ca.pem'} to SIGNING_TRUST_ROOTS only for a trial.")
    elif directory.resolve() != configured.resolve():
        click.echo(f"note: verification trusts the test root in {configured} "
                   "(SIGNING_TEST_PKI_DIR), not this folder.")


@signing_cli.command("import-p12")
@click.argument("p12_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", help="The signer who owns the key.")
@click.option("--agency", "organ_id", help="The agency (organ id) whose seal key this is.")
@click.option("--passphrase", prompt=True, hide_input=True,
              help="Checked once to read the certificate; never stored.")
def import_p12_command(p12_file: Path, username: str | None, organ_id: str | None,
                       passphrase: str) -> None:
    """Register a PKCS#12 key file for a user (signature) or an agency (seal)."""
    from edoc.extensions import db
    from edoc.signatures.keys import register_pkcs12

    purpose, agency, user = _owner(username, organ_id)
    try:
        row = register_pkcs12(p12_file.read_bytes(), passphrase, purpose=purpose,
                              agency_id=agency.id, user_id=user.id if user else None)
    except EdocError as err:
        _fail(err)
    db.session.commit()
    click.echo(f"credential {row.id}: {row.common_name} (serial {row.serial_number}, "
               f"valid until {row.not_after:%Y-%m-%d})")


@signing_cli.command("add-token")
@click.option("--user", "username")
@click.option("--agency", "organ_id")
@click.option("--token-label", required=True)
@click.option("--key-label", required=True)
@click.option("--cert-label", help="Label of the certificate object (default: the key label).")
@click.option("--chain", "chain_file", type=click.Path(exists=True, dir_okay=False,
                                                       path_type=Path),
              help="PEM file with the issuer certificates not stored on the token.")
@click.option("--pin", prompt=True, hide_input=True, help="Opens the token once; never stored.")
def add_token_command(username, organ_id, token_label, key_label, cert_label, chain_file,
                      pin) -> None:
    """Register a key on a PKCS#11 token or HSM (module: SIGNING_PKCS11_LIBRARY)."""
    from edoc.extensions import db
    from edoc.signatures.keys import register_pkcs11

    purpose, agency, user = _owner(username, organ_id)
    try:
        row = register_pkcs11(token_label=token_label, key_label=key_label, pin=pin,
                              purpose=purpose, agency_id=agency.id,
                              user_id=user.id if user else None, cert_label=cert_label,
                              chain_pem=chain_file.read_bytes() if chain_file else None)
    except EdocError as err:
        _fail(err)
    db.session.commit()
    click.echo(f"credential {row.id}: {row.common_name} on token {token_label!r}")


@signing_cli.command("add-remote")
@click.option("--user", "username")
@click.option("--agency", "organ_id")
@click.option("--service", required=True, help="Name of a registered remote signing service.")
@click.option("--credential-id", required=True, help="The credential's id at that service.")
def add_remote_command(username, organ_id, service, credential_id) -> None:
    """Register a credential held by a remote signing service."""
    from edoc.extensions import db
    from edoc.signatures.keys import register_remote

    purpose, agency, user = _owner(username, organ_id)
    try:
        row = register_remote(service=service, credential_id=credential_id, purpose=purpose,
                              agency_id=agency.id, user_id=user.id if user else None)
    except EdocError as err:
        _fail(err)
    db.session.commit()
    click.echo(f"credential {row.id}: {row.common_name} at {service!r}")


@signing_cli.command("list")
def list_command() -> None:
    """Active credentials: owner, source, certificate and validity."""
    from edoc.extensions import db
    from edoc.signatures.models import SigningCredential

    rows = db.session.scalars(select(SigningCredential).where(
        SigningCredential.active.is_(True)).order_by(SigningCredential.agency_id,
                                                     SigningCredential.id))
    for row in rows:
        owner = row.user.username if row.user else f"agency {row.agency.organ_id}"
        click.echo(f"{row.id:>5} {row.purpose:<6} {row.source:<6} {owner:<24} "
                   f"{row.common_name} (serial {row.serial_number}, until "
                   f"{row.not_after:%Y-%m-%d})")


@signing_cli.command("verify")
@click.argument("pdf_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(pdf_file: Path) -> None:
    """Print the verification report of a PDF (JSON, with Vietnamese messages)."""
    from edoc.signatures.verification import verify_pdf_bytes, with_messages

    try:
        report = with_messages(verify_pdf_bytes(pdf_file.read_bytes()))
    except EdocError as err:
        _fail(err)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
