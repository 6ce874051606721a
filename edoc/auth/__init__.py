"""Agencies, units, users, roles, login and API tokens."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from edoc.auth import models, views
    from edoc.auth.cli import users_cli
    from edoc.extensions import db, login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Hãy đăng nhập để tiếp tục.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(models.User, int(user_id))
        return user if user is not None and user.active else None

    app.register_blueprint(views.bp)
    app.cli.add_command(users_cli)
    if app.config["ENV"] == "production":
        _refuse_default_passwords(app)


def _refuse_default_passwords(app: Flask) -> None:
    """Production must not run with the published demo passwords."""
    from sqlalchemy import func, inspect, select

    from edoc.auth.models import User
    from edoc.config import ConfigError
    from edoc.extensions import db

    if app.config["ALLOW_DEFAULT_PASSWORDS"]:
        return
    with app.app_context():
        if not inspect(db.engine).has_table("users"):
            return  # not migrated yet: nothing to check
        count = db.session.scalar(
            select(func.count()).select_from(User).where(User.has_default_password.is_(True),
                                                         User.active.is_(True)))
        db.session.remove()
    if count:
        raise ConfigError(f"{count} active users still have a default password; change them or "
                          "set EDOC_ALLOW_DEFAULT_PASSWORDS=true")
