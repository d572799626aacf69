"""Accounts as coordinators meet them: the `heard users` commands, signing in and out, cookies,
CSRF, the throttle, expiry, tokens and their revocation."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.workspace.auth import ACCOUNT_FAILURES
from storage.sql import SqlStore
from tests.support.keys import TEST_SECRET
from tests.web.harness import Brains
from tests.workspace.harness import PASSWORD, WorkspaceUnderTest, running_workspace


def heard(args: list[str], env_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        "HEARD_DATA_DIR": str(env_dir),
        "HEARD_SECRET_KEY": TEST_SECRET,
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
        env=env, timeout=120, check=False,
    )


def test_users_are_added_listed_given_tokens_and_revoked_on_the_command_line(
    tmp_path: Path,
) -> None:
    added = heard(
        ["users", "add", "Sam@Example.org", "--role", "coordinator", "--group", "carers"],
        tmp_path, "a good long password\n",
    )
    assert added.returncode == 0, added.stderr
    assert "sam@example.org as coordinator in carers" in added.stdout
    token = heard(["users", "token", "sam@example.org"], tmp_path)
    assert token.returncode == 0
    last = token.stdout.strip().splitlines()[-1]
    assert last.startswith("heard_") and " " not in last
    listed = heard(["users", "list"], tmp_path).stdout
    assert "sam@example.org\tcoordinator\tgroups: carers" in listed
    assert "token 1\t" + last[:12] in listed and "last used never" in listed
    assert last not in listed  # only a prefix is ever shown again
    revoked = heard(["users", "revoke-token", "1"], tmp_path)
    assert revoked.returncode == 0 and "revoked" in heard(["users", "list"], tmp_path).stdout
    again = heard(["users", "revoke-token", "1"], tmp_path)
    assert again.returncode == 1


def test_a_short_password_or_a_second_account_with_the_same_email_is_refused(
    tmp_path: Path,
) -> None:
    short = heard(["users", "add", "a@example.org", "--role", "member"], tmp_path, "short\n")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    heard(["users", "add", "a@example.org", "--role", "member"], tmp_path, "long enough pass\n")
    twice = heard(["users", "add", "A@example.org", "--role", "admin"], tmp_path, "x" * 20 + "\n")
    assert twice.returncode == 1 and "already has an account" in twice.stderr


def test_a_signed_out_visitor_is_sent_to_sign_in_and_comes_back_after(
    workspace: WorkspaceUnderTest,
) -> None:
    visitor = workspace.anonymous()
    first = visitor.get("/users")
    assert first.status_code == 303 and first.headers["location"] == "/sign-in?next=/users"
    signed = visitor.sign_in(workspace.email("admin"), next_path="/users")
    assert signed.status_code == 303 and signed.headers["location"] == "/users"
    assert visitor.get("/users").status_code == 200


def test_the_session_cookie_is_httponly_and_samesite(workspace: WorkspaceUnderTest) -> None:
    visitor = workspace.anonymous()
    response = visitor.sign_in(workspace.email("member"))
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("heard_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # development serves plain http on loopback


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    workspace: WorkspaceUnderTest,
) -> None:
    visitor = workspace.anonymous()
    wrong = visitor.sign_in(workspace.email("member"), "not the password at all")
    unknown = visitor.sign_in("nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert "do not match an account" in wrong.text and "do not match an account" in unknown.text


def test_sign_in_is_throttled_per_account(workspace: WorkspaceUnderTest) -> None:
    visitor = workspace.anonymous()
    for _ in range(ACCOUNT_FAILURES):
        wrong = visitor.sign_in(workspace.email("coordinator"), "wrong password!!")
        assert wrong.status_code == 400
    refused = visitor.sign_in(workspace.email("coordinator"))  # even the right password
    assert refused.status_code == 429 and "Too many tries" in refused.text
    # Another account from the same address is not locked out yet.
    assert workspace.anonymous().sign_in(workspace.email("member")).status_code == 303


def test_a_form_without_its_csrf_token_changes_nothing(workspace: WorkspaceUnderTest) -> None:
    admin = workspace.web("admin")
    forged = admin.http.post(
        "/users",
        data={"action": "add", "email": "x@example.org", "password": PASSWORD, "role": "admin"},
    )
    assert forged.status_code == 403
    assert "x@example.org" not in admin.get("/users").text
    sign_in_forged = workspace.anonymous().http.post(
        "/sign-in", data={"email": workspace.email("admin"), "password": PASSWORD}
    )
    assert sign_in_forged.status_code == 403


def test_signing_out_ends_the_session_on_the_server(workspace: WorkspaceUnderTest) -> None:
    member = workspace.web("member")
    cookie = member.http.cookies.get("heard_session")
    assert member.post("/sign-out").status_code == 303
    replay = httpx.get(f"{workspace.url}/", cookies={"heard_session": cookie or ""})
    assert replay.status_code == 303  # the old cookie no longer signs anyone in


def test_an_api_token_works_until_revoked_and_its_use_is_listed(
    workspace: WorkspaceUnderTest,
) -> None:
    api = workspace.bearer("coordinator")
    assert api.get("/api/me").json() == {
        "email": workspace.email("coordinator"), "role": "coordinator", "groups": [],
    }
    admin = workspace.web("admin")
    page = admin.get("/users").text
    assert "last used" in page and "never" not in page.split("coordinator@")[1].split("</tr>")[0]
    with workspace.store.unit_of_work() as uow:
        user = uow.users.by_email(workspace.email("coordinator"))
        assert user is not None
        token_id = uow.tokens.of_user(user.user_id)[0].token_id
    assert admin.post("/users", {"action": "revoke", "token_id": str(token_id)}).status_code == 200
    assert api.get("/api/me").status_code == 401
    audit = admin.get("/audit").text
    assert "token revoked" in audit and f"token:{token_id}" in audit


def test_a_browser_session_calls_the_api_only_with_its_csrf_header(
    workspace: WorkspaceUnderTest,
) -> None:
    member = workspace.web("member")
    assert member.get("/api/me").status_code == 200
    assert member.get("/api/openapi.json").json()["info"]["title"] == "Heard workspace API"
    docs = member.get("/api/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()


@pytest.mark.parametrize("asset", ["vendor/htmx-2.0.11.min.js", "workspace.css"])
def test_assets_are_served_from_the_package(workspace: WorkspaceUnderTest, asset: str) -> None:
    assert httpx.get(f"{workspace.url}/static/{asset}").status_code == 200


def test_the_cli_reads_the_password_from_stdin_not_arguments() -> None:
    from bot.workspace.cli import _read_password

    typed = io.StringIO("pass word with spaces\nignored\n")
    assert _read_password(typed) == "pass word with spaces"


def test_outside_development_the_cookies_are_secure(
    brains: Brains, sqlite_store: SqlStore, tmp_path: Path
) -> None:
    env = {"HEARD_ENV": "production", "HEARD_CONTACT": "privacy@council.example.org"}
    with running_workspace(brains, sqlite_store, tmp_path, env=env) as workspace:
        form = httpx.get(f"{workspace.url}/sign-in")
        assert "Secure" in form.headers["set-cookie"]  # the sign-in form's CSRF cookie
        # A browser sends Secure cookies over https only; this test speaks http, so by hand.
        token = form.headers["set-cookie"].split("heard_csrf=")[1].split(";")[0]
        response = httpx.post(
            f"{workspace.url}/sign-in",
            data={"email": workspace.email("member"), "password": PASSWORD, "csrf_token": token},
            headers={"Cookie": f"heard_csrf={token}"},
        )
        assert response.status_code == 303
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("heard_session=")
    )
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_a_disabled_account_is_signed_out_everywhere_and_its_tokens_stop(
    workspace: WorkspaceUnderTest,
) -> None:
    coordinator = workspace.web("coordinator")
    api = workspace.bearer("coordinator")
    admin = workspace.web("admin")
    done = admin.post("/users", {"action": "disable", "email": workspace.email("coordinator")})
    assert done.status_code == 200 and "is disabled" in done.text
    assert coordinator.get("/safety").status_code == 303  # signed out
    assert api.get("/api/me").status_code == 401
    assert workspace.anonymous().sign_in(workspace.email("coordinator")).status_code == 400
    own = admin.post("/users", {"action": "disable", "email": workspace.email("admin")})
    assert own.status_code == 400 and "your own account" in own.text
    admin.post("/users", {"action": "enable", "email": workspace.email("coordinator")})
    assert workspace.anonymous().sign_in(workspace.email("coordinator")).status_code == 303
    assert api.get("/api/me").status_code == 401  # tokens stay revoked
    assert "user disabled" in admin.get("/audit").text


def test_the_users_page_answers_odd_token_ids_and_long_group_names(
    brains: Brains, sql_store: SqlStore, tmp_path: Path
) -> None:
    """On SQLite and PostgreSQL: a token id that is not a number, or overflows the column, and
    a working group named past its column's size get a reason (they were 500s)."""
    with running_workspace(brains, sql_store, tmp_path) as workspace:
        admin = workspace.web("admin")
        for odd in ("abc", "²", "9" * 30, ""):
            answer = admin.post("/users", {"action": "revoke", "token_id": odd})
            assert answer.status_code == 400 and "Choose a token to revoke" in answer.text
        added = admin.post(
            "/users",
            {
                "action": "add", "email": "new@example.org", "password": PASSWORD,
                "role": "member", "groups": "g" * 201,
            },
        )
        assert added.status_code == 400 and "at most 200 characters" in added.text
        assert "new@example.org" not in admin.get("/users").text
