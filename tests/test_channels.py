import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from citizens.consumers import NotificationConsumer, user_group
from config.asgi import application
from tests.citizens.factories import user_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _communicator(user, origin=b"http://127.0.0.1"):
    comm = WebsocketCommunicator(
        NotificationConsumer.as_asgi(), "/ws/notifications/", headers=[(b"origin", origin)]
    )
    comm.scope["user"] = user
    return comm


async def test_anonymous_socket_is_refused():
    comm = _communicator(AnonymousUser())
    connected, code = await comm.connect()
    assert not connected and code == 4401


async def test_foreign_origin_is_refused_by_the_asgi_stack():
    comm = WebsocketCommunicator(
        application, "/ws/notifications/", headers=[(b"origin", b"http://evil.example")]
    )
    connected, _ = await comm.connect()
    assert not connected


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
