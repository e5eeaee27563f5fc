import io

import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Attachments go to a throw-away folder."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture
def italian(settings):
    """Compiled catalogues (they are not committed) and fresh translation caches."""
    from django.core.management import call_command

    call_command("compile_translations", stdout=io.StringIO())
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # resets Django's catalogue cache
