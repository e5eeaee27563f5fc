import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.forms import DATETIME
from budgeting.live.models import Tablet, VotingSession
from budgeting.models import Process
from citizens.census import parse_birth_date
from citizens.rules import PERM_FACILITATE, users_with_permission


class SessionForm(forms.ModelForm):
    class Meta:
        model = VotingSession
        fields = [
            "process",
            "place_name",
            "address",
            "district",
            "starts_at",
            "ends_at",
            "facilitators",
        ]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = Process.objects.filter(
            state__in=[Process.State.DRAFT, Process.State.REVIEW, Process.State.VOTING]
        ).order_by("-created_at")
        self.fields["facilitators"].queryset = users_with_permission(PERM_FACILITATE).order_by(
            "display_name", "email"
        )
        self.fields["facilitators"].widget = forms.CheckboxSelectMultiple()
        self.fields["facilitators"].choices = [
            (u.pk, f"{u} ({u.email})") for u in self.fields["facilitators"].queryset
        ]
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if self.instance.pk:
            self.fields["process"].disabled = True

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        return data


class CheckinForm(forms.Form):
    document_id = forms.CharField(
        label=_("Document number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    birth_date = forms.CharField(
        label=_("Birth date"),
        max_length=20,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}),
        help_text=_("As on the document."),
    )
    tablet = forms.ChoiceField(
        label=_("Send the ballot to"),
        required=False,
        help_text=_("Pick an idle tablet, or give the voter a code to type on any tablet."),
    )

    def __init__(self, *args, tablets=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("A code to type on a tablet"))]
        for t in tablets:
            label = t["label"]
            if t["state"] != Tablet.State.IDLE:
                label = f"{label} ({Tablet.State(t['state']).label.lower()})"
            choices.append((str(t["id"]), label))
        self.fields["tablet"].choices = choices

    def clean_birth_date(self):
        try:
            return parse_birth_date(self.cleaned_data["birth_date"])
        except ValueError:
            raise forms.ValidationError(_("Enter the date as YYYY-MM-DD.")) from None


class ReissueForm(forms.Form):
    tablet = forms.IntegerField(required=False)


class ReconcileForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the counts do not match: explain the differences."),
    )
    confirm = forms.BooleanField(
        label=_("I have checked these counts and sign them off."), required=True
    )


class PairForm(forms.Form):
    code = forms.CharField(
        label=_("Pairing code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("Shown on the facilitator's screen, e.g. ABCD-EFGH."),
    )
    label = forms.CharField(
        label=_("Name of this tablet"),
        max_length=50,
        required=False,
        help_text=_("Optional, e.g. “Table by the door”."),
    )


class PaperBallotForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    district = forms.ChoiceField(label=_("District envelope"), required=False)

    def __init__(self, *args, districts=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if districts:
            self.fields["district"].choices = [("", "—")] + [(d, d) for d in districts]
            self.fields["district"].required = True
        else:
            del self.fields["district"]
