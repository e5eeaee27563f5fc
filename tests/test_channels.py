import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from citizens.consumers import NotificationConsumer, user_group
from config.asgi import application
from config.websocket import OriginValidator, origin_allowed
from tests.citizens.factories import user_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _communicator(user, origin=b"http://127.0.0.1"):
    comm = WebsocketCommunicator(
        NotificationConsumer.as_asgi(), "/ws/notifications/", headers=[(b"origin", origin)]
    )
    comm.scope["user"] = user
    return comm


async def _close_code(comm) -> int:
    """Refusals come after accept (a handshake refused shows browsers 1006, not the code)."""
    connected, _ = await comm.connect()
    assert connected
    message = await comm.receive_output(timeout=3)
    assert message["type"] == "websocket.close"
    return message["code"]


async def test_anonymous_socket_is_refused_with_4401():
    assert await _close_code(_communicator(AnonymousUser())) == 4401


async def test_foreign_origin_is_refused_by_the_asgi_stack():
    """Through the whole stack, with a signed-in user's session cookie: without the Origin
    check this socket would connect; with it, it is closed with 4403 (not 4401)."""
    user = await sync_to_async(user_create)()
    client = Client()
    await sync_to_async(client.force_login)(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    def stack(origin: bytes):
        headers = [(b"host", b"127.0.0.1:8000"), (b"cookie", cookie), (b"origin", origin)]
        return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)

    for foreign in (b"http://evil.example", b"http://127.0.0.1:9999", b"https://127.0.0.1:8000"):
        assert await _close_code(stack(foreign)) == 4403, foreign
    own = stack(b"http://127.0.0.1:8000")
    assert (await own.connect())[0]
    await own.send_json_to({"type": "ping"})
    assert await own.receive_json_from(timeout=3) == {"type": "pong"}
    await own.disconnect()


async def test_user_receives_notifications_sent_to_their_group():
    user = await sync_to_async(user_create)()
    comm = _communicator(user)
    connected, _ = await comm.connect()
    assert connected
    await get_channel_layer().group_send(
        user_group(user.pk), {"type": "notify", "data": {"message": "hi", "url": "/x/"}}
    )
    assert await comm.receive_json_from(timeout=2) == {
        "type": "notification",
        "data": {"message": "hi", "url": "/x/"},
    }
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_json_from() == {"type": "pong"}
    await comm.disconnect()


@pytest.mark.redis
async def test_the_redis_layer_carries_a_message_to_a_running_consumer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [__import__("os").environ["REDIS_URL"]]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        layer = get_channel_layer()
        assert type(layer).__name__ == "RedisChannelLayer"
        user = await sync_to_async(user_create)()
        comm = _communicator(user)
        assert (await comm.connect())[0]
        await layer.group_send(
            user_group(user.pk), {"type": "notify", "data": {"message": "via redis", "url": ""}}
        )
        message = await comm.receive_json_from(timeout=3)
        assert message["data"]["message"] == "via redis"
        await comm.disconnect()
    finally:
        channel_layers.backends.clear()


def _scope(origin: str, host: str = "city.example:8000", scheme: str = "ws", **headers):
    pairs = [(b"origin", origin.encode()), (b"host", host.encode())]
    pairs += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return {"type": "websocket", "scheme": scheme, "headers": pairs}


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        (_scope("http://city.example:8000"), True),
        (_scope("http://city.example:8001"), False),  # another port
        (_scope("https://city.example:8000"), False),  # another scheme
        (_scope("http://evil.example:8000", host="evil.example:8000"), False),  # not allowed
        (_scope("https://city.example", host="city.example", scheme="wss"), True),
        (_scope("https://city.example:443", host="city.example", scheme="wss"), True),
        (_scope("http://city.example", host="city.example", scheme="wss"), False),
        (_scope("https://city.example", host="city.example", x_forwarded_proto="https"), True),
        (_scope("null"), False),
        (_scope(""), False),
    ],
)
async def test_the_origin_must_be_the_pages_own_scheme_host_and_port(settings, scope, allowed):
    settings.ALLOWED_HOSTS = ["city.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert origin_allowed(scope) is allowed


async def test_allowed_origins_must_name_a_scheme(settings):
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["live.example.org"]
    with pytest.raises(ImproperlyConfigured):
        OriginValidator(application)
