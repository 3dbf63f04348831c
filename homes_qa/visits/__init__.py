"""Regulation 44: the independent person's visits, reports, registers and distribution."""
from flask import Blueprint

bp = Blueprint("visits", __name__, url_prefix="/reg44")

from . import routes  # noqa: E402,F401
