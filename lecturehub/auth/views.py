"""Pages: sign-in, the profile (password, tokens), user administration.

The home page gathers every feature's card and lives in ``lecturehub.pages``."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from wtforms import SelectChoice

from lecturehub.auth import login as login_service
from lecturehub.auth import roster, services, sessions
from lecturehub.auth.forms import (
    ChangePasswordForm,
    DepartmentForm,
    EmailForm,
    EmptyForm,
    LoginForm,
    RosterForm,
    TokenForm,
    UserForm,
)
from lecturehub.core.errors import ServiceError
from lecturehub.core.security import public, role_required

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if (
        target
        and not urlsplit(target).netloc
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("pages.home")


def _sign_in(user, remember: bool) -> None:
    """A new login session for this browser (the old cookie, if any, is worth nothing now)."""
    sessions.start(user, remember)
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "GET" and _safe_next(request.args.get("next")).startswith("/checkin/"):
        form.remember.data = True  # a phone that scanned the sign-in QR code: stay signed in
    if form.validate_on_submit():
        try:
            user = login_service.authenticate(
                form.login.data, form.password.data, request.remote_addr or ""
            )
        except login_service.LoginRefused as exc:
            flash(exc.message, "danger")
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
            return render_template("auth/login.html", form=form), exc.status, headers
        session.clear()
        _sign_in(user, remember=form.remember.data)
        if user.must_change_password:
            flash("请先修改初始密码。", "warning")
            return redirect(url_for("auth.profile"))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@role_required()
def logout():
    if EmptyForm().validate_on_submit():
        sessions.end(current_user.login_token)
        logout_user()
        session.clear()
        flash("已退出登录。", "info")
    return redirect(url_for("auth.login"))


def _profile(form=None, new_token: str | None = None, status: int = 200):
    page = render_template(
        "auth/profile.html",
        form=form or ChangePasswordForm(formdata=None),
        token_form=TokenForm(formdata=None),
        email_form=EmailForm(formdata=None, data={"email": current_user.email}),
        empty=EmptyForm(),
        tokens=login_service.list_tokens(current_user),
        new_token=new_token,
        feed_url=_feed_url(),
    )
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/profile", methods=["GET", "POST"])
@role_required()
def profile():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        remember = sessions.is_remembered(user.login_token)
        try:
            services.change_password(user, form.old.data, form.new.data)
        except ServiceError as exc:
            flash(exc.message, "danger")
            return _profile(form)
        _sign_in(user, remember)  # every session ended with the old password, this one too
        flash("密码已修改，其他设备上的登录已退出，日历订阅地址已更换。", "success")
        return redirect(url_for("auth.profile"))
    return _profile(form)


def _feed_url() -> str:
    """The personal calendar feed's secret URL (the schedule's feed of this user's talks)."""
    return url_for("schedule.my_feed", token=services.feed_token_for(current_user), _external=True)


@bp.route("/profile/email", methods=["POST"])
@role_required()
def set_email():
    form = EmailForm()
    if form.validate_on_submit():
        try:
            services.set_email(current_user, form.email.data)
            flash("电子邮箱已保存。" if current_user.email else "已删除电子邮箱。", "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
    return redirect(url_for("auth.profile", _anchor="email"))


@bp.route("/profile/tokens", methods=["POST"])
@role_required()
def create_token():
    """The new token is shown in this response only: never kept in the session cookie."""
    form = TokenForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.profile"))
    _token, plain = login_service.create_token(current_user, form.name.data)
    flash("已创建 API 令牌。它只显示这一次，请立即复制保存。", "success")
    return _profile(new_token=plain)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@role_required()
def revoke_token(token_id: int):
    if EmptyForm().validate_on_submit():
        login_service.revoke_token(current_user, token_id)
        flash("令牌已撤销。", "info")
    return redirect(url_for("auth.profile"))


@bp.route("/profile/calendar/reset", methods=["POST"])
@role_required()
def reset_feed():
    if EmptyForm().validate_on_submit():
        services.reset_feed_token(current_user)
        flash("日历订阅地址已重置，旧地址已失效。请在手机日历中重新订阅。", "success")
    return redirect(url_for("auth.profile"))


# --- administration ------------------------------------------------------------------------


@bp.route("/admin/users")
@role_required("admin")
def users():
    role = request.args.get("role") or None
    return render_template(
        "auth/users.html", users=services.list_users(role=role), role=role, empty=EmptyForm()
    )


def _fill_department_choices(form: UserForm) -> None:
    form.department.choices = [SelectChoice(0, "（无）")] + [
        SelectChoice(d.id, d.name) for d in services.list_departments()
    ]


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required("admin")
def new_user():
    form = UserForm()
    _fill_department_choices(form)
    if form.validate_on_submit():
        department = services.get_department(form.department.data or 0)
        try:
            email = services.clean_email(form.email.data)
            details = services.UserDetails(
                form.name.data, form.roles.data, department, form.title.data
            )
            user, generated = services.create_user(
                form.login.data, details, form.password.data or None, commit=False
            )
            services.set_email(user, email)
        except ServiceError as exc:
            flash(exc.message, "danger")
            return render_template("auth/user_form.html", form=form, user=None), 422
        message = f"已创建用户 {user.name}。"
        if generated:
            message += f" 初始密码：{generated}（首次登录需修改）"
        flash(message, "success")
        return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_user(user_id: int):
    user = services.get_user(user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    _fill_department_choices(form)
    if request.method == "GET":
        form.department.data = user.department_id or 0
        form.roles.data = [r for r in user.roles if r != "member"]
    form.login.data = user.login
    if form.validate_on_submit():
        department = services.get_department(form.department.data or 0)
        try:
            email = services.clean_email(form.email.data)
            details = services.UserDetails(
                form.name.data, form.roles.data, department, form.title.data
            )
            services.update_user(user, details, active=form.active.data, by=current_user)
            services.set_email(user, email)
            if form.password.data:
                services.set_password(user, form.password.data, must_change=True)
        except ServiceError as exc:
            services.db.session.rollback()
            flash(exc.message, "danger")
            return render_template(
                "auth/user_form.html", form=form, user=user, empty=EmptyForm()
            ), 422
        flash("已保存。", "success")
        return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=user, empty=EmptyForm())


@bp.route("/admin/users/<int:user_id>/reset-password", methods=["POST"])
@role_required("admin")
def reset_password(user_id: int):
    user = services.get_user(user_id)
    if EmptyForm().validate_on_submit():
        password = services.reset_password(user)
        flash(f"已重置 {user.name} 的密码，新密码：{password}（首次登录需修改）", "success")
    return redirect(url_for("auth.edit_user", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@role_required("admin")
def toggle_active(user_id: int):
    user = services.get_user(user_id)
    if EmptyForm().validate_on_submit():
        try:
            services.set_active(user, not user.active, by=current_user)
            flash(f"已{'启用' if user.active else '停用'} {user.name}。", "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
    return redirect(url_for("auth.users"))


@bp.route("/admin/users/import", methods=["GET", "POST"])
@role_required("admin")
def import_users():
    form = RosterForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = roster.import_roster(
                upload.read(), upload.filename or "", dry_run=form.dry_run.data
            )
        except ServiceError as exc:
            flash(exc.message, "danger")
            return render_template("auth/import.html", form=form, report=None), 422
        verb = "预检" if form.dry_run.data else "导入"
        flash(f"{verb}完成：成功 {report.created} 行，失败 {report.failed} 行。", "info")
    return render_template("auth/import.html", form=form, report=report)


@bp.route("/admin/departments", methods=["GET", "POST"])
@role_required("admin")
def departments():
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            services.save_department(form.name.data, form.kind.data, form.active.data)
            flash("已添加部门。", "success")
            return redirect(url_for("auth.departments"))
        except ServiceError as exc:
            flash(exc.message, "danger")
    return render_template(
        "auth/departments.html", form=form, departments=services.list_departments()
    )


@bp.route("/admin/departments/<int:department_id>", methods=["POST"])
@role_required("admin")
def edit_department(department_id: int):
    department = services.get_department(department_id)
    form = DepartmentForm()
    if department is not None and form.validate_on_submit():
        try:
            services.save_department(
                form.name.data,
                form.kind.data,
                form.active.data,
                department.head,
                department=department,
            )
            flash("已保存。", "success")
        except ServiceError as exc:
            services.db.session.rollback()
            flash(exc.message, "danger")
    return redirect(url_for("auth.departments"))
