"""Flask-Login wiring: how a session maps back to a user."""

from flask_login import current_user

from webapp.extensions import db, login_manager
from webapp.models import User


@login_manager.user_loader
def load_user(session_id: str):
    """Accept a session only while the user is active and its version is current."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.context_processor
    def inject_user():
        return {"current_user": current_user}
