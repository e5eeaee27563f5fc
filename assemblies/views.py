"""Pages of the assemblies: the list, an assembly (charter, members, documents, meetings), a
meeting (registration, code and QR, the door), the calendars and the Chamber of the Commons.
Every view asks the policy (`assemblies.rules`); services do the work."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assemblies import forms, ical, selectors, services
from assemblies.models import (
    AgendaItem,
    Assembly,
    Document,
    Meeting,
    Membership,
    MembershipState,
    Registration,
    RegistrationState,
)
from assemblies.rules import ASSEMBLY, MEETING, MEMBERSHIP, REGISTRATION, Action, live_roles
from core import csv as safe_csv
from core import errors
from core.views import confirm_then_act

PAGE_SIZE = 20
HEAD = "assemblies/includes/head.html"


def _require(request, verdict, back: str):
    """None to let the view go on; else the answer: log in first, 403 for the wrong person,
    or (not now) the reason as a message on `back`."""
    if verdict:
        return None
    if verdict.code == "login":
        return redirect_to_login(request.get_full_path())
    if verdict.wrong_person:
        raise PermissionDenied(verdict.reason)
    messages.error(request, verdict.reason)
    return redirect(back)


def _assembly(slug) -> Assembly:
    return get_object_or_404(Assembly.objects.select_related("accord"), slug=slug)


def _meeting(pk) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("assembly", "chair"), pk=pk)


def _refused(request, verdict, url):
    messages.error(request, verdict.reason)
    return redirect(url)


# ---- assemblies ------------------------------------------------------------------------------


@require_GET
def assembly_list(request):
    services.city_assembly()
    page = Paginator(selectors.assemblies_with_counts(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    roles = live_roles(request.user)
    for assembly in page:
        found = roles.get(assembly.pk)
        assembly.my_state = found[1] if found else ""
    return render(
        request,
        "assemblies/assembly_list.html",
        {"page": page, "can_create": ASSEMBLY.can(request.user, Action.CREATE, None)},
    )


@require_GET
def assembly_detail(request, slug):
    assembly = _assembly(slug)
    meetings = selectors.meetings_with_counts(assembly.meetings.all())
    upcoming = list(selectors.upcoming(meetings)[:10])
    past = list(selectors.past(meetings)[:10])
    membership = assembly.membership_of(request.user)
    user = request.user
    return render(
        request,
        "assemblies/assembly_detail.html",
        {
            "assembly": assembly,
            "charter": assembly.current_charter(),
            "member_count": assembly.active_memberships().count(),
            "voting_count": assembly.voting_members().count(),
            "coordinators": list(assembly.coordinators().order_by("display_name")),
            "upcoming": upcoming,
            "past": past,
            "documents": list(assembly.documents.all()[:50]),
            "membership": membership,
            "can": ASSEMBLY.actions(user, assembly),
            "adherence_count": assembly.adherences.count() if assembly.is_city else 0,
        },
    )


@require_http_methods(["GET", "POST"])
def assembly_create(request):
    stop = _require(request, ASSEMBLY.allows(request.user, Action.CREATE, None), "/assemblies/")
    if stop is not None:
        return stop
    form = forms.AssemblyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assembly = services.create_assembly(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The assembly is created; you coordinate it."))
            return redirect(assembly)
    return render(
        request,
        "assemblies/form.html",
        {
            "form": form,
            "title": _("New assembly"),
            "button": _("Create the assembly"),
            "back": reverse("assemblies:assembly-list"),
        },
        status=errors.form_status(form),
    )


@require_http_methods(["GET", "POST"])
def assembly_edit(request, slug):
    assembly = _assembly(slug)
    stop = _require(
        request, ASSEMBLY.allows(request.user, Action.EDIT, assembly), assembly.get_absolute_url()
    )
    if stop is not None:
        return stop
    initial = {
        "name": assembly.name,
        "description": assembly.description,
        "membership_policy": assembly.membership_policy,
    }
    form = forms.AssemblyEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_assembly(assembly, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The assembly is saved."))
            return redirect(assembly)
    return render(
        request,
        "assemblies/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": assembly.name},
            "button": _("Save"),
            "back": assembly.get_absolute_url(),
            "assembly": assembly,
        },
        status=errors.form_status(form),
    )


@require_GET
def charter(request, slug):
    assembly = _assembly(slug)
    versions = list(assembly.charter_versions.select_related("created_by").order_by("-number"))
    return render(
        request,
        "assemblies/charter.html",
        {
            "assembly": assembly,
            "versions": versions,
            "can_edit": ASSEMBLY.can(request.user, Action.EDIT_CHARTER, assembly),
        },
    )


@require_http_methods(["GET", "POST"])
def charter_edit(request, slug):
    assembly = _assembly(slug)
    stop = _require(
        request,
        ASSEMBLY.allows(request.user, Action.EDIT_CHARTER, assembly),
        assembly.get_absolute_url(),
    )
    if stop is not None:
        return stop
    current = assembly.current_charter()
    initial = (
        {
            "text": current.text,
            "quorum_percent": current.quorum_percent,
            "majority": current.majority,
            "consent_rule": current.consent_rule,
        }
        if current
        else {"quorum_percent": 0}
    )
    form = forms.CharterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.edit_charter(assembly, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(
                request, _("Version %(n)s of the charter is in force.") % {"n": version.number}
            )
            return redirect("assemblies:charter", assembly.slug)
    return render(
        request,
        "assemblies/form.html",
        {
            "form": form,
            "title": _("Change the charter of %(name)s") % {"name": assembly.name},
            "button": _("Save as a new version"),
            "back": reverse("assemblies:charter", args=[assembly.slug]),
            "assembly": assembly,
        },
        status=errors.form_status(form),
    )


# ---- membership ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request, slug):
    assembly = _assembly(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    verdict = ASSEMBLY.allows(request.user, Action.JOIN, assembly)
    if not verdict:
        return _refused(request, verdict, assembly.get_absolute_url())
    return confirm_then_act(
        request,
        act=lambda data: services.join(assembly, user=request.user),
        success=_("Welcome to %(name)s.") % {"name": assembly.name},
        next_url=assembly.get_absolute_url(),
        title=_("Join %(name)s") % {"name": assembly.name},
        question=_(
            "You become a member: you may register for its meetings and vote on its motions."
        ),
        button=_("Join"),
        cancel_url=assembly.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def request_membership(request, slug):
    assembly = _assembly(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    verdict = ASSEMBLY.allows(request.user, Action.REQUEST, assembly)
    if not verdict:
        return _refused(request, verdict, assembly.get_absolute_url())
    form = forms.RequestForm(request.POST or None)
    return confirm_then_act(
        request,
        form=form,
        act=lambda data: services.request_membership(
            assembly, user=request.user, message=data["message"]
        ),
        success=_("Your request is sent to the coordinators."),
        next_url=assembly.get_absolute_url(),
        title=_("Ask to join %(name)s") % {"name": assembly.name},
        question=_("A coordinator of the assembly will accept or refuse your request."),
        button=_("Send the request"),
        cancel_url=assembly.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def leave(request, slug):
    assembly = _assembly(slug)
    membership = assembly.membership_of(request.user)
    if membership is None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        messages.error(request, _("You are not a member of this assembly."))
        return redirect(assembly)
    verdict = MEMBERSHIP.allows(request.user, Action.LEAVE, membership)
    if not verdict:
        return _refused(request, verdict, assembly.get_absolute_url())
    title = _("Withdraw your request") if membership.is_requested else _("Leave the assembly")
    return confirm_then_act(
        request,
        act=lambda data: services.leave(membership, by=request.user),
        success=_("Done."),
        next_url=assembly.get_absolute_url(),
        title=title,
        summary=assembly.name,
        button=title,
        danger=True,
        cancel_url=assembly.get_absolute_url(),
    )


@require_GET
def members(request, slug):
    assembly = _assembly(slug)
    stop = _require(
        request,
        ASSEMBLY.allows(request.user, Action.VIEW_MEMBERS, assembly),
        assembly.get_absolute_url(),
    )
    if stop is not None:
        return stop
    manage = ASSEMBLY.can(request.user, Action.MANAGE_MEMBERS, assembly)
    active = assembly.memberships.filter(state=MembershipState.ACTIVE).select_related("user")
    page = Paginator(active.order_by("role", "user__display_name", "id"), 50).get_page(
        request.GET.get("page")
    )
    requests = (
        list(
            assembly.memberships.filter(state=MembershipState.REQUESTED)
            .select_related("user")
            .order_by("created_at")
        )
        if manage
        else []
    )
    return render(
        request,
        "assemblies/members.html",
        {
            "assembly": assembly,
            "page": page,
            "requests": requests,
            "manage": manage,
            "role_form": forms.RoleForm(),
        },
    )


def _membership(pk) -> Membership:
    return get_object_or_404(Membership.objects.select_related("assembly", "user"), pk=pk)


@require_http_methods(["GET", "POST"])
def membership_accept(request, pk):
    membership = _membership(pk)
    back = reverse("assemblies:members", args=[membership.assembly.slug])
    stop = _require(request, MEMBERSHIP.allows(request.user, Action.ACCEPT, membership), back)
    if stop is not None:
        return stop
    form = forms.RoleForm(request.POST or None, initial={"role": membership.role})
    return confirm_then_act(
        request,
        form=form,
        act=lambda data: services.accept_membership(membership, by=request.user, role=data["role"]),
        success=_("%(person)s is now a member.") % {"person": membership.user},
        next_url=back,
        title=_("Accept %(person)s") % {"person": membership.user},
        quote=membership.message,
        button=_("Accept"),
        cancel_url=back,
    )


@require_http_methods(["GET", "POST"])
def membership_refuse(request, pk):
    membership = _membership(pk)
    back = reverse("assemblies:members", args=[membership.assembly.slug])
    stop = _require(request, MEMBERSHIP.allows(request.user, Action.REFUSE, membership), back)
    if stop is not None:
        return stop
    form = forms.OptionalReasonForm(request.POST or None)
    return confirm_then_act(
        request,
        form=form,
        act=lambda data: services.refuse_membership(
            membership, by=request.user, reason=data["reason"]
        ),
        success=_("The request is refused."),
        next_url=back,
        title=_("Refuse the request of %(person)s") % {"person": membership.user},
        quote=membership.message,
        button=_("Refuse"),
        danger=True,
        cancel_url=back,
    )


@require_http_methods(["GET", "POST"])
def membership_remove(request, pk):
    membership = _membership(pk)
    back = reverse("assemblies:members", args=[membership.assembly.slug])
    stop = _require(request, MEMBERSHIP.allows(request.user, Action.REMOVE, membership), back)
    if stop is not None:
        return stop
    form = forms.ReasonForm(request.POST or None)
    return confirm_then_act(
        request,
        form=form,
        act=lambda data: services.remove_member(membership, by=request.user, reason=data["reason"]),
        success=_("%(person)s is no longer a member.") % {"person": membership.user},
        next_url=back,
        title=_("Remove %(person)s from the assembly") % {"person": membership.user},
        button=_("Remove"),
        danger=True,
        cancel_url=back,
    )


@require_POST
def membership_role(request, pk):
    membership = _membership(pk)
    back = reverse("assemblies:members", args=[membership.assembly.slug])
    stop = _require(
        request, ASSEMBLY.allows(request.user, Action.MANAGE_MEMBERS, membership.assembly), back
    )
    if stop is not None:
        return stop
    form = forms.RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect(back)
    try:
        services.set_role(membership, by=request.user, role=form.cleaned_data["role"])
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("The role is changed."))
    return redirect(back)


# ---- documents -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def document_upload(request, slug):
    assembly = _assembly(slug)
    stop = _require(
        request,
        ASSEMBLY.allows(request.user, Action.UPLOAD_DOCUMENT, assembly),
        assembly.get_absolute_url(),
    )
    if stop is not None:
        return stop
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_document(
                assembly,
                by=request.user,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The document is added."))
            return redirect(assembly)
    return render(
        request,
        "assemblies/form.html",
        {
            "form": form,
            "title": _("Add a document"),
            "button": _("Upload"),
            "back": assembly.get_absolute_url(),
            "assembly": assembly,
            "multipart": True,
        },
        status=errors.form_status(form),
    )


@require_GET
def document(request, slug, pk):
    doc = get_object_or_404(Document.objects.select_related("assembly"), pk=pk, assembly__slug=slug)
    if not ASSEMBLY.can(request.user, Action.VIEW_DOCUMENT, doc.assembly):
        raise Http404
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=doc.content_type or "application/octet-stream")
    safe = "".join(ch for ch in doc.original_name if ch.isalnum() or ch in "._- ")[:120]
    response["Content-Disposition"] = f'attachment; filename="{safe or "document"}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_http_methods(["GET", "POST"])
def document_delete(request, slug, pk):
    doc = get_object_or_404(Document.objects.select_related("assembly"), pk=pk, assembly__slug=slug)
    stop = _require(
        request,
        ASSEMBLY.allows(request.user, Action.UPLOAD_DOCUMENT, doc.assembly),
        doc.assembly.get_absolute_url(),
    )
    if stop is not None:
        return stop
    return confirm_then_act(
        request,
        act=lambda data: services.delete_document(doc, by=request.user),
        success=_("The document is removed."),
        next_url=doc.assembly.get_absolute_url(),
        title=_("Remove the document"),
        summary=doc.title,
        button=_("Remove"),
        danger=True,
        cancel_url=doc.assembly.get_absolute_url(),
    )


# ---- meetings --------------------------------------------------------------------------------


@require_GET
def meeting_list(request):
    qs = selectors.meetings_with_counts(Meeting.objects.all())
    slug = request.GET.get("assembly", "")
    assembly = Assembly.objects.filter(slug=slug).first() if slug else None
    if assembly is not None:
        qs = qs.filter(assembly=assembly)
    when = request.GET.get("when", "upcoming")
    qs = selectors.past(qs) if when == "past" else selectors.upcoming(qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assemblies/meeting_list.html",
        {
            "page": page,
            "when": "past" if when == "past" else "upcoming",
            "assembly": assembly,
            "query": query.urlencode(),
        },
    )


CSV_FIELDS = [
    "id",
    "assembly",
    "title",
    "kind",
    "state",
    "starts_at",
    "ends_at",
    "place",
    "address",
    "latitude",
    "longitude",
    "capacity",
    "registered",
    "attended",
    "url",
    "ical",
]


def meeting_rows(qs):
    from django.db.models import Count, Q

    qs = qs.annotate(
        attended=Count(
            "registrations",
            filter=Q(registrations__state=RegistrationState.REGISTERED)
            & (
                Q(registrations__checked_in_at__isnull=False)
                | Q(registrations__attended_online=True)
            ),
            distinct=True,
        )
    )
    for m in qs.iterator(chunk_size=500):
        yield {
            "id": m.pk,
            "assembly": m.assembly.name,
            "title": m.title,
            "kind": m.kind,
            "state": m.state,
            "starts_at": m.starts_at.isoformat(),
            "ends_at": m.ends_at.isoformat(),
            "place": m.place,
            "address": m.address,
            "latitude": m.latitude if m.latitude is not None else "",
            "longitude": m.longitude if m.longitude is not None else "",
            "capacity": m.capacity if m.capacity is not None else "",
            "registered": m.registered_count,
            "attended": m.attended,
            "url": m.get_absolute_url(),
            "ical": reverse("assemblies:meeting-ics", args=[m.pk]),
        }


@require_GET
def meeting_csv(request):
    qs = selectors.meetings_with_counts(Meeting.objects.all()).order_by("starts_at", "id")
    response = StreamingHttpResponse(
        safe_csv.stream(CSV_FIELDS, meeting_rows(qs)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="meetings.csv"'
    return response


def _meeting_form_initial(meeting):
    local = timezone.localtime
    return {
        "title": meeting.title,
        "description": meeting.description,
        "kind": meeting.kind,
        "starts_at": local(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(meeting.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "place": meeting.place,
        "address": meeting.address,
        "latitude": meeting.latitude,
        "longitude": meeting.longitude,
        "online_url": meeting.online_url,
        "capacity": meeting.capacity,
        "chair": meeting.chair_id,
        "agenda": forms.agenda_text(meeting),
    }


@require_http_methods(["GET", "POST"])
def meeting_create(request, slug):
    assembly = _assembly(slug)
    stop = _require(
        request,
        ASSEMBLY.allows(request.user, Action.CREATE_MEETING, assembly),
        assembly.get_absolute_url(),
    )
    if stop is not None:
        return stop
    form = forms.MeetingForm(request.POST or None, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(
                assembly, by=request.user, agenda=form.agenda_lines(), **form.service_fields()
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect(meeting)
    return render(
        request,
        "assemblies/form.html",
        {
            "form": form,
            "title": _("Plan a meeting of %(name)s") % {"name": assembly.name},
            "button": _("Plan the meeting"),
            "back": assembly.get_absolute_url(),
            "assembly": assembly,
        },
        status=errors.form_status(form),
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _meeting(pk)
    stop = _require(
        request,
        MEETING.allows(request.user, Action.EDIT_MEETING, meeting),
        meeting.get_absolute_url(),
    )
    if stop is not None:
        return stop
    form = forms.MeetingForm(
        request.POST or None, assembly=meeting.assembly, initial=_meeting_form_initial(meeting)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_meeting(
                meeting, by=request.user, agenda=form.agenda_lines(), **form.service_fields()
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect(meeting)
    return render(
        request,
        "assemblies/form.html",
        {
            "form": form,
            "title": _("Edit the meeting"),
            "button": _("Save"),
            "back": meeting.get_absolute_url(),
            "assembly": meeting.assembly,
        },
        status=errors.form_status(form),
    )


@require_GET
def meeting_detail(request, pk):
    meeting = get_object_or_404(
        Meeting.objects.select_related("assembly", "chair").prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "id"))
        ),
        pk=pk,
    )
    user = request.user
    registration = meeting.registration_of(user)
    registered = meeting.registrations.filter(state=RegistrationState.REGISTERED).count()
    waiting = meeting.registrations.filter(state=RegistrationState.WAITING).count()
    position = None
    if registration is not None and registration.is_waiting:
        position = (
            meeting.registrations.filter(
                state=RegistrationState.WAITING, created_at__lte=registration.created_at
            )
            .exclude(created_at=registration.created_at, pk__gt=registration.pk)
            .count()
        )
    can = MEETING.actions(user, meeting)
    reg_can = REGISTRATION.actions(user, registration) if registration else set()
    return render(
        request,
        "assemblies/meeting_detail.html",
        {
            "meeting": meeting,
            "assembly": meeting.assembly,
            "registration": registration,
            "registered": registered,
            "waiting": waiting,
            "seats_left": None
            if meeting.capacity is None
            else max(meeting.capacity - registered, 0),
            "position": position,
            "can": can,
            "reg_can": reg_can,
            "door_url": reverse("assemblies:meeting-door", args=[meeting.pk]),
            "map_point": [
                {
                    "name": meeting.place or meeting.title,
                    "address": meeting.address,
                    "status": "",
                    "lat": float(meeting.latitude),
                    "lon": float(meeting.longitude),
                    "url": meeting.get_absolute_url(),
                }
            ]
            if meeting.has_location
            else [],
        },
    )


def _meeting_transition(
    request, pk, *, action, service, title, button, success, danger=False, reason=False
):
    meeting = _meeting(pk)
    stop = _require(
        request, MEETING.allows(request.user, action, meeting), meeting.get_absolute_url()
    )
    if stop is not None:
        return stop
    form = forms.ReasonForm(request.POST or None) if reason else None
    return confirm_then_act(
        request,
        form=form,
        act=lambda data: service(meeting, by=request.user, **data),
        success=success,
        next_url=meeting.get_absolute_url(),
        title=title,
        summary=str(meeting),
        button=button,
        danger=danger,
        cancel_url=meeting.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def meeting_open(request, pk):
    return _meeting_transition(
        request,
        pk,
        action=Action.OPEN,
        service=services.open_meeting,
        title=_("Open the meeting"),
        button=_("Open"),
        success=_("The meeting is open."),
    )


@require_http_methods(["GET", "POST"])
def meeting_close(request, pk):
    return _meeting_transition(
        request,
        pk,
        action=Action.CLOSE,
        service=services.close_meeting,
        title=_("Close the meeting"),
        button=_("Close"),
        success=_("The meeting is closed."),
        danger=True,
    )


@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    return _meeting_transition(
        request,
        pk,
        action=Action.CANCEL,
        service=services.cancel_meeting,
        title=_("Cancel the meeting"),
        button=_("Cancel the meeting"),
        success=_("The meeting is cancelled; the registered people are told."),
        danger=True,
        reason=True,
    )


@require_POST
def meeting_register(request, pk):
    meeting = _meeting(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(meeting.get_absolute_url())
    try:
        registration = services.register(meeting, user=request.user)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        if registration.is_registered:
            messages.success(request, _("You are registered. Show your code at the door."))
        else:
            messages.info(
                request,
                _(
                    "The meeting is full: you are on the waiting list and will be told if a seat "
                    "becomes free."
                ),
            )
    return redirect(meeting)


def _registration(pk) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("meeting__assembly", "user"), pk=pk
    )


@require_http_methods(["GET", "POST"])
def registration_cancel(request, pk):
    registration = _registration(pk)
    meeting = registration.meeting
    stop = _require(
        request,
        REGISTRATION.allows(request.user, Action.CANCEL_REGISTRATION, registration),
        meeting.get_absolute_url(),
    )
    if stop is not None:
        return stop
    own = registration.user_id == request.user.pk
    next_url = (
        meeting.get_absolute_url() if own else reverse("assemblies:meeting-door", args=[meeting.pk])
    )
    return confirm_then_act(
        request,
        act=lambda data: services.cancel_registration(registration, by=request.user),
        success=_("The registration is cancelled."),
        next_url=next_url,
        title=_("Cancel the registration")
        if own
        else _("Cancel the registration of %(person)s") % {"person": registration.user},
        summary=str(meeting),
        question=_("Your seat goes to the first person on the waiting list.")
        if registration.is_registered
        else "",
        button=_("Cancel the registration"),
        danger=True,
        cancel_url=next_url,
    )


@require_POST
def attend_online(request, pk):
    registration = _registration(pk)
    meeting = registration.meeting
    try:
        services.attend_online(registration, by=request.user)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        errors.flash(request, exc)
        return redirect(meeting)
    if registration.user_id == request.user.pk and meeting.online_url:
        return HttpResponseRedirect(meeting.online_url)
    return redirect("assemblies:meeting-door", meeting.pk)


@require_http_methods(["GET", "POST"])
def meeting_door(request, pk):
    """The chair's page at the door: check in by code (typed or read from the QR), or from
    the list of registered people."""
    meeting = _meeting(pk)
    stop = _require(
        request,
        MEETING.allows(request.user, Action.VIEW_REGISTRATIONS, meeting),
        meeting.get_absolute_url(),
    )
    if stop is not None:
        return stop
    can_check_in = MEETING.can(request.user, Action.CHECK_IN, meeting)
    form = forms.CheckInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_check_in:
            verdict = MEETING.allows(request.user, Action.CHECK_IN, meeting)
            if verdict.wrong_person:
                raise PermissionDenied(verdict.reason)
            messages.error(request, verdict.reason)
            return redirect("assemblies:meeting-door", meeting.pk)
        if form.is_valid():
            try:
                registration = services.check_in_by_code(
                    meeting, form.cleaned_data["code"], by=request.user
                )
            except ValidationError as exc:
                errors.add_to_form(form, exc, "code")
                status = errors.form_status(form)
            else:
                messages.success(
                    request, _("%(person)s is checked in.") % {"person": registration.user}
                )
                return redirect("assemblies:meeting-door", meeting.pk)
        else:
            status = 400
    registrations = (
        meeting.registrations.exclude(state=RegistrationState.CANCELLED)
        .select_related("user")
        .order_by("state", "user__display_name", "id")
    )
    query = (request.GET.get("q") or "").strip()
    if query:
        from django.db.models import Q

        registrations = registrations.filter(
            Q(user__display_name__icontains=query) | Q(user__email__icontains=query)
        )
    page = Paginator(registrations, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "assemblies/meeting_door.html",
        {
            "meeting": meeting,
            "assembly": meeting.assembly,
            "form": form,
            "page": page,
            "q": query,
            "query": f"q={query}" if query else "",
            "can_check_in": can_check_in,
            "checked_in": meeting.checked_in_users().count(),
        },
        status=status,
    )


@require_POST
def registration_check_in(request, pk):
    registration = _registration(pk)
    try:
        services.check_in(registration, by=request.user)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("%(person)s is checked in.") % {"person": registration.user})
    return redirect("assemblies:meeting-door", registration.meeting_id)


# ---- calendars -------------------------------------------------------------------------------


def _with_agenda(qs):
    return qs.select_related("assembly").prefetch_related("agenda_items")


@require_GET
def assembly_ics(request, slug):
    assembly = _assembly(slug)
    meetings = _with_agenda(assembly.meetings.order_by("starts_at"))
    return ical.response(ical.calendar(assembly.name, meetings), f"{assembly.slug}.ics")


@require_GET
def meeting_ics(request, pk):
    meeting = _meeting(pk)
    links = {meeting.pk} if MEETING.can(request.user, Action.VIEW_ONLINE_LINK, meeting) else set()
    meetings = _with_agenda(Meeting.objects.filter(pk=meeting.pk))
    return ical.response(
        ical.calendar(meeting.title, meetings, links_for=links),
        f"meeting-{meeting.pk}.ics",
        private=bool(links),
    )


@require_GET
def my_ics(request, token):
    user = ical.user_from_token(token)
    if user is None:
        raise Http404
    regs = Registration.objects.filter(user=user).exclude(state=RegistrationState.CANCELLED)
    meetings = _with_agenda(
        Meeting.objects.filter(pk__in=regs.values("meeting_id")).order_by("starts_at")
    )
    seated = set(
        regs.filter(state=RegistrationState.REGISTERED).values_list("meeting_id", flat=True)
    )
    return ical.response(
        ical.calendar(_("My meetings"), meetings, links_for=seated),
        "my-meetings.ics",
        private=True,
    )


@require_GET
def my_meetings(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    regs = (
        Registration.objects.filter(user=request.user)
        .exclude(state=RegistrationState.CANCELLED)
        .select_related("meeting__assembly")
        .order_by("-meeting__starts_at")
    )
    page = Paginator(regs, PAGE_SIZE).get_page(request.GET.get("page"))
    memberships = (
        Membership.objects.filter(
            user=request.user, state__in=(MembershipState.ACTIVE, MembershipState.REQUESTED)
        )
        .select_related("assembly")
        .order_by("assembly__name")
    )
    from django.db.models import Count, Q

    memberships = memberships.annotate(
        pending=Count(
            "assembly__memberships",
            filter=Q(assembly__memberships__state=MembershipState.REQUESTED),
        )
    )
    feed = request.build_absolute_uri(
        reverse("assemblies:my-ics", args=[ical.feed_token(request.user)])
    )
    return render(
        request,
        "assemblies/my_meetings.html",
        {"page": page, "memberships": memberships, "feed_url": feed},
    )


# ---- the Chamber of the Commons --------------------------------------------------------------


@require_GET
def chamber(request):
    city = services.city_assembly()
    rows = selectors.chamber_groups(city)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    represented = set()
    if request.user.is_authenticated:
        from citizens.models import Membership as GroupMembership

        represented = set(
            GroupMembership.objects.filter(user=request.user, is_representative=True).values_list(
                "group_id", flat=True
            )
        )
    for row in page:
        row.can_withdraw = row.group_id in represented
    return render(
        request,
        "assemblies/chamber.html",
        {
            "city": city,
            "charter": city.current_charter(),
            "page": page,
            "can_adhere": ASSEMBLY.can(request.user, Action.ADHERE, city),
        },
    )


@require_http_methods(["GET", "POST"])
def adhere(request):
    city = services.city_assembly()
    back = reverse("assemblies:chamber")
    stop = _require(request, ASSEMBLY.allows(request.user, Action.ADHERE, city), back)
    if stop is not None:
        return stop
    form = forms.AdherenceForm(request.POST or None, user=request.user)
    return confirm_then_act(
        request,
        form=form,
        act=lambda data: services.declare_adherence(data["group"], by=request.user),
        success=_("The group adheres to the charter and is listed in the Chamber."),
        next_url=back,
        title=_("Adhere to the charter of the Assembly of the Commons"),
        question=_(
            "The group declares that it shares the charter below and is listed, with its "
            "accords and its participation, in the Chamber of the Commons."
        ),
        quote=city.current_charter().text if city.current_charter() else "",
        button=_("Adhere"),
        cancel_url=back,
    )


@require_http_methods(["GET", "POST"])
def adherence_withdraw(request, pk):
    from assemblies.models import Adherence

    adherence = get_object_or_404(Adherence.objects.select_related("group", "assembly"), pk=pk)
    back = reverse("assemblies:chamber")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return confirm_then_act(
        request,
        act=lambda data: services.withdraw_adherence(adherence, by=request.user),
        success=_("The group no longer adheres to the charter."),
        next_url=back,
        title=_("Withdraw the adherence of %(group)s") % {"group": adherence.group},
        button=_("Withdraw"),
        danger=True,
        cancel_url=back,
    )
