"""ASGI entry point: HTTP goes to Django, WebSockets through auth and an Origin check.

The tablets' cast (POST /budgeting/live/kiosk/cast/) takes a fast path beside Django's
middleware chain, with the same security checks (budgeting/live/fastpath.py).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from budgeting.live.fastpath import KioskCastRoute  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from config.websocket import OriginValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": KioskCastRoute(django_asgi_app),
        "websocket": OriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
