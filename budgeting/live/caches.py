"""Per-process caches of live voting, kept in one place.

Selectors cache the census counts and the live results, the cast caches each envelope's
projects and limits. Tests and settings changes forget them all through ``forget_all()``,
so no module has to import another just to clear its cache (this module imports nothing
of the package: everything may import it).
"""

import threading
import time
from typing import Any

_registry: list["TimedCache"] = []


class TimedCache:
    """A thread-safe dict whose entries remember when they were stored (monotonic clock)."""

    def __init__(self, name: str):
        self.name = name
        self._lock = threading.Lock()
        self._entries: dict[Any, tuple[float, Any]] = {}

    def entry(self, key) -> tuple[float, Any] | None:
        """(age in seconds, value), or None."""
        with self._lock:
            found = self._entries.get(key)
        if found is None:
            return None
        return time.monotonic() - found[0], found[1]

    def get(self, key, *, max_age: float):
        """The value if it is younger than ``max_age`` seconds, else None."""
        found = self.entry(key)
        if found is None or found[0] >= max_age:
            return None
        return found[1]

    def set(self, key, value) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def timed_cache(name: str) -> TimedCache:
    """A new cache, forgotten with the others by ``forget_all()``."""
    cache = TimedCache(name)
    _registry.append(cache)
    return cache


def forget_all() -> None:
    for cache in _registry:
        cache.clear()
