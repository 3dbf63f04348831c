from flask import Blueprint

bp = Blueprint("reg45", __name__)

from . import routes  # noqa: E402,F401
