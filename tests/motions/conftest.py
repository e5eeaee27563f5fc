import pytest

from live import broadcast


@pytest.fixture(autouse=True)
def _live_state():
    broadcast.reset()
    yield
    broadcast.reset()


@pytest.fixture(autouse=True)
def _votes_in_the_test_thread(settings):
    settings.PB_LIVE_CAST_THREADS = 0  # a pooled thread would not see a test's transaction
