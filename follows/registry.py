"""Which models may be followed: one `register(Model)` line per model, in `follows.apps`.

Other apps (assemblies, meetings) add theirs with `follows.registry.register(Meeting)` from
their own `ready()` or in `follows.apps.FollowsConfig.ready`."""

from django.db import models

_FOLLOWABLE: set[type[models.Model]] = set()


def register(model: type[models.Model]) -> type[models.Model]:
    """Make `model` followable (usable as a class decorator too)."""
    _FOLLOWABLE.add(model)
    return model


def is_followable(obj_or_model) -> bool:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return model._meta.concrete_model in _FOLLOWABLE


def followable_models() -> list[type[models.Model]]:
    return sorted(_FOLLOWABLE, key=lambda m: m._meta.label)
