from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from ..access import roles_required, visible_homes
from ..extensions import db, limiter
from ..models import Role
from . import bp


@bp.route("/")
@roles_required(*Role.ALL)
def dashboard():
    homes = visible_homes(current_user)
    return render_template("main/dashboard.html", homes=homes, title="Overview")


@bp.route("/health")
@limiter.exempt
def health():
    """For load balancers and monitors: the app answers and the database is reachable."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
