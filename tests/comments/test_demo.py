"""The demo has discussions with replies, mentions and agreements on its three kinds of host."""

import io

import pytest
from django.core.management import call_command

from comments import demo
from comments.models import Agreement

pytestmark = pytest.mark.django_db


def test_the_demo_threads_have_replies_mentions_and_agreements(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    hosts = demo._hosts()
    assert set(hosts) == {"claim", "project", "accord"}
    for key, obj in hosts.items():
        thread = demo._thread_of(obj)
        assert len(thread) >= 3, key
        assert any(c.parent_id for c in thread), key
        assert Agreement.objects.filter(comment__in=thread).exists(), key
    claim_thread = demo._thread_of(hosts["claim"])
    assert any(c.kind == "objection" for c in claim_thread)
    assert any(c.mentions.exists() for c in claim_thread)
