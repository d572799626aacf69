"""A local double of the Telegram Bot API (`/bot<token>/<method>`), and builders of updates.

Answers are exact Bot API objects (`{"ok": true, "result": ...}`; users with `is_bot`, dates in
seconds), because python-telegram-bot rejects anything else. Programmed replies per method
(flood control, server errors, a blocked bot, slow answers) are played one per call before
answering normally. Long polling answers at once instead of waiting.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def error(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


@dataclass(frozen=True)
class Reply:
    """A programmed answer to one call. `status` None means: answer normally, after `delay`."""

    status: int | None
    body: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0


def flood_control(retry_after: int = 3) -> Reply:
    return Reply(
        429,
        error(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after),
    )


def server_error() -> Reply:
    return Reply(500, error(500, "Internal Server Error"))


def blocked_by_user() -> Reply:
    return Reply(403, error(403, "Forbidden: bot was blocked by the user"))


def bad_request(description: str = "Bad Request: message is too long") -> Reply:
    return Reply(400, error(400, description))


def slow(seconds: float) -> Reply:
    return Reply(None, delay=seconds)


@dataclass(frozen=True)
class SentMessage:
    chat_id: str
    text: str
    reply_markup: dict[str, Any] | None
    parse_mode: str | None


class FakeTelegramApi:
    def __init__(self, token: str, bot_id: int = 7700900000, username: str = "heard_test_bot"):
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Heard",
            "username": username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.sent: list[SentMessage] = []
        self.webhook: dict[str, Any] | None = None
        # language_code ("" for none) -> the commands set for it, as sent
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.updates: deque[dict[str, Any]] = deque()
        # Called with the offset of a getUpdates that confirms earlier updates, before Telegram
        # forgets them: the moment a poller has said "received".
        self.on_confirm: Callable[[int], None] | None = None
        # Called with the parameters of each getUpdates, before it is answered.
        self.on_get_updates: Callable[[dict[str, Any]], None] | None = None
        self._script: defaultdict[str, deque[Reply]] = defaultdict(deque)
        self._next_message_id = 1
        self._methods: dict[str, Callable[[dict[str, Any]], tuple[int, Any]]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "setMyCommands": self._set_my_commands,
        }
        self.app = Starlette(
            routes=[Route("/bot{token}/{method}", self._dispatch, methods=["GET", "POST"])]
        )

    def program(self, method: str, *replies: Reply) -> None:
        """Queue replies for calls of `method` (for example "sendMessage")."""
        self._script[method].extend(replies)

    def queue_update(self, update: dict[str, Any]) -> None:
        self.updates.append(update)

    async def _dispatch(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse(error(401, "Unauthorized"), status_code=401)
        method = request.path_params["method"]
        params = await _params(request)
        self.calls.append((method, params))
        script = self._script[method]
        reply = script.popleft() if script else Reply(None)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status is not None:
            return JSONResponse(reply.body, status_code=reply.status)
        if method == "getUpdates":
            if self.on_get_updates is not None:
                self.on_get_updates(params)
            await self._long_poll(params)
        handler = self._methods.get(method)
        if handler is None:
            return JSONResponse(error(404, "Not Found"), status_code=404)
        status, result = handler(params)
        if status != 200:
            return JSONResponse(result, status_code=status)
        return JSONResponse({"ok": True, "result": result})

    async def _long_poll(self, params: dict[str, Any]) -> None:
        """As Telegram does: with `timeout` and nothing to return, wait for an update (up to a
        few seconds here) before answering."""
        try:
            wait = min(float(params.get("timeout") or 0), 5.0)
        except ValueError:
            wait = 0.0
        deadline = time.monotonic() + wait
        while not self.updates and not self.webhook and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    def _get_me(self, params: dict[str, Any]) -> tuple[int, Any]:
        return 200, self.bot_user

    def _send_message(self, params: dict[str, Any]) -> tuple[int, Any]:
        chat_id, text = params.get("chat_id"), params.get("text")
        if chat_id in (None, ""):
            return 400, error(400, "Bad Request: chat_id is empty")
        if not text:
            return 400, error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return 400, error(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        self.sent.append(SentMessage(str(chat_id), text, markup, params.get("parse_mode")))
        message_id, self._next_message_id = self._next_message_id, self._next_message_id + 1
        return 200, {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": {"id": int(chat_id), "first_name": "Sam", "type": "private"},
            "date": int(time.time()),
            "text": text,
        }

    def _set_webhook(self, params: dict[str, Any]) -> tuple[int, Any]:
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = params
        return 200, True

    def _set_my_commands(self, params: dict[str, Any]) -> tuple[int, Any]:
        commands = params.get("commands")
        if isinstance(commands, str):
            commands = json.loads(commands)
        if not isinstance(commands, list) or len(commands) > 100:
            return 400, error(400, "Bad Request: commands are wrong")
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(description) <= 256:
                return 400, error(400, "Bad Request: BOT_COMMAND_INVALID")
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            return 400, error(400, "Bad Request: invalid language code specified")
        self.commands[language] = commands
        return 200, True

    def _delete_webhook(self, params: dict[str, Any]) -> tuple[int, Any]:
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = None
        return 200, True

    def _get_webhook_info(self, params: dict[str, Any]) -> tuple[int, Any]:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook:
            info["max_connections"] = int(self.webhook.get("max_connections", 40))
        return 200, info

    def _get_updates(self, params: dict[str, Any]) -> tuple[int, Any]:
        if self.webhook:
            return 409, error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        # Asking from `offset` confirms every earlier update: Telegram forgets them.
        if self.on_confirm is not None and self.updates and self.updates[0]["update_id"] < offset:
            self.on_confirm(offset)
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()
        return 200, list(self.updates)[:limit]


async def _params(request: Request) -> dict[str, Any]:
    """Bot API parameters from a query string, JSON body or form (values that are JSON objects,
    such as reply_markup, arrive JSON-encoded in forms)."""
    params: dict[str, Any] = dict(request.query_params)
    if request.method != "POST":
        return params
    body = (await request.body()).decode()
    if request.headers.get("content-type", "").startswith("application/json"):
        params.update(json.loads(body) if body else {})
        return params
    for key, value in parse_qsl(body, keep_blank_values=True):
        params[key] = _maybe_json(value)
    return params


def _maybe_json(value: str) -> Any:
    if value[:1] in ("{", "[") or value in ("true", "false"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# Builders of updates as Telegram sends them.


def user(user_id: int, first_name: str = "Sam") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def private_chat(chat_id: int, first_name: str = "Sam") -> dict[str, Any]:
    return {"id": chat_id, "first_name": first_name, "type": "private"}


def message(
    chat_id: int, text: str | None, date: int, message_id: int = 1, chat_type: str = "private"
) -> dict[str, Any]:
    chat = (
        private_chat(chat_id)
        if chat_type == "private"
        else {"id": chat_id, "title": "Carers group", "type": chat_type}
    )
    msg: dict[str, Any] = {
        "message_id": message_id,
        "from": user(chat_id if chat_type == "private" else 7700900123),
        "chat": chat,
        "date": date,
    }
    if text is None:
        msg["photo"] = [
            {"file_id": "AgACAgQAAxkBAAMF", "file_unique_id": "AQADF", "width": 90, "height": 90}
        ]
    else:
        msg["text"] = text
        if text.startswith("/"):
            command = text.split(" ", 1)[0]
            msg["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    return msg


def text_update(update_id: int, chat_id: int, text: str, date: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": message(chat_id, text, date)}


def photo_update(update_id: int, chat_id: int, date: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": message(chat_id, None, date)}


def group_text_update(update_id: int, chat_id: int, text: str, date: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": message(chat_id, text, date, chat_type="group")}


def edited_text_update(update_id: int, chat_id: int, text: str, date: int) -> dict[str, Any]:
    edited = message(chat_id, text, date)
    edited["edit_date"] = date + 30
    return {"update_id": update_id, "edited_message": edited}


def callback_query_update(update_id: int, chat_id: int, data: str, date: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": user(chat_id),
            "chat_instance": "-7700900000",
            "data": data,
            "message": message(chat_id, "Do you agree?", date),
        },
    }


def blocked_update(update_id: int, chat_id: int, bot: dict[str, Any], date: int) -> dict[str, Any]:
    """`my_chat_member`: the person blocked the bot."""
    return {
        "update_id": update_id,
        "my_chat_member": {
            "chat": private_chat(chat_id),
            "from": user(chat_id),
            "date": date,
            "old_chat_member": {"user": bot, "status": "member"},
            "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
        },
    }
