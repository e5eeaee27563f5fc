"""Move the claims' comments, objections and reports from `proposals` into this app.

Each old comment becomes a top-level comment on its claim (objections keep their kind),
hidden ones stay hidden with their reason and moderator, and each report follows its comment.
The old tables are dropped by `proposals.0004_claim_comments_moved`. Audit entries written on
the old comments stay as they were (the trail is append-only).
"""

from django.db import migrations


def move_claim_comments(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    OldComment = apps.get_model("proposals", "Comment")
    OldReport = apps.get_model("proposals", "CommentReport")
    Comment = apps.get_model("comments", "Comment")
    Report = apps.get_model("comments", "Report")
    if not OldComment.objects.exists():
        return
    claim_type, _created = ContentType.objects.get_or_create(app_label="proposals", model="claim")
    new_ids = {}
    for old in OldComment.objects.order_by("created_at", "id").iterator():
        hidden = old.hidden_at is not None
        new = Comment.objects.create(
            content_type=claim_type,
            object_id=old.claim_id,
            depth=1,
            author_id=old.author_id,
            kind="objection" if old.kind == "objection" else "",
            body=old.body,
            state="hidden" if hidden else "published",
            created_at=old.created_at,
            hidden_at=old.hidden_at,
            hidden_by_id=old.hidden_by_id,
            hidden_reason=(old.hidden_reason or "—") if hidden else "",
        )
        new_ids[old.pk] = new.pk
    Report.objects.bulk_create(
        Report(
            comment_id=new_ids[old.comment_id],
            reporter_id=old.reporter_id,
            reason=old.reason,
            created_at=old.created_at,
            resolved_at=old.resolved_at,
            resolved_by_id=old.resolved_by_id,
        )
        for old in OldReport.objects.order_by("id").iterator()
    )


def move_back(apps, schema_editor):
    """Undo: claim comments go back to `proposals` (replies and agreements are lost)."""
    OldComment = apps.get_model("proposals", "Comment")
    OldReport = apps.get_model("proposals", "CommentReport")
    Comment = apps.get_model("comments", "Comment")
    Report = apps.get_model("comments", "Report")
    ContentType = apps.get_model("contenttypes", "ContentType")
    claim_type = ContentType.objects.filter(app_label="proposals", model="claim").first()
    if claim_type is None:
        return
    old_ids = {}
    comments = Comment.objects.filter(content_type=claim_type, depth=1).exclude(state="deleted")
    for new in comments.order_by("created_at", "id"):
        old = OldComment.objects.create(
            claim_id=new.object_id,
            author_id=new.author_id,
            kind="objection" if new.kind == "objection" else "comment",
            body=new.body,
            created_at=new.created_at,
            hidden_at=new.hidden_at if new.state == "hidden" else None,
            hidden_by_id=new.hidden_by_id if new.state == "hidden" else None,
            hidden_reason=new.hidden_reason if new.state == "hidden" else "",
        )
        old_ids[new.pk] = old.pk
    for report in Report.objects.filter(comment_id__in=old_ids):
        OldReport.objects.create(
            comment_id=old_ids[report.comment_id],
            reporter_id=report.reporter_id,
            reason=report.reason,
            created_at=report.created_at,
            resolved_at=report.resolved_at,
            resolved_by_id=report.resolved_by_id,
        )
    Comment.objects.filter(content_type=claim_type).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("proposals", "0002_default_procedure"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(move_claim_comments, move_back)]
