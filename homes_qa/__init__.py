"""Homes QA: the quality-assurance calendar of residential children's homes."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from homes_qa.config import load_config
from homes_qa.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"),
                instance_relative_config=True, static_folder=str(ROOT / "static"),
                template_folder=str(ROOT / "templates"))
    if config and config.get("INSTANCE_PATH"):
        app.instance_path = config["INSTANCE_PATH"]
    load_config(app, config)
    if app.config["TRUSTED_PROXIES"]:  # behind N reverse proxies: their forwarded client address
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    from homes_qa.web import converters  # <int:…> ids bounded to 64 bits (404 beyond), before any route
    converters.init_app(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from homes_qa.web.environment import Environment
    app.jinja_environment = Environment  # before app.jinja_env is first made, below
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

    from homes_qa import schema  # noqa: F401 - every model, before the first query
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from homes_qa import database
    from homes_qa.web import errors, security, templating
    database.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)

    from homes_qa.admin.routes import bp as admin_bp
    from homes_qa.audit.routes import bp as audit_bp
    from homes_qa.auth.routes import bp as auth_bp
    from homes_qa.feeds.routes import bp as feeds_bp
    from homes_qa.homes.routes import bp as homes_bp
    from homes_qa.main.routes import bp as main_bp
    for bp in (auth_bp, main_bp, homes_bp, admin_bp, audit_bp, feeds_bp):
        app.register_blueprint(bp)
    from homes_qa.alerts.routes import bp as alerts_bp
    from homes_qa.obligations.routes import bp as obligations_bp
    from homes_qa.obligations.routes import organisation_bp
    from homes_qa.rules.routes import bp as rules_bp
    for bp in (alerts_bp, rules_bp, obligations_bp, organisation_bp):
        app.register_blueprint(bp)

    from homes_qa.reg44.routes import bp as visits_bp  # Regulation 44 visits and reports
    app.register_blueprint(visits_bp)
    from homes_qa.actionplans.routes import bp as actionplans_bp  # Reg 44 action plans
    from homes_qa.feedback.routes import bp as feedback_bp  # pre-visit feedback (public links)
    from homes_qa.reg45.routes import bp as reg45_bp  # Regulation 45 reviews
    for bp in (feedback_bp, actionplans_bp, reg45_bp):
        app.register_blueprint(bp)
    from homes_qa.inspections.routes import bp as inspections_bp  # Ofsted inspections, monitoring reviews
    app.register_blueprint(inspections_bp)

    from homes_qa.incidents.routes import bp as incidents_bp  # incidents and notifications (issue 8)
    app.register_blueprint(incidents_bp)
    from homes_qa.navigation.routes import bp as navigation_bp  # the "More" page (issue 12)
    app.register_blueprint(navigation_bp)
    from homes_qa.checks.routes import bp as checks_bp  # certificate register and fire log (issue 9)
    app.register_blueprint(checks_bp)
    from homes_qa.audits.routes import bp as audits_bp  # monthly audits (issue 9)
    app.register_blueprint(audits_bp)
    from homes_qa.exceptions.routes import bp as exceptions_bp  # each role's work, the grid, exports
    app.register_blueprint(exceptions_bp)
    from homes_qa.qpag_report.routes import bp as qpag_report_bp  # the QPAG monthly report (issue 11)
    app.register_blueprint(qpag_report_bp)

    from homes_qa import panels
    panels.register(app)

    from homes_qa.cli import register as register_cli
    register_cli(app)
    from homes_qa.jobs.cli import register as register_jobs_cli
    register_jobs_cli(app)
    return app
