"""``flask edoc ...``: setup and demo commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

edoc_cli = AppGroup("edoc", help="edoc setup and demo commands.")


@edoc_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo province and print the demo logins."""
    from edoc.demo import USERS, seed_demo
    from edoc.extensions import db

    demo = seed_demo()
    db.session.commit()
    click.echo(f"Demo logins (password for every account: {demo.password})")
    for label, agency, suffix in (("UBND phường Vĩnh Phúc", demo.ward, ""),
                                  ("UBND tỉnh Phú Thọ", demo.province, ".tinh")):
        click.echo(f"  {label} [{agency.agency.organ_id}]")
        for username, full_name, role, _position, _unit in USERS:
            click.echo(f"    {username + suffix:<16} {role.value:<10} {full_name}")


@edoc_cli.command("settings-table")
def settings_table_command() -> None:
    """Print every EDOC_* setting as a Markdown table (the one in README.md)."""
    from scripts.update_readme_settings import render

    click.echo(render(), nl=False)


@edoc_cli.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("database schema is up to date")
