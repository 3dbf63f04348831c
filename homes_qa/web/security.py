"""Sign-in plumbing, security headers, CSRF and idle-session expiry."""
from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError

from homes_qa.extensions import db, login_manager, talisman
from homes_qa.spine.people.models import User

log = logging.getLogger("homes_qa.security")

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
}


LAST_SEEN_STEP_SECONDS = 60

_SESSION_ID = re.compile(r"([0-9]{1,18}):([0-9]{1,18})")


@login_manager.user_loader
def load_user(user_id: str):
    """The active user of a session "id:version" whose version is the user's current one.

    Signing out, changing the password or being deactivated raises the version, so a copy of
    an older cookie (replayed, stolen, left on another computer) signs nobody in.
    """
    match = _SESSION_ID.fullmatch(user_id or "")
    if match is None:
        return None
    user = db.session.get(User, int(match.group(1)))
    if user is None or not user.active or user.session_version != int(match.group(2)):
        return None
    return user


def init_app(app) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"
    https = app.config["FORCE_HTTPS"]
    talisman.init_app(
        app,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        force_https=https,
        strict_transport_security=https,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        referrer_policy="same-origin",
        x_content_type_options=True,
    )

    @app.before_request
    def expire_idle_session():
        # Server-side inactivity timeout: the cookie alone could be replayed after expiry.
        if not current_user.is_authenticated:
            return None
        now = datetime.now(UTC).timestamp()
        last = session.get("last_seen")
        limit = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        if last is not None and now - last > limit:
            logout_user()
            session.clear()
            flash("You were signed out because you were inactive. Sign in again.", "info")
            return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))
        if not session.permanent:
            session.permanent = True
        view = app.view_functions.get(request.endpoint)
        # A background poll (the header's alert count) is not activity: it must not keep
        # an unattended screen signed in for ever. Activity is noted once a minute at most, so
        # most responses carry no new session cookie (signing and sending it on every request
        # was a tenth of a light page's time, issue 13); the idle limit is then kept to within
        # that minute.
        if last is None or (not getattr(view, "passive_poll", False) and now - last >= LAST_SEEN_STEP_SECONDS):
            session["last_seen"] = now
        return None

    @app.after_request
    def htmx_follows_sign_in(response):
        """An htmx request bounced to sign-in (session ended) loads the sign-in page in full
        instead of swapping it into a fragment."""
        if (request.headers.get("HX-Request") == "true" and response.status_code in (301, 302, 303)
                and response.location and "/sign-in" in response.location):
            # Come back to the page the person was on, not the fragment's URL.
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = current.path + (f"?{current.query}" if current.query else "")
            response = app.make_response(("", 200))
            response.headers["HX-Redirect"] = url_for("auth.sign_in", next=back or None)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        log.warning("CSRF refused for %s %s: %s", request.method, request.path, error.description)
        if request.headers.get("HX-Request") == "true":
            # htmx does not swap a 400: reload the page so the person sees why and gets a fresh form.
            flash("This form had expired, so nothing was saved. Try again.", "error")
            return "", 400, {"HX-Refresh": "true"}
        return render_template("errors/csrf.html", reason=error.description), 400
