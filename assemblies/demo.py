"""Demo: the Assembly of the Commons with members (the demo accounts), a group adhering to its
charter, a past meeting (closed, with attendance) and a hybrid meeting today (open, with
registrations and people checked in at the door). Idempotent: meetings are found by title.

Everything goes through the services at the time it would have happened (core.clock), so the
audit trail and the timestamps look like a real history. The motions and records apps add
their parts (motions, minutes, opinions) in their own demo modules.
"""

import datetime as dt

from django.utils import timezone

from assemblies import services
from assemblies.models import Meeting, MeetingKind, Registration, RegistrationState, Role
from citizens.models import CivicGroup, User
from core.clock import travel_to

PAST_TITLE = "Autumn plenary of the Assembly of the Commons"
TODAY_TITLE = "Hybrid assembly: the commons of the Navile district"
GROUP = "Friends of Giardino Margherita"

# email -> role in the Assembly of the Commons
MEMBERS = {
    "resident@partnercity.local": Role.COORDINATOR,
    "resident2@partnercity.local": Role.MEMBER,
    "facilitator@partnercity.local": Role.MEMBER,
    "moderator@partnercity.local": Role.MEMBER,
    "officer@partnercity.local": Role.OBSERVER,
}

_summary: dict[str, str] = {}


def _users():
    found = {
        u.email: u for u in User.objects.filter(email__in=[*MEMBERS, "newcomer@partnercity.local"])
    }
    return found


def _register_all(meeting, users):
    for user in users:
        if meeting.registration_of(user) is None:
            services.register(meeting, user=user)


def _check_in(meeting, users, chair):
    for user in users:
        registration = meeting.registrations.filter(
            user=user, state=RegistrationState.REGISTERED, checked_in_at__isnull=True
        ).first()
        if registration is not None:
            services.check_in(registration, by=chair)


def _past_meeting(city, chair, users):
    meeting = Meeting.objects.filter(assembly=city, title=PAST_TITLE).first()
    start = (timezone.localtime() - dt.timedelta(days=14)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    if meeting is None:
        with travel_to(start - dt.timedelta(days=10)):
            meeting = services.create_meeting(
                city,
                by=chair,
                title=PAST_TITLE,
                description="The season's plenary: the accords in force, the new claims, the "
                "opinions the city asked for.",
                kind=MeetingKind.IN_PERSON,
                place="Biblioteca Salaborsa, Sala Atelier",
                address="Piazza del Nettuno 3, Bologna",
                latitude=44.494190,
                longitude=11.342840,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                capacity=40,
                chair=chair,
                agenda=[
                    services.AgendaLine("Welcome and the charter", "Reading of the charter."),
                    services.AgendaLine("The accords in force", "Reports from the communities."),
                    services.AgendaLine("Opinions requested by the city"),
                ],
            )
        with travel_to(start - dt.timedelta(days=5)):
            _register_all(meeting, users)
    if meeting.is_planned:
        with travel_to(start - dt.timedelta(minutes=15)):
            _check_in(meeting, users[:3], chair)
        with travel_to(start):
            services.open_meeting(meeting, by=chair)
    meeting.refresh_from_db()
    if meeting.is_open:
        with travel_to(start + dt.timedelta(hours=2)):
            services.close_meeting(meeting, by=chair)
    return meeting


def _today_meeting(city, chair, users, newcomer):
    today = timezone.localdate()
    meeting = Meeting.objects.filter(
        assembly=city, title=TODAY_TITLE, starts_at__date=today
    ).first()
    now = timezone.localtime()
    if meeting is None:
        # An hour ago, but today: just after midnight, an hour ago is yesterday, and a second
        # seed looking for today's meeting would not find it (two "today" meetings).
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        start = max(
            midnight, now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
        )
        with travel_to(now - dt.timedelta(days=3)):
            meeting = services.create_meeting(
                city,
                by=chair,
                title=TODAY_TITLE,
                description="In the room at the Navile district hall and online: the members "
                "vote from their phones, from the room tablet or from home.",
                kind=MeetingKind.HYBRID,
                place="Quartiere Navile, Sala Consiliare",
                address="Via Saliceto 5, Bologna",
                latitude=44.514220,
                longitude=11.346630,
                online_url="https://meet.partnercity.local/assembly-of-the-commons",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=5),
                capacity=4,
                chair=chair,
                agenda=[
                    services.AgendaLine("The Navile commons map", "Which places need care."),
                    services.AgendaLine("Opinion on the claims in consultation"),
                    services.AgendaLine("Next meetings"),
                ],
            )
        with travel_to(now - dt.timedelta(days=1)):
            # Four seats: the fifth person (the newcomer) waits.
            _register_all(meeting, [*users, newcomer] if newcomer else users)
    if meeting.is_planned:
        _check_in(meeting, users[:2], chair)
        services.open_meeting(meeting, by=chair)
    return meeting


def seed(stdout) -> None:
    users = _users()
    chair = users.get("resident@partnercity.local")
    if chair is None:
        stdout.write("Assemblies demo skipped: no demo accounts.")
        return
    city = services.city_assembly()
    for email, role in MEMBERS.items():
        if email in users:
            services.add_member(city, user=users[email], role=role)
    ordered = [users[e] for e in MEMBERS if e in users and MEMBERS[e] != Role.OBSERVER]
    group = CivicGroup.objects.filter(name=GROUP).first()
    if group is not None and not group.adherences.filter(assembly=city).exists():
        services.declare_adherence(group, by=chair)
    past = _past_meeting(city, chair, ordered)
    today = _today_meeting(city, chair, ordered, users.get("newcomer@partnercity.local"))
    _summary.update(
        city=city.get_absolute_url(),
        past=past.get_absolute_url(),
        today=today.get_absolute_url(),
        door=f"/assemblies/meetings/{today.pk}/door/",
        waiting=str(today.registrations.filter(state=RegistrationState.WAITING).count()),
        code=Registration.objects.filter(meeting=today, user=ordered[-1])
        .values_list("code", flat=True)
        .first()
        or "",
    )


def describe() -> str:
    if not _summary:
        return ""
    return "\n".join(
        [
            "Assemblies of the Commons:",
            f"  the Assembly of the Commons: {_summary['city']}"
            " (coordinator: resident@partnercity.local)",
            f"  a closed meeting: {_summary['past']}",
            f"  today's hybrid meeting (open): {_summary['today']}",
            f"  its door (check-in by code, as resident@): {_summary['door']}"
            + (f" — try the code {_summary['code']}" if _summary["code"] else ""),
        ]
    )
