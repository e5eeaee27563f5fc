"""`seed_demo` works on a database whose tables were emptied (`manage.py flush`, or a test
database that a transactional test reset), not only right after `migrate`."""

import pytest
from django.core.management import call_command

from cms.models import HomePage


@pytest.mark.django_db(transaction=True)
def test_the_demo_seeds_after_a_flush_and_makes_its_home_page_again():
    call_command("flush", "--no-input")
    call_command("seed_demo", "--quiet-accounts")
    assert HomePage.objects.get(locale__language_code="en").intro
    assert HomePage.objects.get(locale__language_code="it").intro
