"""Automatic follows and what followers hear.

Automatic follows (`auto=True`), from the models other apps already save, so their services
need no change: the author of a claim (and each co-author who accepts), a supporter of a
claim, a signatory of an accord, an online voter (the process: only that the participation
exists is read, never the ballot), a person registering for a meeting (or joining its waiting
list), an active member of an assembly.

Followers who chose to follow (not the automatic ones: proposers, supporters and signatories
already hear about these steps from the services that take them) are told when a followed
object changes state (`core.fsm.transitioned`) and when a claim they follow gets a support.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from core.fsm import transitioned
from core.notify import notify
from follows import services
from follows.registry import followable


def _auto_follow(user, obj):
    if user is not None and user.is_active:
        services.follow(user, obj, auto=True)


def claim_saved(sender, instance, created, **kwargs):
    if created and instance.created_by_id:
        _auto_follow(instance.created_by, instance)


def coauthor_saved(sender, instance, created, **kwargs):
    if instance.state == sender.State.ACCEPTED:
        _auto_follow(instance.user, instance.claim)


def support_saved(sender, instance, created, **kwargs):
    if not created:
        return
    _auto_follow(instance.user, instance.claim)
    claim = instance.claim
    supporter = instance.user
    followers = services.followers_of(claim, manual_only=True).exclude(pk=supporter.pk)
    notify(
        followers,
        "claim.supported",
        lambda: _("“%(title)s”, which you follow, has a new support.") % {"title": claim.title},
        claim.get_absolute_url(),
    )


def signature_saved(sender, instance, created, **kwargs):
    if created:
        _auto_follow(instance.signer, instance.version.accord)


def participation_saved(sender, instance, created, **kwargs):
    # Only who took part: the ballot (`instance.ballot`) is never read.
    if instance.user_id:
        _auto_follow(instance.user, instance.process)


def registration_saved(sender, instance, created, **kwargs):
    # Registered or on the waiting list: the person follows the meeting.
    if created and instance.state != sender.State.CANCELLED:
        _auto_follow(instance.user, instance.meeting)


def membership_saved(sender, instance, created, **kwargs):
    # An active member (joined, accepted, added) follows the assembly.
    if instance.state == sender.State.ACTIVE:
        _auto_follow(instance.user, instance.assembly)


def accord_transitioned(sender, instance, name, before, after, **kwargs):
    """An accord in force has its community assembly, whose members are created in bulk (no
    post_save): they follow it here. The assemblies app's receiver, connected first (it comes
    first in INSTALLED_APPS), has created the assembly by now."""
    if after != "active":
        return
    from assemblies.models import Membership

    for membership in Membership.objects.filter(
        assembly__accord=instance, state=Membership.State.ACTIVE
    ).select_related("user", "assembly"):
        _auto_follow(membership.user, membership.assembly)


def object_transitioned(sender, instance, name, before, after, actor=None, **kwargs):
    entry = followable(instance)
    if entry is None:
        return
    followers = services.followers_of(instance, manual_only=True)
    if not followers.exists():
        return
    title = getattr(instance, "title", "") or str(instance)
    url = instance.get_absolute_url() if hasattr(instance, "get_absolute_url") else ""

    def message():
        state = instance.get_state_display() if hasattr(instance, "get_state_display") else after
        return _("“%(title)s”, which you follow, is now: %(state)s.") % {
            "title": title,
            "state": state,
        }

    with transaction.atomic():
        notify(followers, f"{entry.verb}.{name}", message, url, exclude=actor)


def connect():
    from django.apps import apps

    pairs = [
        (claim_saved, "proposals.Claim"),
        (coauthor_saved, "proposals.ClaimCoauthor"),
        (support_saved, "proposals.Support"),
        (signature_saved, "accords.Signature"),
        (participation_saved, "budgeting.Participation"),
    ]
    if apps.is_installed("assemblies"):
        pairs += [
            (registration_saved, "assemblies.Registration"),
            (membership_saved, "assemblies.Membership"),
        ]
        transitioned.connect(
            accord_transitioned,
            sender=apps.get_model("accords.Accord"),
            dispatch_uid="follows.accord_transitioned",
        )
    for receiver, label in pairs:
        post_save.connect(
            receiver, sender=apps.get_model(label), dispatch_uid=f"follows.{receiver.__name__}"
        )
    transitioned.connect(object_transitioned, dispatch_uid="follows.object_transitioned")
