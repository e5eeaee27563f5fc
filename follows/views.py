"""Follow buttons, notification preferences, unsubscribe links and "My activity"."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import errors
from core.notify import KINDS
from core.views import confirm
from follows import activity as activity_selectors
from follows import services, tokens
from follows.forms import FollowForm, PreferencesForm
from follows.kinds import kind_label
from follows.preferences import frequencies_of, preference_set, preferences_save
from follows.registry import is_followable
from follows.rules import FOLLOWS


def _target(model_label: str, pk: int):
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not is_followable(model):
        raise Http404
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _next_url(request, obj) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else reverse("follows:list")


@require_POST
def follow_toggle(request, model_label: str, pk: int):
    """The follow button: a plain form POST (works without JavaScript)."""
    obj = _target(model_label, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(obj.get_absolute_url())
    form = FollowForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose to follow or to unfollow."))
    if form.cleaned_data["action"] == "follow":
        if not FOLLOWS.allows(request.user, "follow", obj):
            raise Http404  # what one may not see, one may not follow (nor learn it exists)
        services.follow(request.user, obj)
        messages.success(request, _("You follow this now."))
    else:
        if services.unfollow(request.user, obj):
            messages.success(request, _("You no longer follow this."))
    return redirect(_next_url(request, obj))


@login_required
def follow_list(request):
    follows = FOLLOWS.queryset(request.user, "view").select_related("content_type")
    page = Paginator(follows, 25).get_page(request.GET.get("page"))
    activity_selectors.attach_targets(page.object_list)
    return render(request, "follows/follow_list.html", {"page": page})


@login_required
def preferences(request):
    user = request.user
    form = PreferencesForm(request.POST or None, initial_frequencies=frequencies_of(user))
    if request.method == "POST" and form.is_valid():
        try:
            preferences_save(user=user, frequencies=form.cleaned_data)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Your notification preferences were saved."))
            return redirect("follows:preferences")
    return render(
        request,
        "follows/preferences.html",
        {"form": form},
        status=errors.form_status(form),
    )


@csrf_exempt  # the signed token is the credential; mail clients POST without a session
def unsubscribe(request, token: str):
    """GET asks (link scanners only GET), POST applies: the page's button, or a mail
    client's one-click `List-Unsubscribe-Post` (RFC 8058). No login needed."""
    try:
        user_id, kind = tokens.read_token(token)
    except signing.SignatureExpired:
        return _unsubscribe_refused(request, _("This unsubscribe link has expired."))
    except signing.BadSignature:
        return _unsubscribe_refused(request, _("This unsubscribe link is not valid."))
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or (kind != tokens.ALL and kind not in KINDS):
        return _unsubscribe_refused(request, _("This unsubscribe link is not valid."))
    what = (
        _("all notification emails")
        if kind == tokens.ALL
        else _("emails about: %(kind)s") % {"kind": kind_label(kind)}
    )
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and (one_click or request.POST.get("confirm") == "1"):
        if kind == tokens.ALL:
            get_user_model().objects.filter(pk=user.pk).update(notify_by_email=False)
        else:
            preference_set(user=user, kind=kind, frequency="off")
        return render(request, "follows/unsubscribed.html", {"what": what, "email": user.email})
    return confirm(
        request,
        title=_("Unsubscribe"),
        summary=_("Stop %(what)s to %(email)s?") % {"what": what, "email": user.email},
        question=_(
            "You will still see every notification on the site. You can turn emails on "
            "again in your notification preferences."
        ),
        button=_("Unsubscribe"),
        cancel_url="/",
        cancel_label=_("Keep receiving them"),
    )


def _unsubscribe_refused(request, reason: str):
    return confirm(
        request,
        title=_("Unsubscribe"),
        button=_("Unsubscribe"),
        cancel_url=reverse("follows:preferences"),
        cancel_label=_("Log in and change your notification preferences"),
        refusal=reason,
        status=400,
    )


@login_required
def activity(request):
    return render(request, "follows/activity.html", activity_selectors.activity_of(request.user))
