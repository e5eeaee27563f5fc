"""Start every installation with the default procedure (Bologna's regulation).

The values are copied here, not imported, so this migration stays as it was written.
"""

from django.db import migrations

TRACKS = {
    "ordinary": dict(
        screening_days=10,
        documents_days=30,
        consultation_days=15,
        review_days=15,
        decision_days=30,
        executive_days=None,
        max_accord_months=36,
    ),
    "complex": dict(
        screening_days=15,
        documents_days=30,
        consultation_days=30,
        review_days=30,
        decision_days=60,
        executive_days=30,
        max_accord_months=108,
    ),
}
CHECKLIST = ["Permits", "Utilities", "Safety", "Mobility", "Heritage", "Environment"]


def create(apps, schema_editor):
    ProcedureConfig = apps.get_model("proposals", "ProcedureConfig")
    TrackProcedure = apps.get_model("proposals", "TrackProcedure")
    ChecklistItem = apps.get_model("proposals", "ChecklistItem")
    config, _ = ProcedureConfig.objects.get_or_create(singleton=True)
    for track, values in TRACKS.items():
        TrackProcedure.objects.get_or_create(config=config, track=track, defaults=values)
    for position, label in enumerate(CHECKLIST):
        ChecklistItem.objects.get_or_create(
            config=config, key=label.lower(), defaults={"label": label, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
