from django.db import migrations, models


def mark_existing_typed(apps, schema_editor):
    """Reports filed before the contribution log keep the hours typed into them."""
    apps.get_model("accords", "ActivityReport").objects.update(hours_typed=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accords", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="activityreport",
            name="hours_typed",
            field=models.BooleanField(default=False, verbose_name="hours typed in"),
        ),
        migrations.RunPython(mark_existing_typed, migrations.RunPython.noop),
    ]
