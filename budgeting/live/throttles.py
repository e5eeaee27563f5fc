"""Back-off for wrong pairing codes and short codes: slow the guesser, never lock out the rest.

A fixed "N failures, then refuse everyone for ten minutes" counter keyed on a session or an
address lets an attacker lock out the people they attack: thirty wrong short codes from
three tablets refused the real code typed on a fourth, and ten wrong codes from a venue's
shared address refused every tablet behind it. Here each failure delays only **the one who
failed**, and the delays grow exponentially:

- Short codes (``claim_*``): the key is the tablet, which an attacker cannot multiply (a
  tablet needs a pairing code from the facilitator). A tablet has ``free`` failures, then
  waits ``base``, 2 × ``base``, 4 × ``base``… up to ``cap`` seconds after each failure. The
  address's and the session's failures do not refuse anyone: once either passes its budget,
  every *failing* tablet behind it backs off from its first failure (guessing from three
  tablets is then no faster than from one), and the facilitator's console shows an alert
  with a reset button. A tablet that has not failed is never delayed, so a correct code
  typed on it always works.
- Pairing codes (``pairing_*``): before pairing there is no tablet, so the key is the
  address. Its delays are short (``cap`` 60 s by default: 2^40 possible codes leave a
  guesser nothing to gain from more), other addresses are untouched, and the console of a
  session whose pairing code is active shows the addresses in back-off with a reset button.

While a key waits, an attempt is answered "wait N seconds" without being checked, so the
wait slows the guesser down; failures are forgotten after ``window`` seconds without one.
Counters live in Django's cache (Redis in production, shared by every server process).
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import ngettext

from budgeting.live.conf import live_setting

PAIRING_ALERTS = "pb_live_backoff:pairing-alerts"  # the addresses in back-off, for consoles
MAX_PAIRING_ALERTS = 50


@dataclass(frozen=True)
class State:
    failures: int
    until: float  # time.time() before which an attempt is not checked

    def wait(self, now: float | None = None) -> int:
        """Whole seconds left to wait (0: may try now)."""
        return max(0, math.ceil(self.until - (now or time.time())))


@dataclass(frozen=True)
class Backoff:
    scope: str
    free: int  # failures without any delay
    base: float  # the first delay, seconds
    cap: float  # the longest delay, seconds
    window: int  # failures are forgotten this long after the last one

    @classmethod
    def from_setting(cls, scope: str, name: str) -> "Backoff":
        free, base, cap, window = live_setting(name)
        return cls(scope, free, base, cap, window)

    def _key(self, ident: str) -> str:
        return f"pb_live_backoff:{self.scope}:{ident}"

    def state(self, ident: str) -> State:
        failures, until = cache.get(self._key(ident)) or (0, 0.0)
        return State(failures, until)

    def delay(self, failures: int, *, free: int | None = None) -> float:
        over = failures - (self.free if free is None else free)
        return 0.0 if over <= 0 else min(self.cap, self.base * 2 ** min(over - 1, 30))

    def fail(self, ident: str, *, free: int | None = None) -> State:
        """Count a failure; the ident waits ``delay`` seconds before its next attempt."""
        failures = self.state(ident).failures + 1
        now = time.time()
        state = State(failures, now + self.delay(failures, free=free))
        cache.set(self._key(ident), (state.failures, state.until), self.window)
        return state

    def reset(self, ident: str) -> None:
        cache.delete(self._key(ident))


def _throttled(wait: int, message: str):
    from budgeting.live.services.common import LiveError  # services import this module

    error = LiveError(message % {"seconds": wait}, code="throttled")
    error.retry_after = wait
    return error


# Short codes -------------------------------------------------------------------------------


def claim_tablets() -> Backoff:
    return Backoff.from_setting("claim-tablet", "PB_LIVE_CLAIM_BACKOFF")


def _shared() -> Backoff:
    """Failures per address and per session: a count only, with the tablets' window."""
    return Backoff("claim-shared", 0, 0.0, 0.0, claim_tablets().window)


def claim_check(*, tablet_id: int) -> None:
    """Before a short code is checked: refuse only a tablet that is waiting after failures."""
    wait = claim_tablets().state(f"tablet:{tablet_id}").wait()
    if wait:
        raise _throttled(
            wait,
            ngettext(
                "Too many wrong codes on this tablet. Try again in %(seconds)s second, "
                "or ask the facilitator.",
                "Too many wrong codes on this tablet. Try again in %(seconds)s seconds, "
                "or ask the facilitator.",
                wait,
            ),
        )


def claim_failed(*, tablet_id: int, session_id: int, ip: str = "") -> State:
    """A wrong short code: the tablet backs off (at once when its address or session has
    spent its budget). Returns the tablet's new state."""
    shared, budget = _shared(), live_setting("PB_LIVE_CLAIM_SHARED_FREE")
    counts = [shared.fail(f"session:{session_id}").failures]
    if ip:
        counts.append(shared.fail(f"ip:{ip}").failures)
    free = 0 if max(counts) > budget else None
    backoff = claim_tablets()
    state = backoff.fail(f"tablet:{tablet_id}", free=free)
    if state.failures > backoff.free or counts[0] > budget:
        from budgeting.live.services.common import push  # services import this module

        push(session_id=session_id)  # the console shows the alert
    return state


def claim_alerts(*, session_id: int, tablets) -> dict:
    """What the facilitator sees: wrong short codes in the session and the tablets that back
    off. ``tablets``: dicts with ``id`` and ``label`` (the session snapshot's)."""
    backoff, budget = claim_tablets(), live_setting("PB_LIVE_CLAIM_SHARED_FREE")
    now = time.time()
    waiting = []
    for tablet in tablets:
        state = backoff.state(f"tablet:{tablet['id']}")
        if state.failures > backoff.free or state.wait(now):
            row = {"id": tablet["id"], "label": tablet["label"], "failures": state.failures}
            waiting.append(row)
    failures = _shared().state(f"session:{session_id}").failures
    return {"alert": bool(waiting) or failures > budget, "failures": failures, "tablets": waiting}


def claim_reset(*, session_id: int | None, tablet_ids) -> None:
    """The facilitator clears tablets' back-off (and the session's count, if given)."""
    if session_id is not None:
        _shared().reset(f"session:{session_id}")
    backoff = claim_tablets()
    for tablet_id in tablet_ids:
        backoff.reset(f"tablet:{tablet_id}")


# Pairing codes -----------------------------------------------------------------------------


def pairing_addresses() -> Backoff:
    return Backoff.from_setting("pair-ip", "PB_LIVE_PAIRING_BACKOFF")


def pairing_check(*, ip: str) -> None:
    wait = pairing_addresses().state(f"ip:{ip or 'unknown'}").wait()
    if wait:
        raise _throttled(
            wait,
            ngettext(
                "Too many wrong pairing codes from this network. Try again in %(seconds)s "
                "second, or ask the facilitator.",
                "Too many wrong pairing codes from this network. Try again in %(seconds)s "
                "seconds, or ask the facilitator.",
                wait,
            ),
        )


def pairing_failed(*, ip: str) -> State:
    backoff = pairing_addresses()
    ident = ip or "unknown"
    state = backoff.fail(f"ip:{ident}")
    if state.failures > backoff.free:
        alerts = cache.get(PAIRING_ALERTS) or {}
        alerts[ident] = (state.failures, state.until)
        if len(alerts) > MAX_PAIRING_ALERTS:  # keep the most recent
            alerts = dict(sorted(alerts.items(), key=lambda item: item[1][1])[1:])
        cache.set(PAIRING_ALERTS, alerts, backoff.window)
    return state


def pairing_alerts() -> list[dict]:
    """Addresses whose wrong pairing codes passed the free budget, most recent first."""
    backoff = pairing_addresses()
    now = time.time()
    rows = []
    for ip in cache.get(PAIRING_ALERTS) or {}:
        state = backoff.state(f"ip:{ip}")
        if state.failures > backoff.free:
            rows.append({"ip": ip, "failures": state.failures, "wait": state.wait(now)})
    return sorted(rows, key=lambda row: -row["failures"])


def pairing_reset(*, ip: str) -> None:
    pairing_addresses().reset(f"ip:{ip}")
    alerts = cache.get(PAIRING_ALERTS) or {}
    if alerts.pop(ip, None) is not None:
        cache.set(PAIRING_ALERTS, alerts, pairing_addresses().window)
