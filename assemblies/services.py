"""What people do with assemblies and meetings. Entry points are `transaction.atomic(durable=True)`;
each asks the policy (`assemblies.rules`) and moves states through `core.fsm.fire`.

Capacity: every change of who holds a seat (register, cancel, promote) first locks the meeting
row (`select_for_update`), so concurrent registrations for the last seats are serialised: the
first N get a seat, the others the waiting list; a cancellation gives the freed seat to the
first person waiting, in the same transaction.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assemblies.models import (
    CODE_ALPHABET,
    AgendaItem,
    Assembly,
    AssemblyKind,
    CharterVersion,
    Document,
    Majority,
    Meeting,
    MeetingKind,
    Membership,
    MembershipPolicy,
    MembershipState,
    Registration,
    RegistrationState,
    Role,
)
from assemblies.rules import ASSEMBLY, MEETING, REGISTRATION, Action, forget_assembly_roles
from audit.services import audit_log
from core.fsm import fire
from core.notify import notify

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _forget(user):
    if user is not None and getattr(user, "is_authenticated", False):
        forget_assembly_roles(user)


# ---- assemblies ------------------------------------------------------------------------------


def city_assembly() -> Assembly:
    """The city-wide Assembly of the Commons (created with its first charter if missing)."""
    return Assembly.get_city()


# First segments of /assemblies/... that are not assemblies.
RESERVED_SLUGS = frozenset(
    {"new", "chamber", "mine", "calendar", "meetings", "registrations", "members"}
)


def unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "assembly"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Assembly.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def create_assembly(
    *,
    by,
    name: str,
    kind: str,
    district: str = "",
    description: str = "",
    membership_policy: str = MembershipPolicy.OPEN,
    charter_text: str,
    quorum_percent: int = 0,
    majority: str = Majority.SIMPLE,
    consent_rule: str = "",
    coordinator=None,
) -> Assembly:
    """An officer creates a thematic or district assembly; its coordinator (the officer unless
    named) is its first member."""
    ASSEMBLY.allows(by, Action.CREATE, None).enforce()
    if kind not in (AssemblyKind.THEMATIC, AssemblyKind.DISTRICT):
        raise ValidationError(
            _("Officers create thematic and district assemblies only."), code="kind"
        )
    if kind == AssemblyKind.DISTRICT and not district.strip():
        raise ValidationError(
            {"district": ValidationError(_("Name the district."), code="required")}
        )
    with transaction.atomic(durable=True):
        assembly = Assembly.objects.create(
            name=name,
            slug=unique_slug(name),
            kind=kind,
            district=district.strip() if kind == AssemblyKind.DISTRICT else "",
            description=description,
            membership_policy=membership_policy,
            created_by=by,
        )
        CharterVersion.objects.create(
            assembly=assembly,
            number=1,
            text=charter_text,
            quorum_percent=quorum_percent,
            majority=majority,
            consent_rule=consent_rule,
            created_by=by,
        )
        first = Membership.objects.create(
            assembly=assembly,
            user=coordinator or by,
            role=Role.COORDINATOR,
            state=MembershipState.ACTIVE,
            decided_at=timezone.now(),
            decided_by=by,
        )
        audit_log(actor=by, action="assembly.create", obj=assembly, after={"kind": kind})
        _audit_added(by, first)
    _forget(by)
    return assembly


def edit_assembly(assembly: Assembly, *, by, name: str, description: str, membership_policy: str):
    ASSEMBLY.allows(by, Action.EDIT, assembly).enforce()
    with transaction.atomic(durable=True):
        assembly = _lock(Assembly, assembly.pk)
        before = {"name": assembly.name, "membership_policy": assembly.membership_policy}
        assembly.name = name
        assembly.description = description
        assembly.membership_policy = membership_policy
        assembly.save(update_fields=["name", "description", "membership_policy"])
        audit_log(
            actor=by,
            action="assembly.edit",
            obj=assembly,
            before=before,
            after={"name": name, "membership_policy": membership_policy},
        )
    return assembly


def edit_charter(
    assembly: Assembly,
    *,
    by,
    text: str,
    quorum_percent: int,
    majority: str,
    consent_rule: str = "",
    note: str = "",
) -> CharterVersion:
    """Write the charter's next version (the earlier ones are kept)."""
    ASSEMBLY.allows(by, Action.EDIT_CHARTER, assembly).enforce()
    if not 0 <= int(quorum_percent) <= 100:
        raise ValidationError(
            {"quorum_percent": ValidationError(_("The quorum is a share between 0 and 100."))}
        )
    with transaction.atomic(durable=True):
        assembly = _lock(Assembly, assembly.pk)
        last = assembly.charter_versions.aggregate(n=Max("number"))["n"] or 0
        version = CharterVersion.objects.create(
            assembly=assembly,
            number=last + 1,
            text=text,
            quorum_percent=quorum_percent,
            majority=majority,
            consent_rule=consent_rule,
            note=note,
            created_by=by,
        )
        audit_log(
            actor=by,
            action="assembly.charter",
            obj=assembly,
            after={
                "version": version.number,
                "quorum_percent": quorum_percent,
                "majority": majority,
            },
            reason=note,
        )
    return version


# ---- accord communities ----------------------------------------------------------------------


def accord_members(accord) -> tuple[set[int], set[int]]:
    """(coordinator ids, member ids) of an accord's community: its resident parties and the
    representatives of its group parties coordinate; the groups' other members are members."""
    from accords.models import AccordParty, Side

    coordinators: set[int] = set()
    members: set[int] = set()
    parties = AccordParty.objects.filter(accord=accord, side=Side.CIVIC).prefetch_related(
        "group__memberships"
    )
    for party in parties:
        if party.user_id:
            coordinators.add(party.user_id)
        if party.group_id:
            for m in party.group.memberships.all():
                (coordinators if m.is_representative else members).add(m.user_id)
    return coordinators, members - coordinators


def assembly_for_accord(accord) -> Assembly:
    """The accord community's assembly, created (with its members) if missing. Idempotent."""
    with transaction.atomic():
        existing = Assembly.objects.filter(accord=accord).first()
        if existing is not None:
            return existing
        name = gettext("Community of the accord %(title)s") % {"title": accord.title}
        try:
            with transaction.atomic():
                assembly = Assembly.objects.create(
                    name=name[:200],
                    slug=unique_slug(f"{accord.reference or ''} {accord.title}"),
                    kind=AssemblyKind.ACCORD,
                    accord=accord,
                    district=accord.district,
                    description=gettext(
                        "The people who care for %(place)s under the accord %(reference)s."
                    )
                    % {"place": accord.place_name, "reference": accord.reference or accord.title},
                    membership_policy=MembershipPolicy.REQUEST,
                )
        except IntegrityError:
            return Assembly.objects.get(accord=accord)
        CharterVersion.objects.create(
            assembly=assembly,
            number=1,
            text=gettext(
                "The community gathers the civic parties of the accord. It meets to plan the "
                "care of the commons, to prepare the activity reports and to discuss changes "
                "to the accord. Decisions are taken by consent; an objection may be overruled "
                "by two thirds of the members present."
            ),
            quorum_percent=0,
            majority=Majority.SIMPLE,
            consent_rule=gettext("Two thirds of the members present overrule an objection."),
        )
        coordinators, members = accord_members(accord)
        now = timezone.now()
        added = Membership.objects.bulk_create(
            [
                Membership(
                    assembly=assembly,
                    user_id=uid,
                    role=Role.COORDINATOR if uid in coordinators else Role.MEMBER,
                    state=MembershipState.ACTIVE,
                    decided_at=now,
                )
                for uid in sorted(coordinators | members)
            ]
        )
        audit_log(
            actor=None,
            action="assembly.create",
            obj=assembly,
            after={"kind": AssemblyKind.ACCORD, "accord": accord.pk},
        )
        for membership in added:
            _audit_added(None, membership)
    return assembly


def on_accord_transition(sender, instance, name, before, after, **kwargs):
    """`core.fsm.transitioned` receiver: an accord in force has its community assembly."""
    if after == "active":
        assembly_for_accord(instance)


# ---- membership ------------------------------------------------------------------------------


def _member_url(assembly):
    return assembly.get_absolute_url()


def join(assembly: Assembly, *, user) -> Membership:
    """Join an open assembly: an active member at once."""
    with transaction.atomic(durable=True):
        assembly = _lock(Assembly, assembly.pk)
        _forget(user)
        ASSEMBLY.allows(user, Action.JOIN, assembly).enforce()
        membership = Membership.objects.create(
            assembly=assembly,
            user=user,
            role=Role.MEMBER,
            state=MembershipState.ACTIVE,
            decided_at=timezone.now(),
        )
        audit_log(
            actor=user,
            action="assembly.membership.join",
            obj=membership,
            after={"state": membership.state, "role": membership.role},
        )
    _forget(user)
    return membership


def request_membership(assembly: Assembly, *, user, message: str = "") -> Membership:
    """Ask to join an assembly admitting members by request; its coordinators are told."""
    with transaction.atomic(durable=True):
        assembly = _lock(Assembly, assembly.pk)
        _forget(user)
        ASSEMBLY.allows(user, Action.REQUEST, assembly).enforce()
        membership = Membership.objects.create(
            assembly=assembly, user=user, role=Role.MEMBER, message=message[:2000]
        )
        audit_log(
            actor=user,
            action="assembly.membership.request",
            obj=membership,
            after={"state": membership.state},
        )
        notify(
            assembly.coordinators(),
            "assembly.membership_requested",
            lambda: (
                gettext("%(person)s asks to join %(assembly)s.")
                % {"person": user, "assembly": assembly}
            ),
            url=_requests_url(assembly),
        )
    _forget(user)
    return membership


def _requests_url(assembly):
    from django.urls import reverse

    return reverse("assemblies:members", args=[assembly.slug])


def accept_membership(membership: Membership, *, by, role: str = Role.MEMBER) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Choose a role."), code="role")
    with transaction.atomic(durable=True):
        fire(membership, "accept", actor=by, role=role, decided_at=timezone.now(), decided_by=by)
        notify(
            [membership.user],
            "assembly.membership_accepted",
            lambda: (
                gettext("You are now a member of %(assembly)s.") % {"assembly": membership.assembly}
            ),
            url=_member_url(membership.assembly),
        )
    _forget(membership.user)
    return membership


def refuse_membership(membership: Membership, *, by, reason: str = "") -> Membership:
    with transaction.atomic(durable=True):
        fire(
            membership,
            "refuse",
            actor=by,
            reason=reason,
            decided_at=timezone.now(),
            decided_by=by,
        )
        notify(
            [membership.user],
            "assembly.membership_refused",
            lambda: (
                gettext("Your request to join %(assembly)s was not accepted.")
                % {"assembly": membership.assembly}
                + (f" {reason}" if reason else "")
            ),
            url=_member_url(membership.assembly),
        )
    return membership


def _other_coordinators(membership) -> bool:
    return (
        Membership.objects.filter(
            assembly_id=membership.assembly_id,
            state=MembershipState.ACTIVE,
            role=Role.COORDINATOR,
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _keep_a_coordinator(membership):
    if (
        membership.is_coordinator
        and not membership.assembly.is_city
        and not _other_coordinators(membership)
    ):
        raise ValidationError(
            _("The assembly's last coordinator cannot leave: name another coordinator first."),
            code="last_coordinator",
        )


def leave(membership: Membership, *, by) -> Membership:
    """Leave an assembly (or withdraw one's request)."""
    with transaction.atomic(durable=True):
        _lock(Assembly, membership.assembly_id)
        membership = _lock(Membership, membership.pk)
        if membership.is_requested:
            fire(membership, "withdraw", actor=by, left_at=timezone.now())
        else:
            _keep_a_coordinator(membership)
            fire(membership, "leave", actor=by, left_at=timezone.now())
    _forget(by)
    return membership


def remove_member(membership: Membership, *, by, reason: str = "") -> Membership:
    with transaction.atomic(durable=True):
        _lock(Assembly, membership.assembly_id)
        membership = _lock(Membership, membership.pk)
        _keep_a_coordinator(membership)
        fire(membership, "remove", actor=by, reason=reason, left_at=timezone.now())
        notify(
            [membership.user],
            "assembly.membership_removed",
            lambda: (
                gettext("You are no longer a member of %(assembly)s.")
                % {"assembly": membership.assembly}
            ),
            url=_member_url(membership.assembly),
        )
    return membership


def set_role(membership: Membership, *, by, role: str) -> Membership:
    """A coordinator changes a member's role (the last coordinator keeps theirs)."""
    if role not in Role.values:
        raise ValidationError(_("Choose a role."), code="role")
    with transaction.atomic(durable=True):
        _lock(Assembly, membership.assembly_id)
        membership = _lock(Membership, membership.pk)
        ASSEMBLY.allows(by, Action.MANAGE_MEMBERS, membership.assembly).enforce()
        if not membership.is_active:
            raise ValidationError(_("Only active members have a role."), code="state")
        if role != Role.COORDINATOR:
            _keep_a_coordinator(membership)
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_log(
            actor=by,
            action="assembly.membership.role",
            obj=membership,
            before={"role": before},
            after={"role": role},
        )
    _forget(membership.user)
    return membership


def _audit_added(actor, membership, before=None):
    """An active membership made by the system (a new assembly's coordinator, an accord's
    community, the demo), on the membership's own trail."""
    audit_log(
        actor=actor,
        action="assembly.membership.add",
        obj=membership,
        before=before,
        after={"state": membership.state, "role": membership.role},
    )


def add_member(assembly: Assembly, *, user, role: str = Role.MEMBER) -> Membership:
    """The system (or the demo) makes someone an active member; idempotent."""
    with transaction.atomic():
        found = Membership.objects.filter(
            assembly=assembly,
            user=user,
            state__in=(MembershipState.REQUESTED, MembershipState.ACTIVE),
        ).first()
        if found is not None:
            if found.state != MembershipState.ACTIVE or found.role != role:
                before = {"state": found.state, "role": found.role}
                found.state = MembershipState.ACTIVE
                found.role = role
                found.decided_at = found.decided_at or timezone.now()
                found.save(update_fields=["state", "role", "decided_at"])
                _audit_added(None, found, before=before)
            return found
        membership = Membership.objects.create(
            assembly=assembly,
            user=user,
            role=role,
            state=MembershipState.ACTIVE,
            decided_at=timezone.now(),
        )
        _audit_added(None, membership)
        return membership


# ---- documents -------------------------------------------------------------------------------


def upload_document(assembly: Assembly, *, by, title: str, upload) -> Document:
    """A coordinator adds a document (PDF, office formats, text or an image)."""
    from pathlib import PurePath

    ASSEMBLY.allows(by, Action.UPLOAD_DOCUMENT, assembly).enforce()
    name = PurePath(str(getattr(upload, "name", "") or "document").replace("\\", "/")).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(
            {
                "file": ValidationError(
                    _("Upload a PDF, an office document, a text or CSV file, or an image."),
                    code="wrong_type",
                )
            }
        )
    if not upload.size:
        raise ValidationError({"file": ValidationError(_("The file is empty."), code="empty")})
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {"file": ValidationError(_("The file is larger than 20 MB."), code="too_large")}
        )
    with transaction.atomic(durable=True):
        document = Document(
            assembly=assembly,
            title=title,
            original_name=name[:200],
            content_type=DOCUMENT_TYPES[suffix] or mimetypes.guess_type(name)[0] or "",
            size=upload.size,
            uploaded_by=by,
        )
        document.file.save(name, upload, save=False)
        document.save()
        audit_log(actor=by, action="assembly.document.upload", obj=assembly, after={"title": title})
    return document


def delete_document(document: Document, *, by) -> None:
    ASSEMBLY.allows(by, Action.UPLOAD_DOCUMENT, document.assembly).enforce()
    with transaction.atomic(durable=True):
        audit_log(
            actor=by,
            action="assembly.document.delete",
            obj=document.assembly,
            before={"title": document.title},
        )
        stored = document.file.name
        document.delete()
        transaction.on_commit(lambda: document.file.storage.delete(stored))


# ---- meetings --------------------------------------------------------------------------------


MEETING_FIELDS = (
    "title",
    "description",
    "kind",
    "place",
    "address",
    "latitude",
    "longitude",
    "online_url",
    "starts_at",
    "ends_at",
    "capacity",
    "chair",
)


def _check_meeting(fields: dict):
    errors = {}
    if fields["ends_at"] <= fields["starts_at"]:
        errors["ends_at"] = _("The meeting must end after it starts.")
    kind = fields["kind"]
    if kind in (MeetingKind.IN_PERSON, MeetingKind.HYBRID) and not fields.get("place"):
        errors["place"] = _("Say where the meeting takes place.")
    if kind in (MeetingKind.ONLINE, MeetingKind.HYBRID) and not fields.get("online_url"):
        errors["online_url"] = _("Give the link of the online meeting.")
    if (fields.get("latitude") is None) != (fields.get("longitude") is None):
        errors["longitude"] = _("Give both the latitude and the longitude, or neither.")
    if errors:
        raise ValidationError(errors, code="invalid")


@dataclass
class AgendaLine:
    title: str
    body: str = ""


def _write_agenda(meeting, agenda):
    meeting.agenda_items.all().delete()
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, position=i, title=item.title, body=item.body)
            for i, item in enumerate(agenda or [], start=1)
            if item.title.strip()
        ]
    )
    from assemblies.signals import reindex

    reindex(meeting)  # the agenda's titles are searched


def create_meeting(assembly: Assembly, *, by, agenda=(), **fields) -> Meeting:
    """Plan a meeting with its agenda (`agenda`: AgendaLine items, in order)."""
    ASSEMBLY.allows(by, Action.CREATE_MEETING, assembly).enforce()
    fields = {k: fields.get(k) for k in MEETING_FIELDS if k in fields}
    fields.setdefault("kind", MeetingKind.IN_PERSON)
    for text in ("description", "place", "address", "online_url"):
        fields[text] = fields.get(text) or ""
    _check_meeting(fields)
    with transaction.atomic(durable=True):
        meeting = Meeting.objects.create(assembly=assembly, created_by=by, **fields)
        _write_agenda(meeting, agenda)
        audit_log(actor=by, action="assembly.meeting.create", obj=meeting)
    return meeting


def edit_meeting(meeting: Meeting, *, by, agenda=None, **fields) -> Meeting:
    """Change a meeting's details (and its agenda when given). Registrants are told when the
    time or the place changes; added seats go to the waiting list."""
    with transaction.atomic(durable=True):
        meeting = _lock(Meeting, meeting.pk)
        MEETING.allows(by, Action.EDIT_MEETING, meeting).enforce()
        before = {k: getattr(meeting, k) for k in MEETING_FIELDS}
        merged = {**before, **{k: v for k, v in fields.items() if k in MEETING_FIELDS}}
        for text in ("description", "place", "address", "online_url"):
            merged[text] = merged.get(text) or ""
        _check_meeting(merged)
        for k, v in merged.items():
            setattr(meeting, k, v)
        moved = any(
            before[k] != merged[k] for k in ("starts_at", "ends_at", "place", "address", "kind")
        )
        if before["starts_at"] != merged["starts_at"]:
            meeting.reminded_at = None
        meeting.save()
        if agenda is not None:
            _write_agenda(meeting, agenda)
        promoted = _fill_seats(meeting)
        audit_log(
            actor=by,
            action="assembly.meeting.edit",
            obj=meeting,
            after={"moved": moved, "promoted": len(promoted)},
        )
        if moved:
            notify(
                [r.user for r in meeting.live_registrations().select_related("user")],
                "assembly.meeting_changed",
                lambda: (
                    gettext("The meeting “%(title)s” has changed: check its time and place.")
                    % {"title": meeting.title}
                ),
                url=meeting.get_absolute_url(),
                exclude=by,
            )
    return meeting


def open_meeting(meeting: Meeting, *, by) -> Meeting:
    with transaction.atomic(durable=True):
        return fire(meeting, "open", actor=by, opened_at=timezone.now())


def close_meeting(meeting: Meeting, *, by) -> Meeting:
    with transaction.atomic(durable=True):
        return fire(meeting, "close", actor=by, closed_at=timezone.now())


def publish_minutes(meeting: Meeting, *, by) -> Meeting:
    """Mark the meeting's minutes published (the records app calls this when it publishes
    them, inside its own transaction: hence not durable)."""
    with transaction.atomic():
        return fire(meeting, "publish_minutes", actor=by, minutes_published_at=timezone.now())


def cancel_meeting(meeting: Meeting, *, by, reason: str) -> Meeting:
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Say why the meeting is cancelled."), code="required")}
        )
    with transaction.atomic(durable=True):
        fire(meeting, "cancel", actor=by, reason=reason, cancellation_reason=reason)
        notify(
            [r.user for r in meeting.live_registrations().select_related("user")],
            "assembly.meeting_cancelled",
            lambda: (
                gettext("The meeting “%(title)s” is cancelled: %(reason)s")
                % {"title": meeting.title, "reason": reason}
            ),
            url=meeting.get_absolute_url(),
            exclude=by,
        )
    return meeting


# ---- registrations ---------------------------------------------------------------------------


def _seat_free(meeting: Meeting) -> bool:
    if meeting.capacity is None:
        return True
    return meeting.registrations.filter(state=RegistrationState.REGISTERED).count() < (
        meeting.capacity
    )


def _notify_promoted(registration):
    meeting = registration.meeting
    notify(
        [registration.user],
        "assembly.registration_promoted",
        lambda: (
            gettext("A seat became free: you are now registered for “%(title)s”.")
            % {"title": meeting.title}
        ),
        url=meeting.get_absolute_url(),
    )


def _fill_seats(meeting: Meeting) -> list[Registration]:
    """Give free seats to the people waiting, first come first served (meeting row locked)."""
    promoted = []
    waiting = meeting.registrations.filter(state=RegistrationState.WAITING).order_by(
        "created_at", "id"
    )
    for registration in waiting:
        if not _seat_free(meeting):
            break
        fire(registration, "promote", actor=None, promoted_at=timezone.now())
        registration.meeting = meeting
        _notify_promoted(registration)
        promoted.append(registration)
    return promoted


def register(meeting: Meeting, *, user) -> Registration:
    """Register for a meeting: a seat while there are some, else the waiting list."""
    with transaction.atomic(durable=True):
        meeting = _lock(Meeting, meeting.pk)
        MEETING.allows(user, Action.REGISTER, meeting).enforce()
        state = RegistrationState.REGISTERED if _seat_free(meeting) else RegistrationState.WAITING
        for _attempt in range(5):  # a code already taken (1 in 10^11): draw again
            try:
                with transaction.atomic():
                    registration = Registration.objects.create(
                        meeting=meeting, user=user, state=state
                    )
                break
            except IntegrityError as exc:
                if "code" not in str(exc) or _attempt == 4:
                    raise ValidationError(
                        _("You are already registered for this meeting."), code="conflict"
                    ) from exc
        audit_log(
            actor=user,
            action="assembly.registration.create",
            obj=registration,
            after={"state": state, "meeting_id": meeting.pk},
        )
    return registration


def cancel_registration(registration: Registration, *, by) -> Registration:
    """Cancel a registration; a freed seat goes to the first person waiting (told at once)."""
    with transaction.atomic(durable=True):
        meeting = _lock(Meeting, registration.meeting_id)
        registration.meeting = meeting
        held_seat = (
            Registration.objects.filter(pk=registration.pk).values_list("state", flat=True).first()
            == RegistrationState.REGISTERED
        )
        fire(
            registration,
            "cancel",
            actor=by,
            cancelled_at=timezone.now(),
            checked_in_at=None,
            attended_online=False,
        )
        if held_seat:
            _fill_seats(meeting)
    return registration


def _find_by_code(meeting: Meeting, code: str) -> Registration:
    cleaned = "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)
    registration = (
        meeting.registrations.select_related("user").filter(code=cleaned).first()
        if cleaned
        else None
    )
    if registration is None:
        raise ValidationError(
            {
                "code": ValidationError(
                    _("No registration for this meeting has this code."), code="unknown_code"
                )
            }
        )
    return registration


def check_in(registration: Registration, *, by) -> Registration:
    """The chair (or a coordinator) checks a registered person in at the door."""
    with transaction.atomic(durable=True):
        meeting = _lock(Meeting, registration.meeting_id)
        registration = _lock(Registration, registration.pk)
        registration.meeting = meeting
        REGISTRATION.allows(by, Action.CHECK_IN_REGISTRATION, registration).enforce()
        registration.checked_in_at = timezone.now()
        registration.checked_in_by = by
        registration.save(update_fields=["checked_in_at", "checked_in_by"])
        audit_log(
            actor=by,
            action="assembly.registration.check_in",
            obj=meeting,
            after={"registration_id": registration.pk, "user_id": registration.user_id},
        )
    return registration


def check_in_by_code(meeting: Meeting, code: str, *, by) -> Registration:
    """The door: the code read from the person's screen (or its QR)."""
    MEETING.allows(by, Action.CHECK_IN, meeting).enforce()
    registration = _find_by_code(meeting, code)
    if registration.is_waiting:
        raise ValidationError(
            {
                "code": ValidationError(
                    _("%(person)s is on the waiting list, without a seat.")
                    % {"person": registration.user},
                    code="waiting",
                )
            }
        )
    if registration.is_cancelled:
        raise ValidationError(
            {"code": ValidationError(_("This registration was cancelled."), code="cancelled")}
        )
    return check_in(registration, by=by)


def attend_online(registration: Registration, *, by) -> Registration:
    """A registered person joins an online or hybrid meeting in progress (marked by themselves
    when they open the link, or by the chair)."""
    with transaction.atomic(durable=True):
        meeting = _lock(Meeting, registration.meeting_id)
        registration = _lock(Registration, registration.pk)
        registration.meeting = meeting
        REGISTRATION.allows(by, Action.ATTEND_ONLINE, registration).enforce()
        if not registration.attended_online:
            registration.attended_online = True
            registration.save(update_fields=["attended_online"])
            audit_log(
                actor=by,
                action="assembly.registration.online",
                obj=meeting,
                after={"registration_id": registration.pk, "user_id": registration.user_id},
            )
    return registration


# ---- reminders -------------------------------------------------------------------------------


REMINDER_HOURS = 24


def send_reminders(now) -> int:
    """Tell the registrants of meetings starting within the next day, once per meeting
    (`reminded_at`); returns how many meetings were reminded. Called by run_deadlines."""
    import datetime as dt

    due = Meeting.objects.filter(
        state__in=Meeting.REGISTRATION_STATES,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=REMINDER_HOURS),
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        with transaction.atomic(durable=True):
            meeting = Meeting.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if meeting is None or meeting.reminded_at is not None:
                continue
            meeting.reminded_at = now
            meeting.save(update_fields=["reminded_at"])
            registrants = [
                r.user
                for r in meeting.registrations.filter(
                    state=RegistrationState.REGISTERED
                ).select_related("user")
            ]
            notify(
                registrants,
                "assembly.meeting_reminder",
                lambda m=meeting: reminder_text(m),
                url=meeting.get_absolute_url(),
            )
            audit_log(
                actor=None,
                action="assembly.meeting.remind",
                obj=meeting,
                after={"registrants": len(registrants)},
            )
            count += 1
    return count


def reminder_text(meeting: Meeting) -> str:
    from django.utils import formats

    when = formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
    where = meeting.place if meeting.is_in_person else gettext("online")
    return gettext("Reminder: “%(title)s” starts on %(when)s (%(where)s).") % {
        "title": meeting.title,
        "when": when,
        "where": where,
    }


# ---- the Chamber of the Commons --------------------------------------------------------------


def declare_adherence(group, *, by):
    """A group's representative declares that the group adheres to the charter of the
    Assembly of the Commons. Idempotent."""
    from assemblies.models import Adherence
    from citizens.models import Membership as GroupMembership

    city = city_assembly()
    ASSEMBLY.allows(by, Action.ADHERE, city).enforce()
    if not GroupMembership.objects.filter(group=group, user=by, is_representative=True).exists():
        raise ValidationError(
            {
                "group": ValidationError(
                    _("Only the group's representatives can declare its adherence."),
                    code="forbidden",
                )
            }
        )
    with transaction.atomic(durable=True):
        adherence, created = Adherence.objects.get_or_create(
            group=group, assembly=city, defaults={"by": by}
        )
        if created:
            audit_log(actor=by, action="assembly.adherence", obj=city, after={"group_id": group.pk})
    return adherence


def withdraw_adherence(adherence, *, by) -> None:
    from citizens.models import Membership as GroupMembership

    if not GroupMembership.objects.filter(
        group=adherence.group, user=by, is_representative=True
    ).exists():
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(gettext("Only the group's representatives can do this."))
    with transaction.atomic(durable=True):
        audit_log(
            actor=by,
            action="assembly.adherence_withdraw",
            obj=adherence.assembly,
            before={"group_id": adherence.group_id},
        )
        adherence.delete()
