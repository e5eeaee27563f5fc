"""The tablets' cast, answered in one thread hop instead of Django's asynchronous chain.

A cast is the hot path of a live session. Under ASGI, Django runs every step of a
synchronous middleware (Django's own are ``MiddlewareMixin`` classes) in the process's one
thread-sensitive executor: about twenty thread hops per request, queued behind every other
request of the process. Measured on this project's benchmark, those hops cost more server
CPU than the cast's own database work.

``KioskCastRoute`` wraps Django's ASGI application and takes only the POSTs to the cast URL.
It reads the (small, bounded) body on the event loop, then hands the request in one hop to
the cast pool's thread (``kiosk.in_cast_pool``), where a synchronous Django handler (what
``WSGIHandler`` is) runs it: the middleware chain of ``settings.MIDDLEWARE``, built by
Django's own ``load_middleware``, URL resolution, view middleware (CSRF's view check), the
view and Django's exception handling. The only difference from Django's ASGI path is the
view: the request resolves, through its own URL conf (``request.urlconf``), to ``cast``,
the synchronous body of the kiosk's async ``kiosk_cast`` view with the same decorators.

Nothing is skipped: a middleware added to the setting runs here too. One that can only run
asynchronously would bring the thread hops back, so it stops the server at start-up.
Every other request, and every other method on this URL, goes to Django unchanged.
"""

import io
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import JsonResponse
from django.urls import path, reverse, set_urlconf
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

# A ballot is a token, a key and a list of project ids: a few hundred bytes.
MAX_BODY = 64 * 1024


@never_cache
@require_POST
def cast(request):
    """The kiosk's cast view, synchronous (it already runs in the cast pool's thread)."""
    from budgeting.live.views.kiosk import cast_response

    return cast_response(request)


class CastURLConf:
    """The URL conf of fast-path requests: the cast URL only, with the site's error views."""

    def __init__(self, route: str):
        self.urlpatterns = [path(route.removeprefix("/"), cast, name="kiosk-cast")]
        root_module = import_module(settings.ROOT_URLCONF)
        for status in (400, 403, 404, 500):
            handler = getattr(root_module, f"handler{status}", None)
            if handler is not None:
                setattr(self, f"handler{status}", handler)


class CastHandler(BaseHandler):
    """Django's synchronous request handler, with the chain of ``settings.MIDDLEWARE``."""

    def __init__(self, route: str):
        super().__init__()
        async_only = [
            name
            for name in settings.MIDDLEWARE
            if not getattr(import_string(name), "sync_capable", True)
        ]
        if async_only:
            raise ImproperlyConfigured(
                "The kiosk's cast fast path runs settings.MIDDLEWARE synchronously; make "
                f"these middleware sync-capable: {', '.join(async_only)}"
            )
        self.load_middleware(is_async=False)
        self.urlconf = CastURLConf(route)

    def get_response(self, request):
        request.urlconf = self.urlconf
        try:
            return super().get_response(request)
        finally:
            set_urlconf(None)  # the pool's thread goes back to the site's URL conf


class KioskCastRoute:
    """ASGI middleware: POSTs to the kiosk's cast URL take the fast path."""

    def __init__(self, app: ASGIHandler):
        from budgeting.live.views import kiosk

        if not isinstance(app, ASGIHandler):
            raise ImproperlyConfigured("KioskCastRoute wraps Django's ASGI application.")
        self.app = app
        self.path = reverse("pb_live:kiosk-cast")
        # At start-up: a chain the fast path cannot run stops the server here.
        self.respond = kiosk.in_cast_pool(CastHandler(self.path).get_response)

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and scope.get("root_path", "") + scope["path"] == self.path
        ):
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
                response = JsonResponse(
                    {"ok": False, "code": "too_large", "errors": [_("Malformed ballot.")]},
                    status=413,
                )
                await self.app.send_response(response, send)
                return
            if not message.get("more_body"):
                break
        request, error = self.app.create_request(scope, io.BytesIO(bytes(body)))
        response = error if request is None else await self.respond(request)
        await self.app.send_response(response, send)
