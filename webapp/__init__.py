"""The sales CMS of a TV distributor."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.config import load_config


def create_app(config=None):
    """Build the application; `config` overrides settings (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app):
    from webapp import audit, database, jobs
    from webapp.extensions import compress, csrf, db, htmx, limiter, migrate
    from webapp.mail import worker as mail_worker
    from webapp.services import distributor
    from webapp.web import auth_session, formatting, security, static_files, visits

    database.init_app(app, db)
    migrate.init_app(app, db, directory=str(app.config.get("MIGRATIONS_DIR", "migrations")),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    auth_session.init_app(app)
    audit.init_app(app)
    security.init_app(app)
    # gzip/brotli for text answers; Vary ends up naming both Accept-Encoding and HX-Request.
    compress.init_app(app)
    static_files.init_app(app)
    mail_worker.init_app(app)
    jobs.init_app(app)
    visits.init_app(app)
    formatting.init_app(app)
    distributor.init_app(app)


def register_blueprints(app):
    from webapp.blueprints.admin import bp as admin_bp
    from webapp.blueprints.approvals import bp as approvals_bp
    from webapp.blueprints.auth import bp as auth_bp
    from webapp.blueprints.catalogue import bp as catalogue_bp
    from webapp.blueprints.coordination import bp as coordination_bp
    from webapp.blueprints.health import bp as health_bp
    from webapp.blueprints.ipad import bp as ipad_bp
    from webapp.blueprints.lists import bp as lists_bp
    from webapp.blueprints.main import bp as main_bp
    from webapp.blueprints.meetings import bp as meetings_bp
    from webapp.blueprints.registration import bp as registration_bp
    from webapp.blueprints.reporting import bp as reporting_bp
    from webapp.blueprints.shared import bp as shared_bp
    from webapp.web import navigation

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(registration_bp)
    app.register_blueprint(approvals_bp, url_prefix="/approvals")
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(lists_bp)
    app.register_blueprint(reporting_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(coordination_bp)
    app.register_blueprint(ipad_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(shared_bp)
    navigation.init_app(app)


def register_errorhandlers(app):
    from webapp.web.errors import init_app

    init_app(app)


def register_commands(app):
    from webapp.commands import init_app
    from webapp.mail import commands as mail_commands

    init_app(app)
    mail_commands.init_app(app)
