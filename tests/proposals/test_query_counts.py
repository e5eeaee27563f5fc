"""Lists cost a fixed number of queries, whatever their length (3 rows vs 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.services import comment_post
from proposals import services
from proposals.models import Claim
from tests.citizens.factories import department_create, officer_create, resident_create
from tests.proposals.factories import claim_in_state, png_upload, resource_create

pytestmark = pytest.mark.django_db
S = Claim.State

# The budgets asserted below (queries per page view, whatever the number of rows).
BUDGET = {
    "/claims/": 6,
    "/resources/": 7,
    "/office/": 12,
    "/office/reviews/": 10,
    "/api/claims": 3,
    "/api/resources": 3,
}


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_claims(n, *, author, officer, department):
    """Claims in several states, on several resources, with reviews and attachments."""
    for i in range(n):
        state = [S.SUBMITTED, S.SCREENING, S.CONSULTATION][i % 3]
        resource = resource_create(district=["Centro", "Navile"][i % 2])
        uploads = [png_upload()] if i % 2 else []
        claim = claim_in_state(
            state, author=author, officer=officer, resource=resource, uploads=uploads
        )
        if state == S.CONSULTATION:
            services.review_request(actor=officer, claim=claim, department=department)


@pytest.fixture
def world():
    department = department_create()
    return {
        "author": resident_create(),
        "officer": officer_create(department=department),
        "department": department,
    }


@pytest.mark.parametrize(
    ("url", "as_officer"),
    [
        ("/claims/", False),
        ("/claims/?sort=-supports_count&district=Centro", False),
        ("/resources/", False),
        ("/resources/?status=claimed", False),
        ("/office/", True),
        ("/office/?overdue=on&district=Navile", True),
        ("/office/reviews/", True),
        ("/api/claims", False),
        ("/api/claims?state=consultation&district=Centro", False),
        ("/api/resources", False),
    ],
)
def test_list_pages_do_not_grow_with_their_rows(
    client, world, url, as_officer, django_assert_max_num_queries
):
    if as_officer:
        client.force_login(world["officer"])
    add_claims(3, **world)
    few = queries(client, url)
    add_claims(12, **world)
    many = queries(client, url)
    assert few == many, f"{url}: {few} queries for 3 claims, {many} for 15"
    with django_assert_max_num_queries(BUDGET[url.split("?")[0]]):
        client.get(url)
    print(f"{url}: {many} queries")


def test_the_claim_page_does_not_grow_with_comments_reviews_and_photos(client, world):
    from proposals.models import ProcedureConfig

    officer = world["officer"]
    claim = claim_in_state(S.CONSULTATION, officer=officer, uploads=[png_upload()])
    viewer = resident_create()
    client.force_login(viewer)

    def add(n):
        for _ in range(n):
            writer = resident_create()
            comment_post(author=writer, target=claim, body="Hello")
            services.support_add(user=writer, claim=claim)
            review = services.review_request(
                actor=officer, claim=claim, department=department_create()
            )
            checklist = {i.key: "ok" for i in ProcedureConfig.get_solo().active_checklist()}
            services.review_answer(
                actor=user_in(review.department),
                review=review,
                opinion="favourable",
                checklist=checklist,
            )

    add(2)
    few = queries(client, claim.get_absolute_url())
    add(8)
    many = queries(client, claim.get_absolute_url())
    assert few == many
    print(f"/claims/<id>/: {many} queries")


def user_in(department):
    return officer_create(department=department)
