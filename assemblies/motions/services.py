"""Motions in a meeting: drafting, opening, voting (phone, web, room tablet), objections,
closing with the outcome; room tablets paired like voting-session tablets.

Entry points are durable transactions. One vote per member and motion is the unique
constraint on ``Participation``; casts lock the motion's row, so a vote never slips in after
the vote closed and the tally is read.
"""

import functools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from assemblies.models import (
    Majority,
    Meeting,
    MeetingState,
    Membership,
    MembershipState,
    Registration,
    RegistrationState,
)
from assemblies.motions import live
from assemblies.motions.models import (
    CHOICES_BY_KIND,
    Channel,
    Choice,
    Motion,
    MotionKind,
    MotionOption,
    MotionState,
    Objection,
    ObjectionState,
    Outcome,
    Participation,
    RoomPairing,
    RoomTablet,
    TokenState,
    Vote,
    VoteToken,
    tally_line,
)
from assemblies.motions.rules import (
    FACTS_ATTR,
    MOTIONS,
    Action,
    VoterFacts,
    chair_verdict,
    voting_refusal,
)
from audit.services import audit_log
from core import rows
from core.fsm import fire
from live import credentials

PAIRING_TTL = timedelta(minutes=10)
TOKEN_SALT = "assemblies.motions.vote-token"  # noqa: S105 - an HMAC salt, not a secret
PAIRING_SALT = "assemblies.motions.pairing-code"


class MotionError(ValidationError):
    pass


def _require_chair(actor, meeting) -> None:
    chair_verdict(actor, meeting).enforce()


# Drafting, opening, closing -----------------------------------------------------------------


def motion_create(
    *,
    actor,
    meeting,
    title: str,
    text: str = "",
    kind: str = MotionKind.YES_NO_ABSTAIN,
    secret: bool = False,
    options=(),
    agenda_item=None,
    opinion=None,
) -> Motion:
    """Draft a motion. With `opinion`, it puts a draft formal opinion of the meeting's
    assembly on a claim in consultation to the vote (yes / no / abstain or consent): carried,
    it adopts the opinion when it closes. An opinion is before one motion at a time."""
    with transaction.atomic(durable=True):
        _require_chair(actor, meeting)
        title = (title or "").strip()
        if opinion is not None:
            from assemblies.records.services import opinion_lock_for_motion

            opinion = opinion_lock_for_motion(opinion, meeting)
            if kind == MotionKind.OPTIONS:
                raise MotionError(
                    {
                        "kind": _(
                            "An opinion is adopted by a yes / no / abstain vote or by consent, "
                            "not by a choice between options."
                        )
                    },
                    code="invalid",
                )
            if (text or "").strip():
                raise MotionError(
                    {
                        "text": _(
                            "The text of a motion on an opinion is the opinion's text: leave "
                            "this empty, or edit the opinion."
                        )
                    },
                    code="invalid",
                )
            text = opinion.text  # refreshed when the vote opens
            if not title:
                title = _("Adopt the opinion on “%(claim)s”") % {"claim": opinion.claim.title}
                title = title[:200]
        if not title:
            raise MotionError(_("Give the motion a title."), code="invalid")
        labels = [o.strip() for o in options if o and o.strip()]
        if kind == MotionKind.OPTIONS:
            if len(labels) < 2:
                raise MotionError(_("A vote between options needs at least two."), code="invalid")
            if len(set(labels)) != len(labels):
                raise MotionError(_("Each option must be different."), code="invalid")
        else:
            labels = []
        if kind == MotionKind.CONSENT and secret:
            raise MotionError(
                _("A vote by consent is named: objections are answered in the meeting."),
                code="invalid",
            )
        if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
            raise MotionError(_("This agenda item belongs to another meeting."), code="invalid")
        motion = Motion.objects.create(
            meeting=meeting,
            agenda_item=agenda_item,
            title=title,
            text=text or "",
            kind=kind,
            secret=secret,
            opinion=opinion,
            created_by=actor,
        )
        MotionOption.objects.bulk_create(
            MotionOption(motion=motion, position=i, label=label) for i, label in enumerate(labels)
        )
        audit_log(
            actor=actor,
            action="motion.create",
            obj=motion,
            after={
                "meeting": meeting.pk,
                "kind": kind,
                "secret": secret,
                "options": labels,
                **({"opinion": opinion.pk} if opinion is not None else {}),
            },
        )
        live.push(meeting.pk)
    return motion


def motion_open(*, actor, motion: Motion) -> Motion:
    """Open the vote: quorum, majority and consent rule are copied from the charter."""
    with transaction.atomic(durable=True):
        assembly = motion.meeting.assembly
        charter = assembly.current_charter()
        changes = {}
        if motion.opinion_id is not None:
            # The opinion's row is locked: no edit until the vote closes, and a second vote
            # on it is refused (and, under a race, by the database's unique constraint).
            from assemblies.records.services import opinion_check_before_vote

            MOTIONS.allows(actor, Action.OPEN, motion).enforce()
            opinion = opinion_check_before_vote(motion)
            # What is voted on is the opinion's text as it is now.
            changes["text"] = opinion.text
            if (
                Motion.objects.filter(opinion_id=motion.opinion_id, state=MotionState.OPEN)
                .exclude(pk=motion.pk)
                .exists()
            ):
                raise MotionError(
                    _("Another motion on this opinion is being voted on."), code="conflict"
                )
        try:
            fire(
                motion,
                "open",
                actor=actor,
                quorum_percent=charter.quorum_percent if charter else 0,
                majority=charter.majority if charter else Majority.SIMPLE,
                consent_rule=charter.consent_rule if charter else "",
                eligible=assembly.voting_members().count(),
                opened_at=timezone.now(),
                **changes,
            )
        except IntegrityError:  # motions_one_open_vote_per_opinion, under a race
            raise MotionError(
                _("Another motion on this opinion is being voted on."), code="conflict"
            ) from None
        live.push(motion.meeting_id, kiosks=True)
    return motion


def motion_discard(*, actor, motion: Motion) -> Motion:
    """Discard a draft drafted by mistake: it leaves the console, the meeting's pages and the
    minutes (the row and its audit trail stay), and the opinion it put to the vote, if any, is
    free to be put to another motion at once (pending motions are drafts and open ones)."""
    with transaction.atomic(durable=True):
        # fire locks the row and re-reads the state: a draft opened meanwhile is refused.
        fire(
            motion,
            "discard",
            actor=actor,
            audit_after={"opinion": motion.opinion_id} if motion.opinion_id else None,
        )
        live.push(motion.meeting_id)
    return motion


def tally_of(motion: Motion) -> dict:
    counts = live.live_tallies([motion.pk]).get(motion.pk, {})
    voters = Participation.objects.filter(motion=motion).count()
    objections = {
        state: n
        for state, n in Objection.objects.filter(motion=motion)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return {
        "counts": counts,
        "voters": voters,
        "eligible": motion.eligible or 0,
        "quorum_needed": live.quorum_needed(motion),
        "objections": objections,
    }


def outcome_of(motion: Motion, tally: dict) -> tuple[str, int | None]:
    """(outcome, winning option id) by the charter's majority copied when the vote opened."""
    if tally["voters"] < tally["quorum_needed"] or tally["voters"] == 0:
        return Outcome.NO_QUORUM, None
    counts = tally["counts"]
    eligible = tally["eligible"]
    if motion.kind == MotionKind.CONSENT:
        if tally["objections"].get(ObjectionState.STANDING, 0):
            return Outcome.BLOCKED, None
        return Outcome.ADOPTED, None
    if motion.kind == MotionKind.OPTIONS:
        ranked = sorted(
            ((n, key) for key, n in counts.items() if key.startswith("option:")), reverse=True
        )
        cast = sum(n for n, _key in ranked)
        if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
            return Outcome.REJECTED, None
        top, key = ranked[0]
        option_id = int(key.split(":")[1])
        return (
            (Outcome.ADOPTED, option_id)
            if _passes(top, cast, eligible, motion)
            else (
                Outcome.REJECTED,
                None,
            )
        )
    yes, no = counts.get(Choice.YES, 0), counts.get(Choice.NO, 0)
    if motion.majority == Majority.SIMPLE:
        adopted = yes > no
    else:
        adopted = _passes(yes, yes + no, eligible, motion)
    return (Outcome.ADOPTED if adopted else Outcome.REJECTED), None


def _passes(votes: int, cast: int, eligible: int, motion: Motion) -> bool:
    if motion.majority == Majority.ABSOLUTE:
        return votes * 2 > eligible
    if motion.majority == Majority.TWO_THIRDS:
        return cast > 0 and votes * 3 >= cast * 2
    return votes * 2 > cast  # simple: more than half of the votes cast


def motion_close(*, actor, motion: Motion) -> Motion:
    """Close the vote: the tally and the outcome are recorded and audited."""
    with transaction.atomic(durable=True):
        locked = Motion.objects.select_for_update(of=("self",)).get(pk=motion.pk)
        MOTIONS.allows(actor, Action.CLOSE, locked).enforce()
        tally = tally_of(locked)
        outcome, option_id = outcome_of(locked, tally)
        waiting = list(
            VoteToken.objects.filter(motion=locked, state=TokenState.ISSUED).values_list(
                "tablet_id", flat=True
            )
        )
        VoteToken.objects.filter(motion=locked, state=TokenState.ISSUED).update(
            state=TokenState.VOIDED, finished_at=timezone.now()
        )
        fire(
            locked,
            "close",
            actor=actor,
            audit_after={"outcome": outcome, "tally": tally, "winning_option": option_id},
            outcome=outcome,
            tally=tally,
            winning_option_id=option_id,
            closed_at=timezone.now(),
        )
        decision = _record_decision(locked, tally, outcome, option_id)
        if locked.opinion_id is not None:
            # Carried, the opinion is adopted in this same transaction (or the minutes say
            # why not); otherwise it stays a draft.
            from assemblies.records.services import opinion_motion_closed

            opinion_motion_closed(motion=locked, decision=decision)
        live.push(locked.meeting_id, kiosks=True, tablet_ids=waiting)
    motion.refresh_from_db()
    return motion


# The outcome in the meeting's records ------------------------------------------------------

# The motions' outcomes are a subset of the records' outcomes (same values).
DECISION_OUTCOME = {
    Outcome.ADOPTED: "adopted",
    Outcome.REJECTED: "rejected",
    Outcome.NO_QUORUM: "no_quorum",
    Outcome.BLOCKED: "blocked",
}


def votes_summary(motion: Motion, tally: dict) -> str:
    """ "12 yes · 3 no · 1 abstention" (``tally_line``: the same counts as on every page);
    for named votes, who voted what ("Yes: Anna, Bruno"). A secret motion's summary names
    nobody."""
    counts = tally["counts"]
    labels = {f"option:{o.pk}": o.label for o in motion.options.order_by("position", "pk")}
    if motion.kind == MotionKind.OPTIONS:
        keys = list(labels)
    else:
        keys = [str(c) for c in CHOICES_BY_KIND[motion.kind]]
    label = {**{c.value: str(c.label) for c in Choice}, **labels}
    summary = tally_line(motion.kind, counts, labels.items())
    if not motion.secret:
        names: dict[str, list[str]] = {}
        for vote in (
            Vote.objects.filter(motion=motion, user__isnull=False)
            .select_related("user")
            .order_by("user__display_name", "user__pk")
        ):
            key = f"option:{vote.option_id}" if vote.option_id else vote.choice
            names.setdefault(key, []).append(vote.user.get_short_name())
        named = "; ".join(f"{label[key]}: {', '.join(names[key])}" for key in keys if key in names)
        if named:
            summary = f"{summary} — {named}"
    return summary


def _record_decision(motion: Motion, tally: dict, outcome: str, option_id):
    """Inside the close's transaction: the outcome becomes a decision in the meeting's
    records, unless the minutes are already published (then the audit trail says so)."""
    from assemblies.records.services import decision_record

    meeting = motion.meeting
    if meeting.state not in (MeetingState.OPEN, MeetingState.CLOSED):
        audit_log(
            actor=None,
            action="motion.decision_skipped",
            obj=motion,
            after={"meeting_state": meeting.state, "outcome": outcome},
        )
        return None
    text = motion.title
    if motion.text:
        text = f"{motion.title}\n\n{motion.text}"
    if option_id is not None:
        chosen = motion.options.filter(pk=option_id).first()
        if chosen is not None:
            chosen_line = _("Chosen option: %(option)s") % {"option": chosen.label}
            text = f"{text}\n\n{chosen_line}"
    return decision_record(
        actor=None,
        meeting=meeting,
        text=text,
        outcome=DECISION_OUTCOME[outcome],
        agenda_item=motion.agenda_item,
        votes_summary=votes_summary(motion, tally),
        motion_id=motion.pk,
    )


# Voting -------------------------------------------------------------------------------------


def _store_vote(motion: Motion, user, choice: str, option_id, reason: str, channel: str) -> None:
    """Inside the caller's transaction, the motion's row locked and the voter checked."""
    if choice not in {c.value for c in motion.choices}:
        raise MotionError(_("Choose one of the answers of this motion."), code="invalid")
    option = None
    if choice == Choice.OPTION:
        option = MotionOption.objects.filter(motion=motion, pk=option_id).first()
        if option is None:
            raise MotionError(_("Choose one of the options of this motion."), code="invalid")
    reason = (reason or "").strip()
    if choice == Choice.OBJECT and not reason:
        raise MotionError(
            {"reason": _("An objection must say why: give your reason.")}, code="invalid"
        )
    try:
        # No savepoint (two round trips): a second vote under a race breaks the transaction,
        # and the refusal raised here rolls the whole of it back.
        with transaction.atomic(savepoint=False):
            Participation.objects.create(motion=motion, user=user, channel=channel)
    except IntegrityError:
        raise MotionError(_("You have already voted on this motion."), code="conflict") from None
    Vote.objects.create(
        motion=motion, choice=choice, option=option, user=None if motion.secret else user
    )
    if choice == Choice.OBJECT:
        Objection.objects.create(motion=motion, user=user, reason=reason)
    # The voter's facts were read before this vote: a later check reads them anew.
    motion.__dict__.pop(FACTS_ATTR, None)


def _lock_open(motion_id: int) -> Motion:
    """The motion, its row locked (FOR UPDATE) until the transaction ends."""
    motion = (
        Motion.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .filter(pk=motion_id)
        .first()
    )
    if motion is None:
        raise MotionError(_("There is no such motion."), code="not_found")
    return motion


# What the vote path reads of the motion (the rest is read if asked: ``Model.from_db``).
VOTE_FIELDS = ("id", "meeting_id", "kind", "secret", "state")


@functools.cache
def _vote_sql(vendor: str) -> str:
    """The vote's one read: the motion (``VOTE_FIELDS``), its row locked, with its meeting's
    kind and assembly and the voter's facts for the policy (``rules.VoterFacts``): their
    active role in the assembly, their registration (None, or 1 when checked in or joined
    online, else 0), whether they voted. Parameters: the voter's id, the membership state,
    the voter's id, the registration state, the voter's id, the motion's id."""
    q = connection.ops.quote_name

    def table(model):
        return q(model._meta.db_table)

    def col(model, name):
        return q(model._meta.get_field(name).column)

    motion_cols = ", ".join(f"m.{q(Motion._meta.get_field(n).column)}" for n in VOTE_FIELDS)
    meeting_fk = col(Motion, "meeting")
    sql = (
        f"SELECT {motion_cols}, mt.{col(Meeting, 'assembly')}, mt.{col(Meeting, 'kind')}, "  # noqa: S608 - names from the models' _meta, values are parameters
        f"(SELECT ms.{col(Membership, 'role')} FROM {table(Membership)} ms "
        f"WHERE ms.{col(Membership, 'assembly')} = mt.{col(Meeting, 'assembly')} "
        f"AND ms.{col(Membership, 'user')} = %s AND ms.{col(Membership, 'state')} = %s "
        "LIMIT 1), "
        f"(SELECT CASE WHEN r.{col(Registration, 'checked_in_at')} IS NOT NULL "
        f"OR r.{col(Registration, 'attended_online')} THEN 1 ELSE 0 END "
        f"FROM {table(Registration)} r WHERE r.{col(Registration, 'meeting')} = m.{meeting_fk} "
        f"AND r.{col(Registration, 'user')} = %s AND r.{col(Registration, 'state')} = %s "
        "LIMIT 1), "
        f"EXISTS (SELECT 1 FROM {table(Participation)} p "
        f"WHERE p.{col(Participation, 'motion')} = m.{q('id')} "
        f"AND p.{col(Participation, 'user')} = %s) "
        f"FROM {table(Motion)} m JOIN {table(Meeting)} mt ON mt.{q('id')} = m.{meeting_fk} "
        f"WHERE m.{q('id')} = %s"
    )
    if vendor == "postgresql":
        # Shared: votes do not queue behind each other (one per member is the participation's
        # unique constraint), while opening, closing and discarding, which take FOR UPDATE,
        # still wait for the votes in flight and are waited for.
        sql += " FOR SHARE OF m"
    return sql


def _lock_for_vote(motion_id: int, user_id: int | None) -> Motion:
    """The motion, its row locked until the transaction ends (PostgreSQL: FOR SHARE), read in
    one query with what the policy asks about the voter (kept on it, ``rules.FACTS_ATTR``) and
    with its meeting. Of both, only what the vote needs is loaded; the rest is read if asked."""
    params = [
        user_id,
        MembershipState.ACTIVE,
        user_id,
        RegistrationState.REGISTERED,
        user_id,
        motion_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_vote_sql(connection.vendor), params)
        row = cursor.fetchone()
    if row is None:
        raise MotionError(_("There is no such motion."), code="not_found")
    pk, meeting_id, kind, secret, state, assembly_id, meeting_kind, role, registration, voted = row
    fields = dict(zip(VOTE_FIELDS, (pk, meeting_id, kind, secret, state), strict=True))
    motion = rows.loaded(Motion, fields, using=connection.alias)
    meeting = rows.loaded(
        Meeting,
        {"id": meeting_id, "assembly_id": assembly_id, "kind": meeting_kind},
        using=connection.alias,
    )
    Motion.meeting.field.set_cached_value(motion, meeting)
    setattr(
        motion,
        FACTS_ATTR,
        VoterFacts(
            user_id=user_id,
            role=role or "",
            registered=registration is not None,
            checked_in=bool(registration),
            voted=bool(voted),
        ),
    )
    return motion


def vote_cast(
    *, actor, motion: Motion | int, choice: str, option_id=None, reason: str = ""
) -> Motion:
    """A member votes from their own phone or computer (in the room or online). ``motion``: the
    motion or its id (read here, locked, with what the policy asks). Returns the motion."""
    motion_id = motion.pk if isinstance(motion, Motion) else motion
    with transaction.atomic(durable=True):
        locked = _lock_for_vote(motion_id, actor.pk)
        MOTIONS.allows(actor, Action.VOTE, locked).enforce()
        _store_vote(locked, actor, choice, option_id, reason, Channel.WEB)
        live.push(locked.meeting_id)
    return locked


@functools.cache
def _tablet_token_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    tablet, vote_token = RoomTablet._meta, VoteToken._meta

    def col(meta, name):
        return q(meta.get_field(name).column)

    return (
        f"SELECT t.{q('id')}, t.{col(tablet, 'revoked_at')} IS NOT NULL, k.{q('id')}, "  # noqa: S608 - names from the models' _meta, values are parameters
        f"k.{col(vote_token, 'motion')}, k.{col(vote_token, 'user')} "
        f"FROM {q(tablet.db_table)} t LEFT JOIN {q(vote_token.db_table)} k "
        f"ON k.{col(vote_token, 'tablet')} = t.{q('id')} "
        f"AND k.{col(vote_token, 'token_hash')} = %s "
        f"WHERE t.{col(tablet, 'credential_hash')} = %s LIMIT 1"
    )


def _tablet_and_token(credential: str, token: str):
    """(tablet id, tablet revoked, token id, its motion id, its member's id) of the tablet with
    this credential and its token with this value (the token's part None when the tablet
    has none such); None for no tablet. One query, no lock."""
    if not credential:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            _tablet_token_sql(connection.vendor),
            [credentials.token_hash(token), credentials.device_credential_hash(credential)],
        )
        return cursor.fetchone()


def tablet_cast(
    *, credential: str, token: str, choice: str, option_id=None, reason: str = ""
) -> Motion:
    """A room tablet casts the vote of the member the chair handed it to."""
    with transaction.atomic(durable=True):
        found = _tablet_and_token(credential, token)
        if found is None or found[1]:
            raise MotionError(_("This tablet is not paired. Ask the chair."), code="unpaired")
        tablet_id, _revoked, token_id, motion_id, user_id = found
        if token_id is None:
            raise MotionError(
                _("This vote was already cast or withdrawn by the chair."), code="token_used"
            )
        # The motion's row first, then the token's: closing the vote locks them in that order
        # (the motion, then the tokens it voids), so a cast and a close cannot deadlock. The
        # token is locked and used by one UPDATE that finds it only while it is issued (a
        # refusal below rolls it back).
        locked = _lock_for_vote(motion_id, user_id)
        used = VoteToken.objects.filter(pk=token_id, state=TokenState.ISSUED).update(
            state=TokenState.USED, finished_at=timezone.now()
        )
        if not used:
            raise MotionError(
                _("This vote was already cast or withdrawn by the chair."), code="token_used"
            )
        if not locked.is_open:
            raise MotionError(_("The vote on this motion is closed."), code="closed")
        # The member: only the id is loaded (the rest is read if asked).
        member = get_user_model().from_db(connection.alias, ["id"], [user_id])
        voting_refusal(member, locked, in_room=True).enforce()
        _store_vote(locked, member, choice, option_id, reason, Channel.TABLET)
        live.push(locked.meeting_id, tablet_ids=[tablet_id])
    return locked


# Objections ---------------------------------------------------------------------------------


def objection_withdraw(*, actor, objection: Objection) -> Objection:
    with transaction.atomic(durable=True):
        fire(objection, "withdraw", actor=actor, decided_at=timezone.now(), decided_by=actor)
        live.push(objection.motion.meeting_id)
    return objection


def objection_overrule(*, actor, objection: Objection, reason: str) -> Objection:
    """The chair overrules a standing objection, stating the rule (the charter's)."""
    reason = (reason or "").strip()
    if not reason:
        raise MotionError(
            {"reason": _("State the rule by which the objection is overruled.")}, code="invalid"
        )
    with transaction.atomic(durable=True):
        fire(
            objection,
            "overrule",
            actor=actor,
            reason=reason,
            decided_at=timezone.now(),
            decided_by=actor,
            overrule_reason=reason,
        )
        live.push(objection.motion.meeting_id)
    return objection


# Check-in -----------------------------------------------------------------------------------


def checkin_member(*, actor, meeting, user) -> Registration:
    """The chair checks a member in at the door (a member without a seat is registered)."""
    with transaction.atomic(durable=True):
        _require_chair(actor, meeting)
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .filter(meeting=meeting, user=user)
            .exclude(state=RegistrationState.CANCELLED)
            .first()
        )
        if registration is None:
            registration = Registration(meeting=meeting, user=user)
        registration.state = RegistrationState.REGISTERED
        if registration.checked_in_at is None:
            registration.checked_in_at = timezone.now()
            registration.checked_in_by = actor
        registration.save()
        audit_log(actor=actor, action="motion.checkin", obj=meeting, after={"user": user.pk})
        live.push(meeting.pk)
    return registration


# Room tablets -------------------------------------------------------------------------------


def pairing_hash(code: str) -> str:
    return credentials.keyed_hash(PAIRING_SALT, credentials.pairing_code_normalise(code))


def pairing_code(*, actor, meeting) -> str:
    """A new single-use pairing code for the meeting's room tablets (10 minutes)."""
    with transaction.atomic(durable=True):
        _require_chair(actor, meeting)
        code = credentials.pairing_code_new()
        RoomPairing.objects.update_or_create(
            meeting=meeting,
            defaults={"code_hash": pairing_hash(code), "expires_at": timezone.now() + PAIRING_TTL},
        )
        audit_log(actor=actor, action="motion.pairing_code", obj=meeting)
    return code


def tablet_pair(*, code: str, label: str = "", ip: str = "") -> tuple[RoomTablet, str]:
    from budgeting.live import throttles  # the pairing back-off per address is shared

    throttles.pairing_check(ip=ip)
    normalised = credentials.pairing_code_normalise(code)
    with transaction.atomic(durable=True):
        pairing = (
            RoomPairing.objects.select_for_update(of=("self",))
            .select_related("meeting")
            .filter(code_hash=pairing_hash(normalised))
            .first()
            if len(normalised) == credentials.PAIRING_LENGTH
            else None
        )
        if pairing is None or not pairing.active() or pairing.meeting.is_closed:
            pairing = None
        else:
            meeting = pairing.meeting
            taken = set(meeting.room_tablets.values_list("label", flat=True))
            label = (label or "").strip()[:50]
            if not label or label in taken:
                base, n = label or _("Room tablet"), len(taken) + 1
                while f"{base} {n}" in taken:
                    n += 1
                label = f"{base} {n}"
            credential = credentials.device_credential_new()
            tablet = RoomTablet.objects.create(
                meeting=meeting,
                label=label,
                credential_hash=credentials.device_credential_hash(credential),
            )
            pairing.code_hash = ""
            pairing.expires_at = None
            pairing.save(update_fields=["code_hash", "expires_at"])
            audit_log(
                actor=None,
                actor_label=_("tablet pairing"),
                action="motion.tablet_pair",
                obj=tablet,
                after={"meeting": meeting.pk, "label": label, "ip": ip},
            )
            live.push(meeting.pk)
    if pairing is None:
        throttles.pairing_failed(ip=ip)
        raise MotionError(
            _("This pairing code is wrong, used or expired. Ask the chair for a new one."),
            code="bad_code",
        )
    return tablet, credential


def tablet_for_credential(credential: str) -> RoomTablet | None:
    if not credential:
        return None
    return (
        RoomTablet.objects.select_related("meeting")
        .filter(credential_hash=credentials.device_credential_hash(credential))
        .first()
    )


def tablet_revoke(*, actor, tablet: RoomTablet) -> RoomTablet:
    with transaction.atomic(durable=True):
        _require_chair(actor, tablet.meeting)
        VoteToken.objects.filter(tablet=tablet, state=TokenState.ISSUED).update(
            state=TokenState.VOIDED, finished_at=timezone.now()
        )
        tablet.revoked_at = timezone.now()
        tablet.save(update_fields=["revoked_at"])
        audit_log(actor=actor, action="motion.tablet_revoke", obj=tablet)
        live.push(tablet.meeting_id)
        live.tablet_revoked(tablet.pk)
    return tablet


def token_for(nonce: str) -> str:
    return credentials.keyed_hash(TOKEN_SALT, nonce, algorithm="sha256")[: credentials.TOKEN_HEX]


def token_issue(*, actor, motion: Motion, tablet: RoomTablet, user) -> VoteToken:
    """The chair hands a room tablet to a checked-in member for one vote on an open motion.
    A token still waiting on that tablet is withdrawn."""
    with transaction.atomic(durable=True):
        locked = _lock_open(motion.pk)
        _require_chair(actor, locked.meeting)
        if not locked.is_open:
            raise MotionError(_("The vote on this motion is not open."), code="closed")
        if tablet.meeting_id != locked.meeting_id or tablet.is_revoked:
            raise MotionError(_("This tablet is not paired with this meeting."), code="invalid")
        voting_refusal(user, locked, in_room=True).enforce()
        VoteToken.objects.filter(tablet=tablet, state=TokenState.ISSUED).update(
            state=TokenState.VOIDED, finished_at=timezone.now()
        )
        nonce = credentials.token_nonce_new()
        token = VoteToken.objects.create(
            motion=locked,
            user=user,
            tablet=tablet,
            nonce=nonce,
            token_hash=credentials.token_hash(token_for(nonce)),
            issued_by=actor,
        )
        audit_log(
            actor=actor,
            action="motion.token_issue",
            obj=locked,
            after={"tablet": tablet.pk, "user": user.pk},
        )
        live.push(locked.meeting_id, tablet_ids=[tablet.pk])
    return token


def kiosk_state(tablet: RoomTablet) -> dict:
    """What a room tablet shows: the member and motion of its waiting token, if any."""
    token = (
        VoteToken.objects.filter(tablet=tablet, state=TokenState.ISSUED)
        .select_related("motion", "user")
        .first()
    )
    data = {
        "tablet": {"id": tablet.pk, "label": tablet.label},
        "meeting": {"id": tablet.meeting_id, "state": tablet.meeting.state},
        "revoked": tablet.is_revoked,
        "token": None,
    }
    if token is not None and token.motion.state == MotionState.OPEN:
        data["token"] = {
            "token": token_for(token.nonce),
            "motion": token.motion_id,
            "member": token.user.get_full_name(),
        }
    return data
