"""WebSocket routes of live voting (included by config/routing.py)."""

from django.urls import path

from budgeting.live.consumers import KioskConsumer, ProcessLiveConsumer, SessionLiveConsumer

websocket_urlpatterns = [
    path("ws/live/processes/<int:pk>/", ProcessLiveConsumer.as_asgi()),
    path("ws/live/sessions/<int:pk>/", SessionLiveConsumer.as_asgi()),
    path("ws/live/kiosk/", KioskConsumer.as_asgi()),
]
