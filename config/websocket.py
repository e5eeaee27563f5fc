"""The WebSocket Origin check: scheme, host and port, like Django's CSRF Origin check.

A browser's socket is allowed when its Origin is the page's own origin, i.e. the scheme
(``ws`` → ``http``, ``wss`` → ``https``, or ``https`` behind a proxy that says so through
``SECURE_PROXY_SSL_HEADER``) and the ``Host`` header (a host of ``ALLOWED_HOSTS``, with its
port), or one of ``WEBSOCKET_ALLOWED_ORIGINS`` (full origins such as
``https://live.example.org`` or ``https://*.example.org``, like ``CSRF_TRUSTED_ORIGINS``).
``http://127.0.0.1:9999`` is not the origin of a site on port 8000. A refused socket is
accepted and closed with 4403 so that the browser sees why (core/websocket.py).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http.request import split_domain_port, validate_host

from core.websocket import FORBIDDEN

DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_parts(value: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def trusted_origins() -> list[tuple[str, str, int]]:
    """WEBSOCKET_ALLOWED_ORIGINS as (scheme, host, port); a host may start with ``*.``."""
    trusted = []
    for value in settings.WEBSOCKET_ALLOWED_ORIGINS:
        wildcard = "://*." in value
        parts = _origin_parts(value.replace("://*.", "://", 1))
        if parts is None:
            raise ImproperlyConfigured(
                f"WEBSOCKET_ALLOWED_ORIGINS: {value!r} is not an origin such as "
                "'https://live.example.org' (scheme, host and optional port)."
            )
        scheme, host, port = parts
        trusted.append((scheme, f"*.{host}" if wildcard else host, port))
    return trusted


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _scheme(scope) -> str:
    if scope.get("scheme") in ("wss", "https"):
        return "https"
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        header, secure_value = proxy
        name = header.removeprefix("HTTP_").lower().replace("_", "-").encode()
        if _header(scope, name).split(",")[0].strip() == secure_value:
            return "https"
    return "http"


def _host(scope) -> str:
    """The Host the browser asked for, as Django's request.get_host() reads it."""
    if getattr(settings, "USE_X_FORWARDED_HOST", False):
        forwarded = _header(scope, b"x-forwarded-host").split(",")[0].strip()
        if forwarded:
            return forwarded
    return _header(scope, b"host")


def _allowed_hosts() -> list[str]:
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # as Django allows in DEBUG
    return allowed


def origin_allowed(scope) -> bool:
    origin = _origin_parts(_header(scope, b"origin"))
    if origin is None:
        return False  # missing, "null" or not http(s): never a page of this site
    scheme, host, port = origin
    for t_scheme, t_host, t_port in trusted_origins():
        if (t_scheme, t_port) == (scheme, port) and (
            host == t_host or (t_host.startswith("*.") and host.endswith(t_host[1:]))
        ):
            return True
    host = _host(scope)
    own = _origin_parts(f"{_scheme(scope)}://{host}")
    if own is None or own != origin:
        return False
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, _allowed_hosts())


class OriginValidator:
    """ASGI middleware for the WebSocket stack: a foreign Origin gets 4403 after accept."""

    def __init__(self, application):
        trusted_origins()  # fail at start-up on a malformed setting
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": FORBIDDEN, "reason": "origin"})
            return None
        return await self.application(scope, receive, send)
