from django import forms
from django.utils.translation import gettext_lazy as _

from search.registry import installed_types
from search.services import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    type = forms.ChoiceField(label=_("Type"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("Everything"))] + [
            (t.key, t.label) for t in installed_types()
        ]
        self.fields["district"].choices = [("", _("Every district"))] + [(d, d) for d in districts]

    def clean_q(self):
        value = self.cleaned_data["q"]
        if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
            raise forms.ValidationError(_("The search text contains characters it cannot hold."))
        return " ".join(value.split())
