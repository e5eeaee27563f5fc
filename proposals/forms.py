from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.models import CivicGroup, Department
from proposals.attachments import check_upload, max_attachment_bytes
from proposals.models import Claim, ReviewRequest, UrbanResource

TEXTAREA = {"rows": 4}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content, not by name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        for upload in files:
            check_upload(upload)
        return files


def attachments_field(label=None) -> MultipleFileField:
    from django.template.defaultfilters import filesizeformat

    return MultipleFileField(
        label=label or _("Photos and documents"),
        required=False,
        help_text=_("JPEG, PNG or WebP photos and PDF documents, up to %(size)s each.")
        % {"size": filesizeformat(max_attachment_bytes())},
    )


class ClaimForm(forms.ModelForm):
    """The claim's content. `group` lets a representative propose for a civic group."""

    group = forms.ModelChoiceField(
        label=_("Proposed by"),
        queryset=CivicGroup.objects.none(),
        required=False,
        empty_label=_("Myself"),
        help_text=_("Groups you represent can propose too."),
    )

    class Meta:
        model = Claim
        fields = [
            "title",
            "summary",
            "resource",
            "location_address",
            "district",
            "location_latitude",
            "location_longitude",
            "motivation",
            "objectives",
            "activities",
            "schedule",
            "intensity",
            "field",
            "resources_offered",
            "support_requested",
            "requested_duration_months",
            "track",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 600}),
            "motivation": forms.Textarea(attrs=TEXTAREA),
            "objectives": forms.Textarea(attrs=TEXTAREA),
            "activities": forms.Textarea(attrs=TEXTAREA),
            "schedule": forms.Textarea(attrs=TEXTAREA),
            "resources_offered": forms.Textarea(attrs=TEXTAREA),
            "support_requested": forms.Textarea(attrs=TEXTAREA),
            "district": forms.TextInput(attrs={"list": "district-options"}),
        }
        labels = {"district": _("District of the new location")}
        help_texts = {
            "summary": _("Two or three sentences shown in lists."),
            "resource": _("The place or service you want to take care of, from the registry."),
            "location_address": _("Only if the place is not in the registry: where is it?"),
            "location_latitude": _("Optional. Click the map to fill it in."),
            "activities": _("What you will do, and how often."),
            "schedule": _("When: start, phases, seasons, opening hours."),
            "resources_offered": _("Time, skills, tools, money you bring."),
            "support_requested": _("Use of spaces, materials, utilities, training…"),
            "track": _(
                "Ordinary: small-scale care, decided by a department. Complex: valuable assets "
                "or long management, decided by the city's executive."
            ),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = UrbanResource.objects.order_by("name")
        self.fields["resource"].required = False
        self.fields["resource"].empty_label = _("— A new location, described below —")
        self.fields["district"].required = False
        for name in (
            "title",
            "summary",
            "motivation",
            "objectives",
            "activities",
            "schedule",
            "resources_offered",
        ):
            self.fields[name].required = True
            self.fields[name].strip = True
        if self.instance.pk:
            del self.fields["group"]
        elif user is not None:
            self.fields["group"].queryset = CivicGroup.objects.filter(
                memberships__user=user, memberships__is_representative=True
            ).order_by("name")
            if not self.fields["group"].queryset.exists():
                del self.fields["group"]

    def clean(self):
        data = super().clean()
        if data.get("resource") is None:
            if not data.get("location_address"):
                self.add_error(
                    "resource",
                    _("Choose a resource from the registry, or describe a new location below."),
                )
            if not data.get("district"):
                self.add_error("district", _("Tell us the district of the new location."))
        return data

    FIELDSETS = [
        (_("Your proposal"), ["group", "title", "summary", "motivation", "objectives"]),
        (
            _("Where"),
            ["resource", "location_address", "district", "location_latitude", "location_longitude"],
        ),
        (
            _("What you will do"),
            [
                "activities",
                "schedule",
                "intensity",
                "field",
                "resources_offered",
                "support_requested",
            ],
        ),
        (_("Duration and track"), ["requested_duration_months", "track"]),
        (_("Attachments"), ["attachments"]),
    ]

    def fieldsets(self):
        """(legend, key, bound fields) in reading order, skipping fields this form lacks."""
        keys = ["proposal", "where", "what", "duration", "attachments"]
        return [
            (legend, key, [self[name] for name in names if name in self.fields])
            for key, (legend, names) in zip(keys, self.FIELDSETS, strict=True)
            if any(name in self.fields for name in names)
        ]

    def claim_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("group", "attachments")}


class ClaimCreateForm(ClaimForm):
    attachments = attachments_field()


class AttachmentForm(forms.Form):
    attachments = attachments_field()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, label=None, help_text=None, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        if help_text:
            self.fields["reason"].help_text = help_text
        self.fields["reason"].required = required


class DocumentsForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the city"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("What you changed or what the files are."),
    )
    attachments = attachments_field(_("Documents"))

    def clean(self):
        data = super().clean()
        if not (data.get("note") or "").strip() and not data.get("attachments"):
            raise forms.ValidationError(_("Add a note or at least one file."))
        return data


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you object?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("An objection is a formal statement the city weighs in its decision."),
    )


class CoauthorForm(forms.Form):
    email = forms.EmailField(
        label=_("Co-author's email"),
        help_text=_(
            "They need an account with a verified residency; they accept from their notifications."
        ),
    )


class ScreenForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        widget=forms.RadioSelect,
        choices=[
            ("admissible", _("Admissible: open the public consultation")),
            ("needs_documents", _("Needs documents or changes")),
            ("inadmissible", _("Inadmissible: reject")),
        ],
    )
    track = forms.ChoiceField(label=_("Track"), choices=Claim.Track.choices)
    reason = forms.CharField(
        label=_("Reasons / what is needed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Required when asking for documents or declaring the claim inadmissible."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("outcome") in ("needs_documents", "inadmissible")
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Write the reasons or what is needed."))
        return data


class ReviewRequestForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    due_date = forms.DateField(
        label=_("Answer by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the configured time."),
    )
    message = forms.CharField(
        label=_("What do you ask?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def clean_due_date(self):
        value = self.cleaned_data.get("due_date")
        if value and value <= timezone.localdate():
            raise forms.ValidationError(_("The due date must be in the future."))
        return value


class ReviewAnswerForm(forms.Form):
    opinion = forms.ChoiceField(
        label=_("Opinion"), widget=forms.RadioSelect, choices=ReviewRequest.Opinion.choices
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Required for a favourable opinion with conditions."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    def __init__(self, *args, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = list(checklist)
        for item in self.checklist:
            self.fields[f"check_{item.key}"] = forms.ChoiceField(
                label=item.display_label,
                choices=[("", "—"), *ReviewRequest.Check.choices],
            )
            self.fields[f"note_{item.key}"] = forms.CharField(
                label=_("Note on %(item)s") % {"item": item.display_label},
                required=False,
                max_length=500,
            )

    def clean(self):
        data = super().clean()
        if (
            data.get("opinion") == ReviewRequest.Opinion.CONDITIONS
            and not (data.get("conditions") or "").strip()
        ):
            self.add_error("conditions", _("Write the conditions."))
        return data

    def checklist_values(self) -> tuple[dict, dict]:
        values = {i.key: self.cleaned_data.get(f"check_{i.key}") for i in self.checklist}
        notes = {i.key: self.cleaned_data.get(f"note_{i.key}", "") for i in self.checklist}
        return values, notes

    def checklist_rows(self):
        return [(self[f"check_{i.key}"], self[f"note_{i.key}"]) for i in self.checklist]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text=_("Published on the claim's page."),
    )
    opinion_answer = forms.CharField(
        label=_("Answer to the Assembly's opinion"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        help_text=_(
            "Say how the decision takes the formal opinion into account. Published next to it."
        ),
        error_messages={
            "required": _(
                "The Assembly of the Commons gave a formal opinion on this claim: "
                "answer it before deciding."
            )
        },
    )

    def __init__(self, *args, opinions=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not opinions:
            del self.fields["opinion_answer"]


class ResourceForm(forms.ModelForm):
    class Meta:
        model = UrbanResource
        fields = [
            "name",
            "kind",
            "description",
            "address",
            "district",
            "latitude",
            "longitude",
            "owner",
        ]
        widgets = {
            "description": forms.Textarea(attrs=TEXTAREA),
            "district": forms.TextInput(attrs={"list": "district-options"}),
        }

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data
