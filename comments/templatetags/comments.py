"""`{% load comments %}{% comments_for obj %}`: the thread of a registered host with its form
(`{% comments_for obj level=3 %}` when the heading sits under an h2)."""

from django import template

from citizens.rules import is_moderator
from comments import selectors
from comments.forms import CommentForm

register = template.Library()


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comments_for(context, obj, level=2):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {
        "thread": selectors.thread_get(
            obj, user, request.GET.get(selectors.PAGE_PARAM) if request else None
        ),
        "form": CommentForm(auto_id=f"id_comment_{obj._meta.model_name}_{obj.pk}_%s"),
        "level": max(2, min(int(level), 6)),
        "user": user,
        "request": request,
        "is_moderator": bool(user and user.is_authenticated and is_moderator(user)),
        "csrf_token": context.get("csrf_token"),
    }
