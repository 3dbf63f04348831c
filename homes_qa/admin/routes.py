"""Administration: people, homes and who is assigned to which home."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from homes_qa.admin import queries
from homes_qa.admin import service as assigning
from homes_qa.admin.forms import AssignmentForm, DeclarationForm, HomeForm, NewUserForm, ResetPasswordForm, UserForm
from homes_qa.admin.models import INDEPENDENCE_CRITERIA, IndependenceDeclaration
from homes_qa.core.roles import ROLE_LABELS, SEES_ALL_HOMES, Role
from homes_qa.extensions import db
from homes_qa.spine.access import roles_required
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Assignment, Home, HomeStatus, User
from homes_qa.spine.transaction import ServiceError
from homes_qa.web.forms import ConfirmForm, saved, saved_result

bp = Blueprint("admin", __name__, url_prefix="/admin")

admin_only = roles_required(Role.ADMIN)


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _home_or_404(home_id: int) -> Home:
    return db.session.get(Home, home_id) or abort(404)


USER_STATUSES = {"active": "Active", "deactivated": "Deactivated"}


def _search_arg() -> str:
    """`?q=`: the text searched for, trimmed to what the search box allows."""
    return request.args.get("q", "").strip()[:queries.SEARCH_MAX]


def _choice_arg(name: str, choices) -> str:
    """A filter's value if it is one of the choices; anything else means "any"."""
    value = request.args.get(name, "")
    return value if value in choices else ""


@bp.route("/users")
@admin_only
def users():
    """Every user, 25 a page, searchable by name or e-mail address, by role and status."""
    filters = queries.UserFilters(q=_search_arg(), role=_choice_arg("role", ROLE_LABELS),
                                  status=_choice_arg("status", USER_STATUSES))
    rows, page = queries.users_page(filters)
    return render_template("admin/users.html", rows=rows, page=page, filters=filters, roles=ROLE_LABELS,
                           statuses=USER_STATUSES, title="Users")


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        user = saved_result(form, lambda: people.create_user(name=form.name.data, email=form.email.data,
                                                             role=form.role.data, password=form.password.data))
        if user is not None:
            flash(f"{user.name} can now sign in", "success")
            return redirect(url_for("admin.users"), code=303)
    return render_template("admin/user_form.html", form=form, title="Add a user", user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    if form.validate_on_submit() and saved(
            form, lambda: people.update_user(user, name=form.name.data, email=form.email.data, role=form.role.data)):
        flash(f"{user.name}'s details have been saved", "success")
        return redirect(url_for("admin.users"), code=303)
    return render_template("admin/user_form.html", form=form, title=f"Edit {user.name}", user=user,
                           confirm=ConfirmForm(), reset=ResetPasswordForm(prefix="reset"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_only
def reset_password(user_id: int):
    """Set a temporary password for someone who has forgotten theirs."""
    user = _user_or_404(user_id)
    reset = ResetPasswordForm(prefix="reset")
    if reset.validate_on_submit():
        people.set_password(user, reset.new_password.data)
        flash(f"{user.name}'s password has been changed. Give them the new password securely.", "success")
        return redirect(url_for("admin.users"), code=303)
    form = UserForm(obj=user, formdata=None)
    return render_template("admin/user_form.html", form=form, title=f"Edit {user.name}", user=user,
                           confirm=ConfirmForm(), reset=reset)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_only
def toggle_user(user_id: int):
    """Deactivate an active user, or reactivate a deactivated one."""
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        people.set_active(user, not user.active, by=current_user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"{user.name} has been {'reactivated' if user.active else 'deactivated'}", "success")
    return redirect(url_for("admin.users"), code=303)


@bp.route("/homes")
@admin_only
def homes():
    """Every home, 25 a page, searchable by name or Ofsted URN, and by status."""
    filters = queries.HomeFilters(q=_search_arg(), status=_choice_arg("status", HomeStatus.LABELS))
    rows, page = queries.homes_page(filters)
    return render_template("admin/homes.html", rows=rows, page=page, filters=filters,
                           statuses=HomeStatus.LABELS, title="Manage homes")


@bp.route("/homes/new", methods=["GET", "POST"])
@admin_only
def new_home():
    form = HomeForm()
    if form.validate_on_submit():
        registered_places = form.registered_places.data
        assert registered_places is not None  # a required field: set once the form validates
        home = saved_result(form, lambda: people.create_home(
            name=form.name.data, ofsted_urn=form.ofsted_urn.data, address=form.address.data,
            registered_places=registered_places, status=form.status.data))
        if home is not None:
            flash(f"{home.name} has been added. Now assign its people.", "success")
            return redirect(url_for("admin.home_people", home_id=home.id), code=303)
    return render_template("admin/home_form.html", form=form, title="Add a home", home=None)


@bp.route("/homes/<int:home_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_home(home_id: int):
    home = _home_or_404(home_id)
    form = HomeForm(obj=home)
    if form.validate_on_submit():
        registered_places = form.registered_places.data
        assert registered_places is not None  # a required field: set once the form validates
        if saved(form, lambda: people.update_home(
                home, name=form.name.data, ofsted_urn=form.ofsted_urn.data, address=form.address.data,
                registered_places=registered_places, status=form.status.data)):
            flash(f"{home.name} has been saved", "success")
            return redirect(url_for("admin.homes"), code=303)
    return render_template("admin/home_form.html", form=form, title=f"Edit {home.name}", home=home)


def _assignable_users(home: Home) -> list[User]:
    assigned = select(Assignment.user_id).where(Assignment.home_id == home.id)
    return list(db.session.scalars(
        select(User).where(User.active.is_(True), User.role.not_in(SEES_ALL_HOMES),
                           User.id.not_in(assigned)).order_by(User.role, User.name)))


@bp.route("/homes/<int:home_id>/people", methods=["GET", "POST"])
@admin_only
def home_people(home_id: int):
    home = _home_or_404(home_id)
    form = AssignmentForm()
    candidates = _assignable_users(home)
    choices: list[tuple[int | str, str]] = [("", "Select a person")]
    form.user_id.choices = choices + [(u.id, f"{u.name} ({u.role_label})") for u in candidates]
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data) if form.user_id.data else None
        if user is None:
            form.user_id.errors = ["Select a person to assign"]
        elif _asks_first(home, user):
            return redirect(url_for("admin.assign_person", home_id=home.id, user_id=user.id), code=303)
        elif saved(form, lambda: assigning.assign_to_home(home, user, by=current_user)):
            flash(f"{user.name} is now assigned to {home.name}", "success")
            return redirect(url_for("admin.home_people", home_id=home.id), code=303)
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.home_id == home.id)
        .options(selectinload(Assignment.user))).all()
    declarations = {d.assignment_id: d for d in db.session.scalars(
        select(IndependenceDeclaration).where(IndependenceDeclaration.home_id == home.id)
        .options(selectinload(IndependenceDeclaration.declared_by)))}
    return render_template("admin/home_people.html", home=home, form=form, assignments=assignments,
                           declarations=declarations,
                           confirm=ConfirmForm(), title=f"People at {home.name}")


@bp.route("/homes/<int:home_id>/people/<int:assignment_id>/remove", methods=["POST"])
@admin_only
def remove_assignment(home_id: int, assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.home_id != home_id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name, home_name = assignment.user.name, assignment.home.name
    people.unassign(assignment)
    flash(f"{name} is no longer assigned to {home_name}", "success")
    return redirect(url_for("admin.home_people", home_id=home_id), code=303)


# ---------------------------------------------------------------- assigning: what is asked first

def _other_managers(home: Home, user: User) -> list[User]:
    if user.role != Role.REGISTERED_MANAGER:
        return []
    return [m for m in assigning.registered_managers(home) if m.id != user.id]


def _asks_first(home: Home, user: User) -> bool:
    """A visitor's independence declaration, or confirmation of a second registered manager."""
    return assigning.needs_declaration(user) or bool(_other_managers(home, user))


@bp.route("/homes/<int:home_id>/people/add/<int:user_id>", methods=["GET", "POST"])
@admin_only
def assign_person(home_id: int, user_id: int):
    """Step two of assigning: the visitor's declaration (reg 43) or the second-manager check."""
    home, user = _home_or_404(home_id), _user_or_404(user_id)
    if not _asks_first(home, user):
        return redirect(url_for("admin.home_people", home_id=home.id), code=303)
    back = url_for("admin.home_people", home_id=home.id)
    if assigning.needs_declaration(user):
        form = DeclarationForm()
        form.independent.label.text = f"I confirm that {user.name} is independent of {home.name}"
        if form.validate_on_submit() and saved(form, lambda: assigning.assign_to_home(
                home, user, by=current_user, independent=bool(form.independent.data), note=form.note.data or "")):
            flash(f"{user.name} is now assigned to {home.name}. Their independence declaration is recorded.",
                  "success")
            return redirect(back, code=303)
        return render_template("admin/assign_declaration.html", home=home, person=user, form=form,
                               criteria=INDEPENDENCE_CRITERIA, back=back,
                               title=f"Declare {user.name}'s independence of {home.name}")
    others = _other_managers(home, user)
    form = ConfirmForm()
    form.submit.label.text = f"Yes, assign {user.name} as well"
    if form.validate_on_submit() and saved(form, lambda: assigning.assign_to_home(
            home, user, by=current_user, second_manager_confirmed=True)):
        flash(f"{user.name} is now assigned to {home.name}, with {_names(others)}", "success")
        return redirect(back, code=303)
    return render_template("admin/assign_second_manager.html", home=home, person=user, others=others,
                           names=_names(others), form=form, back=back,
                           title=f"{home.name} already has a registered manager")


def _names(users: list[User]) -> str:
    names = [u.name for u in users]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
