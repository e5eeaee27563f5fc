from django import forms
from django.utils.translation import gettext_lazy as _

from assemblies.records.models import Decision
from assemblies.records.rules import claims_in_consultation_q
from proposals.models import Claim

TEXTAREA = {"rows": 12}


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 18}),
        max_length=100_000,
        help_text=_("Each save keeps a new version; the newest one is published."),
    )
    note = forms.CharField(label=_("What changed (optional)"), max_length=300, required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Decision.Outcome.choices)
    agenda_item = forms.ModelChoiceField(
        label=_("Agenda item"), queryset=None, required=False, empty_label=_("(none)")
    )
    votes_summary = forms.CharField(
        label=_("Votes"),
        max_length=500,
        required=False,
        help_text=_("For example: 14 yes, 3 no, 2 abstentions."),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()


class OpinionForm(forms.Form):
    claim = forms.ModelChoiceField(
        label=_("Claim in public consultation"), queryset=Claim.objects.none()
    )
    text = forms.CharField(
        label=_("Text of the opinion"), widget=forms.Textarea(attrs=TEXTAREA), max_length=20_000
    )

    def __init__(self, *args, with_claim=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_claim:
            self.fields["claim"].queryset = Claim.objects.filter(
                claims_in_consultation_q()
            ).order_by("title", "id")
        else:
            del self.fields["claim"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
