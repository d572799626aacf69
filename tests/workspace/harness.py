"""The workspace as its users meet it: the real app served on loopback with a SQLite file store,
one account per role, browser-like clients that sign in (CSRF handled) and bearer-token clients.
Fixtures in tests/workspace/conftest.py hand these out."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.clock import utcnow
from bot.workspace import accounts
from storage.records import ROLES, Role
from storage.sql import SqlStore
from tests.web.harness import Brains, Pipeline, pipeline

PASSWORD = "correct horse battery staple"
_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]*)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def email_of(role: Role) -> str:
    return f"{role}@heard.example.org"


class WebClient:
    """A browser without JavaScript: keeps cookies, follows no redirects by itself, and sends
    the session's CSRF token with every form (`post`) and API call (`api`)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30, follow_redirects=False)
        self.csrf = ""

    def close(self) -> None:
        self.http.close()

    def sign_in(self, email: str, password: str = PASSWORD, next_path: str = "/") -> httpx.Response:
        form_page = self.http.get("/sign-in", params={"next": next_path})
        found = _CSRF_INPUT.search(form_page.text)
        assert found, "the sign-in page has a CSRF field"
        response = self.http.post(
            "/sign-in",
            data={
                "email": email, "password": password, "csrf_token": found.group(1),
                "next": next_path,
            },
        )
        if response.status_code == 303:
            self.refresh_csrf()
        return response

    def refresh_csrf(self) -> None:
        home = self.http.get("/")
        found = _CSRF_META.search(home.text)
        self.csrf = found.group(1) if found else ""

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, data: Mapping[str, str] | None = None) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.csrf, **dict(data or {})})

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kwargs)


@dataclass
class WorkspaceUnderTest:
    heard: Pipeline  # the served app, its store, and `post_sms` through the signed webhook
    tokens: dict[Role, str] = field(default_factory=dict)
    _clients: list[WebClient | httpx.Client] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.heard.url

    @property
    def store(self) -> SqlStore:
        return self.heard.store

    def email(self, role: Role) -> str:
        return email_of(role)

    def anonymous(self) -> WebClient:
        client = WebClient(self.url)
        self._clients.append(client)
        return client

    def web(self, role: Role) -> WebClient:
        """A browser signed in as the account of `role`."""
        client = self.anonymous()
        response = client.sign_in(email_of(role))
        assert response.status_code == 303, response.text
        return client

    def bearer(self, role: Role) -> httpx.Client:
        """An API client with the personal token of the account of `role`."""
        client = httpx.Client(
            base_url=self.url, timeout=30, headers={"Authorization": f"Bearer {self.tokens[role]}"}
        )
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()


def add_accounts(
    store: SqlStore, extra_groups: Mapping[Role, list[str]] | None = None
) -> dict[Role, str]:
    """One account per role (the member in the group `carers`); returns each one's API token."""
    tokens: dict[Role, str] = {}
    groups = {"member": ["carers"], **dict(extra_groups or {})}
    with store.unit_of_work() as uow:
        for role in ROLES:
            user = accounts.add_user(
                uow, email_of(role), PASSWORD, role, groups.get(role, []), utcnow()
            )
            tokens[role] = accounts.issue_token(uow, user, "tests", utcnow())
        uow.commit()
    return tokens


@contextmanager
def running_workspace(
    brains: Brains,
    store: SqlStore,
    data_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    workers: bool = False,
) -> Iterator[WorkspaceUnderTest]:
    with pipeline(
        brains, store, data_dir, twilio=True, telegram=False, env=env, workers=workers
    ) as heard:
        under_test = WorkspaceUnderTest(heard, add_accounts(store))
        try:
            yield under_test
        finally:
            under_test.close()
