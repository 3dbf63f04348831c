from flask import Blueprint

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")

from . import routes  # noqa: E402,F401
