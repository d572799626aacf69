"""Refuse any connection or name lookup beyond this machine, and remember each attempt.

Code under test may swallow the refusal (a sender turns network errors into "retry later"), so
callers also check `refused` afterwards: a test that reached for the network fails either way.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class NonLoopbackConnection(RuntimeError):
    """Not an OSError on purpose: HTTP clients turn OSErrors into their own connection errors."""


def is_loopback(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the local wildcard, used for binding
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class NetworkGuard:
    def __init__(self) -> None:
        self.refused: list[str] = []

    def _refuse(self, what: str) -> None:
        self.refused.append(what)
        raise NonLoopbackConnection(f"tests may not reach {what}: use a local fake")

    @contextmanager
    def installed(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_getaddrinfo = socket.getaddrinfo

        def check(sock: socket.socket, address: Any) -> None:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):
                self._refuse(str(address[0]))

        def connect(sock: socket.socket, address: Any) -> None:
            check(sock, address)
            real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            check(sock, address)
            return real_connect_ex(sock, address)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not is_loopback(host):
                self._refuse(str(host))
            return real_getaddrinfo(host, *args, **kwargs)

        with monkeypatch.context() as patch:
            patch.setattr(socket.socket, "connect", connect)
            patch.setattr(socket.socket, "connect_ex", connect_ex)
            patch.setattr(socket, "getaddrinfo", getaddrinfo)
            yield self
