from flask import Blueprint

bp = Blueprint("actionplans", __name__)

from . import routes  # noqa: E402,F401
