"""Pages of the contribution log, the volunteer shifts, "Commons in numbers" and the open data.

Every view asks the policy (`contributions.rules`); services refuse with ValidationError or
PermissionDenied, turned into form errors, messages or 4xx by `core.errors`.
"""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accords.models import Accord, SupportItem, SupportStatus
from accords.rules import ACCORDS
from accords.rules import Action as AccordAction
from contributions import exports, figures, services
from contributions.forms import (
    ActivityForm,
    CheckOutForm,
    CodeForm,
    GoodsForm,
    HoursForm,
    NumbersFilter,
    ReasonForm,
    ShiftForm,
    SignupForm,
    SupportForm,
)
from contributions.ical import shift_calendar
from contributions.models import HOLDING, Activity, Contribution, EntryState, Shift, Signup
from contributions.rules import ENTRIES, ON_ACCORD, SHIFTS, SIGNUPS, Action
from core import csv as safe_csv
from core import errors
from core.views import confirm_then_act

PER_PAGE = 25


def _public_accord(pk: int) -> Accord:
    accord = get_object_or_404(Accord.objects.select_related("department"), pk=pk)
    if not ACCORDS.allows(_anonymous(), AccordAction.VIEW, accord):
        raise Http404
    return accord


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def _enforce_person(verdict) -> None:
    if not verdict and verdict.wrong_person:
        raise PermissionDenied(verdict.message)


def _support_items(accord: Accord):
    if not accord.current_version_id:
        return SupportItem.objects.none()
    return SupportItem.objects.filter(
        version_id=accord.current_version_id, status=SupportStatus.GRANTED
    )


# The accord's log ------------------------------------------------------------------------------


def _entries_page(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


@require_GET
def accord_log(request, pk: int):
    """The accord's contributions: its figures, the confirmed entries (named only when the
    person opted in), and, for the parties, what awaits confirmation and the forms to log."""
    accord = _public_accord(pk)
    user = request.user
    can_log = user.is_authenticated and bool(ON_ACCORD.allows(user, Action.LOG, accord))
    can_log_support = user.is_authenticated and bool(
        ON_ACCORD.allows(user, Action.LOG_SUPPORT, accord)
    )
    reviewer = user.is_authenticated and bool(ON_ACCORD.allows(user, Action.REVIEW, accord))
    confirmed_qs = (
        Contribution.objects.filter(accord=accord, state=EntryState.CONFIRMED)
        .select_related("person", "support_item")
        .order_by("-on", "-id")
    )
    page = _entries_page(request, confirmed_qs)
    for entry in page:
        entry.public_name = exports.public_name(entry)
    pending = []
    if user.is_authenticated:
        pending_qs = ENTRIES.queryset(
            user,
            Action.CONFIRM,
            base=Contribution.objects.filter(accord=accord).select_related("person"),
        )
        pending = list(pending_qs.order_by("created_at")[:100])
    mine = []
    if user.is_authenticated:
        mine = list(
            Contribution.objects.filter(accord=accord, logged_by=user)
            .exclude(state=EntryState.CONFIRMED)
            .order_by("-created_at")[:20]
        )
    data = figures.for_accord(accord)
    return render(
        request,
        "contributions/accord_log.html",
        {
            "accord": accord,
            "page": page,
            "pending": pending,
            "mine": mine,
            "reviewer": reviewer,
            "can_log": can_log,
            "can_log_support": can_log_support and _support_items(accord).exists(),
            "hours_form": HoursForm(initial={"on": timezone.localdate()}) if can_log else None,
            "goods_form": GoodsForm(initial={"on": timezone.localdate()}) if can_log else None,
            "support_form": SupportForm(
                items=_support_items(accord), initial={"on": timezone.localdate()}
            )
            if can_log_support
            else None,
            "totals": data["totals"],
            "by_year": data["by_year"],
            "chart": figures.chart_data(data["by_year"]),
            "can_publish": user.is_authenticated
            and bool(ON_ACCORD.allows(user, Action.PUBLISH_SHIFTS, accord)),
        },
    )


def _log_view(request, pk: int, form_class, act, *, action=Action.LOG, form_kwargs=None):
    accord = _public_accord(pk)
    _enforce_person(ON_ACCORD.allows(request.user, action, accord))
    extra = form_kwargs(accord) if form_kwargs is not None else {}
    form = form_class(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            act(accord, form.cleaned_data)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Logged. It counts once the other side has confirmed it."))
            return redirect("contributions:accord-log", accord.pk)
    return render(
        request,
        "contributions/log_form.html",
        {"accord": accord, "form": form, "title": form_class.title},
        status=errors.form_status(form),
    )


HoursForm.title = _("Log your volunteer hours")
GoodsForm.title = _("Log goods or materials you gave")
SupportForm.title = _("Log the city's support delivered")


@login_required
def log_hours(request, pk: int):
    return _log_view(
        request,
        pk,
        HoursForm,
        lambda accord, d: services.log_hours(
            actor=request.user,
            accord=accord,
            on=d["on"],
            hours=d["hours"],
            description=d["description"],
            show_name_publicly=d["show_name_publicly"],
        ),
    )


@login_required
def log_goods(request, pk: int):
    return _log_view(
        request,
        pk,
        GoodsForm,
        lambda accord, d: services.log_goods(
            actor=request.user,
            accord=accord,
            on=d["on"],
            description=d["description"],
            quantity=d["quantity"],
            unit=d["unit"],
            value=d["value"],
            show_name_publicly=d["show_name_publicly"],
        ),
    )


@login_required
def log_support(request, pk: int):
    return _log_view(
        request,
        pk,
        SupportForm,
        lambda accord, d: services.log_support(
            actor=request.user, item=d["support_item"], on=d["on"], value=d["value"]
        ),
        action=Action.LOG_SUPPORT,
        form_kwargs=lambda accord: {"items": _support_items(accord)},
    )


def _entry(request, pk: int, entry_pk: int) -> Contribution:
    entry = get_object_or_404(
        Contribution.objects.select_related("accord__department", "person", "support_item"),
        pk=entry_pk,
        # accord__pk, not accord_id: an id past the database's integers finds nothing (404)
        # instead of overflowing the driver (500).
        accord__pk=pk,
    )
    verdict = ENTRIES.allows(request.user, Action.VIEW, entry)
    if not verdict:
        raise Http404
    return entry


@require_GET
def entry_detail(request, pk: int, entry_pk: int):
    entry = _entry(request, pk, entry_pk)
    user = request.user
    can = {a: bool(ENTRIES.allows(user, a, entry)) for a in ("confirm", "reject", "reverse")}
    # The person's name: to the parties always, to the public only when they opted in.
    party = user.is_authenticated and bool(ON_ACCORD.allows(user, Action.REVIEW, entry.accord))
    own = user.is_authenticated and user.pk in (entry.person_id, entry.logged_by_id)
    name = exports.public_name(entry)
    if (party or own) and entry.person is not None:
        name = entry.person.display_name or _("Resident no. %(id)s") % {"id": entry.person_id}
    return render(
        request,
        "contributions/entry_detail.html",
        {"entry": entry, "accord": entry.accord, "can": can, "name": name},
    )


def _decide(request, pk, entry_pk, action, *, act, title, button, success, form=None, danger=False):
    entry = _entry(request, pk, entry_pk)
    _enforce_person(ENTRIES.allows(request.user, action, entry))
    url = entry.get_absolute_url()
    return confirm_then_act(
        request,
        act=lambda data: act(entry, data),
        success=success,
        next_url=reverse("contributions:accord-log", args=[pk]),
        error_url=url,
        form=form,
        title=title,
        button=button,
        cancel_url=url,
        summary=str(entry),
        danger=danger,
    )


@login_required
def entry_confirm(request, pk: int, entry_pk: int):
    return _decide(
        request,
        pk,
        entry_pk,
        Action.CONFIRM,
        act=lambda entry, _d: services.confirm(actor=request.user, entry=entry),
        title=_("Confirm this contribution?"),
        button=_("Confirm"),
        success=_("Confirmed. It now counts in the accord's figures and reports."),
    )


@login_required
def entry_reject(request, pk: int, entry_pk: int):
    return _decide(
        request,
        pk,
        entry_pk,
        Action.REJECT,
        act=lambda entry, d: services.reject(actor=request.user, entry=entry, reason=d["reason"]),
        title=_("Reject this contribution?"),
        button=_("Reject"),
        success=_("Rejected. The person has been told why."),
        form=ReasonForm(request.POST or None),
        danger=True,
    )


@login_required
def entry_reverse(request, pk: int, entry_pk: int):
    return _decide(
        request,
        pk,
        entry_pk,
        Action.REVERSE,
        act=lambda entry, d: services.reverse(actor=request.user, entry=entry, reason=d["reason"]),
        title=_("Correct this confirmed contribution?"),
        button=_("Log a correcting entry"),
        success=_(
            "A correcting entry cancels the old one. Log a new entry with the right figures."
        ),
        form=ReasonForm(request.POST or None),
        danger=True,
    )


@login_required
@require_GET
def to_confirm(request):
    """Every entry this person may confirm now, across their accords."""
    from contributions.selectors import to_confirm as selector

    page = _entries_page(request, selector(request.user))
    return render(request, "contributions/to_confirm.html", {"page": page})


# Activities and shifts -----------------------------------------------------------------------


def _shift_rows(qs):
    return qs.select_related("activity").annotate(
        taken=Count("signups", filter=Q(signups__state__in=sorted(HOLDING)))
    )


@require_GET
def accord_shifts(request, pk: int):
    accord = _public_accord(pk)
    user = request.user
    can_publish = user.is_authenticated and bool(
        ON_ACCORD.allows(user, Action.PUBLISH_SHIFTS, accord)
    )
    activities = list(Activity.objects.filter(accord=accord).order_by("-created_at")[:50])
    shifts = list(
        _shift_rows(Shift.objects.filter(activity__accord=accord, date__gte=timezone.localdate()))
    )
    for shift in shifts:
        shift.left = max(shift.slots - shift.taken, 0)
    return render(
        request,
        "contributions/accord_shifts.html",
        {
            "accord": accord,
            "activities": activities,
            "shifts": shifts,
            "can_publish": can_publish,
            "activity_form": ActivityForm() if can_publish else None,
        },
    )


@login_required
@require_POST
def activity_create(request, pk: int):
    accord = _public_accord(pk)
    _enforce_person(ON_ACCORD.allows(request.user, Action.PUBLISH_SHIFTS, accord))
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            activity = services.publish_activity(
                actor=request.user, accord=accord, **form.cleaned_data
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Activity published. Now add its shifts."))
            return redirect("contributions:shift-create", activity.pk)
    return render(
        request,
        "contributions/log_form.html",
        {"accord": accord, "form": form, "title": _("Publish a volunteer activity")},
        status=errors.form_status(form) if form.errors else 400,
    )


@login_required
def shift_create(request, activity_pk: int):
    activity = get_object_or_404(Activity.objects.select_related("accord"), pk=activity_pk)
    accord = activity.accord
    _enforce_person(ON_ACCORD.allows(request.user, Action.PUBLISH_SHIFTS, accord))
    form = ShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shift = services.add_shift(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Shift published."))
            return redirect(shift.get_absolute_url())
    return render(
        request,
        "contributions/log_form.html",
        {
            "accord": accord,
            "form": form,
            "title": _("Add a shift to “%(title)s”") % {"title": activity.title},
        },
        status=errors.form_status(form),
    )


def _shift(pk: int) -> Shift:
    shift = get_object_or_404(
        _shift_rows(Shift.objects.select_related("activity__accord__department")), pk=pk
    )
    if not SHIFTS.allows(_anonymous(), Action.VIEW, shift):
        raise Http404
    return shift


def shift_detail(request, pk: int):
    shift = _shift(pk)
    user = request.user
    mine = None
    if user.is_authenticated:
        mine = shift.signups.filter(user=user, state__in=sorted(HOLDING)).first()
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if form.is_valid():
            try:
                signup = services.sign_up(
                    actor=user,
                    shift=shift,
                    show_name_publicly=form.cleaned_data["show_name_publicly"],
                )
            except (ValidationError, PermissionDenied) as exc:
                errors.add_to_form(form, exc)
            else:
                messages.success(request, _("You are signed up. See you there!"))
                return redirect(signup.get_absolute_url())
    sign_up_verdict = SHIFTS.allows(user, Action.SIGN_UP, shift) if user.is_authenticated else None
    return render(
        request,
        "contributions/shift_detail.html",
        {
            "shift": shift,
            "accord": shift.activity.accord,
            "left": max(shift.slots - shift.taken, 0),
            "mine": mine,
            "form": form,
            "may_sign_up": bool(sign_up_verdict) if sign_up_verdict is not None else True,
            "sign_up_refusal": sign_up_verdict.message if sign_up_verdict is not None else "",
            "manage": user.is_authenticated and bool(SHIFTS.allows(user, Action.MANAGE, shift)),
        },
        status=errors.form_status(form),
    )


@require_GET
def shift_ics(request, pk: int):
    shift = _shift(pk)
    response = HttpResponse(
        shift_calendar(shift, request.build_absolute_uri(shift.get_absolute_url())),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="shift-{shift.pk}.ics"'
    return response


@login_required
def shift_check_in(request, pk: int):
    """The representative's phone list: everyone signed up, check in and out, or enter the
    code the volunteer shows."""
    shift = _shift(pk)
    _enforce_person(SHIFTS.allows(request.user, Action.MANAGE, shift))
    # Opened from a volunteer's QR code, the code is filled in (?code=...): one tap checks in.
    form = CodeForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    if request.method == "POST" and form.is_valid():
        try:
            signup = services.signup_by_code(shift, form.cleaned_data["code"])
            services.check_in(actor=request.user, signup=signup)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Checked in."))
            return redirect("contributions:shift-check-in", shift.pk)
    signups = list(
        shift.signups.filter(state__in=sorted(HOLDING)).select_related("user").order_by("id")
    )
    return render(
        request,
        "contributions/shift_check_in.html",
        {
            "shift": shift,
            "accord": shift.activity.accord,
            "signups": signups,
            "form": form,
            "checkout_form": CheckOutForm(),
            "default_hours": services.shift_hours(shift),
        },
        status=errors.form_status(form),
    )


def _signup(request, pk: int) -> Signup:
    signup = get_object_or_404(
        Signup.objects.select_related("shift__activity__accord", "user"), pk=pk
    )
    verdict = SIGNUPS.allows(request.user, Action.VIEW, signup)
    if not verdict:
        raise Http404
    return signup


@login_required
@require_GET
def signup_detail(request, pk: int):
    from budgeting.live.views.common import qr_svg

    signup = _signup(request, pk)
    # The QR code is the representative's check-in page with the code filled in: scanned with
    # any phone camera, it opens there, and one tap checks the volunteer in.
    check_in_url = request.build_absolute_uri(
        reverse("contributions:shift-check-in", args=[signup.shift_id])
        + "?"
        + urlencode({"code": signup.code})
    )
    return render(
        request,
        "contributions/signup_detail.html",
        {
            "signup": signup,
            "shift": signup.shift,
            "accord": signup.shift.activity.accord,
            "qr": qr_svg(check_in_url),
            "check_in_url": check_in_url,
            "may_cancel": bool(SIGNUPS.allows(request.user, Action.CANCEL, signup)),
        },
    )


@login_required
def signup_cancel(request, pk: int):
    signup = _signup(request, pk)
    _enforce_person(SIGNUPS.allows(request.user, Action.CANCEL, signup))
    return confirm_then_act(
        request,
        act=lambda _d: services.cancel_signup(actor=request.user, signup=signup),
        success=_("Your sign-up is cancelled; your place is free for someone else."),
        next_url=signup.shift.get_absolute_url(),
        error_url=signup.get_absolute_url(),
        title=_("Cancel your sign-up?"),
        button=_("Cancel my sign-up"),
        cancel_url=signup.get_absolute_url(),
        summary=str(signup.shift),
        danger=True,
    )


@login_required
@require_POST
def signup_check_in(request, pk: int):
    signup = _signup(request, pk)
    _enforce_person(SIGNUPS.allows(request.user, Action.CHECK_IN, signup))
    try:
        services.check_in(actor=request.user, signup=signup)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("Checked in."))
    return redirect("contributions:shift-check-in", signup.shift_id)


@login_required
@require_POST
def signup_check_out(request, pk: int):
    signup = _signup(request, pk)
    _enforce_person(SIGNUPS.allows(request.user, Action.CHECK_OUT, signup))
    form = CheckOutForm(request.POST)
    if not form.is_valid():
        errors.flash(request, ValidationError(form.errors.as_text()))
        return redirect("contributions:shift-check-in", signup.shift_id)
    try:
        services.check_out(actor=request.user, signup=signup, hours=form.cleaned_data["hours"])
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("Checked out; the hours are in the accord's log."))
    return redirect("contributions:shift-check-in", signup.shift_id)


# Commons in numbers and open data --------------------------------------------------------------


def _facets():
    from accords.views.registry import kind_labels

    base = figures.filtered()
    years = sorted(
        {d.year for d in base.dates("on", "year")},
        reverse=True,
    )
    districts = sorted(set(base.values_list("accord__district", flat=True).distinct()))
    labels = kind_labels()
    kinds = sorted(set(base.values_list("accord__kind", flat=True).distinct()))
    return years, districts, [(k, labels.get(k, k)) for k in kinds], labels


@require_GET
def numbers(request):
    years, districts, kinds, labels = _facets()
    form = NumbersFilter(request.GET or None, years=years, districts=districts, kinds=kinds)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = figures.filtered(
        year=filters.get("year"),
        district=filters.get("district") or "",
        resource=filters.get("resource") or "",
    )
    by_year = figures.breakdown(qs, "year")
    by_district = figures.breakdown(qs, "district")
    by_resource = figures.breakdown(qs, "resource")
    for row in by_resource:
        row.label = labels.get(row.label, row.label)
    return render(
        request,
        "contributions/numbers.html",
        {
            "form": form,
            "totals": figures.totals(qs),
            "by_year": by_year,
            "by_district": by_district,
            "by_resource": by_resource,
            "charts": {
                "year": figures.chart_data(by_year),
                "district": figures.chart_data(by_district),
                "resource": figures.chart_data(by_resource),
            },
            "query": request.GET.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def export_csv(request):
    response = StreamingHttpResponse(
        safe_csv.stream(exports.AGGREGATE_COLUMNS, exports.aggregate_rows()),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="contributions-{stamp}.csv"'
    return response


@require_GET
def export_json(request):
    return JsonResponse(
        {
            "hourly_rate_eur": figures.hourly_rate(),
            "note": "equivalent_value_eur_estimate is an estimate: hours × hourly_rate_eur.",
            "rows": exports.aggregate_rows(),
        },
        encoder=DjangoJSONEncoder,
    )


def _jsonld(document) -> HttpResponse:
    return HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
        content_type="application/ld+json; charset=utf-8",
    )


@require_GET
def export_valueflows(request):
    entries = figures.filtered()
    accords = Accord.objects.filter(pk__in=entries.values("accord_id")).order_by("pk")
    return _jsonld(exports.valueflows(list(accords), entries))


@require_GET
def accord_valueflows(request, pk: int):
    accord = _public_accord(pk)
    return _jsonld(exports.valueflows([accord], figures.confirmed().filter(accord=accord)))
