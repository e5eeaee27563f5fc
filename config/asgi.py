"""ASGI entry point: HTTP goes to Django, WebSockets through auth and an Origin check.

Live votes (a PB tablet's cast, a member's vote on a motion, a room tablet's vote) take a
fast path beside Django's asynchronous middleware chain, with the same middleware and
security checks (live/fastpath.py): POSTs to the URLs named in ``FAST_ROUTES``.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from config.websocket import OriginValidator  # noqa: E402
from live.fastpath import FastPath  # noqa: E402

# {URL name: the synchronous view the fast path runs, or None for the URL's own view}
FAST_ROUTES = {
    "pb_live:kiosk-cast": "budgeting.live.fastpath.cast",
    "motions:vote": None,
    "motions:kiosk-vote": None,
}

application = ProtocolTypeRouter(
    {
        "http": FastPath(django_asgi_app, FAST_ROUTES),
        "websocket": OriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
