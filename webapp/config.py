"""Configuration read from the environment, with safe local defaults."""

import os
import secrets
from pathlib import Path


def _instance_secret_key(instance_path: str) -> str:
    """Return the instance's generated secret key, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(app, overrides=None):
    """Fill app.config from the environment; `overrides` (tests) win over everything."""
    env = os.environ
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    overrides = dict(overrides or {})

    app.config.update(
        SQLALCHEMY_DATABASE_URI=env.get("DATABASE_URL") or f"sqlite:///{instance / 'webapp.db'}",
        SQLALCHEMY_ENGINE_OPTIONS={},
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,  # True with HTTPS=1, below
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=True,
        # argon2id work factors; the OWASP / ASVS 5.0 floor is t=2, m=19 MiB, p=1.
        PASSWORD_HASH_TIME_COST=int(env.get("PASSWORD_HASH_TIME_COST", 2)),
        PASSWORD_HASH_MEMORY_KIB=int(env.get("PASSWORD_HASH_MEMORY_KIB", 19 * 1024)),
        PASSWORD_HASH_PARALLELISM=int(env.get("PASSWORD_HASH_PARALLELISM", 1)),
        USERS_PER_PAGE=int(env.get("USERS_PER_PAGE", 25)),
        # The time zone a new meeting's form starts with (an IANA name).
        DEFAULT_MEETING_TIMEZONE=env.get("DEFAULT_MEETING_TIMEZONE", "Europe/Paris"),
        MAX_CONTENT_LENGTH=int(env.get("MAX_UPLOAD_MB", 16)) * 1024 * 1024,
        # Outgoing email: queued in the outbox table, delivered over SMTP by a sender.
        MAIL_SMTP_HOST=env.get("MAIL_SMTP_HOST", ""),
        MAIL_SMTP_PORT=int(env.get("MAIL_SMTP_PORT", 587)),
        MAIL_SMTP_SECURITY=env.get("MAIL_SMTP_SECURITY", "starttls"),  # starttls | tls | none
        MAIL_SMTP_USERNAME=env.get("MAIL_SMTP_USERNAME", ""),
        MAIL_SMTP_PASSWORD=env.get("MAIL_SMTP_PASSWORD", ""),
        MAIL_SMTP_TIMEOUT=float(env.get("MAIL_SMTP_TIMEOUT", 10)),
        MAIL_FROM=env.get("MAIL_FROM", "Sales CMS <no-reply@localhost>"),
        MAIL_MAX_ATTEMPTS=int(env.get("MAIL_MAX_ATTEMPTS", 12)),
        MAIL_BACKGROUND_SENDER=env.get("MAIL_BACKGROUND_SENDER", "0") == "1",
        # Background jobs (the catalogue import) run by a thread in the web process, rather
        # than by `flask --app webapp jobs work` beside it.
        JOBS_IN_PROCESS=env.get("JOBS_IN_PROCESS", "0") == "1",
        PUBLIC_BASE_URL=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        REDIS_URL=env.get("REDIS_URL", ""),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed
        # (the client's address counts for rate limits); 0 when clients connect directly.
        TRUSTED_PROXIES=int(env.get("TRUSTED_PROXIES", 0)),
        # Text answers (pages, fragments, CSS, JS) compressed for clients that accept it;
        # a reverse proxy that compresses itself can take over with COMPRESS_RESPONSES=0.
        COMPRESS_REGISTER=env.get("COMPRESS_RESPONSES", "1") == "1",
        COMPRESS_ALGORITHM=["br", "gzip"],
        # Streamed answers are sent as they are; static files are compressed by
        # webapp/web/static_files.py, once per file.
        COMPRESS_STREAMS=False,
        COMPRESS_MIMETYPES=["text/html", "text/css", "text/javascript", "text/plain",
                            "text/csv", "application/javascript", "application/json",
                            "image/svg+xml"],
        RATELIMIT_STORAGE_URI=env.get("REDIS_URL") or "memory://",
        # Always set: Flask-Limiter would otherwise keep the last app's choice.
        RATELIMIT_ENABLED=True,
        # Redis unreachable: each worker keeps counting on its own until it is back.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_HEADERS_ENABLED=True,
        REGISTRATION_RATE_LIMIT=env.get("REGISTRATION_RATE_LIMIT", "10 per hour"),
        LOGIN_FAILURES_PER_ACCOUNT=env.get("LOGIN_FAILURES_PER_ACCOUNT", "100 per hour"),
        LOGIN_FAILURES_PER_ADDRESS=env.get("LOGIN_FAILURES_PER_ADDRESS", "50 per 10 minutes"),
        # Wrong second-factor codes for one account, after its right password: three codes
        # are valid at a time, so 20 guesses an hour succeed once in about 16,700 hours.
        SECOND_FACTOR_FAILURES_PER_ACCOUNT=env.get("SECOND_FACTOR_FAILURES_PER_ACCOUNT",
                                                   "20 per hour"),
        # Passkeys belong to a domain (the relying party); empty: the request's host.
        WEBAUTHN_RP_ID=env.get("WEBAUTHN_RP_ID", ""),
        # The demo accounts' shared authenticator secret; empty: one generated into instance/.
        DEMO_TOTP_SECRET=env.get("DEMO_TOTP_SECRET", ""),
        WEBAUTHN_ORIGIN=env.get("WEBAUTHN_ORIGIN", ""),
        # Sessions end after this long without a request, and this long after the login.
        SESSION_IDLE_MINUTES=float(env.get("SESSION_IDLE_MINUTES", 60)),
        SESSION_LIFETIME_HOURS=float(env.get("SESSION_LIFETIME_HOURS", 12)),
        PASSWORD_RESET_MAX_AGE_MINUTES=float(env.get("PASSWORD_RESET_MAX_AGE_MINUTES", 60)),
        PASSWORD_RESETS_PER_ACCOUNT=env.get("PASSWORD_RESETS_PER_ACCOUNT", "5 per hour"),
        PASSWORD_RESETS_PER_ADDRESS=env.get("PASSWORD_RESETS_PER_ADDRESS", "20 per hour"),
        # Served over HTTPS (production): HSTS, and Secure cookies with the __Host- prefix.
        HTTPS=env.get("HTTPS", "0") == "1",
    )
    app.config.update(overrides)
    if app.config["HTTPS"]:
        app.config.update(
            PREFERRED_URL_SCHEME="https",
            SESSION_COOKIE_SECURE=True,
            SESSION_COOKIE_NAME="__Host-session",
            REMEMBER_COOKIE_SECURE=True,
            REMEMBER_COOKIE_NAME="__Host-remember_token",
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = env.get("SECRET_KEY") or _instance_secret_key(app.instance_path)
