"""Officers' forms: errors are shown next to the field they concern."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.models import Department


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        help_text=_("From 0 to 100."),
    )
    notes = forms.CharField(
        label=_("Notes for the public"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=6
    )

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None) and not self.errors:
            self.add_error(
                "longitude" if lon is None else "latitude",
                _("Give both the latitude and the longitude, or neither."),
            )
        return data


class DepartmentForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.all(), required=False
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    done = forms.BooleanField(label=_("Already reached"), required=False)
    photo = forms.ImageField(
        label=_("Photo"), required=False, help_text=_("JPEG, PNG or WebP. Optional.")
    )
    alt_text = forms.CharField(
        label=_("Description of the photo"),
        max_length=300,
        required=False,
        help_text=_("What the photo shows, for people who cannot see it. Required with a photo."),
    )

    def clean(self):
        data = super().clean()
        if data.get("photo") and not (data.get("alt_text") or "").strip():
            self.add_error("alt_text", _("Describe what the photo shows."))
        return data


class PhotoForm(forms.Form):
    photo = forms.ImageField(label=_("Photo"), help_text=_("JPEG, PNG or WebP."))
    alt_text = forms.CharField(
        label=_("Description of the photo"),
        max_length=300,
        help_text=_("What the photo shows, for people who cannot see it."),
    )


class ExpenseForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2
    )
    spent_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_spent_on(self):
        day = self.cleaned_data["spent_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An expense cannot be dated in the future."))
        return day


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasons for the cancellation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public timeline."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that a cancelled implementation cannot be resumed."),
    )
