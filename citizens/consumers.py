"""In-app notifications pushed to a signed-in user's open pages."""

from core.websocket import UNAUTHENTICATED, JsonConsumer


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


class NotificationConsumer(JsonConsumer):
    """Joins the user's own group; services send `notify` events to it after commit."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notify(self, event):
        await self.send_json({"type": "notification", "data": event["data"]})
