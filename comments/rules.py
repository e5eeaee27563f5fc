"""Who may do what with a comment: one table, read by `core.policy`.

Who may *write* on a host (a new comment, a reply, an agree) is the host's own rule, asked
through the registry (`comments/registry.py`): a claim says "verified residents during the
consultation", an accord "verified residents while it is public". This table adds what is the
same on every host: replying and agreeing only on a published comment, editing within
`COMMENTS_EDIT_WINDOW` by the author, deleting by the author, reporting by somebody else,
hiding and showing again by moderators.

Thread pages ask about many comments of one host; the thread selector works out the host's two
verdicts once and hands them to every comment (`_host_verdicts`), so the table costs no query
per comment.
"""

import datetime as dt
from dataclasses import replace

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.rules import is_moderator
from comments import registry
from comments.models import Comment
from core.policy import ALLOW, AUTHENTICATED, Policy, Rule, Who, deny_state, register, role

S = Comment.State
DEFAULT_EDIT_WINDOW = dt.timedelta(minutes=15)


def edit_window() -> dt.timedelta:
    """`settings.COMMENTS_EDIT_WINDOW`: a timedelta or seconds (default 15 minutes)."""
    value = getattr(settings, "COMMENTS_EDIT_WINDOW", DEFAULT_EDIT_WINDOW)
    return value if isinstance(value, dt.timedelta) else dt.timedelta(seconds=value)


def host_verdict(user, comment: Comment, question: str):
    """The host's answer ("view" or "comment") for this user: precomputed by the thread
    selector, else asked now."""
    cached = getattr(comment, "_host_verdicts", None)
    if cached is not None and question in cached:
        return cached[question]
    host = registry.host_for(comment.content_type.model_class())
    target = comment.host
    return host.view(user, target) if question == "view" else host.comment(user, target)


def _host_allows_comment(user, comment: Comment):
    return host_verdict(user, comment, "comment")


def _within_window(user, comment: Comment):
    if timezone.now() > comment.created_at + edit_window():
        minutes = int(edit_window().total_seconds() // 60)
        return deny_state(
            _("A comment can be edited only within %(minutes)s minutes of publishing it.")
            % {"minutes": minutes}
        )
    return ALLOW


def _within_window_q(user) -> Q:
    return Q(created_at__gte=timezone.now() - edit_window())


def _not_reported(user, comment: Comment):
    reported = getattr(comment, "reported_by_me", None)
    if reported is None:
        reported = comment.reports.filter(reporter=user).exists()
    return deny_state(_("You have already reported this comment.")) if reported else ALLOW


READER = Who(
    "who may read the host",
    lambda u, c: bool(host_verdict(u, c, "view")),
    registry.visible_q,
    refusal=_("You may not read this discussion."),
    anonymous=True,
)
AUTHOR = Who(
    "author",
    lambda u, c: c.author_id is not None and c.author_id == u.pk,
    lambda u: Q(author=u),
    refusal=_("Only the author of the comment can do this."),
)
NOT_AUTHOR = Who(
    "not the author",
    lambda u, c: c.author_id != u.pk,
    lambda u: ~Q(author=u) | Q(author__isnull=True),
    refusal=_("You cannot report your own comment."),
)
MODERATOR = role("moderator", is_moderator, _("Only moderators can do this."))

PUBLISHED_ONLY = {S.PUBLISHED}


class CommentPolicy(Policy):
    model = Comment
    rules = {
        # Hidden and deleted comments stay listed as placeholders; the template decides what
        # of them each reader sees (moderators read hidden text).
        "view": Rule(READER),
        "reply": Rule(
            AUTHENTICATED,
            PUBLISHED_ONLY,
            otherwise=_("You can reply only to a published comment."),
            check=_host_allows_comment,
        ),
        "agree": Rule(
            AUTHENTICATED
            & replace(NOT_AUTHOR, refusal=_("You cannot agree with your own comment.")),
            PUBLISHED_ONLY,
            otherwise=_("You can agree only with a published comment."),
            check=_host_allows_comment,
        ),
        "edit": Rule(
            AUTHOR,
            PUBLISHED_ONLY,
            otherwise=_("Only a published comment can be edited."),
            check=_within_window,
            check_q=_within_window_q,
        ),
        "delete": Rule(AUTHOR, moves=("delete",), otherwise=_("This comment is already deleted.")),
        "report": Rule(
            AUTHENTICATED & NOT_AUTHOR,
            PUBLISHED_ONLY,
            otherwise=_("Only a published comment can be reported."),
            check=_not_reported,
        ),
        "hide": Rule(
            replace(MODERATOR, refusal=_("Only moderators can hide comments.")),
            moves=("hide",),
            otherwise=_("This comment is not published."),
        ),
        "unhide": Rule(MODERATOR, moves=("unhide",), otherwise=_("This comment is not hidden.")),
        "moderate": Rule(MODERATOR),  # the reports queue
    }


comment_policy = register(CommentPolicy())
