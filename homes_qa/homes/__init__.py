from flask import Blueprint

bp = Blueprint("homes", __name__, url_prefix="/homes")

from . import routes  # noqa: E402,F401
