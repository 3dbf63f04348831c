"""Error pages in the service's own style; a failed request rolls its transaction back."""
import logging

from flask import render_template
from werkzeug.exceptions import HTTPException

from homes_qa.extensions import db

log = logging.getLogger("homes_qa.errors")

PAGES: dict[int | None, tuple[str, str]] = {
    400: ("Sorry, there is a problem with that request", "errors/400.html"),
    403: ("You do not have permission to see this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Sorry, there is a problem with that request", "errors/400.html"),
    413: ("The file is too large", "errors/400.html"),
    429: ("Too many attempts", "errors/429.html"),
}


def init_app(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        title, template = PAGES.get(error.code, (error.name, "errors/400.html"))
        return render_template(template, title=title, error=error), error.code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        # The app's error boundary, not a view: services have already rolled their unit of work
        # back; this defensive rollback only makes sure the error page reads from a clean session.
        db.session.rollback()
        log.exception("Unhandled error: %s", error)
        return render_template("errors/500.html", title="Sorry, there is a problem with the service"), 500
