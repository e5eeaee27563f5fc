"""Keep the site search's index of assemblies and meetings current when what it indexes lives
in other rows: a new charter version (the assembly's charter text) and a rewritten agenda
(the meeting's agenda item titles, written with bulk_create, which sends no signal)."""

from wagtail.search.tasks import insert_or_update_object_task


def reindex(obj) -> None:
    """Queue `obj`'s search index update, as Wagtail does after a save."""
    insert_or_update_object_task.enqueue(obj._meta.app_label, obj._meta.model_name, str(obj.pk))


def charter_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex(instance.assembly)
