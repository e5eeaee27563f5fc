from django import forms
from django.utils.translation import gettext_lazy as _

from comments.services import max_length, text_error


class _TextForm(forms.Form):
    """One text field whose limits are the service's (the box's `maxlength` can be bypassed,
    and the service says the same): on an error the typed text stays in the box."""

    field_name = "body"
    empty_message = _("Write a comment first.")

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields[self.field_name]
        field.widget.attrs["maxlength"] = str(max_length())
        field.error_messages["required"] = self.empty_message
        if label:
            field.label = label
        if help_text:
            field.help_text = help_text

    def _clean_text(self):
        value = self.cleaned_data[self.field_name]
        error = text_error(value, empty_message=str(self.empty_message))
        if error is not None:
            raise error
        return value


class CommentForm(_TextForm):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mention a participant with @ and their name, e.g. @anna-rossi."),
    )

    def clean_body(self):
        return self._clean_text()


class ReasonForm(_TextForm):
    field_name = "reason"
    empty_message = _("Give a reason.")
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_reason(self):
        return self._clean_text()
