"""The staff workspace: which work screens each person may reach (the header's staff links) and
what waits for them there (the dashboard's panels).

The kernel imports no app: each app declares its links and panels in `<app>/workspace.py`, found
at first use like `admin.py` modules are. A link names a URL and the role rule that allows it; a
panel builder takes the user and returns a `Panel` (or None when the user has no business
there). Every count on a panel comes from the selector of the list it links to, so the number
on the dashboard is the number of rows on the page behind it.

    register_link("office", label=_("Office"), url_name="proposals:office-queue",
                  allowed=is_officer, order=10)
    register_panel("claims", claims_panel, order=10)
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules

# Where people without a staff role land after logging in: their own page.
RESIDENT_HOME = "citizens:profile"


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url_name: str
    allowed: Callable[[object], bool]
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Count:
    """A number on the dashboard and the list it counts (`url` shows exactly those rows)."""

    key: str
    label: str
    count: int
    url: str
    urgent: bool = False  # shown as a warning when non-zero (overdue work)


@dataclass(frozen=True)
class Item:
    """One row a panel lists itself (e.g. today's sessions), linking to its screen."""

    label: str
    url: str
    detail: str = ""


@dataclass
class Panel:
    key: str
    title: str
    counts: list[Count] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    empty: str = ""  # what to say when there is nothing to list
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url) to more screens
    order: int = 100
    # Optional: a template rendered in the panel after its items (e.g. a chart with its table),
    # with `panel` in its context (its own values in `panel.context`).
    template: str = ""
    context: dict = field(default_factory=dict)


_links: dict[str, Link] = {}
_panels: dict[str, tuple[int, Callable[[object], Panel | None]]] = {}
_discovered = False


def register_link(key: str, *, label, url_name: str, allowed, order: int = 100) -> None:
    _links[key] = Link(key=key, label=label, url_name=url_name, allowed=allowed, order=order)


def register_panel(key: str, builder: Callable[[object], Panel | None], *, order: int = 100):
    _panels[key] = (order, builder)


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("workspace")
        _discovered = True


def _installed(link: Link) -> bool:
    try:
        link.url  # noqa: B018 - a section whose URL is not installed is skipped
    except NoReverseMatch:
        return False
    return True


def links_for(user) -> list[Link]:
    """The work screens this user may open, in header order (remembered on the user object,
    so a request asks the role rules once)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_workspace_links", None)
    if cached is None:
        _discover()
        cached = [
            link
            for link in sorted(_links.values(), key=lambda link: (link.order, link.key))
            if link.allowed(user) and _installed(link)
        ]
        user._workspace_links = cached
    return cached


def is_staff_member(user) -> bool:
    """Whether the user has any work screen: officers, signatories, facilitators, moderators,
    content editors, administrators."""
    return bool(links_for(user))


def panels_for(user) -> list[Panel]:
    """The dashboard of this user's roles, each panel built only for those it concerns."""
    if not is_staff_member(user):
        return []
    panels = []
    for key, (order, builder) in sorted(_panels.items(), key=lambda kv: (kv[1][0], kv[0])):
        panel = builder(user)
        if panel is not None:
            panel.key, panel.order = key, order
            panels.append(panel)
    return panels
