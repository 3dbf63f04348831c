"""Homes QA: the quality-assurance calendar of residential children's homes."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from .config import load_config
from .extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"),
                instance_relative_config=True, static_folder=str(ROOT / "static"),
                template_folder=str(ROOT / "templates"))
    if config and config.get("INSTANCE_PATH"):
        app.instance_path = config["INSTANCE_PATH"]
    load_config(app, config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from . import database, security, templating, errors
    database.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)

    from .auth import bp as auth_bp
    from .main import bp as main_bp
    from .homes import bp as homes_bp
    from .admin import bp as admin_bp
    from .audit import bp as audit_bp
    from .feeds import bp as feeds_bp
    for bp in (auth_bp, main_bp, homes_bp, admin_bp, audit_bp, feeds_bp):
        app.register_blueprint(bp)
    from .alerts import bp as alerts_bp
    from .rules import bp as rules_bp
    from .obligations import bp as obligations_bp, organisation_bp
    for bp in (alerts_bp, rules_bp, obligations_bp, organisation_bp):
        app.register_blueprint(bp)

    from .visits import bp as visits_bp  # Regulation 44 visits and reports
    app.register_blueprint(visits_bp)
    from .feedback import bp as feedback_bp  # pre-visit feedback (public links)
    from .actionplans import bp as actionplans_bp  # Reg 44 action plans
    from .reg45 import bp as reg45_bp  # Regulation 45 reviews
    for bp in (feedback_bp, actionplans_bp, reg45_bp):
        app.register_blueprint(bp)

    from .cli import register as register_cli
    register_cli(app)
    from .jobs.cli import register as register_jobs_cli
    register_jobs_cli(app)
    return app
