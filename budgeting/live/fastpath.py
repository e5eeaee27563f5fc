"""The kiosk's cast on the live fast path (live/fastpath.py; its route table is in
config/asgi.py).

The kiosk's cast view is asynchronous, so that Django's own ASGI path (and the test client)
also runs its database work in the vote pool; the fast path runs views synchronously in that
pool, so its route names this synchronous body, with the same decorators.
"""

from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST


@never_cache
@require_POST
def cast(request):
    """The kiosk's cast view, synchronous (it already runs in the vote pool's thread)."""
    from budgeting.live.views.kiosk import cast_response

    return cast_response(request)
