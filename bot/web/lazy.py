"""Routes built on first use, so a service starts without importing what only they need.

`LazyRoutes(build)` stands in a router's route list for the routes `build()` returns and behaves
exactly as if those routes were listed in its place: the same full and partial (405) matches in
the same order, the same trailing-slash redirects, the same `url_for` names, and `scope["route"]`
is the inner route, as it would be. `build` runs once, on the first request that reaches this
point of the list (a request an earlier route matches, such as `/healthz` or a webhook, never
builds it), or on the first `url_for` or `routes` that needs it. It runs synchronously, inside
that first request, so the first request is served by the complete routes and no request can
see half of them; a `build` that raises fails that request (a 500) and is tried again on the
next one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

# The inner route a match chose, carried in the child scope from `matches` to `handle` (the
# router merges the one into the scope it passes to the other) and removed there.
_CHOSEN = "heard.lazy_route"


class LazyRoutes(BaseRoute):
    def __init__(self, build: Callable[[], Sequence[BaseRoute]]) -> None:
        self._build = build
        self._routes: list[BaseRoute] | None = None

    @property
    def built(self) -> bool:
        return self._routes is not None

    @property
    def routes(self) -> list[BaseRoute]:
        if self._routes is None:
            self._routes = list(self._build())
        return self._routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        partial: tuple[Match, Scope] = (Match.NONE, {})
        for route in self.routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return match, {**child_scope, _CHOSEN: route}
            if match is Match.PARTIAL and partial[0] is Match.NONE:
                partial = (match, {**child_scope, _CHOSEN: route})
        return partial

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope.pop(_CHOSEN)
        scope["route"] = route
        await route.handle(scope, receive, send)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(built={self.built})"
