"""Counters in the cache for failed attempts: fixed windows (residency, codes, tokens) and
exponential back-off (logins)."""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Throttle:
    scope: str
    limit: int
    window: int  # seconds

    def _key(self, ident: str) -> str:
        return f"throttle:{self.scope}:{ident}"

    def blocked(self, *idents: str) -> bool:
        return any((cache.get(self._key(i)) or 0) >= self.limit for i in idents if i)

    def hit(self, *idents: str) -> None:
        for ident in idents:
            if not ident:
                continue
            key = self._key(ident)
            if cache.add(key, 1, self.window):
                continue
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, self.window)

    def reset(self, *idents: str) -> None:
        cache.delete_many([self._key(i) for i in idents if i])


def client_ip(request) -> str:
    """The client address. Behind a proxy, set it to pass the real address in REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off on failures, per identity (an account-and-address pair, an address).

    From the ``free``-th failure on, each failure closes the identity for ``base`` seconds,
    doubled at every further failure up to ``cap``; the ones before cost nothing. Failures
    are forgotten ``memory`` seconds after the last one, and at once on :meth:`reset` (a
    success). Unlike a fixed window, the delay a guesser pays grows with the guessing, while
    someone who mistypes a few times never waits; keyed on what the attacker holds (their
    address), it never shuts out the person attacked.
    """

    scope: str
    free: int
    base: int  # seconds
    cap: int  # seconds
    memory: int = 24 * 3600

    def _key(self, ident: str) -> str:
        return f"backoff:{self.scope}:{ident}"

    def wait(self, ident: str) -> int:
        """Seconds before ``ident`` may try again (0: now)."""
        state = cache.get(self._key(ident)) if ident else None
        if not state:
            return 0
        return max(0, math.ceil(state["until"] - time.time()))

    def fail(self, ident: str) -> int:
        """Record a failure; returns the seconds ``ident`` must now wait."""
        if not ident:
            return 0
        key = self._key(ident)
        failures = (cache.get(key) or {"failures": 0})["failures"] + 1
        delay = 0
        if failures >= self.free:
            delay = min(self.cap, self.base * 2 ** (failures - self.free))
        cache.set(key, {"failures": failures, "until": time.time() + delay}, self.memory)
        return delay

    def reset(self, ident: str) -> None:
        if ident:
            cache.delete(self._key(ident))
