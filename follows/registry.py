"""Which models may be followed: one `register(Model)` line per model, in `follows.apps`.

Other apps (assemblies, meetings) add theirs with `follows.registry.register(Meeting)` (in
`follows.apps.FollowsConfig.ready`, or their own `ready()`). `view_action` is the model's
policy action that says who may see an object (only they may follow it); `verb` is the first
part of the verbs of the notifications followers get about it (its kind of event, see
`core.notify.kind_of`).
"""

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Followable:
    model: type[models.Model]
    view_action: str
    verb: str


_FOLLOWABLE: dict[type[models.Model], Followable] = {}


def register(
    model: type[models.Model], *, view_action: str = "view", verb: str = ""
) -> type[models.Model]:
    """Make `model` followable."""
    _FOLLOWABLE[model] = Followable(model, view_action, verb or model._meta.model_name)
    return model


def followable(obj_or_model) -> Followable | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return _FOLLOWABLE.get(model._meta.concrete_model)


def is_followable(obj_or_model) -> bool:
    return followable(obj_or_model) is not None


def followable_models() -> list[type[models.Model]]:
    return sorted(_FOLLOWABLE, key=lambda m: m._meta.label)
