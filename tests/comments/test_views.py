"""The thread on the host pages, its forms without JavaScript, and the moderation pages."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citizens.rules import Role
from comments import services
from comments.models import Agreement, Comment, Report
from tests.citizens.factories import resident_create, user_create
from tests.comments.factories import claim_in_consultation, comment_make

pytestmark = pytest.mark.django_db


def post_url(claim) -> str:
    return f"/comments/on/proposals.claim/{claim.pk}/"


def test_the_claim_page_shows_the_thread_and_a_real_form(client):
    claim = claim_in_consultation()
    writer = resident_create(display_name="Anna Rossi")
    comment = services.comment_post(author=writer, target=claim, body="First <b>point</b>")
    services.comment_reply(author=resident_create(), parent=comment, body="@anna-rossi agreed")
    html = client.get(claim.get_absolute_url()).content.decode()
    assert 'id="comments"' in html and "Discussion (2 comments)" in html
    assert "First &lt;b&gt;point&lt;/b&gt;" in html  # escaped
    assert f'<a class="mention" href="#comment-{comment.pk}">@anna-rossi</a>' in html
    assert "Log in to take part in the discussion." in html
    client.force_login(resident_create())
    html = client.get(claim.get_absolute_url()).content.decode()
    assert f'action="{post_url(claim)}"' in html and 'for="id_comment_claim_' in html
    assert f'href="/comments/{comment.pk}/reply/"' in html and "I agree" in html


def test_the_thread_speaks_italian(client):
    claim = claim_in_consultation()
    services.comment_post(author=resident_create(), target=claim, body="Ciao")
    client.cookies["django_language"] = "it"
    html = client.get(claim.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Discussione (1 commento)" in html and "Accedi per partecipare" in html


def test_a_comment_is_posted_without_javascript_and_lands_on_its_anchor(client):
    claim = claim_in_consultation()
    client.force_login(resident_create())
    response = client.post(post_url(claim), {"body": "Bella idea 🌱"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{claim.get_absolute_url()}#comment-{comment.pk}"
    assert "Bella idea 🌱" in client.get(claim.get_absolute_url()).content.decode()


def test_a_refused_text_stays_in_the_box_with_the_error_beside_it(client):
    claim = claim_in_consultation()
    client.force_login(resident_create())
    long_text = "Troppo lungo " * 400  # over 5000 characters, past the box's maxlength
    response = client.post(post_url(claim), {"body": long_text})
    html = response.content.decode()
    assert response.status_code == 400
    assert "At most 5000 characters" in html and 'role="alert"' in html
    assert long_text.strip() in html  # the typed text is still in the textarea
    response = client.post(post_url(claim), {"body": "   "})
    assert response.status_code == 400 and "Write a comment first." in response.content.decode()
    response = client.post(post_url(claim), {"body": "a\x00b"})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_too_fast_answers_429_and_keeps_the_text(client, settings):
    settings.COMMENTS_RATE = (1, 600)
    claim = claim_in_consultation()
    client.force_login(resident_create())
    client.post(post_url(claim), {"body": "One"})
    response = client.post(post_url(claim), {"body": "Two, quickly"})
    assert response.status_code == 429 and "Two, quickly" in response.content.decode()


def test_the_wrong_person_and_unknown_hosts_get_clear_refusals(client):
    claim = claim_in_consultation()
    client.force_login(user_create())  # not a verified resident
    response = client.post(post_url(claim), {"body": "Hi"})
    assert response.status_code == 403 and "verified residency" in response.content.decode()
    assert client.post("/comments/on/proposals.nothing/1/", {"body": "x"}).status_code == 404
    assert client.post("/comments/on/proposals.claim/abc/", {"body": "x"}).status_code == 404
    # "²" passed str.isdigit, then the lookup raised ValueError (a 500).
    assert client.post("/comments/on/proposals.claim/²/", {"body": "x"}).status_code == 404
    assert client.post(f"/comments/on/proposals.claim/{claim.pk + 999}/").status_code == 404


def test_replies_agrees_edits_and_deletion_through_the_pages(client):
    claim = claim_in_consultation()
    author, reader = resident_create(), resident_create()
    comment = services.comment_post(author=author, target=claim, body="Original")
    client.force_login(reader)
    response = client.post(f"/comments/{comment.pk}/reply/", {"body": "A reply"})
    reply = Comment.objects.get(parent=comment)
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    client.post(f"/comments/{comment.pk}/agree/")
    assert Agreement.objects.filter(comment=comment, user=reader).exists()
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 403
    client.force_login(author)
    assert "Original" in client.get(f"/comments/{comment.pk}/edit/").content.decode()
    client.post(f"/comments/{comment.pk}/edit/", {"body": "Corrected"})
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Corrected" in html and "edited" in html and "1 person agrees" in html
    assert "Delete your comment?" in client.get(f"/comments/{comment.pk}/delete/").content.decode()
    client.post(f"/comments/{comment.pk}/delete/", {"confirm": "1"})
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Comment deleted." in html and "Corrected" not in html and "A reply" in html


def test_reports_and_moderation_through_the_pages(client):
    claim = claim_in_consultation()
    comment = services.comment_post(author=resident_create(), target=claim, body="Nasty words")
    reader = resident_create()
    client.force_login(reader)
    assert client.get(f"/comments/{comment.pk}/hide/").status_code == 403
    assert client.get("/office/moderation/").status_code == 403
    client.post(f"/comments/{comment.pk}/report/", {"reason": "Offensive"})
    assert Report.objects.filter(comment=comment, reporter=reader).exists()
    assert "Reported" in client.get(claim.get_absolute_url()).content.decode()
    moderator = user_create(roles=[Role.MODERATOR])
    client.force_login(moderator)
    html = client.get("/office/moderation/").content.decode()
    assert "Nasty words" in html and "Offensive" in html and claim.title in html
    assert client.post(f"/comments/{comment.pk}/hide/", {"reason": ""}).status_code == 400
    client.post(f"/comments/{comment.pk}/hide/", {"reason": "Insults"})
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Hidden by moderation: Insults" in html and "Hidden text (moderators)" in html
    assert "No open reports." in client.get("/office/moderation/").content.decode()
    client.logout()
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Hidden by moderation: Insults" in html and "Nasty words" not in html
    client.force_login(moderator)
    client.post(f"/comments/{comment.pk}/unhide/", {"confirm": "1"})
    assert Comment.objects.get(pk=comment.pk).is_published


def test_comments_on_a_draft_claim_are_not_found(client):
    from proposals.models import Claim

    claim = claim_in_consultation()
    comment = comment_make(claim, resident_create(), "Secret")
    Claim.objects.filter(pk=claim.pk).update(state="draft")
    client.force_login(resident_create())
    assert client.get(f"/comments/{comment.pk}/report/").status_code == 404
    assert client.post(post_url(claim), {"body": "x"}).status_code == 404


def test_project_and_accord_pages_carry_the_thread(client):
    from tests.accords.factories import World
    from tests.budgeting.factories import process_create, project_create

    project = project_create(process_create())
    services.comment_post(author=resident_create(), target=project, body="On the project")
    accord = World().start()
    services.comment_post(author=resident_create(), target=accord, body="On the accord")
    client.force_login(resident_create())
    html = client.get(project.get_absolute_url()).content.decode()
    assert "On the project" in html and "/comments/on/budgeting.project/" in html
    html = client.get(accord.get_absolute_url()).content.decode()
    assert "On the accord" in html and "/comments/on/accords.accord/" in html


# Query counts --------------------------------------------------------------------------------


def _fill(claim, n, people):
    """`n` comments of every sort: replies, agrees, mentions, hidden and deleted ones."""
    made = []
    for i in range(n):
        author = people[i % len(people)]
        parent = made[-1] if i % 3 == 2 and made[-1].depth < 3 else None
        fields = {}
        if i % 7 == 3:
            fields = {"state": "hidden", "hidden_reason": "Rude"}
        elif i % 11 == 5:
            fields = {"state": "deleted"}
        comment = comment_make(claim, author, f"Point {i} @{people[0].display_name}", parent=parent)
        if fields:
            Comment.objects.filter(pk=comment.pk).update(**fields)
        comment.mentions.add(people[0])
        Agreement.objects.create(comment=comment, user=people[(i + 1) % len(people)])
        made.append(comment)
    return made


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "resident", "moderator"])
def test_the_claim_page_costs_the_same_with_5_and_200_comments(client, role):
    people = [resident_create(display_name=f"Person {i}") for i in range(6)]
    few, many = claim_in_consultation(), claim_in_consultation()
    _fill(few, 5, people)
    _fill(many, 200, people)
    if role == "resident":
        client.force_login(people[1])
    elif role == "moderator":
        client.force_login(user_create(roles=[Role.MODERATOR]))
    _queries(client, few.get_absolute_url())  # warm the content-type cache
    small = _queries(client, few.get_absolute_url())
    large = _queries(client, many.get_absolute_url())
    assert small == large, f"{role}: {small} queries with 5 comments, {large} with 200"


def test_the_thread_selector_makes_two_queries(django_assert_num_queries):
    from comments.selectors import thread_get

    claim = claim_in_consultation()
    _fill(claim, 30, [resident_create(display_name=f"P {i}") for i in range(3)])
    thread_get(claim, AnonymousUser())  # warm caches
    with django_assert_num_queries(2):  # the comments, their mentions
        thread = thread_get(claim, AnonymousUser())
    assert thread.count > 0


def test_the_moderation_queue_costs_the_same_with_3_and_12_reports(client):
    from tests.accords.factories import World

    moderator = user_create(roles=[Role.MODERATOR])
    accord = World().start()
    hosts = [claim_in_consultation(), accord]

    def report(n):
        for i in range(n):
            comment = comment_make(hosts[i % 2], resident_create(), f"Rude {i}")
            Report.objects.create(comment=comment, reporter=resident_create(), reason="Rude")

    client.force_login(moderator)
    report(3)
    _queries(client, "/office/moderation/")
    few = _queries(client, "/office/moderation/")
    report(9)
    many = _queries(client, "/office/moderation/")
    assert few == many, f"{few} queries with 3 reports, {many} with 12"


def test_long_discussions_come_in_pages_and_links_find_the_right_one(client, settings):
    settings.COMMENTS_PER_PAGE = 2
    claim = claim_in_consultation()
    anna = resident_create(display_name="Anna")
    first = services.comment_post(author=anna, target=claim, body="Thread one")
    for n in ("two", "three", "four"):
        services.comment_post(author=resident_create(), target=claim, body=f"Thread {n}")
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Thread one" in html and "Thread three" not in html and "Page 1 of 2" in html
    assert "?comments-page=2#comments" in html
    client.force_login(resident_create())
    response = client.post(post_url(claim), {"body": "Thread five, @anna"})
    assert "?comments-page=3#comment-" in response["Location"]
    html = client.get(claim.get_absolute_url() + "?comments-page=3").content.decode()
    assert "Thread five" in html and "Thread one" not in html
    # The mention links to Anna's comment on page 1.
    assert f'<a class="mention" href="?comments-page=1#comment-{first.pk}">@anna</a>' in html
    response = client.get(f"/comments/{first.pk}/")
    assert response["Location"] == f"{claim.get_absolute_url()}#comment-{first.pk}"
    reply = services.comment_reply(author=anna, parent=first, body="Reply on page 1")
    assert services.comment_url(reply).endswith(f"/#comment-{reply.pk}")
