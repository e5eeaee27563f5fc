from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.models import CivicGroup, User


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=150,
        required=False,
        help_text=_("Shown next to what you write. Leave empty to stay anonymous."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES, initial="en"
    )

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"].strip()
        user.preferred_language = self.cleaned_data["preferred_language"]
        user.save(update_fields=["display_name", "preferred_language"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "preferred_language", "notify_by_email"]
        help_texts = {
            "notify_by_email": _(
                "Email me when something I follow changes. In-app notifications are always kept."
            ),
        }


class ResidencyForm(forms.Form):
    document_id = forms.CharField(
        label=_("Identity document number"),
        max_length=40,
        help_text=_(
            "As printed on your identity card. It is never stored: only a keyed "
            "fingerprint is compared with the census."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return value


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account will be closed and my name removed from what "
            "I wrote. This cannot be undone."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class CivicGroupForm(forms.ModelForm):
    class Meta:
        model = CivicGroup
        fields = ["name", "kind", "description", "registration_number"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("A name is required."))
        if CivicGroup.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("A group with this name already exists."))
        return name


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    as_representative = forms.BooleanField(label=_("Invite as a representative"), required=False)


class CensusUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Census CSV"),
        help_text=_(
            "Columns: document_id, birth_date (YYYY-MM-DD), district. Other columns are ignored."
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return f
