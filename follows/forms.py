from django import forms
from django.utils.translation import gettext_lazy as _

from core.notify import KINDS
from follows.kinds import KIND_LABELS
from follows.models import Frequency


class PreferencesForm(forms.Form):
    """One choice per kind of event: immediately, daily digest, weekly digest, off."""

    def __init__(self, *args, initial_frequencies: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in KINDS:
            self.fields[kind] = forms.ChoiceField(
                label=KIND_LABELS[kind],
                choices=Frequency.choices,
                initial=initial_frequencies.get(kind, Frequency.IMMEDIATE),
                widget=forms.RadioSelect,
            )


class FollowForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("follow", _("Follow")), ("unfollow", _("Unfollow"))],
        error_messages={"invalid_choice": _("Choose to follow or to unfollow.")},
    )
