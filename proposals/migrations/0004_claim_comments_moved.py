from django.db import migrations


class Migration(migrations.Migration):
    # Claim comments, objections and their reports now live in the comments app: its data
    # migration copies them first, then the old tables go.
    dependencies = [
        ("proposals", "0003_claim_opinion_answer"),
        ("comments", "0002_claim_comments"),
    ]

    operations = [
        migrations.DeleteModel(name="CommentReport"),
        migrations.DeleteModel(name="Comment"),
    ]
