from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assemblies.models import (
    AssemblyKind,
    CharterVersion,
    Majority,
    MeetingKind,
    MembershipPolicy,
    Role,
)
from assemblies.services import AgendaLine
from core.forms import DateTimeField

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AssemblyCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (AssemblyKind.THEMATIC, AssemblyKind.THEMATIC.label),
            (AssemblyKind.DISTRICT, AssemblyKind.DISTRICT.label),
        ],
    )
    district = forms.CharField(
        label=_("District"), max_length=100, required=False, help_text=_("For district assemblies.")
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    membership_policy = forms.ChoiceField(
        label=_("Membership"), choices=MembershipPolicy.choices, initial=MembershipPolicy.OPEN
    )
    charter_text = forms.CharField(label=_("Charter"), widget=forms.Textarea)
    quorum_percent = forms.IntegerField(
        label=_("Quorum (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=CharterVersion._meta.get_field("quorum_percent").help_text,
    )
    majority = forms.ChoiceField(label=_("Majority"), choices=Majority.choices)
    consent_rule = forms.CharField(
        label=_("Rule to overrule an objection"), widget=forms.Textarea, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == AssemblyKind.DISTRICT and not (data.get("district") or "").strip():
            self.add_error("district", _("Name the district."))
        return data


class AssemblyEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    membership_policy = forms.ChoiceField(label=_("Membership"), choices=MembershipPolicy.choices)


class CharterForm(forms.Form):
    text = forms.CharField(label=_("Text of the charter"), widget=forms.Textarea)
    quorum_percent = forms.IntegerField(
        label=_("Quorum (%)"),
        min_value=0,
        max_value=100,
        help_text=CharterVersion._meta.get_field("quorum_percent").help_text,
    )
    majority = forms.ChoiceField(label=_("Majority"), choices=Majority.choices)
    consent_rule = forms.CharField(
        label=_("Rule to overrule an objection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=CharterVersion._meta.get_field("consent_rule").help_text,
    )
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the coordinators (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (told to the person)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, office document, text, CSV or image; up to 20 MB.")
    )


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    starts_at = DateTimeField(label=_("Starts at"), widget=DATETIME_INPUT)
    ends_at = DateTimeField(label=_("Ends at"), widget=DATETIME_INPUT)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
    )
    online_url = forms.URLField(
        label=_("Online meeting link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Shown to registered people only."),
    )
    capacity = forms.IntegerField(
        label=_("Seats"), min_value=1, required=False, help_text=_("Leave empty for no limit.")
    )
    chair = forms.ModelChoiceField(
        label=_("Chair"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("The assembly's coordinators may always chair."),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("One item per line; details after a colon (“Budget: the 2027 proposals”)."),
    )

    def __init__(self, *args, assembly, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = (
            get_user_model()
            .objects.filter(
                assembly_memberships__assembly=assembly, assembly_memberships__state="active"
            )
            .distinct()
            .order_by("display_name", "email")
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return data

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if value and not self.initial.get("starts_at") and value < timezone.now():
            raise forms.ValidationError(_("A new meeting cannot start in the past."))
        return value

    def agenda_lines(self) -> list[AgendaLine]:
        lines = []
        for raw in (self.cleaned_data.get("agenda") or "").splitlines():
            raw = raw.strip()
            if not raw:
                continue
            title, _sep, body = raw.partition(":")
            lines.append(AgendaLine(title.strip()[:200], body.strip()))
        return lines

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("agenda", None)
        return data


def agenda_text(meeting) -> str:
    return "\n".join(
        f"{item.title}: {item.body}" if item.body else item.title
        for item in meeting.agenda_items.all()
    )


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Registration code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class AdherenceForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Civic group"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from citizens.models import CivicGroup

        self.fields["group"].queryset = CivicGroup.objects.filter(
            memberships__user=user, memberships__is_representative=True
        ).distinct()
