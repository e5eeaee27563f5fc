"""Every action of the comments and its refusals, on claims, PB projects and accords."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from citizens.models import Notification
from citizens.rules import Role
from comments import services
from comments.models import MAX_DEPTH, Agreement, Comment
from tests.citizens.factories import resident_create, user_create
from tests.comments.factories import claim_in_consultation, close_consultation

pytestmark = pytest.mark.django_db


def notified(user, verb) -> bool:
    return Notification.objects.filter(user=user, verb=verb).exists()


# Posting ------------------------------------------------------------------------------------


def test_a_resident_comments_on_a_claim_in_consultation_and_its_proposers_are_told():
    author = resident_create()
    claim = claim_in_consultation(author=author)
    resident = resident_create()
    comment = services.comment_post(author=resident, target=claim, body="  Lovely idea.  ")
    assert (comment.body, comment.depth, comment.host) == ("Lovely idea.", 1, claim)
    assert notified(author, "comment.new")
    assert not notified(resident, "comment.new")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a comment first."),
        ("   \n ", "Write a comment first."),
        ("x" * 5001, "At most 5000 characters"),
        ("bad\x00byte", "NUL"),
    ],
)
def test_text_that_cannot_be_a_comment_is_refused_with_a_clear_error(body, message):
    claim = claim_in_consultation()
    with pytest.raises(ValidationError, match=message) as caught:
        services.comment_post(author=resident_create(), target=claim, body=body)
    assert "body" in caught.value.message_dict
    assert not Comment.objects.exists()


def test_who_may_comment_is_the_claims_rule():
    claim = claim_in_consultation()
    with pytest.raises(PermissionDenied, match="verified residency"):
        services.comment_post(author=user_create(), target=claim, body="Hi")
    closed = close_consultation(claim_in_consultation())
    with pytest.raises(ValidationError, match="consultation on this claim is closed"):
        services.comment_post(author=resident_create(), target=closed, body="Late")


def test_projects_take_comments_from_residents_while_their_process_is_public():
    from budgeting.models import Process
    from tests.budgeting.factories import process_create, project_create

    proposer = resident_create()
    project = project_create(process_create(), proposer=proposer)
    services.comment_post(author=resident_create(), target=project, body="Good value.")
    assert notified(proposer, "comment.new")
    with pytest.raises(PermissionDenied, match="verified residency"):
        services.comment_post(author=user_create(), target=project, body="Hi")
    hidden = project_create(process_create(state=Process.State.DRAFT))
    with pytest.raises(ValidationError, match="process is public"):
        services.comment_post(author=resident_create(), target=hidden, body="Hi")


def test_accords_take_public_comments_from_verified_residents_while_public():
    from accords.models import Accord
    from tests.accords.factories import World

    world = World()
    accord = world.start()
    services.comment_post(author=resident_create(), target=accord, body="Thanks for this.")
    with pytest.raises(PermissionDenied, match="verified residency"):
        services.comment_post(author=user_create(), target=accord, body="Hi")
    Accord.objects.filter(pk=accord.pk).update(state="cancelled")
    accord.refresh_from_db()
    with pytest.raises(ValidationError, match="not public"):
        services.comment_post(author=resident_create(), target=accord, body="Hi")


def test_posting_is_rate_limited_per_person(settings):
    settings.COMMENTS_RATE = (3, 600)
    claim = claim_in_consultation()
    fast = resident_create()
    for n in range(3):
        services.comment_post(author=fast, target=claim, body=f"Point {n}")
    with pytest.raises(ValidationError, match="too fast") as caught:
        services.comment_post(author=fast, target=claim, body="Point 4")
    assert caught.value.code == "throttled"
    services.comment_post(author=resident_create(), target=claim, body="Somebody else")
    assert Comment.objects.filter(author=fast).count() == 3


# Replies ------------------------------------------------------------------------------------


def test_replies_nest_up_to_the_limit_and_deeper_replies_attach_at_the_limit():
    claim = claim_in_consultation()
    first, second = resident_create(), resident_create()
    comment = services.comment_post(author=first, target=claim, body="Level 1")
    parent = comment
    for level in range(2, MAX_DEPTH + 1):
        parent = services.comment_reply(author=second, parent=parent, body=f"Level {level}")
        assert parent.depth == level
    deeper = services.comment_reply(author=first, parent=parent, body="One more")
    assert deeper.depth == MAX_DEPTH and deeper.parent_id == parent.parent_id
    assert notified(second, "comment.reply")


def test_replies_only_to_published_comments_and_by_those_who_may_comment():
    claim = claim_in_consultation()
    comment = services.comment_post(author=resident_create(), target=claim, body="Hello")
    with pytest.raises(PermissionDenied, match="verified residency"):
        services.comment_reply(author=user_create(), parent=comment, body="Hi")
    services.comment_delete(actor=comment.author, comment=comment)
    with pytest.raises(ValidationError, match="only to a published comment"):
        services.comment_reply(author=resident_create(), parent=comment, body="Hi")


# Agreeing -----------------------------------------------------------------------------------


def test_agree_is_one_per_person_and_a_toggle():
    claim = claim_in_consultation()
    writer, reader = resident_create(), resident_create()
    comment = services.comment_post(author=writer, target=claim, body="Agree?")
    assert services.comment_agree(user=reader, comment=comment) is True
    assert Agreement.objects.filter(comment=comment).count() == 1
    assert services.comment_agree(user=reader, comment=comment) is False
    assert not Agreement.objects.exists()
    with pytest.raises(PermissionDenied, match="your own comment"):
        services.comment_agree(user=writer, comment=comment)
    with pytest.raises(PermissionDenied, match="verified residency"):
        services.comment_agree(user=user_create(), comment=comment)


def test_the_database_refuses_a_second_agreement():
    from django.db import IntegrityError, transaction

    claim = claim_in_consultation()
    comment = services.comment_post(author=resident_create(), target=claim, body="Hello")
    reader = resident_create()
    Agreement.objects.create(comment=comment, user=reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(comment=comment, user=reader)


# Editing and deleting -----------------------------------------------------------------------


def test_authors_edit_within_the_window_and_the_edit_shows():
    claim = claim_in_consultation()
    author = resident_create()
    comment = services.comment_post(author=author, target=claim, body="Frist")
    with time_machine.travel(comment.created_at + dt.timedelta(minutes=10), tick=False):
        edited = services.comment_edit(author=author, comment=comment, body="First")
    assert edited.body == "First" and edited.is_edited
    with pytest.raises(PermissionDenied, match="author"):
        services.comment_edit(author=resident_create(), comment=comment, body="Mine now")
    later = comment.created_at + dt.timedelta(minutes=16)
    with (
        time_machine.travel(later, tick=False),
        pytest.raises(ValidationError, match="within 15 minutes"),
    ):
        services.comment_edit(author=author, comment=comment, body="Too late")
    with pytest.raises(ValidationError, match="cannot be empty"):
        services.comment_edit(author=author, comment=comment, body=" ")


def test_deleting_keeps_the_place_and_the_replies():
    claim = claim_in_consultation()
    author, other = resident_create(), resident_create()
    comment = services.comment_post(author=author, target=claim, body="Regret this")
    reply = services.comment_reply(author=other, parent=comment, body="Why?")
    services.comment_agree(user=other, comment=comment)
    with pytest.raises(PermissionDenied, match="author"):
        services.comment_delete(actor=other, comment=comment)
    services.comment_delete(actor=author, comment=comment)
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == ""
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk
    assert not Agreement.objects.filter(comment=comment).exists()
    assert AuditEntry.objects.for_object(comment).first().action == "comment.delete"
    with pytest.raises(ValidationError, match="already deleted"):
        services.comment_delete(actor=author, comment=comment)


# Mentions -----------------------------------------------------------------------------------


def test_participants_are_mentioned_by_handle_and_told():
    proposer = resident_create(display_name="Nico Bianchi")
    claim = claim_in_consultation(author=proposer)
    anna = resident_create(display_name="Anna Rossi")
    stranger = resident_create(display_name="Carla Verdi")  # never took part
    services.comment_post(author=anna, target=claim, body="I can help on Sundays.")
    writer = resident_create(display_name="Rita")
    comment = services.comment_post(
        author=writer, target=claim, body="@anna-rossi and @nico-bianchi, @carla-verdi: deal?"
    )
    assert set(comment.mentions.all()) == {anna, proposer}
    assert notified(anna, "comment.mention") and notified(proposer, "comment.mention")
    assert not notified(stranger, "comment.mention")
    # The proposer hears once: as the mentioned, not again as the claim's author.
    assert Notification.objects.filter(user=proposer, verb="comment.new").count() == 1


def test_an_ambiguous_handle_mentions_nobody():
    claim = claim_in_consultation()
    for _ in range(2):
        twin = resident_create(display_name="Marco")
        services.comment_post(author=twin, target=claim, body="Hello")
    comment = services.comment_post(author=resident_create(), target=claim, body="@marco hi")
    assert not comment.mentions.exists()


def test_an_edit_that_adds_a_mention_tells_only_the_newly_mentioned():
    claim = claim_in_consultation()
    anna = resident_create(display_name="Anna")
    services.comment_post(author=anna, target=claim, body="Hi")
    author = resident_create()
    comment = services.comment_post(author=author, target=claim, body="Hello")
    services.comment_edit(author=author, comment=comment, body="Hello @anna")
    assert Notification.objects.filter(user=anna, verb="comment.mention").count() == 1
    services.comment_edit(author=author, comment=comment, body="Hello again @anna")
    assert Notification.objects.filter(user=anna, verb="comment.mention").count() == 1


# Followers ------------------------------------------------------------------------------------


def test_followers_hear_of_new_comments(monkeypatch):
    claim = claim_in_consultation()
    follower = resident_create()
    monkeypatch.setattr(services, "followers_of", lambda obj: [follower] if obj == claim else [])
    services.comment_post(author=resident_create(), target=claim, body="News")
    assert notified(follower, "comment.new")


def test_followers_of_the_follows_app_hear_and_commenters_follow():
    from follows.services import follow, is_following

    claim = claim_in_consultation()
    follower, writer = resident_create(), resident_create()
    follow(follower, claim)
    services.comment_post(author=writer, target=claim, body="News")
    assert notified(follower, "comment.new")
    assert is_following(writer, claim)


def test_without_the_follows_app_nobody_follows(monkeypatch):
    from comments import followers
    from comments.followers import follow_automatically, followers_of

    claim = claim_in_consultation()
    installed = followers.apps.is_installed
    monkeypatch.setattr(
        followers.apps, "is_installed", lambda name: name != "follows" and installed(name)
    )
    assert followers_of(claim) == []
    follow_automatically(resident_create(), claim)  # nothing to do, no error


# Reports and moderation ---------------------------------------------------------------------


def test_readers_report_and_moderators_hide_with_a_reason_then_show_again():
    claim = claim_in_consultation()
    writer, reader = resident_create(), resident_create()
    moderator = user_create(roles=[Role.MODERATOR])
    comment = services.comment_post(author=writer, target=claim, body="Rude words")
    with pytest.raises(PermissionDenied, match="own comment"):
        services.comment_report(reporter=writer, comment=comment, reason="Me")
    with pytest.raises(ValidationError, match="what is wrong"):
        services.comment_report(reporter=reader, comment=comment, reason=" ")
    report = services.comment_report(reporter=reader, comment=comment, reason="Insults.")
    assert notified(moderator, "comment.reported")
    with pytest.raises(ValidationError, match="already reported"):
        services.comment_report(reporter=reader, comment=comment, reason="Again")
    with pytest.raises(PermissionDenied, match="moderators"):
        services.comment_hide(actor=reader, comment=comment, reason="Bad")
    with pytest.raises(ValidationError, match="reason"):
        services.comment_hide(actor=moderator, comment=comment, reason="")
    services.comment_hide(actor=moderator, comment=comment, reason="Insults are not allowed.")
    comment.refresh_from_db()
    report.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Insults are not allowed."
    assert report.resolved_by == moderator
    assert notified(writer, "comment.hidden")
    entry = AuditEntry.objects.for_object(comment).first()
    assert (entry.action, entry.reason) == ("comment.hide", "Insults are not allowed.")
    with pytest.raises(ValidationError, match="not published"):
        services.comment_hide(actor=moderator, comment=comment, reason="Twice")
    with pytest.raises(PermissionDenied):
        services.comment_unhide(actor=reader, comment=comment)
    services.comment_unhide(actor=moderator, comment=comment)
    comment.refresh_from_db()
    assert comment.is_published and comment.hidden_reason == ""
    with pytest.raises(ValidationError, match="not hidden"):
        services.comment_unhide(actor=moderator, comment=comment)


def test_moderators_dismiss_reports_once():
    claim = claim_in_consultation()
    comment = services.comment_post(author=resident_create(), target=claim, body="Fine")
    report = services.comment_report(reporter=resident_create(), comment=comment, reason="?")
    moderator = user_create(roles=[Role.MODERATOR])
    with pytest.raises(PermissionDenied):
        services.report_dismiss(actor=resident_create(), report=report)
    services.report_dismiss(actor=moderator, report=report)
    with pytest.raises(ValidationError, match="already been handled"):
        services.report_dismiss(actor=moderator, report=report)
    assert AuditEntry.objects.for_object(comment).first().action == "comment.report_dismiss"


def test_every_moderation_action_has_an_audit_label():
    from audit.labels import audit_label

    for action in ("comment.hide", "comment.unhide", "comment.delete", "comment.report"):
        assert audit_label(action) != action
    assert audit_label("comment.report_dismiss") == "Report on a comment dismissed"


# Objections (a claim's own kind) ----------------------------------------------------------


def test_a_claims_objection_is_a_comment_of_its_kind_once_per_person():
    from proposals import services as claim_services

    claim = claim_in_consultation()
    resident = resident_create()
    objection = claim_services.objection_add(author=resident, claim=claim, reason="Noise.")
    assert objection.kind == "objection" and objection.host == claim
    with pytest.raises(ValidationError, match="already objected"):
        claim_services.objection_add(author=resident, claim=claim, reason="Again.")
    # Comments are not limited: the same person may also comment, twice.
    services.comment_post(author=resident, target=claim, body="One")
    services.comment_post(author=resident, target=claim, body="Two")
