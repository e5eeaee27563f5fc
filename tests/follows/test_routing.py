"""Each recipient's preference for a kind of event routes the email: now, a digest, or none.
The in-app notification exists whatever the preference."""

import pytest
from django.core import mail

from citizens.models import Notification
from core.notify import kind_of, notify
from follows.models import DigestItem, Frequency
from follows.preferences import frequencies_of, preference_set
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("verb", "kind"),
    [
        ("claim.decided", "claim"),
        ("review.requested", "claim"),
        ("accord.sign_needed", "accord"),
        ("claim.comment", "comment"),
        ("comment.hidden", "comment"),
        ("budgeting.results", "budgeting"),
        ("meeting.reminder", "assembly"),
        ("implementation.milestone", "implementation"),
        ("open", "other"),
    ],
)
def test_kind_of_groups_verbs(verb, kind):
    assert kind_of(verb) == kind


def _notify_claim_event(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], "claim.decided", "Your claim was approved.", url="/claims/1/")


@pytest.mark.parametrize(
    ("frequency", "emails", "waiting"),
    [
        (Frequency.IMMEDIATE, 1, 0),
        (Frequency.DAILY, 0, 1),
        (Frequency.WEEKLY, 0, 1),
        (Frequency.OFF, 0, 0),
    ],
)
def test_preference_routes_the_email(
    frequency, emails, waiting, django_capture_on_commit_callbacks
):
    user = user_create()
    preference_set(user=user, kind="claim", frequency=frequency)
    _notify_claim_event(user, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == emails
    assert DigestItem.objects.filter(user=user, frequency=frequency).count() == waiting
    # The in-app list shows it whatever the preference.
    [note] = Notification.objects.filter(user=user)
    assert note.kind == "claim"


def test_a_preference_for_one_kind_leaves_the_others_immediate(
    django_capture_on_commit_callbacks,
):
    user = user_create()
    preference_set(user=user, kind="claim", frequency=Frequency.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], "accord.sign_needed", "Sign the accord.", url="/accords/1/")
    assert len(mail.outbox) == 1
    assert frequencies_of(user)["accord"] == Frequency.IMMEDIATE
    assert frequencies_of(user)["claim"] == Frequency.OFF


def test_an_explicit_kind_wins_over_the_verb(django_capture_on_commit_callbacks):
    user = user_create()
    preference_set(user=user, kind="assembly", frequency=Frequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], "x.reminder", "Meeting tomorrow.", kind="assembly")
    assert mail.outbox == []
    assert DigestItem.objects.filter(user=user, notification__kind="assembly").exists()


def test_the_email_switch_in_the_profile_still_stops_everything(
    django_capture_on_commit_callbacks,
):
    user = user_create(notify_by_email=False)
    preference_set(user=user, kind="claim", frequency=Frequency.DAILY)
    _notify_claim_event(user, django_capture_on_commit_callbacks)
    assert mail.outbox == [] and not DigestItem.objects.exists()


def test_immediate_email_carries_an_unsubscribe_link_and_headers(
    django_capture_on_commit_callbacks,
):
    user = user_create()
    _notify_claim_event(user, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/unsubscribe/" in link and link in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, _mime = message.alternatives[0]
    assert link in html


def test_unknown_preferences_are_refused():
    from django.core.exceptions import ValidationError

    user = user_create()
    with pytest.raises(ValidationError):
        preference_set(user=user, kind="claim", frequency="hourly")
    with pytest.raises(ValidationError):
        preference_set(user=user, kind="gossip", frequency=Frequency.OFF)
