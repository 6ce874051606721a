"""``flask jobs worker`` and ``flask jobs list``."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("worker")
@click.option("--once", is_flag=True, help="Run what is due, then exit.")
@click.option("--interval", default=2.0, help="Seconds to sleep when nothing is due.")
def worker_command(once: bool, interval: float) -> None:
    """Run background jobs (OCR, conversions, exchange, fixity ...) until stopped."""
    from edoc.jobs import maintenance
    from edoc.jobs.service import run_pending
    from edoc.runtime import settle_after_startup

    if not once:
        settle_after_startup()
    while True:
        maintenance.tick()
        ran = run_pending()
        if once:
            click.echo(f"{ran} jobs run")
            return
        if not ran:
            time.sleep(interval)


@jobs_cli.command("list")
@click.option("--state", default=None)
def list_command(state: str | None) -> None:
    """Show recent jobs and their last errors."""
    from sqlalchemy import select

    from edoc.extensions import db
    from edoc.jobs.models import Job

    stmt = select(Job).order_by(Job.id.desc()).limit(50)
    if state:
        stmt = stmt.where(Job.state == state)
    for job in db.session.scalars(stmt):
        click.echo(f"{job.id:>6} {job.kind:<28} {job.state:<8} tries={job.attempts} "
                   f"{job.last_error[:80]}")
