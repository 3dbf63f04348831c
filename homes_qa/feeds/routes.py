"""The calendar feed (no sign-in: the secret address is the credential) and its account page."""
from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from homes_qa.core.roles import ROLES
from homes_qa.extensions import limiter
from homes_qa.spine import calendar_feed
from homes_qa.spine.access import roles_required
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.forms import ConfirmForm

bp = Blueprint("feeds", __name__)


@bp.route("/calendar/<token>.ics")
@limiter.limit("60 per minute")
def calendar(token: str):
    """The person's open deadlines as iCalendar. Unknown or revoked address: 404."""
    user = calendar_feed.user_for_token(token)
    if user is None:
        abort(404)
    response = make_response(calendar_feed.feed_for(user, utcnow()))
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = 'inline; filename="homes-qa.ics"'
    # The address is a secret: keep the feed out of shared caches and search engines.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _feed_url(token: str | None) -> str | None:
    if not token:
        return None
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("feeds.calendar", token=token)


@bp.route("/account/calendar", methods=["GET", "POST"])
@roles_required(*ROLES)
def account_calendar():
    confirm = ConfirmForm()
    if request.method == "POST":
        # CSRF is checked for every POST before this view runs; this re-check keeps the view honest.
        if confirm.validate_on_submit():
            user = current_user._get_current_object()
            action = request.form.get("action")
            if action == "issue":
                had_feed = user.ical_token is not None
                token = calendar_feed.issue_token(user)
                flash("You have a new calendar feed address. The old address no longer works."
                      if had_feed else "Your calendar feed is ready. Copy its address into your calendar app.",
                      "success")
                # Shown once, in this response: only the secret's hash is stored.
                return _page(feed_url=_feed_url(token))
            if action == "revoke" and user.ical_token is not None:
                calendar_feed.revoke_token(user)
                flash("Your calendar feed has been turned off. Its address no longer works.", "success")
        return redirect(url_for("feeds.account_calendar"), code=303)
    return _page(feed_url=None)


def _page(feed_url: str | None):
    response = make_response(render_template(
        "feeds/account_calendar.html", feed_url=feed_url, has_feed=current_user.ical_token is not None,
        title="Calendar feed"))
    response.headers["Cache-Control"] = "private, no-store"  # the page may show a secret address
    return response
