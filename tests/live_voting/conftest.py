import pytest

from budgeting.live import broadcast, caches


@pytest.fixture(autouse=True)
def _live_state():
    """Coalescer flags, sequences and cached snapshots never leak from one test to the next."""
    broadcast.reset()
    caches.forget_all()
    yield
    broadcast.reset()
    caches.forget_all()
