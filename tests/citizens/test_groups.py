import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from citizens import services
from citizens.models import CivicGroup, GroupInvitation, Membership
from tests.citizens.factories import group_create, user_create

pytestmark = pytest.mark.django_db


def test_creating_a_group_makes_the_creator_its_representative(client):
    user = user_create()
    client.force_login(user)
    response = client.post(
        reverse("citizens:group-create"), {"name": "Amici del Parco", "kind": "association"}
    )
    group = CivicGroup.objects.get(name="Amici del Parco")
    assert response.status_code == 302
    assert Membership.objects.get(group=group, user=user).is_representative


def test_duplicate_or_empty_group_name_is_a_form_error(client):
    user = user_create()
    client.force_login(user)
    group_create(representative=user)
    CivicGroup.objects.create(name="Taken")
    response = client.post(reverse("citizens:group-create"), {"name": "taken", "kind": "informal"})
    assert "already exists" in response.content.decode()
    response = client.post(reverse("citizens:group-create"), {"name": "  ", "kind": "informal"})
    assert response.status_code == 200
    assert CivicGroup.objects.count() == 2


def test_invite_accept_and_leave(client, django_capture_on_commit_callbacks):
    rep = user_create()
    invitee = user_create(email="friend@example.org")
    group = group_create(representative=rep)
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("citizens:group-detail", args=[group.pk]),
            {"action": "invite", "email": "friend@example.org"},
        )
    assert response.status_code == 302
    assert mail.outbox and "friend@example.org" in mail.outbox[0].to
    invitation = GroupInvitation.objects.get()
    assert invitation.token in mail.outbox[0].body

    # A second pending invitation to the same address is refused clearly.
    response = client.post(
        reverse("citizens:group-detail", args=[group.pk]),
        {"action": "invite", "email": "FRIEND@example.org"},
    )
    assert response.status_code == 400
    assert "already pending" in response.content.decode()

    # Someone else cannot use the invitation.
    client.force_login(user_create())
    assert (
        client.get(reverse("citizens:invitation-detail", args=[invitation.token])).status_code
        == 403
    )

    client.force_login(invitee)
    response = client.post(
        reverse("citizens:invitation-detail", args=[invitation.token]), {"answer": "accept"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(group=group, user=invitee).exists()
    # Answering twice does nothing more.
    client.post(
        reverse("citizens:invitation-detail", args=[invitation.token]), {"answer": "decline"}
    )
    invitation.refresh_from_db()
    assert invitation.state == "accepted"

    response = client.post(reverse("citizens:group-leave", args=[group.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(group=group, user=invitee).exists()


def test_members_cannot_invite():
    member = user_create()
    group = group_create(representative=user_create(), members=[member])
    with pytest.raises(PermissionDenied):
        services.group_invite(actor=member, group=group, email="x@example.org")


def test_the_last_representative_cannot_leave_while_members_remain():
    rep = user_create()
    group = group_create(representative=rep, members=[user_create()])
    with pytest.raises(ValidationError, match="only representative"):
        services.group_leave(user=rep, group=group)
    membership = Membership.objects.get(group=group, user=rep)
    with pytest.raises(ValidationError, match="at least one representative"):
        services.membership_set_representative(actor=rep, membership=membership, value=False)


def test_representative_can_promote_a_member(client):
    rep, member = user_create(), user_create()
    group = group_create(representative=rep, members=[member])
    m = Membership.objects.get(group=group, user=member)
    client.force_login(rep)
    # The membership is a button's value: missing or junk raised ValueError (a 500).
    for junk in ("", "junk\x00", "²"):
        response = client.post(
            reverse("citizens:group-detail", args=[group.pk]),
            {"action": "promote", "membership": junk},
        )
        assert response.status_code == 404
    client.post(
        reverse("citizens:group-detail", args=[group.pk]), {"action": "promote", "membership": m.pk}
    )
    m.refresh_from_db()
    assert m.is_representative
    client.force_login(member)
    services.group_leave(user=rep, group=group)  # another representative exists now
