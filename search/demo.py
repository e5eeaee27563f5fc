"""The search index after the demo data: every searchable type indexed at once (each save
also queues its own indexing as a background task, which `make run`'s worker runs)."""

from wagtail.search.backends import get_search_backends
from wagtail.search.index import get_indexed_models

from search.registry import installed_types


def seed(stdout) -> None:
    roots = tuple(t.model_class for t in installed_types())
    # Page types are indexed each under its own model (Page.get_indexed_objects of a page
    # type returns only the pages of that type), like `manage.py update_index` does.
    models = [m for m in get_indexed_models() if issubclass(m, roots)]
    for backend in get_search_backends(with_auto_update=True):
        for model in models:
            backend.add_bulk(model, list(model.get_indexed_objects()))
