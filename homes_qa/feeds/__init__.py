"""Feeds: the personal calendar (iCalendar) and the page that issues and revokes its address."""
from flask import Blueprint

bp = Blueprint("feeds", __name__)

from . import routes  # noqa: E402,F401
