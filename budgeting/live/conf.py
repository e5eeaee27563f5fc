"""Settings of live voting, with their defaults. Override any of them in the Django settings.

The shared live layer's own settings (coalescing window, Redis, channel layer) are in
``live/conf.py``; they are read here too.
"""

from live import conf as shared

DEFAULTS = {
    **shared.DEFAULTS,
    # Live results (votes per project) are recomputed at most this often, in seconds.
    "PB_LIVE_RESULTS_INTERVAL": 2.0,
    # A ballot token not used within this many seconds expires.
    "PB_LIVE_TOKEN_TTL": 30 * 60,
    # A pairing code is valid for this many seconds (and for one tablet).
    "PB_LIVE_PAIRING_TTL": 10 * 60,
    # The kiosk resets (and voids its token) after this many seconds without a touch.
    "PB_LIVE_KIOSK_IDLE_SECONDS": 120,
    # A tablet not heard from for this long is shown offline.
    "PB_LIVE_TABLET_OFFLINE_AFTER": 60,
    # The device credential cookie (HttpOnly, SameSite=Strict, Secure when sessions are).
    "PB_LIVE_DEVICE_COOKIE": "pb_live_device",
    "PB_LIVE_DEVICE_COOKIE_AGE": 7 * 24 * 3600,
    # Wrong codes back off (budgeting/live/throttles.py): (free failures, first delay in
    # seconds, longest delay, seconds after which failures are forgotten). Short codes per
    # tablet; pairing codes per address. Past PB_LIVE_CLAIM_SHARED_FREE wrong short codes from
    # one address or in one session, every failing tablet there backs off from its first.
    "PB_LIVE_CLAIM_BACKOFF": (3, 2.0, 300, 3600),
    "PB_LIVE_CLAIM_SHARED_FREE": 10,
    "PB_LIVE_PAIRING_BACKOFF": (10, 1.0, 60, 3600),
    # Unknown ballot tokens per tablet, failed census lookups per facilitator:
    # (limit, window in seconds).
    "PB_LIVE_TOKEN_THROTTLE": (10, 600),
    "PB_LIVE_CHECKIN_THROTTLE": (30, 600),
}


def live_setting(name: str):
    return shared.setting(name, DEFAULTS)
