"""Reads for pages and live snapshots. Each is a fixed, small number of aggregate queries:
none grows with the number of ballots, tokens or sessions shown."""

import datetime as dt
import functools
from datetime import timedelta

from django.db import connection
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from budgeting.live import caches, credentials, throttles
from budgeting.live.conf import live_setting
from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.live.rules import sessions_visible_to
from budgeting.models import Ballot, BallotSelection, Channel, Participation, Process, Project
from citizens.models import CensusRecord
from core import rows

T = BallotToken.State
RECENT_TOKENS = 15


# Sessions ---------------------------------------------------------------------------------


def _count_subquery(qs):
    """COUNT(*) of a queryset filtered on OuterRef("pk") through its ``session`` field."""
    return Coalesce(
        Subquery(qs.order_by().values("session").annotate(n=Count("pk")).values("n")),
        0,
        output_field=IntegerField(),
    )


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9000, 12, 31)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def session_list(user, *, state: str | None = None, day=None):
    """Sessions this user may see, with their process, facilitators and live counts."""
    checkins = Participation.objects.filter(session=OuterRef("pk"), channel=Channel.IN_PERSON)
    ballots = Ballot.objects.filter(
        session=OuterRef("pk"), channel=Channel.IN_PERSON, state=Ballot.State.COUNTED
    )
    tablets = Tablet.objects.filter(session=OuterRef("pk"), revoked_at__isnull=True)
    qs = (
        sessions_visible_to(user)
        .select_related("process")
        .prefetch_related("facilitators")
        .annotate(
            checkin_count=_count_subquery(checkins),
            ballot_count=_count_subquery(ballots),
            tablet_count=_count_subquery(tablets),
        )
        .order_by("starts_at", "pk")
    )
    if state:
        qs = qs.filter(state=state)
    if day and not FIRST_DAY <= day <= LAST_DAY:  # 9999-12-31 has no next midnight
        return qs.none()
    if day:  # a date: the sessions held that day (in part), in the site's time zone
        qs = qs.filter(starts_at__lt=_local_midnight(day + dt.timedelta(days=1)))
        qs = qs.filter(ends_at__gt=_local_midnight(day))
    return qs


def session_get(user, pk) -> VotingSession:
    session = (
        sessions_visible_to(user)
        .select_related("process")
        .prefetch_related("facilitators", "process__envelopes")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    session._facilitator_ids = {u.pk for u in session.facilitators.all()}
    return session


def tablets_of(session: VotingSession, *, now=None) -> list[dict]:
    """The session's tablets: offline (no socket, or silent too long), voting (a live token
    waits on it) or idle. Only the connection is stored; "voting" follows the tokens, so the
    casting path never has to update the tablet."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=live_setting("PB_LIVE_TABLET_OFFLINE_AFTER"))
    busy = BallotToken.objects.filter(tablet=OuterRef("pk"), state=T.ISSUED, expires_at__gt=now)
    rows = (
        Tablet.objects.filter(session=session, revoked_at__isnull=True)
        .annotate(busy=Exists(busy))
        .order_by("pk")
    )
    return [
        {
            "id": t.pk,
            "label": t.label,
            "state": (
                Tablet.State.OFFLINE
                if t.state == Tablet.State.OFFLINE
                or t.connections == 0
                or t.last_seen is None
                or t.last_seen < stale
                else Tablet.State.VOTING
                if t.busy
                else Tablet.State.IDLE
            ),
            "last_seen": t.last_seen,
        }
        for t in rows
    ]


def token_counts(session_id: int, *, now=None) -> dict:
    """Tokens by state; issued tokens past their expiry count as expired."""
    now = now or timezone.now()
    live = Q(state=T.ISSUED, expires_at__gt=now)
    lapsed = Q(state=T.ISSUED, expires_at__lte=now)
    counts = BallotToken.objects.filter(session_id=session_id).aggregate(
        total=Count("pk"),
        issued=Count("pk", filter=live),
        used=Count("pk", filter=Q(state=T.USED)),
        voided=Count("pk", filter=Q(state=T.VOIDED)),
        expired=Count("pk", filter=Q(state=T.EXPIRED) | lapsed),
        first=Count("pk", filter=Q(replaces__isnull=True)),
    )
    counts["reissued"] = counts["total"] - counts["first"]
    return counts


def _ballot_counts(session_id: int) -> dict:
    rows = (
        Ballot.objects.filter(session=session_id, state=Ballot.State.COUNTED)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_channel = dict(rows)
    return {
        "in_person": by_channel.get(Channel.IN_PERSON, 0),
        "paper": by_channel.get(Channel.PAPER, 0),
    }


def recent_tokens(session_id: int, *, now=None, limit: int = RECENT_TOKENS) -> list[dict]:
    now = now or timezone.now()
    rows = (
        BallotToken.objects.filter(session_id=session_id)
        .select_related("tablet")
        .annotate(was_reissued=Exists(BallotToken.objects.filter(replaces=OuterRef("pk"))))
        .order_by("-pk")[:limit]
    )
    result = []
    for t in rows:
        state = T.EXPIRED if t.is_expired(now) else t.state
        result.append(
            {
                "id": t.pk,
                "state": state,
                "state_label": T(state).label,
                "reason": t.get_void_reason_display() if t.void_reason else "",
                "tablet": t.tablet.label if t.tablet else "",
                "by_code": bool(t.short_code_hash),
                "issued_at": t.created_at,
                "expires_at": t.expires_at,
                "reissue_of": t.replaces_id,
                "can_void": state == T.ISSUED,
                "can_reissue": state in (T.VOIDED, T.EXPIRED) and not t.was_reissued,
            }
        )
    return result


def reconciliation(session: VotingSession, *, now=None) -> dict:
    """What the sign-off compares: people checked in, tokens, and ballots received.

    Every check-in starts one chain of tokens (a reissue continues the chain); a chain ends
    in a ballot (token used) or in nothing (voided or expired). So ballots must equal used
    tokens, chains must equal check-ins, and no token may still be open after the close.
    """
    now = now or timezone.now()
    checkins = Participation.objects.filter(session=session.pk, channel=Channel.IN_PERSON).count()
    tokens = token_counts(session.pk, now=now)
    ballots = _ballot_counts(session.pk)
    voided_by_reason = dict(
        BallotToken.objects.filter(session=session, state=T.VOIDED)
        .values_list("void_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    mismatches = []
    if ballots["in_person"] != tokens["used"]:
        mismatches.append("ballots_tokens")
    if tokens["first"] != checkins:
        mismatches.append("checkins_tokens")
    if tokens["issued"]:
        mismatches.append("open_tokens")
    abandoned = checkins - tokens["used"]
    return {
        "checkins": checkins,
        "tokens": tokens,
        "ballots_in_person": ballots["in_person"],
        "ballots_paper": ballots["paper"],
        "abandoned": max(0, abandoned),
        "voided_by_reason": {
            str(reason): voided_by_reason.get(reason, 0) for reason in BallotToken.VoidReason
        },
        "mismatches": mismatches,
    }


def session_snapshot(session_id: int) -> tuple[dict, float]:
    """The facilitator dashboard: the session's state, counts, tablets and recent tokens."""
    now = timezone.now()
    session = VotingSession.objects.filter(pk=session_id).select_related("process").first()
    if session is None:
        return {"missing": True}, 0.0
    data = {
        "session": session.pk,
        "state": session.state,
        "state_label": session.get_state_display(),
        "voting_open": session.process.voting_is_open(now),
        "checkins": Participation.objects.filter(
            session=session.pk, channel=Channel.IN_PERSON
        ).count(),
        "ballots": _ballot_counts(session.pk),
        "tokens": token_counts(session.pk, now=now),
        "tablets": tablets_of(session, now=now),
        "recent_tokens": recent_tokens(session.pk, now=now),
        "pairing": {
            "active": session.pairing_active(now),
            "expires_at": session.pairing_code_expires_at if session.pairing_active(now) else None,
        },
    }
    data["code_alerts"] = throttles.claim_alerts(session_id=session.pk, tablets=data["tablets"])
    return data, 0.0


# Kiosk ------------------------------------------------------------------------------------


def tablet_for_credential(credential: str) -> Tablet | None:
    if not credential:
        return None
    try:  # get(), not first(): the hash is unique, and no ORDER BY to build on every cast
        return Tablet.objects.select_related("session__process").get(
            credential_hash=credentials.device_credential_hash(credential)
        )
    except Tablet.DoesNotExist:
        return None


# What a cast reads of the tablet, its session and its process (budgeting/live/services/
# casting.py, and budgeting's ballot_store with the cached projects and limits). Read in one
# statement written once: the ORM compiled a three-table select_related of 56 columns on
# every cast, which cost more CPU than the cast's own inserts. The instances are deferred
# models (any other field read later is one more query: the cast's query count test would
# see it); the ballot context (projects, limits) reads the full process when not cached.
CAST_FIELDS = {
    Tablet: ("id", "revoked_at", "session_id"),
    VotingSession: ("id", "state", "process_id"),
    Process: ("id", "state", "voting_opens_at", "voting_closes_at"),
}


@functools.cache
def _cast_sql() -> str:
    q = connection.ops.quote_name
    tablet, session, process = (m._meta for m in CAST_FIELDS)

    def columns(meta, alias):
        fields = rows.fields_of(meta.model, CAST_FIELDS[meta.model])
        return [f"{alias}.{q(field.column)}" for field in fields]

    select = columns(tablet, "t") + columns(session, "s") + columns(process, "p")
    return (
        f"SELECT {', '.join(select)} FROM {q(tablet.db_table)} t "  # noqa: S608 - quoted names from the models, the value a parameter
        f"JOIN {q(session.db_table)} s ON s.{q(session.pk.column)} = "
        f"t.{q(tablet.get_field('session').column)} "
        f"JOIN {q(process.db_table)} p ON p.{q(process.pk.column)} = "
        f"s.{q(session.get_field('process').column)} "
        f"WHERE t.{q(tablet.get_field('credential_hash').column)} = %s"
    )


def tablet_for_cast(credential: str) -> Tablet | None:
    """The tablet with its session and process, only what a cast reads (``CAST_FIELDS``)."""
    if not credential:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_cast_sql(), [credentials.device_credential_hash(credential)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    tablet, session, process = (
        rows.instance(model, names, [next(values) for _ in names], using=connection.alias)
        for model, names in CAST_FIELDS.items()
    )
    session.process = process  # the relations' caches, as select_related would fill them
    tablet.session = session
    return tablet


def pending_token(tablet: Tablet, *, now=None) -> BallotToken | None:
    """The token waiting on this tablet, if it has not expired."""
    now = now or timezone.now()
    return (
        BallotToken.objects.filter(tablet=tablet, state=T.ISSUED, expires_at__gt=now)
        .order_by("-pk")
        .first()
    )


def kiosk_snapshot(tablet_id: int) -> dict:
    """What a kiosk shows. Holds the raw token: sent only to that tablet's own socket."""
    now = timezone.now()
    tablet = Tablet.objects.select_related("session__process").filter(pk=tablet_id).first()
    if tablet is None or tablet.is_revoked:
        return {"revoked": True}
    session = tablet.session
    token = pending_token(tablet, now=now) if session.state in session.CASTING_STATES else None
    return {
        "tablet": {"id": tablet.pk, "label": tablet.label},
        "session": {
            "id": session.pk,
            "state": session.state,
            "state_label": session.get_state_display(),
            "place": session.place_name,
        },
        "process": {"id": session.process_id, "title": session.process.title},
        "token": (
            {
                "token": credentials.token_from_nonce(token.nonce),
                "expires_at": token.expires_at,
                "district": token.district,
            }
            if token
            else None
        ),
        "idle_seconds": live_setting("PB_LIVE_KIOSK_IDLE_SECONDS"),
    }


# Public process page and projector --------------------------------------------------------

_eligible_cache = caches.timed_cache("eligible by district")
_results_cache = caches.timed_cache("live results")
ELIGIBLE_TTL = 300.0


def _eligible_by_district(process: Process) -> dict[str, int]:
    """Eligible residents per district; the census changes rarely, so cached for minutes."""
    cached = _eligible_cache.get(process.pk, max_age=ELIGIBLE_TTL)
    if cached is not None:
        return cached
    eligible = CensusRecord.objects.filter(birth_year__lte=process.voting_year - process.min_age)
    envelopes = [e.district for e in process.envelopes.all()]
    if process.residency == Process.Residency.DISTRICT:
        eligible = eligible.filter(district=process.eligible_district)
    elif envelopes:
        eligible = eligible.filter(district__in=envelopes)
    counts = dict(eligible.values_list("district").annotate(n=Count("pk")).order_by())
    _eligible_cache.set(process.pk, counts)
    return counts


def greedy_standings(projects: list[dict], budget: int) -> list[dict]:
    """Most votes first, skipping what no longer fits; ties by lower id (pure function)."""
    ranked = sorted(projects, key=lambda p: (-p["votes"], p["id"]))
    left = budget
    result = []
    for project in ranked:
        fits = project["cost"] <= left
        if fits:
            left -= project["cost"]
        result.append(project | {"selected": fits})
    return result


def _live_results(process: Process, fingerprint: tuple) -> tuple[dict | None, float]:
    """Votes per project and the greedy standings, at most once per results interval.

    ``fingerprint`` (counts and highest ids of counted ballots) tells whether anything
    changed; if it did but the interval has not passed, the cached standings are returned
    with the seconds until they are due: the broadcaster comes back then.
    """
    interval = float(live_setting("PB_LIVE_RESULTS_INTERVAL"))
    cached = _results_cache.entry(process.pk)
    if cached is not None:
        age, (seen, results) = cached
        if seen == fingerprint:
            return results, 0.0
        if age < interval:
            return results, interval - age
    projects = list(
        process.projects.filter(state=Project.State.FEASIBLE)
        .order_by("pk")
        .values("pk", "title", "cost", "district")
    )
    votes = dict(
        BallotSelection.objects.filter(ballot__process=process, ballot__state=Ballot.State.COUNTED)
        .values_list("project")
        .annotate(n=Count("pk"))
        .order_by()
    )
    envelopes = [(e.district, e.budget) for e in process.envelopes.all()] or [("", process.budget)]
    groups = []
    for district, budget in envelopes:
        rows = [
            {"id": p["pk"], "title": p["title"], "cost": p["cost"], "votes": votes.get(p["pk"], 0)}
            for p in projects
            if not district or p["district"] == district
        ]
        groups.append(
            {"district": district, "budget": budget, "projects": greedy_standings(rows, budget)}
        )
    results = {"rule": "greedy", "envelopes": groups, "computed_at": timezone.now()}
    _results_cache.set(process.pk, (fingerprint, results))
    return results, 0.0


def process_snapshot(process_id: int) -> tuple[dict, float]:
    """Public live data: turnout by channel and district; results if the process shows them.

    The second value is the number of seconds after which the live results, older than the
    data, will be due (0: everything is current).
    """
    # One query for the process and its open sessions; envelopes are read only when the
    # cached census counts or live results need them (this runs up to 5 times a second).
    open_sessions = VotingSession.objects.filter(
        process=OuterRef("pk"), state=VotingSession.State.OPEN
    )
    try:
        process = Process.objects.annotate(
            open_sessions=Coalesce(
                Subquery(
                    open_sessions.order_by().values("process").annotate(n=Count("pk")).values("n")
                ),
                0,
                output_field=IntegerField(),
            )
        ).get(pk=process_id)
    except Process.DoesNotExist:
        return {"missing": True}, 0.0
    visibility = process.live_results
    rows = list(
        process.ballots.filter(state=Ballot.State.COUNTED)
        .values_list("channel")
        .annotate(n=Count("pk"), last=Max("pk"))
        .order_by("channel")
    )
    ballots = {channel: n for channel, n, _last in rows}
    total = sum(ballots.values())
    people = dict(
        Participation.objects.filter(process=process)
        .values_list("district")
        .annotate(n=Count("pk"))
        .order_by()
    )
    eligible = _eligible_by_district(process)

    def rate(voted, of):
        return round(100 * voted / of, 1) if of else None

    districts = sorted(set(people) | set(eligible))
    data = {
        "process": process.pk,
        "state": process.state,
        "voting_open": process.voting_is_open(),
        "visibility": visibility,
        "ballots": total,
        "by_channel": {c: ballots.get(c, 0) for c in Channel.values},
        "participants": sum(people.values()),
        "eligible": sum(eligible.values()),
        "turnout": rate(sum(people.values()), sum(eligible.values())),
        "by_district": [
            {
                "district": d,
                "participants": people.get(d, 0),
                "eligible": eligible.get(d, 0),
                "turnout": rate(people.get(d, 0), eligible.get(d, 0)),
            }
            for d in districts
        ],
        "sessions_open": process.open_sessions,
        "results": None,
    }
    due_in = 0.0
    if visibility == Process.LiveResults.FULL:
        data["results"], due_in = _live_results(process, tuple(rows))
    return data, due_in
