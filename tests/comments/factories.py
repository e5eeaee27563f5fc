"""Comments for tests, written straight to the table (the services are tested on their own)."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments.models import Comment
from proposals.models import Claim
from tests.proposals.factories import claim_in_state


def claim_in_consultation(**kwargs) -> Claim:
    return claim_in_state(Claim.State.CONSULTATION, **kwargs)


def close_consultation(claim: Claim) -> Claim:
    """The deadline passed (the claim is still "in consultation" until the closing run)."""
    Claim.objects.filter(pk=claim.pk).update(
        consultation_ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    return Claim.objects.get(pk=claim.pk)


def comment_make(target, author, body="Hello", *, parent=None, **fields) -> Comment:
    return Comment.objects.create(
        content_type=ContentType.objects.get_for_model(type(target)),
        object_id=target.pk,
        author=author,
        body=body,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        **fields,
    )
