"""WebSocket routes. Each app contributes its own list."""

from django.urls import path

from citizens.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
