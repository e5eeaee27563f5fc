"""Every email the site sends: rendered from templates in the site's voice and the recipient's
language, with a plain-text and an HTML part, and sent by a background task with retries.

- `email_render(template, context, to=, language=)`: `templates/email/<template>_subject.txt`,
  `<template>.txt` and `<template>.html`, with the site's name and address in the context.
- `email_enqueue(...)`: render now, send after commit through `email_send`.
- `AccountAdapter`: allauth's emails (sign-up confirmation, password reset, ...) go the same
  way; their text comes from `templates/account/email/`, their HTML part from `email/account.html`.
"""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from core.tasks import background, enqueue_on_commit


def site_context() -> dict[str, str]:
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "site_domain": settings.SITE_DOMAIN,
    }


def email_render(
    template: str, context: dict[str, Any], *, to: list[str], language: str | None = None
) -> EmailMultiAlternatives:
    """The message for `template`, rendered in `language` (default: the site's)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        full = {**site_context(), **context}
        subject = " ".join(render_to_string(f"email/{template}_subject.txt", full).split())
        text = render_to_string(f"email/{template}.txt", full)
        html = render_to_string(f"email/{template}.html", full)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    return message


def _as_kwargs(message: EmailMessage) -> dict[str, Any]:
    """A rendered message as the JSON arguments of `email_send`."""
    html = next(
        (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
    )
    return {
        "subject": message.subject,
        "body": message.body,
        "html": html,
        "to": list(message.to),
        "from_email": message.from_email,
        "headers": dict(message.extra_headers),
    }


@background
def email_send(
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str = "",
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Send one rendered message; an SMTP error raises, so the worker tries again later."""
    message = EmailMultiAlternatives(
        subject, body, from_email or settings.DEFAULT_FROM_EMAIL, to, headers=headers or {}
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)
    return {"to": to}


def email_enqueue(
    template: str, context: dict[str, Any], *, to: list[str], language: str | None = None
) -> None:
    """Render `template` now (in `language`) and send it once the transaction commits."""
    message = email_render(template, context, to=to, language=language)
    enqueue_on_commit(email_send, **_as_kwargs(message))


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails: in the recipient's language, with an HTML part, sent by the queue."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        user = context.get("user")
        language = getattr(user, "preferred_language", "") or translation.get_language()
        with translation.override(language):
            # The settings speak for the site, whatever the Sites row says.
            context = {"email": email, **context, **site_context(), "current_site": _Site()}
            message = self.render_mail(template_prefix, email, context)
            if not getattr(message, "alternatives", None):
                # The HTML part has its own footer: keep the text above the signature line.
                text = message.body.split("\n-- \n")[0].strip()
                html = render_to_string("email/account.html", {**context, "text": text})
                message = _with_html(message, html)
        # allauth sends outside any transaction of ours, and expects the message to be on its
        # way when this returns: enqueue now (on the database backend, the row is the queue).
        email_send.enqueue(**_as_kwargs(message))

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.SITE_NAME}] {subject}"


class _Site:
    """The site as allauth's templates expect it (`current_site.name`, `.domain`)."""

    name = property(lambda self: settings.SITE_NAME)
    domain = property(lambda self: settings.SITE_DOMAIN)


def _with_html(message: EmailMessage, html: str) -> EmailMultiAlternatives:
    multi = EmailMultiAlternatives(
        message.subject, message.body, message.from_email, message.to, headers=message.extra_headers
    )
    multi.attach_alternative(html, "text/html")
    return multi
