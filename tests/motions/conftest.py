import pytest

from live import broadcast


@pytest.fixture(autouse=True)
def _live_state():
    broadcast.reset()
    yield
    broadcast.reset()
