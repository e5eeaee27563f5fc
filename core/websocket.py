"""WebSocket consumers whose refusals reach browsers, and that survive malformed frames.

A consumer that closes before ``accept()`` makes the server answer the handshake with HTTP
403: a browser then sees close code 1006, which it cannot tell from a network failure, and
reconnects forever. So every consumer of the project accepts, then closes with one of the
application codes below (docs/live-protocol.md), which browsers do see.

A frame the protocol cannot read (binary, not JSON, too large, nested too deeply) closes the
socket with the standard code for it and one warning line in the log, never a traceback.
"""

import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core import jsonlimits

logger = logging.getLogger(__name__)

# Application close codes (4000-4999), final for a client: reconnecting cannot help.
UNAUTHENTICATED = 4401  # no login, or no valid device credential
FORBIDDEN = 4403  # not allowed (someone else's session, a revoked tablet, a foreign Origin)
NOT_FOUND = 4404  # no such (visible) object
GONE = 4410  # the object ended (a closed session)
FINAL_CODES = (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, GONE)

# Standard close codes (RFC 6455) for frames the protocol cannot read.
UNSUPPORTED_DATA = 1003  # a binary frame
INVALID_PAYLOAD = 1007  # not JSON, or JSON beyond the limits
MESSAGE_TOO_BIG = 1009  # larger than MAX_FRAME_BYTES

MAX_FRAME_BYTES = 4096  # every client message of the protocol is a few dozen bytes
MAX_FRAME_DEPTH = 4


class JsonConsumer(AsyncJsonWebsocketConsumer):
    """A JSON socket: ``refuse(code)`` instead of closing before accept, frames checked."""

    _closing = False

    async def refuse(self, code: int, reason: str = "") -> None:
        """Accept the handshake, then close with ``code``, so the browser sees the code."""
        await self.accept()
        await self.close(code=code, reason=reason or None)

    async def close(self, code=None, reason=None):
        self._closing = True
        await super().close(code=code, reason=reason)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self._closing:
            return  # frames still in flight after our close frame
        if text_data is None:
            await self._malformed(UNSUPPORTED_DATA, "binary frame")
            return
        try:
            content = jsonlimits.loads(
                text_data, max_bytes=MAX_FRAME_BYTES, max_depth=MAX_FRAME_DEPTH
            )
        except jsonlimits.JsonRejected as exc:
            code = MESSAGE_TOO_BIG if exc.code == "too_large" else INVALID_PAYLOAD
            await self._malformed(code, f"{exc.code} frame")
            return
        await self.receive_json(content, **kwargs)

    async def _malformed(self, code: int, what: str) -> None:
        client = (self.scope.get("client") or ("?", 0))[0]
        path = self.scope.get("path")
        logger.warning("websocket %s: %s from %s, closed with %s", path, what, client, code)
        await self.close(code=code)


class NotFoundConsumer(JsonConsumer):
    """The last WebSocket route: an unknown path is closed with 4404 (not a traceback)."""

    async def connect(self):
        await self.refuse(NOT_FOUND)
