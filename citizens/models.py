"""Accounts, departments, census identities and civic groups."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(DjangoUserManager):
    """Email is the login; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class Department(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class CensusRecord(models.Model):
    """One person of the city census, known only by an HMAC of their identifiers."""

    identity_hash = models.CharField(_("identity hash"), max_length=64, unique=True)
    district = models.CharField(_("district"), max_length=100)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("census record")
        verbose_name_plural = _("census records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__gte=1880) & models.Q(birth_year__lte=2200),
                name="census_birth_year_range",
            )
        ]

    def __str__(self):
        return f"{self.identity_hash[:10]}… ({self.district})"


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officers",
    )
    census_record = models.OneToOneField(
        CensusRecord,
        verbose_name=_("census identity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    verified_at = models.DateTimeField(_("residency verified at"), null=True, blank=True)
    notify_by_email = models.BooleanField(_("email notifications"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_anonymised = models.BooleanField(_("anonymised"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        permissions = [
            ("act_as_officer", _("Can act as a city officer")),
            ("sign_for_city", _("Can sign accords for the city")),
            ("facilitate_sessions", _("Can run in-person voting sessions")),
            ("moderate_content", _("Can moderate content")),
            ("import_census", _("Can import the census")),
            ("manage_procedure", _("Can configure the city's procedures")),
        ]

    def __str__(self):
        return self.display_name or self.email

    @property
    def is_verified_resident(self) -> bool:
        return self.census_record_id is not None

    @property
    def district(self) -> str:
        return self.census_record.district if self.census_record_id else ""

    def get_full_name(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email.split("@")[0]


class CivicGroup(models.Model):
    """A civic actor: an informal group or a registered association."""

    class Kind(models.TextChoices):
        INFORMAL = "informal", _("Informal group")
        ASSOCIATION = "association", _("Association")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INFORMAL)
    description = models.TextField(_("description"), blank=True)
    registration_number = models.CharField(
        _("registration number"), max_length=60, blank=True, help_text=_("For associations.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("civic group")
        verbose_name_plural = _("civic groups")

    def __str__(self):
        return self.name


class Membership(models.Model):
    group = models.ForeignKey(CivicGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    is_representative = models.BooleanField(_("representative"), default=False)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} in {self.group}"


class GroupInvitation(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(CivicGroup, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_representative = models.BooleanField(_("as representative"), default=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("group invitation")
        verbose_name_plural = _("group invitations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "group",
                condition=models.Q(state="pending"),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.group}"


class Notification(models.Model):
    """An in-app notification; email is sent alongside when the user has not opted out."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(max_length=60)
    # The group of events a preference applies to (core.notify.kind_of(verb)).
    kind = models.CharField(_("kind"), max_length=30, default="other", db_index=True)
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.message
