"""WebSocket Origin check against ALLOWED_HOSTS plus WEBSOCKET_ALLOWED_ORIGINS."""

from channels.security.websocket import OriginValidator as ChannelsOriginValidator
from django.conf import settings


def OriginValidator(application):  # noqa: N802 - mirrors channels' AllowedHostsOriginValidator
    allowed = list(settings.ALLOWED_HOSTS) + list(settings.WEBSOCKET_ALLOWED_ORIGINS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return ChannelsOriginValidator(application, allowed)
