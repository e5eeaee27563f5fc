from django import forms
from django.utils.translation import gettext_lazy as _

from assemblies.motions.models import MotionKind


class MotionForm(forms.Form):
    opinion = forms.TypedChoiceField(
        label=_("Formal opinion put to the vote"), coerce=int, required=False, empty_value=None
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("For a formal opinion it can stay empty: “Adopt the opinion on …”."),
    )
    text = forms.CharField(
        label=_("Text of the motion"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    kind = forms.ChoiceField(label=_("Kind of vote"), choices=MotionKind.choices)
    options = forms.CharField(
        label=_("Options (one a line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Only for a vote between options."),
    )
    secret = forms.BooleanField(label=_("Secret vote"), required=False)
    agenda_item = forms.TypedChoiceField(
        label=_("Agenda item"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, meeting=None, **kwargs):
        from assemblies.records.selectors import opinions_to_vote

        super().__init__(*args, **kwargs)
        items = list(meeting.agenda_items.all()) if meeting is not None else []
        self.fields["agenda_item"].choices = [("", _("None"))] + [(i.pk, str(i)) for i in items]
        self._items = {i.pk: i for i in items}
        # Only the drafts of this meeting's assembly that can be voted on now.
        opinions = list(opinions_to_vote(meeting)) if meeting is not None else []
        self._opinions = {o.pk: o for o in opinions}
        field = self.fields["opinion"]
        field.choices = [("", _("None: an ordinary motion"))] + [
            (o.pk, _("Opinion on “%(claim)s”") % {"claim": o.claim.title}) for o in opinions
        ]
        field.help_text = (
            _(
                "Carried, the motion adopts the opinion: it goes on the claim's page and the "
                "city's decision must answer it. The motion's text is the opinion's text."
            )
            if opinions
            else _(
                "No draft opinion of this assembly waits for a vote (a coordinator drafts one "
                "on a claim in public consultation)."
            )
        )

    def clean_agenda_item(self):
        value = self.cleaned_data.get("agenda_item")
        return self._items.get(value) if value else None

    def clean_opinion(self):
        value = self.cleaned_data.get("opinion")
        return self._opinions.get(value) if value else None

    def clean(self):
        data = super().clean()
        opinion = data.get("opinion")
        if opinion is None:
            if not data.get("title") and "title" not in self.errors:
                self.add_error("title", _("Give the motion a title."))
            return data
        if data.get("kind") == MotionKind.OPTIONS:
            self.add_error(
                "kind",
                _(
                    "An opinion is adopted by a yes / no / abstain vote or by consent, not by "
                    "a choice between options."
                ),
            )
        if data.get("text"):
            self.add_error(
                "text",
                _(
                    "The text of a motion on an opinion is the opinion's text: leave this "
                    "empty, or edit the opinion."
                ),
            )
        return data

    def clean_options(self):
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class MemberForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Member"), coerce=int)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(u.pk, str(u)) for u in members]
        self._members = {u.pk: u for u in members}

    def clean_member(self):
        return self._members[self.cleaned_data["member"]]


class TokenForm(MemberForm):
    motion = forms.TypedChoiceField(label=_("Motion"), coerce=int)
    tablet = forms.TypedChoiceField(label=_("Tablet"), coerce=int)

    def __init__(self, *args, motions=(), tablets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motion"].choices = [(m.pk, str(m)) for m in motions]
        self.fields["tablet"].choices = [(t.pk, str(t)) for t in tablets]
        self._motions = {m.pk: m for m in motions}
        self._tablets = {t.pk: t for t in tablets}

    def clean_motion(self):
        return self._motions[self.cleaned_data["motion"]]

    def clean_tablet(self):
        return self._tablets[self.cleaned_data["tablet"]]


class VoteForm(forms.Form):
    choice = forms.CharField(label=_("Your vote"), max_length=20)
    option = forms.IntegerField(required=False, min_value=1)
    reason = forms.CharField(
        label=_("Reason for your objection"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    token = forms.CharField(required=False, max_length=64)

    def clean(self):
        data = super().clean()
        choice = data.get("choice") or ""
        # Options are posted as "option:<id>" by the radio buttons.
        if choice.startswith("option:"):
            try:
                data["option"] = int(choice.split(":", 1)[1])
            except ValueError:
                raise forms.ValidationError(_("Choose one of the options.")) from None
            data["choice"] = "option"
        return data


class OverruleForm(forms.Form):
    reason = forms.CharField(
        label=_("Rule applied"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("State the rule of the charter by which the objection is overruled."),
    )


class PairForm(forms.Form):
    code = forms.CharField(label=_("Pairing code"), max_length=20)
    label = forms.CharField(label=_("Name of this tablet"), max_length=50, required=False)
