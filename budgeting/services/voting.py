"""Casting ballots: online (linked to the voter's participation) and anonymous (in person,
paper, imported). Every path validates with validation.ballot_validate, is idempotent on a
client-supplied key, and relies on database constraints when two requests race.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting.eligibility import eligibility_check
from budgeting.models import Ballot, BallotSelection, Channel, Participation, Process
from budgeting.signals import ballot_recorded
from budgeting.validation import ValidBallot, ballot_validate
from citizens.models import CensusRecord, User
from core import rows

MAX_KEY_LENGTH = 100


@dataclass(frozen=True)
class CastResult:
    ballot: Ballot
    created: bool  # False: the key was seen before and the stored ballot is the answer
    replaced: Ballot | None = None  # the ballot this one replaced (a changed online ballot)


class AlreadyVoted(ValidationError):
    """The census identity already has a participation that this request may not override."""


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            _("The submission key is missing or too long. Reload the page and try again."),
            code="bad_key",
        )
    return key


def _selection_ids(ballot: Ballot) -> list[int]:
    return sorted(ballot.selections.values_list("project_id", flat=True))


def _replay(*, key: str, process: Process, project_ids: Iterable | None) -> Ballot | None:
    """The ballot already stored under this key, after checking it is the same submission."""
    ballot = Ballot.objects.filter(idempotency_key=key).first()
    if ballot is None:
        return None
    same_content = project_ids is None or _selection_ids(ballot) == sorted(
        {int(i) for i in project_ids}
    )
    if ballot.process_id != process.pk or not same_content:
        raise ValidationError(
            _("This submission key was already used for another ballot."), code="key_reused"
        )
    return ballot


def _write(ballot: Ballot, project_ids: list[int]) -> None:
    """The ballot's row and its selections, with SQL written once (core.rows): on PostgreSQL in
    one statement (the selections in a data-modifying WITH), elsewhere in two. Ballots and
    selections have no signal receivers; ``ballot_recorded`` is sent after commit."""
    connection = connections[router.db_for_write(Ballot)]
    if connection.vendor != "postgresql":
        rows.insert(ballot, using=connection.alias)
        BallotSelection.objects.using(connection.alias).bulk_create(
            [BallotSelection(ballot=ballot, project_id=p) for p in project_ids]
        )
        return
    insert, values = rows.insert_values(ballot, using=connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(_with_selections_sql(connection.alias, insert), [*values, project_ids])
        rows.saved(ballot, cursor.fetchone()[0], using=connection.alias)


@functools.cache
def _with_selections_sql(alias: str, insert: str) -> str:
    q = connections[alias].ops.quote_name
    meta = BallotSelection._meta
    ballot, project = (meta.get_field(name).column for name in ("ballot", "project"))
    return (
        f"WITH b AS ({insert}), s AS (INSERT INTO {q(meta.db_table)} ({q(ballot)}, {q(project)}) "  # noqa: S608 - quoted names from the models; values are parameters
        f"SELECT b.{q(Ballot._meta.pk.column)}, p FROM b, unnest(%s::bigint[]) AS p) "
        f"SELECT {q(Ballot._meta.pk.column)} FROM b"
    )


def _insert(*, process: Process, valid: ValidBallot, channel: str, key: str, **fields) -> Ballot:
    ballot = Ballot(
        process=process, channel=channel, district=valid.district, idempotency_key=key, **fields
    )
    _write(ballot, [p.pk for p in valid.projects])
    transaction.on_commit(
        lambda: ballot_recorded.send(
            sender=Ballot,
            process_id=process.pk,
            ballot_id=ballot.pk,
            channel=channel,
            district=valid.district,
        )
    )
    return ballot


def _participation_lock(
    *, process: Process, census_record: CensusRecord, defaults: dict
) -> tuple[Participation, bool]:
    """Create the participation, or lock the existing one. Call inside transaction.atomic().

    Two requests for the same identity race on the unique constraint: the loser's INSERT
    waits for the winner to commit, fails, and then locks the winner's row.
    """
    try:
        with transaction.atomic():
            return (
                Participation.objects.create(
                    process=process,
                    census_record=census_record,
                    district=census_record.district,
                    birth_year=census_record.birth_year,
                    **defaults,
                ),
                True,
            )
    except IntegrityError:
        pass
    locked = Participation.objects.select_for_update().get(
        process=process, census_record=census_record
    )
    return locked, False


def _already_voted(participation: Participation) -> AlreadyVoted:
    if participation.channel == Channel.ONLINE:
        return AlreadyVoted(_("This person has already voted online."), code="voted_online")
    return AlreadyVoted(_("This person has already voted in person."), code="voted_in_person")


# Online -----------------------------------------------------------------------------------


def ballot_cast(
    *, user: User, process: Process, project_ids: Iterable, idempotency_key: str
) -> CastResult:
    """A verified resident casts (or changes) their online ballot.

    Sending the same key again returns the stored ballot with ``created=False``. A second
    ballot with a new key replaces the first if the process allows changes; the replaced row
    is kept (state "replaced") so that its key still has an answer.
    """
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to vote."))
    key = _check_key(idempotency_key)
    project_ids = list(project_ids)
    replayed = _replay(key=key, process=process, project_ids=project_ids)
    if replayed is not None:
        _check_owner(user=user, process=process, ballot=replayed)
        return CastResult(ballot=replayed, created=False)
    if not process.voting_is_open():
        raise ValidationError(_("Voting is not open in this process."), code="closed")
    district = eligibility_check(process=process, census_record=user.census_record)
    valid = ballot_validate(process=process, project_ids=project_ids, district=district)
    try:
        with transaction.atomic():
            participation, created = _participation_lock(
                process=process,
                census_record=user.census_record,
                defaults={"channel": Channel.ONLINE, "user": user},
            )
            replaced = None
            if not created:
                again = _replay(key=key, process=process, project_ids=project_ids)
                if again is not None:  # the same submission won the race a moment ago
                    return CastResult(ballot=again, created=False)
                if participation.channel != Channel.ONLINE:
                    raise AlreadyVoted(
                        _("You have already voted in person in this process."),
                        code="voted_in_person",
                    )
                if participation.ballot_id is not None:
                    if not process.allow_ballot_change:
                        raise AlreadyVoted(
                            _("You have already voted. This process does not allow changes."),
                            code="voted_online",
                        )
                    replaced = Ballot.objects.select_for_update().get(pk=participation.ballot_id)
                    replaced.state = Ballot.State.REPLACED
                    replaced.state_changed_at = timezone.now()
                    replaced.save(update_fields=["state", "state_changed_at"])
            ballot = _insert(
                process=process,
                valid=valid,
                channel=Channel.ONLINE,
                key=key,
                replaces=replaced,
            )
            participation.ballot = ballot
            participation.user = user
            participation.updated_at = timezone.now()
            participation.save(update_fields=["ballot", "user", "updated_at"])
    except IntegrityError:
        # The same key committed between our check and our insert: answer with that ballot.
        replayed = _replay(key=key, process=process, project_ids=project_ids)
        if replayed is None:
            raise
        _check_owner(user=user, process=process, ballot=replayed)
        return CastResult(ballot=replayed, created=False)
    return CastResult(ballot=ballot, created=True, replaced=replaced)


def _check_owner(*, user: User, process: Process, ballot: Ballot) -> None:
    """A replayed online key answers only its own voter (walks the chain of changes)."""
    participation = (
        Participation.objects.filter(process=process, user=user)
        .exclude(ballot__isnull=True)
        .first()
    )
    current = participation.ballot if participation else None
    for _step in range(1000):
        if current is None:
            break
        if current.pk == ballot.pk:
            return
        current = current.replaces
    raise ValidationError(
        _("This submission key was already used for another ballot."), code="key_reused"
    )


def online_ballot_get(*, user: User, process: Process) -> Ballot | None:
    """The voter's current online ballot, with its projects."""
    if not user.is_authenticated or not user.census_record_id:
        return None
    participation = (
        Participation.objects.filter(process=process, census_record_id=user.census_record_id)
        .select_related("ballot")
        .first()
    )
    return participation.ballot if participation else None


def participation_get(*, user: User, process: Process) -> Participation | None:
    if not user.is_authenticated or not user.census_record_id:
        return None
    return Participation.objects.filter(
        process=process, census_record_id=user.census_record_id
    ).first()


# In person, paper, import -----------------------------------------------------------------


def participation_register(
    *,
    process: Process,
    census_record: CensusRecord,
    channel: str,
    session_id: int | None = None,
    recorded_by: User | None = None,
) -> Participation:
    """Record that a person votes in person (or on paper), applying the cross-channel rule.

    For the live-voting check-in. Runs under the participation lock and the unique
    constraint: if the person already voted in person, or online while the process refuses
    a second channel, AlreadyVoted is raised. If the process lets the in-person ballot
    replace the online one, the online ballot is marked replaced and unlinked, and the
    participation becomes an in-person one. Eligibility is checked here too.
    """
    if channel not in (Channel.IN_PERSON, Channel.PAPER):
        raise ValueError(f"participation_register is for in-person channels, not {channel!r}")
    eligibility_check(process=process, census_record=census_record)
    with transaction.atomic():
        participation, created = _participation_lock(
            process=process,
            census_record=census_record,
            defaults={"channel": channel, "session_id": session_id, "recorded_by": recorded_by},
        )
        if created:
            return participation
        replace = (
            participation.channel == Channel.ONLINE
            and process.cross_channel == Process.CrossChannel.REPLACE
        )
        if not replace:
            raise _already_voted(participation)
        if participation.ballot_id:
            Ballot.objects.filter(pk=participation.ballot_id).update(
                state=Ballot.State.REPLACED, state_changed_at=timezone.now()
            )
        participation.ballot = None
        participation.channel = channel
        participation.session_id = session_id
        participation.recorded_by = recorded_by
        participation.updated_at = timezone.now()
        participation.save()
        return participation


def ballot_store(
    *,
    process: Process,
    channel: str,
    project_ids: Iterable,
    idempotency_key: str,
    district: str = "",
    session_id: int | None = None,
    projects: dict | None = None,
    limits=None,
    fresh_key: bool = False,
) -> CastResult:
    """Store an anonymous ballot (in person or paper): validated, idempotent, no person link.

    The caller has already checked the voter in (participation_register) and, in the
    live-voting issue, consumed the one-time token in the same transaction. ``projects`` and
    ``limits`` are passed on to ballot_validate (a caller casting many ballots saves queries).

    ``fresh_key``: the caller holds a lock under which this key cannot have been stored by
    the same submission (a kiosk holds its ballot token's row lock, and a resend finds the
    token used). The replay lookup and the savepoint are skipped; a key already stored raises
    IntegrityError, which rolls back the caller's transaction.
    """
    if channel not in (Channel.IN_PERSON, Channel.PAPER):
        raise ValueError(f"ballot_store is for in-person channels, not {channel!r}")
    key = _check_key(idempotency_key)
    project_ids = list(project_ids)
    replayed = None if fresh_key else _replay(key=key, process=process, project_ids=project_ids)
    if replayed is not None:
        return CastResult(ballot=replayed, created=False)
    open_states = (Process.State.VOTING, Process.State.COUNTING)
    if channel == Channel.IN_PERSON and not process.voting_is_open():
        raise ValidationError(_("Voting is not open in this process."), code="closed")
    if channel == Channel.PAPER and process.state not in open_states:
        raise ValidationError(_("Paper ballots can no longer be entered."), code="closed")
    valid = ballot_validate(
        process=process,
        project_ids=project_ids,
        district=district,
        projects=projects,
        limits=limits,
    )
    if fresh_key:
        ballot = _insert(
            process=process, valid=valid, channel=channel, key=key, session_id=session_id
        )
        return CastResult(ballot=ballot, created=True)
    try:
        with transaction.atomic():
            ballot = _insert(
                process=process, valid=valid, channel=channel, key=key, session_id=session_id
            )
    except IntegrityError:
        replayed = _replay(key=key, process=process, project_ids=project_ids)
        if replayed is None:
            raise
        return CastResult(ballot=replayed, created=False)
    return CastResult(ballot=ballot, created=True)
