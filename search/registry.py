"""What the site search looks in: one line per content type.

Each entry names a model that is `wagtail.search.index.Indexed` (with `search_fields`, and
`index.FilterField("id")`, which the policy filter below needs) and says which objects of it
this user may see: by default the model's registered policy (`core.policy.queryset(user,
action, model)`). Adding a type is one `SearchType(...)` line in `TYPES` (plus `search_fields`
on the model).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import policy


@dataclass(frozen=True)
class SearchType:
    key: str  # the ?type= value
    label: str | Promise  # plural: shown as the filter's option and on each result
    model: str  # "app_label.ModelName"
    action: str = "view"  # the policy action that lets a user see one object
    district: str | None = "district"  # the field the district filter uses, if any
    title: str = "title"
    related: tuple[str, ...] = ()  # select_related for the snippet and the link
    visible: Callable | None = None  # (user) -> queryset, instead of the policy

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def is_installed(self) -> bool:
        try:
            self.model_class  # noqa: B018
        except LookupError:
            return False
        return True

    def visible_to(self, user) -> QuerySet:
        if self.visible is not None:
            return self.visible(user)
        return policy.queryset(user, self.action, self.model_class)


def _public_pages(user) -> QuerySet:
    """Published, unrestricted CMS pages in the active language (not the tree's root)."""
    from wagtail.models import Locale, Page

    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:  # no page in any language yet (an emptied database)
        return Page.objects.none()
    return Page.objects.live().public().filter(depth__gt=1, locale=locale)


TYPES: list[SearchType] = [
    SearchType("resources", _("Resources"), "proposals.UrbanResource", title="name"),
    SearchType("claims", _("Claims"), "proposals.Claim"),
    SearchType("accords", _("Accords"), "accords.Accord", related=("current_version",)),
    SearchType(
        "processes", _("Budgeting processes"), "budgeting.Process", "process.view", district=None
    ),
    SearchType("projects", _("Budgeting projects"), "budgeting.Project", action="project.view"),
    SearchType(
        "pages", _("News and pages"), "wagtailcore.Page", district=None, visible=_public_pages
    ),
    SearchType(
        "assemblies",
        _("Assemblies"),
        "assemblies.Assembly",
        action="assembly.view",
        title="name",
    ),
    SearchType(
        "meetings",
        _("Meetings"),
        "assemblies.Meeting",
        action="meeting.view",
        district=None,
        related=("assembly",),
    ),
]


def installed_types() -> list[SearchType]:
    return [t for t in TYPES if t.is_installed()]


def type_for(key: str) -> SearchType | None:
    return next((t for t in installed_types() if t.key == key), None)
