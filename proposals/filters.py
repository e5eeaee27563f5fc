"""List filters (django-filter): the form a page renders and the queryset it narrows."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citizens.models import Department
from proposals.models import Claim, UrbanResource
from proposals.models.claims import OPEN_STATES, PUBLIC_STATES
from proposals.selectors import district_choices, due_soon


class DistrictChoicesMixin:
    """District choices read once per request (a callable would query on every use)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["district"].extra["choices"] = [(d, d) for d in district_choices()]


class SearchFilter(django_filters.CharFilter):
    def __init__(self, *args, fields=(), **kwargs):
        self.search_fields = fields
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "search"}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()[:200]
        if not value:
            return qs
        match = Q()
        for name in self.search_fields:
            match |= Q(**{f"{name}__icontains": value})
        return qs.filter(match)


class ResourceFilter(DistrictChoicesMixin, django_filters.FilterSet):
    q = SearchFilter(fields=("name", "address", "description"))
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=UrbanResource.Kind.choices, empty_label=_("All kinds")
    )
    district = django_filters.ChoiceFilter(
        label=_("District"), choices=[], empty_label=_("All districts")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=UrbanResource.Status.choices, empty_label=_("Any status")
    )

    class Meta:
        model = UrbanResource
        fields = ["q", "kind", "district", "status"]


PUBLIC_STATE_CHOICES = [(s.value, s.label) for s in Claim.State if s in PUBLIC_STATES]
OPEN_STATE_CHOICES = [(s.value, s.label) for s in Claim.State if s in OPEN_STATES]


class ClaimFilter(DistrictChoicesMixin, django_filters.FilterSet):
    q = SearchFilter(fields=("title", "summary", "resource__name", "location_address"))
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=PUBLIC_STATE_CHOICES, empty_label=_("Any state")
    )
    district = django_filters.ChoiceFilter(
        label=_("District"), choices=[], empty_label=_("All districts")
    )
    track = django_filters.ChoiceFilter(
        label=_("Track"), choices=Claim.Track.choices, empty_label=_("Both tracks")
    )
    field = django_filters.ChoiceFilter(
        label=_("Field"), choices=Claim.Field.choices, empty_label=_("All fields")
    )
    # Through the resource's pk, not the column resource_id: a number past the database's
    # integers then matches nothing instead of overflowing the driver (a 500).
    resource = django_filters.NumberFilter(field_name="resource__pk", widget=forms.HiddenInput)
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=None,
        null_label=None,
        choices=[
            ("-submitted_at", _("Newest first")),
            ("submitted_at", _("Oldest first")),
            ("-supports_count", _("Most supported")),
            ("title", _("Title")),
        ],
        fields=(
            ("submitted_at", "submitted_at"),
            ("supports_count", "supports_count"),
            ("title", "title"),
        ),
    )

    class Meta:
        model = Claim
        fields = ["q", "state", "district", "track", "field", "resource"]

    @property
    def qs(self):
        qs = super().qs
        # A stable order for pagination whatever the chosen sort.
        return qs.order_by(*(qs.query.order_by or ["-submitted_at"]), "-id")


class QueueFilter(DistrictChoicesMixin, django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=OPEN_STATE_CHOICES, empty_label=_("Any open state")
    )
    district = django_filters.ChoiceFilter(
        label=_("District"), choices=[], empty_label=_("All districts")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department asked"),
        queryset=Department.objects.order_by("name"),
        method="filter_department",
        empty_label=_("Any department"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    due_soon = django_filters.BooleanFilter(
        label=_("Due within a week"), method="filter_due_soon", widget=forms.CheckboxInput
    )

    class Meta:
        model = Claim
        fields = ["state", "district", "department", "overdue", "due_soon"]

    def filter_department(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(pk__in=Claim.objects.filter(reviews__department=value).values("pk"))

    def filter_overdue(self, qs, name, value):
        return qs.filter(overdue=True) if value else qs

    def filter_due_soon(self, qs, name, value):
        return due_soon(qs) if value else qs
