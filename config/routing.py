"""WebSocket routes. Each app contributes its own list."""

from django.urls import path, re_path

from assemblies.motions.routing import websocket_urlpatterns as motions_urlpatterns
from budgeting.live.routing import websocket_urlpatterns as live_urlpatterns
from citizens.consumers import NotificationConsumer
from core.websocket import NotFoundConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    *live_urlpatterns,
    *motions_urlpatterns,
    re_path(r"", NotFoundConsumer.as_asgi()),  # anything else: 4404 after accept
]
