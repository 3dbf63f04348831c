"""Configuration from environment variables, then instance/config.py.

Precedence (last wins): defaults here < instance/config.py < environment variables.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ENV_KEYS = (
    "SECRET_KEY", "DATABASE_URL", "ORGANISATION_NAME", "SERVICE_NAME",
    "SESSION_COOKIE_SECURE", "FORCE_HTTPS", "SESSION_IDLE_MINUTES", "LOGIN_RATE_LIMIT",
    "LOGIN_ACCOUNT_RATE_LIMIT",
    "RATELIMIT_STORAGE_URI", "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD",
    "MAIL_USE_TLS", "MAIL_SENDER", "MAIL_OUTBOX", "SWEEP_MINUTES", "DIGEST_HOUR",
    "PUBLIC_BASE_URL", "TRUSTED_PROXIES",
)
BOOL_KEYS = {"SESSION_COOKIE_SECURE", "FORCE_HTTPS", "MAIL_USE_TLS"}
INT_KEYS = {"SESSION_IDLE_MINUTES", "MAIL_PORT", "SWEEP_MINUTES", "DIGEST_HOUR", "TRUSTED_PROXIES"}
MAX_TRUSTED_PROXIES = 5


class Config:
    ORGANISATION_NAME = "Demo County Council"
    SERVICE_NAME = "Homes QA"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # The cookie is sent again only when the session changes (security.py notes activity once
    # a minute), not signed and sent on every response.
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    FORCE_HTTPS = False  # HSTS and Secure cookies when served over HTTPS
    SESSION_IDLE_MINUTES = 30
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"  # failed sign-ins per address
    LOGIN_ACCOUNT_RATE_LIMIT = "5 per minute;20 per hour"  # failed sign-ins per account (e-mail)
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session; idle expiry handles staleness
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    MAIL_SERVER = ""  # empty: write messages to the outbox folder instead of sending
    MAIL_PORT = 25
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_TLS = False
    MAIL_SENDER = "homes-qa@localhost"
    MAIL_OUTBOX = ""  # defaults to instance/outbox
    SWEEP_MINUTES = 5
    DIGEST_HOUR = 7
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # How many reverse proxies (load balancer, nginx) stand in front of the app and set
    # X-Forwarded-For/-Proto/-Host: the client's address is then the one they forwarded, so
    # per-address sign-in limits count people, not the proxy. 0: trust no forwarded header.
    TRUSTED_PROXIES = 0
    TESTING = False


def _coerce(key: str, value: str):
    if key in BOOL_KEYS:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if key in INT_KEYS:
        return int(value)
    return value


def load_config(app, overrides: dict | None = None) -> None:
    """Fill app.config; refuse to start in production without an explicit SECRET_KEY."""
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    for key in ENV_KEYS:
        if key in os.environ:
            app.config[key] = _coerce(key, os.environ[key])
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        url = app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'homes_qa.sqlite'}"
        # psycopg 3 is our PostgreSQL driver; accept the common postgres:// spellings
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                url = "postgresql+psycopg://" + url[len(prefix):]
        app.config["SQLALCHEMY_DATABASE_URI"] = url

    if os.environ.get("HOMES_QA_ENV") == "production":
        if not app.config.get("SECRET_KEY"):
            raise RuntimeError("HOMES_QA_ENV=production needs an explicit SECRET_KEY")
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)

    proxies = app.config["TRUSTED_PROXIES"]
    if isinstance(proxies, bool) or not isinstance(proxies, int) or not 0 <= proxies <= MAX_TRUSTED_PROXIES:
        raise RuntimeError(f"TRUSTED_PROXIES must be a whole number from 0 to {MAX_TRUSTED_PROXIES}")
    if app.config["FORCE_HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    if not app.config["MAIL_OUTBOX"]:
        app.config["MAIL_OUTBOX"] = str(instance / "outbox")


def _instance_secret(instance: Path) -> str:
    """A per-installation key kept in instance/ (git-ignored), made on first run."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
