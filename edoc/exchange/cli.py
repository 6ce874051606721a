"""``flask exchange ...``: sync once, run the worker, validate an edXML file, set credentials."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

exchange_cli = AppGroup("exchange", help="Inter-agency exchange over the axis (edXML).")


def _print_cycle(report) -> None:
    click.echo(f"jobs={report.jobs} sent={report.sent} failed={report.failed} "
               f"waiting={report.waiting} received={report.received} rejected={report.rejected}")
    for error in report.errors:
        click.echo(f"  error: {error}", err=True)


@exchange_cli.command("sync")
@click.option("--no-receive", is_flag=True, help="Only send the outbox.")
@click.option("--directory/--no-directory", default=True,
              help="Also update the agency directory from the axis.")
def sync_command(no_receive: bool, directory: bool) -> None:
    """Send the outbox and receive everything waiting on the axis, once."""
    from edoc.exchange.worker import run_cycle

    _print_cycle(run_cycle(receive=not no_receive, directory=directory))


@exchange_cli.command("worker")
@click.option("--interval", default=1.0, help="Seconds between two sends of the outbox.")
@click.option("--poll-seconds", type=float, default=None,
              help="Seconds between two polls of the axis (default AXIS_POLL_SECONDS).")
def worker_command(interval: float, poll_seconds: float | None) -> None:
    """Send and receive until stopped (Ctrl-C)."""
    from edoc.exchange.worker import run_forever
    from edoc.runtime import settle_after_startup

    app = current_app._get_current_object()
    settle_after_startup()
    click.echo("exchange worker started")
    try:
        run_forever(app, interval=interval, poll_seconds=poll_seconds)
    except KeyboardInterrupt:
        click.echo("exchange worker stopped")


@exchange_cli.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_command(file: Path) -> None:
    """Parse and validate an edXML file (safety checks, profile, XSD, attachments)."""
    from connectors import EnvelopeInvalid
    from edoc.exchange.envelope import parse
    from edoc.exchange.errors import reason_message

    started = time.perf_counter()
    try:
        msg = parse(file.read_bytes())
    except EnvelopeInvalid as exc:
        click.echo(f"INVALID {exc.code}: {exc.message}")
        click.echo(f"  {reason_message(exc.code)}")
        for key, value in exc.details.items():
            click.echo(f"  {key}: {value}")
        sys.exit(1)
    took = (time.perf_counter() - started) * 1000
    click.echo(f"VALID {msg.kind} ({took:.1f} ms)")
    click.echo(f"  from: {msg.sender.organ_id} {msg.sender.name}")
    click.echo(f"  to: {', '.join(msg.receiver_organ_ids) or '-'}")
    if msg.kind == "status":
        click.echo(f"  status: {msg.status_code} about {msg.response_for.document_id}")
        click.echo(f"  description: {msg.description}")
        return
    click.echo(f"  document id: {msg.document_id}")
    click.echo(f"  code: {msg.code}  date: {msg.promulgation.date}")
    click.echo(f"  business type: {int(msg.business.business_type)} "
               f"{msg.business.business_type.name.lower()}")
    click.echo(f"  subject: {msg.subject}")
    for att in msg.attachments:
        click.echo(f"  attachment: {att.name} ({att.content_type}, {len(att.data)} bytes)")


@exchange_cli.command("credentials")
@click.argument("organ_id")
@click.option("--system-id", required=True, help="System id issued by the axis operator.")
@click.option("--secret-env", required=True,
              help="Name of the environment variable that holds the secret.")
def credentials_command(organ_id: str, system_id: str, secret_env: str) -> None:
    """Store a hosted agency's axis credentials (the secret is encrypted at rest)."""
    from sqlalchemy import select

    from edoc.auth.models import Agency
    from edoc.exchange.credentials import set_credentials
    from edoc.extensions import db

    secret = os.environ.get(secret_env, "")
    if not secret:
        raise click.ClickException(f"environment variable {secret_env} is empty")
    agency = db.session.scalar(select(Agency).where(Agency.organ_id == organ_id))
    if agency is None:
        raise click.ClickException(f"no agency {organ_id}")
    set_credentials(agency, system_id, secret)
    db.session.commit()
    click.echo(f"credentials of {organ_id} stored (system id {system_id})")


@exchange_cli.command("list")
@click.option("--direction", type=click.Choice(["in", "out"]), default=None)
@click.option("--state", default=None)
@click.option("--limit", default=30)
def list_command(direction: str | None, state: str | None, limit: int) -> None:
    """Recent messages of every agency, with attempts and last error."""
    from sqlalchemy import select

    from edoc.exchange.models import ExchangeMessage
    from edoc.extensions import db

    stmt = select(ExchangeMessage).order_by(ExchangeMessage.id.desc()).limit(limit)
    if direction:
        stmt = stmt.where(ExchangeMessage.direction == direction)
    if state:
        stmt = stmt.where(ExchangeMessage.state == state)
    for m in db.session.scalars(stmt):
        click.echo(f"{m.id:>6} {m.direction:<3} {m.kind:<6} {m.action:<7} {m.state:<9} "
                   f"{m.counterpart:<15} tries={m.attempts} {m.error_code}")
