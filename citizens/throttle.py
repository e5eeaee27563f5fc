"""Fixed-window counters in the cache, for failed attempts (residency, codes, tokens)."""

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
