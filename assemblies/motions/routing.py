"""WebSocket routes of meeting motions (included by config/routing.py)."""

from django.urls import path

from assemblies.motions.consumers import (
    ChairConsoleConsumer,
    MeetingMotionsConsumer,
    RoomKioskConsumer,
)

websocket_urlpatterns = [
    path("ws/motions/meetings/<int:pk>/", MeetingMotionsConsumer.as_asgi()),
    path("ws/motions/chair/<int:pk>/", ChairConsoleConsumer.as_asgi()),
    path("ws/motions/kiosk/", RoomKioskConsumer.as_asgi()),
]
