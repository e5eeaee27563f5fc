from tests.live_voting.conftest import _live_state  # noqa: F401 - autouse: fresh live state
