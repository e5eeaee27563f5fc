"""Urban resources: the things residents claim to take care of as commons."""

from collections.abc import Callable

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

# Providers of "this resource is under an accord" conditions. Each is a callable returning a
# boolean expression over the resource row, e.g. Exists(Accord.objects.filter(
# resource=OuterRef("pk"), state="active")). The accords app registers one in its ready().
_under_accord_conditions: list[Callable[[], models.Expression]] = []


def register_under_accord_condition(factory: Callable[[], models.Expression]) -> None:
    """Let another app (accords) tell the registry which resources are under an accord."""
    if factory not in _under_accord_conditions:
        _under_accord_conditions.append(factory)


def unregister_under_accord_condition(factory: Callable[[], models.Expression]) -> None:
    if factory in _under_accord_conditions:
        _under_accord_conditions.remove(factory)


class UrbanResourceQuerySet(models.QuerySet):
    def with_status(self):
        """Annotate `status`: under accord > claimed (an active claim) > available."""
        from proposals.models.claims import CLAIMING_STATES, Claim

        claimed = Exists(
            Claim.objects.filter(resource=OuterRef("pk"), state__in=sorted(CLAIMING_STATES))
        )
        whens = [
            When(factory(), then=Value(UrbanResource.Status.UNDER_ACCORD))
            for factory in _under_accord_conditions
        ]
        whens.append(When(claimed, then=Value(UrbanResource.Status.CLAIMED)))
        return self.annotate(
            status=Case(
                *whens,
                default=Value(UrbanResource.Status.AVAILABLE),
                output_field=models.CharField(),
            )
        )


class UrbanResource(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        GREEN_AREA = "green_area", _("Green area")
        SQUARE = "square", _("Square")
        STREET = "street", _("Street")
        BUILDING = "building", _("Building")
        SCHOOL_GROUND = "school_ground", _("School ground")
        DIGITAL = "digital", _("Digital")
        OTHER = "other", _("Other")

    class Owner(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal")
        OTHER_PUBLIC = "other_public", _("Other public body")
        PRIVATE_CONSENT = "private_consent", _("Private, with the owner's consent")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        CLAIMED = "claimed", _("Claimed")
        UNDER_ACCORD = "under_accord", _("Under accord")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    district = models.CharField(_("district"), max_length=100, db_index=True)
    owner = models.CharField(
        _("owner"), max_length=20, choices=Owner.choices, default=Owner.MUNICIPAL
    )
    source_claim = models.ForeignKey(
        "proposals.Claim",
        verbose_name=_("suggested by claim"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The claim whose new location became this resource."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UrbanResourceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("urban resource")
        verbose_name_plural = _("urban resources")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="resource_lat_lon_together",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | (
                    Q(latitude__gte=-90)
                    & Q(latitude__lte=90)
                    & Q(longitude__gte=-180)
                    & Q(longitude__lte=180)
                ),
                name="resource_lat_lon_range",
            ),
        ]

    def __str__(self):
        return self.name

    search_fields = [
        index.SearchField("name", boost=2),
        index.AutocompleteField("name"),
        index.SearchField("description"),
        index.SearchField("address"),
        index.FilterField("id"),
    ]

    def get_absolute_url(self):
        return reverse("proposals:resource-detail", args=[self.pk])

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def current_status(self) -> str:
        """The derived status; uses the `with_status()` annotation when present."""
        status = self.__dict__.get("status")
        if status is None:
            status = (
                type(self).objects.with_status().values_list("status", flat=True).get(pk=self.pk)
            )
            self.__dict__["status"] = status
        return status

    def get_status_display(self) -> str:
        return self.Status(self.current_status()).label
