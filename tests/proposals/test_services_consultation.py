"""Supports, comments, objections and moderation during the public consultation (comments and
their moderation go through the comments app; a claim decides who may comment)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from audit.models import AuditEntry
from citizens.models import Notification
from citizens.rules import Role
from comments import services as comment_services
from comments.models import Comment
from proposals import services
from proposals.models import Claim, Support
from tests.citizens.factories import officer_create, resident_create, user_create
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db
S = Claim.State


def test_a_resident_supports_once_and_may_take_it_back():
    claim = claim_in_state(S.CONSULTATION)
    resident = resident_create()
    services.support_add(user=resident, claim=claim)
    with pytest.raises(ValidationError, match="already support"):
        services.support_add(user=resident, claim=claim)
    claim.refresh_from_db()
    assert claim.supports_count == 1 and claim.supports.count() == 1
    services.support_remove(user=resident, claim=claim)
    claim.refresh_from_db()
    assert claim.supports_count == 0
    with pytest.raises(ValidationError, match="do not support"):
        services.support_remove(user=resident, claim=claim)


def test_only_verified_residents_who_are_not_proposers_support():
    author = resident_create()
    claim = claim_in_state(S.CONSULTATION, author=author)
    with pytest.raises(PermissionDenied, match="verified residency"):
        services.support_add(user=user_create(), claim=claim)
    with pytest.raises(PermissionDenied, match="own claim"):
        services.support_add(user=author, claim=claim)
    with pytest.raises(PermissionDenied):
        services.support_add(user=officer_create(), claim=claim)


def test_supporting_outside_the_consultation_is_refused():
    with pytest.raises(ValidationError, match="not in public consultation"):
        services.support_add(user=resident_create(), claim=claim_in_state(S.SUBMITTED))


def test_acting_after_the_consultation_deadline_is_refused_even_before_it_is_closed():
    claim = claim_in_state(S.CONSULTATION)
    resident = resident_create()
    later = claim.consultation_ends_at + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        with pytest.raises(ValidationError, match="consultation on this claim is closed"):
            services.support_add(user=resident, claim=claim)
        with pytest.raises(ValidationError, match="closed"):
            comment_services.comment_post(author=resident, target=claim, body="Late!")
        with pytest.raises(ValidationError, match="closed"):
            services.objection_add(author=resident, claim=claim, reason="Too late.")
    assert claim.supports.count() == 0 and not _comments_on(claim).exists()


def _comments_on(claim):
    return Comment.objects.filter(content_type__model="claim", object_id=claim.pk)


def test_supporters_choose_whether_they_hear_about_the_claim():
    claim = claim_in_state(S.CONSULTATION)
    keen, quiet = resident_create(), resident_create()
    services.support_add(user=keen, claim=claim)
    services.support_add(user=quiet, claim=claim)
    services.support_set_notify(user=quiet, claim=claim, notify=False)
    from tests.proposals.factories import close_consultation_now

    close_consultation_now(claim)
    assert Notification.objects.filter(user=keen, verb="claim.consultation_closed").exists()
    assert not Notification.objects.filter(user=quiet, verb="claim.consultation_closed").exists()
    with pytest.raises(ValidationError):
        services.support_set_notify(user=resident_create(), claim=claim, notify=False)


def test_comments_are_published_and_proposers_are_told():
    author = resident_create()
    claim = claim_in_state(S.CONSULTATION, author=author)
    resident = resident_create()
    post = comment_services.comment_post
    comment = post(author=resident, target=claim, body="  Lovely idea.  ")
    assert comment.body == "Lovely idea."
    assert Notification.objects.filter(user=author, verb="comment.new").exists()
    # Proposers may answer in the comments.
    post(author=author, target=claim, body="Thank you!")
    with pytest.raises(ValidationError, match="Write a comment"):
        post(author=resident, target=claim, body="   ")
    with pytest.raises(ValidationError, match="At most 5000"):
        post(author=resident, target=claim, body="x" * 5001)
    with pytest.raises(PermissionDenied):
        post(author=user_create(), target=claim, body="Hi")


def test_objections_need_a_reason_and_come_once_per_resident():
    claim = claim_in_state(S.CONSULTATION)
    resident = resident_create()
    with pytest.raises(ValidationError, match="needs a reason"):
        services.objection_add(author=resident, claim=claim, reason="")
    objection = services.objection_add(author=resident, claim=claim, reason="It blocks the path.")
    assert objection.kind == "objection" and objection.host == claim
    with pytest.raises(ValidationError, match="already objected"):
        services.objection_add(author=resident, claim=claim, reason="Again.")
    with pytest.raises(PermissionDenied, match="own claim"):
        services.objection_add(author=claim.created_by, claim=claim, reason="Hmm.")


def test_residents_report_and_moderators_hide_with_a_reason():
    claim = claim_in_state(S.CONSULTATION)
    writer, reader = resident_create(), resident_create()
    moderator = user_create(roles=[Role.MODERATOR])
    comment = comment_services.comment_post(author=writer, target=claim, body="Rude words")
    with pytest.raises(PermissionDenied, match="own comment"):
        comment_services.comment_report(reporter=writer, comment=comment, reason="Me")
    with pytest.raises(ValidationError, match="what is wrong"):
        comment_services.comment_report(reporter=reader, comment=comment, reason="")
    report = comment_services.comment_report(reporter=reader, comment=comment, reason="Insults.")
    assert Notification.objects.filter(user=moderator, verb="comment.reported").exists()
    with pytest.raises(ValidationError, match="already reported"):
        comment_services.comment_report(reporter=reader, comment=comment, reason="Again")
    with pytest.raises(PermissionDenied, match="moderators"):
        comment_services.comment_hide(actor=reader, comment=comment, reason="Bad")
    with pytest.raises(ValidationError, match="reason"):
        comment_services.comment_hide(actor=moderator, comment=comment, reason=" ")
    comment_services.comment_hide(
        actor=moderator, comment=comment, reason="Insults are not allowed."
    )
    comment.refresh_from_db()
    report.refresh_from_db()
    assert comment.is_hidden and comment.hidden_by == moderator
    assert report.resolved_by == moderator
    entry = AuditEntry.objects.for_object(comment).first()
    assert (entry.action, entry.reason, entry.before) == (
        "comment.hide",
        "Insults are not allowed.",
        {"state": "published"},
    )
    assert Notification.objects.filter(user=writer, verb="comment.hidden").exists()
    with pytest.raises(ValidationError, match="not published"):
        comment_services.comment_hide(actor=moderator, comment=comment, reason="Twice")


def test_moderators_dismiss_unfounded_reports():
    claim = claim_in_state(S.CONSULTATION)
    comment = comment_services.comment_post(
        author=resident_create(), target=claim, body="Fine words"
    )
    report = comment_services.comment_report(
        reporter=resident_create(), comment=comment, reason="?"
    )
    moderator = user_create(roles=[Role.MODERATOR])
    with pytest.raises(PermissionDenied):
        comment_services.report_dismiss(actor=resident_create(), report=report)
    comment_services.report_dismiss(actor=moderator, report=report)
    with pytest.raises(ValidationError, match="already been handled"):
        comment_services.report_dismiss(actor=moderator, report=report)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_resident_supporting_twice_at_once_counts_once():
    claim = claim_in_state(S.CONSULTATION)
    resident = resident_create()
    threads_n = 6
    barrier = threading.Barrier(threads_n)
    outcomes = []

    def click():
        try:
            barrier.wait()
            services.support_add(user=resident, claim=claim)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claim.refresh_from_db()
    assert sorted(outcomes) == ["ok"] + ["refused"] * (threads_n - 1)
    assert Support.objects.filter(claim=claim).count() == 1
    assert claim.supports_count == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_residents_supporting_at_once_are_all_counted():
    claim = claim_in_state(S.CONSULTATION)
    residents = [resident_create() for _ in range(6)]
    barrier = threading.Barrier(len(residents))

    def click(user):
        try:
            barrier.wait()
            services.support_add(user=user, claim=claim)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(u,)) for u in residents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claim.refresh_from_db()
    assert claim.supports_count == Support.objects.filter(claim=claim).count() == 6
