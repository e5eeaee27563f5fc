"""Pages of meeting motions: the chair's console, the projector, the members' voting page,
a motion's result, and the room tablet (pairing, the member's ballot).

Every page asks the policy (assemblies/motions/rules.py). Votes are plain form POSTs (the
pages' scripts send the same forms with fetch and stay on the page).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from assemblies.models import Meeting
from assemblies.motions import live, services
from assemblies.motions.consumers import DEVICE_COOKIE
from assemblies.motions.forms import (
    MemberForm,
    MotionForm,
    OverruleForm,
    PairForm,
    TokenForm,
    VoteForm,
)
from assemblies.motions.models import Motion, MotionState, Objection, RoomTablet
from assemblies.motions.rules import MOTIONS, Action, chair_verdict
from citizens.throttle import client_ip
from core import errors
from core.views import confirm_then_act
from live.credentials import set_device_cookie

PAIRING_SESSION_KEY = "motions_pairing_code"


def _meeting(meeting_id: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("assembly", "chair"), pk=meeting_id)


def _chair_or_403(request, meeting) -> None:
    verdict = chair_verdict(request.user, meeting)
    if not verdict:
        raise PermissionDenied(verdict.reason)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# The chair's console ------------------------------------------------------------------------


def _console_context(request, meeting, **forms):
    motions = list(
        Motion.objects.filter(meeting=meeting)
        .exclude(state=MotionState.DISCARDED)
        .prefetch_related("options", "objections__user")
    )
    open_motions = [m for m in motions if m.is_open]
    present = list(meeting.checked_in_users().order_by("display_name", "pk"))
    members = list(meeting.assembly.voting_members().order_by("display_name", "pk"))
    tablets = list(RoomTablet.objects.filter(meeting=meeting, revoked_at__isnull=True))
    data, _due = live.chair_snapshot(meeting.pk)
    return {
        "meeting": meeting,
        "motions": motions,
        "snapshot": data,
        "present": present,
        "tablets": tablets,
        "motion_form": forms.get("motion_form")
        or MotionForm(meeting=meeting, initial={"opinion": request.GET.get("opinion", "")}),
        "checkin_form": forms.get("checkin_form") or MemberForm(members=members, prefix="checkin"),
        "token_form": forms.get("token_form")
        or TokenForm(members=present, motions=open_motions, tablets=tablets, prefix="token"),
        "pairing_code": request.session.pop(PAIRING_SESSION_KEY, ""),
        "kiosk_url": request.build_absolute_uri(reverse("motions:kiosk")),
    }


@login_required
@never_cache
@require_GET
def console(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    _chair_or_403(request, meeting)
    return render(request, "motions/console.html", _console_context(request, meeting))


@login_required
@require_POST
def motion_create(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    _chair_or_403(request, meeting)
    form = MotionForm(request.POST, meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.motion_create(
                actor=request.user,
                meeting=meeting,
                title=data["title"],
                text=data["text"],
                kind=data["kind"],
                secret=data["secret"],
                options=data["options"],
                agenda_item=data["agenda_item"],
                opinion=data["opinion"],
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The motion is drafted: open the vote when ready."))
            return redirect("motions:console", meeting.pk)
    context = _console_context(request, meeting, motion_form=form)
    return render(request, "motions/console.html", context, status=errors.form_status(form))


def _transition(request, pk: int, name: str):
    motion = get_object_or_404(Motion.objects.select_related("meeting__assembly"), pk=pk)
    _chair_or_403(request, motion.meeting)
    act = services.motion_open if name == "open" else services.motion_close
    back = reverse("motions:console", args=[motion.meeting_id])
    if name == "open":
        title, button = _("Open the vote"), _("Open the vote")
        question = _("Members can vote as soon as the vote is open.")
        success = _("The vote is open.")
    else:
        title, button = _("Close the vote"), _("Close the vote")
        question = _("No vote is accepted after this. The outcome is recorded in the minutes.")
        success = _("The vote is closed and its outcome recorded.")
    return confirm_then_act(
        request,
        act=lambda _data: act(actor=request.user, motion=motion),
        success=success,
        next_url=back,
        title=title,
        button=button,
        question=question,
        summary=motion.title,
        cancel_url=back,
        danger=name == "close",
    )


@login_required
def motion_discard(request, pk: int):
    """The chair discards a draft (drafted by mistake): asked on the confirmation page."""
    motion = get_object_or_404(Motion.objects.select_related("meeting__assembly"), pk=pk)
    _chair_or_403(request, motion.meeting)
    back = reverse("motions:console", args=[motion.meeting_id])
    question = _("The draft leaves the console; nothing is put to the vote.")
    if motion.opinion_id:
        question = _(
            "The draft leaves the console; nothing is put to the vote. Its formal opinion can "
            "be put to another motion at once."
        )
    return confirm_then_act(
        request,
        act=lambda _data: services.motion_discard(actor=request.user, motion=motion),
        success=_("The draft motion is discarded."),
        next_url=back,
        title=_("Discard the draft motion"),
        button=_("Discard"),
        question=question,
        summary=motion.title,
        cancel_url=back,
        danger=True,
    )


@login_required
def motion_open(request, pk: int):
    return _transition(request, pk, "open")


@login_required
def motion_close(request, pk: int):
    return _transition(request, pk, "close")


@login_required
@require_POST
def checkin(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    _chair_or_403(request, meeting)
    members = list(meeting.assembly.voting_members())
    form = MemberForm(request.POST, members=members, prefix="checkin")
    if form.is_valid():
        try:
            services.checkin_member(
                actor=request.user, meeting=meeting, user=form.cleaned_data["member"]
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(
                request,
                _("%(member)s is checked in.") % {"member": form.cleaned_data["member"]},
            )
            return redirect("motions:console", meeting.pk)
    context = _console_context(request, meeting, checkin_form=form)
    return render(request, "motions/console.html", context, status=errors.form_status(form))


@login_required
@require_POST
def pairing(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    try:
        code = services.pairing_code(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        request.session[PAIRING_SESSION_KEY] = code
    return redirect(reverse("motions:console", args=[meeting.pk]) + "#tablets")


@login_required
@require_POST
def token_issue(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    _chair_or_403(request, meeting)
    present = list(meeting.checked_in_users())
    motions = list(Motion.objects.filter(meeting=meeting, state=MotionState.OPEN))
    tablets = list(RoomTablet.objects.filter(meeting=meeting, revoked_at__isnull=True))
    form = TokenForm(
        request.POST, members=present, motions=motions, tablets=tablets, prefix="token"
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.token_issue(
                actor=request.user,
                motion=data["motion"],
                tablet=data["tablet"],
                user=data["member"],
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(
                request,
                _("%(tablet)s now shows the ballot of %(member)s.")
                % {"tablet": data["tablet"], "member": data["member"]},
            )
            return redirect("motions:console", meeting.pk)
    context = _console_context(request, meeting, token_form=form)
    return render(request, "motions/console.html", context, status=errors.form_status(form))


@login_required
def tablet_revoke(request, pk: int):
    tablet = get_object_or_404(RoomTablet.objects.select_related("meeting__assembly"), pk=pk)
    _chair_or_403(request, tablet.meeting)
    back = reverse("motions:console", args=[tablet.meeting_id])
    return confirm_then_act(
        request,
        act=lambda _data: services.tablet_revoke(actor=request.user, tablet=tablet),
        success=_("The tablet is unpaired."),
        next_url=back,
        title=_("Unpair the tablet"),
        button=_("Unpair"),
        question=_("The tablet stops showing ballots; a ballot waiting on it is withdrawn."),
        summary=tablet.label,
        cancel_url=back,
        danger=True,
    )


# Objections ---------------------------------------------------------------------------------


def _objection(pk: int) -> Objection:
    return get_object_or_404(
        Objection.objects.select_related("motion__meeting__assembly", "user"), pk=pk
    )


@login_required
def objection_withdraw(request, pk: int):
    objection = _objection(pk)
    back = reverse("motions:vote-page", args=[objection.motion.meeting_id])
    return confirm_then_act(
        request,
        act=lambda _data: services.objection_withdraw(actor=request.user, objection=objection),
        success=_("Your objection is withdrawn."),
        next_url=back,
        title=_("Withdraw your objection"),
        button=_("Withdraw"),
        summary=objection.motion.title,
        quote=objection.reason,
        cancel_url=back,
    )


@login_required
def objection_overrule(request, pk: int):
    objection = _objection(pk)
    _chair_or_403(request, objection.motion.meeting)
    back = reverse("motions:console", args=[objection.motion.meeting_id])
    form = OverruleForm(request.POST or None)
    return confirm_then_act(
        request,
        form=form,
        act=lambda data: services.objection_overrule(
            actor=request.user, objection=objection, reason=data["reason"]
        ),
        success=_("The objection is overruled."),
        next_url=back,
        title=_("Overrule the objection"),
        button=_("Overrule"),
        question=objection.motion.consent_rule,
        summary=f"{objection.user} · {objection.motion.title}",
        quote=objection.reason,
        cancel_url=back,
        danger=True,
    )


# Projector and members ----------------------------------------------------------------------


@require_GET
def projector(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    data, _due = live.meeting_snapshot(meeting.pk)
    return render(request, "motions/projector.html", {"meeting": meeting, "snapshot": data})


@login_required
@never_cache
@require_GET
def vote_page(request, meeting_id: int):
    """The member's page: the open motions with their ballots, the live tally."""
    meeting = _meeting(meeting_id)
    data, _due = live.meeting_snapshot(meeting.pk)
    motions = list(
        Motion.objects.filter(meeting=meeting, state=MotionState.OPEN).prefetch_related(
            "options",
            Prefetch(
                "objections", queryset=Objection.objects.filter(user=request.user), to_attr="mine"
            ),
        )
    )
    ballots = [(m, MOTIONS.allows(request.user, Action.VOTE, m)) for m in motions]
    return render(
        request,
        "motions/vote.html",
        {"meeting": meeting, "snapshot": data, "ballots": ballots},
    )


@login_required
@require_POST
def vote(request, pk: int):
    """The service reads the motion (locked, with what the policy asks): the view does not."""

    def cast(data):
        try:
            return services.vote_cast(
                actor=request.user,
                motion=pk,
                choice=data["choice"],
                option_id=data.get("option"),
                reason=data["reason"],
            )
        except services.MotionError as exc:
            if exc.code == "not_found":
                raise Http404(_("There is no such motion.")) from None
            raise

    def back(motion):
        meeting_id = (
            motion.meeting_id
            if motion is not None
            else Motion.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
        )
        if meeting_id is None:
            raise Http404(_("There is no such motion."))
        return reverse("motions:vote-page", args=[meeting_id])

    return _cast(request, cast, back=back, done=_("Your vote is counted."))


def _cast(request, cast, *, back, done: str, done_page: str = ""):
    """Validate the vote form, cast, and answer in JSON (the page's script) or with a
    redirect and a message (no JavaScript). ``back``: where the redirect goes, or a function
    of what ``cast`` returned (None when it refused) that says so."""
    form = VoteForm(request.POST)
    cast_result = None
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text(), code="invalid")
        cast_result = cast(form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "message": errors.message(exc)}, status=errors.http_status(exc)
            )
        errors.flash(request, exc)
        return redirect(back(None) if callable(back) else back)
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": done})
    messages.success(request, done_page or done)
    return redirect(back(cast_result) if callable(back) else back)


@require_GET
def detail(request, pk: int):
    motion = get_object_or_404(Motion.objects.select_related("meeting__assembly"), pk=pk)
    if not MOTIONS.allows(request.user, Action.VIEW, motion):
        raise Http404(_("There is no such motion."))  # a draft is the chair's
    minutes = Motion.objects.for_minutes(motion.meeting).filter(pk=motion.pk).first()
    data, _due = live.meeting_snapshot(motion.meeting_id)
    row = next((m for m in data.get("motions", []) if m["id"] == motion.pk), None)
    return render(
        request,
        "motions/detail.html",
        {"motion": minutes or motion, "row": row, "meeting": motion.meeting},
    )


# The room tablet ----------------------------------------------------------------------------


def _tablet(request):
    tablet = services.tablet_for_credential(request.COOKIES.get(DEVICE_COOKIE, ""))
    if tablet is None or tablet.is_revoked or tablet.meeting.is_closed:
        return None, tablet is not None
    return tablet, False


@never_cache
@ensure_csrf_cookie
@require_GET
def kiosk(request):
    tablet, stale = _tablet(request)
    if tablet is None:
        form = PairForm(initial={"code": request.GET.get("code", "")})
        return render(request, "motions/kiosk_pair.html", {"form": form, "stale": stale})
    state = services.kiosk_state(tablet)
    motion = None
    if state["token"]:
        motion = Motion.objects.prefetch_related("options").get(pk=state["token"]["motion"])
    return render(
        request,
        "motions/kiosk.html",
        {"tablet": tablet, "meeting": tablet.meeting, "state": state, "motion": motion},
    )


@never_cache
@require_POST
def kiosk_pair(request):
    form = PairForm(request.POST)
    if form.is_valid():
        try:
            tablet, credential = services.tablet_pair(
                code=form.cleaned_data["code"],
                label=form.cleaned_data["label"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc, "code")
        else:
            response = redirect("motions:kiosk")
            set_device_cookie(response, DEVICE_COOKIE, credential, max_age=7 * 24 * 3600)
            return response
    return render(
        request, "motions/kiosk_pair.html", {"form": form}, status=errors.form_status(form)
    )


@never_cache
@require_POST
def kiosk_vote(request):
    return _cast(
        request,
        lambda data: services.tablet_cast(
            credential=request.COOKIES.get(DEVICE_COOKIE, ""),
            token=data["token"],
            choice=data["choice"],
            option_id=data.get("option"),
            reason=data["reason"],
        ),
        back=reverse("motions:kiosk"),
        done=_("Thank you: the vote is counted."),
        done_page=_("Thank you: the vote is counted. Hand the tablet back."),
    )
