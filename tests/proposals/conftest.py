import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Attachments go to a throw-away folder."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
