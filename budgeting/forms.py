from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.models import Process, Project
from core.forms import DateTimeField

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PROCESS_DATES = (
    "ideas_opens_at",
    "ideas_closes_at",
    "voting_opens_at",
    "voting_closes_at",
    "results_planned_at",
)


def district_choices(names, *, city_label=None) -> list[tuple[str, str]]:
    choices = [(n, n) for n in names]
    if city_label is not None:
        choices.insert(0, ("", city_label))
    return choices


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = [
            "title",
            "description",
            "budget",
            "currency",
            "ideas_opens_at",
            "ideas_closes_at",
            "voting_opens_at",
            "voting_closes_at",
            "results_planned_at",
            "min_age",
            "residency",
            "eligible_district",
            "ballot_rule",
            "approval_max",
            "knapsack_min_percent",
            "min_projects",
            "max_projects",
            "shuffle_projects",
            "allow_ballot_change",
            "result_rule",
            "mes_add1_variant",
            "mes_completion",
            "mes_comparison",
            "tie_breaking",
            "min_votes",
            "min_vote_share",
            "live_results",
            "cross_channel",
        ]
        widgets = {f: DATETIME for f in PROCESS_DATES}
        field_classes = {f: DateTimeField for f in PROCESS_DATES}

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligible_district"] = forms.ChoiceField(
            label=_("District of residence"),
            choices=district_choices(districts, city_label="—"),
            required=False,
            help_text=self.fields["eligible_district"].help_text,
        )
        for name in self.Meta.widgets:
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        for name in ("min_votes", "min_vote_share"):  # empty means no threshold
            self.fields[name].required = False

    def clean_min_votes(self):
        return self.cleaned_data.get("min_votes") or 0

    def clean_min_vote_share(self):
        return self.cleaned_data.get("min_vote_share") or 0


class EnvelopeForm(forms.Form):
    district = forms.CharField(label=_("District"), max_length=100, required=False)
    budget = forms.IntegerField(label=_("Budget"), min_value=1, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("district")) != bool(data.get("budget")):
            raise forms.ValidationError(_("Give both the district and its budget."))
        return data


EnvelopeFormSet = forms.formset_factory(EnvelopeForm, extra=2)


def envelopes_from(formset) -> list[tuple[str, int]]:
    return [
        (f.cleaned_data["district"].strip(), f.cleaned_data["budget"])
        for f in formset.forms
        if f.cleaned_data.get("district")
    ]


def public_claims():
    from django.contrib.auth.models import AnonymousUser

    from proposals.rules import claim_policy

    return claim_policy.queryset(AnonymousUser(), "list").order_by("-pk")


class IdeaForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "description",
            "district",
            "resource",
            "estimated_cost",
            "image",
            "image_alt",
        ]
        help_texts = {
            "description": _("What should be done, where, and for whom."),
            "image_alt": _("Describe the image for people who cannot see it."),
            "resource": _("Optional: the place or building of the resource registry."),
        }

    def __init__(self, *args, districts=(), city_wide=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = True
        self.fields["resource"].queryset = self.fields["resource"].queryset.order_by("name")
        self.fields["district"] = forms.ChoiceField(
            label=_("District"),
            choices=district_choices(
                districts, city_label=_("The whole city") if city_wide else None
            ),
            required=not city_wide,
        )

    def clean(self):
        data = super().clean()
        if data.get("image") and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        return data


class ProjectForm(IdeaForm):
    """Officers add or edit projects directly (e.g. from the city's own plans)."""

    class Meta(IdeaForm.Meta):
        fields = [
            "code",
            "title",
            "description",
            "district",
            "cost",
            "resource",
            "claim",
            "image",
            "image_alt",
        ]
        help_texts = IdeaForm.Meta.help_texts | {
            "claim": _("Optional: the commons claim this project grew from (public claims only)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = public_claims()
        self.fields["cost"].required = True
        self.fields["cost"].min_value = 1


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("feasible", _("Feasible")), ("not_feasible", _("Not feasible"))],
        widget=forms.RadioSelect,
    )
    cost = forms.IntegerField(
        label=_("Final cost"),
        min_value=1,
        required=False,
        help_text=_("Required when feasible: the amount the ballot will show."),
    )
    reason = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Required when not feasible; published with the project."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "feasible" and not data.get("cost"):
            self.add_error("cost", _("A feasible project needs its final cost."))
        if data.get("decision") == "not_feasible" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Explain why the project is not feasible."))
        return data


def _project_id(value) -> int:
    """An id the database can hold (a bigint); anything else is an invalid choice, not a 500."""
    number = int(value)
    if not 1 <= number < 2**63:
        raise ValueError(value)
    return number


class ProjectIdsField(forms.TypedMultipleChoiceField):
    """Checkboxes of project ids; which ids are acceptable is the ballot validator's call."""

    def valid_value(self, value):
        return True


class BallotForm(forms.Form):
    projects = ProjectIdsField(
        label=_("Projects"), coerce=_project_id, required=False, widget=forms.CheckboxSelectMultiple
    )
    key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    # Online ballots only (the kiosk has no person to tell): stored apart from the ballot by
    # implementation.services.subscriptions_record, at voting time.
    follow_progress = forms.BooleanField(
        label=_("Tell me how the projects I voted for progress"), required=False
    )

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [(p.pk, p.title) for p in projects]


class PhaseChangeForm(forms.Form):
    to = forms.ChoiceField(choices=Process.State.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Note for the record (optional)"), max_length=500, required=False
    )


class PabulibUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Pabulib file (.pb)"),
        help_text=_("A PB election in the Pabulib format: projects and anonymous ballots."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: taken from the file's description."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 200 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return f
