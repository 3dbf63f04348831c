import logging
import re
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from homes_qa.auth.forms import ChangePasswordForm, SignInForm
from homes_qa.extensions import limiter
from homes_qa.spine.people import service as people
from homes_qa.web.forms import saved

bp = Blueprint("auth", __name__)

log = logging.getLogger("homes_qa.auth")
FAILED = "The email address or password is not correct"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    # The account tried, whichever address it is tried from (spelt as sign-in looks it up).
    return "sign-in:" + people.normalise_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    """Only failed sign-ins count towards the limits: a success answers 303."""
    return response.status_code != 303


# A same-site path: one "/" then a printable path character that does not start another
# authority, no backslash (browsers read it as "/"), no control character (browsers drop tabs and
# newlines, so "/\t/evil" is "//evil"; CR/LF would split the Location header).
_SAME_SITE_PATH = re.compile(r"/(?![/\\])[\x21-\x7e\u00a0-\uffff]*")


def _safe_next(target: str | None) -> str:
    """`next=` only if it is a path on this site; otherwise the dashboard (no open redirect)."""
    if target and _SAME_SITE_PATH.fullmatch(target) and "\\" not in target and not urlsplit(target).netloc:
        return target
    return url_for("main.dashboard")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)  # per address
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        user = people.authenticate(form.email.data, form.password.data)
        if user is not None:
            people.record_sign_in(user)
            session.clear()  # a fresh session on sign-in (fixation)
            login_user(user)
            log.info("sign-in user_id=%s", user.id)
            return redirect(_safe_next(request.args.get("next")), code=303)
        log.warning("failed sign-in for %r from %s", form.email.data, request.remote_addr)
        form.password.errors = [FAILED]
    return render_template("auth/sign_in.html", form=form, title="Sign in")


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    if current_user.is_authenticated:
        people.end_sessions(current_user._get_current_object())  # every copy of the cookie, too
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit() and saved(form, lambda: people.change_password(
            current_user, current=form.current_password.data, new=form.new_password.data)):
        # Every session of the account ended with the change; this one continues on a fresh one.
        login_user(current_user._get_current_object())
        flash("Your password has been changed", "success")
        return redirect(url_for("main.dashboard"), code=303)
    return render_template("auth/change_password.html", form=form, title="Change your password")
