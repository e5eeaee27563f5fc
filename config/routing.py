"""WebSocket routes. Each app contributes its own list."""

from django.urls import path

from budgeting.live.routing import websocket_urlpatterns as live_urlpatterns
from citizens.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    *live_urlpatterns,
]
