"""The data migration that moves the claims' old comments, objections and reports into the
comments app: the schema is taken back to before it, old rows are written, and migrating
forward must carry every one of them over."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("proposals", "0002_default_procedure"), ("comments", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_claim_comments_objections_and_reports_are_moved():
    from comments.models import Comment, Report
    from tests.citizens.factories import resident_create, user_create
    from tests.comments.factories import claim_in_consultation

    claim = claim_in_consultation()
    writer, objector, reader = resident_create(), resident_create(), resident_create()
    moderator = user_create()
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old_apps = _migrate(BEFORE)
    try:
        OldComment = old_apps.get_model("proposals", "Comment")
        OldReport = old_apps.get_model("proposals", "CommentReport")
        then = timezone.now() - dt.timedelta(days=3)
        plain = OldComment.objects.create(
            claim_id=claim.pk, author_id=writer.pk, body="Nice idea", created_at=then
        )
        OldComment.objects.create(
            claim_id=claim.pk,
            author_id=objector.pk,
            body="Too noisy",
            kind="objection",
            created_at=then + dt.timedelta(hours=1),
        )
        hidden = OldComment.objects.create(
            claim_id=claim.pk,
            author_id=reader.pk,
            body="Insults",
            created_at=then + dt.timedelta(hours=2),
            hidden_at=then + dt.timedelta(hours=3),
            hidden_by_id=moderator.pk,
            hidden_reason="Abusive",
        )
        OldReport.objects.create(comment_id=hidden.pk, reporter_id=writer.pk, reason="Rude")
        OldReport.objects.create(comment_id=plain.pk, reporter_id=reader.pk, reason="Off topic")
    finally:
        _migrate(leaves)

    moved = list(Comment.objects.filter(object_id=claim.pk).order_by("created_at"))
    assert [(c.body, c.kind, c.state, c.author_id) for c in moved] == [
        ("Nice idea", "", "published", writer.pk),
        ("Too noisy", "objection", "published", objector.pk),
        ("Insults", "", "hidden", reader.pk),
    ]
    assert all(c.host == claim and c.depth == 1 for c in moved)
    assert (moved[2].hidden_reason, moved[2].hidden_by_id) == ("Abusive", moderator.pk)
    assert moved[0].created_at == then
    reports = {(r.comment_id, r.reason) for r in Report.objects.all()}
    assert reports == {(moved[2].pk, "Rude"), (moved[0].pk, "Off topic")}
