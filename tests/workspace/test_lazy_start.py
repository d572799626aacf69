"""The workspace is built at its first request (bot.web.lazy), so `heard run` answers /healthz
and the webhooks without importing its web stack; the first request, whatever it is, gets the
whole workspace."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.workspace.harness import WorkspaceUnderTest

REPOSITORY = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: which modules a start imports is only visible there.
_START_THEN_SIGN_IN = """
import json, sys
from starlette.testclient import TestClient
from bot.app import create_app
from bot.config import load_settings

WEB_STACK = ("fastapi", "pydantic", "jinja2", "bot.workspace.app", "bot.workspace.web")
app = create_app(load_settings({"HEARD_DATA_DIR": sys.argv[1]}), workers=False)
out = {}
with TestClient(app) as client:
    out["healthz"] = client.get("/healthz").status_code
    out["imported_before"] = [m for m in WEB_STACK if m in sys.modules]
    # A request no earlier route matches in full builds the workspace (its routes might).
    out["healthz_post"] = client.post("/healthz").status_code
    slash = client.get("/healthz/", follow_redirects=False)
    out["healthz_slash"] = [slash.status_code, slash.headers.get("location", "")]
    page = client.get("/sign-in")
    out["sign_in"] = [page.status_code, 'name="password"' in page.text]
    out["imported_after"] = [m for m in WEB_STACK if m in sys.modules]
print(json.dumps(out))
"""


def test_healthz_answers_without_the_workspace_web_stack_and_the_workspace_then_works(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _START_THEN_SIGN_IN, str(tmp_path)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["healthz"] == 200
    # The routes before the workspace behave as before: wrong method, trailing slash.
    assert out["healthz_post"] == 405
    assert out["healthz_slash"] == [307, "http://testserver/healthz"]
    assert out["imported_before"] == []
    assert out["sign_in"] == [200, True]
    assert set(out["imported_after"]) == {
        "fastapi",
        "pydantic",
        "jinja2",
        "bot.workspace.app",
        "bot.workspace.web",
    }


def test_the_first_request_to_the_workspace_gets_its_openapi(
    workspace: WorkspaceUnderTest,
) -> None:
    schema = workspace.bearer("member").get("/api/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Heard workspace API"
    assert any(path.startswith("/views") for path in schema.json()["paths"])
    assert workspace.web("member").get("/views").status_code == 200
