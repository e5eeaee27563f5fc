"""Live motions in assembly meetings: the chair opens a motion, members vote from their phone,
online, or on a room tablet; the tally is pushed live over the shared live layer (``live/``).

A nested app of ``assemblies`` (label ``motions``). Protocol: docs/live-protocol.md.
"""
