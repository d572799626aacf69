"""The one webhook route every channel's `Inbound` is served by (bot.channels.base lists the
steps): unavailable, verify, parse, normalise the address, record and commit, answer.

Refusals change nothing: an unverified request (403) is answered before anything is parsed or
stored, and (for a channel that signs only headers) before its body is read; what `parse`
refuses (400) and what the channel cannot take yet (503) store nothing either. Log lines name
the channel and the reason, never the request's content.
"""

from __future__ import annotations

import dataclasses
import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels.base import (
    Answer,
    DeliveryStatus,
    Inbound,
    InboundMessage,
    Malformed,
    NotReady,
    Recorder,
    StatusRecorder,
    WebhookRequest,
)

log = logging.getLogger("heard.webhooks")

FORBIDDEN = Answer(403, "forbidden")
RETRY_AFTER_SECONDS = 30


def not_ready() -> Answer:
    return Answer(503, "not ready, try again", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _response(answer: Answer) -> Response:
    return Response(
        answer.body, status_code=answer.status, media_type=answer.media_type,
        headers=dict(answer.headers),
    )


def _target(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def inbound_route(inbound: Inbound, recorder: Recorder, statuses: StatusRecorder) -> Route:
    """The POST route of one `Inbound`."""

    async def receive(request: Request) -> Response:
        answer = inbound.unavailable()
        if answer is not None:
            return _response(answer)
        received_request = WebhookRequest(
            target=_target(request),
            headers=request.headers,
            query=request.query_params,
            body=await request.body() if inbound.verifies_body else b"",
        )
        why_not = inbound.verify(received_request)
        if why_not is not None:
            log.warning("%s webhook refused: %s", inbound.channel, why_not)
            return _response(FORBIDDEN)
        if not inbound.verifies_body:
            received_request = dataclasses.replace(received_request, body=await request.body())
        try:
            received = await inbound.parse(received_request)
        except Malformed as exc:
            log.warning("%s webhook: refused as malformed (%s)", inbound.channel, exc)
            return _response(inbound.malformed(str(exc)))
        except NotReady as exc:
            log.warning("%s webhook: not ready (%s); answered 503", inbound.channel, exc)
            return _response(not_ready())
        if isinstance(received, InboundMessage):
            address = inbound.normalise_address(received.address)
            await recorder.record(dataclasses.replace(received, address=address))
        elif isinstance(received, DeliveryStatus):
            await statuses.record_status(received)
        return _response(inbound.accepted(received))

    return Route(inbound.path, receive, methods=["POST"])
