"""Casting online, changing, replaying; in-person participations and anonymous ballots."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from budgeting import services
from budgeting.eligibility import Ineligible
from budgeting.models import Ballot, Channel, Participation, Process
from budgeting.signals import ballot_recorded
from budgeting.validation import BallotInvalid
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import census_person, resident_create, user_create
from tests.live_voting.factories import session_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def process():
    return process_create(budget=50_000)


@pytest.fixture
def projects(process):
    return [project_create(process, cost=20_000) for _ in range(3)]


def cast(user, process, ids, k=None):
    return services.ballot_cast(
        user=user, process=process, project_ids=ids, idempotency_key=k or key()
    )


def test_a_verified_resident_casts_an_online_ballot(process, projects):
    voter = resident_create()
    result = cast(voter, process, [projects[0].pk, projects[1].pk])
    assert result.created and result.replaced is None
    ballot = result.ballot
    assert ballot.channel == Channel.ONLINE and ballot.state == Ballot.State.COUNTED
    assert sorted(ballot.projects.values_list("pk", flat=True)) == [projects[0].pk, projects[1].pk]
    participation = Participation.objects.get(process=process)
    assert participation.ballot == ballot and participation.user == voter
    assert participation.census_record == voter.census_record
    assert participation.birth_year == 1980 and participation.district == "Centro"


def test_same_key_twice_gives_one_ballot_and_a_success_answer(process, projects):
    voter = resident_create()
    k = key()
    first = cast(voter, process, [projects[0].pk], k)
    again = cast(voter, process, [projects[0].pk], k)
    assert first.created and not again.created
    assert again.ballot.pk == first.ballot.pk
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1


def test_a_key_reused_for_different_content_or_by_someone_else_is_refused(process, projects):
    voter, other = resident_create(), resident_create()
    k = key()
    cast(voter, process, [projects[0].pk], k)
    with pytest.raises(ValidationError) as info:
        cast(voter, process, [projects[1].pk], k)
    assert info.value.code == "key_reused"
    with pytest.raises(ValidationError):
        cast(other, process, [projects[0].pk], k)
    assert Ballot.objects.count() == 1


def test_changing_a_ballot_replaces_it_and_keeps_the_history(process, projects):
    voter = resident_create()
    first = cast(voter, process, [projects[0].pk])
    second = cast(voter, process, [projects[1].pk, projects[2].pk])
    assert second.created and second.replaced.pk == first.ballot.pk
    first.ballot.refresh_from_db()
    assert first.ballot.state == Ballot.State.REPLACED
    assert second.ballot.replaces_id == first.ballot.pk
    assert Participation.objects.get().ballot == second.ballot
    assert Ballot.objects.filter(state=Ballot.State.COUNTED).count() == 1
    # the old key still answers (its own ballot), no third ballot appears
    replay = cast(voter, process, [projects[0].pk], first.ballot.idempotency_key)
    assert not replay.created and replay.ballot.pk == first.ballot.pk
    assert Ballot.objects.count() == 2


def test_changing_is_refused_when_the_process_forbids_it(projects, process):
    process.allow_ballot_change = False
    process.save()
    voter = resident_create()
    cast(voter, process, [projects[0].pk])
    with pytest.raises(services.AlreadyVoted) as info:
        cast(voter, process, [projects[1].pk])
    assert info.value.code == "voted_online"
    assert Ballot.objects.count() == 1


def test_casting_after_close_is_refused(process, projects):
    voter = resident_create()
    with (
        time_machine.travel(process.voting_closes_at + dt.timedelta(seconds=1)),
        pytest.raises(ValidationError) as info,
    ):
        cast(voter, process, [projects[0].pk])
    assert info.value.code == "closed"
    process.state = Process.State.COUNTING
    process.save()
    with pytest.raises(ValidationError):
        cast(voter, process, [projects[0].pk])
    assert not Ballot.objects.exists()


def test_casting_before_voting_opens_is_refused(projects, process):
    process.voting_opens_at = timezone.now() + dt.timedelta(hours=1)
    process.save()
    with pytest.raises(ValidationError):
        cast(resident_create(), process, [projects[0].pk])


def test_ineligible_and_anonymous_voters_are_refused(process, projects):
    with pytest.raises(Ineligible):
        cast(user_create(), process, [projects[0].pk])
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        cast(AnonymousUser(), process, [projects[0].pk])
    assert not Participation.objects.exists()


def test_an_invalid_ballot_creates_nothing(process, projects):
    with pytest.raises(BallotInvalid):
        cast(resident_create(), process, [p.pk for p in projects])  # 60,000 > 50,000
    assert not Participation.objects.exists() and not Ballot.objects.exists()


def test_the_database_refuses_a_second_participation(process):
    _d, _b, record = census_person()
    Participation.objects.create(
        process=process, census_record=record, channel="online", birth_year=1980
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(
            process=process, census_record=record, channel="paper", birth_year=1980
        )


def test_the_database_refuses_a_second_ballot_with_the_same_key(process):
    Ballot.objects.create(process=process, channel="paper", idempotency_key="k1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(process=process, channel="paper", idempotency_key="k1")


def test_a_signal_is_sent_after_commit(process, projects, django_capture_on_commit_callbacks):
    received = []

    def listener(**kwargs):
        received.append(kwargs)

    ballot_recorded.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = cast(resident_create(), process, [projects[0].pk])
    finally:
        ballot_recorded.disconnect(listener)
    assert [r["ballot_id"] for r in received] == [result.ballot.pk]
    assert received[0]["channel"] == Channel.ONLINE


# In person and paper (the live-voting issue builds on these) -------------------------------


def test_in_person_check_in_after_an_online_vote_is_refused_by_default(process, projects):
    voter = resident_create()
    cast(voter, process, [projects[0].pk])
    with pytest.raises(services.AlreadyVoted) as info:
        services.participation_register(
            process=process, census_record=voter.census_record, channel=Channel.IN_PERSON
        )
    assert info.value.code == "voted_online"


def test_in_person_ballot_may_replace_the_online_one(process, projects):
    process.cross_channel = Process.CrossChannel.REPLACE
    process.save()
    voter = resident_create()
    online = cast(voter, process, [projects[0].pk]).ballot
    session = session_make(process)
    participation = services.participation_register(
        process=process,
        census_record=voter.census_record,
        channel=Channel.IN_PERSON,
        session_id=session.pk,
    )
    assert participation.channel == Channel.IN_PERSON and participation.ballot is None
    assert participation.session_id == session.pk
    online.refresh_from_db()
    assert online.state == Ballot.State.REPLACED
    stored = services.ballot_store(
        process=process,
        channel=Channel.IN_PERSON,
        project_ids=[projects[1].pk],
        idempotency_key=key(),
        session_id=session.pk,
    )
    assert stored.created and stored.ballot.session_id == session.pk
    assert not hasattr(stored.ballot, "participation") or stored.ballot.participation is None
    assert list(Ballot.objects.filter(state="counted")) == [stored.ballot]
    # and the person can no longer vote online
    with pytest.raises(services.AlreadyVoted):
        cast(voter, process, [projects[2].pk])


def test_voting_in_person_twice_is_refused(process):
    _d, _b, record = census_person()
    services.participation_register(process=process, census_record=record, channel="in_person")
    with pytest.raises(services.AlreadyVoted) as info:
        services.participation_register(process=process, census_record=record, channel="in_person")
    assert info.value.code == "voted_in_person"


def test_an_anonymous_ballot_is_validated_and_idempotent(process, projects):
    k = key()
    first = services.ballot_store(
        process=process, channel="paper", project_ids=[projects[0].pk], idempotency_key=k
    )
    again = services.ballot_store(
        process=process, channel="paper", project_ids=[projects[0].pk], idempotency_key=k
    )
    assert first.created and not again.created and Ballot.objects.count() == 1
    with pytest.raises(BallotInvalid):
        services.ballot_store(
            process=process,
            channel="paper",
            project_ids=[p.pk for p in projects],
            idempotency_key=key(),
        )
