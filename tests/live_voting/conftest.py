import pytest

from budgeting.live import broadcast, selectors


@pytest.fixture(autouse=True)
def _live_state():
    """Coalescer flags, sequences and cached snapshots never leak from one test to the next."""
    broadcast.reset()
    selectors.forget_caches()
    yield
    broadcast.reset()
    selectors.forget_caches()
