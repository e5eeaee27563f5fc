"""Assemblies of the Commons: charters, members, meetings, registrations, adherences.

One city-wide Assembly of the Commons (kind "city", unique), one assembly per accord in
force (kind "accord", created when the accord becomes active; members are its civic
parties), and thematic or district assemblies created by officers. Every assembly has a
charter kept in versions (the motions read the quorum and the majority from the current
one), members with roles, documents, and meetings with agenda items and registrations.
"""

import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from core.fsm import StateMachine, Transition
from proposals.models import private_storage


class AssemblyKind(models.TextChoices):
    CITY = "city", _("Assembly of the Commons")
    ACCORD = "accord", _("Accord community")
    THEMATIC = "thematic", _("Thematic assembly")
    DISTRICT = "district", _("District assembly")


class MembershipPolicy(models.TextChoices):
    OPEN = "open", _("Open: anyone may join")
    REQUEST = "request", _("By request: a coordinator accepts")


class Majority(models.TextChoices):
    SIMPLE = "simple", _("Simple majority of the votes cast")
    ABSOLUTE = "absolute", _("Absolute majority of the voting members")
    TWO_THIRDS = "two_thirds", _("Two thirds of the votes cast")


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


# Roles that vote in the assembly's motions and count towards its quorum.
VOTING_ROLES = (Role.COORDINATOR, Role.MEMBER)


class MembershipState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACTIVE = "active", _("Active")
    REFUSED = "refused", _("Refused")
    LEFT = "left", _("Left")


CITY_SLUG = "commons"
DEFAULT_CITY_DESCRIPTION = _(
    "The city-wide assembly where the people who care for the urban commons deliberate, give "
    "the city formal opinions and hold the accords to account."
)
DEFAULT_CHARTER = _(
    "1. The Assembly of the Commons is open to everyone who cares for the city's commons.\n"
    "2. It meets at least four times a year; meetings are public and announced in advance.\n"
    "3. Members vote on motions; a motion needs the quorum and the majority set below.\n"
    "4. It gives the city formal opinions on claims in consultation and follows the accords."
)


class Assembly(index.Indexed, models.Model):
    Kind = AssemblyKind
    Policy = MembershipPolicy

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AssemblyKind.choices, db_index=True)
    accord = models.OneToOneField(
        "accords.Accord",
        verbose_name=_("accord"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assembly",
    )
    # Districts are plain strings in this project (as Claim.district and Accord.district).
    district = models.CharField(_("district"), max_length=100, blank=True, db_index=True)
    description = models.TextField(_("description"), blank=True)
    membership_policy = models.CharField(
        _("membership"),
        max_length=10,
        choices=MembershipPolicy.choices,
        default=MembershipPolicy.OPEN,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("assembly")
        verbose_name_plural = _("assemblies")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AssemblyKind.values), name="assembly_kind_valid"
            ),
            # Exactly one city-wide Assembly of the Commons.
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="city"), name="assembly_one_city"
            ),
            # An accord community has its accord; no other assembly has one.
            models.CheckConstraint(
                condition=Q(kind="accord", accord__isnull=False)
                | (~Q(kind="accord") & Q(accord__isnull=True)),
                name="assembly_accord_iff_kind_accord",
            ),
            models.CheckConstraint(
                condition=~Q(kind="district") | ~Q(district=""),
                name="assembly_district_has_district",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assemblies:assembly-detail", args=[self.slug])

    @classmethod
    def get_city(cls) -> "Assembly":
        """The city-wide Assembly of the Commons, created (with a first charter) if missing."""
        from django.db import IntegrityError, transaction

        found = cls.objects.filter(kind=AssemblyKind.CITY).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                city = cls.objects.create(
                    kind=AssemblyKind.CITY,
                    name=str(_("Assembly of the Commons")),
                    slug=CITY_SLUG,
                    membership_policy=MembershipPolicy.OPEN,
                    description=str(DEFAULT_CITY_DESCRIPTION),
                )
                CharterVersion.objects.create(
                    assembly=city, number=1, text=str(DEFAULT_CHARTER), quorum_percent=20
                )
        except IntegrityError:  # created meanwhile by another request
            return cls.objects.get(kind=AssemblyKind.CITY)
        return city

    @property
    def is_city(self) -> bool:
        return self.kind == AssemblyKind.CITY

    @property
    def is_open(self) -> bool:
        return self.membership_policy == MembershipPolicy.OPEN

    # Site search (search/registry.py): the name, the description and the charter in force
    # (reindexed when a charter version is written: assemblies.signals).
    search_fields = [
        index.SearchField("name", boost=2),
        index.AutocompleteField("name"),
        index.SearchField("description"),
        index.SearchField("charter_text"),
        index.FilterField("id"),
    ]

    def charter_text(self) -> str:
        charter = self.current_charter()
        return charter.text if charter else ""

    def current_charter(self) -> "CharterVersion | None":
        """The newest charter version (None before the first one is written)."""
        return self.charter_versions.order_by("-number").first()

    def active_memberships(self):
        return self.memberships.filter(state=MembershipState.ACTIVE)

    def voting_members(self):
        """Users with an active membership as coordinator or member (they vote and count
        towards the quorum)."""
        from django.contrib.auth import get_user_model

        return (
            get_user_model()
            .objects.filter(
                assembly_memberships__assembly=self,
                assembly_memberships__state=MembershipState.ACTIVE,
                assembly_memberships__role__in=VOTING_ROLES,
            )
            .distinct()
        )

    def coordinators(self):
        from django.contrib.auth import get_user_model

        return (
            get_user_model()
            .objects.filter(
                assembly_memberships__assembly=self,
                assembly_memberships__state=MembershipState.ACTIVE,
                assembly_memberships__role=Role.COORDINATOR,
            )
            .distinct()
        )

    def membership_of(self, user) -> "Membership | None":
        """The user's requested or active membership, if any."""
        if user is None or not user.is_authenticated:
            return None
        return (
            self.memberships.filter(
                user=user, state__in=(MembershipState.REQUESTED, MembershipState.ACTIVE)
            )
            .order_by("-id")
            .first()
        )


class CharterVersion(models.Model):
    """One version of an assembly's charter; editing the charter writes the next version."""

    assembly = models.ForeignKey(
        Assembly,
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="charter_versions",
    )
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text of the charter"))
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of the voting members that must take part in a motion (0–100)."),
    )
    majority = models.CharField(
        _("majority"), max_length=12, choices=Majority.choices, default=Majority.SIMPLE
    )
    consent_rule = models.TextField(
        _("rule to overrule an objection"),
        blank=True,
        help_text=_("How an objection to a motion by consent may be overruled."),
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["assembly", "-number"]
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "number"], name="charter_version_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__lte=100), name="charter_quorum_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(majority__in=Majority.values), name="charter_majority_valid"
            ),
        ]

    def __str__(self):
        return f"{self.assembly} — v{self.number}"


class Membership(models.Model):
    State = MembershipState
    Role = Role

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="assembly_memberships",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=MembershipState.choices,
        default=MembershipState.REQUESTED,
        db_index=True,
    )
    message = models.TextField(_("message to the coordinators"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    # Joining an open assembly creates an active membership directly; a request waits for a
    # coordinator. Each transition names the policy action that guards it (assemblies.rules).
    machine = StateMachine(
        Transition(
            "accept",
            _("accept"),
            {MembershipState.REQUESTED},
            MembershipState.ACTIVE,
            "membership.accept",
        ),
        Transition(
            "refuse",
            _("refuse"),
            {MembershipState.REQUESTED},
            MembershipState.REFUSED,
            "membership.refuse",
        ),
        Transition(
            "withdraw",
            _("withdraw the request"),
            {MembershipState.REQUESTED},
            MembershipState.LEFT,
            "membership.leave",
        ),
        Transition(
            "leave", _("leave"), {MembershipState.ACTIVE}, MembershipState.LEFT, "membership.leave"
        ),
        Transition(
            "remove",
            _("remove from the assembly"),
            {MembershipState.ACTIVE},
            MembershipState.LEFT,
            "membership.remove",
        ),
        audit_prefix="assembly.membership",
        tones={
            MembershipState.REQUESTED: "warn",
            MembershipState.ACTIVE: "ok",
            MembershipState.REFUSED: "err",
        },
    )

    class Meta:
        ordering = ["assembly", "-created_at", "-id"]
        verbose_name = _("assembly membership")
        verbose_name_plural = _("assembly memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "user"],
                condition=Q(state__in=["requested", "active"]),
                name="assembly_membership_one_live",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="assembly_membership_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=MembershipState.values),
                name="assembly_membership_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.assembly} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.state == MembershipState.ACTIVE

    @property
    def is_requested(self) -> bool:
        return self.state == MembershipState.REQUESTED

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and self.role == Role.COORDINATOR

    @property
    def votes(self) -> bool:
        return self.is_active and self.role in VOTING_ROLES


def document_path(instance, filename: str) -> str:
    """A random name: nothing the uploader typed reaches the file system."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"assemblies/{instance.assembly_id}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    """A document of an assembly (agenda papers, reports), uploaded by a coordinator."""

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=document_path, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assemblies:document", args=[self.assembly.slug, self.pk])


class MeetingKind(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid (in person and online)")


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed")
    MINUTES_PUBLISHED = "minutes_published", _("Minutes published")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(index.Indexed, models.Model):
    Kind = MeetingKind
    State = MeetingState

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=MeetingKind.choices, default=MeetingKind.IN_PERSON
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Shown to registrants only (and to those who run the meeting).
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=MeetingState.choices,
        default=MeetingState.PLANNED,
        db_index=True,
    )
    # Who chairs the meeting; the assembly's coordinators may always chair too.
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_meetings",
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    minutes_published_at = models.DateTimeField(_("minutes published at"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for the cancellation"), blank=True)
    # Set once the day-before reminders are queued (the deadline run sends them once).
    reminded_at = models.DateTimeField(_("reminders sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Each transition names the policy action that guards it (assemblies.rules).
    # publish_minutes is fired by the records app when the minutes are published.
    machine = StateMachine(
        Transition("open", _("open"), {MeetingState.PLANNED}, MeetingState.OPEN, "meeting.open"),
        Transition("close", _("close"), {MeetingState.OPEN}, MeetingState.CLOSED, "meeting.close"),
        Transition(
            "publish_minutes",
            _("publish the minutes"),
            {MeetingState.CLOSED},
            MeetingState.MINUTES_PUBLISHED,
            "meeting.publish_minutes",
        ),
        Transition(
            "cancel",
            _("cancel"),
            {MeetingState.PLANNED},
            MeetingState.CANCELLED,
            "meeting.cancel",
        ),
        audit_prefix="assembly.meeting",
        tones={
            MeetingState.OPEN: "ok",
            MeetingState.MINUTES_PUBLISHED: "ok",
            MeetingState.CANCELLED: "err",
        },
    )
    # Site search (search/registry.py): title, description, place, address and the agenda's
    # item titles (reindexed when the agenda changes: assemblies.signals).
    search_fields = [
        index.SearchField("title", boost=2),
        index.AutocompleteField("title"),
        index.SearchField("description"),
        index.SearchField("place"),
        index.SearchField("address"),
        index.SearchField("agenda_text"),
        index.FilterField("id"),
    ]

    # Registrations are taken (and cancelled) while the meeting is planned or in progress.
    REGISTRATION_STATES = (MeetingState.PLANNED, MeetingState.OPEN)
    # The door checks people in while the meeting is planned (doors open) or in progress.
    CHECK_IN_STATES = (MeetingState.PLANNED, MeetingState.OPEN)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(state__in=MeetingState.values), name="meeting_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="meeting_lat_lon_together",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                name="meeting_capacity_positive",
            ),
        ]
        indexes = [models.Index(fields=["assembly", "starts_at"], name="meeting_assembly_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assemblies:meeting-detail", args=[self.pk])

    def agenda_text(self) -> str:
        return " ".join(self.agenda_items.order_by("position").values_list("title", flat=True))

    # ---- what the pages ask -----------------------------------------------------------------

    @property
    def is_planned(self) -> bool:
        return self.state == MeetingState.PLANNED

    @property
    def is_open(self) -> bool:
        return self.state == MeetingState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state in (MeetingState.CLOSED, MeetingState.MINUTES_PUBLISHED)

    @property
    def is_cancelled(self) -> bool:
        return self.state == MeetingState.CANCELLED

    @property
    def is_online(self) -> bool:
        return self.kind in (MeetingKind.ONLINE, MeetingKind.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.kind in (MeetingKind.IN_PERSON, MeetingKind.HYBRID)

    @property
    def is_hybrid(self) -> bool:
        return self.kind == MeetingKind.HYBRID

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def takes_registrations(self) -> bool:
        return self.state in self.REGISTRATION_STATES and self.ends_at > timezone.now()

    def live_registrations(self):
        return self.registrations.exclude(state=RegistrationState.CANCELLED)

    def registered_count(self) -> int:
        return self.registrations.filter(state=RegistrationState.REGISTERED).count()

    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.registered_count(), 0)

    def registration_of(self, user) -> "Registration | None":
        """The user's registered or waiting registration, if any."""
        if user is None or not user.is_authenticated:
            return None
        return self.live_registrations().filter(user=user).first()

    def is_registered(self, user) -> bool:
        """True when the user holds a seat (registered, not waiting, not cancelled)."""
        if user is None or not user.is_authenticated:
            return False
        return self.registrations.filter(user=user, state=RegistrationState.REGISTERED).exists()

    def checked_in_users(self):
        """Users checked in at the door or marked as attending online."""
        from django.contrib.auth import get_user_model

        # One filter() call: every condition holds for the same registration row (a second
        # filter() would join another registration, e.g. one of an earlier meeting).
        return (
            get_user_model()
            .objects.filter(
                Q(meeting_registrations__checked_in_at__isnull=False)
                | Q(meeting_registrations__attended_online=True),
                meeting_registrations__meeting=self,
                meeting_registrations__state=RegistrationState.REGISTERED,
            )
            .distinct()
        )

    def chairs(self):
        """Who may chair: the named chair and the assembly's coordinators."""
        users = list(self.assembly.coordinators())
        if self.chair_id and all(u.pk != self.chair_id for u in users):
            users.insert(0, self.chair)
        return users


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return self.title


class RegistrationState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


# No 0/O, 1/I/L: the code is read aloud and typed at the door.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_registration_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


class Registration(models.Model):
    State = RegistrationState

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="meeting_registrations",
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=RegistrationState.choices,
        default=RegistrationState.REGISTERED,
        db_index=True,
    )
    code = models.CharField(
        _("check-in code"), max_length=16, unique=True, default=new_registration_code
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attended_online = models.BooleanField(_("attended online"), default=False)
    promoted_at = models.DateTimeField(_("moved from the waiting list at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    # The meeting row is locked by the services before any of these (capacity); the
    # registration's own lock is then cheap.
    machine = StateMachine(
        Transition(
            "promote",
            _("give a seat"),
            {RegistrationState.WAITING},
            RegistrationState.REGISTERED,
        ),
        Transition(
            "cancel",
            _("cancel the registration"),
            {RegistrationState.REGISTERED, RegistrationState.WAITING},
            RegistrationState.CANCELLED,
            "registration.cancel",
        ),
        audit_prefix="assembly.registration",
        tones={
            RegistrationState.REGISTERED: "ok",
            RegistrationState.WAITING: "warn",
            RegistrationState.CANCELLED: "err",
        },
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=~Q(state="cancelled"),
                name="registration_one_live_per_person",
            ),
            models.CheckConstraint(
                condition=Q(state__in=RegistrationState.values), name="registration_state_valid"
            ),
            # Only a seat holder is checked in.
            models.CheckConstraint(
                condition=Q(state="registered")
                | Q(checked_in_at__isnull=True, attended_online=False),
                name="registration_attendance_needs_seat",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.meeting}"

    @property
    def is_registered(self) -> bool:
        return self.state == RegistrationState.REGISTERED

    @property
    def is_waiting(self) -> bool:
        return self.state == RegistrationState.WAITING

    @property
    def is_cancelled(self) -> bool:
        return self.state == RegistrationState.CANCELLED

    @property
    def is_checked_in(self) -> bool:
        return self.checked_in_at is not None

    @property
    def attended(self) -> bool:
        return self.is_registered and (self.checked_in_at is not None or self.attended_online)


class Adherence(models.Model):
    """A civic group adheres to an assembly's charter (the Chamber of the Commons lists the
    groups adhering to the city assembly's)."""

    group = models.ForeignKey(
        "citizens.CivicGroup",
        verbose_name=_("civic group"),
        on_delete=models.CASCADE,
        related_name="adherences",
    )
    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.CASCADE, related_name="adherences"
    )
    since = models.DateTimeField(_("adheres since"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["group__name", "id"]
        verbose_name = _("adherence to the charter")
        verbose_name_plural = _("adherences to the charter")
        constraints = [
            models.UniqueConstraint(fields=["group", "assembly"], name="adherence_unique"),
        ]

    def __str__(self):
        return f"{self.group} — {self.assembly}"
