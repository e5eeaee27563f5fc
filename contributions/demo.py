"""Demo contributions (idempotent): part of `manage.py seed_demo`, after the accords demo.

The active demo accord (“Weekly care of the Montagnola park”) gets a season of confirmed
volunteer hours, goods given, the city's support delivered (every delivered support item is
backed by a confirmed entry) and a shift next week with sign-ups. Everything goes through
the services, logged now with the dates the work was done (an audit trail never goes back in
time, so a season cannot be logged after the accords demo's later entries).
"""

import contextlib
import datetime as dt

from django.conf import settings
from django.test.utils import override_settings
from django.utils import timezone

from accords.models import Accord, AccordState
from citizens.models import User
from contributions import services
from contributions.models import Contribution, Kind

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
    """Log the season now: the entries carry the days the work was done (`on`), and their
    audit entries come after everything the accords demo wrote on the same accord (an audit
    trail never goes back in time, see tests/citizens/test_demo.py)."""
    return contextlib.nullcontext()


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
