"""``flask users create``."""
from __future__ import annotations

import click
from flask.cli import AppGroup

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--agency", "organ_id", required=True, help="OrganId of the user's agency.")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", "roles", multiple=True,
              type=click.Choice(["clerk", "officer", "leader", "archivist", "admin"]))
@click.option("--unit", "unit_name", default=None, help="Name of the user's unit.")
@click.option("--position", default="", help="Position title, e.g. 'Phó Chủ tịch'.")
@click.password_option()
def create_user_command(organ_id, username, full_name, roles, unit_name, position, password):
    """Create a user in an agency."""
    from sqlalchemy import select

    from edoc.auth.models import Agency, OrgUnit
    from edoc.auth.services import create_user
    from edoc.extensions import db

    agency = db.session.scalar(select(Agency).where(Agency.organ_id == organ_id))
    if agency is None:
        raise click.ClickException(f"no agency with OrganId {organ_id}")
    unit = None
    if unit_name:
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.agency_id == agency.id,
                                                       OrgUnit.name == unit_name))
        if unit is None:
            raise click.ClickException(f"no unit {unit_name!r} in {agency.name}")
    user = create_user(agency, username=username, full_name=full_name, password=password,
                       roles=roles, unit=unit, position_title=position)
    db.session.commit()
    click.echo(f"created user {user.username} ({', '.join(sorted(roles)) or 'no roles'})")
