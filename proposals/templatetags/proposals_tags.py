from django import template
from django.conf import settings
from django.utils.translation import gettext as _

register = template.Library()

OPINION_BADGES = {"favourable": "ok", "conditions": "warn", "unfavourable": "err"}
STATUS_BADGES = {"available": "ok", "claimed": "warn", "under_accord": "info"}


@register.filter
def opinion_badge(opinion: str) -> str:
    return OPINION_BADGES.get(opinion, "")


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


@register.filter
def check_label(value: str) -> str:
    from proposals.models import ReviewRequest

    try:
        return str(ReviewRequest.Check(value).label)
    except ValueError:
        return value


@register.simple_tag
def map_settings() -> dict:
    """Where the map's tiles come from; the page works without them."""
    lat, lon, zoom = getattr(settings, "PROPOSALS_MAP_CENTER", (44.4949, 11.3426, 13))
    return {
        "tiles": getattr(settings, "PROPOSALS_MAP_TILES", ""),
        "attribution": getattr(
            settings,
            "PROPOSALS_MAP_ATTRIBUTION",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
            + _("contributors"),
        ),
        "lat": lat,
        "lon": lon,
        "zoom": zoom,
    }
