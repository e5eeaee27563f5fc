import datetime as dt
import itertools

from django.utils import timezone

from assemblies.models import (
    Assembly,
    CharterVersion,
    Meeting,
    MeetingKind,
    Membership,
    MembershipState,
    Registration,
    RegistrationState,
    Role,
)

_seq = itertools.count(1)


def assembly_make(
    *,
    kind="thematic",
    policy="open",
    coordinators=(),
    members=(),
    observers=(),
    quorum=0,
    **fields,
) -> Assembly:
    n = next(_seq)
    if kind == "city":
        assembly = Assembly.get_city()
    else:
        assembly = Assembly.objects.create(
            name=fields.pop("name", f"Assembly {n}"),
            slug=fields.pop("slug", f"assembly-{n}"),
            kind=kind,
            membership_policy=policy,
            district=fields.pop("district", "Navile" if kind == "district" else ""),
            **fields,
        )
        CharterVersion.objects.create(
            assembly=assembly, number=1, text="Our charter.", quorum_percent=quorum
        )
    for users, role in (
        (coordinators, Role.COORDINATOR),
        (members, Role.MEMBER),
        (observers, Role.OBSERVER),
    ):
        for user in users:
            Membership.objects.create(
                assembly=assembly, user=user, role=role, state=MembershipState.ACTIVE
            )
    return assembly


def meeting_make(
    assembly,
    *,
    state="planned",
    capacity=None,
    kind=MeetingKind.IN_PERSON,
    starts_in=dt.timedelta(days=2),
    hours=2,
    chair=None,
    **fields,
) -> Meeting:
    starts = timezone.now() + starts_in
    return Meeting.objects.create(
        assembly=assembly,
        title=fields.pop("title", f"Meeting {next(_seq)}"),
        kind=kind,
        place=fields.pop("place", "Sala Borsa"),
        online_url=fields.pop(
            "online_url", "https://meet.example.org/x" if kind != MeetingKind.IN_PERSON else ""
        ),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        capacity=capacity,
        state=state,
        chair=chair,
        **fields,
    )


def registration_make(meeting, user, *, state=RegistrationState.REGISTERED, **fields):
    return Registration.objects.create(meeting=meeting, user=user, state=state, **fields)


def accord_comes_into_force(*, residents=(), groups=(), district="Navile"):
    """An accord with these civic parties that comes into force: its "activate" transition
    is announced as the kernel announces it (``core.fsm.transitioned``). Run it inside
    ``django_capture_on_commit_callbacks(execute=True)``: the community is made after commit."""
    from accords.models import Accord, AccordParty
    from core.fsm import transitioned
    from tests.citizens.factories import department_create

    accord = Accord.objects.create(
        title="Care of the park",
        track="simple",
        department=department_create(),
        place_name="Park",
        district=district,
        kind="green",
        state="awaiting_signatures",
    )
    for group in groups:
        AccordParty.objects.create(accord=accord, side="civic", kind="group", group=group)
    for user in residents:
        AccordParty.objects.create(accord=accord, side="civic", kind="resident", user=user)
    transitioned.send(
        sender=Accord,
        instance=accord,
        name="activate",
        before="awaiting_signatures",
        after="active",
        actor=None,
        reason="",
    )
    return accord
