"""Forms of the accords screens. Validation that matters lives in the services; forms parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accords.models import (
    AccordState,
    AccordVersion,
    DisputeOutcome,
    SupportItem,
    SupportKind,
)
from accords.models.versions import CONTENT_TEXT_FIELDS
from accords.rules import PUBLIC
from accords.services import SupportItemDraft, VersionDraft
from accords.uploads import max_photos_per_report

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(rows=4):
    return forms.Textarea(attrs={"rows": rows})


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    kind = forms.ChoiceField(label=_("Kind of resource"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, facets: dict, kind_labels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["q"].widget.attrs.update(type="search")
        self.fields["state"].choices = anything + [
            (s.value, s.label) for s in AccordState if s in PUBLIC
        ]
        self.fields["district"].choices = anything + [(d, d) for d in facets["districts"]]
        self.fields["kind"].choices = anything + [
            (k, kind_labels.get(k, k)) for k in facets["kinds"]
        ]
        self.fields["year"].choices = anything + [(y, y) for y in facets["years"]]


class StartForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("City department party to the accord"), queryset=None, empty_label=None
    )
    start_date = forms.DateField(
        label=_("Proposed start date"),
        widget=DATE,
        help_text=_("The end date is prefilled from the requested duration, within the maximum."),
    )

    def __init__(self, *args, **kwargs):
        from citizens.models import Department

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()


class VersionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    objectives = forms.CharField(label=_("Objectives"), widget=_textarea())
    actions = forms.CharField(label=_("Actions"), widget=_textarea(6))
    city_commitments = forms.CharField(label=_("The city's commitments"), widget=_textarea())
    civic_commitments = forms.CharField(
        label=_("The civic actors' commitments"), widget=_textarea()
    )
    collective_use_rules = forms.CharField(
        label=_("Rules for collective use"), widget=_textarea(3), required=False
    )
    monitoring_plan = forms.CharField(label=_("Monitoring plan"), widget=_textarea(3))
    insurance = forms.CharField(label=_("Insurance"), widget=_textarea(3), required=False)
    suspension_causes = forms.CharField(label=_("Causes of suspension"), widget=_textarea(3))
    termination_causes = forms.CharField(label=_("Causes of termination"), widget=_textarea(3))
    end_arrangements = forms.CharField(label=_("Arrangements at the end"), widget=_textarea(3))
    dispute_clause = forms.CharField(label=_("Dispute resolution"), widget=_textarea(3))
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("A short note for the other side, e.g. “Added the tool loan”."),
    )

    @classmethod
    def initial_from(cls, version: AccordVersion) -> dict:
        initial = {name: getattr(version, name) for name in CONTENT_TEXT_FIELDS}
        initial.update(start_date=version.start_date, end_date=version.end_date)
        return initial


class SupportItemForm(forms.Form):
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Type of support"), choices=[("", "—"), *SupportKind.choices], required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=12, decimal_places=2, required=False, min_value=0.01
    )
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    value = forms.DecimalField(
        label=_("Value (EUR)"),
        max_digits=12,
        decimal_places=2,
        required=False,
        min_value=0,
        help_text=_("For reimbursements: the maximum amount."),
    )

    def clean(self):
        data = super().clean()
        filled = data.get("description") or data.get("quantity") or data.get("value")
        if filled and not data.get("kind"):
            self.add_error("kind", _("Choose the type of support."))
        if data.get("kind") and not data.get("description"):
            self.add_error("description", _("Describe the support."))
        return data

    def draft(self) -> SupportItemDraft | None:
        data = self.cleaned_data
        if not data or not data.get("kind") or data.get("DELETE"):
            return None
        return SupportItemDraft(
            kind=data["kind"],
            description=data["description"],
            quantity=data.get("quantity"),
            unit=data.get("unit") or "",
            value=data.get("value"),
            key=data.get("key"),
        )


MAX_SUPPORT_ITEMS = 50
SupportItemFormSet = forms.formset_factory(
    SupportItemForm, extra=2, can_delete=True, max_num=MAX_SUPPORT_ITEMS, validate_max=True
)
# The name of the "Add another row" submit button (the no-JavaScript way to get one more row).
ADD_ROW = "add_support_row"


def support_row_added(data) -> tuple[VersionForm, forms.BaseFormSet]:
    """The edit form as posted, unvalidated, with one more empty support row."""
    posted = SupportItemFormSet(data, prefix="support")
    rows = [
        {name: f[name].value() for name in f.fields if name != "DELETE"}
        for f in posted.forms
        if not f["DELETE"].value()
    ]
    extra = 1 if len(rows) < MAX_SUPPORT_ITEMS else 0
    formset_class = forms.formset_factory(
        SupportItemForm,
        extra=extra,
        can_delete=True,
        max_num=MAX_SUPPORT_ITEMS,
        validate_max=True,
    )
    form = VersionForm(initial={name: data.get(name) for name in VersionForm.base_fields})
    return form, formset_class(initial=rows, prefix="support")


def support_initial(version: AccordVersion) -> list[dict]:
    return [
        {
            "key": i.key,
            "kind": i.kind,
            "description": i.description,
            "quantity": i.quantity,
            "unit": i.unit,
            "value": i.value,
        }
        for i in version.support_items.all()
    ]


def draft_from(form: VersionForm, formset) -> VersionDraft:
    data = form.cleaned_data
    items = [d for d in (f.draft() for f in formset.forms) if d is not None]
    return VersionDraft(
        **{name: data[name] for name in CONTENT_TEXT_FIELDS},
        start_date=data["start_date"],
        end_date=data["end_date"],
        support_items=items,
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=4000, widget=_textarea(3))


class SignForm(forms.Form):
    credential = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(label=_("I have read the agreed text and sign it."), required=True)

    def __init__(self, *args, totp: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if totp:
            self.fields["credential"].label = _("Code from your authenticator app")
            self.fields["credential"].widget = forms.TextInput(
                attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
            )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reasons"), max_length=5000, widget=_textarea(4))
    confirm = forms.BooleanField(
        label=_("I understand the parties will be told, and the reasons published."),
        required=True,
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=5000, widget=_textarea(3), required=False)


class NewTermForm(forms.Form):
    end_date = forms.DateField(label=_("New end date"), widget=DATE)
    note = forms.CharField(label=_("Why"), max_length=300, required=False)


class SupportUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=SupportItem.Status.choices, widget=forms.HiddenInput)
    on = forms.DateField(label=_("On"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=DATE)
    period_end = forms.DateField(label=_("To"), widget=DATE)
    activities = forms.CharField(
        label=_("Activities carried out"), widget=_textarea(6), max_length=10_000
    )
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=10_000_000)
    resources_used = forms.CharField(
        label=_("Resources used"), widget=_textarea(3), required=False, max_length=5_000
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to %(n)s photos. Location data is removed.")
        % {"n": max_photos_per_report()},
    )


class DisputeForm(forms.Form):
    description = forms.CharField(
        label=_("What is the dispute about?"), widget=_textarea(5), max_length=10_000
    )


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name and role"), max_length=200)


class SettlementForm(forms.Form):
    settlement = forms.CharField(
        label=_("Settlement proposed by the committee"), widget=_textarea(5), max_length=10_000
    )


class DisputeCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DisputeOutcome.choices)
    text = forms.CharField(label=_("Explanation"), widget=_textarea(4), max_length=10_000)
