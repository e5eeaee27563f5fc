"""One channel-layer listener per live group and server process, relaying to its sockets.

A coalesced group (a process's public page, a session's dashboard, a meeting's motions) may
have a thousand sockets in one server process. Given a channel each, every message woke a
thousand consumer tasks, each re-arming Channels' dispatch loop before it wrote a line: about
100 µs of server CPU per socket and message, measured, most of a core for 1,000 viewers at
5 messages/s.

The hub joins the group once per process (a channel of its own in the same layer, so
channels-redis still carries the message between processes and ``PUBSUB NUMSUB`` still sees a
listener) and hands each message to its sockets' ``live_message`` in one loop. A hub belongs
to one event loop (a server process has one; tests open several, one after the other).
"""

import asyncio
import logging
import weakref

logger = logging.getLogger(__name__)


class Hub:
    def __init__(self, layer):
        self.layer = layer
        self.members: dict[str, set] = {}
        self.listeners: dict[str, tuple[str, asyncio.Task]] = {}
        self._lock = asyncio.Lock()

    async def join(self, group: str, member) -> None:
        """From now on ``member.live_message(event)`` gets the group's messages."""
        async with self._lock:
            self.members.setdefault(group, set()).add(member)
            if group not in self.listeners:
                channel = await self.layer.new_channel("live-hub.")
                await self.layer.group_add(group, channel)
                task = asyncio.create_task(self._listen(group, channel))
                self.listeners[group] = (channel, task)

    async def leave(self, group: str, member) -> None:
        async with self._lock:
            members = self.members.get(group)
            if not members or member not in members:
                return
            members.discard(member)
            if members:
                return
            del self.members[group]
            channel, task = self.listeners.pop(group)
            task.cancel()
            await self.layer.group_discard(group, channel)

    async def _listen(self, group: str, channel: str) -> None:
        while True:
            event = await self.layer.receive(channel)
            for member in tuple(self.members.get(group, ())):
                try:
                    await member.live_message(event)
                except OSError:  # the socket closed under us: its consumer leaves the hub
                    pass
                except Exception:
                    logger.exception("live: could not relay a message of %s", group)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, Hub]]" = (
    weakref.WeakKeyDictionary()
)


def hub_for(layer) -> Hub:
    """The hub of this event loop for ``layer``."""
    per_loop = _hubs.setdefault(asyncio.get_running_loop(), {})
    hub = per_loop.get(id(layer))
    if hub is None or hub.layer is not layer:
        hub = per_loop[id(layer)] = Hub(layer)
    return hub
