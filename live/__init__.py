"""The shared live layer: what every live screen of PartnerCity is built on.

Participatory-budgeting sessions (``budgeting/live``) and meeting motions
(``assemblies/motions``) both use it:

- ``broadcast``: the coalescing broadcaster (one message per group per window, across server
  processes through Redis window locks; ``seq``, ``snapshot`` and ``delta`` messages; the last
  snapshot kept for sockets that connect or resync);
- ``hub``: one channel-layer listener per group and server process, relaying to its sockets;
- ``consumers``: ``GroupConsumer`` (snapshot, then deltas; rate-limited resync) and
  ``LiveConsumer`` (ping/pong, resync) on top of ``core.websocket`` (Origin checked by the
  ASGI stack, refusals closed with their code, malformed frames refused);
- ``credentials``: pairing codes, device credentials and one-time tokens, stored hashed.

It has no models: each app keeps its own (PB's ``Tablet``, motions' ``RoomTablet``).
Protocol: docs/live-protocol.md.
"""
