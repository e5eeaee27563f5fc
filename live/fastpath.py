"""Live votes answered in one thread hop instead of Django's asynchronous chain.

A vote is the hot path of a live screen: a PB tablet's cast, a member's vote on a motion, a
room tablet's vote. Under ASGI, Django runs every step of a synchronous middleware (Django's
own are ``MiddlewareMixin`` classes) and every synchronous view in the process's one
thread-sensitive executor: about twenty thread hops per request, queued behind every other
request of the process. Measured on this project's benchmarks, those hops cost more server
CPU than the vote's own database work, and a burst of votes queued for seconds.

``FastPath`` wraps Django's ASGI application and takes only the POSTs to the URLs of its
route table (``{view name: synchronous view, or None for the URL's own view}``, in
config/asgi.py). It reads the (small, bounded) body on the event loop, then hands the
request in one hop to the vote pool's thread (``in_vote_pool``), where a synchronous Django
handler (what ``WSGIHandler`` is) runs it: the middleware chain of ``settings.MIDDLEWARE``,
built by Django's own ``load_middleware``, URL resolution against the site's URL conf, view
middleware (CSRF's view check), the view and Django's exception handling. The only
difference from Django's ASGI path is that a route may name the synchronous body of an
asynchronous view (PB's kiosk cast is async so that Django's own path also reaches the pool).

Nothing is skipped: a middleware added to the setting runs here too. One that can only run
asynchronously would bring the thread hops back, so it stops the server at start-up, as does
a route whose view is asynchronous. Every other request, and every other method on these
URLs, goes to Django unchanged. The path is matched by a regular expression built from the
site's URL conf at start-up; the handler then resolves the request as Django does, so the
two never disagree on which view answers.

The pool: a few long-lived threads per server process (``PB_LIVE_CAST_THREADS``) whose
database connections are kept between votes (``PB_LIVE_POOL_CONN_MAX_AGE``), where a
per-request thread would connect, and PostgreSQL fork a backend, on every vote.
"""

import io
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.db import close_old_connections, connections
from django.http import JsonResponse
from django.urls import URLResolver, get_resolver
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from live.conf import live_setting

# A vote is a token, a key and a few ids, or a short form: a few hundred bytes.
MAX_BODY = 64 * 1024

# The vote pool ----------------------------------------------------------------------------

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_pool_local = threading.local()
POOL_THREAD_PREFIX = "live-vote"


def keep_pool_connections() -> None:
    """A pool thread lives as long as the server, so its connection may too: it is kept for
    PB_LIVE_POOL_CONN_MAX_AGE seconds from when it opened, whatever CONN_MAX_AGE says (0 in
    production under ASGI, for the per-request threads that would leak one each). Broken or
    unusable connections are still closed by close_old_connections."""
    max_age = live_setting("PB_LIVE_POOL_CONN_MAX_AGE")
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        opened = getattr(_pool_local, "opened", {})
        if opened.get(conn.alias) is not conn.connection:
            opened[conn.alias] = conn.connection
            _pool_local.opened = opened
            conn.close_at = time.monotonic() + max_age


# A pool connection used without error this recently is trusted without CONN_HEALTH_CHECKS'
# "SELECT 1": under load that was one database round trip more per vote (a fifth of a cast's
# time in its thread). A connection idle for longer is checked as Django would.
TRUSTED_FOR = 1.0  # seconds


def _trust_recent_connections() -> list[str]:
    """Skip the health check of the connections used without error within TRUSTED_FOR; their
    aliases."""
    used = getattr(_pool_local, "used", {})
    now = time.monotonic()
    trusted = []
    for conn in connections.all(initialized_only=True):
        last = used.get(conn.alias)
        if (
            last is not None
            and last[0] is conn.connection
            and now - last[1] < TRUSTED_FOR
            and not conn.errors_occurred
        ):
            conn.health_check_done = True
            trusted.append(conn.alias)
    return trusted


def _failed_on_trusted(trusted: list[str], response) -> bool:
    """Did a server error come from a trusted connection that had died meanwhile?"""
    return getattr(response, "status_code", 0) >= 500 and any(
        connections[alias].errors_occurred for alias in trusted
    )


def _note_used_connections() -> None:
    used = getattr(_pool_local, "used", None)
    if used is None:
        used = _pool_local.used = {}
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.errors_occurred:
            used[conn.alias] = (conn.connection, now)
        else:
            used.pop(conn.alias, None)


def vote_pool_call(func):
    """``func`` as a vote pool thread runs it: its connections kept, recently used ones trusted.

    If a trusted connection turns out dead (the database restarted within TRUSTED_FOR), the
    request's transaction never committed on it: it is answered once more on a fresh, checked
    connection instead of with a 500 (a member would otherwise have to vote again).
    """

    def pooled(*args, **kwargs):
        close_old_connections()
        trusted = _trust_recent_connections()
        try:
            result = func(*args, **kwargs)
            if trusted and _failed_on_trusted(trusted, result):
                close_old_connections()  # closes the dead connection; the retry opens one
                result = func(*args, **kwargs)
            return result
        finally:
            keep_pool_connections()
            close_old_connections()
            _note_used_connections()

    return pooled


def in_vote_pool(func):
    """``func`` as a coroutine that runs in the vote pool, where votes' database work runs.

    PB_LIVE_CAST_THREADS = 0 runs it in Django's thread for sync code instead (tests, whose
    transaction a pool thread would not see).
    """
    global _pool

    pooled = vote_pool_call(func)
    threads = live_setting("PB_LIVE_CAST_THREADS")
    if not threads:  # the request's own connection, which Django's request signals manage
        return sync_to_async(func)
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=POOL_THREAD_PREFIX)
    return sync_to_async(pooled, thread_sensitive=False, executor=_pool)


# The route table --------------------------------------------------------------------------


def url_patterns(resolver: URLResolver | None = None) -> dict[str, tuple[re.Pattern, Callable]]:
    """{view name ("namespace:name"): (the regular expression of its path, its view)}, from
    the URL conf. The first pattern of a name wins, as in ``reverse``. Only a pre-filter:
    the handler resolves each request as Django does.
    """
    found: dict[str, tuple[re.Pattern, Callable]] = {}

    def walk(node: URLResolver, prefix: str, namespaces: tuple[str, ...]) -> None:
        for pattern in node.url_patterns:
            regex = pattern.pattern.regex.pattern.removeprefix("^")
            if isinstance(pattern, URLResolver):
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                walk(pattern, prefix + regex, inner)
            elif pattern.name:
                name = ":".join((*namespaces, pattern.name))
                found.setdefault(name, (re.compile(prefix + regex), pattern.callback))

    root = resolver or get_resolver()
    walk(root, root.pattern.regex.pattern.removeprefix("^"), ())
    return found


def _synchronous(view: Callable, name: str) -> Callable:
    if iscoroutinefunction(view):
        raise ImproperlyConfigured(
            f"The fast path runs views synchronously; {name} is asynchronous: name its "
            "synchronous body in the route table."
        )
    return view


class FastHandler(BaseHandler):
    """Django's synchronous request handler, with the chain of ``settings.MIDDLEWARE``; the
    routes' views replace the ones their URLs resolve to."""

    def __init__(self, views: dict[str, Callable]):
        super().__init__()
        async_only = [
            name
            for name in settings.MIDDLEWARE
            if not getattr(import_string(name), "sync_capable", True)
        ]
        if async_only:
            raise ImproperlyConfigured(
                "The live fast path runs settings.MIDDLEWARE synchronously; make these "
                f"middleware sync-capable: {', '.join(async_only)}"
            )
        self.load_middleware(is_async=False)
        self.views = views

    def resolve_request(self, request):
        match = super().resolve_request(request)
        view = self.views.get(match.view_name)
        if view is not None:
            match.func = view
        return match


class FastPath:
    """ASGI middleware: POSTs to the route table's URLs take the fast path."""

    def __init__(self, app: ASGIHandler, routes: dict[str, Callable | str | None]):
        if not isinstance(app, ASGIHandler):
            raise ImproperlyConfigured("FastPath wraps Django's ASGI application.")
        self.app = app
        patterns = url_patterns()
        views, self.regexes = {}, []
        for name, view in routes.items():
            if name not in patterns:
                raise ImproperlyConfigured(f"The fast path's route {name} is not in the URL conf.")
            regex, own_view = patterns[name]
            if isinstance(view, str):
                view = import_string(view)
            views[name] = _synchronous(view or own_view, name)
            self.regexes.append(regex)
        # At start-up: a chain the fast path cannot run stops the server here.
        self.respond = in_vote_pool(FastHandler(views).get_response)

    def takes(self, scope) -> bool:
        if scope["type"] != "http" or scope.get("method") != "POST":
            return False
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]  # Django's path_info
        return any(regex.match(path) for regex in self.regexes)

    async def __call__(self, scope, receive, send):
        if self.takes(scope):
            return await self.serve(scope, receive, send)
        return await self.app(scope, receive, send)

    async def serve(self, scope, receive, send) -> None:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                error = _("The request is too large.")
                response = JsonResponse(
                    {"ok": False, "code": "too_large", "errors": [error], "message": error},
                    status=413,
                )
                await self.app.send_response(response, send)
                return
            if not message.get("more_body"):
                break
        request, error = self.app.create_request(scope, io.BytesIO(bytes(body)))
        response = error if request is None else await self.respond(request)
        await self.app.send_response(response, send)
