"""The workspace's own pages: sign in and out, home, users (admins) and the audit log (admins).
Each area's pages live in their own module (bot.workspace.safety for the safety queue)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.workspace import accounts
from bot.workspace.auth import (
    CSRF_COOKIE,
    CSRF_FIELD,
    SESSION_COOKIE,
    SignInResult,
    csrf_ok,
    new_secret,
    sign_in,
)
from bot.workspace.views_access import record_id
from bot.workspace.web import PageContext, current_user, page, workspace_of
from storage.records import ROLES

MAX_FIELD = 1024


def _local(target: str | None) -> str:
    """Only a path on this site is followed after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


async def sign_in_page(request: Request) -> Response:
    ws = workspace_of(request)
    if request.method == "GET":
        if await current_user(request) is not None:
            return RedirectResponse(_local(request.query_params.get("next")), status_code=303)
        return _sign_in_form(request, next_path=_local(request.query_params.get("next")))

    form = await request.form()
    email, password = form.get("email"), form.get("password")
    next_path = _local(str(form.get("next") or "/"))
    if not csrf_ok(request.cookies.get(CSRF_COOKIE), str(form.get(CSRF_FIELD) or "")):
        return _sign_in_form(
            request, next_path, status=403,
            error="This form had expired. Please sign in again.",
        )
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        return _sign_in_form(request, next_path, status=400, error="Enter your email and password.")
    if len(email) > MAX_FIELD or len(password) > MAX_FIELD:
        return _sign_in_form(request, next_path, status=400, error="That is too long.")
    address = request.client.host if request.client else "unknown"

    def attempt() -> SignInResult:
        with ws.unit_of_work() as uow:
            result = sign_in(
                uow, email, password, address, ws.now(),
                secret_key=ws.settings.secret_key, session_length=ws.session_length,
            )
            uow.commit()
            return result

    result = await run_in_threadpool(attempt)
    if result.refused_for is not None:
        minutes = max(1, int(result.refused_for.total_seconds() // 60) + 1)
        return _sign_in_form(
            request, next_path, status=429, email=email,
            error=f"Too many tries. Please wait {minutes} minutes, then try again.",
        )
    if result.cookie is None:
        return _sign_in_form(
            request, next_path, status=400, email=email,
            error="That email and password do not match an account.",
        )
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, result.cookie, max_age=int(ws.session_length.total_seconds()),
        httponly=True, samesite="strict", secure=ws.secure_cookies, path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path="/sign-in")
    return response


def _sign_in_form(
    request: Request, next_path: str, *, status: int = 200, error: str = "", email: str = ""
) -> Response:
    ws = workspace_of(request)
    token = request.cookies.get(CSRF_COOKIE) or new_secret()
    response = ws.render(
        request, "sign_in.html", csrf_token=token, status_code=status, title="Sign in",
        error=error, email=email, next_path=next_path,
    )
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=ws.secure_cookies,
        path="/sign-in",
    )
    return response


sign_in_page.heard_role = None  # type: ignore[attr-defined]  # public


@page("member")
def sign_out(ctx: PageContext) -> Response:
    with ctx.unit_of_work() as uow:
        if ctx.user.session_token_hash:
            uow.web_sessions.end(ctx.user.session_token_hash)
        uow.commit()
    response = ctx.redirect("/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@page("member")
def home(ctx: PageContext) -> Response:
    waiting = None
    if ctx.user.has("coordinator"):
        with ctx.unit_of_work() as uow:
            waiting = uow.safety.waiting_count()
    return ctx.render("home.html", title="Home", waiting=waiting)


@page("admin")
def users_page(ctx: PageContext) -> Response:
    error = notice = ""
    new_token = ""
    if ctx.form is not None:
        action = ctx.field("action")
        with ctx.unit_of_work() as uow:
            try:
                if action == "add":
                    groups = [g for g in ctx.field("groups").split(",") if g.strip()]
                    added = accounts.add_user(
                        uow, ctx.field("email"), ctx.field("password"), ctx.field("role"),
                        groups, ctx.now(), actor=ctx.user.user,
                    )
                    notice = f"Added {added.email} as {added.role}."
                elif action == "revoke":
                    token_id = record_id(ctx.field("token_id"))
                    if token_id is None:
                        error = "Choose a token to revoke."
                    elif accounts.revoke_token(uow, token_id, ctx.now(), actor=ctx.user.user):
                        notice = "The token is revoked: it no longer works."
                    else:
                        error = "That token was already revoked."
                elif action == "token":
                    target = uow.users.by_email(ctx.field("email"))
                    if target is None:
                        error = "No account has that email."
                    else:
                        new_token = accounts.issue_token(
                            uow, target, "made on the users page", ctx.now(), actor=ctx.user.user
                        )
                        notice = f"A new token for {target.email}. Copy it now: it is shown once."
                elif action in ("disable", "enable"):
                    target = uow.users.by_email(ctx.field("email"))
                    if target is None:
                        error = "No account has that email."
                    elif target.user_id == ctx.user.user.user_id:
                        error = "You cannot disable your own account."
                    else:
                        accounts.set_disabled(
                            uow, target, action == "disable", ctx.now(), actor=ctx.user.user
                        )
                        notice = f"{target.email} is {action}d."
                else:
                    error = "Unknown action."
                uow.commit()
            except accounts.AccountError as exc:
                error = str(exc)
                uow.rollback()
    with ctx.unit_of_work() as uow:
        listed = [(user, uow.tokens.of_user(user.user_id)) for user in uow.users.all()]
    status = 400 if error else 200
    return ctx.render(
        "users.html", status_code=status, title="Users", users=listed, roles=ROLES,
        error=error, notice=notice, new_token=new_token,
    )


@page("admin")
def audit_page(ctx: PageContext) -> Response:
    before = ctx.request.query_params.get("before")
    before_id = record_id(before) if before else None
    with ctx.unit_of_work() as uow:
        entries = uow.audit.recent(limit=100, before_id=before_id)
    older = entries[-1].entry_id if len(entries) == 100 else None
    return ctx.render("audit.html", title="Audit log", entries=entries, older=older)
