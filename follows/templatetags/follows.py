"""`{% load follows %}{% follow_button obj %}`: a real POST form with the follower count."""

from django import template

from follows.models import Follow
from follows.registry import is_followable
from follows.services import target_key

register = template.Library()


@register.inclusion_tag("follows/includes/follow_button.html", takes_context=True)
def follow_button(context, obj):
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or not is_followable(obj):
        return {"show": False}
    followers = Follow.objects.filter(**target_key(obj))
    following = bool(user and user.is_authenticated and followers.filter(user=user).exists())
    return {
        "show": True,
        "obj": obj,
        "model_label": obj._meta.label_lower,
        "count": followers.filter(user__is_active=True).count(),
        "following": following,
        "authenticated": bool(user and user.is_authenticated),
        "next": request.get_full_path() if request else "",
    }
