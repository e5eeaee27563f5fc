"""Writes of the records app: attendance, minutes, decisions, formal opinions.

Each entry point runs in `transaction.atomic(durable=True)`, asks `assemblies.records.rules`,
locks the meeting (or opinion) it changes and writes the audit entry. `decision_record` is the
inner helper that a live motion's close can call inside its own transaction.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assemblies.models import AgendaItem, Assembly, Meeting, Registration
from assemblies.records.models import Decision, MinutesVersion, Opinion
from assemblies.records.rules import (
    CONSULTATION_ONLY,
    claim_in_consultation,
    opinion_policy,
    pending_motions,
    records_policy,
)
from audit.services import audit_log
from core.fsm import fire
from core.notify import notify
from proposals.models import Claim

MAX_TEXT = 100_000


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("assembly").get(pk=meeting.pk)


def _text(value: str, message: str, *, field: str = "text", limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: ValidationError(message, code="required")})
    if len(value) > limit:
        raise ValidationError(
            {field: ValidationError(_("This text is too long."), code="max_length")}
        )
    return value


# Attendance ---------------------------------------------------------------------------------


def attendance_mark_online(
    *, actor, registration: Registration, attended: bool = True
) -> Registration:
    """Mark (or unmark) a registrant as having attended online."""
    with transaction.atomic(durable=True):
        meeting = _lock_meeting(registration.meeting)
        records_policy.allows(actor, "mark_attendance", meeting).enforce()
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_registered:
            raise ValidationError(
                _("Only people holding a seat can be marked as attending."), code="state"
            )
        if registration.attended_online == attended:
            return registration
        registration.attended_online = attended
        registration.save(update_fields=["attended_online"])
        audit_log(
            actor=actor,
            action="assembly.attendance.online"
            if attended
            else "assembly.attendance.online_removed",
            obj=meeting,
            before={"attended_online": not attended, "registration": registration.pk},
            after={"attended_online": attended, "registration": registration.pk},
        )
    return registration


# Minutes ------------------------------------------------------------------------------------


def minutes_save(*, actor, meeting: Meeting, text: str, note: str = "") -> MinutesVersion:
    """Write the next version of the minutes (versions are kept, never changed)."""
    with transaction.atomic(durable=True):
        meeting = _lock_meeting(meeting)
        records_policy.allows(actor, "draft_minutes", meeting).enforce()
        text = _text(text, _("Write the minutes."))
        latest = meeting.minutes_versions.order_by("-number").first()
        if latest is not None and latest.text == text:
            raise ValidationError(
                {
                    "text": ValidationError(
                        _("Nothing changed since the last version."), code="unchanged"
                    )
                }
            )
        version = MinutesVersion.objects.create(
            meeting=meeting,
            number=(latest.number if latest else 0) + 1,
            text=text,
            note=(note or "").strip()[:300],
            author=actor,
        )
        audit_log(
            actor=actor,
            action="assembly.minutes.version",
            obj=meeting,
            after={"version": version.number},
            reason=version.note,
        )
    return version


def minutes_publish(*, actor, meeting: Meeting) -> Meeting:
    """Publish the newest version: the meeting's `publish_minutes` transition. From then on
    the minutes and the decisions are public and can no longer change."""
    with transaction.atomic(durable=True):
        meeting = _lock_meeting(meeting)
        records_policy.allows(actor, "publish_minutes", meeting).enforce()
        version = meeting.minutes_versions.order_by("-number").first()
        fire(
            meeting,
            "publish_minutes",
            actor=actor,
            minutes_published_at=timezone.now(),
            audit_after={"version": version.number},
        )
        url = reverse("assembly_records:meeting-minutes", args=[meeting.pk])

        def message():
            return _("The minutes of “%(title)s” are published.") % {"title": meeting.title}

        notify(
            _told_by_members_notice(meeting),
            verb="assembly.minutes.published",
            url=url,
            message=message,
            exclude=actor,
        )
    return meeting


def _told_by_members_notice(meeting: Meeting):
    """The assembly's voting members, less those who follow the meeting by choice: the
    follows app tells them of the meeting's new state (`follows.signals.object_transitioned`,
    after commit), and one notice each is enough."""
    members = meeting.assembly.voting_members()
    if apps.is_installed("follows"):
        from follows.services import followers_of

        members = members.exclude(pk__in=followers_of(meeting, manual_only=True).values("pk"))
    return members


# Decisions ----------------------------------------------------------------------------------


def _check_decision(meeting, *, text, outcome, agenda_item, votes_summary):
    text = _text(text, _("Write the decision."))
    if outcome not in Decision.Outcome.values:
        raise ValidationError(
            {"outcome": ValidationError(_("Choose the outcome."), code="invalid")}
        )
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError(
            {
                "agenda_item": ValidationError(
                    _("This item is not on the meeting's agenda."), code="invalid"
                )
            }
        )
    return text, (votes_summary or "").strip()[:500]


def decision_record(
    *,
    actor,
    meeting: Meeting,
    text: str,
    outcome: str,
    agenda_item: AgendaItem | None = None,
    votes_summary: str = "",
    motion_id: int | None = None,
) -> Decision:
    """The inner helper: record a decision inside the caller's transaction. `actor=None` is
    the system (a live motion closing records its own outcome); a motion is recorded once."""
    meeting = _lock_meeting(meeting)
    if actor is not None:
        records_policy.allows(actor, "record_decision", meeting).enforce()
    elif meeting.state not in (Meeting.State.OPEN, Meeting.State.CLOSED):
        raise ValidationError(_("Published minutes cannot be changed."), code="state")
    if motion_id is not None:
        found = Decision.objects.filter(motion_id=motion_id).first()
        if found is not None:
            return found
    text, votes_summary = _check_decision(
        meeting, text=text, outcome=outcome, agenda_item=agenda_item, votes_summary=votes_summary
    )
    position = (meeting.decisions.aggregate(m=Max("position"))["m"] or 0) + 1
    decision = Decision.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        position=position,
        text=text,
        outcome=outcome,
        votes_summary=votes_summary,
        motion_id=motion_id,
        recorded_by=actor,
    )
    audit_log(
        actor=actor,
        action="assembly.decision.add",
        obj=meeting,
        after={"decision": decision.pk, "outcome": outcome, "motion": motion_id},
    )
    return decision


def decision_add(*, actor, meeting: Meeting, **fields) -> Decision:
    """A decision written by the chair or a coordinator (one taken without a live motion)."""
    with transaction.atomic(durable=True):
        return decision_record(actor=actor, meeting=meeting, **fields)


def decision_change(
    *,
    actor,
    decision: Decision,
    text: str,
    outcome: str,
    agenda_item: AgendaItem | None = None,
    votes_summary: str = "",
) -> Decision:
    with transaction.atomic(durable=True):
        meeting = _lock_meeting(decision.meeting)
        records_policy.allows(actor, "record_decision", meeting).enforce()
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        text, votes_summary = _check_decision(
            meeting,
            text=text,
            outcome=outcome,
            agenda_item=agenda_item,
            votes_summary=votes_summary,
        )
        before = {"text": decision.text, "outcome": decision.outcome}
        decision.text, decision.outcome = text, outcome
        decision.agenda_item, decision.votes_summary = agenda_item, votes_summary
        decision.save(update_fields=["text", "outcome", "agenda_item", "votes_summary"])
        audit_log(
            actor=actor,
            action="assembly.decision.change",
            obj=meeting,
            before={"decision": decision.pk, **before},
            after={"decision": decision.pk, "text": text, "outcome": outcome},
        )
    return decision


def decision_delete(*, actor, decision: Decision) -> None:
    with transaction.atomic(durable=True):
        meeting = _lock_meeting(decision.meeting)
        records_policy.allows(actor, "record_decision", meeting).enforce()
        if decision.motion_id is not None:
            raise ValidationError(
                _("A motion's outcome stays in the minutes; change its text if needed."),
                code="state",
            )
        if decision.opinions.exists():
            raise ValidationError(
                _("A formal opinion was adopted by this decision; it stays in the minutes."),
                code="state",
            )
        audit_log(
            actor=actor,
            action="assembly.decision.delete",
            obj=meeting,
            before={"decision": decision.pk, "text": decision.text, "outcome": decision.outcome},
        )
        decision.delete()


# Formal opinions ----------------------------------------------------------------------------


def _lock_opinion(opinion: Opinion) -> Opinion:
    return (
        Opinion.objects.select_for_update(of=("self",))
        .select_related("assembly", "claim")
        .get(pk=opinion.pk)
    )


def opinion_draft(*, actor, assembly: Assembly, claim: Claim, text: str) -> Opinion:
    """A coordinator drafts the assembly's opinion on a claim in public consultation."""
    with transaction.atomic(durable=True):
        # The assembly's row serialises drafts on it: a second one sees the first.
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        opinion = Opinion(assembly=assembly, claim=claim, created_by=actor)
        opinion_policy.allows(actor, "create", opinion).enforce()
        opinion.text = _text(text, _("Write the opinion."))
        if Opinion.objects.filter(
            assembly=assembly, claim=claim, state__in=(Opinion.State.DRAFT, Opinion.State.ADOPTED)
        ).exists():
            raise ValidationError(
                _("The assembly already has an opinion on this claim; change or withdraw it."),
                code="conflict",
            )
        opinion.save()
        audit_log(
            actor=actor,
            action="assembly.opinion.draft",
            obj=opinion,
            after={"claim": claim.pk, "assembly": assembly.pk},
        )
    return opinion


def opinion_edit(*, actor, opinion: Opinion, text: str) -> Opinion:
    with transaction.atomic(durable=True):
        opinion = _lock_opinion(opinion)
        opinion_policy.allows(actor, "edit", opinion).enforce()
        text = _text(text, _("Write the opinion."))
        before = opinion.text
        opinion.text = text
        opinion.save(update_fields=["text", "updated_at"])
        audit_log(
            actor=actor,
            action="assembly.opinion.edit",
            obj=opinion,
            before={"text": before},
            after={"text": text},
        )
    return opinion


# Adoption by a motion ------------------------------------------------------------------------
#
# An opinion is adopted only by the assembly's vote: the chair of one of its meetings puts the
# draft to a motion (`assemblies.motions.services.motion_create(opinion=...)`), and closing
# that motion with a carried outcome adopts it, in the close's transaction
# (`opinion_motion_closed`). Nobody adopts an opinion directly: the policy refuses "adopt".


def opinion_vote_refusal(opinion: Opinion, meeting: Meeting) -> str:
    """Why this opinion cannot be put to a new motion in this meeting now ("" if it can).
    Called with the opinion's row locked (`opinion_lock_for_motion`)."""
    if opinion.assembly_id != meeting.assembly_id:
        return _("Choose a draft opinion of this meeting's assembly.")
    if not opinion.is_draft:
        return _("Only a draft opinion can be put to the vote.")
    if not claim_in_consultation(opinion.claim):
        return str(CONSULTATION_ONLY)
    pending = pending_motions(opinion).select_related("meeting").first()
    if pending is not None:
        return _(
            "This opinion is already put to the motion “%(motion)s” (meeting “%(meeting)s”)."
        ) % {"motion": pending.title, "meeting": pending.meeting.title}
    return ""


def opinion_lock_for_motion(opinion: Opinion, meeting: Meeting) -> Opinion:
    """Inside a motion's drafting: lock the opinion and refuse one that cannot be put to the
    vote (the refusal is on the form's `opinion` field)."""
    opinion = _lock_opinion(opinion)
    refusal = opinion_vote_refusal(opinion, meeting)
    if refusal:
        raise ValidationError({"opinion": ValidationError(refusal, code="state")})
    return opinion


def opinion_check_before_vote(motion) -> Opinion:
    """Inside a motion's opening: the opinion it puts to the vote must still be a draft on a
    claim in consultation; its row is locked, so no edit slips in before the vote is open
    (and `opinion_edit` refuses while it is). Returns the locked opinion."""
    opinion = _lock_opinion(Opinion(pk=motion.opinion_id))
    if not opinion.is_draft:
        raise ValidationError(
            _("The opinion is no longer a draft: it cannot be voted on."), code="state"
        )
    if not claim_in_consultation(opinion.claim):
        raise ValidationError(
            _(
                "The claim is no longer in public consultation: the opinion cannot be put to "
                "the vote."
            ),
            code="state",
        )
    return opinion


def opinion_motion_closed(*, motion, decision: Decision | None) -> Opinion:
    """Inside the close of a motion that put an opinion to the vote (the motion's row locked,
    its outcome recorded, `decision` its entry in the minutes or None).

    Carried: the opinion is adopted by the system on the motion's outcome (`fire`, audited
    with the motion and the decision) and the claim's proposers and officer are told. Not
    carried: the opinion stays a draft. Carried while the claim has left its consultation
    (or the opinion is no longer a draft): not adopted, and the minutes and the audit trail
    say why."""
    opinion = _lock_opinion(Opinion(pk=motion.opinion_id))
    carried = motion.outcome == "adopted"
    refusal = ""
    if carried:
        if not opinion.is_draft:
            refusal = _("The opinion was not adopted: it was no longer a draft.")
        elif not claim_in_consultation(opinion.claim):
            refusal = _(
                "The opinion was not adopted: the claim was no longer in public consultation "
                "when the vote closed."
            )
    if refusal and decision is not None:
        decision.text = f"{decision.text}\n\n{refusal}"
        decision.save(update_fields=["text"])
    trail = {"motion": motion.pk, "outcome": motion.outcome}
    if decision is not None:
        trail["decision"] = decision.pk
    if not carried or refusal:
        audit_log(
            actor=None,
            action="assembly.opinion.not_adopted",
            obj=opinion,
            after=trail,
            reason=refusal
            or _("The motion “%(motion)s” was not carried.") % {"motion": motion.title},
        )
        return opinion
    fire(
        opinion,
        "adopt",
        actor=None,  # the assembly's vote: no person adopts it, the policy refuses "adopt"
        reason=_("Adopted by the motion “%(motion)s”.") % {"motion": motion.title},
        adopted_at=timezone.now(),
        decision=decision,
        motion=motion,
        audit_after={"claim": opinion.claim_id, **trail},
    )
    claim = opinion.claim

    def message():
        return _("%(assembly)s gave a formal opinion on “%(title)s”.") % {
            "assembly": opinion.assembly.name,
            "title": claim.title,
        }

    notify(
        [*claim.proposers(), *([claim.handler] if claim.handler_id else [])],
        verb="assembly.opinion.adopted",
        url=claim.get_absolute_url(),
        message=message,
    )
    return opinion


def opinion_withdraw(*, actor, opinion: Opinion, reason: str) -> Opinion:
    with transaction.atomic(durable=True):
        opinion = _lock_opinion(opinion)
        opinion_policy.allows(actor, "withdraw", opinion).enforce()
        reason = _text(reason, _("Say why the opinion is withdrawn."), field="reason")
        fire(opinion, "withdraw", actor=actor, reason=reason, withdrawn_at=timezone.now())
    return opinion
