"""Demo contributions (idempotent): part of `manage.py seed_demo`, after the accords demo.

The active demo accord (“Weekly care of the Montagnola park”) gets a season of confirmed
volunteer hours, goods given, the city's support delivered (every delivered support item is
backed by a confirmed entry), a past shift with its check-outs, and a shift next week with
sign-ups. Everything goes through the services, at the dates it happened (`core.clock`).
"""

import datetime as dt

from django.conf import settings
from django.test.utils import override_settings
from django.utils import timezone

from accords.models import Accord, AccordState
from citizens.models import User
from contributions import services
from contributions.models import Contribution, Kind
from core.clock import travel_to

ACCORD_TITLE = "Weekly care of the Montagnola park"
SEASON = [
    # days ago, hours, activity
    (105, "3", "Clean-up of the lawns and the stairs"),
    (98, "2.5", "Pruning the hedges along Via Irnerio"),
    (91, "4", "Planting the flower bed with the primary school"),
    (84, "2", "Watering rota"),
    (70, "3", "Clean-up morning"),
    (56, "2", "Watering rota"),
    (42, "3.5", "Open day: chairs, stage and litter"),
    (28, "2", "Watering rota"),
    (14, "3", "Clean-up of the lawns and the stairs"),
    (6, "1.5", "Repainting two benches"),
]


def seed(stdout) -> None:
    if not getattr(settings, "DEMO_ACCOUNTS", False):
        return
    accord = Accord.objects.filter(title=ACCORD_TITLE, state=AccordState.ACTIVE).first()
    if accord is None:
        stdout.write("No active demo accord: no demo contributions.")
        return
    if Contribution.objects.filter(accord=accord, kind=Kind.HOURS).exists():  # a previous run
        return
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _seed(accord)


def _user(name: str) -> User:
    return User.objects.get(email=f"{name}@partnercity.local")


def _at(days_ago: int, hour: int):
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return travel_to(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))))


def _seed(accord: Accord) -> None:
    rep, member = _user("resident"), _user("resident2")
    officer, newcomer = _user("officer"), _user("newcomer")
    today = timezone.localdate()
    for days_ago, hours, activity in SEASON:
        on = today - dt.timedelta(days=days_ago)
        if accord.start_date and on < accord.start_date:
            continue
        with _at(days_ago, 13):
            entry = services.log_hours(
                actor=member,
                accord=accord,
                on=on,
                hours=hours,
                description=activity,
                show_name_publicly=True,
            )
        with _at(max(days_ago - 1, 0), 9):
            services.confirm(actor=rep, entry=entry)
    with _at(90, 18):
        goods = services.log_goods(
            actor=member,
            accord=accord,
            on=today - dt.timedelta(days=91),
            description="Compost for the new flower bed",
            quantity="6",
            unit="bags",
            value="30",
        )
    with _at(89, 9):
        services.confirm(actor=rep, entry=goods)
    # The city's support: every item backed by a confirmed entry (items delivered from the
    # accord's workspace usually are already: `contributions.signals`); the ones still to
    # deliver are logged by the representative and confirmed by the city, which delivers them.
    for item in accord.current_version.support_items.all():
        if item.contributions.filter(state="confirmed", reverses__isnull=True).exists():
            continue
        on = item.delivered_on or today - dt.timedelta(days=3)
        with _at((today - on).days, 17):
            entry = services.log_support(actor=rep, item=item, on=on)
        with _at(max((today - on).days - 1, 0), 10):
            services.confirm(actor=officer, entry=entry)
    # A past shift, with its volunteers checked in and out.
    with _at(30, 10):
        cleanup = services.publish_activity(
            actor=rep,
            accord=accord,
            title="Saturday clean-up",
            description="Litter picking and raking on the lawns; tools and gloves provided.",
        )
        past = services.add_shift(
            actor=rep,
            activity=cleanup,
            date=today - dt.timedelta(days=21),
            start_time=dt.time(9, 30),
            end_time=dt.time(12, 30),
            place="Stairs of the Pincio, Via Indipendenza side",
            slots=10,
            bring="Comfortable shoes",
        )
        signups = [
            services.sign_up(actor=newcomer, shift=past),
            services.sign_up(actor=member, shift=past, show_name_publicly=True),
        ]
    with _at(21, 9):
        for signup in signups:
            services.check_in(actor=rep, signup=signup)
    with _at(21, 13):
        for signup in signups:
            services.check_out(actor=rep, signup=signup)
    # Next week's shift, with sign-ups.
    with _at(0, 8):
        planting = services.publish_activity(
            actor=rep,
            accord=accord,
            title="Spring planting",
            description="Bulbs and perennials in the flower bed by the fountain.",
        )
        upcoming = services.add_shift(
            actor=rep,
            activity=planting,
            date=today + dt.timedelta(days=7),
            start_time=dt.time(9, 0),
            end_time=dt.time(12, 0),
            place="The fountain of the Montagnola",
            slots=8,
            bring="Gloves and a trowel if you have one",
        )
        services.sign_up(actor=newcomer, shift=upcoming)
        services.sign_up(actor=member, shift=upcoming, show_name_publicly=True)


def describe() -> str:
    return "\n".join(
        [
            "Contributions:",
            "  /contributions/  Commons in numbers (charts, CSV/JSON/Valueflows JSON-LD)",
            "  Montagnola accord: its page shows the figures; /contributions/accords/<id>/ the "
            "log (resident2@ logs hours, resident@ confirms), a shift next week with sign-ups.",
        ]
    )
