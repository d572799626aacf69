"""The HTTP client under Heard's Twilio sender.

Twilio's library has no base-URL setting, so pointing it at a local double of the REST API
(`TWILIO_API_BASE_URL`) means rewriting each request's scheme and host. The client also keeps
the last response per thread, because `TwilioRestException` drops the response headers and a
429's `Retry-After` lives there.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response


class HeardTwilioHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no types
    def __init__(self, timeout: float, api_base_url: str | None = None) -> None:
        # max_retries=None keeps requests' default of no retries: the outbox owns retrying.
        super().__init__(timeout=timeout, max_retries=None)
        self._base = urlsplit(api_base_url.rstrip("/")) if api_base_url else None
        self._local = threading.local()

    def rewrite(self, url: str) -> str:
        """The URL actually requested: unchanged, or moved under the configured base URL."""
        if self._base is None:
            return url
        parts = urlsplit(url)
        return urlunsplit(
            (self._base.scheme, self._base.netloc, self._base.path + parts.path, parts.query, "")
        )

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        self._local.last_response = None
        response: Response = super().request(method, self.rewrite(url), *args, **kwargs)
        self._local.last_response = response
        return response

    def last_response_in_this_thread(self) -> Response | None:
        """The response to this thread's last request, or None if it got no response."""
        response: Response | None = getattr(self._local, "last_response", None)
        return response

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
