"""Who may follow what: anyone logged in who may see the object (its own policy's view
action, see `follows.registry`); a follow is removed only by its follower."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import policy as core_policy
from core.policy import AUTHENTICATED, Policy, Rule, Who, deny
from follows.models import Follow
from follows.registry import followable


def may_see(user, target):
    entry = followable(target)
    if entry is None:
        return deny(_("This cannot be followed."))
    return core_policy.allows(user, entry.view_action, target)


FOLLOWER = Who(
    "follower",
    lambda u, f: f.user_id == u.pk,
    lambda u: Q(user=u),
    refusal=_("Only the follower can do this."),
)


class FollowPolicy(Policy):
    """`follow` is asked about the target (a claim, an accord, ...); `unfollow` about a Follow."""

    model = Follow
    rules = {
        "follow": Rule(AUTHENTICATED, check=may_see, check_q=lambda u: Q(pk__isnull=False)),
        "unfollow": Rule(FOLLOWER),
        "view": Rule(FOLLOWER),
    }


FOLLOWS = FollowPolicy()
