"""Twilio signs the URL it called plus every form field; Heard checks against its public URL."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.twilio_sms.webhook import TwilioWebhookVerifier
from tests.fakes.twilio_api import inbound_form

TOKEN = "test-auth-token-not-real"
ACCOUNT = "AC" + "f" * 32
PUBLIC = "https://heard.example.org"
PATH = "/webhooks/twilio/sms"
FORM = inbound_form(ACCOUNT, from_="+447700900123", body="Yes please")


def sign(url: str, form: dict[str, str], token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, form))


@pytest.mark.parametrize(
    ("public_url", "path", "received_form", "signature", "expected"),
    [
        pytest.param(PUBLIC, PATH, FORM, sign(PUBLIC + PATH, FORM), True, id="valid"),
        pytest.param(
            PUBLIC + "/", PATH, FORM, sign(PUBLIC + PATH, FORM), True, id="base-url-trailing-slash"
        ),
        pytest.param(
            PUBLIC + ":443", PATH, FORM, sign(PUBLIC + PATH, FORM), True, id="explicit-port-443"
        ),
        pytest.param(
            PUBLIC,
            PATH + "?site=cardiff",
            FORM,
            sign(PUBLIC + PATH + "?site=cardiff", FORM),
            True,
            id="query-string-in-path",
        ),
        pytest.param(
            PUBLIC,
            PATH,
            FORM,
            sign(PUBLIC + PATH, FORM, token="another-token-not-real"),
            False,
            id="signed-with-another-token",
        ),
        pytest.param(PUBLIC, PATH, FORM, None, False, id="missing-signature"),
        pytest.param(PUBLIC, PATH, FORM, "", False, id="empty-signature"),
        pytest.param(
            PUBLIC,
            PATH,
            {**FORM, "Body": "No"},
            sign(PUBLIC + PATH, FORM),
            False,
            id="body-changed-after-signing",
        ),
        pytest.param(
            PUBLIC,
            PATH,
            {**FORM, "Extra": "1"},
            sign(PUBLIC + PATH, FORM),
            False,
            id="field-added-after-signing",
        ),
        pytest.param(
            PUBLIC,
            PATH,
            {**FORM, "AddOns": '{"status":"successful"}', "NewField2027": "x"},
            sign(PUBLIC + PATH, {**FORM, "AddOns": '{"status":"successful"}', "NewField2027": "x"}),
            True,
            id="unexpected-fields-signed-by-twilio",
        ),
        pytest.param(
            PUBLIC, "/webhooks/other", FORM, sign(PUBLIC + PATH, FORM), False, id="other-path"
        ),
    ],
)
def test_signature_is_checked_over_public_url_and_all_fields(
    public_url: str, path: str, received_form: dict[str, str], signature: str | None, expected: bool
) -> None:
    verifier = TwilioWebhookVerifier(TOKEN, public_url)
    assert verifier.verify(path, received_form, signature) is expected


@pytest.mark.parametrize(
    ("signed_url", "expected"),
    [
        pytest.param(PUBLIC + PATH, True, id="twilio-signed-the-public-https-url"),
        pytest.param("http://127.0.0.1:8000" + PATH, False, id="url-the-proxy-presents"),
        pytest.param("http://heard.example.org" + PATH, False, id="http-instead-of-https"),
    ],
)
def test_behind_a_tls_proxy_only_the_public_url_verifies(signed_url: str, expected: bool) -> None:
    # The app is reached at http://127.0.0.1:8000 through a proxy; it hands the verifier the path
    # only, and the verifier rebuilds the URL Twilio called from the configured base URL.
    verifier = TwilioWebhookVerifier(TOKEN, PUBLIC)
    assert verifier.verify(PATH, FORM, sign(signed_url, FORM)) is expected
