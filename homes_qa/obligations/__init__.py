from flask import Blueprint

bp = Blueprint("obligations", __name__)
# Whole-service work has its own navigation entry, so its own blueprint (the layout marks a
# navigation item active for every endpoint of its blueprint).
organisation_bp = Blueprint("organisation", __name__, url_prefix="/organisation")

from . import routes  # noqa: E402,F401
