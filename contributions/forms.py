from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
SHOW_NAME = _("Show my name on the public pages and in the open data")


class HoursForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0.1, max_value=24, max_digits=4, decimal_places=1
    )
    description = forms.CharField(label=_("What you did"), max_length=300)
    show_name_publicly = forms.BooleanField(label=SHOW_NAME, required=False)


class GoodsForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(label=_("What you gave"), max_length=300)
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, min_value=0.01, max_digits=12, decimal_places=2
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=40)
    value = forms.DecimalField(
        label=_("Estimated value (EUR)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    show_name_publicly = forms.BooleanField(label=SHOW_NAME, required=False)


class SupportForm(forms.Form):
    support_item = forms.ModelChoiceField(label=_("Support item"), queryset=None)
    on = forms.DateField(label=_("Delivered on"), widget=DATE)
    value = forms.DecimalField(
        label=_("Value (EUR)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Leave empty to use the value written in the accord."),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_item"].queryset = items


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2_000
    )


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5_000,
    )


class ShiftForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("From"), widget=TIME)
    end_time = forms.TimeField(label=_("To"), widget=TIME)
    place = forms.CharField(label=_("Place"), max_length=300)
    slots = forms.IntegerField(label=_("Places for volunteers"), min_value=1, max_value=1000)
    bring = forms.CharField(label=_("What to bring"), required=False, max_length=500)


class SignupForm(forms.Form):
    show_name_publicly = forms.BooleanField(label=SHOW_NAME, required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The volunteer's code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class CheckOutForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours"),
        required=False,
        min_value=0.1,
        max_value=24,
        max_digits=4,
        decimal_places=1,
        help_text=_("Leave empty for the length of the shift."),
    )


class NumbersFilter(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    district = forms.ChoiceField(label=_("District"), required=False)
    resource = forms.ChoiceField(label=_("Kind of resource"), required=False)

    def __init__(self, *args, years=(), districts=(), kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["year"].choices = everything + [(y, str(y)) for y in years]
        self.fields["district"].choices = everything + [(d, d) for d in districts]
        self.fields["resource"].choices = everything + list(kinds)
