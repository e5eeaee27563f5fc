"""The tablets' cast, answered in one thread hop instead of Django's whole ASGI chain.

A cast is the hot path of a live session. Under ASGI, Django runs every step of a
synchronous middleware (Django's own are ``MiddlewareMixin`` classes; WhiteNoise is sync
only) in the process's one thread-sensitive executor: about twenty thread hops per request,
queued behind every other request of the process. Measured on this project's benchmark, that
chain cost more server CPU than the cast's own database work.

``KioskCastRoute`` wraps Django's ASGI application and takes only the POSTs to the cast URL.
It reads the (small, bounded) body on the event loop, then runs the rest in one hop to the
cast pool's thread (``kiosk.in_cast_pool``): the same security middleware in their
synchronous form (SecurityMiddleware, LocaleMiddleware, CsrfViewMiddleware including its view
check, XFrameOptionsMiddleware), CommonMiddleware's ALLOWED_HOSTS check, the same view code
(``kiosk.cast_response``: device credential, JSON, ``services.kiosk_cast``), and Django's
exception handling. Sessions,
authentication and messages are not involved: a tablet is identified by its device cookie.
Every other request, and every other method on this URL, goes to Django unchanged.
"""

import io

from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import JsonResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import reverse
from django.utils.translation import gettext as _

# A ballot is a token, a key and a list of project ids: a few hundred bytes.
MAX_BODY = 64 * 1024


class _Responder(ASGIHandler):
    """Django's request parsing and response sending, around a short synchronous chain."""

    def __init__(self):  # no super().__init__(): the full middleware chain is not loaded
        from budgeting.live.views import kiosk

        self.view = kiosk.kiosk_cast  # what CSRF checks (never csrf_exempt)
        self.cast_response = kiosk.cast_response
        self.csrf = CsrfViewMiddleware(self._checked_view)
        self.respond = kiosk.in_cast_pool(
            convert_exception_to_response(
                SecurityMiddleware(LocaleMiddleware(XFrameOptionsMiddleware(self.csrf)))
            )
        )

    def _checked_view(self, request):
        # ALLOWED_HOSTS, as CommonMiddleware checks it: DisallowedHost becomes a 400.
        request.get_host()
        refused = self.csrf.process_view(request, self.view, (), {})
        if refused is not None:
            return refused
        return self.cast_response(request)

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
                await self.send_response(response, send)
                return
            if not message.get("more_body"):
                break
        request, error = self.create_request(scope, io.BytesIO(bytes(body)))
        response = error if request is None else await self.respond(request)
        await self.send_response(response, send)


class KioskCastRoute:
    """ASGI middleware: POSTs to the kiosk's cast URL take the fast path."""

    def __init__(self, app):
        self.app = app
        self._path: str | None = None
        self._responder: _Responder | None = None

    def _route(self) -> str:
        if self._path is None:
            self._path = reverse("pb_live:kiosk-cast")
            self._responder = _Responder()
        return self._path

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and scope.get("root_path", "") + scope["path"] == self._route()
        ):
            return await self._responder.serve(scope, receive, send)
        return await self.app(scope, receive, send)
