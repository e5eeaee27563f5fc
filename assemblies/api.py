"""Read-only API: GET /api/assemblies, /api/assemblies/{slug}, /api/meetings,
/api/meetings/{id}. Every meeting carries its iCalendar address."""

import datetime as dt

from django.http import Http404
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from assemblies import selectors
from assemblies.models import Assembly, Meeting
from assemblies.rules import ASSEMBLY, MEETING, Action
from core.api import BoundedLimitOffset, Id, QueryDateTime, QueryText

router = Router(tags=["assemblies"])


class CharterOut(Schema):
    version: int
    text: str
    quorum_percent: int
    majority: str
    consent_rule: str
    created_at: dt.datetime


class AssemblyOut(Schema):
    slug: str
    name: str
    kind: str
    district: str
    accord_id: int | None
    membership_policy: str
    members: int
    url: str
    ical_url: str


class AssemblyDetailOut(AssemblyOut):
    description: str
    charter: CharterOut | None


class AgendaItemOut(Schema):
    position: int
    title: str
    body: str


class MeetingOut(Schema):
    id: int
    assembly: str
    title: str
    kind: str
    state: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    address: str
    latitude: float | None
    longitude: float | None
    capacity: int | None
    registered: int
    url: str
    ical_url: str


class MeetingDetailOut(MeetingOut):
    description: str
    agenda: list[AgendaItemOut]


def _base(request) -> str:
    return request.build_absolute_uri("/")[:-1]


def assembly_row(a: Assembly, base: str) -> dict:
    return {
        "slug": a.slug,
        "name": a.name,
        "kind": a.kind,
        "district": a.district,
        "accord_id": a.accord_id,
        "membership_policy": a.membership_policy,
        "members": a.member_count,
        "url": base + a.get_absolute_url(),
        "ical_url": base + reverse("assemblies:assembly-ics", args=[a.slug]),
    }


def meeting_row(m: Meeting, base: str) -> dict:
    return {
        "id": m.pk,
        "assembly": m.assembly.slug,
        "title": m.title,
        "kind": m.kind,
        "state": m.state,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "place": m.place,
        "address": m.address,
        "latitude": None if m.latitude is None else float(m.latitude),
        "longitude": None if m.longitude is None else float(m.longitude),
        "capacity": m.capacity,
        "registered": m.registered_count,
        "url": base + m.get_absolute_url(),
        "ical_url": base + reverse("assemblies:meeting-ics", args=[m.pk]),
    }


class _Rows:
    """A lazily-sliced list of rows (pagination: a COUNT and one SELECT)."""

    def __init__(self, qs, build, base):
        self.qs, self.build, self.base = qs, build, base

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [self.build(obj, self.base) for obj in self.qs[item]]


class AssemblyFilters(Schema):
    kind: QueryText | None = None
    district: QueryText | None = None


@router.get("/assemblies", response=list[AssemblyOut], url_name="assembly-list")
@paginate(BoundedLimitOffset)
def assembly_list(request, filters: Query[AssemblyFilters]):
    qs = ASSEMBLY.queryset(request.user, Action.VIEW, selectors.assemblies_with_counts())
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.district:
        qs = qs.filter(district=filters.district)
    return _Rows(qs, assembly_row, _base(request))


@router.get("/assemblies/{slug}", response=AssemblyDetailOut, url_name="assembly-detail")
def assembly_detail(request, slug: QueryText):
    a = selectors.assemblies_with_counts().filter(slug=slug).first()
    if a is None or not ASSEMBLY.can(request.user, Action.VIEW, a):
        raise Http404
    charter = a.current_charter()
    return {
        **assembly_row(a, _base(request)),
        "description": a.description,
        "charter": None
        if charter is None
        else {
            "version": charter.number,
            "text": charter.text,
            "quorum_percent": charter.quorum_percent,
            "majority": charter.majority,
            "consent_rule": charter.consent_rule,
            "created_at": charter.created_at,
        },
    }


class MeetingFilters(Schema):
    assembly: QueryText | None = None
    state: QueryText | None = None
    since: QueryDateTime | None = None
    until: QueryDateTime | None = None


@router.get("/meetings", response=list[MeetingOut], url_name="meeting-list")
@paginate(BoundedLimitOffset)
def meeting_list(request, filters: Query[MeetingFilters]):
    qs = MEETING.queryset(
        request.user, Action.VIEW_MEETING, selectors.meetings_with_counts()
    ).order_by("starts_at", "id")
    if filters.assembly:
        qs = qs.filter(assembly__slug=filters.assembly)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.since:
        qs = qs.filter(ends_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(starts_at__lte=filters.until)
    return _Rows(qs, meeting_row, _base(request))


@router.get("/meetings/{int:meeting_id}", response=MeetingDetailOut, url_name="meeting-detail")
def meeting_detail(request, meeting_id: Id):
    m = (
        selectors.meetings_with_counts()
        .prefetch_related("agenda_items")
        .filter(pk=meeting_id)
        .first()
    )
    if m is None or not MEETING.can(request.user, Action.VIEW_MEETING, m):
        raise Http404
    return {
        **meeting_row(m, _base(request)),
        "description": m.description,
        "agenda": [
            {"position": i.position, "title": i.title, "body": i.body} for i in m.agenda_items.all()
        ],
    }
